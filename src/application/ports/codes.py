from __future__ import annotations

from typing import Protocol

from domain.codes import ReservationCode


class CodeGenerator(Protocol):
    def new_code(self) -> ReservationCode: ...
