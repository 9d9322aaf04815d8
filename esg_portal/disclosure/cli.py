"""``esg-portal attachments sweep``: the temporary files a crash in the middle of an upload left behind."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from .attachments import STALE_UPLOAD_AGE, storage_root, sweep_stale_uploads


@click.group("attachments")
def attachments_group() -> None:
    """The files companies attach to their filings."""


@attachments_group.command("sweep")
@click.option("--older-than-minutes", type=click.IntRange(min=1), show_default=True,
              default=int(STALE_UPLOAD_AGE.total_seconds() // 60),
              help="Only temporary files at least this old are removed.")
@with_appcontext
def sweep_command(older_than_minutes: int) -> None:
    """Remove temporary upload files (.upload-*) left by a crash; stored attachments are never touched."""
    root = storage_root()
    removed = sweep_stale_uploads(root, dt.timedelta(minutes=older_than_minutes))
    for path in removed:
        click.echo(f"removed {path}")
    click.echo(f"{len(removed)} stale temporary upload file(s) removed from {root}.")
