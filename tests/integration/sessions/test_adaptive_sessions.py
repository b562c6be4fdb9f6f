"""Adaptive (CAT) evaluation sessions through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pydantic
import pytest
import sqlalchemy as sa
from tests.integration.sessions.helpers import events, next_action, request

from assay.cat import CatState, information
from assay.cat.irt import estimate_theta
from assay.items import load_catalog
from assay.items.instance import ItemInstance
from assay.llm.messages import Message, ToolCall
from assay.sessions import ScriptDriver, SessionService, adaptive, store
from assay.sessions.ability import DifficultyMapping, ItemCalibration, TemplateParams
from assay.sessions.calibration import CalibrationReport, save_calibration
from assay.sessions.driver import DriverContext, DriverTurn, script_next_call
from assay.sessions.tables import irt_calibrations, sessions
from assay.storage import Database, utcnow

CATALOG = load_catalog()
CAT_ID = "MATH-CAT"


def lite_params(item: ItemInstance) -> tuple[float, float, float]:
    """IRT-lite by hand (seed 13.6): a = 1, b = logit(d clipped), c = 1/k for multiple choice."""
    d = min(max(item.difficulty, 0.01), 0.99)
    c = 1.0 / len(item.options) if item.options else 0.0
    return 1.0, math.log(d / (1 - d)), c


def answer_for(item: ItemInstance, ok: bool) -> dict[str, Any]:
    if item.item_type == "multiple_choice":
        assert item.correct_index is not None and item.options
        return {"index": item.correct_index if ok else (item.correct_index + 1) % len(item.options)}
    return {"text": item.correct_answer if ok else "no idea"}


async def stored(db: Database, sid: str) -> tuple[store.SessionRow, list[store.ItemRow]]:
    async with db.read() as conn:
        session = await store.get_session(conn, sid)
        items = await store.get_items(conn, sid)
    assert session is not None
    return session, items


Answer = Callable[[ItemInstance, int], bool]


def student(theta: float, seed: int) -> Answer:
    """A simulated examinee answering by the 3PL with the item's IRT-lite parameters."""
    rng = random.Random(seed)

    def answer(item: ItemInstance, _n: int) -> bool:
        a, b, c = lite_params(item)
        return rng.random() < c + (1 - c) / (1 + math.exp(-a * (theta - b)))

    return answer


async def take(
    service: SessionService | Callable[[], SessionService],
    db: Database,
    *,
    user_id: str,
    sid: str,
    answer: Answer,
    on_served: Callable[[store.SessionRow, store.ItemRow], None] | None = None,
) -> list[ItemInstance]:
    """Answer until the session ends; a callable ``service`` gives a fresh one per step."""

    def svc() -> SessionService:
        return service() if callable(service) else service

    served: list[ItemInstance] = []
    while (action := await next_action(svc(), user_id=user_id, session_id=sid)) is not None:
        session, items = await stored(db, sid)
        current = items[action["item_number"] - 1]
        if on_served is not None:
            on_served(session, current)
        ok = answer(current.item, len(served))
        await svc().respond(
            user_id=user_id,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response=answer_for(current.item, ok),
        )
        served.append(current.item)
    return served


async def create(service: SessionService, user_id: str, **config: Any) -> str:
    created = await service.create(user_id=user_id, request=request(config))
    return str(created["session_id"])


def assert_results_are_eap(
    results: dict[str, Any], items: list[store.ItemRow], params: Any
) -> None:
    answered = [r for r in items if r.response is not None]
    a, b, c = zip(*(params(r.item) for r in answered), strict=True)
    est = estimate_theta([float(bool(r.correct)) for r in answered], a=a, b=b, c=c)
    assert (results["theta"], results["se"]) == pytest.approx((est.theta, est.se), abs=1e-9)
    for section in results["section_ability"]:
        mine = [r for r in answered if r.item.section_id == section["section_id"]]
        sa_, sb, sc = zip(*(params(r.item) for r in mine), strict=True)
        own = estimate_theta([float(bool(r.correct)) for r in mine], a=sa_, b=sb, c=sc)
        assert (section["theta"], section["se"]) == pytest.approx((own.theta, own.se), abs=1e-9)
        assert section["n_items"] == len(mine)


async def test_math_cat_stops_on_se_with_content_balance(
    service: SessionService, alice: str, db: Database
) -> None:
    sid = await create(service, alice, blueprint_id=CAT_ID, seed=11)
    session, _ = await stored(db, sid)
    assert adaptive.is_adaptive(session) and session.total_items == 60
    checked: list[str] = []

    def check_choice(session: store.SessionRow, row: store.ItemRow) -> None:
        # The stored state is the one the item was chosen with: its pending template is the
        # most urgent content group's, among the 3 most informative there at that theta.
        if row.item.item_id in checked:
            return
        checked.append(row.item.item_id)
        state = adaptive.state_of(session)
        assert state.pending is not None and state.n_items == row.item_number - 1
        bank = adaptive.build_bank(CATALOG.assessment(CAT_ID), CATALOG, calibration=None)
        template = bank.templates[state.pending]
        assert row.item.skill_id in template.skill_ids
        assert template.section_id == row.item.section_id
        assert row.item.difficulty == pytest.approx(template.difficulty)
        assert state.config.content is not None
        groups = state.config.content.groups(
            (x.item.section_id, x.item.band) for x in state.answered
        )
        group = groups[0]
        assert group == (template.section_id, None)  # a section, never a band quota
        members = [i for i in range(len(bank.bank)) if bank.bank.section_ids[i] == group[0]]
        a, b, c = bank.bank.a, bank.bank.b, bank.bank.c
        info = information(state.theta, a[members], b[members], c[members])
        j = bank.bank.index(state.pending)
        mine = float(information(state.theta, a[j], b[j], c[j]))
        assert int(np.sum(info > mine + 1e-12)) < state.config.randomesque_k

    served = await take(
        service, db, user_id=alice, sid=sid, answer=student(0.5, seed=3), on_served=check_choice
    )
    # Free-text items (c = 0), a = 1: SE 0.3 is reached before max_items (60) at theta 0.5.
    n = len(served)
    assert 30 < n < 60 and len(checked) == n
    assert len({i.stem for i in served}) == n
    assert all(i.item_type == "free_text" for i in served)
    session, items = await stored(db, sid)
    assert session.status.value == "completed" and session.end_reason == "se_target"
    state = adaptive.state_of(session)
    assert state.stopped == "se_target" and state.se < 0.3
    assert [a.item.item_id for a in state.answered] == [r.item.item_id for r in items]
    # content balance: every section within one item of its share; no band quota
    assessment = CATALOG.assessment(CAT_ID)
    by_section = Counter(i.section_id for i in served)
    total = sum(s.item_count for s in assessment.sections)
    for s in assessment.sections:
        assert abs(by_section[s.section_id] - s.item_count / total * n) <= 1
    results = await service.results(user_id=alice, session_id=sid)
    assert results["stop_reason"] == "se_target" and results["total"] == results["answered"] == n
    assert results["score"] == pytest.approx(results["correct_count"] / n)
    assert results["calibration_id"] is None
    assert_results_are_eap(results, items, lite_params)


async def test_abler_students_get_harder_items(
    service: SessionService, alice: str, db: Database
) -> None:
    mean_b = {}
    for theta in (-2.0, 2.0):
        sid = await create(service, alice, blueprint_id=CAT_ID, seed=21)
        served = await take(service, db, user_id=alice, sid=sid, answer=student(theta, seed=4))
        mean_b[theta] = float(np.mean([lite_params(i)[1] for i in served]))
    assert mean_b[2.0] > mean_b[-2.0] + 0.3


async def store_calibration(db: Database, *, a: float, blueprint_id: str | None) -> str:
    cal = ItemCalibration(
        calibration_id="",
        templates={"MATH.ARITH.ADD.1DIGIT@0.2000": TemplateParams(a=a, b=-1.0, n=40)},
        mapping=DifficultyMapping(intercept=0.0, slope=1.0, a=a),
    )
    report = CalibrationReport(
        calibration=cal, fits=(), n_sessions=40, n_responses=400, skipped=0, converged=True
    )
    async with db.transaction() as conn:
        saved = await save_calibration(conn, report, blueprint_id=blueprint_id, now=utcnow())
    return saved.calibration_id


def calibrated_params(a: float) -> Callable[[ItemInstance], tuple[float, float, float]]:
    def params(item: ItemInstance) -> tuple[float, float, float]:
        if (item.skill_id, round(item.difficulty, 4)) == ("MATH.ARITH.ADD.1DIGIT", 0.2):
            return a, -1.0, 0.0
        return a, lite_params(item)[1], 0.0

    return params


async def test_calibrated_session_stops_on_se_and_completes(
    service: SessionService, alice: str, db: Database
) -> None:
    cal_id = await store_calibration(db, a=2.5, blueprint_id=CAT_ID)
    sid = await create(service, alice, blueprint_id=CAT_ID, seed=5)
    session, _ = await stored(db, sid)
    snapshot = adaptive.calibration_of(session)
    assert snapshot is not None and snapshot.calibration_id == cal_id
    served = await take(service, db, user_id=alice, sid=sid, answer=student(0.0, seed=9))
    session, items = await stored(db, sid)
    state = adaptive.state_of(session)
    assert state.stopped == "se_target" and state.se < 0.3
    assert len(CATALOG.assessment(CAT_ID).sections) <= len(served) < 30
    assert session.status.value == "completed" and session.end_reason == "se_target"
    results = await service.results(user_id=alice, session_id=sid)
    assert results["stop_reason"] == "se_target" and results["calibration_id"] == cal_id
    assert results["total"] == results["answered"] == len(served)
    assert sum(s["total"] for s in results["sections"]) == len(served)
    assert_results_are_eap(results, items, calibrated_params(2.5))
    # the sessions' own CAT estimate agrees with the results (same data, same prior)
    assert (state.theta, state.se) == pytest.approx((results["theta"], results["se"]), abs=1e-3)


class EagerDriver:
    """Calls complete_session after every recorded answer, then follows the script."""

    name = "eager"
    atomic = False

    async def next_turn(self, context: DriverContext) -> DriverTurn:
        last = context.messages[-1]
        if last.role == "tool" and last.name == "record_response":
            call = ToolCall(
                id=f"done_{len(context.messages)}", name="complete_session", arguments="{}"
            )
        else:
            call = script_next_call(context.messages)
        return DriverTurn(message=Message.assistant(None, [call]))


async def test_complete_is_refused_until_the_cat_stops(
    make_service: Callable[..., SessionService], alice: str, db: Database
) -> None:
    service = make_service(drivers={"script": ScriptDriver(), "eager": EagerDriver()})
    await store_calibration(db, a=2.5, blueprint_id=None)  # the global calibration applies
    sid = await create(service, alice, blueprint_id=CAT_ID, seed=8)
    async with db.transaction() as conn:
        await conn.execute(sessions.update().where(sessions.c.id == sid).values(driver="eager"))
    served = await take(service, db, user_id=alice, sid=sid, answer=student(0.0, seed=2))
    async with db.read() as conn:
        messages = await store.get_messages(conn, sid)
    outcomes = [
        json.loads(m.content or "{}")["success"] for m in messages if m.name == "complete_session"
    ]
    # refused after each answer while the test goes on, accepted once the CAT has stopped
    assert outcomes == [False] * (len(served) - 1) + [True]
    session, _ = await stored(db, sid)
    assert session.status.value == "completed" and session.end_reason == "se_target"


async def test_fresh_loops_after_every_step_choose_the_same_items(
    make_service: Callable[..., SessionService], alice: str, db: Database
) -> None:
    def fixed_answers(_item: ItemInstance, n: int) -> bool:
        return n % 3 != 2

    reference = await create(make_service(), alice, blueprint_id=CAT_ID, seed=99)
    ref_items = await take(make_service(), db, user_id=alice, sid=reference, answer=fixed_answers)
    resumed = await create(make_service(), alice, blueprint_id=CAT_ID, seed=99)
    items = await take(make_service, db, user_id=alice, sid=resumed, answer=fixed_answers)
    assert [i.stem for i in items] == [i.stem for i in ref_items]
    assert [i.item_id for i in items] == [i.item_id for i in ref_items]


async def test_crash_inside_the_choice_transaction_replays_the_same_choice(
    make_service: Callable[..., SessionService], alice: str, db: Database
) -> None:
    def answers(_item: ItemInstance, n: int) -> bool:
        return n % 2 == 0

    reference = await create(make_service(), alice, blueprint_id=CAT_ID, seed=42)
    ref_items = await take(make_service(), db, user_id=alice, sid=reference, answer=answers)

    crashing = make_service()
    crashes: list[int] = []
    original = crashing.loop._get_next_item

    async def crash_after_choosing(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        served_row = result[1]
        if served_row is not None and served_row.item_number in {1, 5, 12} - set(crashes):
            crashes.append(served_row.item_number)
            raise RuntimeError("crash")
        return result

    crashing.loop._get_next_item = crash_after_choosing  # type: ignore[method-assign]
    sid = await create(crashing, alice, blueprint_id=CAT_ID, seed=42)
    served: list[ItemInstance] = []
    while True:
        evs = await events(crashing, user_id=alice, session_id=sid)
        if evs[-1] == ("error", {"error": "loop_failed", "message": "RuntimeError: crash"}):
            continue  # the step's transaction rolled back; the next stream replays it
        if evs[-1][0] == "session_completed":
            break
        assert [n for n, _ in evs[-2:]] == ["client_action", "run_suspended"], evs
        action = evs[-2][1]
        _, rows = await stored(db, sid)
        item = rows[action["item_number"] - 1].item
        for _ in range(2):  # a repeated respond is applied once
            await crashing.respond(
                user_id=alice,
                session_id=sid,
                tool_call_id=action["tool_call_id"],
                response=answer_for(item, answers(item, len(served))),
            )
        served.append(item)
    assert crashes == [1, 5, 12]
    assert [i.stem for i in served] == [i.stem for i in ref_items]
    session, rows = await stored(db, sid)
    state = adaptive.state_of(session)
    ids = [a.item.item_id for a in state.answered]
    assert ids == [r.item.item_id for r in rows] and len(set(ids)) == len(ids) == len(ref_items)
    restored = CatState.from_dict(session.cat_state["state"])  # type: ignore[index]
    assert restored.n_items == len(ref_items)


async def test_session_config_overrides_the_selection_algorithm(
    service: SessionService, alice: str, db: Database
) -> None:
    sid = await create(
        service, alice, blueprint_id="MATH-QUIZ-10", seed=3, item_selection_algorithm="adaptive"
    )
    session, _ = await stored(db, sid)
    assert adaptive.is_adaptive(session) and session.total_items == 10
    served = await take(service, db, user_id=alice, sid=sid, answer=student(0.0, seed=1))
    assert Counter(i.section_id for i in served) == {
        s.section_id: s.item_count for s in CATALOG.assessment("MATH-QUIZ-10").sections
    }
    fixed = await create(service, alice, blueprint_id="MATH-FUNDAMENTALS-L1", seed=3)
    pool = await create(
        service,
        alice,
        blueprint_id="MATH-FUNDAMENTALS-L1",
        seed=3,
        item_selection_algorithm="random_from_pool",
    )
    (fixed_row, _), (pool_row, _) = await stored(db, fixed), await stored(db, pool)
    assert fixed_row.cat_state is None and pool_row.cat_state is None
    assert pool_row.config["item_selection_algorithm"] == "random_from_pool"
    bands = [[slot["band"] for slot in row.plan] for row in (fixed_row, pool_row)]
    assert sorted(bands[0]) == sorted(bands[1]) and bands[0] != bands[1]
    with pytest.raises(pydantic.ValidationError, match="item_selection_algorithm"):
        request(
            {
                "items": [{"stem": "2+2?", "options": ["3", "4"], "correct": 1}],
                "item_selection_algorithm": "adaptive",
            }
        )


async def test_fixed_session_results_carry_theta_and_se(
    service: SessionService, alice: str, db: Database
) -> None:
    plain = await create(service, alice, blueprint_id="MATH-QUIZ-10", seed=4)
    await take(service, db, user_id=alice, sid=plain, answer=student(0.3, seed=6))
    _, items = await stored(db, plain)
    results = await service.results(user_id=alice, session_id=plain)
    assert "stop_reason" not in results and results["calibration_id"] is None
    assert results["total"] == 10
    assert_results_are_eap(results, items, lite_params)

    cal_id = await store_calibration(db, a=1.7, blueprint_id="MATH-QUIZ-10")
    calibrated = await create(service, alice, blueprint_id="MATH-QUIZ-10", seed=4)
    session, _ = await stored(db, calibrated)
    assert session.cat_state == {
        "algorithm": "fixed",
        "calibration": adaptive.calibration_of(session).to_dict(),  # type: ignore[union-attr]
    }
    await take(service, db, user_id=alice, sid=calibrated, answer=student(0.3, seed=6))
    _, items = await stored(db, calibrated)
    results = await service.results(user_id=alice, session_id=calibrated)
    assert results["calibration_id"] == cal_id
    assert_results_are_eap(results, items, calibrated_params(1.7))


async def test_schema_has_the_cat_column_and_the_calibrations_table(db: Database) -> None:
    def columns(sync_conn: Any, table: str) -> dict[str, bool]:
        return {c["name"]: c["nullable"] for c in sa.inspect(sync_conn).get_columns(table)}

    async with db.read() as conn:
        session_cols = await conn.run_sync(columns, "sessions")
        cal_cols = await conn.run_sync(columns, "irt_calibrations")
    assert session_cols["cat_state"] is True
    assert cal_cols == {c.name: c.nullable for c in irt_calibrations.columns}


async def test_expired_adaptive_session_reports_the_time_limit(
    service: SessionService, alice: str, db: Database, clock: Any
) -> None:
    sid = await create(service, alice, blueprint_id=CAT_ID, seed=2, time_limit_minutes=1)
    answers = student(0.0, seed=1)
    for _ in range(3):
        action = await next_action(service, user_id=alice, session_id=sid)
        assert action is not None
        _, rows = await stored(db, sid)
        item = rows[action["item_number"] - 1].item
        await service.respond(
            user_id=alice,
            session_id=sid,
            tool_call_id=action["tool_call_id"],
            response=answer_for(item, answers(item, 0)),
        )
    clock.advance(61)
    assert await next_action(service, user_id=alice, session_id=sid) is None
    results = await service.results(user_id=alice, session_id=sid)
    assert results["status"] == "expired" and results["stop_reason"] == "time_limit"
    assert results["total"] == results["answered"] == 3
    _, items = await stored(db, sid)
    assert_results_are_eap(results, items, lite_params)
