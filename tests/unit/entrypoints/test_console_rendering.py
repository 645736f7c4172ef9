"""The console's own filters for lengths of time."""

from __future__ import annotations

import pytest

from entrypoints.http.console.rendering import duration_minutes


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (1, "1 minuto"),
        (30, "30 minutos"),
        (60, "1 hora"),
        (90, "1 h 30 min"),
        (1440, "24 horas"),
    ],
)
def test_a_length_of_time_reads_as_a_person_would_say_it(minutes: int, said: str) -> None:
    assert duration_minutes(minutes) == said
