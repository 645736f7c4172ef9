"""What the console says when a use case refuses, in Argentine Spanish, by the error's stable
``code`` (the use cases' own messages are English, for the JSON API and the logs)."""

from __future__ import annotations

from domain.errors import DomainError, NightsOutOfRange

SPANISH: dict[str, str] = {
    "invalid_email": "Escribí un email válido, por ejemplo ana@ejemplo.com.",
    # pragma: allowlist nextline secret
    "weak_password": "La contraseña necesita al menos 12 caracteres y no puede ser el email.",
    "wrong_password": "La contraseña actual no es correcta.",  # pragma: allowlist secret
    "invitation_invalid": (
        "Este enlace de invitación no existe, ya se usó o venció. Pedí uno nuevo."
    ),
    "owner_not_allowed": (
        "Ese email no está en la lista de dueños del sistema: invitalo como equipo, o pedile "
        "a quien administra el servidor que lo agregue a la lista (ADMIN_ALLOWED_EMAILS) y "
        "volvé a invitarlo."
    ),
    "user_exists": "Ya hay una persona con ese email.",
    "invitation_not_found": "Esa invitación ya no estaba pendiente: se usó, venció o ya se anuló.",
    "user_not_found": "Esa persona ya no tiene acceso.",
    "last_owner": "No se puede quitar a la última dueña o dueño: nadie podría invitar después.",
    "sign_in_refused": "El email o la contraseña no son correctos.",
    "sign_in_throttled": (
        "Hubo demasiados intentos fallidos. Esperá unos minutos y probá de nuevo."
    ),
    "stay_unavailable": (
        "Esas noches ya están ocupadas (una reserva, una retención, otro bloqueo o un canal). "
        "Elegí otras fechas o liberalas primero."
    ),
    "check_in_in_past": "Esas fechas ya pasaron: elegí una entrada de hoy en adelante.",
    "invalid_stay": "La salida tiene que ser al menos un día después de la entrada.",
    "invalid_value": "Revisá los datos: alguno no es válido.",
    "accommodation_not_found": "Esa cabaña no existe.",
    "reservation_not_found": "No encontramos esa reserva.",
    "illegal_transition": "La reserva ya no está en ese estado. Recargá la página.",
    "concurrent_update": "Alguien cambió la reserva recién. Recargá la página y probá de nuevo.",
    "guests_out_of_range": "Son más personas de las que entran en esa cabaña.",
    "accommodation_inactive": "Esa cabaña no está tomando reservas (está desactivada).",
    "nights_out_of_range": "La cantidad de noches no está permitida para esa cabaña.",
    "beyond_booking_horizon": "Todavía no se toman reservas para esas fechas.",
    "invalid_guest_name": "Escribí el nombre del huésped (con letras).",
    "arrival_day_not_allowed": "Esa cabaña no recibe llegadas ese día de la semana.",
    "prices_unavailable": "Los precios de esa cabaña no están bien cargados: revisalos primero.",
    "payments_not_configured": (
        "Mercado Pago no está configurado: no hay link para mandar. Pasale al huésped los datos "
        "para transferir."
    ),
    "payment_link_pending": (
        "Mercado Pago todavía no dio el link. Se crea solo en unos minutos y se lo mandamos al "
        "huésped."
    ),
    "duplicate_name": "Ya hay otra cabaña con ese nombre.",
    "unsafe_url": (
        "Esa dirección no sirve: tiene que empezar con https:// y ser la del calendario del canal."
    ),
    "ical_unreachable": "No pudimos leer ese calendario. Revisá la dirección y probá de nuevo.",
    "ical_unparseable": "Esa dirección no devuelve un calendario que podamos leer.",
    "duplicate_feed": "Ese calendario ya está cargado para esa cabaña.",
    "feed_not_found": "Ese calendario ya no está cargado.",
    "no_held_release": (
        "El canal cambió lo que muestra desde el aviso: no se liberó nada. Revisalo y, si está "
        "bien, confirmá de nuevo."
    ),
    "not_found": "Eso ya no existe.",
    "queue_item_not_open": "Eso ya estaba resuelto: ya no está en la lista.",
    "refund_exceeds_paid": (
        "No se puede devolver más de lo que pagó y no se le devolvió. Si pagó por Mercado Pago "
        "en partes, devolvé de a un pago, o devolvelo vos y anotalo sin marcar Mercado Pago."
    ),
    "refund_in_process": (
        "Mercado Pago recibió la devolución pero todavía no la aprobó: se anota sola en la "
        "reserva cuando la apruebe. No la hagas de nuevo."
    ),
    "refund_not_made": (
        "Mercado Pago rechazó esa devolución y no devolvió nada. Recargá la página y, si "
        "todavía hay que devolverle plata, cargá la devolución de nuevo."
    ),
    "refund_pending_at_provider": (
        "Mercado Pago todavía no muestra una devolución que pediste hace un momento; esperá "
        "unos minutos y mirá la reserva antes de devolver otra vez."
    ),
    "money_reference_reused": (
        "Ese formulario ya se usó con otros datos. Recargá la página y cargalo otra vez."
    ),
    "invalid_price_rule": (
        "Ese precio no se puede usar: ninguna noche puede quedar gratis ni con un porcentaje de "
        "-100 o menos. Revisá los montos."
    ),
    "overlapping_price_rules": (
        "Se pisa con otra regla del mismo tipo en las mismas noches: cambiá las fechas o quitá "
        "la otra primero."
    ),
    "block_too_long": (
        "Un bloqueo puede durar hasta un año (366 noches): elegí una salida antes, o bloqueá en "
        "dos partes."
    ),
    "hold_too_long": "La retención no puede durar tanto: elegí menos tiempo.",
}


def spanish(err: DomainError) -> str:
    if isinstance(err, NightsOutOfRange) and (nights := nights_refusal(err)):
        return nights
    return SPANISH.get(err.code, "No se pudo hacer. Revisá los datos y probá de nuevo.")


def nights_refusal(err: NightsOutOfRange) -> str | None:
    """The limits that refused the stay, named: the owner sees what to choose instead. A
    minimum the price rules give those dates (a season's) is said to be the dates'."""
    least, most = err.min_nights, err.max_nights
    subject = "Para esas fechas esa cabaña" if err.for_dates else "Esa cabaña"
    if least is not None and most is not None:
        rule = f"{subject} se reserva por {_nights(least)} como mínimo y {most} como máximo"
    elif least is not None:
        rule = f"{subject} se reserva por {_nights(least)} como mínimo"
    elif most is not None:
        rule = f"Una estadía puede tener hasta {_nights(most)}"
    else:
        return None
    return f"{rule}; elegiste {_nights(err.nights)}."


def _nights(n: int) -> str:
    return "1 noche" if n == 1 else f"{n} noches"
