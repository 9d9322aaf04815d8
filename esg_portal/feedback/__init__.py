"""Residents' appeals and community feedback about a mine: intake without an account, handling on the
legal clock, moderation of what becomes public, and the public record with its statistics."""
