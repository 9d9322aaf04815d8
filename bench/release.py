"""Publishing at national scale: a synthetic period of 2,000 companies × 20 payment lines.

Builds the period on a scratch SQLite database (or ``DATABASE_URL``'s PostgreSQL) with bulk inserts:
accepted filings with payments and the demo's ESG sections, one submitted receipt batch per
agency, a reconciliation run through the engine; then publishes it through the service and
prints ``release: companies=N lines=M seconds=S peak_mb=P files=F`` (targets: S < 60, P < 1024),
then ``public_api: <resource>_p50_ms=…`` for pages of 100 (target < 50 ms). Exit 1 on a miss.

    python bench/release.py [--companies 2000] [--lines 20]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time

from sqlalchemy import insert, select

from esg_portal import create_app
from esg_portal.accounts.models import Role, User
from esg_portal.companies.models import Company, License
from esg_portal.disclosure.models import Disclosure, DisclosureSection, DisclosureStatus, PaymentLine
from esg_portal.eiti.publication.services import publish_release
from esg_portal.eiti.runs import run_reconciliation
from esg_portal.extensions import db
from esg_portal.receipts.models import BatchStatus, GovernmentReceipt, ReceiptBatch
from esg_portal.reference.models import GovernmentEntity, PeriodStatus, ReportingPeriod, RevenueStream
from scratch import demo_database

YEAR = 2030
TARGET_SECONDS, TARGET_MB, TARGET_API_MS = 60, 1024, 50


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The memory the process holds now (the build's data stays cached by SQLAlchemy and Python)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def build(companies: int, lines: int) -> int:
    """The synthetic period; returns the number of payment lines."""
    now = dt.datetime(YEAR + 1, 3, 1, tzinfo=dt.timezone.utc)
    period = ReportingPeriod(year=YEAR, start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 12, 31),
                             status=PeriodStatus.CLOSED, usd_rate_scaled=875000, usd_rate_source="NBKR")
    db.session.add(period)
    db.session.flush()
    streams = list(db.session.scalars(select(RevenueStream).order_by(RevenueStream.code)))
    entities = {e.code: e.id for e in db.session.scalars(select(GovernmentEntity))}
    # ESG sections as the demo stores them, copied to every company
    sections = {}
    for row in db.session.scalars(select(DisclosureSection)):
        sections.setdefault(row.section, row.data)
    db.session.execute(insert(Company), [{"inn": f"9{i:013d}", "legal_name": f"Synthetic Mining {i} LLC",
                                          "is_registered": True, "created_at": now} for i in range(companies)])
    company_ids = dict(db.session.execute(select(Company.inn, Company.id).where(Company.inn.like("9%"))).all())
    db.session.execute(insert(License), [{"company_id": cid, "number": f"KG-SYN-{inn[-6:]}", "kind": "extraction",
                                          "project_name": f"Deposit {inn[-6:]}", "status": "active"}
                                         for inn, cid in company_ids.items()])
    licences = dict(db.session.execute(select(License.company_id, License.id)
                                       .where(License.number.like("KG-SYN-%"))).all())
    db.session.execute(insert(Disclosure), [{
        "company_id": cid, "period_id": period.id, "version": 1, "status": DisclosureStatus.ACCEPTED,
        "created_at": now, "updated_at": now, "submitted_at": now,
        "sha256": hashlib.sha256(inn.encode()).hexdigest()} for inn, cid in company_ids.items()])
    disclosures = dict(db.session.execute(select(Disclosure.company_id, Disclosure.id)
                                          .where(Disclosure.period_id == period.id)).all())
    payment_rows, receipt_rows = [], []
    for n, (inn, cid) in enumerate(company_ids.items()):
        for k in range(lines):
            stream = streams[k % len(streams)]
            project = licences[cid] if k >= len(streams) or stream.is_levied_per_project else None
            amount = 100_000 + (n * 7919 + k * 104729) % 50_000_000
            payment_rows.append({"disclosure_id": disclosures[cid], "revenue_stream_id": stream.id,
                                 "government_entity_id": stream.default_entity_id, "license_id": project,
                                 "amount_minor": amount, "currency": "KGS", "is_paid_in_kind": False})
            receipt_rows.append((stream.default_entity_id, cid, stream.id, project,
                                 amount + (0 if (n + k) % 9 else 12_345)))
    db.session.execute(insert(PaymentLine), payment_rows)
    db.session.execute(insert(DisclosureSection), [
        {"disclosure_id": did, "section": key, "data": data}
        for did in disclosures.values() for key, data in sections.items() if key != "beneficial_owners"])
    batches = {}
    for agency_id in sorted({r[0] for r in receipt_rows}):
        batch = ReceiptBatch(agency_id=agency_id, period_id=period.id, version=1, status=BatchStatus.SUBMITTED,
                             submitted_at=now, sha256="0" * 64)
        db.session.add(batch)
        db.session.flush()
        batches[agency_id] = batch.id
    db.session.execute(insert(GovernmentReceipt), [
        {"batch_id": batches[a], "company_id": c, "revenue_stream_id": s, "license_id": p, "amount_minor": m,
         "currency": "KGS"} for a, c, s, p, m in receipt_rows])
    db.session.flush()
    del entities
    return len(payment_rows)


def p50(client, path: str, n: int = 30) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "ESG_ATTACHMENTS_DIR": folder})
        with app.app_context():
            demo_database()
            lines = build(args.companies, args.lines)
            db.session.commit()
            secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
            run_reconciliation(secretariat, YEAR)
            db.session.commit()
            db.session.expunge_all()
            secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
            before = rss_mb()
            start = time.perf_counter()
            release = publish_release(secretariat, YEAR, homepage="http://127.0.0.1:5000")
            db.session.commit()
            seconds = time.perf_counter() - start
            files = len(release.manifest["files"])
        peak = peak_mb()
        print(f"release: companies={args.companies} lines={lines} seconds={seconds:.1f} peak_mb={peak:.0f} "
              f"files={files}")
        print(f"memory: rss_before_publish_mb={before:.0f} (the peak is the whole process's)")
        client = app.test_client()
        client.get(f"/api/v1/public/company-payments?year={YEAR}")  # the first read parses data.json
        figures = {name: p50(client, f"/api/v1/public/{name}?year={YEAR}&limit=100&offset=1000")
                   for name in ("company-payments", "government-revenues", "reconciliation-lines", "companies")}
        print("public_api: " + " ".join(f"{name}_p50_ms={ms:.1f}" for name, ms in figures.items()))
        with app.app_context():
            db.drop_all()
    missed = seconds >= TARGET_SECONDS or peak >= TARGET_MB or any(ms >= TARGET_API_MS for ms in figures.values())
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
