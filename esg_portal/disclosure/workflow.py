"""The filing workflow: every status change goes through this one transition table."""
from __future__ import annotations

import enum

from ..errors import InvalidTransition
from .models import Disclosure, DisclosureStatus

S = DisclosureStatus


class Action(str, enum.Enum):
    SUBMIT = "submit"
    QUERY = "query"
    ANSWER = "answer"
    ACCEPT = "accept"
    SUPERSEDE = "supersede"


#: (action, from status) → to status. Anything not listed is refused.
TRANSITIONS: dict[tuple[Action, DisclosureStatus], DisclosureStatus] = {
    (Action.SUBMIT, S.DRAFT): S.SUBMITTED,
    (Action.QUERY, S.SUBMITTED): S.QUERIED,
    (Action.QUERY, S.ANSWERED): S.QUERIED,
    (Action.QUERY, S.QUERIED): S.QUERIED,
    (Action.ANSWER, S.QUERIED): S.ANSWERED,
    (Action.ACCEPT, S.SUBMITTED): S.ACCEPTED,
    (Action.ACCEPT, S.ANSWERED): S.ACCEPTED,
    (Action.SUPERSEDE, S.SUBMITTED): S.SUPERSEDED,
    (Action.SUPERSEDE, S.QUERIED): S.SUPERSEDED,
    (Action.SUPERSEDE, S.ANSWERED): S.SUPERSEDED,
    (Action.SUPERSEDE, S.ACCEPTED): S.SUPERSEDED,
}

#: statuses of a version that an amendment may start from
AMENDABLE = frozenset({S.SUBMITTED, S.QUERIED, S.ANSWERED, S.ACCEPTED})


def can_transition(disclosure: Disclosure, action: Action) -> bool:
    return (action, disclosure.status) in TRANSITIONS


def transition(disclosure: Disclosure, action: Action) -> DisclosureStatus:
    """Apply ``action``; raises ``InvalidTransition`` when the table does not allow it."""
    target = TRANSITIONS.get((action, disclosure.status))
    if target is None:
        raise InvalidTransition(code="not_draft" if action is Action.SUBMIT else "invalid_transition")
    disclosure.status = target
    return target
