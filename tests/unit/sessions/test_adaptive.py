"""Pure parts of adaptive sessions: item parameters, the CAT configuration, the template bank,
syncing answers into the CAT state, and the results' ability estimate."""

from __future__ import annotations

import doctest
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from assay.cat import CatState, Stop, start
from assay.cat.irt import estimate_theta
from assay.items import load_catalog
from assay.items.instance import ItemInstance
from assay.sessions import ability, adaptive
from assay.sessions.ability import (
    DifficultyMapping,
    ItemCalibration,
    TemplateParams,
    item_params,
    template_key,
)
from assay.sessions.results import ServedItem, compute_results
from assay.sessions.sources import ItemSourceError
from assay.sessions.status import SessionStatus
from assay.sessions.store import ItemRow, SessionRow

CATALOG = load_catalog()
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def mc(
    difficulty: float, *, n_options: int = 4, skill: str = "S", section: str = "A"
) -> ItemInstance:
    options = [str(i) for i in range(n_options)]
    return ItemInstance(
        item_id=f"q{difficulty}",
        skill_id=skill,
        section_id=section,
        stem="?",
        options=options,
        correct_index=0,
        correct_answer="0",
        difficulty=difficulty,
    )


def free(difficulty: float, *, skill: str = "S") -> ItemInstance:
    return ItemInstance(
        item_id="f",
        skill_id=skill,
        item_type="free_text",
        stem="?",
        correct_answer="1",
        difficulty=difficulty,
    )


CAL = ItemCalibration(
    calibration_id="cal_1",
    templates={template_key("S", 0.6): TemplateParams(a=1.8, b=0.9, n=50)},
    mapping=DifficultyMapping(intercept=0.2, slope=1.5, a=1.3),
)


@pytest.mark.parametrize(
    ("item", "calibration", "expected"),
    [
        # seed 13.6 worked example: d = 0.60, 4 options -> b = ln(1.5), c = 1/4
        (mc(0.6), None, (1.0, math.log(0.6 / 0.4), 0.25)),
        (mc(0.5, n_options=5), None, (1.0, 0.0, 0.2)),
        (free(0.3), None, (1.0, math.log(0.3 / 0.7), 0.0)),
        (free(1.0), None, (1.0, math.log(0.99 / 0.01), 0.0)),  # clipped to 0.99
        (free(0.0), None, (1.0, math.log(0.01 / 0.99), 0.0)),
        (mc(0.6), CAL, (1.8, 0.9, 0.0)),  # rule 1: the template was calibrated
        (mc(0.3), CAL, (1.3, 0.2 + 1.5 * math.log(0.3 / 0.7), 0.0)),  # rule 2: the mapping
        (mc(0.3), ItemCalibration("c", {}, None), (1.0, math.log(0.3 / 0.7), 0.25)),  # rule 3
    ],
)
def test_item_params_rules(
    item: ItemInstance, calibration: ItemCalibration | None, expected: tuple[float, float, float]
) -> None:
    p = item_params(item, calibration=calibration)
    assert (p.a, p.b, p.c) == pytest.approx(expected)
    assert p.item_id == item.item_id and p.section_id == item.section_id


@pytest.mark.parametrize(("d", "band"), [(0.3, "easy"), (0.55, "medium"), (0.7, "hard")])
def test_item_params_band_is_the_items_band(d: float, band: str) -> None:
    assert item_params(mc(d)).band == band


def test_calibration_round_trips_through_json() -> None:
    assert ItemCalibration.from_dict(CAL.to_dict()) == CAL
    assert ItemCalibration.from_dict(ItemCalibration("x").to_dict()) == ItemCalibration("x")


def test_module_examples_hold() -> None:
    from assay.sessions import calibration

    for module in (ability, calibration):
        assert doctest.testmod(module).failed == 0
        assert all(hasattr(module, n) for n in module.__all__)
    assert all(hasattr(adaptive, n) for n in adaptive.__all__)


@pytest.mark.parametrize("assessment_id", ["MATH-CAT", "MATH-FUNDAMENTALS-L1", "NET-SUBNET-L1"])
def test_cat_config_follows_the_blueprint(assessment_id: str) -> None:
    assessment = CATALOG.assessment(assessment_id)
    cfg = adaptive.cat_config(assessment)
    assert cfg.max_items == assessment.total_items
    assert cfg.min_items == len(assessment.sections)
    assert cfg.se_target == 0.3 and cfg.randomesque_k == 1
    assert cfg.content is not None
    # Sections are balanced; difficulty bands are not (no band quota in an adaptive test).
    assert [
        (s.section_id, s.item_count, dict(s.difficulty_distribution)) for s in cfg.content.sections
    ] == [(s.section_id, s.item_count, {}) for s in assessment.sections]


@pytest.mark.parametrize("assessment_id", ["MATH-CAT", "NET-SUBNET-L1"])
def test_every_template_generates_an_item_at_its_difficulty(assessment_id: str) -> None:
    assessment = CATALOG.assessment(assessment_id)
    bank = adaptive.build_bank(assessment, CATALOG, calibration=None)
    assert len(bank.bank) == len(bank.templates) and bank.bank.reusable
    sections = {s.section_id for s in assessment.sections}
    for i, (template_id, t) in enumerate(bank.templates.items()):
        assert t.section_id in sections and bank.bank.section_ids[i] == t.section_id
        item = adaptive.instantiate(t, catalog=CATALOG, seed=i, served=[])
        assert item.difficulty == pytest.approx(t.difficulty), template_id
        assert item.difficulty_band == bank.bank.bands[i]
        assert item.section_id == t.section_id and item.skill_id in t.skill_ids
        # the bank's parameters are the ones the generated item gets
        p = item_params(item)
        j = bank.bank.index(template_id)
        assert (p.a, p.b, p.c) == pytest.approx((bank.bank.a[j], bank.bank.b[j], bank.bank.c[j]))


def test_bank_uses_the_calibration() -> None:
    assessment = CATALOG.assessment("MATH-CAT")
    cal = ItemCalibration("c", {}, DifficultyMapping(intercept=0.5, slope=2.0, a=2.2))
    bank = adaptive.build_bank(assessment, CATALOG, calibration=cal).bank
    assert np.allclose(bank.a, 2.2) and np.allclose(bank.c, 0.0)
    assert np.all(bank.b >= 0.5 + 2.0 * math.log(0.01 / 0.99) - 1e-9)


def row(n: int, item: ItemInstance, correct: bool | None) -> ItemRow:
    answered = correct is not None
    return ItemRow(
        item_number=n,
        item=item,
        served_tool_call_id=f"s{n}",
        presented_tool_call_id=f"p{n}",
        presented_at=NOW + timedelta(seconds=10 * n),
        response={"index": 0} if answered else None,
        respond_result=None,
        responded_at=NOW + timedelta(seconds=10 * n + 4) if answered else None,
        time_taken_ms=4000 if answered else None,
        correct=correct,
        score=None if not answered else float(bool(correct)),
        recorded_at=None,
    )


def generated(n: int, difficulty: float, section: str) -> ItemInstance:
    return mc(difficulty, section=section).model_copy(update={"item_id": f"gen_{n}"})


def test_apply_responses_is_idempotent_and_skips_unanswered() -> None:
    state = start(adaptive.cat_config(CATALOG.assessment("MATH-QUIZ-10")), now=NOW)
    rows = [
        row(1, generated(1, 0.3, "addition"), True),
        row(2, generated(2, 0.6, "subtraction"), False),
        row(3, generated(3, 0.7, "addition"), True),
        row(4, generated(4, 0.5, "division"), None),  # served, not answered
    ]
    once = adaptive.apply_responses(state, rows, calibration=None)
    twice = adaptive.apply_responses(once, rows, calibration=None)
    again = adaptive.apply_responses(CatState.from_dict(once.to_dict()), rows, calibration=None)
    assert [a.item.item_id for a in once.answered] == ["gen_1", "gen_2", "gen_3"]
    assert twice.n_items == again.n_items == 3
    assert (twice.theta, twice.se) == (once.theta, once.se)
    assert [a.response_time_s for a in once.answered] == [4.0, 4.0, 4.0]
    est = estimate_theta(
        [1, 0, 1],
        a=[1.0] * 3,
        b=[math.log(d / (1 - d)) for d in (0.3, 0.6, 0.7)],
        c=[0.25] * 3,
    )
    assert (once.theta, once.se) == pytest.approx((est.theta, est.se), abs=1e-6)


def test_results_theta_is_the_eap_of_the_answered_items() -> None:
    items = [
        ServedItem(
            item_number=n,
            item=generated(n, d, sec),
            response=None if ok is None else {"index": 0 if ok else 1},
            correct=ok,
            score=None if ok is None else float(ok),
        )
        for n, (d, sec, ok) in enumerate(
            [(0.3, "A", True), (0.6, "A", False), (0.7, "B", True), (0.5, "B", None)], start=1
        )
    ]
    r = compute_results(items=items, total_items=4, sections=["A", "A", "B", "B"])
    b = [math.log(d / (1 - d)) for d in (0.3, 0.6, 0.7)]
    overall = estimate_theta([1, 0, 1], a=[1.0] * 3, b=b, c=[0.25] * 3)
    a_only = estimate_theta([1, 0], a=[1.0] * 2, b=b[:2], c=[0.25] * 2)
    b_only = estimate_theta([1], a=[1.0], b=b[2:], c=[0.25])
    assert (r["theta"], r["se"]) == pytest.approx((overall.theta, overall.se))
    assert r["calibration_id"] is None
    assert r["section_ability"] == [
        {
            "section_id": "A",
            "theta": pytest.approx(a_only.theta),
            "se": pytest.approx(a_only.se),
            "n_items": 2,
        },
        {
            "section_id": "B",
            "theta": pytest.approx(b_only.theta),
            "se": pytest.approx(b_only.se),
            "n_items": 1,
        },
    ]


def test_results_of_a_section_without_answers_have_no_ability() -> None:
    items = [ServedItem(item_number=1, item=generated(1, 0.4, "A"))]
    r = compute_results(items=items, total_items=2, sections=["A", "B"])
    assert r["section_ability"] == [
        {"section_id": "A", "theta": None, "se": None, "n_items": 0},
        {"section_id": "B", "theta": None, "se": None, "n_items": 0},
    ]
    assert (r["theta"], r["se"]) == pytest.approx((0.0, 1.0), abs=1e-6)  # the prior


def test_template_draws_are_reproducible() -> None:
    assessment = CATALOG.assessment("MATH-CAT")
    t = next(iter(adaptive.build_bank(assessment, CATALOG, calibration=None).templates.values()))
    served = [row(1, adaptive.instantiate(t, catalog=CATALOG, seed=5, served=[]), True)]
    first = adaptive.instantiate(t, catalog=CATALOG, seed=5, served=served)
    second = adaptive.instantiate(t, catalog=CATALOG, seed=5, served=served)
    assert first == second and first.stem != served[0].item.stem


def test_skills_tied_at_a_difficulty_share_one_template_and_take_turns() -> None:
    assessment = CATALOG.assessment("MATH-CAT")
    bank = adaptive.build_bank(assessment, CATALOG, calibration=None)
    keys = [(t.section_id, t.difficulty) for t in bank.templates.values()]
    assert len(keys) == len(set(keys))  # one template per section and difficulty (IRT-lite)
    shared = [t for t in bank.templates.values() if len(t.skill_ids) > 1]
    assert shared, "MATH-CAT has skills with equal scenario difficulties"
    for t in shared:
        served: list[ItemRow] = []
        for n in range(1, 13):
            item = adaptive.instantiate(t, catalog=CATALOG, seed=3, served=served)
            served.append(row(n, item, True))
        assert {r.item.skill_id for r in served} == set(t.skill_ids)
        assert len({r.item.stem for r in served}) == len(served)


def test_calibrated_templates_of_tied_skills_stay_apart() -> None:
    assessment = CATALOG.assessment("MATH-CAT")
    lite = adaptive.build_bank(assessment, CATALOG, calibration=None)
    t = next(t for t in lite.templates.values() if len(t.skill_ids) > 1)
    key = template_key(t.skill_ids[0], t.difficulty)
    cal = ItemCalibration("c", {key: TemplateParams(a=2.0, b=0.1, n=80)}, None)
    bank = adaptive.build_bank(assessment, CATALOG, calibration=cal)
    mine = [
        x
        for x in bank.templates.values()
        if x.section_id == t.section_id and x.difficulty == t.difficulty
    ]
    assert sorted(x.skill_ids for x in mine) == sorted([(t.skill_ids[0],), t.skill_ids[1:]])


def adaptive_session(assessment_id: str, *, seed: int = 1) -> SessionRow:
    doc = adaptive.initial_state(
        CATALOG.assessment(assessment_id), algorithm="adaptive", calibration=None, now=NOW
    )
    return SessionRow(
        id="sess_1",
        user_id="u",
        session_type="evaluation",
        status=SessionStatus.ACTIVE,
        driver="script",
        title="t",
        blueprint_id=assessment_id,
        config={},
        plan=[],
        total_items=CATALOG.assessment(assessment_id).total_items,
        time_limit_s=None,
        seed=seed,
        pending_action=None,
        end_reason=None,
        version=1,
        created_at=NOW,
        started_at=NOW,
        deadline_at=None,
        ended_at=None,
        cat_state=doc,
    )


def test_choice_is_a_function_of_the_stored_state_and_the_seed() -> None:
    session = adaptive_session("MATH-CAT", seed=4)
    first = adaptive.choose_item(session, [], catalog=CATALOG, now=NOW)
    again = adaptive.choose_item(session, [], catalog=CATALOG, now=NOW + timedelta(hours=1))
    assert first.item is not None and first.item == again.item
    assert first.cat_state == again.cat_state
    assert first.cat_state["state"]["pending"] == first.decision.item.item_id  # type: ignore[union-attr]
    other = adaptive.choose_item(
        session.model_copy(update={"seed": 5}), [], catalog=CATALOG, now=NOW
    )
    assert other.item is not None and other.item.item_id != first.item.item_id


def test_a_template_without_new_stems_is_set_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    session = adaptive_session("MATH-QUIZ-10")
    best = adaptive.choose_item(session, [], catalog=CATALOG, now=NOW)
    assert not isinstance(best.decision, Stop)
    exhausted = {best.decision.item.item_id}
    real = adaptive.instantiate

    def instantiate(template: adaptive.Template, **kwargs: Any) -> ItemInstance:
        if template.template_id in exhausted:
            raise ItemSourceError("no new stem")
        return real(template, **kwargs)

    monkeypatch.setattr(adaptive, "instantiate", instantiate)
    choice = adaptive.choose_item(session, [], catalog=CATALOG, now=NOW)
    assert choice.item is not None
    state = CatState.from_dict(choice.cat_state["state"])
    assert state.excluded == tuple(exhausted) and state.pending not in exhausted
    bank = adaptive.build_bank(CATALOG.assessment("MATH-QUIZ-10"), CATALOG, calibration=None)
    exhausted.update(bank.templates)
    stopped = adaptive.choose_item(session, [], catalog=CATALOG, now=NOW)
    assert isinstance(stopped.decision, Stop) and stopped.decision.reason == "bank_exhausted"
    assert stopped.item is None and stopped.cat_state["state"]["stopped"] == "bank_exhausted"
