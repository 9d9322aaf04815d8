"""The EIA results form: one assessment of one project per item, with its repeated rows."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.eia import (ASSESSMENT_TYPE_LABELS, ASSESSMENT_TYPES, ASSURANCE_KIND_LABELS,
                                       ASSURANCE_KINDS, COMMITMENT_STATUS_LABELS, COMMITMENT_STATUSES,
                                       CURRENCIES, CURRENCY_LABELS, INCIDENT_KIND_LABELS, INCIDENT_KINDS,
                                       INCIDENT_STATUS_LABELS, INCIDENT_STATUSES, LABELS, OUTCOME_LABELS,
                                       OUTCOMES, TAILINGS_STATUS_LABELS, TAILINGS_STATUSES)
from .sections import DateText, NumberText, RowForm, RowList, SectionForm


def _choices(codes: tuple[str, ...], labels: Mapping[str, Any]) -> list[SelectChoice]:
    """A blank first option, so that an untouched row stays blank (and is left out) and nothing is
    chosen for the filer; the schema says when a choice is required."""
    return [SelectChoice("", "—"), *(SelectChoice(code, labels[code]) for code in codes)]


def _select(name: str, codes: tuple[str, ...], labels: Mapping[str, Any], **kwargs: Any) -> SelectField:
    return SelectField(LABELS[name], choices=_choices(codes, labels), validate_choice=False, **kwargs)


class CommitmentRow(RowForm):
    description = TextAreaField(LABELS["description"])
    due_date = DateText(LABELS["due_date"])
    status = _select("status", COMMITMENT_STATUSES, COMMITMENT_STATUS_LABELS)
    comment = StringField(LABELS["comment"])


class IncidentRow(RowForm):
    date = DateText(LABELS["date"])
    kind = _select("kind", INCIDENT_KINDS, INCIDENT_KIND_LABELS)
    description = TextAreaField(LABELS["description"])
    fine_kgs = NumberText(LABELS["fine_kgs"], unit="KGS", description=_l("Leave blank when there was no fine."))
    authority = StringField(LABELS["authority"])
    status = _select("status", INCIDENT_STATUSES, INCIDENT_STATUS_LABELS)


class TailingsFacilityRow(RowForm):
    name = StringField(LABELS["name"])
    status = _select("status", TAILINGS_STATUSES, TAILINGS_STATUS_LABELS)
    capacity_m3 = NumberText(LABELS["capacity_m3"], unit="m³")
    stored_volume_m3 = NumberText(LABELS["stored_volume_m3"], unit="m³")
    last_review_date = DateText(LABELS["last_review_date"])
    reviewer = StringField(LABELS["reviewer"])


class AssuranceRow(RowForm):
    kind = _select("kind", ASSURANCE_KINDS, ASSURANCE_KIND_LABELS)
    amount = NumberText(LABELS["amount"])
    currency = _select("currency", CURRENCIES, CURRENCY_LABELS)
    provider = StringField(LABELS["provider"])
    valid_until = DateText(LABELS["valid_until"])


_NOT_MEASURED = _l("Leave blank when not measured; write 0 only when it was measured and was zero.")


class EIAForm(SectionForm):
    """Project choices (the company's licences) and conclusion choices (the company's attachments)
    are filled by the page."""

    project = SelectField(LABELS["project"], choices=[], validate_choice=False)
    assessment_type = _select("assessment_type", ASSESSMENT_TYPES, ASSESSMENT_TYPE_LABELS)
    reference_number = StringField(LABELS["reference_number"],
                                   description=_l("As written on the conclusion, for example 12/2024."))
    decision_date = DateText(LABELS["decision_date"],
                             description=_l("For a pending assessment: the date it was submitted."))
    approving_authority = StringField(LABELS["approving_authority"])
    outcome = _select("outcome", OUTCOMES, OUTCOME_LABELS)
    conclusion_attachment = SelectField(
        LABELS["conclusion_attachment"], choices=[], validate_choice=False,
        description=_l("Upload the conclusion as a PDF attachment first, then choose it here."))
    commitments = RowList(CommitmentRow, LABELS["commitments"])
    water_withdrawn_m3 = NumberText(LABELS["water_withdrawn_m3"], unit="m³", description=_NOT_MEASURED)
    water_discharged_m3 = NumberText(LABELS["water_discharged_m3"], unit="m³", description=_NOT_MEASURED)
    energy_mwh = NumberText(LABELS["energy_mwh"], unit="MWh", description=_NOT_MEASURED)
    ghg_t_co2e = NumberText(LABELS["ghg_t_co2e"], unit="t CO2e", description=_NOT_MEASURED)
    waste_rock_t = NumberText(LABELS["waste_rock_t"], unit="t", description=_NOT_MEASURED)
    tailings_t = NumberText(LABELS["tailings_t"], unit="t", description=_NOT_MEASURED)
    land_disturbed_ha = NumberText(LABELS["land_disturbed_ha"], unit="ha", description=_NOT_MEASURED)
    land_reclaimed_ha = NumberText(LABELS["land_reclaimed_ha"], unit="ha",
                                   description=_l("Include land disturbed in earlier years and reclaimed this "
                                                  "year."))
    incidents = RowList(IncidentRow, LABELS["incidents"])
    tailings_facilities = RowList(TailingsFacilityRow, LABELS["tailings_facilities"])
    assurances = RowList(AssuranceRow, LABELS["assurances"])
    comment = TextAreaField(LABELS["comment"])
