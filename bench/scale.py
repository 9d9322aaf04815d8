"""Speed at national scale (issue 14): a period of 2,000 companies × ~10 payment lines, built through the services.

Builds, after the migrations, the reference data and the demo, on a scratch SQLite database (or
``DATABASE_URL``'s PostgreSQL), the year 2030 with the functions the web forms and the API call:

- the period: its row is a plain ORM insert (no service creates periods); the secretariat sets rate,
  threshold and deadline (``eiti.settings.update_period``), marks DIVIDENDS_STATE not applicable
  (``set_stream_setting``), opens the period (``open_period``) and marks one company as not
  participating (``set_scope_override``);
- the register: companies and licences by the administrator (``companies.services.create_company``,
  ``create_licence``); one signatory filer per company and one officer per agency
  (``accounts.services.create_user``, with a cheap password hash so that 2,000 accounts take seconds);
- the filings: ``open_draft``, ``replace_payment_lines``, ``declare_section`` (not applicable) for every
  ESG section and ``submit_disclosure`` by the signatory; every 97th company leaves its draft unsubmitted;
- the receipts: per agency ``open_batch``, ``replace_receipts`` with the whole batch (an upload) and
  ``submit_batch`` by its officer. Receipts equal payments but for every 9th line (123.45 som more),
  every 37th line (missing: company only), a POLLUTION_FEE receipt of every 41st company and three
  unregistered payers (government only).

Commits every 100 companies. Then times through ``app.test_client()`` (the secretariat and one filer
signed in through the login form) and prints one figure a line, last
``scale: companies=N lines=M run_s=A report_html_s=B report_xlsx_s=C report_pdf_s=D filing_page_p95_ms=E``
(M: lines of the run; report_html_s: median of 5 further pages after the first request).
Targets: run report page < 0.3 s and < 300 KB, XLSX < 3 s, CSV < 3 s, PDF < 10 s, the filing page's
p95 over 50 requests (after one warm-up) < 100 ms. Exit 1 on a miss.

    python bench/scale.py [--companies 2000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time

from sqlalchemy import func, select

from esg_portal import create_app
from esg_portal.accounts.models import Role, User
from esg_portal.accounts.services import create_user
from esg_portal.companies.services import create_company, create_licence
from esg_portal.demo.loader import DEMO_PASSWORD
from esg_portal.disclosure import services as filings
from esg_portal.disclosure.attestation import attestation_text as filing_attestation
from esg_portal.disclosure.inputs import PaymentInput
from esg_portal.disclosure.models import DeclarationKind
from esg_portal.eiti import settings
from esg_portal.eiti.models import ReconciliationLine
from esg_portal.eiti.runs import run_reconciliation
from esg_portal.extensions import db
from esg_portal.receipts import services as receipts
from esg_portal.receipts.attestation import attestation_text as receipt_attestation
from esg_portal.receipts.schemas import ReceiptInput
from esg_portal.reference.models import GovernmentEntity, Region, ReportingPeriod, RevenueStream
from esg_portal.reference.periods import get_period
from scratch import demo_database

YEAR = 2030
CHUNK, PROGRESS = 100, 250
PASSWORD = "scale-pass-2030"
PROJECT_STREAMS = ("ROYALTY", "LICENCE_FEE", "REVENUE_TAX", "LOCAL_DEV", "PROPERTY_TAX")
COMPANY_STREAMS = ("CIT", "VAT", "CUSTOMS", "EXPORT_DUTY", "SOCIAL_FUND")
TARGETS = {"report_html_s": 0.3, "report_kb": 300, "report_xlsx_s": 3, "report_csv_s": 3, "report_pdf_s": 10,
           "filing_page_p95_ms": 100}


def inn(n: int) -> str:
    """The INN of synthetic company ``n`` (the demo's start with 0)."""
    return f"9{n:013d}"


def filer_email(n: int) -> str:
    """The signatory filer of company ``n`` (password ``PASSWORD``)."""
    return f"filer{n}@scale.kg"


def user(email: str) -> User:
    """The account of ``email``, read afresh (the session is emptied after every chunk)."""
    return db.session.scalar(select(User).where(User.email == email))


def payment_plan(n: int) -> list[tuple[str, int | None, int]]:
    """(stream, licence slot or None, amount in tyiyn) of company ``n``: 10 lines, 12 for every 4th company."""
    slots = (0, 1) if n % 4 == 0 else (0,)
    keys = [(code, slot) for slot in slots for code in PROJECT_STREAMS[:5 if slot == 0 else 2]]
    keys += [(code, None) for code in COMPANY_STREAMS]
    if n % 50 == 0:
        keys.append(("DIVIDENDS_STATE", None))  # a stream the secretariat marks not applicable
    return [(code, slot, 10_000_000 + (n * 7_919_993 + k * 104_729_801) % 5_000_000_000)
            for k, (code, slot) in enumerate(keys)]


def receipt_plan(n: int) -> list[tuple[str, int | None, int]]:
    """What the agencies booked of company ``n``: its payments with the planted differences."""
    booked = [(code, slot, amount + (12_345 if (n + k) % 9 == 0 else 0))
              for k, (code, slot, amount) in enumerate(payment_plan(n)) if (n * 13 + k) % 37 != 0]
    if n % 41 == 7:
        booked.append(("POLLUTION_FEE", 0, 4_321_000))
    return booked


def open_year(secretariat: User) -> None:
    """The 2030 period, open for filing until 31 March 2031 (Bishkek), with rate and threshold."""
    db.session.add(ReportingPeriod(year=YEAR, start_date=dt.date(YEAR, 1, 1), end_date=dt.date(YEAR, 12, 31)))
    db.session.flush()
    settings.update_period(secretariat, YEAR, locale="en", usd_rate="89.1000", usd_rate_source="NBKR",
                           threshold="1000000.00", independent_administrator="Scale Audit LLC",
                           board_approved_on=None, deadline_date=dt.date(YEAR + 1, 3, 31),
                           deadline_time=dt.time(18, 0))
    settings.set_stream_setting(secretariat, YEAR, "DIVIDENDS_STATE", locale="en", inclusion="not_applicable",
                                margin_pct="0", floor="0")
    settings.open_period(secretariat, YEAR)


def file_company(admin: User, n: int, period: ReportingPeriod, streams: dict,
                 regions: list[int]) -> tuple[int, list[int]]:
    """Company ``n`` registered, its filer created and its filing made; returns its id and licence ids."""
    company = create_company(admin, inn=inn(n), legal_name=f"Scale Mining {n} LLC", legal_form="LLC",
                             address=f"{n} Chui Avenue, Bishkek", region_id=regions[n % len(regions)])
    licences = [create_licence(admin, company, number=f"KG-SC-{n:05d}-{slot}", kind="extraction",
                               project_name=f"Deposit {n}-{slot}", region_id=regions[(n + slot) % len(regions)],
                               issued_on=dt.date(2020, 1, 1), expires_on=dt.date(2045, 12, 31)).id
                for slot in ((0, 1) if n % 4 == 0 else (0,))]
    filer = create_user(admin, email=filer_email(n), full_name=f"Filer {n}", role=Role.COMPANY_FILER,
                        password=PASSWORD, company_id=company.id, is_signatory=True, position="Chief accountant")
    draft = filings.open_draft(filer, company, period)
    filings.replace_payment_lines(filer, draft, [
        PaymentInput(streams[code][0], streams[code][1], None if slot is None else licences[slot], amount, "KGS",
                     False, None, None, "Kemin" if code in ("LOCAL_DEV", "PROPERTY_TAX") else None, None)
        for code, slot, amount in payment_plan(n)])
    for section in filings.SECTIONS[1:]:
        filings.declare_section(filer, draft, section, DeclarationKind.NOT_APPLICABLE,
                                "No such activity in the period (synthetic company).")
    if n % 97 != 5:
        filings.submit_disclosure(filer, draft, attested_by_name=filer.full_name,
                                  attested_by_position=filer.position, attestation_text=filing_attestation("en"))
    return company.id, licences


def submit_receipts(admin: User, registry: list[tuple[int, list[int]]], streams: dict) -> int:
    """One submitted batch per agency, replaced in one go as an upload does; returns the number of receipts."""
    codes = dict(db.session.execute(select(GovernmentEntity.id, GovernmentEntity.code)).all())
    rows: dict[int, list[ReceiptInput]] = {}
    for n, (company_id, licences) in enumerate(registry):
        for code, slot, amount in receipt_plan(n):
            rows.setdefault(streams[code][1], []).append(ReceiptInput(
                inn(n), company_id, None, streams[code][0], None if slot is None else licences[slot], amount, "KGS",
                None))
    for i in range(3):  # payers outside the register become unregistered companies
        rows[streams["CIT"][1]].append(ReceiptInput(f"8{i:013d}", None, f"Unregistered Trader {i}",
                                                    streams["CIT"][0], None, 250_000_000 + i, "KGS", None))
    for agency_id, agency_rows in sorted(rows.items()):
        code = codes[agency_id]
        officer = create_user(admin, email=f"officer-{code.lower()}@scale.kg", full_name=f"Officer {code}",
                              role=Role.AGENCY_OFFICER, password=PASSWORD, agency_id=agency_id)
        batch = receipts.open_batch(officer, db.session.get(GovernmentEntity, agency_id), get_period(YEAR))
        receipts.replace_receipts(officer, batch, agency_rows)
        receipts.submit_batch(officer, batch, officer.full_name, "Head of revenue accounting",
                              receipt_attestation("en"))
        db.session.commit()
        db.session.expunge_all()
        admin = user("admin@demo.kg")
    return sum(len(r) for r in rows.values())


def build(companies: int) -> int:
    """The scale period through the services, committed in chunks; returns the number of receipts."""
    start = time.perf_counter()
    open_year(user("secretariat@demo.kg"))
    db.session.commit()
    streams = {s.code: (s.id, s.default_entity_id) for s in db.session.scalars(select(RevenueStream))}
    regions = list(db.session.scalars(select(Region.id).order_by(Region.id)))
    registry: list[tuple[int, list[int]]] = []
    for first in range(0, companies, CHUNK):
        admin, period = user("admin@demo.kg"), get_period(YEAR)
        for n in range(first, min(first + CHUNK, companies)):
            registry.append(file_company(admin, n, period, streams, regions))
            if (n + 1) % PROGRESS == 0:
                print(f"  {n + 1} companies filed, {time.perf_counter() - start:.0f} s", flush=True)
        db.session.commit()
        db.session.expunge_all()
    settings.set_scope_override(user("secretariat@demo.kg"), YEAR, company_id=registry[3][0], is_in_scope=True,
                                is_participating=False, reason="Refused to take part (synthetic).")
    print(f"build: filings_s={time.perf_counter() - start:.1f}", flush=True)
    count = submit_receipts(user("admin@demo.kg"), registry, streams)
    db.session.commit()
    print(f"build: companies={companies} receipts={count} seconds={time.perf_counter() - start:.1f}", flush=True)
    return count


def sign_in(client, email: str, password: str) -> None:
    """Sign in through the login form (its CSRF token read from the page)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token.group(1) if token else ""})
    assert response.status_code == 302, f"sign-in of {email}: {response.status_code}"


def timed(client, path: str) -> tuple[float, bytes]:
    """Seconds of one GET that must answer 200, and its body."""
    start = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return seconds, response.get_data()


def measure(app, run_id: int, filer: str) -> dict[str, float]:
    """The report pages and files as the secretariat, the filing page as a filer."""
    figures: dict[str, float] = {}
    client = app.test_client()
    sign_in(client, "secretariat@demo.kg", DEMO_PASSWORD)
    base = f"/eiti/runs/{run_id}/report"
    first, page = timed(client, base)
    others = [timed(client, f"{base}?{query}") for query in
              ("page=7", "page=20", "status=discrepancy", "company_page=3", "stream=ROYALTY&page=2")]
    figures["report_first_s"] = first
    figures["report_html_s"] = statistics.median(seconds for seconds, _ in others)
    figures["report_kb"] = max(len(body) for body in [page] + [body for _, body in others]) / 1024
    print(f"report_html: first_s={first:.3f} median_s={figures['report_html_s']:.3f} "
          f"first_kb={len(page) / 1024:.0f} max_kb={figures['report_kb']:.0f}", flush=True)
    for kind in ("xlsx", "csv", "pdf"):
        seconds, body = timed(client, f"{base}.{kind}")
        assert kind != "pdf" or body.startswith(b"%PDF"), "the PDF does not start with %PDF"
        figures[f"report_{kind}_s"] = seconds
        print(f"report_{kind}: seconds={seconds:.2f} kb={len(body) / 1024:.0f}", flush=True)
    client = app.test_client()
    sign_in(client, filer, PASSWORD)
    timed(client, f"/disclosures/filing/{YEAR}")  # warm-up
    samples = [timed(client, f"/disclosures/filing/{YEAR}")[0] * 1000 for _ in range(50)]
    figures["filing_page_p95_ms"] = statistics.quantiles(samples, n=20)[18]
    print(f"filing_page: p50_ms={statistics.median(samples):.1f} p95_ms={figures['filing_page_p95_ms']:.1f}",
          flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/scale.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-scale", "ESG_ATTACHMENTS_DIR": folder,
                          "ESG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            demo_database()
            build(args.companies)
            secretariat = user("secretariat@demo.kg")
            start = time.perf_counter()
            run = run_reconciliation(secretariat, YEAR)
            db.session.commit()
            run_s = time.perf_counter() - start
            run_id, counts = run.id, run.summary["counts"]
            lines = db.session.scalar(select(func.count()).select_from(ReconciliationLine)
                                      .where(ReconciliationLine.run_id == run_id))
            print(f"run: seconds={run_s:.2f} lines={lines} " + " ".join(f"{k}={v}" for k, v in counts.items()),
                  flush=True)
            db.session.remove()
        figures = measure(app, run_id, filer_email(1))
        with app.app_context():
            db.drop_all()
    missed = [name for name, limit in TARGETS.items() if figures[name] >= limit]
    if missed:
        print("missed: " + " ".join(f"{name}={figures[name]:.3f} (target < {TARGETS[name]})" for name in missed))
    print(f"scale: companies={args.companies} lines={lines} run_s={run_s:.2f} "
          f"report_html_s={figures['report_html_s']:.3f} report_xlsx_s={figures['report_xlsx_s']:.2f} "
          f"report_pdf_s={figures['report_pdf_s']:.2f} filing_page_p95_ms={figures['filing_page_p95_ms']:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
