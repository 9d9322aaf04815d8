"""Browser tests: Debian's Chromium driven by Playwright against a live server on SQLite.

Playwright never downloads a browser here: the browser is /usr/bin/chromium. Skipped when the suite runs
on PostgreSQL (TEST_DATABASE_URL set), as CI runs them once, on SQLite.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from esg_portal import create_app
from esg_portal.demo.loader import load_demo
from esg_portal.extensions import db
from esg_portal.reference.loader import load_reference_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.environ.get("TEST_DATABASE_URL"):
        reason = "browser tests run on SQLite only"
    elif not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


#: the application behind each served URL (a test that also works in the app, e.g. sends the outbox)
SERVED: dict[str, object] = {}


@contextmanager
def serve_demo(path: Path, **config) -> Iterator[str]:
    """The portal with reference and demo data in the SQLite file ``path``, served on a free port in a thread;
    ``config`` adds settings (an SMTP server…); ``SERVED[url]`` is the application."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": "e2e-secret-not-for-production",
                      "ESG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "ESG_ATTACHMENTS_DIR": str(path.parent / "attachments"), **config})
    # let unexpected errors render a 500 page instead of killing the server thread
    app.config["TESTING"] = False
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_reference_data()
        load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    SERVED[url] = app
    try:
        yield url
    finally:
        SERVED.pop(url, None)
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The demo portal shared by the session's browser tests (they may change its data)."""
    with serve_demo(tmp_path_factory.mktemp("e2e") / "e2e.db") as url:
        yield url
