"""The console's read model builds CalendarItem from a row by position: the statement's
columns must stay in the item's field order."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from adapters.postgres.back_office import _COLUMNS, _item
from application.ports.back_office import CalendarItem


def test_the_columns_are_in_the_items_field_order() -> None:
    columns = [c.strip() for c in _COLUMNS.split(",")]
    names = [f.name for f in fields(CalendarItem)]
    assert columns == [{"note": "block_reason"}.get(n, n) for n in names]


def test_a_row_with_more_columns_than_the_item_is_cut_to_it() -> None:
    row = ("C0DE", 1, date(2026, 12, 1), date(2026, 12, 3), "block", "admin", "confirmed")
    row += (None, 0, None, 0, 0, "Pintura", 600)  # the live holds' count comes last
    item = _item(row)
    assert item.note == "Pintura"
    assert item.check_out == date(2026, 12, 3)
