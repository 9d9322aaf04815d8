"""A case's life: intake (no account), registration and routing, answers, the resident's word, closing.

Services take the acting user (``None`` for the resident, who is known by the private link) and
never commit. Every step that changes a case locks it first and checks the revision the handler's
form was made from, so two handlers never both register, and a stale form is refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..audit import utcnow
from ..companies.models import Company
from ..errors import NotFound, PermissionDenied, PortalError, ValidationError
from ..extensions import db
from ..i18n import display_timezone
from ..lifecycle import StaleDocument, lock_row
from ..notifications.events import Event
from ..notifications.services import (agency_officers, company_filers, in_every_language, mail_to, notify, path_for,
                                      secretariat)
from ..reference.models import GovernmentEntity
from . import clock, permissions
from .labels import CATEGORY_LABELS, KIND_LABELS, STATE_LABELS
from .models import (Addressee, Author, CaseKind, CaseState, EntryKind, FeedbackCase, FeedbackEntry, FeedbackPhoto,
                     SubjectKind)
from .photos import clean_photo
from .register import Register, subject_label
from .schemas import Intake, load_intake

#: letters and digits nobody confuses when reading a code aloud or copying it from paper
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"
PIN_DIGITS = 6
#: wrong PINs after which the code-and-PIN way in is closed (the private link still works)
MAX_PIN_FAILURES = 5
#: a form sent faster than this after it was shown was not filled by a person
MIN_FILL_SECONDS = 3
OPEN_STATES = (CaseState.REGISTERED, CaseState.IN_PROGRESS)
ANSWERABLE = (CaseState.REGISTERED, CaseState.IN_PROGRESS, CaseState.ANSWERED)


class TooManyRequests(PortalError):
    status = 429
    code = "too_many_requests"
    default_message = _l("Too many messages from here in a short time. Please wait an hour and try again.")


@dataclass(frozen=True)
class Created:
    case: FeedbackCase
    #: the secret of the private link: shown once, never stored
    secret: str
    pin: str
    #: the private page of the case (the link the resident keeps)
    private_path: str


# --- secrets -----------------------------------------------------------------------------------------

def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _keyed(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def client_hash(address: str | None) -> str | None:
    """The sender's network address as the rate limit keeps it: keyed, so it cannot be read back."""
    return _keyed(f"client:{address}") if address else None


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"KG-{raw[:4]}-{raw[4:]}"
        if db.session.scalar(select(FeedbackCase.id).where(FeedbackCase.code == code)) is None:
            return code


def normalise_code(text: str) -> str:
    """A code as a person types it ("kg 7q4m 9txa") in its stored form."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    raw = raw[2:] if raw.startswith("KG") else raw
    return f"KG-{raw[:4]}-{raw[4:8]}" if len(raw) == 8 else (text or "").strip().upper()


# --- clocks ------------------------------------------------------------------------------------------

def _days(kind: CaseKind, stage: str) -> int:
    config = current_app.config
    if kind is CaseKind.APPEAL:
        return config["ESG_APPEAL_REGISTER_DAYS"] if stage == "register" else config["ESG_APPEAL_ANSWER_DAYS"]
    return config["ESG_FEEDBACK_REGISTER_DAYS"] if stage == "register" else config["ESG_FEEDBACK_ANSWER_DAYS"]


def _local_day(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    # the deadline is the local midnight after the last working day: name that day
    return (moment.astimezone(display_timezone()) - dt.timedelta(seconds=1)).date().isoformat()


# --- intake ------------------------------------------------------------------------------------------

def _check_rate(hashed: str | None, now: dt.datetime) -> None:
    if hashed is None:
        return
    recent = db.session.scalar(select(func.count(FeedbackCase.id)).where(
        FeedbackCase.client_hash == hashed, FeedbackCase.received_at >= now - dt.timedelta(hours=1))) or 0
    if recent >= current_app.config["ESG_FEEDBACK_PER_HOUR"]:
        raise TooManyRequests()


def _checked_photos(files: Sequence[tuple[bytes, str]]):
    limit = current_app.config["ESG_FEEDBACK_MAX_PHOTOS"]
    if len(files) > limit:
        raise ValidationError({"photos": [_("Send at most %(max)d photos.", max=limit)]})
    cleaned, problems = [], []
    for data, filename in files:
        try:
            cleaned.append(clean_photo(data, filename, max_bytes=current_app.config["ESG_FEEDBACK_PHOTO_BYTES"]))
        except ValidationError as error:
            problems += [f"{filename}: {m}" for messages in error.errors.values() for m in messages]
    if problems:
        raise ValidationError({"photos": problems})
    return cleaned


def _resolve(intake: Intake, register: Register) -> tuple[str | None, str | None, str | None]:
    try:
        return register.resolve(intake.subject_kind, intake.subject_value)
    except KeyError:
        raise ValidationError({"subject": [_("“%(value)s” is not in the published register. Choose it from the "
                                             "list, or choose “I don't know” and name the place.",
                                             value=intake.subject_value)]}) from None


def submit_case(raw: dict, photos: Sequence[tuple[bytes, str]] = (), *, client_address: str | None = None,
                looks_automated: bool = False, now: dt.datetime | None = None) -> Created:
    """Take a resident's case: every rule checked first (all or nothing), then stored with its clock.

    ``looks_automated`` (the honeypot was filled, or the form came back too fast) stores the case in the
    secretariat's queue of suspicious cases instead of telling anyone."""
    now = now or utcnow()
    intake = load_intake(raw)
    hashed = client_hash(client_address)
    _check_rate(hashed, now)
    register = Register()
    company_inn, site_code, entity_code = _resolve(intake, register)
    errors: dict[str, list[str]] = {}
    commitment = None
    if intake.commitment:
        try:
            commitment = register.commitment(intake.commitment)
        except KeyError:
            errors["commitment"] = [_("This commitment is not in a published filing. Choose it from the list.")]
        else:
            if company_inn and commitment.company_inn != company_inn:
                errors["commitment"] = [_("This commitment belongs to another company than the one the case is "
                                          "about.")]
            company_inn = company_inn or commitment.company_inn
    try:
        cleaned = _checked_photos(photos)
    except ValidationError as error:
        errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    kind = CaseKind(intake.kind)
    secret, pin = secrets.token_urlsafe(24), "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
    code = _new_code()
    case = FeedbackCase(
        code=code, access_hash=_digest(secret), pin_hash=_keyed(f"pin:{code}:{pin}"), kind=kind,
        state=CaseState.RECEIVED, language=intake.language, category=intake.category,
        subject_kind=SubjectKind(intake.subject_kind), subject_value=intake.subject_value, company_inn=company_inn,
        site_code=site_code, entity_code=entity_code, aiyl_okmotu=intake.aiyl_okmotu,
        original_text=intake.text, name=intake.name, contact=intake.contact, notify_email=intake.email,
        share_contact=intake.share_contact and kind is CaseKind.APPEAL,
        commitment_year=commitment.year if commitment else None,
        commitment_section=commitment.section if commitment else None,
        commitment_item=commitment.item if commitment else None,
        received_at=now, register_due=clock.due_at(now, _days(kind, "register")),
        suspicious=looks_automated, client_hash=hashed, revision=1)
    db.session.add(case)
    for photo in cleaned:
        if any(p.sha256 == photo.sha256 for p in case.photos):
            continue  # the same photo twice is kept once
        case.photos.append(FeedbackPhoto(sha256=photo.sha256, media_type=photo.media_type, width=photo.width,
                                         height=photo.height, size_bytes=len(photo.data), content=photo.data))
    db.session.flush()
    created = Created(case, secret, pin, path_for("feedback.private_case", secret=secret))
    if not looks_automated:
        notify(Event.FEEDBACK_RECEIVED, secretariat(), _params(case, register, due=case.register_due),
               path_for("feedback.handle_case", case_code=case.code))
        _tell_resident(case, _l("We will register it by %(day)s."), created.private_path,
                       day=_local_day(case.register_due))
    return created


# --- the resident's way in ----------------------------------------------------------------------------

def case_by_secret(secret: str) -> FeedbackCase:
    case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.access_hash == _digest(secret or "")))
    if case is None:
        raise NotFound(_("There is no case at this link. Check that the whole link was copied."))
    return case


def case_by_code_and_pin(code: str, pin: str) -> FeedbackCase:
    """The case of a code and its PIN; after ``MAX_PIN_FAILURES`` wrong PINs only the link opens it."""
    refused = NotFound(_("This code and PIN do not match a case. Check both and try again."))
    case = db.session.scalar(select(FeedbackCase).where(FeedbackCase.code == normalise_code(code)))
    if case is None:
        raise refused
    if case.pin_failures >= MAX_PIN_FAILURES:
        raise PermissionDenied(_("Too many wrong PINs were tried for this case. Open it with the private link."))
    if not hmac.compare_digest(case.pin_hash, _keyed(f"pin:{case.code}:{(pin or '').strip()}")):
        case.pin_failures += 1
        db.session.flush()
        raise refused
    return case


def new_private_link(case: FeedbackCase) -> str:
    """A new secret for a case opened with its code and PIN (the old link stops working): the
    resident gets a link again without the portal ever storing one."""
    secret = secrets.token_urlsafe(24)
    case.access_hash = _digest(secret)
    case.pin_failures = 0
    db.session.flush()
    return secret


# --- handlers ----------------------------------------------------------------------------------------

def _locked(case: FeedbackCase, expected: int | None) -> FeedbackCase:
    lock_row(FeedbackCase, case.id)
    db.session.refresh(case)
    if expected is not None and case.revision != expected:
        raise StaleDocument(_("Somebody else changed this case after you opened it. Nothing was saved: look at it "
                              "now and try again."), revision=str(case.revision))
    return case


def _require_state(case: FeedbackCase, allowed: Iterable[CaseState]) -> None:
    if case.state not in tuple(allowed):
        from ..errors import InvalidTransition
        raise InvalidTransition(_("This is not possible while the case is “%(state)s”.",
                                  state=STATE_LABELS[case.state.value]))


def _entry(case: FeedbackCase, kind: EntryKind, author: Author, actor: User | None, text: str | None = None, *,
           public_text: str | None = None, now: dt.datetime | None = None) -> FeedbackEntry:
    entry = FeedbackEntry(kind=kind, author=author, author_user_id=actor.id if actor else None, text=text,
                          public_text=public_text, state=case.state.value, created_at=now or utcnow())
    case.entries.append(entry)
    case.revision += 1
    return entry


def _text(value: str | None, field: str, missing: str, *, required: bool = True, limit: int = 5000) -> str | None:
    """A handler's or resident's text, trimmed and checked; ``missing`` is the whole message for an empty one."""
    from ..validation import text_problem
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: [missing]})
        return None
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(max)d characters.", max=limit)]})
    if problem := text_problem(value, field, multiline=True):
        raise ValidationError({field: [problem]})
    return value


def _addressee(addressee: str, company_inn: str | None, entity_code: str | None
               ) -> tuple[Addressee, Company | None, GovernmentEntity | None]:
    try:
        chosen = Addressee(addressee)
    except ValueError:
        raise ValidationError({"addressee": [_("Choose who answers: the company, a government body or the "
                                               "secretariat.")]}) from None
    if chosen is Addressee.COMPANY:
        company = db.session.scalar(select(Company).where(Company.inn == (company_inn or "")))
        if company is None:
            raise ValidationError({"company": [_("Choose the company that answers.")]})
        return chosen, company, None
    if chosen is Addressee.AGENCY:
        entity = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == (entity_code or "")))
        if entity is None:
            raise ValidationError({"entity": [_("Choose the government body that answers.")]})
        return chosen, None, entity
    return chosen, None, None


def _route(case: FeedbackCase, actor: User, addressee: str, company_inn: str | None, entity_code: str | None,
           now: dt.datetime) -> None:
    chosen, company, entity = _addressee(addressee, company_inn, entity_code)
    case.addressee = chosen
    case.routed_company_id = company.id if company else None
    case.routed_entity_id = entity.id if entity else None
    who = company.legal_name if company else (entity.name_en if entity else "")
    _entry(case, EntryKind.ROUTED, Author.SECRETARIAT, actor, who or None, public_text=None, now=now)
    notify(Event.FEEDBACK_ROUTED, addressee_users(case), _params(case, due=case.answer_due),
           path_for("feedback.handle_case", case_code=case.code))


def addressee_users(case: FeedbackCase) -> list[User]:
    if case.addressee is Addressee.COMPANY and case.routed_company_id:
        return company_filers(case.routed_company_id)
    if case.addressee is Addressee.AGENCY and case.routed_entity_id:
        return agency_officers(case.routed_entity_id)
    return secretariat()


def register_case(actor: User, case: FeedbackCase, *, expected: int | None, public_text: str | None,
                  is_public: bool, addressee: str, company_inn: str | None = None, entity_code: str | None = None,
                  now: dt.datetime | None = None) -> FeedbackCase:
    """Register a received case: its public wording, who answers, and the answer clock from today."""
    permissions.require_secretariat(actor)
    now = now or utcnow()
    case = _locked(case, expected)
    _require_state(case, (CaseState.RECEIVED,))
    wording = _text(public_text, "public_text", _("Write the text the public reads, or keep the case out of "
                                                              "the public record."), required=is_public)
    case.public_text, case.is_public = wording, is_public
    case.state = CaseState.REGISTERED
    case.registered_at = now
    case.answer_due = clock.due_at(now, _days(case.kind, "answer"))
    case.suspicious = False
    _entry(case, EntryKind.REGISTERED, Author.SECRETARIAT, actor, now=now)
    _route(case, actor, addressee, company_inn, entity_code, now)
    _tell_resident(case, _l("It was registered. The answer is due by %(day)s."), day=_local_day(case.answer_due))
    db.session.flush()
    return case


def reject_case(actor: User, case: FeedbackCase, *, expected: int | None, reason: str | None,
                now: dt.datetime | None = None) -> FeedbackCase:
    """Reject spam or a case outside the portal's scope, saying why (the resident reads the reason)."""
    permissions.require_secretariat(actor)
    case = _locked(case, expected)
    _require_state(case, (CaseState.RECEIVED,))
    case.rejection_reason = _text(reason, "reason", _("Say why the case is rejected: the resident reads it."),
                                  limit=2000)
    case.state = CaseState.REJECTED
    case.closed_at = now or utcnow()
    _entry(case, EntryKind.REJECTED, Author.SECRETARIAT, actor, case.rejection_reason,
           public_text=case.rejection_reason, now=case.closed_at)
    _tell_resident(case, _l("It was not taken up: %(reason)s"), reason=case.rejection_reason)
    db.session.flush()
    return case


def reroute_case(actor: User, case: FeedbackCase, *, expected: int | None, addressee: str,
                 company_inn: str | None = None, entity_code: str | None = None,
                 now: dt.datetime | None = None) -> FeedbackCase:
    """Send an open case to another addressee, or escalate it to the secretariat itself."""
    permissions.require_secretariat(actor)
    case = _locked(case, expected)
    _require_state(case, OPEN_STATES)
    _route(case, actor, addressee, company_inn, entity_code, now or utcnow())
    db.session.flush()
    return case


def moderate_case(actor: User, case: FeedbackCase, *, expected: int | None, public_text: str | None,
                  is_public: bool, entry_texts: dict[int, str | None], public_photos: set[int]) -> FeedbackCase:
    """What the public reads: the case's wording, each step's wording, which photos; audited, the
    original kept privately."""
    permissions.require_secretariat(actor)
    case = _locked(case, expected)
    _require_state(case, [s for s in CaseState if s is not CaseState.RECEIVED])
    case.public_text = _text(public_text, "public_text", _("Write the text the public reads, or keep the case out "
                                                           "of the public record."), required=is_public)
    case.is_public = is_public
    for entry in case.entries:
        if entry.id in entry_texts:
            entry.public_text = _text(entry_texts[entry.id], f"entry-{entry.id}", "", required=False)
    for photo in case.photos:
        photo.is_public = photo.id in public_photos
    case.revision += 1
    db.session.flush()
    return case


def post_answer(actor: User, case: FeedbackCase, *, expected: int | None, text: str | None, final: bool,
                now: dt.datetime | None = None) -> FeedbackCase:
    """The addressee (or the secretariat) answers, or says where things stand (``final=False``).

    An answer is public as written (it is the body's official word); the secretariat may still edit
    what the public reads."""
    permissions.require_answerer(actor, case)
    now = now or utcnow()
    case = _locked(case, expected)
    _require_state(case, ANSWERABLE if final else OPEN_STATES)
    words = _text(text, "text", _("Write the answer.") if final else _("Write the update."))
    author = permissions.author_of(actor)
    if final:
        case.state = CaseState.ANSWERED
        case.answered_at = case.answered_at or now
    else:
        case.state = CaseState.IN_PROGRESS
    _entry(case, EntryKind.ANSWER if final else EntryKind.UPDATE, author, actor, words, public_text=words, now=now)
    if final:
        if author is not Author.SECRETARIAT:
            notify(Event.FEEDBACK_ANSWERED, secretariat(), {**_params(case), "who": _author_words(author)},
                   path_for("feedback.handle_case", case_code=case.code))
        _tell_resident(case, _l("An answer was given. Say whether it solved the problem."))
    else:
        _tell_resident(case, _l("There is news on it."))
    db.session.flush()
    return case


def close_case(actor: User, case: FeedbackCase, *, expected: int | None, resolved: bool, note: str | None,
               now: dt.datetime | None = None) -> FeedbackCase:
    """The secretariat closes an answered case when the resident does not: resolved or not, never merged."""
    permissions.require_secretariat(actor)
    case = _locked(case, expected)
    _require_state(case, (CaseState.ANSWERED,))
    words = _text(note, "note", _("Say why the case is closed as not resolved."), required=not resolved)
    case.state = CaseState.CLOSED_RESOLVED if resolved else CaseState.CLOSED_NOT_RESOLVED
    case.closed_at = now or utcnow()
    _entry(case, EntryKind.CLOSED, Author.SECRETARIAT, actor, words, public_text=words, now=case.closed_at)
    _tell_resident(case, _l("The secretariat closed it: %(note)s") if words else _l("The secretariat closed it."),
                   note=words)
    db.session.flush()
    return case


# --- the resident's word -----------------------------------------------------------------------------

def _resident_rate(case: FeedbackCase, now: dt.datetime) -> None:
    recent = db.session.scalar(select(func.count(FeedbackEntry.id)).where(
        FeedbackEntry.case_id == case.id, FeedbackEntry.author == Author.RESIDENT,
        FeedbackEntry.created_at >= now - dt.timedelta(hours=1))) or 0
    if recent >= current_app.config["ESG_FEEDBACK_REPLIES_PER_HOUR"]:
        raise TooManyRequests()


def _tell_handlers(case: FeedbackCase, what: str) -> None:
    recipients = {u.id: u for u in [*addressee_users(case), *secretariat()]}
    notify(Event.FEEDBACK_RESIDENT_REPLIED, recipients.values(), {**_params(case), "what": what},
           path_for("feedback.handle_case", case_code=case.code))


def resident_verdict(case: FeedbackCase, *, resolved: bool, comment: str | None,
                     now: dt.datetime | None = None) -> FeedbackCase:
    """The resident says whether the answer solved it; the case closes either way, and it shows."""
    now = now or utcnow()
    case = _locked(case, None)
    _require_state(case, (CaseState.ANSWERED,))
    _resident_rate(case, now)
    words = _text(comment, "comment", "", required=False, limit=2000)
    case.verdict = "resolved" if resolved else "not_resolved"
    case.state = CaseState.CLOSED_RESOLVED if resolved else CaseState.CLOSED_NOT_RESOLVED
    case.closed_at = now
    _entry(case, EntryKind.VERDICT, Author.RESIDENT, None, words, now=now)
    _tell_handlers(case, case.verdict)
    db.session.flush()
    return case


def can_reopen(case: FeedbackCase) -> bool:
    return case.reopened_at is None and case.state in (CaseState.ANSWERED, CaseState.CLOSED_NOT_RESOLVED,
                                                       CaseState.CLOSED_RESOLVED)


def reopen_case(case: FeedbackCase, *, reason: str | None, now: dt.datetime | None = None) -> FeedbackCase:
    """Once, with a reason: back to the addressee with a new answer clock from today."""
    now = now or utcnow()
    case = _locked(case, None)
    if not can_reopen(case):
        from ..errors import InvalidTransition
        raise InvalidTransition(_("A case can be reopened once, after it was answered."))
    _resident_rate(case, now)
    words = _text(reason, "reason", _("Say why you reopen the case."), limit=2000)
    case.state = CaseState.IN_PROGRESS
    case.reopened_at = now
    case.closed_at = None
    case.answer_due = clock.due_at(now, _days(case.kind, "answer"))
    _entry(case, EntryKind.REOPENED, Author.RESIDENT, None, words, now=now)
    _tell_handlers(case, "reopened")
    db.session.flush()
    return case


def resident_reply(case: FeedbackCase, *, text: str | None, now: dt.datetime | None = None) -> FeedbackEntry:
    """The resident adds something (an answer to a question, a new fact); private until moderated."""
    now = now or utcnow()
    case = _locked(case, None)
    _require_state(case, (CaseState.RECEIVED, *OPEN_STATES, CaseState.ANSWERED))
    _resident_rate(case, now)
    entry = _entry(case, EntryKind.RESIDENT_REPLY, Author.RESIDENT, None,
                   _text(text, "text", _("Write your message."), limit=5000), now=now)
    if case.state is not CaseState.RECEIVED:
        _tell_handlers(case, "replied")
    db.session.flush()
    return entry


# --- overdue -----------------------------------------------------------------------------------------

def overdue_stage(case: FeedbackCase, now: dt.datetime) -> str | None:
    """"register" or "answer" when that clock ran out on this case, else None."""
    if case.state is CaseState.RECEIVED and clock.is_overdue(case.register_due, case.registered_at, now):
        return "register"
    if case.state in OPEN_STATES and case.answer_due is not None and now >= case.answer_due:
        return "answer"
    return None


def flag_overdue(now: dt.datetime | None = None) -> int:
    """Tell the handlers of every overdue case, once per case and stage (meant for the daily cron)."""
    now = now or utcnow()
    told = 0
    cases = db.session.scalars(select(FeedbackCase).where(
        FeedbackCase.suspicious.is_(False), FeedbackCase.state.in_((CaseState.RECEIVED, *OPEN_STATES))))
    for case in cases:
        stage = overdue_stage(case, now)
        if stage is None:
            continue
        recipients = secretariat() if stage == "register" else {u.id: u for u in [*addressee_users(case),
                                                                                 *secretariat()]}.values()
        due = case.register_due if stage == "register" else case.answer_due
        made = notify(Event.FEEDBACK_OVERDUE, recipients, {**_params(case), "due": _local_day(due), "stage": stage},
                      path_for("feedback.handle_case", case_code=case.code),
                      dedupe_key=f"feedback-overdue:{case.id}:{stage}:{due.isoformat()}")
        told += bool(made)
    return told


# --- words -------------------------------------------------------------------------------------------

def _author_words(author: Author) -> dict[str, str]:
    from .labels import AUTHOR_LABELS
    return in_every_language(AUTHOR_LABELS[author.value])


def _params(case: FeedbackCase, register: Register | None = None, *, due: dt.datetime | None = None) -> dict:
    """The language-neutral facts of a notification about a case (no name, no contact, no text)."""
    register = register or Register()
    subject = {locale: subject_label(case.subject_kind.value, case.subject_value, locale, register)
               for locale in ("en", "ru", "ky")}
    return {"code": case.code, "subject": subject, "category": in_every_language(CATEGORY_LABELS[case.category]),
            "kind": in_every_language(KIND_LABELS[case.kind.value]), "due": _local_day(due)}


def _tell_resident(case: FeedbackCase, detail, path: str | None = None, **values) -> None:
    """An e-mail to the resident who left an address, in the language of the case; the private link
    is in the first message only (later ones point to the look-up page: the link is never stored)."""
    if not case.notify_email or case.suspicious:
        return
    link = path or path_for("feedback.lookup")
    base = current_app.config["ESG_PUBLIC_URL"]
    from flask_babel import force_locale
    with force_locale(case.language):
        state = str(STATE_LABELS[case.state.value])
        detail = str(detail) % values if values else str(detail)
    mail_to(case.notify_email, case.language, Event.FEEDBACK_STEP,
            {"code": case.code, "state": state, "detail": detail, "link": f"{base}{link}"}, link)
