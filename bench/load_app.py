"""The WSGI app of bench/load.py: the portal on the bench's database, plus ``/__ceiling``, a trivial
endpoint under the same server that shows what server and load generator manage at all."""
from __future__ import annotations

import os

from load import bench_app

app = bench_app(os.environ["ESG_LOAD_DATABASE_URL"], os.environ["ESG_LOAD_FOLDER"])


@app.get("/__ceiling")
def ceiling():
    return "ok"
