import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from entrypoints.http.hardening import client_ip, client_key


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


def _reference_ip(text: str) -> str | None:
    """The definition: an address is taken in ``ipaddress``'s canonical spelling, or not at all."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _reference_client_key(address: str) -> str:
    import hashlib
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        subject = address
    else:
        subject = (
            str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
        )
    return hashlib.sha256(b"cabanas:client:" + subject.encode()).hexdigest()[:32]


_octet = st.one_of(
    st.integers(0, 999).map(str),
    st.integers(0, 255).map(lambda n: f"0{n}"),
    st.sampled_from(["", "-1", "+1", " 1", "1 ", "٣", "0x1", "1\n"]),
)
_dotted = st.lists(_octet, min_size=1, max_size=6).map(".".join)
_texts = st.one_of(
    _dotted,
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda ip: str(ip).upper()),
    st.text(alphabet="0123456789.:abcdefABCDEF \n%", max_size=45),
    st.text(max_size=20),
)


@given(_texts)
@example("198.51.100.7")
@example("1.2.3.4x")
@example("01.2.3.4")
@example("256.1.1.1")
@example(" 2001:DB8:0::1 ")
def test_an_address_is_taken_exactly_when_ipaddress_takes_it_and_spelled_as_it_does(
    text: str,
) -> None:
    claimed = scope((b"fly-client-ip", text.encode("latin-1", "replace")))
    expected = _reference_ip(text.encode("latin-1", "replace").decode("latin-1").strip())
    assert client_ip(claimed, "Fly-Client-IP") == (expected or "10.0.0.7")  # type: ignore[arg-type]


@given(_texts)
@example("198.51.100.7")
@example("01.2.3.4")
@example("2001:db8::1")
@example("::ffff:1.2.3.4")
@example("unknown")
def test_the_client_key_is_the_canonical_address_or_ipv6_prefix_hashed(text: str) -> None:
    assert client_key(text) == _reference_client_key(text)
