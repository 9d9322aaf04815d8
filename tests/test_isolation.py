"""Who may reach whose records: every route of ``app.url_map`` against every role.

The route tests are generic: they walk the URL map, so a route added later is covered
without editing this file, as long as the names of its URL arguments are known to
``ARGUMENTS`` below (an unknown name fails the tests and says what to add). The scoping
helpers that every list query goes through are tested directly at the end.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, jsonify
from flask_login import AnonymousUserMixin, current_user, login_required
from sqlalchemy import select
from werkzeug.routing import Rule

from support import PASSWORD, csrf_token, login, post_form
from esg_portal.accounts.models import ApiToken, Role, User
from esg_portal.accounts.permissions import scope_companies, scope_disclosures, scope_receipt_batches
from esg_portal.companies import services as company_services
from esg_portal.companies.models import Company
from esg_portal.dashboard.services import dashboard_for
from esg_portal.disclosure.models import (Attachment, Disclosure, DisclosureStatus, FilingQuery, FilingQueryEvidence,
                                         PaymentLine, QueryStatus)
from esg_portal.eiti.models import (AddressedTo, Adjustment, DiscrepancyEvidence, DiscrepancyQuery, ReconciliationLine,
                                    ReconciliationRun)
from esg_portal.extensions import db
from esg_portal.notifications.models import Notification
from esg_portal.receipts.models import BatchStatus, ReceiptBatch
from esg_portal.reference.models import GovernmentEntity, PeriodStatus, RevenueStream

#: URL argument name → keys into the ``ids`` fixture: (records of the own company's side,
#: records of the other company's side). Case i of a route takes the i-th key of each list
#: (cycling), so each case is one consistent set of records. A company filer must get 403 or
#: 404 for every route filled from the *other* side. Add every new argument name here.
ARGUMENTS: dict[str, tuple[list[str], list[str]]] = {
    "company_id": (["own_company"], ["other_company"]),
    # a draft and a submitted version of each side
    "disclosure_id": (["own_disclosure", "own_submitted"], ["other_disclosure", "other_submitted"]),
    "licence_id": (["own_licence"], ["other_licence"]),
    "license_id": (["own_licence"], ["other_licence"]),
    # filers never see receipt batches; the STS batch holds a receipt of the own company
    "batch_id": (["sts_batch", "scs_batch"], ["scs_batch", "sts_batch"]),
    "user_id": (["filer"], ["other_filer"]),
    "agency_id": (["sts_agency"], ["scs_agency"]),
    "period_id": (["period", "period_2024"], ["period", "period_2024"]),
    "year": (["year", "year_2024"], ["year", "year_2024"]),
    # a payment line of each side's draft and of each side's submitted version
    "line_id": (["own_line", "own_submitted_line"], ["other_line", "other_submitted_line"]),
    "query_id": (["own_query"], ["other_query"]),
    "token_id": (["own_token"], ["other_token"]),
    # a notification of each side's filer: a person's own, not the company's
    "notification_id": (["own_notification"], ["other_notification"]),
    "section": (["section"], ["section"]),
    # the index of an item within a section of the actor's own draft (the filer's pages never name a company)
    "item": (["item"], ["item"]),
    "stream_code": (["stream_code"], ["stream_code"]),
    # a 2025 run holding a line of each company (a run is the secretariat's: it holds both sides' figures)
    "run_id": (["run"], ["run"]),
    "position": (["own_position"], ["other_position"]),
    # discrepancy queries on each company's line: to the company, and to the line's agency (STS / SCS)
    "discrepancy_query_id": (["own_discrepancy_query", "own_agency_query"],
                             ["other_discrepancy_query", "other_agency_query"]),
    "adjustment_id": (["own_adjustment"], ["other_adjustment"]),
    # a file of the answer to each of those discrepancy queries, and of the answer to each side's filing query
    "discrepancy_evidence_id": (["own_discrepancy_evidence", "own_agency_evidence"],
                                ["other_discrepancy_evidence", "other_agency_evidence"]),
    "filing_evidence_id": (["own_filing_evidence"], ["other_filing_evidence"]),
    # a file attached to each side's draft and to each side's submitted version
    "attachment_id": (["own_attachment", "own_submitted_attachment"],
                      ["other_attachment", "other_submitted_attachment"]),
    # a release version and a file of it: published data, the same for everyone
    "version": (["release_version"], ["release_version"]),
    "name": (["release_file"], ["release_file"]),
    # the public pages: a company's INN, a region or site code, a chart of a page (published data)
    "inn": (["own_inn"], ["other_inn"]),
    "code": (["region_code"], ["region_code"]),
    "page": (["chart_page"], ["chart_page"]),
    "chart": (["chart_id"], ["chart_id"]),
    # residents' cases sent to each company; a photo of each (the resident's own pages take the private link)
    "case_code": (["own_feedback"], ["other_feedback"]),
    "photo_id": (["own_feedback_photo"], ["other_feedback_photo"]),
    "secret": (["feedback_secret"], ["feedback_secret"]),
}
#: arguments that name no one's private record: a route taking only these is not a record route
NEUTRAL_ARGUMENTS = {"period_id", "year", "section", "stream_code", "item", "version", "name", "inn", "code", "page",
                     "chart"}
#: routes for visitors without an account; community pages (blueprint ``public``) read releases only
PUBLIC_ENDPOINTS = {"dashboard.index", "accounts.login", "accounts.set_language", "static",
                    # published open data and its catalogue (releases only), and the API's description
                    "publication.release_file", "publication.latest_file", "publication.release_index",
                    "publication.catalog_jsonld", "publication.catalog_ttl", "api.openapi",
                    # residents need no account: intake, the look-up, and their private page (its link is the key)
                    "feedback.new", "feedback.lookup", "feedback.private_case", "feedback.verdict",
                    "feedback.reopen", "feedback.reply", "feedback.private_photo",
                    # the public record of the cases: moderated text only (tests/feedback/test_feedback_public.py)
                    "feedback.public_list", "feedback.public_case", "feedback.public_photo", "feedback.statistics",
                    "feedback.public_cases_csv", "feedback.public_cases_json"}
#: the public API: no token, published data only (tests/api/test_api_public.py)
PUBLIC_API_PREFIX = "api.public_"
PUBLIC_BLUEPRINTS = {"public"}
#: the sign-in names of the ``world`` fixture
EMAILS = {"filer": "filer@test.kg", "other_filer": "other@test.kg", "officer": "officer@test.kg",
          "other_officer": "customs@test.kg", "secretariat": "secretariat@test.kg", "admin": "admin@test.kg"}
DENIED = (403, 404)


# --- fixtures and helpers ---

@pytest.fixture
def ids(app: Flask, factory, world: dict[str, int]) -> dict[str, int]:
    """The ``world`` records plus agency ids, the 2024 period and a submitted own filing."""
    with app.app_context():
        agencies = dict(db.session.execute(select(GovernmentEntity.code, GovernmentEntity.id)).all())
        period_2024 = db.session.get(Disclosure, world["other_submitted"]).period_id
    own_submitted = factory.disclosure(world["own_company"], period_2024, DisclosureStatus.SUBMITTED,
                                       payments=[("CIT", "STS", "5.00")])
    extra = {}
    with app.app_context():
        for side, draft, submitted, user in (("own", world["own_disclosure"], own_submitted, world["filer"]),
                                             ("other", world["other_disclosure"], world["other_submitted"],
                                              world["other_filer"])):
            extra[f"{side}_line"] = db.session.get(Disclosure, draft).payment_lines[0].id
            submitted_version = db.session.get(Disclosure, submitted)
            if not submitted_version.payment_lines:
                submitted_version.payment_lines.append(PaymentLine(
                    revenue_stream_id=db.session.scalar(select(RevenueStream.id).where(RevenueStream.code == "CIT")),
                    government_entity_id=agencies["STS"], amount_minor=100, currency="KGS"))
                db.session.flush()
            extra[f"{side}_submitted_line"] = submitted_version.payment_lines[0].id
            for key, version in ((f"{side}_attachment", draft), (f"{side}_submitted_attachment", submitted)):
                owner = db.session.get(Disclosure, version)
                attachment = Attachment(company_id=owner.company_id, period_id=owner.period_id,
                                        disclosure_id=owner.id, original_name=f"{key}.pdf",
                                        stored_name=f"{key:0<64}"[:64], sha256=f"{key:a<64}"[:64],
                                        media_type="application/pdf", size_bytes=1)
                db.session.add(attachment)
                db.session.flush()
                extra[key] = attachment.id
            query = FilingQuery(disclosure_id=submitted, question="?", status=QueryStatus.OPEN)
            token = ApiToken(user_id=user, name=f"{side} token", token_hash=f"{side:0<64}"[:64], prefix=side)
            notification = Notification(user_id=user, event="filing_query", path="/disclosures/filing/2025",
                                        params={"year": 2025, "version": 1, "company": f"{side}-marker",
                                                "question": "?"})
            evidence = FilingQueryEvidence(query=query, original_name=f"{side}-order.pdf",
                                           stored_name=f"{side}-filing-evidence".ljust(64, "0"), sha256="0" * 64,
                                           media_type="application/pdf", size_bytes=1)
            db.session.add_all([query, token, notification, evidence])
            db.session.flush()
            extra[f"{side}_query"], extra[f"{side}_token"] = query.id, token.id
            extra[f"{side}_filing_evidence"] = evidence.id
            extra[f"{side}_notification"] = notification.id
        db.session.commit()
        extra.update(_discrepancy_records(world, agencies))
        extra.update(_feedback_records(world))
    return {**world, **extra, "sts_agency": agencies["STS"], "scs_agency": agencies["SCS"],
            "period_2024": period_2024, "own_submitted": own_submitted, "year": 2025, "year_2024": 2024,
            "section": "production", "item": 0, "stream_code": "ROYALTY",
            "release_version": 1, "release_file": "data.json", "own_inn": "00000000000001",
            "other_inn": "00000000000002", "region_code": "CHUY", "chart_page": "home", "chart_id": "by-stream"}


def _feedback_records(world: dict[str, int]) -> dict[str, int | str]:
    """A registered resident's case sent to each company, each with a photo."""
    import datetime as dt

    from esg_portal.feedback.models import Addressee, CaseKind, CaseState, FeedbackCase, FeedbackPhoto, SubjectKind
    made: dict[str, int | str] = {"feedback_secret": "no-such-secret"}
    now = dt.datetime(2026, 5, 4, 6, tzinfo=dt.timezone.utc)
    for n, side in enumerate(("own", "other")):
        case = FeedbackCase(code=f"KG-TEST-000{n}", access_hash=f"{side:x<64}"[:64], pin_hash="0" * 64,
                            kind=CaseKind.ANONYMOUS, state=CaseState.REGISTERED, language="en", category="water",
                            subject_kind=SubjectKind.PLACE, subject_value="Kok-Jar", original_text="Brown water.",
                            public_text="Brown water.", register_due=now, registered_at=now, answer_due=now,
                            addressee=Addressee.COMPANY, routed_company_id=world[f"{side}_company"],
                            photos=[FeedbackPhoto(sha256="0" * 64, media_type="image/png", width=1, height=1,
                                                  size_bytes=1, content=b"\x89PNG")])
        db.session.add(case)
        db.session.flush()
        made[f"{side}_feedback"], made[f"{side}_feedback_photo"] = case.code, case.photos[0].id
    db.session.commit()
    return made


def _discrepancy_records(world: dict[str, int], agencies: dict[str, int]) -> dict[str, int]:
    """A 2025 run with a line of each company, a query to each company and to each line's agency,
    and an adjustment proposed on each company's query."""
    companies = {side: db.session.get(Company, world[f"{side}_company"]) for side in ("own", "other")}
    keys = {"own": ("ROYALTY", "STS", 1), "other": ("CUSTOMS", "SCS", 2)}
    run = ReconciliationRun(period_id=world["period"], number=1, currency="KGS", rules={}, inputs={}, summary={},
                            lines=[ReconciliationLine(position=position, company_inn=companies[side].inn,
                                                      revenue_stream=stream, government_entity=entity, project="",
                                                      company_initial_minor=100, government_initial_minor=150,
                                                      status="discrepancy")
                                   for side, (stream, entity, position) in keys.items()])
    db.session.add(run)
    db.session.flush()
    made = {"run": run.id}
    for side, (stream, entity, position) in keys.items():
        key = {"company_inn": companies[side].inn, "revenue_stream": stream, "government_entity": entity,
               "project": ""}
        to_company = DiscrepancyQuery(period_id=world["period"], run_id=run.id, addressed_to=AddressedTo.COMPANY,
                                      company_id=companies[side].id, question="?", **key)
        to_agency = DiscrepancyQuery(period_id=world["period"], run_id=run.id, addressed_to=AddressedTo.AGENCY,
                                     agency_id=agencies[entity], question="?", **key)
        adjustment = Adjustment(period_id=world["period"], query=to_company, side="company", amount_minor=50,
                                reason="timing", comment="!", **key)
        files = {kind: DiscrepancyEvidence(query=query, original_name=f"{side}-{kind}.pdf",
                                           stored_name=f"{side}-{kind}".ljust(64, "0"), sha256="0" * 64,
                                           media_type="application/pdf", size_bytes=1)
                 for kind, query in (("discrepancy", to_company), ("agency", to_agency))}
        db.session.add_all([to_company, to_agency, adjustment, *files.values()])
        db.session.flush()
        made.update({f"{side}_position": position, f"{side}_discrepancy_query": to_company.id,
                     f"{side}_agency_query": to_agency.id, f"{side}_adjustment": adjustment.id,
                     **{f"{side}_{kind}_evidence": record.id for kind, record in files.items()}})
    db.session.commit()
    return made


@pytest.fixture
def client_as(app: Flask, ids: dict[str, int]):
    """``client_as("filer")``: a fresh test client signed in as that ``world`` user."""

    def make(who: str):
        client = app.test_client()
        if who != "anonymous":
            login(client, EMAILS[who])
        return client

    return make


def _rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: (r.rule, r.endpoint))


def _is_public(rule: Rule) -> bool:
    return (rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS
            or rule.endpoint.startswith(PUBLIC_API_PREFIX))


def _placeholders(rule: Rule) -> list[str]:
    return sorted(rule.arguments - set(rule.defaults or ()))


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))


def _unmapped(rule: Rule) -> list[str]:
    return [name for name in _placeholders(rule) if name not in ARGUMENTS]


def _require_mapping(rule: Rule) -> None:
    missing = _unmapped(rule)
    if missing:
        pytest.fail(
            f"route {rule.rule} ({rule.endpoint}) takes {', '.join(missing)}, which tests/test_isolation.py "
            f"does not know: add {'them' if len(missing) > 1 else 'it'} to ARGUMENTS with records of the own "
            f"and of the other company (extend the `ids` fixture if needed), so that the route's access rules "
            f"are tested", pytrace=False)


def _cases(rule: Rule, ids: dict[str, int], side: str) -> list[dict[str, int]]:
    """Consistent argument sets for ``rule`` from one side ("own" or "other")."""
    _require_mapping(rule)
    names = _placeholders(rule)
    if not names:
        return [{}]
    keys = {name: ARGUMENTS[name][0 if side == "own" else 1] for name in names}
    count = max(len(k) for k in keys.values())
    return [{name: ids[k[i % len(k)]] for name, k in keys.items()} for i in range(count)]


def _url(rule: Rule, values: dict[str, int]) -> str:
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"could not build {rule.rule} from {values}"
    return built[1]


def _send(client, method: str, url: str, token: str | None):
    """One request; state-changing methods carry a valid CSRF token so that the access check,
    not the CSRF check, is what answers."""
    if method == "GET":
        return client.get(url)
    data = {"csrf_token": token} if token else {}
    headers = {"X-CSRFToken": token} if token else {}
    return client.open(url, method=method, data=data, headers=headers)


def _token(client, signed_in: bool) -> str:
    return csrf_token(client, "/" if signed_in else "/login")


def _requests(app: Flask, ids: dict[str, int], side: str, *,
              select_rule=lambda rule: True) -> Iterator[tuple[Rule, str, str]]:
    """(rule, method, url) for every non-public rule chosen by ``select_rule``, every case, every method."""
    for rule in _rules(app):
        if _is_public(rule) or not select_rule(rule):
            continue
        for values in _cases(rule, ids, side):
            url = _url(rule, values)
            for method in _methods(rule):
                yield rule, method, url


def _requests_with(app: Flask, ids: dict[str, int], name: str, value: int) -> Iterator[tuple[Rule, str, str]]:
    """(rule, method, url) for every non-public rule taking ``name``, with ``name`` set to
    ``value`` and the other arguments taken from the other company's side."""
    for rule in _rules(app):
        if _is_public(rule) or name not in _placeholders(rule):
            continue
        url = _url(rule, {**_cases(rule, ids, "other")[0], name: value})
        for method in _methods(rule):
            yield rule, method, url


def _is_record_route(rule: Rule) -> bool:
    return any(name not in NEUTRAL_ARGUMENTS for name in _placeholders(rule))


def _takes(*names: str):
    return lambda rule: any(name in rule.arguments for name in names)


def _report(failures: list[str], what: str) -> None:
    assert not failures, f"{what}:\n  " + "\n  ".join(failures)


# --- the map itself ---

def test_every_url_argument_is_known(app: Flask) -> None:
    """A route with an argument this file cannot fill would escape every test below."""
    unknown = {f"{rule.rule} ({rule.endpoint}): {', '.join(_unmapped(rule))}"
               for rule in _rules(app) if _unmapped(rule)}
    assert not unknown, ("add these URL arguments to ARGUMENTS in tests/test_isolation.py: "
                         + "; ".join(sorted(unknown)))


def test_the_walk_covers_the_record_routes(app: Flask, ids: dict[str, int]) -> None:
    """Guards the walk itself: the record routes of the foundation are among the requests."""
    walked = {rule.endpoint for rule, _, _ in _requests(app, ids, "other", select_rule=_is_record_route)}
    assert {"companies.show", "disclosure.show", "receipts.show"} <= walked
    assert not walked & PUBLIC_ENDPOINTS


# --- visitors ---

def test_visitors_are_sent_to_sign_in_everywhere_but_public_pages(app: Flask, ids: dict[str, int],
                                                                  client_as) -> None:
    client = client_as("anonymous")
    token = _token(client, signed_in=False)
    failures, checked = [], 0
    for side in ("own", "other"):
        for rule, method, url in _requests(app, ids, side):
            checked += 1
            response = _send(client, method, url, token)
            if rule.rule.startswith("/api/"):
                if response.status_code != 401 or not response.is_json:
                    failures.append(f"{method} {url}: {response.status_code} {response.content_type}, expected 401 JSON")
                continue
            location = urlsplit(response.headers.get("Location", ""))
            # a page read is come back to after signing in; a form's POST-only address is not
            expected_next = [url] if method == "GET" else None
            if response.status_code != 302 or location.path != "/login":
                failures.append(f"{method} {url}: {response.status_code} → {location.geturl() or '-'}, "
                                f"expected 302 to /login")
            elif parse_qs(location.query).get("next") != expected_next:
                failures.append(f"{method} {url}: next={parse_qs(location.query).get('next')}, "
                                f"expected {expected_next}")
    _report(failures, "pages a visitor reached without signing in")
    assert checked >= 10


def test_visitors_see_the_public_pages(client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 200


def test_api_routes_answer_401_json_to_visitors_and_403_json_to_others(app: Flask, ids: dict[str, int]) -> None:
    """There is no API yet; a probe route shows what every ``/api/`` route will answer."""

    @login_required
    def probe(company_id: int):
        return jsonify(name=company_services.get_company(current_user, company_id).legal_name)

    app.add_url_rule("/api/v1/probe/companies/<int:company_id>", "api_probe", probe)
    client = app.test_client()
    response = client.get(f"/api/v1/probe/companies/{ids['other_company']}")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    login(client, EMAILS["filer"])
    assert client.get(f"/api/v1/probe/companies/{ids['own_company']}").get_json() == {"name": "Own Mining LLC"}
    denied = client.get(f"/api/v1/probe/companies/{ids['other_company']}")
    assert denied.status_code == 403
    assert denied.get_json()["error"]["code"] == "forbidden"


def test_a_form_sent_after_the_session_ended_leads_to_sign_in_without_a_dead_end(client, ids) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    signed_in = post_form(client, response.headers["Location"], {"email": EMAILS["filer"], "password": PASSWORD})
    assert signed_in.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(client, ids: dict[str, int]) -> None:
    page = f"/register/companies/{ids['own_company']}"
    response = client.get(page)
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert parse_qs(urlsplit(login_page).query)["next"] == [page]
    signed_in = post_form(client, login_page, {"email": EMAILS["filer"], "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == page
    assert "Own Mining LLC" in client.get(page).get_data(as_text=True)


# --- company filers ---

@pytest.mark.parametrize(("who", "foreign_side"), [("filer", "other"), ("other_filer", "own")])
def test_filers_get_403_or_404_for_every_record_of_another_company(app: Flask, ids: dict[str, int], client_as,
                                                                   who: str, foreign_side: str) -> None:
    client = client_as(who)
    token = _token(client, signed_in=True)
    failures, checked = [], set()
    for rule, method, url in _requests(app, ids, foreign_side, select_rule=_is_record_route):
        checked.add(rule.endpoint)
        response = _send(client, method, url, token)
        # the API takes tokens only: a page's sign-in is refused there before any record is looked at
        # (with a token, another person's record is 404: tests/notifications/test_inbox.py)
        refused = (*DENIED, 401) if rule.rule.startswith("/api/") else DENIED
        if response.status_code not in refused:
            failures.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
    _report(failures, f"records of another company that the {who} reached")
    assert {"companies.show", "disclosure.show"} <= checked


@pytest.mark.parametrize(("who", "company", "disclosures"), [
    ("filer", "own_company", ["own_disclosure", "own_submitted"]),
    ("other_filer", "other_company", ["other_disclosure", "other_submitted"]),
])
def test_filers_see_their_own_company_and_filings(ids: dict[str, int], client_as, who: str, company: str,
                                                   disclosures: list[str]) -> None:
    """Positive control: the denials above are about whose record it is, not broken pages."""
    client = client_as(who)
    with_name = "Own Mining LLC" if company == "own_company" else "Other Mining LLC"
    response = client.get(f"/register/companies/{ids[company]}")
    assert response.status_code == 200
    assert with_name in response.get_data(as_text=True)
    for key in disclosures:
        response = client.get(f"/disclosures/{ids[key]}")
        assert response.status_code == 200, key
        assert with_name in response.get_data(as_text=True)


def test_the_company_list_of_a_filer_holds_only_their_company(ids: dict[str, int], client_as) -> None:
    page = client_as("filer").get("/register/companies/").get_data(as_text=True)
    assert "Own Mining LLC" in page
    assert "Other Mining LLC" not in page


def test_no_page_a_filer_can_reach_names_another_company(app: Flask, ids: dict[str, int], client_as) -> None:
    """Follow every same-site link from the filer's dashboard; none shows the other company."""
    with app.app_context():
        other_inn = db.session.get(Company, ids["other_company"]).inn
    client = client_as("filer")
    seen, queue = set(), ["/"]
    while queue and len(seen) < 200:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        page = response.get_data(as_text=True)
        assert "Other Mining LLC" not in page, path
        assert other_inn not in page, path
        for href in re.findall(r'href="(/[^"/][^"]*|/)"', page):
            if not href.startswith("/static/"):
                queue.append(href)
    assert {f"/register/companies/{ids['own_company']}", f"/disclosures/{ids['own_disclosure']}"} <= seen


# --- administration ---

@pytest.mark.parametrize("who", ["filer", "officer", "secretariat"])
def test_admin_pages_answer_403_to_every_other_role(app: Flask, ids: dict[str, int], client_as, who: str) -> None:
    """``/admin/`` is the administrator's (admin.views.admin_only), whatever the record: the
    secretariat's register rights (permissions.can_manage_companies) do not open these pages."""
    client = client_as(who)
    token = _token(client, signed_in=True)
    failures, checked = [], 0
    for side in ("own", "other"):
        for rule, method, url in _requests(app, ids, side, select_rule=lambda r: r.rule.startswith("/admin/")):
            checked += 1
            response = _send(client, method, url, token)
            if response.status_code != 403:
                failures.append(f"{method} {url}: {response.status_code}")
    _report(failures, f"admin pages that the {who} reached")
    assert checked >= 4


def test_admin_reaches_every_admin_page(app: Flask, ids: dict[str, int], client_as) -> None:
    """Positive control for the 403s above."""
    client = client_as("admin")
    failures = []
    for side in ("own", "other"):
        for rule, method, url in _requests(app, ids, side, select_rule=lambda r: r.rule.startswith("/admin/")):
            if method == "GET":
                response = client.get(url)
                if response.status_code != 200:
                    failures.append(f"GET {url}: {response.status_code}")
    _report(failures, "admin pages that failed for the administrator")


# --- agency officers ---

@pytest.mark.parametrize("who", ["officer", "other_officer"])
def test_officers_never_reach_a_disclosure(app: Flask, ids: dict[str, int], client_as, who: str) -> None:
    client = client_as(who)
    token = _token(client, signed_in=True)
    failures, checked = [], 0
    for side in ("own", "other"):  # drafts and submitted versions of both companies
        for rule, method, url in _requests(app, ids, side, select_rule=_takes("disclosure_id")):
            checked += 1
            response = _send(client, method, url, token)
            if response.status_code not in DENIED:
                failures.append(f"{method} {url}: {response.status_code}")
    _report(failures, f"disclosures that the {who} reached")
    assert checked >= 4


@pytest.mark.parametrize(("who", "own_batch", "foreign_batch"), [
    ("officer", "sts_batch", "scs_batch"), ("other_officer", "scs_batch", "sts_batch"),
])
def test_officers_reach_only_their_agencys_batches(app: Flask, ids: dict[str, int], client_as, who: str,
                                                   own_batch: str, foreign_batch: str) -> None:
    client = client_as(who)
    token = _token(client, signed_in=True)
    response = client.get(f"/receipts/batches/{ids[own_batch]}")
    assert response.status_code == 200
    assert ("Own Mining LLC" if own_batch == "sts_batch" else "Other Mining LLC") in response.get_data(as_text=True)
    failures, checked = [], 0
    for rule, method, url in _requests_with(app, ids, "batch_id", ids[foreign_batch]):
        checked += 1
        response = _send(client, method, url, token)
        if response.status_code not in DENIED:
            failures.append(f"{method} {url}: {response.status_code}")
    _report(failures, f"batches of another agency that the {who} reached")
    assert checked >= 1


# --- EITI secretariat and administrators ---

@pytest.mark.parametrize("who", ["secretariat", "admin"])
def test_staff_never_reach_a_draft_and_read_submitted_filings(app: Flask, ids: dict[str, int], client_as,
                                                              who: str) -> None:
    client = client_as(who)
    token = _token(client, signed_in=True)
    failures, checked = [], 0
    for draft in ("own_disclosure", "other_disclosure"):
        for rule, method, url in _requests_with(app, ids, "disclosure_id", ids[draft]):
            checked += 1
            response = _send(client, method, url, token)
            if response.status_code not in DENIED:
                failures.append(f"{method} {url}: {response.status_code}")
    _report(failures, f"draft disclosures that the {who} reached")
    assert checked >= 2
    for submitted, name in (("other_submitted", "Other Mining LLC"), ("own_submitted", "Own Mining LLC")):
        response = client.get(f"/disclosures/{ids[submitted]}")
        assert response.status_code == 200
        assert name in response.get_data(as_text=True)


# --- scoping helpers, tested directly ---

def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


ALL_ROLES = ["filer", "other_filer", "officer", "other_officer", "secretariat", "admin"]


@pytest.fixture
def every_status(app: Flask, factory, ids: dict[str, int]) -> dict[str, int]:
    """One disclosure of the own company per status (2023 versions), and a draft STS batch."""
    period_2023 = factory.period(2023, PeriodStatus.CLOSED)
    made = {status.value: factory.disclosure(ids["own_company"], period_2023, status, version=n)
            for n, status in enumerate(DisclosureStatus, start=1)}
    made["draft_batch"] = factory.receipt_batch("STS", period_2023, status=BatchStatus.DRAFT)
    return made


@pytest.mark.parametrize("who", ALL_ROLES)
def test_scope_companies(app_ctx, ids: dict[str, int], who: str) -> None:
    user = _user(ids[who])
    seen = set(db.session.scalars(scope_companies(user, select(Company.id))))
    if user.role is Role.COMPANY_FILER:
        assert seen == {user.company_id}
    else:  # the register is readable by agencies (they enter receipts per company) and staff
        assert seen == {ids["own_company"], ids["other_company"]}


@pytest.mark.parametrize("who", ALL_ROLES)
def test_scope_disclosures(app_ctx, ids: dict[str, int], every_status: dict[str, int], who: str) -> None:
    user = _user(ids[who])
    seen = list(db.session.scalars(scope_disclosures(user, select(Disclosure))))
    every = list(db.session.scalars(select(Disclosure)))
    assert len(every) == 4 + len(DisclosureStatus)
    if user.role is Role.COMPANY_FILER:
        # every version of the own company, drafts included, and nothing else
        assert {d.id for d in seen} == {d.id for d in every if d.company_id == user.company_id}
    elif user.role is Role.AGENCY_OFFICER:
        assert seen == []
    else:
        assert {d.id for d in seen} == {d.id for d in every if d.status is not DisclosureStatus.DRAFT}
        assert all(d.status is not DisclosureStatus.DRAFT for d in seen)
        assert {d.company_id for d in seen} == {ids["own_company"], ids["other_company"]}


@pytest.mark.parametrize("who", ALL_ROLES)
def test_scope_receipt_batches(app_ctx, ids: dict[str, int], every_status: dict[str, int], who: str) -> None:
    user = _user(ids[who])
    seen = list(db.session.scalars(scope_receipt_batches(user, select(ReceiptBatch))))
    every = list(db.session.scalars(select(ReceiptBatch)))
    if user.role is Role.COMPANY_FILER:
        assert seen == []
    elif user.role is Role.AGENCY_OFFICER:
        assert seen and {b.id for b in seen} == {b.id for b in every if b.agency_id == user.agency_id}
    else:
        # staff read the submitted batches of every agency, never an agency's draft
        submitted = {b.id for b in every if b.status is not BatchStatus.DRAFT}
        assert len(submitted) == 2 and submitted == {b.id for b in seen}


def test_scoped_queries_compose_with_other_conditions(app_ctx, ids: dict[str, int]) -> None:
    """The scope narrows a statement that already has conditions; it never widens it."""
    filer = _user(ids["filer"])
    stmt = scope_disclosures(filer, select(Disclosure).where(Disclosure.company_id == ids["other_company"]))
    assert list(db.session.scalars(stmt)) == []
    stmt = scope_companies(filer, select(Company).where(Company.legal_name == "Other Mining LLC"))
    assert list(db.session.scalars(stmt)) == []


def test_the_dashboard_of_a_filer_holds_only_their_company(app_ctx, ids: dict[str, int]) -> None:
    data = dashboard_for(_user(ids["filer"]))
    assert data["company"].id == ids["own_company"]
    shown = [row.disclosure for row in data["rows"] if row.disclosure is not None]
    assert shown and all(d.company_id == ids["own_company"] for d in shown)
    assert {row.period.year for row in data["rows"]} == {2024, 2025}


def test_the_dashboard_page_of_a_filer_never_names_another_company(ids: dict[str, int], client_as) -> None:
    page = client_as("filer").get("/").get_data(as_text=True)
    assert "Own Mining LLC" in page
    assert "Other Mining LLC" not in page
    other = client_as("other_filer").get("/").get_data(as_text=True)
    assert "Other Mining LLC" in other and "Own Mining LLC" not in other


@pytest.mark.parametrize("who", ALL_ROLES)
def test_every_role_sees_only_what_the_service_scopes_allow(app_ctx, ids: dict[str, int], who: str) -> None:
    """The register service goes through the scope: a filer's list is their company only."""
    user = _user(ids[who])
    names = [c.legal_name for c in company_services.list_companies(user)]
    expected = ["Own Mining LLC"] if who == "filer" else ["Other Mining LLC"] if who == "other_filer" \
        else ["Other Mining LLC", "Own Mining LLC"]
    assert names == expected


def test_roles_of_the_world_are_what_the_tests_assume(app_ctx, ids: dict[str, int]) -> None:
    roles = {who: _user(ids[who]).role for who in ALL_ROLES}
    assert roles == {"filer": Role.COMPANY_FILER, "other_filer": Role.COMPANY_FILER,
                     "officer": Role.AGENCY_OFFICER, "other_officer": Role.AGENCY_OFFICER,
                     "secretariat": Role.SECRETARIAT, "admin": Role.ADMIN}
    missing = {key for own, other in ARGUMENTS.values() for key in own + other if key not in ids}
    assert not missing, f"ARGUMENTS names records the ids fixture does not make: {missing}"


@pytest.mark.parametrize("scope, model", [(scope_companies, Company), (scope_disclosures, Disclosure),
                                          (scope_receipt_batches, ReceiptBatch)])
def test_the_scopes_give_a_visitor_nothing(app_ctx, ids: dict[str, int], scope, model) -> None:
    """Fail closed: a caller that forgets ``login_required`` lists nothing (rather than everything
    or a 500) for a visitor who is not signed in."""
    assert list(db.session.scalars(select(model)))
    assert list(db.session.scalars(scope(AnonymousUserMixin(), select(model)))) == []
