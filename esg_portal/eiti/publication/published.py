"""What the public may read: the rows of the latest release of each period, and nothing else.

The public pages, the public API and the residents' feedback read this (never ``disclosure/`` or
``receipts/``). A release never changes, so its parsed ``data.json`` is cached by the file's sha256 (the cache
key is the content itself, so a cached entry can never be stale).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ...extensions import db
from ...cache import BoundedCache
from .models import Release, ReleaseFile
from .services import DATA, all_releases, file_content

#: parsed data.json of the releases read lately, by the file's sha256
_CACHE: BoundedCache[dict[str, Any]] = BoundedCache(16)


@dataclass(frozen=True)
class Published:
    """One period's latest release and its data."""

    release: Release
    data: dict[str, Any]
    data_sha256: str

    @property
    def year(self) -> int:
        return self.data["period"]["year"]


def _data(release: Release) -> tuple[dict[str, Any], str]:
    stored = db.session.scalar(select(ReleaseFile).where(ReleaseFile.release_id == release.id,
                                                         ReleaseFile.name == DATA))
    data = _CACHE.get(stored.sha256)
    if data is None:
        data = json.loads(file_content(stored))
        _CACHE.put(stored.sha256, data)
    return data, stored.sha256


def release_fingerprint() -> str:
    """Changes whenever a release is added (releases never change afterwards): one cheap query."""
    newest, count = db.session.execute(select(func.max(Release.id), func.count(Release.id))).one()
    return f"{newest}-{count}"


def latest_per_period() -> list[Published]:
    """The newest release of every period that has one, by year."""
    newest: dict[int, Release] = {}
    for release in all_releases():
        newest[release.period.year] = release
    out = []
    for year in sorted(newest):
        data, digest = _data(newest[year])
        out.append(Published(release=newest[year], data=data, data_sha256=digest))
    return out
