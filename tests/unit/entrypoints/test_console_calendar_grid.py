"""The calendar grid: one cell per night and cabin, told apart by class AND letter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from application.back_office.calendar_grid import CalendarWindow
from application.ports.back_office import CalendarItem, Collision
from domain.booking.accommodation import Accommodation
from entrypoints.http.console.calendar import RowWriter, grid

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
    [(lago, runs)] = grid(window)
    shown = [(r.first.day, r.nights, r.css, r.letter) for r in runs]
    assert shown == [
        (1, 1, "free", ""),
        (2, 1, "k-stay", "R!"),
        (3, 1, "k-hold", "P"),
        (4, 1, "k-block", "B"),
        (5, 1, "k-airbnb", "A"),
        (6, 1, "k-booking", "K"),
        (7, 1, "k-other", "O"),
        (8, 3, "free", ""),
    ]
    assert runs[1].href == f"/panel/reservas/{'R' * 12}"
    assert runs[3].href == f"/panel/calendario/bloqueos/{'B' * 12}"  # where it is removed
    assert runs[4].href is None  # imported nights are the channel's
    assert "choque" in runs[1].label("Lago")
    assert runs[3].label("Lago").endswith("Bloqueo: Pintura")
    html = RowWriter(window)(lago, runs)
    assert html.count("<td") == 8  # one cell per run
    assert (
        f'<td><a class="k-block" href="/panel/calendario/bloqueos/{"B" * 12}" '
        'title="Lago, vie 4 dic: Bloqueo: Pintura">'
    ) in html
    # The free run opens the block form for one night, its first (console.js makes it the
    # night tapped); yesterday cannot be blocked.
    assert (
        '<td colspan="3"><a class="free" '
        'href="/panel/calendario/bloquear?cabana=1&amp;desde=2026-12-08" '
        'title="Lago, mar 8 dic a jue 10 dic (3 noches): libre"></a></td>'
    ) in html
    assert "hasta=" not in html
    assert "desde=2026-12-01" not in html
    assert 'aria-label="Lago, mar 1 dic: libre"' in html


def test_a_stay_is_one_cell_spanning_its_nights_cut_at_the_window_and_at_a_collision() -> None:
    window = CalendarWindow(
        start=date(2026, 12, 1),
        days=10,
        today=TODAY,
        now=NOW,
        accommodations=[cabin(1, "Lago <1>"), cabin(2, "Bosque")],
        items=[
            item("R" * 12, 1, 3, 8, "booking", "api"),
            item("A" * 12, 2, 8, 15, "external", "airbnb"),
        ],
        collisions=[Collision(1, date(2026, 12, 6), date(2026, 12, 8), "airbnb", "R" * 12, NOW)],
    )
    [(lago, lake_runs), (bosque, forest_runs)] = grid(window)
    assert [(r.first.day, r.nights, r.css, r.clash) for r in lake_runs] == [
        (1, 2, "free", False),
        (3, 3, "k-stay", False),
        (6, 2, "k-stay", True),
        (8, 3, "free", False),
    ]
    assert lake_runs[1].label("Lago") == "Lago, jue 3 dic a sáb 5 dic (3 noches): Reserva de Juana"
    # Past the window's last night the import is cut: 3 of its 7 nights are shown.
    assert [(r.first.day, r.nights, r.css) for r in forest_runs] == [
        (1, 7, "free"),
        (8, 3, "k-airbnb"),
    ]
    lake = RowWriter(window)(lago, lake_runs)
    assert '<td colspan="3"><a class="k-stay"' in lake
    assert '<td colspan="2" class="clash"><a class="k-stay"' in lake
    assert "Lago &lt;1&gt;" in lake
    assert "<1>" not in lake
    forest = RowWriter(window)(bosque, forest_runs)
    # Seven free nights: yesterday (past, not linked) and six from today; then the import.
    assert forest.count("<td") == 3
    assert 'aria-label="Bosque, mar 1 dic: libre"' in forest
    assert 'desde=2026-12-02" title="Bosque, mié 2 dic a lun 7 dic (6 noches)' in forest
    # Each night's column says its date: the night a tap on a free run fell on.
    header = RowWriter(window).header()
    assert header.count("data-night=") == 10
    assert '<th scope="col" data-night="2026-12-05" class="weekend">' in header
