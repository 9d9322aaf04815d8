"""Social-package agreements with local governments (issue 4 §2): one item per agreement.

An agreement (социалдык пакет) is signed with an aiyl okmotu or a town: what the company
committed in cash and in kind, on which legal basis, for which purposes, and what it paid out
in the reporting period. The public hearing where it was agreed is named by the filer's own
``reference`` of that hearing in the ``public_hearings`` section (free text: a row schema
cannot see another section, so the reference is not checked against it).

Agreements still running when the next period starts are carried over into next year's
draft; ``is_running`` says which.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema

from . import SectionSpec, register
from .fields import (MAX_SHORT, AttachmentRef, Choice, ChoiceList, Count, IsoDate, Money, ReferenceCode, Rows,
                     SectionSchema, Text,
                     normal_text, unique_items)

COUNTERPARTY_KINDS = ("aiyl_okmotu", "town")
LEGAL_BASES = ("law", "licence", "voluntary")
PURPOSES = ("infrastructure", "water", "education", "health", "jobs_training", "other")

COUNTERPARTY_KIND_LABELS = {"aiyl_okmotu": _l("Aiyl okmotu"), "town": _l("Town (city) government")}
LEGAL_BASIS_LABELS = {"law": _l("Required by law"), "licence": _l("Licence condition"),
                      "voluntary": _l("Voluntary")}
PURPOSE_LABELS = {"infrastructure": _l("Infrastructure (roads, bridges, buildings)"),
                  "water": _l("Drinking water and irrigation"), "education": _l("Education"),
                  "health": _l("Health"), "jobs_training": _l("Jobs and vocational training"),
                  "other": _l("Other (describe)")}

LABELS = {
    "counterparty_kind": _l("Kind of local government"),
    "counterparty_name": _l("Local government (aiyl okmotu or town)"),
    "district": _l("District"),
    "region": _l("Region"),
    "agreement_number": _l("Agreement number"),
    "signed_date": _l("Date signed"),
    "start_date": _l("In force from"),
    "end_date": _l("In force until"),
    "legal_basis": _l("Legal basis"),
    "committed_cash_kgs": _l("Committed in cash, KGS"),
    "committed_in_kind": _l("Committed in kind"),
    "description": _l("Description"),
    "estimated_value_kgs": _l("Estimated value, KGS"),
    "disbursed_cash_kgs": _l("Paid in cash in the period, KGS"),
    "disbursed_in_kind_kgs": _l("Delivered in kind in the period (estimated value), KGS"),
    "purposes": _l("Purposes"),
    "purpose_other": _l("Other purpose"),
    "beneficiaries": _l("Beneficiaries"),
    "beneficiaries_count": _l("Number of beneficiaries"),
    "hearing_reference": _l("Public hearing where it was agreed (its reference)"),
    "agreement_attachment": _l("Signed agreement (attachment)"),
}


class InKindRowSchema(SectionSchema):
    """One in-kind commitment: what is to be delivered and what it is worth."""

    description = Text(max_length=MAX_SHORT, required=True)
    estimated_value_kgs = Money()


class SocialAgreementRowSchema(SectionSchema):
    """One agreement with one local government."""

    counterparty_kind = Choice(COUNTERPARTY_KINDS, required=True)
    counterparty_name = Text(max_length=MAX_SHORT, required=True)
    #: blank for a town of regional significance that belongs to no district
    district = Text(max_length=MAX_SHORT)
    region = ReferenceCode("region", required=True)
    agreement_number = Text(max_length=MAX_SHORT, required=True)
    signed_date = IsoDate(required=True)
    start_date = IsoDate(required=True)
    #: null for an agreement without an end date
    end_date = IsoDate()
    legal_basis = Choice(LEGAL_BASES, required=True)
    committed_cash_kgs = Money()
    committed_in_kind = Rows(InKindRowSchema, max_rows=100)
    disbursed_cash_kgs = Money()
    disbursed_in_kind_kgs = Money()
    purposes = ChoiceList(PURPOSES, required=True)
    purpose_other = Text(max_length=MAX_SHORT)
    beneficiaries = Text()
    beneficiaries_count = Count()
    #: the ``reference`` of a hearing in the public_hearings section (not checked against it)
    hearing_reference = Text(max_length=MAX_SHORT)
    agreement_attachment = AttachmentRef()

    @validates_schema
    def _rules(self, data: dict, **kwargs) -> None:
        errors: dict[str, list[str]] = {}
        start, end, signed = data.get("start_date"), data.get("end_date"), data.get("signed_date")
        if start and end and end < start:
            errors["end_date"] = [_("The agreement ends before it starts. Check both dates; leave the end date "
                                    "blank if the agreement has no end date.")]
        if signed and end and signed > end:
            errors["signed_date"] = [_("The agreement was signed after its end date. Check the date signed and "
                                       "the end date.")]
        purposes = data.get("purposes") or []
        if "other" in purposes and not data.get("purpose_other"):
            errors["purpose_other"] = [_("Describe the other purpose, for example: street lighting.")]
        if "other" not in purposes and data.get("purpose_other"):
            errors["purpose_other"] = [_("Leave this blank unless “other” is among the purposes.")]
        disbursed = (data.get("disbursed_cash_kgs") or 0) + (data.get("disbursed_in_kind_kgs") or 0)
        committed = data.get("committed_cash_kgs") or 0
        if disbursed > 0 and not committed and not data.get("committed_in_kind"):
            errors["committed_cash_kgs"] = [_("Something was paid or delivered under this agreement, but nothing "
                                              "committed is given. Enter the committed cash amount or the in-kind "
                                              "commitments of the agreement.")]
        if errors:
            raise ShapeError(errors)


class SocialAgreementsSchema(SocialAgreementRowSchema):
    """The list-level rule: one item per (local government, agreement number)."""

    _unique = unique_items(
        lambda item: (normal_text(item.get("counterparty_name")), normal_text(item.get("agreement_number"))),
        "agreement_number",
        lambda item, n: _("Agreement %(number)s with %(name)s is already listed in item %(n)d. List each agreement "
                          "once.", number=item.get("agreement_number"), name=item.get("counterparty_name"), n=n))


def is_running(item: dict, next_period_start: dt.date) -> bool:
    """True when the agreement is still in force on ``next_period_start``: it has no end date or
    ends on or after that day. Works on the storage and the interchange form (dates as ISO text)."""
    end = item.get("end_date")
    if not end:
        return True
    if isinstance(end, dt.date):
        return end >= next_period_start
    return dt.date.fromisoformat(end) >= next_period_start


def _title(item: dict) -> str:
    name, number = item.get("counterparty_name") or "", item.get("agreement_number") or ""
    return f"{name} — № {number}" if number else name


SPEC = register(SectionSpec(
    key="social_agreements",
    label=_l("Social-package agreements"),
    schema=SocialAgreementsSchema,
    labels=LABELS,
    choice_labels={"counterparty_kind": COUNTERPARTY_KIND_LABELS, "legal_basis": LEGAL_BASIS_LABELS,
                   "purposes": PURPOSE_LABELS},
    item_title=_title,
    form="esg_portal.forms.esg_social_agreements:SocialAgreementForm",
    help=_l("One item per social-package agreement signed with an aiyl okmotu or a town: what the company "
            "committed in cash and in kind, and what it paid or delivered in the reporting year. Agreements "
            "without an end date, or ending after the year, are carried over into next year's filing."),
))
