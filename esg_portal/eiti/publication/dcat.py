"""The DCAT-AP 3 catalogue of every published release (``/catalog.jsonld``, ``/catalog.ttl``).

Pure: plain data in, an :class:`rdflib.Graph` out; no Flask, no database. The caller reads the
periods and releases and passes them as ``data``::

    {"base_url": "https://eiti.example.kg",              # no trailing slash
     "catalog_uri": "https://eiti.example.kg/catalog",
     "title": {"ky": str, "ru": str, "en": str},         # every multilingual value needs ky, ru and en
     "description": {"ky", "ru", "en"},
     "publisher": {"name": {"ky", "ru", "en"},
                   "uri": "https://eiti.example.kg/#publisher",
                   "email": "mailto:eiti@example.kg"},   # "mailto:" is added when missing
     "homepage": "https://eiti.example.kg/",
     "modified": "2026-03-31T09:15:02Z",                 # when it last changed; None: the latest release
     "datasets": [{                                      # one per period that has a release
         "year": 2024,
         "identifier": "KGZ-EITI-2024",                  # stable: CKAN keys the dataset on it
         "uri": "https://eiti.example.kg/open-data/2024",
         "title": {"ky", "ru", "en"}, "description": {"ky", "ru", "en"},
         "start_date": "2024-01-01", "end_date": "2024-12-31",
         "landing_page": "https://eiti.example.kg/open-data/2024",
         "versions": [                                   # oldest first; the last is the latest
             {"version": 1,
              "uri": "https://eiti.example.kg/open-data/2024/v1",
              "issued": "2026-03-31T09:15:02Z",
              "kind": "published",                       # or "imported"
              "files": [{"name": "Part 4 - Government revenues.csv",
                         "media_type": "text/csv",
                         "bytes": 1234,
                         "sha256": "<64 hex digits>",
                         "download_url": "https://eiti.example.kg/open-data/2024/v1/Part%204%20-%20Government%20revenues.csv",
                         "access_url": "https://eiti.example.kg/open-data/2024/v1/"}]}]}]}

Times may be ISO 8601 strings or ``datetime`` objects (naive ones are taken as UTC); dates may be
strings or ``date`` objects. Bad input (a missing language, a malformed checksum, versions out
of order, a period without a release, a file named twice) raises :class:`ValueError`.

What the graph holds:

* one ``dcat:Catalog`` listing every dataset below (``dcat:dataset``);
* per period a ``dcat:Dataset`` at the period's URI with ``dct:identifier``; its distributions are
  the files of the latest release; ``dcat:hasVersion`` (and ``dct:hasVersion``, which ckanext-dcat
  reads) links every version, ``dcat:hasCurrentVersion`` the latest;
* per release a ``dcat:Dataset`` at ``{base}/open-data/{year}/v{n}`` with ``dct:identifier``
  ``{identifier}-v{n}``, ``dcat:version`` / ``owl:versionInfo``, ``dcat:isVersionOf`` (and
  ``dct:isVersionOf``) back to the period, ``dcat:previousVersion`` and its own distributions;
* per file a ``dcat:Distribution`` at ``{version uri}#file-{quoted file name}`` (CKAN matches
  resources on it) with ``dcat:accessURL``, ``dcat:downloadURL``, IANA ``dcat:mediaType``, EU
  ``dct:format``, ``dcat:byteSize`` (xsd:nonNegativeInteger), ``spdx:checksum`` (sha256,
  xsd:hexBinary), CC BY 4.0 and, for the Summary Data Template and BODS files, ``dct:conformsTo``.

Every referenced vocabulary node carries its class (``dct:LinguisticSystem``, ``dct:MediaType``,
``dct:Location``, ``skos:Concept`` …) so the DCAT-AP 3.0.1 shapes, range shapes and recommended
shapes all pass without inference. Blank nodes (checksums, periods of time) get labels derived
from their owner, so the same input always serialises to the same bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

LANGS = ("ky", "ru", "en")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")

PREFIXES = {"dcat": DCAT, "dct": DCT, "foaf": FOAF, "vcard": VCARD, "spdx": SPDX, "skos": SKOS,
            "adms": ADMS, "owl": OWL, "dcatap": DCATAP, "gsp": GSP, "xsd": XSD}
#: the inline @context of /catalog.jsonld: prefixes only, so every reader can expand it offline
JSONLD_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

_EU = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
LICENSE = URIRef("http://creativecommons.org/licenses/by/4.0/")
LICENSE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/NationalAuthority")
LANGUAGES = {"ky": URIRef(_EU + "language/KIR"), "ru": URIRef(_EU + "language/RUS"),
             "en": URIRef(_EU + "language/ENG")}
COUNTRY = URIRef(_EU + "country/KGZ")
#: approximate extent and centre of the Kyrgyz Republic (WGS 84 longitude latitude)
COUNTRY_BBOX = "POLYGON((69.2 39.1,80.3 39.1,80.3 43.3,69.2 43.3,69.2 39.1))"
COUNTRY_CENTROID = "POINT(74.8 41.5)"
ANNUAL = URIRef(_EU + "frequency/ANNUAL")
PUBLIC = URIRef(_EU + "access-right/PUBLIC")
STABLE = URIRef(_EU + "planned-availability/STABLE")
THEME_SCHEME = URIRef(_EU + "data-theme")
THEMES = {URIRef(_EU + "data-theme/ECON"): "Economy and finance",
          URIRef(_EU + "data-theme/GOVE"): "Government and public sector"}
FILE_TYPES = {".csv": "CSV", ".xlsx": "XLSX", ".xls": "XLS", ".json": "JSON", ".jsonld": "JSON_LD",
              ".pdf": "PDF", ".xml": "XML", ".zip": "ZIP", ".ttl": "RDF_TURTLE", ".txt": "TXT"}

SDT = URIRef("https://eiti.org/document/eiti-summary-data-template")
BODS = URIRef("https://standard.openownership.org/en/0.4.0/")
STANDARDS = {SDT: "EITI Summary Data Template 2.0", BODS: "Beneficial Ownership Data Standard 0.4"}

KEYWORDS = {
    "en": ("EITI", "extractive industries", "mining", "government revenues", "transparency",
           "Kyrgyz Republic"),
    "ru": ("ИПДО", "добывающие отрасли", "горнодобывающая отрасль", "доходы государства",
           "прозрачность", "Кыргызская Республика"),
    "ky": ("КТАД", "кен казып алуу тармактары", "кен казуу тармагы", "мамлекеттин кирешелери",
           "ачык-айкындуулук", "Кыргыз Республикасы"),
}

VERSION_NOTES = {
    "published": {"en": "Built by the portal from the accepted company filings, government receipts "
                        "and reconciliation of the period.",
                  "ru": "Сформировано порталом из принятых отчётов компаний, поступлений государства "
                        "и сверки за период.",
                  "ky": "Портал мезгилдин кабыл алынган компания отчетторунан, мамлекеттин "
                        "түшүүлөрүнөн жана салыштырып текшерүүсүнөн түзгөн."},
    "imported": {"en": "Historic EITI data imported from a Summary Data Template workbook or its "
                       "Part CSV files.",
                 "ru": "Исторические данные ИПДО, импортированные из книги шаблона сводных данных "
                       "или её CSV-файлов по частям.",
                 "ky": "Жыйынтык маалыматтар үлгүсүнүн китебинен же анын бөлүктөрүнүн CSV "
                       "файлдарынан импорттолгон КТАД тарыхый маалыматтары."},
}

_REPORT_LANG = {"ky": {"en": "Kyrgyz", "ru": "на кыргызском языке", "ky": "кыргыз тилинде"},
                "ru": {"en": "Russian", "ru": "на русском языке", "ky": "орус тилинде"},
                "en": {"en": "English", "ru": "на английском языке", "ky": "англис тилинде"}}

#: titles of the files of a release (INTERFACES §6); "{year}" is filled in
FILE_TITLES: dict[str, dict[str, str]] = {
    "summary-data-{year}.xlsx": {
        "en": "EITI summary data {year} (Summary Data Template 2.0)",
        "ru": "Сводные данные ИПДО за {year} год (шаблон сводных данных 2.0)",
        "ky": "{year}-жыл үчүн КТАД жыйынтык маалыматтары (жыйынтык маалыматтар үлгүсү 2.0)"},
    "Part 1 - About.csv": {
        "en": "Summary data, Part 1: about the data",
        "ru": "Сводные данные, часть 1: общие сведения",
        "ky": "Жыйынтык маалыматтар, 1-бөлүк: жалпы маалымат"},
    "Part 3 - Reporting companies' list.csv": {
        "en": "Summary data, Part 3: reporting companies",
        "ru": "Сводные данные, часть 3: отчитывающиеся компании",
        "ky": "Жыйынтык маалыматтар, 3-бөлүк: отчет берүүчү компаниялар"},
    "Part 3 - Reporting government entities list.csv": {
        "en": "Summary data, Part 3: reporting government entities",
        "ru": "Сводные данные, часть 3: отчитывающиеся государственные органы",
        "ky": "Жыйынтык маалыматтар, 3-бөлүк: отчет берүүчү мамлекеттик органдар"},
    "Part 3 - Reporting projects' list.csv": {
        "en": "Summary data, Part 3: projects",
        "ru": "Сводные данные, часть 3: проекты",
        "ky": "Жыйынтык маалыматтар, 3-бөлүк: долбоорлор"},
    "Part 4 - Government revenues.csv": {
        "en": "Summary data, Part 4: government revenues",
        "ru": "Сводные данные, часть 4: доходы государства",
        "ky": "Жыйынтык маалыматтар, 4-бөлүк: мамлекеттин кирешелери"},
    "Part 5 - Company data.csv": {
        "en": "Summary data, Part 5: company data",
        "ru": "Сводные данные, часть 5: данные компаний",
        "ky": "Жыйынтык маалыматтар, 5-бөлүк: компаниялардын маалыматтары"},
    "reconciliation.csv": {
        "en": "Reconciliation of company payments and government receipts (CSV)",
        "ru": "Сверка платежей компаний и поступлений государства (CSV)",
        "ky": "Компаниялардын төлөмдөрүн жана мамлекеттин түшүүлөрүн салыштырып текшерүү (CSV)"},
    "reconciliation.xlsx": {
        "en": "Reconciliation of company payments and government receipts (Excel)",
        "ru": "Сверка платежей компаний и поступлений государства (Excel)",
        "ky": "Компаниялардын төлөмдөрүн жана мамлекеттин түшүүлөрүн салыштырып текшерүү (Excel)"},
    "eia.csv": {
        "en": "Environmental impact assessments (EIA)",
        "ru": "Оценки воздействия на окружающую среду (ОВОС)",
        "ky": "Айлана-чөйрөгө таасирди баалоо (АЧТБ)"},
    "social_agreements.csv": {
        "en": "Social agreements with local governments",
        "ru": "Социальные соглашения с органами местного самоуправления",
        "ky": "Жергиликтүү өз алдынча башкаруу органдары менен социалдык макулдашуулар"},
    "public_hearings.csv": {
        "en": "Public hearings",
        "ru": "Общественные слушания",
        "ky": "Коомдук угуулар"},
    "workforce.csv": {
        "en": "Workforce",
        "ru": "Персонал",
        "ky": "Кызматкерлер курамы"},
    "production.csv": {
        "en": "Production",
        "ru": "Производство",
        "ky": "Өндүрүш"},
    "beneficial_owners.json": {
        "en": "Beneficial ownership data (BODS 0.4 JSON)",
        "ru": "Данные о бенефициарных собственниках (BODS 0.4 JSON)",
        "ky": "Бенефициардык ээлер боюнча маалыматтар (BODS 0.4 JSON)"},
    "data.json": {
        "en": "All data of the release (JSON)",
        "ru": "Все данные выпуска (JSON)",
        "ky": "Чыгарылыштын бардык маалыматтары (JSON)"},
    "datapackage.json": {
        "en": "Data package descriptor (Frictionless Data Package)",
        "ru": "Описание пакета данных (Frictionless Data Package)",
        "ky": "Маалыматтар топтомунун сүрөттөмөсү (Frictionless Data Package)"},
    "changes.json": {
        "en": "Changes against the previous version",
        "ru": "Изменения по сравнению с предыдущей версией",
        "ky": "Мурунку версияга салыштырмалуу өзгөртүүлөр"},
    "manifest.json": {
        "en": "Manifest of the release: file names, sizes and SHA-256",
        "ru": "Манифест выпуска: имена файлов, размеры и SHA-256",
        "ky": "Чыгарылыштын манифести: файлдардын аттары, көлөмдөрү жана SHA-256"},
}

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_REPORT = re.compile(r"report-(\d{4})-(ky|ru|en)\.pdf")
_SDT_FILES = re.compile(r"(summary-data-\d{4}\.xlsx|Part \d - .+\.csv)")


def build_catalog(data: Mapping[str, Any]) -> Graph:
    """The catalogue graph of ``data`` (shape in the module docstring)."""
    g = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)

    catalog = URIRef(_text(data, "catalog_uri"))
    homepage = URIRef(_text(data, "homepage"))
    publisher = _publisher(g, data.get("publisher") or {}, homepage)
    contact = _contact(g, data, homepage)
    _vocabularies(g)

    g.add((catalog, RDF.type, DCAT.Catalog))
    _multilingual(g, catalog, DCT.title, data.get("title"), "title")
    _multilingual(g, catalog, DCT.description, data.get("description"), "description")
    g.add((catalog, DCT.publisher, publisher))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((catalog, DCT.license, LICENSE))
    g.add((catalog, DCT.spatial, COUNTRY))
    g.add((catalog, DCAT.themeTaxonomy, THEME_SCHEME))
    for language in LANGUAGES.values():
        g.add((catalog, DCT.language, language))

    context = {"publisher": publisher, "contact": contact}
    first_issued: list[dt.datetime] = []
    seen: set[str] = set()
    for period in data.get("datasets") or ():
        for dataset, issued in _period(g, period, context):
            if str(dataset) in seen:
                raise ValueError(f"dataset {dataset} appears twice")
            seen.add(str(dataset))
            g.add((catalog, DCAT.dataset, dataset))
            first_issued.append(issued)
    if data.get("modified") is not None:
        modified = _parse_datetime(data["modified"], "modified")
    else:
        modified = max(first_issued) if first_issued else None
    if modified is not None:  # an empty catalogue (nothing published yet) has no dates
        g.add((catalog, DCT.modified, Literal(modified)))
        g.add((catalog, DCT.issued, Literal(min(first_issued) if first_issued else modified)))
    return g


def catalog_jsonld(graph: Graph) -> bytes:
    """JSON-LD (UTF-8) of ``graph`` with the inline prefix ``@context`` of :data:`JSONLD_CONTEXT`.

    rdflib writes nodes and values in hash order; they are sorted here (by ``@id``, and values by
    their JSON) so the same graph always gives the same bytes, and so the same ETag.
    """
    document = json.loads(graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True))
    nodes = document.get("@graph")
    if isinstance(nodes, list):
        for node in nodes:
            for key, value in node.items():
                if isinstance(value, list):
                    node[key] = sorted(value, key=_json_key)
        nodes.sort(key=lambda node: str(node.get("@id", "")))
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def catalog_turtle(graph: Graph) -> bytes:
    """Turtle (UTF-8) of ``graph``."""
    return graph.serialize(format="turtle", encoding="utf-8")


# --- the parts -----------------------------------------------------------------------------------

def _period(g: Graph, period: Mapping[str, Any], context: dict[str, URIRef]):
    """Add one period with its versions; yield (dataset, first issued) of each dataset added."""
    year = period.get("year")
    if not isinstance(year, int):
        raise ValueError(f"dataset year must be an integer, not {year!r}")
    identifier = _text(period, "identifier")
    uri = URIRef(_text(period, "uri"))
    title = _languages(period.get("title"), f"title of {identifier}")
    description = _languages(period.get("description"), f"description of {identifier}")
    versions = list(period.get("versions") or ())
    if not versions:
        raise ValueError(f"{identifier}: a period in the catalogue needs at least one release")
    numbers = [v.get("version") for v in versions]
    if not all(isinstance(n, int) and n > 0 for n in numbers) or numbers != sorted(set(numbers)):
        raise ValueError(f"{identifier}: versions must be positive integers, oldest first: {numbers}")

    temporal = BNode(_label("temporal", uri))
    g.add((temporal, RDF.type, DCT.PeriodOfTime))
    g.add((temporal, DCAT.startDate, _date(period.get("start_date"), f"{identifier} start_date")))
    g.add((temporal, DCAT.endDate, _date(period.get("end_date"), f"{identifier} end_date")))

    issued = [_parse_datetime(v.get("issued"), f"{identifier} v{v['version']} issued") for v in versions]
    landing = URIRef(_text(period, "landing_page"))

    _dataset(g, uri, identifier, title, description, temporal, landing, context)
    g.add((uri, DCT.accrualPeriodicity, ANNUAL))
    g.add((uri, DCT.issued, Literal(issued[0])))
    g.add((uri, DCT.modified, Literal(issued[-1])))
    latest = versions[-1]["version"]
    g.add((uri, DCAT.version, Literal(str(latest))))
    g.add((uri, OWL.versionInfo, Literal(str(latest))))
    yield uri, issued[0]

    previous = None
    for version, when in zip(versions, issued):
        n = version["version"]
        v_uri = URIRef(_text(version, "uri"))
        kind = version.get("kind")
        if kind not in VERSION_NOTES:
            raise ValueError(f"{identifier} v{n}: kind must be one of {sorted(VERSION_NOTES)}, not {kind!r}")
        v_title = {lang: _version_title(title[lang], n, lang) for lang in LANGS}
        v_description = {lang: f"{description[lang]} {_version_phrase(n, lang)}." for lang in LANGS}
        _dataset(g, v_uri, f"{identifier}-v{n}", v_title, v_description, temporal, v_uri, context)
        g.add((v_uri, DCT.issued, Literal(when)))
        g.add((v_uri, DCT.modified, Literal(when)))
        g.add((v_uri, DCAT.version, Literal(str(n))))
        g.add((v_uri, OWL.versionInfo, Literal(str(n))))
        for lang, note in VERSION_NOTES[kind].items():
            g.add((v_uri, ADMS.versionNotes, Literal(note, lang=lang)))
        for link in (DCAT.isVersionOf, DCT.isVersionOf):
            g.add((v_uri, link, uri))
        for link in (DCAT.hasVersion, DCT.hasVersion):
            g.add((uri, link, v_uri))
        if previous is not None:
            g.add((v_uri, DCAT.previousVersion, previous))
        distributions = _files(g, version, v_uri, year, n, when)
        for distribution in distributions:
            g.add((v_uri, DCAT.distribution, distribution))
        if n == latest:
            g.add((uri, DCAT.hasCurrentVersion, v_uri))
            for distribution in distributions:
                g.add((uri, DCAT.distribution, distribution))
        previous = v_uri
        yield v_uri, when


def _dataset(g: Graph, uri: URIRef, identifier: str, title: dict[str, str], description: dict[str, str],
             temporal: BNode, landing: URIRef, context: dict[str, URIRef]) -> None:
    """What a period's dataset and a version's dataset have in common."""
    g.add((uri, RDF.type, DCAT.Dataset))
    g.add((uri, DCT.identifier, Literal(identifier)))
    for lang in LANGS:
        g.add((uri, DCT.title, Literal(title[lang], lang=lang)))
        g.add((uri, DCT.description, Literal(description[lang], lang=lang)))
        for keyword in KEYWORDS[lang]:
            g.add((uri, DCAT.keyword, Literal(keyword, lang=lang)))
        g.add((uri, DCT.language, LANGUAGES[lang]))
    g.add((uri, DCT.publisher, context["publisher"]))
    g.add((uri, DCAT.contactPoint, context["contact"]))
    g.add((uri, DCT.temporal, temporal))
    g.add((uri, DCT.spatial, COUNTRY))
    g.add((uri, DCT.accessRights, PUBLIC))
    for theme in THEMES:
        g.add((uri, DCAT.theme, theme))
    g.add((uri, DCAT.landingPage, landing))
    g.add((landing, RDF.type, FOAF.Document))


def _files(g: Graph, version: Mapping[str, Any], v_uri: URIRef, year: int, n: int,
           issued: dt.datetime) -> list[URIRef]:
    distributions: list[URIRef] = []
    names: set[str] = set()
    for file in version.get("files") or ():
        name = _text(file, "name")
        where = f"{v_uri} file {name!r}"
        if name in names:
            raise ValueError(f"{where}: named twice")
        names.add(name)
        size, sha256 = file.get("bytes"), file.get("sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"{where}: bytes must be a non-negative integer, not {size!r}")
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError(f"{where}: sha256 must be 64 hexadecimal digits")

        dist = URIRef(f"{v_uri}#file-{quote(name, safe='')}")
        distributions.append(dist)
        g.add((dist, RDF.type, DCAT.Distribution))
        titles = file_titles(name, year)
        for lang in LANGS:
            g.add((dist, DCT.title, Literal(titles[lang], lang=lang)))
            g.add((dist, DCT.description, Literal(_file_description(name, year, n, lang), lang=lang)))
        g.add((dist, DCAT.accessURL, URIRef(_text(file, "access_url"))))
        g.add((dist, DCAT.downloadURL, URIRef(_text(file, "download_url"))))
        media_type = str(file.get("media_type") or "").split(";")[0].strip().lower()
        if media_type:
            if media_type.count("/") != 1:
                raise ValueError(f"{where}: media_type {media_type!r} is not type/subtype")
            iana = URIRef(IANA_MEDIA_TYPES + media_type)
            g.add((dist, DCAT.mediaType, iana))
            g.add((iana, RDF.type, DCT.MediaType))
        file_type = FILE_TYPES.get(_extension(name))
        if file_type:
            fmt = URIRef(_EU + "file-type/" + file_type)
            g.add((dist, DCT["format"], fmt))
            g.add((fmt, RDF.type, DCT.MediaTypeOrExtent))
        g.add((dist, DCAT.byteSize, Literal(str(size), datatype=XSD.nonNegativeInteger)))
        checksum = BNode(_label("sha256", dist))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(sha256.lower(), datatype=XSD.hexBinary)))
        g.add((dist, DCT.license, LICENSE))
        g.add((dist, DCATAP.availability, STABLE))
        g.add((dist, DCT.issued, Literal(issued)))
        standard = _standard(name)
        if standard is not None:
            g.add((dist, DCT.conformsTo, standard))
        report = _REPORT.fullmatch(name)
        if report:
            g.add((dist, DCT.language, LANGUAGES[report.group(2)]))
    return distributions


def _publisher(g: Graph, publisher: Mapping[str, Any], homepage: URIRef) -> URIRef:
    uri = URIRef(_text(publisher, "uri"))
    g.add((uri, RDF.type, FOAF.Agent))
    g.add((uri, RDF.type, FOAF.Organization))
    _multilingual(g, uri, FOAF.name, publisher.get("name"), "publisher name")
    g.add((uri, DCT.type, PUBLISHER_TYPE))
    g.add((uri, FOAF.homepage, homepage))
    g.add((uri, FOAF.mbox, URIRef(_mailto(publisher))))
    return uri


def _contact(g: Graph, data: Mapping[str, Any], homepage: URIRef) -> URIRef:
    publisher = data.get("publisher") or {}
    uri = URIRef(_text(data, "base_url").rstrip("/") + "/#contact")
    g.add((uri, RDF.type, VCARD.Kind))
    g.add((uri, RDF.type, VCARD.Organization))
    _multilingual(g, uri, VCARD.fn, publisher.get("name"), "publisher name")
    g.add((uri, VCARD.hasEmail, URIRef(_mailto(publisher))))
    g.add((uri, VCARD.hasURL, homepage))
    return uri


def _vocabularies(g: Graph) -> None:
    """The classes (and labels) of the controlled-vocabulary nodes the shapes look at."""
    for language in LANGUAGES.values():
        g.add((language, RDF.type, DCT.LinguisticSystem))
    g.add((COUNTRY, RDF.type, DCT.Location))
    g.add((COUNTRY, DCAT.bbox, Literal(COUNTRY_BBOX, datatype=GSP.wktLiteral)))
    g.add((COUNTRY, DCAT.centroid, Literal(COUNTRY_CENTROID, datatype=GSP.wktLiteral)))
    g.add((ANNUAL, RDF.type, DCT.Frequency))
    g.add((PUBLIC, RDF.type, DCT.RightsStatement))
    g.add((LICENSE, RDF.type, DCT.LicenseDocument))
    g.add((LICENSE, DCT.title, Literal("Creative Commons Attribution 4.0 International", lang="en")))
    g.add((LICENSE, DCT.type, LICENSE_TYPE))
    concepts = {LICENSE_TYPE: "Attribution", PUBLISHER_TYPE: "National authority", STABLE: "Stable",
                **THEMES}
    for concept, label in concepts.items():
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
    for theme in THEMES:
        g.add((theme, SKOS.inScheme, THEME_SCHEME))
    g.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((THEME_SCHEME, DCT.title, Literal("Data theme", lang="en")))
    for standard, title in STANDARDS.items():
        g.add((standard, RDF.type, DCT.Standard))
        g.add((standard, DCT.title, Literal(title, lang="en")))


# --- file titles ---------------------------------------------------------------------------------

def file_titles(name: str, year: int) -> dict[str, str]:
    """The ky/ru/en title of a release file: from :data:`FILE_TITLES`, else the file name."""
    known = FILE_TITLES.get(name.replace(str(year), "{year}"))
    if known:
        return {lang: known[lang].format(year=year) for lang in LANGS}
    report = _REPORT.fullmatch(name)
    if report:
        in_lang = _REPORT_LANG[report.group(2)]
        return {"en": f"EITI report {year} ({in_lang['en']}, PDF)",
                "ru": f"Отчёт ИПДО за {year} год ({in_lang['ru']}, PDF)",
                "ky": f"{year}-жыл үчүн КТАД отчету ({in_lang['ky']}, PDF)"}
    if name.startswith("attachments/"):
        base = name.rsplit("/", 1)[-1]
        return {"en": f"Attached document {base}", "ru": f"Приложенный документ {base}",
                "ky": f"Тиркелген документ {base}"}
    return {lang: name for lang in LANGS}


def _file_description(name: str, year: int, n: int, lang: str) -> str:
    return {"en": f"File “{name}” of version {n} of the EITI open data of the Kyrgyz Republic for {year}.",
            "ru": f"Файл «{name}» версии {n} открытых данных ИПДО Кыргызской Республики за {year} год.",
            "ky": f"Кыргыз Республикасынын {year}-жыл үчүн КТАД ачык маалыматтарынын {n}-версиясындагы "
                  f"«{name}» файлы."}[lang]


def _version_title(title: str, n: int, lang: str) -> str:
    return {"en": f"{title} (version {n})", "ru": f"{title} (версия {n})", "ky": f"{title} ({n}-версия)"}[lang]


def _version_phrase(n: int, lang: str) -> str:
    return {"en": f"Version {n}", "ru": f"Версия {n}", "ky": f"{n}-версия"}[lang]


def _standard(name: str) -> URIRef | None:
    if _SDT_FILES.fullmatch(name):
        return SDT
    if name == "beneficial_owners.json":
        return BODS
    return None


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base[base.rfind("."):].lower() if "." in base else ""


# --- values --------------------------------------------------------------------------------------

def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-empty string, not {value!r}")
    return value.strip()


def _languages(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a mapping of ky, ru and en")
    missing = [lang for lang in LANGS if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        raise ValueError(f"{what} lacks {', '.join(missing)}")
    return {lang: value[lang].strip() for lang in LANGS}


def _multilingual(g: Graph, subject: URIRef, predicate: URIRef, value: Any, what: str) -> None:
    for lang, text in _languages(value, what).items():
        g.add((subject, predicate, Literal(text, lang=lang)))


def _mailto(publisher: Mapping[str, Any]) -> str:
    email = _text(publisher, "email")
    return email if email.lower().startswith("mailto:") else f"mailto:{email}"


def _parse_datetime(value: Any, what: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not an ISO 8601 date-time") from None
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{what}: {value!r} is not a date-time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _date(value: Any, what: str) -> Literal:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not an ISO 8601 date") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"{what}: {value!r} is not a date")
    return Literal(value)


def _json_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _label(kind: str, owner: URIRef) -> str:
    """A blank-node label that depends only on its owner: the same input gives the same bytes."""
    return f"{kind}-{hashlib.sha256(str(owner).encode()).hexdigest()[:16]}"
