"""Load on a real server: gunicorn with 2 workers, 50 concurrent clients, only 127.0.0.1.

Builds the demo (2024 published) plus a synthetic published period of ``--companies`` companies on a
scratch SQLite database (or ``DATABASE_URL``'s PostgreSQL), starts gunicorn on the portal with one
trivial extra endpoint as the ceiling, and runs a bounded load generator of its own (threads with
keep-alive connections) for ``--seconds`` per phase:

- ``ceiling``: the trivial endpoint (what the server and generator manage at all);
- ``public``: the public pages, revalidated with ``If-None-Match`` as a browser does (304s);
- ``public_api``: pages of 100 of the public API;
- ``signed_in``: each signed-in page of ``signed_in_pages`` on its own (filer dashboard, filing page,
  a section page, the secretariat's review, version and settings pages, the API's filing with a token),
  after two floors without a target (``signed``: the session's user loaded, nothing rendered; ``base``:
  the page frame around nothing).

Prints a line per phase and per signed-in page (with its ratio to the ceiling), then
``load: rps=X p50_ms=A p95_ms=B p99_ms=C errors=E ceiling_rps=Y ratio=R`` for the cached public pages
(targets: zero errors, p95 under 200 ms, ratio ≥ 0.30) and ``signed_in: pages=N missed=M`` (targets per
page: zero errors, p95 under 100 ms, ratio ≥ 0.30). Exit 1 on a miss.

    python bench/load.py [--seconds 10] [--clients 50] [--companies 2000] [--phases ceiling,signed_in]
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PORT = 8731
TARGET_P95_MS, TARGET_RATIO = 200, 0.30
SIGNED_IN_P95_MS = 100
PASSWORD = "demo-pass-2025"


@dataclass(frozen=True)
class Page:
    """A signed-in page of the load: who asks for it (``token``: through the API with a Bearer token)."""

    name: str
    email: str
    path: str
    token: bool = False


def signed_in_pages() -> list[Page]:
    """The signed-in pages measured, on the demo (inside an app context on the bench's database)."""
    from sqlalchemy import select

    from esg_portal.companies.models import Company
    from esg_portal.disclosure.models import Disclosure
    from esg_portal.extensions import db
    from esg_portal.reference.models import ReportingPeriod

    def version(company: str, number: int) -> int:
        return db.session.scalar(select(Disclosure.id).join(Company).join(ReportingPeriod)
                                 .where(Company.legal_name.startswith(company), ReportingPeriod.year == 2025,
                                        Disclosure.version == number))

    amended = version("Demo Tossor", 2)
    return [Page("dashboard", "filer1@demo.kg", "/"),
            Page("filing", "filer1@demo.kg", "/disclosures/filing/2025"),
            Page("section", "filer1@demo.kg", "/disclosures/filing/2025/sections/social_agreements"),
            Page("review", "secretariat@demo.kg", f"/review/filings/{amended}"),
            Page("review_list", "secretariat@demo.kg", "/review/2025"),
            Page("version", "secretariat@demo.kg", f"/disclosures/{amended}/diff"),
            Page("settings", "secretariat@demo.kg", "/eiti/2025/settings"),
            Page("api_filing", "filer1@demo.kg", "/api/v1/filings/2025", token=True)]


def bench_app(url: str, folder: str):
    """The portal on the bench's database, configured as load_app.py serves it."""
    from esg_portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-load", "ESG_ATTACHMENTS_DIR": folder})


def prepare(url: str, folder: str, companies: int) -> None:
    """The database: migrations, reference data, the published demo and a published synthetic period
    (none with ``companies`` 0: the signed-in pages only read the demo)."""
    from sqlalchemy import select

    from esg_portal.accounts.models import Role, User
    from esg_portal.demo.loader import publish_demo
    from esg_portal.eiti.publication.services import publish_release
    from esg_portal.eiti.runs import run_reconciliation
    from esg_portal.extensions import db
    import release as synthetic
    from scratch import demo_database

    with bench_app(url, folder).app_context():
        demo_database()
        publish_demo("http://127.0.0.1:5000")
        db.session.commit()
        if not companies:
            return
        synthetic.build(companies, 10)
        db.session.commit()
        secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
        run_reconciliation(secretariat, synthetic.YEAR)
        publish_release(secretariat, synthetic.YEAR, homepage="http://127.0.0.1:5000")
        db.session.commit()


class Client(threading.Thread):
    """One simulated user: requests ``paths`` in turn over one keep-alive connection until ``stop``;
    ``credentials`` is a session cookie or an ``Authorization`` header value (``Bearer …``)."""

    def __init__(self, paths: list[str], stop: threading.Event, credentials: str = "", revalidate: bool = False):
        super().__init__(daemon=True)
        self.paths, self.stop, self.revalidate = paths, stop, revalidate
        self.credentials = credentials
        self.latencies: list[float] = []
        self.errors = 0
        self.etags: dict[str, str] = {}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        i = 0
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            headers = {}
            if self.credentials:
                headers["Authorization" if self.credentials.startswith("Bearer ") else "Cookie"] = self.credentials
            if self.revalidate and path in self.etags:
                headers["If-None-Match"] = self.etags[path]
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status not in (200, 304):
                    self.errors += 1
                elif response.getheader("ETag"):
                    self.etags[path] = response.getheader("ETag")
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            self.latencies.append((time.perf_counter() - start) * 1000)
        connection.close()


def phase(name: str, paths: list[str], clients: int, seconds: float, *, credentials: list[str] | None = None,
          revalidate: bool = False, ceiling: float | None = None) -> dict[str, float]:
    stop = threading.Event()
    credentials = credentials or [""]
    workers = [Client(paths[i % len(paths):] + paths[:i % len(paths)], stop,
                      credentials[i % len(credentials)], revalidate) for i in range(clients)]
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = sum(w.errors for w in workers)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else float("nan")

    result = {"rps": len(latencies) / seconds, "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
              "errors": errors}
    ratio = f" ratio={result['rps'] / ceiling:.2f}" if ceiling else ""
    print(f"{name:11} rps={result['rps']:.0f}{ratio} p50_ms={result['p50']:.1f} p95_ms={result['p95']:.1f} "
          f"p99_ms={result['p99']:.1f} errors={errors}", flush=True)
    return result


def sign_in(email: str, password: str) -> str:
    """A session cookie of a signed-in user (CSRF token taken from the login form)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = next((value.split(";")[0] for key, value in response.getheaders()
                   if key.lower() == "set-cookie" and value.startswith("session=")), "")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    connection.request("POST", "/login", body=body, headers={"Cookie": cookie,
                                                             "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, f"sign-in of {email}: {response.status}"
    sessions = [value.split(";")[0] for key, value in response.getheaders()
                if key.lower() == "set-cookie" and value.startswith("session=")]
    return sessions[-1] if sessions else cookie


def api_token(email: str, password: str) -> str:
    """An ``Authorization`` value for the API: a token issued by POST /api/v1/auth/token."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection.request("POST", "/api/v1/auth/token", body=json.dumps({"email": email, "password": password}),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, f"token of {email}: {response.status}"
    return "Bearer " + json.loads(body)["token"]


def signed_in_phase(pages: list[Page], clients: int, seconds: float, ceiling: float) -> int:
    """Each page on its own under ``clients`` clients; returns how many missed their targets.

    First the floors of load_app.py (no target): what any signed-in page costs before its own work."""
    cookie = sign_in(pages[0].email, PASSWORD)
    for floor in ("/__signed", "/__base"):
        phase(floor.strip("_"), [floor], clients, seconds, credentials=[cookie], ceiling=ceiling)
    missed = 0
    for page in pages:
        credentials = api_token(page.email, PASSWORD) if page.token else sign_in(page.email, PASSWORD)
        result = phase(page.name, [page.path], clients, seconds, credentials=[credentials], ceiling=ceiling)
        ratio = result["rps"] / ceiling if ceiling else 0.0
        missed += not (result["errors"] == 0 and result["p95"] < SIGNED_IN_P95_MS and ratio >= TARGET_RATIO)
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--phases", default="ceiling,public,public_api,signed_in",
                        help="comma-separated phases to run (the ceiling always runs)")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/load.db"
        prepare(url, folder, args.companies)
        with bench_app(url, folder).app_context():
            pages = signed_in_pages()
        # this checkout's portal, whatever package an environment has installed
        env = {**os.environ, "ESG_LOAD_DATABASE_URL": url, "ESG_LOAD_FOLDER": folder,
               "PYTHONPATH": os.pathsep.join((str(HERE), str(HERE.parent)))}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
             "load_app:app"], env=env, cwd=str(HERE))
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", PORT, timeout=2).request("GET", "/__ceiling")
                    break
                except OSError:
                    time.sleep(0.2)
            public = ["/?lang=ru", "/companies?lang=ru", "/companies/01234567890123?lang=ky", "/regions/CHUY",
                      "/glossary", "/downloads", "/sites"]
            api = ["/api/v1/public/company-payments?year=2030&limit=100&offset=500",
                   "/api/v1/public/reconciliation-lines?year=2030&limit=100",
                   "/api/v1/public/companies?year=2030&limit=100&offset=1000"]
            ceiling = phase("ceiling", ["/__ceiling"], args.clients, args.seconds)
            cached = phase("public", public, args.clients, args.seconds, revalidate=True) \
                if "public" in phases else None
            if "public_api" in phases:
                phase("public_api", api, args.clients, args.seconds)
            missed = signed_in_phase(pages, args.clients, args.seconds, ceiling["rps"]) \
                if "signed_in" in phases else 0
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    ok = missed == 0
    if cached is not None:
        ratio = cached["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
        print(f"load: rps={cached['rps']:.0f} p50_ms={cached['p50']:.1f} p95_ms={cached['p95']:.1f} "
              f"p99_ms={cached['p99']:.1f} errors={cached['errors']} ceiling_rps={ceiling['rps']:.0f} "
              f"ratio={ratio:.2f}")
        ok = ok and cached["errors"] == 0 and cached["p95"] < TARGET_P95_MS and ratio >= TARGET_RATIO
    if "signed_in" in phases:
        print(f"signed_in: pages={len(pages)} missed={missed}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
