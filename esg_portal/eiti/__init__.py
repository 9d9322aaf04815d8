"""EITI: the reconciliation engine (pure) and its file CLI."""
