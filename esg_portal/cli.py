"""The ``esg-portal`` command: Flask's commands plus one group per domain."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import WSGIRequestHandler, run_simple

DEMO_PASSWORD_ENV = "ESG_DEMO_PASSWORD"


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """esg_portal administration."""


def register_commands(app: Flask) -> None:
    from .accounts.cli import users_group
    from .admin.cli import backup_command, restore_command
    from .demo.cli import demo_group
    from .disclosure.cli import attachments_group
    from .eiti.cli import reconcile_command
    from .eiti.publication.cli import eiti_group
    from .notifications.cli import notify_group
    from .reference.cli import reference_group

    app.cli.add_command(reference_group)
    app.cli.add_command(users_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(setup_demo)
    app.cli.add_command(serve)
    app.cli.add_command(reconcile_command)
    app.cli.add_command(eiti_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(attachments_group)
    app.cli.add_command(notify_group)


@click.command("setup-demo")
@with_appcontext
def setup_demo() -> None:
    """Migrate the database, load reference data, and load demo data if it is empty."""
    from flask_migrate import upgrade

    from .demo.loader import PUBLISHED_YEAR, database_is_empty, load_demo, publish_demo, seed_feedback
    from .extensions import db
    from .reference.loader import load_reference_data

    upgrade(directory=current_app.extensions["migrate"].directory)
    counts = load_reference_data()
    db.session.commit()
    click.echo(f"Reference data: {counts['created']} rows added, {counts['differing']} edited rows kept.")
    if database_is_empty():
        load_demo()
        db.session.commit()
        version = publish_demo(current_app.config["ESG_PUBLIC_URL"])
        db.session.commit()
        click.echo(f"Demo data loaded; {PUBLISHED_YEAR} reconciled and published as version {version} "
                   f"(open data under /open-data/{PUBLISHED_YEAR}/latest/).")
        cases = seed_feedback()
        db.session.commit()
        click.echo(f"{cases} residents' cases added (/feedback).")
    else:
        click.echo("Demo data: the database already holds companies; left as it is.")


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler, without its software and Python versions in the Server header."""

    def version_string(self) -> str:
        return "esg_portal"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Defaults to $PORT or 5000.")
@with_appcontext
def serve(host: str, port: int | None) -> None:
    """Start the portal with the development server and print the demo logins."""
    from .demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD

    port = port or int(os.environ.get("PORT", "5000"))
    click.echo("")
    click.echo(f"esg_portal is running at http://{host}:{port}")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, description in DEMO_ACCOUNTS:
        click.echo(f"  {email:<24} {description}")
    click.echo("Stop with Ctrl+C.  For production, use gunicorn (see README.md).")
    # app.run() refuses to block inside the flask CLI, so serve through werkzeug directly
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False,
               request_handler=QuietRequestHandler)
