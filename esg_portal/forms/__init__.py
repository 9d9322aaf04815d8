"""WTForms classes for the HTML pages, one module per domain."""
