"""Every text a guest or the owner receives, in one place (Argentine Spanish, voseo).

The owner can reword these freely; keep the placeholders.
"""

from __future__ import annotations

from datetime import date

from domain.money import Money

WHATSAPP_ACK = (
    "¡Hola! 👋 Recibimos tu mensaje. En un ratito te respondemos. "
    "Si querés reservar, escribinos las fechas (por ejemplo: del 15 al 18 de diciembre)."
)


def ars(money: Money) -> str:
    """$ 45.000 or $ 45.000,50 — how prices are written in Argentina."""
    whole, cents = divmod(money.cents, 100)
    text = f"{whole:,}".replace(",", ".")
    return f"$ {text}" if cents == 0 else f"$ {text},{cents:02d}"


def day_month(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def booking_confirmed(
    first_name: str, code_display: str, cabin: str, check_in: date, check_out: date, paid: Money
) -> str:
    return (
        f"¡Listo, {first_name}! 🎉 Tu reserva {code_display} en {cabin} del "
        f"{day_month(check_in)} al {day_month(check_out)} está confirmada. "
        f"Recibimos la seña de {ars(paid)}. ¡Te esperamos!"
    )


def admin_payment_attention(payment_id: str, code: str | None, reason: str) -> str:
    about = f"la reserva {code}" if code else "una referencia desconocida"
    return (
        f"⚠️ Pago {payment_id} de Mercado Pago para {about}: {reason}. "
        "Revisalo en /api/v1/admin/payments."
    )


def payment_link(code_display: str, deposit: Money, url: str) -> str:
    return (
        f"Para confirmar la reserva {code_display}, pagá la seña de {ars(deposit)} con "
        f"Mercado Pago acá: {url}"
    )


def admin_calendar_conflict(
    source: str, accommodation_id: int, check_in: date, check_out: date, other_code: str
) -> str:
    return (
        f"⚠️ Choque de calendarios: {source} tiene una reserva en la cabaña {accommodation_id} "
        f"del {day_month(check_in)} al {day_month(check_out)} que se superpone con {other_code}. "
        "Revisalo en /api/v1/admin/ical/conflicts."
    )
