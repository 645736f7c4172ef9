"""Our own calendar as other channels read it: who an export is for, the shape of its secret
address, and what an event in it may say.

The address is ``<id>-<audience>-<mac>``: the cabin, the consumer, and a keyed digest of both.
Computing and checking the digest is a port's job (``ExportTokens``); the rules here are only
the ones that need no key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# One export per consumer: "all" carries only what we sold or blocked ourselves (safe to give
# anyone); each channel's own feed also carries what the *other* channels sold, never its own.
AUDIENCES = ("all", "airbnb", "booking", "google", "other")

# What an exported event says: never who the guest is, nor why a night is taken beyond this.
SUMMARIES = {"booking": "Reservado", "block": "No disponible", "external": "No disponible"}
DEFAULT_SUMMARY = "No disponible"

# An accommodation id as we write it: ASCII digits, no sign, no leading zero, at most 19 of
# them, and no larger than a bigint. (``str.isdigit`` also says yes to "²" and "𐩀", which
# ``int`` then refuses.)
_ID = re.compile(r"[1-9][0-9]{0,18}", re.ASCII)
_ID_MAX = 2**63 - 1

UID_DOMAIN = "cabanas"


@dataclass(frozen=True, slots=True)
class ExportAddress:
    """Which cabin's calendar, for which consumer."""

    accommodation_id: int
    audience: str


def token_message(address: ExportAddress) -> str:
    """What the address's digest is computed over."""
    return f"ical-export:{address.accommodation_id}:{address.audience}"


def format_token(address: ExportAddress, mac: str) -> str:
    return f"{address.accommodation_id}-{address.audience}-{mac}"


def token_address(token: str) -> ExportAddress | None:
    """The address a token claims to be for, if it is shaped like one (its digest unchecked)."""
    parts = token.split("-")
    if len(parts) != 3 or not _ID.fullmatch(parts[0]) or parts[1] not in AUDIENCES:
        return None
    accommodation_id = int(parts[0])
    if accommodation_id > _ID_MAX:
        return None
    return ExportAddress(accommodation_id, parts[1])


def export_uid(code: str, digest: Callable[[str], str]) -> str:
    """An event's UID: stable for a reservation or block, and not revealing its code (the code
    is the guest's key to their booking; every channel holding a feed URL would otherwise learn
    all of them). ``digest`` is a keyed one, so only we can map a UID back to a code."""
    return f"{digest(f'ical-uid:{code}')}@{UID_DOMAIN}"


def event_summary(kind: str) -> str:
    return SUMMARIES.get(kind, DEFAULT_SUMMARY)
