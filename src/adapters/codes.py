from __future__ import annotations

from domain.codes import ReservationCode


class SecretsCodeGenerator:
    """Codes from the OS CSPRNG (``secrets``)."""

    def new_code(self) -> ReservationCode:
        return ReservationCode.generate()
