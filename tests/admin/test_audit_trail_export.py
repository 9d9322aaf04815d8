"""The audit trail's CSV (/admin/audit.csv) on a few thousand events: its columns and rows, the
page's filters, formula-looking text neutralised, streamed in chunks, the cap, the headers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert

from admin_support import field_error, login
from audit_trail_support import CYRILLIC, FORMULA, expected, seed_trail, stored_events, user_names
from esg_portal.admin import audit_trail
from esg_portal.audit import AuditEvent
from esg_portal.extensions import db

HEADER = ["time_utc", "actor", "action", "table", "record_id", "field", "before", "after"]


@pytest.fixture
def trail(app, world):
    return seed_trail(app, world, 3000)


def _csv(client, query: str = "") -> tuple[object, list[list[str]]]:
    response = client.get(f"/admin/audit.csv{'?' + query if query else ''}")
    assert response.status_code == 200, response.status_code
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "the file starts with a BOM, for Excel"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    return response, rows[1:]


def _cell(value) -> str:
    """What the export should write for a stored value (neutralised like tabular.safe.csv_cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = str(value)
    return "'" + text if text[:1] in "=+-@\t\r" and not re.fullmatch(r"[+-]?\d+(\.\d+)?", text) else text


def _expected_rows(trail, ids: list[int]) -> list[list[str]]:
    by_id = {e.id: e for e in trail}
    rows = []
    for event_id in ids:
        e = by_id[event_id]
        head = [e.created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), e.actor_label, e.action,
                e.table_name, e.record_id]
        if not e.changes:
            rows.append([*head, "", "", ""])
        for name, (before, after) in sorted(e.changes.items()):
            rows.append([*head, name, _cell(before), _cell(after)])
    return rows


def test_the_csv_has_one_row_per_changed_field_of_every_event_newest_first(app, client, trail):
    login(client, "admin@test.kg")
    response, rows = _csv(client)
    assert rows == _expected_rows(trail, [e.id for e in trail])
    assert len({tuple(r[:5]) for r in rows}) <= len(trail) and len(rows) > len(trail)
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="audit-trail-{today}.csv"'
    assert response.headers["X-Audit-Capped"] == "false"
    assert response.headers["X-Audit-Events"] == str(len(trail))


@pytest.mark.parametrize("spec", [
    {"table": "payment_line", "action": "update"},
    {"actor": "officer", "date_from": dt.date(2025, 4, 1), "date_to": dt.date(2025, 4, 30)},
    {"q": CYRILLIC.lower()},
    {"record_id": "90003", "table": "company"},
])
def test_the_csv_applies_the_pages_filters(app, client, trail, spec):
    login(client, "admin@test.kg")
    query = "&".join(f"{k}={v.isoformat() if isinstance(v, dt.date) else v}" for k, v in spec.items())
    wanted = expected(trail, user_names(app), **spec)
    assert wanted
    response, rows = _csv(client, query)
    assert rows == _expected_rows(trail, wanted)
    assert response.headers["X-Audit-Events"] == str(len(wanted))


def test_formula_looking_text_is_neutralised(client, trail):
    login(client, "admin@test.kg")
    _response, rows = _csv(client, "table=payment_line&q=HYPERLINK")
    assert rows
    assert {row[7] for row in rows if row[5] == "comment"} == {"'" + FORMULA}
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    # signed numbers stay numbers
    _response, rows = _csv(client, "table=government_receipt&record_id=90001")
    assert all(re.fullmatch(r"-?\d+", row[7]) for row in rows if row[5] == "amount_minor")


def test_lists_and_texts_keep_their_letters(client, trail):
    login(client, "admin@test.kg")
    _response, rows = _csv(client, "table=license&record_id=90005")
    assert rows and all(row[6:] == ['["CU"]', '["CU","LI"]'] for row in rows if row[5] == "minerals")
    _response, rows = _csv(client, f"q={CYRILLIC}")
    assert rows and all(CYRILLIC in row[7] for row in rows if row[5] == "comment")


def test_the_csv_is_streamed_in_chunks_in_the_keyset_order(app, client, trail, monkeypatch):
    """Small chunks cut through events with the same time: no event is lost or repeated at a cut."""
    monkeypatch.setattr(audit_trail, "CSV_CHUNK", 7)
    login(client, "admin@test.kg")
    same = dt.datetime(2025, 6, 1, 8, tzinfo=dt.timezone.utc)
    with app.app_context():  # 20 events of one instant, consecutive ids: several chunks cut through them
        db.session.execute(insert(AuditEvent.__table__), [
            {"created_at": same, "actor_id": None, "actor_label": "system", "action": "update", "table_name": "company",
             "record_id": str(n), "changes": {"legal_name": [f"a{n}", f"b{n}"]}} for n in range(20)])
        db.session.commit()
        engine = db.engine
    trail = stored_events(app)
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM audit_event" in statement and "count(" not in statement:
            statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/admin/audit.csv?table=company")
        assert response.is_streamed
        data = response.get_data()
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))[1:]
    wanted = expected(trail, user_names(app), table="company")
    assert rows == _expected_rows(trail, wanted)
    assert len(statements) >= len(wanted) // 7, "the events are read a chunk at a time"


def test_the_csv_holds_at_most_the_cap_and_says_so(app, client, trail, monkeypatch):
    monkeypatch.setattr(audit_trail, "MAX_CSV_EVENTS", 120)
    monkeypatch.setattr(audit_trail, "CSV_CHUNK", 50)
    login(client, "admin@test.kg")
    response, rows = _csv(client)
    assert rows == _expected_rows(trail, [e.id for e in trail][:120])
    assert response.headers["X-Audit-Capped"] == "true"
    assert response.headers["X-Audit-Events"] == "120"
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "More events match than one file holds: the file has the newest 120." in page
    narrow = client.get("/admin/audit?table=reporting_period&record_id=90000").get_data(as_text=True)
    assert "at most 120 events per file" in narrow


def test_an_invalid_filter_gives_the_page_with_the_message_not_a_file(client, world):
    login(client, "admin@test.kg")
    response = client.get("/admin/audit.csv?date_from=2025-02-30")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert field_error(response.get_data(as_text=True), "date_from") == \
        "Enter the date as year-month-day, for example 2025-03-31."


@pytest.mark.parametrize("email", ["filer@test.kg", "officer@test.kg", "secretariat@test.kg"])
def test_other_roles_get_no_file(client, world, email):
    login(client, email)
    response = client.get("/admin/audit.csv")
    assert response.status_code == 403 and b"time_utc" not in response.get_data()
