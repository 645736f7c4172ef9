"""A plain-text message as the two parts of a multipart/alternative e-mail: the text itself
and an HTML rendering of it (escaped; addresses become links; blank lines, paragraphs)."""

from __future__ import annotations

import html
import re

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")

_PAGE = """<!DOCTYPE html>
<html lang="es-AR">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="margin:0;padding:24px;background:#f6f4ef;font-family:Arial,Helvetica,sans-serif;\
color:#222;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
{body}
</div>
</body>
</html>
"""


def _inline(line: str) -> str:
    out, last = [], 0
    for match in _URL.finditer(line):
        out.append(html.escape(line[last : match.start()]))
        url = html.escape(match.group(0))
        out.append(f'<a href="{url}" style="color:#1a5e9a">{url}</a>')
        last = match.end()
    out.append(html.escape(line[last:]))
    return "".join(out)


def html_part(subject: str, text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(_inline(line) for line in p.splitlines()) + "</p>" for p in paragraphs
    )
    return _PAGE.format(title=html.escape(subject), body=body)
