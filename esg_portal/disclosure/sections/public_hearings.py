"""Public hearings and consultations (issue 4 §3): one item per hearing held in the reporting period.

Each hearing (коомдук угуу) carries a short ``reference`` chosen by the filer ("H-2025-01"),
unique within the section; a social-package agreement names the hearing where it was
agreed by that reference. The concerns raised are rows: the concern, the company's answer,
and the commitment made with its due date.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as ShapeError
from marshmallow import validates_schema

from . import SectionSpec, register
from .fields import (LOAD_CONTEXT, MAX_SHORT, AttachmentRef, Choice, ChoiceList, Count, IsoDate, Project,
                     ReferenceCode, Rows, SectionSchema, Text,
                     normal_text, unique_items)

STAGES = ("exploration", "eia", "construction", "operation", "expansion", "closure")
ORGANISERS = ("company", "local_government", "state_body", "joint")
CHANNELS = ("local_newspaper", "radio_tv", "notice_board", "aiyl_okmotu", "social_media", "letters", "other")
LANGUAGES = ("ky", "ru", "en", "other")

STAGE_LABELS = {"exploration": _l("Exploration"), "eia": _l("Environmental impact assessment (EIA)"),
                "construction": _l("Construction"), "operation": _l("Operation"), "expansion": _l("Expansion"),
                "closure": _l("Closure")}
ORGANISER_LABELS = {"company": _l("The company"), "local_government": _l("Local government"),
                    "state_body": _l("State body"), "joint": _l("Jointly")}
CHANNEL_LABELS = {"local_newspaper": _l("Local newspaper"), "radio_tv": _l("Radio or television"),
                  "notice_board": _l("Notice board"), "aiyl_okmotu": _l("Through the aiyl okmotu"),
                  "social_media": _l("Social media"), "letters": _l("Letters"), "other": _l("Other (describe)")}
LANGUAGE_LABELS = {"ky": _l("Kyrgyz"), "ru": _l("Russian"), "en": _l("English"), "other": _l("Other (name it)")}

LABELS = {
    "reference": _l("Reference"),
    "project": _l("Project (licence)"),
    "date": _l("Date of the hearing"),
    "settlement": _l("Village or settlement"),
    "aiyl_aimak": _l("Aiyl aimak"),
    "district": _l("District"),
    "region": _l("Region"),
    "stage": _l("Stage of the project"),
    "organiser": _l("Organised by"),
    "announced_via": _l("How it was announced"),
    "announced_other": _l("Other way of announcing"),
    "notice_days": _l("Announced how many days ahead"),
    "languages": _l("Languages used"),
    "language_other": _l("Other language"),
    "participants_total": _l("Participants, total"),
    "participants_women": _l("Participants, women"),
    "topics": _l("Topics discussed"),
    "concerns": _l("Concerns raised"),
    "concern": _l("Concern"),
    "answer": _l("The company's answer"),
    "commitment": _l("Commitment made"),
    "commitment_due_date": _l("Commitment due by"),
    "outcome": _l("Outcome"),
    "minutes_attachment": _l("Minutes (attachment)"),
}


class NoticeDays(Count):
    """Days between the announcement and the hearing: 0 (announced on the day) or more."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and value.strip().startswith("-") and value.strip()[1:].isdigit():
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise ShapeError(_("A hearing cannot be announced fewer than 0 days ahead. Give the number of days "
                               "between the announcement and the hearing (0 if it was announced on the day)."))
        return super()._deserialize(value, attr, data, **kwargs)


class ConcernRowSchema(SectionSchema):
    """One concern raised at the hearing and what the company answered or committed to."""

    concern = Text(required=True)
    answer = Text()
    commitment = Text()
    commitment_due_date = IsoDate()

    @validates_schema
    def _due_date_needs_commitment(self, data: dict, **kwargs) -> None:
        if data.get("commitment_due_date") and not data.get("commitment"):
            raise ShapeError({"commitment_due_date": [_("Describe the commitment this date is for, or leave the "
                                                        "date blank.")]})


class PublicHearingRowSchema(SectionSchema):
    """One public hearing or consultation."""

    reference = Text(max_length=40, required=True)
    #: "" when the hearing concerned the company's operations as a whole
    project = Project()
    date = IsoDate(required=True)
    settlement = Text(max_length=MAX_SHORT, required=True)
    aiyl_aimak = Text(max_length=MAX_SHORT)
    district = Text(max_length=MAX_SHORT)
    region = ReferenceCode("region", required=True)
    stage = Choice(STAGES, required=True)
    organiser = Choice(ORGANISERS, required=True)
    announced_via = ChoiceList(CHANNELS, required=True)
    announced_other = Text(max_length=MAX_SHORT)
    notice_days = NoticeDays(required=True)
    languages = ChoiceList(LANGUAGES, required=True)
    language_other = Text(max_length=MAX_SHORT)
    participants_total = Count(required=True)
    participants_women = Count()
    topics = Text(required=True)
    concerns = Rows(ConcernRowSchema, max_rows=200)
    outcome = Text()
    minutes_attachment = AttachmentRef()

    @validates_schema
    def _rules(self, data: dict, **kwargs) -> None:
        errors: dict[str, Any] = {}
        date = data.get("date")
        context = LOAD_CONTEXT.get()
        start, end = context.period_start, context.period_end
        if date and start and end and not start.isoformat() <= date <= end.isoformat():
            errors["date"] = [_("The hearing on %(date)s is outside the reporting period %(start)s – %(end)s. "
                                "Report here only the hearings held in this period.", date=date,
                                start=start.isoformat(), end=end.isoformat())]
        total, women = data.get("participants_total"), data.get("participants_women")
        if total is not None and women is not None and women > total:
            errors["participants_women"] = [_("More women than participants in total. Check both numbers.")]
        for field, other, message in (
                ("announced_via", "announced_other", _("Describe the other way the hearing was announced.")),
                ("languages", "language_other", _("Name the other language."))):
            chosen = "other" in (data.get(field) or [])
            if chosen and not data.get(other):
                errors[other] = [message]
            elif not chosen and data.get(other):
                errors[other] = [_("Leave this blank unless “other” is chosen.")]
        rows: dict[int, dict[str, list[str]]] = {}
        for index, row in enumerate(data.get("concerns") or []):
            due = row.get("commitment_due_date")
            if date and due and due < date:
                rows[index] = {"commitment_due_date": [
                    _("A commitment made at the hearing cannot be due before the hearing (%(date)s). Check the "
                      "date.", date=date)]}
        if rows:
            errors["concerns"] = rows
        if errors:
            raise ShapeError(errors)


class PublicHearingsSchema(PublicHearingRowSchema):
    """The list-level rule: each hearing has its own reference."""

    _unique = unique_items(
        lambda item: normal_text(item.get("reference")), "reference",
        lambda item, n: _("The reference %(reference)s is already used by item %(n)d. Give each hearing its own "
                          "reference, for example H-2025-02.", reference=item.get("reference"), n=n))


def _title(item: dict) -> str:
    return " — ".join(part for part in (item.get("reference"), item.get("date"), item.get("settlement")) if part)


SPEC = register(SectionSpec(
    key="public_hearings",
    label=_l("Public hearings and consultations"),
    schema=PublicHearingsSchema,
    labels=LABELS,
    choice_labels={"stage": STAGE_LABELS, "organiser": ORGANISER_LABELS, "announced_via": CHANNEL_LABELS,
                   "languages": LANGUAGE_LABELS},
    item_title=_title,
    form="esg_portal.forms.esg_public_hearings:PublicHearingForm",
    help=_l("One item per public hearing or consultation held in the reporting year: where and when, how it "
            "was announced, who took part, the concerns raised and the company's answers and commitments. Give "
            "each hearing a short reference (for example H-2025-01) so that a social-package agreement can name "
            "the hearing where it was agreed."),
))
