"""The keyless rules of our calendar export: the address shape, the UID, the summaries."""

from __future__ import annotations

import pytest

from domain.calendar_sync.export import (
    AUDIENCES,
    ExportAddress,
    event_summary,
    export_uid,
    format_token,
    token_address,
    token_message,
)


def test_a_token_names_its_cabin_and_audience_and_reads_back() -> None:
    address = ExportAddress(42, "booking")
    token = format_token(address, "f" * 32)
    assert token == f"42-booking-{'f' * 32}"
    assert token_address(token) == address


def test_the_digest_covers_both_the_cabin_and_the_audience() -> None:
    assert token_message(ExportAddress(7, "airbnb")) == "ical-export:7:airbnb"
    messages = {token_message(ExportAddress(i, a)) for i in (1, 2) for a in AUDIENCES}
    assert len(messages) == 2 * len(AUDIENCES)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "42-booking",
        "42-booking-abc-def",
        "42-expedia-abc",  # not an audience of ours
        "042-all-abc",  # a leading zero: not how we write an id
        "0-all-abc",
        "+4-all-abc",
        "²-all-abc",  # str.isdigit says yes; int() does not
        "𐩀-all-abc",
        "9223372036854775808-all-abc",  # one past bigint
        "12345678901234567890-all-abc",  # twenty digits
    ],
)
def test_a_token_of_another_shape_opens_nothing(token: str) -> None:
    assert token_address(token) is None


def test_the_largest_bigint_is_still_an_address() -> None:
    assert token_address("9223372036854775807-all-abc") == ExportAddress(2**63 - 1, "all")


def test_a_uid_is_the_keyed_digest_of_the_code_and_does_not_contain_it() -> None:
    seen: list[str] = []

    def digest(message: str) -> str:
        seen.append(message)
        return "d" * 32

    uid = export_uid("7K3M9QXD2F10", digest)
    assert uid == f"{'d' * 32}@cabanas"
    assert "7K3M9QXD2F10" not in uid
    assert seen == ["ical-uid:7K3M9QXD2F10"]


def test_summaries_say_booked_or_unavailable_and_nothing_else() -> None:
    assert event_summary("booking") == "Reservado"
    assert event_summary("block") == "No disponible"
    assert event_summary("external") == "No disponible"
    assert event_summary("anything new") == "No disponible"
