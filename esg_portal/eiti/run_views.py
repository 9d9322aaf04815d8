"""Reconciliation runs for the secretariat: run a period, see a run's line table and summaries."""
from flask import Blueprint

bp = Blueprint("reconciliation", __name__, url_prefix="/eiti")
