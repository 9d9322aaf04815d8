"""Receipt services available in the foundation: reading a batch."""
from __future__ import annotations

from ..accounts.models import User
from ..accounts.permissions import can_view_receipt_batch, require
from ..errors import NotFound
from ..extensions import db
from .models import ReceiptBatch


def get_batch(actor: User, batch_id: int) -> ReceiptBatch:
    batch = db.session.get(ReceiptBatch, batch_id)
    if batch is None:
        raise NotFound()
    require(can_view_receipt_batch(actor, batch))
    return batch
