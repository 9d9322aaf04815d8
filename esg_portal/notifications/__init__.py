"""Notifications: one mechanism for every workflow — an inbox per user and e-mail through an outbox.

A domain service calls ``notify(event, recipients, params, path)`` inside its unit of work: the
inbox rows and the outbox messages are written in the same transaction as the action, so a
notification exists exactly when the action happened, and sending (``mail.deliver_next``, run by
``esg-portal notify send``) never blocks nor breaks it.
"""
from .events import Event  # noqa: F401
from .services import notify  # noqa: F401
