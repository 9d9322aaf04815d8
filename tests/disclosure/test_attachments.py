"""Attachments (issue 4 §7): files judged by content, plain names only, a size limit, random names
outside the web root, who may fetch them, deletion, and the files following the transaction."""
from __future__ import annotations

import io
import re
from pathlib import Path

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
from support import csrf_token, login

from esg_portal.accounts.models import User
from esg_portal.accounts.permissions import can_fetch_attachment
from esg_portal.disclosure import attachments
from esg_portal.disclosure.models import Attachment, Disclosure, DisclosureStatus
from esg_portal.disclosure.sections import services as section_services
from esg_portal.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from esg_portal.extensions import db

pytestmark = pytest.mark.usefixtures("attachments_dir")


@pytest.fixture
def attachments_dir(app: Flask, tmp_path):
    return temporary_attachments_dir(app, tmp_path)


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _draft(world) -> Disclosure:
    return db.session.get(Disclosure, world["own_disclosure"])


def _count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def _text(error: ValidationError) -> str:
    return " ".join(m for ms in error.errors.values() for m in ms)


def _agreement(sha: str | None) -> dict:
    """A social-package agreement whose signed copy is the attachment ``sha``."""
    return {"counterparty_kind": "aiyl_okmotu", "counterparty_name": "Ак-Суу айыл өкмөтү", "district": "",
            "region": "ISSYK_KUL", "agreement_number": "СП-14/2024", "signed_date": "2024-12-20",
            "start_date": "2025-01-01", "end_date": None, "legal_basis": "licence",
            "committed_cash_kgs": "15000000.00", "committed_in_kind": [], "disbursed_cash_kgs": None,
            "disbursed_in_kind_kgs": None, "purposes": ["water"], "purpose_other": "", "beneficiaries": "",
            "beneficiaries_count": None, "hearing_reference": "", "agreement_attachment": sha}


# --- what is accepted, and where it goes ---------------------------------------------------

@pytest.mark.parametrize(("make", "name", "media_type"), [
    (pdf_bytes, "Заключение ОВОС 12-2024.pdf", "application/pdf"),
    (jpeg_bytes, "photo.JPG", "image/jpeg"),
    (jpeg_bytes, "scan.jpeg", "image/jpeg"),
    (png_bytes, "map.png", "image/png"),
])
def test_a_valid_file_is_stored_under_a_random_name_outside_the_web_root(app_ctx: Flask, world, attachments_dir,
                                                                          make, name: str, media_type: str) -> None:
    data = make()
    attachment = attachments.store_attachment(_user(world["filer"]), _draft(world), data, name, "  EIA   conclusion ")
    db.session.commit()
    assert (attachment.sha256, attachment.media_type, attachment.size_bytes) == (sha256(data), media_type, len(data))
    assert attachment.original_name == name and attachment.title == "EIA conclusion"
    assert attachment.company_id == world["own_company"] and attachment.disclosure_id == world["own_disclosure"]
    assert re.fullmatch(r"[0-9a-f]{64}", attachment.stored_name)
    path = attachments.file_path(attachment)
    assert path == attachments_dir.resolve() / str(world["own_company"]) / attachment.stored_name
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o077 == 0
    static = Path(app_ctx.static_folder).resolve()
    assert static not in path.parents
    # nothing but the file itself is left in the folder (no temporary upload name)
    assert stored_files(attachments_dir) == [path]


def test_by_default_files_go_to_the_instance_folder(app_ctx: Flask) -> None:
    app_ctx.config["ESG_ATTACHMENTS_DIR"] = ""
    assert attachments.storage_root() == (Path(app_ctx.instance_path) / "attachments").resolve()


def test_a_folder_inside_the_static_folder_is_refused(app_ctx: Flask) -> None:
    app_ctx.config["ESG_ATTACHMENTS_DIR"] = str(Path(app_ctx.static_folder) / "files")
    with pytest.raises(RuntimeError, match="static"):
        attachments.storage_root()


def test_two_uploads_of_one_name_get_two_random_names(app_ctx: Flask, world) -> None:
    first = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes("one"), "a.pdf")
    second = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes("two"), "a.pdf")
    assert first.stored_name != second.stored_name


# --- what is refused, and that nothing is kept -------------------------------------------------

def _refused(world, attachments_dir, data: bytes, name: str, *, error=ValidationError) -> str:
    with pytest.raises(error) as refused:
        attachments.store_attachment(_user(world["filer"]), _draft(world), data, name)
    db.session.rollback()
    assert _count() == 0
    assert stored_files(attachments_dir) == []
    exc = refused.value
    return _text(exc) if isinstance(exc, ValidationError) else exc.message


@pytest.mark.parametrize("data", [ELF, WINDOWS_EXE, b"", b"%PDF-1.7 but nothing else", b"plain text",
                                  b"<html><script>alert(1)</script></html>"])
def test_a_renamed_program_or_anything_else_is_refused_by_its_content(app_ctx: Flask, world, attachments_dir,
                                                                      data: bytes) -> None:
    message = _refused(world, attachments_dir, data, "report.pdf")
    assert "not a PDF, JPEG or PNG" in message and "content, not by its name" in message


def test_truncated_files_are_refused(app_ctx: Flask, world, attachments_dir) -> None:
    pdf, png, jpeg = pdf_bytes(), png_bytes(), jpeg_bytes()
    assert "not a PDF" in _refused(world, attachments_dir, pdf[: len(pdf) // 2], "a.pdf")
    assert "not a PDF" in _refused(world, attachments_dir, png[:40], "a.png")
    assert "not a PDF" in _refused(world, attachments_dir, jpeg[: len(jpeg) // 2], "a.jpg")
    # a PNG signature without its IHDR chunk
    assert "not a PDF" in _refused(world, attachments_dir, png[:8] + png[33:], "a.png")


@pytest.mark.parametrize(("make", "name", "kind"), [
    (pdf_bytes, "photo.png", "a PDF document"), (pdf_bytes, "photo.jpg", "a PDF document"),
    (png_bytes, "conclusion.pdf", "a PNG image"), (jpeg_bytes, "map.png", "a JPEG image"),
    (pdf_bytes, "report.docx", "a PDF document"), (pdf_bytes, "report.pdf.exe", "a PDF document"),
])
def test_a_name_whose_extension_contradicts_the_content_is_refused(app_ctx: Flask, world, attachments_dir, make,
                                                                   name: str, kind: str) -> None:
    message = _refused(world, attachments_dir, make(), name)
    assert f"named “{name}”" in message and kind in message


def test_a_name_without_extension_is_refused(app_ctx: Flask, world, attachments_dir) -> None:
    message = _refused(world, attachments_dir, pdf_bytes(), "conclusion")
    assert "no extension" in message and ".pdf" in message


@pytest.mark.parametrize("name", ["../x.pdf", "..\\x.pdf", "C:\\x.pdf", "C:x.pdf", "a/b.pdf", "/etc/x.pdf",
                                  "..", "x\x00.pdf", "x\n.pdf", "x\r.pdf", "\x1bx.pdf", "a\u202egpj.pdf", "",
                                  "   ", None, " x.pdf", "x" * 252 + ".pdf"])
def test_a_name_with_a_path_control_characters_or_no_name_is_refused(app_ctx: Flask, world, attachments_dir,
                                                                     name) -> None:
    message = _refused(world, attachments_dir, pdf_bytes(), name)
    assert message


def test_a_file_just_over_the_limit_is_refused_with_413(app_ctx: Flask, world, attachments_dir) -> None:
    data = pdf_bytes()
    app_ctx.config["ESG_MAX_ATTACHMENT_BYTES"] = len(data) - 1
    message = _refused(world, attachments_dir, data, "a.pdf", error=attachments.AttachmentTooLarge)
    assert attachments.AttachmentTooLarge.status == 413
    assert attachments.size_text(len(data) - 1) in message
    app_ctx.config["ESG_MAX_ATTACHMENT_BYTES"] = len(data)
    attachments.store_attachment(_user(world["filer"]), _draft(world), data, "a.pdf")


def test_the_same_file_twice_in_one_period_is_refused(app_ctx: Flask, world) -> None:
    data = pdf_bytes()
    attachments.store_attachment(_user(world["filer"]), _draft(world), data, "first.pdf")
    with pytest.raises(ValidationError) as refused:
        attachments.store_attachment(_user(world["filer"]), _draft(world), data, "second.pdf")
    assert "already attached as “first.pdf”" in _text(refused.value)


def test_a_long_title_is_refused(app_ctx: Flask, world) -> None:
    with pytest.raises(ValidationError) as refused:
        attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes(), "a.pdf", "t" * 256)
    assert "title" in refused.value.errors


@pytest.mark.parametrize("who", ["other_filer", "officer", "secretariat", "admin"])
def test_only_a_filer_of_the_company_may_attach(app_ctx: Flask, world, attachments_dir, who: str) -> None:
    with pytest.raises((NotFound, PermissionDenied)):
        attachments.store_attachment(_user(world[who]), _draft(world), pdf_bytes(), "a.pdf")
    assert _count() == 0 and stored_files(attachments_dir) == []


def test_nothing_is_attached_to_a_submitted_version(app_ctx: Flask, world, attachments_dir) -> None:
    draft = _draft(world)
    draft.status = DisclosureStatus.SUBMITTED
    db.session.flush()
    with pytest.raises(InvalidTransition):
        attachments.store_attachment(_user(world["filer"]), draft, pdf_bytes(), "a.pdf")
    assert stored_files(attachments_dir) == []


# --- files follow the transaction ---------------------------------------------------------------

def test_a_rolled_back_upload_leaves_no_file(app_ctx: Flask, world, attachments_dir) -> None:
    attachment = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes(), "a.pdf")
    assert attachments.file_path(attachment).is_file()
    db.session.rollback()
    assert stored_files(attachments_dir) == [] and _count() == 0


def test_an_upload_never_committed_leaves_no_file(app: Flask, world, attachments_dir) -> None:
    with app.app_context():
        attachment = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes(), "a.pdf")
        assert attachments.file_path(attachment).is_file()
    # the app context ended and its session was closed without a commit
    assert stored_files(attachments_dir) == []
    with app.app_context():
        assert _count() == 0


def test_a_deleted_file_goes_only_when_the_deletion_is_committed(app_ctx: Flask, world, attachments_dir) -> None:
    attachment = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes(), "a.pdf")
    db.session.commit()
    path = attachments.file_path(attachment)
    attachments.delete_attachment(_user(world["filer"]), attachment)
    db.session.rollback()
    assert path.is_file() and _count() == 1
    attachment = db.session.scalar(select(Attachment))
    attachments.delete_attachment(_user(world["filer"]), attachment)
    db.session.commit()
    assert not path.exists() and _count() == 0


# --- sections refer to attachments by sha256 -------------------------------------------------------

def test_a_section_refers_to_an_attachment_by_its_sha256(app_ctx: Flask, world) -> None:
    filer, draft = _user(world["filer"]), _draft(world)
    data = pdf_bytes("Social package agreement")
    with pytest.raises(ValidationError) as refused:
        section_services.replace_section(filer, draft, "social_agreements", [_agreement(sha256(data))], locale="en")
    assert "Upload the file first" in _text(refused.value)
    db.session.rollback()
    draft = _draft(world)
    attachment = attachments.store_attachment(filer, draft, data, "agreement.pdf")
    section_services.replace_section(filer, draft, "social_agreements", [_agreement(attachment.sha256)], locale="en")
    db.session.commit()
    assert section_services.section_items(draft, "social_agreements")[0]["agreement_attachment"] == attachment.sha256
    assert attachments.referencing_sections(draft, attachment.sha256) == ["social_agreements"]
    # another company's file cannot be named
    other = attachments.store_attachment(_user(world["other_filer"]), db.session.get(Disclosure,
                                         world["other_disclosure"]), pdf_bytes("other"), "other.pdf")
    with pytest.raises(ValidationError) as refused:
        section_services.replace_section(filer, draft, "social_agreements", [_agreement(other.sha256)], locale="en")
    assert "no attachment of your company" in _text(refused.value)


def test_a_referred_file_cannot_be_deleted(app_ctx: Flask, world) -> None:
    filer, draft = _user(world["filer"]), _draft(world)
    attachment = attachments.store_attachment(filer, draft, pdf_bytes(), "agreement.pdf")
    section_services.replace_section(filer, draft, "social_agreements", [_agreement(attachment.sha256)], locale="en")
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        attachments.delete_attachment(filer, attachment)
    assert "referred to in “Social-package agreements”" in refused.value.errors[""][0]
    db.session.rollback()
    section_services.replace_section(filer, _draft(world), "social_agreements", [_agreement(None)], locale="en")
    attachments.delete_attachment(filer, db.session.get(Attachment, attachment.id))
    db.session.commit()
    assert _count() == 0


def test_a_file_of_a_submitted_version_cannot_be_deleted(app_ctx: Flask, world) -> None:
    filer = _user(world["filer"])
    attachment = attachments.store_attachment(filer, _draft(world), pdf_bytes(), "a.pdf")
    _draft(world).status = DisclosureStatus.SUBMITTED
    db.session.commit()
    with pytest.raises(InvalidTransition, match="cannot be deleted"):
        attachments.delete_attachment(filer, attachment)
    with pytest.raises(NotFound):
        attachments.delete_attachment(_user(world["secretariat"]), attachment)


# --- who may fetch ---------------------------------------------------------------------------------

def test_who_may_fetch_an_attachment(app_ctx: Flask, world) -> None:
    attachment = attachments.store_attachment(_user(world["filer"]), _draft(world), pdf_bytes(), "a.pdf")
    db.session.commit()
    allowed = {who: can_fetch_attachment(_user(world[who]), attachment)
               for who in ("filer", "other_filer", "officer", "secretariat", "admin")}
    # the secretariat does not see a file of a draft (like the draft itself)
    assert allowed == {"filer": True, "other_filer": False, "officer": False, "secretariat": False, "admin": False}
    _draft(world).status = DisclosureStatus.SUBMITTED
    db.session.commit()
    assert can_fetch_attachment(_user(world["secretariat"]), attachment)
    assert not can_fetch_attachment(_user(world["officer"]), attachment)
    for who in ("other_filer", "officer", "admin"):
        with pytest.raises(NotFound):
            attachments.fetch_attachment(_user(world[who]), attachment.id)
    fetched, path = attachments.fetch_attachment(_user(world["secretariat"]), attachment.id)
    assert fetched.id == attachment.id and path.is_file()
    with pytest.raises(NotFound):
        attachments.fetch_attachment(_user(world["filer"]), attachment.id + 1000)


# --- the pages -------------------------------------------------------------------------------------

def _upload(client, data: bytes, name: str, title: str = "", year: int = 2025):
    return client.post(f"/attachments/filing/{year}", **multipart({
        "csrf_token": csrf_token(client, f"/attachments/filing/{year}"), "title": title,
        "file": (io.BytesIO(data), name)}))


def _signed_in(app: Flask, email: str):
    client = app.test_client()
    login(client, email)
    return client


def test_the_filer_attaches_lists_downloads_and_deletes(app: Flask, world, attachments_dir) -> None:
    client = _signed_in(app, "filer@test.kg")
    page = client.get("/attachments/filing/2025")
    assert page.status_code == 200 and "No files attached yet." in page.get_data(as_text=True)
    data = pdf_bytes()
    response = _upload(client, data, "Корутунду.pdf", "EIA conclusion")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Корутунду.pdf" in page and sha256(data) in page and "EIA conclusion" in page and "PDF" in page
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    download = client.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%D0%9A" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    download.close()
    token = csrf_token(client, "/attachments/filing/2025")
    deleted = client.post(f"/attachments/{attachment_id}/delete", data={"csrf_token": token, "confirmed": "1"})
    assert deleted.status_code == 302
    assert "No files attached yet." in client.get("/attachments/filing/2025").get_data(as_text=True)
    assert stored_files(attachments_dir) == []


def test_the_page_shows_why_a_file_is_refused(app: Flask, world, attachments_dir) -> None:
    client = _signed_in(app, "filer@test.kg")
    response = _upload(client, ELF, "report.pdf")
    assert response.status_code == 422
    assert "This file is not a PDF, JPEG or PNG document." in response.get_data(as_text=True)
    response = _upload(client, pdf_bytes(), "../report.pdf")
    assert response.status_code == 422 and "contains a folder" in response.get_data(as_text=True)
    response = _upload(client, pdf_bytes(), "photo.jpg")
    assert response.status_code == 422 and "named “photo.jpg”" in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0
    assert stored_files(attachments_dir) == []


def test_an_upload_without_a_csrf_token_is_refused(app: Flask, world, attachments_dir) -> None:
    client = _signed_in(app, "filer@test.kg")
    response = client.post("/attachments/filing/2025", **multipart({"file": (io.BytesIO(pdf_bytes()), "a.pdf")}))
    assert response.status_code == 400
    assert stored_files(attachments_dir) == []


def test_an_oversized_upload_is_413_and_nothing_is_stored(app: Flask, world, attachments_dir) -> None:
    client = _signed_in(app, "filer@test.kg")
    data = pdf_bytes()
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = len(data) - 1  # just over the limit
    response = _upload(client, data, "a.pdf")
    assert response.status_code == 413
    assert f"The file is larger than {attachments.size_text(len(data) - 1)}" in response.get_data(as_text=True)
    # far over the limit: refused from the declared length, before the body is read
    response = _upload(client, data + b"\n" * 200_000, "a.pdf")
    assert response.status_code == 413
    with app.app_context():
        assert _count() == 0
    assert stored_files(attachments_dir) == []


def test_the_attachment_limit_applies_to_attachments_not_the_portal_limit(app: Flask, world,
                                                                           attachments_dir) -> None:
    """An attachment larger than MAX_CONTENT_LENGTH (the data-upload limit) but within its own is taken."""
    client = _signed_in(app, "filer@test.kg")
    data = pdf_bytes()
    data = data[:-6] + b"%" * 300_000 + data[-6:]  # padding in a PDF comment; %%EOF stays at the end
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    app.config["ESG_MAX_ATTACHMENT_BYTES"] = 1024 * 1024
    assert _upload(client, data, "big.pdf").status_code == 302
    # other forms keep the portal limit
    token = csrf_token(client, "/attachments/filing/2025")
    assert client.post("/disclosures/filing/2025/upload", **multipart({"csrf_token": token, "file": (
        io.BytesIO(b"x" * 200_000), "a.csv")})).status_code == 413


def test_a_default_sized_20_mb_limit_takes_a_file_over_10_mb(app: Flask, world, attachments_dir) -> None:
    assert app.config["ESG_MAX_ATTACHMENT_BYTES"] == 20 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    client = _signed_in(app, "filer@test.kg")
    data = pdf_bytes()
    data = data[:-6] + b"%" * (11 * 1024 * 1024) + data[-6:]
    assert _upload(client, data, "scan.pdf").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Attachment.size_bytes)) == len(data)


def test_who_reaches_the_attachment_pages(app: Flask, world, attachments_dir) -> None:
    filer = _signed_in(app, "filer@test.kg")
    assert _upload(filer, pdf_bytes(), "a.pdf").status_code == 302
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    url = f"/attachments/{attachment_id}"
    assert app.test_client().get(url).status_code == 302  # to sign in
    for email in ("other@test.kg", "officer@test.kg", "admin@test.kg", "secretariat@test.kg"):
        client = _signed_in(app, email)
        assert client.get(url).status_code == 404, email
        token = csrf_token(client, "/")
        assert client.post(f"{url}/delete", data={"csrf_token": token, "confirmed": "1"}).status_code == 404, email
    for email in ("officer@test.kg", "admin@test.kg", "secretariat@test.kg"):
        client = _signed_in(app, email)
        assert client.get("/attachments/filing/2025").status_code == 403, email
        assert _upload(client, pdf_bytes(), "b.pdf").status_code in (403, 400), email
    # the other company's page lists only its own files
    other_page = _signed_in(app, "other@test.kg").get("/attachments/filing/2025").get_data(as_text=True)
    assert "a.pdf" not in other_page
    # once the version is submitted, the secretariat may fetch the file
    with app.app_context():
        db.session.get(Disclosure, world["own_disclosure"]).status = DisclosureStatus.SUBMITTED
        db.session.commit()
    fetched = _signed_in(app, "secretariat@test.kg").get(url)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "application/pdf"
    fetched.close()
    assert _signed_in(app, "officer@test.kg").get(url).status_code == 404
    # and the filer can no longer delete it
    token = csrf_token(filer, "/")
    assert filer.post(f"{url}/delete", data={"csrf_token": token, "confirmed": "1"}).status_code == 409
    page = filer.get("/attachments/filing/2025").get_data(as_text=True)
    assert f"delete-attachment-{attachment_id}" not in page and 'id="attachment-form"' not in page


# --- settings --------------------------------------------------------------------------------------

def test_the_attachment_settings_are_parsed_strictly(tmp_path) -> None:
    from esg_portal.config import ConfigError, load_config
    config = load_config(str(tmp_path), {})
    assert config["ESG_MAX_ATTACHMENT_BYTES"] == 20 * 1024 * 1024 and config["ESG_ATTACHMENTS_DIR"] == ""
    config = load_config(str(tmp_path), {"ESG_MAX_ATTACHMENT_MB": "35", "ESG_ATTACHMENTS_DIR": str(tmp_path)})
    assert config["ESG_MAX_ATTACHMENT_BYTES"] == 35 * 1024 * 1024 and config["ESG_ATTACHMENTS_DIR"] == str(tmp_path)
    for name, value in (("ESG_MAX_ATTACHMENT_MB", "twenty"), ("ESG_MAX_ATTACHMENT_MB", "0"),
                        ("ESG_ATTACHMENTS_DIR", "relative/files")):
        with pytest.raises(ConfigError, match=name):
            load_config(str(tmp_path), {name: value})
