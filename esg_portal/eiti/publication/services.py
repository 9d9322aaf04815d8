"""Publishing a period: preview, publish as release vN+1, import historic EITI data, read releases.

A release freezes what ``loader.release_data`` gathers, writes every file of INTERFACES §6
(the SDT workbook, the Part CSVs, reconciliation, ESG CSVs, BODS, data.json, the data package,
the PDF reports, the change log and the manifest) and the attachments the published sections
name, all in one transaction. It never changes afterwards (``models.guard_immutable``); the
period row is locked and (period, version) is unique, so two publications can never both
become version n + 1. Services never commit: the view, API or command does.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...accounts.permissions import require
from ...audit import utcnow
from ...disclosure.attachments import file_path
from ...disclosure.bods import bods_statements
from ...disclosure.document import iso_utc
from ...lifecycle import canonical_json, lock_row
from ...notifications import Event, notify
from ...notifications.services import company_filers, every_officer, path_for, secretariat
from ...disclosure.models import Disclosure, DisclosureStatus
from ...errors import NotFound, PortalError, ValidationError
from ...extensions import db
from ...reference.models import PeriodStatus, ReportingPeriod
from ...reference.periods import get_period
from . import opendata, package, parts as sdt_parts, report, sdt
from .loader import LiveRelease, release_data
from .models import Release, ReleaseFile, ReleaseKind
from .permissions import can_publish

MANIFEST, DATA, CHANGES, DATAPACKAGE, BODS = ("manifest.json", "data.json", "changes.json", "datapackage.json",
                                              "beneficial_owners.json")


class NothingToPublish(PortalError):
    status = 409
    code = "nothing_to_publish"


class Unchanged(PortalError):
    status = 409
    code = "unchanged"

    def __init__(self, message: str, *, version: int):
        super().__init__(message)
        self.version = version
        #: added to the JSON error: the version that already holds these data
        self.details = {"version": version}


class PublicationConflict(PortalError):
    status = 409
    code = "conflict"


def sdt_name(year: int) -> str:
    return f"summary-data-{year}.xlsx"


# --- reading ----------------------------------------------------------------------------------

def releases_of(period: ReportingPeriod) -> list[Release]:
    return list(db.session.scalars(select(Release).where(Release.period_id == period.id).order_by(Release.version)))


def latest_release(period: ReportingPeriod) -> Release | None:
    return db.session.scalar(select(Release).where(Release.period_id == period.id)
                             .order_by(Release.version.desc()).limit(1))


def all_releases() -> list[Release]:
    """Every release of every period, oldest period and version first (public)."""
    return list(db.session.scalars(select(Release).join(ReportingPeriod).order_by(ReportingPeriod.year,
                                                                                     Release.version)))


class ReleaseNotFound(NotFound):
    code = "release_not_found"


def find_release(year: int, version: int | None) -> Release:
    """Version ``version`` of the year's releases, or the newest with ``None``; 404 otherwise (public)."""
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))
    release = None
    if period is not None:
        release = latest_release(period) if version is None else db.session.scalar(
            select(Release).where(Release.period_id == period.id, Release.version == version))
    if release is None:
        raise ReleaseNotFound(_("Nothing has been published for %(year)s under this version.", year=year))
    return release


def find_file(release: Release, name: str) -> ReleaseFile:
    """A file of a release by its name, content not loaded; 404 otherwise (public)."""
    found = db.session.scalar(select(ReleaseFile).where(ReleaseFile.release_id == release.id,
                                                        ReleaseFile.name == name))
    if found is None:
        raise ReleaseNotFound(_("Release %(version)s of %(year)s has no file %(name)s.", version=release.version,
                                year=release.period.year, name=name))
    return found


def file_content(release_file: ReleaseFile) -> bytes:
    return db.session.scalar(select(ReleaseFile.content).where(ReleaseFile.id == release_file.id))


def stored_data(release: Release) -> dict[str, Any]:
    """The release's data.json, parsed."""
    return json.loads(file_content(find_file(release, DATA)))


# --- preview ------------------------------------------------------------------------------------

@dataclass
class Preview:
    """What publishing the period now would do, and why some things would not be published."""

    period: ReportingPeriod
    live: LiveRelease
    latest: Release | None
    content_sha256: str
    releases: list[Release] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return self.live.data

    @property
    def nothing_to_publish(self) -> bool:
        return not self.live.filings

    @property
    def unchanged(self) -> bool:
        return self.latest is not None and self.latest.content_sha256 == self.content_sha256

    @property
    def next_version(self) -> int:
        return (self.latest.version if self.latest else 0) + 1


def content_hash(data: dict[str, Any]) -> str:
    """sha256 of the release data: equal hashes mean a new version would publish nothing new."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def preview_release(actor: User, year: int) -> Preview:
    """What would be published for ``year`` (secretariat only)."""
    require(can_publish(actor))
    period = get_period(year)
    live = release_data(period)
    return Preview(period=period, live=live, latest=latest_release(period), content_sha256=content_hash(live.data),
                   releases=releases_of(period))


# --- building the files -------------------------------------------------------------------------

def _bods(filings: list[Disclosure], published_on: dt.date) -> list[dict[str, Any]]:
    statements = []
    for disclosure in filings:
        statements.extend(bods_statements(disclosure, published_on=published_on))
    return statements


def _attachments(live: LiveRelease) -> dict[str, bytes]:
    files = {}
    for attachment, row in zip(live.attachments, live.data["attachments"]):
        files[row["file"]] = file_path(attachment).read_bytes()
    return files


def changes_against(previous: dict[str, Any] | None, data: dict[str, Any], *, version: int) -> dict[str, Any]:
    """The change log of a release against the previous version: companies and lines added, removed, changed."""
    def keyed(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
        return {tuple(row.get(k, "") for k in key): row for row in rows}

    def diff(name: str, key: tuple[str, ...], amount: str) -> dict[str, list]:
        before = keyed((previous or {}).get(name) or [], key)
        after = keyed(data.get(name) or [], key)
        added = [{**dict(zip(key, k)), amount: after[k].get(amount)} for k in sorted(set(after) - set(before))]
        removed = [{**dict(zip(key, k)), amount: before[k].get(amount)} for k in sorted(set(before) - set(after))]
        changed = [{**dict(zip(key, k)), "before": before[k].get(amount), "after": after[k].get(amount)}
                   for k in sorted(set(before) & set(after)) if before[k].get(amount) != after[k].get(amount)]
        return {"added": added, "removed": removed, "changed": changed}

    payment_key = ("company_inn", "revenue_stream", "government_entity", "project", "currency", "paid_in_kind")
    receipt_key = ("company_inn", "revenue_stream", "government_entity", "project", "currency")
    line_key = ("company_inn", "revenue_stream", "government_entity", "project")
    before_companies = {c["inn"]: c for c in (previous or {}).get("companies", [])}
    after_companies = {c["inn"]: c for c in data.get("companies", [])}
    return {
        "version": version,
        "previous_version": version - 1 if previous is not None else None,
        "companies": {
            "added": [{"inn": i, "name": after_companies[i]["name"]} for i in sorted(set(after_companies) - set(before_companies))],
            "removed": [{"inn": i, "name": before_companies[i]["name"]} for i in sorted(set(before_companies) - set(after_companies))],
            "refiled": [{"inn": i, "before": before_companies[i].get("filing"), "after": after_companies[i].get("filing")}
                        for i in sorted(set(before_companies) & set(after_companies))
                        if before_companies[i].get("filing") != after_companies[i].get("filing")],
        },
        "company_payments": diff("company_payments", payment_key, "amount"),
        "government_revenues": diff("government_revenues", receipt_key, "amount"),
        "reconciliation_lines": diff_lines(previous, data, line_key),
    }


def diff_lines(previous: dict[str, Any] | None, data: dict[str, Any], key: tuple[str, ...]) -> dict[str, list]:
    def lines(source):
        return {tuple(line[k] for k in key): line for line in ((source or {}).get("reconciliation") or {}).get("lines", [])}
    before, after = lines(previous), lines(data)
    fields = ("company_final", "government_final", "final_gap", "status")
    return {
        "added": [dict(zip(key, k)) | {f: after[k].get(f) for f in fields} for k in sorted(set(after) - set(before))],
        "removed": [dict(zip(key, k)) for k in sorted(set(before) - set(after))],
        "changed": [dict(zip(key, k)) | {"before": {f: before[k].get(f) for f in fields},
                                         "after": {f: after[k].get(f) for f in fields}}
                    for k in sorted(set(before) & set(after))
                    if any(before[k].get(f) != after[k].get(f) for f in fields)],
    }


def _title(year: int) -> str:
    return f"EITI data of the Kyrgyz Republic, {year}"


def build_files(data: dict[str, Any], parts: Any, *, version: int, published_at: dt.datetime,
                previous: dict[str, Any] | None, bods: list[dict[str, Any]] | None,
                attachments: dict[str, bytes], homepage: str) -> dict[str, bytes]:
    """Every file of a release, manifest last (pure: data in, bytes out)."""
    year = data["period"]["year"]
    files: dict[str, bytes] = {sdt_name(year): sdt.write_sdt(parts), **sdt.part_csvs(parts)}
    files.update(opendata.csv_files(data))
    files["reconciliation.xlsx"] = opendata.reconciliation_xlsx(data)
    files[BODS] = opendata.json_bytes(bods or [])
    files[DATA] = opendata.json_bytes({**data, "sdt": parts.to_dict()})
    files.update(report.report_files(data, version=version))
    files[CHANGES] = opendata.json_bytes(changes_against(previous, data, version=version))
    files.update(attachments)
    files[DATAPACKAGE] = package.datapackage(
        year=year, version=version, title=_title(year), homepage=homepage, files=dict(files),
        description=f"Payments by extractive companies and government revenues of the Kyrgyz Republic for {year} "
                    "in EITI Summary Data Template v2.0 format, the reconciliation and the companies' ESG "
                    f"disclosures. Release {version}.")
    files[MANIFEST] = opendata.json_bytes(pretty=True, value={
        "year": year, "version": version, "published_at": iso_utc(published_at), "kind": data.get("kind"),
        "licence": opendata.LICENCE["path"], "content_sha256": content_hash(data),
        "sources": data.get("sources", []),
        "files": [{"name": name, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
                  for name, content in sorted(files.items())],
    })
    return files


def _store(period: ReportingPeriod, version: int, kind: ReleaseKind, files: dict[str, bytes], *,
           content_sha256: str, actor: User | None, published_at: dt.datetime) -> Release:
    manifest = json.loads(files[MANIFEST])
    release = Release(period_id=period.id, version=version, kind=kind, published_at=published_at,
                      published_by_id=actor.id if actor is not None else None, content_sha256=content_sha256,
                      manifest=manifest)
    db.session.add(release)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise PublicationConflict(_("Version %(version)s of %(year)s was published a moment ago by someone else. "
                                    "Open the publication page again.", version=version, year=period.year)) from None
    db.session.add_all([ReleaseFile(release_id=release.id, name=name, sha256=hashlib.sha256(content).hexdigest(),
                                    size_bytes=len(content), media_type=opendata.media_type(name), content=content)
                        for name, content in sorted(files.items())])
    db.session.flush()
    return release


def _previous_data(period: ReportingPeriod) -> dict[str, Any] | None:
    latest = latest_release(period)
    return stored_data(latest) if latest is not None else None


def publish_release(actor: User, year: int, *, homepage: str = "", now: dt.datetime | None = None) -> Release:
    """Publish the period's accepted data as release vN+1 (secretariat only).

    409 ``nothing_to_publish`` without an accepted filing; 409 ``unchanged`` when the data equal
    the latest release's.
    """
    require(can_publish(actor))
    period = get_period(year)
    # one publication of a period at a time (the period row is locked on PostgreSQL, the database on SQLite)
    lock_row(ReportingPeriod, period.id)
    db.session.refresh(period)
    live = release_data(period)
    if not live.filings:
        raise NothingToPublish(_("Nothing can be published for %(year)s: no filing has been accepted yet.",
                                 year=year))
    digest = content_hash(live.data)
    latest = latest_release(period)
    if latest is not None and latest.content_sha256 == digest:
        raise Unchanged(_("Nothing has changed since version %(version)s of %(year)s was published.",
                          version=latest.version, year=year), version=latest.version)
    published_at = (now or utcnow()).replace(microsecond=0)
    version = (latest.version if latest else 0) + 1
    parts = sdt_parts.parts_from_data(live.data, release_url=f"{homepage}/open-data/{year}/v{version}")
    files = build_files(live.data, parts, version=version, published_at=published_at,
                        previous=_previous_data(period), bods=_bods(live.filings, published_at.date()),
                        attachments=_attachments(live), homepage=homepage)
    release = _store(period, version, ReleaseKind.PUBLISHED, files, content_sha256=digest, actor=actor,
                     published_at=published_at)
    told = [user for filing in live.filings for user in company_filers(filing.company_id)]
    notify(Event.RELEASE_PUBLISHED, [*secretariat(), *told, *every_officer()], {"year": year, "version": version},
           path_for("publication.release_index", year=year, version=version))
    return release


# --- import of historic EITI data -----------------------------------------------------------------

class ImportBlocked(ValidationError):
    code = "import_blocked"


def _period_for_import(parts: Any, year: int) -> ReportingPeriod:
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == year))
    if period is None:
        period = ReportingPeriod(year=year, start_date=dt.date.fromisoformat(parts.start_date),
                                 end_date=dt.date.fromisoformat(parts.end_date), status=PeriodStatus.CLOSED)
        db.session.add(period)
        db.session.flush()
        return period
    filed = db.session.scalar(select(func.count(Disclosure.id)).where(
        Disclosure.period_id == period.id, Disclosure.status != DisclosureStatus.DRAFT))
    published = db.session.scalar(select(func.count(Release.id)).where(
        Release.period_id == period.id, Release.kind == ReleaseKind.PUBLISHED))
    if filed or published:
        message = _("Historic data can be imported only into an empty period: %(year)s already holds filings "
                    "or releases made in the portal.", year=year)
        raise ImportBlocked({"year": [message]}, message)
    return period


def import_release(actor: User | None, year: int, result: Any, *, homepage: str = "",
                   now: dt.datetime | None = None) -> Release:
    """Store an importer's result as an "imported" release of ``year`` (secretariat or the command line).

    Blocked findings store nothing. The same file imported again gives back the same release.
    """
    if actor is not None:
        require(can_publish(actor))
    if result.parts is None or result.grade == "blocked":
        message = _("The file cannot be imported: fix the blocking findings first.")
        raise ImportBlocked({"file": [message]}, message)
    parts = result.parts
    period = _period_for_import(parts, year)
    lock_row(ReportingPeriod, period.id)
    db.session.refresh(period)
    data = sdt_parts.data_from_parts(parts)
    data["sources"] = list(result.sources)
    digest = content_hash(data)
    latest = latest_release(period)
    if latest is not None and latest.content_sha256 == digest:
        return latest
    published_at = (now or utcnow()).replace(microsecond=0)
    version = (latest.version if latest else 0) + 1
    files = build_files(data, parts, version=version, published_at=published_at, previous=_previous_data(period),
                        bods=None, attachments={}, homepage=homepage)
    return _store(period, version, ReleaseKind.IMPORTED, files, content_sha256=digest, actor=actor,
                  published_at=published_at)
