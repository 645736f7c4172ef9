import pytest

from domain.messaging.opt_out import NEEDS_CONSENT, OptChoice, opt_choice
from domain.messaging.schedule import Scheduled


@pytest.mark.parametrize("text", ["BAJA", "baja", "Baja.", " BÁJA!! ", "bajaaa", "STOP", "stop"])
def test_baja_and_stop_opt_out(text: str) -> None:
    assert opt_choice(text) is OptChoice.OUT


@pytest.mark.parametrize("text", ["ALTA", "alta", "Alta!"])
def test_alta_opts_back_in(text: str) -> None:
    assert opt_choice(text) is OptChoice.IN


@pytest.mark.parametrize(
    "text", ["dar de baja la reserva", "quiero la baja", "hola", "", "stop the car", "altas"]
)
def test_only_the_word_alone_is_a_choice(text: str) -> None:
    assert opt_choice(text) is None


def test_only_the_request_for_a_review_needs_consent() -> None:
    assert frozenset({Scheduled.THANK_YOU}) == NEEDS_CONSENT
    for transactional in (
        Scheduled.PRE_ARRIVAL,
        Scheduled.BALANCE_REMINDER,
        Scheduled.CHECK_OUT_REMINDER,
        Scheduled.DAILY_SUMMARY,
    ):
        assert transactional not in NEEDS_CONSENT
