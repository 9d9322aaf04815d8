"""The beneficial owner form: one natural person per item.

The date of birth and the identity document are part of the filer's own form (they are
stored apart and seen only by the secretariat); their labels say they are not published.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..disclosure.sections.beneficial_owners import HOLDING_LABELS, HOLDINGS, LABELS, MEANS, MEANS_LABELS
from ..disclosure.sections.countries import country_choices
from .sections import DateText, MultiCheckbox, NumberText, SectionForm


def _countries() -> list[SelectChoice]:
    # called when the form is built, so the names are in the reader's language
    return [SelectChoice("", "—"), *(SelectChoice(code, name) for code, name in country_choices())]


class BeneficialOwnerForm(SectionForm):
    surname = StringField(LABELS["surname"])
    given_name = StringField(LABELS["given_name"])
    patronymic = StringField(LABELS["patronymic"], description=_l("Leave blank when the person has none."))
    nationality = SelectField(LABELS["nationality"], choices=_countries, validate_choice=False)
    country_of_residence = SelectField(LABELS["country_of_residence"], choices=_countries, validate_choice=False)
    ownership_pct = NumberText(LABELS["ownership_pct"], unit="%",
                               description=_l("Up to two decimals, for example 25.5."))
    voting_pct = NumberText(LABELS["voting_pct"], unit="%")
    direct_or_indirect = SelectField(LABELS["direct_or_indirect"], validate_choice=False, choices=[
        SelectChoice("", "—"), *(SelectChoice(code, HOLDING_LABELS[code]) for code in HOLDINGS)])
    means_of_control = MultiCheckbox(LABELS["means_of_control"],
                                     choices=[SelectChoice(code, MEANS_LABELS[code]) for code in MEANS])
    control_details = TextAreaField(LABELS["control_details"],
                                    description=_l("For indirect holdings: the companies or persons in between, "
                                                   "with their country."))
    is_pep = BooleanField(LABELS["is_pep"],
                          description=_l("Holds or held a prominent public position, or is a close relative or "
                                         "associate of such a person."))
    pep_position = StringField(LABELS["pep_position"])
    date_of_birth = DateText(LABELS["date_of_birth"])
    id_document = StringField(LABELS["id_document"],
                              description=_l("For example: passport of the Kyrgyz Republic ID1234567."))
