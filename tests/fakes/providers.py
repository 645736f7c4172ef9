"""Fake Mercado Pago and WhatsApp Cloud API servers on 127.0.0.1, speaking the documented
contracts (../shared/specs/integrations.md §1.5–1.6, §2.4–2.6). The real httpx adapters talk to
them over real HTTP; tests read what they received and script how they answer."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from litestar import Litestar, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery

from adapters.mercadopago.signature import manifest, sign
from tests.threaded_server import loopback_socket, port_of, serve_in_thread

MP_TOKEN = "TEST-1234567890-access-token"
WA_TOKEN = "EAAG-test-whatsapp-token"


@dataclass
class FakeMercadoPago:
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    preferences: list[dict[str, Any]] = field(default_factory=list)
    preference_headers: list[dict[str, str]] = field(default_factory=list)
    fetches: dict[str, int] = field(default_factory=dict)
    fail_preferences: int = 0  # answer 500 this many times
    fail_fetches: int = 0  # answer GET /v1/payments/{id} with 500 this many times
    # Refunds by payment id; the X-Idempotency-Key each was made with returns it again.
    refunds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refund_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    fail_refund_answers: int = 0  # make the refund, then answer 500 (a lost answer)
    fail_refunds: int = 0  # answer 500 without making the refund (it never got there)
    # The status new refunds are answered with; not "approved": the payment's refunded amount
    # does not grow (pending at Mercado Pago) until ``approve_refunds``.
    refund_status: str = "approved"
    # GET /v1/payments/{id} answers these instead: a report lagging the payment's refunds.
    frozen_reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    preference_delay_s: float = 0.0
    preference_calls_started: int = 0  # counted on arrival, before the delay
    # With it, the checkout page's "Pagar" notifies the preference's notification_url, signed
    # as Mercado Pago signs (spec §2.1–2.2), before sending the buyer back.
    webhook_secret: str | None = None
    # PUT /checkout/preferences/{id}: the changes each preference received, in order.
    preference_updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    preference_index: dict[str, int] = field(default_factory=dict)  # id -> place in preferences
    url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _by_pref: dict[str, dict[str, Any]] = field(default_factory=dict)
    _edits: int = 0

    def reset(self) -> None:
        self.payments.clear()
        self.preferences.clear()
        self.preference_headers.clear()
        self.fetches.clear()
        self.fail_preferences = 0
        self.fail_fetches = 0
        self.preference_delay_s = 0.0
        self.preference_calls_started = 0
        self.refunds.clear()
        self.refund_keys.clear()
        self.refund_requests.clear()
        self.fail_refund_answers = 0
        self.fail_refunds = 0
        self.refund_status = "approved"
        self.frozen_reports.clear()
        self.webhook_secret = None
        self._edits = 0
        self._by_pref.clear()
        self.preference_updates.clear()
        self.preference_index.clear()

    def app(self) -> Litestar:
        fake = self

        def authorized(request: Request[Any, Any, Any]) -> bool:
            return request.headers.get("authorization") == f"Bearer {MP_TOKEN}"

        @post("/checkout/preferences", status_code=201)
        async def create_preference(request: Request[Any, Any, Any]) -> Response[Any]:
            if not authorized(request):
                return Response({"message": "invalid token", "status": 401}, status_code=401)
            fake.preference_calls_started += 1
            if fake.preference_delay_s:
                await asyncio.sleep(fake.preference_delay_s)
            if fake.fail_preferences > 0:
                fake.fail_preferences -= 1
                return Response({"message": "internal error", "status": 500}, status_code=500)
            body = await request.json()
            items = body.get("items") or []
            if not items or not all(_item_ok(item) for item in items):
                return Response({"message": "invalid items", "status": 400}, status_code=400)
            fake.preferences.append(body)
            fake.preference_headers.append(dict(request.headers))
            pref_id = f"1234-pref-{next(fake._ids)}"
            fake._by_pref[pref_id] = body
            fake.preference_index[pref_id] = len(fake.preferences) - 1
            return Response(
                {
                    "id": pref_id,
                    "init_point": f"https://www.mercadopago.com.ar/checkout/v1/redirect?pref_id={pref_id}",
                    "sandbox_init_point": f"https://sandbox.mercadopago.com.ar/checkout/v1/redirect?pref_id={pref_id}",
                    "date_created": "2026-12-01T12:00:00.000-03:00",
                    "collector_id": 1,
                    "site_id": "MLA",
                },
                status_code=201,
            )

        @put("/checkout/preferences/{preference_id:str}")
        async def update_preference(
            request: Request[Any, Any, Any], preference_id: FromPath[str]
        ) -> Response[Any]:
            """Mercado Pago's preference update: the fields sent replace the stored ones."""
            if not authorized(request):
                return Response({"message": "invalid token", "status": 401}, status_code=401)
            if preference_id not in fake.preference_index:
                return Response({"message": "not found", "status": 404}, status_code=404)
            body = await request.json()
            fake.preference_updates.append((preference_id, body))
            stored = fake.preferences[fake.preference_index[preference_id]]
            stored.update(body)
            return Response({"id": preference_id, **stored})

        @get("/v1/payments/{payment_id:str}")
        async def get_payment(
            request: Request[Any, Any, Any], payment_id: FromPath[str]
        ) -> Response[Any]:
            if not authorized(request):
                return Response({"message": "invalid token", "status": 401}, status_code=401)
            fake.fetches[payment_id] = fake.fetches.get(payment_id, 0) + 1
            if fake.fail_fetches > 0:
                fake.fail_fetches -= 1
                return Response({"message": "internal error", "status": 500}, status_code=500)
            payment = fake.frozen_reports.get(payment_id) or fake.payments.get(payment_id)
            if payment is None:
                return Response({"message": "Payment not found", "status": 404}, status_code=404)
            return Response(payment)

        @post("/v1/payments/{payment_id:str}/refunds", status_code=201)
        async def refund(
            request: Request[Any, Any, Any], payment_id: FromPath[str]
        ) -> Response[Any]:
            """Spec §2.7: ``{}`` refunds the rest, ``{"amount": x}`` part of it; up to what was
            paid; the same X-Idempotency-Key returns the refund it made."""
            if not authorized(request):
                return Response({"message": "invalid token", "status": 401}, status_code=401)
            key = request.headers.get("x-idempotency-key")
            if not key:
                return Response({"message": "X-Idempotency-Key required"}, status_code=400)
            if key in fake.refund_keys:
                return Response(fake.refund_keys[key], status_code=201)
            if fake.fail_refunds > 0:
                fake.fail_refunds -= 1
                return Response({"message": "internal error", "status": 500}, status_code=500)
            payment = fake.payments.get(payment_id)
            if payment is None:
                return Response({"message": "Payment not found", "status": 404}, status_code=404)
            body = await request.json()
            fake.refund_requests.append((dict(request.headers), body))
            paid = round(payment["transaction_amount"] * 100)
            refunded = round((payment["transaction_amount_refunded"] or 0) * 100)
            cents = round(body["amount"] * 100) if "amount" in body else paid - refunded
            if cents <= 0 or refunded + cents > paid:
                return Response(
                    {"message": "Invalid refund amount", "status": 400}, status_code=400
                )
            made = {
                "id": 900000 + sum(len(r) for r in fake.refunds.values()) + 1,
                "payment_id": payment["id"],
                "amount": cents / 100,
                "status": fake.refund_status,
            }
            fake.refunds.setdefault(payment_id, []).append(made)
            fake.refund_keys[key] = made
            if fake.refund_status != "approved":
                return Response(made, status_code=201)
            payment["transaction_amount_refunded"] = (refunded + cents) / 100
            if refunded + cents == paid:
                payment["status"] = "refunded"
            fake._touch(payment)
            if fake.fail_refund_answers:
                fake.fail_refund_answers -= 1
                return Response({"message": "internal error", "status": 500}, status_code=500)
            return Response(made, status_code=201)

        @get("/checkout/v1/redirect", media_type="text/html")
        async def checkout(pref_id: FromQuery[str]) -> Response[str]:
            """The page init_point opens (tests route www.mercadopago.com.ar here)."""
            pref = fake._by_pref.get(pref_id)
            if pref is None:
                return Response("<h1>Preferencia inexistente</h1>", status_code=404)
            item = pref["items"][0]
            return Response(
                '<!doctype html><html lang="es-AR"><head><title>Mercado Pago</title></head>'
                f"<body><main><h1>Mercado Pago</h1><p>{item['title']}</p>"
                f"<p>Total: $ {item['unit_price']:.2f}</p>"
                '<form method="post" action="/checkout/v1/pay">'
                f'<input type="hidden" name="pref_id" value="{pref_id}">'
                '<button type="submit">Pagar</button></form></main></body></html>',
                media_type="text/html",
            )

        @post("/checkout/v1/pay", status_code=303)
        async def pay(request: Request[Any, Any, Any]) -> Response[Any]:
            """An approved card payment: recorded, notified (signed) and the buyer sent to
            back_urls.success with the query Mercado Pago adds."""
            pref_id = str((await request.form()).get("pref_id", ""))
            pref = fake._by_pref.get(pref_id)
            if pref is None:
                return Response({"message": "unknown preference"}, status_code=404)
            payment_id = str(1319500000 + next(fake._ids))
            item, reference = pref["items"][0], pref["external_reference"]
            fake.add_payment(payment_id, "approved", item["unit_price"], reference)
            if fake.webhook_secret is not None:
                await fake._notify(pref["notification_url"], payment_id)
            query = urlencode(
                {
                    "collection_id": payment_id,
                    "collection_status": "approved",
                    "payment_id": payment_id,
                    "status": "approved",
                    "external_reference": reference,
                    "preference_id": pref_id,
                }
            )
            back = pref["back_urls"]["success"]
            separator = "&" if "?" in back else "?"
            return Response(None, status_code=303, headers={"Location": back + separator + query})

        return Litestar(
            [create_preference, update_preference, get_payment, refund, checkout, pay],
            logging_config=None,
        )

    async def _notify(self, notification_url: str, payment_id: str) -> None:
        assert self.webhook_secret is not None
        request_id = str(uuid.uuid4())
        ts = str(int(time.time() * 1000))
        v1 = sign(self.webhook_secret, manifest(payment_id, request_id, ts))
        separator = "&" if "?" in notification_url else "?"
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(
                f"{notification_url}{separator}data.id={payment_id}&type=payment",
                json={"action": "payment.updated", "type": "payment", "data": {"id": payment_id}},
                headers={"x-signature": f"ts={ts},v1={v1}", "x-request-id": request_id},
            )
        answer.raise_for_status()

    def _touch(self, payment: dict[str, Any]) -> None:
        """A change of the payment: its ``date_last_updated`` moves on, always forward."""
        self._edits += 1
        payment["date_last_updated"] = f"2026-12-01T13:{self._edits:02d}:00.000-03:00"

    def approve_refunds(self, payment_id: str) -> None:
        """Mercado Pago approves the payment's pending refunds: its report shows them."""
        payment = self.payments[payment_id]
        pending = [r for r in self.refunds.get(payment_id, []) if r["status"] != "approved"]
        for made in pending:
            made["status"] = "approved"
            refunded = round((payment["transaction_amount_refunded"] or 0) * 100)
            payment["transaction_amount_refunded"] = (refunded + round(made["amount"] * 100)) / 100
        self._touch(payment)

    def freeze_report(self, payment_id: str) -> None:
        """Fetching the payment answers as it is now, whatever happens to it next, until
        ``frozen_reports`` is cleared: Mercado Pago's report lagging behind its refunds."""
        self.frozen_reports[payment_id] = copy.deepcopy(self.payments[payment_id])

    async def refund_in_panel(
        self, payment_id: str, amount: float, notification_url: str | None = None
    ) -> None:
        """The seller refunds part or all of a payment in Mercado Pago's own panel: the
        payment's ``transaction_amount_refunded`` grows (``refunded`` once it is all), and,
        with ``notification_url`` (and ``webhook_secret``), a signed notification follows."""
        payment = self.payments[payment_id]
        paid = round(payment["transaction_amount"] * 100)
        refunded = round((payment["transaction_amount_refunded"] or 0) * 100) + round(amount * 100)
        assert 0 < refunded <= paid, "Mercado Pago refunds at most what was paid"
        payment["transaction_amount_refunded"] = refunded / 100
        if refunded == paid:
            payment["status"] = "refunded"
            payment["status_detail"] = "refunded"
        self._touch(payment)
        if notification_url is not None:
            await self._notify(notification_url, payment_id)

    def add_payment(
        self, payment_id: str, status: str, amount: float, reference: str | None, **extra: Any
    ) -> None:
        self.payments[payment_id] = {
            "id": int(payment_id) if payment_id.isdigit() else payment_id,
            "status": status,
            "status_detail": "accredited" if status == "approved" else status,
            "external_reference": reference,
            "transaction_amount": amount,
            "transaction_amount_refunded": 0,
            "currency_id": "ARS",
            "date_created": "2026-12-01T12:01:00.000-03:00",
            "date_approved": "2026-12-01T12:02:00.000-03:00" if status == "approved" else None,
            "date_last_updated": "2026-12-01T12:02:00.000-03:00",
            "payment_method_id": "visa",
            "payment_type_id": "credit_card",
            "live_mode": False,
            **extra,
        }


def _graph_error(status: int, code: int, message: str, details: str = "x") -> Response[Any]:
    return Response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "A2",
            }
        },
        status_code=status,
    )


def approved_templates() -> dict[tuple[str, str], dict[str, Any]]:
    """Every template the code declares, as if submitted and approved in WhatsApp Manager."""
    from application.ports.whatsapp_templates import TEMPLATES

    return {
        (t.name, t.language): {"params": len(t.params), "status": "APPROVED"} for t in TEMPLATES
    }


@dataclass
class FakeWhatsApp:
    """The Graph API's messages endpoint. Template messages are checked against ``templates``
    ((name, language) → parameter count and status) and refused with the documented codes
    (spec §1.7): 132001 no such template in that language, 132000 parameter count mismatch,
    132015 paused, 132016 disabled. With ``now`` set, free text and buttons reach only numbers
    that wrote within 24 h (``customer_wrote``); others get 131047."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    fail_with: list[tuple[int, int]] = field(default_factory=list)  # (http status, error code)
    templates: dict[tuple[str, str], dict[str, Any]] = field(default_factory=approved_templates)
    now: Callable[[], datetime] | None = None
    wrote_at: dict[str, datetime] = field(default_factory=dict)
    refused: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # Media a guest sent (spec §1.8): id → (mime type, bytes); what was downloaded, in order.
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    media_requests: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)
    url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        self.media.clear()
        self.media_requests.clear()
        self.sent.clear()
        self.paths.clear()
        self.fail_with.clear()
        self.templates = approved_templates()
        self.now = None
        self.wrote_at.clear()
        self.refused.clear()

    def customer_wrote(self, wa_id: str, at: datetime) -> None:
        """A message from ``wa_id`` (as WhatsApp sends it: 549… for Argentine mobiles)."""
        self.wrote_at[_outbound(wa_id)] = at

    def templates_sent(self) -> list[tuple[str, list[str]]]:
        """(template name, body parameters) of each template message received, in order."""
        return [
            (
                m["template"]["name"],
                [p["text"] for c in m["template"]["components"] for p in c["parameters"]],
            )
            for m in self.sent
            if m.get("type") == "template"
        ]

    def _refusal(self, body: dict[str, Any]) -> tuple[int, int, str] | None:
        if body.get("type") == "template":
            template = body.get("template") or {}
            language = (template.get("language") or {}).get("code")
            known = self.templates.get((template.get("name"), language))
            if known is None:
                return 404, 132001, "(#132001) Template name does not exist in the translation"
            params = [
                p
                for c in template.get("components", [])
                if c.get("type") == "body"
                for p in c.get("parameters", [])
            ]
            if len(params) != known["params"] or any(
                not str(p.get("text", "")).strip() or "\n" in str(p.get("text")) for p in params
            ):
                return 400, 132000, "(#132000) Number of parameters does not match"
            if known["status"] == "PAUSED":
                return 400, 132015, "(#132015) Template is paused"
            if known["status"] == "DISABLED":
                return 400, 132016, "(#132016) Template is disabled"
            return None
        if self.now is not None:
            wrote = self.wrote_at.get(str(body.get("to")))
            if wrote is None or self.now() - wrote >= timedelta(hours=24):
                return 400, 131047, "(#131047) Re-engagement message"
        return None

    def app(self) -> Litestar:
        fake = self

        @post("/{version:str}/{phone_id:str}/messages", status_code=200)
        async def send(
            request: Request[Any, Any, Any], version: FromPath[str], phone_id: FromPath[str]
        ) -> Response[Any]:
            if request.headers.get("authorization") != f"Bearer {WA_TOKEN}":
                return Response(
                    {
                        "error": {
                            "message": "Invalid OAuth access token",
                            "type": "OAuthException",
                            "code": 190,
                            "fbtrace_id": "A1",
                        }
                    },
                    status_code=401,
                )
            if fake.fail_with:
                status, code = fake.fail_with.pop(0)
                return _graph_error(status, code, f"error {code}")
            body = await request.json()
            refusal = fake._refusal(body)
            if refusal is not None:
                status, code, message = refusal
                fake.refused.append((code, body))
                return _graph_error(status, code, message)
            fake.sent.append(body)
            fake.paths.append(request.url.path)
            wamid = f"wamid.HBgLNTQ5MTE{next(fake._ids):08d}"
            return Response(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": wamid}],
                }
            )

        def _unauthorized() -> Response[Any]:
            return _graph_error(401, 190, "Invalid OAuth access token")

        @get("/{version:str}/{media_id:str}")
        async def media_info(
            request: Request[Any, Any, Any], version: FromPath[str], media_id: FromPath[str]
        ) -> Response[Any]:
            """``GET /{media-id}`` → a short-lived url, its type, size and hash (spec §1.8)."""
            auth = request.headers.get("authorization", "")
            fake.media_requests.append((request.url.path, auth))
            if auth != f"Bearer {WA_TOKEN}":
                return _unauthorized()
            if media_id not in fake.media:
                return _graph_error(404, 100, "Unsupported get request")
            mime, data = fake.media[media_id]
            return Response(
                {
                    "messaging_product": "whatsapp",
                    "url": f"{fake.url}/lookaside/media/{media_id}?ext=1&hash=x",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "file_size": len(data),
                    "id": media_id,
                }
            )

        @get("/lookaside/media/{media_id:str}", media_type="application/octet-stream")
        async def media_download(
            request: Request[Any, Any, Any], media_id: FromPath[str]
        ) -> Response[Any]:
            """The url's file, only with the same bearer token."""
            auth = request.headers.get("authorization", "")
            fake.media_requests.append((request.url.path, auth))
            if auth != f"Bearer {WA_TOKEN}" or media_id not in fake.media:
                return Response(b"", status_code=404)
            mime, data = fake.media[media_id]
            return Response(data, media_type=mime)

        return Litestar([send, media_info, media_download], logging_config=None)


def _outbound(wa_id: str) -> str:
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    return "54" + digits[3:] if digits.startswith("549") and len(digits) == 13 else digits


@contextmanager
def serve(app: Litestar) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free 127.0.0.1 port."""
    sock = loopback_socket()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port_of(sock), log_level="warning", lifespan="off"
    )
    server, thread = serve_in_thread(config, sock)
    try:
        yield f"http://127.0.0.1:{port_of(sock)}"
    finally:
        server.should_exit = True
        thread.join(5)


# What Checkout Pro requires of each item (its preference contract: id, title, quantity,
# unit_price, currency_id), and the title's length we keep to.
ITEM_FIELDS = ("id", "title", "quantity", "unit_price", "currency_id")
TITLE_MAX = 256


def _item_ok(item: dict[str, Any]) -> bool:
    title = item.get("title")
    return (
        all(item.get(k) not in (None, "") for k in ITEM_FIELDS)
        and isinstance(title, str)
        and len(title) <= TITLE_MAX
    )
