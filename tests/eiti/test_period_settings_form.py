"""The period settings' revenue streams table is one form (issue 12 §3): every row saved at once, all or
nothing; a refused save keeps every row's input with each error next to its field; every control has a
label pointing at a unique id, and the page has one CSRF field per form with no id repeated."""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from support import login, post_form
from esg_portal.accounts.models import Role
from esg_portal.extensions import db
from esg_portal.reference.models import PeriodStreamSetting, RevenueStream, StreamInclusion

URL = "/eiti/2025/settings"
SAVE = f"{URL}/streams"


@pytest.fixture
def secretariat(app, factory):
    factory.period(2025)
    factory.user(Role.SECRETARIAT, "sec@test.kg")
    client = app.test_client()
    login(client, "sec@test.kg")
    return client


class Page(HTMLParser):
    """The parts of a page the checks need: ids, labels, controls, forms and their CSRF fields."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.controls: list[dict[str, str]] = []  #: inputs (not hidden or buttons), selects and text areas
        self.forms: list[dict] = []  #: per form: its attributes, its controls' names and values
        self.errors: dict[str, str] = {}  #: id of an error paragraph → its text
        self._error: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "form":
            self.forms.append({"attrs": attributes, "fields": []})
        if tag == "label" and "for" in attributes:
            self.label_for.append(attributes["for"])
        if tag in ("input", "select", "textarea") and self.forms:
            self.forms[-1]["fields"].append(attributes)
        if tag in ("select", "textarea") or (tag == "input" and attributes.get("type") not in ("hidden", "submit")):
            self.controls.append({"tag": tag, **attributes})
        if tag == "p" and "error" in attributes.get("class", "").split():
            self._error = attributes.get("id", "")
            self.errors[self._error] = ""

    def handle_endtag(self, tag):
        if tag == "p":
            self._error = None

    def handle_data(self, data):
        if self._error is not None:
            self.errors[self._error] += data

    def streams_form(self) -> dict:
        [form] = [f for f in self.forms if f["attrs"].get("action", "").endswith("/settings/streams")]
        return form


def _streams(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(RevenueStream.code).order_by(RevenueStream.sort_order)))


def _settings(app) -> dict[str, tuple]:
    with app.app_context():
        return {s.revenue_stream.code: (s.inclusion, s.margin_bp, s.floor_minor)
                for s in db.session.scalars(select(PeriodStreamSetting))}


def _rows(app, **changed: tuple[str, str, str]) -> dict[str, str]:
    """Every stream row as the page posts it: defaults, with ``changed`` (code → inclusion, margin, floor)."""
    data = {}
    for index, code in enumerate(_streams(app)):
        inclusion, margin, floor = changed.get(code, ("included", "0", "0.00"))
        data.update({f"streams-{index}-code": code, f"streams-{index}-inclusion": inclusion,
                     f"streams-{index}-margin_pct": margin, f"streams-{index}-floor": floor})
    return data


def _index(app, code: str) -> int:
    return _streams(app).index(code)


def test_the_streams_table_is_one_form_with_one_csrf_field_and_labelled_controls(app, secretariat):
    page = Page(secretariat.get(URL).get_data(as_text=True))
    repeated = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not repeated, f"ids used more than once: {repeated}"
    unlabelled = [c for c in page.controls if c.get("id") not in page.label_for and not c.get("aria-labelledby")]
    assert not unlabelled, f"controls without a label: {unlabelled}"
    assert all(target in page.ids for target in page.label_for), "a label points at no element"
    form = page.streams_form()
    streams = _streams(app)
    names = [f.get("name") for f in form["fields"]]
    assert names.count("csrf_token") == 1
    for index, code in enumerate(streams):
        assert {f"streams-{index}-{n}" for n in ("code", "inclusion", "margin_pct", "floor")} <= set(names)
    controls = [f for f in form["fields"] if f.get("type") != "hidden"]
    assert len(controls) == 3 * len(streams)
    # every form of the page has one CSRF field, and no two share an id
    csrf = [f for each in page.forms for f in each["fields"] if f.get("name") == "csrf_token" and f.get("id")]
    assert len({f["id"] for f in csrf}) == len(csrf)
    # one button saves the table; no row has its own
    assert 'id="save-streams"' in secretariat.get(URL).get_data(as_text=True)
    assert not any(f'id="save-{code}"' in secretariat.get(URL).get_data(as_text=True) for code in streams[:3])


def test_every_row_is_saved_at_once(app, secretariat):
    rows = _rows(app, ROYALTY=("included", "1,5", "100 000"), CIT=("not_included", "", ""),
                 EXPORT_DUTY=("not_applicable", "2", "0"))
    response = post_form(secretariat, SAVE, rows, form_page=f"{URL}?lang=ru", query_string={"lang": "ru"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#streams")
    stored = _settings(app)
    assert set(stored) == set(_streams(app))
    assert stored["ROYALTY"] == (StreamInclusion.INCLUDED, 150, 10000000)
    assert stored["CIT"] == (StreamInclusion.NOT_INCLUDED, 0, 0)
    assert stored["EXPORT_DUTY"] == (StreamInclusion.NOT_APPLICABLE, 200, 0)
    # the page shows what was saved
    fields = {f.get("name"): f for f in Page(secretariat.get(URL).get_data(as_text=True)).streams_form()["fields"]}
    royalty = _index(app, "ROYALTY")
    assert (fields[f"streams-{royalty}-margin_pct"]["value"], fields[f"streams-{royalty}-floor"]["value"]) == (
        "1.50", "100000.00")


def test_one_bad_row_saves_nothing_and_every_row_keeps_its_input(app, secretariat):
    assert post_form(secretariat, SAVE, _rows(app, CIT=("included", "3", "50")), form_page=URL).status_code == 302
    before = _settings(app)
    rows = _rows(app, ROYALTY=("included", "101", "5"), CIT=("not_included", "4,25", "777"),
                 LICENCE_FEE=("included", "-1", "abc"))
    response = post_form(secretariat, SAVE, rows, form_page=URL)
    assert response.status_code == 422
    assert _settings(app) == before  # all or nothing: CIT's edit was not saved either
    html = response.get_data(as_text=True)
    page = Page(html)
    fields = {f.get("name"): f for f in page.streams_form()["fields"]}
    for name, value in rows.items():
        if not name.endswith("-inclusion"):
            assert fields[name].get("value") == value, name  # as typed, in every row
    royalty, cit, fee = (_index(app, code) for code in ("ROYALTY", "CIT", "LICENCE_FEE"))
    assert "exceed 100" in page.errors[f"streams-{royalty}-margin_pct-error"]
    assert "negative" in page.errors[f"streams-{fee}-margin_pct-error"]
    assert f"streams-{fee}-floor-error" in page.errors  # every error of every row is reported
    assert not any(key.startswith(f"streams-{cit}-") for key in page.errors)
    assert fields[f"streams-{royalty}-margin_pct"].get("aria-invalid") == "true"
    assert f"streams-{royalty}-margin_pct-error" in fields[f"streams-{royalty}-margin_pct"]["aria-describedby"]
    assert f'href="#streams-{royalty}-margin_pct"' in html and 'id="streams-errors"' in html
    assert 'value="not_included" selected' in html or 'selected value="not_included"' in html


def test_after_correcting_the_bad_row_every_row_is_saved(app, secretariat):
    rows = _rows(app, ROYALTY=("included", "101", "5"), CIT=("not_included", "4.25", "777"))
    assert post_form(secretariat, SAVE, rows, form_page=URL).status_code == 422
    rows[f"streams-{_index(app, 'ROYALTY')}-margin_pct"] = "10"
    assert post_form(secretariat, SAVE, rows, form_page=URL).status_code == 302
    stored = _settings(app)
    assert stored["ROYALTY"] == (StreamInclusion.INCLUDED, 1000, 500)
    assert stored["CIT"] == (StreamInclusion.NOT_INCLUDED, 425, 77700)


def test_an_unknown_stream_saves_nothing(app, secretariat):
    rows = _rows(app, ROYALTY=("included", "1", "1"))
    rows.update({"streams-99-code": "NOPE", "streams-99-inclusion": "included"})
    assert post_form(secretariat, SAVE, rows, form_page=URL).status_code == 404
    assert _settings(app) == {}


def test_the_single_row_address_still_answers_with_the_whole_table(app, secretariat):
    response = post_form(secretariat, f"{URL}/streams/ROYALTY", {"inclusion": "included", "margin_pct": "101",
                                                                 "floor": "0"}, form_page=URL)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    royalty = _index(app, "ROYALTY")
    assert "exceed 100" in next(text for key, text in page.errors.items() if key.endswith("margin_pct-error"))
    fields = {f.get("name"): f for f in page.streams_form()["fields"]}
    codes = [f.get("value") for name, f in fields.items() if name and name.endswith("-code")]
    assert sorted(codes) == sorted(_streams(app))  # every row is there, the posted one as typed
    assert any(f.get("value") == "101" for name, f in fields.items() if name and name.endswith("-margin_pct"))
    assert royalty >= 0 and _settings(app) == {}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPANY_FILER, Role.AGENCY_OFFICER])
def test_only_the_secretariat_saves_the_streams(app, factory, role):
    factory.period(2025)
    company = factory.company() if role is Role.COMPANY_FILER else None
    factory.user(role, "someone@test.kg", company_id=company, agency_code="STS" if role is Role.AGENCY_OFFICER else None)
    client = app.test_client()
    login(client, "someone@test.kg")
    assert post_form(client, SAVE, _rows(app, ROYALTY=("included", "1", "1")), form_page="/").status_code == 403
    anonymous = post_form(app.test_client(), SAVE, _rows(app), form_page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert _settings(app) == {}
