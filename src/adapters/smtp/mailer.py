"""E-mail through an SMTP server with aiosmtplib: multipart/alternative (text and HTML),
a Message-ID fixed by the caller's key (the same on every retry of one outbox row)."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import aiosmtplib

from adapters.smtp.render import html_part
from adapters.smtp.url import SmtpServer
from application.errors import IntegrationError
from application.ports.clock import Clock
from application.ports.mail import OutgoingEmail

log = logging.getLogger("cabanas.mail")


def build_message(email: OutgoingEmail, mail_from: str, sent_at: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(sent_at)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "cabanas.invalid"
    message["Message-ID"] = f"<{email.key}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies back to us
    message.set_content(email.text, subtype="plain", charset="utf-8")
    message.add_alternative(html_part(email.subject, email.text), subtype="html", charset="utf-8")
    message["Content-Language"] = "es-AR"  # after the content: setting it clears Content-*
    return message


class SmtpMailer:
    def __init__(self, server: SmtpServer, mail_from: str, clock: Clock, timeout_s: float) -> None:
        self._server = server
        self._from = mail_from
        self._clock = clock
        self._timeout = timeout_s

    async def send(self, email: OutgoingEmail) -> str:
        message = build_message(email, self._from, self._clock.now())
        server = self._server
        try:
            await aiosmtplib.send(
                message,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.scheme == "smtps",
                # Required with smtp+starttls; never attempted (nor silently skipped) otherwise.
                start_tls=server.scheme == "smtp+starttls",
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise IntegrationError(
                f"SMTP refused the recipient ({codes})",
                retryable=all(400 <= c < 500 for c in codes),
                code=str(codes[0]) if codes else None,
            ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The operator fixes the credentials; the queued mail goes out then.
            raise IntegrationError(
                f"SMTP login refused ({exc.code})", retryable=True, code=str(exc.code)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise IntegrationError(
                f"SMTP error {exc.code}: {exc.message[:200]}",
                retryable=not 500 <= exc.code < 600,
                code=str(exc.code),
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise IntegrationError(
                f"SMTP server unreachable ({type(exc).__name__})", retryable=True
            ) from exc
        return str(message["Message-ID"])


class LoggingMailer:
    """No SMTP_URL: e-mails are logged (address masked, text only in development)."""

    def __init__(self, *, show_text: bool = False) -> None:
        self._show_text = show_text

    async def send(self, email: OutgoingEmail) -> str:
        local, _, domain = email.to.partition("@")
        extra: dict[str, Any] = {"to_masked": f"{local[:1]}…@{domain}", "subject": email.subject}
        if self._show_text:
            extra["text"] = email.text
        log.info("email_not_configured_message_logged", extra=extra)
        return "logged"
