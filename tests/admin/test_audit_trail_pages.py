"""The audit trail page (/admin/audit) on a few thousand events: each filter and their combinations,
keyset paging (no overlap, no gap, the last page, the total), invalid filters at their fields,
labels and values in ky/ru/en, links to the records' pages, bounded queries, and access."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select

from admin_support import assert_admin_only, field_error, login
from audit_trail_support import (BASE, CYRILLIC, LONG, event_row, expected, link, page_ids, seed_trail,
                                 stored_events, user_names, walk)
from esg_portal.audit import AuditEvent
from esg_portal.disclosure.models import DisclosureStatus, PaymentLine
from esg_portal.eiti.publication.models import Release, ReleaseKind
from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod

PER_PAGE = 50


@pytest.fixture
def trail(app, world):
    """3,000 seeded events on top of the world's own; returns every stored event, newest first."""
    return seed_trail(app, world, 3000)


def _admin(client):
    login(client, "admin@test.kg")
    return client


def _total(html: str) -> int:
    match = re.search(r'<p id="events-found">Events found: ([\d,]+)\.', html)
    assert match, "no total on the page"
    return int(match.group(1).replace(",", ""))


def _html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _add_event(app, table: str, record_id, changes: dict, *, action: str = "update",
               created_at: dt.datetime | None = None, actor: str = "admin@test.kg") -> int:
    with app.app_context():
        result = db.session.execute(insert(AuditEvent.__table__).returning(AuditEvent.__table__.c.id), [{
            "created_at": created_at or dt.datetime.now(dt.timezone.utc), "actor_id": None, "actor_label": actor,
            "action": action, "table_name": table, "record_id": str(record_id), "changes": changes}])
        event_id = result.scalar_one()
        db.session.commit()
    return event_id


# --- filters ---------------------------------------------------------------------------------

FILTERS = [
    {"actor": "filer@"},
    {"actor": "ADMIN@TEST"},  # case does not matter
    {"actor": "Test User"},  # the account's name, not only the label
    {"table": "company"},
    {"record_id": "90005"},
    {"action": "delete"},
    {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)},
    {"date_from": dt.date(2025, 9, 1)},  # open-ended: the seeded tail and the world's events of today
    {"date_to": dt.date(2025, 1, 2)},  # inclusive: the whole of 2 January
    {"q": "note 12"},
    {"q": CYRILLIC},  # stored as \\u escapes in the JSON text
    {"q": CYRILLIC.lower()},
    {"q": "http://evil"},
    {"table": "payment_line", "action": "update", "actor": "admin"},
    {"table": "license", "date_from": dt.date(2025, 2, 1), "date_to": dt.date(2025, 2, 14), "actor": "cli:"},
    {"table": "company", "record_id": "90010", "q": "LLC"},
    {"table": "reporting_period", "q": "no such text"},
]


def _query(spec: dict) -> str:
    args = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in spec.items()}
    return "&".join(f"{key}={value}" for key, value in args.items())


def test_each_filter_and_their_combinations_find_exactly_the_matching_events(app, client, trail):
    _admin(client)
    users = user_names(app)
    for spec in FILTERS:
        wanted = expected(trail, users, **spec)
        if spec.get("q") != "no such text":
            assert wanted, f"{spec}: the seeded trail must hold matching events for this check to mean anything"
        url = f"/admin/audit?{_query(spec)}"
        first = _html(client, url)
        assert _total(first) == len(wanted), spec
        shown = [event_id for page in walk(client, url) for event_id in page]
        assert shown == wanted, f"{spec}: the pages show other events (or another order) than the filter should"
        if not wanted:
            assert 'id="no-events"' in first


def test_filters_are_shown_back_in_the_form(client, trail):
    _admin(client)
    html = _html(client, "/admin/audit?actor=filer&table=company&action=update&date_from=2025-02-01&q=LLC")
    assert 'name="actor" type="text" value="filer"' in html
    assert '<option selected value="company">Company</option>' in html
    assert '<option selected value="update">Changed</option>' in html
    assert 'value="2025-02-01"' in html and 'value="LLC"' in html
    assert 'id="clear-filters"' in html


def test_the_table_filter_offers_the_tables_that_occur_by_readable_name(client, trail):
    _admin(client)
    html = _html(client, "/admin/audit")
    select_html = re.search(r'<select id="table" name="table">(.*?)</select>', html, re.S).group(1)
    options = dict(re.findall(r'<option (?:selected )?value="([^"]*)">([^<]*)</option>', select_html))
    assert options["payment_line"] == "Payment line"
    assert options["disclosure"] == "Filing (version)"
    assert options["receipt_batch"] == "Receipt batch"
    assert options["government_receipt"] == "Government receipt"
    assert "release" not in options and "adjustment" not in options  # no such event in this trail
    # a known kind with no event is accepted (nothing found), an unknown one is refused
    assert _total(_html(client, "/admin/audit?table=adjustment")) == 0
    assert "Choose one of the options" in field_error(_html(client, "/admin/audit?table=nope", 422), "table")


# --- paging ----------------------------------------------------------------------------------

def test_pages_continue_without_overlap_or_gap_down_to_the_last(app, client, trail):
    _admin(client)
    everything = [e.id for e in trail]
    first = _html(client, "/admin/audit")
    assert _total(first) == len(everything) > 3000
    assert page_ids(first) == everything[:PER_PAGE]
    assert link(first, "newer-page") is None and link(first, "newest-page") is None
    second_url = link(first, "older-page")
    assert parse_qs(urlsplit(second_url).query)["page"] == [f"older-{everything[PER_PAGE - 1]}"]
    second = _html(client, second_url)
    assert page_ids(second) == everything[PER_PAGE:2 * PER_PAGE]
    assert page_ids(_html(client, link(second, "newer-page"))) == everything[:PER_PAGE]
    pages = walk(client, "/admin/audit")
    assert [len(p) for p in pages[:-1]] == [PER_PAGE] * (len(pages) - 1)
    assert len(pages) == -(-len(everything) // PER_PAGE)
    assert [i for p in pages for i in p] == everything  # every event once, in order
    last = _html(client, f"/admin/audit?page=older-{pages[-2][-1]}")
    assert page_ids(last) == everything[(len(pages) - 1) * PER_PAGE:]
    assert link(last, "older-page") is None and link(last, "oldest-page") is None
    assert link(last, "newer-page") and link(last, "newest-page") == "/admin/audit"


def test_the_oldest_page_and_going_up_from_it(client, trail):
    _admin(client)
    everything = [e.id for e in trail]
    oldest = _html(client, "/admin/audit?page=oldest")
    assert page_ids(oldest) == everything[-PER_PAGE:]
    assert link(oldest, "older-page") is None
    up = _html(client, link(oldest, "newer-page"))
    assert page_ids(up) == everything[-2 * PER_PAGE:-PER_PAGE]


def test_the_page_links_keep_the_filters(app, client, trail):
    _admin(client)
    spec = {"table": "payment_line", "actor": "admin", "date_to": "2025-08-31"}
    wanted = expected(trail, user_names(app), table="payment_line", actor="admin", date_to=dt.date(2025, 8, 31))
    assert len(wanted) > PER_PAGE
    first = _html(client, "/admin/audit?" + "&".join(f"{k}={v}" for k, v in spec.items()))
    for element in ("older-page", "oldest-page", "audit-csv"):
        args = parse_qs(urlsplit(link(first, element)).query)
        assert {k: v[0] for k, v in args.items() if k != "page"} == spec, element
    second = _html(client, link(first, "older-page"))
    assert page_ids(second) == wanted[PER_PAGE:2 * PER_PAGE]
    assert parse_qs(urlsplit(link(second, "newer-page")).query)["table"] == ["payment_line"]


def test_events_recorded_while_reading_do_not_shift_the_next_page(app, client, trail):
    _admin(client)
    everything = [e.id for e in trail]
    first = _html(client, "/admin/audit")
    for n in range(7):
        _add_event(app, "company", 1, {"legal_name": [f"x{n}", f"y{n}"]})
    assert page_ids(_html(client, link(first, "older-page"))) == everything[PER_PAGE:2 * PER_PAGE]


def test_ties_in_time_are_ordered_by_id(app, client, world):
    _admin(client)
    same = dt.datetime(2025, 5, 5, 12, tzinfo=dt.timezone.utc)
    ids = [_add_event(app, "company", n, {"legal_name": ["a", "b"]}, created_at=same) for n in range(120)]
    html = _html(client, "/admin/audit?date_from=2025-05-05&date_to=2025-05-05")
    pages = walk(client, "/admin/audit?date_from=2025-05-05&date_to=2025-05-05")
    assert _total(html) == 120
    assert [i for p in pages for i in p] == sorted(ids, reverse=True)


def test_a_page_link_to_an_event_that_is_gone_shows_the_newest_page(client, trail):
    _admin(client)
    html = _html(client, "/admin/audit?page=older-999999")
    assert 'id="page-missing"' in html
    assert page_ids(html) == [e.id for e in trail][:PER_PAGE]


def test_a_page_link_past_either_end_shows_the_newest_page_not_an_empty_one(client, trail):
    _admin(client)
    everything = [e.id for e in trail]
    for page in (f"older-{everything[-1]}", f"newer-{everything[0]}", f"newer-{everything[10]}"):
        html = _html(client, f"/admin/audit?page={page}")
        assert page_ids(html) == everything[:PER_PAGE], page
        assert 'id="page-missing"' not in html and link(html, "newer-page") is None


# --- invalid filters -------------------------------------------------------------------------

@pytest.mark.parametrize("query, field, message", [
    ("date_from=2025-13-01", "date_from", "Enter the date as year-month-day, for example 2025-03-31."),
    ("date_from=20250301", "date_from", "Enter the date as year-month-day, for example 2025-03-31."),
    ("date_to=31.03.2025", "date_to", "Enter the date as year-month-day, for example 2025-03-31."),
    ("date_from=2025-04-02&date_to=2025-04-01", "date_to", "The latest date must not be before the earliest date."),
    ("record_id=12a", "record_id", "Enter the record number in digits, for example 1234."),
    ("record_id=" + "9" * 19, "record_id", "Enter the record number in digits, for example 1234."),
    ("q=" + "x" * 101, "q", "The text is too long: at most 100 characters."),
    ("actor=" + "a" * 101, "actor", "The text is too long: at most 100 characters."),
    ("q=%00abc", "q", "invisible control character (U+0000)"),
    ("action=drop", "action", "Choose one of the options in the list."),
    ("page=older-x", "page", "This page link is broken. Start again from the newest events."),
])
def test_an_invalid_filter_is_explained_at_its_field(client, world, query, field, message):
    _admin(client)
    html = _html(client, f"/admin/audit?{query}", 422)
    assert message in field_error(html, field) if field != "page" else message in unescape(html)
    assert 'id="filters-invalid"' in html and 'id="audit"' not in html
    assert 'class="error-summary"' in html


def test_a_search_of_exactly_100_characters_is_accepted(client, world):
    _admin(client)
    assert _total(_html(client, "/admin/audit?q=" + "x" * 100)) == 0


# --- labels and values in the reader's language ----------------------------------------------

def _company_event(app, world) -> int:
    return _add_event(app, "company", world["own_company"], {
        "legal_name": ["Own Mining LLC", "Own Mining Renamed LLC"], "is_soe": [False, True],
        "state_share_bp": [None, 3050], "mystery_column_x": ["a", "b"]})


@pytest.mark.parametrize("lang, texts", [
    ("en", ["Changed", "Legal name", "State-owned enterprise", "No", "Yes", "Company", "30.5 %"]),
    ("ru", ["Изменено", "Наименование юридического лица", "Нет", "Да", "Компания", "30,5 %"]),
    ("ky", ["Өзгөртүлдү", "Юридикалык жактын аталышы", "Жок", "Ооба", "Компания", "30,5 %"]),
])
def test_labels_and_values_are_in_the_readers_language(app, client, world, lang, texts):
    event_id = _company_event(app, world)
    _admin(client)
    row = event_row(_html(client, f"/admin/audit?lang={lang}&table=company"), event_id)
    flat = re.sub(r"\s+", " ", unescape(row)).replace("\xa0", " ")
    for text in texts:
        assert text in flat, f"{lang}: {text!r} not in the row"
    assert "legal_name" not in re.sub(r'data-field="[^"]*"', "", row)  # no raw column names shown
    assert "Mystery column x" in flat  # an unknown column: its name made readable


def test_money_is_formatted_from_minor_units_with_its_currency(app, client, world):
    _admin(client)
    with app.app_context():
        line_id = db.session.scalar(select(PaymentLine.id).where(PaymentLine.disclosure_id == world["own_disclosure"]))
    # an update names only the amount: the currency is the record's (KGS)
    kgs = _add_event(app, "payment_line", line_id, {"amount_minor": [100050, 123456789]})
    # the event's own currency wins
    usd = _add_event(app, "government_receipt", 1, {"amount_minor": [None, -50000], "currency": [None, "USD"]},
                     action="create")
    en = unescape(_html(client, "/admin/audit?date_from=2026-01-01"))
    assert "1,000.50 KGS" in event_row(en, kgs) and "1,234,567.89 KGS" in event_row(en, kgs)
    assert "-500.00 USD" in event_row(en, usd)
    ru = unescape(_html(client, "/admin/audit?lang=ru")).replace("\xa0", " ")
    assert "1 234 567,89 KGS" in event_row(ru, kgs)


def test_dates_codes_lists_long_and_redacted_values(app, client, world):
    _admin(client)
    long_event = _add_event(app, "receipt_batch", world["sts_batch"], {
        "correction_reason": [None, LONG], "status": ["draft", "submitted"]})
    licence_event = _add_event(app, "license", world["own_licence"], {
        "expires_on": ["2025-01-01", "2026-06-30"], "minerals": [["CU"], ["CU", "LI"]], "site_id": [None, None]})
    secret_event = _add_event(app, "user_account", world["filer"], {"password_hash": ["***", "***"]})
    html = unescape(_html(client, "/admin/audit"))
    row = event_row(html, long_event)
    assert LONG not in re.sub(r'title="[^"]*"', "", row)  # shortened on the page ...
    assert f'title="{LONG}"' in row  # ... with the whole text in the title
    assert "Submitted" in row and "Draft" in row  # status codes by their labels
    row = event_row(html, licence_event)
    assert "Jun 30, 2026" in row and "Jan 1, 2025" in row and "CU, LI" in row
    row = event_row(html, secret_event)
    assert row.count(">***<") == 2 and "Not recorded: this field is private." in row


def test_the_time_is_shown_in_the_display_time_zone(app, client, world):
    _admin(client)
    event_id = _add_event(app, "company", 1, {"legal_name": ["a", "b"]},
                          created_at=dt.datetime(2025, 3, 31, 20, 15, 5, tzinfo=dt.timezone.utc))
    row = event_row(_html(client, "/admin/audit?date_from=2025-03-31&date_to=2025-03-31"), event_id)
    assert '<time datetime="2025-03-31T20:15:05Z">Apr 1, 2025, 02:15:05 (UTC+6)</time>' in row


def test_the_actor_is_named_with_the_account_and_the_address(app, client, world):
    _admin(client)
    html = _html(client, "/admin/audit?table=company")
    with app.app_context():
        db.session.execute(insert(AuditEvent.__table__), [{
            "created_at": dt.datetime.now(dt.timezone.utc), "actor_id": world["filer"], "actor_label": "filer@test.kg",
            "action": "update", "table_name": "company", "record_id": str(world["own_company"]),
            "changes": {"website": [None, "https://own.kg"]}, "ip_address": "203.0.113.9"}])
        db.session.commit()
    html = _html(client, "/admin/audit?table=company&actor=filer")
    who = re.search(r'<td class="who">(.*?)</td>', html, re.S).group(1)
    assert "filer@test.kg" in who and "203.0.113.9" in who and "Test User" in who


# --- links to the records ----------------------------------------------------------------------

def _record_cell(html: str, event_id: int) -> str:
    return re.search(r'<td class="record">(.*?)</td>', event_row(html, event_id), re.S).group(1)


def _href(cell: str) -> str | None:
    match = re.search(r'href="([^"]+)"', cell)
    return unescape(match.group(1)) if match else None


def test_each_record_links_to_its_page_where_the_reader_may_open_it(app, client, factory, world):
    with app.app_context():
        year = db.session.get(ReportingPeriod, world["period"]).year
        release = Release(period_id=world["period"], version=3, kind=ReleaseKind.PUBLISHED,
                          content_sha256="0" * 64, manifest={"files": []})
        db.session.add(release)
        db.session.commit()
        release_id = release.id
    sealed = factory.disclosure(world["other_company"], world["period"], DisclosureStatus.SUBMITTED, version=2,
                                payments=[("ROYALTY", "STS", "5.00")])
    with app.app_context():
        sealed_line = db.session.scalar(select(PaymentLine.id).where(PaymentLine.disclosure_id == sealed))
        draft_line = db.session.scalar(select(PaymentLine.id).where(
            PaymentLine.disclosure_id == world["own_disclosure"]))
    change = {"comment": ["a", "b"]}
    events = {
        "sealed": (_add_event(app, "disclosure", sealed, change), f"/disclosures/{sealed}"),
        "draft": (_add_event(app, "disclosure", world["own_disclosure"], change), None),  # admins never open drafts
        "line": (_add_event(app, "payment_line", sealed_line, change), f"/disclosures/{sealed}"),
        "draft line": (_add_event(app, "payment_line", draft_line, change), None),
        "gone line": (_add_event(app, "payment_line", 987654, {"disclosure_id": [sealed, None],
                                                               "amount_minor": [500, None]}, action="delete"),
                      f"/disclosures/{sealed}"),
        "batch": (_add_event(app, "receipt_batch", world["sts_batch"], change),
                  f"/receipts/batches/{world['sts_batch']}"),
        "receipt": (_add_event(app, "government_receipt", 1, change), None),  # replaced below
        "company": (_add_event(app, "company", world["own_company"], change),
                    f"/register/companies/{world['own_company']}"),
        "user": (_add_event(app, "user_account", world["filer"], change), f"/admin/users/{world['filer']}/edit"),
        "licence": (_add_event(app, "license", world["own_licence"], change),
                    f"/admin/licences/{world['own_licence']}/edit"),
        "release": (_add_event(app, "release", release_id, change), f"/open-data/{year}/v3/"),
        "period": (_add_event(app, "reporting_period", world["period"], change), None),  # the secretariat's page
        "gfs": (_add_event(app, "gfs_code", 1, change), None),  # no page
        "gone company": (_add_event(app, "company", 424242, {"legal_name": ["Gone LLC", None]}, action="delete"),
                         None),
    }
    with app.app_context():
        from esg_portal.receipts.models import GovernmentReceipt
        receipt = db.session.scalar(select(GovernmentReceipt.id)
                                    .where(GovernmentReceipt.batch_id == world["sts_batch"]))
    events["receipt"] = (_add_event(app, "government_receipt", receipt, change),
                         f"/receipts/batches/{world['sts_batch']}")
    _admin(client)
    html = _html(client, "/admin/audit?date_from=2026-01-01")
    for name, (event_id, url) in events.items():
        assert _href(_record_cell(html, event_id)) == url, name
        if url:
            assert client.get(url).status_code == 200, f"{name}: the link {url} does not open for the administrator"
    assert "Payment line #%d" % sealed_line in _record_cell(html, events["line"][0])
    assert "Gone LLC" in _record_cell(html, events["gone company"][0])
    assert "Other Mining LLC, %d, version 2" % year in unescape(_record_cell(html, events["sealed"][0]))


def test_a_page_costs_a_bounded_number_of_queries(app, client, factory, world):
    """50 events naming 50 different lines of 10 filings, their companies and users: one query per table."""
    with app.app_context():
        period = world["period"]
    for n in range(10):
        company = factory.company(f"Bulk {n} LLC")
        factory.disclosure(company, period, DisclosureStatus.SUBMITTED,
                           payments=[("ROYALTY", "STS", f"{k + 1}.00") for k in range(5)])
    _admin(client)
    client.get("/admin/audit?table=payment_line")  # warm up
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        html = _html(client, "/admin/audit?table=payment_line")
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert len(page_ids(html)) == PER_PAGE
    assert html.count('class="record-link"') == PER_PAGE  # every line links to its filing
    assert len(statements) <= 15, f"{len(statements)} queries for one page:\n" + "\n".join(statements)


# --- access ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit?table=company", "/admin/audit.csv"])
def test_only_administrators_read_the_trail(client, world, path):
    assert_admin_only(client, world, path, form=False)


def test_the_trail_counts_the_seeded_events(app, trail):
    """Guards the other tests: the trail really holds a few thousand events of every kind."""
    assert len(trail) > 3000
    assert {e.table_name for e in trail} >= {"payment_line", "disclosure", "company", "user_account"}
    assert len(stored_events(app)) == len(trail)
    assert min(e.created_at for e in trail) == BASE
