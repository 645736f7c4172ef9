"""Keyword cues for each intent, written against ``normalize``d text (no accents, lowercase).

Each cue is a phrase a guest would actually type; the order in which cues win is decided in
``interpret``, not here.
"""

from __future__ import annotations

import re

from domain.conversation.intents import Intent
from domain.conversation.lexicon import word_set


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"\b(?:{pattern})\b" for pattern in patterns))


_HUMAN = _any(
    r"hablar con",
    r"pasa(?:me|nos|s)? con",
    r"comunic(?:o|a|ar|arme|arnos|ame|anos) con",
    r"persona (?:real|de verdad|humana)",
    r"humano|operador(?:a)?|asesor(?:a)?|agente|bot|robot|contestador",
    r"(?:el|la) (?:dueno|duena|encargad[oa])",
    r"me (?:pueden|podes|puede|podrian|podrias) llamar|llam(?:enme|ame|eme)|que me llame",
    r"para llamar|por telefono|(?:telefono|celular) de contacto",
    r"atencion (?:humana|personalizada|al cliente)",
    r"alguien (?:real|de verdad)|me atiend[ae] alguien|hay alguien",
    r"no (?:me )?entend(?:es|en|iste|ieron)",
)
_CANCEL = _any(
    r"cancel(?:ar|o|a|en|amos|ala|alo|arla|arlo|acion)",
    r"anul(?:ar|o|a|en|ala|alo|arla|arlo)",
    r"dar(?:la|lo)? de baja|da(?:la|lo) de baja",
    r"no (?:vamos|voy) a (?:poder )?ir|no (?:podemos|puedo) ir|ya no vamos",
)
# Asking about the rules is not cancelling: that is help.
_CANCEL_POLICY = _any(
    r"si cancel\w*",
    r"en caso de cancel\w*",
    r"politica",
    r"que pasa si",
    r"se puede cancelar",
    r"cancelacion gratuita",
)
_STATUS = _any(
    r"(?:mi|nuestra) reserva",
    r"(?:tengo|tenemos) (?:una |la )?reserva",
    r"(?:hice|hicimos|habia hecho) (?:una |la )?reserva",
    r"ya reserv(?:e|amos)|reserv(?:e|amos) (?:ayer|hace|la semana pasada)",
    r"pague|pagamos|transferi|transferimos|sene|senamos|deposite|depositamos|abone",
    r"(?:estado|status) de (?:mi |la )?reserva",
    r"la reserva (?:esta|quedo|sigue)",
    r"codigo de reserva|mi codigo",
    r"esta confirmad[ao]|confirmacion|comprobante",
)
_BOOK = _any(
    r"reserv(?:ar|amos|ame|anos|arla|arlo|ala|alo|en|emos|o)",
    r"(?:hacer|quiero|queria|quisiera|necesito|necesitamos) (?:una|la) reserva",
    r"(?:una )?reserva para|^reserva",
    r"alquil(?:ar|amos|arla|arlo|arles|ame)",
    r"(?:quiero|queremos|quisiera|como hago para|puedo) senar",
    r"me (?:la|lo) quedo|la quiero|lo quiero",
)
_WANT = _any(
    r"quiero|queremos|queria|queriamos|quisiera|quisieramos|necesito|necesitamos",
    r"(?:me|nos) gustaria",
)
_AVAILABILITY = _any(
    r"(?:hay|habra|habria|tienen|tenes|queda|quedan|tendrian|tendras) "
    r"(?:lugar|lugares|disponibilidad|algo|alguna|alguno|cabanas?|vacantes?|libres?|para)",
    r"disponib\w*|libres?|ocupad[ao]s?",
    r"precios?|tarifas?|valor(?:es)?|cotiza\w*|presupuesto|costo",
    r"cuanto (?:me |nos )?(?:sale|salen|cuesta|cuestan|esta|estan|seria|saldria|costaria)",
    r"cuanto (?:cobran|cobras)",
    r"cuanto es (?:la noche|por noche|la estadia|por)",
    r"consult(?:ar|o|aba|abamos)|consulta (?:por|para|sobre)",
    r"saber si|entramos",
)
_HELP = _any(
    r"ayuda|help|info|informacion|como funciona|menu|opciones|que (?:puedo|se puede) hacer",
    r"una consulta|una pregunta|duda|dudas",
    r"wifi|internet|mascotas?|perros?|gatos?|pileta|parrilla|desayuno|cochera|estacionamiento",
    r"ropa de cama|sabanas|toallas|calefaccion|aire acondicionado|fotos?|capacidad|servicios",
    r"donde (?:queda|quedan|estan|esta|se encuentran)|como (?:llego|se llega|llegamos)",
    r"ubicacion|direccion|check ?(?:in|out)|horarios?|a que hora",
    r"(?:formas?|medios?) de pago|como (?:se )?pag\w*|tarjeta|transferencia|mercado ?pago",
    r"sena|senar|politica|cancelacion|si cancel\w*|que incluye|incluye",
)
_STRONG_CHOICE = _any(r"me quedo con|elijo|prefiero(?! no)|opcion|me gusta mas")

_YES = word_set(
    "si dale ok confirmo confirmado confirmamos perfecto genial listo joya barbaro buenisimo "
    "claro obvio correcto exacto va vamos bueno adelante hagamoslo hacelo reservala reservalo "
    "afirmativo sisi yes"
)
_YES_PHRASES = _any(r"de una|me sirve|nos sirve|esta bien|de acuerdo|confirmo|dale")
_NO_FIRST = word_set("no nop nope nah negativo ninguna ninguno paso")
_EMPHATIC_NO = _any(r"(?:claro|obvio|seguro) que no")
_NO_PHRASES = _any(
    r"mejor no|para nada|por ahora no|todavia no|prefiero no",
    r"no gracias|no me sirve|no nos sirve|no quiero|deja(?:lo|la|mos|moslo)?|olvidate",
    r"lo (?:pienso|pensamos)|lo (?:voy|vamos) a pensar|despues (?:veo|vemos|te aviso)",
    r"cancel(?:a|alo|ala)",
    r"(?:te|les) (?:confirmo|aviso)",  # "mañana te confirmo": not now, so not a yes
)
_COURTESY = word_set(
    "gracias muchas mil por favor porfa genial bueno ok te les agradezco igualmente"
)
_GREETING_WORDS = word_set(
    "hola holis buenas buenos buen dia dias tardes noches que tal como va andas andan "
    "estas estan esta todo bien hey ey saludos gracias muchas mil chau chao adios hasta "
    "luego pronto nos vemos abrazo besos beso bueno cordiales te les agradezco amable muy "
    "igualmente vos ustedes y tambien feliz navidad ano nuevo felices fiestas"
)


def wants_human(text: str) -> bool:
    return bool(_HUMAN.search(text))


def wants_cancel(text: str) -> bool:
    return bool(_CANCEL.search(text)) and not _CANCEL_POLICY.search(text)


def asks_status(text: str) -> bool:
    return bool(_STATUS.search(text))


def wants_to_book(text: str, *, has_dates: bool) -> bool:
    if _BOOK.search(text):
        return True
    return has_dates and bool(_WANT.search(text)) and not _AVAILABILITY.search(text)


def asks_availability(text: str) -> bool:
    return bool(_AVAILABILITY.search(text))


def wants_help(text: str) -> bool:
    return bool(_HELP.search(text))


def picks_explicitly(text: str) -> bool:
    return bool(_STRONG_CHOICE.search(text))


def confirmation(words: list[str]) -> Intent | None:
    """Yes or no to what the bot just proposed; ``None`` if the message is neither.

    A leading "no" wins; a leading yes wins unless a no-phrase follows ("bueno, dejalo");
    "claro que no" is a no.
    """
    if not words:
        return None
    text = " ".join(words)
    declines = bool(_NO_PHRASES.search(text))
    if words[0] in _NO_FIRST or _EMPHATIC_NO.search(text):
        return Intent.CONFIRM_NO
    if (words[0] in _YES or _YES_PHRASES.match(text)) and not declines:
        return Intent.CONFIRM_YES
    if declines:
        return Intent.CONFIRM_NO
    return Intent.CONFIRM_YES if _YES_PHRASES.search(text) else None


def is_bare_confirmation(words: list[str]) -> bool:
    """Nothing but yes/no words and courtesy: an answer even when no question was pending."""
    vocabulary = _YES | _NO_FIRST | _COURTESY | {"de", "una", "mejor", "que"}
    return bool(words) and all(word in vocabulary for word in words)


def is_greeting_only(words: list[str]) -> bool:
    return bool(words) and all(word in _GREETING_WORDS for word in words)
