"""Backup and restore of a whole instance: every table of the database and every stored file.

``backup(folder)`` writes ``database/<table>.jsonl`` (one JSON object per row, typed values tagged
so they come back exactly: times, dates, bytes, enums), ``files/…`` (the attachments folder) and
``manifest.json`` with the schema revision, each table's row count and sha256 and each file's
sha256 and size. ``restore(folder)`` checks every checksum first, then loads the rows into an
empty, migrated database of the same revision, in foreign-key order, and copies the files back.
Releases live in the database (``release_file``), so they travel with it.
"""
from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Enum as EnumType
from sqlalchemy import func, insert, select, text

from ..audit import utcnow
from ..disclosure.attachments import storage_root
from ..extensions import db

MANIFEST = "manifest.json"
FORMAT = "esg_portal-backup-1"
BATCH = 2000


class BackupError(Exception):
    """The backup cannot be written or restored (the message says why)."""


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (key, raw), = value.items()
        if key == "$dt":
            return dt.datetime.fromisoformat(raw)
        if key == "$d":
            return dt.date.fromisoformat(raw)
        if key == "$b":
            return base64.b64decode(raw)
        if key == "$dec":
            return Decimal(raw)
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _revision() -> str | None:
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _tables():
    return [t for t in db.metadata.sorted_tables]


def backup(folder: Path) -> dict[str, Any]:
    """Write the whole instance into ``folder`` (which must be empty or absent); returns the manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new or empty folder")
    (folder / "database").mkdir(parents=True, exist_ok=True)
    tables = {}
    for table in _tables():
        path = folder / "database" / f"{table.name}.jsonl"
        count = 0
        order = list(table.primary_key.columns) or list(table.columns)
        with path.open("w", encoding="utf-8") as handle:
            for row in db.session.execute(select(table).order_by(*order)).mappings():
                handle.write(json.dumps({k: _tagged(v) for k, v in row.items()}, ensure_ascii=False,
                                        sort_keys=True) + "\n")
                count += 1
        tables[table.name] = {"rows": count, "sha256": _sha256(path)}
    files = []
    root = storage_root()
    if root.exists():
        for source in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".upload-")):
            relative = source.relative_to(root).as_posix()
            target = folder / "files" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            files.append({"path": relative, "sha256": _sha256(target), "bytes": target.stat().st_size})
    manifest = {"format": FORMAT, "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "revision": _revision(),
                "dialect": db.engine.dialect.name, "tables": tables, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _check(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is not an esg_portal backup")
    for name, entry in manifest["tables"].items():
        path = folder / "database" / f"{name}.jsonl"
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"the table file {path.name} is missing or damaged (checksum differs)")
    for entry in manifest["files"]:
        path = folder / "files" / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"the stored file {entry['path']} is missing or damaged (checksum differs)")
    return manifest


def restore(folder: Path) -> dict[str, Any]:
    """Load a backup into this (empty, migrated) instance; nothing is written unless every check passes."""
    folder = Path(folder)
    manifest = _check(folder)
    if _revision() != manifest["revision"]:
        raise BackupError(f"the backup is of schema revision {manifest['revision']}, this database is at "
                          f"{_revision()}: migrate to the same revision first")
    tables = {t.name: t for t in _tables()}
    unknown = set(manifest["tables"]) - set(tables)
    if unknown:
        raise BackupError(f"the backup holds tables this version does not know: {sorted(unknown)}")
    for table in tables.values():
        if db.session.scalar(select(func.count()).select_from(table)):
            raise BackupError(f"this database is not empty (table {table.name} has rows): restore into a new one")
    root = storage_root()
    if root.exists() and any(root.rglob("*")):
        raise BackupError(f"the attachments folder {root} is not empty: restore into a new instance")
    for table in _tables():
        if table.name not in manifest["tables"]:
            continue
        enums = {c.name for c in table.columns if isinstance(c.type, EnumType)}
        batch = []
        with (folder / "database" / f"{table.name}.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                row = {k: _untagged(v) for k, v in json.loads(line).items()}
                for name in enums:  # stored by value; the column takes its enum member
                    column = table.columns[name]
                    if row.get(name) is not None and getattr(column.type, "enum_class", None) is not None:
                        row[name] = column.type.enum_class(row[name])
                batch.append(row)
                if len(batch) >= BATCH:
                    db.session.execute(insert(table), batch)
                    batch = []
        if batch:
            db.session.execute(insert(table), batch)
    if db.engine.dialect.name == "postgresql":
        for table in _tables():
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
                    db.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                        f"COALESCE((SELECT MAX(\"{column.name}\") FROM \"{table.name}\"), 0) + 1, false)"))
    db.session.flush()
    for entry in manifest["files"]:
        target = root / entry["path"]
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copy2(folder / "files" / entry["path"], target)
    return manifest
