"""A cabin's texts for its guests as a form: the directions and times of the pre-arrival
message, the keys, the check-out reminder and the thank-you with its review link (read and
saved by ``cabins.py`` with ``GetCabinTexts`` / ``UpdateCabinTexts``, the use cases behind
GET/PUT /api/v1/admin/accommodations/{id}/messages)."""

from __future__ import annotations

from domain.errors import DomainError
from domain.messaging.cabin_texts import (
    DEFAULT_TEXTS,
    MAX_ADDRESS,
    MAX_NOTE,
    MAX_URL,
    CabinTexts,
    clock_time,
)
from entrypoints.http.console.forms import Form

# The form's field → CabinTexts' field, and what to say when that field is refused.
FIELDS = {
    "direccion": ("address", f"La dirección tiene hasta {MAX_ADDRESS} caracteres."),
    "mapa": ("map_url", "Pegá el link del mapa, empezando con https://."),
    "hora_entrada": ("check_in_time", "La hora como 14:00 (24 horas)."),
    "hora_salida": ("check_out_time", "La hora como 10:00 (24 horas)."),
    "llaves": ("keys", f"Contá cómo reciben las llaves (hasta {MAX_NOTE} caracteres)."),
    "nota_salida": ("check_out_note", f"Escribí qué hacer al irse (hasta {MAX_NOTE} caracteres)."),
    "gracias": ("thank_you_note", f"Escribí el agradecimiento (hasta {MAX_NOTE} caracteres)."),
    "resena": ("review_url", "Pegá el link para dejar una reseña, empezando con https://."),
}
BY_DOMAIN = {domain: form for form, (domain, _) in FIELDS.items()}


def text_values(texts: CabinTexts) -> dict[str, str]:
    return {
        "direccion": texts.address,
        "mapa": texts.map_url,
        "hora_entrada": f"{texts.check_in_time:%H:%M}",
        "hora_salida": f"{texts.check_out_time:%H:%M}",
        "llaves": texts.keys,
        "nota_salida": texts.check_out_note,
        "gracias": texts.thank_you_note,
        "resena": texts.review_url,
    }


def read_texts(form: Form) -> CabinTexts:
    """The typed texts as ``CabinTexts`` (which checks them); a refusal names its field."""
    limit = max(MAX_ADDRESS, MAX_NOTE, MAX_URL) + 1  # longer is refused, not cut
    return CabinTexts(
        address=form.text("direccion", limit),
        map_url=form.text("mapa", limit),
        check_in_time=clock_time(form.text("hora_entrada", 10), "check_in_time"),
        check_out_time=clock_time(form.text("hora_salida", 10), "check_out_time"),
        keys=form.text("llaves", limit),
        check_out_note=form.text("nota_salida", limit),
        thank_you_note=form.text("gracias", limit),
        review_url=form.text("resena", limit),
    )


def every_problem(form: Form) -> dict[str, str]:
    """Each typed text the cabin's texts refuse, read one at a time beside the defaults:
    ``CabinTexts`` stops at its first, and the owner should fix them all in one go."""
    defaults = text_values(DEFAULT_TEXTS)
    found = {}
    for name, (_, message) in FIELDS.items():
        try:
            read_texts(Form({**defaults, name: form.values.get(name, "")}))
        except DomainError:
            found[name] = message
    return found
