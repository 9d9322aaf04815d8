"""One receipt of the officer's draft edited or deleted on its own page, the draft downloaded as CSV and XLSX
(and uploaded again unchanged), and the XLSX template with drop-downs (issue 12 §3)."""
from __future__ import annotations

import csv
import io
import html as html_lib
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from support import form_fields, login, post_form
from esg_portal.accounts.models import Role
from esg_portal.audit import AuditEvent
from esg_portal.companies.models import Company
from esg_portal.extensions import db
from esg_portal.receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from esg_portal.receipts.schemas import RECEIPT_COLUMNS, load_receipt_lookups, parse_receipt_rows
from esg_portal.reference.models import GovernmentEntity, PeriodStatus
from esg_portal.tabular import UploadRejected

PAGE = "/receipts/2025"
OWN_INN, OTHER_INN = "01234567890123", "00000000000777"


@pytest.fixture
def draft(app, factory) -> dict[str, int]:
    """An open 2025 period whose STS draft holds two receipts; officers of the STS and the SCS, a filer and staff."""
    period = factory.period(2025)
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn=OTHER_INN)
    licence = factory.licence(own, "0001-AP")  # a leading zero must survive the files
    ids = {
        "period": period, "own": own, "other": other, "licence": licence,
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS"),
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own, is_signatory=True),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "batch": factory.receipt_batch("STS", period, [(own, "ROYALTY", "1000.50"), (other, "CIT", "20000.00")],
                                       status=BatchStatus.DRAFT),
    }
    with app.app_context():
        batch = db.session.get(ReceiptBatch, ids["batch"])
        royalty, cit = batch.receipts
        royalty.license_id = licence
        cit.comment = "Ак-Түз айылы"
        db.session.commit()
        ids["royalty"], ids["cit"] = royalty.id, cit.id
    return ids


def _client(app, email: str = "officer@test.kg"):
    client = app.test_client()
    login(client, email)
    return client


def _stored(app, batch_id: int) -> list[tuple]:
    """(inn, stream, licence, amount_minor, currency, comment) per receipt of the batch, in key order."""
    with app.app_context():
        batch = db.session.get(ReceiptBatch, batch_id)
        return sorted((r.company.inn, r.revenue_stream.code, r.license.number if r.license else None, r.amount_minor,
                       r.currency, r.comment) for r in batch.receipts)


def _row(**values) -> dict[str, str]:
    row = {"company_inn": OWN_INN, "company_name": "", "revenue_stream": "ROYALTY", "project": "0001-AP",
           "amount": "1000.50", "currency": "KGS", "comment": ""}
    row.update(values)
    return row


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


# --- the edit page -------------------------------------------------------------------------------

def test_the_edit_page_shows_the_stored_values_in_the_officers_notation(app, draft):
    officer = _client(app)
    page = officer.get(f"/receipts/lines/{draft['royalty']}/edit?lang=ru")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _value(html, "amount") == "1000,50"  # ru: the decimal comma, no grouping
    assert _value(html, "company_inn") == OWN_INN and _value(html, "project") == "0001-AP"
    assert re.search(r'<option selected value="ROYALTY">|<option value="ROYALTY" selected', html)
    with app.app_context():
        token = db.session.get(ReceiptBatch, draft["batch"]).revision_token
    assert _value(html, "revision") == token
    assert f'href="/receipts/lines/{draft["royalty"]}/delete"' in html
    english = officer.get(f"/receipts/lines/{draft['royalty']}/edit?lang=en").get_data(as_text=True)
    assert _value(english, "amount") == "1000.50"


def test_the_period_page_links_each_draft_receipt_to_its_edit_and_delete_pages(app, draft, factory):
    officer = _client(app)
    html = officer.get(PAGE).get_data(as_text=True)
    for receipt in ("royalty", "cit"):
        assert f'id="edit-receipt-{draft[receipt]}"' in html and f'id="delete-receipt-{draft[receipt]}"' in html
    assert 'href="/receipts/2025/receipts.csv"' in html and 'href="/receipts/2025/receipts.xlsx"' in html
    assert 'href="/receipts/2025/receipts-template.xlsx"' in html
    # a submitted version has no row actions
    with app.app_context():
        db.session.get(ReceiptBatch, draft["batch"]).status = BatchStatus.SUBMITTED
        db.session.commit()
    html = officer.get(PAGE).get_data(as_text=True)
    assert "edit-receipt-" not in html and "delete-receipt-" not in html
    assert 'href="/receipts/2025/receipts.csv"' in html


def test_an_edit_is_saved_through_the_upload_rules(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['royalty']}/edit"
    response = post_form(officer, path, _row(amount="1 234 567,89", project="", comment="Январь"),
                         form_page=f"{path}?lang=ru", query_string={"lang": "ru"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#receipt-{draft['royalty']}")
    assert (OWN_INN, "ROYALTY", None, 123456789, "KGS", "Январь") in _stored(app, draft["batch"])
    assert len(_stored(app, draft["batch"])) == 2
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "government_receipt")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.actor_label == "officer@test.kg" and event.changes["amount_minor"] == [100050, 123456789]
    assert "1 234 567,89" in officer.get(f"{PAGE}?lang=ru").get_data(as_text=True).replace("\xa0", " ")


def test_an_unknown_inn_with_a_name_becomes_an_unregistered_company(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['cit']}/edit"
    response = post_form(officer, path, _row(company_inn="55555555555555", company_name="Small Quarry LLC",
                                             revenue_stream="CIT", project=""))
    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalar(select(Company).where(Company.inn == "55555555555555"))
        assert company.legal_name == "Small Quarry LLC" and company.is_registered is False
        assert db.session.get(GovernmentReceipt, draft["cit"]).company_id == company.id


def _upload_messages(app, row: dict[str, str]) -> dict[str, list[str]]:
    """What the upload (and the API) says about ``row``, by column."""
    with app.test_request_context("/?lang=en"):
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
        with pytest.raises(UploadRejected) as refused:
            parse_receipt_rows([{**row, "government_entity": "STS"}], row_numbers=None, locale="en",
                               lookups=load_receipt_lookups(agency))
        found: dict[str, list[str]] = {}
        for error in refused.value.errors:
            found.setdefault(error.column, []).append(error.message)
        return found


def _unquoted(text: str) -> str:
    """A message with every quoted name (“project”, «Проект») replaced by one mark."""
    return re.sub(r"[“«][^”»]*[”»]", "“…”", text)


@pytest.mark.parametrize("values, column", [
    ({"amount": "-5", "comment": ""}, "amount"),  # a refund needs a comment (the rule is on the amount or comment)
    ({"amount": "12.345"}, "amount"),
    ({"revenue_stream": "NOPE"}, "revenue_stream"),
    ({"project": "KG-NOT-OURS"}, "project"),
    ({"company_inn": "12345"}, "company_inn"),
    ({"company_inn": "55555555555555", "company_name": "", "project": ""}, "company_inn"),
])
def test_a_bad_edit_is_refused_with_the_uploads_message_next_to_its_field(app, draft, values, column):
    officer = _client(app)
    before = _stored(app, draft["batch"])
    path = f"/receipts/lines/{draft['royalty']}/edit"
    row = _row(**values)
    response = post_form(officer, path, row)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = _upload_messages(app, row)
    assert expected, "the upload accepts this row"
    for name, messages in expected.items():
        field = name if name in RECEIPT_COLUMNS and name != "government_entity" else "company_inn"
        error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
        assert error, f"no error next to {field}"
        shown = html_lib.unescape(error.group(1))
        for message in messages:
            # the same message as the upload's, but a form names its fields, not the file's columns (issue 12 §5)
            assert _unquoted(str(message)) in _unquoted(shown), (message, shown)
        assert not re.search(r"[“«](" + "|".join(RECEIPT_COLUMNS) + r")[”»]", shown), shown
    assert _value(html, "company_inn") == row["company_inn"]  # the input is kept
    assert _stored(app, draft["batch"]) == before


def test_an_edit_that_repeats_another_receipts_key_is_refused(app, draft):
    officer = _client(app)
    before = _stored(app, draft["batch"])
    response = post_form(officer, f"/receipts/lines/{draft['cit']}/edit",
                         _row(company_inn=OWN_INN, revenue_stream="ROYALTY", project="0001-AP", amount="1"))
    assert response.status_code == 422
    assert 'id="revenue_stream-error"' in response.get_data(as_text=True)
    assert _stored(app, draft["batch"]) == before


def test_a_stale_edit_answers_409_keeps_the_input_and_writes_nothing(app, draft):
    alice, bob = _client(app), _client(app)
    path = f"/receipts/lines/{draft['royalty']}/edit"
    bob_form = form_fields(bob, path)
    assert post_form(alice, path, _row(amount="2000.00")).status_code == 302
    late = bob.post(path, data={**bob_form, **_row(amount="3000.00")})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert 'id="stale-notice"' in html and _value(html, "amount") == "3000.00"
    assert "2,000.00" in html  # what is saved now, in the notice
    assert (OWN_INN, "ROYALTY", "0001-AP", 200000, "KGS", None) in _stored(app, draft["batch"])
    # the answer carries the current revision: saving again replaces knowingly
    assert _value(html, "revision") == form_fields(bob, path)["revision"]
    again = bob.post(path, data={"csrf_token": bob_form["csrf_token"], "revision": _value(html, "revision"),
                                 **_row(amount="3000.00")})
    assert again.status_code == 302
    assert (OWN_INN, "ROYALTY", "0001-AP", 300000, "KGS", None) in _stored(app, draft["batch"])


def test_a_revision_that_names_no_saved_state_is_refused(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['royalty']}/edit"
    response = post_form(officer, path, {**_row(amount="9.00"), "revision": "garbage"})
    assert response.status_code == 409
    assert (OWN_INN, "ROYALTY", "0001-AP", 100050, "KGS", None) in _stored(app, draft["batch"])


# --- deleting ------------------------------------------------------------------------------------

def test_delete_asks_first_then_deletes_the_one_receipt(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['cit']}/delete"
    confirm = officer.get(path)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert re.search(rf'<form method="post"[^>]*action="{path}"', html) and 'id="confirm-delete"' in html
    assert "Other Mining LLC" in html and _value(html, "revision")
    assert len(_stored(app, draft["batch"])) == 2  # asking deletes nothing
    response = post_form(officer, path, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/receipts/2025#receipts")
    assert _stored(app, draft["batch"]) == [(OWN_INN, "ROYALTY", "0001-AP", 100050, "KGS", None)]
    assert officer.get(path).status_code == 404


def test_a_stale_delete_answers_409_and_deletes_nothing(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['cit']}/delete"
    stale = form_fields(officer, path)
    assert post_form(officer, f"/receipts/lines/{draft['royalty']}/edit", _row(amount="5.00")).status_code == 302
    refused = officer.post(path, data=stale)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'id="stale-notice"' in html and _value(html, "revision") != stale["revision"]
    assert len(_stored(app, draft["batch"])) == 2
    assert officer.post(path, data={**stale, "revision": _value(html, "revision")}).status_code == 302
    assert len(_stored(app, draft["batch"])) == 1


# --- who may ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["edit", "delete"])
def test_only_the_officer_of_the_batchs_agency_reaches_a_receipt(app, draft, action):
    path = f"/receipts/lines/{draft['royalty']}/{action}"
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert _client(app, "customs@test.kg").get(path).status_code == 404  # another agency's: as if not there
    for email in ("filer@test.kg", "secretariat@test.kg"):
        assert _client(app, email).get(path).status_code == 403
    other = _client(app, "customs@test.kg")
    assert post_form(other, path, _row(amount="1.00"), form_page="/").status_code == 404
    assert _client(app).get("/receipts/lines/999999/edit").status_code == 404
    assert _stored(app, draft["batch"])[1][3] == 100050


def test_a_submitted_version_or_a_closed_period_is_not_edited(app, draft):
    officer = _client(app)
    path = f"/receipts/lines/{draft['royalty']}/edit"
    fields = form_fields(officer, path)
    with app.app_context():
        db.session.get(ReceiptBatch, draft["batch"]).status = BatchStatus.SUBMITTED
        db.session.commit()
    assert officer.get(path).status_code == 409
    assert officer.post(path, data={**fields, **_row(amount="1.00")}).status_code == 409
    assert officer.post(f"/receipts/lines/{draft['royalty']}/delete", data=fields).status_code == 409
    with app.app_context():
        batch = db.session.get(ReceiptBatch, draft["batch"])
        batch.status = BatchStatus.DRAFT
        batch.period.status = PeriodStatus.CLOSED
        db.session.commit()
    assert officer.get(path).status_code == 409
    assert len(_stored(app, draft["batch"])) == 2


# --- downloads -------------------------------------------------------------------------------------

def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def test_the_csv_download_holds_the_draft_in_the_upload_columns(app, draft):
    officer = _client(app)
    response = officer.get(f"{PAGE}/receipts.csv?lang=ru")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="receipts-STS-2025-v1-draft.csv"'
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data[3:].decode().splitlines()[0] == ",".join(RECEIPT_COLUMNS)
    rows = _csv_rows(data)
    assert rows == [
        {"company_inn": OWN_INN, "company_name": "Own Mining LLC", "revenue_stream": "ROYALTY",
         "government_entity": "STS", "project": "0001-AP", "amount": "1000.50", "currency": "KGS", "comment": ""},
        {"company_inn": OTHER_INN, "company_name": "Other Mining LLC", "revenue_stream": "CIT",
         "government_entity": "STS", "project": "", "amount": "20000.00", "currency": "KGS",
         "comment": "Ак-Түз айылы"}]


def _upload(client, data: bytes, name: str, lang: str = "en"):
    return post_form(client, f"{PAGE}/upload", {"file": (io.BytesIO(data), name)}, form_page=f"{PAGE}?lang={lang}",
                     content_type="multipart/form-data", query_string={"lang": lang})


@pytest.mark.parametrize("kind, lang", [("csv", "en"), ("csv", "ru"), ("xlsx", "ky"), ("xlsx", "en")])
def test_download_then_upload_gives_the_same_receipts(app, draft, kind, lang):
    officer = _client(app)
    with app.app_context():
        line = db.session.get(GovernmentReceipt, draft["royalty"])
        line.amount_minor, line.comment = -72255167_07, "Refund, see letter 12"  # exact, negative, with a comma
        db.session.commit()
    before = _stored(app, draft["batch"])
    data = officer.get(f"{PAGE}/receipts.{kind}?lang={lang}").get_data()
    response = _upload(officer, data, f"receipts.{kind}", lang)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _stored(app, draft["batch"]) == before
    # the file of the saved receipts is the same file again
    assert officer.get(f"{PAGE}/receipts.{kind}?lang={lang}").get_data() == data


def test_the_xlsx_download_keeps_codes_as_text_and_amounts_as_exact_numbers(app, draft):
    officer = _client(app)
    response = officer.get(f"{PAGE}/receipts.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'filename="receipts-STS-2025-v1-draft.xlsx"' in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["data"]
    assert workbook.sheetnames[0] == "data"
    assert [c.value for c in sheet[1]] == list(RECEIPT_COLUMNS)
    first = {name: cell for name, cell in zip(RECEIPT_COLUMNS, sheet[2])}
    assert first["company_inn"].value == OWN_INN and first["company_inn"].data_type == "s"
    assert first["project"].value == "0001-AP"
    assert first["amount"].data_type == "n" and first["amount"].number_format == "0.00"
    xml = zipfile.ZipFile(io.BytesIO(response.get_data())).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<v>1000.50</v>" in xml and "<v>20000.00</v>" in xml  # the exact text, never a float


def test_formula_looking_text_is_neutralised_in_both_files(app, draft):
    officer = _client(app)
    with app.app_context():
        db.session.get(GovernmentReceipt, draft["cit"]).comment = '=HYPERLINK("http://evil","x")'
        db.session.commit()
    rows = _csv_rows(officer.get(f"{PAGE}/receipts.csv").get_data())
    assert rows[1]["comment"] == "'" + '=HYPERLINK("http://evil","x")'
    sheet = openpyxl.load_workbook(io.BytesIO(officer.get(f"{PAGE}/receipts.xlsx").get_data()))["data"]
    cell = sheet.cell(row=3, column=RECEIPT_COLUMNS.index("comment") + 1)
    assert cell.data_type == "s" and cell.quotePrefix and cell.value.startswith("=HYPERLINK")


def test_a_period_without_receipts_downloads_the_header_only(app, draft, factory):
    factory.period(2026)
    officer = _client(app)
    response = officer.get("/receipts/2026/receipts.csv")
    assert response.status_code == 200 and 'filename="receipts-STS-2026.csv"' in response.headers["Content-Disposition"]
    assert _csv_rows(response.get_data()) == []


def test_the_latest_submitted_version_is_downloaded_when_there_is_no_draft(app, draft):
    with app.app_context():
        db.session.get(ReceiptBatch, draft["batch"]).status = BatchStatus.SUBMITTED
        db.session.commit()
    response = _client(app).get(f"{PAGE}/receipts.csv")
    assert 'filename="receipts-STS-2025-v1-submitted.csv"' in response.headers["Content-Disposition"]
    assert len(_csv_rows(response.get_data())) == 2


@pytest.mark.parametrize("path", ["receipts.csv", "receipts.xlsx", "receipts-template.xlsx"])
def test_files_are_the_officers_own(app, draft, path):
    anonymous = app.test_client().get(f"{PAGE}/{path}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for email in ("filer@test.kg", "secretariat@test.kg"):
        assert _client(app, email).get(f"{PAGE}/{path}").status_code == 403
    customs = _client(app, "customs@test.kg").get(f"{PAGE}/{path}")
    assert customs.status_code == 200 and b"Own Mining LLC" not in customs.get_data()


# --- the XLSX template ---------------------------------------------------------------------------------

def _validations(sheet) -> dict[str, object]:
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[re.match(r"[A-Z]+", cell_range.coord).group()] = validation
    return found


def _listed(workbook, formula: str) -> list[str]:
    sheet_name, ref = formula.split("!")
    column = re.match(r"\$([A-Z]+)\$", ref).group(1)
    return [c.value for c in workbook[sheet_name][column][1:] if c.value]


def test_the_xlsx_template_has_drop_downs_help_and_code_names(app, draft):
    with app.app_context():
        db.session.add(Company(inn="99999999999999", legal_name="Added From Receipts", is_registered=False))
        db.session.commit()
    response = _client(app).get(f"{PAGE}/receipts-template.xlsx?lang=ru")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'filename="receipts-template-2025.xlsx"' in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["data", "help", "code_names", "codes"]
    data = workbook["data"]
    assert [c.value for c in data[1]] == list(RECEIPT_COLUMNS) and data.max_row == 1
    lists = _validations(data)
    letter = {name: chr(ord("A") + i) for i, name in enumerate(RECEIPT_COLUMNS)}
    assert set(lists) == {letter[c] for c in ("company_inn", "revenue_stream", "government_entity", "currency")}
    assert {"ROYALTY", "CIT"} <= set(_listed(workbook, lists[letter["revenue_stream"]].formula1))
    assert _listed(workbook, lists[letter["government_entity"]].formula1) == ["STS"]  # the agency's own code only
    assert _listed(workbook, lists[letter["currency"]].formula1) == ["KGS", "USD"]
    strict = [lists[letter[c]] for c in ("revenue_stream", "government_entity", "currency")]
    assert all(v.showErrorMessage for v in strict)
    inns = lists[letter["company_inn"]]
    assert not inns.showErrorMessage  # a suggestion: a company not in the register may be written
    assert _listed(workbook, inns.formula1) == [OTHER_INN, OWN_INN]  # the register only
    assert data.column_dimensions[letter["company_inn"]].number_format == "@"
    help_rows = list(workbook["help"].iter_rows(values_only=True))
    described: dict[str, tuple] = {}
    for row in help_rows:
        if row[0] in RECEIPT_COLUMNS:
            described.setdefault(row[0], row[1:4])  # the code list below repeats the column names
    assert set(described) == set(RECEIPT_COLUMNS)
    assert all(en and ru and ky and "%(" not in en + ru + ky for en, ru, ky in described.values())
    assert "STS" in described["government_entity"][0]
    names = {(row[0], row[1]): row[2:] for row in workbook["code_names"].iter_rows(min_row=2, values_only=True)}
    assert names[("revenue_stream", "ROYALTY")][:3] == ("Royalty", "Роялти", "Роялти")
    assert names[("government_entity", "STS")][0] == "State Tax Service"
    assert ("company_inn", "99999999999999") not in names


def test_the_filled_in_template_reads_back(app, draft):
    officer = _client(app)
    workbook = openpyxl.load_workbook(io.BytesIO(officer.get(f"{PAGE}/receipts-template.xlsx").get_data()))
    workbook["data"].append([OWN_INN, None, "ROYALTY", "STS", "0001-AP", 1500.25, "KGS", None])
    workbook["data"].append(["55555555555555", "Small Quarry LLC", "CIT", "STS", None, "-3 000,00", "USD",
                             "Возврат"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(officer, buffer.getvalue(), "template.xlsx", "ru").status_code == 302
    assert _stored(app, draft["batch"]) == [(OWN_INN, "ROYALTY", "0001-AP", 150025, "KGS", None),
                                            ("55555555555555", "CIT", None, -300000, "USD", "Возврат")]
