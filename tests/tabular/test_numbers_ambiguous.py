"""A lone "." before exactly three digits in ky/ru (INTERFACES.md §3): refused as ambiguous, never guessed.

People in Kyrgyzstan write neither a decimal point nor a dot grouping, so "100.123" is as likely
100,123 as 100 123; the refusal shows both readings in the reader's notation. en keeps its rules, and
the unambiguous ky/ru notations ("1,234", "1.234.567", "1 234,5") keep theirs.
"""
from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import pytest
from babel import Locale
from flask import Flask

from support import csrf_token, login
from esg_portal.disclosure.models import Disclosure
from esg_portal.extensions import db
from esg_portal.tabular.numbers import NumberError, number_error_message, parse_decimal


def _refusal(text: str, locale: str, **kwargs) -> NumberError:
    with pytest.raises(NumberError) as caught:
        parse_decimal(text, locale, **kwargs)
    return caught.value


@pytest.mark.parametrize("locale", ["ru", "ky", "ru_RU", "ky-KG", Locale("ky"), Locale("ru")])
@pytest.mark.parametrize("text, grouped, decimal, plain", [
    ("100.123", "100 123", "100,123", "100123"),
    ("1.234", "1 234", "1,234", "1234"),
    ("-5.250", "-5 250", "-5,250", "-5250"),
    ("\u22125.250", "-5 250", "-5,250", "-5250"),
    (" 999.000 ", "999 000", "999,000", "999000"),
])
def test_a_lone_point_before_three_digits_is_ambiguous_in_ky_and_ru(text, locale, grouped, decimal, plain):
    for max_decimals in (2, 3, None):  # refused whatever the field allows: it is not a decimals question
        error = _refusal(text, locale, max_decimals=max_decimals)
        assert error.code == "ambiguous_point"
        assert error.params["value"] == text
        assert (error.params["grouped"], error.params["decimal"], error.params["plain"]) == (grouped, decimal, plain)


@pytest.mark.parametrize("text, locale, expected", [
    # en: "." is the decimal mark, "," groups thousands, as before
    ("1.234", "en", "1.234"), ("100.123", "en", "100.123"), ("1,234", "en", "1234"), ("-5,250", "en", "-5250"),
    # ky/ru: "," is the decimal mark
    ("1,234", "ru", "1.234"), ("100,123", "ky", "100.123"),
    # repeated points can only be grouping; a point after space grouping can only be decimal
    ("1.234.567", "ru", "1234567"), ("1.234.567", "ky", "1234567"), ("1.234.567,5", "ru", "1234567.5"),
    ("1 234,5", "ru", "1234.5"), ("1 234,5", "ky", "1234.5"), ("1 234.567", "ru", "1234.567"),
    # a point that cannot be grouping is the decimal point: other digit counts, a leading zero, 4+ digits before
    ("1.23", "ru", "1.23"), ("1.5", "ky", "1.5"), ("0.123", "ru", "0.123"), ("1234.567", "ru", "1234.567"),
    ("1,234,567.89", "ru", "1234567.89"),
])
def test_unambiguous_notations_are_read_as_before(text, locale, expected):
    assert parse_decimal(text, locale, max_decimals=3) == Decimal(expected)


def test_a_point_before_four_digits_is_a_decimal_point_with_too_many_decimals():
    assert _refusal("1.2345", "ru").code == "too_many_decimals"
    assert parse_decimal("1.2345", "ky", max_decimals=4) == Decimal("1.2345")


def test_the_message_shows_both_readings_in_the_readers_notation():
    message = number_error_message(_refusal("100.123", "ru", max_decimals=3))
    assert message == "“100.123” could mean 100 123 or 100,123. Write 100123 or 100,123."
    assert number_error_message(_refusal("-5.250", "ky", max_decimals=None)) == (
        "“-5.250” could mean -5 250 or -5,250. Write -5250 or -5,250.")


def test_for_money_the_message_offers_only_the_reading_that_is_allowed():
    # 100,123 has three decimals, more than money takes: the filer is not sent to a second refusal
    message = number_error_message(_refusal("100.123", "ru"))
    assert message == ("“100.123” could mean 100 123 or 100,123. If you mean 100 123, write 100123; the other "
                       "reading has more decimals than allowed here.")
    assert "100 123" in number_error_message(_refusal("100.123", "ky", max_decimals=0))


def test_the_message_works_in_a_russian_request(app: Flask):
    with app.test_request_context("/?lang=ru"):
        message = number_error_message(_refusal("100.123", "ru"))
    assert "“100.123”" in message or "«100.123»" in message
    assert "100 123" in message and "100,123" in message


# --- the payments upload page in Russian --------------------------------------------------------

def _page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def _lines(app: Flask, disclosure_id: int) -> list[int]:
    with app.app_context():
        return sorted(line.amount_minor for line in db.session.get(Disclosure, disclosure_id).payment_lines)


def test_a_russian_payments_csv_with_an_ambiguous_point_is_refused_naming_both_readings(app: Flask, world):
    client = app.test_client()
    login(client, "filer@test.kg")
    before = _lines(app, world["own_disclosure"])
    content = ("revenue_stream,government_entity,project,amount,currency,paid_in_kind,comment\n"
               "CIT,STS,,\"1 000,50\",KGS,no,\n"
               "VAT,STS,,100.123,KGS,no,\n").encode()
    token = csrf_token(client, "/disclosures/filing/2025")
    response = client.post("/disclosures/filing/2025/upload?lang=ru", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(content), "payments.csv")})
    assert response.status_code == 422
    page = _page_text(response)
    table = re.search(r'<table class="data errors" id="upload-errors".*?</table>', page, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row" class="num">(.*?)</th>\s*<td class="mono">(.*?)</td>'
                      r'<td class="mono value">(.*?)</td>\s*<td>(.*?)</td></tr>', table, re.S)
    assert len(rows) == 1
    row, column, value, message = (cell.strip() for cell in rows[0])
    assert (row, column, value) == ("2", "amount", "100.123")
    assert "100 123" in message and "100,123" in message and "100123" in message
    assert _lines(app, world["own_disclosure"]) == before  # all or nothing: nothing was stored


def test_the_same_file_in_english_is_read_with_a_decimal_point(app: Flask, world):
    client = app.test_client()
    login(client, "filer@test.kg")
    content = ("revenue_stream,government_entity,project,amount,currency,paid_in_kind,comment\n"
               "VAT,STS,,100.12,KGS,no,\n"
               "CIT,STS,,\"1,250\",KGS,no,\n").encode()
    token = csrf_token(client, "/disclosures/filing/2025")
    response = client.post("/disclosures/filing/2025/upload?lang=en", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(content), "payments.csv")})
    assert response.status_code == 302, _page_text(response)
    assert _lines(app, world["own_disclosure"]) == [10012, 125000]
