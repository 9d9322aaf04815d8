"""The only place where amounts change representation.

Storage: integer minor units (tyiyn, cents) plus an ISO 4217 code. Python: ``Decimal``.
Exchange rates: integers scaled by 10^4 ("1 USD = 89.5000 KGS" is stored as 895000).
Rounding is half-even and happens only here, at output or conversion.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: Minor-unit exponent per supported currency (ISO 4217).
CURRENCY_EXPONENT = {"KGS": 2, "USD": 2}
RATE_SCALE = 4
_CENT = Decimal("0.01")


class MoneyError(ValueError):
    """An amount that cannot be represented exactly."""


def check_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in CURRENCY_EXPONENT:
        raise MoneyError(f"unsupported currency {currency!r}")
    return code


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal → integer minor units; refuses sub-minor precision instead of rounding it away."""
    if not isinstance(amount, Decimal):
        raise MoneyError("amounts must be Decimal, never float")
    if not amount.is_finite():
        raise MoneyError("amount must be a finite number")
    exponent = CURRENCY_EXPONENT[check_currency(currency)]
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} has more than {exponent} decimals")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units → Decimal with exactly the currency's number of decimals."""
    exponent = CURRENCY_EXPONENT[check_currency(currency)]
    return Decimal(int(minor)).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def format_plain(minor: int, currency: str) -> str:
    """The interchange format of INTERFACES §2: ``"1234567.89"``, ``"-500.00"``."""
    return f"{from_minor(minor, currency):f}"


def rate_to_scaled(rate: Decimal) -> int:
    """An exchange rate (at most 4 decimals) → integer scaled by 10^4."""
    try:
        scaled = Decimal(rate).scaleb(RATE_SCALE)
    except InvalidOperation:
        raise MoneyError(f"invalid rate {rate!r}") from None
    if scaled != scaled.to_integral_value() or scaled <= 0:
        raise MoneyError("a rate must be positive with at most 4 decimals")
    return int(scaled)


def rate_from_scaled(scaled: int) -> Decimal:
    return Decimal(int(scaled)).scaleb(-RATE_SCALE).quantize(Decimal("0.0001"))


def usd_minor_to_kgs_minor(usd_minor: int, rate_scaled: int) -> int:
    """USD → KGS at the period rate, half-even to the tyiyn."""
    kgs = (Decimal(usd_minor) * rate_from_scaled(rate_scaled)).quantize(Decimal(1), ROUND_HALF_EVEN)
    return int(kgs)


def kgs_minor_to_usd(kgs_minor: int, rate_scaled: int) -> Decimal:
    """KGS → USD at the period rate (KGS ÷ rate), half-even to the cent."""
    return (from_minor(kgs_minor, "KGS") / rate_from_scaled(rate_scaled)).quantize(_CENT, ROUND_HALF_EVEN)


def percent_from_basis_points(bp: int) -> Decimal:
    """Shares are stored in basis points (30 % = 3000) and shown with two decimals."""
    return Decimal(int(bp)).scaleb(-2).quantize(_CENT)


def basis_points_from_percent(percent: Decimal) -> int:
    scaled = Decimal(percent).scaleb(2)
    if scaled != scaled.to_integral_value():
        raise MoneyError("a percentage may have at most 2 decimals")
    return int(scaled)
