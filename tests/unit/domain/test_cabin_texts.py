from datetime import time

import pytest

from domain.errors import InvalidValue
from domain.messaging.cabin_texts import DEFAULT_TEXTS, MAX_NOTE, CabinTexts, clock_time


def test_the_defaults_are_complete_spanish_texts_with_no_address_nor_review_link() -> None:
    assert DEFAULT_TEXTS.address == ""
    assert DEFAULT_TEXTS.review_url == ""
    assert DEFAULT_TEXTS.check_in_time == time(14, 0)
    assert DEFAULT_TEXTS.check_out_time == time(10, 0)
    assert "llaves" in DEFAULT_TEXTS.check_out_note
    assert DEFAULT_TEXTS.keys
    assert DEFAULT_TEXTS.thank_you_note


def test_texts_are_single_lines_the_way_templates_take_them() -> None:
    texts = CabinTexts(address="  Ruta 40\nkm 2010,\t Villa La Angostura ", keys="En la caja\n1234")
    assert texts.address == "Ruta 40 km 2010, Villa La Angostura"
    assert texts.keys == "En la caja 1234"


@pytest.mark.parametrize("name", ["keys", "check_out_note", "thank_you_note"])
def test_the_notes_the_messages_carry_cannot_be_empty(name: str) -> None:
    with pytest.raises(InvalidValue) as err:
        CabinTexts(**{name: " \n "})  # type: ignore[arg-type]
    assert err.value.field == name


def test_long_texts_and_links_that_are_not_web_addresses_are_refused() -> None:
    with pytest.raises(InvalidValue) as err:
        CabinTexts(check_out_note="x" * (MAX_NOTE + 1))
    assert err.value.field == "check_out_note"
    for bad in ("maps.google.com/x", "javascript:alert(1)", "ftp://x.org", "https://"):
        with pytest.raises(InvalidValue) as err:
            CabinTexts(review_url=bad)
        assert err.value.field == "review_url"
    assert CabinTexts(review_url="https://g.page/r/abc/review").review_url


def test_the_map_link_is_the_owners_or_a_map_search_for_the_address() -> None:
    assert DEFAULT_TEXTS.map_link == ""
    own = CabinTexts(address="Ruta 40", map_url="https://maps.app.goo.gl/x")
    assert own.map_link == "https://maps.app.goo.gl/x"
    searched = CabinTexts(address="Ruta 40 km 2010, Villa La Angostura")
    assert searched.map_link == (
        "https://www.google.com/maps/search/?api=1&query=Ruta+40+km+2010%2C+Villa+La+Angostura"
    )


def test_times_of_day_are_hh_mm() -> None:
    assert clock_time("09:30") == time(9, 30)
    assert clock_time(" 23:59 ") == time(23, 59)
    for bad in ("9:30", "24:00", "12:60", "mediodía", "12:00:00"):
        with pytest.raises(InvalidValue) as err:
            clock_time(bad, "check_in_time")
        assert err.value.field == "check_in_time"
