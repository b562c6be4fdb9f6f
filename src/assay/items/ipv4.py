"""IPv4 addressing arithmetic for the subnetting generators, on the stdlib ``ipaddress`` module.

Worked example (seed 002 §13.5 ``NETWORK_SUBNET_CALC``): ``172.16.77.5/20`` is a class B
address (first octet 128-191, default prefix /16); mask ``255.255.240.0``; the prefix ends
inside the third octet (20 = 2·8 + 4), whose block size is 256 − 240 = 16, and 77 // 16 · 16 =
64, so the network is ``172.16.64.0``, the broadcast ``172.16.79.255`` and there are
2^(32−20) − 2 = 4094 usable hosts.

Classful addressing (RFC 791, superseded by CIDR, RFC 4632, but still the vocabulary of the
difficulty factors in seed §13.5): class A first octet 1-126 (127 is loopback), B 128-191,
C 192-223; default prefixes /8, /16, /24.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from typing import Literal

__all__ = [
    "DEFAULT_PREFIX",
    "FIRST_OCTETS",
    "AddressClass",
    "address_class",
    "broadcast_address",
    "mask_of",
    "network_address",
    "octets_after_boundary",
    "prefix_of",
    "shifted",
    "usable_hosts",
]

AddressClass = Literal["A", "B", "C"]

#: Class -> inclusive range of its first octet.
FIRST_OCTETS: dict[AddressClass, tuple[int, int]] = {
    "A": (1, 126),
    "B": (128, 191),
    "C": (192, 223),
}
#: Class -> its classful (default) prefix length.
DEFAULT_PREFIX: dict[AddressClass, int] = {"A": 8, "B": 16, "C": 24}


def address_class(ip: str) -> AddressClass:
    """The class of a unicast address by its first octet.

    Raises:
        ValueError: not a dotted quad, or a first octet outside classes A-C (0, 127, >= 224).

    Example:
        >>> address_class("172.16.77.5")
        'B'
    """
    first = int(IPv4Address(ip)) >> 24
    for name, (low, high) in FIRST_OCTETS.items():
        if low <= first <= high:
            return name
    raise ValueError(f"ip: {ip} is not a class A, B or C unicast address")


def _network(ip: str, prefix: int) -> IPv4Network:
    return IPv4Network(f"{ip}/{prefix}", strict=False)


def network_address(ip: str, prefix: int) -> str:
    """``ip AND mask``.

    Example:
        >>> network_address("172.16.77.5", 20)
        '172.16.64.0'
    """
    return str(_network(ip, prefix).network_address)


def broadcast_address(ip: str, prefix: int) -> str:
    """``ip OR NOT mask``.

    Example:
        >>> broadcast_address("172.16.77.5", 20)
        '172.16.79.255'
    """
    return str(_network(ip, prefix).broadcast_address)


def mask_of(prefix: int) -> str:
    """The dotted-decimal mask of a prefix length in 0..32.

    Example:
        >>> mask_of(20)
        '255.255.240.0'
    """
    return str(IPv4Network(f"0.0.0.0/{prefix}").netmask)


def prefix_of(mask: str) -> int:
    """The prefix length of a dotted-decimal mask.

    Raises:
        ValueError: the mask's one bits are not contiguous.

    Example:
        >>> prefix_of("255.255.240.0")
        20
    """
    return IPv4Network(f"0.0.0.0/{mask}").prefixlen


def usable_hosts(prefix: int) -> int:
    """``2^(32 − prefix) − 2``: addresses minus the network and broadcast addresses.

    Raises:
        ValueError: ``prefix`` outside 0..30 (/31 and /32 have no such pair, RFC 3021).

    Example:
        >>> usable_hosts(20)
        4094
    """
    if not 0 <= prefix <= 30:
        raise ValueError(f"prefix: must be in 0..30, got {prefix}")
    return int(2 ** (32 - prefix) - 2)


def octets_after_boundary(prefix: int) -> int:
    """Whole host octets after the octet a non-byte-boundary prefix ends in (0 on a boundary).

    Those octets become 0 (network) or 255 (broadcast) on top of the block-size arithmetic:
    /28 -> 0, /20 -> 1, /12 -> 2, /16 -> 0.
    """
    return 0 if prefix % 8 == 0 else (32 - prefix) // 8


def shifted(ip: str, delta: int) -> str | None:
    """``ip + delta`` as an address, or ``None`` outside ``0.0.0.0``-``255.255.255.255``."""
    value = int(IPv4Address(ip)) + delta
    return str(IPv4Address(value)) if 0 <= value < 2**32 else None
