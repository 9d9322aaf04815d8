"""``datapackage.json``: a Frictionless Data Package (v2) describing every file of a release.

Every CSV gets an explicit Table Schema — money as ``number`` with ``.`` as decimal mark and no
grouping, codes as enums, required fields, primary and foreign keys, the sentinels
``Not applicable`` / ``Not available`` as labelled missing values; the other files are listed
with their media type, size and sha256. Pure: names, bytes and schemas in, bytes out.
"""
from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from .opendata import LICENCE, MISSING_VALUES, _money, _string, json_bytes, media_type, table_schemas

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
#: columns of EITI's Part CSVs that hold amounts
PART_AMOUNTS = {"Revenue value", "Total reported", "Payments to Governments Report", "Production (value)"}
#: columns appended to every Part CSV
PART_DATES = {"Start Date", "End Date"}
COMPANIES_PART = "Part 3 - Reporting companies' list.csv"


def _header(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text, newline="")), [])


def part_schema(name: str, content: bytes) -> dict[str, Any]:
    """The Table Schema of one of EITI's Part CSVs, from its header row."""
    fields = []
    # readers strip header labels ("Exchange rate used: 1 USD = " keeps EITI's trailing space in the file)
    for column in (label.strip() for label in _header(content)):
        if column in PART_AMOUNTS:
            fields.append(_money(column))
        elif column in PART_DATES:
            fields.append({"name": column, "type": "date", "constraints": {"required": True}})
        elif column == "Year":
            fields.append({"name": column, "type": "integer", "constraints": {"required": True}})
        elif column in ("Country", "ISO Code"):
            fields.append(_string(column, required=True))
        else:
            fields.append(_string(column))
    schema: dict[str, Any] = {"$schema": SCHEMA_PROFILE, "fields": fields, "missingValues": MISSING_VALUES}
    return schema


def _resource_name(file_name: str) -> str:
    """A Data Package resource name: lower case, digits, '-', '_', '.' only."""
    out = []
    for char in file_name.lower():
        out.append(char if char.isascii() and (char.isalnum() or char in "-_.") else "-")
    name = "".join(out)
    while "--" in name:
        name = name.replace("--", "-")
    return name.strip("-")


def datapackage(*, year: int, version: int, title: str, description: str, files: dict[str, bytes],
                homepage: str) -> bytes:
    """The package of a release: every file in ``files`` (name → bytes) as a resource."""
    schemas = table_schemas()
    resources = []
    for name in sorted(files):
        content = files[name]
        resource: dict[str, Any] = {
            "name": _resource_name(name), "path": name, "mediatype": media_type(name), "bytes": len(content),
            "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        }
        if name.endswith(".csv"):
            schema = dict(schemas[name]) if name in schemas else part_schema(name, content)
            schema.setdefault("$schema", SCHEMA_PROFILE)
            resource.update({"$schema": RESOURCE_PROFILE, "type": "table", "format": "csv", "encoding": "utf-8",
                             "dialect": {"delimiter": ",", "header": True}, "schema": schema})
        else:
            # described, checksummed files; only the CSVs are tables (the SDT workbook has a form layout)
            resource.update({"type": "file", "format": name.rsplit(".", 1)[-1].lower()})
        resources.append(resource)
    _link_companies(resources)
    package = {
        "$schema": PROFILE,
        "name": f"kgz-eiti-{year}",
        "id": f"KGZ-EITI-{year}-v{version}",
        "title": title,
        "description": description,
        "version": f"{version}.0.0",
        "homepage": homepage,
        "licenses": [LICENCE],
        "keywords": ["EITI", "Kyrgyz Republic", "mining", "extractive industries", str(year)],
        "resources": resources,
    }
    return json_bytes(package, pretty=True)


def _link_companies(resources: list[dict[str, Any]]) -> None:
    """Foreign keys from the portal's own tables to the companies' list (by INN), where both are present."""
    by_path = {r["path"]: r for r in resources}
    companies = by_path.get(COMPANIES_PART)
    if companies is None:
        return
    names = [f["name"] for f in companies["schema"]["fields"]]
    if "Company ID number" not in names:
        return
    companies["schema"].setdefault("uniqueKeys", [["Company ID number"]])
    for resource in resources:
        if resource is companies or resource.get("type") != "table":
            continue
        fields = [f["name"] for f in resource["schema"]["fields"]]
        if "company_inn" in fields:
            resource["schema"]["foreignKeys"] = [{
                "fields": ["company_inn"],
                "reference": {"resource": companies["name"], "fields": ["Company ID number"]}}]
