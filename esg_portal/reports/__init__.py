"""PDF builders (reportlab): plain data in, PDF bytes out; no domain imports."""
from esg_portal.reports.filing_receipt import LABELS_EN, build_filing_receipt

__all__ = ["LABELS_EN", "build_filing_receipt"]
