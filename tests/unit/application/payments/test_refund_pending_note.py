"""A key sent to Mercado Pago whose refund neither the ledger nor Mercado Pago's report shows
(our save failed, the report lags, or the call never got there) holds back refunds with new
keys of the booking - but only for ``PENDING_AT_PROVIDER``: a call the owner gave up on does
not hold them back forever."""

from __future__ import annotations

import pytest

from application.payments.refund_at_provider import PENDING_AT_PROVIDER, RefundAsked
from application.payments.refunds import IssueRefund
from application.ports.idempotency import PROVIDER_REFUNDS, REFUND_ASKED_STATUS
from domain.payments.errors import RefundPendingAtProvider
from tests.unit.application.fakes import FakeGateway
from tests.unit.application.payments.test_money_to_return import (
    CODE,
    OWNER,
    TERMS,
    mercadopago,
    notify,
    setup,
)

PID = "903"


async def test_a_pending_key_holds_back_new_keys_until_its_window_ends() -> None:
    uow, clock = setup()
    gateway = FakeGateway()
    mercadopago(gateway, PID, 90_000, clock)
    await notify(uow, clock, gateway, PID)
    # A key that went to Mercado Pago (the call timed out: nothing made, nothing recorded).
    key = "cabanas-refund:gone"
    ids = uow.idempotency
    assert await ids.claim(PROVIDER_REFUNDS, key, clock.now(), fingerprint="x") is None
    await ids.attach_reservation(PROVIDER_REFUNDS, key, CODE)
    asked = RefundAsked(PID, 1_000_000, 1_000_000).encode()
    await ids.store_response(PROVIDER_REFUNDS, key, REFUND_ASKED_STATUS, asked)
    ids.commit()
    with pytest.raises(RefundPendingAtProvider):
        await IssueRefund(uow, clock, gateway, TERMS, uow)(
            CODE, 1_000_000, True, None, OWNER, "refund-key-new"
        )
    assert gateway.refunds == []
    clock.current += PENDING_AT_PROVIDER
    await IssueRefund(uow, clock, gateway, TERMS, uow)(
        CODE, 1_000_000, True, None, OWNER, "refund-key-new"
    )
    assert len(gateway.refunds) == 1
