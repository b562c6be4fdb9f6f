"""Re-estimating item parameters from stored responses (seed 002 §13.6 "continuously refined
from response data"): what ``assay calibrate`` runs.

Steps:

1. **Responses.** Every answered generated item of the stored sessions (of one blueprint, or
   all) is a 0/1 response of a *person* (the session: one administration) to a *template*
   (:func:`assay.sessions.ability.template_key`: the skill and the computed difficulty of its
   scenario; generated items themselves never repeat). A template met twice in a session
   counts its first response only (one cell per person and template).
2. **Filter.** Templates with fewer than ``min_responses`` responses, or with only correct or
   only wrong ones (no finite 2PL estimate), are left out; at least
   :data:`MIN_TEMPLATES` must remain, else :class:`CalibrationError`.
3. **2PL.** :func:`assay.cat.calibrate_2pl` (Bock-Aitkin marginal maximum likelihood, N(0, 1)
   population) on the persons x templates matrix, NaN where a person did not meet a template.
4. **Difficulty mapping.** Least squares of the calibrated ``b`` on ``logit(d)``:
   ``b = intercept + slope * logit(d)`` (IRT-lite is ``0 + 1 * logit(d)`` with ``a = 1``), with
   ``a`` the median calibrated discrimination; it prices templates too rare to calibrate.
   It needs two distinct difficulties; otherwise the mapping is left out.

Worked example: templates at ``d = 0.3, 0.5, 0.7`` (``logit(d) = -0.847, 0, 0.847``)
calibrated to ``b = -1.2, 0.1, 1.4`` give ``slope = 1.534``, ``intercept = 0.1``: items are
harder to tell apart than IRT-lite assumed, and slightly harder on average.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.cat import calibrate_2pl
from assay.sessions.ability import (
    DifficultyMapping,
    ItemCalibration,
    TemplateParams,
    logit,
    template_key,
)
from assay.sessions.tables import irt_calibrations, session_items, sessions
from assay.storage import Database, new_id

__all__ = [
    "MIN_TEMPLATES",
    "CalibrationError",
    "CalibrationReport",
    "Response",
    "TemplateFit",
    "calibrate",
    "fit_calibration",
    "fit_mapping",
    "latest_calibration",
    "load_responses",
    "response_matrix",
    "save_calibration",
]

#: Fewest templates a calibration fits (a 2PL on one item is not identified against N(0, 1)).
MIN_TEMPLATES = 2


class CalibrationError(ValueError):
    """Too few responses to calibrate; the message names the rule that failed."""


@dataclass(frozen=True, slots=True)
class Response:
    """One stored response: who (session), to which template, and whether it was correct."""

    session_id: str
    skill_id: str
    difficulty: float
    correct: bool

    @property
    def template(self) -> str:
        """The template key (:func:`assay.sessions.ability.template_key`)."""
        return template_key(self.skill_id, self.difficulty)


@dataclass(frozen=True, slots=True)
class TemplateFit:
    """One calibrated template.

    Attributes:
        template: Template key.
        difficulty: Computed difficulty of its scenario.
        n: Responses.
        p_value: Share correct (classical test theory item difficulty).
        a: 2PL discrimination.
        b: 2PL difficulty (logits).
        b_lite: The IRT-lite ``b`` of the difficulty, for comparison.
    """

    template: str
    difficulty: float
    n: int
    p_value: float
    a: float
    b: float
    b_lite: float


@dataclass(frozen=True)
class CalibrationReport:
    """A fitted calibration.

    Attributes:
        calibration: What sessions score with (templates and mapping).
        fits: Per template, sorted by key.
        n_sessions: Persons in the matrix.
        n_responses: Responses in the matrix.
        skipped: Templates left out (too few responses, or no variation).
        converged: Whether the EM converged.
    """

    calibration: ItemCalibration
    fits: tuple[TemplateFit, ...]
    n_sessions: int
    n_responses: int
    skipped: int
    converged: bool


def response_matrix(
    responses: Iterable[Response],
) -> tuple[list[str], list[str], dict[str, float], npt.NDArray[np.float64]]:
    """Persons x templates of 0/1, NaN where not met (first response per cell).

    Returns:
        ``(session_ids, template_keys, difficulty_by_template, matrix)``.
    """
    persons: dict[str, int] = {}
    templates: dict[str, int] = {}
    difficulty: dict[str, float] = {}
    cells: dict[tuple[int, int], float] = {}
    for r in responses:
        i = persons.setdefault(r.session_id, len(persons))
        j = templates.setdefault(r.template, len(templates))
        difficulty[r.template] = r.difficulty
        cells.setdefault((i, j), float(r.correct))
    matrix = np.full((len(persons), len(templates)), np.nan)
    for (i, j), value in cells.items():
        matrix[i, j] = value
    return list(persons), list(templates), difficulty, matrix


def fit_mapping(
    difficulties: Sequence[float], b: Sequence[float], a: Sequence[float]
) -> DifficultyMapping | None:
    """Least squares of ``b`` on ``logit(d)`` (module docstring); None with < 2 distinct ``d``.

    Example:
        >>> m = fit_mapping([0.3, 0.5, 0.7], [-1.2, 0.1, 1.4], [1.0, 1.2, 1.4])
        >>> round(m.slope, 3), round(m.intercept, 3), m.a
        (1.534, 0.1, 1.2)
    """
    x = np.array([logit(d) for d in difficulties])
    if len(set(np.round(x, 9))) < 2:
        return None
    slope, intercept = np.polyfit(x, np.asarray(b, dtype=np.float64), 1)
    median_a = ItemCalibration.median_a(TemplateParams(a=v, b=0.0, n=0) for v in a)
    return DifficultyMapping(intercept=float(intercept), slope=float(slope), a=float(median_a))


def fit_calibration(responses: Iterable[Response], *, min_responses: int) -> CalibrationReport:
    """Calibrate the templates of ``responses`` (steps 2-4 of the module docstring).

    Args:
        responses: Stored responses.
        min_responses: Fewest responses a template needs (>= 1).

    Returns:
        The report; its ``calibration.calibration_id`` is empty until saved.

    Raises:
        CalibrationError: Fewer than :data:`MIN_TEMPLATES` templates qualify.
        ValueError: ``min_responses`` < 1.
    """
    if min_responses < 1:
        raise ValueError("min_responses: must be >= 1")
    persons, keys, difficulty, matrix = response_matrix(responses)
    taken = ~np.isnan(matrix)
    n = taken.sum(axis=0)
    right = np.where(taken, matrix, 0.0).sum(axis=0)
    keep = np.flatnonzero((n >= min_responses) & (right > 0) & (right < n))
    if keep.size < MIN_TEMPLATES:
        raise CalibrationError(
            f"responses: {keep.size} template(s) have at least {min_responses} responses with "
            f"both correct and wrong answers ({len(keys)} templates, {len(persons)} sessions "
            f"stored); calibration needs at least {MIN_TEMPLATES}. Collect more responses or "
            "lower --min-responses."
        )
    sub = matrix[:, keep]
    fit = calibrate_2pl(sub)
    kept = [keys[j] for j in keep]
    fits = tuple(
        sorted(
            (
                TemplateFit(
                    template=key,
                    difficulty=difficulty[key],
                    n=int(n[j]),
                    p_value=float(right[j] / n[j]),
                    a=float(fit.a[col]),
                    b=float(fit.b[col]),
                    b_lite=logit(difficulty[key]),
                )
                for col, (j, key) in enumerate(zip(keep, kept, strict=True))
            ),
            key=lambda f: f.template,
        )
    )
    calibration = ItemCalibration(
        calibration_id="",
        templates={f.template: TemplateParams(a=f.a, b=f.b, n=f.n) for f in fits},
        mapping=fit_mapping([f.difficulty for f in fits], [f.b for f in fits], [f.a for f in fits]),
    )
    used = ~np.isnan(sub)
    return CalibrationReport(
        calibration=calibration,
        fits=fits,
        n_sessions=int(np.count_nonzero(used.any(axis=1))),
        n_responses=int(used.sum()),
        skipped=len(keys) - len(kept),
        converged=fit.converged,
    )


async def load_responses(conn: AsyncConnection, *, blueprint_id: str | None) -> list[Response]:
    """Stored responses to generated items, in session and item order.

    Args:
        conn: An open connection.
        blueprint_id: Only sessions of this blueprint, or None for every blueprint session.
    """
    stmt = (
        sa.select(
            session_items.c.session_id,
            session_items.c.skill_id,
            session_items.c.item,
            session_items.c.correct,
        )
        .join(sessions, sessions.c.id == session_items.c.session_id)
        .where(
            session_items.c.response.is_not(None),
            session_items.c.correct.is_not(None),
            sessions.c.blueprint_id.is_not(None),
        )
        .order_by(session_items.c.session_id, session_items.c.item_number)
    )
    if blueprint_id is not None:
        stmt = stmt.where(sessions.c.blueprint_id == blueprint_id)
    rows = (await conn.execute(stmt)).all()
    return [
        Response(
            session_id=r.session_id,
            skill_id=r.skill_id,
            difficulty=float(r.item.get("difficulty", 0.5)),
            correct=bool(r.correct),
        )
        for r in rows
    ]


async def save_calibration(
    conn: AsyncConnection, report: CalibrationReport, *, blueprint_id: str | None, now: datetime
) -> ItemCalibration:
    """Store a calibration; returns it with its new id."""
    calibration = ItemCalibration(
        calibration_id=new_id("cal"),
        templates=report.calibration.templates,
        mapping=report.calibration.mapping,
    )
    await conn.execute(
        irt_calibrations.insert().values(
            id=calibration.calibration_id,
            blueprint_id=blueprint_id,
            n_sessions=report.n_sessions,
            n_responses=report.n_responses,
            params=_params(calibration),
            created_at=now,
        )
    )
    return calibration


def _params(calibration: ItemCalibration) -> dict[str, Any]:
    doc = calibration.to_dict()
    del doc["calibration_id"]
    return doc


async def latest_calibration(
    conn: AsyncConnection, *, blueprint_id: str | None
) -> ItemCalibration | None:
    """The newest calibration of ``blueprint_id``, else the newest over all blueprints."""
    for scope in ([blueprint_id] if blueprint_id is not None else []) + [None]:
        column = irt_calibrations.c.blueprint_id
        row = (
            await conn.execute(
                sa.select(irt_calibrations.c.id, irt_calibrations.c.params)
                .where(column.is_(None) if scope is None else column == scope)
                .order_by(irt_calibrations.c.created_at.desc(), irt_calibrations.c.id.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            return ItemCalibration.from_dict({**row.params, "calibration_id": row.id})
    return None


async def calibrate(
    db: Database, *, blueprint_id: str | None, min_responses: int, now: datetime
) -> tuple[CalibrationReport, ItemCalibration]:
    """Load, fit and store a calibration (one read, then one write transaction).

    Raises:
        CalibrationError: Too few responses (nothing is stored).
    """
    async with db.read() as conn:
        responses = await load_responses(conn, blueprint_id=blueprint_id)
    report = fit_calibration(responses, min_responses=min_responses)
    async with db.transaction() as conn:
        saved = await save_calibration(conn, report, blueprint_id=blueprint_id, now=now)
    return report, saved
