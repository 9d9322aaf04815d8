"""Demo data (INTERFACES.md §1): 2025 open with filer1/filer2 holding drafts, 2024 closed.

Everything is fictional ("Demo" in every company name) and deterministic: the tables live
in ``data.py``, derived figures come from fixed formulas, and nothing reads today's date.
The loader adds and flushes through the models and services; the caller commits.
"""
from __future__ import annotations

import datetime as dt
import os
import zlib
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..accounts.models import Role, User
from ..accounts.services import create_user
from ..companies.models import Company, License
from ..disclosure.carry_over import carry_over
from ..disclosure.services import seal_version
from ..disclosure.models import (DeclarationKind, Disclosure, DisclosureSection, DisclosureStatus, PaymentLine,
                                 SectionDeclaration)
from ..disclosure.sections import load_section, spec_for
from ..disclosure.sections.services import load_context
from ..extensions import db
from ..money import basis_points_from_percent, rate_from_scaled, rate_to_scaled, to_minor, usd_minor_to_kgs_minor
from ..receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from ..reference.models import GovernmentEntity, PeriodStatus, Region, ReportingPeriod, RevenueStream, Site
from . import data
from .data import COMPANIES, LICENCES, USERS, CompanyRow, LicenceRow

#: The demo password is public by design (README); override with ESG_DEMO_PASSWORD.
DEMO_PASSWORD = os.environ.get("ESG_DEMO_PASSWORD", "demo-pass-2025")
#: (e-mail, description) of every demo account, printed by ``esg-portal serve``
DEMO_ACCOUNTS = [(row.email, row.description) for row in USERS]
#: deadlines are set in Bishkek time (INTERFACES.md §2)
BISHKEK = ZoneInfo("Asia/Bishkek")


class PaymentPlan(NamedTuple):
    """One payment line before it becomes a ``PaymentLine``."""

    stream: str
    project: str  #: licence number, "" for company-level streams
    amount: Decimal
    currency: str
    in_kind_volume: str | None = None
    in_kind_unit: str | None = None
    locality: str | None = None
    comment: str | None = None


def database_is_empty() -> bool:
    """True when no company exists yet: demo data is loaded only into an empty database."""
    return (db.session.scalar(select(func.count(Company.id))) or 0) == 0


# --- figures -------------------------------------------------------------------------

def _utc(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


def _derived_amount(year: int, company: str, stream: str, project: str, weight: int) -> Decimal:
    """Base × weight × growth, plus a fixed number of tyiyn so that figures do not look round."""
    exact = Decimal(data.STREAM_BASE_KGS[stream]) * weight * data.YEAR_GROWTH[year] / 10000
    tyiyn = zlib.crc32(f"{year}|{company}|{stream}|{project}".encode()) % 10000
    return exact + Decimal(tyiyn).scaleb(-2)


def _active_in(licence: LicenceRow, year: int) -> bool:
    return int(licence.issued_on[:4]) <= year <= int(licence.expires_on[:4])


def _plan(year: int, company: str, stream: str, project: str, weight: int, locality: str | None) -> PaymentPlan:
    override = data.PAYMENT_OVERRIDES.get((year, company, stream, project))
    if override is None:
        return PaymentPlan(stream, project, _derived_amount(year, company, stream, project, weight), "KGS",
                           locality=locality)
    amount, currency, volume, unit, comment = override
    return PaymentPlan(stream, project, Decimal(amount), currency, volume, unit, locality, comment)


def payment_plans(year: int, company: CompanyRow) -> list[PaymentPlan]:
    """Every payment the company made in the year (before any demo omission), in a stable order."""
    plans = []
    for licence in (lic for lic in LICENCES if lic.company == company.key and _active_in(lic, year)):
        streams = list(data.PROJECT_STREAMS[licence.kind])
        if int(licence.issued_on[:4]) == year:
            streams.insert(0, "BONUS")
        for stream in streams:
            local = licence.locality if stream in ("LOCAL_DEV", "PROPERTY_TAX") else None
            plans.append(_plan(year, company.key, stream, licence.number, licence.weight, local))
    for stream in company.streams.split():
        plans.append(_plan(year, company.key, stream, "", company.weight, None))
    return plans


# --- registers -----------------------------------------------------------------------

class _Refs:
    """Reference records by code, read once."""

    def __init__(self) -> None:
        self.regions = {r.code: r for r in db.session.scalars(select(Region))}
        self.sites = {s.code: s for s in db.session.scalars(select(Site))}
        self.streams = {s.code: s for s in db.session.scalars(select(RevenueStream))}
        self.entities = {e.code: e for e in db.session.scalars(select(GovernmentEntity))}


def _create_period(row: data.PeriodRow) -> ReportingPeriod:
    deadline = dt.datetime(*row.deadline, tzinfo=BISHKEK).astimezone(dt.timezone.utc)
    period = ReportingPeriod(
        year=row.year, start_date=dt.date(row.year, 1, 1), end_date=dt.date(row.year, 12, 31),
        status=PeriodStatus(row.status), usd_rate_scaled=rate_to_scaled(Decimal(row.usd_rate)),
        usd_rate_source=data.RATE_SOURCE, filing_deadline_at=deadline,
        company_threshold_minor=to_minor(Decimal(row.threshold_kgs), "KGS"),
        independent_administrator=data.INDEPENDENT_ADMINISTRATOR,
    )
    db.session.add(period)
    return period


def _create_company(row: CompanyRow, refs: _Refs) -> Company:
    share = basis_points_from_percent(Decimal(row.state_share_pct)) if row.state_share_pct else None
    website = f"https://{row.key.replace('_', '-')}.example.kg"
    company = Company(
        inn=row.inn, legal_name=row.legal_name, legal_form=row.legal_form, address=row.address,
        region=refs.regions[row.region], state_share_bp=share, is_state_share_free_carried=row.is_free_carried,
        is_soe=row.is_soe, website=website, listing=row.listing,
        audited_statements_url=f"{website}/reports/audited-financial-statements-2024.pdf",
    )
    db.session.add(company)
    return company


def _create_licence(row: LicenceRow, company: Company, refs: _Refs) -> License:
    site = refs.sites[row.site]
    licence = License(
        company=company, number=row.number, kind=row.kind, site=site, region=site.region,
        project_name=row.project_name, issued_on=dt.date.fromisoformat(row.issued_on),
        expires_on=dt.date.fromisoformat(row.expires_on), status=row.status, minerals=list(site.minerals),
    )
    db.session.add(licence)
    return licence


def _create_user(row: data.UserRow, companies: dict[str, Company], refs: _Refs) -> User:
    role = Role(row.role)
    company = companies[row.belongs_to] if role is Role.COMPANY_FILER else None
    agency = refs.entities[row.belongs_to] if role is Role.AGENCY_OFFICER else None
    return create_user(None, email=row.email, full_name=row.full_name, role=role, password=DEMO_PASSWORD,
                       company_id=company.id if company else None, agency_id=agency.id if agency else None,
                       is_signatory=row.is_signatory, position=row.position)


# --- filings -------------------------------------------------------------------------

class _Builder:
    """Holds what the filings and receipts refer to while they are built."""

    def __init__(self, refs: _Refs, periods: dict[int, ReportingPeriod], companies: dict[str, Company],
                 licences: dict[str, License], users: dict[str, User]) -> None:
        self.refs, self.periods, self.companies, self.licences = refs, periods, companies, licences
        self.signatories = {u.company_id: u for u in users.values() if u.is_signatory}
        self.users = users

    def payment_line(self, plan: PaymentPlan) -> PaymentLine:
        stream = self.refs.streams[plan.stream]
        return PaymentLine(
            revenue_stream=stream, government_entity=stream.default_entity,
            license=self.licences[plan.project] if plan.project else None,
            amount_minor=to_minor(plan.amount, plan.currency), currency=plan.currency,
            is_paid_in_kind=plan.in_kind_volume is not None, in_kind_volume=plan.in_kind_volume,
            in_kind_unit=plan.in_kind_unit, recipient_locality=plan.locality, comment=plan.comment,
        )

    def filing_lines(self, year: int, row: CompanyRow, status: str, version: int) -> list[PaymentPlan]:
        """The lines of one version: drafts are partial, omissions and amendments applied."""
        if (year, row.key) in data.NIL_DECLARATIONS:
            return []
        unreported = {(c, s, p) for kind, c, s, p, *_ in data.DISCREPANCIES_2024 if kind == "unreported"}
        plans = [p for p in payment_plans(year, row)
                 if year != 2024 or (row.key, p.stream, p.project) not in unreported]
        if status == "draft":
            plans = [p for p in plans if p.stream in data.DRAFT_STREAMS]
        for (a_year, a_company, a_version), (_, stream, project, missing) in data.AMENDMENTS.items():
            if (a_year, a_company) == (year, row.key) and version < a_version:  # before the correction
                plans = [p._replace(amount=p.amount - Decimal(missing)) if (p.stream, p.project) == (stream, project)
                         else p for p in plans]
        return plans

    def disclosure(self, year: int, row: CompanyRow, status: str, submitted_at: str | None,
                   version: int) -> Disclosure:
        """One filing version; submitted ones are attested and hashed once their lines are flushed."""
        company = self.companies[row.key]
        nil_reason = data.NIL_DECLARATIONS.get((year, row.key))
        amendment = data.AMENDMENTS.get((year, row.key, version))
        disclosure = Disclosure(
            company=company, period=self.periods[year], version=version, status=DisclosureStatus(status),
            amendment_reason=amendment[0] if amendment else None,
        )
        db.session.add(disclosure)
        if status == "draft" and version == 1:
            # opened after last year was filed, as open_draft does: owners and running agreements carried over
            db.session.flush()
            carry_over(disclosure)
        self.esg_sections(disclosure, data.ESG_SECTIONS.get((year, row.key), {}))
        disclosure.payment_lines = [self.payment_line(p) for p in self.filing_lines(year, row, status, version)]
        if nil_reason is not None:
            disclosure.declarations = [SectionDeclaration(section="payments", kind=DeclarationKind.NIL,
                                                          reason=nil_reason)]
        if status != "draft":
            signer = self.signatories.get(company.id)
            name, position = (signer.full_name, signer.position) if signer else row.signatory
            disclosure.submitted_at = _utc(submitted_at)
            disclosure.submitted_by_id = signer.id if signer else None
            disclosure.attested_by_name, disclosure.attested_by_position = name, position
            disclosure.attestation_text = data.ATTESTATION_TEXT
            seal_version(disclosure)
        return disclosure

    def esg_sections(self, disclosure: Disclosure, bodies: dict[str, list | dict]) -> None:
        """ESG sections given in the interchange form, validated and stored by the sections' codec."""
        if not bodies:
            return
        context = load_context(disclosure, "en")
        for key, body in bodies.items():
            stored, private = load_section(spec_for(key), body, context)
            disclosure.sections.append(DisclosureSection(section=key, data=stored, restricted=private))

    def filings(self) -> None:
        """Every version of every company's filing listed in ``data.FILINGS``."""
        rows = {row.key: row for row in COMPANIES}
        versions: dict[tuple[int, str], int] = defaultdict(int)
        for year, key, status, submitted_at in data.FILINGS:
            versions[(year, key)] += 1
            self.disclosure(year, rows[key], status, submitted_at, versions[(year, key)])
        db.session.flush()

    # --- receipts ----------------------------------------------------------------------

    def _kgs_minor(self, plan: PaymentPlan, year: int) -> int:
        minor = to_minor(plan.amount, plan.currency)
        if plan.currency == "USD":  # the treasury books USD payments in KGS at the period rate
            return usd_minor_to_kgs_minor(minor, self.periods[year].usd_rate_scaled)
        return minor

    def receipts_2024(self) -> dict[tuple[str, str, str, str], int]:
        """(agency, company, stream, project) → KGS tyiyn the agencies booked for 2024."""
        booked: dict[tuple[str, str, str, str], int] = {}
        for row in COMPANIES:
            for plan in payment_plans(2024, row):
                agency = self.refs.streams[plan.stream].default_entity.code
                booked[(agency, row.key, plan.stream, plan.project)] = self._kgs_minor(plan, 2024)
        for kind, company, stream, project, amount, other in data.DISCREPANCIES_2024:
            agency = self.refs.streams[stream].default_entity.code
            key = (agency, company, stream, project)
            if kind == "timing":
                booked[key] -= to_minor(Decimal(amount), "KGS")
            elif kind == "classification":
                moved = to_minor(Decimal(amount), "KGS")
                booked[key] -= moved
                other_key = (self.refs.streams[other].default_entity.code, company, other, project)
                booked[other_key] = booked.get(other_key, 0) + moved
            elif kind == "rounding":
                booked[key] += to_minor(Decimal(amount), "KGS")
        for agency, company, stream, amount in data.UNREGISTERED_RECEIPTS_2024:
            booked[(agency, company, stream, "")] = to_minor(Decimal(amount), "KGS")
        return booked

    def receipt(self, company: str, stream: str, project: str, minor: int, comment: str | None = None):
        """One government receipt in KGS."""
        return GovernmentReceipt(company=self.companies[company], revenue_stream=self.refs.streams[stream],
                                 license=self.licences[project] if project else None,
                                 amount_minor=minor, currency="KGS", comment=comment)

    def batches(self) -> None:
        """The submitted 2024 batch of each agency and the State Tax Service's 2025 draft."""
        booked = self.receipts_2024()
        usd = {(row.key, p.stream, p.project): p for row in COMPANIES for p in payment_plans(2024, row)
               if p.currency == "USD"}
        rate = self.periods[2024].usd_rate_scaled
        for agency, submitted_at, officer in data.RECEIPT_BATCHES_2024:
            batch = ReceiptBatch(agency=self.refs.entities[agency], period=self.periods[2024], version=1,
                                 status=BatchStatus.SUBMITTED, submitted_at=_utc(submitted_at),
                                 submitted_by_id=self.users[officer].id if officer else None)
            for (b_agency, company, stream, project), minor in sorted(booked.items()):
                if b_agency == agency:
                    paid = usd.get((company, stream, project))
                    note = f"USD {paid.amount} at {rate_from_scaled(rate)} KGS" if paid else None
                    batch.receipts.append(self.receipt(company, stream, project, minor, note))
            db.session.add(batch)
        agency, companies, streams = data.DRAFT_RECEIPTS_2025
        draft = ReceiptBatch(agency=self.refs.entities[agency], period=self.periods[2025], version=1,
                             status=BatchStatus.DRAFT)
        for row in (r for r in COMPANIES if r.key in companies):
            for plan in payment_plans(2025, row):
                if plan.stream in streams:
                    draft.receipts.append(self.receipt(row.key, plan.stream, plan.project, self._kgs_minor(plan, 2025)))
        db.session.add(draft)
        db.session.flush()


def load_demo() -> None:
    """Create the demo periods, companies, licences, accounts, filings and receipts (flush, no commit)."""
    refs = _Refs()
    periods = {row.year: _create_period(row) for row in data.PERIODS}
    companies = {row.key: _create_company(row, refs) for row in COMPANIES}
    for key, inn, name in data.UNREGISTERED_COMPANIES:
        companies[key] = Company(inn=inn, legal_name=name, is_registered=False)
        db.session.add(companies[key])
    licences = {row.number: _create_licence(row, companies[row.company], refs) for row in LICENCES}
    db.session.flush()
    users = {row.email: _create_user(row, companies, refs) for row in USERS}
    builder = _Builder(refs, periods, companies, licences, users)
    builder.filings()
    builder.batches()


#: the demo year published by ``setup-demo`` (reconciled first, so the release holds a run)
PUBLISHED_YEAR = 2024


def publish_demo(homepage: str) -> int:
    """Reconcile and publish the demo's closed year as the demo secretariat would (flush, no commit).

    Returns the release version. Kept apart from ``load_demo`` so that tests choose when to publish.
    """
    from ..eiti.publication.services import publish_release
    from ..eiti.runs import run_reconciliation

    secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
    run_reconciliation(secretariat, PUBLISHED_YEAR)
    return publish_release(secretariat, PUBLISHED_YEAR, homepage=homepage).version


def seed_feedback() -> int:
    """Residents' cases of the demo, through the services as residents and handlers would make them:
    one answered (public), one appeal being handled, one waiting for registration. Needs the published
    year (cases name the published register). Flush, no commit; returns how many cases were made."""
    from ..feedback import services as feedback

    secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
    filer = db.session.scalar(select(User).where(User.email == "filer1@demo.kg"))
    kutessay = next(row.inn for row in COMPANIES if row.key == "kutessay")
    received = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=9)
    dust = feedback.submit_case({
        "kind": "anonymous", "subject": {"site": "T1-01"}, "category": "air_dust", "language": "ky",
        "aiyl_okmotu": "Кемин", "text": "Кен ташыган жүк унааларынын чаңы күн сайын айылдагы бакчаларды басып калат."},
        now=received)
    feedback.register_case(secretariat, dust.case, expected=None, is_public=True, addressee="company",
                           company_inn=kutessay, public_text=dust.case.original_text,
                           now=received + dt.timedelta(hours=5))
    feedback.post_answer(filer, dust.case, expected=None, final=True, now=received + dt.timedelta(days=4),
                         text="Айылдын ичиндеги жолду күнүнө эки жолу суу менен сугарабыз; мектептин жанында "
                              "ылдамдык саатына 20 км менен чектелди.")
    hiring = feedback.submit_case({
        "kind": "appeal", "subject": {"company_inn": kutessay}, "category": "jobs_hiring", "language": "ru",
        "aiyl_okmotu": "Кемин", "name": "Demo Resident", "contact": "resident@demo.kg",
        "text": "В прошлом году обещали нанять двадцать местных жителей, но на руднике работают только приезжие."},
        now=received + dt.timedelta(days=6))
    feedback.register_case(secretariat, hiring.case, expected=None, is_public=True, addressee="company",
                           company_inn=kutessay, now=received + dt.timedelta(days=6, hours=3),
                           public_text="В прошлом году обещали нанять двадцать местных жителей, но на руднике "
                                       "работают только приезжие.")
    feedback.submit_case({
        "kind": "anonymous", "subject": {"place": "Чон-Кемин, көпүрөнүн жанында"}, "category": "water",
        "language": "ky", "text": "Көпүрөнүн астындагы суу эки күндөн бери ылай болуп агып жатат."},
        now=received + dt.timedelta(days=8))
    return 3
