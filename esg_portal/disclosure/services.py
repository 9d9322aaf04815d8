"""Disclosure services available in the foundation: reading a version and its totals."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..accounts.models import User
from ..accounts.permissions import can_view_disclosure, require
from ..errors import NotFound
from ..extensions import db
from ..money import from_minor
from .models import Disclosure


def get_disclosure(actor: User, disclosure_id: int) -> Disclosure:
    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound()
    require(can_view_disclosure(actor, disclosure))
    return disclosure


def totals_by_currency(disclosure: Disclosure) -> dict[str, Decimal]:
    """Sum of payment lines per currency, exact."""
    totals: dict[str, int] = defaultdict(int)
    for line in disclosure.payment_lines:
        totals[line.currency] += line.amount_minor
    return {currency: from_minor(minor, currency) for currency, minor in sorted(totals.items())}
