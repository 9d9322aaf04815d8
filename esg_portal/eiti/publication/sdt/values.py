"""The canonical numbers and derived values of the SDT outputs, apart from the workbook layout
because the writer, the Part CSVs and the importer all need them and must agree to the cent.

Canonical numbers: amounts as plain decimals with at least 2 decimals (never rounded, no
``-0.00``), quantities and rates in their shortest exact form, Part 1 percentages as EITI's
files show them, USD half-even to the cent. Derived values: ``complete`` fills the Part 3
totals and the Part 1 percentages where they are blank (see ``writer``'s module docstring).
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from .model import (
    ABOUT_LABELS, CHECKLIST_KEYS, COMPANY_TOTAL, COUNT_LABELS, ENTITY_TOTAL, GFS_COLUMN, INCLUSION_VALUES,
    LABEL_COUNTRY, LABEL_END, LABEL_ISO3, LABEL_RATE, LABEL_REPORTING_CURRENCY, LABEL_START, MONEY_COLUMNS,
    PART_GOVERNMENT_REVENUES, PERCENT_LABELS, QUANTITY_COLUMNS, TABLE_COLUMNS, Parts, gfs_label, gfs_names,
    validate,
)

CENT = Decimal("0.01")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


# --- canonical numbers ------------------------------------------------------------------------
def plain_decimal(value: str | None) -> Decimal | None:
    """The Decimal of a plain decimal string (``-1234.50``), None for anything else."""
    if value is None or not _PLAIN_DECIMAL.fullmatch(value):
        return None
    return Decimal(value)


def money_text(amount: Decimal) -> str:
    """An amount as the outputs write it: at least 2 decimals, never rounded, no ``-0.00``."""
    if amount.is_zero():
        amount = abs(amount)
    if amount.as_tuple().exponent > -2:  # type: ignore[operator]
        amount = amount.quantize(CENT)
    return format(amount, "f")


def number_text(number: Decimal) -> str:
    """A quantity or rate in its shortest exact form (``4.80`` → ``4.8``, ``100.0`` → ``100``)."""
    if number.is_zero():
        return "0"
    return format(number.normalize(), "f")


def canonical_money(value: str | None) -> str | None:
    number = plain_decimal(value)
    return value if number is None else money_text(number)


def canonical_number(value: str | None) -> str | None:
    number = plain_decimal(value)
    return value if number is None else number_text(number)


def percent_text(ratio: float) -> str:
    """A Part 1 percentage as EITI's files show it: ``0.4642857142857143`` → ``46.43%``."""
    percent = (Decimal(repr(ratio)) * 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return f"{abs(percent) if percent.is_zero() else percent}%"


def usable_rate(value: str | None) -> Decimal | None:
    """The exchange rate (1 USD = X) when it is a number above zero, else None."""
    rate = plain_decimal(value)
    return rate if rate is not None and rate > 0 else None


def to_usd(amount: Decimal, rate: Decimal) -> Decimal:
    """amount ÷ rate, half-even to the cent (EITI.md A §1)."""
    with localcontext() as context:
        context.prec = 60
        return (amount / rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- derived values ------------------------------------------------------------------------------
def _matching_sum(rows: list[dict[str, str | None]], name_column: str, name: str | None, value_column: str,
                  currency_column: str, currency: str) -> Decimal | None:
    """Σ of the numeric values of the rows named ``name`` (what the workbook's SUMPRODUCT gives);
    None when there is nothing to add up or one of the amounts is in another currency."""
    if name is None:
        return None
    total, found = Decimal(0), False
    for row in rows:
        if row.get(name_column) != name:
            continue
        amount = plain_decimal(row.get(value_column))
        if amount is None:
            continue
        if row.get(currency_column) != currency:
            return None
        total += amount
        found = True
    return total if found else None


def entity_total(parts: Parts, name: str | None) -> Decimal | None:
    """Part 3 ``Total reported`` of one government entity: Σ its Part 4 revenue values."""
    return _matching_sum(parts.government_revenues, "Government entity", name, "Revenue value", "Currency",
                         parts.currency)


def company_total(parts: Parts, name: str | None) -> Decimal | None:
    """Part 3 ``Payments to Governments Report`` of one company: Σ its Part 5 revenue values."""
    return _matching_sum(parts.company_data, "Company", name, "Revenue value", "Reporting currency",
                         parts.currency)


def inclusion_counts(parts: Parts) -> dict[str, int]:
    """How many Part 2 answers have each inclusion status (compared as Excel's COUNTIF does, ignoring case)."""
    counts = {value: 0 for value in INCLUSION_VALUES}
    for row in parts.checklist:
        answer = (row.get("answer") or "").lower()
        for value in INCLUSION_VALUES:
            if answer == value.lower():
                counts[value] += 1
    return counts


def inclusion_ratios(parts: Parts) -> dict[str, float] | None:
    """The Part 1 percentages as fractions, or None when no Part 2 answer has an inclusion status."""
    counts = inclusion_counts(parts)
    total = sum(counts.values())
    if not total:
        return None
    return {label: counts[value] / total for label, value in zip(PERCENT_LABELS, INCLUSION_VALUES)}


def revenue_total(parts: Parts) -> Decimal | None:
    """``Total in <currency>`` of Part 4: Σ revenue values; None when there is none or one is in another currency."""
    total, found = Decimal(0), False
    for row in parts.government_revenues:
        amount = plain_decimal(row.get("Revenue value"))
        if amount is None:
            continue
        if row.get("Currency") != parts.currency:
            return None
        total += amount
        found = True
    return total if found else None


def _canonical_row(part: str, row: dict[str, str | None]) -> dict[str, str | None]:
    columns = TABLE_COLUMNS[part]
    out = {column: row.get(column) for column in columns}
    for column in MONEY_COLUMNS.get(part, ()):
        out[column] = canonical_money(out[column])
    for column in QUANTITY_COLUMNS.get(part, ()):
        out[column] = canonical_number(out[column])
    if part == PART_GOVERNMENT_REVENUES:
        out[GFS_COLUMN] = render_gfs(out[GFS_COLUMN])
    return out


def render_gfs(value: str | None) -> str | None:
    """A bare known GFS code (``1415E1``) as the template writes it (``Royalties (1415E1)``)."""
    if value is not None and value in gfs_names():
        return gfs_label(value)
    return value


def complete(parts: Parts) -> Parts:
    """A copy of ``parts`` as the outputs show it: every label and column present, numbers in
    canonical form, derived values filled where they were blank. Idempotent; raises
    ``ValueError`` for unknown keys or Part 1 dates that contradict the period."""
    validate(parts)
    # every row is rebuilt below, so a shallow copy is enough (and fast for 200 000 rows)
    done = Parts(year=parts.year, start_date=parts.start_date, end_date=parts.end_date, country=parts.country,
                 iso3=parts.iso3, currency=parts.currency, about=dict(parts.about), checklist=list(parts.checklist),
                 **{part: list(parts.rows(part)) for part in TABLE_COLUMNS})
    about = {label: done.about.get(label) for label in ABOUT_LABELS}
    for label, value in ((LABEL_COUNTRY, done.country), (LABEL_ISO3, done.iso3), (LABEL_START, done.start_date),
                         (LABEL_END, done.end_date), (LABEL_REPORTING_CURRENCY, done.currency)):
        if about[label] is None:
            about[label] = value
    if about[LABEL_START] != done.start_date or about[LABEL_END] != done.end_date:
        raise ValueError("Part 1 Start Date / End Date differ from the period's dates")
    about[LABEL_RATE] = canonical_number(about[LABEL_RATE])
    for label in COUNT_LABELS:
        about[label] = canonical_number(about[label])
    done.checklist = [{key: row.get(key) for key in CHECKLIST_KEYS} for row in done.checklist
                      if any(row.get(key) is not None for key in CHECKLIST_KEYS)]
    for part in TABLE_COLUMNS:
        setattr(done, part, [_canonical_row(part, row) for row in done.rows(part)])
    for row in done.government_entities:
        if row[ENTITY_TOTAL] is None:
            total = entity_total(done, row["Full name of agency"])
            row[ENTITY_TOTAL] = None if total is None else money_text(total)
    for row in done.companies:
        if row[COMPANY_TOTAL] is None:
            total = company_total(done, row["Full company name"])
            row[COMPANY_TOTAL] = None if total is None else money_text(total)
    ratios = inclusion_ratios(done)
    if ratios:
        for label in PERCENT_LABELS:
            if about[label] is None:
                about[label] = percent_text(ratios[label])
    done.about = about
    return done
