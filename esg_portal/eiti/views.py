"""The secretariat's period settings page."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..errors import ValidationError
from ..extensions import db
from ..forms.eiti import PeriodForm, ScopeOverrideForm, StatusForm, StreamSettingForm, StreamSettingsForm
from ..i18n import current_locale
from . import settings

bp = Blueprint("eiti", __name__, url_prefix="/eiti")


def _streams_form(data: settings.PeriodSettings, posted: StreamSettingsForm | None = None) -> StreamSettingsForm:
    """The streams table's form: the posted rows as typed (with their errors), every other row as stored."""
    form = posted or StreamSettingsForm(formdata=None)
    for row in data.streams:
        if form.entry(row.stream.code) is None:
            form.streams.append_entry({"code": row.stream.code, "inclusion": row.inclusion.value,
                                       "margin_pct": str(row.margin_pct), "floor": str(row.floor)})
    return form


def _page(year: int, period_form: PeriodForm | None = None, scope_form: ScopeOverrideForm | None = None,
          streams_form: StreamSettingsForm | None = None, status: int = 200):
    data = settings.get_settings(current_user, year)
    period = data.period
    local_deadline = period.filing_deadline_at.astimezone(settings.BISHKEK) if period.filing_deadline_at else None
    period_form = period_form or PeriodForm(
        usd_rate=settings.rate_text(period), usd_rate_source=period.usd_rate_source,
        threshold=settings.threshold_text(period),
        independent_administrator=period.independent_administrator, board_approved_on=period.board_approved_on,
        deadline_date=local_deadline.date() if local_deadline else None,
        deadline_time=local_deadline.time().replace(tzinfo=None) if local_deadline else None)
    scope_form = scope_form or ScopeOverrideForm()
    scope_form.company_id.choices = _company_choices(data.companies)
    return render_template("eiti/settings.html", data=data, period_form=period_form, scope_form=scope_form,
                           streams_form=_streams_form(data, streams_form)), status


@bp.route("/<int:year>/settings")
@login_required
def period_settings(year: int):
    return _page(year)


def _saved(anchor: str, year: int):
    db.session.commit()
    flash(_("The settings were saved."), "success")
    return redirect(url_for(".period_settings", year=year) + anchor)


@bp.route("/<int:year>/settings/period", methods=["POST"])
@login_required
def save_period(year: int):
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            settings.update_period(current_user, year, locale=current_locale(), **{
                name: form[name].data for name in ("usd_rate", "usd_rate_source", "threshold",
                                                   "independent_administrator", "board_approved_on",
                                                   "deadline_date", "deadline_time")})
            return _saved("#period", year)
        except ValidationError as error:
            _apply(form, error)
    return _page(year, period_form=form, status=422)


@bp.route("/<int:year>/settings/open", methods=["POST"])
@login_required
def open_period(year: int):
    """Planned → open: the filers of the companies in scope are told."""
    return _status_step(year, settings.open_period, _("The period %(year)s is open for filing. The companies in "
                                                      "scope were told.", year=year))


@bp.route("/<int:year>/settings/close", methods=["POST"])
@login_required
def close_period(year: int):
    return _status_step(year, settings.close_period, _("The period %(year)s is closed for filing.", year=year))


def _status_step(year: int, step, done: str):
    form = StatusForm()
    if not form.validate_on_submit():
        return _page(year, status=400)
    try:
        step(current_user, year)
    except ValidationError as error:
        flash(" ".join(m for messages in error.errors.values() for m in messages), "error")
        return redirect(url_for(".period_settings", year=year) + "#period-status")
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".period_settings", year=year) + "#period-status")


@bp.route("/<int:year>/settings/streams", methods=["POST"])
@login_required
def save_streams(year: int):
    """Every stream row at once, all or nothing: a refused row keeps every row's input, each error at its field."""
    form = StreamSettingsForm()
    if form.validate_on_submit():
        try:
            settings.set_stream_settings(current_user, year, form.rows(), locale=current_locale())
            return _saved("#streams", year)
        except settings.StreamSettingsRejected as error:
            db.session.rollback()  # the rows written before the refused one
            form.add_row_errors(error.rows)
    return _page(year, streams_form=form, status=422)


@bp.route("/<int:year>/settings/streams/<stream_code>", methods=["POST"])
@login_required
def save_stream(year: int, stream_code: str):
    """One stream's row (the form of earlier pages, and scripts); the page now saves all rows at once."""
    form = StreamSettingForm()
    if form.validate_on_submit():
        try:
            settings.set_stream_setting(current_user, year, stream_code, locale=current_locale(),
                                        inclusion=form.inclusion.data, margin_pct=form.margin_pct.data,
                                        floor=form.floor.data)
            return _saved("#streams", year)
        except ValidationError as error:
            _apply(form, error)
    table = StreamSettingsForm(formdata=None, data={"streams": [{
        "code": stream_code, "inclusion": form.inclusion.data, "margin_pct": form.margin_pct.data,
        "floor": form.floor.data}]})
    table.add_row_errors({stream_code: {name: list(form[name].errors) for name in ("inclusion", "margin_pct", "floor")
                                        if form[name].errors}})
    return _page(year, streams_form=table, status=422)


@bp.route("/<int:year>/settings/scope", methods=["POST"])
@login_required
def save_scope(year: int):
    form = ScopeOverrideForm()
    form.company_id.choices = _company_choices(settings.get_settings(current_user, year).companies)
    if form.validate_on_submit():
        try:
            settings.set_scope_override(current_user, year, company_id=form.company_id.data,
                                        is_in_scope=form.is_in_scope.data in ("1", "dnp"),
                                        is_participating=form.is_in_scope.data != "dnp", reason=form.reason.data)
            return _saved("#scope", year)
        except ValidationError as error:
            _apply(form, error)
    return _page(year, scope_form=form, status=422)


def _company_choices(companies) -> list[SelectChoice]:
    return [SelectChoice(c.id, f"{c.legal_name} ({c.inn})") for c in companies]


def _apply(form, error: ValidationError) -> None:
    for field, messages in error.errors.items():
        form[field].errors = list(form[field].errors or []) + list(messages)
