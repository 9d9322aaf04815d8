"""``esg-portal backup DIR`` and ``esg-portal restore DIR``: the whole instance, with checksums."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from .backup import BackupError, backup, restore


@click.command("backup")
@click.argument("folder", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(folder: Path) -> None:
    """Write every table and every stored file into FOLDER (new or empty), with a manifest of checksums."""
    try:
        manifest = backup(folder)
    except BackupError as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Backed up {len(manifest['tables'])} tables ({rows} rows) and {len(manifest['files'])} files "
               f"into {folder}.")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder: Path) -> None:
    """Load a backup into this empty instance (run ``esg-portal db upgrade`` first)."""
    try:
        manifest = restore(folder)
    except BackupError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Restored {len(manifest['tables'])} tables ({rows} rows) and {len(manifest['files'])} files.")
