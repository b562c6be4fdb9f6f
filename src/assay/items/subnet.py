"""IPv4 subnetting generators (seed 002 §13.5 ``NETWORK_SUBNET_CALC``).

Five operations, one question each; keys are computed with the stdlib ``ipaddress`` module
(:mod:`assay.items.ipv4`, which has the worked example ``172.16.77.5/20``):

============================  ==================================  ===========  ==============
operation                     question                            answer_kind  172.16.77.5/20
============================  ==================================  ===========  ==============
``subnet_network_address``    network address of ``ip/prefix``    ``ipv4``     172.16.64.0
``subnet_broadcast_address``  broadcast address of ``ip/prefix``  ``ipv4``     172.16.79.255
``subnet_usable_hosts``       usable hosts of ``/prefix``         ``integer``  4094
``subnet_mask_to_prefix``     prefix length of a dotted mask      ``prefix``   /20
``subnet_prefix_to_mask``     dotted mask of a prefix length      ``ipv4``     255.255.240.0
============================  ==================================  ===========  ==============

Difficulty features (formula in :mod:`assay.items.difficulty`, default base 0.3 for all five).
The seed's scenario weights classful 0.3, simple_cidr 0.5 and complex_cidr 0.7 are the sums
``base``, ``base + non_classful`` and ``base + non_classful + non_byte_boundary``:

=========================  ==============================================  ======
feature                    what it counts                                  weight
=========================  ==============================================  ======
``non_classful``           address questions: prefix other than the class  0.20
                           default (/8, /16, /24)
``non_byte_boundary``      prefix not a multiple of 8: address questions   0.20
                           (block-size arithmetic); usable hosts 0.10;
                           mask conversions 0.25
``octets_after_boundary``  address questions: whole host octets after the  0.05
                           boundary octet, set to 0 or 255 (/28 -> 0,
                           /20 -> 1, /12 -> 2)
``wide_host_part``         usable hosts: host octets beyond the first      0.20
                           (h > 8 host bits: 1, h > 16: 2)
=========================  ==============================================  ======

Address questions draw a class of ``address_class``, a first octet of that class, three random
octets and a prefix in ``cidr_range`` no shorter than the class default (subnetting, not
supernetting); the address is always a host address (never the network or broadcast address).
Mask questions draw the prefix uniformly from ``cidr_range``.

Distractor strategies, each the answer a named error produces:

==========================  ===========================================  ===========================
strategy                    error it models                              for 172.16.77.5/20
==========================  ===========================================  ===========================
``broadcast_address``       broadcast address given for the network      172.16.79.255
``network_address``         network address given for the broadcast      (broadcast questions)
``host_address``            a host given: the first (last) usable host,  172.16.64.1, 172.16.77.5
                            or the address itself
``wrong_mask_application``  the mask applied at the wrong length: the    172.16.0.0, 172.16.77.0,
                            octet boundary below or above, the class     172.16.72.0 (/21; /19 gives
                            default, one bit off                         the key, skipped)
``total_addresses``         usable hosts as 2^h (nothing reserved)       4096 (host questions)
``one_reserved``            2^h − 1 (only one address reserved)          4095
``octet_rounding``          mask questions: the prefix rounded to an     /16, /24
                            octet boundary
``host_bits``               mask -> prefix: the host bits counted        /12
``wildcard_mask``           prefix -> mask: the inverted mask            0.0.15.255
==========================  ===========================================  ===========================
"""

from __future__ import annotations

import random
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.items.distractors import nearby
from assay.items.generator import Generator, Params, register_generator
from assay.items.instance import AnswerKind
from assay.items.ipv4 import (
    DEFAULT_PREFIX,
    FIRST_OCTETS,
    AddressClass,
    broadcast_address,
    mask_of,
    network_address,
    octets_after_boundary,
    shifted,
    usable_hosts,
)

__all__ = [
    "BroadcastAddressGenerator",
    "MaskToPrefixGenerator",
    "NetworkAddressGenerator",
    "PrefixRange",
    "PrefixToMaskGenerator",
    "SubnetGenerator",
    "SubnetRules",
    "UsableHostsGenerator",
]

SubnetOperation = Literal[
    "subnet_network_address",
    "subnet_broadcast_address",
    "subnet_usable_hosts",
    "subnet_mask_to_prefix",
    "subnet_prefix_to_mask",
]
_MASK_OPERATIONS = ("subnet_mask_to_prefix", "subnet_prefix_to_mask")


class PrefixRange(BaseModel):
    """Inclusive prefix lengths ``[min, max]`` within 1..30."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int = Field(ge=1, le=30)
    max: int = Field(ge=1, le=30)

    @model_validator(mode="after")
    def _ordered(self) -> PrefixRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must be <= max ({self.max})")
        return self


class SubnetRules(BaseModel):
    """``generation_rules`` of a subnetting skill (seed 002 §13.5).

    Attributes:
        operation: One of the five operations in the module docstring.
        ip_version: Always ``"IPv4"``.
        address_class: Classes the address is drawn from (address questions).
        cidr_range: Prefix lengths, default /8-/30 as in the seed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: SubnetOperation
    ip_version: Literal["IPv4"] = "IPv4"
    address_class: list[AddressClass] = Field(default=["A", "B", "C"], min_length=1)
    cidr_range: PrefixRange = PrefixRange(min=8, max=30)

    @model_validator(mode="after")
    def _some_prefix(self) -> SubnetRules:
        if len(set(self.address_class)) != len(self.address_class):
            raise ValueError("address_class: classes must be distinct")
        if self.operation not in _MASK_OPERATIONS and not any(
            self.prefixes(c) for c in self.address_class
        ):
            raise ValueError(
                f"no class of {self.address_class} has a default prefix <= cidr_range.max "
                f"({self.cidr_range.max})"
            )
        return self

    def prefixes(self, address_class: AddressClass | None = None) -> range:
        """Prefixes drawn for ``address_class`` (not shorter than its default), or all."""
        low = self.cidr_range.min
        if address_class is not None:
            low = max(low, DEFAULT_PREFIX[address_class])
        return range(low, self.cidr_range.max + 1)


@dataclass(frozen=True)
class _Subnet:
    ip: str
    prefix: int
    address_class: AddressClass

    @property
    def network(self) -> str:
        return network_address(self.ip, self.prefix)

    @property
    def broadcast(self) -> str:
        return broadcast_address(self.ip, self.prefix)

    @property
    def misapplied(self) -> list[int]:
        """Wrong prefixes: octet boundary below and above, class default, one bit off."""
        p = self.prefix
        wrong = [p // 8 * 8, -(-p // 8) * 8, DEFAULT_PREFIX[self.address_class], p - 1, p + 1]
        return [w for w in wrong if w != p and 0 <= w <= 32]


def _subnet(params: Params) -> _Subnet:
    return _Subnet(params.get("ip", "0.0.0.0"), params["cidr"], params.get("address_class", "A"))


Proposer = Callable[[_Subnet], list[str | None]]


class SubnetGenerator(Generator):
    """Shared behaviour: draw a subnet, read features, propose named distractors."""

    rules_model: ClassVar[type[BaseModel]] = SubnetRules
    template_fields: ClassVar[frozenset[str]] = frozenset({"ip", "cidr", "mask"})
    answer_kind: ClassVar[AnswerKind] = "ipv4"
    default_weights: ClassVar[dict[str, float]] = {
        "non_classful": 0.20,
        "non_byte_boundary": 0.20,
        "octets_after_boundary": 0.05,
    }
    proposers: ClassVar[dict[str, Proposer]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.distractor_names = frozenset(cls.proposers)

    def default_base(self, rules: Any) -> float:
        return 0.3

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        address_class: AddressClass = rng.choice(rules.address_class)
        prefixes = rules.prefixes(address_class)
        if not prefixes:
            return None
        prefix = rng.choice(prefixes)
        low, high = FIRST_OCTETS[address_class]
        octets = [rng.randint(low, high), *(rng.randint(0, 255) for _ in range(3))]
        host_mask = (1 << (32 - prefix)) - 1
        if (int.from_bytes(bytes(octets), "big") & host_mask) in (0, host_mask):
            return None  # the network or broadcast address itself, not a host
        ip = ".".join(map(str, octets))
        return {
            "operation": self.operation,
            "ip": ip,
            "cidr": prefix,
            "address_class": address_class,
        }

    def features(self, params: Params) -> dict[str, int]:
        s = _subnet(params)
        return {
            "non_classful": int(s.prefix != DEFAULT_PREFIX[s.address_class]),
            "non_byte_boundary": int(s.prefix % 8 != 0),
            "octets_after_boundary": octets_after_boundary(s.prefix),
        }

    def template_values(self, params: Params) -> dict[str, Any]:
        values = {"cidr": params["cidr"], "mask": mask_of(params["cidr"])}
        if "ip" in params:
            values["ip"] = params["ip"]
        return values

    def propose_distractors(self, strategy: str, params: Params, rng: random.Random) -> list[str]:
        return [v for v in self.proposers[strategy](_subnet(params)) if v is not None]

    def fallback_distractors(self, params: Params, rng: random.Random) -> Iterable[str]:
        """Neighbouring subnets' answers: ``answer ± k·block``, k = 1, 2, ..."""
        answer, block = self.answer(params), 2 ** (32 - params["cidr"])
        k = 1
        while k * block < 2**32:
            pair = [shifted(answer, k * block), shifted(answer, -k * block)]
            rng.shuffle(pair)
            yield from (a for a in pair if a is not None)
            k += 1


class NetworkAddressGenerator(SubnetGenerator):
    """Network address of ``ip/prefix`` (``ip AND mask``)."""

    operation: ClassVar[str] = "subnet_network_address"
    proposers: ClassVar[dict[str, Proposer]] = {
        "broadcast_address": lambda s: [s.broadcast],
        "host_address": lambda s: [shifted(s.network, 1), s.ip],
        "wrong_mask_application": lambda s: [network_address(s.ip, p) for p in s.misapplied],
    }

    def answer(self, params: Params) -> str:
        return _subnet(params).network


class BroadcastAddressGenerator(SubnetGenerator):
    """Broadcast address of ``ip/prefix`` (``ip OR NOT mask``)."""

    operation: ClassVar[str] = "subnet_broadcast_address"
    proposers: ClassVar[dict[str, Proposer]] = {
        "network_address": lambda s: [s.network],
        "host_address": lambda s: [shifted(s.broadcast, -1), s.ip],
        "wrong_mask_application": lambda s: [broadcast_address(s.ip, p) for p in s.misapplied],
    }

    def answer(self, params: Params) -> str:
        return _subnet(params).broadcast


def _hosts(h: int) -> str | None:
    """``2^h − 2`` as text when it is a positive count."""
    return str(2**h - 2) if 2 <= h <= 32 else None


class UsableHostsGenerator(SubnetGenerator):
    """Usable hosts of ``/prefix``: ``2^(32 − prefix) − 2``."""

    operation: ClassVar[str] = "subnet_usable_hosts"
    answer_kind: ClassVar[AnswerKind] = "integer"
    default_weights: ClassVar[dict[str, float]] = {
        "wide_host_part": 0.20,
        "non_byte_boundary": 0.10,
    }
    proposers: ClassVar[dict[str, Proposer]] = {
        "total_addresses": lambda s: [str(2 ** (32 - s.prefix))],
        "one_reserved": lambda s: [str(2 ** (32 - s.prefix) - 1)],
        "wrong_mask_application": lambda s: [
            _hosts(31 - s.prefix),
            _hosts(33 - s.prefix),
            _hosts((32 - s.prefix) % 8) if s.prefix < 24 else None,
        ],
    }

    def features(self, params: Params) -> dict[str, int]:
        h = 32 - params["cidr"]
        return {"wide_host_part": (h - 1) // 8, "non_byte_boundary": int(h % 8 != 0)}

    def answer(self, params: Params) -> str:
        return str(usable_hosts(params["cidr"]))

    def fallback_distractors(self, params: Params, rng: random.Random) -> Iterator[str]:
        h = 32 - params["cidr"]
        for k in range(2, 32):
            yield from (v for v in (_hosts(h + k), _hosts(h - k)) if v is not None)
        yield from (str(v) for v in nearby(usable_hosts(params["cidr"]), rng) if v > 0)


class _MaskGenerator(SubnetGenerator):
    """Mask conversions: the prefix is drawn from ``cidr_range`` whatever the class."""

    default_weights: ClassVar[dict[str, float]] = {"non_byte_boundary": 0.25}

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        return {"operation": self.operation, "cidr": rng.choice(rules.prefixes())}

    def features(self, params: Params) -> dict[str, int]:
        return {"non_byte_boundary": int(params["cidr"] % 8 != 0)}

    @abstractmethod
    def render(self, prefix: int) -> str:
        """The answer for ``prefix``."""

    def answer(self, params: Params) -> str:
        return self.render(params["cidr"])

    def fallback_distractors(self, params: Params, rng: random.Random) -> Iterator[str]:
        p = params["cidr"]
        for k in range(2, 33):
            yield from (self.render(q) for q in (p + k, p - k) if 0 <= q <= 32)


def _rounded(p: int) -> list[int]:
    return [q for q in (p // 8 * 8, -(-p // 8) * 8) if q != p]


class MaskToPrefixGenerator(_MaskGenerator):
    """Prefix length (``/n``) of a dotted mask."""

    operation: ClassVar[str] = "subnet_mask_to_prefix"
    answer_kind: ClassVar[AnswerKind] = "prefix"
    template_fields: ClassVar[frozenset[str]] = frozenset({"mask"})
    proposers: ClassVar[dict[str, Proposer]] = {
        "wrong_mask_application": lambda s: [f"/{s.prefix - 1}", f"/{s.prefix + 1}"],
        "octet_rounding": lambda s: [f"/{q}" for q in _rounded(s.prefix)],
        "host_bits": lambda s: [f"/{32 - s.prefix}"],
    }

    def render(self, prefix: int) -> str:
        return f"/{prefix}"


class PrefixToMaskGenerator(_MaskGenerator):
    """Dotted mask of a prefix length."""

    operation: ClassVar[str] = "subnet_prefix_to_mask"
    template_fields: ClassVar[frozenset[str]] = frozenset({"cidr"})
    proposers: ClassVar[dict[str, Proposer]] = {
        "wrong_mask_application": lambda s: [mask_of(s.prefix - 1), mask_of(s.prefix + 1)],
        "octet_rounding": lambda s: [mask_of(q) for q in _rounded(s.prefix)],
        "wildcard_mask": lambda s: [broadcast_address("0.0.0.0", s.prefix)],
    }

    def render(self, prefix: int) -> str:
        return mask_of(prefix)


for _generator in (
    NetworkAddressGenerator(),
    BroadcastAddressGenerator(),
    UsableHostsGenerator(),
    MaskToPrefixGenerator(),
    PrefixToMaskGenerator(),
):
    register_generator(_generator, replace=True)
