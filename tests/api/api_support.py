"""Helpers shared by the machine API tests (a module of its own: conftest is not importable by name)."""
from __future__ import annotations

API = "/api/v1"
EMAILS = {"filer": "filer@test.kg", "assistant": "assistant@test.kg", "other_filer": "other@test.kg",
          "officer": "officer@test.kg", "secretariat": "secretariat@test.kg", "admin": "admin@test.kg"}
#: §3 header, in template order
HEADER = ("revenue_stream,government_entity,project,amount,currency,paid_in_kind,in_kind_volume,in_kind_unit,"
          "recipient_locality,comment")


def csv_body(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows, ""]).encode("utf-8")


class ApiClient:
    """A test client that sends ``Authorization: Bearer <token>`` (or nothing) with every request."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, headers: dict | None = None):
        return self.client.get(API + path, headers=self.headers(headers))

    def put_csv(self, path: str, data: bytes | str, headers: dict | None = None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        return self.client.put(API + path, data=data, content_type="text/csv", headers=self.headers(headers))

    def put_json(self, path: str, value, headers: dict | None = None):
        return self.client.put(API + path, json=value, headers=self.headers(headers))

    def post_json(self, path: str, value, headers: dict | None = None):
        return self.client.post(API + path, json=value, headers=self.headers(headers))

    def open(self, path: str, method: str, **kwargs):
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return self.client.open(API + path, method=method, **kwargs)
