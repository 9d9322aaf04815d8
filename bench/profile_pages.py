"""Signed-in pages in a test client: SQL statements and time per request, and where the time goes.

Builds the demo on a scratch SQLite database (as bench/load.py does, without its synthetic period),
signs in as bench/load.py's users and requests each page of ``load.signed_in_pages`` ``--requests``
times after a warm-up. Prints one line per page ``<page> status=S kb=K sql=N p50_ms=A min_ms=B``;
with ``--profile PAGE`` also the top functions of cProfile for that page.

    python bench/profile_pages.py [--requests 30] [--profile filing]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402


class StatementCounter:
    """Counts the SQL statements the engine runs (every execution, lazy loads included)."""

    def __init__(self, engine):
        self.count, self.shown = 0, False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *args) -> None:
        self.count += 1
        if self.shown:
            print(f"  sql {self.count}: {' '.join(statement.split())[:300]}")


def breakdown(stats: pstats.Stats, requests: int) -> str:
    """Own time per request by where the code lives: a library, the portal, the templates."""
    spent: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            where = filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
        elif "/templates/" in filename:
            where = "templates"
        elif "/esg_portal/" in filename:
            where = "esg_portal"
        else:
            where = "python"
        spent[where] = spent.get(where, 0.0) + own
    parts = sorted(spent.items(), key=lambda item: -item[1])
    return " ".join(f"{where}={seconds * 1000 / requests:.2f}" for where, seconds in parts if seconds * 1000 / requests >= 0.05)


def signed_in_client(app, page: load.Page):
    """A test client and the headers that sign ``page``'s user in (a session cookie or a token)."""
    client = app.test_client()
    if page.token:
        response = client.post("/api/v1/auth/token", json={"email": page.email, "password": load.PASSWORD})
        return client, {"Authorization": "Bearer " + response.get_json()["token"]}
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post("/login", data={"email": page.email, "password": load.PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"sign-in of {page.email}: {response.status_code}"
    return client, {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", help="a page name: print its cProfile top functions")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sql", help="a page name: print its SQL statements")
    parser.add_argument("--breakdown", action="store_true", help="own time per request (ms, under cProfile) by "
                                                                 "library, portal code and templates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/profile.db"
        load.prepare(url, folder, 0)
        app = load.bench_app(url, folder)
        with app.app_context():
            pages = load.signed_in_pages()
            from esg_portal.extensions import db
            counter = StatementCounter(db.engine)
        for page in pages:
            client, headers = signed_in_client(app, page)
            response = client.get(page.path, headers=headers)
            counter.count, counter.shown = 0, page.name == args.sql
            client.get(page.path, headers=headers)
            statements, counter.shown = counter.count, False
            samples = []
            profiler = cProfile.Profile() if page.name == args.profile or args.breakdown else None
            for _ in range(args.requests):
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                client.get(page.path, headers=headers)
                if profiler:
                    profiler.disable()
                samples.append((time.perf_counter() - start) * 1000)
            print(f"{page.name:11} status={response.status_code} kb={len(response.data) / 1024:.0f} "
                  f"sql={statements} p50_ms={statistics.median(samples):.2f} min_ms={min(samples):.2f}",
                  flush=True)
            if args.breakdown:
                print(f"{'':11} ms per request under cProfile: {breakdown(pstats.Stats(profiler), args.requests)}")
            if page.name == args.profile:
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
