"""The audit trail: every create, update and delete of an audited record leaves one
AuditEvent with the changed fields, who acted and from where, in the same transaction."""
from __future__ import annotations

import getpass
import json

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from support import PASSWORD, login, post_form
from esg_portal.accounts.models import Role, User
from esg_portal.audit import AuditEvent
from esg_portal.companies.models import Company
from esg_portal.disclosure.models import Disclosure, PaymentLine
from esg_portal.extensions import db


def _events(table: str, record_id: int | str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.table_name == table)
    if record_id is not None:
        stmt = stmt.where(AuditEvent.record_id == str(record_id))
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def _new_company(name: str = "A", inn: str = "00000000000123") -> int:
    company = Company(inn=inn, legal_name=name)
    db.session.add(company)
    db.session.commit()
    return company.id


def _fresh_session() -> None:
    """Forget every loaded object, as a new request would."""
    db.session.remove()


# --- create, update, delete of a company ---

def test_creating_a_company_records_its_values(app_ctx) -> None:
    company_id = _new_company("A", "00000000000123")
    [event] = _events("company", company_id)
    assert event.action == "create"
    assert event.record_id == str(company_id)
    assert event.changes["legal_name"] == [None, "A"]
    assert event.changes["inn"] == [None, "00000000000123"]
    assert event.changes["id"] == [None, company_id]
    assert all(before is None for before, _ in event.changes.values())
    assert event.created_at is not None


def test_updating_a_company_records_exactly_the_changed_fields(app_ctx) -> None:
    company_id = _new_company("A")
    _fresh_session()
    company = db.session.get(Company, company_id)
    company.legal_name = "B"
    db.session.commit()
    event = _events("company", company_id)[-1]
    assert event.action == "update"
    assert event.changes == {"legal_name": ["A", "B"]}

    _fresh_session()
    company = db.session.get(Company, company_id)
    company.website, company.state_share_bp, company.is_soe = "https://b.example.kg", 3000, True
    db.session.commit()
    assert _events("company", company_id)[-1].changes == {
        "website": [None, "https://b.example.kg"], "state_share_bp": [None, 3000], "is_soe": [False, True]}


def test_an_update_after_a_commit_still_knows_the_value_before(app_ctx) -> None:
    """A commit expires the instance; assigning to it must still record the old value."""
    company = Company(inn="00000000000124", legal_name="A")
    db.session.add(company)
    db.session.flush()
    company_id = company.id
    db.session.commit()
    company.legal_name = "B"
    db.session.commit()
    assert _events("company", company_id)[-1].changes == {"legal_name": ["A", "B"]}


def test_no_event_when_nothing_changed(app_ctx) -> None:
    company = Company(inn="00000000000123", legal_name="A")
    db.session.add(company)
    db.session.flush()
    company_id = company.id
    db.session.commit()
    count = len(_events("company", company_id))
    company.legal_name = "A"  # the same value, on an instance expired by the commit
    company.is_soe = False
    db.session.commit()
    _fresh_session()
    company = db.session.get(Company, company_id)
    company.legal_name = "A"
    db.session.commit()
    assert len(_events("company", company_id)) == count


def test_a_change_and_its_reversal_in_one_flush_records_nothing(app_ctx) -> None:
    company_id = _new_company("A")
    count = len(_events("company", company_id))
    company = db.session.get(Company, company_id)
    company.legal_name = "B"
    company.legal_name = "A"
    db.session.commit()
    assert len(_events("company", company_id)) == count


def test_deleting_a_company_records_its_last_values(app_ctx) -> None:
    company_id = _new_company("A")
    _fresh_session()
    company = db.session.get(Company, company_id)
    company.legal_name = "B"
    db.session.commit()
    db.session.delete(company)  # expired by the commit: the values are read before the row goes
    db.session.commit()
    event = _events("company", company_id)[-1]
    assert event.action == "delete"
    assert event.changes["legal_name"] == ["B", None]
    assert event.changes["inn"] == ["00000000000123", None]
    assert all(after is None for _, after in event.changes.values())
    assert [e.action for e in _events("company", company_id)] == ["create", "update", "delete"]


# --- payment lines ---

def test_payment_lines_are_audited_from_creation_to_removal(app: Flask, factory, world: dict[str, int]) -> None:
    disclosure_id = factory.disclosure(world["own_company"], factory.period(2023),
                                       payments=[("ROYALTY", "STS", "1000.50"), ("BONUS", "STS", "7.00")])
    with app.app_context():
        royalty, bonus = db.session.get(Disclosure, disclosure_id).payment_lines
        [created] = _events("payment_line", royalty.id)
        assert created.action == "create"
        assert created.changes["amount_minor"] == [None, 100050]
        assert created.changes["currency"] == [None, "KGS"]
        assert created.changes["disclosure_id"] == [None, disclosure_id]
        royalty_id, bonus_id = royalty.id, bonus.id

    with app.app_context():
        line = db.session.get(PaymentLine, royalty_id)
        line.amount_minor = 200000
        line.comment = "corrected from the ledger"
        db.session.commit()
        assert _events("payment_line", royalty_id)[-1].changes == {
            "amount_minor": [100050, 200000], "comment": [None, "corrected from the ledger"]}

    with app.app_context():  # removed from its disclosure: deleted as an orphan
        disclosure = db.session.get(Disclosure, disclosure_id)
        disclosure.payment_lines.remove(db.session.get(PaymentLine, royalty_id))
        db.session.commit()
        event = _events("payment_line", royalty_id)[-1]
        assert event.action == "delete"
        assert event.changes["amount_minor"] == [200000, None]
        assert db.session.get(PaymentLine, royalty_id) is None

    with app.app_context():  # deleted directly
        db.session.delete(db.session.get(PaymentLine, bonus_id))
        db.session.commit()
        assert [e.action for e in _events("payment_line", bonus_id)] == ["create", "delete"]
        assert _events("payment_line", bonus_id)[-1].changes["amount_minor"] == [700, None]


def test_deleting_a_disclosure_records_its_lines_too(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        line_ids = [line.id for line in db.session.get(Disclosure, world["other_disclosure"]).payment_lines]
        assert line_ids
    with app.app_context():
        db.session.delete(db.session.get(Disclosure, world["other_disclosure"]))
        db.session.commit()
        assert _events("disclosure", world["other_disclosure"])[-1].action == "delete"
        for line_id in line_ids:
            assert _events("payment_line", line_id)[-1].action == "delete"


# --- secrets and noise ---

def test_password_hashes_never_enter_the_trail(app: Flask, factory) -> None:
    user_id = factory.user(Role.SECRETARIAT, "staff@test.kg")
    with app.app_context():
        user = db.session.get(User, user_id)
        first_hash = user.password_hash
        user.set_password("another-long-password")
        db.session.commit()
        second_hash = user.password_hash
        created, changed = _events("user_account", user_id)
        assert created.changes["password_hash"] == [None, "***"]
        assert changed.changes == {"password_hash": ["***", "***"]}
        trail = json.dumps([e.changes for e in _events("user_account")])
        assert first_hash not in trail and second_hash not in trail
        assert "pbkdf2" not in trail and "scrypt" not in trail


def test_sign_in_bookkeeping_is_not_audited(app: Flask, client, factory) -> None:
    """Failure counters and last-sign-in times change on every attempt; they are left out."""
    user_id = factory.user(Role.SECRETARIAT, "staff@test.kg")
    with app.app_context():
        count = len(_events("user_account", user_id))
    post_form(client, "/login", {"email": "staff@test.kg", "password": "wrong-password"})
    login(client, "staff@test.kg")
    with app.app_context():
        assert db.session.get(User, user_id).last_login_at is not None
        assert len(_events("user_account", user_id)) == count


# --- who acted and from where ---

def test_a_change_in_a_request_names_the_user_and_the_address(app: Flask, client, factory) -> None:
    company = factory.company("Own Mining LLC")
    user_id = factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=company)
    client.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    login(client, "filer@test.kg")
    response = post_form(client, "/language", {"lang": "ru"}, form_page="/")
    assert response.status_code == 302
    with app.app_context():
        event = _events("user_account", user_id)[-1]
        assert event.action == "update"
        assert event.changes == {"language": [None, "ru"]}
        assert event.actor_id == user_id
        assert event.actor_label == "filer@test.kg"
        assert event.ip_address == "10.20.30.40"


def test_the_test_client_address_is_recorded(app: Flask, client, factory) -> None:
    user_id = factory.user(Role.ADMIN, "admin@test.kg")
    login(client, "admin@test.kg")
    post_form(client, "/language", {"lang": "ky"}, form_page="/")
    with app.app_context():
        event = _events("user_account", user_id)[-1]
        assert (event.actor_label, event.ip_address) == ("admin@test.kg", "127.0.0.1")


def test_a_change_outside_a_request_is_attributed_to_the_operator(app_ctx, monkeypatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    company_id = _new_company()
    [event] = _events("company", company_id)
    assert (event.actor_id, event.actor_label, event.ip_address) == (None, "cli:operator", None)


def test_a_change_without_a_login_name_is_attributed_to_the_system(app_ctx, monkeypatch) -> None:
    def no_login_name() -> str:
        raise OSError("no login name in this container")

    monkeypatch.setattr(getpass, "getuser", no_login_name)
    company_id = _new_company()
    [event] = _events("company", company_id)
    assert (event.actor_id, event.actor_label) == (None, "system")


def test_a_command_line_change_names_the_operator(app: Flask, runner, monkeypatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    result = runner.invoke(args=["users", "create", "--email", "new@test.kg", "--name", "New Admin",
                                 "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "new@test.kg"))
        [event] = _events("user_account", user_id)
        assert (event.action, event.actor_label) == ("create", "cli:operator")


# --- transactions ---

def test_events_roll_back_with_the_change(app_ctx) -> None:
    company = Company(inn="00000000000125", legal_name="Never Committed LLC")
    db.session.add(company)
    db.session.flush()  # the event row is written by this flush …
    record_id = str(company.id)
    assert len(_events("company", record_id)) == 1
    db.session.rollback()  # … and goes with the transaction
    assert _events("company", record_id) == []
    assert db.session.scalar(select(Company).where(Company.legal_name == "Never Committed LLC")) is None


def test_a_failed_change_records_nothing(app_ctx) -> None:
    first = _new_company("First LLC", "00000000000126")
    second = _new_company("Second LLC", "00000000000127")
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    db.session.get(Company, first).legal_name = "Renamed LLC"
    db.session.flush()
    db.session.get(Company, second).inn = "00000000000126"  # taken by the first company
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == count
    assert db.session.get(Company, first).legal_name == "First LLC"


def test_a_refused_request_records_nothing(app: Flask, client, factory) -> None:
    user_id = factory.user(Role.ADMIN, "admin@test.kg")
    login(client, "admin@test.kg")
    with app.app_context():
        count = db.session.scalar(select(func.count(AuditEvent.id)))
    assert post_form(client, "/language", {"lang": "xx"}, form_page="/").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == count
        assert db.session.get(User, user_id).language is None


def test_many_to_many_links_are_recorded_as_codes(app_ctx, factory):
    """A licence's minerals live in a link table; changing them is audited on the licence."""
    from esg_portal.companies.models import License
    from esg_portal.reference.models import Mineral

    licence_id = factory.licence(factory.company())
    licence = db.session.get(License, licence_id)
    copper, silver = (db.session.scalar(select(Mineral).where(Mineral.code == c)) for c in ("CU", "AG"))
    licence.minerals = [copper]
    db.session.commit()
    licence.minerals = [silver, copper]
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "license")
                                .order_by(AuditEvent.id)).all()
    assert [e.changes.get("minerals") for e in events[-2:]] == [[[], ["CU"]], [["CU"], ["AG", "CU"]]]
