"""The social-package agreement form: one agreement with one aiyl okmotu or town per item."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.social_agreements import (COUNTERPARTY_KIND_LABELS, COUNTERPARTY_KINDS, LABELS,
                                                     LEGAL_BASES, LEGAL_BASIS_LABELS, PURPOSE_LABELS, PURPOSES)
from .sections import CountText, DateText, MultiCheckbox, NumberText, RowForm, RowList, SectionForm


class InKindRowForm(RowForm):
    """One in-kind commitment (a row of ``committed_in_kind``)."""

    description = StringField(LABELS["description"])
    estimated_value_kgs = NumberText(LABELS["estimated_value_kgs"], unit="KGS")


class SocialAgreementForm(SectionForm):
    """Region and attachment choices are filled by the page (reference list, the company's attachments)."""

    counterparty_kind = SelectField(LABELS["counterparty_kind"], validate_choice=False, choices=[
        SelectChoice(code, COUNTERPARTY_KIND_LABELS[code]) for code in COUNTERPARTY_KINDS])
    counterparty_name = StringField(LABELS["counterparty_name"],
                                    description=_l("For example: Ак-Суу айыл өкмөтү."))
    district = StringField(LABELS["district"],
                           description=_l("Leave blank for a town that belongs to no district."))
    region = SelectField(LABELS["region"], choices=[], validate_choice=False)
    agreement_number = StringField(LABELS["agreement_number"])
    signed_date = DateText(LABELS["signed_date"])
    start_date = DateText(LABELS["start_date"],
                          description=_l("May be earlier than the date signed when the agreement covers the whole "
                                         "year."))
    end_date = DateText(LABELS["end_date"], description=_l("Leave blank if the agreement has no end date."))
    legal_basis = SelectField(LABELS["legal_basis"],
                              choices=[SelectChoice(code, LEGAL_BASIS_LABELS[code]) for code in LEGAL_BASES],
                              validate_choice=False)
    committed_cash_kgs = NumberText(LABELS["committed_cash_kgs"], unit="KGS",
                                    description=_l("The whole amount of the agreement, for all its years."))
    committed_in_kind = RowList(InKindRowForm, LABELS["committed_in_kind"])
    disbursed_cash_kgs = NumberText(LABELS["disbursed_cash_kgs"], unit="KGS")
    disbursed_in_kind_kgs = NumberText(LABELS["disbursed_in_kind_kgs"], unit="KGS")
    purposes = MultiCheckbox(LABELS["purposes"],
                             choices=[SelectChoice(code, PURPOSE_LABELS[code]) for code in PURPOSES])
    purpose_other = StringField(LABELS["purpose_other"])
    beneficiaries = TextAreaField(LABELS["beneficiaries"],
                                  description=_l("Who benefits: villages, schools, groups of residents."))
    beneficiaries_count = CountText(LABELS["beneficiaries_count"])
    hearing_reference = StringField(LABELS["hearing_reference"],
                                    description=_l("The reference you gave the hearing in the section “Public "
                                                   "hearings”, for example H-2025-01."))
    agreement_attachment = SelectField(LABELS["agreement_attachment"], choices=[], validate_choice=False)
