"""Public pages on the published demo: weight (HTML + CSS + inline SVG) and latency per page.

Builds the demo on a scratch SQLite database, publishes 2024 as ``make run`` does, then requests
every public page in Russian ``--requests`` times (the first request of each is a warm-up) and prints
one line per page and a last line ``public_pages: pages=N max_kb=K p50_ms=A p95_ms=B`` (targets:
K < 150, B < 100). Exit 1 on a miss.

    python bench/public.py [--requests 40]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from esg_portal import create_app
from esg_portal.demo.loader import publish_demo
from esg_portal.extensions import db
from esg_portal.reference.models import Region, Site
from scratch import demo_database

CSS = Path(__file__).resolve().parent.parent / "esg_portal" / "static" / "style.css"
TARGET_KB, TARGET_P95_MS = 150, 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                          "ESG_ATTACHMENTS_DIR": folder})
        with app.app_context():
            demo_database()
            publish_demo("http://127.0.0.1:5000")
            db.session.commit()
            region = db.session.scalar(select(Region.code).where(Region.code == "CHUY"))
            site = db.session.scalar(select(Site.code).order_by(Site.code).limit(1))
        paths = ["/", "/companies", "/companies/01234567890123", "/regions", f"/regions/{region}", "/sites",
                 f"/sites/{site}", "/glossary", "/downloads", "/search?q=Demo"]
        client = app.test_client()
        css = len(CSS.read_bytes())
        every, heaviest = [], 0
        for path in paths:
            url = f"{path}{'&' if '?' in path else '?'}lang=ru"
            client.get(url)
            samples = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            kb = (len(response.data) + css) / 1024
            heaviest = max(heaviest, kb)
            every += samples
            samples.sort()
            print(f"{path:32} kb={kb:6.1f} p50_ms={statistics.median(samples):6.1f} "
                  f"p95_ms={samples[int(len(samples) * 0.95) - 1]:6.1f}")
        every.sort()
        p95 = every[int(len(every) * 0.95) - 1]
        print(f"public_pages: pages={len(paths)} max_kb={heaviest:.1f} p50_ms={statistics.median(every):.1f} "
              f"p95_ms={p95:.1f}")
    return 0 if heaviest < TARGET_KB and p95 < TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
