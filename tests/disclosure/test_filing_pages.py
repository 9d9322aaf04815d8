"""The filer's filing pages through the test client: the editor, declarations, submission,
read-only versions, amendments, the difference page, queries and who may see what."""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from babel.support import Translations
from flask import Flask
from sqlalchemy import func, select

import esg_portal
from support import csrf_token, login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import License
from esg_portal.disclosure import review
from esg_portal.disclosure.attestation import attestation_text
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine, QueryStatus
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStatus

FILING = "/disclosures/filing/2025"
LINE = {"revenue_stream": "CIT", "government_entity": "STS", "project": "", "amount": "2 500.75",
        "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
        "recipient_locality": "", "comment": ""}
ATTEST = {"attested_by_name": "Aibek Testov", "attested_by_position": "General director", "confirm": "y",
          "language": "en"}
CATALOGS = Path(esg_portal.__file__).parent / "translations"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


def field_error(page: str, field_id: str) -> str:
    """The error message shown next to the field ``field_id`` ('' when none)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def ky(message: str) -> str:
    return Translations.load(str(CATALOGS), ["ky"]).gettext(message)


@pytest.fixture
def ids(app: Flask, factory, world: dict[str, int]) -> dict[str, int]:
    extra = {"assistant": factory.user(Role.COMPANY_FILER, "assistant@test.kg", company_id=world["own_company"]),
             "own_line": None}
    with app.app_context():
        extra["own_line"] = db.session.get(Disclosure, world["own_disclosure"]).payment_lines[0].id
        extra["licence_number"] = db.session.get(License, world["own_licence"]).number
        user = db.session.get(User, world["filer"])
        user.full_name, user.position = "Aibek Testov", "General director"
        db.session.commit()
    return {**world, **extra}


@pytest.fixture
def as_user(app: Flask, ids):
    def make(email: str):
        client = app.test_client()
        login(client, email)
        return client
    return make


@pytest.fixture
def filer(as_user):
    return as_user("filer@test.kg")


def lines_of(app: Flask, disclosure_id: int) -> list[tuple[str, int, str]]:
    with app.app_context():
        disclosure = db.session.get(Disclosure, disclosure_id)
        return sorted((line.revenue_stream.code, line.amount_minor, line.comment or "")
                      for line in disclosure.payment_lines)


def status_of(app: Flask, disclosure_id: int) -> DisclosureStatus:
    with app.app_context():
        return db.session.get(Disclosure, disclosure_id).status


def count_disclosures(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Disclosure.id)))


def submit(client, data=None):
    return post_form(client, f"{FILING}/submit", {**ATTEST, **(data or {})})


# --- the editor ------------------------------------------------------------------------

def test_the_filing_page_shows_the_draft_with_deadline_checklist_profile_and_totals(filer, ids):
    response = filer.get(FILING)
    assert response.status_code == 200
    page = text(response)
    assert "Own Mining LLC" in page and "Other Mining LLC" not in page
    assert 'id="filing-status"' in page and "Draft" in page
    assert "(UTC+6)" in page  # the deadline in Bishkek time
    assert "saved as you go" in page and "no separate “save draft” step" in page
    # the checklist tells provided, declared and not provided apart
    checklist = re.search(r'id="checklist-table".*?</table>', page, re.S).group(0)
    assert "state-provided" in checklist and "state-missing" in checklist
    assert "1 payment line<" in checklist
    # the profile as it will be copied, with the licences and the way to get it corrected
    assert ids["licence_number"] in page and 'id="register-correction"' in page
    # the line and the server-side totals
    assert "1,000.50" in page
    assert re.search(r'id="totals-kgs">1,000.50<', page)
    assert "half-even to the tyiyn" in page and "87.4500" in page
    # the forms of a draft: add a line, declare nil (no: there are lines), upload, templates
    assert 'id="add-line"' in page and 'id="upload-form"' in page and 'id="template-xlsx"' in page
    assert 'id="nil-payments"' not in page
    assert 'for="amount"' in page and 'for="revenue_stream"' in page
    assert 'id="go-submit"' in page


def test_reading_the_page_of_a_period_without_a_draft_stores_nothing(app, factory, filer, ids):
    factory.period(2026)
    before = count_disclosures(app)
    page = text(filer.get("/disclosures/filing/2026"))
    assert "Not started" in page and 'id="add-line"' in page and 'id="nil-payments"' in page
    assert count_disclosures(app) == before


def test_adding_a_line_saves_it_at_once(app, filer, ids):
    response = post_form(filer, f"{FILING}/lines", LINE, form_page=FILING)
    assert response.status_code == 302
    # back on the new line, which repeats the confirmation (issue 12 §4)
    assert re.search(rf"{FILING}\?saved=(\d+)#line-\1$", response.headers["Location"])
    assert lines_of(app, ids["own_disclosure"]) == [("CIT", 250075, ""), ("ROYALTY", 100050, "")]
    page = text(filer.get(FILING))
    assert "2,500.75" in page and "The payment line was added and saved." in page
    assert re.search(r'id="totals-kgs">3,501.25<', page)


def test_the_first_line_of_a_period_opens_version_one(app, factory, filer, ids):
    factory.period(2026)
    response = post_form(filer, "/disclosures/filing/2026/lines", LINE, form_page=FILING)
    assert response.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Disclosure).where(Disclosure.company_id == ids["own_company"])
                                  .order_by(Disclosure.id.desc()))
        assert (draft.period.year, draft.version, draft.status) == (2026, 1, DisclosureStatus.DRAFT)


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"amount": "12.345"}, "amount", "more than 2 decimals"),
    ({"amount": "-500"}, "comment", "refund and needs a comment"),
    ({"revenue_stream": "ROYALTY", "project": ""}, "project", "levied per project"),
    ({"paid_in_kind": "yes"}, "in_kind_volume", "needs its volume"),
])
def test_a_wrong_line_is_refused_with_the_error_next_to_its_field(app, filer, ids, values, field, words):
    response = post_form(filer, f"{FILING}/lines", {**LINE, **values}, form_page=FILING)
    assert response.status_code == 422
    page = text(response)
    assert words in field_error(page, field)
    assert 'aria-invalid="true"' in page and 'aria-describedby="' in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert f'href="#{field}"' in summary
    # the submitted values are kept in the form
    assert 'value="' + values.get("amount", LINE["amount"]) + '"' in page
    assert lines_of(app, ids["own_disclosure"]) == [("ROYALTY", 100050, "")]


def test_a_second_line_with_the_same_key_is_refused(app, filer, ids):
    data = {**LINE, "revenue_stream": "ROYALTY", "project": ""}
    with app.app_context():
        db.session.get(PaymentLine, ids["own_line"]).license_id = ids["own_licence"]
        db.session.commit()
    response = post_form(filer, f"{FILING}/lines", {**data, "project": ids["licence_number"]}, form_page=FILING)
    assert response.status_code == 422
    assert "There is already a line" in field_error(text(response), "revenue_stream")
    assert len(lines_of(app, ids["own_disclosure"])) == 1


def test_a_line_is_edited_with_its_values_prefilled_in_the_users_notation(app, filer, ids):
    edit = f"/disclosures/lines/{ids['own_line']}/edit"
    page = text(filer.get(edit + "?lang=ru"))
    assert 'value="1000,50"' in page
    page = text(filer.get(edit + "?lang=en"))
    assert 'value="1000.50"' in page and '<option selected value="ROYALTY">' in page
    response = post_form(filer, edit, {**LINE, "revenue_stream": "CIT", "amount": "-7", "comment": ""})
    assert response.status_code == 422
    assert "refund" in field_error(text(response), "comment")
    response = post_form(filer, edit, {**LINE, "revenue_stream": "CIT", "amount": "-7",
                                       "comment": "Overpayment returned"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#line-{ids['own_line']}")
    assert lines_of(app, ids["own_disclosure"]) == [("CIT", -700, "Overpayment returned")]
    assert "(refund)" in text(filer.get(FILING))


def test_a_line_is_deleted(app, filer, ids):
    response = post_form(filer, f"/disclosures/lines/{ids['own_line']}/delete", {"confirmed": "1"}, form_page=FILING)
    assert response.status_code == 302
    assert lines_of(app, ids["own_disclosure"]) == []
    assert "No payment lines." in text(filer.get(FILING))


# --- nil and not applicable ------------------------------------------------------------

def test_payments_are_declared_nil_only_without_lines_and_the_answer_can_be_withdrawn(app, filer, ids):
    declare = f"{FILING}/declarations/payments"
    token = csrf_token(filer, FILING)
    nil = {"payments-kind": "nil", "payments-reason": "Exploration only: nothing was due.",
           "payments-csrf_token": token}
    response = filer.post(declare, data=nil)
    assert response.status_code == 422
    assert "Delete them before" in text(response)
    post_form(filer, f"/disclosures/lines/{ids['own_line']}/delete", {"confirmed": "1"}, form_page=FILING)

    response = filer.post(declare, data={**nil, "payments-reason": "  "})
    assert response.status_code == 422
    assert "Enter the reason" in field_error(text(response), "payments-reason")

    response = filer.post(declare, data=nil)
    assert response.status_code == 302
    page = text(filer.get(FILING))
    assert "Declared: No payments in this period</strong> — Exploration only: nothing was due." in page
    assert "No payments in this period — Exploration only: nothing was due." in page
    checklist = re.search(r'id="checklist-table".*?</table>', page, re.S).group(0)
    assert re.search(r"Payments to the state</th>\s*<td><span class=\"state state-declared\"", checklist)

    response = post_form(filer, f"{declare}/withdraw", {}, form_page=FILING)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Disclosure, ids["own_disclosure"]).declarations == []


def test_another_section_is_declared_not_applicable(app, filer, ids):
    token = csrf_token(filer, FILING)
    response = filer.post(f"{FILING}/declarations/eia", data={
        "eia-kind": "not_applicable", "eia-reason": "No project in the period needed an EIA.", "eia-csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#section-eia")
    page = text(filer.get(FILING))
    assert "Declared: Not applicable to our company" in page
    assert filer.post(f"{FILING}/declarations/nonsense", data={"csrf_token": token}).status_code == 404


# --- submission ---------------------------------------------------------------------------

def test_a_filer_who_is_not_a_signatory_sees_the_signatories_and_cannot_submit(app, as_user, ids):
    assistant = as_user("assistant@test.kg")
    page = text(assistant.get(FILING))
    assert 'id="go-submit"' not in page and "Aibek Testov, General director" in page
    page = text(assistant.get(f"{FILING}/submit"))
    assert 'id="submit-form"' not in page and 'id="not-signatory"' in page
    assert "Aibek Testov" in page
    response = post_form(assistant, f"{FILING}/submit", {**ATTEST, "attested_by_name": "Assistant"})
    assert response.status_code == 403
    assert status_of(app, ids["own_disclosure"]) is DisclosureStatus.DRAFT


def test_the_submit_page_prefills_the_signatory_and_shows_the_attestation_and_summary(filer, ids):
    page = text(filer.get(f"{FILING}/submit"))
    assert 'value="Aibek Testov"' in page and 'value="General director"' in page
    assert attestation_text("en") in page
    assert 'id="summary-checklist-table"' in page and 'id="summary-totals-kgs">1,000.50<' in page
    assert 'id="missing-warning"' in page  # the ESG sections are not provided yet
    page = text(filer.get(f"{FILING}/submit?lang=ru"))
    assert attestation_text("ru") in page


def test_submitting_needs_the_attestation(app, filer, ids):
    response = submit(filer, {"attested_by_name": " ", "confirm": ""})
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "attested_by_name") and field_error(page, "confirm")
    assert status_of(app, ids["own_disclosure"]) is DisclosureStatus.DRAFT


def test_a_signatory_submits_and_sees_the_time_and_hash(app, filer, ids):
    response = submit(filer, {"language": "ru"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/disclosures/{ids['own_disclosure']}")
    with app.app_context():
        disclosure = db.session.get(Disclosure, ids["own_disclosure"])
        assert disclosure.status is DisclosureStatus.SUBMITTED
        assert (disclosure.attested_by_name, disclosure.attested_by_position) == ("Aibek Testov", "General director")
        # the text of the language the signatory read, whatever the page language now
        assert disclosure.attestation_text == attestation_text("ru")
        sha256 = disclosure.sha256
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    page = text(filer.get(response.headers["Location"]))
    assert f"SHA-256: {sha256}" in page  # the confirmation message
    assert re.search(rf'id="sha256">{sha256}<', page) and 'id="submitted-at"' in page
    assert "Submitted" in page and attestation_text("ru") in page


def test_a_submitted_version_is_read_only(app, filer, ids):
    assert submit(filer).status_code == 302
    page = text(filer.get(FILING))
    assert 'id="add-line"' not in page and 'id="upload-form"' not in page and 'id="start-amendment"' in page
    assert 'id="receipt-download"' in page and 'id="filing-sha256"' in page
    token = csrf_token(filer, FILING)
    attempts = [
        (f"{FILING}/lines", LINE),
        (f"/disclosures/lines/{ids['own_line']}/edit", LINE),
        (f"/disclosures/lines/{ids['own_line']}/delete", {"confirmed": "1"}),
        (f"{FILING}/declarations/eia", {"eia-kind": "nil", "eia-reason": "x", "eia-csrf_token": token}),
        (f"{FILING}/declarations/payments/withdraw", {}),
        (f"{FILING}/upload", {}),
        (f"{FILING}/submit", ATTEST),
    ]
    for path, data in attempts:
        response = filer.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 409, path
        assert "cannot be changed" in text(response) or "already been submitted" in text(response), path
    assert filer.get(f"/disclosures/lines/{ids['own_line']}/edit").status_code == 409
    assert filer.get(f"{FILING}/submit").status_code == 409
    assert lines_of(app, ids["own_disclosure"]) == [("ROYALTY", 100050, "")]
    assert status_of(app, ids["own_disclosure"]) is DisclosureStatus.SUBMITTED


def test_a_draft_past_the_deadline_says_a_submission_is_late(app, factory, filer, ids):
    factory.period(2023, deadline=dt.datetime(2024, 6, 30, 12, tzinfo=dt.timezone.utc))
    assert 'id="late-note"' in text(filer.get("/disclosures/filing/2023"))
    factory.period(2090)  # deadline in 2091
    assert 'id="late-note"' not in text(filer.get("/disclosures/filing/2090"))


def test_a_closed_period_is_read_only(app, factory, filer, ids):
    with app.app_context():
        disclosure = db.session.get(Disclosure, ids["own_disclosure"])
        disclosure.period.status = PeriodStatus.CLOSED
        db.session.commit()
    page = text(filer.get(FILING))
    assert "The reporting period is closed" in page and 'id="add-line"' not in page
    response = post_form(filer, f"{FILING}/lines", LINE, form_page=FILING)
    assert response.status_code == 409 and "closed" in text(response)


# --- amendments, versions and the difference ----------------------------------------------

def test_an_amendment_opens_version_two_prefilled_and_supersedes_version_one(app, filer, ids):
    assert submit(filer).status_code == 302
    page = text(filer.get(f"{FILING}/amend"))
    assert 'id="amend-form"' in page and "Version 1 stays on record as filed" in page
    response = post_form(filer, f"{FILING}/amend", {"reason": " "})
    assert response.status_code == 422 and field_error(text(response), "reason")

    response = post_form(filer, f"{FILING}/amend", {"reason": "The Q4 royalty was left out."})
    assert response.status_code == 302 and response.headers["Location"].endswith(FILING)
    with app.app_context():
        v2 = db.session.scalar(select(Disclosure).where(Disclosure.company_id == ids["own_company"],
                                                        Disclosure.version == 2))
        v2_id, v2_line = v2.id, v2.payment_lines[0].id
        assert v2.status is DisclosureStatus.DRAFT and v2.amendment_reason == "The Q4 royalty was left out."
    assert lines_of(app, v2_id) == [("ROYALTY", 100050, "")]
    page = text(filer.get(FILING))
    assert 'id="filing-version">2<' in page and 'id="add-line"' in page
    assert "The Q4 royalty was left out." in page  # in the versions table

    # a second amendment cannot start while version 2 is a draft
    assert filer.get(f"{FILING}/amend").status_code == 409

    post_form(filer, f"/disclosures/lines/{v2_line}/edit", {**LINE, "revenue_stream": "ROYALTY",
                                                             "project": ids["licence_number"], "amount": "1500"})
    assert submit(filer).status_code == 302
    assert status_of(app, ids["own_disclosure"]) is DisclosureStatus.SUPERSEDED
    assert status_of(app, v2_id) is DisclosureStatus.SUBMITTED
    versions = re.search(r'id="versions-table".*?</table>', text(filer.get(FILING)), re.S).group(0)
    assert "Superseded" in versions and "Submitted" in versions
    assert f"/disclosures/{v2_id}/diff" in versions


@pytest.fixture
def amended(app, filer, ids) -> int:
    """Version 1 submitted with 1,000.50; version 2 submitted with 1,500.00 and a licence."""
    submit(filer)
    post_form(filer, f"{FILING}/amend", {"reason": "Royalty corrected."})
    with app.app_context():
        v2 = db.session.scalar(select(Disclosure).where(Disclosure.version == 2,
                                                        Disclosure.company_id == ids["own_company"]))
        v2_id, line = v2.id, v2.payment_lines[0].id
    post_form(filer, f"/disclosures/lines/{line}/edit", {**LINE, "revenue_stream": "ROYALTY", "amount": "1500",
                                                          "project": ids["licence_number"]})
    post_form(filer, f"{FILING}/lines", {**LINE, "amount": "10"}, form_page=FILING)
    submit(filer)
    return v2_id


def test_the_difference_page_names_every_change_in_english(filer, amended, ids):
    page = text(filer.get(f"/disclosures/{amended}/diff?lang=en"))
    assert "From version 1 to version 2" in page
    assert "Payments to the state" in page
    # the royalty line changed its project (so its key): removed and added
    assert "Removed" in page and "Added" in page
    assert "1,000.50 KGS" in page and "1,500.00 KGS" in page
    assert "Royalty / State Tax Service" in page and "Corporate income tax / State Tax Service" in page
    assert "10.00 KGS" in page


def test_the_difference_page_shows_a_changed_amount_in_the_readers_language(app, filer, ids):
    post_form(filer, f"{FILING}/lines", LINE, form_page=FILING)  # CIT 2,500.75
    submit(filer)
    post_form(filer, f"{FILING}/amend", {"reason": "Income tax corrected."})
    with app.app_context():
        v2 = db.session.scalar(select(Disclosure).where(Disclosure.version == 2))
        v2_id = v2.id
        line = next(line.id for line in v2.payment_lines if line.revenue_stream.code == "CIT")
    post_form(filer, f"/disclosures/lines/{line}/edit", {**LINE, "amount": "3000"})
    page = text(filer.get(f"/disclosures/{v2_id}/diff?lang=en"))
    [row] = re.findall(r'<tr class="change-changed">(.*?)</tr>', page, re.S)
    assert "Corporate income tax / State Tax Service / KGS" in row
    assert "<td>Amount</td>" in row and "<del>2,500.75 KGS</del>" in row and "<ins>3,000.00 KGS</ins>" in row
    assert "Payments to the state" in page

    page = text(filer.get(f"/disclosures/{v2_id}/diff?lang=ky"))
    [row] = re.findall(r'<tr class="change-changed">(.*?)</tr>', page, re.S)
    assert "Пайдага салык / Мамлекеттик салык кызматы / KGS" in row  # reference names in Kyrgyz
    assert "<del>2 500,75 KGS</del>" in row and "<ins>3 000,00 KGS</ins>" in row  # Kyrgyz numbers
    assert '<html lang="ky">' in page
    for message in ("Amount", "Payments to the state"):
        translated = ky(message)
        if translated != message:  # compared with the catalog once the translation pass has run
            assert translated in page


def test_version_one_has_nothing_to_compare(filer, ids):
    page = text(filer.get(f"/disclosures/{ids['own_disclosure']}/diff"))
    assert 'id="no-previous"' in page


def test_the_version_page_shows_the_filed_content(app, filer, amended, ids):
    with app.app_context():
        company = db.session.get(Disclosure, ids["own_disclosure"]).company
        company.legal_name = "Renamed Mining LLC"  # a later register change does not touch filed versions
        db.session.commit()
    page = text(filer.get(f"/disclosures/{ids['own_disclosure']}"))
    assert "Superseded" in page and "replaced by an amendment" in page
    assert "Own Mining LLC" in page  # the profile as copied at submission
    assert "As copied from the company register" in page
    assert attestation_text("en") in page and "Aibek Testov" in page
    assert "1,000.50" in page and 'id="receipt-download"' in page
    page = text(filer.get(f"/disclosures/{amended}"))
    assert "Royalty corrected." in page and 'id="diff-link"' in page


# --- queries ------------------------------------------------------------------------------------

def test_the_filer_answers_a_question_of_the_secretariat(app, filer, ids):
    submit(filer)
    with app.app_context():
        secretariat = db.session.get(User, ids["secretariat"])
        query = review.raise_query(secretariat, db.session.get(Disclosure, ids["own_disclosure"]),
                                   "Why is the royalty so low?")
        db.session.commit()
        query_id = query.id
    page = text(filer.get(FILING))
    assert "Why is the royalty so low?" in page and f'id="query-{query_id}-answer"' in page
    assert "1 question of the EITI secretariat waits for your answer." in page
    # the questions come before the rest of the filing
    assert page.index('id="queries"') < page.index('id="checklist"')
    token = csrf_token(filer, FILING)
    answer = f"/disclosures/queries/{query_id}/answer"
    response = filer.post(answer, data={f"query-{query_id}-answer": "", f"query-{query_id}-csrf_token": token})
    assert response.status_code == 422
    assert "Write your answer" in field_error(text(response), f"query-{query_id}-answer")
    response = filer.post(answer, data={f"query-{query_id}-answer": "Production stopped in Q3.",
                                        f"query-{query_id}-csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        query = review.get_query(db.session.get(User, ids["filer"]), query_id)
        assert (query.status, query.answer) == (QueryStatus.ANSWERED, "Production stopped in Q3.")
        assert query.disclosure.status is DisclosureStatus.ANSWERED
    page = text(filer.get(FILING))
    assert "Production stopped in Q3." in page and f'id="query-{query_id}-answer"' not in page
    assert 'id="open-queries-note"' not in page


# --- who sees what ----------------------------------------------------------------------

def test_the_dashboard_links_to_the_filing_page_of_each_period(app, factory, filer, ids):
    factory.period(2026)
    page = text(filer.get("/"))
    assert 'href="/disclosures/filing/2026" id="fill-in-2026"' in page
    assert 'href="/disclosures/filing/2025" id="continue-2025"' in page
    assert f'href="/disclosures/{ids["own_disclosure"]}"' in page
    submit(filer)
    assert 'href="/disclosures/filing/2025" id="view-2025"' in text(filer.get("/"))


def test_a_filer_of_another_company_reaches_none_of_these_pages(app, as_user, filer, ids):
    submit(filer)
    with app.app_context():
        query = review.raise_query(db.session.get(User, ids["secretariat"]),
                                   db.session.get(Disclosure, ids["own_disclosure"]), "?")
        db.session.commit()
        query_id = query.id
    other = as_user("other@test.kg")
    token = csrf_token(other, "/")
    disclosure = ids["own_disclosure"]
    for path in (f"/disclosures/{disclosure}", f"/disclosures/{disclosure}/diff",
                 f"/disclosures/{disclosure}/receipt.pdf", f"/disclosures/lines/{ids['own_line']}/edit"):
        assert other.get(path).status_code in (403, 404), path
    for path in (f"/disclosures/lines/{ids['own_line']}/edit", f"/disclosures/lines/{ids['own_line']}/delete",
                 f"/disclosures/queries/{query_id}/answer"):
        assert other.post(path, data={**LINE, "csrf_token": token}).status_code in (403, 404), path
    # the filing page of a year is always the reader's own company
    page = text(other.get(FILING))
    assert "Other Mining LLC" in page and "Own Mining LLC" not in page
    assert lines_of(app, disclosure) == [("ROYALTY", 100050, "")]


@pytest.mark.parametrize("who", ["secretariat@test.kg", "admin@test.kg", "officer@test.kg"])
def test_drafts_are_invisible_to_everyone_outside_the_company(as_user, ids, who):
    client = as_user(who)
    draft = ids["own_disclosure"]
    for path in (f"/disclosures/{draft}", f"/disclosures/{draft}/diff", f"/disclosures/{draft}/receipt.pdf",
                 f"/disclosures/lines/{ids['own_line']}/edit"):
        assert client.get(path).status_code in (403, 404), path
    # the filing pages are company filers' pages
    assert client.get(FILING).status_code == 403


def test_the_secretariat_reads_a_submitted_version_and_its_history(as_user, filer, amended, ids):
    client = as_user("secretariat@test.kg")
    page = text(client.get(f"/disclosures/{amended}"))
    assert "Own Mining LLC" in page and "Royalty corrected." in page
    assert 'id="versions-table"' in page
    assert client.get(f"/disclosures/{amended}/diff").status_code == 200
