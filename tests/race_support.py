"""Helpers for concurrency tests: threads released together, test clients in parallel, a live server.

The requests run against the test database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL),
each thread with its own test client (and so its own app context and database session), so the
database sees truly concurrent transactions.

- ``run_in_parallel(n, fn, prepare=...)``: ``prepare(i)`` runs in thread ``i`` first (a sign-in,
  a CSRF token); then every thread waits at one barrier and ``fn(prepared)`` runs in all of them
  at the same moment. Returns the results in thread order; an exception is returned in place of
  its thread's result (the test asserts on it), never raised.
- ``parallel_requests(app, n, send, prepare=...)``: the same with a new test client per thread:
  ``prepare(client)`` before the barrier, ``send(client, prepared)`` (a response) after.
- ``statuses(results)``: their status codes (exceptions kept as they are).
- ``live_server(app)``: a context manager serving ``app`` with werkzeug's threaded server on a free
  port of 127.0.0.1; yields the base URL (``http://127.0.0.1:PORT``).
- ``fetch(url, method=..., data=..., headers=...)``: one HTTP request with urllib that returns
  ``Answer(status, headers, body)`` for every status (4xx/5xx included) instead of raising.
"""
from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

#: how long the threads wait for each other at the barrier, and for one another to finish
BARRIER_SECONDS = 30
JOIN_SECONDS = 120


def run_in_parallel(n: int, fn: Callable[[Any], Any], *, prepare: Callable[[int], Any] | None = None) -> list:
    """``fn(prepare(i))`` in ``n`` threads, the ``fn`` calls released together; results (or exceptions) in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index: int) -> None:
        try:
            prepared = prepare(index) if prepare is not None else index
        except Exception as error:  # noqa: BLE001  (reported by the caller's assertions)
            barrier.abort()
            results[index] = error
            return
        try:
            barrier.wait(timeout=BARRIER_SECONDS)
            results[index] = fn(prepared)
        except Exception as error:  # noqa: BLE001
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,), name=f"parallel-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a parallel call hangs"
    return results


def parallel_requests(app: Flask, n: int, send: Callable[[Any, Any], Any],
                      prepare: Callable[[Any], Any] | None = None) -> list:
    """``send(client, prepare(client))`` in ``n`` threads, each with its own test client; responses (or exceptions)."""
    def make(_index: int):
        client = app.test_client()
        return client, (prepare(client) if prepare is not None else None)

    return run_in_parallel(n, lambda pair: send(*pair), prepare=make)


def statuses(results: list) -> list:
    """The status code of each response; exceptions are kept, so that an assertion shows them."""
    return [result.status_code if hasattr(result, "status_code") else
            result.status if isinstance(result, Answer) else result for result in results]


@contextlib.contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """``app`` served on a free port of 127.0.0.1 by werkzeug's threaded server (one thread per request)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def fetch(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
          timeout: float = 60) -> Answer:
    """One request; the answer whatever its status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (127.0.0.1 only)
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())
