"""Annual disclosures filed by companies, per reporting period and version."""
