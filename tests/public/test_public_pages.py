"""The public pages on the published demo: every page answers for a visitor in three languages, figures
equal the release's files, nothing unpublished or personal appears, charts come with their table and
CSV, pages are light and revalidated by ETag."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from publication_support import YEAR, publish
from esg_portal.accounts.models import User
from esg_portal.eiti.publication.models import Release, ReleaseFile
from esg_portal.extensions import db
from esg_portal.reference.models import Region, Site

LANGS = ("ky", "ru", "en")
MAX_BYTES = 150 * 1024


@pytest.fixture
def published(demo: Flask) -> Flask:
    assert publish(demo).status_code == 201
    return demo


def _data(app: Flask) -> dict:
    with app.app_context():
        release = db.session.scalar(select(Release).order_by(Release.id.desc()).limit(1))
        stored = db.session.scalar(select(ReleaseFile).where(ReleaseFile.release_id == release.id,
                                                             ReleaseFile.name == "data.json"))
        return json.loads(stored.content)


def _paths(app: Flask, data: dict) -> list[str]:
    with app.app_context():
        regions = list(db.session.scalars(select(Region.code)))
        sites = list(db.session.scalars(select(Site.code)))
    return (["/", "/companies", "/regions", "/sites", "/glossary", "/downloads", "/search?q=demo"]
            + [f"/companies/{c['inn']}" for c in data["companies"]] + [f"/regions/{code}" for code in regions]
            + [f"/sites/{code}" for code in sites])


def _number(text: str) -> Decimal:
    """A figure as the page shows it in English ("1,234,567.89") back to a Decimal."""
    return Decimal(text.replace(",", "").replace("\u00a0", "").split()[0])


def test_before_publication_the_pages_say_what_will_appear(demo: Flask) -> None:
    client = demo.test_client()
    for path in ("/", "/companies", "/downloads"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'id="nothing-published"' in response.get_data(as_text=True), path


def test_every_public_page_answers_light_in_every_language(published: Flask) -> None:
    data = _data(published)
    client = published.test_client()
    for path in _paths(published, data):
        for lang in LANGS:
            url = f"{path}{'&' if '?' in path else '?'}lang={lang}"
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert f'<html lang="{lang}"' in page
            assert len(response.data) < MAX_BYTES, f"{url}: {len(response.data)} bytes"
    assert client.get("/companies/00000000000000").status_code == 404
    assert client.get("/regions/ATLANTIS").status_code == 404
    assert client.get("/sites/NOWHERE").status_code == 404


def test_company_figures_equal_the_release_files(published: Flask) -> None:
    data = _data(published)
    client = published.test_client()
    inn = next(c["inn"] for c in data["companies"] if c.get("filing"))
    page = client.get(f"/companies/{inn}?lang=en").get_data(as_text=True)
    payments = [p for p in data["company_payments"] if p["company_inn"] == inn]
    total = sum(Decimal(p["amount"]) for p in payments if p["currency"] == "KGS")
    shown = re.search(r'id="paid-total"><span class="figure">([^<&]+)', page).group(1)
    assert _number(shown) == total
    table = page[page.index('id="payments"'):page.index("</table>", page.index('id="payments"'))]
    amounts = sorted(_number(a) for a in re.findall(r'<td class="num">([-0-9,.]+)&nbsp;', table))
    assert amounts == sorted(Decimal(p["amount"]) for p in payments)
    lines = [line for line in data["reconciliation"]["lines"] if line["company_inn"] == inn]
    assert page.count('class="status-') == len(lines)
    explained = [line for line in lines if line["explanation"]]
    for line in explained:
        assert "Timing difference" in page or "difference" in page
    # the CSV behind the chart is exactly the chart's table
    csv_response = client.get(f"/charts/company/by-stream.csv?inn={inn}&year={YEAR}&lang=en")
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Revenue stream", "Amount, KGS"]
    assert sum(Decimal(value) for _label, value in rows[1:]) == total
    assert "<svg" in page and "<title" in page and 'role="img"' in page


def test_home_totals_equal_the_release(published: Flask) -> None:
    data = _data(published)
    page = published.test_client().get("/?lang=en").get_data(as_text=True)
    total = sum(Decimal(r["amount"]) for r in data["government_revenues"] if r["currency"] == "KGS")
    shown = re.search(r'id="total-received"><span class="figure">([^<&]+)', page).group(1)
    assert _number(shown) == total
    rows = list(csv.reader(io.StringIO(published.test_client().get("/charts/home/by-stream.csv?lang=en")
                                       .data.decode("utf-8-sig"))))
    assert sum(Decimal(v) for _l, v in rows[1:]) == total
    assert published.test_client().get("/charts/home/no-such-chart.csv").status_code == 404


def test_nothing_unpublished_or_personal_reaches_a_public_page(published: Flask) -> None:
    data = _data(published)
    with published.app_context():
        emails = [u.email for u in db.session.scalars(select(User))]
    markers = ["PLANTED-UNDER-REVIEW", "PLANTED-DRAFT", "987654321.01", "987,654,321.01", "1959-07-13",
               "PLANTEDID-77", "Planted Attester Name", "planted-attester@mail.example", *emails]
    client = published.test_client()
    for path in _paths(published, data):
        page = client.get(path).get_data(as_text=True)
        for marker in markers:
            assert marker not in page, f"{marker} on {path}"


def test_pages_are_revalidated_by_etag(published: Flask) -> None:
    client = published.test_client()
    first = client.get("/regions?lang=ru")
    etag = first.headers["ETag"]
    again = client.get("/regions?lang=ru", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/regions?lang=ky", headers={"If-None-Match": etag}).status_code == 200


def test_search_finds_companies_sites_and_okmotus_in_any_language(published: Flask) -> None:
    data = _data(published)
    client = published.test_client()
    company = data["companies"][0]
    assert company["name"] in client.get(f"/search?q={company['inn']}").get_data(as_text=True)
    with published.app_context():
        site = db.session.scalar(select(Site).limit(1))
        ru, ky = site.name_ru, site.name_ky
    assert "/sites/" in client.get(f"/search?q={ru}").get_data(as_text=True)
    assert "/sites/" in client.get(f"/search?q={ky}").get_data(as_text=True)
    okmotu = next(a["counterparty_name"] for a in data["social_agreements"])
    assert okmotu in client.get(f"/search?q={okmotu[:8]}").get_data(as_text=True)
