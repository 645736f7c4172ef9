import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from icalendar import Calendar

from adapters.ical.export import FeedEntry, escape_text, fold_line, render_calendar
from domain.stay import Stay

STAMP = datetime(2026, 11, 20, 14, 30, 5, tzinfo=UTC)
PRODID = "-//Cabañas del Lago//Reservas 1.0//ES"
LONG_SUMMARY = "Cabaña «Ñandú» – reservada por el ñandú, 🌲 junto al lago; " * 4


def entry(uid: str, check_in: date, nights: int, summary: str = "Reservado") -> FeedEntry:
    return FeedEntry(
        uid=uid,
        stay=Stay(check_in, check_in + timedelta(days=nights)),
        summary=summary,
        stamp=STAMP,
    )


ENTRIES = [
    entry("r-2@cabanas.example", date(2027, 1, 10), 4),
    entry("r-1@cabanas.example", date(2026, 12, 18), 3),
    entry("r-3@cabanas.example", date(2027, 2, 1), 2, summary=LONG_SUMMARY),
]


def render(entries: list[FeedEntry] = ENTRIES, name: str = "Cabaña Norte") -> bytes:
    return render_calendar(entries, prodid=PRODID, name=name)


def unfold(raw: bytes) -> bytes:
    return re.sub(rb"\r\n[ \t]", b"", raw)


def test_a_small_calendar_is_exactly_these_bytes() -> None:
    raw = render_calendar(
        [entry("r-1@cabanas.example", date(2026, 12, 18), 3)], prodid="-//X//Y//ES", name="Norte"
    )
    assert raw == (
        b"BEGIN:VCALENDAR\r\n"
        b"VERSION:2.0\r\n"
        b"PRODID:-//X//Y//ES\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\n"
        b"X-WR-CALNAME:Norte\r\n"
        b"BEGIN:VEVENT\r\n"
        b"UID:r-1@cabanas.example\r\n"
        b"DTSTAMP:20261120T143005Z\r\n"
        b"LAST-MODIFIED:20261120T143005Z\r\n"
        b"DTSTART;VALUE=DATE:20261218\r\n"
        b"DTEND;VALUE=DATE:20261221\r\n"
        b"SUMMARY:Reservado\r\n"
        b"TRANSP:OPAQUE\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )


def test_icalendar_reads_it_back_with_required_properties_exactly_once() -> None:
    raw = render()
    unfolded_lines = unfold(raw).split(b"\r\n")
    assert unfolded_lines.count(b"VERSION:2.0") == 1
    assert sum(line.startswith(b"PRODID:") for line in unfolded_lines) == 1

    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == "Cabaña Norte"
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    for event in events:
        assert str(event["UID"])
        assert event["DTSTAMP"].dt == STAMP
        assert type(event["DTSTART"].dt) is date
        assert type(event["DTEND"].dt) is date


def test_dtend_is_the_exclusive_check_out_and_events_are_sorted_by_stay() -> None:
    events = Calendar.from_ical(render()).walk("VEVENT")
    assert [(str(e["UID"]), e["DTSTART"].dt, e["DTEND"].dt) for e in events] == [
        ("r-1@cabanas.example", date(2026, 12, 18), date(2026, 12, 21)),
        ("r-2@cabanas.example", date(2027, 1, 10), date(2027, 1, 14)),
        ("r-3@cabanas.example", date(2027, 2, 1), date(2027, 2, 3)),
    ]


def test_the_bytes_depend_only_on_the_entries_not_their_order() -> None:
    assert render(list(reversed(ENTRIES))) == render(ENTRIES)


def test_every_line_ends_in_crlf_and_fits_in_75_octets() -> None:
    raw = render()
    assert raw.endswith(b"\r\n")
    assert re.search(rb"(?<!\r)\n", raw) is None  # no bare LF
    assert re.search(rb"\r(?!\n)", raw) is None  # no bare CR
    physical = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(len(line) == 75 for line in physical)  # the long summary did fold
    for line in physical:
        line.decode("utf-8")  # no character split across a fold


def test_a_long_multibyte_summary_folds_and_unfolds_to_the_original() -> None:
    raw = render()
    assert f"SUMMARY:{escape_text(LONG_SUMMARY)}".encode() in unfold(raw).split(b"\r\n")
    [event] = [
        e for e in Calendar.from_ical(raw).walk("VEVENT") if e["UID"] == "r-3@cabanas.example"
    ]
    assert str(event["SUMMARY"]) == LONG_SUMMARY


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a\\b", "a\\\\b"),
        ("a;b", "a\\;b"),
        ("a,b", "a\\,b"),
        ("a\nb", "a\\nb"),
        ("a\r\nb\rc", "a\\nb\\nc"),
        ("a:b", "a:b"),
        ("tab\there", "tab\there"),
        ("nul\x00 bell\x07 esc\x1b del\x7f", "nul bell esc del"),
        ("\\n", "\\\\n"),
    ],
)
def test_text_escaping(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


def test_escaped_text_round_trips_through_icalendar() -> None:
    summary = 'Back\\slash; semi, comma: colon\nnew line "quoted"'
    raw = render(
        [entry("r-1@cabanas.example", date(2026, 12, 18), 1, summary=summary)], name=summary
    )
    calendar = Calendar.from_ical(raw)
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == summary
    # icalendar leaves X- properties unescaped, so check the calendar name's bytes instead.
    assert b'X-WR-CALNAME:Back\\\\slash\\; semi\\, comma: colon\\nnew line "quoted"\r\n' in raw


def test_a_control_character_cannot_inject_a_content_line() -> None:
    summary = "x\rEND:VEVENT\r\nBEGIN:VEVENT\x00"
    raw = render([entry("r-1@cabanas.example", date(2026, 12, 18), 1, summary=summary)])
    assert unfold(raw).split(b"\r\n").count(b"BEGIN:VEVENT") == 1
    assert b"\x00" not in raw
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["SUMMARY"]) == "x\nEND:VEVENT\nBEGIN:VEVENT"


def test_an_empty_feed_is_still_a_calendar() -> None:
    calendar = Calendar.from_ical(render([]))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]) == PRODID


def test_stamps_in_other_zones_are_written_in_utc() -> None:
    buenos_aires = timezone(timedelta(hours=-3))
    local = FeedEntry(
        uid="r-1@cabanas.example",
        stay=Stay(date(2026, 12, 18), date(2026, 12, 19)),
        summary="Reservado",
        stamp=datetime(2026, 11, 20, 22, 0, tzinfo=buenos_aires),
    )
    assert b"DTSTAMP:20261121T010000Z\r\n" in render_calendar([local], prodid="p", name="n")


def test_entries_are_validated() -> None:
    stay = Stay(date(2026, 12, 18), date(2026, 12, 19))
    with pytest.raises(ValueError, match="aware"):
        FeedEntry(uid="r@x", stay=stay, summary="s", stamp=datetime(2026, 11, 20, 12, 0))
    with pytest.raises(ValueError, match="UID"):
        FeedEntry(uid=" ", stay=stay, summary="s", stamp=STAMP)
    duplicate = entry("same@x", date(2026, 12, 18), 1)
    with pytest.raises(ValueError, match="distinct"):
        render([duplicate, entry("same@x", date(2027, 1, 1), 1)])


def test_fold_line_keeps_short_lines_whole_and_folds_at_75_octets() -> None:
    assert fold_line("SUMMARY:hola") == b"SUMMARY:hola\r\n"
    assert fold_line("x" * 75) == b"x" * 75 + b"\r\n"
    assert fold_line("x" * 76) == b"x" * 75 + b"\r\n x\r\n"
    assert fold_line("x" * 150) == b"x" * 75 + b"\r\n " + b"x" * 74 + b"\r\n " + b"x\r\n"
    # "ñ" is two octets: it may not straddle octet 75, so the first line stops at 74.
    assert fold_line("x" * 74 + "ñ") == b"x" * 74 + b"\r\n " + "ñ".encode() + b"\r\n"


# Content lines never hold raw line breaks (escape_text turns them into "\n").
content_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"))


@given(content_text)
def test_fold_then_unfold_gives_back_the_line(line: str) -> None:
    folded = fold_line(line)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    for p in physical:
        p.decode("utf-8")
    assert unfold(folded)[:-2].decode("utf-8") == line


printable_text = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"))


@given(printable_text)
@example("\\N")  # icalendar's own escaping turned it into a newline
@example("a\\,b;c\\nd\ne")
def test_escaped_text_round_trips_through_a_rendered_calendar(text: str) -> None:
    raw = render([entry("r-1@cabanas.example", date(2026, 12, 18), 1, summary=text)])
    assert str(Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"]) == text
