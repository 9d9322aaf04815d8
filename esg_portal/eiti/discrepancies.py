"""Discrepancy queries and adjustments on reconciliation lines (EITI.md Part A §5).

The secretariat asks the company or the agency about one line of a stored run; the one
asked answers and may propose an adjustment of one side of the line (signed, in KGS, with
one of the engine's reason codes); the secretariat accepts or rejects each proposal and
closes the query. Queries and adjustments are keyed to the line's key and the period, not
to a run's line, so they outlive re-runs: the loader feeds the accepted adjustments of a
period into the next run.

Who sees which figures (the query page, ``query_view``): the secretariat sees every figure
of the line in every run; the company sees its own amount and the government amount of its
own line; the agency sees its own amount and the question only, never the company's figures
(nor the gap, which would reveal them, nor company-side adjustments).

Reconciliation happens after the filing period closes, so a closed period does not stop
queries, answers or adjustments: none of them changes a submitted figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..accounts.models import Role, User
from ..accounts.permissions import (can_manage_discrepancies, can_view_discrepancy_query, is_addressee_of,
                                    require, scope_discrepancy_queries)
from ..audit import utcnow
from ..companies.models import Company, License
from ..errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..i18n import current_locale, localized_name
from ..money import MoneyError, format_plain, to_minor
from ..notifications import Event, notify
from ..notifications.services import agency_officers, company_filers, path_for, secretariat, three_names
from ..reference.models import GovernmentEntity, ReportingPeriod, RevenueStream
from ..reference.periods import get_period
from ..tabular import NumberError, number_error_message, parse_decimal
from ..tabular._text import shorten
from ..disclosure.evidence import check_evidence, evidence_file, keep_evidence
from .models import (EXPLANATION_CHANNELS, AddressedTo, Adjustment, AdjustmentStatus, DiscrepancyEvidence,
                     DiscrepancyQuery, DiscrepancyQueryStatus, ReconciliationLine, ReconciliationRun)
from .reconciliation import REASON_CODES, SIDES

MAX_TEXT = 2000
#: who gave a recorded explanation: a name and a position
MAX_INFORMANT = 255
#: the currency of every run and adjustment (USD is converted at the period rate when loaded)
CURRENCY = "KGS"
LineKey = tuple[str, str, str, str]


# --- finding things -----------------------------------------------------------------

def _run(run_id: int) -> ReconciliationRun:
    run = db.session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound()
    return run


def _line(run: ReconciliationRun, position: int) -> ReconciliationLine:
    line = db.session.scalar(select(ReconciliationLine).where(ReconciliationLine.run_id == run.id,
                                                              ReconciliationLine.position == position))
    if line is None:
        raise NotFound()
    return line


def line_key(line: ReconciliationLine | DiscrepancyQuery | Adjustment) -> LineKey:
    """(company INN, stream code, entity code, project) — the key that outlives runs."""
    return (line.company_inn, line.revenue_stream, line.government_entity, line.project or "")


def _key_filter(model, key: LineKey) -> list:
    inn, stream, entity, project = key
    return [model.company_inn == inn, model.revenue_stream == stream, model.government_entity == entity,
            model.project == project]


def get_line(actor: User, run_id: int, position: int) -> tuple[ReconciliationRun, ReconciliationLine]:
    """A run and one of its lines, for the secretariat."""
    require(can_manage_discrepancies(actor))
    run = _run(run_id)
    return run, _line(run, position)


def get_query(actor: User, query_id: int) -> DiscrepancyQuery:
    """A query the actor may read (the secretariat, or the company or agency asked); else 404."""
    query = db.session.get(DiscrepancyQuery, query_id)
    if query is None or not can_view_discrepancy_query(actor, query):
        raise NotFound()
    return query


def get_adjustment(actor: User, adjustment_id: int) -> Adjustment:
    """An adjustment whose query the actor may read; else 404."""
    adjustment = db.session.get(Adjustment, adjustment_id)
    if adjustment is None or not (can_manage_discrepancies(actor) or (
            adjustment.query is not None and is_addressee_of(actor, adjustment.query))):
        raise NotFound()
    return adjustment


def get_evidence(actor: User, evidence_id: int) -> tuple[DiscrepancyEvidence, Path]:
    """A file of a query's answer and its path, for whoever may read the query; else 404."""
    record = db.session.get(DiscrepancyEvidence, evidence_id)
    if record is None:
        raise NotFound()
    get_query(actor, record.query_id)
    return record, evidence_file(record)


# --- names of a key in the reader's language ----------------------------------------

@dataclass(frozen=True)
class KeyNames:
    """The records behind a line key; any may be missing (a code no longer in the reference data)."""

    company: Company | None
    stream: RevenueStream | None
    entity: GovernmentEntity | None
    licence: License | None


def names_of(keys: list[LineKey]) -> dict[LineKey, KeyNames]:
    """The company, stream, entity and licence records of many keys, in four queries."""
    def by(model, column, values):
        values = {v for v in values if v}
        return {getattr(r, column): r for r in db.session.scalars(
            select(model).where(getattr(model, column).in_(values)))} if values else {}

    companies = by(Company, "inn", (k[0] for k in keys))
    streams = by(RevenueStream, "code", (k[1] for k in keys))
    entities = by(GovernmentEntity, "code", (k[2] for k in keys))
    licences = by(License, "number", (k[3] for k in keys))
    return {k: KeyNames(companies.get(k[0]), streams.get(k[1]), entities.get(k[2]), licences.get(k[3]))
            for k in keys}


def key_names(key: LineKey) -> KeyNames:
    """The records behind one key."""
    return names_of([key])[key]


# --- the secretariat's view of a line -------------------------------------------------

@dataclass(frozen=True)
class RunFigures:
    """One run of the period and the line of the key in it (None when the key was not in that run)."""

    run: ReconciliationRun
    line: ReconciliationLine | None


@dataclass(frozen=True)
class LineHistory:
    """A line key across the runs of a period, with its queries and adjustments, oldest first."""

    period: ReportingPeriod
    key: LineKey
    names: KeyNames
    runs: list[RunFigures]
    queries: list[DiscrepancyQuery]
    adjustments: list[Adjustment]


def _history(period: ReportingPeriod, key: LineKey) -> LineHistory:
    runs = list(db.session.scalars(select(ReconciliationRun).where(ReconciliationRun.period_id == period.id)
                                   .order_by(ReconciliationRun.number)))
    lines = {line.run_id: line for line in db.session.scalars(
        select(ReconciliationLine).where(ReconciliationLine.run_id.in_([r.id for r in runs]),
                                         *_key_filter(ReconciliationLine, key)))} if runs else {}
    queries = list(db.session.scalars(select(DiscrepancyQuery).where(
        DiscrepancyQuery.period_id == period.id, *_key_filter(DiscrepancyQuery, key)).order_by(DiscrepancyQuery.id)))
    adjustments = list(db.session.scalars(select(Adjustment).where(
        Adjustment.period_id == period.id, *_key_filter(Adjustment, key)).order_by(Adjustment.id)))
    return LineHistory(period, key, key_names(key), [RunFigures(run, lines.get(run.id)) for run in runs],
                       queries, adjustments)


def line_history(actor: User, year: int, key: LineKey) -> LineHistory:
    """For the secretariat: the line's figures in every run of the period, its queries and adjustments."""
    require(can_manage_discrepancies(actor))
    inn, stream, entity, project = key
    return _history(get_period(year), (inn, stream, entity, project or ""))


@dataclass(frozen=True)
class LinePage:
    """The secretariat's line page: the line of one run, its history and who can be asked."""

    run: ReconciliationRun
    line: ReconciliationLine
    history: LineHistory
    #: why the company cannot be asked ("" when it can)
    company_refusal: str
    agency_refusal: str


def line_page(actor: User, run_id: int, position: int) -> LinePage:
    """Everything the secretariat's line page shows."""
    run, line = get_line(actor, run_id, position)
    history = _history(run.period, line_key(line))
    company_refusal = agency_refusal = ""
    try:
        _company_addressee(history.names.company, line)
    except ValidationError as error:
        company_refusal = error.errors["addressed_to"][0]
    try:
        _agency_addressee(history.names.entity, line)
    except ValidationError as error:
        agency_refusal = error.errors["addressed_to"][0]
    return LinePage(run, line, history, company_refusal, agency_refusal)


# --- validation helpers ---------------------------------------------------------------

def _text(value: str | None, field: str, required: str | None, limit: int = MAX_TEXT) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError({field: [required]})
        return None
    if len(text) > limit:
        raise ValidationError({field: [_("The text is too long: at most %(max)d characters.", max=limit)]})
    return text


def _has_account(role: Role, **where) -> bool:
    column, value = next(iter(where.items()))
    return bool(db.session.scalar(select(func.count(User.id)).where(
        User.role == role, User.is_active.is_(True), getattr(User, column) == value)))


def _company_addressee(company: Company | None, line: ReconciliationLine) -> Company:
    if company is None or not company.is_registered or not _has_account(Role.COMPANY_FILER, company_id=company.id):
        name = company.legal_name if company else line.company_inn
        raise ValidationError({"addressed_to": [_(
            "%(company)s has no account on the portal (companies below the threshold may not be registered), "
            "so it cannot receive a question here. Ask the agency instead, or contact the company outside the "
            "portal and record the outcome as an adjustment on a question to the agency.", company=name)]})
    return company


def _agency_addressee(entity: GovernmentEntity | None, line: ReconciliationLine) -> GovernmentEntity:
    if entity is None or not _has_account(Role.AGENCY_OFFICER, agency_id=entity.id):
        name = localized_name(entity) if entity else line.government_entity
        raise ValidationError({"addressed_to": [_(
            "No officer of %(agency)s has an account on the portal, so the agency cannot receive a question "
            "here. Ask the company instead.", agency=name)]})
    return entity


# --- the workflow ---------------------------------------------------------------------

def raise_query(actor: User, run: ReconciliationRun, position: int, addressed_to: str,
                question: str) -> DiscrepancyQuery:
    """Ask the line's company or the line's government entity about one line of a run."""
    require(can_manage_discrepancies(actor))
    line = _line(run, position)
    values = {item.value: item for item in AddressedTo}
    if addressed_to not in values:
        raise ValidationError({"addressed_to": [_("Choose whom to ask: the company or the agency.")]})
    question = _text(question, "question", _("Write the question."))
    names = key_names(line_key(line))
    query = DiscrepancyQuery(period_id=run.period_id, run_id=run.id, addressed_to=values[addressed_to],
                             question=question, raised_by_id=actor.id, raised_at=utcnow(),
                             status=DiscrepancyQueryStatus.OPEN)
    query.company_inn, query.revenue_stream, query.government_entity, query.project = line_key(line)
    if query.addressed_to is AddressedTo.COMPANY:
        query.company_id = _company_addressee(names.company, line).id
    else:
        query.agency_id = _agency_addressee(names.entity, line).id
    db.session.add(query)
    db.session.flush()
    notify(Event.DISCREPANCY_QUERY, _addressees(query), _query_facts(query, question=question),
           path_for("discrepancies.query", discrepancy_query_id=query.id))
    return query


def _addressees(query: DiscrepancyQuery) -> list[User]:
    """The users of the company or agency a query is addressed to."""
    if query.company_id is not None:
        return company_filers(query.company_id)
    return agency_officers(query.agency_id) if query.agency_id is not None else []


def _line_text(query: DiscrepancyQuery | Adjustment) -> str:
    """The line a query or adjustment is about, in codes every language reads: INN, stream, entity, project."""
    parts = [query.company_inn, query.revenue_stream, query.government_entity, query.project]
    return " · ".join(part for part in parts if part)


def _query_facts(query: DiscrepancyQuery, **more) -> dict:
    who = query.company.legal_name if query.company is not None else (
        three_names(query.agency) if query.agency is not None else "")
    return {"year": query.period.year, "line": _line_text(query), "who": who,
            **{key: shorten(value or "", 300) for key, value in more.items()}}


def _collect(errors: dict[str, list[str]], check):
    """The value of ``check()``, or None with its field errors added to ``errors``."""
    try:
        return check()
    except ValidationError as error:
        errors.update(error.errors)
        return None


def answer_query(actor: User, query: DiscrepancyQuery, answer: str,
                 evidence: tuple[bytes, str | None] | None = None) -> DiscrepancyQuery:
    """The company or agency asked answers an open query, optionally with one file (``evidence``: its
    bytes and name, e.g. a payment order), checked like a filing attachment and kept with the query.

    The text and the file are checked together; a file over the limit is ``AttachmentTooLarge`` (413).
    """
    if not can_view_discrepancy_query(actor, query):
        raise NotFound()
    if not is_addressee_of(actor, query):
        raise PermissionDenied(_("Only the company or agency asked can answer this question."))
    if query.status is not DiscrepancyQueryStatus.OPEN:
        raise InvalidTransition(_("This question has already been answered or closed."))
    errors: dict[str, list[str]] = {}
    text = _collect(errors, lambda: _text(answer, "answer", _("Write your answer to the question.")))
    checked = _collect(errors, lambda: check_evidence(*evidence) if evidence else None)
    if errors:
        raise ValidationError(errors)
    query.answer = text
    query.answered_by_id, query.answered_at = actor.id, utcnow()
    query.status = DiscrepancyQueryStatus.ANSWERED
    if checked is not None:
        keep_evidence(actor, DiscrepancyEvidence, checked, query=query)
    db.session.flush()
    notify(Event.DISCREPANCY_ANSWER, secretariat(), _query_facts(query, answer=query.answer),
           path_for("discrepancies.query", discrepancy_query_id=query.id))
    return query


@dataclass(frozen=True)
class RecordedAdjustment:
    """An adjustment recorded with an explanation: the fields of a proposal, and whether the secretariat
    accepts it at once (else it stays proposed, to be decided like any other)."""

    side: str
    amount: str | None
    reason: str
    comment: str | None
    evidence: str | None = None
    accept: bool = True

    @property
    def is_blank(self) -> bool:
        """Nothing written: no adjustment is recorded (the side and reason lists always hold a value)."""
        return not any((text or "").strip() for text in (self.amount, self.comment, self.evidence))


def record_explanation(actor: User, run: ReconciliationRun, position: int, party: str, informant: str | None,
                       channel: str, explanation: str | None, question: str | None = None,
                       adjustment: RecordedAdjustment | None = None,
                       evidence: tuple[bytes, str | None] | None = None, *, locale: str | None = None
                       ) -> DiscrepancyQuery:
    """The secretariat records an explanation of a line that the company or the agency (``party``) gave
    outside the portal — by letter, e-mail, phone, at a meeting (``channel``) — with who gave it
    (``informant``), optionally what was asked, an adjustment and one supporting file.

    It becomes an answered query addressed to that party and marked ``recorded_by_secretariat``, so the
    explanation, its adjustment and its file live where every other answer does, and an accepted
    adjustment enters the next run like any other (``loaders`` reads every accepted adjustment of the
    period). This is the way to settle a line whose company and agency cannot be asked on the portal.
    The party's users, if any, see it among their questions; nobody is notified. Every problem is
    reported at once; a file over the limit is ``AttachmentTooLarge`` (413).
    """
    require(can_manage_discrepancies(actor))
    line = _line(run, position)
    parties = {item.value: item for item in AddressedTo}
    errors: dict[str, list[str]] = {}
    if party not in parties:
        errors["party"] = [_("Choose who gave the explanation: the company or the agency.")]
    if channel not in EXPLANATION_CHANNELS:
        errors["channel"] = [_("Choose how the explanation was given: by letter, by e-mail, by phone, at a meeting "
                               "or otherwise.")]
    who = _collect(errors, lambda: _text(informant, "informant", _(
        "Say who gave the explanation: a name and a position, for example: A. Asanov, chief accountant."),
        MAX_INFORMANT))
    text = _collect(errors, lambda: _text(explanation, "explanation", _(
        "Write the explanation that was given, in a few sentences.")))
    asked = _collect(errors, lambda: _text(question, "question", None))
    fields = None
    if adjustment is not None and not adjustment.is_blank:
        fields = _adjustment_fields(actor, errors, adjustment.side, adjustment.amount, adjustment.reason,
                                    adjustment.comment, adjustment.evidence, locale)
    checked = _collect(errors, lambda: check_evidence(*evidence) if evidence else None)
    if errors:
        raise ValidationError(errors)
    names = key_names(line_key(line))
    now = utcnow()
    query = DiscrepancyQuery(period_id=run.period_id, run_id=run.id, addressed_to=parties[party],
                             question=asked or "", raised_by_id=actor.id, raised_at=now, answer=text,
                             answered_by_id=actor.id, answered_at=now, status=DiscrepancyQueryStatus.ANSWERED,
                             recorded_by_secretariat=True, informant=who, channel=channel)
    query.company_inn, query.revenue_stream, query.government_entity, query.project = line_key(line)
    if query.addressed_to is AddressedTo.COMPANY:
        query.company_id = names.company.id if names.company is not None else None
    else:
        query.agency_id = names.entity.id if names.entity is not None else None
    db.session.add(query)
    if fields is not None:
        _new_adjustment(actor, query, fields,
                        AdjustmentStatus.ACCEPTED if adjustment.accept else AdjustmentStatus.PROPOSED)
    if checked is not None:
        keep_evidence(actor, DiscrepancyEvidence, checked, query=query)
    db.session.flush()
    return query


def _amount(text: str | None, locale: str) -> int:
    try:
        amount: Decimal = parse_decimal(text or "", locale)
    except NumberError as error:
        raise ValidationError({"amount": [number_error_message(error)]}) from None
    if amount.is_zero():
        raise ValidationError({"amount": [_("An adjustment of zero changes nothing: enter the signed amount "
                                            "by which the figure must change.")]})
    try:
        return to_minor(amount, CURRENCY)
    except MoneyError:  # parse_decimal already limits the decimals; kept for safety
        raise ValidationError({"amount": [_("Enter the amount with at most 2 decimals.")]}) from None


def propose_adjustment(actor: User, query: DiscrepancyQuery, side: str, amount: str, reason: str, comment: str,
                       evidence: str | None = None, *, locale: str | None = None) -> Adjustment:
    """Propose a signed correction, in KGS, of one side of the query's line (the addressee or the secretariat).

    ``amount`` is text in the user's notation (``locale``; default the current language);
    every invalid field is reported at once.
    """
    if not can_view_discrepancy_query(actor, query):
        raise NotFound()
    if query.status is DiscrepancyQueryStatus.CLOSED:
        raise InvalidTransition(_("This question is closed: no adjustment can be proposed on it."))
    errors: dict[str, list[str]] = {}
    fields = _adjustment_fields(actor, errors, side, amount, reason, comment, evidence, locale)
    if errors:
        raise ValidationError(errors)
    adjustment = _new_adjustment(actor, query, fields)
    db.session.flush()
    # the other side is told: a proposal of the secretariat goes to the addressee, the addressee's to the secretariat
    told = _addressees(query) if can_manage_discrepancies(actor) else secretariat()
    who = actor.full_name if can_manage_discrepancies(actor) else _query_facts(query)["who"]
    notify(Event.ADJUSTMENT_PROPOSED, told, {**_query_facts(query), "who": who,
                                             "amount": _money_text(adjustment)},
           path_for("discrepancies.query", discrepancy_query_id=query.id))
    return adjustment


def _adjustment_fields(actor: User, errors: dict[str, list[str]], side: str, amount: str | None, reason: str,
                       comment: str | None, evidence: str | None, locale: str | None) -> dict:
    """The checked fields of an adjustment; every problem is added to ``errors``."""
    if side not in SIDES:
        errors["side"] = [_("Choose the side to adjust: the company's figure or the government's figure.")]
    elif side != "government" and actor.role is Role.AGENCY_OFFICER:
        # the agency never sees the company's figures, so it corrects its own side only
        errors["side"] = [_("An agency can propose an adjustment of the government's figure only.")]
    if reason not in REASON_CODES:
        errors["reason"] = [_("Choose one of the reasons in the list.")]
    fields = {"side": side, "reason": reason}
    for name, check in (("amount", lambda: _amount(amount, locale or current_locale())),
                        ("comment", lambda: _text(comment, "comment", _("Explain the adjustment: the EITI report "
                                                                        "shows this comment."))),
                        ("evidence", lambda: _text(evidence, "evidence", None))):
        fields[name] = _collect(errors, check)
    return fields


def _new_adjustment(actor: User, query: DiscrepancyQuery, fields: dict,
                    status: AdjustmentStatus = AdjustmentStatus.PROPOSED) -> Adjustment:
    adjustment = Adjustment(period_id=query.period_id, query=query, side=fields["side"],
                            amount_minor=fields["amount"], currency=CURRENCY, reason=fields["reason"],
                            comment=fields["comment"], evidence=fields["evidence"], status=status,
                            proposed_by_id=actor.id, proposed_at=utcnow())
    adjustment.company_inn, adjustment.revenue_stream, adjustment.government_entity, adjustment.project = \
        line_key(query)
    if status is not AdjustmentStatus.PROPOSED:
        adjustment.decided_by_id, adjustment.decided_at = actor.id, adjustment.proposed_at
    db.session.add(adjustment)
    return adjustment


def _money_text(adjustment: Adjustment) -> str:
    return f"{format_plain(adjustment.amount_minor, adjustment.currency)} {adjustment.currency}"


def decide_adjustment(actor: User, adjustment: Adjustment, accept: bool, comment: str | None = None) -> Adjustment:
    """Accept or reject a proposed adjustment, once; a rejection needs a reason."""
    require(can_manage_discrepancies(actor))
    if adjustment.status is not AdjustmentStatus.PROPOSED:
        raise InvalidTransition(_("This adjustment has already been decided."))
    required = None if accept else _("Say why the adjustment is rejected: the proposer sees this comment.")
    adjustment.decision_comment = _text(comment, "comment", required)
    adjustment.status = AdjustmentStatus.ACCEPTED if accept else AdjustmentStatus.REJECTED
    adjustment.decided_by_id, adjustment.decided_at = actor.id, utcnow()
    db.session.flush()
    if adjustment.query is not None:
        notify(Event.ADJUSTMENT_DECIDED, _addressees(adjustment.query),
               {**_query_facts(adjustment.query), "amount": _money_text(adjustment),
                "decision": "accepted" if accept else "rejected"},
               path_for("discrepancies.query", discrepancy_query_id=adjustment.query.id))
    return adjustment


def close_query(actor: User, query: DiscrepancyQuery) -> DiscrepancyQuery:
    """The secretariat closes a query once every proposed adjustment on it is decided."""
    require(can_manage_discrepancies(actor))
    if query.status is DiscrepancyQueryStatus.CLOSED:
        raise InvalidTransition(_("This question is already closed."))
    if any(a.status is AdjustmentStatus.PROPOSED for a in query.adjustments):
        raise InvalidTransition(_("Accept or reject every proposed adjustment before closing the question."))
    query.status = DiscrepancyQueryStatus.CLOSED
    db.session.flush()
    return query


# --- listings and the query page ------------------------------------------------------

def queries_for(actor: User, year: int) -> list[DiscrepancyQuery]:
    """The period's queries the actor may see: its company's, its agency's, or all for the secretariat."""
    if not (can_manage_discrepancies(actor) or getattr(actor, "role", None) in (Role.COMPANY_FILER,
                                                                               Role.AGENCY_OFFICER)):
        raise PermissionDenied()
    period = get_period(year)
    stmt = select(DiscrepancyQuery).where(DiscrepancyQuery.period_id == period.id)
    return list(db.session.scalars(scope_discrepancy_queries(actor, stmt).order_by(DiscrepancyQuery.id)))


def open_query_counts(actor: User) -> list[tuple[int, int, int]]:
    """(year, open queries, all queries) for each period where the actor has queries, newest first."""
    is_open = case((DiscrepancyQuery.status == DiscrepancyQueryStatus.OPEN, 1), else_=0)
    stmt = (select(ReportingPeriod.year, func.sum(is_open), func.count(DiscrepancyQuery.id))
            .join(ReportingPeriod, ReportingPeriod.id == DiscrepancyQuery.period_id)
            .group_by(ReportingPeriod.year).order_by(ReportingPeriod.year.desc()))
    return [(year, int(waiting or 0), int(total))
            for year, waiting, total in db.session.execute(scope_discrepancy_queries(actor, stmt))]


@dataclass(frozen=True)
class QueryView:
    """The query page for one reader: only the figures that reader may see."""

    query: DiscrepancyQuery
    names: KeyNames
    #: the line in the query's run (None when that run was deleted or did not hold the key)
    line: ReconciliationLine | None
    #: what the reader sees of the line's initial figures; None = not shown to this reader
    company_amount_minor: int | None
    government_amount_minor: int | None
    show_company_amount: bool
    show_gap: bool
    #: the adjustments this reader may see
    adjustments: list[Adjustment]
    can_answer: bool
    can_propose: bool
    can_decide: bool
    history: LineHistory | None


def query_view(actor: User, query_id: int) -> QueryView:
    """The query with the figures its reader may see (see the module docstring)."""
    query = get_query(actor, query_id)
    staff = can_manage_discrepancies(actor)
    line = None
    if query.run_id is not None:
        line = db.session.scalar(select(ReconciliationLine).where(ReconciliationLine.run_id == query.run_id,
                                                                  *_key_filter(ReconciliationLine, line_key(query))))
    agency_reader = not staff and query.addressed_to is AddressedTo.AGENCY
    adjustments = [a for a in query.adjustments if not agency_reader or a.side == "government"]
    is_open = True  # reconciliation continues after the filing period closes
    addressee = is_addressee_of(actor, query)
    return QueryView(
        query=query, names=key_names(line_key(query)), line=line,
        company_amount_minor=None if agency_reader or line is None else line.company_initial_minor,
        government_amount_minor=None if line is None else line.government_initial_minor,
        show_company_amount=not agency_reader, show_gap=not agency_reader,
        adjustments=adjustments,
        can_answer=addressee and is_open and query.status is DiscrepancyQueryStatus.OPEN,
        can_propose=(addressee or staff) and is_open and query.status is not DiscrepancyQueryStatus.CLOSED,
        can_decide=staff and is_open,
        history=_history(query.period, line_key(query)) if staff else None)
