"""Small use cases around payments and idempotent responses."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.payments import PaymentRecord
from application.ports.unit_of_work import UnitOfWork

MAX_ATTENTION_PAGE = 200


@dataclass(frozen=True, slots=True)
class ListPaymentsNeedingAttention:
    """Payments a person must look at (refund owed, short amount, chargeback…), newest first."""

    uow: UnitOfWork

    async def __call__(self, limit: int = 50) -> list[PaymentRecord]:
        async with self.uow:
            return await self.uow.payments.needing_attention(min(max(limit, 1), MAX_ATTENTION_PAGE))


@dataclass(frozen=True, slots=True)
class PaymentsOfReservation:
    uow: UnitOfWork

    async def __call__(self, code: str) -> list[PaymentRecord]:
        async with self.uow:
            return await self.uow.payments.for_reservation(code)


@dataclass(frozen=True, slots=True)
class RememberResponse:
    """Keep the response sent for an ``Idempotency-Key`` so a retry gets exactly it."""

    uow: UnitOfWork

    async def __call__(self, scope: str, key: str, status: int, body: str) -> None:
        async with self.uow:
            await self.uow.idempotency.store_response(scope, key, status, body)
            await self.uow.commit()
