"""The OpenAPI document: served with a token, valid in structure, and describing exactly the api blueprint's routes.

No validator package is installed (and none is added): the structure is checked here —
routes ↔ paths and methods, every $ref resolves, path parameters are declared, every
operation has described responses, the errors use the error schema.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from esg_portal.api.openapi import OPENAPI, openapi_document
from esg_portal.disclosure.document import PAYMENT_FIELDS
from esg_portal.disclosure.schemas import PAYMENT_COLUMNS

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path relative to the server URL, method) of every route of the api blueprint."""
    server = OPENAPI["servers"][0]["url"]
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        assert rule.rule.startswith(server + "/"), rule.rule
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len(server):])
        routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in HTTP_METHODS]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references: {ref}"
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def test_the_document_is_served_to_anyone(app: Flask, api_world, api_as) -> None:
    response = api_as("officer").get("/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == OPENAPI
    # it holds no data: readable without a token
    assert api_as(None).get("/openapi.json").get_json() == OPENAPI


def test_every_route_is_described_and_nothing_else(app: Flask) -> None:
    described = {(path, method) for path, method, _op in _operations(OPENAPI)}
    routes = _routes(app)
    assert routes - described == set(), "routes missing from the OpenAPI document"
    assert described - routes == set(), "the OpenAPI document describes routes that do not exist"
    # auth, periods, 4 filings, 2 receipts, 2 reconciliations, openapi (and any added since)
    assert len(routes) >= 11


def test_every_ref_resolves() -> None:
    refs = _refs(OPENAPI)
    assert len(refs) > 20
    for ref in refs:
        _resolve(OPENAPI, ref)


def test_every_component_is_used() -> None:
    used = set(_refs(OPENAPI))
    for kind in ("schemas", "responses"):
        for name in OPENAPI["components"][kind]:
            assert f"#/components/{kind}/{name}" in used, f"{kind}/{name} is never referred to"


def test_the_top_level_is_openapi_3() -> None:
    assert re.fullmatch(r"3\.0\.\d", OPENAPI["openapi"])
    assert OPENAPI["info"]["title"] and OPENAPI["info"]["version"]
    assert set(OPENAPI) <= {"openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs"}
    assert OPENAPI["components"]["securitySchemes"]["bearerAuth"] == {
        **OPENAPI["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert OPENAPI["security"] == [{"bearerAuth": []}]
    for path in OPENAPI["paths"]:
        assert path.startswith("/")


#: writes whose whole meaning is in the address (no body is read)
BODILESS_WRITES = {"/notifications/{notification_id}/read"}


@pytest.mark.parametrize("path, method", sorted((p, m) for p, m, _op in _operations(OPENAPI)))
def test_each_operation_is_complete(path: str, method: str) -> None:
    operation = OPENAPI["paths"][path][method]
    assert operation["operationId"] and operation["summary"]
    declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert declared == set(re.findall(r"{([a-z_]+)}", path))
    for parameter in operation.get("parameters", []):
        # path parameters are always required; a query or header parameter (If-Match) may be optional
        assert "schema" in parameter and (parameter["required"] is True or parameter["in"] in ("query", "header"))
    responses = operation["responses"]
    assert responses and all(re.fullmatch(r"[1-5]\d\d", status) for status in responses)
    assert any(status.startswith("2") for status in responses)
    for status, response in responses.items():
        response = _resolve(OPENAPI, response["$ref"]) if "$ref" in response else response
        assert response["description"]
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"] in ("#/components/schemas/Error", "#/components/schemas/ValidationError",
                                      "#/components/schemas/RowErrors")
    if path == "/auth/token" or path == "/openapi.json" or path.startswith("/public/"):
        assert operation["security"] == []  # no token
        assert "401" not in responses or path == "/auth/token"  # wrong credentials are a 401 there
    else:
        assert "401" in responses
        assert "security" not in operation  # the document-wide bearer requirement applies
    if method in ("put", "post") and path not in BODILESS_WRITES:
        assert operation["requestBody"]["content"]


def test_the_payment_upload_takes_csv_and_json() -> None:
    body = OPENAPI["paths"]["/filings/{year}/{section}"]["put"]["requestBody"]["content"]
    assert set(body) == {"text/csv", "application/json"}
    assert body["text/csv"]["example"].splitlines()[0].split(",") == list(PAYMENT_COLUMNS)
    statuses = set(OPENAPI["paths"]["/filings/{year}/{section}"]["put"]["responses"])
    assert {"200", "400", "401", "403", "404", "409", "413", "415", "422"} <= statuses


def test_the_payment_schema_has_the_section_3_fields() -> None:
    payment = OPENAPI["components"]["schemas"]["Payment"]
    assert set(payment["properties"]) == set(PAYMENT_FIELDS) == set(PAYMENT_COLUMNS)
    assert payment["properties"]["amount"]["type"] == "string"


def test_the_document_is_handed_out_as_a_copy() -> None:
    copy = openapi_document()
    copy["paths"].clear()
    assert OPENAPI["paths"]
