"""Deterministic, clearly fictional demo data for trying the portal."""
