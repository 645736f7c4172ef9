"""The declared templates as Meta's Business Management API takes them
(``POST /{WABA_ID}/message_templates``): what ``cabanas whatsapp templates`` prints."""

from __future__ import annotations

from typing import Any

from application.ports.whatsapp_templates import TEMPLATES, Template


def definition(template: Template) -> dict[str, Any]:
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": template.body,
                "example": {"body_text": [[p.example for p in template.params]]},
            }
        ],
    }


def definitions() -> list[dict[str, Any]]:
    return [definition(t) for t in TEMPLATES]


def manager_listing() -> str:
    """Each template as it is typed into WhatsApp Manager (docs/whatsapp-templates.md holds
    this text between its markers; a test keeps the two equal)."""
    parts = []
    for t in TEMPLATES:
        rows = "\n".join(
            f"| `{{{{{i}}}}}` | {p.name} | {p.example} |" for i, p in enumerate(t.params, 1)
        )
        parts.append(
            f"### `{t.name}`\n\n"
            f"- Category: **{t.category}** · Language: **{t.language}** (Spanish, Argentina) · "
            f"Used for: {t.topic.replace('_', ' ')}\n"
            f"- Body:\n\n```text\n{t.body}\n```\n\n"
            f"| Variable | What it is | Sample (submit it with the template) |\n"
            f"|---|---|---|\n{rows}\n\n"
            f"As the recipient reads it: _{t.example}_\n"
        )
    return "\n".join(parts)
