"""Rendered pages: the dashboards of each role, the frame every page shares (language switch,
no third-party assets, security headers) and the error pages in HTML and JSON."""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from support import login
from esg_portal.accounts.models import Role
from esg_portal.disclosure.models import DisclosureStatus
from esg_portal.extensions import db
from esg_portal.reference.models import GovernmentEntity, PeriodStatus

#: 20:30 UTC on 30 June is 02:30 on 1 July in Bishkek (UTC+6, no daylight saving)
DEADLINE = dt.datetime(2026, 6, 30, 20, 30, tzinfo=dt.timezone.utc)
ROLES = {"filer": "filer@test.kg", "officer": "officer@test.kg", "secretariat": "secretariat@test.kg",
         "admin": "admin@test.kg"}


@pytest.fixture
def site(factory) -> dict[str, int]:
    period = factory.period(2025, deadline=DEADLINE)
    factory.period(2026, PeriodStatus.PLANNED)
    company = factory.company("Kumtor Test Gold JSC")
    other = factory.company("Another Mining LLC")
    ids = {
        "period": period, "company": company, "other": other,
        "licence": factory.licence(company, project_name="Test Project"),
        "filer": factory.user(Role.COMPANY_FILER, ROLES["filer"], company_id=company, is_signatory=True),
        "officer": factory.user(Role.AGENCY_OFFICER, ROLES["officer"], agency_code="STS"),
        "secretariat": factory.user(Role.SECRETARIAT, ROLES["secretariat"]),
        "admin": factory.user(Role.ADMIN, ROLES["admin"]),
        "draft": factory.disclosure(company, period, payments=[("ROYALTY", "STS", "1000.50")]),
        "submitted": factory.disclosure(other, period, DisclosureStatus.SUBMITTED),
        "batch": factory.receipt_batch("STS", period, [(company, "ROYALTY", "1000.50")]),
    }
    return ids


def _client(app: Flask, who: str):
    client = app.test_client()
    if who != "visitor":
        login(client, ROLES[who])
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


class _Page(HTMLParser):
    """The parts of a page these tests look at."""

    def __init__(self, source: str):
        super().__init__()
        self.forms: list[dict] = []
        self.assets: list[tuple[str, str]] = []  # (tag, url) of scripts, styles, fonts, icons
        self.inline: list[str] = []  # inline scripts and style attributes, which the CSP forbids
        self.links: list[str] = []
        self.html_lang: str | None = None
        self._script_without_src = False
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang")
        if "style" in a:
            self.inline.append(f"style attribute on <{tag}>")
        if any(k.startswith("on") for k in a):
            self.inline.append(f"event handler on <{tag}>")
        if tag == "script":
            if a.get("src"):
                self.assets.append(("script", a["src"]))
            else:
                self._script_without_src = True
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "")
            if rel in ("stylesheet", "preload", "icon", "manifest", "modulepreload") or "font" in a.get("as", ""):
                self.assets.append(("link", a["href"]))
        elif tag in ("img", "iframe", "source", "embed") and a.get("src"):
            self.assets.append((tag, a["src"]))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"attrs": a, "inputs": []})
        elif tag in ("input", "button") and self.forms:
            self.forms[-1]["inputs"].append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_without_src = False

    def handle_data(self, data: str) -> None:
        if self._script_without_src and data.strip():
            self.inline.append("inline <script>")

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)


def _crawl(client, start: list[str], limit: int = 150) -> dict[str, object]:
    """Every same-site page reachable by links from ``start``: {path: response}."""
    seen: dict[str, object] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        if response.status_code == 200 and response.content_type.startswith("text/html"):
            for href in _Page(response.get_data(as_text=True)).links:
                parts = urlsplit(href)
                # a language link would switch the crawler's language (kept in a cookie): checked apart
                if not parts.scheme and not parts.netloc and href.startswith("/") \
                        and not href.startswith("/static/") and "lang=" not in parts.query:
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def _every_page(app: Flask, site: dict[str, int]) -> list[tuple[str, str, object]]:
    """(who, path, response) for the pages of every role, the sign-in page and two error pages."""
    pages = []
    for who in ("visitor", *ROLES):
        client = _client(app, who)
        start = ["/", "/login"] if who == "visitor" else ["/", "/register/companies/999999", "/no-such-page"]
        pages += [(who, path, response) for path, response in _crawl(client, start).items()]
    return pages


# --- dashboards ---

def test_the_filer_dashboard_shows_the_company_and_the_deadline_in_bishkek_time(app: Flask, site) -> None:
    response = _client(app, "filer").get("/")
    assert response.status_code == 200
    page = _text(response)
    assert "Kumtor Test Gold JSC" in page
    assert "Another Mining LLC" not in page
    row = re.search(r"<tr[^>]*>\s*<th scope=\"row\">2025</th>(.*?)</tr>", page, re.S)
    assert row, "no row for the 2025 period"
    local = DEADLINE.astimezone(ZoneInfo("Asia/Bishkek"))
    assert (local.day, local.hour, local.minute) == (1, 2, 30)
    cells = row.group(1)
    assert "July 1, 2026" in cells and "02:30" in cells and "(UTC+6)" in cells
    assert "June 30, 2026" not in cells  # the UTC date would be the wrong day in Bishkek
    assert f'href="/disclosures/{site["draft"]}"' in page
    assert "2026</th>" not in page  # a planned period is not shown to filers yet


def test_the_officer_dashboard_names_the_agency_and_its_batches(app: Flask, site) -> None:
    page = _text(_client(app, "officer").get("/"))
    with app.app_context():
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
        assert f"<h1>{agency.name_en}</h1>" in page
    assert f'href="/receipts/batches/{site["batch"]}"' in page
    assert "(UTC+6)" in page


@pytest.mark.parametrize("who", ["secretariat", "admin"])
def test_staff_dashboards_show_the_period_table(app: Flask, site, who: str) -> None:
    page = _text(_client(app, who).get("/"))
    table = re.search(r'<table[^>]*id="period-overview".*?</table>', page, re.S)
    assert table, "no period table"
    rows = dict(re.findall(r'<th scope="row">(\d{4})</th>(.*?)</tr>', table.group(0), re.S))
    assert set(rows) == {"2025", "2026"}
    # one submitted filing; one registered company has only a draft → 1 of 2 not filed
    assert "Submitted: 1" in rows["2025"]
    assert "1 / 2" in rows["2025"]
    assert "(UTC+6)" in rows["2025"]
    if who == "admin":
        assert re.search(r"<strong>4</strong>\s*Users", page)


def test_the_home_page_invites_visitors_to_sign_in(client, site) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = _Page(response.get_data(as_text=True))
    assert "/login" in page.links
    assert 'id="logout"' not in response.get_data(as_text=True)


# --- the frame of every page ---

def test_every_page_is_reachable_and_has_the_language_switch(app: Flask, site) -> None:
    pages = _every_page(app, site)
    failures = []
    for who, path, response in pages:
        expected = 404 if path in ("/register/companies/999999", "/no-such-page") else 200
        if response.status_code != expected:
            failures.append(f"{who} {path}: {response.status_code}, expected {expected}")
            continue
        if not response.content_type.startswith("text/html"):
            continue  # a file reached by a link (published data, a download): not a page
        page = _Page(response.get_data(as_text=True))
        if who == "visitor":
            # visitors switch by a link: a public page then needs no session (and can be cached)
            body = response.get_data(as_text=True)
            links = sorted(re.findall(r'<a href="[^"]*(?:\?|&amp;)lang=(ky|ru|en)"[^>]*id="lang-\1"', body))
            if links != ["en", "ky", "ru"] or [f for f in page.forms if f["attrs"].get("action") == "/language"]:
                failures.append(f"{who} {path}: language links {links}")
        else:
            switches = [f for f in page.forms if f["attrs"].get("action") == "/language"]
            if len(switches) != 1:
                failures.append(f"{who} {path}: {len(switches)} language forms")
                continue
            form = switches[0]
            buttons = sorted(a.get("value") for tag, a in form["inputs"]
                             if tag == "button" and a.get("name") == "lang")
            tokens = [a for tag, a in form["inputs"] if a.get("name") == "csrf_token" and a.get("value")]
            if form["attrs"].get("method", "").lower() != "post" or buttons != ["en", "ky", "ru"] or len(tokens) != 1:
                failures.append(f"{who} {path}: language form {form['attrs']} buttons {buttons} tokens {len(tokens)}")
        if page.html_lang != "en":
            failures.append(f"{who} {path}: <html lang={page.html_lang!r}>")
    assert not failures, "\n".join(failures)
    paths = {(who, path) for who, path, _ in pages}
    assert {("visitor", "/"), ("visitor", "/login"), ("filer", "/"), ("admin", "/admin/users")} <= paths
    assert ("filer", f"/disclosures/{site['draft']}") in paths
    assert ("officer", f"/receipts/batches/{site['batch']}") in paths
    assert len(paths) >= 15


def test_no_page_loads_anything_from_another_site(app: Flask, site) -> None:
    failures, assets = [], set()
    for who, path, response in _every_page(app, site):
        if not response.content_type.startswith("text/html"):
            continue  # a download loads nothing
        page = _Page(response.get_data(as_text=True))
        for tag, url in page.assets:
            assets.add(url)
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("//"):
                failures.append(f"{who} {path}: <{tag}> {url}")
        for what in page.inline:
            failures.append(f"{who} {path}: {what} (blocked by the Content-Security-Policy)")
    assert not failures, "\n".join(sorted(set(failures)))
    assert "/static/style.css" in assets
    with _client(app, "visitor").get("/static/style.css") as css:
        assert css.status_code == 200
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", css.get_data(as_text=True))


#: published data that visitors' browsers and shared caches may keep (everything else: no-store)
PUBLISHED_PAGES = {"/", "/companies", "/regions", "/sites", "/glossary", "/downloads", "/search"}


def test_every_page_sends_the_security_headers(app: Flask, site) -> None:
    failures = []
    responses = [(who, path, r) for who, path, r in _every_page(app, site)]
    visitor = _client(app, "visitor")
    responses += [("visitor", "/register/companies/ (redirect)", visitor.get("/register/companies/")),
                  ("visitor", "/logout (405)", visitor.get("/logout")),
                  ("visitor", "/login (400)", visitor.post("/login", data={}))]
    for who, path, response in responses:
        headers = response.headers
        csp = {d.strip().split(" ")[0]: d.strip() for d in headers.get("Content-Security-Policy", "").split(";")}
        problems = []
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append("X-Content-Type-Options")
        if csp.get("default-src") != "default-src 'self'":
            problems.append(f"CSP default-src {csp.get('default-src')!r}")
        if "'unsafe-inline'" in headers.get("Content-Security-Policy", "") or \
                "'unsafe-eval'" in headers.get("Content-Security-Policy", ""):
            problems.append("CSP allows inline code")
        if csp.get("frame-ancestors") != "frame-ancestors 'none'" and headers.get("X-Frame-Options") != "DENY":
            problems.append("framing allowed")
        published = path.split("?")[0] in PUBLISHED_PAGES \
            or path.startswith(("/open-data/", "/catalog", "/charts/", "/api/v1/public/")) \
            or path.split("?")[0].startswith(("/companies/", "/regions/", "/sites/"))
        if response.status_code == 200 and "no-store" not in headers.get("Cache-Control", "") \
                and not (who == "visitor" and published):
            problems.append("signed-in pages may be cached")
        if problems:
            failures.append(f"{who} {path} ({response.status_code}): {', '.join(problems)}")
    assert not failures, "\n".join(failures)


# --- errors ---

@pytest.mark.parametrize("path", ["/register/companies/999999", "/disclosures/999999", "/receipts/batches/999999",
                                  "/no-such-page"])
def test_not_found_is_an_html_page_or_json(app: Flask, site, path: str) -> None:
    client = _client(app, "admin")
    response = client.get(path)
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    page = _Page(response.get_data(as_text=True))
    assert any(f["attrs"].get("action") == "/language" for f in page.forms)  # the portal's frame
    assert "404" in response.get_data(as_text=True)
    assert "does not exist" in _text(response)

    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["message"]


def test_forbidden_is_json_for_json_clients(app: Flask, site) -> None:
    client = _client(app, "filer")
    response = client.get(f"/register/companies/{site['other']}", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    response = client.get(f"/register/companies/{site['other']}")
    assert response.status_code == 403
    assert response.content_type.startswith("text/html")


def test_visitors_asking_for_json_get_401(app: Flask, site) -> None:
    response = _client(app, "visitor").get(f"/register/companies/{site['company']}", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_deadline_does_not_depend_on_the_servers_time_zone(app: Flask, site) -> None:
    """The deadline is stored in UTC and shown in Bishkek time whatever zone the server runs in."""
    client = _client(app, "filer")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        page = _text(client.get("/"))
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()
    assert "July 1, 2026, 02:30" in page.replace("\u202f", " ")
