"""What the console says when a use case refuses, in Argentine Spanish, by the error's stable
``code`` (the use cases' own messages are English, for the JSON API and the logs)."""

from __future__ import annotations

from domain.errors import DomainError

SPANISH: dict[str, str] = {
    "invalid_email": "Escribí un email válido, por ejemplo ana@ejemplo.com.",
    # pragma: allowlist nextline secret
    "weak_password": "La contraseña necesita al menos 12 caracteres y no puede ser el email.",
    "wrong_password": "La contraseña actual no es correcta.",  # pragma: allowlist secret
    "invitation_invalid": (
        "Este enlace de invitación no existe, ya se usó o venció. Pedí uno nuevo."
    ),
    "owner_not_allowed": (
        "Ese email no está en ADMIN_ALLOWED_EMAILS: no puede ser dueña o dueño. "
        "Invitalo como equipo o agregalo a esa lista."
    ),
    "user_exists": "Ya hay una persona con ese email.",
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
    "check_in_in_past": "El bloqueo tiene que terminar después de hoy.",
    "invalid_stay": "La salida tiene que ser al menos un día después de la entrada.",
    "invalid_value": "Revisá los datos: alguno no es válido.",
    "accommodation_not_found": "Esa cabaña no existe.",
    "reservation_not_found": "No encontramos esa reserva.",
    "illegal_transition": "La reserva ya no está en ese estado. Recargá la página.",
    "concurrent_update": "Alguien cambió la reserva recién. Recargá la página y probá de nuevo.",
}


def spanish(err: DomainError) -> str:
    return SPANISH.get(err.code, "No se pudo hacer. Revisá los datos y probá de nuevo.")
