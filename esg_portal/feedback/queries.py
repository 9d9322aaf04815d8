"""What each reader may see of the cases: the handlers' lists, the resident's own page, the public
record (the moderated text only, never a name or a contact) and its statistics."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role, User
from ..audit import utcnow
from ..errors import NotFound
from ..extensions import db
from ..reference.models import Region, Site
from . import permissions
from .models import Addressee, Author, CaseState, EntryKind, FeedbackCase
from .register import Register, region_of_site, subject_label
from .services import can_reopen, normalise_code, overdue_stage
from .stats import STATES, CaseFacts, summarise

#: a public list shows at most this many cases a page
PAGE_SIZE = 50
#: the states the public sees (a received case is not checked yet, a rejected one never was a case)
PUBLIC_STATES = (CaseState.REGISTERED, CaseState.IN_PROGRESS, CaseState.ANSWERED, CaseState.CLOSED_RESOLVED,
                 CaseState.CLOSED_NOT_RESOLVED)
#: the steps the public reads: handlers' words as moderated; a resident's words only once moderated
PUBLIC_STEP_KINDS = (EntryKind.REGISTERED, EntryKind.UPDATE, EntryKind.ANSWER, EntryKind.VERDICT,
                     EntryKind.REOPENED, EntryKind.CLOSED, EntryKind.RESIDENT_REPLY)


def _load(stmt):
    return stmt.options(selectinload(FeedbackCase.entries), selectinload(FeedbackCase.photos))


# --- handlers ----------------------------------------------------------------------------------------

def handler_cases(actor: User, *, state: str | None = None, overdue_only: bool = False,
                  suspicious: bool = False) -> list[FeedbackCase]:
    """The actor's cases, oldest due first: every case for the secretariat, the routed ones for others."""
    stmt = select(FeedbackCase)
    if actor.role is Role.SECRETARIAT:
        stmt = stmt.where(FeedbackCase.suspicious.is_(suspicious))
    elif actor.role is Role.COMPANY_FILER:
        stmt = stmt.where(FeedbackCase.addressee == Addressee.COMPANY,
                          FeedbackCase.routed_company_id == actor.company_id)
    elif actor.role is Role.AGENCY_OFFICER:
        stmt = stmt.where(FeedbackCase.addressee == Addressee.AGENCY,
                          FeedbackCase.routed_entity_id == actor.agency_id)
    else:
        return []
    if state in STATES:
        stmt = stmt.where(FeedbackCase.state == CaseState(state))
    cases = list(db.session.scalars(stmt.order_by(FeedbackCase.received_at, FeedbackCase.id)))
    now = utcnow()
    if overdue_only:
        cases = [c for c in cases if overdue_stage(c, now)]
    return sorted(cases, key=lambda c: (c.state in (CaseState.CLOSED_RESOLVED, CaseState.CLOSED_NOT_RESOLVED,
                                                    CaseState.REJECTED),
                                        _next_due(c) or dt.datetime.max.replace(tzinfo=dt.timezone.utc)))


def _next_due(case: FeedbackCase) -> dt.datetime | None:
    if case.state is CaseState.RECEIVED:
        return case.register_due
    if case.state in (CaseState.REGISTERED, CaseState.IN_PROGRESS):
        return case.answer_due
    return None


def open_for(actor: User) -> list[FeedbackCase]:
    """What waits for the actor (the dashboard's task list): not answered yet, oldest due first."""
    waiting = (CaseState.RECEIVED,) if actor.role is Role.SECRETARIAT else ()
    waiting += (CaseState.REGISTERED, CaseState.IN_PROGRESS)
    return [c for c in handler_cases(actor) if c.state in waiting]


def handler_case(actor: User, code: str) -> FeedbackCase:
    case = db.session.scalar(_load(select(FeedbackCase).where(FeedbackCase.code == normalise_code(code))))
    return permissions.require_visible(actor, case)


# --- the resident's own page ------------------------------------------------------------------------

@dataclass
class Step:
    kind: str
    author: str
    text: str | None
    at: dt.datetime
    id: int | None = None
    public_text: str | None = None


@dataclass
class CaseView:
    """A case as one reader may see it; ``name``/``contact``/``text`` are filled only for who may read them."""

    code: str
    kind: str
    state: str
    category: str
    subject: str
    company_inn: str | None
    site_code: str | None
    aiyl_okmotu: str | None
    received_at: dt.datetime
    register_due: dt.datetime | None
    registered_at: dt.datetime | None
    answer_due: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopened_at: dt.datetime | None
    verdict: str | None
    overdue: str | None
    text: str | None
    steps: list[Step] = field(default_factory=list)
    photos: list[int] = field(default_factory=list)
    commitment: dict[str, Any] | None = None
    name: str | None = None
    contact: str | None = None
    rejection_reason: str | None = None
    can_reopen: bool = False
    language: str = "ky"


def _commitment(case: FeedbackCase) -> dict[str, Any] | None:
    if case.commitment_section is None:
        return None
    return {"year": case.commitment_year, "section": case.commitment_section, "company_inn": case.company_inn,
            "item": case.commitment_item}


def _view(case: FeedbackCase, locale: str, register: Register, *, text: str | None, steps: list[Step],
          photos: list[int]) -> CaseView:
    return CaseView(
        code=case.code, kind=case.kind.value, state=case.state.value, category=case.category,
        subject=subject_label(case.subject_kind.value, case.subject_value, locale, register),
        company_inn=case.company_inn, site_code=case.site_code, aiyl_okmotu=case.aiyl_okmotu,
        received_at=case.received_at, register_due=case.register_due, registered_at=case.registered_at,
        answer_due=case.answer_due, answered_at=case.answered_at, closed_at=case.closed_at,
        reopened_at=case.reopened_at, verdict=case.verdict, overdue=overdue_stage(case, utcnow()), text=text,
        steps=steps, photos=photos, commitment=_commitment(case), can_reopen=can_reopen(case),
        language=case.language)


def resident_view(case: FeedbackCase, locale: str) -> CaseView:
    """The author's page: their own words and every step, the deadlines; never who handles it internally."""
    steps = [Step(e.kind.value, e.author.value, e.text if e.author is Author.RESIDENT or e.kind is not EntryKind.ROUTED
                  else None, e.created_at) for e in case.entries]
    view = _view(case, locale, Register(), text=case.original_text, steps=steps, photos=[p.id for p in case.photos])
    view.name, view.contact, view.rejection_reason = case.name, case.contact, case.rejection_reason
    return view


def handler_view(actor: User, case: FeedbackCase, locale: str) -> CaseView:
    steps = [Step(e.kind.value, e.author.value, e.text, e.created_at, e.id, e.public_text) for e in case.entries]
    view = _view(case, locale, Register(), text=case.original_text, steps=steps, photos=[p.id for p in case.photos])
    if permissions.sees_contact(actor, case):
        view.name, view.contact = case.name, case.contact
    view.rejection_reason = case.rejection_reason
    return view


# --- the public record ------------------------------------------------------------------------------

def _public_stmt():
    return select(FeedbackCase).where(FeedbackCase.is_public.is_(True), FeedbackCase.suspicious.is_(False),
                                      FeedbackCase.public_text.is_not(None), FeedbackCase.state.in_(PUBLIC_STATES))


#: the filters of the public list, the open-data files and the public API
FILTERS = ("year", "category", "state", "company", "site", "region", "aiyl_okmotu", "commitment")


def _filtered(stmt, filters: dict[str, str]):
    if filters.get("year", "").isdigit() and len(filters["year"]) == 4:
        year = int(filters["year"])
        start = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
        stmt = stmt.where(FeedbackCase.received_at >= start, FeedbackCase.received_at < start.replace(year=year + 1))
    if filters.get("category"):
        stmt = stmt.where(FeedbackCase.category == filters["category"])
    if filters.get("state") in STATES:
        stmt = stmt.where(FeedbackCase.state == CaseState(filters["state"]))
    if filters.get("company"):
        stmt = stmt.where(FeedbackCase.company_inn == filters["company"])
    if filters.get("site"):
        stmt = stmt.where(FeedbackCase.site_code == filters["site"])
    if filters.get("region"):
        in_region = select(Site.code).join(Region, Site.region_id == Region.id).where(Region.code == filters["region"])
        stmt = stmt.where(FeedbackCase.site_code.in_(in_region))
    if filters.get("aiyl_okmotu"):
        stmt = stmt.where(FeedbackCase.aiyl_okmotu == filters["aiyl_okmotu"])
    if filters.get("commitment"):
        parts = filters["commitment"].split(":")
        if len(parts) != 4 or not (parts[0].isdigit() and parts[3].isdigit()):
            return stmt.where(false())
        stmt = stmt.where(FeedbackCase.commitment_year == int(parts[0]), FeedbackCase.commitment_section == parts[1],
                          FeedbackCase.company_inn == parts[2], FeedbackCase.commitment_item == int(parts[3]))
    return stmt


def public_cases(filters: dict[str, str] | None = None, *, limit: int | None = None, offset: int = 0,
                 ) -> tuple[list[FeedbackCase], int]:
    """Public cases, newest first, and how many match (``filters``: see ``FILTERS``)."""
    stmt = _filtered(_public_stmt(), filters or {})
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = _load(stmt).order_by(FeedbackCase.received_at.desc(), FeedbackCase.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt)), total


def naming_commitments(year: int, company_inn: str) -> dict[str, list[str]]:
    """The public cases that name a commitment of one company's filing for a year, by ``section:item``
    (the company page lists them beside each agreement, assessment and hearing)."""
    stmt = _public_stmt().where(FeedbackCase.commitment_year == year, FeedbackCase.company_inn == company_inn,
                                FeedbackCase.commitment_section.is_not(None))
    found: dict[str, list[str]] = {}
    for case in db.session.scalars(stmt.order_by(FeedbackCase.received_at)):
        found.setdefault(f"{case.commitment_section}:{case.commitment_item}", []).append(case.code)
    return found


def fingerprint() -> str:
    """Changes with every new case and every step (each bumps a revision): the public pages that show
    cases or their figures are revalidated with it."""
    count, revisions = db.session.execute(select(func.count(FeedbackCase.id),
                                                 func.coalesce(func.sum(FeedbackCase.revision), 0))).one()
    return f"{count}:{revisions}"


def public_steps(case: FeedbackCase) -> list[Step]:
    """The steps the public reads: each with its moderated wording, or as a bare fact (a resident's
    words are shown only once the secretariat wrote their public wording)."""
    out = []
    for entry in case.entries:
        if entry.kind not in PUBLIC_STEP_KINDS:
            continue
        if entry.kind is EntryKind.RESIDENT_REPLY and not entry.public_text:
            continue
        out.append(Step(entry.kind.value, entry.author.value, entry.public_text, entry.created_at))
    return out


def public_view(case: FeedbackCase, locale: str, register: Register) -> CaseView:
    return _view(case, locale, register, text=case.public_text, steps=public_steps(case),
                 photos=[p.id for p in case.photos if p.is_public])


def public_case(code: str, locale: str) -> CaseView:
    case = db.session.scalar(_load(_public_stmt().where(FeedbackCase.code == normalise_code(code))))
    if case is None:
        raise NotFound()
    return public_view(case, locale, Register())


def public_photo(photo_id: int):
    from .models import FeedbackPhoto
    photo = db.session.get(FeedbackPhoto, photo_id)
    if photo is None or not photo.is_public or db.session.scalar(
            _public_stmt().where(FeedbackCase.id == photo.case_id)) is None:
        raise NotFound()
    return photo


def public_row(case: FeedbackCase, register: Register) -> dict[str, Any]:
    """One public case in the open-data files (CSV, JSON, the public API): the moderated text, no person."""
    answers = [e for e in case.entries if e.kind is EntryKind.ANSWER and e.public_text]
    return {
        "code": case.code, "kind": case.kind.value, "category": case.category, "state": case.state.value,
        "subject_kind": case.subject_kind.value, "subject": case.subject_value,
        "company_inn": case.company_inn, "company": register.companies.get(case.company_inn or "") or None,
        "site": case.site_code, "region": region_of_site(case.site_code), "aiyl_okmotu": case.aiyl_okmotu,
        "text": case.public_text, "language": case.language,
        "received_at": _iso(case.received_at), "register_due": _iso(case.register_due),
        "registered_at": _iso(case.registered_at), "answer_due": _iso(case.answer_due),
        "answered_at": _iso(case.answered_at), "closed_at": _iso(case.closed_at),
        "reopened_at": _iso(case.reopened_at), "resident_verdict": case.verdict,
        "answer": answers[-1].public_text if answers else None,
        "commitment": _commitment_key(case),
    }


def _commitment_key(case: FeedbackCase) -> str | None:
    """A named commitment as ``year:section:inn:item`` (the company page's anchor and the list's filter)."""
    if case.commitment_section is None:
        return None
    return f"{case.commitment_year}:{case.commitment_section}:{case.company_inn}:{case.commitment_item}"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


def public_rows(filters: dict[str, str] | None = None, *, limit: int | None = None,
                offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    cases, total = public_cases(filters, limit=limit, offset=offset)
    register = Register()
    return [public_row(case, register) for case in cases], total


# --- statistics -------------------------------------------------------------------------------------

def _facts(case: FeedbackCase) -> CaseFacts:
    return CaseFacts(received_at=case.received_at, category=case.category, state=case.state.value,
                     register_due=case.register_due, registered_at=case.registered_at,
                     answer_due=case.answer_due, answered_at=case.answered_at)


def statistics(by: str, value: str | None = None) -> dict[str, Any]:
    """Summaries per company, site or aiyl okmotu (``by``), over each one's last 100 cases; every
    case but the suspicious ones counts (a private case too: a count says nothing of anybody)."""
    column = {"company": FeedbackCase.company_inn, "site": FeedbackCase.site_code,
              "aiyl_okmotu": FeedbackCase.aiyl_okmotu}[by]
    stmt = select(FeedbackCase).where(FeedbackCase.suspicious.is_(False), column.is_not(None))
    if value is not None:
        stmt = stmt.where(column == value)
    groups: dict[str, list[CaseFacts]] = {}
    for case in db.session.scalars(stmt):
        groups.setdefault(getattr(case, column.key), []).append(_facts(case))
    now = utcnow()
    return {key: summarise(facts, now=now) for key, facts in sorted(groups.items())}




def public_summary(by: str, value: str, year: int | None = None) -> dict[str, Any]:
    """What a company or site page shows of its residents' cases: the figures (None without a case), the
    address of the filtered list and, for a company's year, the cases naming each of its commitments."""
    summary = statistics(by, value).get(value)
    naming = naming_commitments(year, value) if by == "company" and year else {}
    return {"summary": summary, "filter": {"company" if by == "company" else "site": value}, "naming": naming}
