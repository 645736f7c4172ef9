"""The calendar grid: one cell per night and cabin, told apart by class AND letter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from application.back_office.calendar_grid import CalendarWindow
from application.ports.back_office import CalendarItem, Collision
from domain.booking.accommodation import Accommodation
from entrypoints.http.console.calendar import grid

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)


def cabin(id_: int, name: str) -> Accommodation:
    from domain.money import Money

    return Accommodation(
        id=id_,
        name=name,
        description="",
        capacity=4,
        base_price=Money(100000),
        weekend_multiplier=Decimal(1),
        min_nights=1,
        amenities=(),
        active=True,
    )


def item(
    code: str,
    cabin_id: int,
    start: int,
    end: int,
    kind: str,
    channel: str,
    status: str = "confirmed",
) -> CalendarItem:
    return CalendarItem(
        code,
        cabin_id,
        date(2026, 12, start),
        date(2026, 12, end),
        kind,
        channel,
        status,
        "Juana" if kind == "booking" else None,
        2,
        None,
        0,
        0,
        "Pintura" if kind == "block" else None,
    )


def test_each_kind_has_its_class_and_letter_and_free_nights_link_to_the_block_form() -> None:
    window = CalendarWindow(
        start=date(2026, 12, 1),
        days=10,
        today=TODAY,
        now=NOW,
        accommodations=[cabin(1, "Lago")],
        items=[
            item("R" * 12, 1, 2, 3, "booking", "api"),
            item("P" * 12, 1, 3, 4, "booking", "whatsapp", "pre_reserved"),
            item("B" * 12, 1, 4, 5, "block", "admin"),
            item("A" * 12, 1, 5, 6, "external", "airbnb"),
            item("K" * 12, 1, 6, 7, "external", "booking"),
            item("G" * 12, 1, 7, 8, "external", "google"),
        ],
        collisions=[Collision(1, date(2026, 12, 2), date(2026, 12, 3), "airbnb", "R" * 12, NOW)],
    )
    [(_, cells)] = grid(window)
    shown = [(c.css, c.letter) for c in cells[:8]]
    assert shown == [
        ("free", ""),
        ("k-stay", "R!"),
        ("k-hold", "P"),
        ("k-block", "B"),
        ("k-airbnb", "A"),
        ("k-booking", "K"),
        ("k-other", "O"),
        ("free", ""),
    ]
    assert cells[0].href is None  # yesterday cannot be blocked
    assert cells[7].href == "/panel/calendario/bloquear?cabana=1&desde=2026-12-08"
    assert cells[1].href == f"/panel/reservas/{'R' * 12}"
    assert cells[3].href is None  # a block has no reservation page
    assert "choque" in cells[1].label
    assert cells[3].label.endswith("Bloqueo: Pintura")
