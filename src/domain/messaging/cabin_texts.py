"""What each cabin tells its guests before, at the end of and after a stay: the owner's own
words, put into the scheduled messages (pre-arrival, check-out reminder, thank-you).

The same values fill WhatsApp's approved templates (as parameters) and the free text and
e-mail versions, so each is one line of plain text of bounded length; line breaks, tabs and
runs of spaces are folded into one space (templates refuse them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import time
from urllib.parse import quote_plus, urlsplit

from domain.errors import InvalidValue

MAX_ADDRESS = 300
MAX_URL = 500
MAX_NOTE = 500
_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_BLANKS = re.compile(r"\s+")
# Google Maps' documented search link (developers.google.com/maps/documentation/urls): a map
# link for a cabin whose owner wrote the address but no link.
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="


def clock_time(text: str, name: str = "time") -> time:
    """``HH:MM`` (24 h) as a time of day; anything else is refused."""
    match = _HH_MM.fullmatch(text.strip())
    if match is None:
        raise _invalid(name, f"{name} is a time of day as HH:MM (24 h), e.g. 14:00")
    return time(int(match.group(1)), int(match.group(2)))


def _line(value: str) -> str:
    return _BLANKS.sub(" ", value).strip()


@dataclass(frozen=True, slots=True)
class CabinTexts:
    """Rules: the address may be empty (then no pre-arrival message goes, and the owner is
    told), as may the review link (then no thank-you goes); the keys, check-out and thank-you
    notes may not; links are ``https://`` (or ``http://``) addresses; times are HH:MM."""

    address: str = ""
    map_url: str = ""
    check_in_time: time = time(14, 0)
    check_out_time: time = time(10, 0)
    keys: str = "te las damos al llegar; avisanos por WhatsApp cuando estés en camino"
    check_out_note: str = (
        "Antes de irte, dejá las llaves donde las encontraste, cerrá puertas y ventanas y "
        "apagá luces y calefacción."
    )
    thank_you_note: str = "Esperamos que hayas disfrutado de la estadía."
    review_url: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and value != _line(value):
                object.__setattr__(self, f.name, _line(value))
        _bounded("address", self.address, MAX_ADDRESS)
        for name in ("keys", "check_out_note", "thank_you_note"):
            text = getattr(self, name)
            if not text:
                raise _invalid(name, f"{name} cannot be empty")
            _bounded(name, text, MAX_NOTE)
        for name in ("map_url", "review_url"):
            _link(name, getattr(self, name))

    @property
    def map_link(self) -> str:
        """The owner's map link, else a map search for the address ("" without either)."""
        if self.map_url or not self.address:
            return self.map_url
        return MAPS_SEARCH + quote_plus(self.address)


def _invalid(name: str, message: str) -> InvalidValue:
    error = InvalidValue(message)
    error.field = name
    return error


def _bounded(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise _invalid(name, f"{name} has at most {limit} characters")


def _link(name: str, value: str) -> None:
    if not value:
        return
    _bounded(name, value, MAX_URL)
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or " " in value:
        raise _invalid(name, f"{name} must be a web address (https://…)")


DEFAULT_TEXTS = CabinTexts()
