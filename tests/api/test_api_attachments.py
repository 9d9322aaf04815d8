"""POST/GET /api/v1/filings/{year}/attachments: multipart or raw body, judged by content, filers only."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from attachment_files import (
    ELF,
    WINDOWS_EXE,
    jpeg_bytes,
    multipart,
    pdf_bytes,
    png_bytes,
    sha256,
    stored_files,
    temporary_attachments_dir,
)
from flask import Flask
from sqlalchemy import func, select

from esg_portal.disclosure.models import Attachment, Disclosure, DisclosureStatus
from esg_portal.extensions import db

pytestmark = pytest.mark.usefixtures("attachments_dir")


@pytest.fixture
def attachments_dir(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)
URL = "/filings/2025/attachments"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.get_json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body


def _post_file(api, data: bytes, name: str, title: str | None = None, year: int = 2025):
    fields = {"file": (io.BytesIO(data), name)}
    if title is not None:
        fields["title"] = title
    return api.open(f"/filings/{year}/attachments", "POST", **multipart(fields))


def _post_raw(api, data: bytes, content_type: str, name: str | None, title: str | None = None):
    headers = {"Content-Type": content_type}
    if name is not None:
        headers["X-Filename"] = name
    if title is not None:
        headers["X-Title"] = title
    return api.open(URL, "POST", data=data, headers=headers)


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Attachment.id)))


def test_a_filer_uploads_as_multipart_and_as_a_raw_body_and_lists_them(app: Flask, api_world, api_as) -> None:
    api = api_as("filer")
    assert api.get(URL).get_json() == {"data": []}
    pdf = pdf_bytes()
    created = _post_file(api, pdf, "conclusion.pdf", "EIA conclusion")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert {k: body[k] for k in ("sha256", "media_type", "size", "name", "title")} == {
        "sha256": sha256(pdf), "media_type": "application/pdf", "size": len(pdf), "name": "conclusion.pdf",
        "title": "EIA conclusion"}
    assert isinstance(body["id"], int) and body["uploaded_at"].endswith("Z")
    # the raw body, with a Kyrgyz name percent-encoded as UTF-8
    png = png_bytes()
    name = "Коомдук угуунун протоколу.png"
    raw = _post_raw(api, png, "image/png", quote(name), quote("Протокол"))
    assert raw.status_code == 201, raw.get_json()
    assert raw.get_json()["name"] == name and raw.get_json()["title"] == "Протокол"
    assert raw.get_json()["media_type"] == "image/png" and raw.get_json()["sha256"] == sha256(png)
    listed = api.get(URL).get_json()["data"]
    assert [a["name"] for a in listed] == ["conclusion.pdf", name]
    assert listed[0] == body
    # the upload opened the draft (version 1); the files can now be named in a section
    document = api.get("/filings/2025").get_json()
    assert (document["version"], document["status"]) == (1, "draft")


def test_a_jpeg_as_a_raw_body(api_world, api_as) -> None:
    response = _post_raw(api_as("filer"), jpeg_bytes(), "image/jpeg", "site photo.jpg")
    assert response.status_code == 201 and response.get_json()["media_type"] == "image/jpeg"


@pytest.mark.parametrize("data", [ELF, WINDOWS_EXE, b"%PDF-1.4\n"])
def test_a_renamed_program_is_refused_by_its_content(app: Flask, api_world, api_as, attachments_dir,
                                                     data: bytes) -> None:
    api = api_as("filer")
    for response in (_post_file(api, data, "report.pdf"), _post_raw(api, data, "application/pdf", "report.pdf")):
        body = _error(response, 422, "invalid")
        assert "not a PDF, JPEG or PNG" in body["errors"]["file"][0]
    assert _count(app) == 0 and stored_files(attachments_dir) == []


def test_a_pdf_with_a_picture_extension_or_declared_as_a_picture_is_refused(app: Flask, api_world, api_as,
                                                                            attachments_dir) -> None:
    api = api_as("filer")
    for name in ("scan.png", "scan.jpg"):
        body = _error(_post_file(api, pdf_bytes(), name), 422, "invalid")
        assert f"named “{name}”" in body["errors"]["file"][0] and "a PDF document" in body["errors"]["file"][0]
    body = _error(_post_raw(api, pdf_bytes(), "image/png", "scan.pdf"), 422, "invalid")
    assert "declared as image/png" in body["errors"]["file"][0]
    assert _count(app) == 0 and stored_files(attachments_dir) == []


@pytest.mark.parametrize("name", ["../x.pdf", "C:\\x.pdf", "a/b.pdf", "x%00.pdf", "..%2Fx.pdf", "%0Ax.pdf", ""])
def test_a_name_with_a_path_or_control_characters_is_refused(app: Flask, api_world, api_as, attachments_dir,
                                                             name: str) -> None:
    _error(_post_raw(api_as("filer"), pdf_bytes(), "application/pdf", name), 422, "invalid")
    assert _count(app) == 0 and stored_files(attachments_dir) == []


def test_multipart_names_with_a_path_are_refused(app: Flask, api_world, api_as, attachments_dir) -> None:
    for name in ("../x.pdf", "C:\\Users\\me\\x.pdf", "a/b.pdf"):
        body = _error(_post_file(api_as("filer"), pdf_bytes(), name), 422, "invalid")
        assert "folder" in body["errors"]["file"][0]
    assert _count(app) == 0 and stored_files(attachments_dir) == []


def test_what_the_body_must_be(api_world, api_as) -> None:
    api = api_as("filer")
    _error(_post_raw(api, pdf_bytes(), "text/plain", "a.pdf"), 415, "unsupported_media_type")
    _error(api.post_json(URL, {"file": "a.pdf"}), 415, "unsupported_media_type")
    body = _error(_post_raw(api, pdf_bytes(), "application/pdf", None), 422, "invalid")
    assert "X-Filename" in body["errors"]["file"][0]
    body = _error(api.open(URL, "POST", **multipart({"title": "no file"})), 422, "invalid")
    assert "field “file”" in body["errors"]["file"][0]


def test_just_over_the_limit_is_413_and_nothing_is_stored(app: Flask, api_world, api_as, attachments_dir,
                                                          count_disclosures) -> None:
    data = pdf_bytes()
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = len(data) - 1
    api = api_as("filer")
    for response in (_post_file(api, data, "a.pdf"), _post_raw(api, data, "application/pdf", "a.pdf"),
                     _post_raw(api, data + b"\n" * 100_000, "application/pdf", "a.pdf")):
        body = _error(response, 413, "too_large")
        assert "larger than" in body["error"]["message"]
    assert _count(app) == 0 and stored_files(attachments_dir) == []
    assert count_disclosures() == 0


def test_an_attachment_over_the_portal_upload_limit_but_within_its_own_is_taken(app: Flask, api_world,
                                                                                api_as) -> None:
    data = pdf_bytes()
    data = data[:-6] + b"%" * 50_000 + data[-6:]
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = 100_000
    api = api_as("filer")
    assert _post_raw(api, data, "application/pdf", "big.pdf").status_code == 201
    assert _post_file(api, data[:-7] + b"\n%%EOF\n", "big2.pdf").status_code == 201
    # a data upload keeps the portal's limit
    _error(api.put_csv("/filings/2025/payments", b"x" * 20_000), 413, "too_large")


@pytest.mark.parametrize("who", ["assistant"])
def test_any_filer_of_the_company_may_attach(api_world, api_as, who: str) -> None:
    assert _post_file(api_as(who), pdf_bytes(), "a.pdf").status_code == 201


@pytest.mark.parametrize("who", ["officer", "secretariat", "admin"])
def test_other_roles_get_403(app: Flask, api_world, api_as, attachments_dir, who: str) -> None:
    api = api_as(who)
    _error(_post_file(api, pdf_bytes(), "a.pdf"), 403, "forbidden")
    _error(api.get(URL), 403, "forbidden")
    assert _count(app) == 0 and stored_files(attachments_dir) == []


def test_without_a_token_401(api_world, api_as) -> None:
    _error(_post_file(api_as(None), pdf_bytes(), "a.pdf"), 401, "unauthorized")
    _error(api_as(None).get(URL), 401, "unauthorized")


def test_another_companys_files_are_not_listed(api_world, api_as) -> None:
    assert _post_file(api_as("filer"), pdf_bytes(), "own.pdf").status_code == 201
    assert api_as("other_filer").get(URL).get_json() == {"data": []}


def test_periods_and_versions_that_take_no_files(app: Flask, api_world, api_as, factory) -> None:
    api = api_as("filer")
    _error(_post_file(api, pdf_bytes(), "a.pdf", year=1999), 404, "period_not_found")
    _error(_post_file(api, pdf_bytes(), "a.pdf", year=2024), 409, "period_closed")
    factory.disclosure(api_world["own_company"], api_world["period"], DisclosureStatus.SUBMITTED)
    _error(_post_file(api, pdf_bytes(), "a.pdf"), 409, "not_draft")
    with app.app_context():
        assert db.session.scalar(select(func.count(Disclosure.id))) == 1


def test_the_openapi_document_describes_the_attachment_endpoints(api_world, api_as) -> None:
    document = api_as("filer").get("/openapi.json").get_json()
    path = document["paths"]["/filings/{year}/attachments"]
    assert set(path) >= {"get", "post"}
    content = path["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/pdf", "image/jpeg", "image/png"}
    assert {"201", "403", "413", "415", "422"} <= set(path["post"]["responses"])
