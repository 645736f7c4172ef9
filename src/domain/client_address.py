"""Whom a request counts against: one IPv4 address, or one IPv6 /64.

An IPv6 subscriber is given a whole /64 and any host in it may take a new address for every
request (privacy addresses, or on purpose), so counting by the full IPv6 address would let one
client through every per-address limit. The hold limit, the rate limit, the sign-in throttle
and the forged-webhook limit all count by this group.
"""

from __future__ import annotations

import ipaddress


def address_group(address: str) -> str:
    """The IPv4 address as it is, or the /64 network of an IPv6 address (``2001:db8:1:2::/64``);
    text that is not an IPv6 address is returned unchanged."""
    if ":" not in address:
        # Not IPv6 (an IPv4 address is already canonical where it comes from: the client
        # address is worked out to the spelling ``ipaddress`` gives it, or is the socket peer).
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
