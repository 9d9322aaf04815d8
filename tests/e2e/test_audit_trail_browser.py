"""The audit trail in a browser: at 1366 px (and on a phone) the page never scrolls sideways, even
with long unbroken values and large JSON in the changes; the changes scroll inside their own box."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert

from conftest import serve_demo
from esg_portal import create_app
from esg_portal.audit import AuditEvent
from esg_portal.demo.loader import DEMO_PASSWORD
from esg_portal.extensions import db

WIDE = "x" * 700  # no place to break
SHA = "ab12" * 16


@pytest.fixture(scope="module")
def trail_server(tmp_path_factory) -> Iterator[str]:
    """The demo portal, with events of very long values on top of the demo's own."""
    path = tmp_path_factory.mktemp("e2e-audit") / "audit.db"
    with serve_demo(path) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                          "SECRET_KEY": "e2e-secret-not-for-production",
                          "ESG_ATTACHMENTS_DIR": str(path.parent / "attachments")})
        now = dt.datetime.now(dt.timezone.utc)
        with app.app_context():
            db.session.execute(insert(AuditEvent.__table__), [
                {"created_at": now, "actor_id": None,
                 "actor_label": "someone.with.a.very.long.address" * 3 + "@demo.kg",
                 "action": "update", "table_name": "disclosure_section", "record_id": "1",
                 "changes": {"data": [{"items": [WIDE] * 5}, {"items": [WIDE, SHA * 10]}], "comment": [WIDE, None],
                             "very_long_unknown_column_name_without_a_label_" * 3: [SHA * 5, SHA * 6]},
                 "ip_address": "2001:0db8:85a3:0000:0000:8a2e:0370:7334"},
                {"created_at": now, "actor_id": None, "actor_label": "system", "action": "create",
                 "table_name": "release", "record_id": "999", "ip_address": None,
                 "changes": {"manifest": [None, {"files": [
                     {"name": f"attachments/{SHA}.pdf", "sha256": SHA, "bytes": 123456} for _ in range(40)]}]}},
            ])
            db.session.commit()
            db.engine.dispose()
        yield url


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login?lang=ru")
    page.fill("#email", "admin@demo.kg")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{url}/")


@pytest.mark.parametrize("width, height", [(1366, 800), (360, 740)])
def test_the_trail_fits_the_screen(page: Page, trail_server: str, width: int, height: int):
    page.set_viewport_size({"width": width, "height": height})
    _sign_in(page, trail_server)
    page.goto(f"{trail_server}/admin/audit?lang=ru")
    expect(page.locator("#audit")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    main = page.evaluate("[document.querySelector('main').scrollWidth, document.querySelector('main').clientWidth]")
    assert main[0] <= main[1], f"the audit trail is wider than its column at {width} px: {main}"
    if width >= 1366:  # on a phone the administrator's menu itself is wider than the screen (every admin page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the audit trail scrolls sideways at {width} px: scrollWidth {scroll}"
    # the long values are on the page, shortened, their full text in a title
    expect(page.locator(f'#audit span[title*="{WIDE}"]').first).to_be_attached()
    # the filter form fits as well, and the page links and CSV link are there
    expect(page.locator("#audit-csv")).to_be_visible()
    assert page.locator("#audit > tbody > tr").count() == 50
