"""A small bounded cache by content key, for what the public pages compute from releases.

Releases never change, so a key that names the releases it was made from (a file's sha256, the
release fingerprint) can never be stale: entries are only ever evicted, oldest use first, when the
cache holds more than ``max_entries`` or ``max_bytes``. One per worker process; thread-safe.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    def __init__(self, max_entries: int, *, max_bytes: int | None = None,
                 size_of: Callable[[V], int] = lambda value: 0):
        self.max_entries, self.max_bytes, self.size_of = max_entries, max_bytes, size_of
        self._entries: OrderedDict[str, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_or_build(self, key: str, build: Callable[[], V]) -> V:
        """The value under ``key``; built and kept when missing (two threads may both build it once)."""
        value = self.get(key)
        if value is None:
            value = build()
            self.put(key, value)
        return value

    def put(self, key: str, value: V) -> None:
        size = self.size_of(value)
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self.size_of(old)
            self._entries[key] = value
            self._bytes += size
            while len(self._entries) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                _key, evicted = self._entries.popitem(last=False)
                self._bytes -= self.size_of(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
