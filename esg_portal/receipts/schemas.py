"""Government receipt rows of INTERFACES.md §3 → ``ReceiptInput``: one set of rules for form, upload and API.

Reading, numbers and errors come from ``esg_portal.tabular``; the INN rule from
``companies.rules``. Every problem is collected as a ``RowError`` and the whole batch is
refused at once (all-or-nothing). An unknown INN with a name becomes an unregistered
company when the batch is saved (``services.replace_receipts``), not here.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..companies.models import Company, License
from ..companies.rules import RuleViolation, clean_inn, clean_text
from ..extensions import db
from ..money import to_minor
from ..reference.models import GovernmentEntity, RevenueStream
from ..tabular import (NumberError, RowError, TooLarge, UploadRejected, number_error_message,
                       parse_decimal, read_checked_table)
from ..tabular._text import shorten
from ..tabular.reader import DEFAULT_MAX_ROWS
from ..validation import text_problem, visible

#: the §3 columns in template order
RECEIPT_COLUMNS = ("company_inn", "company_name", "revenue_stream", "government_entity", "project", "amount",
                   "currency", "comment")
REQUIRED_COLUMNS = frozenset({"company_inn", "revenue_stream", "government_entity", "amount", "currency"})
OPTIONAL_COLUMNS = frozenset(RECEIPT_COLUMNS) - REQUIRED_COLUMNS
CURRENCIES = ("KGS", "USD")
MAX_NAME_LENGTH = 255
#: the columns that may hold tabs and line breaks (validation.text_problem)
MULTILINE_COLUMNS = frozenset({"comment"})
MAX_COMMENT_LENGTH = 2000
_STRICT_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_COLUMN_ORDER = {name: position for position, name in enumerate(RECEIPT_COLUMNS)}


@dataclass(frozen=True)
class ReceiptInput:
    """One checked receipt row; ``company_id`` is None for an unknown INN (``company_name`` then set)."""

    company_inn: str
    company_id: int | None
    company_name: str | None
    revenue_stream_id: int
    license_id: int | None
    amount_minor: int
    currency: str
    comment: str | None

    @property
    def key(self) -> tuple:
        """The §3 key within one agency's batch: (inn, stream, project, currency)."""
        return (self.company_inn, self.revenue_stream_id, self.license_id, self.currency)


@dataclass
class ReceiptLookups:
    """What an agency's receipt rows may name: active streams, the agency itself, companies and their licences."""

    streams: dict[str, RevenueStream]
    agency: GovernmentEntity
    companies: dict[str, Company]
    licences: dict[int, dict[str, License]]

    def stream(self, code: str) -> RevenueStream | None:
        found = self.streams.get(code)
        if found is None:
            found = next((s for c, s in self.streams.items() if c.casefold() == code.casefold()), None)
        return found

    def licence(self, company_id: int, number: str) -> License | None:
        own = self.licences.get(company_id, {})
        found = own.get(number)
        if found is None:
            found = next((lic for n, lic in own.items() if n.casefold() == number.casefold()), None)
        return found


def load_receipt_lookups(agency: GovernmentEntity) -> ReceiptLookups:
    streams = db.session.scalars(select(RevenueStream).where(RevenueStream.is_active.is_(True))
                                 .order_by(RevenueStream.sort_order, RevenueStream.code))
    companies = {c.inn: c for c in db.session.scalars(select(Company))}
    licences: dict[int, dict[str, License]] = {}
    for lic in db.session.scalars(select(License).order_by(License.number)):
        licences.setdefault(lic.company_id, {})[lic.number] = lic
    return ReceiptLookups(streams={s.code: s for s in streams}, agency=agency, companies=companies,
                          licences=licences)


def _value_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return shorten(text, 80)


def _codes(records: Iterable[str]) -> str:
    return ", ".join(records) or "—"


def _check_row(number: int, raw: Any, *, locale: str, lookups: ReceiptLookups, numeric: set[str], strict: bool,
               errors: list[RowError]) -> tuple[tuple | None, ReceiptInput | None]:
    row_errors: list[RowError] = []
    if not isinstance(raw, Mapping):
        errors.append(RowError(number, None, _value_text(raw), _(
            "Each receipt must be an object with the columns %(columns)s.", columns=", ".join(RECEIPT_COLUMNS))))
        return None, None
    values: dict[str, str] = {}
    for column, value in raw.items():
        if column not in _COLUMN_ORDER:
            row_errors.append(RowError(number, shorten(str(column)), _value_text(value), _(
                "“%(column)s” is not a receipt column. Remove it; the columns are: %(allowed)s.",
                column=shorten(str(column)), allowed=", ".join(RECEIPT_COLUMNS))))
        elif value is None:
            values[column] = ""
        elif isinstance(value, str):
            problem = text_problem(value.strip(), column, multiline=column in MULTILINE_COLUMNS)
            if problem:
                row_errors.append(RowError(number, column, shorten(visible(value), 80), problem))
            values[column] = value.strip()
        elif column == "company_inn" and isinstance(value, int) and not isinstance(value, bool):
            numeric = numeric | {"company_inn"}
            values[column] = str(value)
        else:
            row_errors.append(RowError(number, column, _value_text(value), _(
                "“%(column)s” must be text (a JSON string in quotes), not %(value)s.", column=column,
                value=_value_text(value))))
    bad = {e.column for e in row_errors}

    def fail(column: str, message: str) -> None:
        row_errors.append(RowError(number, column, values.get(column, ""), message))

    def usable(column: str) -> bool:
        return column not in bad

    inn = company = None
    name = None
    if usable("company_name"):
        try:
            name = clean_text(values.get("company_name"), max_length=MAX_NAME_LENGTH)
        except RuleViolation as violation:
            fail("company_name", str(violation))
    if usable("company_inn"):
        text = values.get("company_inn", "")
        try:
            if "company_inn" in numeric:
                try:
                    as_int = int(Decimal(text))
                except (InvalidOperation, ValueError):
                    as_int = 0
                clean_inn(as_int)  # a number lost its leading zeros: always refused
            inn = clean_inn(text)
        except RuleViolation as violation:
            fail("company_inn", str(violation))
        else:
            company = lookups.companies.get(inn)
            if company is None and not name and usable("company_name"):
                fail("company_inn", _("No company with the INN %(inn)s is in the register. Enter its name in "
                                      "“company_name” so that it is added as an unregistered company.", inn=inn))

    stream = None
    if usable("revenue_stream"):
        code = values.get("revenue_stream", "")
        if not code:
            fail("revenue_stream", _("Enter the revenue stream code, for example ROYALTY. The codes are: "
                                     "%(codes)s.", codes=_codes(lookups.streams)))
        elif (stream := lookups.stream(code)) is None:
            fail("revenue_stream", _("“%(value)s” is not a revenue stream code. Use one of: %(codes)s.",
                                     value=shorten(code), codes=_codes(lookups.streams)))

    entity_ok = False
    if usable("government_entity"):
        code = values.get("government_entity", "")
        if code.casefold() == lookups.agency.code.casefold():
            entity_ok = True
        elif not code:
            fail("government_entity", _("Enter the code of your agency: %(code)s.", code=lookups.agency.code))
        else:
            fail("government_entity", _("“%(value)s” is not your agency. You may only report receipts of your "
                                         "own agency: write %(code)s.", value=shorten(code),
                                         code=lookups.agency.code))

    licence = None
    project_ok = usable("project")
    if project_ok and (number_text := values.get("project", "")):
        licence = lookups.licence(company.id, number_text) if company is not None else None
        if licence is None:
            project_ok = False
            fail("project", _("“%(value)s” is not a licence of the company with this INN. Enter the licence "
                              "number exactly as on the licence, or leave “project” blank.",
                              value=shorten(number_text)))

    amount = None
    if usable("amount"):
        text = values.get("amount", "")
        try:
            amount = parse_decimal(text, "en" if ("amount" in numeric or strict) else locale)
            if strict and not _STRICT_DECIMAL.fullmatch(text):
                raise NumberError("not_a_number", {"value": text, "strict": True})
        except NumberError as error:
            amount = None
            if error.code == "empty":
                fail("amount", _("Enter the total received in the period, for example 1234567.89 (a negative "
                                 "amount is a refund)."))
            elif error.params.get("strict"):
                fail("amount", _("“%(value)s”: in JSON, amounts are decimal strings with a point and no grouping, "
                                 "e.g. \"1234.50\" or \"-500.00\".", value=shorten(text)))
            else:
                fail("amount", number_error_message(error))

    currency = None
    if usable("currency"):
        text = values.get("currency", "")
        if text.upper() in CURRENCIES:
            currency = text.upper()
        elif not text:
            fail("currency", _("Enter the currency of the receipt: KGS or USD."))
        else:
            fail("currency", _("“%(value)s” is not an accepted currency. Write KGS or USD.", value=shorten(text)))

    comment = None
    if usable("comment"):
        try:
            comment = clean_text(values.get("comment"), max_length=MAX_COMMENT_LENGTH)
        except RuleViolation as violation:
            fail("comment", str(violation))
        else:
            if amount is not None and amount < 0 and not comment:
                fail("comment", _("A negative amount (%(amount)s) is a refund and needs a comment: say what was "
                                  "refunded and why.", amount=f"{amount:f}"))

    key = None
    if inn is not None and stream is not None and entity_ok and project_ok and currency is not None:
        key = (inn, stream.id, licence.id if licence is not None else None, currency)
    errors.extend(sorted(row_errors, key=lambda e: _COLUMN_ORDER.get(e.column or "", -1)))
    if row_errors or key is None or amount is None:
        return key, None
    return key, ReceiptInput(
        company_inn=inn, company_id=company.id if company is not None else None,
        company_name=None if company is not None else name, revenue_stream_id=stream.id,
        license_id=licence.id if licence is not None else None, amount_minor=to_minor(amount, currency),
        currency=currency, comment=comment)


def parse_receipt_rows(rows: list, *, row_numbers: list[int] | None, locale: str, lookups: ReceiptLookups,
                       numeric_cells: Iterable[tuple[int, str]] = frozenset(),
                       json_input: bool = False) -> list[ReceiptInput]:
    """Check rows against every §3 receipt rule; return ReceiptInputs or raise UploadRejected listing every error."""
    if row_numbers is None:
        row_numbers = list(range(1, len(rows) + 1))
    numeric_cells = set(numeric_cells)
    errors: list[RowError] = []
    receipts: list[ReceiptInput] = []
    first_row_of: dict[tuple, int] = {}
    for index, (number, raw) in enumerate(zip(row_numbers, rows)):
        numeric = {column for (i, column) in numeric_cells if i == index}
        key, receipt = _check_row(number, raw, locale=locale, lookups=lookups, numeric=numeric,
                                  strict=json_input, errors=errors)
        if key is not None:
            first = first_row_of.setdefault(key, number)
            if first != number:
                receipt = None
                errors.append(RowError(number, "company_inn", str(key[0]), _(
                    "This row is a duplicate of row %(row)d: the same company_inn, revenue_stream, "
                    "government_entity, project and currency. Each combination takes one row with the period "
                    "total: add the amounts up in row %(row)d and delete this row.", row=first)))
        if receipt is not None:
            receipts.append(receipt)
    if errors:
        raise UploadRejected(errors)
    return receipts


def read_receipt_upload(data: bytes, filename: str, *, locale: str, lookups: ReceiptLookups) -> list[ReceiptInput]:
    """A CSV or XLSX receipts upload → ReceiptInputs; raises UploadRejected (422) or TooLarge (413)."""
    table = read_checked_table(data, filename, set(REQUIRED_COLUMNS), set(OPTIONAL_COLUMNS))
    return parse_receipt_rows(table.rows, row_numbers=table.row_numbers, locale=locale, lookups=lookups,
                              numeric_cells=table.numeric_cells)


def receipt_rows_from_json(body: Any, *, locale: str, lookups: ReceiptLookups) -> list[ReceiptInput]:
    """The API's JSON list of §3 receipt objects → ReceiptInputs; errors carry row = list index + 1."""
    if not isinstance(body, list):
        raise UploadRejected([RowError(None, None, None, _(
            "Send the receipts as a JSON list of objects, one per row, with the columns %(columns)s and amounts "
            "as decimal strings; send [] for no receipts.", columns=", ".join(RECEIPT_COLUMNS)))])
    if len(body) > DEFAULT_MAX_ROWS:
        raise TooLarge(_("The list has more than %(limit)s receipt rows, the most one request may hold.",
                         limit=f"{DEFAULT_MAX_ROWS:,}".replace(",", " ")))
    return parse_receipt_rows(body, row_numbers=None, locale=locale, lookups=lookups, json_input=True)
