"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1): the mailer talks SMTP to it, and
tests read each message as received (envelope and parsed MIME) or script refusals."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from entrypoints.embedded import free_port

SMTP_USER = "cabanas"
SMTP_PASSWORD = "smtp-test-password-0123"  # pragma: allowlist secret


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None, subtype
        assert found.get_content_subtype() == subtype
        return str(found.get_content())  # type: ignore[attr-defined]


@dataclass
class FakeSmtp:
    received: list[Received] = field(default_factory=list)
    refuse_with: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 try later"
    logins: list[str] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    def reset(self) -> None:
        self.received.clear()
        self.refuse_with.clear()
        self.logins.clear()

    @property
    def url(self) -> str:
        return f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with.pop(0)
        content = envelope.original_content or envelope.content or b""
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], parsed)
        )
        return "250 OK"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_USER.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok)


@contextmanager
def smtp_server() -> Iterator[FakeSmtp]:
    fake = FakeSmtp(port=free_port())
    controller = Controller(
        fake,
        hostname=fake.host,
        port=fake.port,
        authenticator=fake.authenticate,
        # Plain SMTP on loopback: AUTH is offered without TLS (production requires TLS, and
        # checks it); tests assert the login happened (``logins``).
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()
