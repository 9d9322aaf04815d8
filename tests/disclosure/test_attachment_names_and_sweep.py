"""Attachments under hostile input (issue 11): names that are paths in disguise are refused (never
rewritten), on the page and in the API; temporary files a crash left behind are swept."""
from __future__ import annotations

import io
import os
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from attachment_files import multipart, pdf_bytes, stored_files, temporary_attachments_dir
from flask import Flask
from sqlalchemy import func, select
from support import PASSWORD, csrf_token, login

from esg_portal.accounts.models import User
from esg_portal.disclosure import attachments
from esg_portal.disclosure.models import Attachment, Disclosure
from esg_portal.errors import ValidationError
from esg_portal.extensions import db

pytestmark = pytest.mark.usefixtures("attachments_dir")

#: slashes and colons that are not ASCII but are shown as, or saved by some systems as, "/", "\\" or ":"
LOOKALIKE_PATHS = ["..\uff0fx.pdf", "..\uff3cx.pdf", "a\u2215b.pdf", "a\u2044b.pdf", "a\ufe68b.pdf", "C\uff1ax.pdf",
                   "\uff23:x.pdf"]
LEADING_DOTS = ["..x.pdf", "...pdf", "..  x.pdf"]


@pytest.fixture
def attachments_dir(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Attachment.id)))


def _messages(error: ValidationError) -> str:
    return " ".join(m for ms in error.errors.values() for m in ms)


@pytest.mark.parametrize("name", LOOKALIKE_PATHS)
def test_a_name_with_a_look_alike_slash_or_drive_is_refused_as_a_folder(app_ctx: Flask, world, attachments_dir,
                                                                         name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        attachments.store_attachment(db.session.get(User, world["filer"]),
                                     db.session.get(Disclosure, world["own_disclosure"]), pdf_bytes(), name)
    assert list(refused.value.errors) == ["file"]
    assert "contains a folder or a drive" in _messages(refused.value) and name in _messages(refused.value)
    db.session.rollback()
    assert stored_files(attachments_dir) == []


@pytest.mark.parametrize("name", LEADING_DOTS)
def test_a_name_beginning_with_two_dots_is_refused(app_ctx: Flask, world, attachments_dir, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        attachments.check_filename(name)
    assert "begins with two dots" in _messages(refused.value)


@pytest.mark.parametrize("name", ["Корутунду.pdf", "report v2.1.pdf", "a.b.pdf", "ЭКО-2024 (final).pdf",
                                  ".scan.pdf", "Ақ-Суу, айыл өкмөтү.pdf", "x..y.pdf"])
def test_plain_names_are_kept_exactly_as_sent(app_ctx: Flask, world, attachments_dir, name: str) -> None:
    stored = attachments.store_attachment(db.session.get(User, world["filer"]),
                                          db.session.get(Disclosure, world["own_disclosure"]), pdf_bytes(name), name)
    assert stored.original_name == name


def _filer(app: Flask):
    client = app.test_client()
    login(client, "filer@test.kg")
    return client


def test_the_upload_page_refuses_a_disguised_path_with_422_and_says_why(app: Flask, world, attachments_dir) -> None:
    client = _filer(app)
    # a browser sends "..\\..\\report.pdf" as is inside the quoted multipart filename, where werkzeug reads
    # each "\\." as an escaped ".": the name arrives as "....report.pdf" and is refused for its leading dots
    for name, reason in (("..\uff0freport.pdf", "contains a folder"), ("..report.pdf", "begins with two dots"),
                         ("..\\..\\report.pdf", "begins with two dots"), ("../report.pdf", "contains a folder")):
        response = client.post("/attachments/filing/2025", **multipart({
            "csrf_token": csrf_token(client, "/attachments/filing/2025"), "title": "",
            "file": (io.BytesIO(pdf_bytes()), name)}))
        assert response.status_code == 422, name
        assert reason in response.get_data(as_text=True), name
    assert _count(app) == 0 and stored_files(attachments_dir) == []


def test_the_api_refuses_a_disguised_path_with_422_in_errors_file(app: Flask, world, attachments_dir) -> None:
    token = app.test_client().post("/api/v1/auth/token", json={"email": "filer@test.kg", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    client = app.test_client()
    answers = [
        client.post("/api/v1/filings/2025/attachments", headers=headers,
                    **multipart({"file": (io.BytesIO(pdf_bytes()), "..\uff0fx.pdf")})),
        client.post("/api/v1/filings/2025/attachments", data=pdf_bytes(),
                    headers={**headers, "Content-Type": "application/pdf", "X-Filename": quote("..\uff3cx.pdf")}),
        client.post("/api/v1/filings/2025/attachments", data=pdf_bytes(),
                    headers={**headers, "Content-Type": "application/pdf", "X-Filename": "..x.pdf"}),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.get_data(as_text=True)
        body = answer.get_json()
        assert body["error"]["code"] == "invalid"
        assert list(body["errors"]) == ["file"] and ("folder" in body["errors"]["file"][0]
                                                     or "two dots" in body["errors"]["file"][0])
    assert _count(app) == 0 and stored_files(attachments_dir) == []


# --- temporary files left by a crash ---------------------------------------------------------------

HOUR = 3600


def _aged(path: Path, seconds: float, content: bytes = b"half a file") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_sweep_removes_only_old_temporary_upload_files(tmp_path: Path) -> None:
    root = tmp_path / "attachments"
    old = [_aged(root / "7" / ".upload-abc123", 2 * HOUR), _aged(root / "9" / ".upload-x", 30 * HOUR),
           _aged(root / ".upload-top", 2 * HOUR)]
    fresh = _aged(root / "7" / ".upload-now", 60)
    stored = _aged(root / "7" / ("a" * 64), 100 * HOUR)  # a stored attachment, however old
    other = _aged(root / "7" / "notes.upload-1", 2 * HOUR)
    outside = _aged(tmp_path / "elsewhere" / "precious", 2 * HOUR)
    (root / "7" / ".upload-link").symlink_to(outside)
    os.utime(root / "7" / ".upload-link", (time.time() - 2 * HOUR,) * 2, follow_symlinks=False)
    (root / "7" / ".upload-folder").mkdir()
    _aged(root / "7" / "deeper" / ".upload-deep", 2 * HOUR)  # not a company folder's own file: left alone

    removed = attachments.sweep_stale_uploads(root)

    assert sorted(removed) == sorted(old)
    assert not any(path.exists() for path in old)
    assert fresh.exists() and stored.exists() and other.exists() and outside.exists()
    assert (root / "7" / ".upload-link").is_symlink() and (root / "7" / ".upload-folder").is_dir()
    assert attachments.sweep_stale_uploads(root) == []
    assert attachments.sweep_stale_uploads(tmp_path / "missing") == []


def test_the_age_is_configurable(tmp_path: Path) -> None:
    import datetime as dt

    young = _aged(tmp_path / "1" / ".upload-young", 10 * 60)
    assert attachments.sweep_stale_uploads(tmp_path) == []
    assert attachments.sweep_stale_uploads(tmp_path, dt.timedelta(minutes=5)) == [young]


def test_the_sweep_command_cleans_the_attachments_folder(app: Flask, attachments_dir: Path) -> None:
    old = _aged(attachments_dir / "3" / ".upload-crashed", 2 * HOUR)
    young = _aged(attachments_dir / "3" / ".upload-young", 10 * 60)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 stale temporary upload file(s) removed" in result.output and str(old) in result.output
    assert not old.exists() and young.exists()
    result = runner.invoke(args=["attachments", "sweep", "--older-than-minutes", "5"])
    assert result.exit_code == 0 and not young.exists()
    assert runner.invoke(args=["attachments", "sweep", "--older-than-minutes", "0"]).exit_code != 0


def test_an_upload_clears_the_crash_leftovers_of_its_company_folder(app_ctx: Flask, world, attachments_dir) -> None:
    folder = attachments_dir / str(world["own_company"])
    old = _aged(folder / ".upload-crashed", 2 * HOUR)
    young = _aged(folder / ".upload-in-progress", 5)
    stored = attachments.store_attachment(db.session.get(User, world["filer"]),
                                          db.session.get(Disclosure, world["own_disclosure"]), pdf_bytes(), "a.pdf")
    db.session.commit()
    assert not old.exists() and young.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted([".upload-in-progress", stored.stored_name])
