"""Forms of the secretariat's period settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField, \
    TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from . import PortalForm

INCLUSION_LABELS = {"included": _l("Included"), "not_included": _l("Not included"),
                    "not_applicable": _l("Not applicable")}


class StatusForm(PortalForm):
    """Opening or closing a period: a button and its CSRF token."""


class PeriodForm(PortalForm):
    usd_rate = StringField(_l("USD rate: 1 USD = … KGS"), validators=[Optional(), Length(max=32)],
                           description=_l("Up to 4 decimals, e.g. 87.4500. USD amounts are converted at this rate, "
                                          "rounded half-even to the tyiyn."))
    usd_rate_source = StringField(_l("Source of the rate"), validators=[Optional(), Length(max=255)])
    threshold = StringField(_l("Company materiality threshold, KGS"), validators=[Optional(), Length(max=32)],
                            description=_l("Companies whose payments to the state reach this amount must file."))
    independent_administrator = StringField(_l("Independent Administrator"), validators=[Optional(), Length(max=255)])
    board_approved_on = DateField(_l("Approved by the Supervisory Board on"), validators=[Optional()])
    deadline_date = DateField(_l("Filing deadline: date"), validators=[Optional()])
    deadline_time = TimeField(_l("Filing deadline: time (Bishkek)"), validators=[Optional()])


class StreamSettingForm(PortalForm):
    inclusion = SelectField(_l("In the reconciliation"),
                            choices=[SelectChoice(code, text) for code, text in INCLUSION_LABELS.items()])
    margin_pct = StringField(_l("Margin percentage"), validators=[Optional(), Length(max=16)])
    floor = StringField(_l("Floor, KGS"), validators=[Optional(), Length(max=32)])


#: more rows than there are revenue streams is not a settings form
MAX_STREAM_ROWS = 200


class StreamRowForm(Form):
    """One revenue stream's row of the settings table (inside ``StreamSettingsForm``: no CSRF of its own).

    The inclusion's value is judged by the service (``settings.set_stream_setting``), which words
    the message; the form only carries it.
    """

    code = HiddenField()
    inclusion = SelectField(_l("In the reconciliation"), validate_choice=False,
                            choices=[SelectChoice(code, text) for code, text in INCLUSION_LABELS.items()])
    margin_pct = StringField(_l("Margin percentage"), validators=[Optional(), Length(max=16)])
    floor = StringField(_l("Floor, KGS"), validators=[Optional(), Length(max=32)])


class StreamSettingsForm(PortalForm):
    """Every revenue stream of the period in one form, saved all at once (one CSRF field, ids streams-N-…)."""

    streams = FieldList(FormField(StreamRowForm), max_entries=MAX_STREAM_ROWS)

    def rows(self) -> dict[str, dict[str, str | None]]:
        """The posted rows by stream code, as ``settings.set_stream_settings`` takes them."""
        return {entry.form.code.data: {"inclusion": entry.form.inclusion.data, "margin_pct": entry.form.margin_pct.data,
                                       "floor": entry.form.floor.data} for entry in self.streams}

    @property
    def has_errors(self) -> bool:
        """Whether any row's field or the form itself has an error (``errors`` of a FieldList is only
        what ``validate`` found)."""
        return bool(self.form_errors) or any(
            field.errors for entry in self.streams for field in entry.form if field.type != "HiddenField")

    def entry(self, code: str):
        """The row of stream ``code``, or None."""
        return next((entry.form for entry in self.streams if entry.form.code.data == code), None)

    def add_row_errors(self, errors: dict[str, dict[str, list[str]]]) -> None:
        """A service's errors by stream code and field, each next to its input; a code without a row on top."""
        for code, fields in errors.items():
            row = self.entry(code)
            for name, messages in fields.items():
                field = row._fields.get(name) if row is not None else None
                if field is not None:
                    field.errors = [*(field.errors or []), *messages]
                else:
                    self.form_errors = [*self.form_errors, *messages]


class ScopeOverrideForm(PortalForm):
    company_id = SelectField(_l("Company"), coerce=int)
    is_in_scope = SelectField(_l("Decision"), choices=[
        SelectChoice("1", _l("In scope")), SelectChoice("0", _l("Out of scope")),
        SelectChoice("dnp", _l("In scope, but does not participate (DNP)"))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason, as the EITI report will "
                                                                     "show it.")), Length(max=2000)],
                           render_kw={"rows": 2})


class RunReconciliationForm(PortalForm):
    """The "Run reconciliation now" button: nothing to fill in but the CSRF token."""


class PublishForm(PortalForm):
    """The "Publish" button of a period: nothing to fill in but the CSRF token."""


class ImportSdtForm(PortalForm):
    """An SDT v2.0 workbook, one Part CSV, or a zip of Part CSVs with historic EITI data."""

    file = FileField(_l("SDT workbook (XLSX), a Part CSV or a zip of Part CSVs"),
                     validators=[FileRequired(_l("Choose the file to import."))])
