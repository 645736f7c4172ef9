from datetime import UTC, datetime, timedelta

from domain.messaging.service_window import WINDOW_SAFETY_MARGIN, whatsapp_id, window_open

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_the_window_is_open_for_24_hours_after_the_last_message_less_a_margin() -> None:
    assert not window_open(None, NOW)  # never wrote
    assert window_open(NOW, NOW)
    assert window_open(NOW - timedelta(hours=23), NOW)
    assert not window_open(NOW - timedelta(hours=24) + WINDOW_SAFETY_MARGIN, NOW)
    assert not window_open(NOW - timedelta(days=2), NOW)


def test_a_number_is_one_key_whichever_form_it_comes_in() -> None:
    assert whatsapp_id("5491155551234") == whatsapp_id("+5491155551234") == "541155551234"
    assert whatsapp_id("+54 9 11 5555-1234") == "541155551234"
    assert whatsapp_id("+34 612 345 678") == "34612345678"
