"""receipts.schemas: the §3 rules of government receipt rows."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from esg_portal.extensions import db
from esg_portal.receipts.schemas import (RECEIPT_COLUMNS, ReceiptRowSchema, load_receipt_lookups, parse_receipt_rows,
                                        receipt_rows_from_json)
from esg_portal.reference.models import GovernmentEntity
from esg_portal.tabular import UploadRejected

OWN_INN = "01234567890123"
UNKNOWN_INN = "99999999999999"


@pytest.fixture
def ids(factory) -> dict[str, int]:
    own = factory.company("Own Mining LLC", inn=OWN_INN)
    other = factory.company("Other Mining LLC", inn="01234567890124")
    return {"own": own, "other": other, "lic": factory.licence(own, "KG-0001-AP"),
            "other_lic": factory.licence(other, "KG-9999-AP")}


def row(**values: str) -> dict[str, str]:
    base = {"company_inn": OWN_INN, "company_name": "", "revenue_stream": "ROYALTY", "government_entity": "STS",
            "project": "", "amount": "100.00", "currency": "KGS", "comment": ""}
    return {**base, **values}


@pytest.fixture
def parse(app, ids):
    def run(rows, lang: str = "en", **kwargs):
        with app.test_request_context(f"/?lang={lang}"):
            agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
            return parse_receipt_rows(rows, row_numbers=None, locale=lang, lookups=load_receipt_lookups(agency),
                                      **kwargs)
    return run


@pytest.fixture
def errors(parse):
    def run(rows, lang: str = "en", **kwargs) -> list[dict]:
        with pytest.raises(UploadRejected) as caught:
            parse(rows, lang, **kwargs)
        return caught.value.as_dicts()
    return run


def test_a_valid_row_is_read(parse, ids):
    [receipt] = parse([row(project="KG-0001-AP", amount="1 234,50")], "ru")
    assert receipt.company_id == ids["own"] and receipt.amount_minor == 123450 and receipt.license_id == ids["lic"]


def test_unknown_inn_with_a_name_is_a_new_company(parse):
    [receipt] = parse([row(company_inn=UNKNOWN_INN, company_name="Small Quarry LLC")])
    assert receipt.company_id is None and receipt.company_name == "Small Quarry LLC"


def test_unknown_inn_without_a_name_is_an_error(errors):
    [error] = errors([row(company_inn=UNKNOWN_INN)])
    assert error["row"] == 1 and error["column"] == "company_inn" and "company_name" in error["message"]


def test_another_agency_is_refused(errors):
    [error] = errors([row(government_entity="SCS")])
    assert error["column"] == "government_entity" and "STS" in error["message"]


def test_numeric_inn_cell_must_be_text(errors):
    [error] = errors([row(company_inn="1234567890123")], numeric_cells={(0, "company_inn")})
    assert error["column"] == "company_inn" and "text" in error["message"]


def test_short_inn_and_unknown_stream(errors):
    found = errors([row(company_inn="123", revenue_stream="NOPE")])
    assert [e["column"] for e in found] == ["company_inn", "revenue_stream"]


def test_duplicate_key_names_the_first_row(errors):
    [error] = errors([row(), row(amount="5.00"), row(currency="USD")])
    assert error["row"] == 2 and "row 1" in error["message"]


def test_refund_needs_a_comment(parse, errors):
    [error] = errors([row(amount="-10.00")])
    assert error["column"] == "comment"
    [receipt] = parse([row(amount="-10.00", comment="overpayment returned")])
    assert receipt.amount_minor == -1000


def test_project_must_be_a_licence_of_that_company(errors):
    [error] = errors([row(project="KG-9999-AP")])
    assert error["column"] == "project"


def test_all_errors_are_collected(errors):
    found = errors([row(amount="abc"), row(currency="EUR"), row(revenue_stream="CIT", amount="1.234")])
    assert [(e["row"], e["column"]) for e in found] == [(1, "amount"), (2, "currency"), (3, "amount")]


def test_json_amounts_are_strict(app, ids):
    with app.test_request_context("/?lang=en"):
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
        lookups = load_receipt_lookups(agency)
        with pytest.raises(UploadRejected) as caught:
            receipt_rows_from_json([row(amount="1 000,00")], locale="ru", lookups=lookups)
        assert caught.value.as_dicts()[0]["column"] == "amount"
        with pytest.raises(UploadRejected):
            receipt_rows_from_json({"x": 1}, locale="en", lookups=lookups)
        assert len(receipt_rows_from_json([row(amount="1000.00")], locale="en", lookups=lookups)) == 1


def test_json_shape_errors_name_the_column(app, ids):
    with app.test_request_context("/?lang=en"):
        agency = db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "STS"))
        with pytest.raises(UploadRejected) as caught:
            receipt_rows_from_json([{**row(), "company_inn": 1234567890123, "amount": 10.5, "note": "x"}, "STS"],
                                   locale="en", lookups=load_receipt_lookups(agency))
    found = caught.value.as_dicts()
    assert [(e["row"], e["column"], e["value"]) for e in found] == [
        (1, "company_inn", "1234567890123"), (1, "amount", "10.5"), (1, "note", "x"), (2, None, "STS")]
    assert found[0]["message"].startswith("The INN must be text, not a number")
    assert found[1]["message"].startswith('Amounts are decimal strings, e.g. "1234.50"')
    assert found[2]["message"].startswith("“note” is not a receipt column")
    assert found[3]["message"].startswith("Each receipt must be an object")


def test_a_duplicate_of_an_unknown_company_without_a_name_reports_both(errors):
    found = errors([row(company_inn=UNKNOWN_INN), row(company_inn=UNKNOWN_INN, amount="5.00")])
    assert [(e["row"], e["column"]) for e in found] == [(1, "company_inn"), (2, "company_inn"), (2, "company_inn")]
    assert "row 1" in found[2]["message"]


def test_the_json_schema_of_a_row_comes_from_the_schema():
    document = ReceiptRowSchema.json_schema()
    assert tuple(document["properties"]) == RECEIPT_COLUMNS and document["additionalProperties"] is False
    assert document["required"] == ["company_inn", "revenue_stream", "government_entity", "amount", "currency"]
    assert document["properties"]["company_inn"]["pattern"] == "^[0-9]{14}$"
    assert document["properties"]["currency"]["enum"] == ["KGS", "USD"]
    assert document["properties"]["amount"]["pattern"] == "^-?[0-9]+(\\.[0-9]{1,2})?$"
