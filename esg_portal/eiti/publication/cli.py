"""``esg-portal eiti …``: publish a period and import historic EITI data from the command line."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ...accounts.models import User
from ...errors import PortalError
from ...extensions import db
from . import services


@click.group("eiti")
def eiti_group() -> None:
    """EITI publication: releases and historic data."""


@eiti_group.command("import-sdt")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--year", type=int, required=True, help="Fiscal year of the data (the end year of the period).")
@with_appcontext
def import_sdt_command(path: Path, year: int) -> None:
    """Import an SDT v2.0 workbook, a Part CSV, or a folder or zip of Part CSVs as an imported release."""
    from .sdt import read_source

    result = read_source(path, year=year)
    for finding in result.findings:
        where = " ".join(str(part) for part in (finding.sheet, finding.row, finding.column) if part not in (None, ""))
        click.echo(f"{finding.grade}: {where}: {finding.message}", err=finding.grade == "blocked")
    try:
        release = services.import_release(None, year, result, homepage=current_app.config["ESG_PUBLIC_URL"])
    except PortalError as error:
        db.session.rollback()
        click.echo(f"Error: {error.message}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    click.echo(f"Imported {year} as version {release.version} ({len(release.manifest['files'])} files, "
               f"grade {result.grade}).")


@eiti_group.command("publish")
@click.argument("year", type=int)
@click.option("--by", "email", required=True, help="E-mail of the secretariat account that publishes.")
@with_appcontext
def publish_command(year: int, email: str) -> None:
    """Publish the period's accepted data as a new release version."""
    actor = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if actor is None:
        click.echo(f"Error: no account {email}", err=True)
        raise SystemExit(2)
    try:
        release = services.publish_release(actor, year, homepage=current_app.config["ESG_PUBLIC_URL"])
    except PortalError as error:
        db.session.rollback()
        click.echo(f"Error: {error.message}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    click.echo(f"Published {year} version {release.version} ({len(release.manifest['files'])} files).")
