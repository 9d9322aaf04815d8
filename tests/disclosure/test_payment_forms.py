"""forms.disclosure: the payment line form runs the shared §3 rules and shows their messages at the fields."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from esg_portal.disclosure.schemas import PAYMENT_COLUMNS, load_payment_lookups
from esg_portal.forms.disclosure import NilDeclarationForm, PaymentLineForm, payment_line_choices
from esg_portal.tabular import RowError

VALID = {"revenue_stream": "ROYALTY", "government_entity": "STS", "project": "KG-0001-AP", "amount": "1 234,50",
         "currency": "KGS", "paid_in_kind": "no", "in_kind_volume": "", "in_kind_unit": "",
         "recipient_locality": "", "comment": ""}


@pytest.fixture
def ids(factory) -> dict[str, int]:
    own, other = factory.company("Own Mining LLC"), factory.company("Other Mining LLC")
    return {"own": own, "licence": factory.licence(own, "KG-0001-AP", project_name="Kutessay"),
            "other_licence": factory.licence(other, "KG-9999-AP")}


@pytest.fixture
def post(app, ids):
    """Run ``check(form)`` on a PaymentLineForm posted with ``data`` in a request in ``lang``."""
    def run(data: dict, check, lang: str = "en"):
        with app.test_request_context(f"/?lang={lang}", method="POST", data=data):
            form = PaymentLineForm(lookups=load_payment_lookups(ids["own"]), locale=lang, meta={"csrf": False})
            return check(form)
    return run


def test_choices_are_codes_with_names_in_the_readers_language(app, ids):
    with app.test_request_context("/?lang=ky"):
        choices = {name: [(c.value, str(c.label)) for c in options]
                   for name, options in payment_line_choices(load_payment_lookups(ids["own"]), "ky").items()}
        assert ("ROYALTY", "Роялти (ROYALTY)") in choices["revenue_stream"]
        assert ("STS", "Мамлекеттик салык кызматы (STS)") in choices["government_entity"]
        assert choices["project"] == [("", "— долбоорсуз —"), ("KG-0001-AP", "KG-0001-AP — Kutessay")]
        assert choices["currency"] == [("KGS", "KGS"), ("USD", "USD")]
        assert choices["paid_in_kind"] == [("no", "Жок: акча менен төлөнгөн"),
                                           ("yes", "Ооба: натуралай түрдө (товар менен)")]


def test_to_row_gives_the_section_3_row(post):
    row = post(VALID, lambda form: form.validate() and form.to_row())
    assert row == VALID and list(row) == list(PAYMENT_COLUMNS)


def test_a_valid_line_parses_with_the_users_notation(post, ids):
    payment = post(VALID, lambda form: form.parse_payment(), "ru")
    assert (payment.license_id, payment.amount_minor, payment.currency) == (ids["licence"], 123450, "KGS")


def test_rule_messages_land_on_their_fields(post):
    data = {**VALID, "project": "KG-9999-AP", "amount": "-12.345", "paid_in_kind": "yes"}

    def check(form):
        assert form.parse_payment() is None
        return {name: list(field.errors) for name, field in form._fields.items() if field.errors}

    errors = post(data, check)
    assert set(errors) == {"project", "amount", "in_kind_volume", "in_kind_unit"}
    assert "is not a licence of your company" in errors["project"][0]
    assert "has more than 2 decimals" in errors["amount"][0]


def test_rule_messages_in_kyrgyz(post):
    errors = post({**VALID, "project": "", "amount": "-5"},
                  lambda form: (form.parse_payment(), form.project.errors, form.comment.errors)[1:], "ky")
    project, comment = errors
    assert "ROYALTY" in project[0] and "долбоор" in project[0]
    assert "кайтарым" in comment[0]


def test_apply_row_errors_puts_unplaced_errors_on_the_form(post):
    def check(form):
        form.apply_row_errors([RowError(1, None, None, "whole row"), RowError(1, "amount", "x", "bad amount"),
                               RowError(1, "csrf_token", None, "not a field of the row")])
        return form.amount.errors, form.form_errors

    amount, form_errors = post(VALID, check)
    assert amount == ["bad amount"] and form_errors == ["whole row", "not a field of the row"]


def test_editing_prefills_from_the_get_format(app, ids):
    with app.test_request_context("/?lang=en"):
        form = PaymentLineForm(data={**VALID, "amount": "1234.50", "paid_in_kind": "yes"},
                               lookups=load_payment_lookups(ids["own"]), locale="en", meta={"csrf": False})
        assert (form.revenue_stream.data, form.amount.data, form.paid_in_kind.data) == ("ROYALTY", "1234.50", "yes")


@pytest.mark.parametrize("data, valid, field", [
    ({"kind": "nil", "reason": "No payments were due: exploration only."}, True, None),
    ({"kind": "not_applicable", "reason": "  "}, False, "reason"),
    ({"kind": "other", "reason": "x"}, False, "kind"),
    ({"kind": "nil", "reason": "x" * 2001}, False, "reason"),
])
def test_nil_declaration_form(app, data, valid, field):
    with app.test_request_context("/?lang=ru", method="POST", data=MultiDict(data)):
        form = NilDeclarationForm(meta={"csrf": False})
        assert form.validate() is valid
        if field:
            [message] = form[field].errors
            assert any("\u0400" <= ch <= "\u04ff" for ch in message)
        else:
            assert form.reason.data == data["reason"].strip()
