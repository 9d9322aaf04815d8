"""The scratch database every bench starts from: the schema by the migrations, the reference data and the demo."""
from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade

from esg_portal.demo.loader import load_demo
from esg_portal.extensions import db
from esg_portal.reference.loader import load_reference_data

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def demo_database() -> None:
    """Empty the app's database, migrate it and load the reference data and the demo (inside an app context)."""
    db.drop_all()
    upgrade(directory=MIGRATIONS)
    load_reference_data()
    load_demo()
    db.session.commit()
