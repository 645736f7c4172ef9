"""Phones are masked in logs by their shape or their context; timestamps, ids, amounts and
addresses are not phones and come out intact (``retry_at`` once read ``…00:45:***56``)."""

from __future__ import annotations

import json
import logging

import pytest

from entrypoints.logs import JsonFormatter, redact

PHONE = "5491155551234"


@pytest.mark.parametrize(
    "text",
    [
        "retry_at 2026-12-02 00:45:33.123456+00:00",
        "retry_at=2026-12-02T00:45:33.5+00:00",
        "outbox_id 123456789012",
        "ts=1764600000 and 1764600000123",
        "payment 12345678901 approved",
        "amount 289000.00 ARS",
        "client 198.51.100.23",
        "wamid.HBgNNTQ5MTE1NTU1MTIzNBUCABIYFjNFQjA",
        "trace 0af7651916cd43dd8448eb211c80319c",
        "from 2026-12-01 to 2026-12-05",
        '{"from": "2026-12-01", "to": "2026-12-05"}',
    ],
)
def test_numbers_that_are_not_phones_come_out_intact(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f"context +{PHONE} trailing",
        "guest at +54 9 11 5555-1234 wrote",
        f"phone={PHONE}",
        f"guest_phone: +{PHONE}",
        f'{{"to": "{PHONE}", "type": "text"}}',
        f"wa_id {PHONE}",
        f"escribile: https://wa.me/{PHONE}. El asistente",
    ],
)
def test_phones_are_masked_by_shape_or_context(text: str) -> None:
    cleaned = redact(text)
    assert "55551234" not in cleaned
    assert "5555-1234" not in cleaned
    assert "***34" in cleaned


def _line(**extra: object) -> dict[str, object]:
    record = logging.makeLogRecord({"msg": "event", "levelno": 20, "levelname": "INFO", **extra})
    line: dict[str, object] = json.loads(JsonFormatter().format(record))
    return line


def test_phone_fields_are_masked_whatever_they_look_like() -> None:
    line = _line(phone=PHONE, to=int(PHONE), retry_at="2026-12-02T00:45:33.5+00:00", count=12345678)
    assert line["phone"] == "***34"
    assert line["to"] == "***34"
    assert line["retry_at"] == "2026-12-02T00:45:33.5+00:00"
    assert line["count"] == 12345678


def test_text_inside_lists_and_mappings_is_redacted_too() -> None:
    """A template's parameters (a list) carried a wa.me link in full."""
    line = _line(
        params=["Juana", f"Escribile: https://wa.me/{PHONE}", 3],
        detail={"to": PHONE, "note": f"llamó desde +{PHONE}", "nested": [f"+{PHONE}"]},
        amounts=(289000, "2026-12-02"),
    )
    assert line["params"] == ["Juana", "Escribile: https://wa.me/***34", 3]
    assert line["detail"] == {"to": "***34", "note": "llamó desde ***34", "nested": ["***34"]}
    assert line["amounts"] == [289000, "2026-12-02"]
    assert PHONE not in json.dumps(line)
