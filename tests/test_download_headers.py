"""Headers of what the portal sends (issue 11): safe download names, no-store downloads, HSTS, no server version.

- ``downloads.content_disposition``: the real name in ``filename*``, an ASCII ``filename`` fallback
  that never holds a path, "..", quotes or control characters;
- attachment downloads and exports (``send_file``, whose own default is ``no-cache``) end ``no-store``;
- ``Strict-Transport-Security`` when the cookies are Secure (HTTPS deployments), none otherwise;
- no ``Server`` header from the portal; under gunicorn one ``Server: gunicorn`` without a version
  (checked on a real gunicorn), and the development server of ``esg-portal serve`` says no version either.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
from attachment_files import pdf_bytes, temporary_attachments_dir
from flask import Flask
from race_support import fetch, live_server
from support import login
from werkzeug.serving import make_server

from esg_portal.cli import QuietRequestHandler
from esg_portal.disclosure.models import Attachment
from esg_portal.downloads import MAX_FALLBACK, ascii_fallback, content_disposition
from esg_portal.eiti import report_pages
from esg_portal.extensions import db

HOSTILE_NAMES = ["../x.pdf", "..\\..\\x.pdf", "C:\\x.pdf", "a/b.pdf", "/etc/passwd", "..", "...", "",
                 'a"b.pdf', "a\\\"b.pdf", "a;b=c.pdf", "x\r\nSet-Cookie: s=1.pdf", "Корутунду.pdf", "..／x.pdf",
                 ".hidden.pdf", "a..b.pdf", "x" * 400 + ".pdf", "%2e%2e%2fx.pdf", "ǅ…\u202e.pdf"]


def _params(header: str) -> tuple[str, dict[str, str]]:
    """(disposition, {"filename": the quoted ASCII fallback}) of a Content-Disposition value."""
    kind, _sep, rest = header.partition(";")
    fallback = re.fullmatch(r' filename="([^"\\]*)"(; filename\*=UTF-8\'\'[^;\s"]*)?', rest)
    assert fallback, header
    return kind, {"filename": fallback.group(1)}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_ascii_fallback_is_a_plain_name_and_filename_star_keeps_the_real_one(name: str) -> None:
    header = content_disposition(name)
    assert header.isascii() and "\r" not in header and "\n" not in header
    kind, params = _params(header)
    assert kind == "attachment"
    fallback = params["filename"]
    assert fallback == ascii_fallback(name)
    assert re.fullmatch(r"[A-Za-z0-9._()+-]+", fallback), fallback
    assert ".." not in fallback and not fallback.startswith(".") and "/" not in fallback and "\\" not in fallback
    assert 0 < len(fallback) <= MAX_FALLBACK
    assert header.count('"') == 2  # only the fallback's own quotes: nothing can close it early
    if name and fallback != name:
        star = re.search(r"filename\*=UTF-8''([^;\s]*)$", header).group(1)
        assert unquote(star) == name


def test_plain_names_are_sent_as_they_are_and_inline_when_asked() -> None:
    assert content_disposition("overdue-2025.csv") == 'attachment; filename="overdue-2025.csv"'
    assert content_disposition("report.pdf", inline=True) == 'inline; filename="report.pdf"'
    assert content_disposition("Корутунду.pdf") == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''"
        "%D0%9A%D0%BE%D1%80%D1%83%D1%82%D1%83%D0%BD%D0%B4%D1%83.pdf")
    assert ascii_fallback("Отчёт ROYALTY 2024.xlsx") == "ROYALTY_2024.xlsx"
    assert ascii_fallback("café.png") == "cafe.png"


# --- attachment downloads --------------------------------------------------------------------------

@pytest.fixture
def attachments_dir(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


def _stored_attachment(app: Flask, world, original_name: str) -> int:
    """An attachment row as an older portal (or a restored backup) might hold it, with its file."""
    with app.app_context():
        from esg_portal.disclosure.attachments import storage_root

        data = pdf_bytes()
        folder = storage_root() / str(world["own_company"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ("f" * 64)).write_bytes(data)
        attachment = Attachment(company_id=world["own_company"], period_id=world["period"],
                                disclosure_id=world["own_disclosure"], original_name=original_name,
                                stored_name="f" * 64, sha256="e" * 64, media_type="application/pdf",
                                size_bytes=len(data), uploaded_by_id=world["filer"])
        db.session.add(attachment)
        db.session.commit()
        return attachment.id


@pytest.mark.parametrize("name", ['..\\..\\Windows\\evil".pdf', "../../etc/Корутунду.pdf"])
def test_an_attachment_download_never_sends_a_path_in_the_fallback_name(app: Flask, world, attachments_dir,
                                                                        name: str) -> None:
    attachment_id = _stored_attachment(app, world, name)
    client = app.test_client()
    login(client, "filer@test.kg")
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    response.close()
    kind, params = _params(header)
    assert kind == "attachment"
    assert "/" not in params["filename"] and "\\" not in params["filename"] and ".." not in params["filename"]
    assert params["filename"].endswith(".pdf")
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)$", header).group(1)) == name
    assert response.headers["Cache-Control"] == "no-store"


def test_attachment_downloads_and_exports_are_not_stored_by_the_browser(app: Flask, world, attachments_dir,
                                                                       monkeypatch) -> None:
    attachment_id = _stored_attachment(app, world, "conclusion.pdf")
    filer = app.test_client()
    login(filer, "filer@test.kg")
    paths = [f"/attachments/{attachment_id}", "/disclosures/filing/2025/payments-template.csv",
             "/disclosures/filing/2025/payments-template.xlsx"]
    for path in paths:
        response = filer.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", (path, response.headers["Cache-Control"])
        assert response.headers["Content-Disposition"].startswith("attachment;"), path
        response.close()
    # the reconciliation report files go through send_file too (its content does not matter here)
    monkeypatch.setattr(report_pages, "report_file", lambda *args: ("reconciliation-2025.csv", "text/csv", b"a\n"))
    secretariat = app.test_client()
    login(secretariat, "secretariat@test.kg")
    response = secretariat.get("/eiti/runs/1/report.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    # static files keep their own policy
    with app.test_client().get("/static/style.css") as css:
        assert css.status_code == 200 and css.headers.get("Cache-Control") != "no-store"


def test_hand_written_download_headers_go_through_the_helper(app: Flask, world) -> None:
    officer = app.test_client()
    login(officer, "officer@test.kg")
    response = officer.get("/receipts/2025/receipts-template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="receipts-template-2025.csv"'


# --- HSTS and the Server header ----------------------------------------------------------------------

def test_hsts_is_sent_when_the_cookies_are_secure_and_only_then(app: Flask) -> None:
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    for path in ("/login", "/static/style.css", "/no-such-page"):
        with client.get(path) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path


def test_the_portal_itself_sends_no_server_header(app: Flask) -> None:
    for path in ("/login", "/static/style.css", "/no-such-page"):
        with app.test_client().get(path) as response:
            assert "Server" not in response.headers


def test_the_development_server_of_esg_portal_serve_tells_no_version(app: Flask) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        answer = fetch(f"http://127.0.0.1:{server.server_port}/login?lang=en")
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
    assert answer.status == 200
    assert answer.headers.get_all("Server") == ["esg_portal"]
    # werkzeug's own handler would say e.g. "Werkzeug/3.1.3 Python/3.11.9"
    with live_server(app) as url:
        plain = fetch(f"{url}/login?lang=en")
    assert re.search(r"\d", plain.headers["Server"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_under_gunicorn_the_server_header_has_no_version_and_hsts_is_sent(tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    port = _free_port()
    env = {**os.environ, "ESG_ENV": "development", "ESG_INSTANCE_PATH": str(tmp_path), "ESG_SECURE_COOKIES": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "ESG_DEFAULT_LOCALE": "en"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "esg_portal:create_app()"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answer = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    answer = response.headers
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert answer is not None, output
    assert answer.get_all("Server") == ["gunicorn"]  # one header, no version
    assert answer["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert answer["Cache-Control"] == "no-store"
