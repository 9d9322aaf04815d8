"""Accounts: users, roles, sign-in, and the permission rules every domain checks."""
