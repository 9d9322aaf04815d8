"""One wording for every file size the portal shows: the reader's units and number format."""
from __future__ import annotations

from flask import Flask

from esg_portal.tabular._text import format_size


def test_sizes_in_english_outside_a_request() -> None:
    assert [format_size(n) for n in (201, 1434, 20 * 2**20, 3 * 2**19)] == ["201 bytes", "1.4 KB", "20 MB", "1.5 MB"]


def test_sizes_follow_the_readers_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert format_size(1434) == "1,4 КБ"
        assert format_size(20 * 2**20) == "20 МБ"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_size(1434) == "1.4 KB"
