"""Item selection: maximum information, randomesque, Sympson-Hetter, content groups, the bank."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assay.cat.bank import ItemBank, ItemParams
from assay.cat.irt import information
from assay.cat.selection import select_item


def _bank(n: int = 200, seed: int = 0, **kwargs: object) -> ItemBank:
    rng = np.random.default_rng(seed)
    return ItemBank(
        item_ids=[f"i{i}" for i in range(n)],
        a=rng.uniform(0.5, 2.5, n),
        b=rng.normal(0, 1, n),
        c=rng.uniform(0, 0.3, n),
        **kwargs,  # type: ignore[arg-type]
    )


def _ranking(bank: ItemBank, theta: float) -> np.ndarray:
    return np.argsort(-information(theta, bank.a, bank.b, bank.c), kind="stable")


@pytest.mark.parametrize("theta", [-2.5, -0.3, 0.0, 1.1, 3.0])
def test_picks_the_most_informative_item(theta: float) -> None:
    bank = _bank()
    sel = select_item(bank, theta, rng=np.random.default_rng(0))
    assert sel is not None and sel.index == _ranking(bank, theta)[0]
    assert sel.information == pytest.approx(information(theta, bank.a, bank.b, bank.c).max())


def test_administered_and_excluded_items_are_skipped() -> None:
    bank, theta = _bank(), 0.4
    order = _ranking(bank, theta)
    sel = select_item(
        bank,
        theta,
        rng=np.random.default_rng(0),
        administered=order[:3].astype(np.intp),
        excluded=order[3:5].astype(np.intp),
    )
    assert sel is not None and sel.index == order[5]


def test_randomesque_draws_among_the_top_k_only_and_spreads() -> None:
    bank, theta, k = _bank(), 0.0, 5
    top = set(_ranking(bank, theta)[:k].tolist())
    rng = np.random.default_rng(1)
    picks = Counter(
        select_item(bank, theta, rng=rng, randomesque_k=k).index  # type: ignore[union-attr]
        for _ in range(500)
    )
    assert set(picks) == top
    assert min(picks.values()) > 60  # roughly uniform: 100 expected each


def test_sympson_hetter_sets_aside_items_that_lose_the_lottery() -> None:
    bank = _bank()
    order = _ranking(bank, 0.0)
    k = np.ones(len(bank))
    k[order[0]] = 1e-9  # the best item is (almost) never administered
    controlled = bank.with_exposure_k(k)
    sel = select_item(controlled, 0.0, rng=np.random.default_rng(0), sympson_hetter=True)
    assert sel is not None and sel.index == order[1]
    assert sel.rejected == (int(order[0]),)
    # without the switch, exposure_k is ignored
    plain = select_item(controlled, 0.0, rng=np.random.default_rng(0))
    assert plain is not None and plain.index == order[0] and plain.rejected == ()


def test_sympson_hetter_administers_at_rate_k() -> None:
    bank = _bank()
    best = int(_ranking(bank, 0.0)[0])
    k = np.ones(len(bank))
    k[best] = 0.3
    controlled, rng = bank.with_exposure_k(k), np.random.default_rng(5)
    hits = sum(
        select_item(controlled, 0.0, rng=rng, sympson_hetter=True).index == best  # type: ignore[union-attr]
        for _ in range(2000)
    )
    assert 0.25 < hits / 2000 < 0.35


def test_the_last_available_item_is_never_set_aside() -> None:
    bank = _bank(n=3).with_exposure_k([1e-9, 1e-9, 1e-9])
    sel = select_item(
        bank, 0.0, rng=np.random.default_rng(0), administered=np.array([0, 1]), sympson_hetter=True
    )
    assert sel is not None and sel.index == 2 and sel.rejected == ()


def test_exhausted_bank_gives_none() -> None:
    bank = _bank(n=4)
    assert select_item(bank, 0.0, rng=np.random.default_rng(0), administered=np.arange(4)) is None


def test_reusable_bank_never_runs_out() -> None:
    bank = _bank(n=4, reusable=True)
    sel = select_item(bank, 0.0, rng=np.random.default_rng(0), administered=np.arange(4))
    assert sel is not None


def test_content_groups_are_tried_in_order_with_fallback() -> None:
    items = [
        ItemParams("a1", a=2.0, b=0.0, section_id="A", band="easy"),
        ItemParams("a2", a=0.5, b=0.0, section_id="A", band="hard"),
        ItemParams("b1", a=1.0, b=0.0, section_id="B", band="easy"),
    ]
    bank = ItemBank.from_items(items)
    rng = np.random.default_rng(0)
    sel = select_item(bank, 0.0, rng=rng, groups=[("A", "hard"), ("A", None)])
    assert sel is not None and bank.item_ids[sel.index] == "a2" and sel.group == ("A", "hard")
    sel = select_item(bank, 0.0, rng=rng, groups=[("A", "medium"), ("B", "easy")])
    assert sel is not None and bank.item_ids[sel.index] == "b1"  # no medium item in A
    sel = select_item(bank, 0.0, rng=rng, groups=[("C", None)])
    assert sel is None


def test_randomesque_k_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="randomesque_k"):
        select_item(_bank(), 0.0, rng=np.random.default_rng(0), randomesque_k=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"item_ids": ["x", "x"], "a": [1, 1], "b": [0, 0]}, "item_ids: ids must be unique"),
        ({"item_ids": ["x"], "a": [1, 1], "b": [0]}, "a: must have one value per item"),
        ({"item_ids": ["x"], "a": [0], "b": [0]}, "a: every discrimination"),
        ({"item_ids": ["x"], "a": [1], "b": [np.nan]}, "b: every value must be finite"),
        ({"item_ids": ["x"], "a": [1], "b": [0], "c": [1.0]}, "c: every guessing"),
        ({"item_ids": ["x"], "a": [1], "b": [0], "exposure_k": [0.0]}, "exposure_k"),
        ({"item_ids": ["x"], "a": [1], "b": [0], "section_ids": ["s", "t"]}, "section_ids"),
        ({"item_ids": [], "a": [], "b": []}, "at least one item"),
    ],
)
def test_bad_banks_are_rejected_naming_the_field(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ItemBank(**kwargs)  # type: ignore[arg-type]


def test_bank_lookups() -> None:
    bank = ItemBank.from_items([ItemParams("x", a=1.5, b=0.2, c=0.1, section_id="s", band="easy")])
    assert bank.index("x") == 0 and bank.item(0) == ItemParams("x", 1.5, 0.2, 0.1, "s", "easy")
    assert bank.indices(["nope", "x"]).tolist() == [0]
    with pytest.raises(KeyError, match="item_id: 'nope'"):
        bank.index("nope")
    assert ItemParams.from_dict(bank.item(0).to_dict()) == bank.item(0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"item_id": ""}, "item_id"),
        ({"item_id": "x", "a": -1.0}, "a:"),
        ({"item_id": "x", "b": float("inf")}, "b:"),
        ({"item_id": "x", "c": 1.0}, "c:"),
        ({"item_id": "x", "exposure_k": 1.5}, "exposure_k"),
    ],
)
def test_bad_item_params_are_rejected(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ItemParams(**kwargs)  # type: ignore[arg-type]
