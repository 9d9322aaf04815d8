"""The ESG sections of the filing: one page per section, item forms, declarations."""
from flask import Blueprint

bp = Blueprint("sections", __name__, url_prefix="/disclosures/filing")
