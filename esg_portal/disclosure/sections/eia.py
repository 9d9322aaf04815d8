"""EIA results per project (issue 4 §1): the assessment and its outcome, the conditions and
mitigation commitments, the year's monitoring results, incidents and fines, tailings
facilities, reclamation financial assurance, and the conclusion as a PDF attachment.

Monitoring results are optional quantities: null means "not reported", which is not the
same as "0". Land reclaimed may exceed land disturbed in the year (land disturbed in
earlier years is reclaimed too), so that is not a rule.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema

from . import SectionSpec, register
from .fields import (LOAD_CONTEXT, MAX_SHORT, AttachmentRef, Choice, IsoDate, Money, Project, Quantity, Rows,
                     SectionSchema, Text,
                     unique_items)

ASSESSMENT_TYPES = ("eia", "esia", "sia", "environmental_audit")
ASSESSMENT_TYPE_LABELS = {
    "eia": _l("Environmental impact assessment (EIA)"),
    "esia": _l("Environmental and social impact assessment (ESIA)"),
    "sia": _l("Social impact assessment (SIA)"),
    "environmental_audit": _l("Environmental audit"),
}
#: the short names used in item titles ("KG-0001-AP · EIA № 12/2024")
ASSESSMENT_TYPE_SHORT = {"eia": _l("EIA"), "esia": _l("ESIA"), "sia": _l("SIA"),
                         "environmental_audit": _l("Environmental audit")}

OUTCOMES = ("approved", "approved_with_conditions", "rejected", "pending")
OUTCOME_LABELS = {
    "approved": _l("Approved"),
    "approved_with_conditions": _l("Approved with conditions"),
    "rejected": _l("Rejected"),
    "pending": _l("Pending (not yet decided)"),
}

COMMITMENT_STATUSES = ("not_started", "in_progress", "completed", "overdue", "cancelled")
COMMITMENT_STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "overdue": _l("Overdue"),
    "cancelled": _l("Cancelled"),
}

INCIDENT_KINDS = ("spill", "tailings", "air", "water", "land", "safety", "other")
INCIDENT_KIND_LABELS = {
    "spill": _l("Spill"),
    "tailings": _l("Tailings"),
    "air": _l("Air emissions"),
    "water": _l("Water"),
    "land": _l("Land"),
    "safety": _l("Safety"),
    "other": _l("Other"),
}
INCIDENT_STATUSES = ("open", "remediation_in_progress", "resolved", "under_appeal")
INCIDENT_STATUS_LABELS = {
    "open": _l("Open"),
    "remediation_in_progress": _l("Remediation in progress"),
    "resolved": _l("Resolved"),
    "under_appeal": _l("Under appeal"),
}

TAILINGS_STATUSES = ("active", "inactive", "closed", "under_construction")
TAILINGS_STATUS_LABELS = {
    "active": _l("Active"),
    "inactive": _l("Inactive"),
    "closed": _l("Closed"),
    "under_construction": _l("Under construction"),
}

ASSURANCE_KINDS = ("state_bank_fund", "insurance", "bank_guarantee", "deposit")
ASSURANCE_KIND_LABELS = {
    "state_bank_fund": _l("Reclamation fund in a state bank"),
    "insurance": _l("Insurance"),
    "bank_guarantee": _l("Bank guarantee"),
    "deposit": _l("Deposit"),
}
CURRENCIES = ("KGS", "USD")
CURRENCY_LABELS = {"KGS": _l("KGS (som)"), "USD": _l("USD (US dollars)")}

#: the year's monitoring results, in the order they are shown
MONITORING_FIELDS = ("water_withdrawn_m3", "water_discharged_m3", "energy_mwh", "ghg_t_co2e", "waste_rock_t",
                     "tailings_t", "land_disturbed_ha", "land_reclaimed_ha")

LABELS = {
    # the assessment
    "project": _l("Project (licence)"),
    "assessment_type": _l("Type of assessment"),
    "reference_number": _l("Reference number of the conclusion"),
    "decision_date": _l("Date of the conclusion"),
    "approving_authority": _l("Approving authority"),
    "outcome": _l("Outcome"),
    "conclusion_attachment": _l("Conclusion (PDF)"),
    "comment": _l("Comment"),
    # the year's monitoring results
    "water_withdrawn_m3": _l("Water withdrawn, m³"),
    "water_discharged_m3": _l("Water discharged, m³"),
    "energy_mwh": _l("Energy used, MWh"),
    "ghg_t_co2e": _l("Greenhouse gas emissions, t CO2e"),
    "waste_rock_t": _l("Waste rock, t"),
    "tailings_t": _l("Tailings produced, t"),
    "land_disturbed_ha": _l("Land disturbed, ha"),
    "land_reclaimed_ha": _l("Land reclaimed, ha"),
    # row lists
    "commitments": _l("Conditions and mitigation commitments"),
    "incidents": _l("Incidents and fines"),
    "tailings_facilities": _l("Tailings facilities"),
    "assurances": _l("Reclamation financial assurance"),
    # a commitment
    "description": _l("Description"),
    "due_date": _l("Due date"),
    "status": _l("Status"),
    # an incident ("description" and "status" as above)
    "date": _l("Date of the incident"),
    "kind": _l("Kind"),
    "fine_kgs": _l("Fine, KGS"),
    "authority": _l("Authority (that imposed the fine or recorded the incident)"),
    # a tailings facility
    "name": _l("Name of the facility"),
    "capacity_m3": _l("Capacity, m³"),
    "stored_volume_m3": _l("Volume stored, m³"),
    "last_review_date": _l("Date of the last independent review"),
    "reviewer": _l("Independent reviewer"),
    # a financial assurance
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "provider": _l("Provider (bank or insurer)"),
    "valid_until": _l("Valid until"),
}

#: like LABELS, one mapping for the item and its rows: the rows' "status" and "kind" codes are
#: distinct between row lists, so one dict per field name labels them all
CHOICE_LABELS = {
    "assessment_type": ASSESSMENT_TYPE_LABELS,
    "outcome": OUTCOME_LABELS,
    "status": {**COMMITMENT_STATUS_LABELS, **INCIDENT_STATUS_LABELS, **TAILINGS_STATUS_LABELS},
    "kind": {**INCIDENT_KIND_LABELS, **ASSURANCE_KIND_LABELS},
    "currency": CURRENCY_LABELS,
}


class CommitmentRowSchema(SectionSchema):
    """A condition of the conclusion or a mitigation commitment, and how far it has got."""

    description = Text(required=True)
    due_date = IsoDate()
    status = Choice(COMMITMENT_STATUSES, required=True)
    comment = Text()

    @validates_schema
    def _overdue_has_a_date(self, data: dict, **kwargs) -> None:
        if data.get("status") == "overdue" and not data.get("due_date"):
            raise ShapeError({"due_date": [_("An overdue commitment needs the date it was due. Give the due date "
                                             "or choose another status.")]})


class IncidentRowSchema(SectionSchema):
    """An environmental or safety incident of the year, and the fine imposed for it, if any."""

    date = IsoDate(required=True)
    kind = Choice(INCIDENT_KINDS, required=True)
    description = Text(required=True)
    fine_kgs = Money()
    authority = Text(max_length=MAX_SHORT)
    status = Choice(INCIDENT_STATUSES, required=True)

    @validates_schema
    def _fine_has_an_authority(self, data: dict, **kwargs) -> None:
        if data.get("fine_kgs") is not None and not data.get("authority"):
            raise ShapeError({"authority": [_("Name the authority that imposed the fine.")]})


class TailingsFacilityRowSchema(SectionSchema):
    """A tailings storage facility of the project (GRI 14 tailings list)."""

    name = Text(max_length=MAX_SHORT, required=True)
    status = Choice(TAILINGS_STATUSES, required=True)
    capacity_m3 = Quantity(required=True)
    stored_volume_m3 = Quantity()
    last_review_date = IsoDate()
    reviewer = Text(max_length=MAX_SHORT)

    @validates_schema
    def _review_date_and_reviewer_together(self, data: dict, **kwargs) -> None:
        if data.get("last_review_date") and not data.get("reviewer"):
            raise ShapeError({"reviewer": [_("Name who carried out the independent review.")]})
        if data.get("reviewer") and not data.get("last_review_date"):
            raise ShapeError({"last_review_date": [_("Give the date of the last independent review.")]})


class AssuranceRowSchema(SectionSchema):
    """Money set aside for reclamation (liquidation fund, insurance, guarantee, deposit)."""

    kind = Choice(ASSURANCE_KINDS, required=True)
    amount = Money(required=True)
    currency = Choice(CURRENCIES, required=True)
    provider = Text(max_length=MAX_SHORT, required=True)
    valid_until = IsoDate()

    @validates_schema
    def _valid_in_the_period(self, data: dict, **kwargs) -> None:
        start = LOAD_CONTEXT.get().period_start
        valid_until = data.get("valid_until")
        if start is not None and valid_until and dt.date.fromisoformat(valid_until) < start:
            raise ShapeError({"valid_until": [_(
                "This assurance expired on %(date)s, before the reporting period began (%(start)s). Report only "
                "assurance that was valid during the year, or correct the date.",
                date=valid_until, start=start.isoformat())]})


class EIARowSchema(SectionSchema):
    """One assessment of one project, with the year's results."""

    project = Project(required=True)
    assessment_type = Choice(ASSESSMENT_TYPES, required=True)
    reference_number = Text(max_length=MAX_SHORT, required=True)
    decision_date = IsoDate(required=True)
    approving_authority = Text(max_length=MAX_SHORT, required=True)
    outcome = Choice(OUTCOMES, required=True)
    commitments = Rows(CommitmentRowSchema)
    water_withdrawn_m3 = Quantity()
    water_discharged_m3 = Quantity()
    energy_mwh = Quantity()
    ghg_t_co2e = Quantity()
    waste_rock_t = Quantity()
    tailings_t = Quantity()
    land_disturbed_ha = Quantity(max_decimals=4)
    land_reclaimed_ha = Quantity(max_decimals=4)
    incidents = Rows(IncidentRowSchema)
    tailings_facilities = Rows(TailingsFacilityRowSchema)
    assurances = Rows(AssuranceRowSchema)
    conclusion_attachment = AttachmentRef()
    comment = Text()

    @validates_schema
    def _conditions_listed(self, data: dict, **kwargs) -> None:
        # a rejected or pending assessment needs no commitments (voluntary ones may still be listed)
        if data.get("outcome") == "approved_with_conditions" and not data.get("commitments"):
            raise ShapeError({"commitments": [_("The assessment was approved with conditions: list at least one "
                                                "condition or mitigation commitment and its status.")]})


class EIASchema(EIARowSchema):
    """The list-level rule: each assessment is listed once."""

    _unique = unique_items(
        lambda item: (item["project"], item["assessment_type"], item["reference_number"].casefold()),
        "reference_number",
        lambda item, n: _("This assessment (same project, type and reference number) is already item %(n)d. Edit "
                          "that item instead of adding it again.", n=n))


def _title(item: dict) -> str:
    kind = item.get("assessment_type") or ""
    short = str(ASSESSMENT_TYPE_SHORT[kind]) if kind in ASSESSMENT_TYPE_SHORT else kind
    assessment = " № ".join(part for part in (short, item.get("reference_number")) if part)
    return " · ".join(part for part in (item.get("project"), assessment) if part)


SPEC = register(SectionSpec(
    key="eia",
    label=_l("Environmental impact assessment results"),
    schema=EIASchema,
    labels=LABELS,
    choice_labels=CHOICE_LABELS,
    item_title=_title,
    form="esg_portal.forms.esg_eia:EIAForm",
    help=_l("One item per assessment of a project (EIA, ESIA, social impact assessment or environmental audit): "
            "its conclusion and conditions, how the commitments are going, the year's monitoring results, "
            "incidents and fines, tailings facilities and the money set aside for reclamation. Leave a result "
            "blank when it was not measured; write 0 only when it was measured and was zero."),
))
