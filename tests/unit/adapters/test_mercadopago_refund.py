"""What the Mercado Pago adapter reads from a refund's answer (spec §2.7): the refund it made for
the key — of which payment and how much — which may be an earlier one for a key used before."""

from __future__ import annotations

import json

import httpx

from adapters.mercadopago.client import MercadoPagoClient
from application.ports.payments import RefundMade, RefundRequest
from domain.money import Money


def client_answering(status: int, body: bytes, seen: list[httpx.Request]) -> MercadoPagoClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body)

    http = httpx.AsyncClient(
        base_url="https://api.mercadopago.test", transport=httpx.MockTransport(answer)
    )
    return MercadoPagoClient(
        http, "TEST-token", notification_url="https://x.test/wh", return_url="https://x.test/r"
    )


async def test_the_answer_says_which_payment_and_how_much_was_refunded() -> None:
    seen: list[httpx.Request] = []
    body = {"id": 1009042015, "payment_id": 18552260055, "amount": 100.5, "status": "approved"}
    client = client_answering(201, json.dumps(body).encode(), seen)
    made = await client.refund(RefundRequest("18552260099", Money.of("40"), "cabanas-refund:k"))
    # The key was used before: Mercado Pago answers with that refund, of another payment.
    assert made == RefundMade("18552260055", Money.of("100.50"), "1009042015", "approved")
    [request] = seen
    assert request.url.path == "/v1/payments/18552260099/refunds"
    assert request.headers["x-idempotency-key"] == "cabanas-refund:k"
    assert json.loads(request.content) == {"amount": 40.0}


async def test_an_answer_without_the_refund_is_taken_as_the_refund_asked_for() -> None:
    for body in (b"", b"{}", b'{"payment_id": "../../x", "amount": -1}'):
        client = client_answering(201, body, [])
        made = await client.refund(RefundRequest("77", Money.of("40"), "k"))
        assert made == RefundMade("77", Money.of("40"), None)


async def test_the_answer_says_the_refunds_status() -> None:
    body = {"id": 5, "payment_id": 77, "amount": 40, "status": "in_process"}
    client = client_answering(201, json.dumps(body).encode(), [])
    made = await client.refund(RefundRequest("77", Money.of("40"), "k"))
    assert made.status == "in_process"
