"""No text a guest can send makes the assistant raise: a message it cannot read is asked back,
never retried for a day with a traceback (an Ethiopic "፪" once did that through ``int``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.conversation.interpret import Expecting, Interpretation, interpret
from domain.conversation.lexicon import word_set
from domain.conversation.normalize import normalize
from tests.unit.domain.builders import ARGENTINE_HOLIDAYS as HOLIDAYS

TODAY = date(2026, 12, 1)
CABINS = ("Cabaña del Lago", "Cabaña Familiar Los Alerces", "Cabaña 2")
# At least this many examples per property, more under HYPOTHESIS_PROFILE=thorough.
EXAMPLES = max(settings.default.max_examples, 400)

# Digits and numerals of every kind Unicode has: decimal digits of other scripts, superscripts,
# circled and full-width digits, and numerals with no decimal value (Ethiopic, Kharosthi, Roman).
NUMERALS = "0123456789٣३৪௫๖፪፲𐩀𐩃²³¹①⑳１９Ⅻ½⁄"
WORDS = sorted(
    word_set(
        "somos para el del al hasta de la opcion numero noches personas adultos reservar hola "
        "finde largo carnaval semana santa pascua marzo diciembre enero 15/12 18-12-2026 mi "
        "reserva cancelar si no 2 1º proximo que viene ultimo"
    )
)


def token() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.text(alphabet=NUMERALS + "/-:., ", max_size=8))


# Text that looks like a booking message, with numerals of every script where digits go.
MESSAGES = st.lists(token(), max_size=12).map(" ".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=st.text(max_size=300), expecting=st.sampled_from([None, *Expecting]))
@example(text="somos ፪", expecting=None)
@example(text="somos 𐩀", expecting=Expecting.GUESTS)
@example(text="la ፪", expecting=Expecting.CHOICE)
@example(text="del ፪/12 al 𐩀/12", expecting=Expecting.DATES)
@example(text="1" * 5000, expecting=Expecting.GUESTS)
def test_any_unicode_text_is_read_without_raising(text: str, expecting: Expecting | None) -> None:
    assert isinstance(
        interpret(text, TODAY, cabin_names=CABINS, expecting=expecting, holidays=HOLIDAYS),
        Interpretation,
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=MESSAGES, expecting=st.sampled_from([None, *Expecting]))
def test_booking_like_text_with_any_numerals_is_read_without_raising(
    text: str, expecting: Expecting | None
) -> None:
    assert isinstance(
        interpret(text, TODAY, cabin_names=CABINS, expecting=expecting, holidays=HOLIDAYS),
        Interpretation,
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=st.text(max_size=300))
@example(text="del ٣ al ৪ de enero")
def test_normalized_numbers_are_ascii(text: str) -> None:
    assert all(ch.isascii() for ch in normalize(text) if ch.isdigit())


@pytest.mark.parametrize(
    ("text", "guests"),
    [("somos ٣", 3), ("somos ３", 3), ("somos ²", 2), ("somos ፪", None), ("somos 𐩀", None)],
    ids=["arabic-indic", "full-width", "superscript", "ethiopic", "kharosthi"],
)
def test_decimal_digits_of_any_script_count_and_other_numerals_are_asked_back(
    text: str, guests: int | None
) -> None:
    assert interpret(text, TODAY).guests == guests
