"""SMTP_URL forms and the HTML part made from a plain-text e-mail."""

from __future__ import annotations

import pytest

from adapters.smtp.render import html_part
from adapters.smtp.url import parse_smtp_url


def test_the_three_url_forms_and_their_default_ports() -> None:
    starttls = parse_smtp_url("smtp+starttls://user%40x.com:p%3Ass@smtp.example.com:2525")
    assert (starttls.host, starttls.port, starttls.encrypted) == ("smtp.example.com", 2525, True)
    assert (starttls.username, starttls.password) == ("user@x.com", "p:ss")
    assert parse_smtp_url("smtps://u:p@smtp.example.com").port == 465
    assert parse_smtp_url("smtp+starttls://smtp.example.com").port == 587
    plain = parse_smtp_url("smtp://127.0.0.1")
    assert (plain.port, plain.encrypted, plain.username) == (25, False, None)


@pytest.mark.parametrize("url", ["http://smtp.example.com", "smtps://", "smtp://h:99999"])
def test_bad_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP_URL") as err:
        parse_smtp_url(url)
    assert url not in str(err.value)


def test_the_html_part_escapes_links_and_keeps_paragraphs() -> None:
    page = html_part(
        "Reserva <X>",
        "Hola <b>Juana</b> & cía.\n\nPagá acá:\nhttps://mp.example/p?a=1&b=2.\n",
    )
    assert "<title>Reserva &lt;X&gt;</title>" in page
    assert "Hola &lt;b&gt;Juana&lt;/b&gt; &amp; cía.</p>" in page
    assert '<a href="https://mp.example/p?a=1&amp;b=2" ' in page  # the final dot left out
    assert page.count("<p>") == 2
    assert '<html lang="es-AR">' in page
