"""Administration forms: user accounts, companies, licences and government agencies.

Field names are the keyword names of the services they feed (``form.values()``), so a
``ValidationError({field: [...]})`` raised by a service lands next to the right field
(``form.add_errors``). Value rules (INN, state share, web addresses, licence dates) are not
written here: the forms run the same functions as the services, from ``companies.rules``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, PasswordField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import Role
from ..admin.services import AGENCY_LEVELS, AGENCY_TYPES
from ..companies import rules
from ..i18n import localized_name
from ..labels import LABELS
from ..money import percent_from_basis_points
from . import PortalForm, add_service_errors

NO_CHOICE = ""
INVALID_CHOICE = _l("Choose one of the options in the list.")
_NOT_FOR_SERVICE = {"csrf_token", "submit", "password_confirm"}


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: the empty option means None (and so does a forged one)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def role_or_none(value: Any) -> Role | None:
    """Coerce the role select; an unknown value becomes None, which no option matches."""
    try:
        return Role(value)
    except ValueError:
        return None


class Rule:
    """A WTForms validator running one of ``companies.rules``' functions on the field's data."""

    def __init__(self, rule: Callable[..., Any], **kwargs: Any):
        self.rule, self.kwargs = rule, kwargs

    def __call__(self, form: PortalForm, field) -> None:
        try:
            self.rule(field.data, **self.kwargs)
        except rules.RuleViolation as violation:
            raise ValidationError(str(violation)) from None


class IsoDateField(DateField):
    """A date input (``YYYY-MM-DD``, the format of ``<input type=date>``) with a helpful message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = dt.date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter the date as year-month-day, for example 2025-03-31.")) from None


class CheckboxListField(SelectMultipleField):
    """A multi-select shown as a list of check boxes (usable without JavaScript or a mouse)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AdminForm(PortalForm):
    """Base: hands its values to a service and shows the service's messages at the fields."""

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name not in _NOT_FOR_SERVICE}

    def add_errors(self, errors: dict[str, Iterable[str]]) -> None:
        """Attach a service's ``{field: [messages]}``; unknown fields go to the form's own errors."""
        add_service_errors(self, errors, skip=_NOT_FOR_SERVICE)


def _choices(records: Iterable[Any], text: Callable[[Any], str], empty: Any) -> list[SelectChoice]:
    return [SelectChoice(NO_CHOICE, empty), *(SelectChoice(record.id, text(record)) for record in records)]


def _coded(codes: Iterable[str], labels: dict[str, Any]) -> list[SelectChoice]:
    """Options for stored codes, labelled in the reader's language."""
    return [SelectChoice(code, labels[code]) for code in codes]


# --- user accounts ---

class UserForm(AdminForm):
    """A new account. The company is used for filers only, the agency for officers only."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter an e-mail address such as name@example.kg."))],
                       description=_l("The person signs in with this address."))
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the person's full name."))])
    position = StringField(_l("Position"), description=_l("Optional, for example Chief accountant."))
    role = SelectField(_l("Role"), coerce=role_or_none, choices=_coded([role.value for role in Role], LABELS),
                       invalid_choice_message=INVALID_CHOICE)
    company_id = SelectField(_l("Company (for company filers)"), coerce=optional_int,
                             invalid_choice_message=INVALID_CHOICE,
                             description=_l("Required when the role is company filer; ignored otherwise."))
    agency_id = SelectField(_l("Government agency (for agency officers)"), coerce=optional_int,
                            invalid_choice_message=INVALID_CHOICE,
                            description=_l("Required when the role is agency officer; ignored otherwise."))
    is_signatory = BooleanField(_l("Signatory: may attest and submit the company's disclosure"),
                                description=_l("Only for company filers."))
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password for the new account."))],
                             description=_l("At least 10 characters. Give it to the person by a safe channel."))
    password_confirm = PasswordField(_l("Repeat the password"), validators=[
        EqualTo("password", _l("The two passwords differ. Type the same password in both fields."))])

    def __init__(self, *args: Any, companies: Iterable[Any] = (), agencies: Iterable[Any] = (),
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.company_id.choices = _choices(companies, lambda c: f"{c.legal_name} ({c.inn})", _l("— none —"))
        self.agency_id.choices = _choices(agencies, lambda a: f"{a.code} — {localized_name(a)}", _l("— none —"))


class UserEditForm(UserForm):
    """Changes to an account; the password changes only when a new one is typed."""

    is_active = BooleanField(_l("Active: the person may sign in"))
    password = PasswordField(_l("New password"), validators=[Optional()],
                             description=_l("Leave empty to keep the current password. At least 10 characters."))
    password_confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", _l("The two passwords differ. Type the same password in both fields."))])

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["new_password"] = values.pop("password") or None
        return values


# --- companies and licences ---

class CompanyForm(AdminForm):
    """A company of the register."""

    legal_name = StringField(_l("Legal name"), validators=[
        DataRequired(_l("Enter the company's legal name as registered."))])
    inn = StringField(_l("INN"), validators=[Rule(rules.clean_inn)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
                      description=_l("The 14-digit taxpayer number, with any leading zeros."))
    legal_form = StringField(_l("Legal form"), description=_l("For example LLC, JSC or State enterprise."))
    address = TextAreaField(_l("Address"), render_kw={"rows": 3})
    region_id = SelectField(_l("Region"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE)
    state_share_percent = StringField(_l("State share, %"), validators=[Rule(rules.clean_state_share)],
                                      render_kw={"inputmode": "decimal"},
                                      description=_l("Percent of charter capital, 0 to 100, at most 2 decimals. "
                                                     "Leave empty if the state holds no share."))
    is_state_share_free_carried = BooleanField(_l("The state's share is free-carried (granted free of charge)"))
    is_soe = BooleanField(_l("State-owned enterprise"))
    website = StringField(_l("Website"), validators=[Rule(rules.clean_url)], render_kw={"type": "url"},
                          description=_l("A full address, such as https://example.kg."))
    listing = StringField(_l("Stock exchange listing"),
                          description=_l("Exchange and ticker, if the shares are listed."))
    audited_statements_url = StringField(_l("Audited financial statements (web address)"),
                                         validators=[Rule(rules.clean_url)], render_kw={"type": "url"},
                                         description=_l("Where the audited statements are published, "
                                                        "starting with https://."))
    is_registered = BooleanField(_l("Registered: the company files disclosures through the portal"),
                                 default=True,
                                 description=_l("Untick for companies known only from government receipts."))

    def __init__(self, *args: Any, regions: Iterable[Any] = (), **kwargs: Any):
        company = kwargs.get("obj")
        if company is not None and "state_share_percent" not in kwargs and company.state_share_bp is not None:
            kwargs["state_share_percent"] = f"{percent_from_basis_points(company.state_share_bp):f}"
        super().__init__(*args, **kwargs)
        self.region_id.choices = _choices(regions, localized_name, _l("— not set —"))


class LicenceForm(AdminForm):
    """A subsoil-use licence of one company."""

    number = StringField(_l("Licence number"),
                         validators=[DataRequired(_l("Enter the licence number exactly as printed on the licence."))],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    kind = SelectField(_l("Type"), choices=_coded(rules.LICENCE_KINDS, LABELS), invalid_choice_message=INVALID_CHOICE)
    project_name = StringField(_l("Project name"), validators=[
        DataRequired(_l("Enter the name of the project (deposit or area)."))])
    site_id = SelectField(_l("Programme site"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE,
                          description=_l("The deposit or area from the programme's tables 1–3, if any."))
    region_id = SelectField(_l("Region"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE,
                            description=_l("Leave empty to use the region of the programme site."))
    mineral_ids = CheckboxListField(_l("Minerals"), coerce=int, invalid_choice_message=INVALID_CHOICE)
    issued_on = IsoDateField(_l("Issued on"), validators=[Optional()])
    expires_on = IsoDateField(_l("Expires on"), validators=[Optional()],
                              description=_l("Must be after the issue date."))
    status = SelectField(_l("Status"), choices=_coded(rules.LICENCE_STATUSES, LABELS),
                         invalid_choice_message=INVALID_CHOICE)

    def __init__(self, *args: Any, regions: Iterable[Any] = (), sites: Iterable[Any] = (),
                 minerals: Iterable[Any] = (), **kwargs: Any):
        licence = kwargs.get("obj")
        if licence is not None and "mineral_ids" not in kwargs:
            kwargs["mineral_ids"] = [mineral.id for mineral in licence.minerals]
        super().__init__(*args, **kwargs)
        self.site_id.choices = _choices(sites, lambda s: f"{s.code} — {localized_name(s)}", _l("— none —"))
        self.region_id.choices = _choices(regions, localized_name, _l("— from the site —"))
        self.mineral_ids.choices = [SelectChoice(mineral.id, localized_name(mineral)) for mineral in minerals]

    def validate_expires_on(self, field) -> None:
        try:
            rules.check_licence_dates(self.issued_on.data, field.data)
        except rules.RuleViolation as violation:
            raise ValidationError(str(violation)) from None


# --- government agencies ---

AGENCY_LEVEL_LABELS = {"national": _l("National"), "subnational": _l("Subnational (local budgets)")}


class AgencyEditForm(AdminForm):
    """A government agency's names, type and level (the code never changes)."""

    name_ky = StringField(_l("Name in Kyrgyz"), validators=[DataRequired(_l("Enter the agency's name in Kyrgyz."))],
                          render_kw={"lang": "ky"})
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(_l("Enter the agency's name in Russian."))],
                          render_kw={"lang": "ru"})
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the agency's name in English."))],
                          render_kw={"lang": "en"})
    agency_type = SelectField(_l("Type of agency"), choices=_coded(AGENCY_TYPES, LABELS),
                              invalid_choice_message=INVALID_CHOICE)
    level = SelectField(_l("Level"), choices=_coded(AGENCY_LEVELS, AGENCY_LEVEL_LABELS),
                        invalid_choice_message=INVALID_CHOICE)
    is_active = BooleanField(_l("Active: receipts may be entered for this agency"), default=True)


class AgencyForm(AgencyEditForm):
    """A new government agency."""

    code = StringField(_l("Code"), render_kw={"autocomplete": "off", "spellcheck": "false"},
                       description=_l("2 to 16 Latin capital letters, digits, '-' or '_', such as STS. Files and "
                                      "the API refer to the agency by this code; it cannot be changed later."))
