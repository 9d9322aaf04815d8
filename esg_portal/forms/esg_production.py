"""The production and exports form: one mineral (of one project) per item."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.production import LABELS, UNIT_LABELS, UNITS
from .sections import NumberText, SectionForm


class ProductionForm(SectionForm):
    """Mineral and project choices are filled by the page (reference list, the company's licences)."""

    mineral = SelectField(LABELS["mineral"], choices=[], validate_choice=False)
    mineral_name = StringField(LABELS["mineral_name"],
                               description=_l("Only when the mineral is not in the list, e.g. gold or coal."))
    project = SelectField(LABELS["project"], choices=[], validate_choice=False,
                          description=_l("Leave “whole company” when you do not report by project."))
    unit = SelectField(LABELS["unit"], choices=[SelectChoice(code, UNIT_LABELS[code]) for code in UNITS], validate_choice=False)
    produced_volume = NumberText(LABELS["produced_volume"])
    produced_value_kgs = NumberText(LABELS["produced_value_kgs"], unit="KGS")
    exported_volume = NumberText(LABELS["exported_volume"])
    exported_value_kgs = NumberText(LABELS["exported_value_kgs"], unit="KGS")
    comment = TextAreaField(LABELS["comment"])
