"""Load on a real server: gunicorn with 2 workers, 50 concurrent clients, only 127.0.0.1.

Builds the demo (2024 published) plus a synthetic published period of ``--companies`` companies on a
scratch SQLite database (or ``DATABASE_URL``'s PostgreSQL), starts gunicorn on the portal with one
trivial extra endpoint as the ceiling, and runs a bounded load generator of its own (threads with
keep-alive connections) for ``--seconds`` per phase:

- ``ceiling``: the trivial endpoint (what the server and generator manage at all);
- ``public``: the public pages, revalidated with ``If-None-Match`` as a browser does (304s);
- ``public_api``: pages of 100 of the public API;
- ``signed_in``: a company filer's dashboard and filing page.

Prints a line per phase and last ``load: rps=X p50_ms=A p95_ms=B p99_ms=C errors=E ceiling_rps=Y ratio=R``
for the cached public pages (targets: zero errors, p95 under 200 ms, ratio ≥ 0.30). Exit 1 on a miss.

    python bench/load.py [--seconds 10] [--clients 50] [--companies 2000]
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PORT = 8731
TARGET_P95_MS, TARGET_RATIO = 200, 0.30


def prepare(url: str, folder: str, companies: int) -> None:
    """The database: migrations, reference data, the published demo and a published synthetic period."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from esg_portal import create_app
    from esg_portal.accounts.models import Role, User
    from esg_portal.demo.loader import load_demo, publish_demo
    from esg_portal.eiti.publication.services import publish_release
    from esg_portal.eiti.runs import run_reconciliation
    from esg_portal.extensions import db
    from esg_portal.reference.loader import load_reference_data
    import release as synthetic

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-load", "ESG_ATTACHMENTS_DIR": folder})
    with app.app_context():
        db.drop_all()
        upgrade(directory=str(HERE.parent / "migrations"))
        load_reference_data()
        load_demo()
        db.session.commit()
        publish_demo("http://127.0.0.1:5000")
        db.session.commit()
        synthetic.build(companies, 10)
        db.session.commit()
        secretariat = db.session.scalar(select(User).where(User.role == Role.SECRETARIAT))
        run_reconciliation(secretariat, synthetic.YEAR)
        publish_release(secretariat, synthetic.YEAR, homepage="http://127.0.0.1:5000")
        db.session.commit()


class Client(threading.Thread):
    """One simulated user: requests ``paths`` in turn over one keep-alive connection until ``stop``."""

    def __init__(self, paths: list[str], stop: threading.Event, cookie: str = "", revalidate: bool = False):
        super().__init__(daemon=True)
        self.paths, self.stop, self.cookie, self.revalidate = paths, stop, cookie, revalidate
        self.latencies: list[float] = []
        self.errors = 0
        self.etags: dict[str, str] = {}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        i = 0
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            headers = {"Cookie": self.cookie} if self.cookie else {}
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


def phase(name: str, paths: list[str], clients: int, seconds: float, *, cookies: list[str] | None = None,
          revalidate: bool = False) -> dict[str, float]:
    stop = threading.Event()
    workers = [Client(paths[i % len(paths):] + paths[:i % len(paths)], stop,
                      (cookies or [""])[i % len(cookies or [""])], revalidate) for i in range(clients)]
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
    print(f"{name:11} rps={result['rps']:.0f} p50_ms={result['p50']:.1f} p95_ms={result['p95']:.1f} "
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--companies", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/load.db"
        prepare(url, folder, args.companies)
        env = {**os.environ, "ESG_LOAD_DATABASE_URL": url, "ESG_LOAD_FOLDER": folder, "PYTHONPATH": str(HERE)}
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
            cookies = [sign_in(email, "demo-pass-2025") for email in ("filer1@demo.kg", "filer2@demo.kg")]
            ceiling = phase("ceiling", ["/__ceiling"], args.clients, args.seconds)
            cached = phase("public", public, args.clients, args.seconds, revalidate=True)
            phase("public_api", api, args.clients, args.seconds)
            phase("signed_in", ["/", "/disclosures/filing/2025"], args.clients, args.seconds, cookies=cookies)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    ratio = cached["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
    print(f"load: rps={cached['rps']:.0f} p50_ms={cached['p50']:.1f} p95_ms={cached['p95']:.1f} "
          f"p99_ms={cached['p99']:.1f} errors={cached['errors']} ceiling_rps={ceiling['rps']:.0f} ratio={ratio:.2f}")
    ok = cached["errors"] == 0 and cached["p95"] < TARGET_P95_MS and ratio >= TARGET_RATIO
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
