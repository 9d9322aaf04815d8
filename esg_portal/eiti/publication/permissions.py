"""Who may publish: the EITI secretariat (it decides what the public sees, and when)."""
from __future__ import annotations

from typing import Any

from ...accounts.models import Role


def can_publish(user: Any) -> bool:
    """Releases and imports of historic EITI data are the EITI secretariat's job."""
    return bool(getattr(user, "is_authenticated", False)) and user.role is Role.SECRETARIAT
