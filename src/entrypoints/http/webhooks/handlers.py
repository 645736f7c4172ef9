"""Provider webhooks: verify the signature on the raw bytes, record the delivery, answer 202,
and process it after the response (the worker retries whatever does not finish)."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.params import QueryParameter

from adapters.mercadopago import signature as mp_signature
from adapters.prometheus.metrics import RATE_LIMITED, WEBHOOK_SIGNATURE_FAILURES
from adapters.redis.rate_limit import RedisRateLimiter
from adapters.whatsapp import signature as wa_signature
from application.ports.idempotency import MERCADOPAGO, WHATSAPP
from domain.client_address import address_group
from entrypoints.http.hardening import client_ip, trusted_ip_header
from entrypoints.http.openapi import problems
from entrypoints.http.webhooks.inbox import WebhookInbox
from entrypoints.logs import trace_id_var
from entrypoints.settings import Settings

log = logging.getLogger("cabanas.webhooks")


class Accepted(msgspec.Struct):
    status: str  # "accepted" | "duplicate" | "ignored"
    items: int = 0


async def _rejected(
    request: Request[Any, Any, Any], settings: Settings, provider: str, reason: str
) -> HTTPException:
    """401 for a post whose signature fails; past WEBHOOK_SIGNATURE_FAILURES_PER_MINUTE such
    posts from one address, 429 and no more log lines (forged posts cannot flood the logs).
    Only failures are counted: a correctly signed post never gets here."""
    WEBHOOK_SIGNATURE_FAILURES.labels(provider=provider).inc()
    limiter: RedisRateLimiter | None = request.app.state.forgery_limiter
    if limiter is not None:
        address = client_ip(request.scope, trusted_ip_header(settings))
        decision = await limiter.hit(f"webhook-forgery:{address_group(address)}")
        if not decision.allowed:
            RATE_LIMITED.inc()
            return HTTPException(
                status_code=429,
                detail=f"more than {decision.limit} webhook posts with a failed signature a "
                f"minute from your address; retry in {decision.reset_s} s",
                headers={"Retry-After": str(decision.reset_s)},
            )
    log.warning("webhook_signature_rejected", extra={"provider": provider, "reason": reason})
    return NotAuthorizedException(detail=f"webhook refused: {reason}")


def _secret(value: Any) -> str | None:
    return value.reveal() if value is not None else None


class _MPData(msgspec.Struct):
    id: str | int | None = None


class _MPNotification(msgspec.Struct):
    type: str | None = None
    action: str | None = None
    data: _MPData | None = None


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post(
        "/mercadopago",
        summary="Mercado Pago notifications (x-signature verified; 202, processed after)",
        status_code=202,
        responses=problems(400, 401, 429),
    )
    @inject
    async def mercadopago(
        self,
        request: Request[Any, Any, Any],
        settings: FromDishka[Settings],
        inbox: FromDishka[WebhookInbox],
    ) -> Response[Accepted]:
        query = request.query_params
        raw = await request.body()
        if "topic" in query and "data.id" not in query:
            # Legacy IPN (?topic=…&id=…) carries no signature: acknowledged, never acted on.
            # Our preferences ask for webhooks only (source_news=webhooks).
            log.info("mercadopago_legacy_ipn_ignored", extra={"topic": query.get("topic")})
            return Response(Accepted("ignored"), status_code=202)
        data_id = query.get("data.id")
        check = mp_signature.verify(
            _secret(settings.mp_webhook_secret),
            request.headers.get("x-signature"),
            request.headers.get("x-request-id"),
            data_id,
            now=time.time(),
            tolerance_s=settings.mp_webhook_tolerance_seconds,
        )
        if not check.ok:
            raise await _rejected(request, settings, MERCADOPAGO, check.reason)
        if not settings.payments_enabled:
            # Signed, but payments are off here (MERCADOPAGO_ENABLED=false or no MP_ACCESS_TOKEN):
            # refuse for now, so Mercado Pago redelivers once they are on, instead of accepting
            # what we cannot fetch (it would fail for a day and end in a false alert).
            raise ServiceUnavailableException(
                detail="payments are not enabled here (MERCADOPAGO_ENABLED, MP_ACCESS_TOKEN)",
                headers={"Retry-After": "900"},
            )
        try:
            note = msgspec.json.decode(raw, type=_MPNotification) if raw else _MPNotification()
        except msgspec.DecodeError:
            note = _MPNotification()  # the signature covers the query, not the body
        kind = query.get("type") or note.type
        if kind != "payment":
            return Response(Accepted("ignored"), status_code=202)
        if not data_id or not data_id.isalnum() or len(data_id) > 64:
            raise ValidationException(detail="data.id must be the payment id (query parameter)")
        key = f"{data_id}:{request.headers.get('x-request-id') or ''}"
        if not await inbox.record(MERCADOPAGO, key, {"payment_id": data_id}):
            return Response(Accepted("duplicate"), status_code=202)
        work = [(MERCADOPAGO, key)]
        background = inbox.after_response(work, trace_id_var.get())
        return Response(Accepted("accepted", 1), status_code=202, background=background)

    @get(
        "/whatsapp",
        summary="WhatsApp verification handshake (echoes hub.challenge)",
        media_type="text/plain",
        responses=problems(403),
    )
    @inject
    async def whatsapp_handshake(
        self,
        settings: FromDishka[Settings],
        mode: Annotated[str | None, QueryParameter(name="hub.mode")] = None,
        token: Annotated[str | None, QueryParameter(name="hub.verify_token")] = None,
        challenge: Annotated[str | None, QueryParameter(name="hub.challenge")] = None,
    ) -> Response[str]:
        expected = _secret(settings.whatsapp_verify_token)
        if (
            mode == "subscribe"
            and expected
            and token is not None
            and hmac.compare_digest(token.encode(), expected.encode())
            and challenge is not None
        ):
            return Response(challenge, media_type="text/plain")
        raise PermissionDeniedException(detail="verification failed: wrong mode or verify token")

    @post(
        "/whatsapp",
        summary="WhatsApp messages and statuses (X-Hub-Signature-256 verified; 202)",
        status_code=202,
        responses=problems(400, 401, 429),
    )
    @inject
    async def whatsapp(
        self,
        request: Request[Any, Any, Any],
        settings: FromDishka[Settings],
        inbox: FromDishka[WebhookInbox],
    ) -> Response[Accepted]:
        raw = await request.body()
        reason = wa_signature.verify(
            _secret(settings.whatsapp_app_secret),
            request.headers.get("x-hub-signature-256"),
            raw,
        )
        if reason is not None:
            raise await _rejected(request, settings, WHATSAPP, reason)
        if not settings.whatsapp_enabled:
            # WHATSAPP_ENABLED=false: the assistant is off. Acknowledged (Meta would otherwise
            # redeliver for days), never recorded, answered or turned into a hold.
            log.info("whatsapp_disabled_post_ignored")
            return Response(Accepted("ignored"), status_code=202)
        try:
            envelope = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            raise HTTPException(status_code=400, detail="the body is not JSON") from None
        items = list(whatsapp_items(envelope))
        work = []
        for key, payload in items:
            if await inbox.record(WHATSAPP, key, payload):
                work.append((WHATSAPP, key))
        status = "accepted" if work or not items else "duplicate"
        background = inbox.after_response(work, trace_id_var.get())
        return Response(Accepted(status, len(work)), status_code=202, background=background)


def whatsapp_items(envelope: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every message and status in an envelope (several entries/changes/items per POST), each
    with its dedupe key: the ``wamid`` for messages, id + status for statuses. An item whose
    fields are not of the types Meta sends (a ``from`` that is an object, an id that is a
    number…) is skipped: it cannot be answered, and failing would make Meta redeliver it."""
    out: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(envelope, dict):
        return out
    for entry in _dicts(envelope.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            names = {
                c["wa_id"]: _obj(c.get("profile")).get("name")
                for c in _dicts(value.get("contacts"))
                if isinstance(c.get("wa_id"), str)
            }
            for msg in _dicts(value.get("messages")):
                if not _strings(msg, "id", "from") or not isinstance(msg.get("type", ""), str):
                    continue
                name = names.get(msg["from"])
                payload = {
                    "type": "message",
                    "id": msg["id"],
                    "from": msg["from"],
                    "name": name if isinstance(name, str) else None,
                    "message_type": msg.get("type", ""),
                    "timestamp": str(msg.get("timestamp", "")),
                }
                if msg.get("type") == "text":
                    payload["text"] = str(_obj(msg.get("text")).get("body", ""))[:4096]
                elif msg.get("type") == "interactive":
                    reply = _obj(_obj(msg.get("interactive")).get("button_reply"))
                    payload["button_id"] = str(reply.get("id", ""))[:256]
                    payload["text"] = str(reply.get("title", ""))[:256]
                elif msg.get("type") == "button":
                    button = _obj(msg.get("button"))
                    payload["button_id"] = str(button.get("payload", ""))[:256]
                    payload["text"] = str(button.get("text", ""))[:256]
                elif msg.get("type") in ("image", "document"):
                    media = _obj(msg.get(msg["type"]))
                    payload["media_id"] = str(media.get("id", ""))[:128]
                    payload["mime_type"] = str(media.get("mime_type", ""))[:100]
                out.append((_text(f"msg:{msg['id']}")[:300], _clean(payload)))
            for st in _dicts(value.get("statuses")):
                if not _strings(st, "id", "status"):
                    continue
                key = _text(f"status:{st['id']}:{st['status']}")[:300]
                status = {"type": "status", "id": str(st["id"]), "status": str(st["status"])}
                out.append((key, _clean(status)))
    return out


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object where Meta's format has one; anything else (a forged or broken body that
    still carries a valid signature) reads as empty instead of crashing."""
    return value if isinstance(value, dict) else {}


def _strings(item: dict[str, Any], *fields: str) -> bool:
    """Each of ``fields`` is a non-empty string."""
    return all(isinstance(item.get(f), str) and item[f] for f in fields)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: str) -> str:
    # NUL cannot be stored by PostgreSQL (text or jsonb); a guest typing one must not make the
    # whole envelope fail (Meta would redeliver it for days).
    return value.replace("\x00", "")


def _clean(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) if isinstance(v, str) else v for k, v in payload.items()}
