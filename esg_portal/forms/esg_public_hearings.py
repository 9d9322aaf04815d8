"""The public hearing form: one hearing or consultation per item, with the concerns raised as rows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.public_hearings import (CHANNEL_LABELS, CHANNELS, LABELS, LANGUAGE_LABELS, LANGUAGES,
                                                   ORGANISER_LABELS, ORGANISERS, STAGE_LABELS, STAGES)
from .sections import CountText, DateText, MultiCheckbox, RowForm, RowList, SectionForm


class ConcernRowForm(RowForm):
    """One concern raised (a row of ``concerns``)."""

    concern = TextAreaField(LABELS["concern"])
    answer = TextAreaField(LABELS["answer"])
    commitment = TextAreaField(LABELS["commitment"])
    commitment_due_date = DateText(LABELS["commitment_due_date"])


class PublicHearingForm(SectionForm):
    """Project, region and attachment choices are filled by the page."""

    reference = StringField(LABELS["reference"],
                            description=_l("A short name of your choice, for example H-2025-01; a social-package "
                                           "agreement names the hearing by it."))
    project = SelectField(LABELS["project"], choices=[], validate_choice=False,
                          description=_l("Leave “whole company” when the hearing was about all your projects."))
    date = DateText(LABELS["date"])
    settlement = StringField(LABELS["settlement"])
    aiyl_aimak = StringField(LABELS["aiyl_aimak"])
    district = StringField(LABELS["district"])
    region = SelectField(LABELS["region"], choices=[], validate_choice=False)
    stage = SelectField(LABELS["stage"], choices=[SelectChoice(code, STAGE_LABELS[code]) for code in STAGES],
                        validate_choice=False)
    organiser = SelectField(LABELS["organiser"],
                            choices=[SelectChoice(code, ORGANISER_LABELS[code]) for code in ORGANISERS],
                            validate_choice=False)
    announced_via = MultiCheckbox(LABELS["announced_via"],
                                  choices=[SelectChoice(code, CHANNEL_LABELS[code]) for code in CHANNELS])
    announced_other = StringField(LABELS["announced_other"])
    notice_days = CountText(LABELS["notice_days"],
                            description=_l("Days between the announcement and the hearing; 0 if announced on the "
                                           "day."))
    languages = MultiCheckbox(LABELS["languages"],
                              choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES])
    language_other = StringField(LABELS["language_other"])
    participants_total = CountText(LABELS["participants_total"])
    participants_women = CountText(LABELS["participants_women"])
    topics = TextAreaField(LABELS["topics"])
    concerns = RowList(ConcernRowForm, LABELS["concerns"])
    outcome = TextAreaField(LABELS["outcome"])
    minutes_attachment = SelectField(LABELS["minutes_attachment"], choices=[], validate_choice=False)
