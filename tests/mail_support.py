"""A real SMTP server for the tests (aiosmtpd on a free port of 127.0.0.1) that keeps what it receives."""
from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from esg_portal.config import SmtpSettings


@dataclass
class Mailbox:
    """Every message the server accepted, parsed; ``fail`` makes it refuse messages (451)."""

    messages: list[EmailMessage] = field(default_factory=list)
    fail: bool = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        if self.fail:
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, SmtpSettings]]:
    """A running SMTP server and the settings that reach it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, SmtpSettings("127.0.0.1", controller.port, "plain", None, None)
    finally:
        controller.stop()
