"""The publication part of the OpenAPI document: POST /releases/{year} and the public API.

The public resources are described from the same marshmallow schemas that serialise their
answers (``public.resources.SCHEMAS``), so the description cannot drift from the data.
"""
from __future__ import annotations

from typing import Any

from marshmallow import fields

from ..public import resources

_MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "1234567.89",
          "description": "Money: a string with exactly 2 decimals, '.' as decimal mark, no grouping."}
_ERROR = {"$ref": "#/components/schemas/Error"}


def field_schema(field: fields.Field) -> dict[str, Any]:
    """The JSON Schema (OpenAPI 3.0) of one marshmallow field."""
    nullable = {"nullable": True} if field.allow_none else {}
    if isinstance(field, resources.Money):
        return {**_MONEY, **nullable}
    if isinstance(field, resources.Names):
        return {"type": "object", "properties": {lang: {"type": "string"} for lang in ("ky", "ru", "en")},
                **nullable}
    if isinstance(field, fields.Integer):
        return {"type": "integer", **nullable}
    if isinstance(field, fields.Boolean):
        return {"type": "boolean", **nullable}
    if isinstance(field, fields.List):
        return {"type": "array", "items": field_schema(field.inner), **nullable}
    if isinstance(field, fields.Dict):
        return {"type": "object", **nullable}
    return {"type": "string", **nullable}


def _row_schema(resource: str) -> dict[str, Any]:
    schema = resources.SCHEMAS[resource]()
    return {"type": "object", "properties": {name: field_schema(f) for name, f in schema.fields.items()},
            "required": [name for name, f in schema.fields.items() if f.required]}


def _component(resource: str) -> str:
    return resources.SCHEMAS[resource].__name__


def _error(description: str, code: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": _ERROR, "example": {"error": {"code": code, "message": description}}}}}


def _query(name: str) -> dict[str, Any]:
    described = {"year": "Fiscal year (the calendar year in which it ends).", "company": "Company INN (14 digits).",
                 "stream": "Revenue stream code.", "entity": "Government entity code.", "region": "Region code.",
                 "site": "Programme site code.", "category": "Feedback category (INTERFACES §8).",
                 "state": "Case state (INTERFACES §8).", "aiyl_okmotu": "Aiyl okmotu, as the resident named it.",
                 "commitment": "A named commitment: year:section:company_inn:item."}
    schema = {"type": "integer"} if name == "year" else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": described[name]}


_PAGING = [{"name": "limit", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
           {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                          "default": 0}}]


def public_paths() -> tuple[dict[str, Any], dict[str, Any]]:
    """(paths, component schemas) of the public API and the release endpoint."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for resource in resources.SCHEMAS:
        name = _component(resource)
        schemas[name] = _row_schema(resource)
        schemas[f"{name}Page"] = {"type": "object", "required": ["data", "total", "limit", "offset"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
        paths[f"/public/{resource}"] = {"get": {
            "operationId": "public" + "".join(p.title() for p in resource.split("-")), "tags": ["public"],
            "summary": f"Published {resource.replace('-', ' ')}",
            "description": "No token: published data only, from the newest release of each period. ETag and "
                           "If-None-Match (304); Access-Control-Allow-Origin: *.",
            "security": [],
            "parameters": [_query(f) for f in resources.RESOURCE_FILTERS[resource]] + _PAGING,
            "responses": {"200": {"description": "A page of rows.", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name}Page"}}}},
                "304": {"description": "Not modified (the ETag matched)."},
                "400": _error("An unknown filter, or a bad limit or offset.", "bad_request")}}}
    schemas["Release"] = {"type": "object", "required": ["year", "version", "published_at", "files"], "properties": {
        "year": {"type": "integer"}, "version": {"type": "integer"}, "published_at": {"type": "string"},
        "files": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "sha256": {"type": "string"}, "bytes": {"type": "integer"}}}}}}
    paths["/releases/{year}"] = {"post": {
        "operationId": "publishRelease", "tags": ["publication"], "summary": "Publish the period as a new release",
        "description": "For the EITI secretariat only; other roles get 403. Freezes the period's latest accepted "
                       "filings, the latest reconciliation run, the receipts and the ESG sections as release vN+1, "
                       "served at /open-data/{year}/v{n}/{file}.",
        "parameters": [{"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": {"type": "object", "maxProperties": 0}}}, "description": "Nothing needs to be sent."},
        "responses": {"201": {"description": "The new release.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Release"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "403": {"$ref": "#/components/responses/Forbidden"},
            "404": {"$ref": "#/components/responses/PeriodNotFound"},
            "409": _error("nothing_to_publish (no accepted filing) or unchanged (with the latest version).",
                          "unchanged")}}}
    _feedback_paths(paths, schemas)
    return paths, schemas


def _feedback_paths(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """``/public/feedback``: residents' cases sent in (POST) and the public record of them (GET)."""
    from ..feedback.queries import FILTERS
    from ..feedback.schemas import PublicCaseSchema
    schema = PublicCaseSchema()
    schemas["FeedbackCase"] = {"type": "object", "properties": {n: field_schema(f) for n, f in schema.fields.items()},
                               "required": [n for n, f in schema.fields.items() if f.required]}
    schemas["FeedbackCasePage"] = {"type": "object", "required": ["data", "total", "limit", "offset"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/FeedbackCase"}},
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
    subject = {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": {
        key: {"type": "string"} for key in ("site", "licence", "company_inn", "entity", "place")}}
    paths["/public/feedback"] = {
        "get": {
            "operationId": "publicFeedback", "tags": ["public"], "summary": "Public residents' cases",
            "description": "No token: the moderated text, subject, dates and answers of the public cases, newest "
                           "first; never a name, a contact or the resident's own words. ETag and 304; CORS.",
            "security": [],
            "parameters": [_query(name) for name in FILTERS] + _PAGING,
            "responses": {"200": {"description": "A page of cases.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/FeedbackCasePage"}}}},
                "304": {"description": "Not modified (the ETag matched)."},
                "400": _error("An unknown filter, or a bad limit or offset.", "bad_request")}},
        "post": {
            "operationId": "sendFeedback", "tags": ["public"], "summary": "Send a resident's case",
            "description": "No token. An appeal needs a name and a contact; anonymous feedback refuses them. "
                           "The answer holds the tracking code, a PIN and the private link, shown this once.",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["kind", "subject", "category", "text", "language"], "properties": {
                    "kind": {"type": "string", "enum": ["appeal", "anonymous"]}, "subject": subject,
                    "category": {"type": "string"}, "text": {"type": "string"},
                    "language": {"type": "string", "enum": ["ky", "ru", "en"]},
                    "aiyl_okmotu": {"type": "string"}, "name": {"type": "string"}, "contact": {"type": "string"},
                    "share_contact": {"type": "boolean"}, "commitment": {"type": "string"}}}}}},
            "responses": {"201": {"description": "The case was received.", "content": {"application/json": {
                "schema": {"type": "object", "required": ["code", "pin", "private_url"], "properties": {
                    "code": {"type": "string"}, "pin": {"type": "string"}, "private_url": {"type": "string"}}}}}},
                "400": _error("The body is not a JSON object.", "bad_request"),
                "422": {"description": "A field is missing or wrong; each is named.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}}},
                "429": _error("Too many cases from one address in an hour: wait and try again.",
                              "too_many_requests")}},
    }
