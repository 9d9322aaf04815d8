"""Company payment rows of INTERFACES.md §3 → ``PaymentInput``: one set of rules for form, upload and API.

The HTML form, the CSV/XLSX upload and the JSON API all end in ``parse_payment_rows``, so
a row is judged the same way whichever door it came through. ``PaymentRowSchema`` declares
the columns with the cell kinds of ``esg_portal.rows`` and the rules between them; the same
schema gives the API document its ``Payment`` (``PaymentRowSchema.json_schema()``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema
from sqlalchemy import select

from ..companies.models import License
from ..extensions import db
from ..money import to_minor
from ..reference.models import GovernmentEntity, RevenueStream
from ..rows import CURRENCIES as CURRENCIES  # for the forms and templates
from ..rows import (ROW_CONTEXT, Amount, Code, CodeLookups, Currency, Number, RowSchema, Text, YesNo,
                    check_rows, is_blank, json_rows, read_rows, refund_needs_comment)
from .inputs import PaymentInput

YES, NO = "yes", "no"
#: in-kind volumes are measured quantities (t, kg, oz): finer than money, still exact
MAX_VOLUME_DECIMALS = 6
#: the lengths of the payment_line columns (in_kind_unit is String(32))
MAX_UNIT_LENGTH = 32
MAX_LOCALITY_LENGTH = 255
MAX_COMMENT_LENGTH = 2000
#: the visible sheet of the XLSX template that explains every code (named in error messages)
CODE_NAMES_SHEET = "code_names"


@dataclass
class PaymentLookups(CodeLookups):
    """What a company's payment rows may name: active streams and entities by code, its own licences by number."""

    streams: dict[str, RevenueStream]
    entities: dict[str, GovernmentEntity]
    licences: dict[str, License]

    def stream(self, code: str) -> RevenueStream | None:
        """The active revenue stream with this code (any case), or None."""
        return self.find("streams", code)

    def entity(self, code: str) -> GovernmentEntity | None:
        """The active government entity with this code (any case), or None."""
        return self.find("entities", code)

    def licence(self, number: str) -> License | None:
        """The company's licence with this number; None for unknown numbers and other companies' licences."""
        return self.find("licences", number)


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


_IN_KIND_ONLY = {
    "in_kind_volume": _l("“in_kind_volume” is only for payments in kind: clear it, or write yes in “paid_in_kind”."),
    "in_kind_unit": _l("“in_kind_unit” is only for payments in kind: clear it, or write yes in “paid_in_kind”."),
}
_IN_KIND_NEEDS = {
    "in_kind_volume": _l("A payment in kind needs its volume: enter the quantity delivered, for example 1250.5, and "
                         "its unit in “in_kind_unit”."),
    "in_kind_unit": _l("A payment in kind needs the unit of its volume, for example kg, t or oz."),
}


class PaymentRowSchema(RowSchema):
    """One §3 payment row: a period total per (revenue_stream, government_entity, project, currency, paid_in_kind)."""

    description = ("A company payment of INTERFACES.md §3: one row per (revenue_stream, government_entity, project, "
                   "currency, paid_in_kind) holding the period total. On input, optional fields may be left out or "
                   "null; on output every field is present (blank as \"\").")
    key_columns = ("revenue_stream", "government_entity", "project", "currency", "paid_in_kind")
    not_an_object = _l("Each payment must be an object with the columns %(columns)s.")
    unknown_column = _l("“%(column)s” is not a payment column. Remove it; the columns are: %(allowed)s.")
    duplicate = _l("This row is a duplicate of row %(row)d: the same revenue_stream, government_entity, project, "
                   "currency and paid_in_kind. Each combination takes one row with the period total: add the amounts "
                   "up in row %(row)d and delete this row.")
    not_a_list = _l("Send the payments as a JSON list of objects, one per row, with the columns %(columns)s and "
                    "amounts as decimal strings; send [] for no payment lines.")
    too_many = _l("The list has more than %(limit)s payment rows, the most one request may hold.")

    revenue_stream = Code("streams", required=True, params={"sheet": CODE_NAMES_SHEET}, error_messages={
        "blank": _l("Enter the revenue stream code, for example ROYALTY. The codes are: %(codes)s."),
        "unknown": _l("“%(value)s” is not a revenue stream code. Use one of: %(codes)s. The “%(sheet)s” sheet of the "
                      "XLSX template says what each code means.")}, metadata={
        "example": "ROYALTY", "description": "Code of the revenue stream (esg_portal/data/reference/revenue_streams.csv)."})
    government_entity = Code("entities", required=True, params={"sheet": CODE_NAMES_SHEET}, error_messages={
        "blank": _l("Enter the code of the government entity that received the payment, for example STS. The codes "
                    "are: %(codes)s."),
        "unknown": _l("“%(value)s” is not a government entity code. Use one of: %(codes)s. The “%(sheet)s” sheet of "
                      "the XLSX template says what each code means.")}, metadata={
        "example": "STS", "description": "Code of the receiving government entity "
                                         "(esg_portal/data/reference/government_entities.csv)."})
    # the same words for an unknown number and another company's licence: which licences other
    # companies hold is not this filer's business
    project = Code("licences", codes_param="licences", error_messages={
        "unknown": _l("“%(value)s” is not a licence of your company. Enter the licence number exactly as on the "
                      "licence; your licences are: %(licences)s. If one is missing, ask the EITI secretariat to add "
                      "it to the register.")}, metadata={
        "example": "KG-0001-AP", "description": "Licence number; required for streams levied per project, else may be "
                                                "blank."})
    amount = Amount(required=True, error_messages={
        "blank": _l("Enter the total paid in the period, for example 1234567.89 (a negative amount is a refund).")},
        metadata={"example": "1234567.89", "description": "Period total as a decimal string ('1234.50', '-500.00'); "
                                                          "a negative amount is a refund and needs a comment. JSON "
                                                          "numbers are refused."})
    currency = Currency(required=True, error_messages={
        "blank": _l("Enter the currency of the payment: KGS or USD."),
        "invalid": _l("“%(value)s” is not an accepted currency. Write KGS or USD (the currency in which the payment "
                      "was made; do not convert).")})
    paid_in_kind = YesNo(required=True, error_messages={
        "blank": _l("Enter yes in “paid_in_kind” if the payment was made in kind (in goods, for example metal), "
                    "otherwise no."),
        "invalid": _l("“%(value)s” is not yes or no. Write yes if the payment was made in kind (in goods, for example "
                      "metal), otherwise no."),
        "boolean": _l("Write \"yes\" or \"no\" in “paid_in_kind” as text; true and false are not accepted.")})
    in_kind_volume = Number(max_decimals=MAX_VOLUME_DECIMALS, allow_negative=False, as_text=True, error_messages={
        "negative": _l("The volume delivered cannot be negative. Enter the quantity without a minus; record a refund "
                       "in money as a negative amount with a comment."),
        "strict": _l("“%(value)s”: in JSON, volumes are decimal strings with a point and no grouping, e.g. "
                     "\"1250.5\"."),
        "json_number": _l("Volumes are decimal strings, e.g. \"1250.5\": put the volume in quotes.")}, metadata={
        "example": "1250.5", "description": "Decimal string; required when paid_in_kind is yes, blank otherwise."})
    in_kind_unit = Text(max_length=MAX_UNIT_LENGTH, metadata={
        "example": "t", "description": "Unit of the volume; required when paid_in_kind is yes, blank otherwise."})
    recipient_locality = Text(max_length=MAX_LOCALITY_LENGTH, metadata={
        "description": "Aiyl okmotu or town receiving a subnational payment."})
    comment = Text(max_length=MAX_COMMENT_LENGTH, metadata={
        "description": "Required for a negative amount (a refund)."})

    _refund_needs_comment = refund_needs_comment()

    @validates_schema(skip_on_field_errors=False)
    def _project_of_a_stream_levied_per_project(self, data: dict, **kwargs: Any) -> None:
        stream = data.get("revenue_stream")
        if stream is not None and stream.is_levied_per_project and "project" in data and data["project"] is None:
            raise ShapeError(_("The revenue stream %(stream)s is levied per project: enter the licence number of the "
                               "project in “project”. Your licences are: %(licences)s.", stream=stream.code,
                               licences=ROW_CONTEXT.get().lookups.code_list("licences")), "project")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _volume_and_unit_of_payments_in_kind(self, data: dict, original: dict, **kwargs: Any) -> None:
        # judged on the cells as given: a volume on a payment in money is wrong whatever it says
        in_kind = data.get("paid_in_kind")
        errors = {}
        for column in ("in_kind_volume", "in_kind_unit"):
            if in_kind is False and not is_blank(original.get(column)):
                errors[column] = [str(_IN_KIND_ONLY[column])]
            elif in_kind and column in data and data[column] is None:
                errors[column] = [str(_IN_KIND_NEEDS[column])]
        if errors:
            raise ShapeError(errors)

    def make(self, data: dict[str, Any]) -> PaymentInput:
        licence = data["project"]
        return PaymentInput(
            revenue_stream_id=data["revenue_stream"].id, government_entity_id=data["government_entity"].id,
            license_id=licence.id if licence is not None else None,
            amount_minor=to_minor(data["amount"], data["currency"]), currency=data["currency"],
            is_paid_in_kind=data["paid_in_kind"], in_kind_volume=data["in_kind_volume"],
            in_kind_unit=data["in_kind_unit"], recipient_locality=data["recipient_locality"],
            comment=data["comment"])


_SCHEMA = PaymentRowSchema()
#: the §3 columns in template order
PAYMENT_COLUMNS = PaymentRowSchema.columns()
REQUIRED_COLUMNS = PaymentRowSchema.required_columns()
OPTIONAL_COLUMNS = frozenset(PAYMENT_COLUMNS) - REQUIRED_COLUMNS


def parse_payment_rows(rows: list[dict], *, row_numbers: list[int] | None, locale: str, lookups: PaymentLookups,
                       numeric_amounts: Iterable[int] = frozenset(), numeric_volumes: Iterable[int] = frozenset(),
                       json_input: bool = False) -> list[PaymentInput]:
    """Check rows against every §3 rule; return their PaymentInputs or raise UploadRejected listing every error.

    ``row_numbers`` are the numbers errors report (default: position + 1); ``numeric_amounts``
    and ``numeric_volumes`` are positions in ``rows`` whose cell was an XLSX number, read as
    plain numbers whatever the language; ``json_input`` reads numbers strictly ("1234.50").
    """
    numeric = {(i, "amount") for i in numeric_amounts} | {(i, "in_kind_volume") for i in numeric_volumes}
    return check_rows(_SCHEMA, rows, row_numbers=row_numbers, locale=locale, lookups=lookups, numeric_cells=numeric,
                      strict=json_input)


def read_payment_upload(data: bytes, filename: str, *, locale: str, lookups: PaymentLookups) -> list[PaymentInput]:
    """A CSV or XLSX payments upload → PaymentInputs; raises UploadRejected (422) or TooLarge (413)."""
    return read_rows(_SCHEMA, data, filename, locale=locale, lookups=lookups)


def payment_rows_from_json(body: Any, *, locale: str, lookups: PaymentLookups) -> list[PaymentInput]:
    """The API's JSON list of §3 payment objects → PaymentInputs; errors carry row = list index + 1."""
    return json_rows(_SCHEMA, body, locale=locale, lookups=lookups)
