from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.ical.parser import MAX_EVENTS, ParsedFeed, parse_feed
from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    FeedUnparseable,
    FeedWindow,
)
from domain.stay import Stay

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ical"
RESERVED = ExternalEventKind.RESERVED
UNAVAILABLE = ExternalEventKind.UNAVAILABLE
UTC_ZONE = ZoneInfo("UTC")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def event(uid: str, check_in: date, check_out: date, kind: ExternalEventKind) -> ExternalEvent:
    return ExternalEvent(uid=uid, stay=Stay(check_in, check_out), kind=kind)


def feed(*vevents: str, header: str = "") -> bytes:
    """A minimal CRLF calendar; each argument is one VEVENT's body, lines separated by |."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//EN"]
    lines += [h for h in header.split("|") if h]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *body.split("|"), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def only(parsed: ParsedFeed) -> ExternalEvent:
    assert len(parsed.events) == 1, parsed
    return parsed.events[0]


# --- the real-world shapes (fixtures synthesised after the exports described in the spec) ---


def test_airbnb_2022_export_with_dtend_first_and_no_dtstamp() -> None:
    parsed = parse_feed(fixture("airbnb_2022.ics"), ExternalSource.AIRBNB)
    assert parsed.prodid == "-//Airbnb Inc//Hosting Calendar 0.8.8//EN"
    assert parsed.skipped == 0
    assert parsed.events == (
        event(
            "a1b2c3d4e5f6-1f2e3d4c5b6a79881726354453627181@airbnb.com",
            date(2026, 12, 18),
            date(2026, 12, 21),
            RESERVED,
        ),
        event(
            "a1b2c3d4e5f6-9e8d7c6b5a4f3e2d1c9b8a7f6e5d4c3b2a@airbnb.com",
            date(2027, 1, 2),
            date(2027, 1, 5),
            RESERVED,
        ),
        event(
            "f6e5d4c3b2a1-abcdefabcdefabcdefabcdefabcdef12@airbnb.com",
            date(2027, 6, 1),
            date(2027, 12, 1),
            UNAVAILABLE,
        ),
    )


def test_airbnb_2025_export_with_a_leading_blank_line_comes_out_sorted() -> None:
    parsed = parse_feed(fixture("airbnb_2025.ics"), ExternalSource.AIRBNB)
    assert parsed.prodid == "-//Airbnb Inc//Hosting Calendar 1.0//EN"
    assert parsed.events == (
        event(
            "7e8f9a1b2c3d-6f5e4d3c2b1a9f8e7d6c5b4a3f2e1d9c8b@airbnb.com",
            date(2026, 12, 24),
            date(2026, 12, 26),
            UNAVAILABLE,
        ),
        event(
            "3c4d5e6f7a8b-5a6b7c8d9e1f2a3b4c5d6e7f8a9b1c2d3e@airbnb.com",
            date(2027, 1, 10),
            date(2027, 1, 14),
            RESERVED,
        ),
    )


def test_booking_export_has_its_over_escaped_prodid_cleaned_and_all_events_reserved() -> None:
    parsed = parse_feed(fixture("booking.ics"), ExternalSource.BOOKING)
    assert parsed.prodid == "-//admin.booking.com, b.v.//NONSGML v1.0//EN"
    assert parsed.events == (
        event(
            "9a8b7c6d5e4f3a2b1c9d8e7f6a5b4c3d@booking.com",
            date(2026, 12, 28),
            date(2027, 1, 2),
            RESERVED,
        ),
        event(
            "1d2c3b4a5f6e7d8c9b1a2f3e4d5c6b7a@booking.com",
            date(2027, 2, 15),
            date(2027, 2, 17),
            RESERVED,
        ),
    )


@pytest.mark.parametrize("zone", [ZoneInfo("America/Argentina/Buenos_Aires"), UTC_ZONE])
def test_google_export_reads_utc_times_in_the_calendars_own_zone(zone: ZoneInfo) -> None:
    # X-WR-TIMEZONE (Buenos Aires) wins over the default zone: 03:00Z is local midnight.
    parsed = parse_feed(fixture("google.ics"), ExternalSource.GOOGLE, zone=zone)
    assert parsed.prodid == "-//Google Inc//Google Calendar 70.9054//EN"
    assert parsed.skipped == 0
    assert parsed.events == (
        event(
            "q8v2k5m1n7b3x9c4z6l0p2r5t8@google.com",
            date(2026, 12, 15),
            date(2026, 12, 18),
            RESERVED,
        ),
        # All-day and marked "free" (TRANSP:TRANSPARENT), as Google does by default: kept.
        event(
            "h4j6k8m2n4p6r8t2v4x6z8b2d4@google.com", date(2027, 2, 10), date(2027, 2, 12), RESERVED
        ),
        # TZID=America/Sao_Paulo, 15:00 to 10:00: the dates as written in that zone.
        event(
            "w3e5r7t9y2u4i6o8p1a3s5d7f9@google.com", date(2027, 3, 1), date(2027, 3, 4), RESERVED
        ),
    )  # and the STATUS:CANCELLED event is gone


def test_lf_only_export_with_folds_durations_missing_uids_and_broken_events() -> None:
    parsed = parse_feed(fixture("other_lf.ics"), ExternalSource.OTHER)
    assert parsed.prodid == "-//Cabin Channel Ltd//Export 2.1//ES"
    uids = [e.uid for e in parsed.events]
    assert uids[:2] == ["one-night@cabin-channel.example", "two-nights@cabin-channel.example"]
    assert uids[2].startswith("synthesised-")
    assert uids[2].endswith("@other")
    assert [e.stay for e in parsed.events] == [
        Stay(date(2027, 4, 1), date(2027, 4, 2)),  # DATE start, no end: one night
        Stay(date(2027, 4, 5), date(2027, 4, 7)),  # DURATION:P2D
        Stay(date(2027, 4, 10), date(2027, 4, 13)),  # floating DATE-TIME, no UID
    ]
    assert parsed.skipped == 3  # end before start, no DTSTART, unreadable DTSTART


def test_crlf_and_lf_files_parse_the_same() -> None:
    crlf = fixture("airbnb_2022.ics")
    assert b"\r\n" in crlf
    lf = crlf.replace(b"\r\n", b"\n")
    cr = crlf.replace(b"\r\n", b"\r")
    source = ExternalSource.AIRBNB
    assert parse_feed(lf, source) == parse_feed(crlf, source) == parse_feed(cr, source)


AIRBNB_PII = ("0000", "HMFAKE", "Phone", "Reservation URL")


@pytest.mark.parametrize(
    ("name", "source", "secrets"),
    [
        ("airbnb_2022.ics", ExternalSource.AIRBNB, AIRBNB_PII),
        ("airbnb_2025.ics", ExternalSource.AIRBNB, AIRBNB_PII),
        ("google.ics", ExternalSource.GOOGLE, ("Pérez", "5555", "Llamar")),
    ],
)
def test_no_guest_pii_survives_parsing(
    name: str, source: ExternalSource, secrets: tuple[str, ...]
) -> None:
    raw = fixture(name)
    text = repr(parse_feed(raw, source))
    for secret in secrets:
        assert secret.encode() in raw  # the fixture does carry it...
        assert secret not in text  # ...and nothing we return does


# --- dates and times ---


def test_utc_date_times_become_dates_in_the_given_zone_without_x_wr_timezone() -> None:
    data = feed("UID:u1|DTSTART:20261215T020000Z|DTEND:20261218T020000Z")
    # 02:00Z is 23:00 the evening before in Buenos Aires.
    assert only(parse_feed(data, ExternalSource.GOOGLE)).stay == Stay(
        date(2026, 12, 14), date(2026, 12, 17)
    )
    assert only(parse_feed(data, ExternalSource.GOOGLE, zone=UTC_ZONE)).stay == Stay(
        date(2026, 12, 15), date(2026, 12, 18)
    )


def test_a_tzid_naming_utc_is_converted_like_a_trailing_z() -> None:
    data = feed("UID:u1|DTSTART;TZID=UTC:20261215T020000|DTEND;TZID=Etc/UTC:20261218T020000")
    assert only(parse_feed(data, ExternalSource.GOOGLE)).stay == Stay(
        date(2026, 12, 14), date(2026, 12, 17)
    )


@pytest.mark.parametrize("bad_zone", ["Mars/Olympus", "../../etc/passwd", "America", " "])
def test_an_unusable_x_wr_timezone_falls_back_to_the_given_zone(bad_zone: str) -> None:
    data = feed(
        "UID:u1|DTSTART:20261215T020000Z|DTEND:20261218T020000Z",
        header=f"X-WR-TIMEZONE:{bad_zone}",
    )
    assert only(parse_feed(data, ExternalSource.GOOGLE)).stay.check_in == date(2026, 12, 14)


@pytest.mark.parametrize(
    "body",
    [
        "UID:u1|DTSTART:20261215T100000Z",  # instant: no end at all
        "UID:u1|DTSTART:20261215T130000Z|DTEND:20261215T150000Z",  # a few hours
        "UID:u1|DTSTART;VALUE=DATE:20261215|DURATION:PT3H",
    ],
)
def test_an_event_within_one_local_day_keeps_that_night(body: str) -> None:
    assert only(parse_feed(feed(body), ExternalSource.GOOGLE)).stay == Stay(
        date(2026, 12, 15), date(2026, 12, 16)
    )


def test_dtend_wins_over_duration_when_a_writer_sends_both() -> None:
    data = feed("UID:u1|DTSTART;VALUE=DATE:20261215|DURATION:P5D|DTEND;VALUE=DATE:20261217")
    assert only(parse_feed(data, ExternalSource.OTHER)).stay.check_out == date(2026, 12, 17)


@pytest.mark.parametrize(
    "body",
    [
        "UID:u1|DTSTART:20261215T100000Z|DTEND:20261215T090000Z",
        "UID:u1|DTSTART;VALUE=DATE:20261216|DTEND;VALUE=DATE:20261215",
        "UID:u1|DTSTART;VALUE=DATE:20261215|DTSTART;VALUE=DATE:20261216",
        "UID:u1|DTSTART;VALUE=DATE:20261315",
        "UID:u1|DTSTART;VALUE=DATE:20261215|RRULE:FREQ=SOMETIMES",
    ],
)
def test_an_individually_broken_event_is_skipped_and_counted(body: str) -> None:
    good = "UID:good|DTSTART;VALUE=DATE:20270101|DTEND;VALUE=DATE:20270103"
    parsed = parse_feed(feed(body, good), ExternalSource.OTHER)
    assert [e.uid for e in parsed.events] == ["good"]
    assert parsed.skipped == 1


# --- identity ---


def test_a_repeated_uid_keeps_the_first_event() -> None:
    data = feed(
        "UID:dup|DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217",
        "UID:dup|DTSTART;VALUE=DATE:20261220|DTEND;VALUE=DATE:20261222",
    )
    parsed = parse_feed(data, ExternalSource.OTHER)
    assert only(parsed).stay.check_in == date(2026, 12, 15)
    assert parsed.skipped == 1


def test_a_missing_uid_is_synthesised_from_dates_and_kind_not_from_the_summary() -> None:
    def uid_of(body: str) -> str:
        return only(parse_feed(feed(body), ExternalSource.AIRBNB)).uid

    dates = "DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217"
    first = uid_of(f"SUMMARY:Reserved - 1234|{dates}")
    assert first == uid_of(f"SUMMARY:Reserved - 9876|{dates}")  # stable, summary-blind
    assert first != uid_of(f"SUMMARY:Airbnb (Not available)|{dates}")
    assert first != uid_of("DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261218")
    assert first.startswith("synthesised-")
    assert first.endswith("@airbnb")


def test_an_overlong_uid_is_replaced_by_its_digest() -> None:
    data = feed("UID:" + "x" * 1000 + "|DTSTART;VALUE=DATE:20261215")
    uid = only(parse_feed(data, ExternalSource.OTHER)).uid
    assert uid.startswith("sha256-")
    assert len(uid) == len("sha256-") + 64


# --- bytes that are not a calendar ---


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b" \r\n\t\n", "empty"),
        (fixture("login_page.html"), "web page"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><error/>", "web page"),
        (fixture("truncated.ics"), "incomplete"),
        (bytes(range(256)) * 4, "not an iCalendar"),
        (b"HTTP/1.1 200 OK\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\x00\r\nEND:VCALENDAR\r\n", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "incomplete"),
        (b"BEGIN:VCALENDAR\r\nthis line has no colon\r\nEND:VCALENDAR\r\n", "not valid"),
        (b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n", "not valid"),
    ],
)
def test_bytes_that_are_not_a_whole_calendar_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FeedUnparseable, match=message) as caught:
        parse_feed(data, ExternalSource.AIRBNB)
    assert caught.value.code == "ical_unparseable"
    assert "colon" not in caught.value.message  # a human message, not the offending line


def test_undecodable_bytes_inside_a_calendar_are_tolerated() -> None:
    data = feed("UID:u1|SUMMARY:Caba\xf1a|DTSTART;VALUE=DATE:20261215").replace(
        "Caba\xf1a".encode(), b"Caba\xf1a"
    )
    assert only(parse_feed(data, ExternalSource.OTHER)).uid == "u1"


def test_a_leading_byte_order_mark_and_whitespace_are_tolerated() -> None:
    data = b"\xef\xbb\xbf \r\n\n" + fixture("booking.ics")
    assert len(parse_feed(data, ExternalSource.BOOKING).events) == 2


def test_more_events_than_the_cap_is_refused_before_parsing() -> None:
    one = "UID:u|DTSTART;VALUE=DATE:20261215"
    with pytest.raises(FeedUnparseable, match=str(MAX_EVENTS)):
        parse_feed(feed(*[one] * (MAX_EVENTS + 1)), ExternalSource.OTHER)
    with pytest.raises(FeedUnparseable, match="more than 2 events"):
        parse_feed(feed(one, one, one), ExternalSource.OTHER, max_events=2)


PLAUSIBLE_LINES = [
    "UID:fuzz@example.com",
    "DTSTART;VALUE=DATE:20261215",
    "DTSTART:20261215T030000Z",
    "DTSTART;TZID=America/Sao_Paulo:20261215T150000",
    "DTEND;VALUE=DATE:20261218",
    "DTEND;VALUE=DATE:20261210",
    "DURATION:P2D",
    "DURATION:garbage",
    "STATUS:CANCELLED",
    "RECURRENCE-ID;VALUE=DATE:20261215",
    "SUMMARY:Airbnb (Not available)",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VALARM",
    " folded continuation",
    ";;;:::",
]
calendar_bodies = st.lists(
    st.one_of(
        st.sampled_from(PLAUSIBLE_LINES),
        st.text(max_size=40),
        st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
    ),
    max_size=12,
)


@given(calendar_bodies)
def test_no_parser_exception_escapes_for_arbitrary_calendar_bodies(lines: list[str]) -> None:
    body = "\r\n".join(lines).encode("utf-8", errors="surrogatepass")
    data = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + body + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    try:
        parsed = parse_feed(data, ExternalSource.AIRBNB)
    except FeedUnparseable:
        return
    assert all(isinstance(e, ExternalEvent) for e in parsed.events)
    assert list(parsed.events) == sorted(parsed.events, key=lambda e: (e.stay, e.uid))


# --- zero-length and repaired events ---


@pytest.mark.parametrize(
    "body",
    [
        "UID:u1|DTSTART:20261215T150000Z|DTEND:20261215T150000Z",  # DTEND equal to DTSTART
        "UID:u1|DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261215",
        "UID:u1|DTSTART;VALUE=DATE:20261215|DURATION:P0D",
        "UID:u1|DTSTART:20261215T150000Z|DURATION:PT0S",
    ],
)
def test_a_zero_length_event_blocks_the_night_it_falls_in(body: str) -> None:
    parsed = parse_feed(feed(body), ExternalSource.GOOGLE)
    assert only(parsed).stay == Stay(date(2026, 12, 15), date(2026, 12, 16))
    assert (parsed.skipped, parsed.warnings) == (0, 0)


@pytest.mark.parametrize("duration", ["-P2D", "garbage", "PT-3H", "P1X"])
def test_an_invalid_duration_keeps_the_dtstart_night_and_counts_a_warning(duration: str) -> None:
    parsed = parse_feed(
        feed(f"UID:u1|DTSTART;VALUE=DATE:20261215|DURATION:{duration}"), ExternalSource.OTHER
    )
    assert only(parsed).stay == Stay(date(2026, 12, 15), date(2026, 12, 16))
    assert (parsed.skipped, parsed.warnings) == (0, 1)


def test_a_merged_feed_repeating_prodid_is_read_as_one() -> None:
    data = feed(
        "UID:a|DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217",
        "UID:b|DTSTART;VALUE=DATE:20261220|DTEND;VALUE=DATE:20261222",
        header="PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN|PRODID:-//Second//EN",
    )
    parsed = parse_feed(data, ExternalSource.OTHER)
    assert [e.uid for e in parsed.events] == ["a", "b"]
    assert parsed.prodid == "-//Test//Test//EN"
    assert parsed.skipped == 0


def test_an_unknown_time_zone_refuses_the_whole_feed() -> None:
    data = feed(
        "UID:a|DTSTART;TZID=Mars/Olympus:20261215T100000|DTEND;TZID=Mars/Olympus:20261215T120000"
    )
    with pytest.raises(FeedUnparseable, match=r"unknown time zone \(Mars/Olympus\)"):
        parse_feed(data, ExternalSource.GOOGLE)


def test_windows_time_zone_names_are_understood() -> None:
    # Exchange writes Windows names, often without a VTIMEZONE: 23:30 in Buenos Aires on the
    # 15th ("Argentina Standard Time") is the 15th's night, not the 16th (as UTC would say).
    data = feed(
        'DTSTART;TZID="Argentina Standard Time":20261215T233000|'
        'DTEND;TZID="Argentina Standard Time":20261217T100000|UID:w1'
    )
    assert only(parse_feed(data, ExternalSource.OTHER)).stay == Stay(
        date(2026, 12, 15), date(2026, 12, 17)
    )


# --- events without a UID ---


def test_two_identical_events_without_uid_are_two_blocks() -> None:
    same = "DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217|SUMMARY:Busy"
    parsed = parse_feed(feed(same, same), ExternalSource.OTHER)
    assert len(parsed.events) == 2
    assert len({e.uid for e in parsed.events}) == 2
    assert parsed.skipped == 0
    # ... and stable: the same feed read again gives the same identities
    again = parse_feed(feed(same, same), ExternalSource.OTHER)
    assert {e.uid for e in again.events} == {e.uid for e in parsed.events}


def test_a_deleted_uidless_event_leaves_the_others_identities_alone() -> None:
    first = "DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217"
    second = "DTSTART;VALUE=DATE:20261220|DTEND;VALUE=DATE:20261222"
    both = {e.uid: e.stay for e in parse_feed(feed(first, second), ExternalSource.OTHER).events}
    one = {e.uid: e.stay for e in parse_feed(feed(second), ExternalSource.OTHER).events}
    assert one.items() <= both.items()
    assert len(both) == 2


# --- recurrence ---

WINDOW = FeedWindow(date(2027, 1, 1), date(2027, 12, 31))


def test_a_weekly_rule_blocks_every_occurrence_each_with_its_own_identity() -> None:
    # The reproduction: Google's RRULE:FREQ=WEEKLY;COUNT=4 from 2027-04-02 (two nights each).
    data = feed(
        "UID:fam@google.com|DTSTART;VALUE=DATE:20270402|DTEND;VALUE=DATE:20270404|"
        "RRULE:FREQ=WEEKLY;COUNT=4|SUMMARY:Familia"
    )
    parsed = parse_feed(data, ExternalSource.GOOGLE, window=WINDOW)
    assert [(e.uid, e.stay.check_in, e.stay.check_out) for e in parsed.events] == [
        ("fam@google.com/20270402", date(2027, 4, 2), date(2027, 4, 4)),
        ("fam@google.com/20270409", date(2027, 4, 9), date(2027, 4, 11)),
        ("fam@google.com/20270416", date(2027, 4, 16), date(2027, 4, 18)),
        ("fam@google.com/20270423", date(2027, 4, 23), date(2027, 4, 25)),
    ]


def test_overrides_exdates_rdates_and_cancelled_instances() -> None:
    data = feed(
        "UID:s|DTSTART;VALUE=DATE:20270105|DTEND;VALUE=DATE:20270106|RRULE:FREQ=WEEKLY;COUNT=5|"
        "EXDATE;VALUE=DATE:20270112|RDATE;VALUE=DATE:20270301",
        # the third instance moved two days later
        "UID:s|RECURRENCE-ID;VALUE=DATE:20270119|DTSTART;VALUE=DATE:20270121|"
        "DTEND;VALUE=DATE:20270123",
        # the fourth cancelled (Thunderbird)
        "UID:s|RECURRENCE-ID;VALUE=DATE:20270126|STATUS:CANCELLED|DTSTART;VALUE=DATE:20270126|"
        "DTEND;VALUE=DATE:20270127",
    )
    parsed = parse_feed(data, ExternalSource.GOOGLE, window=WINDOW)
    assert {e.uid: (e.stay.check_in, e.stay.check_out) for e in parsed.events} == {
        "s/20270105": (date(2027, 1, 5), date(2027, 1, 6)),
        "s/20270119": (date(2027, 1, 21), date(2027, 1, 23)),  # moved: same identity
        "s/20270202": (date(2027, 2, 2), date(2027, 2, 3)),
        "s/20270301": (date(2027, 3, 1), date(2027, 3, 2)),
    }
    assert parsed.skipped == 0


def test_this_and_future_overrides_move_the_rest_of_the_series() -> None:
    data = feed(
        "UID:t|DTSTART:20270104T140000Z|DTEND:20270104T150000Z|RRULE:FREQ=WEEKLY;COUNT=4",
        "UID:t|RECURRENCE-ID;RANGE=THISANDFUTURE:20270118T140000Z|"
        "DTSTART:20270119T140000Z|DTEND:20270119T150000Z",
    )
    parsed = parse_feed(data, ExternalSource.GOOGLE, window=WINDOW)
    assert [e.stay.check_in for e in parsed.events] == [
        date(2027, 1, 4),
        date(2027, 1, 11),
        date(2027, 1, 19),
        date(2027, 1, 26),
    ]


def test_an_endless_rule_is_expanded_only_over_the_window() -> None:
    data = feed("UID:e|DTSTART;VALUE=DATE:20200106|DTEND;VALUE=DATE:20200107|RRULE:FREQ=WEEKLY")
    parsed = parse_feed(data, ExternalSource.GOOGLE, window=WINDOW)
    assert len(parsed.events) == 52
    assert all(WINDOW.since <= e.stay.check_in < WINDOW.until for e in parsed.events)


def test_a_feed_expanding_past_the_cap_is_refused_not_cut() -> None:
    data = feed("UID:d|DTSTART;VALUE=DATE:20270101|DTEND;VALUE=DATE:20270102|RRULE:FREQ=DAILY")
    with pytest.raises(FeedUnparseable, match="expands to more than 100 stays"):
        parse_feed(data, ExternalSource.GOOGLE, window=WINDOW, max_occurrences=100)
    assert len(parse_feed(data, ExternalSource.GOOGLE, window=WINDOW).events) == 364


def test_a_series_the_library_cannot_expand_is_counted_and_the_rest_kept() -> None:
    data = feed(
        "UID:bad|DTSTART;VALUE=DATE:20270105|DTEND;VALUE=DATE:20270106|RRULE:FREQ=WEEKLY;BYDAY=XX",
        "UID:good|DTSTART;VALUE=DATE:20270301|DTEND;VALUE=DATE:20270303",
    )
    parsed = parse_feed(data, ExternalSource.GOOGLE, window=WINDOW)
    assert [e.uid for e in parsed.events] == ["good"]
    assert parsed.skipped == 1


# --- shapes found by the property test above ---


def test_an_event_nested_inside_an_event_is_dropped_and_the_outer_one_kept() -> None:
    nested = "BEGIN:VEVENT|SUMMARY:inside|END:VEVENT"
    body = f"UID:outer|DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261217|{nested}"
    parsed = parse_feed(feed(body), ExternalSource.AIRBNB)
    assert only(parsed).stay == Stay(date(2026, 12, 15), date(2026, 12, 17))


def test_a_nested_event_inside_an_alarm_is_dropped_too() -> None:
    alarm = "BEGIN:VALARM|ACTION:DISPLAY|BEGIN:VEVENT|UID:deep|END:VEVENT|END:VALARM"
    body = f"UID:outer|DTSTART;VALUE=DATE:20261215|DTEND;VALUE=DATE:20261216|{alarm}"
    parsed = parse_feed(feed(body), ExternalSource.AIRBNB)
    assert only(parsed).uid == "outer"
