"""``esg-portal reference load``."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from .loader import load_reference_data


@click.group("reference")
def reference_group() -> None:
    """Reference data (minerals, regions, sites, GFS codes, streams, entities)."""


@reference_group.command("load")
@with_appcontext
def load_command() -> None:
    """Load or update the shipped reference data (safe to run again)."""
    counts = load_reference_data()
    db.session.commit()
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
