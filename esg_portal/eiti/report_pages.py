"""The reconciliation report of a stored run for the secretariat: the HTML page and the XLSX, CSV and PDF files.

``load_report`` is the one place that reads a run for the report (through ``runs.get_run``, which
checks that the actor is the secretariat); everything after it is plain data (``report_data``).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from ..accounts.models import User
from ..cache import BoundedCache
from ..companies.models import Company
from ..extensions import db
from ..i18n import localized_name
from ..reference.models import GovernmentEntity, RevenueStream
from . import reconciliation as engine
from . import runs
from .labels import explanation_labels, status_label
from .report_data import (
    LineFilter,
    Names,
    PageSlice,
    RunReport,
    amount_text,
    count_text,
    non_reporting,
    ordered_lines,
    pct_text,
    period_text,
    rate_text,
    run_totals,
    summary_table,
    time_text,
)
from .report_files import build_csv, build_pdf, build_xlsx

#: lines per page of the HTML line table, and companies per page of its summary by company: a page of
#: a 20,000-line run stays a few hundred KB; the files hold everything
LINES_PER_PAGE = 100
COMPANIES_PER_PAGE = 50
#: above this many companies the company filter is a text field (INN or part of the name), not a list
COMPANY_CHOICES_LIMIT = 200
#: download kind → (MIME type, file extension)
FILE_KINDS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "pdf": ("application/pdf", "pdf"),
}


def _register_names(lines: pd.DataFrame, summary: Mapping, rules: Mapping, locale: str) -> Names:
    """Stream, entity and company names in ``locale`` from the register as it stands (a run stored before
    runs kept their names); companies outside the register keep the name recorded with the run (the
    payer named on a receipt), else their INN."""
    streams = list(db.session.scalars(select(RevenueStream)))
    entities = list(db.session.scalars(select(GovernmentEntity)))
    recorded = _summary_names(summary, rules)
    inns = set(lines["company_inn"].astype(object)) | set(recorded)
    registered = dict(db.session.execute(select(Company.inn, Company.legal_name)
                                         .where(Company.inn.in_(sorted(i for i in inns if i)))).all())
    companies = dict(recorded)
    companies.update(registered)
    return Names(streams={s.code: localized_name(s, locale) for s in streams},
                 gfs_codes={s.code: s.gfs_code.code for s in streams if s.gfs_code is not None},
                 entities={e.code: localized_name(e, locale) for e in entities}, companies=companies)


def _summary_names(summary: Mapping, rules: Mapping) -> dict[str, str]:
    """INN → company name as the run's summary (non-reporting list) and rules (scope overrides) recorded it."""
    recorded = {row.get("company_inn"): row.get("company_name") for row in summary.get("non_reporting") or []}
    recorded.update({row.get("company_inn"): row.get("company_name") for row in rules.get("scope_overrides") or []})
    return {inn: name for inn, name in recorded.items() if inn and name}


def _in_locale(names: Mapping, locale: str) -> str:
    """A recorded {name_en, name_ru, name_ky} in ``locale``, English when that one is blank (as ``localized_name``)."""
    return names.get(f"name_{locale}") or names.get("name_en") or ""


def _names(run, lines: pd.DataFrame, summary: Mapping, rules: Mapping, locale: str) -> tuple[Names, bool]:
    """The names the run was made with (``inputs["names"]``, see ``loaders.register_names``), in ``locale``,
    and whether the record held them all.

    A run stored before runs kept their names, or a code the run did not record, takes the
    register's name as it stands.
    """
    recorded = runs.recorded_names(run)
    if not recorded:
        return _register_names(lines, summary, rules, locale), False
    streams = recorded.get("revenue_streams") or {}
    entities = recorded.get("government_entities") or {}
    companies = _summary_names(summary, rules)
    companies.update({inn: name for inn, name in (recorded.get("companies") or {}).items() if name})
    names = Names(streams={code: _in_locale(s, locale) for code, s in streams.items()},
                  gfs_codes={code: s["gfs_code"] for code, s in streams.items() if s.get("gfs_code")},
                  entities={code: _in_locale(e, locale) for code, e in entities.items()}, companies=companies)
    wanted_streams = set(lines["revenue_stream"].astype(object))
    wanted_streams |= {s["revenue_stream"] for s in rules.get("streams") or []}
    if (wanted_streams - set(streams) or set(lines["government_entity"].astype(object)) - set(entities)
            or set(lines["company_inn"].astype(object)) - set(companies)):
        live = _register_names(lines, summary, rules, locale)
        return Names(streams={**live.streams, **names.streams}, gfs_codes={**live.gfs_codes, **names.gfs_codes},
                     entities={**live.entities, **names.entities},
                     companies={**live.companies, **names.companies}), False
    return names, True


def load_report(actor: User, run_id: int, locale: str) -> RunReport:
    """One stored run as a ``RunReport`` in ``locale``; the secretariat only (403), 404 when there is no such run."""
    run = runs.get_run(actor, run_id)
    lines = runs.lines_frame(run)
    lines.index = pd.RangeIndex(1, len(lines) + 1, name="position")  # a run's positions are 1…n
    summary, rules = run.summary or {}, run.rules or {}
    silent = summary.get("non_reporting") or []
    period = run.period
    names, names_recorded = _names(run, lines, summary, rules, locale)
    return RunReport(
        run_id=run.id, number=run.number, year=period.year, start_date=period.start_date, end_date=period.end_date,
        run_at=run.run_at, currency=run.currency, lines=lines, names=names,
        locale=locale, rules=rules, summary=summary,
        not_participating={row["company_inn"]: row.get("reason") or "" for row in silent
                           if row.get("status") == "not_participating"},
        not_reported=frozenset(row["company_inn"] for row in silent if row.get("status") == "not_reported"),
        government_not_included=int(summary.get("government_not_included") or 0),
        run_by=run.run_by.full_name if run.run_by else "", fingerprint=run.lines_sha256, names_recorded=names_recorded)


# --- the HTML page ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineRow:
    """One line of the page's table, every figure formatted for the reader."""

    position: int
    company: str
    company_inn: str
    stream: str
    stream_code: str
    gfs_code: str
    entity: str
    project: str
    status: str
    status_label: str
    explanation: list[str]
    figures: dict[str, str]


@dataclass(frozen=True)
class ReportPage:
    """What ``templates/eiti/report.html`` shows."""

    report: RunReport
    period: str
    run_at: str
    usd_rate: str
    threshold: str
    totals: dict[str, str]
    counts: list[tuple[str, str, str]]
    #: the statuses that occur in the run (the summaries' count columns)
    present: frozenset[str]
    summaries: dict[str, list[dict[str, object]]]
    summary_totals: dict[str, str]
    non_reporting: list[dict[str, str]]
    #: the lines of this page of the (filtered) line table
    lines: list[LineRow]
    line_filter: LineFilter
    #: the filters' choices: (value, label), in the order of the select boxes; no company list when
    #: the run has more than COMPANY_CHOICES_LIMIT companies (the filter is then a text field)
    options: dict[str, list[tuple[str, str]]]
    total_lines: int
    #: which page of the filtered lines (``page``) and of the summary by company (``company_page``)
    line_page: PageSlice
    company_page: PageSlice
    #: the query string that keeps the filters and the other table's page when one pager moves
    filter_args: dict[str, str]

    @property
    def matching_lines(self) -> int:
        return self.line_page.total


def _figures(row, currency: str, locale: str) -> dict[str, str]:
    figures = {column: amount_text(getattr(row, column), currency, locale)
               for column in ("company_initial", "government_initial", "initial_gap", "company_adjustment",
                              "government_adjustment", "company_final", "government_final", "final_gap")}
    figures.update(gap_pct=pct_text(row.gap_pct, locale),
                   pct_of_government_total=pct_text(row.pct_of_government_total, locale))
    return figures


def _line_rows(report: RunReport, lines: pd.DataFrame) -> list[LineRow]:
    names, currency, locale = report.names, report.currency, report.locale
    return [LineRow(int(position), names.company(row.company_inn), row.company_inn, names.stream(row.revenue_stream),
                    row.revenue_stream, names.gfs(row.revenue_stream), names.entity(row.government_entity),
                    row.project, row.status, status_label(row.status), explanation_labels(row.explanation),
                    _figures(row, currency, locale))
            for position, row in zip(lines.index, lines.itertuples(index=False))]


def _summary_rows(report: RunReport, by: str, shown: PageSlice | None = None) -> list[dict[str, object]]:
    loc, cur = report.locale, report.currency
    table = summary_table(report, by)
    if shown is not None:
        table = table.iloc[shown.start:shown.stop]
    return [{"key": r["key"], "name": r["name"], "gfs_code": r.get("gfs_code", ""),
             "company_amount": amount_text(r["company_amount"], cur, loc),
             "government_amount": amount_text(r["government_amount"], cur, loc),
             "gap": amount_text(r["gap"], cur, loc), "pct": pct_text(r["pct_of_government_total"], loc),
             "lines": count_text(r["lines"], loc),
             "counts": {s: count_text(r[s], loc) for s in engine.STATUSES}}
            for r in table.to_dict("records")]


def _options(report: RunReport) -> dict[str, list[tuple[str, str]]]:
    lines, names = report.lines, report.names
    present = set(lines["status"].astype(object))

    def by_name(codes, name) -> list[tuple[str, str]]:
        return sorted(((code, name(code)) for code in set(codes)), key=lambda item: (item[1].casefold(), item[0]))

    inns = set(lines["company_inn"].astype(object))
    return {"status": [(s, status_label(s)) for s in engine.STATUSES if s in present],
            "stream": by_name(lines["revenue_stream"].astype(object), names.stream),
            "entity": by_name(lines["government_entity"].astype(object), names.entity),
            "company": [] if len(inns) > COMPANY_CHOICES_LIMIT else
            [(inn, f"{name} ({inn})") for inn, name in by_name(inns, names.company)]}


def report_page(actor: User, run_id: int, locale: str, args: Mapping[str, str]) -> ReportPage:
    """The report page of a run: summaries, the non-reporting list and one page (``page``) of the line table
    filtered by ``args`` (``status``, ``stream``, ``entity``, ``company``), discrepancies first; the summary
    by company a page (``company_page``) at a time."""
    report = load_report(actor, run_id, locale)
    loc, cur, rules = locale, report.currency, report.rules
    line_filter = LineFilter.from_args(args)
    matching = line_filter.apply(ordered_lines(report.lines), report.names)
    line_page = PageSlice.of(len(matching), args.get("page"), LINES_PER_PAGE)
    company_page = PageSlice.of(int(report.lines["company_inn"].nunique()), args.get("company_page"),
                                COMPANIES_PER_PAGE)
    filter_args = {name: getattr(line_filter, name) for name in ("status", "stream", "entity", "company")
                   if getattr(line_filter, name)}
    totals = run_totals(report)
    threshold = rules.get("threshold_minor")
    return ReportPage(
        report=report, period=period_text(report), run_at=time_text(report.run_at, loc),
        usd_rate=rate_text(rules.get("usd_rate_scaled"), loc),
        threshold=amount_text(threshold, cur, loc) if threshold is not None else "",
        totals={"company_amount": amount_text(totals["company_amount"], cur, loc),
                "government_amount": amount_text(totals["government_amount"], cur, loc),
                "gap": amount_text(totals["gap"], cur, loc), "gap_pct": pct_text(totals["gap_pct_bp"], loc),
                "coverage": pct_text(totals["coverage_bp"], loc),
                "line_coverage": pct_text(totals["line_coverage_bp"], loc),
                "not_included": amount_text(totals["government_not_included"], cur, loc),
                "lines": count_text(totals["lines"], loc)},
        counts=[(s, status_label(s), count_text(totals["counts"][s], loc)) for s in engine.STATUSES],
        present=frozenset(s for s in engine.STATUSES if totals["counts"][s]),
        summaries={"stream": _summary_rows(report, "stream"), "entity": _summary_rows(report, "entity"),
                   "company": _summary_rows(report, "company", company_page)},
        summary_totals={"company_amount": amount_text(totals["company_amount"], cur, loc),
                        "government_amount": amount_text(totals["government_amount"], cur, loc),
                        "gap": amount_text(totals["gap"], cur, loc), "pct": pct_text(totals["gap_pct_bp"], loc),
                        "lines": count_text(totals["lines"], loc)},
        non_reporting=[{"company_inn": r["company_inn"], "name": r["name"], "status": r["status"],
                        "status_label": status_label(r["status"]), "reason": r["reason"],
                        "government_amount": amount_text(r["government_amount"], cur, loc),
                        "lines": count_text(r["lines"], loc)} for r in non_reporting(report).to_dict("records")],
        lines=_line_rows(report, matching.iloc[line_page.start:line_page.stop]),
        line_filter=line_filter, options=_options(report), total_lines=len(report.lines),
        line_page=line_page, company_page=company_page, filter_args=filter_args)


# --- the files ----------------------------------------------------------------------------------

def report_file(actor: User, run_id: int, locale: str, kind: str) -> tuple[str, str, bytes]:
    """(file name, MIME type, content) of the report of a run as ``xlsx``, ``csv`` or ``pdf`` in ``locale``.

    The CSV is for machines and the same in every language; the file name says the language of the others.
    """
    report = load_report(actor, run_id, locale)
    mimetype, extension = FILE_KINDS[kind]
    language = "" if kind == "csv" else f"-{locale}"
    return (f"reconciliation-{report.year}-run-{report.number}{language}.{extension}", mimetype,
            _built_file(report, kind))


#: built report files by run fingerprint, language and kind, per worker process: a 20,000-line run's PDF
#: (2,000 pages) takes seconds to build and never changes, so it is built once per worker
_FILES: BoundedCache[bytes] = BoundedCache(24, max_bytes=192 * 2**20, size_of=len)


def _built_file(report: RunReport, kind: str) -> bytes:
    """The ``kind`` file of the report, built once per worker for a run with a fingerprint (see ``runs``)."""
    build = {"xlsx": build_xlsx, "csv": build_csv, "pdf": build_pdf}[kind]
    if not report.fingerprint or not report.names_recorded:
        return build(report)  # a run without a fingerprint or recorded names: its names follow the register
    # the run's other facts the files show (time, who, rules, summary) are in the key with the fingerprint
    key = hashlib.sha256(json.dumps([report.run_id, report.fingerprint, str(report.run_at), report.number,
                                     report.run_by, report.rules, report.summary, report.locale, kind],
                                    sort_keys=True, default=str).encode()).hexdigest()
    return _FILES.get_or_build(key, lambda: build(report))
