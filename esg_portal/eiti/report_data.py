"""The reconciliation report of one stored run as plain data, shared by its HTML, XLSX, CSV and PDF forms.

Pure: a ``RunReport`` (the run's facts, its line table as the engine's frame, and the names of
streams, entities and companies in the reader's language) in; ordered and filtered line frames,
summaries, the non-reporting list and locale-formatted texts out. Amounts stay int64 minor units
and percentages basis points until a formatter turns them into text or ``Decimal``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from ..money import from_minor, rate_from_scaled
from . import reconciliation as engine

BISHKEK = ZoneInfo("Asia/Bishkek")
#: the order of the line table: discrepancies, then one-sided lines, then the rest
ONE_SIDED = ("company_only", "government_only")
#: what a summary groups by → the engine's column
SUMMARY_KEYS = {"stream": "revenue_stream", "entity": "government_entity", "company": "company_inn"}
#: statuses of the companies on the non-reporting list (DNR and DNP)
NON_REPORTING = ("not_reported", "not_participating")
AMOUNT_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Names:
    """Names in the reader's language: stream code → name (and GFS code), entity code → name, INN → company."""

    streams: Mapping[str, str] = field(default_factory=dict)
    gfs_codes: Mapping[str, str] = field(default_factory=dict)
    entities: Mapping[str, str] = field(default_factory=dict)
    companies: Mapping[str, str] = field(default_factory=dict)

    def stream(self, code: str) -> str:
        return self.streams.get(code) or code

    def gfs(self, code: str) -> str:
        return self.gfs_codes.get(code, "")

    def entity(self, code: str) -> str:
        return self.entities.get(code) or code

    def company(self, inn: str) -> str:
        """The company's name; an INN unknown to the register (a receipt of an unregistered payer) as itself."""
        return self.companies.get(inn) or inn

    def of(self, by: str, value: str) -> str:
        """The name of a summary's key value (``by`` one of SUMMARY_KEYS)."""
        return {"stream": self.stream, "entity": self.entity, "company": self.company}[by](value)


@dataclass(frozen=True)
class RunReport:
    """Everything the report shows of one run, in one language."""

    run_id: int
    #: the run's number within its period (1, 2, 3 …)
    number: int
    year: int
    start_date: dt.date | None
    end_date: dt.date | None
    run_at: dt.datetime | None
    currency: str
    #: the engine's line table (reconciliation.LINE_COLUMNS) in the engine's order; index = line position
    lines: pd.DataFrame
    names: Names = field(default_factory=Names)
    #: babel locale of every label and formatted number ("ky", "ru", "en")
    locale: str = "en"
    #: the rules and summary stored with the run (ReconciliationRun.rules / .summary)
    rules: Mapping = field(default_factory=dict)
    summary: Mapping = field(default_factory=dict)
    #: INN → the secretariat's reason, for companies that do not participate (DNP)
    not_participating: Mapping[str, str] = field(default_factory=dict)
    #: INNs of in-scope companies that filed nothing (DNR), as recorded with the run
    not_reported: frozenset[str] = frozenset()
    #: what the government received under streams marked Not included (not in the lines), minor units
    government_not_included: int = 0
    #: the name of who made the run
    run_by: str = ""
    #: the SHA-256 of the run's stored lines (None on runs made before it was kept), and whether every
    #: name came from what the run recorded: then the report's files never change and may be kept
    fingerprint: str | None = None
    names_recorded: bool = False

    @property
    def government_total(self) -> int:
        """Σ final government amounts of every line (the base of ``pct_of_government_total``), minor units."""
        return int(self.lines["government_final"].fillna(0).to_numpy(dtype=np.int64).sum())


# --- the line table -----------------------------------------------------------------------------

def order_group(status: pd.Series) -> np.ndarray:
    """0 for discrepancies, 1 for one-sided lines, 2 for the rest."""
    values = status.astype(object).to_numpy()
    return np.where(values == "discrepancy", 0, np.where(np.isin(values, ONE_SIDED), 1, 2))


def unmatched_size(lines: pd.DataFrame) -> np.ndarray:
    """|final gap|, or on a one-sided line |the one side's final amount| (all of it is unmatched)."""
    one_side = lines["company_final"].fillna(lines["government_final"])
    size = lines["final_gap"].fillna(one_side).fillna(0).to_numpy(dtype=np.int64)
    return np.abs(size)  # amounts stay below 2^62 (the engine's bound), so abs cannot overflow


def ordered_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Discrepancies first, then one-sided lines, then the rest; within each, the largest unmatched amount first.

    Ties keep the engine's order (company INN, stream, entity, project).
    """
    if lines.empty:
        return lines
    order = np.lexsort((np.arange(len(lines)), -unmatched_size(lines), order_group(lines["status"])))
    return lines.iloc[order]


@dataclass(frozen=True)
class LineFilter:
    """The line table's filters; an empty value does not filter."""

    status: str = ""
    stream: str = ""
    entity: str = ""
    company: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> LineFilter:
        """From GET parameters (``status``, ``stream``, ``entity``, ``company``); other parameters are ignored."""
        return cls(*(str(args.get(name, "") or "").strip()[:64] for name in ("status", "stream", "entity", "company")))

    @property
    def is_active(self) -> bool:
        return any((self.status, self.stream, self.entity, self.company))

    def apply(self, lines: pd.DataFrame, names: Names | None = None) -> pd.DataFrame:
        """The lines that match every filter; ``company`` is an INN, or with ``names`` also a part of a
        company's name (any case), for runs with too many companies to choose from a list."""
        keep = np.ones(len(lines), dtype=bool)
        for value, column in ((self.status, "status"), (self.stream, "revenue_stream"),
                              (self.entity, "government_entity")):
            if value:
                keep &= (lines[column].astype(object) == value).to_numpy()
        if self.company:
            inns = lines["company_inn"].astype(object)
            exact = (inns == self.company).to_numpy()
            if not exact.any() and names is not None:
                wanted = self.company.casefold()
                exact = inns.isin([inn for inn in set(inns) if wanted in names.company(inn).casefold()]).to_numpy()
            keep &= exact
        return lines[keep]


@dataclass(frozen=True)
class PageSlice:
    """One page of a long list: which page (1-based, clamped to the pages there are) and its rows."""

    number: int
    pages: int
    start: int
    stop: int
    total: int

    @classmethod
    def of(cls, total: int, requested: object, per_page: int) -> PageSlice:
        """The page ``requested`` (text from a query string; anything but a positive number is page 1)."""
        pages = max(1, -(-total // per_page))
        try:
            number = int(str(requested or "1").strip()[:9])
        except ValueError:
            number = 1
        number = min(max(number, 1), pages)
        start = (number - 1) * per_page
        return cls(number, pages, start, min(start + per_page, total), total)


# --- summaries ----------------------------------------------------------------------------------

def share_bp(part: int, whole: int) -> int | None:
    """part ÷ whole in basis points, half-even; None when whole is 0."""
    return None if whole == 0 else engine.percent_bp(part, whole)


def run_totals(report: RunReport) -> dict[str, object]:
    """``reconciliation.totals`` with coverage as EITI.md Part A §6 defines it, plus the gap's share.

    ``coverage_bp`` = Σ government amount on two-sided lines ÷ (Σ government amount on all lines +
    what the government received under streams not included); ``line_coverage_bp`` is the engine's
    coverage of the lines alone; ``gap_pct_bp`` = gap ÷ government amount.
    """
    lines = report.lines
    totals = engine.totals(lines)
    two_sided = (lines["company_final"].notna() & lines["government_final"].notna()).to_numpy()
    matched = int(lines["government_final"].fillna(0).to_numpy(dtype=np.int64)[two_sided].sum())
    totals["line_coverage_bp"] = totals["coverage_bp"]
    totals["government_not_included"] = report.government_not_included
    totals["coverage_bp"] = share_bp(matched, int(totals["government_amount"]) + report.government_not_included)
    totals["gap_pct_bp"] = share_bp(int(totals["gap"]), int(totals["government_amount"]))
    return totals


def summary_table(report: RunReport, by: str) -> pd.DataFrame:
    """The engine's summary by stream, entity or company, with ``key``, ``name`` (and ``gfs_code`` for
    streams) first and ``pct_of_government_total`` (gap ÷ the run's government total, basis points or None)."""
    column = SUMMARY_KEYS[by]
    table = engine.summarise(report.lines, column).rename(columns={column: "key"})
    keys = table["key"].astype(object)
    names = [report.names.of(by, key) for key in keys]
    table.insert(1, "name", pd.Series(names, index=table.index, dtype=object))
    if by == "stream":
        table.insert(2, "gfs_code", pd.Series([report.names.gfs(key) for key in keys], index=table.index,
                                              dtype=object))
    whole = report.government_total
    table["pct_of_government_total"] = pd.Series([share_bp(int(gap), whole) for gap in table["gap"]],
                                                 index=table.index, dtype=object)
    if by == "company":  # readers look companies up by name; streams and entities keep the code order
        codes = keys.tolist()
        table = table.iloc[sorted(range(len(table)), key=lambda i: (names[i].casefold(), codes[i]))]
    return table.reset_index(drop=True)


def non_reporting(report: RunReport) -> pd.DataFrame:
    """In-scope companies that did not report (DNR) or do not participate (DNP), with the government amount they represent.

    A company is listed when the run recorded it as such or when any of its lines has that status;
    ``government_amount`` is the Σ of the final government amounts of its lines (minor units).
    Columns: company_inn, name, status, reason, government_amount, lines; sorted by name.
    """
    lines = report.lines
    statuses: dict[str, str] = {inn: "not_reported" for inn in report.not_reported}
    statuses.update({inn: "not_participating" for inn in report.not_participating})
    flagged = lines[lines["status"].astype(object).isin(NON_REPORTING)]
    for inn, status in zip(flagged["company_inn"].astype(object), flagged["status"].astype(object)):
        statuses.setdefault(inn, status)
    inns = sorted(statuses, key=lambda inn: (report.names.company(inn).casefold(), inn))
    mine = lines[lines["company_inn"].astype(object).isin(inns)]
    by_inn = mine.groupby(mine["company_inn"].astype(object))
    government = by_inn["government_final"].sum()
    count = by_inn.size()
    return pd.DataFrame({
        "company_inn": pd.Series(inns, dtype=object),
        "name": pd.Series([report.names.company(inn) for inn in inns], dtype=object),
        "status": pd.Series([statuses[inn] for inn in inns], dtype=object),
        "reason": pd.Series([report.not_participating.get(inn, "") for inn in inns], dtype=object),
        "government_amount": np.array([int(government.get(inn, 0)) for inn in inns], dtype=np.int64),
        "lines": np.array([int(count.get(inn, 0)) for inn in inns], dtype=np.int64),
    })


# --- formatting at the edge ---------------------------------------------------------------------

def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def decimal_amount(minor: object, currency: str) -> Decimal | None:
    """Minor units → exact Decimal with the currency's decimals; None when missing."""
    return None if is_missing(minor) else from_minor(int(minor), currency)


def decimal_fraction(bp: object) -> Decimal | None:
    """Basis points → the exact fraction (1234 → 0.1234) for a spreadsheet's percent format; None when missing."""
    return None if is_missing(bp) else Decimal(int(bp)).scaleb(-4)


@lru_cache(maxsize=None)
def _number_symbols(locale: str) -> tuple[str, str, str]:
    """(group, decimal, minus) symbols of ``locale`` as babel gives them."""
    return get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)


def grouped_text(value: Decimal | int, decimals: int, locale: str) -> str:
    """``value`` with thousands grouped and exactly ``decimals`` decimals in the notation of ``locale`` —
    what babel's ``format_decimal`` gives for the pattern ``#,##0.00…``, some 30 times faster, which
    counts in a report of 20,000 lines (the report tests compare the two)."""
    group, decimal, minus = _number_symbols(locale)
    text = f"{abs(Decimal(value)):,.{decimals}f}"  # Decimal: exact (an int would go through a float)
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return minus + text if value < 0 and text.strip("0" + group + decimal) else text


def amount_text(minor: object, currency: str, locale: str) -> str:
    """An amount in the reader's notation ("1 234 567,89"), exact; "" when missing."""
    value = decimal_amount(minor, currency)
    return "" if value is None else grouped_text(value, 2, locale)


def pct_text(bp: object, locale: str) -> str:
    """A percentage with 2 decimals in the reader's notation ("12,34 %"); "" when missing."""
    if is_missing(bp):
        return ""
    return grouped_text(Decimal(int(bp)).scaleb(-2), 2, locale) + "\u00a0%"


def count_text(value: object, locale: str) -> str:
    return grouped_text(int(value), 0, locale)


def rate_text(scaled: int | None, locale: str) -> str:
    """An exchange rate scaled by 10⁴ with its 4 decimals ("87,4500"); "" when not set."""
    return "" if scaled is None else grouped_text(rate_from_scaled(scaled), 4, locale)


def date_text(value: dt.date | None, locale: str) -> str:
    return "" if value is None else format_date(value, "medium", locale=locale)


def time_text(value: dt.datetime | None, locale: str) -> str:
    """A stored UTC time in Bishkek time, with the zone named ("… 15:20 (UTC+6)")."""
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive values; they are UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(BISHKEK)
    hours = int((local.utcoffset() or dt.timedelta(0)).total_seconds() // 3600)
    return f"{format_date(local, 'medium', locale=locale)} {local:%H:%M} (UTC{hours:+d})"


def period_text(report: RunReport) -> str:
    """'2025 (1 янв. 2025 г. – 31 дек. 2025 г.)', or the year alone when the dates are unknown."""
    if report.start_date and report.end_date:
        return (f"{report.year} ({date_text(report.start_date, report.locale)} – "
                f"{date_text(report.end_date, report.locale)})")
    return str(report.year)
