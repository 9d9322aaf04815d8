"""Attachments of a filing: upload, list, fetch (company and secretariat only before publication)."""
from flask import Blueprint

bp = Blueprint("attachments", __name__, url_prefix="/attachments")
