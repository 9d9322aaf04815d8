"""The EITI Summary Data Template v2.0 as data: exact sheet names, labels, headers, named
tables and value lists (EITI.md B §1.3, §1.6), and ``Parts``, the plain-data content of one
fiscal period that the SDT writer, the Part CSV writer and the importer exchange.

Every label and header below is EITI's text, character for character, including its typos
(``Commodities (comma-seperated)``, ``Central goverment``) and the trailing space of
``Exchange rate used: 1 USD = ``: other programs find the cells by these strings.

Values in ``Parts`` are ``str`` or ``None``. ``None`` is a blank cell; ``"0.00"`` is zero;
``Not applicable`` and ``Not available`` are kept as that text. The four are never coerced
into one another. Amounts are plain decimal strings (``"1234.50"``, ``"-500.00"``), the
exchange rate a plain decimal at full precision (``"87.9985"``).
"""
from __future__ import annotations

import copy
import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_VERSION = "2.0"

# --- sheets (in the template's order) -------------------------------------------------
SHEET_INTRODUCTION = "Introduction"
SHEET_ABOUT = "Part 1 - About"
SHEET_CHECKLIST = "Part 2 - Disclosure checklist"
SHEET_ENTITIES = "Part 3 - Reporting entities"
SHEET_REVENUES = "Part 4 - Government revenues"
SHEET_COMPANY_DATA = "Part 5 - Company data"
SHEET_LISTS = "Lists"
SHEETS = (SHEET_INTRODUCTION, SHEET_ABOUT, SHEET_CHECKLIST, SHEET_ENTITIES, SHEET_REVENUES,
          SHEET_COMPANY_DATA, SHEET_LISTS)

# --- sentinels --------------------------------------------------------------------------
NOT_APPLICABLE = "Not applicable"
NOT_AVAILABLE = "Not available"
SENTINELS = (NOT_APPLICABLE, NOT_AVAILABLE)

# --- Part 1 - About -----------------------------------------------------------------------
LABEL_COUNTRY = "Country or area name"
LABEL_ISO3 = "ISO Alpha-3 Code"
LABEL_START = "Start Date"
LABEL_END = "End Date"
LABEL_REPORTING_CURRENCY = "Reporting currency (ISO-4217 currency codes)"
LABEL_RATE = "Exchange rate used: 1 USD = "  # sic: trailing space
LABEL_SYSTEMATIC = "Systematically disclosed"
LABEL_EITI_REPORTING = "Through EITI Reporting"

ABOUT_LABELS = (
    LABEL_COUNTRY,
    LABEL_ISO3,
    "National currency name",
    "National currency ISO-4217",
    LABEL_START,
    LABEL_END,
    "Has an EITI Report been prepared by an Independent Administrator?",
    "What is the name of the company?",
    "Date that the EITI Report was made public",
    "URL, EITI Report",
    "Does the government systematically disclose EITI data at a single location?",
    "Publication date of the EITI data",
    "Website link (URL) to EITI data",
    "Are there other files of relevance?",
    "Date that other file was made public",
    "URL",
    "Does the government have an open data policy?",
    "Open data portal / files",
    "Oil",
    "Gas",
    "Mining (incl. Quarrying)",
    "Other, non-upstream sectors",
    "If yes, please specify name (insert new rows if multiple)",
    "Number of reporting government entities (incl SOEs if recipient)",
    "Number of reporting companies (incl SOEs if payer)",
    LABEL_REPORTING_CURRENCY,
    LABEL_RATE,
    "Exchange rate source (URL,\u2026)",
    "\u2026 by revenue stream",
    "\u2026 by government agency",
    "\u2026 by company",
    "\u2026 by project",
    LABEL_SYSTEMATIC,
    LABEL_EITI_REPORTING,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    "Name",
    "Organisation",
    "Email address",
)
#: the four Part 1 percentages, each the share of Part 2 answers with that inclusion status
PERCENT_LABELS = (LABEL_SYSTEMATIC, LABEL_EITI_REPORTING, NOT_APPLICABLE, NOT_AVAILABLE)
DATE_LABELS = (LABEL_START, LABEL_END, "Date that the EITI Report was made public",
               "Publication date of the EITI data", "Date that other file was made public")
COUNT_LABELS = ("Number of reporting government entities (incl SOEs if recipient)",
                "Number of reporting companies (incl SOEs if payer)")

# --- Part 2 - Disclosure checklist --------------------------------------------------------
CHECKLIST_KEYS = ("requirement", "label", "answer", "source")
REQUIREMENT_PREFIX = "EITI Requirement "
CHECKLIST_REQUIREMENTS = tuple(REQUIREMENT_PREFIX + text for text in (
    "2.1: Legal framework and fiscal regime", "2.2: Contract and license allocations", "2.3: Register of licenses",
    "2.4: Contract disclosure", "2.5: Beneficial ownership", "2.6: State participation", "3.1: Exploration",
    "3.2: Production by commodity", "3.3: Exports", "4.1: Comprehensiveness", "4.2: In-kind revenues",
    "4.3: Barter agreements", "4.4: Transportation revenues", "4.5: SOE transactions",
    "4.6: Direct subnational payments", "4.8: Data timeliness", "4.9: Data quality",
    "5.1: Distribution of extractive industry revenues", "5.2: Subnational transfers",
    "5.3: Revenue management and expenditures", "6.1: Social expenditures", "6.2: Quasi-fiscal expenditures",
    "6.3: Economic contribution", "6.4: Environmental impact"))
#: the answers ("inclusion") a checklist row takes; the Part 1 percentages count them
INCLUSION_VALUES = (LABEL_SYSTEMATIC, LABEL_EITI_REPORTING, NOT_APPLICABLE, NOT_AVAILABLE)

# --- Part 3 - Reporting entities ------------------------------------------------------------
TITLE_GOVERNMENT_ENTITIES = "Reporting government entities list"
TITLE_COMPANIES = "Reporting companies' list"
TITLE_PROJECTS = "Reporting projects' list"
ENTITY_TOTAL = "Total reported"
COMPANY_TOTAL = "Payments to Governments Report"
GOVERNMENT_ENTITY_COLUMNS = ("Full name of agency", "Agency type", "ID number (if applicable)", ENTITY_TOTAL)
COMPANY_COLUMNS = (
    "Full company name", "Company type", "Company ID number", "Sector",
    "Commodities (comma-seperated)",  # sic
    "Stock exchange listing or company website",
    "Audited financial statement (or balance sheet, cash flows, profit/loss statement if unavailable)",
    COMPANY_TOTAL,
)
PROJECT_COLUMNS = (
    "Full project name",
    "Legal agreement reference number(s): contract, licence, lease, concession, \u2026",
    "Affiliated companies, start with Operator", "Commodities (one commodity/row)", "Status",
    "Production (volume)", "Unit", "Production (value)", "Currency",
)

# --- Part 4 - Government revenues -----------------------------------------------------------
GFS_COLUMN = "GFS Classification"
GOVERNMENT_REVENUE_COLUMNS = (GFS_COLUMN, "Sector", "Revenue stream name", "Government entity", "Revenue value",
                              "Currency")
TOTAL_PREFIX = "Total in "

# --- Part 5 - Company data ------------------------------------------------------------------
COMPANY_DATA_COLUMNS = (
    "Company", "Government entity", "Revenue stream name", "Levied on project (Y/N)", "Reported by project (Y/N)",
    "Project name", "Reporting currency", "Revenue value", "Payment made in-kind (Y/N)",
    "In-kind volume (if applicable)", "Unit (if applicable)", "Comments",
)
#: the workbook's extra Part 5 column, filled from Part 3 (never stored in ``Parts``)
COMPANY_DATA_SECTOR = "Sector"

# --- the open-data CSVs (EITI's bulk layout) ------------------------------------------------
APPENDED_COLUMNS = ("Country", "ISO Code", "Year", "Start Date", "End Date")
#: Part 1 already holds country, code and dates; EITI's own Part 1 file appends only ``Year``
ABOUT_APPENDED_COLUMNS = ("Year",)

#: the ``Parts`` attribute of each table part, its CSV name, columns and v2.0 table name
PART_ABOUT = "about"
PART_GOVERNMENT_ENTITIES = "government_entities"
PART_COMPANIES = "companies"
PART_PROJECTS = "projects"
PART_GOVERNMENT_REVENUES = "government_revenues"
PART_COMPANY_DATA = "company_data"

CSV_NAMES = {
    PART_ABOUT: "Part 1 - About.csv",
    PART_COMPANIES: "Part 3 - Reporting companies' list.csv",
    PART_GOVERNMENT_ENTITIES: "Part 3 - Reporting government entities list.csv",
    PART_PROJECTS: "Part 3 - Reporting projects' list.csv",
    PART_GOVERNMENT_REVENUES: "Part 4 - Government revenues.csv",
    PART_COMPANY_DATA: "Part 5 - Company data.csv",
}
TABLE_COLUMNS = {
    PART_GOVERNMENT_ENTITIES: GOVERNMENT_ENTITY_COLUMNS,
    PART_COMPANIES: COMPANY_COLUMNS,
    PART_PROJECTS: PROJECT_COLUMNS,
    PART_GOVERNMENT_REVENUES: GOVERNMENT_REVENUE_COLUMNS,
    PART_COMPANY_DATA: COMPANY_DATA_COLUMNS,
}
#: the Excel table names of v2.0 (two of them misnamed by EITI: Companies15 = projects, Table10 = Part 5)
TABLE_NAMES = {
    PART_COMPANIES: "Companies",
    PART_GOVERNMENT_ENTITIES: "Government_agencies",
    PART_PROJECTS: "Companies15",
    PART_GOVERNMENT_REVENUES: "Government_revenues_table",
    PART_COMPANY_DATA: "Table10",
}
#: the columns that identify a row: a second row with the same values is a duplicate
ROW_KEYS = {
    PART_GOVERNMENT_ENTITIES: ("Full name of agency",),
    PART_COMPANIES: ("Full company name",),
    PART_PROJECTS: (PROJECT_COLUMNS[0], PROJECT_COLUMNS[1], "Commodities (one commodity/row)"),
    PART_GOVERNMENT_REVENUES: (GFS_COLUMN, "Sector", "Revenue stream name", "Government entity", "Currency"),
    PART_COMPANY_DATA: ("Company", "Government entity", "Revenue stream name", "Project name", "Reporting currency",
                        "Payment made in-kind (Y/N)"),
}
#: the column that names the row; a row without it cannot be stored
ROW_NAMES = {
    PART_GOVERNMENT_ENTITIES: "Full name of agency",
    PART_COMPANIES: "Full company name",
    PART_PROJECTS: "Full project name",
    PART_GOVERNMENT_REVENUES: "Revenue stream name",
    PART_COMPANY_DATA: "Company",
}
#: money: written with 2 decimals, numeric cells
MONEY_COLUMNS = {
    PART_GOVERNMENT_ENTITIES: (ENTITY_TOTAL,),
    PART_COMPANIES: (COMPANY_TOTAL,),
    PART_PROJECTS: ("Production (value)",),
    PART_GOVERNMENT_REVENUES: ("Revenue value",),
    PART_COMPANY_DATA: ("Revenue value",),
}
#: quantities: exact decimals, numeric cells
QUANTITY_COLUMNS = {
    PART_PROJECTS: ("Production (volume)",),
    PART_COMPANY_DATA: ("In-kind volume (if applicable)",),
}
#: identifiers that must stay text (a number would lose leading zeros)
IDENTIFIER_COLUMNS = {
    PART_GOVERNMENT_ENTITIES: ("ID number (if applicable)",),
    PART_COMPANIES: ("Company ID number",),
}

# --- Lists (the template's value lists) -------------------------------------------------------
LISTS: dict[str, tuple[str, ...]] = {
    "Yes/No": ("Yes", "No", "Partially", NOT_APPLICABLE),
    "Open data policy": ("Yes, systematically disclosed", "Yes, through EITI reporting", NOT_APPLICABLE,
                         NOT_AVAILABLE),
    "Inclusion": INCLUSION_VALUES,
    "Company type": ("Private", "State-owned enterprises & public corporations"),
    "Agency type": ("Central goverment",  # sic, the template's spelling
                    "State government", "Local government", "State-owned enterprises & public corporations",
                    "Other"),
    "Sector": ("Oil", "Gas", "Mining", "Oil & Gas", "Other"),
    "Project status": ("Exploration", "Development", "Production", "Other", NOT_APPLICABLE, NOT_AVAILABLE),
    "Y/N": ("Yes", "No"),
}

_GFS_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / "gfs_codes.csv"


@lru_cache(maxsize=1)
def gfs_names() -> dict[str, str]:
    """GFS code → English name, for every code (headings included), from the shipped reference list."""
    with _GFS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name_en"] for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def gfs_headings() -> frozenset[str]:
    """The GFS codes that are headings (no revenue is classified under them)."""
    with _GFS_FILE.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle) if row["is_heading"] == "yes")


def gfs_label(code: str) -> str:
    """The SDT rendering ``Name (code)`` of a known code: ``Royalties (1415E1)``."""
    return f"{gfs_names()[code]} ({code})"


def gfs_list() -> tuple[str, ...]:
    """The GFS drop-down of the template: ``Name (code)`` of every code that is not a heading."""
    return tuple(gfs_label(code) for code in gfs_names() if code not in gfs_headings())


# --- Parts -------------------------------------------------------------------------------------
@dataclass
class Parts:
    """The content of the SDT of one fiscal period, as plain data (see the module docstring)."""

    year: int
    start_date: str
    end_date: str
    country: str = "Kyrgyz Republic"
    iso3: str = "KGZ"
    currency: str = "KGS"
    about: dict[str, str | None] = field(default_factory=dict)
    checklist: list[dict[str, str | None]] = field(default_factory=list)
    government_entities: list[dict[str, str | None]] = field(default_factory=list)
    companies: list[dict[str, str | None]] = field(default_factory=list)
    projects: list[dict[str, str | None]] = field(default_factory=list)
    government_revenues: list[dict[str, str | None]] = field(default_factory=list)
    company_data: list[dict[str, str | None]] = field(default_factory=list)

    def rows(self, part: str) -> list[dict[str, str | None]]:
        """The rows of one table part, by its ``PART_*`` name."""
        return getattr(self, part)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (str, int, None, lists and dicts only)."""
        return {
            "template_version": TEMPLATE_VERSION,
            "year": self.year, "start_date": self.start_date, "end_date": self.end_date,
            "country": self.country, "iso3": self.iso3, "currency": self.currency,
            "about": {label: self.about.get(label) for label in _ordered(self.about, ABOUT_LABELS)},
            "checklist": [dict(row) for row in self.checklist],
            **{part: [dict(row) for row in self.rows(part)] for part in TABLE_COLUMNS},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Parts":
        """The inverse of ``to_dict``; raises ``ValueError`` for data of another shape."""
        if not isinstance(data, dict):
            raise ValueError("Parts data must be an object")
        try:
            parts = cls(year=int(data["year"]), start_date=str(data["start_date"]), end_date=str(data["end_date"]),
                        country=str(data.get("country", "Kyrgyz Republic")), iso3=str(data.get("iso3", "KGZ")),
                        currency=str(data.get("currency", "KGS")),
                        about=_text_dict(data.get("about") or {}),
                        checklist=[_text_dict(row) for row in data.get("checklist") or []],
                        **{part: [_text_dict(row) for row in data.get(part) or []] for part in TABLE_COLUMNS})
        except (KeyError, TypeError) as error:
            raise ValueError(f"not Parts data: {error}") from None
        validate(parts)
        return parts

    def copy(self) -> "Parts":
        return copy.deepcopy(self)


def _ordered(mapping: dict[str, object], order: tuple[str, ...]) -> list[str]:
    return [key for key in order if key in mapping] + sorted(key for key in mapping if key not in order)


def _text_dict(row: object) -> dict[str, str | None]:
    if not isinstance(row, dict):
        raise TypeError("a row must be an object")
    out: dict[str, str | None] = {}
    for key, value in row.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"the value of {key!r} must be text or null")
        out[str(key)] = value
    return out


def validate(parts: Parts) -> None:
    """Raise ``ValueError`` when a key is not one of the template's labels or columns."""
    unknown = set(parts.about) - set(ABOUT_LABELS)
    if unknown:
        raise ValueError(f"unknown Part 1 labels: {sorted(unknown)}")
    for row in parts.checklist:
        if set(row) - set(CHECKLIST_KEYS):
            raise ValueError(f"unknown Part 2 keys: {sorted(set(row) - set(CHECKLIST_KEYS))}")
    for part, columns in TABLE_COLUMNS.items():
        for row in parts.rows(part):
            if set(row) - set(columns):
                raise ValueError(f"unknown {part} columns: {sorted(set(row) - set(columns))}")
