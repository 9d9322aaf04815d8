"""The DCAT catalogue: valid DCAT-AP 3.0.1 (shapes, range and recommended shapes, vendored under
tests/data/dcat), harvestable by ckanext-dcat (a URI and dct:identifier per dataset, a URI,
downloadURL and checksum per distribution, every version kept), the same graph in JSON-LD and
Turtle, and the same bytes for the same input."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from esg_portal.eiti.publication.dcat import (ADMS, DCAT, DCT, FOAF, JSONLD_CONTEXT, SPDX, build_catalog,
                                              catalog_jsonld, catalog_turtle)

SHAPES_DIR = Path(__file__).resolve().parents[2] / "data" / "dcat"
SHAPE_FILES = {"shapes.ttl": "7fe9815e0f32b10f5cbce74fa6ccd0290aae3ef9e5080fb84e2d8093eb984d1d",
               "range.ttl": "24d3bfd0fa17a3d0e877c9ebb91c8174124e5038538e1bf081b2cb679ad0f1b2",
               "shapes_recommended.ttl": "9afbf23f1f56d10d6839259684934137e20506a9aedce0249b619bbc593b9abd"}
LANGS = {"ky", "ru", "en"}
BASE = "https://eiti.example.kg"
MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "json": "application/json", "pdf": "application/pdf"}


def three(en: str, ru: str, ky: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "ky": ky}


def release_files(year: int) -> list[str]:
    """Every file of a portal-built release (INTERFACES §6), with one attachment."""
    return [f"summary-data-{year}.xlsx", "Part 1 - About.csv", "Part 3 - Reporting companies' list.csv",
            "Part 3 - Reporting government entities list.csv", "Part 3 - Reporting projects' list.csv",
            "Part 4 - Government revenues.csv", "Part 5 - Company data.csv", "reconciliation.csv",
            "reconciliation.xlsx", "eia.csv", "social_agreements.csv", "public_hearings.csv", "workforce.csv",
            "production.csv", "beneficial_owners.json", "data.json", "datapackage.json",
            f"report-{year}-ky.pdf", f"report-{year}-ru.pdf", f"report-{year}-en.pdf", "changes.json",
            "manifest.json", f"attachments/{'ab' * 32}.pdf"]


def version(year: int, n: int, issued: str, kind: str, names: list[str]) -> dict:
    return {"version": n, "uri": f"{BASE}/open-data/{year}/v{n}", "issued": issued, "kind": kind,
            "files": [{"name": name, "media_type": MEDIA_TYPES[name.rsplit(".", 1)[1]],
                       "bytes": 100 * len(name) + n,
                       "sha256": hashlib.sha256(f"{year}/v{n}/{name}".encode()).hexdigest(),
                       "download_url": f"{BASE}/open-data/{year}/v{n}/{quote(name)}",
                       "access_url": f"{BASE}/open-data/{year}/v{n}/"} for name in names]}


def period(year: int, versions: list[dict]) -> dict:
    return {"year": year, "identifier": f"KGZ-EITI-{year}", "uri": f"{BASE}/open-data/{year}",
            "title": three(f"EITI data of the Kyrgyz Republic, {year}", f"Данные ИПДО Кыргызской Республики за {year} год",
                           f"Кыргыз Республикасынын {year}-жыл үчүн КТАД маалыматтары"),
            "description": three(f"Payments of mining companies and government revenues for {year}.",
                                 f"Платежи горнодобывающих компаний и доходы государства за {year} год.",
                                 f"{year}-жыл үчүн кен казуучу компаниялардын төлөмдөрү жана мамлекеттин кирешелери."),
            "start_date": f"{year}-01-01", "end_date": f"{year}-12-31",
            "landing_page": f"{BASE}/open-data/{year}", "versions": versions}


def catalog_data() -> dict:
    """Two periods: 2024 published twice, 2019 imported from an SDT workbook and its Part CSVs."""
    return {
        "base_url": BASE, "catalog_uri": f"{BASE}/catalog",
        "title": three("EITI open data of the Kyrgyz Republic", "Открытые данные ИПДО Кыргызской Республики",
                       "Кыргыз Республикасынын КТАД ачык маалыматтары"),
        "description": three("Every release of the EITI data of the mining sector.",
                             "Все выпуски данных ИПДО по горнодобывающей отрасли.",
                             "Кен казуу тармагы боюнча КТАД маалыматтарынын бардык чыгарылыштары."),
        "publisher": {"name": three("EITI secretariat of the Kyrgyz Republic", "Секретариат ИПДО Кыргызской Республики",
                                    "Кыргыз Республикасынын КТАД катчылыгы"),
                      "uri": f"{BASE}/#publisher", "email": "mailto:eiti@example.kg"},
        "homepage": f"{BASE}/", "modified": "2026-03-31T09:15:02Z",
        "datasets": [
            period(2024, [version(2024, 1, "2026-02-02T10:00:00Z", "published", release_files(2024)),
                          version(2024, 2, "2026-03-31T09:15:02Z", "published", release_files(2024))]),
            period(2019, [version(2019, 1, "2025-11-20T08:30:00Z", "imported", release_files(2019)[:7])]),
        ],
    }


@pytest.fixture(scope="module")
def data() -> dict:
    return catalog_data()


@pytest.fixture(scope="module")
def graph(data) -> Graph:
    return build_catalog(data)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The union of the three shape files: each names its shapes in its own namespace."""
    g = Graph()
    for name in SHAPE_FILES:
        g.parse(SHAPES_DIR / name, format="turtle")
    return g


def shacl(data_graph: Graph, shapes: Graph) -> tuple[bool, str]:
    conforms, _, text = validate(data_graph, shacl_graph=shapes, inference="none", advanced=True)
    return conforms, text


def distributions_of(g: Graph, dataset: URIRef) -> set[URIRef]:
    return set(g.objects(dataset, DCAT.distribution))


def languages(g: Graph, subject, predicate) -> set[str]:
    return {value.language for value in g.objects(subject, predicate) if isinstance(value, Literal)}


def test_vendored_shapes_are_the_published_files():
    for name, sha256 in SHAPE_FILES.items():
        assert hashlib.sha256((SHAPES_DIR / name).read_bytes()).hexdigest() == sha256, name


def test_catalogue_conforms_to_dcat_ap_3(graph, shapes):
    conforms, text = shacl(graph, shapes)
    assert conforms, text


@pytest.mark.parametrize("break_it, expected", [
    # shapes.ttl: a distribution needs dcat:accessURL
    (lambda g, dist: g.remove((dist, DCAT.accessURL, None)), "accessURL"),
    # shapes.ttl: byteSize is an xsd:nonNegativeInteger
    (lambda g, dist: g.set((dist, DCAT.byteSize, Literal(12))), "byteSize"),
    # range.ttl: a media type is a dct:MediaType
    (lambda g, dist: g.set((dist, DCAT.mediaType, URIRef("https://example.org/not-a-media-type"))), "mediaType"),
    # shapes_recommended.ttl: a distribution should carry a licence (warnings count too)
    (lambda g, dist: g.remove((dist, DCT.license, None)), "license"),
], ids=["no-accessURL", "byteSize-integer", "mediaType-class", "no-license"])
def test_a_broken_catalogue_is_rejected(graph, shapes, break_it, expected):
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    dist = URIRef(f"{BASE}/open-data/2024/v2#file-{quote('Part 4 - Government revenues.csv', safe='')}")
    assert (dist, RDF.type, DCAT.Distribution) in broken
    break_it(broken, dist)
    conforms, text = shacl(broken, shapes)
    assert not conforms
    assert expected in text and str(dist) in text, text


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph internally and warns about it
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_and_turtle_are_the_same_graph(graph):
    jsonld, turtle = catalog_jsonld(graph), catalog_turtle(graph)
    document = json.loads(jsonld)
    assert document["@context"] == JSONLD_CONTEXT
    assert any(node.get("@type") == "dcat:Catalog" for node in document["@graph"])
    from_jsonld = Graph().parse(data=jsonld, format="json-ld")
    from_turtle = Graph().parse(data=turtle, format="turtle")
    assert len(from_jsonld) == len(graph)
    assert isomorphic(from_jsonld, from_turtle)
    assert isomorphic(from_turtle, graph)


def test_the_same_input_gives_the_same_bytes(graph, data):
    """Also under another hash seed: the catalogue's ETag changes only when a release does."""
    assert catalog_jsonld(build_catalog(data)) == catalog_jsonld(graph)
    script = ("import hashlib, sys, json; from esg_portal.eiti.publication.dcat import *; "
              "g = build_catalog(json.loads(sys.stdin.read())); "
              "print(hashlib.sha256(catalog_jsonld(g)).hexdigest(), hashlib.sha256(catalog_turtle(g)).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(data), capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[3], check=True).stdout.split()
    assert out == [hashlib.sha256(catalog_jsonld(graph)).hexdigest(), hashlib.sha256(catalog_turtle(graph)).hexdigest()]


def test_one_catalogue_listing_every_dataset(graph, data):
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef(data["catalog_uri"])]
    listed = set(graph.objects(catalogs[0], DCAT.dataset))
    assert listed == set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(listed) == 2 + 3  # two periods, three releases
    publisher = graph.value(catalogs[0], DCT.publisher)
    assert publisher == URIRef(data["publisher"]["uri"]) and (publisher, RDF.type, FOAF.Agent) in graph
    assert languages(graph, publisher, FOAF.name) == LANGS


def test_a_dataset_per_period_with_its_identifier(graph, data):
    identifiers = [str(graph.value(s, DCT.identifier)) for s in graph.subjects(RDF.type, DCAT.Dataset)]
    assert len(identifiers) == len(set(identifiers)), "ckanext-dcat keys datasets on URI / dct:identifier"
    for item in data["datasets"]:
        uri = URIRef(item["uri"])
        assert (uri, RDF.type, DCAT.Dataset) in graph
        assert list(graph.objects(uri, DCT.identifier)) == [Literal(item["identifier"])]
        assert graph.value(uri, DCAT.landingPage) == URIRef(item["landing_page"])
        temporal = graph.value(uri, DCT.temporal)
        assert graph.value(temporal, DCAT.startDate) == Literal(item["start_date"], datatype=XSD.date)
        assert graph.value(temporal, DCAT.endDate) == Literal(item["end_date"], datatype=XSD.date)
        assert graph.value(uri, DCT.issued).datatype == XSD.dateTime
        assert graph.value(uri, DCT.modified).toPython() == graph.value(
            URIRef(item["versions"][-1]["uri"]), DCT.issued).toPython()
        for v in item["versions"]:
            v_uri = URIRef(v["uri"])
            assert list(graph.objects(v_uri, DCT.identifier)) == [Literal(f"{item['identifier']}-v{v['version']}")]


def test_versions_are_linked_both_ways(graph, data):
    for item in data["datasets"]:
        uri = URIRef(item["uri"])
        versions = [URIRef(v["uri"]) for v in item["versions"]]
        assert set(graph.objects(uri, DCAT.hasVersion)) == set(versions)
        assert set(graph.objects(uri, DCT.hasVersion)) == set(versions)  # what ckanext-dcat reads
        assert graph.value(uri, DCAT.hasCurrentVersion) == versions[-1]
        assert graph.value(uri, DCAT.version) == Literal(str(item["versions"][-1]["version"]))
        for n, (v, v_uri) in enumerate(zip(item["versions"], versions)):
            assert (v_uri, RDF.type, DCAT.Dataset) in graph
            assert graph.value(v_uri, DCAT.isVersionOf) == uri and graph.value(v_uri, DCT.isVersionOf) == uri
            assert graph.value(v_uri, DCAT.version) == Literal(str(v["version"]))
            assert graph.value(v_uri, DCAT.previousVersion) == (versions[n - 1] if n else None)
            assert languages(graph, v_uri, ADMS.versionNotes) == LANGS
    older = URIRef(f"{BASE}/open-data/2024/v1")
    assert (URIRef(f"{BASE}/open-data/2024"), DCAT.hasVersion, older) in graph
    notes = {n.language: str(n) for n in graph.objects(URIRef(f"{BASE}/open-data/2019/v1"), ADMS.versionNotes)}
    assert notes["en"].startswith("Historic EITI data imported")


def test_distributions_are_the_files_of_each_release(graph, data):
    for item in data["datasets"]:
        for v in item["versions"]:
            v_uri = URIRef(v["uri"])
            dists = distributions_of(graph, v_uri)
            assert len(dists) == len(v["files"])
            by_download = {graph.value(d, DCAT.downloadURL): d for d in dists}
            for file in v["files"]:
                dist = by_download[URIRef(file["download_url"])]
                assert isinstance(dist, URIRef) and str(dist).startswith(v["uri"] + "#")
                assert graph.value(dist, DCAT.accessURL) == URIRef(file["access_url"])
                size = graph.value(dist, DCAT.byteSize)
                assert size.datatype == XSD.nonNegativeInteger and int(size) == file["bytes"]
                checksum = graph.value(dist, SPDX.checksum)
                assert (checksum, RDF.type, SPDX.Checksum) in graph
                assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
                value = graph.value(checksum, SPDX.checksumValue)
                assert value.datatype == XSD.hexBinary and str(value) == file["sha256"]
                assert graph.value(dist, DCAT.mediaType) == URIRef(
                    "http://www.iana.org/assignments/media-types/" + file["media_type"])
                assert str(graph.value(dist, DCT["format"])).startswith(
                    "http://publications.europa.eu/resource/authority/file-type/")
                assert graph.value(dist, DCT.license) == URIRef("http://creativecommons.org/licenses/by/4.0/")
    # the period's distributions are those of its latest release
    for item in data["datasets"]:
        latest = URIRef(item["versions"][-1]["uri"])
        assert distributions_of(graph, URIRef(item["uri"])) == distributions_of(graph, latest)
    assert not distributions_of(graph, URIRef(f"{BASE}/open-data/2024/v1")) & distributions_of(
        graph, URIRef(f"{BASE}/open-data/2024"))


def test_summary_data_files_conform_to_the_template(graph):
    sdt = URIRef("https://eiti.org/document/eiti-summary-data-template")
    v2 = f"{BASE}/open-data/2024/v2#file-"
    for name in ("summary-data-2024.xlsx", "Part 4 - Government revenues.csv"):
        assert graph.value(URIRef(v2 + quote(name, safe="")), DCT.conformsTo) == sdt
    assert graph.value(URIRef(v2 + "eia.csv"), DCT.conformsTo) is None
    report = URIRef(v2 + "report-2024-ky.pdf")
    assert graph.value(report, DCT.language) == URIRef("http://publications.europa.eu/resource/authority/language/KIR")


def test_titles_and_descriptions_in_kyrgyz_russian_and_english(graph):
    subjects = ({*graph.subjects(RDF.type, DCAT.Catalog), *graph.subjects(RDF.type, DCAT.Dataset),
                 *graph.subjects(RDF.type, DCAT.Distribution)})
    for subject in subjects:
        assert languages(graph, subject, DCT.title) == LANGS, subject
        assert languages(graph, subject, DCT.description) == LANGS, subject
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert languages(graph, dataset, DCAT.keyword) == LANGS
    part4 = URIRef(f"{BASE}/open-data/2024/v2#file-{quote('Part 4 - Government revenues.csv', safe='')}")
    titles = {t.language: str(t) for t in graph.objects(part4, DCT.title)}
    assert titles == {"en": "Summary data, Part 4: government revenues",
                      "ru": "Сводные данные, часть 4: доходы государства",
                      "ky": "Жыйынтык маалыматтар, 4-бөлүк: мамлекеттин кирешелери"}


def _without_ky_title(d):
    del d["datasets"][0]["title"]["ky"]


def _bad_checksum(d):
    d["datasets"][0]["versions"][0]["files"][0]["sha256"] = "not-hex"


def _versions_out_of_order(d):
    d["datasets"][0]["versions"].reverse()


def _no_release(d):
    d["datasets"][1]["versions"] = []


def _negative_size(d):
    d["datasets"][0]["versions"][0]["files"][0]["bytes"] = -1


@pytest.mark.parametrize("spoil", [_without_ky_title, _bad_checksum, _versions_out_of_order, _no_release,
                                   _negative_size])
def test_bad_input_is_refused(spoil):
    data = catalog_data()
    spoil(data)
    with pytest.raises(ValueError):
        build_catalog(data)


def test_an_empty_catalogue_is_still_a_valid_catalogue(shapes):
    """Before the first release: no datasets, no dates; the mandatory and range shapes still pass."""
    data = {**catalog_data(), "datasets": [], "modified": None}
    g = build_catalog(data)
    catalog = URIRef(data["catalog_uri"])
    assert list(g.subjects(RDF.type, DCAT.Catalog)) == [catalog]
    assert g.value(catalog, DCAT.dataset) is None and g.value(catalog, DCT.modified) is None
    mandatory = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        mandatory.parse(SHAPES_DIR / name, format="turtle")
    conforms, text = shacl(g, mandatory)
    assert conforms, text


def test_dates_and_media_types_as_the_database_gives_them():
    data = catalog_data()
    data["modified"] = None
    first = data["datasets"][0]["versions"][0]
    first["files"][1]["media_type"] = "text/csv; charset=utf-8"
    g = build_catalog(data)
    catalog = URIRef(data["catalog_uri"])
    assert str(g.value(catalog, DCT.modified)) == "2026-03-31T09:15:02+00:00"  # the latest release
    assert str(g.value(catalog, DCT.issued)) == "2025-11-20T08:30:00+00:00"  # the first release
    dist = URIRef(f"{first['uri']}#file-{quote(first['files'][1]['name'], safe='')}")
    assert g.value(dist, DCAT.mediaType) == URIRef("http://www.iana.org/assignments/media-types/text/csv")
