"""disclosure.schemas: the §3 rules of company payment rows, shared by the form, the upload and the API."""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from marshmallow import ValidationError as ShapeError
from sqlalchemy import select

from esg_portal.disclosure.document import payment_object
from esg_portal.disclosure.inputs import PaymentInput
from esg_portal.disclosure.models import Disclosure, PaymentLine
from esg_portal.disclosure.schemas import (PAYMENT_COLUMNS, PaymentLookups, PaymentRowSchema, load_payment_lookups,
                                           parse_payment_rows, payment_rows_from_json)
from esg_portal.extensions import db
from esg_portal.reference.models import GovernmentEntity, RevenueStream
from esg_portal.rows import row_context
from esg_portal.tabular import TooLarge, UploadRejected

OWN_LICENCES = ("KG-0001-AP", "KG-0002-AE")
OTHER_LICENCE = "KG-9999-AP"


@pytest.fixture
def ids(factory) -> dict[str, int]:
    own, other = factory.company("Own Mining LLC"), factory.company("Other Mining LLC")
    return {"own": own, "other": other, "period": factory.period(2025),
            **{number: factory.licence(own, number) for number in OWN_LICENCES},
            OTHER_LICENCE: factory.licence(other, OTHER_LICENCE)}


@pytest.fixture
def refs(app) -> dict[str, int]:
    """Reference ids by code (streams and entities have distinct codes)."""
    with app.app_context():
        found = {s.code: s.id for s in db.session.scalars(select(RevenueStream))}
        found.update({e.code: e.id for e in db.session.scalars(select(GovernmentEntity))})
    return found


def row(**values: str) -> dict[str, str]:
    base = {"revenue_stream": "CIT", "government_entity": "STS", "project": "", "amount": "100.00",
            "currency": "KGS", "paid_in_kind": "no"}
    return {**base, **values}


@pytest.fixture
def parse(app, ids):
    """parse_payment_rows for the own company, in a request whose language is ``lang``."""
    def run(rows, lang: str = "en", *, locale: str | None = None, row_numbers=None, **kwargs):
        with app.test_request_context(f"/?lang={lang}"):
            return parse_payment_rows(rows, row_numbers=row_numbers, locale=locale or lang,
                                      lookups=load_payment_lookups(ids["own"]), **kwargs)
    return run


@pytest.fixture
def errors(parse):
    """The error dicts of a refused batch."""
    def run(rows, lang: str = "en", **kwargs) -> list[dict]:
        with pytest.raises(UploadRejected) as caught:
            parse(rows, lang, **kwargs)
        assert caught.value.status == 422 and caught.value.code == "invalid_rows"
        return caught.value.as_dicts()
    return run


@pytest.fixture
def from_json(app, ids):
    def run(body, lang: str = "en"):
        with app.test_request_context(f"/?lang={lang}"):
            return payment_rows_from_json(body, locale=lang, lookups=load_payment_lookups(ids["own"]))
    return run


def only(errors_: list[dict]) -> dict:
    assert len(errors_) == 1, errors_
    return errors_[0]


# -- lookups and the schema ------------------------------------------------------------------------

def test_lookups_hold_active_codes_and_only_the_companys_licences(app, ids):
    with app.app_context():
        lookups = load_payment_lookups(ids["own"])
        assert isinstance(lookups, PaymentLookups)
        assert {"ROYALTY", "CIT", "VAT"} <= set(lookups.streams) and {"STS", "LSG"} <= set(lookups.entities)
        assert set(lookups.licences) == set(OWN_LICENCES)
        assert lookups.licence(OTHER_LICENCE) is None
        assert lookups.stream("royalty").code == "ROYALTY" and lookups.licence("kg-0001-ap").number == "KG-0001-AP"


def test_inactive_stream_and_entity_are_unknown(app, ids, errors, reference_mutable):
    with app.app_context():
        db.session.scalar(select(RevenueStream).where(RevenueStream.code == "FINES")).is_active = False
        db.session.scalar(select(GovernmentEntity).where(GovernmentEntity.code == "MOF")).is_active = False
        db.session.commit()
    found = errors([row(revenue_stream="FINES", government_entity="MOF")])
    assert [(e["row"], e["column"], e["value"]) for e in found] == [
        (1, "revenue_stream", "FINES"), (1, "government_entity", "MOF")]


def test_schema_loads_typed_values_and_refuses_unknown_columns_and_non_text_values(app, ids):
    schema = PaymentRowSchema()
    with app.test_request_context("/?lang=en"), row_context(lookups=load_payment_lookups(ids["own"])):
        loaded = schema.load(row(comment=None))
        assert (loaded["revenue_stream"].code, loaded["project"], loaded["amount"], loaded["paid_in_kind"],
                loaded["comment"]) == ("CIT", None, Decimal("100.00"), False, None)
        assert set(loaded) == set(PAYMENT_COLUMNS)  # a missing optional column is blank
        with pytest.raises(ShapeError) as caught:
            schema.load({**row(), "amount": 12.5, "note": "x"})
    assert set(caught.value.messages) == {"amount", "note"}


def test_the_json_schema_of_a_row_comes_from_the_schema():
    document = PaymentRowSchema.json_schema()
    assert list(document["properties"]) == list(PAYMENT_COLUMNS) and document["additionalProperties"] is False
    assert document["required"] == ["revenue_stream", "government_entity", "amount", "currency", "paid_in_kind"]
    assert document["properties"]["currency"]["enum"] == ["KGS", "USD"]
    assert document["properties"]["paid_in_kind"]["enum"] == ["yes", "no"]
    assert re.fullmatch(document["properties"]["amount"]["pattern"], "-500.50")
    assert not re.fullmatch(document["properties"]["amount"]["pattern"], "1.234")
    assert not re.fullmatch(document["properties"]["in_kind_volume"]["pattern"], "-1")
    assert document["properties"]["comment"] == {"type": "string", "maxLength": 2000, "nullable": True,
                                                 "description": "Required for a negative amount (a refund)."}


# -- valid rows ------------------------------------------------------------------------------------

def test_valid_rows_become_payment_inputs(parse, ids, refs):
    payments = parse([
        row(revenue_stream="ROYALTY", project="KG-0001-AP", amount="1 234 567,89"),
        row(revenue_stream="LOCAL_DEV", government_entity="LSG", project="KG-0002-AE", amount="7",
            recipient_locality="  Кемин шаары  "),
        row(amount="-500,00", comment="НДС возвращён за экспорт"),
        row(revenue_stream="DIVIDENDS_STATE", government_entity="SPMF", amount="9000", currency="usd",
            paid_in_kind="YES", in_kind_volume="1 250,500", in_kind_unit="kg Ag"),
    ], "ru")
    assert payments == [
        PaymentInput(refs["ROYALTY"], refs["STS"], ids["KG-0001-AP"], 123456789, "KGS", False, None, None, None,
                     None),
        PaymentInput(refs["LOCAL_DEV"], refs["LSG"], ids["KG-0002-AE"], 700, "KGS", False, None, None,
                     "Кемин шаары", None),
        PaymentInput(refs["CIT"], refs["STS"], None, -50000, "KGS", False, None, None, None,
                     "НДС возвращён за экспорт"),
        PaymentInput(refs["DIVIDENDS_STATE"], refs["SPMF"], None, 900000, "USD", True, "1250.500", "kg Ag", None,
                     None),
    ]


def test_a_stream_not_levied_per_project_keeps_its_project(parse, ids):
    [with_project, without] = parse([row(project="KG-0002-AE"), row(currency="USD")])
    assert (with_project.license_id, without.license_id) == (ids["KG-0002-AE"], None)


def test_an_entity_other_than_the_streams_default_is_kept(parse, refs):
    [payment] = parse([row(revenue_stream="ROYALTY", government_entity="LSG", project="KG-0001-AP")])
    assert payment.government_entity_id == refs["LSG"]


def test_empty_batch_is_no_payments(parse):
    assert parse([]) == []


# -- required values and codes ---------------------------------------------------------------------

def test_every_required_value_missing_is_reported(errors):
    found = errors([{"project": "", "comment": "nothing"}])
    assert [(e["row"], e["column"]) for e in found] == [
        (1, "revenue_stream"), (1, "government_entity"), (1, "amount"), (1, "currency"), (1, "paid_in_kind")]
    assert "Enter the revenue stream code" in found[0]["message"]
    assert "Enter the total paid in the period" in found[2]["message"]
    assert "KGS or USD" in found[3]["message"]


def test_unknown_stream_code_says_where_the_codes_are(errors):
    error = only(errors([row(revenue_stream="ROYALTIES")]))
    assert (error["row"], error["column"], error["value"]) == (1, "revenue_stream", "ROYALTIES")
    assert error["message"].startswith("“ROYALTIES” is not a revenue stream code. Use one of: ROYALTY, ")
    assert "“code_names” sheet of the XLSX template" in error["message"]


def test_unknown_entity_code_lists_the_codes(errors):
    error = only(errors([row(government_entity="TAX")]))
    assert (error["row"], error["column"], error["value"]) == (1, "government_entity", "TAX")
    assert "“TAX” is not a government entity code" in error["message"]
    assert re.search(r"Use one of: .*\bSTS\b", error["message"])


def test_stream_levied_per_project_needs_a_project(errors):
    error = only(errors([row(revenue_stream="ROYALTY")]))
    assert (error["row"], error["column"], error["value"]) == (1, "project", "")
    assert error["message"] == ("The revenue stream ROYALTY is levied per project: enter the licence number of the "
                                "project in “project”. Your licences are: KG-0001-AP, KG-0002-AE.")


def test_a_licence_of_another_company_is_an_unknown_project(errors):
    [other, unknown] = errors([row(revenue_stream="ROYALTY", project=OTHER_LICENCE),
                               row(revenue_stream="ROYALTY", project="KG-0000-XX")])
    assert (other["row"], other["column"], other["value"]) == (1, "project", OTHER_LICENCE)
    assert "is not a licence of your company" in other["message"]
    assert "KG-0001-AP, KG-0002-AE" in other["message"]
    # word for word the message of a number that exists nowhere: nothing tells the licence exists
    assert other["message"].replace(OTHER_LICENCE, "?") == unknown["message"].replace("KG-0000-XX", "?")


def test_currency_must_be_kgs_or_usd(errors, parse):
    error = only(errors([row(currency="EUR")]))
    assert (error["column"], error["value"]) == ("currency", "EUR")
    assert "Write KGS or USD" in error["message"]
    assert parse([row(currency=" usd ")])[0].currency == "USD"


def test_paid_in_kind_is_yes_or_no_only(errors):
    found = errors([row(paid_in_kind="true"), row(paid_in_kind="да", currency="USD")])
    assert [(e["row"], e["column"], e["value"]) for e in found] == [(1, "paid_in_kind", "true"),
                                                                    (2, "paid_in_kind", "да")]
    assert "is not yes or no" in found[0]["message"]


# -- amounts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, minor", [
    ("ru", "1 234 567,89", 123456789), ("ru", "1\u00a0234\u00a0567,89", 123456789),
    ("ky", "1\u202f234,5", 123450), ("ru", "1234567.89", 123456789), ("ru", "1,234,567.89", 123456789),
    ("ru", "1.234.567", 123456700), ("en", "1,234", 123400), ("en", "1,234,567.89", 123456789),
    ("en", "-0", 0), ("en", "\u22122.5", -250),
])
def test_number_formats_follow_the_users_language(parse, lang, text, minor):
    assert parse([row(amount=text, comment="refund of an overpayment")], lang)[0].amount_minor == minor


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "10.555", "“10.555” has more than 2 decimals"),
    ("ru", "1,234", "“1,234” has more than 2 decimals"),  # the comma is the decimal mark in ru
    ("en", "abc", "“abc” is not a number"),
    ("en", "12 34", "“12 34” is not a number"),
    ("en", "NaN", "“NaN” is not a finite number"),
    ("en", "-Infinity", "“-Infinity” is not a finite number"),
    ("en", "1.5E5", "“1.5E5” is written with an exponent"),
    ("en", "1000000000000000", "is too large: numbers must be below 1 000 000 000 000 000"),
])
def test_bad_amounts_are_refused_with_the_reason(errors, lang, text, expected):
    error = only(errors([row(amount=text)], "en", locale=lang))
    assert (error["row"], error["column"], error["value"]) == (1, "amount", text)
    assert expected in error["message"]


def test_a_refund_needs_a_comment(errors, parse):
    error = only(errors([row(amount="-500.00")]))
    assert (error["row"], error["column"], error["value"]) == (1, "comment", "")
    assert error["message"] == ("A negative amount (-500.00) is a refund and needs a comment: say what was refunded "
                                "and why.")
    assert parse([row(amount="-500.00", comment="VAT refund")])[0].amount_minor == -50000


# -- in kind ---------------------------------------------------------------------------------------

def test_in_kind_needs_volume_and_unit(errors):
    found = errors([row(paid_in_kind="yes")])
    assert [(e["row"], e["column"]) for e in found] == [(1, "in_kind_volume"), (1, "in_kind_unit")]
    assert found[0]["message"].startswith("A payment in kind needs its volume")
    assert found[1]["message"].startswith("A payment in kind needs the unit of its volume")


def test_volume_and_unit_only_for_payments_in_kind(errors):
    found = errors([row(in_kind_volume="5", in_kind_unit="t")])
    assert [(e["column"], e["value"]) for e in found] == [("in_kind_volume", "5"), ("in_kind_unit", "t")]
    assert "only for payments in kind" in found[0]["message"]



def test_a_malformed_volume_on_a_payment_in_money_gets_both_messages(errors):
    found = errors([row(in_kind_volume="five")])
    assert [(e["column"], e["value"]) for e in found] == [("in_kind_volume", "five"), ("in_kind_volume", "five")]
    assert "is not a number" in found[0]["message"] and "only for payments in kind" in found[1]["message"]

@pytest.mark.parametrize("text, expected", [
    ("-5", "cannot be negative"), ("1.1234567", "at most 6 are allowed"), ("five", "is not a number"),
])
def test_bad_volumes(errors, text, expected):
    error = only(errors([row(paid_in_kind="yes", in_kind_volume=text, in_kind_unit="t")]))
    assert (error["column"], error["value"]) == ("in_kind_volume", text)
    assert expected in error["message"]


def test_volume_is_stored_as_normalised_exact_text(parse):
    volumes = [p.in_kind_volume for p in parse([
        row(paid_in_kind="yes", in_kind_volume="1 250,500", in_kind_unit="t"),
        row(paid_in_kind="yes", in_kind_volume="0,000001", in_kind_unit="t", currency="USD"),
        row(paid_in_kind="yes", in_kind_volume="007", in_kind_unit="t", government_entity="SF"),
    ], "ru")]
    assert volumes == ["1250.500", "0.000001", "7"]


# -- texts -----------------------------------------------------------------------------------------

def test_text_lengths(errors):
    found = errors([row(recipient_locality="x" * 256, comment="y" * 2001, amount="-1")])
    assert [e["column"] for e in found] == ["recipient_locality", "comment"]
    assert "at most 255 characters (it has 256)" in found[0]["message"]
    assert "at most 2000 characters (it has 2001)" in found[1]["message"]


# -- duplicates and collection ---------------------------------------------------------------------

def test_duplicate_key_is_reported_on_the_later_row(errors):
    rows = [row(revenue_stream="ROYALTY", project="KG-0001-AP"),
            row(revenue_stream="ROYALTY", project="KG-0001-AP", currency="USD"),  # another currency: a new key
            row(revenue_stream="ROYALTY", project="kg-0001-ap", amount="5", comment="same key")]
    error = only(errors(rows, row_numbers=[2, 5, 9]))
    assert (error["row"], error["column"], error["value"]) == (9, "revenue_stream", "ROYALTY")
    assert "duplicate of row 2" in error["message"]


def test_in_kind_and_money_are_different_keys(parse):
    payments = parse([row(), row(paid_in_kind="yes", in_kind_volume="1", in_kind_unit="t")])
    assert [p.is_paid_in_kind for p in payments] == [False, True]


def test_every_error_of_every_row_is_collected(errors):
    found = errors([row(), row(amount="x", currency="USD"), row(currency="EUR", revenue_stream="NOPE"),
                    row(paid_in_kind="maybe", government_entity="SF")], row_numbers=[1, 2, 3, 4])
    assert [(e["row"], e["column"]) for e in found] == [
        (2, "amount"), (3, "revenue_stream"), (3, "currency"), (4, "paid_in_kind")]


# -- JSON --------------------------------------------------------------------------------------------

def test_json_amount_as_a_number_is_refused(from_json):
    with pytest.raises(UploadRejected) as caught:
        from_json([row(), {**row(currency="USD"), "amount": 1234.5}, {**row(government_entity="SF"), "amount": 7}])
    found = caught.value.as_dicts()
    assert [(e["row"], e["column"], e["value"]) for e in found] == [(2, "amount", "1234.5"), (3, "amount", "7")]
    assert 'Amounts are decimal strings, e.g. "1234.50"' in found[0]["message"]


@pytest.mark.parametrize("text", ["1,234.50", "1 234.50", "1234,50", "\u2212500.00", "1.5E3"])
def test_json_amounts_are_strict_decimal_strings(from_json, text):
    with pytest.raises(UploadRejected) as caught:
        from_json([row(amount=text, comment="c")])
    error = only(caught.value.as_dicts())
    assert (error["row"], error["column"], error["value"]) == (1, "amount", text)
    assert "exponent" in error["message"] or 'e.g. "1234.50"' in error["message"]


def test_json_other_shape_errors(from_json):
    with pytest.raises(UploadRejected) as caught:
        from_json([{**row(), "paid_in_kind": False, "note": "x"}, "ROYALTY", {**row(currency="USD"), "project": 17}])
    found = caught.value.as_dicts()
    assert [(e["row"], e["column"], e["value"]) for e in found] == [
        (1, "paid_in_kind", "false"), (1, "note", "x"), (2, None, "ROYALTY"), (3, "project", "17")]
    assert "true and false are not accepted" in found[0]["message"]
    assert found[1]["message"].startswith("“note” is not a payment column")
    assert found[2]["message"].startswith("Each payment must be an object")
    assert found[3]["message"] == "“project” must be text (a JSON string in quotes), not 17."


def test_json_nulls_and_missing_optional_keys_are_blank(from_json, refs):
    body = [{"revenue_stream": "CIT", "government_entity": "STS", "amount": "10.00", "currency": "KGS",
             "paid_in_kind": "no", "project": None, "comment": None}]
    assert from_json(body) == [PaymentInput(refs["CIT"], refs["STS"], None, 1000, "KGS", False, None, None, None,
                                            None)]


def test_json_body_must_be_a_list(from_json):
    with pytest.raises(UploadRejected) as caught:
        from_json({"payments": []})
    error = only(caught.value.as_dicts())
    assert (error["row"], error["column"]) == (None, None)
    assert "JSON list of objects" in error["message"]
    assert from_json([]) == []


def test_json_list_over_the_row_limit_is_too_large(from_json):
    with pytest.raises(TooLarge) as caught:
        from_json([{}] * 50_001)
    assert caught.value.status == 413


def test_get_body_payments_parse_back_to_identical_inputs(app, ids, from_json):
    body = [{**dict.fromkeys(PAYMENT_COLUMNS, ""), **values} for values in [
        row(revenue_stream="ROYALTY", project="KG-0001-AP", amount="1234567.89"),
        row(revenue_stream="BONUS", project="KG-0002-AE", amount="120000.00", currency="USD"),
        row(amount="-500.00", comment="VAT refund on exports «Ала-Тоо»"),
        row(revenue_stream="LOCAL_DEV", government_entity="LSG", project="KG-0001-AP", amount="7.50",
            recipient_locality="Кемин шаары (ң, ө, ү)"),
        row(revenue_stream="DIVIDENDS_STATE", government_entity="SPMF", amount="9000.00", paid_in_kind="yes",
            in_kind_volume="1.250", in_kind_unit="kg Ag", comment="Paid in silver"),
        row(revenue_stream="CIT", project="KG-0002-AE", amount="0.00"),
    ]]
    inputs = from_json(body)
    with app.app_context():
        disclosure = Disclosure(company_id=ids["own"], period_id=ids["period"], version=1)
        db.session.add(disclosure)
        for payment in inputs:
            disclosure.payment_lines.append(PaymentLine(
                revenue_stream_id=payment.revenue_stream_id, government_entity_id=payment.government_entity_id,
                license_id=payment.license_id, amount_minor=payment.amount_minor, currency=payment.currency,
                is_paid_in_kind=payment.is_paid_in_kind, in_kind_volume=payment.in_kind_volume,
                in_kind_unit=payment.in_kind_unit, recipient_locality=payment.recipient_locality,
                comment=payment.comment))
        db.session.commit()
        db.session.expire_all()
        stored = [payment_object(line) for line in db.session.get(Disclosure, disclosure.id).payment_lines]
    assert {tuple(sorted(p)) for p in stored} == {tuple(sorted(PAYMENT_COLUMNS))}
    assert stored == body  # what the GET shows is exactly what was PUT
    assert Counter(from_json(stored)) == Counter(inputs)


# -- messages in the user's language ----------------------------------------------------------------

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
#: Latin words a translation may keep: column names, codes, values to type and format names
_KEPT = {*PAYMENT_COLUMNS, "yes", "no", "kg", "t", "oz", "KGS", "USD", "XLSX", "JSON", "CSV", "code_names", "e",
         "g", "ROYALTY", "STS"}
BAD_ROWS = [
    {"project": ""},
    row(revenue_stream="NOPE", government_entity="NOPE_ENTITY", amount="abc", currency="EUR", paid_in_kind="maybe"),
    row(revenue_stream="ROYALTY", amount="-1", recipient_locality="x" * 300),
    row(revenue_stream="ROYALTY", project="KG-0000-XX", paid_in_kind="yes", currency="USD"),
    row(in_kind_volume="1", in_kind_unit="t", government_entity="SF"),
    row(paid_in_kind="yes", in_kind_volume="-1", in_kind_unit="t", government_entity="MNR"),
    row(),
    row(),
]


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_every_error_message_is_translated(errors, lang):
    english = errors(BAD_ROWS, "en")
    translated = errors(BAD_ROWS, lang)
    assert [(e["row"], e["column"]) for e in translated] == [(e["row"], e["column"]) for e in english]
    assert len(translated) >= 15
    known_values = {value for r in BAD_ROWS for value in r.values()}
    for english_error, error in zip(english, translated):
        message = error["message"]
        assert message != english_error["message"]
        assert re.search(r"[А-Яа-яЁёӨөҮүҢң]", message), message
        leftovers = {word for word in _LATIN_WORD.findall(message)
                     if word not in _KEPT and not any(word in value for value in known_values)
                     and not re.fullmatch(r"[A-Z_]+", word)}
        assert not leftovers, f"{lang}: English left in {message!r}: {leftovers}"


def test_messages_in_kyrgyz_and_russian(errors):
    [ky] = errors([row(amount="-5")], "ky")
    [ru] = errors([row(amount="-5")], "ru")
    assert "кайтарым" in ky["message"]  # glossary: refund
    assert "возврат" in ru["message"]
    [ky_dup] = errors([row(), row()], "ky")
    [ru_dup] = errors([row(), row()], "ru")
    assert "1" in ky_dup["message"] and "1" in ru_dup["message"]
    assert "дубликат" in ru_dup["message"]
