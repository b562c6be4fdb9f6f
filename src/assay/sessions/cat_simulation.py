"""Simulated examinees taking an adaptive assessment through the sessions' own CAT path.

Each simulated test runs exactly what an adaptive session runs, minus the database:
:func:`assay.sessions.adaptive.initial_state` at creation, then
:func:`~assay.sessions.adaptive.choose_item` for every item (the template bank built from the
blueprint, content balancing, maximum information, the generator instantiating the template)
and :func:`~assay.sessions.adaptive.finish` for the stopping rules. The examinee answers the
served item correctly with the 3PL probability of *that item's own* parameters
(:func:`assay.sessions.ability.item_params`)::

    P(correct | theta) = c + (1 - c) / (1 + exp(-a (theta - b)))

so the simulation measures the CAT under its own model (no model misfit). Figures per true
theta (Weiss & Kingsbury 1984 for the variable-length rule; bias and RMSE as in catsim's
``Simulator``): share of tests stopped by ``se_target``, mean length, mean final SE,
``bias = mean(theta_hat - theta)``, ``rmse = sqrt(mean((theta_hat - theta)^2))``.

Worked example: at ``theta = 0`` a free-text item with ``d = 0.5`` has ``a = 1, b = 0, c = 0``
and is answered correctly with probability 0.5.

The test information curve of a bank is ``I(theta) = sum_i a_i^2 P_i Q_i (P_i - c_i)^2 /
((1 - c_i)^2 P_i)`` summed over its templates (:func:`assay.cat.information`, Lord 1980
eq. 5-23); with reusable templates it bounds no test, but shows where the pool can measure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from assay.cat import information
from assay.items import Catalog
from assay.items.instance import ItemInstance
from assay.sessions import adaptive
from assay.sessions.ability import item_params
from assay.sessions.sources import derive_seed
from assay.sessions.status import SessionStatus
from assay.sessions.store import ItemRow, SessionRow

__all__ = ["SimulatedTest", "ThetaSummary", "information_curve", "simulate_test", "summarize"]

_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
#: Simulated seconds between two answers (far inside any time limit).
_STEP_S = 1


@dataclass(frozen=True, slots=True)
class SimulatedTest:
    """One simulated adaptive test.

    Attributes:
        theta: True ability (logits).
        theta_hat: Final EAP estimate (logits).
        se: Final posterior SD (logits).
        n_items: Items answered.
        stop_reason: ``se_target``, ``max_items``, ``bank_exhausted`` or ``time_limit``.
        bands: Band of each served item, in order.
        b: IRT ``b`` of each served item, in order.
    """

    theta: float
    theta_hat: float
    se: float
    n_items: int
    stop_reason: str
    bands: tuple[str, ...]
    b: tuple[float, ...]


def _session(assessment_id: str, catalog: Catalog, seed: int) -> SessionRow:
    assessment = catalog.assessment(assessment_id)
    doc = adaptive.initial_state(assessment, algorithm="adaptive", calibration=None, now=_START)
    return SessionRow(
        id=f"sim_{seed}",
        user_id="simulated",
        session_type="evaluation",
        status=SessionStatus.ACTIVE,
        driver="script",
        title=assessment.title,
        blueprint_id=assessment_id,
        config={},
        plan=[],
        total_items=assessment.total_items,
        time_limit_s=None,
        seed=seed,
        pending_action=None,
        end_reason=None,
        version=1,
        created_at=_START,
        started_at=_START,
        deadline_at=None,
        ended_at=None,
        cat_state=doc,
    )


def _answered(number: int, row_item: ItemInstance, correct: bool) -> ItemRow:
    at = _START + timedelta(seconds=_STEP_S * number)
    return ItemRow(
        item_number=number,
        item=row_item,
        served_tool_call_id=f"s{number}",
        presented_tool_call_id=f"p{number}",
        presented_at=at,
        response={"text": row_item.correct_answer if correct else ""},
        respond_result=None,
        responded_at=at,
        time_taken_ms=_STEP_S * 1000,
        correct=correct,
        score=float(correct),
        recorded_at=at,
    )


def simulate_test(
    assessment_id: str, *, catalog: Catalog, theta: float, seed: int, max_steps: int = 500
) -> SimulatedTest:
    """One examinee of true ability ``theta`` taking the adaptive assessment.

    Args:
        assessment_id: An adaptive-capable assessment of ``catalog``.
        catalog: Blueprints.
        theta: True ability (logits).
        seed: Session seed (item generation) and answer seed.
        max_steps: Safety bound on the loop.

    Returns:
        The test's outcome.

    Raises:
        assay.items.UnknownBlueprintError: ``assessment_id`` is not in the catalog.
        RuntimeError: the CAT neither stopped nor served within ``max_steps``.
    """
    session = _session(assessment_id, catalog, seed)
    rows: list[ItemRow] = []
    rng = random.Random(derive_seed(seed, "answers"))
    for _ in range(max_steps):
        now = _START + timedelta(seconds=_STEP_S * (len(rows) + 1))
        reason, doc = adaptive.finish(session, rows, now=now)
        session = session.model_copy(update={"cat_state": doc})
        if reason is None:
            choice = adaptive.choose_item(session, rows, catalog=catalog, now=now)
            session = session.model_copy(update={"cat_state": choice.cat_state})
            if choice.item is not None:
                p = item_params(choice.item)
                prob = p.c + (1.0 - p.c) / (1.0 + math.exp(-p.a * (theta - p.b)))
                rows.append(_answered(len(rows) + 1, choice.item, rng.random() < prob))
                continue
            reason = choice.decision.reason  # type: ignore[union-attr]
        state = adaptive.state_of(session)
        return SimulatedTest(
            theta=theta,
            theta_hat=state.theta,
            se=state.se,
            n_items=state.n_items,
            stop_reason=str(reason),
            bands=tuple(str(r.item.difficulty_band) for r in rows),
            b=tuple(item_params(r.item).b for r in rows),
        )
    raise RuntimeError(f"{assessment_id}: no stop within {max_steps} steps")


@dataclass(frozen=True, slots=True)
class ThetaSummary:
    """Simulated tests at one true theta.

    Attributes:
        theta: True ability.
        n: Tests simulated.
        reached_se: Share (0-1) of tests stopped by the SE target.
        mean_length: Mean number of items.
        mean_se: Mean final SE.
        bias: ``mean(theta_hat - theta)``.
        rmse: ``sqrt(mean((theta_hat - theta)^2))``.
    """

    theta: float
    n: int
    reached_se: float
    mean_length: float
    mean_se: float
    bias: float
    rmse: float


def summarize(tests: Sequence[SimulatedTest]) -> ThetaSummary:
    """Figures of tests that share one true theta (module docstring).

    Raises:
        ValueError: ``tests`` is empty or mixes true thetas.
    """
    if not tests or len({t.theta for t in tests}) != 1:
        raise ValueError("tests: give one or more tests of the same true theta")
    err = np.array([t.theta_hat - t.theta for t in tests])
    return ThetaSummary(
        theta=tests[0].theta,
        n=len(tests),
        reached_se=sum(t.stop_reason == "se_target" for t in tests) / len(tests),
        mean_length=float(np.mean([t.n_items for t in tests])),
        mean_se=float(np.mean([t.se for t in tests])),
        bias=float(err.mean()),
        rmse=float(np.sqrt(np.mean(err**2))),
    )


def information_curve(
    assessment_id: str, *, catalog: Catalog, thetas: Sequence[float]
) -> list[tuple[float, float, float]]:
    """``(theta, pool information, best single template's information)`` at each theta.

    The pool is the assessment's IRT-lite template bank
    (:func:`assay.sessions.adaptive.build_bank`, no calibration).
    """
    bank = adaptive.build_bank(catalog.assessment(assessment_id), catalog, calibration=None).bank
    out = []
    for theta in thetas:
        info = np.asarray(information(theta, bank.a, bank.b, bank.c), dtype=float)
        out.append((float(theta), float(info.sum()), float(info.max())))
    return out
