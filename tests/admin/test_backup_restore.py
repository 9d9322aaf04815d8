"""Backup and restore of a whole instance: every table's rows, every stored file, every release's manifest."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from attachment_files import pdf_bytes, temporary_attachments_dir
from publication_support import publish
from esg_portal.admin.backup import BackupError, backup, restore
from esg_portal.disclosure.attachments import storage_root
from esg_portal.eiti.publication.models import Release, ReleaseFile
from esg_portal.extensions import db


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _files() -> dict[str, str]:
    root = storage_root()
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def _releases() -> list[tuple]:
    return [(r.period.year, r.version, json.dumps(r.manifest, sort_keys=True),
             tuple((f.name, f.sha256, hashlib.sha256(f.content).hexdigest()) for f in r.files))
            for r in db.session.scalars(select(Release).order_by(Release.id))]


def _wipe() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_a_backup_restores_into_an_empty_instance_with_nothing_lost(demo: Flask, tmp_path: Path) -> None:
    temporary_attachments_dir(demo, tmp_path / "before")
    with demo.app_context():
        folder = storage_root() / "1"
        folder.mkdir(parents=True)
        (folder / ("a" * 32)).write_bytes(pdf_bytes("kept"))
    assert publish(demo).status_code == 201
    with demo.app_context():
        counts, files, releases = _counts(), _files(), _releases()
        assert counts["release_file"] > 10 and counts["audit_event"] > 100 and files
        manifest = backup(tmp_path / "backup")
        assert sum(t["rows"] for t in manifest["tables"].values()) == sum(counts.values())
        _wipe()
    temporary_attachments_dir(demo, tmp_path / "after")
    with demo.app_context():
        restore(tmp_path / "backup")
        db.session.commit()
        assert _counts() == counts
        assert _files() == files
        assert _releases() == releases
        # the restored instance goes on: new rows get new ids
        stored = db.session.scalar(select(ReleaseFile).limit(1))
        assert stored.content


def test_a_damaged_backup_or_a_non_empty_instance_is_refused(demo: Flask, tmp_path: Path) -> None:
    temporary_attachments_dir(demo, tmp_path / "files")
    with demo.app_context():
        backup(tmp_path / "backup")
        try:
            backup(tmp_path / "backup")
        except BackupError as error:
            assert "not empty" in str(error)
        else:
            raise AssertionError("a backup never overwrites another")
        try:
            restore(tmp_path / "backup")
        except BackupError as error:
            assert "not empty" in str(error)
        else:
            raise AssertionError("a restore never mixes with existing data")
        table = next((tmp_path / "backup" / "database").glob("company.jsonl"))
        table.write_text(table.read_text() + "\n")
        _wipe()
        try:
            restore(tmp_path / "backup")
        except BackupError as error:
            assert "damaged" in str(error)
        else:
            raise AssertionError("a damaged table file is refused")
        db.session.rollback()
        from esg_portal.reference.loader import load_reference_data
        load_reference_data()
        db.session.commit()
