"""Company payment rows of INTERFACES.md §3 → ``PaymentInput``: one set of rules for form, upload and API.

The HTML form, the CSV/XLSX upload and the JSON API all end in ``parse_payment_rows``, so
a row is judged the same way whichever door it came through. ``PaymentRowSchema``
(marshmallow, unknown columns refused) fixes the shape of a row; the rules below check
its values against the reference data and the company's own licences. Every problem is
collected as a ``RowError`` and the whole batch is refused at once (all-or-nothing).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, fields
from marshmallow import ValidationError as ShapeError
from sqlalchemy import select

from ..companies.models import License
from ..companies.rules import RuleViolation, clean_text
from ..extensions import db
from ..money import to_minor
from ..reference.models import GovernmentEntity, RevenueStream
from ..tabular import (NumberError, RowError, TooLarge, UploadRejected, number_error_message,
                       parse_decimal, read_checked_table)
from ..tabular._text import shorten
from ..tabular.reader import DEFAULT_MAX_ROWS
from ..validation import text_problem, visible
from .inputs import PaymentInput

#: the §3 columns in template order
PAYMENT_COLUMNS = ("revenue_stream", "government_entity", "project", "amount", "currency", "paid_in_kind",
                   "in_kind_volume", "in_kind_unit", "recipient_locality", "comment")
REQUIRED_COLUMNS = frozenset({"revenue_stream", "government_entity", "amount", "currency", "paid_in_kind"})
OPTIONAL_COLUMNS = frozenset(PAYMENT_COLUMNS) - REQUIRED_COLUMNS
CURRENCIES = ("KGS", "USD")
YES, NO = "yes", "no"
#: in-kind volumes are measured quantities (t, kg, oz): finer than money, still exact
MAX_VOLUME_DECIMALS = 6
#: the lengths of the payment_line columns (in_kind_unit is String(32))
MAX_UNIT_LENGTH = 32
MAX_LOCALITY_LENGTH = 255
MAX_COMMENT_LENGTH = 2000
#: the visible sheet of the XLSX template that explains every code (named in error messages)
CODE_NAMES_SHEET = "code_names"

# JSON amounts: digits, an optional minus and a point; anything a person would type differently
# (grouping, a comma, U+2212) is refused rather than interpreted, as machines send exact text
_STRICT_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_COLUMN_ORDER = {name: position for position, name in enumerate(PAYMENT_COLUMNS)}


@dataclass
class PaymentLookups:
    """What a company's payment rows may name: active streams and entities by code, its own licences by number."""

    streams: dict[str, RevenueStream]
    entities: dict[str, GovernmentEntity]
    licences: dict[str, License]
    _folded: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # codes and licence numbers are matched case-insensitively ("royalty", "kg-0001-ap"),
        # the exact spelling winning should two ever differ only by case
        for name in ("streams", "entities", "licences"):
            folded: dict[str, Any] = {}
            for key, record in sorted(getattr(self, name).items(), reverse=True):
                folded[key.casefold()] = record
            self._folded[name] = folded

    def _find(self, name: str, text: str) -> Any:
        exact = getattr(self, name).get(text)
        return exact if exact is not None else self._folded[name].get(text.casefold())

    def stream(self, code: str) -> RevenueStream | None:
        """The active revenue stream with this code, or None."""
        return self._find("streams", code)

    def entity(self, code: str) -> GovernmentEntity | None:
        """The active government entity with this code, or None."""
        return self._find("entities", code)

    def licence(self, number: str) -> License | None:
        """The company's licence with this number; None for unknown numbers and other companies' licences."""
        return self._find("licences", number)


def load_payment_lookups(company_id: int) -> PaymentLookups:
    """The active streams and entities, and the licences of ``company_id`` only (whatever their status)."""
    streams = db.session.scalars(select(RevenueStream).where(RevenueStream.is_active.is_(True))
                                 .order_by(RevenueStream.sort_order, RevenueStream.code))
    entities = db.session.scalars(select(GovernmentEntity).where(GovernmentEntity.is_active.is_(True))
                                  .order_by(GovernmentEntity.code))
    # an expired or suspended licence still had payments in the period, so every status counts
    licences = db.session.scalars(select(License).where(License.company_id == company_id).order_by(License.number))
    return PaymentLookups(streams={s.code: s for s in streams}, entities={e.code: e for e in entities},
                          licences={lic.number: lic for lic in licences})


class _Text(fields.String):
    """A §3 value: text the text check allows (``validation.text_problem``), judged as it will be stored
    (stripped); tabs and line breaks only where ``multiline``."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any):
        self.multiline = multiline
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text.strip(), attr or self.name or "", multiline=self.multiline)
        if problem:
            raise ShapeError(problem)
        return text


class PaymentRowSchema(Schema):
    """The shape of one §3 payment row: known columns only, every value text (null counts as blank)."""

    class Meta:
        unknown = RAISE

    revenue_stream = _Text()
    government_entity = _Text()
    project = _Text()
    amount = _Text()
    currency = _Text()
    paid_in_kind = _Text()
    in_kind_volume = _Text()
    in_kind_unit = _Text()
    recipient_locality = _Text()
    comment = _Text(multiline=True)


_SCHEMA = PaymentRowSchema()


def _value_text(value: Any) -> str | None:
    """A cell or JSON value as the ``value`` of a RowError."""
    if value is None or isinstance(value, str):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return shorten(text, 80)


def _shape_message(column: str, value: Any) -> str:
    """Why marshmallow refused the value of a known column."""
    if column == "amount" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _("Amounts are decimal strings, e.g. \"1234.50\": put the amount in quotes. A JSON number is "
                 "refused because it may lose cents on the way.")
    if column == "paid_in_kind" and isinstance(value, bool):
        return _("Write \"yes\" or \"no\" in “paid_in_kind” as text; true and false are not accepted.")
    if column == "in_kind_volume" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _("Volumes are decimal strings, e.g. \"1250.5\": put the volume in quotes.")
    return _("“%(column)s” must be text (a JSON string in quotes), not %(value)s.", column=column,
             value=_value_text(value))


def _row_shape(raw: Any, number: int, errors: list[RowError]) -> tuple[dict[str, str], set[str]] | None:
    """The row's values as stripped text by column, and the columns already reported as malformed."""
    if not isinstance(raw, Mapping):
        errors.append(RowError(number, None, _value_text(raw), _(
            "Each payment must be an object with the columns %(columns)s.", columns=", ".join(PAYMENT_COLUMNS))))
        return None
    bad: set[str] = set()
    try:
        loaded = _SCHEMA.load(raw)
    except ShapeError as error:
        loaded = error.valid_data or {}
        messages = error.messages if isinstance(error.messages, dict) else {}
        for column in sorted(messages, key=lambda c: (_COLUMN_ORDER.get(c, len(_COLUMN_ORDER)), str(c))):
            bad.add(column)
            value = raw.get(column)
            if column in _SCHEMA.fields and isinstance(value, str):
                # text refused by the text check: its message says what is wrong
                message, value = messages[column][0], visible(value)
            elif column in _SCHEMA.fields:
                message = _shape_message(column, value)
            else:
                message = _("“%(column)s” is not a payment column. Remove it; the columns are: %(allowed)s.",
                            column=shorten(str(column)), allowed=", ".join(PAYMENT_COLUMNS))
            errors.append(RowError(number, shorten(str(column)), _value_text(value), message))
    values = {column: (value or "").strip() for column, value in loaded.items()}
    return values, bad


def _amount(text: str, locale: str, *, numeric: bool, strict: bool) -> Decimal:
    """The amount in the user's notation (plain for numeric XLSX cells, strict for JSON)."""
    number = parse_decimal(text, "en" if (numeric or strict) else locale)
    if strict and not _STRICT_DECIMAL.fullmatch(text.strip()):
        raise NumberError("not_a_number", {"value": text, "strict": True})
    return number


def _amount_message(error: NumberError) -> str:
    if error.code == "empty":
        return _("Enter the total paid in the period, for example 1234567.89 (a negative amount is a refund).")
    if error.params.get("strict"):
        return _("“%(value)s”: in JSON, amounts are decimal strings with a point and no grouping, e.g. "
                 "\"1234.50\" or \"-500.00\".", value=shorten(str(error.params.get("value", "")).strip()))
    return number_error_message(error)


def _volume(text: str, locale: str, *, numeric: bool, strict: bool) -> str:
    """An in-kind volume as normalised exact text: '.' decimal mark, no grouping, decimals as written."""
    number = parse_decimal(text, "en" if (numeric or strict) else locale, max_decimals=MAX_VOLUME_DECIMALS)
    if strict and not _STRICT_DECIMAL.fullmatch(text.strip()):
        raise NumberError("not_a_number", {"value": text, "strict": True})
    return f"{number:f}"


def _volume_message(error: NumberError) -> str:
    if error.params.get("strict"):
        return _("“%(value)s”: in JSON, volumes are decimal strings with a point and no grouping, e.g. "
                 "\"1250.5\".", value=shorten(str(error.params.get("value", "")).strip()))
    return number_error_message(error)


def _codes(records: Iterable[str]) -> str:
    return ", ".join(records) or "—"


class _Row:
    """The checks of one row; each problem is kept with its column so the row reports them in column order."""

    def __init__(self, number: int, values: dict[str, str], bad: set[str]):
        self.number, self.values, self.bad = number, values, bad
        self.errors: list[RowError] = []

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def usable(self, column: str) -> bool:
        """False when the shape check already reported this column."""
        return column not in self.bad

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, self.values.get(column, ""), message))

    def clean(self, column: str, max_length: int) -> str | None:
        try:
            return clean_text(self.text(column), max_length=max_length)
        except RuleViolation as violation:
            self.fail(column, str(violation))
            return None


def _check_row(row: _Row, *, locale: str, lookups: PaymentLookups, numeric_amount: bool, numeric_volume: bool,
               strict: bool) -> tuple[tuple | None, PaymentInput | None]:
    """(key, payment) of one row; the key is None when a key column is wrong, the payment when anything is."""
    stream = entity = licence = None
    if row.usable("revenue_stream"):
        code = row.text("revenue_stream")
        if not code:
            row.fail("revenue_stream", _("Enter the revenue stream code, for example ROYALTY. The codes are: "
                                         "%(codes)s.", codes=_codes(lookups.streams)))
        elif (stream := lookups.stream(code)) is None:
            row.fail("revenue_stream", _(
                "“%(value)s” is not a revenue stream code. Use one of: %(codes)s. The “%(sheet)s” sheet of the "
                "XLSX template says what each code means.", value=shorten(code), codes=_codes(lookups.streams),
                sheet=CODE_NAMES_SHEET))
    if row.usable("government_entity"):
        code = row.text("government_entity")
        if not code:
            row.fail("government_entity", _("Enter the code of the government entity that received the payment, "
                                            "for example STS. The codes are: %(codes)s.",
                                            codes=_codes(lookups.entities)))
        elif (entity := lookups.entity(code)) is None:
            row.fail("government_entity", _(
                "“%(value)s” is not a government entity code. Use one of: %(codes)s. The “%(sheet)s” sheet of the "
                "XLSX template says what each code means.", value=shorten(code), codes=_codes(lookups.entities),
                sheet=CODE_NAMES_SHEET))

    project_ok = row.usable("project")
    if project_ok:
        number = row.text("project")
        if number:
            licence = lookups.licence(number)
            if licence is None:
                project_ok = False
                # the same words for an unknown number and another company's licence: which
                # licences other companies hold is not this filer's business
                row.fail("project", _("“%(value)s” is not a licence of your company. Enter the licence number "
                                      "exactly as on the licence; your licences are: %(licences)s. If one is "
                                      "missing, ask the EITI secretariat to add it to the register.",
                                      value=shorten(number), licences=_codes(lookups.licences)))
        elif stream is not None and stream.is_levied_per_project:
            row.fail("project", _("The revenue stream %(stream)s is levied per project: enter the licence number "
                                  "of the project in “project”. Your licences are: %(licences)s.",
                                  stream=stream.code, licences=_codes(lookups.licences)))

    amount = None
    if row.usable("amount"):
        try:
            amount = _amount(row.text("amount"), locale, numeric=numeric_amount, strict=strict)
        except NumberError as error:
            row.fail("amount", _amount_message(error))

    currency = None
    if row.usable("currency"):
        text = row.text("currency")
        if not text:
            row.fail("currency", _("Enter the currency of the payment: KGS or USD."))
        elif text.upper() in CURRENCIES:
            currency = text.upper()
        else:
            row.fail("currency", _("“%(value)s” is not an accepted currency. Write KGS or USD (the currency in "
                                   "which the payment was made; do not convert).", value=shorten(text)))

    in_kind = None
    if row.usable("paid_in_kind"):
        text = row.text("paid_in_kind").lower()
        if text in (YES, NO):
            in_kind = text == YES
        elif not text:
            row.fail("paid_in_kind", _("Enter yes in “paid_in_kind” if the payment was made in kind (in goods, "
                                       "for example metal), otherwise no."))
        else:
            row.fail("paid_in_kind", _("“%(value)s” is not yes or no. Write yes if the payment was made in kind "
                                       "(in goods, for example metal), otherwise no.", value=shorten(text)))

    volume = unit = None
    volume_text, unit_text = row.text("in_kind_volume"), row.text("in_kind_unit")
    if in_kind is False:
        if volume_text and row.usable("in_kind_volume"):
            row.fail("in_kind_volume", _("“in_kind_volume” is only for payments in kind: clear it, or write yes in "
                                         "“paid_in_kind”."))
        if unit_text and row.usable("in_kind_unit"):
            row.fail("in_kind_unit", _("“in_kind_unit” is only for payments in kind: clear it, or write yes in "
                                       "“paid_in_kind”."))
    else:
        if row.usable("in_kind_volume"):
            if volume_text:
                try:
                    volume = _volume(volume_text, locale, numeric=numeric_volume, strict=strict)
                except NumberError as error:
                    row.fail("in_kind_volume", _volume_message(error))
                else:
                    if volume.startswith("-"):
                        volume = None
                        row.fail("in_kind_volume", _("The volume delivered cannot be negative. Enter the quantity "
                                                     "without a minus; record a refund in money as a negative "
                                                     "amount with a comment."))
            elif in_kind:
                row.fail("in_kind_volume", _("A payment in kind needs its volume: enter the quantity delivered, for "
                                             "example 1250.5, and its unit in “in_kind_unit”."))
        if row.usable("in_kind_unit"):
            if unit_text:
                unit = row.clean("in_kind_unit", MAX_UNIT_LENGTH)
            elif in_kind:
                row.fail("in_kind_unit", _("A payment in kind needs the unit of its volume, for example kg, t or "
                                           "oz."))

    locality = row.clean("recipient_locality", MAX_LOCALITY_LENGTH) if row.usable("recipient_locality") else None
    comment = row.clean("comment", MAX_COMMENT_LENGTH) if row.usable("comment") else None
    if amount is not None and amount < 0 and row.usable("comment") and not row.text("comment"):
        row.fail("comment", _("A negative amount (%(amount)s) is a refund and needs a comment: say what was "
                              "refunded and why.", amount=f"{amount:f}"))

    key = None
    if stream is not None and entity is not None and project_ok and currency is not None and in_kind is not None:
        key = (stream.id, entity.id, licence.id if licence is not None else None, currency, in_kind)
    if row.errors or key is None or amount is None:
        return key, None
    return key, PaymentInput(
        revenue_stream_id=stream.id, government_entity_id=entity.id,
        license_id=licence.id if licence is not None else None, amount_minor=to_minor(amount, currency),
        currency=currency, is_paid_in_kind=bool(in_kind), in_kind_volume=volume if in_kind else None,
        in_kind_unit=unit if in_kind else None, recipient_locality=locality, comment=comment)


def parse_payment_rows(rows: list[dict], *, row_numbers: list[int] | None, locale: str, lookups: PaymentLookups,
                       numeric_amounts: Iterable[int] = frozenset(), numeric_volumes: Iterable[int] = frozenset(),
                       json_input: bool = False) -> list[PaymentInput]:
    """Check rows against every §3 rule; return their PaymentInputs or raise UploadRejected listing every error.

    ``row_numbers`` are the numbers errors report (default: position + 1); ``numeric_amounts``
    and ``numeric_volumes`` are positions in ``rows`` whose cell was an XLSX number, read as
    plain numbers whatever the language; ``json_input`` reads numbers strictly ("1234.50").
    """
    if row_numbers is None:
        row_numbers = list(range(1, len(rows) + 1))
    if len(row_numbers) != len(rows):
        raise ValueError("row_numbers must give one number per row")
    numeric_amounts, numeric_volumes = set(numeric_amounts), set(numeric_volumes)
    errors: list[RowError] = []
    payments: list[PaymentInput] = []
    first_row_of: dict[tuple, int] = {}
    for index, (number, raw) in enumerate(zip(row_numbers, rows)):
        shape = _row_shape(raw, number, errors)
        if shape is None:
            continue
        row = _Row(number, *shape)
        key, payment = _check_row(row, locale=locale, lookups=lookups, numeric_amount=index in numeric_amounts,
                                  numeric_volume=index in numeric_volumes, strict=json_input)
        if key is not None:
            first = first_row_of.setdefault(key, number)
            if first != number:
                payment = None
                row.fail("revenue_stream", _(
                    "This row is a duplicate of row %(row)d: the same revenue_stream, government_entity, project, "
                    "currency and paid_in_kind. Each combination takes one row with the period total: add the "
                    "amounts up in row %(row)d and delete this row.", row=first))
        errors.extend(sorted(row.errors, key=lambda e: _COLUMN_ORDER.get(e.column or "", -1)))
        if payment is not None:
            payments.append(payment)
    if errors:
        raise UploadRejected(errors)
    return payments


def read_payment_upload(data: bytes, filename: str, *, locale: str, lookups: PaymentLookups) -> list[PaymentInput]:
    """A CSV or XLSX payments upload → PaymentInputs; raises UploadRejected (422) or TooLarge (413)."""
    table = read_checked_table(data, filename, set(REQUIRED_COLUMNS), set(OPTIONAL_COLUMNS))
    positions = range(len(table.rows))
    return parse_payment_rows(
        table.rows, row_numbers=table.row_numbers, locale=locale, lookups=lookups,
        numeric_amounts={i for i in positions if table.is_numeric(i, "amount")},
        numeric_volumes={i for i in positions if table.is_numeric(i, "in_kind_volume")})


def payment_rows_from_json(body: Any, *, locale: str, lookups: PaymentLookups) -> list[PaymentInput]:
    """The API's JSON list of §3 payment objects → PaymentInputs; errors carry row = list index + 1."""
    if not isinstance(body, list):
        raise UploadRejected([RowError(None, None, None, _(
            "Send the payments as a JSON list of objects, one per row, with the columns %(columns)s and amounts "
            "as decimal strings; send [] for no payment lines.", columns=", ".join(PAYMENT_COLUMNS)))])
    if len(body) > DEFAULT_MAX_ROWS:
        raise TooLarge(_("The list has more than %(limit)s payment rows, the most one request may hold.",
                         limit=f"{DEFAULT_MAX_ROWS:,}".replace(",", " ")))
    return parse_payment_rows(body, row_numbers=None, locale=locale, lookups=lookups, json_input=True)
