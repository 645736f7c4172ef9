"""Guest names keep what the guest typed and lose what cannot be seen."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.booking.guest_name import FullNameProblem, full_name_problem, guest_name, name_words
from domain.errors import InvalidGuestName


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Juana Pérez", "Juana Pérez"),
        ("Jua\u200bna\u200d P\u00e9rez", "Juana Pérez"),  # zero-width space and joiner
        ("\u202eJuana\u202c", "Juana"),  # right-to-left override and its pop
        ("\u2067Juana\u2069 \u200fPérez", "Juana Pérez"),  # isolates, RLM
        ("\x1b[31mJuana\x1b[0m", "Juana"),  # an ANSI colour, removed whole
        ("Pe\u0301rez", "Pérez"),  # decomposed é: one spelling (NFC)
        ("  Juana \t\n  Pérez ", "Juana Pérez"),
        ("\ufeffJuana\u00ad", "Juana"),  # BOM, soft hyphen
        ("Juana\u3164", "Juana"),  # a Hangul filler, blank but a "letter"
        ("José María O'Neill-Díaz", "José María O'Neill-Díaz"),
        ("王小明", "王小明"),
        ("Ørjan 🌻", "Ørjan 🌻"),
    ],
)
def test_a_name_is_nfc_without_invisible_or_control_characters(raw: str, stored: str) -> None:
    assert guest_name(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "\u200b\u200c\u200d",
        "\u202e\u202d\u2066",
        "\x1b[2J\x1b[H",
        "\u3164\u3164",
        "\u2800",
        "🌻✨",
        "123",
        "\x07\x08",
    ],
)
def test_a_name_with_no_letter_left_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidGuestName) as refused:
        guest_name(raw)
    assert refused.value.field == "guest_name"
    assert refused.value.code == "invalid_guest_name"
    assert "guest_name" in refused.value.message


def test_a_nul_is_refused_as_in_every_other_field() -> None:
    with pytest.raises(InvalidGuestName, match="NUL"):
        guest_name("Ju\x00ana")


@given(st.text())
def test_no_name_keeps_an_invisible_character_or_raises_anything_else(raw: str) -> None:
    try:
        name = guest_name(raw)
    except InvalidGuestName:
        return
    assert name == unicodedata.normalize("NFC", name) == name.strip()
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in name)
    assert "  " not in name


def _by_the_rules(raw: str) -> str:
    """The module's rules applied to every character (no shortcut for plain ASCII)."""
    from domain.booking.guest_name import _SPACES, without_invisibles

    name = _SPACES.sub(" ", without_invisibles(raw)).strip()
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise InvalidGuestName("no letters")
    return name


@given(
    st.one_of(
        st.text(alphabet=" Ab-'.\t\n\x1b[31m", max_size=12),  # spaces, controls, escapes
        st.text(alphabet=st.characters(max_codepoint=0x7F)),
        st.text(max_size=12),
    )
)
@example("  Ana   de la  Cruz ")
@example("A\tb")
@example("1234")
@example("   ")
@example("O'Neil-Smith Jr.")
def test_the_plain_ascii_shortcut_stores_what_the_rules_applied_to_every_character_store(
    raw: str,
) -> None:
    if "\x00" in raw:
        return
    try:
        expected: str | None = _by_the_rules(raw)
    except InvalidGuestName:
        expected = None
    try:
        stored: str | None = guest_name(raw)
    except InvalidGuestName:
        stored = None
    assert stored == expected


@pytest.mark.parametrize(
    "name",
    ["Juana Pérez", "María José O'Neill-Núñez", "Ana M. López", "Juan de la Cruz", "Li Na"],
)
def test_a_first_name_and_a_surname_in_letters_is_a_full_name(name: str) -> None:
    assert full_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("J", FullNameProblem.ONE_WORD),
        ("Juana", FullNameProblem.ONE_WORD),
        ("Juan 123", FullNameProblem.NOT_LETTERS),
        ("Juana Pérez 😀", FullNameProblem.NOT_LETTERS),
        ("Juana_Pérez x", FullNameProblem.NOT_LETTERS),
        ("J P", FullNameProblem.INITIALS),
        ("Juan P.", FullNameProblem.INITIALS),
    ],
)
def test_what_is_no_first_name_and_surname_is_named(name: str, problem: FullNameProblem) -> None:
    assert full_name_problem(name) is problem


def test_the_words_of_a_name_leave_out_emoji_digits_and_symbols() -> None:
    assert name_words("Juana Pérez 😀") == ["Juana", "Pérez"]
    assert name_words("María José O'Neill-Núñez") == ["María", "José", "O'Neill-Núñez"]
    assert name_words("Juan 123 !") == ["Juan"]
