"""HMAC-keyed export tokens and UIDs: the values channels already hold stay the same, a token
opens only its own export, and the check is constant-time."""

from __future__ import annotations

import hmac

import pytest

from adapters.security import export_tokens
from adapters.security.export_tokens import HmacExportTokens
from domain.calendar_sync.export import AUDIENCES, ExportAddress

SALT = "development-only-ics-salt"


def test_tokens_and_uids_keep_the_values_already_handed_out() -> None:
    # Computed before the rule moved: a channel's subscribed URL and the UIDs it has imported
    # must not change under it (a changed UID reads as "cancelled and booked again").
    tokens = HmacExportTokens(SALT)
    assert tokens.token(ExportAddress(7, "airbnb")) == "7-airbnb-c0c98e0d6cef74bc55a85edaa2d34aea"
    assert tokens.uid("ABC123") == "ea1ea3b35673db58dcd997e040af49ec@cabanas"


def test_every_issued_token_reads_back_to_its_address() -> None:
    tokens = HmacExportTokens(SALT)
    for audience in AUDIENCES:
        address = ExportAddress(3, audience)
        assert tokens.read(tokens.token(address)) == address


def test_a_token_opens_only_its_own_export() -> None:
    tokens = HmacExportTokens(SALT)
    mac = tokens.token(ExportAddress(7, "airbnb")).rsplit("-", 1)[1]
    assert tokens.read(f"8-airbnb-{mac}") is None  # another cabin
    assert tokens.read(f"7-booking-{mac}") is None  # another audience
    assert tokens.read(f"7-airbnb-{mac[:-1]}0") is None  # one digit off
    assert tokens.read(f"7-airbnb-{mac.upper()}") is None
    assert tokens.read(f"7-airbnb-{mac}ñ") is None
    assert tokens.read("7-airbnb") is None


def test_changing_the_salt_changes_every_token_and_uid() -> None:
    old, new = HmacExportTokens(SALT), HmacExportTokens("another-salt")
    token = old.token(ExportAddress(7, "airbnb"))
    assert new.token(ExportAddress(7, "airbnb")) == "7-airbnb-92444aa14bf4b01f1062e86979f6d1e7"
    assert new.read(token) is None
    assert new.uid("ABC123") != old.uid("ABC123")


def test_the_mac_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(export_tokens.hmac, "compare_digest", spy)
    tokens = HmacExportTokens(SALT)
    good = tokens.token(ExportAddress(7, "all"))
    assert tokens.read(good) == ExportAddress(7, "all")
    assert tokens.read(good[:-1] + "0") is None
    assert len(calls) == 2


def test_an_empty_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        HmacExportTokens("")
