"""The step API: content quotas, stopping, persistence and resumption, template banks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from assay.cat import (
    CatConfig,
    CatState,
    ContentPlan,
    ItemBank,
    ItemParams,
    NextItem,
    Stop,
    estimate_theta,
    item_from_difficulty,
    next_item,
    probability,
    record_response,
    start,
    target_difficulty,
    template_bank,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
SECTIONS = ("Addition", "Subtraction", "Multiplication", "Division")
BANDS = {"easy": (-2.0, -0.5), "medium": (-0.5, 0.5), "hard": (0.5, 2.0)}
PLAN = ContentPlan.from_dict(
    {
        "sections": [
            {
                "domain": d,
                "item_count": 5,
                "difficulty_distribution": {"easy": 2, "medium": 2, "hard": 1},
            }
            for d in SECTIONS
        ]
    }
)


def _blueprint_bank(per_group: int = 12, seed: int = 0) -> ItemBank:
    rng = np.random.default_rng(seed)
    items = [
        ItemParams(
            f"{s[:3]}-{band}-{i}",
            a=float(rng.uniform(0.8, 2.0)),
            b=float(rng.uniform(*BANDS[band])),
            c=0.2,
            section_id=s,
            band=band,
        )
        for s in SECTIONS
        for band in BANDS
        for i in range(per_group)
    ]
    return ItemBank.from_items(items)


def _answer(item: ItemParams, theta: float, rng: np.random.Generator) -> bool:
    return bool(rng.random() < probability(theta, item.a, item.b, item.c))


def _run(
    config: CatConfig, bank: ItemBank, *, theta: float = 0.5, seed: int = 0
) -> tuple[CatState, Stop, list[str]]:
    rng, answers = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    state, seen = start(config, now=T0), []
    while True:
        state, decision = next_item(state, bank=bank, rng=rng, now=T0)
        if isinstance(decision, Stop):
            return state, decision, seen
        seen.append(decision.item.item_id)
        ok = _answer(decision.item, theta, answers)
        state = record_response(state, item=decision.item, correct=ok, now=T0)


def test_seed_blueprint_quotas_are_met_exactly() -> None:
    bank = _blueprint_bank()
    state, stop, seen = _run(CatConfig(content=PLAN, randomesque_k=3), bank)
    assert stop.reason == "max_items" and stop.n_items == 20 == len(set(seen))
    by_section = {
        s: [x.item.band for x in state.answered if x.item.section_id == s] for s in SECTIONS
    }
    for bands in by_section.values():
        assert sorted(bands) == ["easy", "easy", "hard", "medium", "medium"]


def test_sections_interleave_rather_than_run_in_blocks() -> None:
    state, _, _ = _run(CatConfig(content=PLAN), _blueprint_bank())
    first_four = {x.item.section_id for x in state.answered[:4]}
    assert first_four == set(SECTIONS)


def test_state_survives_a_json_round_trip_at_every_step() -> None:
    bank = _blueprint_bank()
    config = CatConfig(content=PLAN, randomesque_k=4, sympson_hetter=True)
    bank = bank.with_exposure_k(np.where(np.arange(len(bank)) % 3 == 0, 0.5, 1.0))
    live, resumed = start(config, now=T0), start(config, now=T0)
    rng_live, rng_resumed, answers = (np.random.default_rng(3) for _ in range(3))
    for _ in range(25):
        resumed = CatState.from_dict(json.loads(json.dumps(resumed.to_dict())))
        live, d_live = next_item(live, bank=bank, rng=rng_live, now=T0)
        resumed, d_resumed = next_item(resumed, bank=bank, rng=rng_resumed, now=T0)
        assert type(d_live) is type(d_resumed)
        if isinstance(d_live, Stop):
            break
        assert isinstance(d_resumed, NextItem) and d_resumed.item == d_live.item
        ok = _answer(d_live.item, -0.3, answers)
        live = record_response(live, item=d_live.item, correct=ok, now=T0)
        resumed = CatState.from_dict(json.loads(json.dumps(resumed.to_dict())))
        resumed = record_response(resumed, item=d_live.item, correct=ok, now=T0)
        assert resumed.theta == pytest.approx(live.theta, abs=1e-12)
        assert resumed.se == pytest.approx(live.se, abs=1e-12)
        assert resumed.excluded == live.excluded
    assert live.answered == resumed.answered and len(live.answered) == 20
    assert live.stopped == resumed.stopped == "max_items"


def test_next_item_is_idempotent_while_an_item_is_pending() -> None:
    bank, rng = _blueprint_bank(), np.random.default_rng(0)
    state, first = next_item(start(CatConfig(max_items=5), now=T0), bank=bank, rng=rng, now=T0)
    assert isinstance(first, NextItem) and state.pending == first.item.item_id
    before = rng.bit_generator.state
    restored = CatState.from_dict(json.loads(json.dumps(state.to_dict())))
    again_state, again = next_item(restored, bank=bank, rng=rng, now=T0)
    assert again == first and again_state == state and rng.bit_generator.state == before
    answered = record_response(again_state, item=first.item, correct=True, now=T0)
    assert answered.pending is None and answered.n_items == 1


def test_time_limit_stops_the_test_and_the_stop_is_sticky() -> None:
    bank, rng = _blueprint_bank(), np.random.default_rng(0)
    state = start(CatConfig(max_items=50, time_limit_s=600), now=T0)
    state, d = next_item(state, bank=bank, rng=rng, now=T0 + timedelta(seconds=10))
    assert isinstance(d, NextItem)
    state = record_response(state, item=d.item, correct=True, now=T0 + timedelta(seconds=30))
    state, d = next_item(state, bank=bank, rng=rng, now=T0 + timedelta(seconds=600))
    assert isinstance(d, Stop) and d.reason == "time_limit" and state.stopped == "time_limit"
    _, again = next_item(state, bank=bank, rng=rng, now=T0 + timedelta(seconds=601))
    assert again == d
    with pytest.raises(ValueError, match="state: the test has stopped"):
        record_response(state, item=bank.item(0), correct=True, now=T0)


def test_precision_stop_respects_min_items() -> None:
    bank = _blueprint_bank(per_group=30)
    _, stop, _ = _run(CatConfig(se_target=0.45, max_items=80), bank)
    assert stop.reason == "se_target" and stop.se < 0.45
    _, stop_min, _ = _run(CatConfig(se_target=0.45, min_items=stop.n_items + 5, max_items=80), bank)
    assert stop_min.reason == "se_target" and stop_min.n_items == stop.n_items + 5


def test_bank_exhaustion_stops_the_test() -> None:
    bank = ItemBank.from_items([ItemParams(f"x{i}", b=float(i)) for i in range(3)])
    _, stop, seen = _run(CatConfig(max_items=10), bank)
    assert stop.reason == "bank_exhausted" and sorted(seen) == ["x0", "x1", "x2"]


def test_theta_in_the_state_equals_the_batch_estimate() -> None:
    state, _, _ = _run(CatConfig(max_items=30), _blueprint_bank(), theta=-0.8)
    u = [float(x.correct) for x in state.answered]
    a, b, c = ([getattr(x.item, p) for x in state.answered] for p in "abc")
    est = estimate_theta(u, a, b, c)
    assert state.theta == pytest.approx(est.theta, abs=1e-9)
    assert state.se == pytest.approx(est.se, abs=1e-9)


def test_mle_estimator_uses_eap_until_the_pattern_is_mixed() -> None:
    bank, rng = _blueprint_bank(), np.random.default_rng(0)
    config = CatConfig(max_items=10, estimator="mle")
    state = start(config, now=T0)
    for correct in (True, True, False, True):
        state, d = next_item(state, bank=bank, rng=rng, now=T0)
        assert isinstance(d, NextItem)
        state = record_response(state, item=d.item, correct=correct, now=T0)
        u = [float(x.correct) for x in state.answered]
        a, b, c = ([getattr(x.item, p) for x in state.answered] for p in "abc")
        method = "mle" if 0 < sum(u) < len(u) else "eap"
        assert state.theta == pytest.approx(
            estimate_theta(u, a, b, c, method=method).theta, abs=1e-8
        )


def test_template_bank_serves_generated_items_at_the_target_difficulty() -> None:
    bank = template_bank(
        [("ADD.2DIGIT", "Addition"), ("SUB.BORROW", "Subtraction")],
        difficulties=tuple(np.round(np.linspace(0.05, 0.95, 19), 2)),
    )
    rng, answers = np.random.default_rng(0), np.random.default_rng(1)
    state = start(CatConfig(max_items=30), now=T0)
    for n in range(30):
        state, d = next_item(state, bank=bank, rng=rng, now=T0)
        assert isinstance(d, NextItem)
        template_difficulty = float(d.item.item_id.split("@")[1])
        # the chosen template is the grid point nearest the most informative difficulty
        assert abs(template_difficulty - target_difficulty(state.theta)) <= 0.05 + 1e-9
        instance = item_from_difficulty(
            f"gen_{n}", template_difficulty, section_id=d.item.section_id
        )
        state = record_response(
            state, item=instance, correct=_answer(instance, 1.0, answers), now=T0
        )
    assert state.n_items == 30 and state.stopped is None
    with pytest.raises(ValueError, match="already answered"):
        record_response(state, item=instance, correct=True, now=T0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="now: must be a timezone-aware"):
        start(CatConfig(max_items=5), now=datetime(2025, 1, 1))
    state = start(CatConfig(max_items=5), now=T0)
    with pytest.raises(ValueError, match="now: must be a timezone-aware"):
        next_item(
            state, bank=_blueprint_bank(), rng=np.random.default_rng(0), now=datetime(2025, 1, 1)
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "max_items: set max_items, se_target, time_limit_s or a content plan"),
        ({"max_items": 0}, "max_items: must be >= 1"),
        ({"se_target": 0.0}, "se_target"),
        ({"time_limit_s": -1.0}, "time_limit_s"),
        ({"max_items": 5, "estimator": "map"}, "estimator"),
        ({"max_items": 5, "prior_sd": 0.0}, "prior_sd"),
        ({"max_items": 5, "randomesque_k": 0}, "randomesque_k"),
        ({"max_items": 5, "min_items": -1}, "min_items"),
    ],
)
def test_bad_configs_are_rejected_naming_the_field(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CatConfig(**kwargs)  # type: ignore[arg-type]


def test_config_round_trips_and_content_sets_the_length() -> None:
    config = CatConfig(content=PLAN, se_target=0.3, randomesque_k=2, sympson_hetter=True)
    assert CatConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.effective_max_items == 20


def test_from_dict_rejects_an_unknown_stop_reason() -> None:
    data = start(CatConfig(max_items=3), now=T0).to_dict()
    with pytest.raises(ValueError, match="stopped: must be one of"):
        CatState.from_dict({**data, "stopped": "bored"})
    with pytest.raises(ValueError, match="started_at"):
        CatState.from_dict({**data, "started_at": "2025-01-01T00:00:00"})


def test_performance_by_section_summarises_each_section() -> None:
    from assay.cat import performance_by_section

    state = start(CatConfig(max_items=10), now=T0)
    rows = [("add", True, 5.0), ("add", True, 7.0), ("sub", False, 20.0), ("add", False, None)]
    for i, (section, ok, secs) in enumerate(rows):
        item = ItemParams(f"q{i}", a=1.2, b=0.0, section_id=section)
        state = record_response(state, item=item, correct=ok, now=T0, response_time_s=secs)
    perf = performance_by_section(state)
    assert list(perf) == ["add", "sub"]
    add, sub = perf["add"], perf["sub"]
    assert (add.items_attempted, add.items_correct, add.avg_time_s) == (3, 2, 6.0)
    assert add.accuracy == pytest.approx(2 / 3)
    assert add.theta == pytest.approx(estimate_theta([1, 1, 0], a=1.2, b=0.0).theta)
    assert (sub.items_attempted, sub.accuracy, sub.avg_time_s) == (1, 0.0, 20.0)
    assert sub.theta < 0 < add.theta
    assert set(add.to_dict()) == {
        "section_id",
        "items_attempted",
        "items_correct",
        "accuracy",
        "avg_time_s",
        "theta",
        "se",
    }
