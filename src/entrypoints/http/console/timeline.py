"""A reservation's timeline in words: what each event means, in Argentine Spanish."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from application.back_office.timeline import TimelineEvent
from application.payments.money_to_return import SYSTEM_ACTOR
from application.payments.provider_refunds import PROVIDER_ACTOR
from entrypoints.http.console.rendering import money, short_date

CHANNELS = {
    "api": "la web",
    "whatsapp": "WhatsApp",
    "admin": "el panel",
    "manual": "el panel (reserva manual)",
}
ACTIONS = {
    "reservation.cancel": "Cancelada",
    "reservation.confirm_manually": "Confirmada a mano",
    "reservation.confirm_payment": "Confirmada por el pago",
    "reservation.move": "Movida",
    "reservation.note": "Nota agregada",
    "reservation.resend_payment_link": "Link de pago reenviado",
    "reservation.create": "Cargada a mano",
    "reservation.payment": "Pago registrado",
    "reservation.refund": "Devolución",
    "reservation.credit": "Crédito a favor",
    "reservation.extend": "Retención extendida",
    "payment.attention_resolve": "Pago resuelto",
    "payment.money_to_return": "Pasó a la lista de Pagos",
}
# Actors that are not people: said so, in words the owner reads.
ACTORS = {SYSTEM_ACTOR: "automático", PROVIDER_ACTOR: "Mercado Pago"}
RESOLUTIONS = {
    "payment_recorded": "el pago quedó anotado",
    "refunded": "se devolvió",
    "credited": "quedó como crédito",
    "dismissed": "sacado de la lista",
    # A payment's flag the booking's own money to give back took over (one item per sum).
    "money_to_return": "queda en lo que hay que devolver de la reserva",
}
TOPICS = {
    "deposit_link": "Link de pago de la seña",
    "booking_confirmed": "Confirmación de la reserva",
    "balance_reminder": "Recordatorio del saldo",
    "pre_arrival": "Información de llegada",
    "mercadopago.checkout": "Link de Mercado Pago creado",
}
MESSAGE_KINDS = {"whatsapp.message": "WhatsApp", "email.message": "e-mail"}
MESSAGE_STATES = {"pending": "en cola", "sent": "enviado", "failed": "no se pudo enviar"}
PAYMENT_STATES = {
    "approved": "aprobado",
    "pending": "pendiente",
    "in_process": "en proceso",
    "rejected": "rechazado",
    "refunded": "devuelto",
    "cancelled": "cancelado",
    "charged_back": "contracargo",
}
METHODS = {"cash": "efectivo", "transfer": "transferencia", "other": "otro medio"}
# Which of the booking's Mercado Pago links a payment came through (its checkout's purpose).
CHECKOUT_LINKS = {"deposit": "link de la seña", "balance": "link del saldo"}


@dataclass(frozen=True, slots=True)
class Line:
    at: datetime
    title: str
    detail: str
    actor: str | None


def _day(raw: object) -> str:
    try:
        return short_date(date.fromisoformat(str(raw)))
    except ValueError:
        return str(raw)


def _audit(event: TimelineEvent, names: Mapping[int, str]) -> str:
    d = event.details
    if event.what == "reservation.move":
        cabin = names.get(int(str(d.get("accommodation_id", 0))), "otra cabaña")
        return f"a {cabin}, {_day(d.get('check_in'))} → {_day(d.get('check_out'))}"
    if event.what == "reservation.refund":
        amount = d.get("amount_cents")
        way = "por Mercado Pago" if d.get("mercadopago_payment") else "a mano"
        parts = [money(amount) if isinstance(amount, int) else "", way, str(d.get("note") or "")]
        return " · ".join(p for p in parts if p)
    if event.what == "reservation.extend":
        return f"{d.get('hours')} h más"
    if event.what in ("reservation.confirm_manually", "reservation.payment"):
        parts = [METHODS.get(str(d.get("method")), str(d.get("method")))]
        if isinstance(d.get("amount_cents"), int):
            parts.append(money(int(str(d["amount_cents"]))))
        if d.get("note"):
            parts.append(str(d["note"]))
        if event.what == "reservation.payment" and d.get("status") == "confirmed":
            parts.append("la reserva quedó confirmada")
        parts.extend(_to_return(d))
        return " · ".join(parts)
    if event.what == "reservation.credit":
        amount = d.get("amount_cents")
        parts = [money(amount) if isinstance(amount, int) else "", str(d.get("note") or "")]
        if d.get("expires_on"):
            parts.append(f"vale hasta el {_day(d['expires_on'])}")
        return " · ".join(p for p in parts if p)
    if event.what == "payment.attention_resolve":
        how = str(d.get("resolution"))
        return " · ".join(p for p in (RESOLUTIONS.get(how, how), str(d.get("reason") or "")) if p)
    if event.what == "payment.money_to_return":
        return " · ".join(_to_return(d))
    if event.what == "reservation.cancel" and d.get("reason"):
        return f"Motivo: {d['reason']}"
    return ""


def _to_return(details: Mapping[str, object]) -> list[str]:
    owed = details.get("to_return_cents")
    return [f"{money(owed)} para devolver"] if isinstance(owed, int) and owed > 0 else []


def describe(event: TimelineEvent, names: Mapping[int, str]) -> Line:
    if event.kind == "created":
        return Line(event.at, "Creada", f"desde {CHANNELS.get(event.what, event.what)}", None)
    if event.kind == "message":
        kind = str(event.details.get("kind", ""))
        state = MESSAGE_STATES.get(str(event.details.get("status")), "")
        channel = MESSAGE_KINDS.get(kind, "")
        detail = " · ".join(part for part in (channel, state) if part)
        return Line(event.at, TOPICS.get(event.what, "Mensaje al huésped"), detail, None)
    if event.kind == "payment":
        amount = event.details.get("amount_cents")
        detail = money(amount) if isinstance(amount, int) else ""
        status = PAYMENT_STATES.get(event.what, event.what)
        return Line(event.at, f"Pago de Mercado Pago {status}", detail, None)
    title = ACTIONS.get(event.what, event.what)
    actor = ACTORS.get(event.actor, event.actor) if event.actor else event.actor
    return Line(event.at, title, _audit(event, names), actor)


def describe_timeline(events: Sequence[TimelineEvent], names: Mapping[int, str]) -> list[Line]:
    return [describe(e, names) for e in events]
