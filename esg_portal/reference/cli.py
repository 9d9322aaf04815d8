"""``esg-portal reference load``."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from .loader import load_reference_data


@click.group("reference")
def reference_group() -> None:
    """Reference data (minerals, regions, sites, GFS codes, streams, entities)."""


@reference_group.command("load")
@click.option("--overwrite", is_flag=True, help="Reset rows that differ from the shipped data.")
@with_appcontext
def load_command(overwrite: bool) -> None:
    """Load the shipped reference data (safe to run again)."""
    counts = load_reference_data(overwrite=overwrite)
    db.session.commit()
    created, differing = counts.pop("created"), counts.pop("differing")
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
    click.echo(f"{created} rows added.")
    if differing:
        verb = "were reset to" if overwrite else "differ from"
        click.echo(f"{differing} stored rows {verb} the shipped data"
                   + ("." if overwrite else " and were left as they are (--overwrite resets them)."))
