"""The Reserva page's story in words: an audit entry of the sync process's own."""

from __future__ import annotations

from datetime import UTC, datetime

from application.back_office.timeline import TimelineEvent
from entrypoints.http.console.timeline import describe
from tests.money_text import PESO

AT = datetime(2026, 12, 1, 15, 31, tzinfo=UTC)


def test_money_queued_by_the_sync_process_says_how_much_goes_back() -> None:
    event = TimelineEvent(
        AT,
        "audit",
        "payment.money_to_return",
        "system",
        {"status": "expired", "to_return_cents": 3_000_000},
    )
    line = describe(event, {})
    assert (line.title, line.detail, line.actor) == (
        "Pasó a la lista de Pagos",
        f"{PESO}30.000 para devolver",
        "automático",  # not a person's email: the owner reads who did it
    )


def test_a_payments_flag_taken_by_the_bookings_item_says_so_and_who() -> None:
    event = TimelineEvent(
        AT,
        "audit",
        "payment.attention_resolve",
        "mercadopago",
        {"payment": "1319000050", "resolution": "money_to_return", "reason": None},
    )
    line = describe(event, {})
    assert (line.title, line.detail, line.actor) == (
        "Pago resuelto",
        "queda en lo que hay que devolver de la reserva",
        "Mercado Pago",
    )
