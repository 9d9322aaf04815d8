"""Locale choice and locale-aware display helpers.

The locale comes from, in order: an explicit ``?lang=`` on the request, the signed-in
user's saved choice, the visitor's ``lang`` cookie, the browser's Accept-Language, and
finally ``ESG_DEFAULT_LOCALE``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import format_date, format_decimal, format_time, get_locale, get_translations
from flask_login import current_user

from .config import SUPPORTED_LOCALES
from .money import from_minor, percent_from_basis_points

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    if not has_request_context():  # CLI commands, background work, service tests
        return current_app.config["ESG_DEFAULT_LOCALE"]
    asked = request.args.get("lang", "")
    if asked in SUPPORTED_LOCALES:
        return asked
    user_language = getattr(current_user, "language", None) if current_user else None
    if user_language in SUPPORTED_LOCALES:
        return user_language
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in SUPPORTED_LOCALES:
        return cookie
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return best or current_app.config["ESG_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or "en")


def localized_name(record: Any, locale: str | None = None) -> str:
    """Reference data carries ``name_ky``/``name_ru``/``name_en``; fall back to English."""
    if record is None:
        return ""
    locale = locale or current_locale()
    return getattr(record, f"name_{locale}", None) or getattr(record, "name_en", "") or ""


def display_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["ESG_DISPLAY_TIMEZONE"])


def format_deadline(value: dt.datetime | None) -> str:
    """Deadlines are stored in UTC and shown in Asia/Bishkek time, with the zone named."""
    if value is None:
        return ""
    local = value.astimezone(display_timezone())
    offset = local.utcoffset() or dt.timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"{format_date(local, 'long', rebase=False)}, {format_time(local, 'HH:mm', rebase=False)} (UTC{hours:+d})"


def format_amount(value: Decimal | None) -> str:
    """A Decimal amount with the reader's grouping and decimal mark, always 2 decimals."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00")


def format_money(minor: int | None, currency: str) -> str:
    return "" if minor is None else format_amount(from_minor(minor, currency))


def format_share(basis_points: int | None) -> str:
    """State share for display; '—' when the state holds no share."""
    if basis_points is None:
        return "—"
    return format_decimal(percent_from_basis_points(basis_points), format="#,##0.##") + " %"


def path_without_lang() -> str:
    """The current path and query without ``lang``, so a language switch is not undone."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def path_with_lang(code: str) -> str:
    """The current path and query in language ``code`` (a visitor's language link)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"] + [("lang", code)]
    return request.path + "?" + urlencode(args)


def remember_language(response):
    """A ``?lang=`` choice is kept in the ``lang`` cookie, so the visitor's next pages follow it."""
    asked = request.args.get("lang", "")
    if asked in SUPPORTED_LOCALES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def catalog():
    """The translations of the request, found once per request: flask_babel finds them again for every
    message (context, locale, cache key), a few microseconds each, hundreds of times on a filing page."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    found = g.get("_esg_catalog")
    if found is None or found[0] is not locale:  # a refresh() of the locale picks the catalog again
        found = g._esg_catalog = (locale, get_translations())
    return found[1]


def register_template_helpers(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s), ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s), npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters["localname"] = localized_name
    app.jinja_env.filters["deadline"] = format_deadline
    app.jinja_env.filters["date"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["decimal"] = format_amount
    app.jinja_env.globals["money"] = format_money
    app.jinja_env.globals["share_percent"] = format_share
    app.jinja_env.globals["path_without_lang"] = path_without_lang
    app.jinja_env.globals["path_with_lang"] = path_with_lang
    app.after_request(remember_language)

    @app.context_processor
    def inject_locales():
        return {"supported_locales": SUPPORTED_LOCALES, "language_names": LANGUAGE_NAMES,
                "current_locale": current_locale()}
