"""ExportCalendar over in-memory fakes: a token opens one cabin's calendar for one audience,
events carry keyed UIDs and summaries without guest data, and a channel never gets its own
events back."""

from __future__ import annotations

from application.calendar_sync.feeds import ExportCalendar
from tests.unit.application.calendar_sync.test_sync_feed import (
    URL,
    Calendars,
    booking,
    reserved,
    snapshot,
)
from tests.unit.application.fakes_calendars import FakeExportTokens
from tests.unit.domain.builders import stay


class Exports(Calendars):
    def export(self) -> ExportCalendar:
        return ExportCalendar(self.uow, self.clock, FakeExportTokens())

    async def imported(self) -> None:
        feed = await self.feed()
        self.fetcher.answers[URL] = snapshot(reserved("a1", stay(20, 2)))
        await self.sync(feed.id)


async def test_a_token_not_issued_by_us_opens_no_calendar() -> None:
    cal = Exports()
    await cal.hold()(booking(stay(5, 3)))
    for token in ("1-all-forged", "1-all", "1-expedia-ok", "x"):
        export = await cal.export()(token)
        assert (export.name, export.events) == (None, [])


async def test_an_unknown_cabin_has_no_calendar_even_with_a_valid_token() -> None:
    export = await Exports().export()("99-all-ok")
    assert export.name is None


async def test_events_carry_keyed_uids_and_no_guest_data() -> None:
    cal = Exports()
    held = await cal.hold()(booking(stay(5, 3)))
    export = await cal.export()("1-all-ok")
    assert export.name is not None
    [event] = export.events
    assert event.uid == f"uid-{held.code.value}"
    assert (event.stay, event.summary) == (stay(5, 3), "Reservado")
    assert "Juana" not in repr(event)


async def test_each_channel_gets_the_others_events_but_never_its_own() -> None:
    cal = Exports()
    await cal.hold()(booking(stay(5, 3)))
    await cal.imported()
    by_audience = {
        audience: [e.summary for e in (await cal.export()(f"1-{audience}-ok")).events]
        for audience in ("all", "airbnb", "booking")
    }
    assert by_audience == {
        "all": ["Reservado"],  # ours only
        "airbnb": ["Reservado"],  # Airbnb's own night is not echoed back
        "booking": ["Reservado", "No disponible"],  # Airbnb's night, without saying whose
    }
