"""Validated payment rows: what the form, the upload and the API hand to the services."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaymentInput:
    """One period total, already checked against INTERFACES.md §3 and the reference data."""

    revenue_stream_id: int
    government_entity_id: int
    license_id: int | None
    amount_minor: int
    currency: str
    is_paid_in_kind: bool
    #: exact decimal text, e.g. "1250.500"
    in_kind_volume: str | None
    in_kind_unit: str | None
    recipient_locality: str | None
    comment: str | None

    @property
    def key(self) -> tuple[int, int, int | None, str, bool]:
        """The §3 row key: one row per (stream, entity, project, currency, paid_in_kind)."""
        return (self.revenue_stream_id, self.government_entity_id, self.license_id, self.currency,
                self.is_paid_in_kind)
