"""tabular.numbers: the §3 number formats, the language rule for "1,234", refusals and their messages."""
from decimal import Decimal

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from esg_portal.tabular.numbers import NumberError, number_error_message, parse_decimal

LOCALES = ("en", "ru", "ky")
SPACES = (" ", "\u00a0", "\u202f")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text, expected", [
    ("1234567.89", "1234567.89"),
    ("1 234 567,89", "1234567.89"),
    ("1\u00a0234\u00a0567,89", "1234567.89"),
    ("1\u202f234\u202f567,89", "1234567.89"),
    ("1 234\u00a0567,89", "1234567.89"),
    ("1,234,567.89", "1234567.89"),
    ("1.234.567,89", "1234567.89"),
    ("1,234,567", "1234567"),
    ("1.234.567", "1234567"),
    ("1 234", "1234"),
    ("1 234.5", "1234.5"),
    ("-500.00", "-500.00"),
    ("\u2212500,00", "-500.00"),
    ("  -1 234,5 \t", "-1234.5"),
    ("\u00a042\u00a0", "42"),
    ("0", "0"),
    ("007", "7"),
    ("0,5", "0.5"),
    ("12,5", "12.5"),
    ("1.50", "1.50"),
    ("999999999999999.99", "999999999999999.99"),
    ("-999999999999999.99", "-999999999999999.99"),
])
def test_accepts_every_section_3_format_in_every_language(text, locale, expected):
    result = parse_decimal(text, locale)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


@pytest.mark.parametrize("text, locale, expected", [
    ("1,234", "en", "1234"),      # en: the comma groups thousands
    ("-1,234", "en", "-1234"),
    ("1,234", "en_US", "1234"),   # locale variants are understood
    ("1.234.567", "ru", "1234567"),  # ru/ky: a repeated point can only group (a lone one is refused:
    ("1.234.567", Locale("ky"), "1234567"),  # test_numbers_ambiguous)
])
def test_ambiguous_single_separator_follows_the_language(text, locale, expected):
    assert parse_decimal(text, locale) == Decimal(expected)


@pytest.mark.parametrize("text, locale", [("1,234", "ru"), ("1,234", "ky"), ("1.234", "en")])
def test_ambiguous_decimal_reading_is_refused_for_money(text, locale):
    # read as 1.234, which has 3 decimals: a likely "one thousand" typo is not taken silently
    with pytest.raises(NumberError) as caught:
        parse_decimal(text, locale)
    assert caught.value.code == "too_many_decimals"
    assert parse_decimal(text, locale, max_decimals=3) == Decimal("1.234")


def test_a_leading_zero_group_is_never_thousands():
    assert parse_decimal("0,123", "en", max_decimals=3) == Decimal("0.123")
    assert parse_decimal("0.123", "ru", max_decimals=3) == Decimal("0.123")
    assert parse_decimal("1234,567", "en", max_decimals=3) == Decimal("1234.567")


@pytest.mark.parametrize("text, code", [
    ("", "empty"), ("   ", "empty"), ("\u00a0", "empty"),
    ("abc", "not_a_number"), ("12 kg", "not_a_number"), ("KGS 100", "not_a_number"),
    ("1,23,4.5", "not_a_number"), ("1 234,567.89", "not_a_number"), ("1.234,567.89", "not_a_number"),
    ("1,234.567,8", "not_a_number"), ("1.2.3", "not_a_number"), ("12,34,567", "not_a_number"),
    ("1,2345,678", "not_a_number"), ("12 34", "not_a_number"), ("1  234", "not_a_number"),
    ("0 123", "not_a_number"), ("1 234 5", "not_a_number"), ("1,234 567", "not_a_number"),
    ("1.", "not_a_number"), (".5", "not_a_number"), (",5", "not_a_number"), ("-", "not_a_number"),
    ("--5", "not_a_number"), ("+5", "not_a_number"), ("5-", "not_a_number"), ("(500)", "not_a_number"),
    ("- 5", "not_a_number"), ("1\t234", "not_a_number"), ("١٢٣", "not_a_number"), ("0x10", "not_a_number"),
    ("1_000", "not_a_number"), ("#N/A", "not_a_number"),
    ("1e5", "exponent"), ("1E5", "exponent"), ("1.5E+10", "exponent"), ("-2,5e-3", "exponent"),
    ("1 234e2", "exponent"),
    ("NaN", "not_finite"), ("nan", "not_finite"), ("-NaN", "not_finite"), ("sNaN", "not_finite"),
    ("Infinity", "not_finite"), ("-Infinity", "not_finite"), ("inf", "not_finite"), ("∞", "not_finite"),
    ("1000000000000000", "too_large"), ("-1000000000000000", "too_large"), ("1 000 000 000 000 000", "too_large"),
    ("1" * 5000, "too_large"),
    ("0.001", "too_many_decimals"), ("12.3456", "too_many_decimals"), ("1 234,567", "too_many_decimals"),
    ("1.2300", "too_many_decimals"), ("0,500", "too_many_decimals"),
])
def test_refusals_carry_a_machine_code(text, code):
    for locale in LOCALES:
        with pytest.raises(NumberError) as caught:
            parse_decimal(text, locale)
        assert caught.value.code == code
        assert caught.value.params["value"] == text


def test_decimals_are_counted_as_written_and_never_rounded():
    assert parse_decimal("1.5", "en", max_decimals=None) == Decimal("1.5")
    assert parse_decimal("1.123456789", "en", max_decimals=None) == Decimal("1.123456789")
    assert parse_decimal("87.4500", "en", max_decimals=4) == Decimal("87.4500")
    with pytest.raises(NumberError) as caught:
        parse_decimal("87.45001", "en", max_decimals=4)
    assert caught.value.params["max_decimals"] == 4
    with pytest.raises(NumberError):
        parse_decimal("3.0", "en", max_decimals=0)
    assert parse_decimal("3", "en", max_decimals=0) == 3


def test_limit_is_exclusive_and_configurable():
    with pytest.raises(NumberError) as caught:
        parse_decimal("100", "en", max_abs=Decimal(100))
    assert caught.value.code == "too_large"
    assert caught.value.params["max_abs"] == Decimal(100)
    assert parse_decimal("99.99", "en", max_abs=Decimal(100)) == Decimal("99.99")


def test_negative_zero_becomes_zero():
    result = parse_decimal("-0.00", "en")
    assert result == 0 and not result.is_signed()


def test_unknown_locale_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_decimal("1", "de")
    with pytest.raises(ValueError):
        parse_decimal("1", "")


def test_unknown_error_code_is_refused():
    with pytest.raises(ValueError):
        NumberError("whatever", {})


# -- property: every allowed style round-trips ---------------------------------------------------

def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def _format(value: Decimal, style: str) -> str:
    """``value`` written as a filer's spreadsheet or accounting export would write it."""
    sign = "-" if value < 0 else ""
    plain = f"{abs(value):f}"
    integer, _point, fraction = plain.partition(".")
    if style == "plain":
        grouped, mark = integer, "."
    elif style == "en":
        grouped, mark = _group(integer, ","), "."
    else:  # "ru" with one of the three grouping spaces
        grouped, mark = _group(integer, style), ","
    return sign + grouped + (mark + fraction if fraction else "")


_amounts = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(min_value=-(10 ** 17) + 1, max_value=10 ** 17 - 1), st.integers(min_value=0, max_value=2),
).filter(lambda d: abs(d) < Decimal(10) ** 15)


@given(_amounts)
def test_every_style_round_trips_with_the_matching_language(value):
    assert parse_decimal(_format(value, "plain"), "en") == value
    assert parse_decimal(_format(value, "en"), "en") == value
    for space in SPACES:
        assert parse_decimal(_format(value, space), "ru") == value
        assert parse_decimal(_format(value, space), "ky") == value


@given(_amounts)
def test_unambiguous_styles_do_not_depend_on_the_language(value):
    # plain (≤ 2 decimals) and space-grouped numbers read the same in every language
    for locale in LOCALES:
        assert parse_decimal(_format(value, "plain"), locale) == value
        assert parse_decimal(_format(value, " "), locale) == value


@given(st.text(max_size=30))
def test_any_text_either_parses_exactly_or_raises_number_error(text):
    for locale in LOCALES:
        try:
            result = parse_decimal(text, locale)
        except NumberError as error:
            assert error.code in NumberError.CODES
        else:
            assert isinstance(result, Decimal) and result.is_finite()
            assert abs(result) < Decimal(10) ** 15 and -result.as_tuple().exponent <= 2


# -- messages ----------------------------------------------------------------------------------------

def _error(text: str, **kwargs) -> NumberError:
    with pytest.raises(NumberError) as caught:
        parse_decimal(text, "en", **kwargs)
    return caught.value


def test_messages_name_the_value_and_the_fix(app_ctx):
    assert number_error_message(_error("12.345")) == (
        "“12.345” has more than 2 decimals; money takes at most 2 (tyiyn or cents). "
        "Enter it with at most the allowed decimals: the portal never rounds for you.")
    assert "1.5E5" in number_error_message(_error("1e5"))
    assert "“1e5”" in number_error_message(_error("1e5"))
    assert "1 000 000 000 000 000" in number_error_message(_error("1000000000000000"))
    assert "finite" in number_error_message(_error("NaN"))
    assert "required" in number_error_message(_error(" "))
    assert "1 234 567,89" in number_error_message(_error("abc"))
    assert number_error_message(_error("1.5", max_decimals=0)) == "“1.5” must be a whole number."
    assert number_error_message(_error("1.12345", max_decimals=4)) == (
        "“1.12345” has too many decimals; at most 4 are allowed.")
    assert number_error_message(_error("1.12", max_decimals=1)) == (
        "“1.12” has too many decimals; at most 1 is allowed.")


def test_messages_shorten_long_values():
    message = number_error_message(_error("x" * 500))
    assert "x" * 39 + "…" in message and "x" * 41 not in message


def test_messages_work_outside_and_inside_a_request(app):
    error = _error("abc")
    outside = number_error_message(error)
    with app.test_request_context("/?lang=ru"):
        assert isinstance(number_error_message(error), str) and "abc" in number_error_message(error)
    with app.app_context():
        assert number_error_message(error) == outside
