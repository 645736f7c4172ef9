"""WhatsApp's customer-service window: free-form messages reach a person only within 24 hours
of that person's last message to the business; outside it only an approved template does
(spec §1.7). Numbers are compared in one form, so that a guest's inbound ``549…`` and the
``+549…`` stored with a booking are the same person."""

from __future__ import annotations

from datetime import datetime, timedelta

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
# A send that starts in the window's last minutes may land after it: treat those as closed.
WINDOW_SAFETY_MARGIN = timedelta(minutes=10)


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    if last_inbound is None:
        return False
    return now - last_inbound < CUSTOMER_SERVICE_WINDOW - WINDOW_SAFETY_MARGIN


def whatsapp_id(phone: str) -> str:
    """Digits only; an Argentine mobile's ``549`` + 10 digits becomes ``54`` + the same 10
    digits (how WhatsApp must be sent to, spec §1.6), so both forms are one key."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("549") and len(digits) == 13:
        return "54" + digits[3:]
    return digits
