"""Attachments of a filing (issue 4 §7): PDF, JPEG and PNG files judged by their content.

A filer uploads a file to the company's open draft; sections refer to it by its SHA-256
(``sections.fields.AttachmentRef``). The file is checked before anything is written: its
type comes from its bytes (and their structure, not only the first bytes), its name must be a
plain file name whose extension agrees with that type, and it must fit the size limit
(``ESG_MAX_ATTACHMENT_MB``). It is then kept under a random name in a folder outside the web
root (``ESG_ATTACHMENTS_DIR``, by default ``<instance path>/attachments/<company id>/``) and
only ever served through ``fetch_attachment``, which checks who is asking.

Files and the database are kept in step by the session (see ``_track``): a file written for
a transaction that is rolled back (or abandoned) is removed, and a deleted attachment's file is removed only
once the deletion is committed. Only a crash between the write and the commit can leave an
orphan file: it has a random name no row points to, so nobody can fetch it; an operator may
remove files that no ``attachment.stored_name`` names. A crash in the middle of writing leaves a
temporary ``.upload-*`` file: the next upload to that company's folder removes those older than an
hour, and ``esg-portal attachments sweep`` removes them from every folder.

Parallel uploads of the same file for one company and period: the unique constraint on
(company, period, sha256) lets one be stored; the others are answered like a later duplicate (422).

The checks (``check_file``) and the storage (``keep_file``) are shared with the files sent with
answers to questions (``disclosure.evidence``), which live in the ``evidence`` folder of the same root.

Every service takes the acting user first, flushes but never commits.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Role, User
from ..accounts.permissions import can_fetch_attachment, can_view_disclosure, is_filer_of
from ..companies.models import Company
from ..errors import InvalidTransition, NotFound, PermissionDenied, PortalError, ValidationError
from ..extensions import db
from ..tabular._text import format_size
from ..reference.models import PeriodStatus, ReportingPeriod
from .models import Attachment, Disclosure, DisclosureStatus
from .sections import spec_for
from .sections.fields import AttachmentRef, Rows
from .services import get_period, latest_version, open_draft, require_editable

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
#: the file name extensions that may carry each type
EXTENSIONS: dict[str, tuple[str, ...]] = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
MEDIA_TYPES = tuple(EXTENSIONS)
MAX_NAME = 255
MAX_TITLE = 255
#: how far from the end a PDF's "%%EOF" may be (the PDF reference allows 1024 bytes) and a
#: JPEG's end-of-image marker (cameras and editors may append a little after it)
PDF_TAIL = 1024
JPEG_TAIL = 64 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class AttachmentTooLarge(PortalError):
    """A file over ``ESG_MAX_ATTACHMENT_MB``; answered with 413 and nothing stored."""

    status = 413
    code = "too_large"


def max_bytes() -> int:
    return int(current_app.config["ESG_MAX_ATTACHMENT_BYTES"])


def size_text(size: int) -> str:
    """A size for people (``tabular.format_size``: one wording for every file size the portal shows)."""
    return format_size(size)


def too_large() -> AttachmentTooLarge:
    return AttachmentTooLarge(_("The file is larger than %(limit)s, the most one attachment may be. Make it smaller "
                                "(for example, scan at 150–200 dpi) or split it into parts.",
                                limit=size_text(max_bytes())))


# --- judging a file ------------------------------------------------------------------

def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TAIL:]


def _is_png(data: bytes) -> bool:
    # the signature, then the IHDR chunk (13 bytes long) that must come first, and an IEND chunk
    return (data.startswith(PNG_SIGNATURE) and data[8:16] == b"\x00\x00\x00\x0dIHDR"
            and b"IEND" in data[-64:])


def _is_jpeg(data: bytes) -> bool:
    # start of image, then a marker; the end-of-image marker near the end
    return data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[-JPEG_TAIL:]


def detect_media_type(data: bytes) -> str | None:
    """application/pdf, image/jpeg or image/png from the bytes themselves; None for anything else
    (including a truncated file of one of these types)."""
    for media_type, test in ((PDF, _is_pdf), (PNG, _is_png), (JPEG, _is_jpeg)):
        if test(data):
            return media_type
    return None


def type_name(media_type: str) -> str:
    return {PDF: _("a PDF document"), JPEG: _("a JPEG image"), PNG: _("a PNG image")}[media_type]


#: characters shown as, or turned by some systems into, "/" or "\\" (Windows "best fit" maps the
#: fullwidth forms to the ASCII ones when a file is saved)
SLASH_LOOKALIKES = frozenset("\u2044\u2215\u2216\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c")


def _has_path_parts(name: str) -> bool:
    """A folder ("a/b.pdf", "..\\x.pdf", also with look-alike slashes), "." or "..", or a drive ("C:x.pdf")."""
    folded = unicodedata.normalize("NFKC", name)
    return (any(ch in "/\\" or ch in SLASH_LOOKALIKES for ch in name + folded)
            or name.strip() in (".", "..")
            or any(len(text) > 1 and text[1] == ":" and text[0].isascii() and text[0].isalpha()
                   for text in (name, folded)))


def check_filename(filename: str | None) -> str:
    """The uploader's file name if it is a plain file name; else ValidationError naming the problem.

    Nothing is stripped silently: a name with a folder, a drive, control characters or no name
    at all is refused, so that what is stored and shown is exactly what the filer sent.
    """
    name = unicodedata.normalize("NFC", filename or "")
    if not name.strip():
        raise ValidationError({"file": [_("The file has no name. Give it a name such as conclusion.pdf and "
                                          "upload it again.")]})
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name):
        raise ValidationError({"file": [_("The file name contains control characters. Rename the file using "
                                          "letters, digits, spaces, dots, hyphens or underscores.")]})
    if _has_path_parts(name):
        raise ValidationError({"file": [_("The file name “%(name)s” contains a folder or a drive. Send the file "
                                          "under its own name only, for example conclusion.pdf.",
                                          name=name[:MAX_NAME])]})
    if name.startswith(".."):
        raise ValidationError({"file": [_("The file name “%(name)s” begins with two dots, which computers read as "
                                          "the way up to another folder. Rename the file, for example "
                                          "conclusion.pdf, and upload it again.", name=name[:MAX_NAME])]})
    if name != name.strip():
        raise ValidationError({"file": [_("The file name begins or ends with a space. Rename the file and upload "
                                          "it again.")]})
    if len(name) > MAX_NAME:
        raise ValidationError({"file": [_("The file name is too long: at most %(max)d characters. Rename the "
                                          "file and upload it again.", max=MAX_NAME)]})
    return name


def check_content(data: bytes, name: str) -> str:
    """The detected type of ``data``; refused when it is not one of ours or the name's extension says otherwise."""
    media_type = detect_media_type(data)
    if media_type is None:
        raise ValidationError({"file": [_("This file is not a PDF, JPEG or PNG document. A file is judged by its "
                                          "content, not by its name. If it is a scan, save it as PDF, JPEG or "
                                          "PNG and upload it again.")]})
    extension = PurePosixPath(name).suffix.lower()
    if extension not in EXTENSIONS[media_type]:
        expected = " ".join(EXTENSIONS[media_type])
        if extension:
            message = _("The file is named “%(name)s”, but its content is %(kind)s. A file must be named for what "
                        "it contains: rename it with the extension %(expected)s, or upload the file you meant.",
                        name=name, kind=type_name(media_type), expected=expected)
        else:
            message = _("The file name “%(name)s” has no extension, and its content is %(kind)s. Rename it with "
                        "the extension %(expected)s and upload it again.",
                        name=name, kind=type_name(media_type), expected=expected)
        raise ValidationError({"file": [message]})
    return media_type


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check of an attachment: its plain name, detected type and digest."""

    data: bytes
    name: str
    media_type: str
    sha256: str


def check_file(data: bytes, filename: str | None) -> CheckedFile:
    """The checks every stored file passes, in this order: the size limit (413), a plain file name,
    a PDF, JPEG or PNG content whose extension agrees (``ValidationError`` on ``file``).

    Used for filing attachments and for the evidence files of answers (``disclosure.evidence``).
    """
    if len(data) > max_bytes():
        raise too_large()
    name = check_filename(filename)
    media_type = check_content(data, name)
    return CheckedFile(data, name, media_type, hashlib.sha256(data).hexdigest())


def keep_file(folder: Path, data: bytes) -> str:
    """Write ``data`` under a new random name in ``folder`` (under ``storage_root()``); returns the name.

    The file follows the transaction: removed again if the unit of work is rolled back.
    """
    stored_name = secrets.token_hex(32)
    _track(_WRITTEN, _write(folder, stored_name, data))
    return stored_name


def _check_title(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": [_("The title is too long: at most %(max)d characters.", max=MAX_TITLE)]})
    return title or None


# --- where files live ----------------------------------------------------------------

def storage_root() -> Path:
    """The attachments folder: ``ESG_ATTACHMENTS_DIR`` or ``<instance path>/attachments``; never
    inside the static folder (anything there would be served to anyone)."""
    configured = current_app.config.get("ESG_ATTACHMENTS_DIR") or ""
    root = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    root = root.resolve()
    static = current_app.static_folder
    if static and (root == Path(static).resolve() or Path(static).resolve() in root.parents):
        raise RuntimeError("ESG_ATTACHMENTS_DIR must not be inside the static folder: files there are public")
    return root


def file_path(attachment: Attachment) -> Path:
    return storage_root() / str(attachment.company_id) / attachment.stored_name


#: the prefix of the temporary name a file is written under before it is renamed to its stored name
UPLOAD_PREFIX = ".upload-"
#: a temporary upload file older than this was left by a crash (writing one takes well under a second)
STALE_UPLOAD_AGE = dt.timedelta(hours=1)


def _stale_uploads(folder: Path, cutoff: float) -> Iterator[Path]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(UPLOAD_PREFIX) and entry.is_file(follow_symlinks=False) \
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                yield Path(entry.path)


def sweep_stale_uploads(root: Path | str, older_than: dt.timedelta = STALE_UPLOAD_AGE, *,
                        now: float | None = None) -> list[Path]:
    """Remove the temporary upload files (``.upload-*``) older than ``older_than`` that a crash in the
    middle of an upload left under ``root`` (the attachments folder, one folder per company); returns them.

    Only those names are touched, only in ``root`` and its company folders, never following links.
    A stored attachment never has that name, and an upload in progress is seconds old.
    """
    root = Path(root)
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    with os.scandir(root) as entries:
        folders = [root] + [Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False)]
    for folder in folders:
        for path in _stale_uploads(folder, cutoff):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _write(folder: Path, stored_name: str, data: bytes) -> Path:
    """Write under a temporary name in the same folder, then rename: a reader never sees half a file.

    Temporary files that an earlier crash left in the folder are removed on the way.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in _stale_uploads(folder, time.time() - STALE_UPLOAD_AGE.total_seconds()):
        stale.unlink(missing_ok=True)
    target = folder / stored_name
    fd, temporary = tempfile.mkstemp(prefix=UPLOAD_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


# --- files follow the transaction ------------------------------------------------------

_WRITTEN = "esg_attachments_written"
_TO_REMOVE = "esg_attachments_to_remove"


def _track(kind: str, path: Path) -> None:
    db.session().info.setdefault(kind, []).append(str(path))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_TO_REMOVE, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    """A transaction that ended without a commit (rolled back, or the session closed): its new files go."""
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    for path in session.info.pop(_WRITTEN, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_TO_REMOVE, None)


# --- services --------------------------------------------------------------------------

def store_attachment(actor: User, disclosure: Disclosure, data: bytes, filename: str | None,
                     title: str | None = None) -> Attachment:
    """Check and keep a file for the company's open draft; returns the new Attachment.

    Refused (nothing written, no row) when the actor may not edit the draft, the file is over
    the limit (413), its name is not a plain file name, its content is not a PDF, JPEG or PNG,
    its extension contradicts its content, or the same file is already attached for the period.
    """
    require_editable(actor, disclosure)
    checked = check_file(data, filename)
    name, media_type, sha256 = checked.name, checked.media_type, checked.sha256
    clean_title = _check_title(title)
    company_id, period_id = disclosure.company_id, disclosure.period_id
    same = _same_file(company_id, period_id, sha256)
    if same is not None:
        raise _already_attached(same)
    stored_name = keep_file(storage_root() / str(disclosure.company_id), data)
    attachment = Attachment(company_id=disclosure.company_id, period_id=disclosure.period_id,
                            disclosure_id=disclosure.id, original_name=name, stored_name=stored_name,
                            sha256=sha256, media_type=media_type, size_bytes=len(data), title=clean_title,
                            uploaded_by_id=actor.id)
    db.session.add(attachment)
    try:
        db.session.flush()
    except IntegrityError:
        # A parallel upload of the same file committed between the check above and this insert (the
        # unique constraint on company, period and sha256 stopped the second copy). The upload fails
        # anyway, so the whole unit of work is rolled back (which removes the file just written; a
        # SAVEPOINT would not do on SQLite, where releasing one that opened the transaction commits
        # it), and it is answered exactly like an upload that came after the other one.
        db.session.rollback()
        same = _same_file(company_id, period_id, sha256)
        if same is None:
            raise
        raise _already_attached(same) from None
    return attachment


def _same_file(company_id: int, period_id: int, sha256: str) -> Attachment | None:
    """The company's attachment of the period with this content, if there is one."""
    return db.session.scalar(select(Attachment).where(
        Attachment.company_id == company_id, Attachment.period_id == period_id, Attachment.sha256 == sha256))


def _already_attached(same: Attachment) -> ValidationError:
    return ValidationError({"file": [_("This file is already attached as “%(name)s”. Refer to that one; there "
                                       "is no need to upload it twice.", name=same.original_name)]})


def get_attachment(actor: User, attachment_id: int) -> Attachment:
    """The attachment if the actor may fetch it; otherwise it does not exist for them (404)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_fetch_attachment(actor, attachment):
        raise NotFound()
    return attachment


def fetch_attachment(actor: User, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and the path of its file, for a filer of the company or the secretariat
    (once submitted). Everyone else gets 404, so that they do not learn the file exists.
    Published attachments will be served to the public from releases (not built yet)."""
    attachment = get_attachment(actor, attachment_id)
    path = file_path(attachment)
    if not path.is_file():
        current_app.logger.error("attachment %s: file %s is missing", attachment.id, path)
        raise NotFound()
    return attachment, path


def list_attachments(actor: User, disclosure: Disclosure) -> list[Attachment]:
    """The company's attachments for the version's period that the actor may fetch, oldest first."""
    if not can_view_disclosure(actor, disclosure):
        raise NotFound()
    stmt = (select(Attachment).where(Attachment.company_id == disclosure.company_id,
                                     Attachment.period_id == disclosure.period_id)
            .order_by(Attachment.uploaded_at, Attachment.id))
    return [a for a in db.session.scalars(stmt) if can_fetch_attachment(actor, a)]


def _refs(schema: Any, item: dict) -> list[str]:
    found: list[str] = []
    for key, kind in schema.fields.items():
        value = item.get(key)
        if isinstance(kind, AttachmentRef) and value:
            found.append(value)
        elif isinstance(kind, Rows):
            for row in value or []:
                found += _refs(kind.inner.schema, row)
    return found


def _section_refs(row: Any) -> list[str]:
    """The sha256 values an ``AttachmentRef`` field of one stored section holds."""
    spec = spec_for(row.section)
    if spec is None:
        return []
    schema = spec.schema()
    return [sha for item in ((row.data if spec.many else [row.data]) or []) for sha in _refs(schema, item)]


def referenced_sha256(disclosure: Disclosure) -> list[str]:
    """The sha256 of every attachment the version's sections name, in section order, each once."""
    seen: list[str] = []
    for row in disclosure.sections:
        for sha in _section_refs(row):
            if sha not in seen:
                seen.append(sha)
    return seen


def referenced_attachments(disclosure: Disclosure) -> list[Attachment]:
    """The attachments of a version: those its sections refer to (in section order), then the other files
    uploaded to this version; one per sha256."""
    wanted = referenced_sha256(disclosure)
    stmt = (select(Attachment).where(Attachment.company_id == disclosure.company_id,
                                     or_(Attachment.sha256.in_(wanted), Attachment.disclosure_id == disclosure.id))
            .order_by(Attachment.id))
    by_sha: dict[str, Attachment] = {}
    for attachment in db.session.scalars(stmt):
        by_sha.setdefault(attachment.sha256, attachment)
    ordered = [by_sha.pop(sha) for sha in wanted if sha in by_sha]
    return ordered + list(by_sha.values())


def referencing_sections(disclosure: Disclosure, sha256: str) -> list[str]:
    """Keys of the version's sections that name the file."""
    return [row.section for row in disclosure.sections if sha256 in _section_refs(row)]


def is_deletable(attachment: Attachment) -> bool:
    """Uploaded to a version that is still a draft (a filed file is never removed)."""
    version = attachment.disclosure
    return version is not None and version.status is DisclosureStatus.DRAFT


def check_deletable(actor: User, attachment: Attachment) -> None:
    """Refuse unless ``actor`` may delete the file now: a filer of the company, a file of the open draft
    that no section of the draft refers to (asked before the deletion is confirmed, and again at it)."""
    if not is_filer_of(actor, attachment.company_id):
        raise NotFound()
    version = attachment.disclosure
    if not is_deletable(attachment):
        raise InvalidTransition(_("The file “%(name)s” was filed with a submitted version and stays part of it: it "
                                  "cannot be deleted.", name=attachment.original_name), code="not_draft")
    require_editable(actor, version)
    sections = referencing_sections(version, attachment.sha256)
    if sections:
        names = ", ".join(f"“{spec.label if (spec := spec_for(key)) else key}”" for key in sections)
        raise ValidationError({"": [_("The file “%(name)s” is referred to in %(sections)s. Remove it there first, "
                                      "then delete the file.", name=attachment.original_name, sections=names)]})


def delete_attachment(actor: User, attachment: Attachment) -> None:
    """Remove a file uploaded to the open draft that no section of the draft refers to.

    The file itself is removed once the deletion is committed.
    """
    check_deletable(actor, attachment)
    _track(_TO_REMOVE, file_path(attachment))
    db.session.delete(attachment)
    db.session.flush()


# --- the attachments of one filing (web page and API) --------------------------------------

def filer_company(actor: User) -> Company:
    """The actor's company; 403 for every role but company filer (attachments are the company's)."""
    if not (getattr(actor, "is_authenticated", False) and actor.role is Role.COMPANY_FILER
            and actor.company_id is not None):
        raise PermissionDenied(_("Attachments are uploaded and listed by company filers only."))
    return db.session.get(Company, actor.company_id)


@dataclass
class FilingAttachments:
    """What the attachments page of one period shows."""

    company: Company
    period: ReportingPeriod
    #: the newest version (None: nothing filed yet)
    latest: Disclosure | None
    attachments: list[Attachment] = field(default_factory=list)
    #: a file may be uploaded now (the period is open and the newest version, if any, is a draft)
    can_upload: bool = False
    #: attachment id → keys of the draft's sections that refer to it
    references: dict[int, list[str]] = field(default_factory=dict)
    #: attachment ids the filer may delete now
    deletable: set[int] = field(default_factory=set)


def filing_attachments(actor: User, year: int) -> FilingAttachments:
    """The company's attachments for the period ``year`` (filers only); nothing is stored by asking."""
    company = filer_company(actor)
    period = get_period(year)
    latest = latest_version(company.id, period.id)
    page = FilingAttachments(company=company, period=period, latest=latest)
    is_open = period.status is PeriodStatus.OPEN
    page.can_upload = is_open and (latest is None or latest.status is DisclosureStatus.DRAFT)
    if latest is None:
        return page
    page.attachments = list_attachments(actor, latest)
    for attachment in page.attachments:
        if latest.status is DisclosureStatus.DRAFT:
            page.references[attachment.id] = referencing_sections(latest, attachment.sha256)
        if is_open and is_deletable(attachment) and not page.references.get(attachment.id):
            page.deletable.add(attachment.id)
    return page


def attach_to_filing(actor: User, year: int, data: bytes, filename: str | None,
                     title: str | None = None) -> Attachment:
    """Store a file for the company's draft of ``year``, opening the draft (version 1) if there is none."""
    company = filer_company(actor)
    period = get_period(year)
    return store_attachment(actor, open_draft(actor, company, period), data, filename, title)


def company_attachments(actor: User, year: int) -> list[Attachment]:
    """The attachments of the company for ``year`` (filers only; [] when nothing is filed)."""
    return filing_attachments(actor, year).attachments
