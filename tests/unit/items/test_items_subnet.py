"""IPv4 subnetting: address arithmetic, features, distractors, keys recomputed from the stem."""

import ipaddress
import random
import re
from itertools import islice
from typing import Any

import pytest
from pydantic import ValidationError

from assay.items import SkillBlueprint, generate_item, load_catalog, normalize_answer
from assay.items.generator import get_generator
from assay.items.ipv4 import (
    DEFAULT_PREFIX,
    address_class,
    broadcast_address,
    mask_of,
    network_address,
    octets_after_boundary,
    prefix_of,
    usable_hosts,
)
from assay.items.targeting import compile_skill

CATALOG = load_catalog()
NET_SKILLS = sorted(s for s in CATALOG.skills if s.startswith("NET."))
QUAD = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


@pytest.mark.parametrize(
    ("ip", "prefix", "network", "broadcast", "mask", "hosts"),
    [
        ("172.16.77.5", 20, "172.16.64.0", "172.16.79.255", "255.255.240.0", 4094),
        ("10.1.2.3", 8, "10.0.0.0", "10.255.255.255", "255.0.0.0", 16777214),
        ("192.168.1.130", 26, "192.168.1.128", "192.168.1.191", "255.255.255.192", 62),
        ("130.45.200.9", 12, "130.32.0.0", "130.47.255.255", "255.240.0.0", 1048574),
        ("200.10.20.30", 30, "200.10.20.28", "200.10.20.31", "255.255.255.252", 2),
    ],
)
def test_address_arithmetic(
    ip: str, prefix: int, network: str, broadcast: str, mask: str, hosts: int
) -> None:
    assert network_address(ip, prefix) == network
    assert broadcast_address(ip, prefix) == broadcast
    assert mask_of(prefix) == mask
    assert prefix_of(mask) == prefix
    assert usable_hosts(prefix) == hosts


@pytest.mark.parametrize(
    ("ip", "cls"),
    [("1.0.0.1", "A"), ("126.9.9.9", "A"), ("128.0.0.1", "B"), ("191.2.3.4", "B"),
     ("192.0.0.1", "C"), ("223.255.255.1", "C")],
)  # fmt: skip
def test_address_classes(ip: str, cls: str) -> None:
    assert address_class(ip) == cls


@pytest.mark.parametrize("ip", ["0.1.2.3", "127.0.0.1", "224.0.0.1", "240.1.1.1"])
def test_addresses_outside_classes_a_to_c_are_refused(ip: str) -> None:
    with pytest.raises(ValueError, match="not a class A, B or C"):
        address_class(ip)


def test_bad_masks_and_prefixes() -> None:
    with pytest.raises(ValueError):
        prefix_of("255.0.255.0")
    with pytest.raises(ValueError, match=r"prefix: must be in 0\.\.30"):
        usable_hosts(31)


@pytest.mark.parametrize(("prefix", "octets"), [(28, 0), (20, 1), (12, 2), (16, 0), (9, 2)])
def test_octets_after_boundary(prefix: int, octets: int) -> None:
    assert octets_after_boundary(prefix) == octets


@pytest.mark.parametrize(
    ("text", "normal"),
    [("/20", "/20"), ("20", "/20"), (" / 20 ", "/20"), ("/020", "/20"), ("twenty", "twenty"),
     ("²", "²"), ("//20", "//20")],
)  # fmt: skip
def test_prefix_answers_normalise(text: str, normal: str) -> None:
    assert normalize_answer(text, "prefix") == normal


def params(operation: str, cidr: int, ip: str = "10.1.2.3") -> dict[str, Any]:
    return {"operation": operation, "ip": ip, "cidr": cidr, "address_class": address_class(ip)}


@pytest.mark.parametrize(
    ("skill_id", "ip", "cidr", "difficulty"),
    [
        # seed §13.5: classful 0.3, simple_cidr 0.5, complex_cidr 0.7 (+0.05 per octet after)
        ("NET.IP.SUBNET.CALC", "10.1.2.3", 8, 0.3),
        ("NET.IP.SUBNET.CALC", "192.168.1.130", 24, 0.3),
        ("NET.IP.SUBNET.CALC", "10.1.2.3", 16, 0.5),
        ("NET.IP.SUBNET.CALC", "10.1.2.3", 24, 0.5),
        ("NET.IP.SUBNET.CALC", "192.168.1.130", 26, 0.7),
        ("NET.IP.SUBNET.BROADCAST", "172.16.77.5", 20, 0.75),
        ("NET.IP.SUBNET.CALC.TEXT", "10.1.2.3", 12, 0.8),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 24, 0.3),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 26, 0.4),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 16, 0.5),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 20, 0.6),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 8, 0.7),
        ("NET.IP.SUBNET.HOSTS", "10.1.2.3", 12, 0.8),
        ("NET.IP.PREFIX.TO_MASK", "10.1.2.3", 24, 0.3),
        ("NET.IP.MASK.TO_PREFIX", "10.1.2.3", 20, 0.55),
    ],
)
def test_computed_difficulty(skill_id: str, ip: str, cidr: int, difficulty: float) -> None:
    compiled = compile_skill(CATALOG.skill(skill_id))
    features = compiled.generator.features(params(compiled.generator.operation, cidr, ip))
    assert compiled.difficulty(features) == difficulty


@pytest.mark.parametrize(
    ("operation", "strategy", "expected"),
    [
        ("subnet_network_address", "broadcast_address", ["172.16.79.255"]),
        ("subnet_network_address", "host_address", ["172.16.64.1", "172.16.77.5"]),
        # /16 and the class default (both 172.16.0.0), /24, /19 (the key), /21
        (
            "subnet_network_address",
            "wrong_mask_application",
            ["172.16.0.0", "172.16.77.0", "172.16.0.0", "172.16.64.0", "172.16.72.0"],
        ),
        ("subnet_broadcast_address", "network_address", ["172.16.64.0"]),
        ("subnet_broadcast_address", "host_address", ["172.16.79.254", "172.16.77.5"]),
        (
            "subnet_broadcast_address",
            "wrong_mask_application",
            ["172.16.255.255", "172.16.77.255", "172.16.255.255", "172.16.95.255", "172.16.79.255"],
        ),
        ("subnet_usable_hosts", "total_addresses", ["4096"]),
        ("subnet_usable_hosts", "one_reserved", ["4095"]),
        ("subnet_usable_hosts", "wrong_mask_application", ["2046", "8190", "14"]),
        ("subnet_mask_to_prefix", "wrong_mask_application", ["/19", "/21"]),
        ("subnet_mask_to_prefix", "octet_rounding", ["/16", "/24"]),
        ("subnet_mask_to_prefix", "host_bits", ["/12"]),
        ("subnet_prefix_to_mask", "wrong_mask_application", ["255.255.224.0", "255.255.248.0"]),
        ("subnet_prefix_to_mask", "octet_rounding", ["255.255.0.0", "255.255.255.0"]),
        ("subnet_prefix_to_mask", "wildcard_mask", ["0.0.15.255"]),
    ],
)
def test_each_distractor_strategy_models_its_error(
    operation: str, strategy: str, expected: list[str]
) -> None:
    generator = get_generator(operation)
    proposed = generator.propose_distractors(
        strategy, params(operation, 20, "172.16.77.5"), random.Random(0)
    )
    assert proposed == expected


def test_fallbacks_are_neighbouring_subnets_and_never_the_key() -> None:
    generator = get_generator("subnet_network_address")
    p = params("subnet_network_address", 26, "192.168.1.130")
    some = list(islice(generator.fallback_distractors(p, random.Random(0)), 1000))
    assert sorted(some[:4]) == ["192.168.1.0", "192.168.1.192", "192.168.1.64", "192.168.2.0"]
    assert "192.168.1.128" not in some and len(set(some)) == 1000


def recompute(skill_id: str, stem: str) -> tuple[str, str | None, int]:
    """Key, address and prefix read back from the stem with ``ipaddress`` alone."""
    quads = QUAD.findall(stem)
    slash = re.search(r"/(\d+)", stem)
    operation = CATALOG.skill(skill_id).operation
    if operation == "subnet_mask_to_prefix":
        (mask,) = quads
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
        return f"/{prefix}", None, prefix
    if operation == "subnet_prefix_to_mask":
        assert slash and not quads, stem
        prefix = int(slash.group(1))
        return str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask), None, prefix
    ip = quads[0] if (slash or len(quads) == 2) else None
    prefix = (
        int(slash.group(1)) if slash else ipaddress.IPv4Network(f"0.0.0.0/{quads[-1]}").prefixlen
    )
    if operation == "subnet_usable_hosts":
        return str(2 ** (32 - prefix) - 2), ip, prefix
    assert ip is not None, stem
    network = ipaddress.IPv4Interface(f"{ip}/{prefix}").network
    address = network.network_address if "network" in operation else network.broadcast_address
    return str(address), ip, prefix


@pytest.mark.parametrize("skill_id", NET_SKILLS)
def test_keys_recomputed_from_the_stem(skill_id: str) -> None:
    skill = CATALOG.skill(skill_id)
    for seed in range(80):
        item = generate_item(skill, rng=random.Random(seed))
        key, ip, prefix = recompute(skill_id, item.stem)
        assert item.correct_answer == key, item.stem
        assert item.generation_params["cidr"] == prefix
        if ip is not None:
            network = ipaddress.IPv4Interface(f"{ip}/{prefix}").network
            assert ipaddress.IPv4Address(ip) not in (
                network.network_address,
                network.broadcast_address,
            )
            assert prefix >= DEFAULT_PREFIX[address_class(ip)]  # subnetting, not supernetting
        if item.item_type == "multiple_choice":
            assert item.options is not None and len(set(item.options)) == 4
            assert item.options.count(key) == 1 and item.options[item.correct_index or 0] == key
        else:
            assert item.options is None


@pytest.mark.parametrize("skill_id", NET_SKILLS)
def test_free_text_and_options_accept_equivalent_spellings(skill_id: str) -> None:
    item = generate_item(CATALOG.skill(skill_id), rng=random.Random(7))
    key = item.correct_answer
    if item.item_type == "multiple_choice":
        assert item.score({"index": item.correct_index}).correct
        return
    if item.answer_kind == "ipv4":
        padded = ".".join(part.zfill(3) for part in key.split("."))
        assert item.score({"text": f" {padded} "}).correct
    else:
        assert item.answer_kind == "prefix"
        assert item.score({"text": key.removeprefix("/")}).correct
    assert not item.score({"text": "0.0.0.0"}).correct


def test_easy_network_items_are_classful_and_hard_ones_cut_an_octet() -> None:
    skill = CATALOG.skill("NET.IP.SUBNET.CALC")
    for seed in range(40):
        easy = generate_item(skill, band="easy", rng=random.Random(seed)).generation_params
        assert easy["cidr"] == DEFAULT_PREFIX[easy["address_class"]]
        hard = generate_item(skill, band="hard", rng=random.Random(seed)).generation_params
        assert hard["cidr"] % 8 != 0


def subnet_skill(**changes: Any) -> SkillBlueprint:
    data: dict[str, Any] = {
        "skill_id": "USER.SUBNET",
        "generation_rules": {"operation": "subnet_network_address"},
        "presentation": {"stem_templates": ["{ip}/{cidr}?"]},
    }
    for key, value in changes.items():
        data[key] = {**data.get(key, {}), **value}
    return SkillBlueprint.model_validate(data)


@pytest.mark.parametrize(
    ("changes", "path", "rule"),
    [
        (
            {"generation_rules": {"cidr_range": {"min": 20, "max": 12}}},
            "generation_rules.cidr_range",
            "min (20) must be <= max (12)",
        ),
        (
            {"generation_rules": {"address_class": ["C"], "cidr_range": {"min": 8, "max": 20}}},
            "generation_rules",
            "no class of ['C'] has a default prefix <= cidr_range.max (20)",
        ),
        (
            {"generation_rules": {"address_class": ["A", "A"]}},
            "generation_rules",
            "address_class: classes must be distinct",
        ),
        (
            {"generation_rules": {"cidr_range": {"min": 8, "max": 31}}},
            "generation_rules.cidr_range.max",
            "less than or equal to 30",
        ),
        (
            {"presentation": {"distractor_strategies": [{"type": "network_address"}]}},
            "presentation.distractor_strategies[0].type",
            "unknown strategy 'network_address'",
        ),
        (
            {
                "generation_rules": {"operation": "subnet_mask_to_prefix"},
                "presentation": {"stem_templates": ["Prefix of {mask} ({cidr})?"]},
            },
            "presentation.stem_templates[0]",
            "unknown field {cidr}",
        ),
    ],
)
def test_bad_subnet_blueprints_name_the_field(
    changes: dict[str, Any], path: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        subnet_skill(**changes)
    error = caught.value.errors()[0]["ctx"]["error"]
    assert error.path == path
    assert rule in error.rule
