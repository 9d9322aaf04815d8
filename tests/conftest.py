"""Shared fixtures: one migrated database per test session, emptied after every test.

Tests read only ``TEST_DATABASE_URL`` (never ``DATABASE_URL``); without it they use a
temporary SQLite file. The app context is never left pushed across requests, because
flask-babel caches the locale on ``flask.g`` (see STACK.md).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import PASSWORD, empty_domain_tables, make_app
from publication_support import demo  # noqa: F401  (the published-demo fixture, for every folder)
from flask_migrate import upgrade
from sqlalchemy import select, text

from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import Company, License
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from esg_portal.extensions import db as _db
from esg_portal.money import rate_to_scaled, to_minor
from esg_portal.receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from esg_portal.reference.loader import load_reference_data
from esg_portal.reference.models import GovernmentEntity, PeriodStatus, ReportingPeriod, RevenueStream

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> Iterator[str]:
    """Build the schema once from an empty database by running the real migrations."""
    app = make_app(database_url)
    with app.app_context():
        _db.drop_all()
        _db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.session.commit()
        upgrade(directory=MIGRATIONS)
        load_reference_data()
        _db.session.commit()
        _db.engine.dispose()
    yield database_url
    with app.app_context():
        _db.drop_all()
        _db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.session.commit()
        _db.engine.dispose()


@pytest.fixture
def app(migrated_database: str) -> Iterator[Flask]:
    app = make_app(migrated_database)
    yield app
    with app.app_context():
        _db.session.rollback()
        empty_domain_tables()
        _db.engine.dispose()


@pytest.fixture
def reference_mutable(app: Flask) -> Iterator[None]:
    """For tests that change reference rows: reloads the shipped data afterwards."""
    yield
    with app.app_context():
        load_reference_data(overwrite=True)
        _db.session.commit()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context for service tests (do not mix with test-client requests)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class Factory:
    """Builds committed records; every method opens and closes its own app context."""

    def __init__(self, app: Flask):
        self.app = app
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _save(self, record):
        with self.app.app_context():
            _db.session.add(record)
            _db.session.commit()
            record_id = record.id
        return record_id

    def period(self, year: int = 2025, status: PeriodStatus = PeriodStatus.OPEN,
               deadline: dt.datetime | None = None) -> int:
        return self._save(ReportingPeriod(
            year=year, start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31), status=status,
            usd_rate_scaled=rate_to_scaled(Decimal("87.4500")), usd_rate_source="test",
            filing_deadline_at=deadline or dt.datetime(year + 1, 6, 30, 12, tzinfo=dt.timezone.utc)))

    def company(self, name: str | None = None, inn: str | None = None, **values) -> int:
        n = self._next()
        return self._save(Company(inn=inn or f"{n:014d}", legal_name=name or f"Test Company {n} LLC", **values))

    def licence(self, company_id: int, number: str | None = None, **values) -> int:
        n = self._next()
        values.setdefault("kind", "extraction")
        values.setdefault("project_name", f"Project {n}")
        return self._save(License(company_id=company_id, number=number or f"TEST-{n:04d}-AP", **values))

    def user(self, role: Role = Role.COMPANY_FILER, email: str | None = None, *, company_id: int | None = None,
             agency_code: str | None = None, is_signatory: bool = False, language: str | None = None) -> int:
        n = self._next()
        with self.app.app_context():
            agency_id = None
            if agency_code:
                agency_id = _db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == agency_code))
            user = User(email=email or f"user{n}@test.kg", full_name=f"Test User {n}", role=role,
                        company_id=company_id, agency_id=agency_id, is_signatory=is_signatory, language=language)
            user.set_password(PASSWORD)
            _db.session.add(user)
            _db.session.commit()
            return user.id

    def disclosure(self, company_id: int, period_id: int, status: DisclosureStatus = DisclosureStatus.DRAFT,
                   version: int = 1, payments: list[tuple[str, str, str]] = ()) -> int:
        """``payments``: (stream code, entity code, amount) in KGS."""
        with self.app.app_context():
            disclosure = Disclosure(company_id=company_id, period_id=period_id, status=status, version=version)
            if status is not DisclosureStatus.DRAFT:
                disclosure.submitted_at = dt.datetime(2026, 3, 31, 9, 15, 2, tzinfo=dt.timezone.utc)
            for stream_code, entity_code, amount in payments:
                disclosure.payment_lines.append(PaymentLine(
                    revenue_stream_id=_db.session.scalar(select(RevenueStream.id).where(RevenueStream.code == stream_code)),
                    government_entity_id=_db.session.scalar(
                        select(GovernmentEntity.id).where(GovernmentEntity.code == entity_code)),
                    amount_minor=to_minor(Decimal(amount), "KGS"), currency="KGS"))
            _db.session.add(disclosure)
            _db.session.commit()
            return disclosure.id

    def receipt_batch(self, agency_code: str, period_id: int, receipts: list[tuple[int, str, str]] = (),
                      status: BatchStatus = BatchStatus.SUBMITTED) -> int:
        """``receipts``: (company id, stream code, amount) in KGS."""
        with self.app.app_context():
            agency_id = _db.session.scalar(select(GovernmentEntity.id).where(GovernmentEntity.code == agency_code))
            batch = ReceiptBatch(agency_id=agency_id, period_id=period_id, status=status)
            for company_id, stream_code, amount in receipts:
                batch.receipts.append(GovernmentReceipt(
                    company_id=company_id,
                    revenue_stream_id=_db.session.scalar(select(RevenueStream.id).where(RevenueStream.code == stream_code)),
                    amount_minor=to_minor(Decimal(amount), "KGS"), currency="KGS"))
            _db.session.add(batch)
            _db.session.commit()
            return batch.id


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def world(factory: Factory) -> dict[str, int]:
    """Two companies with a filer each, plus staff, an officer, a period and records of both companies."""
    period = factory.period(2025)
    own, other = factory.company("Own Mining LLC"), factory.company("Other Mining LLC")
    ids = {
        "period": period, "own_company": own, "other_company": other,
        "own_licence": factory.licence(own), "other_licence": factory.licence(other),
        "filer": factory.user(Role.COMPANY_FILER, "filer@test.kg", company_id=own, is_signatory=True),
        "other_filer": factory.user(Role.COMPANY_FILER, "other@test.kg", company_id=other, is_signatory=True),
        "officer": factory.user(Role.AGENCY_OFFICER, "officer@test.kg", agency_code="STS"),
        "other_officer": factory.user(Role.AGENCY_OFFICER, "customs@test.kg", agency_code="SCS"),
        "secretariat": factory.user(Role.SECRETARIAT, "secretariat@test.kg"),
        "admin": factory.user(Role.ADMIN, "admin@test.kg"),
        "own_disclosure": factory.disclosure(own, period, payments=[("ROYALTY", "STS", "1000.50")]),
        "other_disclosure": factory.disclosure(other, period, payments=[("ROYALTY", "STS", "2000.00")]),
        "other_submitted": factory.disclosure(other, factory.period(2024, PeriodStatus.CLOSED),
                                              DisclosureStatus.SUBMITTED),
        "sts_batch": factory.receipt_batch("STS", period, [(own, "ROYALTY", "1000.50")]),
        "scs_batch": factory.receipt_batch("SCS", period, [(other, "CUSTOMS", "10.00")]),
    }
    return ids
