"""What can be told, and its words: a subject and a sentence per event, rendered in the reader's language.

``params`` are language-neutral facts; a value that is a mapping of languages
(``{"en": …, "ru": …, "ky": …}``, e.g. an agency's name) is read in the reader's language.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class Event(str, enum.Enum):
    FILING_QUERY = "filing_query"
    FILING_ANSWER = "filing_answer"
    FILING_ACCEPTED = "filing_accepted"
    DISCREPANCY_QUERY = "discrepancy_query"
    DISCREPANCY_ANSWER = "discrepancy_answer"
    ADJUSTMENT_PROPOSED = "adjustment_proposed"
    ADJUSTMENT_DECIDED = "adjustment_decided"
    PERIOD_OPENED = "period_opened"
    DEADLINE_APPROACHING = "deadline_approaching"
    DEADLINE_PASSED = "deadline_passed"
    RECEIPTS_SUBMITTED = "receipts_submitted"
    RELEASE_PUBLISHED = "release_published"
    FEEDBACK_RECEIVED = "feedback_received"
    FEEDBACK_ROUTED = "feedback_routed"
    FEEDBACK_ANSWERED = "feedback_answered"
    FEEDBACK_RESIDENT_REPLIED = "feedback_resident_replied"
    FEEDBACK_OVERDUE = "feedback_overdue"
    #: told to the resident (by e-mail only: a resident has no account)
    FEEDBACK_STEP = "feedback_step"


#: event → (subject, sentence); the sentence's placeholders are the event's params
TEXTS: dict[Event, tuple[Any, Any]] = {
    Event.FILING_QUERY: (
        _l("A question on your %(year)s filing"),
        _l("The EITI secretariat asked a question on version %(version)s of the %(year)s filing of %(company)s: "
           "“%(question)s”. Answer it on the filing page.")),
    Event.FILING_ANSWER: (
        _l("%(company)s answered a question on its %(year)s filing"),
        _l("%(company)s answered the question on version %(version)s of its %(year)s filing: “%(answer)s”.")),
    Event.FILING_ACCEPTED: (
        _l("Your %(year)s filing was accepted"),
        _l("The EITI secretariat accepted version %(version)s of the %(year)s filing of %(company)s. It will be "
           "published with the next release.")),
    Event.DISCREPANCY_QUERY: (
        _l("A question on the %(year)s reconciliation"),
        _l("The EITI secretariat asked about a difference in the %(year)s reconciliation (%(line)s): "
           "“%(question)s”.")),
    Event.DISCREPANCY_ANSWER: (
        _l("%(who)s answered a reconciliation question"),
        _l("%(who)s answered the question on the %(year)s reconciliation (%(line)s): “%(answer)s”.")),
    Event.ADJUSTMENT_PROPOSED: (
        _l("An adjustment was proposed on the %(year)s reconciliation"),
        _l("%(who)s proposed an adjustment of %(amount)s on the %(year)s reconciliation (%(line)s). It waits for "
           "a decision.")),
    Event.ADJUSTMENT_DECIDED: (
        _l("An adjustment on the %(year)s reconciliation was decided"),
        _l("The adjustment of %(amount)s on the %(year)s reconciliation (%(line)s) was %(decision)s.")),
    Event.PERIOD_OPENED: (
        _l("Reporting for %(year)s is open"),
        _l("The reporting period %(year)s is open. The deadline for filings is %(deadline)s.")),
    Event.DEADLINE_APPROACHING: (
        _l("%(days)s days left to file for %(year)s"),
        _l("The %(year)s filing of %(company)s has not been submitted yet. The deadline is %(deadline)s: "
           "%(days)s days left.")),
    Event.DEADLINE_PASSED: (
        _l("The %(year)s filing deadline has passed"),
        _l("The deadline for the %(year)s filing of %(company)s (%(deadline)s) has passed and nothing has been "
           "submitted. Submit it as soon as you can.")),
    Event.RECEIPTS_SUBMITTED: (
        _l("%(agency)s submitted its %(year)s receipts"),
        _l("%(agency)s submitted version %(version)s of its %(year)s receipts (%(count)s lines).")),
    Event.RELEASE_PUBLISHED: (
        _l("EITI data for %(year)s were published"),
        _l("Version %(version)s of the EITI data for %(year)s was published on the portal's open data pages.")),
    Event.FEEDBACK_RECEIVED: (
        _l("New feedback from a resident: %(code)s"),
        _l("A resident sent %(kind)s %(code)s about %(subject)s (%(category)s). Register it or reject it by "
           "%(due)s.")),
    Event.FEEDBACK_ROUTED: (
        _l("A resident's case was sent to you: %(code)s"),
        _l("The EITI secretariat sent you case %(code)s about %(subject)s (%(category)s). Answer it on the portal "
           "by %(due)s.")),
    Event.FEEDBACK_ANSWERED: (
        _l("Case %(code)s was answered"),
        _l("%(who)s answered case %(code)s about %(subject)s.")),
    Event.FEEDBACK_RESIDENT_REPLIED: (
        _l("The resident wrote again on case %(code)s"),
        _l("The resident who sent case %(code)s about %(subject)s %(what)s.")),
    Event.FEEDBACK_OVERDUE: (
        _l("Case %(code)s is overdue"),
        _l("Case %(code)s about %(subject)s was due by %(due)s (%(stage)s) and is not done yet.")),
    Event.FEEDBACK_STEP: (
        _l("Your case %(code)s: %(state)s"),
        _l("Your case %(code)s is now: %(state)s. %(detail)s Follow it and reply here: %(link)s")),
}

#: what FEEDBACK_RESIDENT_REPLIED says the resident did
RESIDENT_ACTS = {"replied": _l("added to it"), "resolved": _l("said the answer solved it"),
                 "not_resolved": _l("said the answer did not solve it"), "reopened": _l("reopened it")}
#: the stages of FEEDBACK_OVERDUE
OVERDUE_STAGES = {"register": _l("registration"), "answer": _l("answer")}

#: the decision words of ADJUSTMENT_DECIDED
DECISIONS = {"accepted": _l("accepted"), "rejected": _l("rejected")}


def _localised(params: Mapping[str, Any], locale: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            value = value.get(locale) or value.get("en") or next(iter(value.values()), "")
        out[key] = value
    if out.get("decision") in DECISIONS:
        out["decision"] = str(DECISIONS[out["decision"]])
    if out.get("what") in RESIDENT_ACTS:
        out["what"] = str(RESIDENT_ACTS[out["what"]])
    if out.get("stage") in OVERDUE_STAGES:
        out["stage"] = str(OVERDUE_STAGES[out["stage"]])
    return out


def render(event: str, params: Mapping[str, Any], locale: str) -> tuple[str, str]:
    """(subject, sentence) of an event in ``locale``; an unknown event (from a newer version) reads plainly."""
    with force_locale(locale):
        try:
            subject, sentence = TEXTS[Event(event)]
        except ValueError:
            return event, ""
        values = _localised(params, locale)
        try:
            return str(subject) % values, str(sentence) % values
        except (KeyError, TypeError, ValueError):
            return str(subject), _("Open the portal to see what changed.")
