"""The public API: published data only, no token, filters, pages, ETag/304, CORS, JSON errors; and the
DCAT catalogue of the releases, valid against the vendored DCAT-AP 3 shapes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from publication_support import YEAR, publish
from esg_portal.accounts.models import User
from esg_portal.extensions import db
from esg_portal.public.resources import RESOURCE_FILTERS, SCHEMAS

API = "/api/v1/public"
SHAPES = Path(__file__).resolve().parents[2] / "data" / "dcat"


@pytest.fixture
def published(demo: Flask) -> Flask:
    assert publish(demo).status_code == 201
    return demo


def _get(app: Flask, path: str, **headers):
    return app.test_client().get(path, headers=headers)


def test_without_a_release_every_resource_is_empty(demo: Flask) -> None:
    for resource in SCHEMAS:
        response = _get(demo, f"{API}/{resource}")
        assert response.status_code == 200, resource
        assert response.get_json() == {"data": [], "total": 0, "limit": 100, "offset": 0}


def test_every_resource_answers_published_rows_with_cors_and_etag(published: Flask) -> None:
    for resource in SCHEMAS:
        response = _get(published, f"{API}/{resource}?year={YEAR}")
        assert response.status_code == 200, resource
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        body = response.get_json()
        assert set(body) == {"data", "total", "limit", "offset"}
        if resource not in ("eia", "public-hearings", "workforce", "production"):
            assert body["total"] > 0 and body["data"], f"{resource} has published rows in the demo"
        assert all(row["year"] == YEAR for row in body["data"])
        etag = response.headers["ETag"]
        again = _get(published, f"{API}/{resource}?year={YEAR}", **{"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""


def test_money_is_a_two_decimal_string_and_filters_select(published: Flask) -> None:
    payments = _get(published, f"{API}/company-payments?limit=1000").get_json()
    assert payments["total"] > 10
    assert all(isinstance(row["amount"], str) and row["amount"].split(".")[1].__len__() == 2
               for row in payments["data"])
    inn = payments["data"][0]["company_inn"]
    own = _get(published, f"{API}/company-payments?company={inn}&limit=1000").get_json()
    assert own["total"] == sum(1 for row in payments["data"] if row["company_inn"] == inn)
    assert {row["company_inn"] for row in own["data"]} == {inn}
    royalty = _get(published, f"{API}/government-revenues?stream=ROYALTY&limit=1000").get_json()
    assert royalty["total"] and {row["revenue_stream"] for row in royalty["data"]} == {"ROYALTY"}
    sts = _get(published, f"{API}/reconciliation-lines?entity=STS&limit=1000").get_json()
    assert sts["total"] and {row["government_entity"] for row in sts["data"]} == {"STS"}
    assert _get(published, f"{API}/company-payments?year=1999").get_json()["total"] == 0
    companies = _get(published, f"{API}/companies?limit=1000").get_json()["data"]
    region = next(c["region"] for c in companies if c["region"])
    in_region = _get(published, f"{API}/companies?region={region}&limit=1000").get_json()
    assert in_region["total"] == sum(1 for c in companies if c["region"] == region)
    streams = _get(published, f"{API}/revenue-streams?stream=ROYALTY").get_json()["data"]
    assert streams[0]["description"]["ky"] and streams[0]["description"]["ru"] and streams[0]["description"]["en"]


def test_pages_cover_every_row_once(published: Flask) -> None:
    whole = _get(published, f"{API}/reconciliation-lines?limit=1000").get_json()
    rows = []
    for offset in range(0, whole["total"], 7):
        page = _get(published, f"{API}/reconciliation-lines?limit=7&offset={offset}").get_json()
        assert page["limit"] == 7 and page["offset"] == offset and page["total"] == whole["total"]
        rows.extend(page["data"])
    assert rows == whole["data"]


@pytest.mark.parametrize("query", ["colour=red", "limit=0", "limit=1001", "limit=abc", "offset=-1", "offset=١",
                                   "year=20x4", "company=1&company=2", "region=", "entity=STS"])
def test_bad_queries_are_json_400(published: Flask, query: str) -> None:
    resource = "companies"  # takes no entity filter
    response = _get(published, f"{API}/{resource}?{query}")
    assert response.status_code == 400, query
    assert response.is_json and response.get_json()["error"]["code"] == "bad_request"
    assert response.get_json()["error"]["message"]


def test_no_public_answer_holds_unpublished_or_personal_data(published: Flask) -> None:
    with published.app_context():
        emails = [u.email for u in db.session.scalars(select(User))]
    markers = ["PLANTED-UNDER-REVIEW", "PLANTED-DRAFT", "987654321.01", "1959-07-13", "PLANTEDID-77",
               "Planted Attester Name", "planted-attester@mail.example", *emails]
    for resource, filters in RESOURCE_FILTERS.items():
        text = _get(published, f"{API}/{resource}?limit=1000").get_data(as_text=True)
        for marker in markers:
            assert marker not in text, f"{marker} in /public/{resource}"
    payments = _get(published, f"{API}/company-payments?limit=1000").get_json()["data"]
    lines = _get(published, f"{API}/reconciliation-lines?limit=1000").get_json()["data"]
    withheld = {row["company_inn"] for row in lines if row["status"] == "withheld"}
    assert withheld and not withheld & {row["company_inn"] for row in payments}


def test_the_openapi_document_describes_the_public_rows_and_needs_no_token(published: Flask) -> None:
    document = _get(published, "/api/v1/openapi.json").get_json()
    for resource, schema in SCHEMAS.items():
        operation = document["paths"][f"/public/{resource}"]["get"]
        assert operation["security"] == []
        described = document["components"]["schemas"][schema.__name__]["properties"]
        row = _get(published, f"{API}/{resource}?limit=1").get_json()["data"]
        if row:
            assert set(row[0]) == set(described), resource


def test_the_catalogue_is_valid_dcat_ap_3_and_lists_every_release(published: Flask) -> None:
    from pyshacl import validate
    from rdflib import Graph, Namespace, URIRef

    with published.app_context():
        from esg_portal.eiti.publication import services
        from esg_portal.extensions import db as _db
        from esg_portal.accounts.models import Role
        from esg_portal.disclosure.models import Disclosure, DisclosureStatus
        pending = _db.session.scalar(select(Disclosure).where(Disclosure.status == DisclosureStatus.SUBMITTED))
        pending.status = DisclosureStatus.ACCEPTED
        _db.session.commit()
        services.publish_release(_db.session.scalar(select(User).where(User.role == Role.SECRETARIAT)), YEAR)
        _db.session.commit()
    turtle = _get(published, "/catalog.ttl")
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    conforms, _graph, text = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, text
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    period = URIRef(f"http://127.0.0.1:5000/open-data/{YEAR}")
    versions = set(graph.objects(period, dcat.hasVersion))
    assert {URIRef(f"{period}/v1"), URIRef(f"{period}/v2")} <= versions
    jsonld = _get(published, "/catalog.jsonld")
    assert jsonld.status_code == 200 and json.loads(jsonld.data)
