"""The machine API refuses "100.123" in a ky/ru CSV as ambiguous (§3), in the §3 error shape, row and column named."""
from __future__ import annotations

from api_support import csv_body


def test_a_russian_csv_with_a_lone_point_before_three_digits_is_422_naming_both_readings(api_as) -> None:
    api = api_as("filer")
    response = api.put_csv("/filings/2025/payments", csv_body(
        'ROYALTY,STS,KG-0001-AP,"1 234,50",KGS,no,,,,', "CIT,STS,,-5.250,KGS,no,,,,refund of an overpayment"),
        headers={"Accept-Language": "ru"})
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == "invalid_rows"
    [error] = body["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "amount", "-5.250")
    assert "-5 250" in error["message"] and "-5,250" in error["message"] and "-5250" in error["message"]
    assert api.get("/filings/2025").status_code == 200  # nothing stored: the draft was never opened
    assert api.get("/filings/2025").get_json()["sections"]["payments"] == []


def test_the_same_csv_in_english_reads_the_point_as_the_decimal_mark(api_as) -> None:
    api = api_as("filer")
    response = api.put_csv("/filings/2025/payments", csv_body("CIT,STS,,-5.25,KGS,no,,,,refund of an overpayment",
                                                              "VAT,STS,,\"1,250\",KGS,no,,,,"),
                           headers={"Accept-Language": "en"})
    assert response.get_json() == {"lines": 2}
    amounts = sorted(line["amount"] for line in api.get("/filings/2025").get_json()["sections"]["payments"])
    assert amounts == ["-5.25", "1250.00"]
