import math
from unittest.mock import patch

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.codes import ALPHABET, BITS_OF_ENTROPY, ReservationCode
from domain.errors import InvalidValue


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("ILOU") & set(ALPHABET)
    assert len(ALPHABET) == 32


def test_codes_carry_at_least_50_bits() -> None:
    assert BITS_OF_ENTROPY >= 50
    assert len(ReservationCode.generate().value) * math.log2(len(ALPHABET)) >= 50


def test_generated_codes_are_distinct_and_valid() -> None:
    codes = {ReservationCode.generate().value for _ in range(1000)}
    assert len(codes) == 1000
    assert all(set(c) <= set(ALPHABET) for c in codes)


def test_every_position_draws_from_the_whole_alphabet() -> None:
    # 5 bits per symbol from one 60-bit draw: no position may be stuck or narrowed.
    # (Missing one of 32 symbols in 2,000 draws has a probability around 10**-26.)
    codes = [ReservationCode.generate().value for _ in range(2000)]
    for position in range(12):
        assert {c[position] for c in codes} == set(ALPHABET)


def test_parse_forgives_case_dashes_and_look_alikes() -> None:
    code = ReservationCode("7K3M9QXD2F10")
    assert ReservationCode.parse("7k3m-9qxd-2fio") == code
    assert ReservationCode.parse(" 7K3M 9QXD 2FL0 ") == code
    assert code.display == "7K3M-9QXD-2F10"


@pytest.mark.parametrize("bad", ["", "SHORT", "7K3M9QXD2F10X", "7K3M9QXD2F1U", "7K3M9QXD2F1!"])
def test_rejects_malformed_codes(bad: str) -> None:
    with pytest.raises(InvalidValue):
        ReservationCode.parse(bad)


@given(st.integers(0, 2**BITS_OF_ENTROPY - 1))
@example(0)
@example(2**BITS_OF_ENTROPY - 1)
@example(0b10101 << 55 | 0b00011)
def test_symbol_i_is_the_draws_bits_5i_to_5i_plus_4(bits: int) -> None:
    with patch("domain.codes.secrets.randbits", return_value=bits):
        code = ReservationCode.generate().value
    assert code == "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(12))
