import pytest

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


@pytest.mark.parametrize(
    "claimed",
    [
        b"not-an-ip",
        b"1.2.3.4; DROP",
        b"999.1.1.1",
        b"",
        b"1.2.3.4 5.6.7.8",
        b"\xff\xfe",
        b"a" * 300,
    ],
)
def test_a_trusted_header_that_is_not_an_ip_address_falls_back_to_the_peer(claimed: bytes) -> None:
    assert client_ip(scope((b"fly-client-ip", claimed)), "Fly-Client-IP") == "10.0.0.7"  # type: ignore[arg-type]
    forwarded = scope((b"x-forwarded-for", b"1.2.3.4, " + claimed))
    assert client_ip(forwarded, "Fly-Client-IP") == "10.0.0.7"  # type: ignore[arg-type]


def test_an_address_from_a_trusted_header_is_taken_in_its_canonical_spelling() -> None:
    s = scope((b"fly-client-ip", b" 2001:DB8:0::1 "))
    assert client_ip(s, "Fly-Client-IP") == "2001:db8::1"  # type: ignore[arg-type]


def test_the_address_is_worked_out_once_per_request_and_per_header_asked_for() -> None:
    s = scope((b"fly-client-ip", b"5.6.7.8"))
    assert client_ip(s, "Fly-Client-IP") == "5.6.7.8"  # type: ignore[arg-type]
    s["headers"] = [(b"fly-client-ip", b"9.9.9.9")]  # not read again for this request
    assert client_ip(s, "Fly-Client-IP") == "5.6.7.8"  # type: ignore[arg-type]
    assert client_ip(s, None) == "10.0.0.7"  # type: ignore[arg-type]
