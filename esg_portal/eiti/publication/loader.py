"""The one bridge from live data to a release: what a period would publish now, as plain data.

``release_data(period)`` gathers the latest **accepted** version of each company's filing
(submitted-but-not-accepted ones are only listed as under review), the latest submitted
receipt batch of each agency, the period's latest reconciliation run with its accepted
adjustments, the ESG sections of the accepted filings and the attachments those sections
name. Everything is plain JSON-able data; amounts are 2-decimal strings (INTERFACES §2).

Nothing personal enters it: filing documents never carry beneficial owners' dates of birth
or identity documents (they live in ``DisclosureSection.restricted``), and no user, e-mail
or attestation is read. A line of the reconciliation run whose company figure came from a
filing that is not published (still under review) keeps its government side only: the
company side, the gaps and the status are withheld (status ``withheld``), so no unpublished
company figure can be read or derived from the release.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...audit import AuditEvent
from ...disclosure import sections as section_registry
from ...disclosure.attachments import referenced_sha256
from ...disclosure.document import filing_document, iso_utc
from ...disclosure.models import Attachment, Disclosure, DisclosureStatus
from ...disclosure.sections.workforce import target_shares
from ...extensions import db
from ...money import format_plain, rate_from_scaled
from ...receipts.models import GovernmentReceipt
from ...reference.models import GovernmentEntity, PeriodStreamSetting, Region, ReportingPeriod, RevenueStream, Site
from ...reference.descriptions import stream_descriptions
from ..loaders import latest_batches
from ..models import Adjustment, AdjustmentStatus, ReconciliationLine, ReconciliationRun
from .. import reconciliation as engine
from ..reconciliation import LINE_COLUMNS
from ..runs import STORED_COLUMNS

COUNTRY, ISO3, CURRENCY = "Kyrgyz Republic", "KGZ", "KGS"
#: filing statuses that are waiting for the secretariat: listed, never published
UNDER_REVIEW = (DisclosureStatus.SUBMITTED, DisclosureStatus.QUERIED, DisclosureStatus.ANSWERED)
#: the ESG sections published as CSV (beneficial owners go out as BODS)
ESG_SECTIONS = ("eia", "social_agreements", "public_hearings", "workforce", "production")
#: a reconciliation line whose company side belongs to an unpublished filing
WITHHELD = "withheld"
_COMPANY_SIDE = ("company_initial", "company_adjustment", "company_final", "initial_gap", "final_gap", "gap_pct")


@dataclass
class LiveRelease:
    """What publishing would freeze now: the plain data and the live records behind it."""

    data: dict[str, Any]
    filings: list[Disclosure] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def _names(row) -> dict[str, str]:
    return {"en": row.name_en, "ru": row.name_ru, "ky": row.name_ky}


def latest_versions(period: ReportingPeriod) -> list[Disclosure]:
    """The latest non-draft, non-superseded version of each company's filing for the period."""
    latest = (select(Disclosure.company_id, func.max(Disclosure.version).label("version"))
              .where(Disclosure.period_id == period.id,
                     Disclosure.status.not_in((DisclosureStatus.DRAFT, DisclosureStatus.SUPERSEDED)))
              .group_by(Disclosure.company_id).subquery())
    stmt = (select(Disclosure)
            .join(latest, (Disclosure.company_id == latest.c.company_id) & (Disclosure.version == latest.c.version))
            .where(Disclosure.period_id == period.id)
            .options(selectinload(Disclosure.company), selectinload(Disclosure.payment_lines),
                     selectinload(Disclosure.sections), selectinload(Disclosure.declarations))
            .order_by(Disclosure.company_id))
    return list(db.session.scalars(stmt))


def published_filings(period: ReportingPeriod) -> tuple[list[Disclosure], list[Disclosure]]:
    """(accepted versions to publish, versions under review), each company once.

    A company whose latest version is under review while an earlier version was accepted
    publishes that earlier accepted version (an amendment waiting for review never hides the
    accepted figures, nor replaces them before acceptance).
    """
    latest = latest_versions(period)
    accepted_latest = {d.company_id: d for d in latest if d.status is DisclosureStatus.ACCEPTED}
    pending = [d for d in latest if d.status in UNDER_REVIEW]
    earlier = {}
    waiting = [d.company_id for d in pending]
    if waiting:
        superseded = {d.id: d for d in db.session.scalars(
            select(Disclosure).where(Disclosure.period_id == period.id, Disclosure.company_id.in_(waiting),
                                     Disclosure.status == DisclosureStatus.SUPERSEDED)
            .options(selectinload(Disclosure.company), selectinload(Disclosure.payment_lines),
                     selectinload(Disclosure.sections), selectinload(Disclosure.declarations)))}
        for disclosure_id in _once_accepted(list(superseded)):
            disclosure = superseded[disclosure_id]
            best = earlier.get(disclosure.company_id)
            if best is None or best.version < disclosure.version:
                earlier[disclosure.company_id] = disclosure
    accepted = sorted([*accepted_latest.values(), *earlier.values()], key=lambda d: d.company.inn)
    return accepted, sorted(pending, key=lambda d: d.company.inn)


def _once_accepted(disclosure_ids: list[int]) -> list[int]:
    """Of these (superseded) versions, those the secretariat had accepted, as the audit trail records."""
    if not disclosure_ids:
        return []
    events = db.session.execute(select(AuditEvent.record_id, AuditEvent.changes).where(
        AuditEvent.table_name == Disclosure.__tablename__,
        AuditEvent.record_id.in_([str(i) for i in disclosure_ids])))
    return sorted({int(record_id) for record_id, changes in events
                   if (changes or {}).get("status", [None, None])[1] == DisclosureStatus.ACCEPTED.value})


def _period(period: ReportingPeriod) -> dict[str, Any]:
    return {
        "year": period.year, "start_date": period.start_date.isoformat(), "end_date": period.end_date.isoformat(),
        "country": COUNTRY, "iso3": ISO3, "currency": CURRENCY,
        "usd_rate": f"{rate_from_scaled(period.usd_rate_scaled):f}" if period.usd_rate_scaled else None,
        "usd_rate_source": period.usd_rate_source,
        "independent_administrator": period.independent_administrator,
        "board_approved_on": period.board_approved_on.isoformat() if period.board_approved_on else None,
    }


def _registers(period: ReportingPeriod) -> tuple[list[dict], list[dict]]:
    entities = [{"code": e.code, "name": _names(e), "agency_type": e.agency_type, "level": e.level}
                for e in db.session.scalars(select(GovernmentEntity).order_by(GovernmentEntity.code))]
    inclusion = {s.revenue_stream_id: s.inclusion.value for s in db.session.scalars(
        select(PeriodStreamSetting).where(PeriodStreamSetting.period_id == period.id))}
    streams = [{"code": s.code, "name": _names(s), "gfs_code": s.gfs_code.code, "gfs_name": _names(s.gfs_code),
                "default_entity": s.default_entity.code, "is_subnational": bool(s.is_subnational),
                "is_levied_per_project": bool(s.is_levied_per_project),
                "inclusion": inclusion.get(s.id, "included")}
               for s in db.session.scalars(select(RevenueStream).options(
                   selectinload(RevenueStream.gfs_code), selectinload(RevenueStream.default_entity))
                   .order_by(RevenueStream.sort_order, RevenueStream.code))]
    return entities, streams


def _company(profile: dict[str, Any], disclosure: Disclosure | None) -> dict[str, Any]:
    keys = ("legal_form", "region", "state_share_pct", "is_soe", "website", "listing", "audited_statements_url")
    entry = {"inn": profile["inn"], "name": profile["legal_name"], **{k: profile.get(k) for k in keys}}
    entry["filing"] = None if disclosure is None else {
        "version": disclosure.version, "sha256": disclosure.sha256, "submitted_at": iso_utc(disclosure.submitted_at)}
    return entry


def _receipts(period: ReportingPeriod) -> tuple[list[dict], list[dict], dict[str, str]]:
    batches = latest_batches(period)
    ids = [b.id for b in batches]
    rows: list[dict] = []
    names: dict[str, str] = {}
    if ids:
        stmt = (select(GovernmentReceipt).where(GovernmentReceipt.batch_id.in_(ids))
                .options(selectinload(GovernmentReceipt.company), selectinload(GovernmentReceipt.revenue_stream),
                         selectinload(GovernmentReceipt.license), selectinload(GovernmentReceipt.batch))
                .order_by(GovernmentReceipt.id))
        agency = {b.id: b.agency.code for b in batches}
        for receipt in db.session.scalars(stmt):
            names.setdefault(receipt.company.inn, receipt.company.legal_name)
            rows.append({"company_inn": receipt.company.inn, "revenue_stream": receipt.revenue_stream.code,
                         "government_entity": agency[receipt.batch_id],
                         "project": receipt.license.number if receipt.license is not None else "",
                         "amount": format_plain(receipt.amount_minor, receipt.currency),
                         "currency": receipt.currency, "comment": receipt.comment or ""})
    rows.sort(key=lambda r: (r["company_inn"], r["revenue_stream"], r["government_entity"], r["project"],
                             r["currency"]))
    batch_rows = [{"government_entity": b.agency.code, "version": b.version, "sha256": b.sha256,
                   "submitted_at": iso_utc(b.submitted_at)} for b in sorted(batches, key=lambda b: b.agency.code)]
    return rows, batch_rows, names


def _amount(minor: int | None, currency: str) -> str | None:
    return None if minor is None else format_plain(int(minor), currency)


def _pct(bp: int | None) -> str | None:
    """Basis points as a 2-decimal percentage; None (not "") when missing, as every absent figure here."""
    return None if bp is None else engine.format_pct(bp)


def _reconciliation(period: ReportingPeriod, published: dict[str, tuple[int, str]]) -> dict[str, Any] | None:
    run = db.session.scalar(select(ReconciliationRun).where(ReconciliationRun.period_id == period.id)
                            .order_by(ReconciliationRun.number.desc()).limit(1))
    if run is None:
        return None
    used = {f["company_inn"]: (f["version"], f["sha256"]) for f in (run.inputs or {}).get("filings", [])}
    withheld = {inn for inn, version in used.items() if published.get(inn) != version}
    currency = run.currency
    columns = [getattr(ReconciliationLine, STORED_COLUMNS.get(c, c)) for c in LINE_COLUMNS]
    lines = []
    for values in db.session.execute(select(*columns).where(ReconciliationLine.run_id == run.id)
                                     .order_by(ReconciliationLine.position)):
        row = dict(zip(LINE_COLUMNS, values))
        line = {c: row[c] or "" for c in ("company_inn", "revenue_stream", "government_entity", "project")}
        for column in LINE_COLUMNS:
            if column in line or column in ("status", "explanation"):
                continue
            if column in ("gap_pct", "pct_of_government_total"):
                line[column] = _pct(row[column])
            else:
                line[column] = _amount(row[column], currency)
        line["status"], line["explanation"] = row["status"], row["explanation"] or ""
        if line["company_inn"] in withheld:
            line.update({c: None for c in _COMPANY_SIDE}, status=WITHHELD, explanation="")
        lines.append(line)
    adjustments = [
        {"company_inn": a.company_inn, "revenue_stream": a.revenue_stream, "government_entity": a.government_entity,
         "project": a.project or "", "side": a.side, "amount": format_plain(a.amount_minor, a.currency),
         "currency": a.currency, "reason": a.reason, "comment": a.comment, "decided_at": iso_utc(a.decided_at)}
        for a in db.session.scalars(select(Adjustment).where(
            Adjustment.period_id == period.id, Adjustment.status == AdjustmentStatus.ACCEPTED).order_by(Adjustment.id))
        if a.company_inn not in withheld or a.side == "government"]
    summary = run.summary or {}
    return {
        "run": run.number, "run_at": iso_utc(run.run_at), "currency": currency,
        "usd_rate": (run.rules or {}).get("usd_rate"),
        "coverage_pct": _pct(summary.get("coverage_bp")),
        "counts": summary.get("counts", {}),
        "withheld_companies": sorted(withheld),
        "margins": [{"revenue_stream": s["revenue_stream"], "inclusion": s.get("inclusion"),
                     "margin_pct": _pct(s.get("margin_bp", 0)), "floor": _amount(s.get("floor_minor", 0), currency)}
                    for s in (run.rules or {}).get("streams", [])],
        "lines": lines, "adjustments": adjustments,
    }


def _targets(item: dict[str, Any]) -> dict[str, Any]:
    """The workforce shares against the programme targets, as plain text (published with the section)."""
    out = {}
    for key, values in target_shares(item).items():
        share = values["share"]
        out[key] = {"share_pct": None if share is None else f"{share:f}", "target_pct": f"{values['target']:f}",
                    "meets": values["meets"]}
    return out


def _esg_rows(documents: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The ESG items of every published filing, with the company in front; beneficial owners with
    their public fields only (the document never holds the private ones)."""
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in (*ESG_SECTIONS, "beneficial_owners")}
    for document in documents:
        inn, name = document["company"]["inn"], document["company"]["name"]
        for key in rows:
            value = document["sections"].get(key)
            items = [value] if isinstance(value, dict) and value else (value or [])
            for position, item in enumerate(items, start=1):
                row = {"company_inn": inn, "company_name": name, "item": position, **item}
                if key == "workforce":
                    row["targets"] = _targets(item)
                rows[key].append(row)
    return rows


LANGUAGES = ("ky", "ru", "en")


def vocabulary() -> dict[str, Any]:
    """The labels of every ESG field and choice in ky/ru/en, published with the data so that readers of a
    release (and the public pages, which read releases only) show the filing's own words."""
    out: dict[str, Any] = {}
    for key in (*ESG_SECTIONS, "beneficial_owners"):
        spec = section_registry.spec_for(key)
        fields: dict[str, dict[str, str]] = {}
        choices: dict[str, dict[str, dict[str, str]]] = {}
        for locale in LANGUAGES:
            with force_locale(locale):
                for name, label in spec.labels.items():
                    fields.setdefault(name, {})[locale] = str(label)
                for name, options in spec.choice_labels.items():
                    for code, label in options.items():
                        choices.setdefault(name, {}).setdefault(code, {})[locale] = str(label)
        out[key] = {"fields": fields, "choices": choices}
    return out


def places() -> dict[str, Any]:
    """The regions and programme sites (names in ky/ru/en), and the plain-language description of each
    revenue stream, so that a release explains itself and its reports can be written per region."""
    regions = [{"code": r.code, "name": _names(r), "kind": r.kind}
               for r in db.session.scalars(select(Region).order_by(Region.code))]
    sites = [{"code": s.code, "name": _names(s), "region": s.region.code}
             for s in db.session.scalars(select(Site).options(selectinload(Site.region)).order_by(Site.code))]
    return {"regions": regions, "sites": sites, "stream_descriptions": stream_descriptions()}


def release_data(period: ReportingPeriod) -> LiveRelease:
    """Everything a release of ``period`` would hold if published now (see the module doc)."""
    accepted, pending = published_filings(period)
    documents = [filing_document(d) for d in accepted]
    entities, streams = _registers(period)
    receipts, batches, receipt_names = _receipts(period)

    companies = [_company(doc["sections"]["profile"], d) for doc, d in zip(documents, accepted)]
    known = {c["inn"] for c in companies}
    for inn, name in sorted(receipt_names.items()):
        if inn not in known:
            companies.append({"inn": inn, "name": name, "filing": None})
    companies.sort(key=lambda c: c["inn"])

    projects = []
    payments = []
    declarations = []
    for document in documents:
        inn = document["company"]["inn"]
        for licence in document["sections"]["profile"].get("licences", []):
            projects.append({"licence": licence["number"], "company_inn": inn, **{
                k: licence.get(k) for k in ("project_name", "kind", "site", "minerals", "status")}})
        payments.extend({"company_inn": inn, **payment} for payment in document["sections"]["payments"])
        declarations.extend({"company_inn": inn, "section": section, **answer}
                            for section, answer in sorted(document.get("declarations", {}).items()))
    projects.sort(key=lambda p: p["licence"])

    attachments: list[Attachment] = []
    attachment_rows = []
    for disclosure in accepted:
        for attachment in named_attachments(disclosure):
            attachments.append(attachment)
            attachment_rows.append({"company_inn": disclosure.company.inn, "sha256": attachment.sha256,
                                    "name": attachment.original_name, "title": attachment.title,
                                    "media_type": attachment.media_type, "bytes": attachment.size_bytes,
                                    "file": attachment_file_name(attachment)})
    published = {d.company.inn: (d.version, d.sha256) for d in accepted}
    data = {
        "kind": "published",
        "period": _period(period),
        "government_entities": entities,
        "revenue_streams": streams,
        "companies": companies,
        "under_review": [{"inn": d.company.inn, "name": d.company.legal_name, "version": d.version,
                          "status": d.status.value} for d in pending],
        "projects": projects,
        "company_payments": payments,
        "declarations": declarations,
        "government_revenues": receipts,
        "receipt_batches": batches,
        "reconciliation": _reconciliation(period, published),
        **_esg_rows(documents),
        "vocabulary": vocabulary(),
        **places(),
        "attachments": attachment_rows,
    }
    return LiveRelease(data=data, filings=accepted, attachments=attachments)


def named_attachments(disclosure: Disclosure) -> list[Attachment]:
    """The files the version's sections name (an upload that no section names is never published)."""
    wanted = referenced_sha256(disclosure)
    if not wanted:
        return []
    found = {a.sha256: a for a in db.session.scalars(select(Attachment).where(
        Attachment.company_id == disclosure.company_id, Attachment.sha256.in_(wanted)).order_by(Attachment.id))}
    return [found[sha] for sha in wanted if sha in found]


_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def attachment_file_name(attachment: Attachment) -> str:
    """The name of an attachment inside a release: its content hash, so one file is stored once."""
    return f"attachments/{attachment.sha256}.{_EXTENSIONS.get(attachment.media_type, 'bin')}"
