"""The DCAT catalogue of every release, filled from the database for ``dcat.build_catalog``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask_babel import force_locale
from flask_babel import gettext as _

from ...disclosure.document import iso_utc
from . import dcat, services

LANGUAGES = ("en", "ru", "ky")


def _in_each_language(text) -> dict[str, str]:
    """A message in the three languages (``text`` is called under each locale)."""
    out = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            out[locale] = str(text())
    return out


def catalogue_data(base_url: str) -> dict[str, Any]:
    """The plain input of ``dcat.build_catalog``: one dataset per period, one version per release."""
    by_year: dict[int, list] = {}
    for release in services.all_releases():
        by_year.setdefault(release.period.year, []).append(release)
    datasets = []
    modified = None
    for year, releases in sorted(by_year.items()):
        period = releases[-1].period
        versions = []
        for release in releases:
            uri = f"{base_url}/open-data/{year}/v{release.version}"
            issued = iso_utc(release.published_at)
            modified = max(modified or issued, issued)
            versions.append({"version": release.version, "uri": uri, "issued": issued, "kind": release.kind.value,
                             "files": [{"name": f.name, "media_type": f.media_type, "bytes": f.size_bytes,
                                        "sha256": f.sha256, "access_url": f"{uri}/",
                                        "download_url": f"{uri}/{quote(f.name)}"} for f in release.files]})
        datasets.append({
            "year": year, "identifier": f"KGZ-EITI-{year}", "uri": f"{base_url}/open-data/{year}",
            "landing_page": f"{base_url}/open-data/{year}/v{releases[-1].version}/",
            "title": _in_each_language(lambda: _("EITI data of the Kyrgyz Republic, %(year)s", year=year)),
            "description": _in_each_language(lambda: _(
                "Payments of extractive companies to the state and government revenues of the Kyrgyz Republic for "
                "%(year)s in the EITI Summary Data Template format, with the reconciliation and the companies' "
                "environmental and social disclosures.", year=year)),
            "start_date": period.start_date.isoformat(), "end_date": period.end_date.isoformat(),
            "versions": versions})
    return {
        "base_url": base_url, "catalog_uri": f"{base_url}/catalog", "homepage": f"{base_url}/",
        "title": _in_each_language(lambda: _("Open data of the EITI of the Kyrgyz Republic")),
        "description": _in_each_language(lambda: _(
            "Every release of the ESG and EITI disclosures of the mining sector of the Kyrgyz Republic.")),
        "publisher": {"name": _in_each_language(lambda: _("EITI Secretariat of the Kyrgyz Republic")),
                      "uri": f"{base_url}/#publisher", "email": "mailto:eiti@example.kg"},
        "modified": modified,
        "datasets": datasets,
    }


def catalogue_jsonld(base_url: str, locale: str) -> bytes:
    return dcat.catalog_jsonld(dcat.build_catalog(catalogue_data(base_url)))


def catalogue_turtle(base_url: str, locale: str) -> bytes:
    return dcat.catalog_turtle(dcat.build_catalog(catalogue_data(base_url)))
