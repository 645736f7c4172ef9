"""Whom a request counts against: the IPv4 address, or the IPv6 /64."""

from __future__ import annotations

import ipaddress

from hypothesis import example, given
from hypothesis import strategies as st

from domain.client_address import address_group


def test_an_ipv4_address_is_its_own_group() -> None:
    assert address_group("198.51.100.7") == "198.51.100.7"
    assert address_group("198.51.100.7") != address_group("198.51.100.8")


def test_every_address_of_an_ipv6_64_is_one_group() -> None:
    group = address_group("2001:db8:1:2::1")
    assert group == "2001:db8:1:2::/64"
    assert address_group("2001:DB8:1:2:ffff:ffff:ffff:ffff") == group
    assert address_group("2001:db8:1:3::1") != group


def test_text_that_is_no_address_is_left_as_it_is() -> None:
    assert address_group("unknown") == "unknown"
    assert address_group("not:an:address") == "not:an:address"


@given(st.ip_addresses(v=6), st.integers(0, 2**64 - 1))
@example(ipaddress.IPv6Address("::ffff:203.0.113.7"), 1)
def test_two_addresses_share_a_group_exactly_when_they_share_their_first_64_bits(
    address: ipaddress.IPv6Address, host: int
) -> None:
    neighbour = ipaddress.IPv6Address((int(address) >> 64 << 64) | host)
    assert address_group(str(address)) == address_group(str(neighbour))
    stranger = ipaddress.IPv6Address(int(address) ^ (1 << 64))
    assert address_group(str(address)) != address_group(str(stranger))
