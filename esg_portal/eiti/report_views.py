"""The reconciliation report of a stored run as HTML, XLSX, CSV and PDF."""
from flask import Blueprint

bp = Blueprint("reconciliation_reports", __name__, url_prefix="/eiti")
