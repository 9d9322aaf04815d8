"""Parallel uploads of the same attachment (issue 11): exactly one is stored.

Ten requests upload the same bytes to one company's filing at the same moment, against the test
database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL): through the upload page (a test
client per thread) and through the API on a live server. Writing the file is slowed down so that
every request passes the "already attached?" check before the first one inserts its row; the
unique constraint on (company, period, sha256) then lets one win. The others are answered as a
sequential duplicate is (422, "already attached as …"), and their files are removed.
"""
from __future__ import annotations

import io
import time

import pytest
from attachment_files import multipart, pdf_bytes, stored_files, temporary_attachments_dir
from flask import Flask
from race_support import fetch, live_server, parallel_requests, run_in_parallel, statuses
from sqlalchemy import select
from support import PASSWORD, csrf_token, login

from esg_portal.disclosure import attachments
from esg_portal.disclosure.models import Attachment
from esg_portal.extensions import db

PARALLEL = 10
ALREADY = "This file is already attached as “scan.pdf”"


@pytest.fixture
def attachments_dir(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


@pytest.fixture
def slow_write(monkeypatch):
    """Writing a file takes 300 ms longer: every parallel request is past its duplicate check before any insert."""
    write = attachments._write

    def slow(*args, **kwargs):
        path = write(*args, **kwargs)
        time.sleep(0.3)
        return path

    monkeypatch.setattr(attachments, "_write", slow)


def _rows(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(a.original_name, a.stored_name) for a in db.session.scalars(select(Attachment).order_by(Attachment.id))]


def _assert_stored_once(app: Flask, attachments_dir, names: set[str]) -> None:
    rows = _rows(app)
    assert len(rows) == 1, rows
    name, stored_name = rows[0]
    assert name in names
    # one file on disk, the winner's: the losers' files went with their rolled-back transactions
    assert [path.name for path in stored_files(attachments_dir)] == [stored_name]


def test_parallel_uploads_of_the_same_file_on_the_page_store_it_once(app: Flask, world, attachments_dir,
                                                                     slow_write) -> None:
    data = pdf_bytes("one scan, uploaded ten times")

    def prepare(client):
        login(client, "filer@test.kg")
        return csrf_token(client, "/attachments/filing/2025")

    def send(client, token):
        return client.post("/attachments/filing/2025", **multipart({
            "csrf_token": token, "title": "", "file": (io.BytesIO(data), "scan.pdf")}))

    results = parallel_requests(app, PARALLEL, send, prepare)
    codes = statuses(results)
    assert sorted(codes, key=str) == [302] + [422] * (PARALLEL - 1), codes
    for response in results:
        if response.status_code == 422:
            assert ALREADY in response.get_data(as_text=True)
    _assert_stored_once(app, attachments_dir, {"scan.pdf"})


def test_parallel_uploads_of_the_same_file_through_the_api_store_it_once(app: Flask, world, attachments_dir,
                                                                         slow_write) -> None:
    data = pdf_bytes("one scan, sent ten times")
    token = app.test_client().post("/api/v1/auth/token", json={"email": "filer@test.kg", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}", "Content-Type": "application/pdf",
               "X-Filename": "scan.pdf"}
    with live_server(app) as url:
        answers = run_in_parallel(PARALLEL, lambda _i: fetch(f"{url}/api/v1/filings/2025/attachments",
                                                             method="POST", data=data, headers=headers))
    codes = statuses(answers)
    assert sorted(codes, key=str) == [201] + [422] * (PARALLEL - 1), codes
    winner = next(answer.json() for answer in answers if answer.status == 201)
    for answer in answers:
        if answer.status == 422:
            body = answer.json()
            assert body["error"]["code"] == "invalid" and ALREADY in body["errors"]["file"][0]
    _assert_stored_once(app, attachments_dir, {"scan.pdf"})
    with app.app_context():
        assert db.session.scalar(select(Attachment.id)) == winner["id"]


def test_parallel_uploads_of_different_files_are_all_stored(app: Flask, world, attachments_dir, slow_write) -> None:
    files = [pdf_bytes(f"conclusion {n}") for n in range(PARALLEL)]

    def prepare(client):
        login(client, "filer@test.kg")
        return csrf_token(client, "/attachments/filing/2025")

    sent = iter(range(PARALLEL))

    def send(client, token):
        n = next(sent)
        return client.post("/attachments/filing/2025", **multipart({
            "csrf_token": token, "title": "", "file": (io.BytesIO(files[n]), f"conclusion-{n}.pdf")}))

    assert statuses(parallel_requests(app, PARALLEL, send, prepare)) == [302] * PARALLEL
    assert len(_rows(app)) == PARALLEL and len(stored_files(attachments_dir)) == PARALLEL


def test_the_same_file_for_another_company_is_not_a_duplicate(app_ctx: Flask, world, factory,
                                                                        attachments_dir) -> None:
    from esg_portal.accounts.models import User
    from esg_portal.disclosure.models import Disclosure

    data = pdf_bytes("a policy both companies publish")
    attachments.store_attachment(db.session.get(User, world["filer"]), db.session.get(Disclosure, world["own_disclosure"]),
                                 data, "policy.pdf")
    attachments.store_attachment(db.session.get(User, world["other_filer"]),
                                 db.session.get(Disclosure, world["other_disclosure"]), data, "policy.pdf")
    db.session.commit()
    assert len(db.session.scalars(select(Attachment)).all()) == 2


def test_parallel_first_uploads_open_one_draft_and_store_the_file_once(app: Flask, world, factory, attachments_dir,
                                                                       slow_write) -> None:
    """A company with nothing filed yet: each request would open the draft (version 1) first."""
    from esg_portal.accounts.models import Role
    from esg_portal.disclosure.models import Disclosure

    company = factory.company("New Mining LLC")
    factory.user(Role.COMPANY_FILER, "new.filer@test.kg", company_id=company, is_signatory=True)
    token = app.test_client().post("/api/v1/auth/token", json={"email": "new.filer@test.kg", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}", "Content-Type": "application/pdf",
               "X-Filename": "scan.pdf"}
    data = pdf_bytes("the first file of a new filing")
    with live_server(app) as url:
        answers = run_in_parallel(PARALLEL, lambda _i: fetch(f"{url}/api/v1/filings/2025/attachments",
                                                             method="POST", data=data, headers=headers))
    codes = statuses(answers)
    assert sorted(codes, key=str) == [201] + [422] * (PARALLEL - 1), codes
    with app.app_context():
        drafts = db.session.scalars(select(Disclosure).where(Disclosure.company_id == company)).all()
        assert [(d.version, d.status.value) for d in drafts] == [(1, "draft")]
        assert [a.company_id for a in db.session.scalars(select(Attachment))] == [company]
