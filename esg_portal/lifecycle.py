"""One lifecycle for versioned documents (DESIGN.md rule 17): filings and receipt batches.

A document is one version of a series (one company's filing of a period, one agency's
receipts of a period). It is a draft until it is submitted with an attestation and a hash;
then it never changes: a correction is the next version, which supersedes the earlier ones
when it is submitted in turn. This module knows no domain: the domain gives its model, its
status table and its words, and adds only its lines and rules.

Two guarantees hold under parallel requests, on SQLite and on PostgreSQL:

- **no second success**: open-draft, submit and start-revision first lock the series' owner
  row (``lock_row``), then read what they decide on, so of ten parallel submissions one
  succeeds and nine see a submitted version and are refused (409);
- **no lost update**: every edit of a draft bumps the document's ``revision`` under the
  same lock; a form or an API write that says which revision it saw (``expected``) is
  refused with 409 ``stale`` when somebody saved in between.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .audit import utcnow
from .errors import InvalidTransition, PortalError
from .extensions import UtcDateTime, db


class StaleDocument(PortalError):
    """Somebody saved the document after the form (or the API client's ETag) was read."""

    status = 409
    code = "stale"
    default_message = _l("Somebody else saved this document after you opened it. Your changes were not saved: "
                         "look at the current version and try again.")

    def __init__(self, message: str | None = None, *, revision: str | None = None):
        super().__init__(message)
        self.details = {"revision": revision} if revision is not None else {}


class VersionedDocument:
    """Mixin: the columns every versioned document has."""

    #: 1, 2, … within the series; a revision after submission is the next version
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: bumped by every saved edit of a draft; forms and ETags carry it to refuse stale writes
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: hash of the canonical document, fixed at submission
    sha256: Mapped[str | None] = mapped_column(String(64))
    attested_by_name: Mapped[str | None] = mapped_column(String(255))
    attested_by_position: Mapped[str | None] = mapped_column(String(255))
    #: the attestation text exactly as shown to the person who signed, in their language
    attestation_text: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def submitted_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("user_account.id"))

    #: the revision counter is bookkeeping, not a change worth an audit line
    __audit_exclude__ = ("revision",)

    @property
    def revision_token(self) -> str:
        """Which version and which saved state of it: "version.revision" (forms carry it; a stale one is refused)."""
        return f"{self.version}.{self.revision or 0}"

    @property
    def etag(self) -> str:
        """The document's entity tag (``revision_token`` in quotes)."""
        return f'"{self.revision_token}"'


# --- the canonical hash ------------------------------------------------------------------

def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, no insignificant spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_sha256(document: Mapping[str, Any], *, excluded: Iterable[str] = ()) -> str:
    """sha256 hex of the canonical JSON of ``document`` without the ``excluded`` keys."""
    left_out = frozenset(excluded)
    return hashlib.sha256(canonical_json({k: v for k, v in document.items() if k not in left_out})).hexdigest()


# --- locks ------------------------------------------------------------------------------

def lock_row(model: type, row_id: int) -> None:
    """Hold the write lock of one row until the unit of work ends.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite locks the whole database for writing, and only
    at the first write of a transaction, so a no-op UPDATE takes that lock now: from here on no
    other request can write before this one commits or rolls back.
    """
    table = model.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        # plain SQL: a Core UPDATE would also fire the table's ``onupdate`` defaults
        db.session.execute(text(f'UPDATE "{table.name}" SET id = id WHERE id = :id'), {"id": row_id})
    else:
        db.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())


#: the state of a filing or batch that does not exist yet: a write that names it expects to make version 1
NEW_DOCUMENT_TOKEN = "1.0"

Expected = tuple[int, int]


def parse_revision(value: Any) -> Expected | None:
    """(version, revision) from a form's ``revision`` field or an ``If-Match`` ETag; None when absent or ``*``."""
    if value is None:
        return None
    text = str(value).strip().removeprefix("W/").strip('"')
    if not text or text == "*":
        return None
    version, sep, revision = text.partition(".")
    if not (sep and version.isascii() and version.isdigit() and revision.isascii() and revision.isdigit()
            and len(version) <= 9 and len(revision) <= 9):
        raise StaleDocument(_("The form or the If-Match header does not name a saved version of this document. "
                              "Open it again."))
    return int(version), int(revision)


# --- the lifecycle ----------------------------------------------------------------------

@dataclass(frozen=True)
class Words:
    """What a domain calls its states, in the user's language (callables: translated on use)."""

    #: the latest version is submitted; ``version`` is its number
    submitted: Callable[[int], str]
    #: this version is not a draft any more
    not_a_draft: Callable[[], str]
    already_submitted: Callable[[], str] = lambda: _("This version has already been submitted.")
    nothing_submitted: Callable[[], str] = lambda: _(
        "Nothing has been submitted for this period yet: fill in the draft instead.")
    draft_exists: Callable[[int], str] = lambda version: _(
        "Version %(version)d is already open as a draft: continue there.", version=version)


@dataclass(frozen=True)
class Lifecycle:
    """The lifecycle of one kind of versioned document."""

    model: type
    #: the column naming the series' owner (company_id, agency_id) and the owner's model
    owner_column: str
    owner_model: type
    status_enum: type[enum.Enum]
    #: (action, from status) → to status; anything else is refused
    transitions: Mapping[tuple[str, Any], Any]
    words: Words
    submit_action: str = "submit"
    supersede_action: str = "supersede"

    @property
    def draft(self) -> Any:
        return self.status_enum("draft")

    # reading

    def series(self, owner_id: int, period_id: int) -> list:
        """Every version of one owner's document for one period, oldest first."""
        model = self.model
        stmt = (select(model).where(getattr(model, self.owner_column) == owner_id, model.period_id == period_id)
                .order_by(model.version))
        return list(db.session.scalars(stmt))

    def latest(self, owner_id: int, period_id: int):
        model = self.model
        stmt = (select(model).where(getattr(model, self.owner_column) == owner_id, model.period_id == period_id)
                .order_by(model.version.desc()).limit(1))
        return db.session.scalar(stmt)

    # the status table

    def can(self, document: Any, action: str) -> bool:
        return (action, document.status) in self.transitions

    def transition(self, document: Any, action: str) -> Any:
        """Apply ``action``; raises ``InvalidTransition`` when the table does not allow it."""
        target = self.transitions.get((action, document.status))
        if target is None:
            raise InvalidTransition(code="not_draft" if action == self.submit_action else "invalid_transition")
        document.status = target
        return target

    # locks

    def lock_series(self, owner_id: int) -> None:
        """One writer per series at a time: the owner's row is locked until the unit of work ends."""
        lock_row(self.owner_model, owner_id)

    def lock(self, document: Any) -> None:
        """Lock the series, then read the document again: what was read before the lock may be stale."""
        self.lock_series(getattr(document, self.owner_column))
        db.session.refresh(document)

    # drafts

    def open_draft(self, owner_id: int, period_id: int, make: Callable[[], Any]) -> tuple[Any, bool]:
        """The series' open draft, or version 1 made by ``make`` when nothing exists; (draft, created).

        Two first writes in parallel make one draft: the second waits for the lock and finds it.
        """
        self.lock_series(owner_id)
        latest = self.latest(owner_id, period_id)
        if latest is not None:
            db.session.refresh(latest)
            if latest.status is not self.draft:
                raise InvalidTransition(self.words.submitted(latest.version), code="not_draft")
            return latest, False
        draft = make()
        # revision 0: nothing saved yet; the edit that opened it makes it 1
        draft.version, draft.status, draft.revision = 1, self.draft, 0
        db.session.add(draft)
        db.session.flush()
        return draft, True

    def require_draft(self, document: Any) -> None:
        if document.status is not self.draft:
            raise InvalidTransition(self.words.not_a_draft(), code="not_draft")

    def begin_edit(self, document: Any, expected: Expected | None = None) -> None:
        """Before an edit of a draft is written: lock, check it is still the draft the writer saw, bump.

        ``expected`` is the revision the form or the ETag was made from (None: the writer
        did not say, as a whole-section API replacement may).
        """
        if document.id is not None:
            self.lock(document)
        self.require_draft(document)
        self.check_fresh(document, expected)
        document.revision = (document.revision or 0) + 1

    def check_fresh(self, document: Any, expected: Expected | None) -> None:
        """Refuse a write made from another version or an older revision than the one stored."""
        if expected is not None and expected != (document.version, document.revision or 0):
            raise StaleDocument(revision=document.revision_token)

    # submission and revisions

    def submit(self, document: Any, actor: Any, *, name: str, position: str, attestation_text: str,
               now: dt.datetime | None, seal: Callable[[Any], None], expected: Expected | None = None) -> Any:
        """Submit the draft with its attestation; earlier versions become superseded; ``seal`` fixes the hash.

        The series is locked first, so a second submission of the same draft waits and then
        finds it submitted (409), and writes no second audit event.
        """
        self.lock(document)
        if document.status is not self.draft:
            raise InvalidTransition(self.words.already_submitted(), code="not_draft")
        self.check_fresh(document, expected)
        self.transition(document, self.submit_action)
        # to the second, as the interchange formats show it, so the stored time is the shown time
        document.submitted_at = (now or utcnow()).replace(microsecond=0)
        document.submitted_by_id = actor.id
        document.attested_by_name, document.attested_by_position = name, position
        document.attestation_text = attestation_text
        for earlier in self.series(getattr(document, self.owner_column), document.period_id):
            if earlier.version < document.version and self.can(earlier, self.supersede_action):
                self.transition(earlier, self.supersede_action)
        db.session.flush()
        seal(document)
        db.session.flush()
        return document

    def discard(self, document: Any) -> Any:
        """Delete a draft revision (version 2 and later): the version before it stays in force, unchanged.

        Version 1 is the document itself and is not discarded (its sections are emptied instead).
        The rows go through the session, so the audit trail records every deletion. Returns the
        version in force.
        """
        self.lock(document)
        self.require_draft(document)
        if document.version <= 1:
            raise InvalidTransition(code="nothing_to_discard")
        owner_id = getattr(document, self.owner_column)
        db.session.delete(document)
        db.session.flush()
        return self.latest(owner_id, document.period_id)

    def start_revision(self, owner_id: int, period_id: int, *, revisable: Iterable[Any] | None,
                       make_next: Callable[[Any], Any]) -> Any:
        """Open version n + 1 as a draft made by ``make_next(latest)``; refused while a draft is open.

        ``revisable``: the statuses a revision may start from (None: any submitted status).
        """
        self.lock_series(owner_id)
        latest = self.latest(owner_id, period_id)
        if latest is None:
            raise InvalidTransition(self.words.nothing_submitted(), code="nothing_submitted")
        db.session.refresh(latest)
        if latest.status is self.draft:
            raise InvalidTransition(self.words.draft_exists(latest.version), code="draft_exists")
        if revisable is not None and latest.status not in set(revisable):
            raise InvalidTransition()
        draft = make_next(latest)
        draft.version, draft.status, draft.revision = latest.version + 1, self.draft, 0
        db.session.add(draft)
        db.session.flush()
        return draft
