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
           "dashboard (filer) p50": 100, "company page p50": 100, "login page p50": 50}


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
    failed = 0
    for name, value in results.items():
        target = TARGETS[name]
        ok = value <= target
        failed += not ok
        print(f"{name:<24} {value:9.1f} ms   target ≤ {target} ms   {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
