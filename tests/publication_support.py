"""Fixtures of the publication tests: the demo data with a reconciliation run and planted markers."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from esg_portal.accounts.models import Role, User
from esg_portal.accounts.tokens import create_token
from esg_portal.demo.loader import load_demo
from esg_portal.disclosure.models import Disclosure, DisclosureStatus, PaymentLine
from esg_portal.eiti import runs
from esg_portal.extensions import db
from esg_portal.reference.models import ReportingPeriod

YEAR = 2024
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)")


def secretariat(app: Flask) -> User:
    return db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The demo data, a reconciliation run of 2024, and planted markers of what must never be published."""
    with app.app_context():
        load_demo()
        period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == YEAR))
        filings = list(db.session.scalars(select(Disclosure).where(Disclosure.period_id == period.id)
                                          .order_by(Disclosure.id)))
        accepted = [d for d in filings if d.status is DisclosureStatus.ACCEPTED]
        pending = [d for d in filings if d.status is DisclosureStatus.SUBMITTED]
        assert accepted and pending
        # attestation details are personal: never published
        accepted[0].attested_by_name = "Planted Attester Name"
        accepted[0].attestation_text = "I attest. planted-attester@mail.example"
        # a beneficial owner's private fields, kept apart as the sections codec keeps them
        owners = next(s for d in accepted for s in d.sections if s.section == "beneficial_owners" and s.data)
        owners.restricted = [{"date_of_birth": "1959-07-13", "id_document": "PLANTEDID-77"} for _o in owners.data]
        # an unaccepted version's figures and a draft's
        pending[0].payment_lines[0].comment = "PLANTED-UNDER-REVIEW"
        draft = Disclosure(company_id=accepted[1].company_id, period_id=period.id, version=2,
                           status=DisclosureStatus.DRAFT)
        db.session.add(draft)
        db.session.flush()
        line = accepted[1].payment_lines[0]
        db.session.add(PaymentLine(disclosure_id=draft.id, revenue_stream_id=line.revenue_stream_id,
                                   government_entity_id=line.government_entity_id, amount_minor=98765432101,
                                   currency="KGS", comment="PLANTED-DRAFT"))
        # formula-looking text typed by a company and by an agency officer
        accepted[2].payment_lines[0].comment = FORMULAS[0]
        accepted[2].payment_lines[1].comment = FORMULAS[1]
        agreements = next(s for d in accepted for s in d.sections if s.section == "social_agreements" and s.data)
        agreements.data = [{**agreements.data[0], "counterparty_name": FORMULAS[2]}, *agreements.data[1:]]
        db.session.commit()
        runs.run_reconciliation(secretariat(app), YEAR)
        db.session.commit()
    return app


def token(app: Flask, role: Role) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == role))
        _row, token = create_token(user, "tests")
        db.session.commit()
        return token


def publish(app: Flask, client=None):
    client = client or app.test_client()
    token_ = token(app, Role.SECRETARIAT)
    return client.post(f"/api/v1/releases/{YEAR}", headers={"Authorization": f"Bearer {token_}"})




def as_kyrgyz(source: Path, target: Path) -> Path:
    """A copy of EITI's Armenia files whose Country / ISO Code say Kyrgyz Republic / KGZ."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        header = rows[0]
        for row in rows[1:]:
            for column, value in (("Country", "Kyrgyz Republic"), ("ISO Code", "KGZ"),
                                  ("Country or area name", "Kyrgyz Republic"), ("ISO Alpha-3 Code", "KGZ")):
                if column in header:
                    row[header.index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (target / path.name).write_text(out.getvalue(), encoding="utf-8")
    return target
