"""Government receipt rows of INTERFACES.md §3 → ``ReceiptInput``: one set of rules for form, upload and API.

``ReceiptRowSchema`` declares the columns with the cell kinds of ``esg_portal.rows`` (the INN
rule from ``companies.rules``) and the rules between them; the same schema gives the API
document its ``Receipt``. An unknown INN with a name becomes an unregistered company when
the batch is saved (``services.replace_receipts``), not here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema
from sqlalchemy import select

from ..companies.models import Company, License
from ..companies.rules import RuleViolation, clean_inn
from ..extensions import db
from ..money import to_minor
from ..reference.models import GovernmentEntity, RevenueStream
from ..rows import CURRENCIES as CURRENCIES  # for the forms and templates
from ..rows import (ROW_CONTEXT, Amount, Cell, Code, CodeLookups, Currency, RowSchema, Text, check_rows,
                    find_code, json_rows, read_rows, refund_needs_comment)
from ..tabular._text import shorten

MAX_NAME_LENGTH = 255
MAX_COMMENT_LENGTH = 2000


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
class ReceiptLookups(CodeLookups):
    """What an agency's receipt rows may name: active streams, the agency itself, companies and their licences."""

    streams: dict[str, RevenueStream]
    agency: GovernmentEntity
    companies: dict[str, Company]
    licences: dict[int, dict[str, License]]

    @property
    def entities(self) -> dict[str, GovernmentEntity]:
        """The one entity an officer may name: their own agency."""
        return {self.agency.code: self.agency}

    def stream(self, code: str) -> RevenueStream | None:
        return self.find("streams", code)

    def licence(self, company_id: int, number: str) -> License | None:
        return find_code(self.licences.get(company_id, {}), number)

    def company(self, inn: Any) -> Company | None:
        """The registered company of an INN cell as given; None when unknown or not a valid INN."""
        try:
            return self.companies.get(clean_inn(inn)) if isinstance(inn, str) else None
        except RuleViolation:
            return None


def load_receipt_lookups(agency: GovernmentEntity) -> ReceiptLookups:
    streams = db.session.scalars(select(RevenueStream).where(RevenueStream.is_active.is_(True))
                                 .order_by(RevenueStream.sort_order, RevenueStream.code))
    companies = {c.inn: c for c in db.session.scalars(select(Company))}
    licences: dict[int, dict[str, License]] = {}
    for lic in db.session.scalars(select(License).order_by(License.number)):
        licences.setdefault(lic.company_id, {})[lic.number] = lic
    return ReceiptLookups(streams={s.code: s for s in streams}, agency=agency, companies=companies,
                          licences=licences)


def _clean_inn(value: str | int) -> str:
    try:
        return clean_inn(value)
    except RuleViolation as violation:
        raise ShapeError(str(violation)) from None


class _Inn(Cell):
    """A company's 14-digit INN, as text: a number (JSON, or a numeric XLSX cell) has lost its leading zeros."""

    def read(self, text: str, row: Mapping[str, Any]) -> str:
        # clean_inn refuses any int, whatever its digits
        return _clean_inn(0 if self.name in ROW_CONTEXT.get().numeric else text)

    def not_text(self, value: Any) -> str:
        return _clean_inn(value) if isinstance(value, int) and not isinstance(value, bool) else super().not_text(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[0-9]{14}$"}


class _CompanyLicence(Cell):
    """A licence of the row's own company (the one its company_inn names), by number; None when blank."""

    def read(self, text: str, row: Mapping[str, Any]) -> License | None:
        if not text:
            return None
        lookups = ROW_CONTEXT.get().lookups
        company = lookups.company(row.get("company_inn"))
        licence = lookups.licence(company.id, text) if company is not None else None
        if licence is None:
            raise self.fail("unknown", value=shorten(text))
        return licence


class ReceiptRowSchema(RowSchema):
    """One §3 receipt row: a period total per company_inn × stream × the officer's agency × project × currency."""

    description = ("A government receipt of INTERFACES.md §3: one row per company_inn, revenue_stream, "
                   "government_entity, project and currency holding the period total.")
    key_columns = ("company_inn", "revenue_stream", "government_entity", "project", "currency")
    not_an_object = _l("Each receipt must be an object with the columns %(columns)s.")
    unknown_column = _l("“%(column)s” is not a receipt column. Remove it; the columns are: %(allowed)s.")
    duplicate = _l("This row is a duplicate of row %(row)d: the same company_inn, revenue_stream, government_entity, "
                   "project and currency. Each combination takes one row with the period total: add the amounts up "
                   "in row %(row)d and delete this row.")
    not_a_list = _l("Send the receipts as a JSON list of objects, one per row, with the columns %(columns)s and "
                    "amounts as decimal strings; send [] for no receipts.")
    too_many = _l("The list has more than %(limit)s receipt rows, the most one request may hold.")

    company_inn = _Inn(required=True)
    company_name = Text(max_length=MAX_NAME_LENGTH, metadata={
        "description": "Needed only for an INN not in the register."})
    revenue_stream = Code("streams", required=True, error_messages={
        "blank": _l("Enter the revenue stream code, for example ROYALTY. The codes are: %(codes)s."),
        "unknown": _l("“%(value)s” is not a revenue stream code. Use one of: %(codes)s.")})
    government_entity = Code("entities", required=True, codes_param="code", error_messages={
        "blank": _l("Enter the code of your agency: %(code)s."),
        "unknown": _l("“%(value)s” is not your agency. You may only report receipts of your own agency: write "
                      "%(code)s.")}, metadata={"description": "The code of the officer's own agency."})
    project = _CompanyLicence(error_messages={
        "unknown": _l("“%(value)s” is not a licence of the company with this INN. Enter the licence number exactly "
                      "as on the licence, or leave “project” blank.")}, metadata={
        "description": "A licence number of that company, or blank."})
    amount = Amount(required=True, error_messages={
        "blank": _l("Enter the total received in the period, for example 1234567.89 (a negative amount is a "
                    "refund).")})
    currency = Currency(required=True, error_messages={
        "blank": _l("Enter the currency of the receipt: KGS or USD."),
        "invalid": _l("“%(value)s” is not an accepted currency. Write KGS or USD.")})
    comment = Text(max_length=MAX_COMMENT_LENGTH, metadata={
        "description": "Required for a negative amount (a refund)."})

    _refund_needs_comment = refund_needs_comment()

    @validates_schema(skip_on_field_errors=False)
    def _unknown_company_needs_its_name(self, data: dict, **kwargs: Any) -> None:
        inn = data.get("company_inn")
        if (inn is not None and inn not in ROW_CONTEXT.get().lookups.companies and "company_name" in data
                and not data["company_name"]):
            raise ShapeError(_("No company with the INN %(inn)s is in the register. Enter its name in "
                               "“company_name” so that it is added as an unregistered company.", inn=inn),
                             "company_inn")

    def make(self, data: dict[str, Any]) -> ReceiptInput:
        company, licence = ROW_CONTEXT.get().lookups.companies.get(data["company_inn"]), data["project"]
        return ReceiptInput(
            company_inn=data["company_inn"], company_id=company.id if company is not None else None,
            company_name=None if company is not None else data["company_name"],
            revenue_stream_id=data["revenue_stream"].id, license_id=licence.id if licence is not None else None,
            amount_minor=to_minor(data["amount"], data["currency"]), currency=data["currency"],
            comment=data["comment"])


_SCHEMA = ReceiptRowSchema()
#: the §3 columns in template order
RECEIPT_COLUMNS = ReceiptRowSchema.columns()
REQUIRED_COLUMNS = ReceiptRowSchema.required_columns()
OPTIONAL_COLUMNS = frozenset(RECEIPT_COLUMNS) - REQUIRED_COLUMNS


def parse_receipt_rows(rows: list, *, row_numbers: list[int] | None, locale: str, lookups: ReceiptLookups,
                       numeric_cells: Iterable[tuple[int, str]] = frozenset(),
                       json_input: bool = False) -> list[ReceiptInput]:
    """Check rows against every §3 receipt rule; return ReceiptInputs or raise UploadRejected listing every error."""
    return check_rows(_SCHEMA, rows, row_numbers=row_numbers, locale=locale, lookups=lookups,
                      numeric_cells=numeric_cells, strict=json_input)


def read_receipt_upload(data: bytes, filename: str, *, locale: str, lookups: ReceiptLookups) -> list[ReceiptInput]:
    """A CSV or XLSX receipts upload → ReceiptInputs; raises UploadRejected (422) or TooLarge (413)."""
    return read_rows(_SCHEMA, data, filename, locale=locale, lookups=lookups)


def receipt_rows_from_json(body: Any, *, locale: str, lookups: ReceiptLookups) -> list[ReceiptInput]:
    """The API's JSON list of §3 receipt objects → ReceiptInputs; errors carry row = list index + 1."""
    return json_rows(_SCHEMA, body, locale=locale, lookups=lookups)
