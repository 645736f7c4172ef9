from entrypoints.http.hardening import client_ip


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"client": ("10.0.0.7", 5555), "headers": list(headers)}


def test_the_peer_address_by_default_and_x_forwarded_for_is_ignored() -> None:
    s = scope((b"x-forwarded-for", b"1.2.3.4"), (b"fly-client-ip", b"5.6.7.8"))
    assert client_ip(s, None) == "10.0.0.7"  # type: ignore[arg-type]


def test_a_trusted_proxy_header_is_used() -> None:
    s = scope((b"x-forwarded-for", b"1.2.3.4"), (b"fly-client-ip", b"5.6.7.8"))
    assert client_ip(s, "Fly-Client-IP") == "5.6.7.8"  # type: ignore[arg-type]


def test_behind_a_trusted_proxy_only_the_last_forwarded_hop_counts() -> None:
    s = scope((b"x-forwarded-for", b"6.6.6.6, 1.2.3.4"))
    assert client_ip(s, "Fly-Client-IP") == "1.2.3.4"  # type: ignore[arg-type]
