"""A mobile number as a guest types it, read into E.164 or refused saying what is wrong.

Guests are mostly Argentine and write their mobile the way they say it: ``011 15 4444-5555``,
``11 3333 0006``, ``+54 9 11 2222-0005`` or WhatsApp's ``5491122220005``. An Argentine mobile
in E.164 is ``+54 9``, the area code without its 0, and the number without the 15: 10 digits
after the 9 (``+5491144445555``). Without a ``+`` a number is read as Argentine; with one, as
the country its code names. Whether a number exists (its length, its area code, its range) is
libphonenumber's numbering plans (the ``phonenumbers`` package), not rules of ours.

An Argentine number written without the 9 (``+54 11 4444-5555``) is taken as the mobile it
almost always is: the field asks for the phone WhatsApp messages go to, and WhatsApp knows an
Argentine mobile only with its 9.

The 15 goes after the area code, and some towns still write theirs with the first digit of the
number, as before the codes were shortened: Bariloche's ``2944 15-123456`` is ``0294``
``15 412-3456``. libphonenumber strips a 15 only after an area code it knows, so when a number
dialled as at home (no ``+``, no 9) is none, the 15 after 2, 3 or 4 digits is taken out if
exactly one such reading is a real mobile. With the 9 written, the 15 is a mistake to point out.

This reads form input, so it lives at the edge; the application receives the E.164 number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType

HOME_REGION = "AR"
ARGENTINA_CODE = 54
MOBILE_MARK = "9"  # between +54 and the area code, on every Argentine mobile
ARGENTINE_DIGITS = 10  # area code and number, without the 0, the 15 or the 9
MOBILE_PREFIX = "15"  # written after the area code, dialling a mobile from within Argentina
AREA_CODE_LENGTHS = (2, 3, 4)
LETTERS = re.compile(r"[^\W\d_]")
EXAMPLE = "por ejemplo 11 5555-1234 o 351 555-1234"
FOREIGN = "Si es de otro país, escribilo con + y el código del país."
ONLY_DIGITS = "Escribí solo los números del celular (podés separarlos con espacios o guiones)."
NOT_A_NUMBER = f"Eso no parece un número de celular: escribilo con el código de área, {EXAMPLE}."
# Numbers no phone answers WhatsApp on: toll-free (0800), premium (0600), shared-cost and
# company numbers (0810), voicemail, pagers.
SERVICE_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.PAGER,
    }
)
SERVICE_NUMBER = (
    "Ese es un número de empresa o de servicio (como los 0800, 0600 o 0810), no un celular: "
    f"escribí el celular con el código de área, {EXAMPLE}."
)


@dataclass(frozen=True, slots=True)
class PhoneReading:
    """``number`` in E.164 when the input is a real number; else ``problem``, in Spanish."""

    number: str | None = None
    problem: str | None = None


def read_phone(raw: str) -> PhoneReading:
    text = raw.strip()
    if not text:
        return PhoneReading(problem=f"Escribí tu celular con el código de área, {EXAMPLE}.")
    if LETTERS.search(text):
        return PhoneReading(problem=ONLY_DIGITS)
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except NumberParseException as err:
        if err.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return PhoneReading(
                problem="Ese código de país no existe: revisalo (el de Argentina es +54)."
            )
        return PhoneReading(problem=NOT_A_NUMBER)
    if number.country_code == ARGENTINA_CODE:
        return _argentine(number, foreign_hint=not text.startswith(("+", "00")))
    if phonenumbers.is_valid_number(number):
        return PhoneReading(number=_e164(number))
    return PhoneReading(problem=_foreign_problem(number))


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _argentine(number: PhoneNumber, *, foreign_hint: bool) -> PhoneReading:
    national = str(number.national_number)
    valid = phonenumbers.is_valid_number(number)
    dialled_at_home = foreign_hint and not national.startswith(MOBILE_MARK)
    if not valid and dialled_at_home and (mobile := _without_15(national)) is not None:
        return PhoneReading(number=_e164(mobile))
    if valid:
        kind = phonenumbers.number_type(number)
        if kind is not PhoneNumberType.MOBILE:
            # Written without the 9: the same number as a mobile, if it is one.
            mobile = phonenumbers.parse(f"+{ARGENTINA_CODE}{MOBILE_MARK}{national}")
            if phonenumbers.is_valid_number(mobile):
                return PhoneReading(number=_e164(mobile))
        if kind in SERVICE_TYPES:
            return PhoneReading(problem=SERVICE_NUMBER)
        return PhoneReading(number=_e164(number))
    digits = _counted_digits(national, at_home=foreign_hint)
    rule = (
        f"un celular argentino tiene {ARGENTINE_DIGITS} dígitos con el código de área, sin el 0 "
        f"ni el 15 ({EXAMPLE})"
    )
    if digits < ARGENTINE_DIGITS:
        problem = f"Al número {_missing(ARGENTINE_DIGITS - digits)}: {rule}."
    elif digits > ARGENTINE_DIGITS:
        problem = f"Al número {_extra(digits - ARGENTINE_DIGITS)}: {rule}."
    else:
        problem = (
            "Ese número no existe en Argentina: revisá el código de área y el número "
            f"(sin el 0 ni el 15, {EXAMPLE})."
        )
    return PhoneReading(problem=f"{problem} {FOREIGN}" if foreign_hint else problem)


def _counted_digits(national: str, *, at_home: bool) -> int:
    """How many digits the guest wrote of area code and number, without the mobile's 9 and the
    15. After +54 a leading 9 is the mobile's. Written as at home (no +), ten digits starting
    with 9 are an area code that does not exist, not a 9 and nine digits, and twelve with a 15
    after the area code are ten."""
    with_15 = len(national) == ARGENTINE_DIGITS + len(MOBILE_PREFIX) and any(
        national[at : at + 2] == MOBILE_PREFIX for at in AREA_CODE_LENGTHS
    )
    if at_home and with_15:
        return ARGENTINE_DIGITS
    if national.startswith(MOBILE_MARK) and (not at_home or len(national) > ARGENTINE_DIGITS):
        return len(national) - len(MOBILE_MARK)
    return len(national)


def _without_15(digits: str) -> PhoneNumber | None:
    """The one real mobile these digits are with the 15 after the area code taken out, if any."""
    if len(digits) != ARGENTINE_DIGITS + len(MOBILE_PREFIX):
        return None
    readings = []
    for at in AREA_CODE_LENGTHS:
        if digits[at : at + len(MOBILE_PREFIX)] == MOBILE_PREFIX:
            rest = digits[:at] + digits[at + len(MOBILE_PREFIX) :]
            mobile = phonenumbers.parse(f"+{ARGENTINA_CODE}{MOBILE_MARK}{rest}")
            if phonenumbers.is_valid_number(mobile) and (
                phonenumbers.number_type(mobile) is PhoneNumberType.MOBILE
            ):
                readings.append(mobile)
    return readings[0] if len(readings) == 1 else None


def _missing(count: int) -> str:
    return "le falta 1 dígito" if count == 1 else f"le faltan {count} dígitos"


def _extra(count: int) -> str:
    return "le sobra 1 dígito" if count == 1 else f"le sobran {count} dígitos"


def _foreign_problem(number: PhoneNumber) -> str:
    code = f"+{number.country_code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return f"Al número le faltan dígitos para ser de ese país ({code}): revisalo."
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return f"Al número le sobran dígitos para ser de ese país ({code}): revisalo."
    return f"Ese número no existe en ese país ({code}): revisá el código de área y el número."
