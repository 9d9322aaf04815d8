"""The open-data files of a release that are not the SDT: reconciliation, ESG CSVs, data.json, the data package.

Pure builders: release data (``loader.release_data``) in, bytes out. Every CSV and XLSX goes
through ``tabular.safe`` (formula-looking text neutralised, exact decimals). Each CSV comes
with a Frictionless Table Schema (``table_schemas``) that ``datapackage`` puts in
``datapackage.json``; the ESG columns are derived from the sections' own marshmallow schemas,
so the published columns are exactly what the filing rules accept (private fields never).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ...disclosure import sections as section_registry
from ...disclosure.sections.fields import (AttachmentRef, Choice, ChoiceList, Count, IsoDate, Money, Quantity,
                                           Rows, YesNo)
from ...tabular.safe import csv_bytes, new_workbook, safe_row, workbook_bytes
from ..reconciliation import REASON_CODES, STATUSES
from .loader import ESG_SECTIONS, WITHHELD

LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
#: the sentinels of EITI.md Part A §8, kept apart from blank and zero in every file
SENTINELS = ("Not applicable", "Not available")
MISSING_VALUES = [{"value": "", "label": "blank"},
                  {"value": "Not applicable", "label": "the item does not apply"},
                  {"value": "Not available", "label": "the item applies but was not provided"}]
MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json", ".pdf": "application/pdf",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".png": "image/png", ".jpg": "image/jpeg"}

RECONCILIATION_AMOUNTS = ("company_initial", "government_initial", "initial_gap", "company_adjustment",
                          "government_adjustment", "company_final", "government_final", "final_gap")
RECONCILIATION_COLUMNS = ("company_inn", "company_name", "revenue_stream", "gfs_code", "government_entity",
                          "project", *RECONCILIATION_AMOUNTS, "gap_pct", "pct_of_government_total", "status",
                          "explanation")
ADJUSTMENT_COLUMNS = ("company_inn", "revenue_stream", "government_entity", "project", "side", "amount",
                      "currency", "reason", "comment", "decided_at")
#: columns in front of every ESG CSV row: whose item it is and its place in the filing
ESG_KEY_COLUMNS = ("company_inn", "company_name", "item")


def media_type(name: str) -> str:
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def _money(name: str, description: str = "", required: bool = False) -> dict[str, Any]:
    spec = {"name": name, "type": "number", "decimalChar": ".", "bareNumber": True,
            "description": description or "Amount in the row's currency, 2 decimals, '.' as decimal mark, no grouping."}
    if required:
        spec["constraints"] = {"required": True}
    return spec


def _string(name: str, description: str = "", *, required: bool = False, enum: Iterable[str] | None = None,
            pattern: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": "string"}
    if description:
        spec["description"] = description
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    if enum is not None:
        constraints["enum"] = list(enum)
    if pattern:
        constraints["pattern"] = pattern
    if constraints:
        spec["constraints"] = constraints
    return spec


# --- reconciliation ---------------------------------------------------------------------

def _names(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    companies = {c["inn"]: c["name"] for c in data.get("companies", [])}
    gfs = {s["code"]: s.get("gfs_code") or "" for s in data.get("revenue_streams", []) if s.get("code")}
    return companies, gfs


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None or text == "" else Decimal(text)


def reconciliation_rows(data: dict[str, Any]) -> list[list[Any]]:
    run = data.get("reconciliation") or {}
    companies, gfs = _names(data)
    rows = []
    for line in run.get("lines", []):
        rows.append([line["company_inn"], companies.get(line["company_inn"], ""), line["revenue_stream"],
                     gfs.get(line["revenue_stream"], ""), line["government_entity"], line["project"],
                     *(_decimal(line.get(c)) for c in RECONCILIATION_AMOUNTS), _decimal(line.get("gap_pct")),
                     _decimal(line.get("pct_of_government_total")), line["status"], line.get("explanation", "")])
    return rows


def reconciliation_csv(data: dict[str, Any]) -> bytes:
    return csv_bytes(RECONCILIATION_COLUMNS, reconciliation_rows(data))


def reconciliation_xlsx(data: dict[str, Any]) -> bytes:
    """Lines (as the CSV), Adjustments (each accepted adjustment with its reason code) and About.

    Streamed row by row: a national period has tens of thousands of lines.
    """
    run = data.get("reconciliation") or {}
    workbook = new_workbook(streamed=True)
    _sheet(workbook.create_sheet("Lines"), RECONCILIATION_COLUMNS, reconciliation_rows(data),
           {c: "#,##0.00" for c in (*RECONCILIATION_AMOUNTS, "gap_pct", "pct_of_government_total")})
    _sheet(workbook.create_sheet("Adjustments"), ADJUSTMENT_COLUMNS,
           [[a[c] if c != "amount" else Decimal(a[c]) for c in ADJUSTMENT_COLUMNS] for a in run.get("adjustments", [])],
           {"amount": "#,##0.00"})
    period = data["period"]
    facts = [("Country", period["country"]), ("Year", period["year"]), ("Start date", period["start_date"]),
             ("End date", period["end_date"]), ("Currency", run.get("currency") or period["currency"]),
             ("Reconciliation run", run.get("run")), ("Run at", run.get("run_at")),
             ("Coverage of government extractive revenue (%)", _decimal(run.get("coverage_pct"))),
             ("Companies whose figures are withheld (filing under review)", ", ".join(run.get("withheld_companies", []))),
             ("Licence", LICENCE["path"])]
    _sheet(workbook.create_sheet("About"), ("Fact", "Value"), facts, {}, freeze=False)
    return workbook_bytes(workbook)


def _sheet(ws, header: Iterable[str], rows: Iterable[Iterable[Any]], formats: dict[str, str], *,
           freeze: bool = True) -> None:
    header = list(header)
    if freeze:
        ws.freeze_panes = "A2"
    ws.append(safe_row(ws, header))
    cell_formats = [formats.get(name, "") for name in header]
    for values in rows:
        ws.append(safe_row(ws, values, cell_formats))


def reconciliation_schema() -> dict[str, Any]:
    fields = [_string("company_inn", "14-digit taxpayer number (INN)", required=True, pattern=r"[0-9]{14}"),
              _string("company_name"), _string("revenue_stream", "code of the revenue stream", required=True),
              _string("gfs_code", "EITI GFS classification code"),
              _string("government_entity", "code of the receiving government entity", required=True),
              _string("project", "licence number; blank at company level"),
              *(_money(c) for c in RECONCILIATION_AMOUNTS),
              _money("gap_pct", "final difference ÷ government amount × 100, half-even to 2 decimals"),
              _money("pct_of_government_total", "government amount as a percentage of the government total"),
              _string("status", "reconciliation status; 'withheld' = the company's filing is still under review",
                      required=True, enum=(*STATUSES, WITHHELD)),
              _string("explanation", "reason codes of the accepted adjustments, comma-separated: "
                      + ", ".join(REASON_CODES))]
    return {"fields": fields, "primaryKey": ["company_inn", "revenue_stream", "government_entity", "project"],
            "missingValues": MISSING_VALUES}


# --- ESG sections -------------------------------------------------------------------------

def _esg_field(name: str, kind: Any) -> dict[str, Any]:
    if isinstance(kind, Money):
        return _money(name, "Amount in KGS, 2 decimals")
    if isinstance(kind, Quantity):
        return {"name": name, "type": "number", "decimalChar": ".", "bareNumber": True,
                "description": "Exact decimal; blank = not reported"}
    if isinstance(kind, Count):
        return {"name": name, "type": "integer", "constraints": {"minimum": 0}}
    if isinstance(kind, IsoDate):
        return {"name": name, "type": "date"}
    if isinstance(kind, YesNo):
        return {"name": name, "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
    if isinstance(kind, ChoiceList):
        return _string(name, "codes separated by ';': " + ", ".join(kind.choices))
    if isinstance(kind, Choice):
        return _string(name, enum=kind.choices)
    if isinstance(kind, AttachmentRef):
        return _string(name, "SHA-256 of the attached file, published as attachments/<sha256>.<ext>",
                       pattern="[0-9a-f]{64}")
    if isinstance(kind, Rows):
        return _string(name, "JSON array of the nested rows")
    return _string(name)


def _extra_columns(key: str) -> list[dict[str, Any]]:
    if key == "social_agreements":
        return [_money("committed_in_kind_kgs", "Sum of the estimated values of the in-kind commitments, KGS"),
                _money("committed_total_kgs", "Committed cash plus in-kind, KGS"),
                _money("disbursed_total_kgs", "Disbursed in the period, cash plus in-kind, KGS")]
    return []


def esg_fields(key: str) -> list[tuple[str, Any]]:
    spec = section_registry.spec_for(key)
    return [(name, kind) for name, kind in spec.schema().fields.items() if name not in spec.private_fields]


def esg_schema(key: str) -> dict[str, Any]:
    fields = [_string("company_inn", "14-digit taxpayer number (INN)", required=True, pattern=r"[0-9]{14}"),
              _string("company_name"), {"name": "item", "type": "integer", "constraints": {"required": True}}]
    fields += [_esg_field(name, kind) for name, kind in esg_fields(key)] + _extra_columns(key)
    return {"fields": fields, "primaryKey": ["company_inn", "item"], "missingValues": MISSING_VALUES}


def _sum(values: Iterable[str | None]) -> Decimal | None:
    present = [Decimal(v) for v in values if v not in (None, "")]
    return sum(present, Decimal("0.00")) if present else None


def _esg_value(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, Rows):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(kind, ChoiceList):
        return ";".join(value)
    if isinstance(kind, (Money, Quantity)):
        return Decimal(value)
    return value


def esg_rows(data: dict[str, Any], key: str) -> list[list[Any]]:
    fields = esg_fields(key)
    rows = []
    for item in data.get(key, []):
        row = [item["company_inn"], item["company_name"], item["item"]]
        row += [_esg_value(kind, item.get(name)) for name, kind in fields]
        if key == "social_agreements":
            in_kind = _sum(entry.get("estimated_value_kgs") for entry in item.get("committed_in_kind") or [])
            row += [in_kind, _sum([item.get("committed_cash_kgs"), None if in_kind is None else str(in_kind)]),
                    _sum([item.get("disbursed_cash_kgs"), item.get("disbursed_in_kind_kgs")])]
        rows.append(row)
    return rows


def esg_csv(data: dict[str, Any], key: str) -> bytes:
    header = [f["name"] for f in esg_schema(key)["fields"]]
    return csv_bytes(header, esg_rows(data, key))


# --- the package -------------------------------------------------------------------------

def csv_files(data: dict[str, Any]) -> dict[str, bytes]:
    files = {"reconciliation.csv": reconciliation_csv(data)}
    files.update({f"{key}.csv": esg_csv(data, key) for key in ESG_SECTIONS})
    return files


def table_schemas() -> dict[str, dict[str, Any]]:
    schemas = {"reconciliation.csv": reconciliation_schema()}
    schemas.update({f"{key}.csv": esg_schema(key) for key in ESG_SECTIONS})
    return schemas


def json_bytes(value: Any, *, pretty: bool = False) -> bytes:
    """JSON as published: sorted keys, UTF-8, so the same data gives the same bytes.

    Large files are compact (Python's C encoder: a national period's data.json is tens of MB, and
    indenting would go through the pure-Python encoder at several times the memory); small
    descriptive files (``pretty``) are indented for people.
    """
    if pretty:
        return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
