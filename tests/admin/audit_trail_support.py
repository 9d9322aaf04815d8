"""A large audit trail built cheaply (one bulk insert), and what the trail's filters should find in it,
computed in Python from the stored rows — independently of the SQL under test."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from html import unescape

from sqlalchemy import insert, select

from esg_portal.accounts.models import User
from esg_portal.audit import AuditEvent
from esg_portal.extensions import db

UTC = dt.timezone.utc
BASE = dt.datetime(2025, 1, 1, tzinfo=UTC)
#: the kinds of record of the seeded events, in turn
TABLES = ("payment_line", "disclosure", "company", "user_account", "receipt_batch", "license",
          "government_receipt", "reporting_period")
ACTIONS = ("create", "update", "delete")
FORMULA = '=HYPERLINK("http://evil.example","x")'
CYRILLIC = "Жумабекова"
LONG = "lorem-ipsum-" * 40  # 480 characters, no space to break at


@dataclass(frozen=True)
class Stored:
    """One stored event, as read back."""

    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    table_name: str
    record_id: str
    changes: dict


def _changes(i: int, table: str, created: dt.datetime) -> dict:
    if table == "payment_line":
        comment = FORMULA if i % 50 == 0 else f"{CYRILLIC} {i}" if i % 97 == 0 else f"note {i}"
        return {"amount_minor": [i * 100, i * 100 + 50], "comment": [None, comment]}
    if table == "company":
        return {"legal_name": [f"Old {i} LLC", f"New {i} LLC"], "is_soe": [False, True]}
    if table == "disclosure":
        return {"status": ["draft", "submitted"], "submitted_at": [None, created.isoformat()]}
    if table == "user_account":
        return {"password_hash": ["***", "***"], "full_name": [f"Person {i}", f"Person {i} Renamed"]}
    if table == "receipt_batch":
        return {"status": ["draft", "submitted"], "correction_reason": [None, LONG if i % 13 == 0 else "typo"]}
    if table == "license":
        return {"expires_on": ["2025-01-01", "2026-06-30"], "minerals": [["CU"], ["CU", "LI"]]}
    if table == "government_receipt":
        return {"amount_minor": [i, i * 3], "currency": ["USD", "USD"]} if i % 2 else {"amount_minor": [i, i * 3]}
    return {"usd_rate_scaled": [874500, 875012]}


def seed_trail(app, world: dict[str, int], count: int = 3000) -> list[Stored]:
    """``count`` events inserted in one transaction: five actors, eight kinds of record, three actions,
    times spread over 250 days of 2025, three events at each time and not in id order."""
    actors = [(world["admin"], "admin@test.kg"), (world["filer"], "filer@test.kg"),
              (world["officer"], "officer@test.kg"), (None, "cli:deploy"), (None, "system")]
    slots = count // 3
    rows = []
    for i in range(count):
        table = TABLES[i % len(TABLES)]
        created = BASE + dt.timedelta(hours=6 * ((i * 7919) % slots))
        actor_id, label = actors[i % len(actors)]
        rows.append({"created_at": created, "actor_id": actor_id, "actor_label": label,
                     "action": ACTIONS[(i // 8) % 3], "table_name": table, "record_id": str(90000 + i % 37),
                     "changes": _changes(i, table, created), "ip_address": "10.0.0.%d" % (i % 250)})
    with app.app_context():
        db.session.execute(insert(AuditEvent.__table__), rows)
        db.session.commit()
    return stored_events(app)


def stored_events(app) -> list[Stored]:
    """Every event of the trail, newest first (created_at, then id)."""
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        stored = [Stored(e.id, e.created_at, e.actor_id, e.actor_label, e.action, e.table_name, e.record_id,
                         dict(e.changes or {})) for e in events]
    return sorted(stored, key=lambda e: (e.created_at, e.id), reverse=True)


def user_names(app) -> dict[int, tuple[str, str]]:
    with app.app_context():
        return {u.id: (u.email, u.full_name) for u in db.session.scalars(select(User))}


def expected(events: list[Stored], users: dict[int, tuple[str, str]], *, actor: str = "", table: str = "",
             record_id: str = "", action: str = "", date_from: dt.date | None = None,
             date_to: dt.date | None = None, q: str = "") -> list[int]:
    """The ids the filters should find, newest first."""
    found = []
    for e in events:
        if actor:
            names = [e.actor_label, *users.get(e.actor_id, ())]
            if not any(actor.casefold() in name.casefold() for name in names):
                continue
        if table and e.table_name != table or record_id and e.record_id != record_id:
            continue
        if action and e.action != action:
            continue
        day = e.created_at.astimezone(UTC).date()
        if date_from and day < date_from or date_to and day > date_to:
            continue
        if q and q.casefold() not in json.dumps(e.changes, ensure_ascii=False).casefold():
            continue
        found.append(e.id)
    return found


_EVENT_ROW = re.compile(r'<tr id="event-(\d+)"')


def page_ids(html: str) -> list[int]:
    return [int(n) for n in _EVENT_ROW.findall(html)]


def link(html: str, element_id: str) -> str | None:
    """The href of the link ``id=element_id``, or None."""
    match = re.search(rf'<a href="([^"]+)"[^>]*id="{re.escape(element_id)}"', html)
    return unescape(match.group(1)) if match else None


def event_row(html: str, event_id: int) -> str:
    """The HTML of one event's row."""
    start = rf'<tr id="event-{event_id}"'
    match = re.search(rf"{start}.*?</table>\s*</div>\s*</td>\s*</tr>|{start}.*?</tr>", html, re.S)
    assert match, f"event {event_id} is not on the page"
    return match.group(0)


def walk(client, url: str, limit: int = 200) -> list[list[int]]:
    """The pages from ``url`` on, following the "older" links to the end."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        pages.append(page_ids(html))
        url = link(html, "older-page")
        assert len(pages) <= limit, "the older links never end"
    return pages
