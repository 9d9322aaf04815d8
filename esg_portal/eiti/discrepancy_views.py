"""Discrepancy queries and adjustment proposals on reconciliation lines."""
from flask import Blueprint

bp = Blueprint("discrepancies", __name__, url_prefix="/discrepancies")
