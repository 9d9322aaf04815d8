"""The workforce form: one object per filing, with one row per occupational level."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.workforce import LABELS, LEVEL_LABELS, LEVELS
from .sections import CountText, NumberText, RowForm, RowList, SectionForm


class LevelRow(RowForm):
    # a blank first option keeps an untouched row blank, so it is left out
    level = SelectField(LABELS["level"], validate_choice=False,
                        choices=[SelectChoice("", "—"), *(SelectChoice(code, LEVEL_LABELS[code]) for code in LEVELS)])
    total = CountText(LABELS["total"])
    women = CountText(LABELS["women"])
    citizens = CountText(LABELS["citizens"])


class WorkforceForm(SectionForm):
    """Counts at the end of the year; a blank count is "not reported", 0 means none."""

    employees_total = CountText(LABELS["employees_total"],
                                description=_l("Your own employees at the end of the year, all contracts."))
    citizens = CountText(LABELS["citizens"])
    foreign_nationals = CountText(LABELS["foreign_nationals"],
                                  description=_l("Citizens and foreign nationals add up to the total."))
    women = CountText(LABELS["women"])
    women_in_management = CountText(LABELS["women_in_management"])
    local_residents = CountText(LABELS["local_residents"],
                                description=_l("Employees who live in the districts (raions) where your projects "
                                               "are."))
    contractors = CountText(LABELS["contractors"],
                            description=_l("Workers of contractors on your sites; they are not counted in the "
                                           "total."))
    by_level = RowList(LevelRow, LABELS["by_level"], min_entries=len(LEVELS))
    training_spend_kgs = NumberText(LABELS["training_spend_kgs"], unit="KGS")
    training_hours = CountText(LABELS["training_hours"])
    comment = TextAreaField(LABELS["comment"])
