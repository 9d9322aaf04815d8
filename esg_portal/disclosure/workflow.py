"""The filing workflow: every status change goes through this one transition table."""
from __future__ import annotations

import enum

from flask_babel import gettext as _

from ..companies.models import Company
from ..lifecycle import Lifecycle, Words
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


#: a company's filing of a period: one series of versions, locked on the company's row
FILINGS = Lifecycle(
    model=Disclosure, owner_column="company_id", owner_model=Company, status_enum=DisclosureStatus,
    transitions=TRANSITIONS,
    words=Words(
        submitted=lambda version: _("Version %(version)d has been submitted and cannot be changed. "
                                    "Start an amendment to correct it.", version=version),
        not_a_draft=lambda: _("This version has been submitted and cannot be changed. "
                              "Start an amendment to correct it."),
    ),
)


def can_transition(disclosure: Disclosure, action: Action) -> bool:
    return FILINGS.can(disclosure, action)


def transition(disclosure: Disclosure, action: Action) -> DisclosureStatus:
    """Apply ``action``; raises ``InvalidTransition`` when the table does not allow it."""
    return FILINGS.transition(disclosure, action)
