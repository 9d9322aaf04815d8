"""The filer's filing of one period: the page data, and the page actions (flush, never commit)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ...accounts.models import Role, User
from ...audit import utcnow
from ...companies.models import Company
from ...errors import InvalidTransition, NotFound, PermissionDenied
from ...extensions import db
from ...reference.models import PeriodStatus, ReportingPeriod
from .. import services, workflow
from ..attestation import attestation_text
from ..document import payment_object
from ..inputs import PaymentInput
from ..models import DeclarationKind, Disclosure, DisclosureStatus, FilingQuery, PaymentLine, QueryStatus
from ..schemas import PaymentLookups, load_payment_lookups, read_payment_upload
from ..services import SECTIONS, ChecklistItem
from .display import Names, ProfileView, TotalsView, checklist_detail, input_number, profile_view, totals_view
from ...lifecycle import Expected


# --- whose filing ----------------------------------------------------------------------


def filer_company(actor: User) -> Company:
    """The company of a company filer; the filing pages are theirs alone (others get 403)."""
    if not (getattr(actor, "is_authenticated", False) and actor.role is Role.COMPANY_FILER and actor.company_id):
        raise PermissionDenied()
    return actor.company


def signatories(company: Company) -> list[User]:
    """The company's active filers who may attest and submit."""
    stmt = (select(User).where(User.company_id == company.id, User.role == Role.COMPANY_FILER,
                               User.is_signatory.is_(True), User.is_active.is_(True)).order_by(User.full_name))
    return list(db.session.scalars(stmt))


def _blank_draft(company: Company, period: ReportingPeriod) -> Disclosure:
    """What version 1 would be before anything is saved: shown, never added to the session."""
    return Disclosure(company=company, period=period, version=1, status=DisclosureStatus.DRAFT)


# --- the filing page of a period --------------------------------------------------------

@dataclass
class FilingPage:
    """The filer's filing for one period: the draft being edited, or the latest submitted version."""

    period: ReportingPeriod
    company: Company
    #: the newest version (None: nothing saved yet)
    current: Disclosure | None
    #: what the page shows: ``current``, or an unsaved blank version 1
    shown: Disclosure
    #: every version, oldest first
    versions: list[Disclosure]
    checklist: list[tuple[ChecklistItem, str]]
    totals: TotalsView
    profile: ProfileView
    #: codes → names for ``shown`` (a submitted version's as filed, a draft's from the register)
    names: Names
    lookups: PaymentLookups | None
    #: the questions of the secretariat on the newest submitted version
    queries: list[FilingQuery]
    #: codes → names for the lines the questions are about (those of the newest submitted version)
    query_names: Names
    signatories: list[User]
    actor_is_signatory: bool
    #: the period is open and the newest version is a draft (or there is none yet)
    is_editable: bool
    #: the deadline has passed and nothing has been submitted yet (a submission now is late)
    is_late: bool
    #: the period is open and the newest version is submitted: an amendment may start
    can_amend: bool
    locale: str

    @property
    def unconfirmed(self) -> list[str]:
        """Sections copied from last year that nobody has confirmed or edited (the submit page asks)."""
        return services.unconfirmed_carried_over(self.current) if self.current is not None else []

    @property
    def is_started(self) -> bool:
        return self.current is not None

    @property
    def open_queries(self) -> list[FilingQuery]:
        return [q for q in self.queries if q.status is QueryStatus.OPEN]

    @property
    def declarations(self) -> dict[str, Any]:
        return {d.section: d for d in self.shown.declarations}

    @property
    def other_sections(self) -> tuple[str, ...]:
        return tuple(s for s in SECTIONS if s != "payments")

    @property
    def submitted_versions(self) -> list[Disclosure]:
        return [v for v in self.versions if v.status is not DisclosureStatus.DRAFT]


def filing_page(actor: User, year: int, locale: str) -> FilingPage:
    """Everything the filing page of ``year`` shows for the actor's company; stores nothing."""
    company = filer_company(actor)
    period = services.get_period(year)
    every = services.filing_versions(actor, company, period)
    current = every[-1] if every else None
    shown = current or _blank_draft(company, period)
    is_open = period.status is PeriodStatus.OPEN
    is_editable = is_open and shown.status is DisclosureStatus.DRAFT
    submitted = [v for v in every if v.status is not DisclosureStatus.DRAFT]
    names = Names.of(shown, locale)
    return FilingPage(
        period=period, company=company, current=current, shown=shown, versions=every,
        checklist=[(item, checklist_detail(item, shown)) for item in services.completeness(shown)],
        totals=totals_view(shown, locale, names),
        profile=profile_view(shown, names),
        names=names,
        lookups=load_payment_lookups(company.id) if is_editable else None,
        queries=list(submitted[-1].queries) if submitted else [],
        query_names=Names.of(submitted[-1], locale) if submitted else names,
        signatories=signatories(company),
        actor_is_signatory=bool(actor.is_signatory),
        is_editable=is_editable,
        can_amend=is_open and current is not None and current.status in workflow.AMENDABLE,
        is_late=bool(is_editable and not submitted and period.filing_deadline_at
                     and period.filing_deadline_at < utcnow()),
        locale=locale,
    )


def submission_page(actor: User, year: int, locale: str) -> FilingPage:
    """The filing page data for the submit page; refused (409) when there is no draft to submit."""
    page = filing_page(actor, year, locale)
    _require_page_editable(page)
    return page


def amendment_page(actor: User, year: int, locale: str) -> FilingPage:
    """The filing page data for the amendment page; refused (409) when no amendment can start."""
    page = filing_page(actor, year, locale)
    if not page.can_amend:
        services.require_open(page.period)
        if page.current is None:
            raise InvalidTransition(_("Nothing has been submitted for this period yet: fill in the draft instead."),
                                    code="nothing_submitted")
        raise InvalidTransition(_("Version %(version)d is already open as a draft: continue there.",
                                  version=page.current.version), code="draft_exists")
    return page


def _require_page_editable(page: FilingPage) -> None:
    services.require_open(page.period)
    if not page.is_editable:
        raise InvalidTransition(_("Version %(version)d has been submitted and cannot be changed. "
                                  "Start an amendment to correct it.", version=page.shown.version), code="not_draft")


def editing_lookups(actor: User, year: int) -> PaymentLookups:
    """What a payment row of the actor's draft may name; refused (409) when the filing cannot be edited."""
    company = filer_company(actor)
    period = services.get_period(year)
    services.require_open(period)
    latest = services.latest_filing(actor, company, period)
    if latest is not None and latest.status is not DisclosureStatus.DRAFT:
        raise InvalidTransition(_("Version %(version)d has been submitted and cannot be changed. "
                                  "Start an amendment to correct it.", version=latest.version), code="not_draft")
    return load_payment_lookups(company.id)


def template_lookups(actor: User, year: int) -> PaymentLookups:
    """The codes and the company's licences for the XLSX template of ``year``."""
    company = filer_company(actor)
    services.get_period(year)
    return load_payment_lookups(company.id)


# --- page actions (flush, never commit) ------------------------------------------------

def _draft(actor: User, year: int) -> Disclosure:
    return services.open_draft(actor, filer_company(actor), services.get_period(year))


def add_line(actor: User, year: int, payment: PaymentInput) -> PaymentLine:
    """Add a payment line to the draft of ``year`` (created as version 1 if needed)."""
    return services.add_payment_line(actor, _draft(actor, year), payment)


def replace_lines_from_file(actor: User, year: int, data: bytes, filename: str, *, locale: str,
                            lookups: PaymentLookups) -> int:
    """An uploaded CSV/XLSX replaces every payment line of the draft, or nothing changes (UploadRejected)."""
    payments = read_payment_upload(data, filename, locale=locale, lookups=lookups)
    return services.replace_payment_lines(actor, _draft(actor, year), payments)


def require_section(section: str) -> str:
    """A section key of the filing document a filer answers; anything else does not exist (404)."""
    if section not in SECTIONS:
        raise NotFound()
    return section


def declare(actor: User, year: int, section: str, kind: str, reason: str):
    """Record 'nil' or 'not applicable' for one section of the draft."""
    require_section(section)
    return services.declare_section(actor, _draft(actor, year), section, DeclarationKind(kind), reason)


def withdraw(actor: User, year: int, section: str) -> None:
    """Take back a nil / not-applicable answer."""
    require_section(section)
    services.withdraw_declaration(actor, _draft(actor, year), section)


def submit(actor: User, year: int, *, name: str, position: str, locale: str, expected: Expected | None = None,
           confirm_carried_over: list[str] | None = None) -> Disclosure:
    """A signatory submits the draft with the attestation shown in ``locale``; ``expected``: the revision the
    signatory reviewed (a draft changed since then is refused, 409); ``confirm_carried_over``: the sections
    copied from last year the signatory ticked as still true."""
    return services.submit_disclosure(actor, _draft(actor, year), attested_by_name=name,
                                      attested_by_position=position, attestation_text=attestation_text(locale),
                                      expected=expected, confirm_carried_over=confirm_carried_over or ())


def discard(actor: User, year: int) -> Disclosure:
    """Throw away the draft amendment; returns the version that stays in force."""
    return services.discard_amendment(actor, filer_company(actor), services.get_period(year))


def amend(actor: User, year: int, reason: str) -> Disclosure:
    """Open the next version as a draft, pre-filled from the last submitted one."""
    return services.start_amendment(actor, filer_company(actor), services.get_period(year), reason)


def editable_line(actor: User, line_id: int) -> tuple[PaymentLine, PaymentLookups]:
    """A payment line of the actor's draft, for its edit form; 409 once the version is submitted."""
    line = services.get_payment_line(actor, line_id)
    services.require_editable(actor, line.disclosure)
    return line, load_payment_lookups(line.disclosure.company_id)


def line_form_data(line: PaymentLine, locale: str) -> dict[str, str]:
    """A stored line as the form shows it: the §3 row with numbers in the user's notation."""
    row = payment_object(line)
    row["amount"] = input_number(row["amount"], locale)
    if row["in_kind_volume"]:
        row["in_kind_volume"] = input_number(row["in_kind_volume"], locale)
    return row
