"""Every text a guest or the owner receives, in one place (Argentine Spanish, voseo).

The owner can reword these freely; keep the placeholders.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import ARGENTINA
from domain.money import Money

# "$" and the number are joined by a no-break space (U+00A0): a phone never ends a line
# between them. Every page, e-mail and WhatsApp message writes money this way.
PESO_SIGN = "$\u00a0"


def amount_digits(cents: int) -> str:
    """45.000 or 45.000,50: the number alone (how the console's forms show it to edit)."""
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", ".")
    return text if rest == 0 else f"{text},{rest:02d}"


def ars(money: Money) -> str:
    """$ 45.000 or $ 45.000,50 — how prices are written in Argentina (``PESO_SIGN``)."""
    return PESO_SIGN + amount_digits(money.cents)


def first_name(full_name: str) -> str:
    return full_name.split(maxsplit=1)[0] if full_name.split() else ""


def day_month(day: date, today: date | None = None) -> str:
    """ "01/12"; "01/12/2027" when ``today`` is given and ``day`` is in another year (a guest
    must see that a stay is not this year's)."""
    if today is not None and day.year != today.year:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day:02d}/{day.month:02d}"


def stay_dates(check_in: date, check_out: date, today: date) -> str:
    """ "del 02/12 al 04/12": how every message to a guest or the owner names a stay's dates.
    A date outside ``today``'s year (the clock's, in Argentina) carries its year: "del
    02/12/2027 al 04/12/2027", "del 30/12 al 02/01/2027"."""
    return f"del {day_month(check_in, today)} al {day_month(check_out, today)}"


def booking_confirmed(
    first_name: str,
    code_display: str,
    cabin: str,
    check_in: date,
    check_out: date,
    paid: Money,
    *,
    balance: Money | None = None,
    balance_due_on: date | None = None,
    terms: str | None = None,
    today: date,
) -> str:
    owed = ""
    if balance is not None and balance.cents and balance_due_on is not None:
        owed = f"El saldo de {ars(balance)} se paga hasta el {day_month(balance_due_on, today)}. "
    policy = f"\n\n{terms}" if terms else ""
    return (
        f"¡Listo, {first_name}! 🎉 Tu reserva {code_display} en {cabin} "
        f"{stay_dates(check_in, check_out, today)} está confirmada. "
        f"Recibimos la seña de {ars(paid)}. {owed}¡Te esperamos!{policy}"
    )


def admin_payment_attention(payment_id: str, code: str | None, reason: str) -> str:
    about = f"la reserva {code}" if code else "una referencia desconocida"
    return f"⚠️ Pago {payment_id} de Mercado Pago para {about}: {reason}."


def payment_link(code_display: str, deposit: Money, url: str) -> str:
    return (
        f"Para confirmar la reserva {code_display}, pagá la seña de {ars(deposit)} con "
        f"Mercado Pago acá: {url}"
    )


# --- The WhatsApp booking assistant ---------------------------------------------------------
# Speaks for the business ("te reservamos", "escribinos"). Buttons: titles of 20 characters at
# most (WhatsApp's limit); texts with buttons of 1024 at most.

BUTTON_MY_RESERVATION = "Mi reserva"
BUTTON_HUMAN = "Hablar con alguien"
BUTTON_CANCEL_YES = "Sí, cancelar"
BUTTON_CANCEL_NO = "No, mantenerla"

CONV_WELCOME = (
    "¡Hola! 👋 Somos el asistente de reservas de las cabañas. Contanos qué fechas querés y "
    "cuántas personas son (por ejemplo: del 15 al 18 de diciembre, somos 4) y te decimos qué "
    "tenemos libre y cuánto sale."
)
CONV_THANKS = "¡Gracias a vos! Cualquier cosa, escribinos por acá 🙂"
CONV_OK = "👍 Cualquier cosa, escribinos."
CONV_HELP = (
    "Por acá podemos decirte qué cabañas están libres y cuánto salen, hacerte una "
    "pre-reserva y contarte cómo va tu reserva: escribinos las fechas y cuántas personas son, "
    'o "mi reserva". Para cualquier otra consulta, tocá "Hablar con alguien".'
)
CONV_FALLBACK = (
    "Perdón, no te entendimos 🙈 Escribinos las fechas y cuántas personas son (por ejemplo: "
    'del 15 al 18 de diciembre, somos 4), o tocá "Hablar con alguien" y te responde una persona.'
)
CONV_RESTART = (
    "Perdón, se nos perdió el hilo de la charla 🙈 ¿Nos contás de nuevo qué fechas buscás y "
    "cuántas personas son?"
)


def conv_receipt_received(code_display: str) -> str:
    return (
        f"¡Gracias! Recibimos el comprobante de la reserva {code_display} 🙌 Lo revisamos y, "
        "apenas lo aprobemos, te confirmamos la reserva por acá."
    )


CONV_RECEIPT_WRONG_TYPE = (
    "Ese archivo no lo podemos abrir 😕 Mandanos el comprobante como foto (JPG, PNG o WEBP) "
    "o en PDF, porfa."
)


def conv_receipt_too_large(max_mb: str) -> str:
    return (
        f"El archivo es muy pesado (hasta {max_mb} MB) 😕 ¿Nos mandás una captura o una foto "
        "del comprobante?"
    )


def conv_receipt_rejected(code_display: str, reason: str | None) -> str:
    why = f" Nos dicen: «{reason}»." if reason else ""
    return (
        f"Revisamos el comprobante de la reserva {code_display} y no lo pudimos aprobar 😕{why} "
        "¿Nos mandás el comprobante correcto por acá?"
    )


CONV_RECEIPT_FAILED = "No pudimos descargar el archivo 😕 ¿Nos lo mandás de nuevo en un ratito?"


def admin_receipt_to_approve(code_display: str) -> str:
    return (
        f"🧾 Llegó un comprobante de transferencia para la reserva {code_display}: revisalo y "
        "aprobalo para registrar el pago."
    )


CONV_MEDIA = (
    "¡Gracias! Por ahora no podemos escuchar audios ni ver fotos 🙏 ¿Nos escribís las fechas y "
    "cuántas personas son? (por ejemplo: del 15 al 18 de diciembre, somos 4)"
)
CONV_STICKER = (
    "😄 ¿En qué te ayudamos? Escribinos las fechas y cuántas personas son (por ejemplo: del 15 "
    'al 18 de diciembre, somos 4), o "mi reserva".'
)
CONV_LOCATION = (
    "¡Gracias por la ubicación! 📍 Por acá no la podemos abrir. Si es por cómo llegar, la "
    "dirección te la mandamos con la reserva confirmada. ¿En qué te ayudamos?"
)
CONV_NOT_UNDERSTOOD = "Perdón, no te entendimos 🙈"

CONV_ASK_DATES_AND_GUESTS = "¡Dale! ¿Para qué fechas y cuántas personas son?"
CONV_ASK_DATES = "¿Para qué fechas? (por ejemplo: del 15 al 18 de diciembre, o el finde largo)"
CONV_ASK_GUESTS = "¿Para cuántas personas?"
CONV_ASK_GUESTS_AGAIN = "No nos cerraron las cuentas 🤔 ¿Cuántas personas son en total?"
CONV_DATES_UNCLEAR = (
    "No nos quedaron claras las fechas 🤔 ¿Nos las escribís así: del 15 al 18 de diciembre?"
)
# Keys: the parser's ambiguity codes (domain.conversation.date_query.DateAmbiguity).
CONV_DATES_AMBIGUOUS = {
    "range_backwards": (
        "La salida nos quedó antes que la llegada 🤔 ¿Nos escribís de nuevo las fechas? "
        "(por ejemplo: del 15 al 18 de diciembre)"
    ),
    "invalid_date": "Esa fecha no existe en el calendario 🤔 ¿Nos la revisás?",
    "past_date": (
        "Esa fecha ya pasó 🙈 ¿Para qué fechas buscás? Si es para el año que viene, escribinos "
        "también el año."
    ),
    "weekday_mismatch": (
        "El día de la semana no coincide con la fecha 🤔 ¿Nos decís cuál de los dos vale?"
    ),
    "nights_mismatch": (
        "Las fechas y la cantidad de noches no coinciden 🤔 ¿Nos confirmás qué día llegan y qué "
        "día se van?"
    ),
    "multiple_options": "¿Cuál de las opciones preferís? Decinos una sola y te pasamos precios.",
    "month_only": "¿Qué días? Escribinos también el mes (por ejemplo: del 15 al 18 de enero)",
    "vague_period": "¿Qué días exactamente? (por ejemplo: del 15 al 18 de diciembre)",
    "no_long_weekend": (
        "Para esas fechas no tenemos ningún fin de semana largo en el calendario 🤔 ¿Qué días "
        "serían? (por ejemplo: del 15 al 18 de diciembre)"
    ),
}


def conv_ask_check_in(nights: int) -> str:
    return f"¿Desde qué día serían las {nights} noches?"


def conv_ask_check_out(check_in: date, today: date) -> str:
    return f"¿Hasta qué día, llegando el {day_month(check_in, today)}? (o decinos cuántas noches)"


def conv_options(
    guests: int,
    check_in: date,
    check_out: date,
    lines: list[str],
    *,
    buttons: bool,
    today: date,
) -> str:
    people = "1 persona" if guests == 1 else f"{guests} personas"
    listed = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    how = "Tocá una opción o escribinos el número." if buttons else "Escribinos el número."
    return (
        f"Para {people}, {stay_dates(check_in, check_out, today)}, tenemos:\n"
        f"{listed}\n¿Cuál te reservamos? {how}"
    )


def conv_option_line(
    cabin: str, total: Money, deposit: Money, details: list[str] | None = None
) -> str:
    """``details``: the quote's breakdown lines (nights by rate, fees, discounts), listed
    under the option."""
    line = f"{cabin}: {ars(total)} en total (seña {ars(deposit)})"
    return line + "".join(f"\n   {d}" for d in details or ())


def conv_option_button(number: int) -> str:
    """A button title when the cabins' names do not fit apart in 20 characters."""
    return f"Opción {number}"


def conv_pick_a_number(options: int) -> str:
    return f"Elegí un número del 1 al {options}, porfa."


def conv_cabin_not_offered(cabin: str) -> str:
    return f"{cabin} no está libre para esas fechas 😕"


CONV_CHOICE_DECLINED = "¡Dale! Si querés probar con otras fechas, escribinos."
CONV_NO_ROOM = "Para esas fechas no nos queda lugar 😕 ¿Querés probar con otras fechas?"
CONV_PAST_DATES = "Esas fechas ya pasaron 🙈 ¿Para qué fechas buscás?"


def conv_beyond_horizon(last_day: date) -> str:
    return (
        f"Todavía no tomamos reservas para esas fechas: por ahora, con llegada hasta el "
        f"{day_month(last_day)}/{last_day.year}. ¿Querés probar con otras?"
    )


def conv_min_nights(nights: int) -> str:
    return f"Para esas fechas la estadía mínima es de {nights} noches. ¿Querés sumar noches?"


def conv_max_nights(nights: int) -> str:
    return f"Las estadías son de hasta {nights} noches. ¿Querés probar con menos?"


def conv_too_many_guests(capacity: int) -> str:
    return (
        f"Nuestras cabañas son para hasta {capacity} personas 😕 Si son más, tocá "
        '"Hablar con alguien" y lo vemos juntos.'
    )


def conv_ask_name(cabin: str, check_in: date, check_out: date, today: date) -> str:
    return (
        f"¡Buenísimo! {cabin}, {stay_dates(check_in, check_out, today)}. "
        "¿A nombre de quién hacemos la reserva? (nombre y apellido)"
    )


CONV_ASK_NAME_AGAIN = "¿Nos pasás tu nombre y apellido para la reserva?"
CONV_ASK_FULL_NAME = (
    "Necesitamos el nombre y apellido de quien va a figurar en la reserva 🙏 ¿Nos los pasás? "
    "(por ejemplo: Juana Pérez)"
)
CONV_NAME_NOT_YET = (
    "Dale, todavía no reservamos nada 🙌 Cuando quieras seguir, mandanos nombre y apellido y "
    "te la reservamos. Si preferís otras fechas, escribinos cuáles."
)


def conv_confirm_name(cabin: str, check_in: date, check_out: date, name: str, today: date) -> str:
    """The name we remember for this chat, proposed rather than used silently."""
    return (
        f"¡Buenísimo! {cabin}, {stay_dates(check_in, check_out, today)}. "
        f"¿La hacemos a nombre de {name}? Si va a otro nombre, escribinos nombre y apellido."
    )


def conv_thanks_name(first_name: str) -> str:
    return f"¡Gracias, {first_name}!"


def conv_name_kept_for_choice(first_name: str, options: int) -> str:
    return (
        f"¡Gracias, {first_name}! Te la reservamos a ese nombre apenas elijas la cabaña: "
        f"elegí un número del 1 al {options}, porfa."
    )


def deadline(until: datetime, today: date) -> str:
    """When a hold lapses, in Argentine time: "las 18:30", or "el 02/12 a las 00:15"."""
    local = until.astimezone(ARGENTINA)
    if local.date() == today:
        return f"las {local:%H:%M}"
    return f"el {day_month(local.date(), today)} a las {local:%H:%M}"


def conv_hold_placed(
    first_name: str,
    code_display: str,
    cabin: str,
    check_in: date,
    check_out: date,
    total: Money,
    deposit: Money,
    until: str,
    *,
    payment_url: str | None,
    payment_link_follows: bool,
    details: list[str] | None = None,
    terms: str | None = None,
    today: date,
) -> str:
    """``details``: the breakdown's lines (and a credit applied), shown under the summary;
    ``terms``: the cabin's cancellation policy in a sentence (None: it has none), said before
    the guest pays."""
    if payment_url:  # announced again (a repeated message): the link already exists
        then = f"Podés pagarla acá: {payment_url}"
    elif payment_link_follows:
        then = "En el próximo mensaje te mandamos el link de Mercado Pago para pagarla."
    else:
        then = "En un ratito te mandamos los datos para pagarla."
    listed = "\n" + "\n".join(details) + "\n" if details else " "
    return (
        f"¡Listo, {first_name}! 🙌 Te reservamos {cabin} {stay_dates(check_in, check_out, today)}. "
        f"Código: {code_display}. Total: {ars(total)}. "
        f"La seña es de {ars(deposit)} y te la guardamos hasta {until}.{listed}"
        f"{terms or CONV_NO_CANCELLATION_TERMS}\n{then}"
    )


CONV_NO_CANCELLATION_TERMS = (
    "Esta cabaña no tiene una política de cancelación cargada: si tenés que cancelar, "
    "escribinos y lo vemos."
)


def conv_just_taken(cabin: str) -> str:
    return f"Uy, perdón: {cabin} se acaba de ocupar para esas fechas 😕"


def conv_too_many_holds(count: int, first_lapses: str) -> str:
    return (
        f"Ya tenés {count} pre-reservas esperando la seña 🙌 Para hacer otra, pagá alguna o "
        f"esperá a que venza la primera ({first_lapses})."
    )


def conv_long_stay(max_nights: int) -> str:
    return (
        f"Las estadías de más de {max_nights} noches las coordinamos directamente 🙌 Le avisamos "
        "a una persona del equipo y te escribe por acá a la brevedad."
    )


def conv_long_stay_offer(max_nights: int) -> str:
    """A stay longer than the assistant holds, said before any quote (as /reservar does)."""
    return (
        f"Por acá reservamos estadías de hasta {max_nights} noches 🙌 Las más largas las "
        'coordinamos con una persona del equipo: tocá "Hablar con alguien" y te escribe por '
        "acá. Si preferís, mandanos fechas más cortas."
    )


def admin_long_stay(
    cabin: str | None,
    check_in: date,
    check_out: date,
    nights: int,
    today: date,
    *,
    phone: str,
    guests: int | None = None,
) -> str:
    """``cabin`` None: asked before choosing one. ``phone``: digits, for the wa.me link."""
    where = f" en {cabin}" if cabin else ""
    party = f", {guests} personas" if guests and guests > 1 else ", 1 persona" if guests else ""
    return (
        f"📅 Por WhatsApp piden {nights} noches{where} "
        f"({stay_dates(check_in, check_out, today)}{party}): es más largo de lo que el "
        f"asistente reserva solo; escribile (https://wa.me/{phone}) y, si corresponde, cargá la "
        "reserva vos."
    )


CONV_HOLD_FAILED = (
    "Uy, no pudimos hacer la pre-reserva 😕 Le avisamos a una persona del equipo y te escribe "
    "por acá a la brevedad."
)
CONV_HANDOVER = "¡Dale! Le avisamos a una persona del equipo y te escribe por acá a la brevedad 🙌"
CONV_HANDOVER_WAITING = "Ya le avisamos a una persona del equipo, te responde a la brevedad 🙌"
CONV_HANDOVER_MISUNDERSTOOD = (
    "Nos está costando entenderte 🙈 Le avisamos a una persona del equipo y te escribe por acá "
    "a la brevedad."
)

CONV_NO_RESERVATION = (
    "No encontramos reservas hechas desde este número 🤔 Si tenés el código, mandánoslo "
    "(por ejemplo: ABCD-EFGH-JKMN)."
)


def conv_unknown_code(code_display: str) -> str:
    return f"No encontramos ninguna reserva con el código {code_display} 🤔 ¿Nos lo revisás?"


def _stay(cabin: str, check_in: date, check_out: date, today: date) -> str:
    return f"en {cabin} {stay_dates(check_in, check_out, today)}"


def conv_status_hold(
    code_display: str,
    cabin: str,
    check_in: date,
    check_out: date,
    deposit: Money,
    until: str,
    payment_url: str | None,
    *,
    today: date,
) -> str:
    pay = f" Podés pagarla acá: {payment_url}" if payment_url else ""
    return (
        f"Tu pre-reserva {code_display} {_stay(cabin, check_in, check_out, today)} está "
        f"esperando la seña de {ars(deposit)} hasta {until}.{pay}"
    )


def conv_status_confirmed(
    code_display: str, cabin: str, check_in: date, check_out: date, *, today: date
) -> str:
    return (
        f"Tu reserva {code_display} {_stay(cabin, check_in, check_out, today)} está confirmada ✅ "
        "¡Te esperamos!"
    )


def conv_status_list(lines: list[str], total: int) -> str:
    """ "mi reserva" with several live bookings: ``lines`` (``conv_status_line``), the most
    imminent first, of ``total``; the rest are for a person to tell."""
    shown = len(lines)
    head = (
        f"Tenés {total} reservas desde este número. Las {shown} más próximas:"
        if total > shown
        else f"Tenés {total} reservas desde este número:"
    )
    listed = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    more = total - shown
    if more <= 0:
        return f"{head}\n{listed}"
    them = "verla" if more == 1 else "verlas"
    who = "te la pasa" if more == 1 else "te las pasa"
    return (
        f"{head}\n{listed}\nY {more} más: para {them}, escribinos «hablar con una persona» y "
        f"{who} alguien del equipo."
    )


def conv_status_line(
    code_display: str,
    cabin: str,
    check_in: date,
    check_out: date,
    *,
    hold: tuple[Money, str | None, str | None] | None,
    today: date,
) -> str:
    """One booking of ``conv_status_list``, saying what ``conv_status_hold`` or
    ``conv_status_confirmed`` would: ``hold`` (deposit, until when, payment link) for a hold
    waiting for its deposit, None for a confirmed booking."""
    about = f"{code_display} {_stay(cabin, check_in, check_out, today)}"
    if hold is None:
        return f"{about}: confirmada ✅"
    deposit, until, payment_url = hold
    pay = f" Podés pagarla acá: {payment_url}" if payment_url else ""
    by = f" hasta {until}" if until else ""
    return f"{about}: pre-reserva esperando la seña de {ars(deposit)}{by}.{pay}"


def conv_status_expired(code_display: str) -> str:
    return (
        f"La pre-reserva {code_display} venció porque no llegó la seña a tiempo. Si querés, "
        "escribinos las fechas y armamos otra."
    )


def conv_status_cancelled(code_display: str) -> str:
    return f"La reserva {code_display} está cancelada."


def conv_confirm_cancel(
    code_display: str, cabin: str, check_in: date, check_out: date, *, today: date
) -> str:
    return (
        f"¿Cancelamos la pre-reserva {code_display} {_stay(cabin, check_in, check_out, today)}? "
        "Las noches quedan libres para otra persona."
    )


CONV_CANCEL_YES_OR_NO = "¿La cancelamos? Respondé sí o no."


def conv_confirm_cancel_booking(
    code_display: str, cabin: str, check_in: date, check_out: date, outcome: str, *, today: date
) -> str:
    """A confirmed booking: what cancelling it would return (``outcome``), then the question;
    a yes goes to a person (the assistant never cancels a paid booking itself)."""
    return (
        f"Tu reserva {code_display} {_stay(cabin, check_in, check_out, today)} está confirmada. "
        f"{outcome} ¿Querés que la cancelemos?"
    )


def conv_cancel_outcome(
    paid: Money, refund: Money, credit: Money, credit_valid_days: int | None
) -> str:
    """What the cabin's policy returns of what was paid, cancelling today."""
    if credit.cents:
        valid = f", válido por {credit_valid_days} días" if credit_valid_days else ""
        return (
            f"Si la cancelás hoy, te quedan {ars(credit)} de los {ars(paid)} que pagaste como "
            f"crédito para otra fecha{valid}."
        )
    if refund.cents and refund == paid:
        return f"Si la cancelás hoy, te devolvemos todo lo que pagaste ({ars(paid)})."
    if refund.cents:
        return f"Si la cancelás hoy, te devolvemos {ars(refund)} de los {ars(paid)} que pagaste."
    return f"Si la cancelás hoy, no hay devolución de los {ars(paid)} que pagaste."


def conv_cancel_outcome_without_policy(paid: Money) -> str:
    return (
        "Esta cabaña no tiene una política de cancelación cargada: qué se devuelve de los "
        f"{ars(paid)} que pagaste lo ve una persona del equipo."
    )


CONV_CANCEL_NOTHING_PAID = "No tenemos pagos registrados, así que no hay nada que devolver."
CONV_CANCEL_PAYMENTS_UNKNOWN = (
    "Lo que pagaste no quedó registrado en el sistema: qué se te devuelve lo ve una persona del "
    "equipo."
)


def conv_which_to_cancel(lines: list[str], *, buttons: bool) -> str:
    """Two or more live bookings from this phone: which one (``lines``: one per booking)."""
    listed = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    how = (
        "Tocá su código o respondé con su número."
        if buttons
        else "Respondé con su número o su código (por ejemplo: la 2, o ABCD-EFGH-JKMN)."
    )
    return f"Tenés {len(lines)} reservas desde este número:\n{listed}\n¿Cuál querés cancelar? {how}"


def _numbers(count: int) -> str:
    """1 → "1"; 3 → "1, 2 o 3"; more than 4 → "un número del 1 al 7"."""
    if count > 4:
        return f"un número del 1 al {count}"
    if count == 1:
        return "1"
    return f"{', '.join(str(n) for n in range(1, count))} o {count}"


def conv_pick_to_cancel(count: int) -> str:
    """The question "which to cancel" asked again, naming the valid answers."""
    return (
        f"¿Cuál querés cancelar? Respondé {_numbers(count)}, o su código "
        "(por ejemplo: ABCD-EFGH-JKMN)."
    )


def conv_no_such_booking_to_cancel(number: int, count: int) -> str:
    return f"No hay una reserva {number} en la lista 🤔 {conv_pick_to_cancel(count)}"


def conv_cancel_which_in_cabin(cabin: str, count: int, *, several: bool) -> str:
    said = (
        f"Tenés más de una reserva en {cabin} 🤔"
        if several
        else f"Ninguna de esas reservas es en {cabin} 🤔"
    )
    return f"{said} {conv_pick_to_cancel(count)}"


CONV_CANCEL_NONE = "¡Perfecto! No cancelamos nada 👍"


def conv_cancel_option(
    code_display: str, cabin: str, check_in: date, check_out: date, *, confirmed: bool, today: date
) -> str:
    kind = "reserva confirmada" if confirmed else "pre-reserva sin pagar"
    return f"{code_display}: {kind} {_stay(cabin, check_in, check_out, today)}"


CONV_CHOICE_DROPPED = (
    "Listo, dejamos esa búsqueda: no reservamos nada 👍 Cuando quieras, escribinos otras fechas."
)
CONV_CHOICE_DROPPED_HAS_BOOKINGS = (
    " Si querías cancelar una reserva que ya hiciste, escribinos «cancelar» de nuevo."
)


def conv_cancelled(code_display: str) -> str:
    return f"Listo, cancelamos la pre-reserva {code_display}. ¡Cuando quieras, escribinos!"


def conv_kept(code_display: str) -> str:
    return f"¡Perfecto! La pre-reserva {code_display} sigue en pie."


def conv_cancel_confirmed_booking(code_display: str) -> str:
    return (
        f"Listo 🙌 Le pasamos tu pedido de cancelar la reserva {code_display} a una persona del "
        "equipo: la cancela y te escribe por acá a la brevedad, con lo que se devuelve si "
        "corresponde."
    )


def conv_not_cancellable(code_display: str) -> str:
    return f"La reserva {code_display} ya no está activa, no hace falta cancelarla."


CONV_CANCEL_OTHER_PHONE = (
    "Esa reserva se hizo desde otro número: para cancelarla, escribinos desde ese número o "
    'tocá "Hablar con alguien".'
)


def admin_guest_wants_person(phone: str) -> str:
    return (
        "🙋 Un huésped pide hablar con una persona por WhatsApp: "
        f"https://wa.me/{phone}. El asistente deja de responderle por un rato."
    )


def admin_guest_misunderstood(phone: str) -> str:
    return (
        "🤔 El asistente de WhatsApp no logra entender a un huésped: "
        f"https://wa.me/{phone}. Deja de responderle por un rato; escribile vos."
    )


def admin_cancel_request(code_display: str, outcome: str) -> str:
    """A guest said yes to cancelling a confirmed booking; ``outcome``: what the cabin's policy
    returns of what they paid, cancelling today (``admin_cancel_outcome`` and the lines after
    it) — the same figures the guest was shown. One line: it goes as a template parameter."""
    return (
        f"❗ El huésped de la reserva confirmada {code_display} pide cancelarla por WhatsApp. "
        f"{outcome}"
    )


def _notice_today(days_before: int) -> str:
    if days_before > 1:
        return f"faltan {days_before} días para la llegada"
    if days_before == 1:
        return "falta 1 día para la llegada"
    return "llega hoy" if days_before == 0 else "la estadía ya empezó"


def admin_cancel_outcome(
    paid: Money, refund: Money, credit: Money, credit_valid_days: int | None, days_before: int
) -> str:
    """``conv_cancel_outcome`` for the owner: what the policy returns, cancelling today."""
    today = f"Cancelándola hoy ({_notice_today(days_before)}), la política de la cabaña"
    if credit.cents:
        valid = f"válido por {credit_valid_days} días" if credit_valid_days else "sin vencimiento"
        return f"{today} le deja un crédito de {ars(credit)} de los {ars(paid)} pagados, {valid}."
    if refund.cents and refund == paid:
        return f"{today} le devuelve todo lo pagado ({ars(paid)})."
    if refund.cents:
        return f"{today} le devuelve {ars(refund)} de los {ars(paid)} pagados."
    return f"{today} no le devuelve nada de los {ars(paid)} pagados."


def admin_cancel_outcome_without_policy(paid: Money) -> str:
    return (
        f"La cabaña no tiene política de cancelación cargada: pagó {ars(paid)} y qué se le "
        "devuelve lo decidís vos."
    )


ADMIN_CANCEL_NOTHING_PAID = "No tiene pagos registrados: no hay nada que devolver."
ADMIN_CANCEL_PAYMENTS_UNKNOWN = (
    "Se confirmó sin registrar lo que pagó: revisá cuánto fue antes de devolverle algo."
)


def admin_hold_needs_payment_details(code_display: str) -> str:
    return (
        f"💬 Nueva pre-reserva {code_display} por WhatsApp: mandale al huésped los datos para "
        "pagar la seña (los pagos online no están configurados)."
    )


def admin_hold_failed(code_display: str | None) -> str:
    about = f" {code_display}" if code_display else ""
    return f"⚠️ El asistente de WhatsApp no pudo hacer una pre-reserva{about}; revisá los logs."


def admin_payment_unverified(payment_id: str, attempts: int) -> str:
    return (
        f"⚠️ No pudimos consultar el pago {payment_id} de Mercado Pago después de {attempts} "
        "intentos: revisalo en el panel de Mercado Pago y confirmá la reserva a mano si "
        "corresponde."
    )


CHANNEL_NAMES = {"airbnb": "Airbnb", "booking": "Booking.com", "google": "Google Calendar"}


def channel_name(source: str) -> str:
    return CHANNEL_NAMES.get(source, "otro canal")


def admin_calendar_conflict(
    source: str, cabin: str, check_in: date, check_out: date, other: str, *, today: date
) -> str:
    """``other``: what already had the nights ("la reserva ABCD-EFGH-JKMN", "un bloqueo")."""
    return (
        f"⚠️ Choque de calendarios: {channel_name(source)} tiene una reserva en {cabin} "
        f"{stay_dates(check_in, check_out, today)} que se superpone con {other}."
    )


def admin_calendar_release_held(source: str, cabin: str, nights: int, hours: float) -> str:
    return (
        f"⚠️ El calendario de {channel_name(source)} de {cabin} dejó de mostrar "
        f"{nights} noche(s) ocupada(s) de golpe. No las liberamos todavía: puede ser una falla "
        "pasajera del canal. Si las reservas se cancelaron de verdad, confirmalo en Canales "
        f"(o esperá: se liberan solas si el canal sigue mostrando lo mismo durante {hours:g} h)."
    )


def admin_template_rejected(template: str, code: str) -> str:
    return (
        f"⚠️ WhatsApp rechazó la plantilla {template} (error {code}): los mensajes que la usan "
        "no llegan a quienes no nos escribieron en las últimas 24 horas. Revisala en WhatsApp "
        "Manager."
    )


# --- E-mail (plain text; the HTML part is made from it) -------------------------------------

EMAIL_ALERT_SUBJECT = "Aviso del sistema de reservas"


def email_footer(owner_phone: str) -> str:
    digits = "".join(ch for ch in owner_phone if ch.isdigit())
    return (
        f"¿Alguna consulta? Escribinos por WhatsApp: https://wa.me/{digits}\n"
        "Este correo lo envía automáticamente el sistema de reservas."
    )


def email_booking_confirmed(
    first_name: str, code_display: str, cabin: str, check_in: date, check_out: date, paid: Money
) -> tuple[str, str]:
    hello = f"¡Hola, {first_name}!" if first_name else "¡Hola!"
    return (
        f"Reserva {code_display} confirmada",
        f"{hello}\n\n"
        f"Tu reserva en {cabin} está confirmada. Recibimos la seña de {ars(paid)}.\n\n"
        f"Código de reserva: {code_display}\n"
        f"Llegada: {check_in.day:02d}/{check_in.month:02d}/{check_in.year}\n"
        f"Salida: {check_out.day:02d}/{check_out.month:02d}/{check_out.year}\n\n"
        "¡Te esperamos!",
    )


def email_deposit_link(
    first_name: str, code_display: str, deposit: str, url: str, until: str
) -> tuple[str, str]:
    hello = f"¡Hola, {first_name}!" if first_name else "¡Hola!"
    return (
        f"Pagá la seña de la reserva {code_display}",
        f"{hello}\n\n"
        f"Para confirmar la reserva {code_display}, pagá la seña de {deposit} con Mercado "
        f"Pago en este link:\n{url}\n\n"
        f"Te guardamos las fechas hasta {until}; después quedan libres para otra persona.",
    )


UNDELIVERABLE_TOPICS = {
    "reply": "una respuesta del asistente de WhatsApp",
    "booking_confirmed": "la confirmación de la reserva",
    "deposit_link": "el link de pago de la seña",
    "balance_reminder": "el recordatorio del saldo",
    "pre_arrival": "la información de llegada",
    "check_out_reminder": "el recordatorio de salida",
    "thank_you": "el agradecimiento con el pedido de reseña",
}


def admin_undeliverable(topic: str, code_display: str | None) -> str:
    what = UNDELIVERABLE_TOPICS.get(topic, "un mensaje")
    about = f" de la reserva {code_display}" if code_display else ""
    return (
        f"⚠️ No pudimos hacerle llegar al huésped {what}{about} por ningún canal (WhatsApp ni "
        "e-mail). Contactalo vos."
    )
