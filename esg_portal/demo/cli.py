"""``esg-portal demo load``."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from .loader import database_is_empty, load_demo


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
@with_appcontext
def load_command() -> None:
    """Load the demo data into an empty database (refuses otherwise)."""
    if not database_is_empty():
        raise click.ClickException("The database already holds companies; demo data is loaded only into an empty one.")
    load_demo()
    db.session.commit()
    click.echo("Demo data loaded.")
