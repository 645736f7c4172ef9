"""The phone a guest types on /reservar: Argentine mobiles as Argentines write them become
E.164 with the 9; foreign numbers need their + and code; impossible numbers are refused
saying what is wrong."""

from __future__ import annotations

import pytest

from entrypoints.http.phone_input import read_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("011 15 4444-5555", "+5491144445555"),  # as said aloud: 0 and area code, 15
        ("(011) 15-4444-5555", "+5491144445555"),
        ("11 3333 0006", "+5491133330006"),  # no 0, no 15, no country code
        ("5491122220005", "+5491122220005"),  # WhatsApp's own form, no +
        ("+54 9 11 2222-0005", "+5491122220005"),
        ("0054 9 11 2222 0005", "+5491122220005"),
        ("+54 11 4444-5555", "+5491144445555"),  # the 9 left out: WhatsApp needs it
        ("0351 15 444-5555", "+5493514445555"),  # a three-digit area code
        ("(0294) 15 455-1234", "+5492944551234"),
        # Bariloche's area code as written before it was shortened to 0294: the 15 after it.
        ("2944 15-123456", "+5492944123456"),
        ("02944 15 123456", "+5492944123456"),
        ("+1 415 555 2671", "+14155552671"),
        ("+34 612 345 678", "+34612345678"),
        ("+598 94 123 456", "+59894123456"),
    ],
)
def test_a_real_number_as_people_type_it_becomes_e164(typed: str, stored: str) -> None:
    assert read_phone(typed).number == stored
    assert read_phone(typed).problem is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("+54 9 11 2222 010", "Al número le falta 1 dígito: un celular argentino tiene 10 dígitos"),
        ("11 5555 12", "Al número le faltan 2 dígitos"),
        ("+54 9 11 2222 00051", "Al número le sobra 1 dígito"),
        ("+549 11 15 4444 5555", "Al número le sobran 2 dígitos"),  # the 9 and the 15
        ("+54 9 2944 15 123456", "Al número le sobran 2 dígitos"),
        ("15 4444-5555", "Ese número no existe en Argentina: revisá el código de área"),
        # Ten digits, no area code starting with 9: not "one short" after a mobile's 9.
        ("999 555 1234", "Ese número no existe en Argentina: revisá el código de área"),
        ("0999 15 555-1234", "Ese número no existe en Argentina: revisá el código de área"),
        # Real numbers no phone answers WhatsApp on: toll-free, premium, company numbers.
        ("0800 555 1234", "Ese es un número de empresa o de servicio (como los 0800"),
        ("0800-222-1234", "Ese es un número de empresa o de servicio"),
        ("600 555 1234", "Ese es un número de empresa o de servicio"),
        ("0810 555 1234", "Ese es un número de empresa o de servicio"),
        ("+54 800 555 1234", "Ese es un número de empresa o de servicio"),
        ("+1 415 555 267", "Al número le faltan dígitos para ser de ese país (+1)"),
        ("+44 7911 1234567", "Al número le sobran dígitos para ser de ese país (+44)"),
        ("+999 1234 5678", "Ese código de país no existe"),
        ("11 5555-1234 int 2", "Escribí solo los números del celular"),
        ("hola", "Escribí solo los números del celular"),
        ("+", "Eso no parece un número de celular"),
        ("", "Escribí tu celular con el código de área"),
    ],
)
def test_an_impossible_number_is_refused_naming_what_is_wrong(typed: str, problem: str) -> None:
    reading = read_phone(typed)
    assert reading.number is None
    assert reading.problem is not None
    assert reading.problem.startswith(problem), reading.problem


def test_a_number_without_plus_that_is_no_argentine_one_is_told_how_to_write_a_foreign_one() -> (
    None
):
    spanish = read_phone("34612345678").problem  # a Spanish mobile, typed without its +
    assert spanish is not None
    assert spanish.endswith("Si es de otro país, escribilo con + y el código del país.")
    typed_with_plus = read_phone("+54 9 11 2222 010").problem
    assert typed_with_plus is not None
    assert "otro país" not in typed_with_plus
