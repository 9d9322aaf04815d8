"""Secretariat review pages: the period list, the overdue list and its CSV, one filing, queries, acceptance."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from support import PASSWORD, csrf_token, login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.audit import utcnow
from esg_portal.disclosure import review
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, FilingQuery, QueryStatus
from esg_portal.extensions import db

BISHKEK = ZoneInfo("Asia/Bishkek")
#: what an amendment draft holds; it must never reach the secretariat's pages
SECRET = "DRAFT-ONLY-EXPLANATION"


def _deadline_days_ago(days: int) -> dt.datetime:
    """Noon in Bishkek ``days`` calendar days ago, in UTC: the list then says ``days`` days overdue."""
    today = utcnow().astimezone(BISHKEK).date()
    noon = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), tzinfo=BISHKEK)
    return noon.astimezone(dt.timezone.utc)


@pytest.fixture
def rw(app: Flask, factory) -> dict:
    """A 2025 period whose deadline passed 10 days ago, and one company per situation."""
    deadline = _deadline_days_ago(10)
    period = factory.period(2025, deadline=deadline)
    future = factory.period(2026, deadline=utcnow() + dt.timedelta(days=30))
    alpha, beta, gamma, delta, epsilon = (factory.company(name, inn=inn) for name, inn in (
        ("Alpha Gold LLC", "01000000000001"), ("Beta Copper LLC", "01000000000002"),
        ("Gamma Silent LLC", "01000000000003"), ("Delta Draft LLC", "01000000000004"),
        ("Epsilon Queried LLC", "01000000000005")))
    factory.company("Receipts Only LLC", is_registered=False)
    ids = {
        "period": period, "future": future, "deadline": deadline, "alpha": alpha, "beta": beta, "gamma": gamma,
        "delta": delta, "epsilon": epsilon,
        "secretariat": factory.user(Role.SECRETARIAT, "sec@test.kg"),
        "filer": factory.user(Role.COMPANY_FILER, "alpha@test.kg", company_id=alpha, is_signatory=True),
        "beta_filer": factory.user(Role.COMPANY_FILER, "beta@test.kg", company_id=beta, is_signatory=True),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
        "alpha_v1": factory.disclosure(alpha, period, DisclosureStatus.SUBMITTED,
                                       payments=[("ROYALTY", "STS", "1500.00"), ("CIT", "STS", "250.25")]),
        "beta_v1": factory.disclosure(beta, period, DisclosureStatus.SUBMITTED, payments=[("CIT", "STS", "10.00")]),
        "beta_v2": factory.disclosure(beta, period, DisclosureStatus.DRAFT, version=2,
                                      payments=[("CIT", "STS", "987654.32")]),
        "delta_draft": factory.disclosure(delta, period, DisclosureStatus.DRAFT),
        "epsilon_v1": factory.disclosure(epsilon, period, DisclosureStatus.SUBMITTED),
    }
    with app.app_context():
        db.session.get(Disclosure, ids["alpha_v1"]).submitted_at = deadline - dt.timedelta(days=3)
        db.session.get(Disclosure, ids["beta_v1"]).submitted_at = deadline + dt.timedelta(days=2)
        beta_draft = db.session.get(Disclosure, ids["beta_v2"])
        beta_draft.amendment_reason = SECRET
        beta_draft.payment_lines[0].comment = SECRET
        epsilon_v1 = db.session.get(Disclosure, ids["epsilon_v1"])
        epsilon_v1.submitted_at = deadline - dt.timedelta(days=1)
        epsilon_v1.status = DisclosureStatus.QUERIED
        db.session.add(FilingQuery(disclosure=epsilon_v1, question="Where is the EIA?", status=QueryStatus.OPEN))
        db.session.commit()
        ids["alpha_lines"] = [line.id for line in db.session.get(Disclosure, ids["alpha_v1"]).payment_lines]
        ids["beta_line"] = db.session.get(Disclosure, ids["beta_v1"]).payment_lines[0].id
    return ids


def _client(app: Flask, email: str | None = "sec@test.kg"):
    client = app.test_client()
    if email:
        login(client, email, PASSWORD)
    return client


@pytest.fixture
def sec(app: Flask, rw):
    return _client(app)


def _row(page: str, name: str) -> str:
    """The table row of the company ``name``."""
    rows = [row for row in re.findall(r"<tr[ >].*?</tr>", page, flags=re.S) if name in row]
    assert len(rows) == 1, f"{name}: {len(rows)} rows"
    return rows[0]


def _status(app: Flask, disclosure_id: int) -> DisclosureStatus:
    with app.app_context():
        return db.session.get(Disclosure, disclosure_id).status


def _queries(app: Flask, disclosure_id: int) -> list[tuple[int | None, str, QueryStatus]]:
    with app.app_context():
        return [(q.payment_line_id, q.question, q.status) for q in db.session.scalars(
            select(FilingQuery).where(FilingQuery.disclosure_id == disclosure_id).order_by(FilingQuery.id))]


def _ask(client, disclosure_id: int, question: str, line_id: int | None = None, follow: bool = False):
    data = {"question": question, **({"payment_line_id": str(line_id)} if line_id else {})}
    return post_form(client, f"/review/filings/{disclosure_id}/queries", data,
                     form_page=f"/review/filings/{disclosure_id}", follow_redirects=follow)


def _accept(client, disclosure_id: int, follow: bool = True):
    return post_form(client, f"/review/filings/{disclosure_id}/accept", {},
                     form_page=f"/review/filings/{disclosure_id}", follow_redirects=follow)


# --- the period list ---

def test_the_period_list_shows_every_registered_company_with_status_and_lateness(sec, rw) -> None:
    response = sec.get("/review/2025")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    names = ["Alpha Gold LLC", "Beta Copper LLC", "Delta Draft LLC", "Epsilon Queried LLC", "Gamma Silent LLC"]
    assert [name for name in names if name in page] == names
    assert sorted(names, key=page.index) == names  # by company name
    assert "Receipts Only LLC" not in page  # not registered: no filing expected
    alpha = _row(page, "Alpha Gold LLC")
    assert "Submitted" in alpha and "On time" in alpha and "Complete" not in alpha and "Missing:" in alpha
    assert f'href="/review/filings/{rw["alpha_v1"]}"' in alpha
    beta = _row(page, "Beta Copper LLC")
    assert ">Late<" in beta and "Amendment in preparation" in beta
    assert f'href="/review/filings/{rw["beta_v1"]}"' in beta and f'/review/filings/{rw["beta_v2"]}' not in page
    assert "Overdue: nothing submitted" in _row(page, "Gamma Silent LLC")
    delta = _row(page, "Delta Draft LLC")
    assert "Overdue: nothing submitted" in delta and "Draft in preparation" in delta
    epsilon = _row(page, "Epsilon Queried LLC")
    assert "Queried" in epsilon and "<strong>1</strong>" in epsilon and "On time" in epsilon
    # submitted times are shown in Bishkek time
    with sec.application.app_context():
        submitted = db.session.get(Disclosure, rw["alpha_v1"]).submitted_at.astimezone(BISHKEK)
    assert f"{submitted:%H:%M} (UTC+6)" in alpha


def test_the_draft_content_never_reaches_the_secretariat(sec, rw) -> None:
    for path in ("/", "/review/2025", f"/review/filings/{rw['beta_v1']}", "/review/2025/overdue",
                 "/review/2025/overdue.csv"):
        body = sec.get(path).get_data(as_text=True)
        assert SECRET not in body and "987,654.32" not in body and "987654.32" not in body, path
    page = sec.get(f"/review/filings/{rw['beta_v1']}").get_data(as_text=True)
    assert "preparing an amendment" in page
    assert sec.get(f"/review/filings/{rw['beta_v2']}").status_code in (403, 404)
    assert _ask(sec, rw["beta_v2"], "?").status_code in (403, 404)
    assert _accept(sec, rw["beta_v2"], follow=False).status_code in (403, 404)
    assert _status(sec.application, rw["beta_v2"]) is DisclosureStatus.DRAFT


@pytest.mark.parametrize(("status", "expected"), [
    ("queried", ["Epsilon Queried LLC"]),
    ("submitted", ["Alpha Gold LLC", "Beta Copper LLC"]),
    ("not_submitted", ["Delta Draft LLC", "Gamma Silent LLC"]),
    ("accepted", []),
])
def test_the_list_filters_by_status(sec, rw, status: str, expected: list[str]) -> None:
    page = sec.get(f"/review/2025?status={status}").get_data(as_text=True)
    everyone = ["Alpha Gold LLC", "Beta Copper LLC", "Delta Draft LLC", "Epsilon Queried LLC", "Gamma Silent LLC"]
    assert [name for name in everyone if name in page] == expected
    assert f'id="filter-{status}" aria-current="page"' in page
    if not expected:
        assert "No company matches this filter." in page


def test_an_unknown_status_filter_is_refused_with_a_message(sec, rw) -> None:
    response = sec.get("/review/2025?status=bogus")
    assert response.status_code == 422
    assert "There is no filter “bogus”" in response.get_data(as_text=True)
    assert sec.get("/review/1999").status_code == 404


# --- the overdue list ---

def test_the_overdue_list_shows_the_deadline_and_days_overdue(sec, rw) -> None:
    page = sec.get("/review/2025/overdue").get_data(as_text=True)
    assert "Gamma Silent LLC" in page and "Delta Draft LLC" in page
    assert not [name for name in ("Alpha Gold LLC", "Beta Copper LLC", "Epsilon Queried LLC") if name in page]
    assert "10 days" in _row(page, "Gamma Silent LLC") and "01000000000003" in page
    local = rw["deadline"].astimezone(BISHKEK)
    assert f"{local.year}, 12:00 (UTC+6)" in page
    assert 'action="/review/2025/overdue.csv"' in page


def test_the_overdue_csv(sec, rw) -> None:
    response = sec.get("/review/2025/overdue.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="overdue-2025.csv"' == response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data[3:].decode("utf-8"))))
    deadline = rw["deadline"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rows == [["company_inn", "company_name", "deadline", "days_overdue"],
                    ["01000000000004", "Delta Draft LLC", deadline, "10"],
                    ["01000000000003", "Gamma Silent LLC", deadline, "10"]]


def test_nothing_is_overdue_before_the_deadline(sec, rw) -> None:
    assert "No filing is overdue." in sec.get("/review/2026/overdue").get_data(as_text=True)
    assert sec.get("/review/2026/overdue.csv").data == b"\xef\xbb\xbfcompany_inn,company_name,deadline,days_overdue\r\n"
    page = sec.get("/review/2026").get_data(as_text=True)
    assert "Not submitted yet" in _row(page, "Gamma Silent LLC") and "Overdue:" not in page


def test_days_overdue_counts_calendar_days_in_bishkek(app_ctx) -> None:
    deadline = dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone.utc)  # 18:00 in Bishkek
    assert review.days_overdue(deadline, deadline + dt.timedelta(hours=2)) == 1  # the same evening
    assert review.days_overdue(deadline, dt.datetime(2026, 7, 1, 3, tzinfo=dt.timezone.utc)) == 1
    assert review.days_overdue(deadline, dt.datetime(2026, 7, 1, 17, 59, tzinfo=dt.timezone.utc)) == 1
    assert review.days_overdue(deadline, dt.datetime(2026, 7, 1, 18, 0, tzinfo=dt.timezone.utc)) == 2  # 2 July
    assert review.days_overdue(deadline, dt.datetime(2026, 7, 10, 6, tzinfo=dt.timezone.utc)) == 10


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(app: Flask, factory, sec, rw) -> None:
    factory.company("=HYPERLINK(\"http://evil\")", inn="01000000000009")
    body = sec.get("/review/2025/overdue.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


# --- one filing: queries and acceptance ---

def test_the_filing_page_shows_what_was_filed(sec, rw) -> None:
    page = sec.get(f"/review/filings/{rw['alpha_v1']}").get_data(as_text=True)
    assert "Alpha Gold LLC" in page and "01000000000001" in page  # the profile
    assert "1,500.00" in page and "250.25" in page and "1,750.25" in page  # lines and total
    assert page.count("Query this line") == 2
    assert 'id="accept"' in page and "disabled" not in page.split('id="accept"')[1].split(">")[0]
    assert "Version 1 (this page)" in page


def test_a_query_on_a_line_then_answer_then_accept(app: Flask, sec, rw) -> None:
    line = rw["alpha_lines"][1]
    response = _ask(sec, rw["alpha_v1"], "Why is CIT so low?", line)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/filings/{rw['alpha_v1']}#queries")
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.QUERIED
    assert _queries(app, rw["alpha_v1"]) == [(line, "Why is CIT so low?", QueryStatus.OPEN)]
    page = sec.get(f"/review/filings/{rw['alpha_v1']}").get_data(as_text=True)
    assert "Why is CIT so low?" in page and "about the line" in page and "waiting for the answer" in page
    assert "1 question is still open" in page
    assert re.search(r'<button[^>]*id="accept"[^>]*disabled', page)

    # the company sees the question and answers it (the filer pages call the same service)
    filer = _client(app, "alpha@test.kg")
    assert "Queried" in filer.get("/").get_data(as_text=True)
    with app.app_context():
        actor = db.session.get(User, rw["filer"])
        query_id = db.session.scalar(select(FilingQuery.id).where(FilingQuery.disclosure_id == rw["alpha_v1"]))
        query = review.get_query(actor, query_id)
        assert query.question == "Why is CIT so low?"
        review.answer_query(actor, query, "A loss carried forward from 2024.")
        db.session.commit()
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.ANSWERED
    assert "A loss carried forward from 2024." in sec.get(f"/review/filings/{rw['alpha_v1']}").get_data(as_text=True)

    page = _accept(sec, rw["alpha_v1"]).get_data(as_text=True)
    assert "was accepted" in page and "This version has been accepted." in page
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.ACCEPTED
    assert _queries(app, rw["alpha_v1"])[0][2] is QueryStatus.CLOSED


def test_a_query_on_the_whole_filing_blocks_acceptance_until_answered(app: Flask, sec, rw) -> None:
    page = _ask(sec, rw["beta_v1"], "Please attach the EIA.", follow=True).get_data(as_text=True)
    assert "Your question was sent to the company." in page and "about the whole filing" in page
    assert _queries(app, rw["beta_v1"]) == [(None, "Please attach the EIA.", QueryStatus.OPEN)]
    response = _accept(sec, rw["beta_v1"])
    assert response.status_code == 200
    assert "Questions are still open on this filing" in response.get_data(as_text=True)
    assert _status(app, rw["beta_v1"]) is DisclosureStatus.QUERIED


def test_invalid_transitions_are_flashed_not_500(app: Flask, sec, rw) -> None:
    _accept(sec, rw["alpha_v1"])
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.ACCEPTED
    again = _accept(sec, rw["alpha_v1"], follow=False)
    assert again.status_code == 302
    page = sec.get(again.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-error"' in page and "already accepted" in page
    # no question form on an accepted version; a forged one is refused with a message
    assert "Query this line" not in page
    page = _ask(sec, rw["alpha_v1"], "late question", follow=True).get_data(as_text=True)
    assert "Only a submitted filing that is not yet accepted can be queried." in page
    assert _queries(app, rw["alpha_v1"]) == []


@pytest.mark.parametrize(("question", "line", "message"), [
    ("   ", None, "Write the question for the company."),
    ("x" * 2001, None, "at most 2000 characters"),
    ("Whose line?", "beta_line", "Choose a line of this filing."),
])
def test_a_question_with_errors_is_shown_again_with_the_message(app: Flask, sec, rw, question, line,
                                                                message) -> None:
    response = _ask(sec, rw["alpha_v1"], question, rw[line] if line else None)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.SUBMITTED
    assert _queries(app, rw["alpha_v1"]) == []


def test_the_question_of_a_line_comes_back_at_that_line(sec, rw) -> None:
    line = rw["alpha_lines"][0]
    page = _ask(sec, rw["alpha_v1"], " ", line).get_data(as_text=True)
    assert re.search(rf'<details class="line-query" open>\s*<summary>Query this line<span class="visually-hidden">: '
                     rf'Royalty, 1,500.00 KGS</span></summary>\s*<form[^>]*id="query-form-line-{line}"', page)


def test_the_posts_need_a_csrf_token(app: Flask, sec, rw) -> None:
    for path, data in ((f"/review/filings/{rw['alpha_v1']}/queries", {"question": "?"}),
                       (f"/review/filings/{rw['alpha_v1']}/accept", {})):
        assert sec.post(path, data=data).status_code == 400
        assert sec.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.SUBMITTED and _queries(app, rw["alpha_v1"]) == []


def test_versions_link_to_the_difference_with_the_previous_one(app: Flask, factory, sec, rw) -> None:
    company = factory.company("Zeta Amended LLC")
    first = factory.disclosure(company, rw["period"], DisclosureStatus.SUPERSEDED)
    second = factory.disclosure(company, rw["period"], DisclosureStatus.SUBMITTED, version=2)
    page = sec.get(f"/review/filings/{first}").get_data(as_text=True)
    diff = f"/disclosures/{second}/diff" if "disclosure.diff" in app.view_functions else f"/disclosures/{second}"
    assert f'href="{diff}" id="diff-2"' in page and f'href="/review/filings/{second}"' in page
    assert "A newer version replaces this one" in page


# --- who may see the review pages ---

def _review_urls(rw) -> list[tuple[str, str]]:
    filing = rw["alpha_v1"]
    return [("GET", "/review/2025"), ("GET", "/review/2025?status=queried"), ("GET", "/review/2025/overdue"),
            ("GET", "/review/2025/overdue.csv"), ("GET", f"/review/filings/{filing}"),
            ("POST", f"/review/filings/{filing}/queries"), ("POST", f"/review/filings/{filing}/accept")]


def test_the_routes_listed_here_are_every_review_route(app: Flask, rw) -> None:
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("review.")
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(rules) == 6


@pytest.mark.parametrize("email", ["alpha@test.kg", "officer@test.kg", "admin@test.kg"])
def test_every_other_role_gets_403_on_every_review_route(app: Flask, rw, email: str) -> None:
    client = _client(app, email)
    token = csrf_token(client, "/")
    for method, url in _review_urls(rw):
        response = client.open(url, method=method, data={"csrf_token": token, "question": "?"} if method == "POST"
                               else None)
        assert response.status_code == 403, (email, method, url)
    assert _status(app, rw["alpha_v1"]) is DisclosureStatus.SUBMITTED and _queries(app, rw["alpha_v1"]) == []


def test_visitors_are_sent_to_sign_in(app: Flask, rw) -> None:
    client = _client(app, None)
    token = csrf_token(client, "/login")
    for method, url in _review_urls(rw):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (method, url)


def test_review_links_appear_only_on_the_secretariat_dashboard(app: Flask, sec, rw) -> None:
    page = sec.get("/").get_data(as_text=True)
    assert 'href="/review/2025"' in page and 'href="/review/2025/overdue"' in page
    assert "2 overdue" in page and "0 overdue" in page  # 2025 and 2026
    assert "1 queried" in page and "2 to review" in page
    for email in ("admin@test.kg", "alpha@test.kg", "officer@test.kg"):
        assert "/review/" not in _client(app, email).get("/").get_data(as_text=True), email
