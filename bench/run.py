"""Speed figures for the foundation, measured on a scratch SQLite database.

Run with ``make bench``. Prints timings; targets are stated next to each figure and the
script exits 1 if one is missed, so a regression is visible without timed unit tests.
"""
from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from esg_portal import create_app
from esg_portal.demo.loader import DEMO_PASSWORD, load_demo
from esg_portal.extensions import db
from esg_portal.reference.loader import load_reference_data

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
#: (name, target in milliseconds)
TARGETS = {"migrate": 5000, "reference load": 2000, "demo load": 10000,
           "dashboard (filer) p50": 100, "company page p50": 100, "login page p50": 50,
           "filing page (filer) p50": 150, "upload check, 50,000 rows": 30000,
           "section page (EIA) p50": 150, "reconciliation run 2024": 5000, "report page p50": 1000,
           "report XLSX": 5000, "report PDF": 10000}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p50(client, path: str, n: int = 50) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


def _upload_50k(app) -> None:
    """Read and check the largest upload §3 allows (no database write). One company has only a
    few hundred distinct row keys, so most rows come back as "duplicate of row N": the figure
    is the time to read, parse and check every row and report every error."""
    from sqlalchemy import select

    from esg_portal.accounts.models import User
    from esg_portal.disclosure.schemas import load_payment_lookups, read_payment_upload
    from esg_portal.tabular import UploadRejected

    filer = db.session.scalar(select(User).where(User.email == "filer1@demo.kg"))
    lookups = load_payment_lookups(filer.company_id)
    licences = sorted(lookups.licences) or [""]
    lines = ["revenue_stream,government_entity,project,amount,currency,paid_in_kind"]
    for n in range(50_000):
        stream = "ROYALTY" if n % 2 else "CIT"
        project = licences[n % len(licences)] if stream == "ROYALTY" else ""
        currency = "KGS" if n % 3 else "USD"
        lines.append(f"{stream},STS,{project},{n}.{n % 100:02d},{currency},no")
    data = ("\n".join(lines) + "\n").encode()
    try:
        read_payment_upload(data, "bench.csv", locale="en", lookups=lookups)
    except UploadRejected:  # the duplicates, as explained above
        pass


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench-" * 8})
        results = {}
        with app.app_context():
            results["migrate"] = timed(lambda: upgrade(directory=MIGRATIONS))
            results["reference load"] = timed(lambda: (load_reference_data(), db.session.commit()))
            results["demo load"] = timed(lambda: (load_demo(), db.session.commit()))
        client = app.test_client()
        results["login page p50"] = p50(client, "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": "filer1@demo.kg", "password": DEMO_PASSWORD, "csrf_token": token})
        results["dashboard (filer) p50"] = p50(client, "/")
        company_path = re.search(r'href="(/companies/\d+)"', client.get("/").text).group(1)
        results["company page p50"] = p50(client, company_path)
        results["filing page (filer) p50"] = p50(client, "/disclosures/filing/2025", n=20)
        results["section page (EIA) p50"] = p50(client, "/disclosures/filing/2025/sections/eia", n=20)
        with app.test_request_context("/?lang=en"):
            results["upload check, 50,000 rows"] = timed(lambda: _upload_50k(app))
        staff = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', staff.get("/login").text).group(1)
        staff.post("/login", data={"email": "secretariat@demo.kg", "password": DEMO_PASSWORD, "csrf_token": token})
        page = staff.get("/eiti/2024/reconciliation").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        results["reconciliation run 2024"] = timed(
            lambda: staff.post("/eiti/2024/reconciliation/run", data={"csrf_token": token}))
        run_path = re.search(r'href="(/eiti/runs/\d+/report)', staff.get("/eiti/2024/reconciliation").text).group(1)
        results["report page p50"] = p50(staff, run_path, n=10)
        results["report XLSX"] = timed(lambda: staff.get(run_path + ".xlsx"))
        results["report PDF"] = timed(lambda: staff.get(run_path + ".pdf"))
    failed = 0
    for name, value in results.items():
        target = TARGETS[name]
        ok = value <= target
        failed += not ok
        print(f"{name:<24} {value:9.1f} ms   target ≤ {target} ms   {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
