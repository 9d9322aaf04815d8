"""The WSGI app of bench/load.py: the portal on the bench's database, plus ``/__ceiling``, a trivial
endpoint under the same server that shows what server and load generator manage at all."""
from __future__ import annotations

import os

from esg_portal import create_app

app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["ESG_LOAD_DATABASE_URL"], "SECRET_KEY": "bench-load",
                  "ESG_ATTACHMENTS_DIR": os.environ["ESG_LOAD_FOLDER"]})


@app.get("/__ceiling")
def ceiling():
    return "ok"
