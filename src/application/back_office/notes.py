"""The owner's and staff's notes on a booking ("llega tarde", "pagó la mitad en efectivo")."""

from __future__ import annotations

from dataclasses import dataclass

from application.back_office.reservations import load_reservation
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.calendar import ARGENTINA
from domain.errors import InvalidValue

MAX_NOTE_CHARS = 1000
# reservations.notes is a TEXT column; a booking's notes stay readable on one page.
MAX_NOTES_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class AddReservationNote:
    """Rules: a note is 1–1000 characters (trimmed; no NUL); it is added as a line of the
    booking's notes with the date and time (Argentina) and who wrote it, below the guest's own
    note and earlier ones — nothing is overwritten; the notes are the guest's personal data
    and are erased with it when the stay is anonymized. Audited with the note's length, not
    its text (the audit log is kept longer than personal data)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str, text: str, actor: str) -> Reservation:
        note = " ".join(text.split())
        if not note or len(note) > MAX_NOTE_CHARS or "\x00" in note:
            raise InvalidValue(f"a note is 1 to {MAX_NOTE_CHARS} characters")
        now = self.clock.now()
        line = f"[{now.astimezone(ARGENTINA):%d/%m/%Y %H:%M} · {actor}] {note}"
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code)
            notes = f"{reservation.notes}\n{line}" if reservation.notes else line
            if len(notes) > MAX_NOTES_CHARS:
                raise InvalidValue("this booking has too many notes already")
            await self.uow.reservations.save_notes(reservation.code, notes, now)
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "reservation.note",
                    reservation.code.value,
                    now,
                    after={"chars": len(note)},
                )
            )
            await self.uow.commit()
        reservation.notes = notes
        return reservation
