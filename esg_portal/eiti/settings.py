"""Period settings of the EITI secretariat: rate, threshold, deadline, stream inclusion and
margins of variance, and companies put in or out of scope (EITI.md Part A §1, §4, §6).

Numbers arrive as text in the user's notation and are parsed here with the same rules as
uploads, so a rate or a floor is never a float.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import can_manage_period_settings, require
from ..companies.models import Company
from ..errors import InvalidTransition, NotFound, ValidationError
from ..extensions import db
from ..money import (basis_points_from_percent, from_minor, percent_from_basis_points, rate_from_scaled,
                     rate_to_scaled, to_minor)
from ..reference.models import (PeriodStatus, PeriodStreamSetting, ReportingPeriod, RevenueStream, ScopeOverride,
                                StreamInclusion)
from ..tabular import NumberError, number_error_message, parse_decimal

BISHKEK = ZoneInfo("Asia/Bishkek")
MAX_REASON = 2000


@dataclass(frozen=True)
class StreamRow:
    """One revenue stream with its setting for the period (defaults when never set)."""

    stream: RevenueStream
    inclusion: StreamInclusion
    margin_pct: Decimal
    floor: Decimal


@dataclass(frozen=True)
class PeriodSettings:
    period: ReportingPeriod
    streams: list[StreamRow]
    overrides: list[ScopeOverride]
    companies: list[Company]


def _period(year: int) -> ReportingPeriod:
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))
    if period is None:
        raise NotFound()
    return period


def get_settings(actor: User, year: int) -> PeriodSettings:
    """Everything the settings page shows for one period."""
    require(can_manage_period_settings(actor))
    period = _period(year)
    stored = {s.revenue_stream_id: s for s in db.session.scalars(
        select(PeriodStreamSetting).where(PeriodStreamSetting.period_id == period.id))}
    rows = []
    # the page shows each stream's GFS code: read with the streams, not once per stream
    for stream in db.session.scalars(select(RevenueStream).order_by(RevenueStream.sort_order)
                                     .options(selectinload(RevenueStream.gfs_code))):
        setting = stored.get(stream.id)
        rows.append(StreamRow(stream, setting.inclusion if setting else StreamInclusion.INCLUDED,
                              percent_from_basis_points(setting.margin_bp if setting else 0),
                              from_minor(setting.floor_minor if setting else 0, "KGS")))
    overrides = list(db.session.scalars(select(ScopeOverride).where(ScopeOverride.period_id == period.id)
                                        .order_by(ScopeOverride.id)))
    companies = list(db.session.scalars(select(Company).order_by(Company.legal_name)))
    return PeriodSettings(period, rows, overrides, companies)


def _number(errors: dict, field: str, text: str | None, locale: str, *, decimals: int,
            required: bool = False) -> Decimal | None:
    if not (text or "").strip():
        if required:
            errors[field] = [_("Enter a number.")]
        return None
    try:
        value = parse_decimal(text, locale, max_decimals=decimals)
    except NumberError as error:
        errors[field] = [number_error_message(error)]
        return None
    if value < 0:
        errors[field] = [_("The number cannot be negative.")]
        return None
    return value


def update_period(actor: User, year: int, *, locale: str, usd_rate: str | None, usd_rate_source: str | None,
                  threshold: str | None, independent_administrator: str | None,
                  board_approved_on: dt.date | None, deadline_date: dt.date | None,
                  deadline_time: dt.time | None) -> ReportingPeriod:
    """Rate (4 decimals), threshold (KGS), administrator, approval date and the deadline in Bishkek time."""
    require(can_manage_period_settings(actor))
    period = _period(year)
    errors: dict[str, list[str]] = {}
    rate = _number(errors, "usd_rate", usd_rate, locale, decimals=4)
    if rate is not None and rate == 0:
        errors["usd_rate"] = [_("The rate must be above zero.")]
    minimum = _number(errors, "threshold", threshold, locale, decimals=2)
    if rate is not None and not (usd_rate_source or "").strip():
        errors["usd_rate_source"] = [_("Say where the rate comes from, e.g. the National Bank's official rate.")]
    if (deadline_date is None) != (deadline_time is None):
        errors["deadline_time"] = [_("Give both the date and the time of the deadline.")]
    if errors:
        raise ValidationError(errors)
    period.usd_rate_scaled = rate_to_scaled(rate) if rate else None
    period.usd_rate_source = (usd_rate_source or "").strip() or None
    period.company_threshold_minor = to_minor(minimum, "KGS") if minimum is not None else None
    period.independent_administrator = (independent_administrator or "").strip() or None
    period.board_approved_on = board_approved_on
    if deadline_date is not None and deadline_time is not None:
        local = dt.datetime.combine(deadline_date, deadline_time, tzinfo=BISHKEK)
        period.filing_deadline_at = local.astimezone(dt.timezone.utc)
    db.session.flush()
    return period


def open_period(actor: User, year: int) -> ReportingPeriod:
    """Open a planned period for filing (it needs its deadline) and tell the filers of every company in
    its scope, in their language, where to file and by when."""
    from ..disclosure.reminders import companies_yet_to_file
    from ..notifications.events import Event
    from ..notifications.services import company_filers, notify

    require(can_manage_period_settings(actor))
    period = _period(year)
    if period.status is not PeriodStatus.PLANNED:
        raise InvalidTransition(_("Only a planned period can be opened; %(year)s is not planned.", year=year))
    if period.filing_deadline_at is None:
        raise ValidationError({"deadline_date": [_("Set the filing deadline before opening the period.")]})
    period.status = PeriodStatus.OPEN
    db.session.flush()
    deadline = period.filing_deadline_at.astimezone(BISHKEK).date().isoformat()
    for company in companies_yet_to_file(period):
        notify(Event.PERIOD_OPENED, company_filers(company.id), {"year": period.year, "deadline": deadline},
               "/", dedupe_key=f"period-opened:{period.id}")
    return period


def close_period(actor: User, year: int) -> ReportingPeriod:
    """Close an open period: filing ends; reconciliation and publication go on."""
    require(can_manage_period_settings(actor))
    period = _period(year)
    if period.status is not PeriodStatus.OPEN:
        raise InvalidTransition(_("Only an open period can be closed; %(year)s is not open.", year=year))
    period.status = PeriodStatus.CLOSED
    db.session.flush()
    return period


def set_stream_setting(actor: User, year: int, stream_code: str, *, locale: str, inclusion: str,
                       margin_pct: str | None, floor: str | None) -> PeriodStreamSetting:
    """Inclusion and margin of variance of one stream: investigated only when both the
    percentage and the floor are exceeded."""
    require(can_manage_period_settings(actor))
    period = _period(year)
    stream = db.session.scalar(select(RevenueStream).where(RevenueStream.code == stream_code))
    if stream is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    try:
        kind = StreamInclusion(inclusion)
    except ValueError:
        errors["inclusion"] = [_("Choose included, not included or not applicable.")]
    pct = _number(errors, "margin_pct", margin_pct, locale, decimals=2)
    if pct is not None and pct > 100:
        errors["margin_pct"] = [_("A percentage cannot exceed 100.")]
    amount = _number(errors, "floor", floor, locale, decimals=2)
    if errors:
        raise ValidationError(errors)
    setting = db.session.scalar(select(PeriodStreamSetting).where(
        PeriodStreamSetting.period_id == period.id, PeriodStreamSetting.revenue_stream_id == stream.id))
    if setting is None:
        setting = PeriodStreamSetting(period_id=period.id, revenue_stream_id=stream.id)
        db.session.add(setting)
    setting.inclusion = kind
    setting.margin_bp = basis_points_from_percent(pct or Decimal(0))
    setting.floor_minor = to_minor(amount or Decimal(0), "KGS")
    db.session.flush()
    return setting


class StreamSettingsRejected(ValidationError):
    """Some rows of the streams table break the rules: nothing is saved; ``rows`` holds each row's
    ``{field: [messages]}`` by stream code (``errors`` the same, flattened to ``CODE.field``)."""

    def __init__(self, rows: dict[str, dict[str, list[str]]]):
        super().__init__({f"{code}.{field}": messages for code, fields in rows.items()
                          for field, messages in fields.items()})
        self.rows = rows


def set_stream_settings(actor: User, year: int, rows: Mapping[str, Mapping[str, str | None]], *,
                        locale: str) -> list[PeriodStreamSetting]:
    """Every row of the streams table at once, all or nothing: each row is checked by ``set_stream_setting``
    and every row's errors are collected; if any row is refused, ``StreamSettingsRejected`` says why and
    the caller rolls back the rows already written (one unit of work)."""
    require(can_manage_period_settings(actor))
    _period(year)
    saved, refused = [], {}
    for code, values in rows.items():
        try:
            saved.append(set_stream_setting(actor, year, code, locale=locale, inclusion=values.get("inclusion") or "",
                                            margin_pct=values.get("margin_pct"), floor=values.get("floor")))
        except ValidationError as error:
            refused[code] = error.errors
    if refused:
        raise StreamSettingsRejected(refused)
    return saved


def set_scope_override(actor: User, year: int, *, company_id: int, is_in_scope: bool, reason: str,
                       is_participating: bool = True) -> ScopeOverride:
    """Put a company in or out of the period's scope, or mark an in-scope company as not participating
    (DNP); the reason is required and kept (the EITI report shows it)."""
    require(can_manage_period_settings(actor))
    period = _period(year)
    company = db.session.get(Company, company_id)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if company is None:
        errors["company_id"] = [_("Choose a company from the list.")]
    if not reason:
        errors["reason"] = [_("Give the reason, as the EITI report will show it.")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("The reason is too long: at most %(max)d characters.", max=MAX_REASON)]
    if errors:
        raise ValidationError(errors)
    override = db.session.scalar(select(ScopeOverride).where(
        ScopeOverride.period_id == period.id, ScopeOverride.company_id == company_id))
    if override is None:
        override = ScopeOverride(period_id=period.id, company_id=company_id, is_in_scope=is_in_scope, reason=reason,
                                 is_participating=is_participating or not is_in_scope)
        db.session.add(override)
    else:
        override.is_in_scope, override.reason = is_in_scope, reason
        override.is_participating = is_participating or not is_in_scope
    db.session.flush()
    return override


def remove_scope_override(actor: User, year: int, override_id: int) -> None:
    require(can_manage_period_settings(actor))
    period = _period(year)
    override = db.session.get(ScopeOverride, override_id)
    if override is None or override.period_id != period.id:
        raise NotFound()
    db.session.delete(override)
    db.session.flush()


def rate_text(period: ReportingPeriod) -> str:
    """The stored rate as plain text for the form (4 decimals: never read as grouping)."""
    return f"{rate_from_scaled(period.usd_rate_scaled):f}" if period.usd_rate_scaled else ""


def threshold_text(period: ReportingPeriod) -> str:
    minor = period.company_threshold_minor
    return f"{from_minor(minor, 'KGS'):f}" if minor is not None else ""
