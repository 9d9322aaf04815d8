"""Discrepancy queries and adjustments (eiti.discrepancies) and their pages (eiti.discrepancy_views)."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from discrepancy_support import make_line, make_run, minor  # noqa: F401
from support import login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.eiti import discrepancies
from esg_portal.eiti.models import (AddressedTo, Adjustment, AdjustmentStatus, DiscrepancyEvidence, DiscrepancyQuery,
                                    DiscrepancyQueryStatus, ReconciliationRun)
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStatus, ReportingPeriod

OWN_INN, OTHER_INN, GHOST_INN = "00000000000101", "00000000000202", "00000000000303"


@pytest.fixture
def data(app: Flask, factory) -> dict[str, int]:
    """2025 open; two registered companies with a filer each, one unregistered company; officers of STS
    and SCS; a run with the own company's royalty line (1), the other company's customs line (2) and the
    unregistered company's royalty line (3); a second run where line 1 has moved to position 5."""
    period = factory.period(2025)
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn=OTHER_INN)
    ghost = factory.company("Ghost Sand LLC", inn=GHOST_INN, is_registered=False)
    ids = {
        "period": period, "own": own, "other": other, "ghost": ghost,
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
    }
    with app.app_context():
        ids["run"] = make_run(period, 1, [
            make_line(1, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00"),
            make_line(2, OTHER_INN, "CUSTOMS", "SCS", "70.00", "91.00"),
            make_line(3, GHOST_INN, "ROYALTY", "STS", None, "55.00", status="government_only"),
        ], ids["secretariat"])
        ids["run2"] = make_run(period, 2, [
            make_line(1, OTHER_INN, "CUSTOMS", "SCS", "70.00", "91.00"),
            make_line(5, OWN_INN, "ROYALTY", "STS", "1234.50", "1500.00"),
        ], ids["secretariat"])
    return ids


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def run(run_id: int) -> ReconciliationRun:
    return db.session.get(ReconciliationRun, run_id)


def client_for(app: Flask, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
    return client


# --- the line page (the reports link to it) -------------------------------------------

def test_the_line_page_shows_the_figures_of_every_run_to_the_secretariat(app: Flask, data) -> None:
    client = client_for(app, "secretariat@test.kg")
    with app.test_request_context():
        from flask import url_for
        path = url_for("discrepancies.line", run_id=data["run"], position=1)
    assert path == f"/discrepancies/runs/{data['run']}/lines/1"
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Own Mining LLC" in text and OWN_INN in text
    assert "1,234.50" in text and "1,500.00" in text and "265.50" in text
    assert 'id="run-1"' in text and 'id="run-2"' in text
    assert f"/discrepancies/runs/{data['run2']}/lines/5" in text
    assert 'id="raise-query"' in text
    assert 'href="/eiti/2025/reconciliation"' in text  # back to the runs page of the period
    assert client.get(f"/discrepancies/runs/{data['run']}/lines/99").status_code == 404



# --- services -------------------------------------------------------------------------

def _raise(ids, addressed_to: str = "company", position: int = 1, question: str = "Why is the royalty short?"):
    return discrepancies.raise_query(user(ids["secretariat"]), run(ids["run"]), position, addressed_to, question)


def _propose(actor_id: int, query: DiscrepancyQuery, amount: str = "265.50", side: str = "company",
             reason: str = "timing", comment: str = "Paid on 2 January", evidence: str | None = "PO 17",
             locale: str = "en") -> Adjustment:
    return discrepancies.propose_adjustment(user(actor_id), query, side, amount, reason, comment, evidence,
                                            locale=locale)


def test_raise_answer_propose_accept_gives_the_adjustment_the_loader_picks(app_ctx, data) -> None:
    query = _raise(data)
    db.session.commit()
    assert (query.status, query.addressed_to, query.company_id, query.agency_id) == (
        DiscrepancyQueryStatus.OPEN, AddressedTo.COMPANY, data["own"], None)
    assert query.run_id == data["run"] and query.period_id == data["period"]
    assert query.line_key == (OWN_INN, "ROYALTY", "STS", "") and query.raised_by_id == data["secretariat"]

    discrepancies.answer_query(user(data["filer"]), query, "  The January payment was late.  ")
    db.session.commit()
    assert query.status is DiscrepancyQueryStatus.ANSWERED and query.answer == "The January payment was late."
    assert query.answered_by_id == data["filer"] and query.answered_at is not None

    adjustment = _propose(data["filer"], query, "265,50", locale="ru")
    db.session.commit()
    assert (adjustment.amount_minor, adjustment.currency, adjustment.side, adjustment.reason) == (
        26550, "KGS", "company", "timing")
    assert adjustment.line_key == query.line_key and adjustment.period_id == data["period"]
    assert adjustment.status is AdjustmentStatus.PROPOSED and adjustment.proposed_by_id == data["filer"]

    discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, True, "")
    discrepancies.close_query(user(data["secretariat"]), query)
    db.session.commit()
    assert adjustment.status is AdjustmentStatus.ACCEPTED and adjustment.decided_by_id == data["secretariat"]
    assert adjustment.decided_at is not None and adjustment.decision_comment is None
    assert query.status is DiscrepancyQueryStatus.CLOSED
    # what the loader feeds into the next run: the period's accepted adjustments
    picked = db.session.scalars(select(Adjustment).where(Adjustment.period_id == data["period"],
                                                         Adjustment.status == AdjustmentStatus.ACCEPTED)).all()
    assert [(a.id, a.line_key, a.side, a.amount_minor, a.reason) for a in picked] == [
        (adjustment.id, (OWN_INN, "ROYALTY", "STS", ""), "company", 26550, "timing")]


def test_a_negative_amount_in_the_users_notation(app_ctx, data) -> None:
    query = _raise(data)
    assert _propose(data["filer"], query, "−1 234,50", locale="ky").amount_minor == -123450
    assert _propose(data["filer"], query, "-1,234.50", locale="en").amount_minor == -123450


def test_the_reject_path_keeps_the_adjustment_out_of_the_final_figures(app_ctx, data) -> None:
    query = _raise(data, "agency")
    adjustment = _propose(data["officer"], query, side="government")
    with pytest.raises(ValidationError) as error:
        discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, False, "  ")
    assert list(error.value.errors) == ["comment"]
    assert adjustment.status is AdjustmentStatus.PROPOSED
    discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, False, "No receipt supports it.")
    db.session.commit()
    assert adjustment.status is AdjustmentStatus.REJECTED and adjustment.decision_comment == "No receipt supports it."
    assert adjustment.decided_by_id == data["secretariat"] and adjustment.decided_at is not None
    assert db.session.scalars(select(Adjustment).where(Adjustment.status == AdjustmentStatus.ACCEPTED)).all() == []


@pytest.mark.parametrize(("first", "second"), [(True, False), (False, True), (True, True), (False, False)])
def test_a_decided_adjustment_cannot_be_decided_again(app_ctx, data, first: bool, second: bool) -> None:
    adjustment = _propose(data["filer"], _raise(data))
    discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, first, "reason")
    db.session.commit()
    decided = (adjustment.status, adjustment.decided_at)
    with pytest.raises(InvalidTransition):
        discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, second, "again")
    assert (adjustment.status, adjustment.decided_at) == decided


def test_invalid_side_reason_amount_and_comment_are_field_errors_all_at_once(app_ctx, data) -> None:
    query = _raise(data)
    with pytest.raises(ValidationError) as error:
        _propose(data["filer"], query, amount="12.345", side="both", reason="fraud", comment=" ")
    assert set(error.value.errors) == {"side", "reason", "amount", "comment"}
    assert "more than 2 decimals" in error.value.errors["amount"][0]
    assert "reason" in error.value.errors["reason"][0]
    assert db.session.scalars(select(Adjustment)).all() == []


@pytest.mark.parametrize(("amount", "words"), [("", "required"), ("abc", "not a number"), ("0", "zero"),
                                               ("1e5", "exponent"), ("NaN", "finite"),
                                               ("1000000000000000", "too large")])
def test_amounts_that_are_refused(app_ctx, data, amount: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        _propose(data["filer"], _raise(data), amount=amount)
    assert list(error.value.errors) == ["amount"]
    assert words in error.value.errors["amount"][0]


def test_reason_codes_are_the_engines(app_ctx, data) -> None:
    from esg_portal.eiti.reconciliation import REASON_CODES
    query = _raise(data)
    for code in REASON_CODES:
        assert _propose(data["filer"], query, reason=code).reason == code
    for code in ("Timing", "error", "not_reported", ""):
        with pytest.raises(ValidationError) as error:
            _propose(data["filer"], query, reason=code)
        assert list(error.value.errors) == ["reason"]


def test_messages_are_in_the_users_language(app: Flask, data) -> None:
    """The amount's message comes from the shared number rules, already translated; the notation follows
    the language too ("1.234" is 1.234 in en, refused in ru where "," is the decimal mark)."""
    with app.test_request_context("/?lang=ru"):
        query = _raise(data)
        with pytest.raises(ValidationError) as error:
            _propose(data["filer"], query, amount="abc")
        assert re.search("[а-яА-Я]", error.value.errors["amount"][0]), error.value.errors["amount"][0]
        assert _propose(data["filer"], query, amount="1 234,50").amount_minor == 123450
        db.session.rollback()


def test_a_company_without_an_account_cannot_be_asked(app_ctx, data) -> None:
    with pytest.raises(ValidationError) as error:
        _raise(data, "company", position=3)
    message = error.value.errors["addressed_to"][0]
    assert "Ghost Sand LLC" in message and "no account" in message
    # a registered company whose filers' accounts were all switched off is refused the same way
    db.session.get(User, data["other_filer"]).is_active = False
    with pytest.raises(ValidationError):
        _raise(data, "company", position=2)
    # its agency can be asked
    assert _raise(data, "agency", position=3).agency.code == "STS"


def test_an_agency_without_an_officer_cannot_be_asked(app_ctx, data) -> None:
    db.session.get(User, data["other_officer"]).is_active = False
    with pytest.raises(ValidationError) as error:
        _raise(data, "agency", position=2)
    assert "State Customs Service" in error.value.errors["addressed_to"][0]


def test_raise_query_checks_its_input(app_ctx, data) -> None:
    for addressed_to, question, field in (("both", "?", "addressed_to"), ("company", "  ", "question"),
                                          ("company", "x" * 2001, "question")):
        with pytest.raises(ValidationError) as error:
            _raise(data, addressed_to, question=question)
        assert list(error.value.errors) == [field]
    with pytest.raises(NotFound):
        _raise(data, position=42)


@pytest.mark.parametrize("who", ["filer", "officer", "admin"])
def test_only_the_secretariat_raises_decides_and_closes(app_ctx, data, who: str) -> None:
    query = _raise(data)
    adjustment = _propose(data["filer"], query)
    with pytest.raises(PermissionDenied):
        discrepancies.raise_query(user(data[who]), run(data["run"]), 1, "company", "?")
    with pytest.raises(PermissionDenied):
        discrepancies.decide_adjustment(user(data[who]), adjustment, True, "")
    with pytest.raises(PermissionDenied):
        discrepancies.close_query(user(data[who]), query)
    with pytest.raises(PermissionDenied):
        discrepancies.line_history(user(data[who]), 2025, query.line_key)


def test_only_the_addressee_answers(app_ctx, data) -> None:
    to_company, to_agency = _raise(data, "company"), _raise(data, "agency")
    for who, query in (("other_filer", to_company), ("officer", to_company), ("filer", to_agency),
                       ("other_officer", to_agency), ("admin", to_company)):
        with pytest.raises(NotFound):
            discrepancies.answer_query(user(data[who]), query, "!")
        with pytest.raises(NotFound):
            _propose(data[who], query)
    with pytest.raises(PermissionDenied):
        discrepancies.answer_query(user(data["secretariat"]), to_company, "!")
    discrepancies.answer_query(user(data["officer"]), to_agency, "Received on 3 January.")
    with pytest.raises(InvalidTransition):
        discrepancies.answer_query(user(data["officer"]), to_agency, "Again")
    # the secretariat may propose on any query (an adjustment agreed outside the portal)
    assert _propose(data["secretariat"], to_company).proposed_by_id == data["secretariat"]


def test_an_agency_proposes_changes_of_the_government_figure_only(app_ctx, data) -> None:
    query = _raise(data, "agency")
    with pytest.raises(ValidationError) as error:
        _propose(data["officer"], query, side="company")
    assert list(error.value.errors) == ["side"]
    assert _propose(data["officer"], query, side="government").side == "government"


def test_closing(app_ctx, data) -> None:
    query = _raise(data)
    adjustment = _propose(data["filer"], query)
    with pytest.raises(InvalidTransition):
        discrepancies.close_query(user(data["secretariat"]), query)
    discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, False, "no")
    discrepancies.close_query(user(data["secretariat"]), query)
    with pytest.raises(InvalidTransition):
        discrepancies.close_query(user(data["secretariat"]), query)
    with pytest.raises(InvalidTransition):
        _propose(data["filer"], query)
    with pytest.raises(InvalidTransition):
        discrepancies.answer_query(user(data["filer"]), query, "late")


def test_reconciliation_goes_on_after_the_filing_period_closes(app_ctx, data) -> None:
    """Closing a period stops filing, not reconciliation: queries and adjustments change no submitted figure."""
    db.session.get(ReportingPeriod, data["period"]).status = PeriodStatus.CLOSED
    query = _raise(data)
    discrepancies.answer_query(user(data["filer"]), query, "paid in January")
    adjustment = _propose(data["filer"], query)
    discrepancies.decide_adjustment(user(data["secretariat"]), adjustment, True, "")
    discrepancies.close_query(user(data["secretariat"]), query)
    assert adjustment.status.value == "accepted" and query.status.value == "closed"


def test_the_line_history_follows_the_key_across_runs(app_ctx, data) -> None:
    query = _raise(data)
    adjustment = _propose(data["filer"], query)
    _raise(data, position=2)  # another key
    history = discrepancies.line_history(user(data["secretariat"]), 2025, (OWN_INN, "ROYALTY", "STS", ""))
    assert [(item.run.number, item.line.position if item.line else None) for item in history.runs] == [(1, 1), (2, 5)]
    assert history.queries == [query] and history.adjustments == [adjustment]
    assert history.names.company.legal_name == "Own Mining LLC" and history.names.entity.code == "STS"
    gone = discrepancies.line_history(user(data["secretariat"]), 2025, (GHOST_INN, "ROYALTY", "STS", ""))
    assert [(item.run.number, item.line is not None) for item in gone.runs] == [(1, True), (2, False)]
    with pytest.raises(NotFound):
        discrepancies.line_history(user(data["secretariat"]), 1999, (OWN_INN, "ROYALTY", "STS", ""))


def test_listings_are_scoped_by_role(app_ctx, data) -> None:
    own_company, own_agency = _raise(data, "company", 1), _raise(data, "agency", 1)
    other_company, other_agency = _raise(data, "company", 2), _raise(data, "agency", 2)
    ghost_agency = _raise(data, "agency", 3)
    seen = {who: [q.id for q in discrepancies.queries_for(user(data[who]), 2025)]
            for who in ("filer", "other_filer", "officer", "other_officer", "secretariat")}
    assert seen == {"filer": [own_company.id], "other_filer": [other_company.id],
                    "officer": [own_agency.id, ghost_agency.id], "other_officer": [other_agency.id],
                    "secretariat": [own_company.id, own_agency.id, other_company.id, other_agency.id,
                                    ghost_agency.id]}
    with pytest.raises(PermissionDenied):
        discrepancies.queries_for(user(data["admin"]), 2025)
    assert discrepancies.open_query_counts(user(data["officer"])) == [(2025, 2, 2)]
    assert discrepancies.open_query_counts(user(data["admin"])) == []


def test_what_each_reader_sees_of_the_figures(app_ctx, data) -> None:
    to_company, to_agency = _raise(data, "company"), _raise(data, "agency")
    _propose(data["secretariat"], to_agency, side="company", amount="5")
    government_side = _propose(data["officer"], to_agency, side="government", amount="-5")
    company = discrepancies.query_view(user(data["filer"]), to_company.id)
    assert (company.company_amount_minor, company.government_amount_minor) == (123450, 150000)
    assert company.show_company_amount and company.history is None and company.can_answer
    agency = discrepancies.query_view(user(data["officer"]), to_agency.id)
    assert agency.company_amount_minor is None and agency.government_amount_minor == 150000
    assert not agency.show_company_amount and not agency.show_gap and agency.history is None
    assert agency.adjustments == [government_side]
    staff = discrepancies.query_view(user(data["secretariat"]), to_agency.id)
    assert len(staff.adjustments) == 2 and staff.history is not None and staff.can_decide
    with pytest.raises(NotFound):
        discrepancies.query_view(user(data["other_officer"]), to_agency.id)


def test_an_accepted_adjustment_enters_the_next_run(app_ctx, factory) -> None:
    """End to end with the run service: the accepted company-side correction closes the gap."""
    runs = pytest.importorskip("esg_portal.eiti.runs")
    from esg_portal.disclosure.models import DisclosureStatus
    period = factory.period(2025)
    company = factory.company("Alpha Mining LLC", inn="00000000000011")
    filer = factory.user(Role.COMPANY_FILER, "alpha@test.kg", company_id=company)
    secretariat = factory.user(Role.SECRETARIAT, "sec@test.kg")
    factory.disclosure(company, period, DisclosureStatus.SUBMITTED, payments=[("CIT", "STS", "450.00")])
    factory.receipt_batch("STS", period, [(company, "CIT", "500.00")])
    first = runs.run_reconciliation(user(secretariat), 2025)
    db.session.commit()
    line = next(line for line in first.lines if line.revenue_stream == "CIT")
    assert (line.status, line.final_gap_minor) == ("discrepancy", 5000)
    query = discrepancies.raise_query(user(secretariat), first, line.position, "company", "Gap of 50?")
    adjustment = discrepancies.propose_adjustment(user(filer), query, "company", "50", "omission",
                                                  "A late payment was left out.", locale="en")
    discrepancies.decide_adjustment(user(secretariat), adjustment, True)
    db.session.commit()
    second = runs.run_reconciliation(user(secretariat), 2025)
    db.session.commit()
    line = next(line for line in second.lines if line.revenue_stream == "CIT")
    assert (line.company_final_minor, line.final_gap_minor, line.status, line.explanation) == (
        50000, 0, "reconciled", "omission")
    history = discrepancies.line_history(user(secretariat), 2025, line_key := discrepancies.line_key(line))
    assert [item.line.company_final_minor for item in history.runs] == [45000, 50000]
    assert query.line_key == line_key


# --- pages ----------------------------------------------------------------------------

EMAILS = {"filer": "filer@test.kg", "other_filer": "other@test.kg", "officer": "officer@test.kg",
          "other_officer": "customs@test.kg", "secretariat": "secretariat@test.kg", "admin": "admin@test.kg"}


def line_path(data, position: int = 1, run_key: str = "run") -> str:
    return f"/discrepancies/runs/{data[run_key]}/lines/{position}"


def raise_by_page(app: Flask, data, addressed_to: str = "company", position: int = 1) -> int:
    client = client_for(app, EMAILS["secretariat"])
    path = line_path(data, position)
    response = post_form(client, f"{path}/queries", {"addressed_to": addressed_to, "question": "Why the gap?"},
                         form_page=path)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        query_id = db.session.scalars(select(DiscrepancyQuery.id).order_by(DiscrepancyQuery.id.desc())).first()
    assert response.headers["Location"].endswith(f"{path}#query-{query_id}")
    return query_id


@pytest.mark.parametrize("addressed_to, who", [("company", "filer"), ("agency", "officer")])
def test_the_answer_box_is_named_once_under_the_question(app: Flask, data, addressed_to, who) -> None:
    query_id = raise_by_page(app, data, addressed_to)
    page = client_for(app, EMAILS[who]).get(f"/discrepancies/queries/{query_id}").get_data(as_text=True)
    assert 'id="answer-form"' in page
    assert page.count("Your answer") == 1, "the answer box is announced twice (a heading and its label)"
    assert re.search(r'<label for="answer">\s*Your answer\s*</label>', page)
    question, form = page.index('id="question"'), page.index('id="answer-form"')
    assert question < form  # the box follows the question it answers


def test_the_whole_workflow_through_the_pages_is_attributed_in_the_audit_trail(app: Flask, data) -> None:
    query_id = raise_by_page(app, data)
    query_path = f"/discrepancies/queries/{query_id}"
    filer = client_for(app, EMAILS["filer"])
    dashboard = filer.get("/").get_data(as_text=True)
    assert 'href="/discrepancies/2025"' in dashboard and "1 question waits for your answer" in dashboard
    assert f'href="{query_path}"' in filer.get("/discrepancies/2025").get_data(as_text=True)

    response = post_form(filer, f"{query_path}/answer", {"answer": "Paid late, on 2 January."}, form_page=query_path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{query_path}#answer-heading")
    response = post_form(filer, f"{query_path}/adjustments", {
        "side": "company", "amount": "265.50", "reason": "timing", "comment": "Paid on 2 January.",
        "evidence": "Payment order 17"}, form_page=query_path)
    assert response.status_code == 302
    page = filer.get(query_path).get_data(as_text=True)
    assert "Paid late, on 2 January." in page and "265.50" in page and "Timing difference" in page
    assert 'id="adjustment-form"' in page and 'id="answer-form"' not in page and 'id="decide-' not in page

    secretariat = client_for(app, EMAILS["secretariat"])
    with app.app_context():
        adjustment_id = db.session.scalar(select(Adjustment.id))
    page = secretariat.get(line_path(data)).get_data(as_text=True)
    assert f'id="decide-{adjustment_id}"' in page and "Paid late, on 2 January." in page
    response = post_form(secretariat, f"/discrepancies/adjustments/{adjustment_id}/decision",
                         {"decision": "accept", "comment": "", "run_id": str(data["run"]), "position": "1"},
                         form_page=line_path(data))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{line_path(data)}#adjustment-{adjustment_id}")
    assert "The adjustment was accepted." in secretariat.get(line_path(data)).get_data(as_text=True)
    response = post_form(secretariat, f"{query_path}/close", {}, form_page=query_path)
    assert response.status_code == 302

    with app.app_context():
        query = db.session.get(DiscrepancyQuery, query_id)
        adjustment = db.session.get(Adjustment, adjustment_id)
        assert query.status is DiscrepancyQueryStatus.CLOSED and adjustment.status is AdjustmentStatus.ACCEPTED
        events = db.session.execute(select(AuditEvent.table_name, AuditEvent.action, AuditEvent.actor_id,
                                           AuditEvent.changes).where(
            AuditEvent.table_name.in_(["discrepancy_query", "adjustment"])).order_by(AuditEvent.id)).all()
    steps = [(table, action, actor, sorted(changes)) for table, action, actor, changes in events]
    assert [(table, action, actor) for table, action, actor, _ in steps] == [
        ("discrepancy_query", "create", data["secretariat"]),
        ("discrepancy_query", "update", data["filer"]),
        ("adjustment", "create", data["filer"]),
        ("adjustment", "update", data["secretariat"]),
        ("discrepancy_query", "update", data["secretariat"]),
    ]
    assert {"answer", "answered_by_id", "answered_at", "status"} <= set(steps[1][3])
    assert {"status", "decided_by_id", "decided_at"} <= set(steps[3][3])
    assert events[3].changes["status"] == ["proposed", "accepted"]
    assert events[4].changes["status"] == ["answered", "closed"]


def test_forms_with_errors_come_back_with_422_and_the_messages(app: Flask, data) -> None:
    secretariat = client_for(app, EMAILS["secretariat"])
    response = post_form(secretariat, f"{line_path(data, 3)}/queries", {"addressed_to": "company", "question": "?"},
                         form_page=line_path(data, 3))
    assert response.status_code == 422
    assert "Ghost Sand LLC has no account on the portal" in response.get_data(as_text=True)
    response = post_form(secretariat, f"{line_path(data)}/queries", {"addressed_to": "company", "question": " "},
                         form_page=line_path(data))
    assert response.status_code == 422 and "Write the question." in response.get_data(as_text=True)

    query_id = raise_by_page(app, data)
    query_path = f"/discrepancies/queries/{query_id}"
    filer = client_for(app, EMAILS["filer"])
    response = post_form(filer, f"{query_path}/adjustments", {
        "side": "sideways", "amount": "12.3456", "reason": "luck", "comment": ""}, form_page=query_path)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the side to adjust" in page and "more than 2 decimals" in page
    assert "Choose one of the reasons in the list." in page and "Explain the adjustment" in page
    assert 'value="12.3456"' in page  # what was typed is kept
    response = post_form(filer, f"{query_path}/answer", {"answer": ""}, form_page=query_path)
    assert response.status_code == 422 and "Write your answer to the question." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Adjustment)).all() == []

    post_form(filer, f"{query_path}/adjustments", {"side": "company", "amount": "1", "reason": "other",
                                                   "comment": "c"}, form_page=query_path)
    with app.app_context():
        adjustment_id = db.session.scalar(select(Adjustment.id))
    response = post_form(secretariat, f"/discrepancies/adjustments/{adjustment_id}/decision",
                         {"decision": "reject", "comment": ""}, form_page=query_path)
    assert response.status_code == 422
    assert "Say why the adjustment is rejected" in response.get_data(as_text=True)


def test_a_second_decision_is_refused_on_the_page(app: Flask, data) -> None:
    query_id = raise_by_page(app, data)
    query_path = f"/discrepancies/queries/{query_id}"
    filer, secretariat = client_for(app, EMAILS["filer"]), client_for(app, EMAILS["secretariat"])
    post_form(filer, f"{query_path}/adjustments", {"side": "company", "amount": "-3", "reason": "entry_error",
                                                   "comment": "typo"}, form_page=query_path)
    with app.app_context():
        adjustment_id = db.session.scalar(select(Adjustment.id))
    decision = f"/discrepancies/adjustments/{adjustment_id}/decision"
    assert post_form(secretariat, decision, {"decision": "reject", "comment": "No."},
                     form_page=query_path).status_code == 302
    response = post_form(secretariat, decision, {"decision": "accept"}, form_page=query_path)
    assert response.status_code == 302
    assert "This adjustment has already been decided." in secretariat.get(query_path).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Adjustment, adjustment_id).status is AdjustmentStatus.REJECTED


def test_the_agency_never_sees_the_company_amount(app: Flask, data) -> None:
    query_id = raise_by_page(app, data, "agency")
    query_path = f"/discrepancies/queries/{query_id}"
    secretariat = client_for(app, EMAILS["secretariat"])
    post_form(secretariat, f"{query_path}/adjustments", {"side": "company", "amount": "777.77", "reason": "other",
                                                         "comment": "Zephyrine note"}, form_page=query_path)
    officer = client_for(app, EMAILS["officer"])
    pages = [officer.get(path) for path in (query_path, "/discrepancies/2025", "/")]
    assert [p.status_code for p in pages] == [200, 200, 200]
    text = pages[0].get_data(as_text=True)
    assert "1,500.00" in text  # its own amount
    assert "the company’s figures are not shown to agencies" in text
    assert 'value="company"' not in text  # it proposes changes of its own figure only
    for page in pages:
        body = page.get_data(as_text=True)
        for figure in ("1,234.50", "1234.50", "265.50", "777.77", "Zephyrine"):
            assert figure not in body
    assert officer.get(line_path(data)).status_code == 403
    company_view = client_for(app, EMAILS["filer"])
    assert company_view.get(query_path).status_code == 404


def test_the_company_sees_its_amount_and_the_government_amount(app: Flask, data) -> None:
    query_path = f"/discrepancies/queries/{raise_by_page(app, data)}"
    text = client_for(app, EMAILS["filer"]).get(query_path).get_data(as_text=True)
    assert "1,234.50" in text and "1,500.00" in text and "265.50" in text
    assert 'id="runs"' not in text and "/discrepancies/runs/" not in text  # no run table, no other lines


def test_names_are_shown_in_the_readers_language(app: Flask, data) -> None:
    query_path = f"/discrepancies/queries/{raise_by_page(app, data, 'agency')}"
    officer = client_for(app, EMAILS["officer"])
    text = officer.get(f"{query_path}?lang=ru").get_data(as_text=True)
    assert "Роялти" in text and "Государственная налоговая служба" in text
    text = officer.get(f"{query_path}?lang=ky").get_data(as_text=True)
    assert "Мамлекеттик салык кызматы" in text
    assert "Роялти" in officer.get("/discrepancies/2025?lang=ru").get_data(as_text=True)


DENIED = (403, 404)


def _discrepancy_requests(app: Flask, values: dict[str, int]) -> list[tuple[str, str]]:
    requests = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "discrepancies":
            continue
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        requests += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return requests


def _send(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    # signed-in pages carry the token in the header's forms; a visitor's, on the sign-in form
    page = client.get("/").get_data(as_text=True) + client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return client.post(url, data={"csrf_token": token.group(1) if token else ""})


def test_every_discrepancy_route_is_closed_to_other_companies_other_agencies_and_visitors(app: Flask, data) -> None:
    own_company, own_agency = raise_by_page(app, data, "company"), raise_by_page(app, data, "agency")
    with app.app_context():
        for query_id, who, side in ((own_company, "filer", "company"), (own_agency, "officer", "government")):
            _propose(data[who], db.session.get(DiscrepancyQuery, query_id), side=side)
            # a file of each answer (the row is enough: strangers are refused before the file is looked for)
            db.session.add(DiscrepancyEvidence(query_id=query_id, original_name="order.pdf",
                                               stored_name=f"{query_id:0>64}", sha256="0" * 64,
                                               media_type="application/pdf", size_bytes=1))
        db.session.commit()
        adjustments = dict(db.session.execute(select(Adjustment.query_id, Adjustment.id)).all())
        evidence = dict(db.session.execute(select(DiscrepancyEvidence.query_id, DiscrepancyEvidence.id)).all())
    cases = [{"run_id": data["run"], "position": 1, "discrepancy_query_id": query_id,
              "adjustment_id": adjustments[query_id], "discrepancy_evidence_id": evidence[query_id], "year": 2025}
             for query_id in (own_company, own_agency)]
    requests = [r for values in cases for r in _discrepancy_requests(app, values)]
    # 3 line routes (the page, a question, a recorded explanation), the list, 6 routes per query (with its file)
    assert len({url for _, url in requests}) == 16
    failures = []
    for who in ("other_filer", "other_officer", "admin"):
        client = client_for(app, EMAILS[who])
        for method, url in requests:
            if url == "/discrepancies/2025" and who != "admin":
                continue  # their own (empty) list: checked below
            status = _send(client, method, url).status_code
            if status not in DENIED:
                failures.append(f"{who} {method} {url}: {status}")
    # each addressee is a stranger to the other's query
    for who, foreign in (("filer", own_agency), ("officer", own_company)):
        client = client_for(app, EMAILS[who])
        for method, url in _discrepancy_requests(app, {**cases[0], "discrepancy_query_id": foreign,
                                                       "adjustment_id": adjustments[foreign],
                                                       "discrepancy_evidence_id": evidence[foreign]}):
            if "/queries/" in url or "/adjustments/" in url or "/runs/" in url or "/evidence/" in url:
                status = _send(client, method, url).status_code
                if status not in DENIED:
                    failures.append(f"{who} {method} {url}: {status}")
    anonymous = app.test_client()
    for method, url in requests:
        response = _send(anonymous, method, url)
        if response.status_code != 302 or not response.headers["Location"].startswith("/login"):
            failures.append(f"anonymous {method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    for who in ("other_filer", "other_officer"):
        client = client_for(app, EMAILS[who])
        listing = client.get("/discrepancies/2025")
        assert listing.status_code == 200
        body = listing.get_data(as_text=True)
        assert "Own Mining LLC" not in body and f"/discrepancies/queries/{own_company}" not in body
        assert f"/discrepancies/queries/{own_agency}" not in body
        assert 'id="discrepancy-links"' not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(DiscrepancyQuery.status)).all() == [DiscrepancyQueryStatus.OPEN] * 2
        assert db.session.scalars(select(Adjustment.status)).all() == [AdjustmentStatus.PROPOSED] * 2


def test_a_missing_period_or_record_is_404(app: Flask, data) -> None:
    client = client_for(app, EMAILS["secretariat"])
    assert client.get("/discrepancies/1999").status_code == 404
    assert client.get("/discrepancies/queries/999").status_code == 404
    assert client.get("/discrepancies/runs/999/lines/1").status_code == 404
