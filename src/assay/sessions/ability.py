"""IRT parameters of served items and a session's ability estimate (seed 002 §13.6 "IRT-lite").

A generated item is never calibrated on its own (every instance is new), so its parameters
come from its generation *template*: the skill blueprint and the scenario that fixes its
computed difficulty ``d`` (:func:`template_key`, e.g. ``"MATH.ARITH.ADD.2DIGIT@0.6000"``).

Parameters, first rule that applies:

1. the template was calibrated (``assay calibrate`` stored an :class:`ItemCalibration` and the
   session took a snapshot of it): its 2PL ``a`` and ``b``, ``c = 0``;
2. the calibration fitted the blueprint's difficulty mapping: ``b = intercept + slope *
   logit(d)``, ``a`` = the calibrated templates' median ``a``, ``c = 0``;
3. IRT-lite (:func:`assay.cat.irt_lite.difficulty_to_b`): ``a = 1`` (the blueprint's assumed
   discrimination; blueprints carry none yet), ``b = logit(d) / a`` with ``d`` clipped to
   [0.01, 0.99], and ``c = 1 / len(options)`` for multiple choice (a blind guess), else 0.

The IRT-lite mapping reads ``d`` as the probability that an examinee of average ability
(``theta = 0``) fails the item, guessing aside.

Worked example (seed 002 §13.6): "47 + 38" in ``MATH.ARITH.ADD.2DIGIT`` has ``d = 0.60``; as a
4-option multiple-choice item, IRT-lite gives ``a = 1``, ``b = ln(0.60 / 0.40) = 0.405`` and
``c = 0.25``, so ``P(correct | theta = 0) = 0.25 + 0.75 * 0.40 = 0.55``.

The session's ability is the EAP estimate (Bock & Mislevy 1982; N(0, 1) prior) over its
answered items (:func:`assay.cat.irt.estimate_theta`); ``se`` is the posterior SD. A section's
ability is the same estimate over that section's items alone.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assay.cat.bank import ItemParams
from assay.cat.irt import ThetaEstimate, estimate_theta
from assay.cat.irt_lite import difficulty_to_b
from assay.items.difficulty import band_of
from assay.items.instance import ItemInstance

__all__ = [
    "DEFAULT_A",
    "DifficultyMapping",
    "ItemCalibration",
    "TemplateParams",
    "ability",
    "guessing",
    "item_params",
    "logit",
    "template_key",
    "template_params",
]

#: Discrimination assumed for a generated item when nothing is calibrated (seed 002 §13.6).
DEFAULT_A = 1.0


def template_key(skill_id: str, difficulty: float) -> str:
    """The generation template of an item: its skill and its computed difficulty.

    Example:
        >>> template_key("MATH.ARITH.ADD.2DIGIT", 0.6)
        'MATH.ARITH.ADD.2DIGIT@0.6000'
    """
    return f"{skill_id}@{difficulty:.4f}"


def logit(difficulty: float) -> float:
    """``ln(d / (1 - d))`` with ``d`` clipped to [0.01, 0.99] (the IRT-lite ``b`` at ``a = 1``).

    Example:
        >>> round(logit(0.6), 3)
        0.405
    """
    return difficulty_to_b(difficulty, a=1.0)


def guessing(item: ItemInstance) -> float:
    """IRT-lite ``c``: ``1 / len(options)`` for multiple choice, else 0."""
    if item.item_type == "multiple_choice" and item.options:
        return 1.0 / len(item.options)
    return 0.0


@dataclass(frozen=True, slots=True)
class TemplateParams:
    """Calibrated 2PL parameters of one template.

    Attributes:
        a: Discrimination.
        b: Difficulty (logits).
        n: Responses it was calibrated from.
    """

    a: float
    b: float
    n: int


@dataclass(frozen=True, slots=True)
class DifficultyMapping:
    """A blueprint's fitted map from computed difficulty to ``b``: ``b = intercept + slope *
    logit(d)``, with discrimination ``a`` (IRT-lite is ``intercept = 0, slope = 1, a = 1``).

    Attributes:
        intercept: Least-squares intercept (logits).
        slope: Least-squares slope on ``logit(d)``.
        a: Discrimination given to uncalibrated templates (the calibrated templates' median).
    """

    intercept: float
    slope: float
    a: float

    def b(self, difficulty: float) -> float:
        """``intercept + slope * logit(difficulty)``."""
        return self.intercept + self.slope * logit(difficulty)


@dataclass(frozen=True, slots=True)
class ItemCalibration:
    """What ``assay calibrate`` stored: per-template parameters and the difficulty mapping.

    Attributes:
        calibration_id: Id of the stored calibration.
        templates: ``template_key -> TemplateParams``.
        mapping: The fitted difficulty mapping, or None when it could not be fitted.
    """

    calibration_id: str
    templates: Mapping[str, TemplateParams] = field(default_factory=dict)
    mapping: DifficultyMapping | None = None

    def params(self, skill_id: str, difficulty: float) -> tuple[float, float] | None:
        """Calibrated ``(a, b)`` of a template (rule 1, else rule 2), or None."""
        found = self.templates.get(template_key(skill_id, difficulty))
        if found is not None:
            return found.a, found.b
        if self.mapping is not None:
            return self.mapping.a, self.mapping.b(difficulty)
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``params`` of a stored calibration, plus its id)."""
        return {
            "calibration_id": self.calibration_id,
            "templates": {
                k: {"a": t.a, "b": t.b, "n": t.n} for k, t in sorted(self.templates.items())
            },
            "mapping": None
            if self.mapping is None
            else {
                "intercept": self.mapping.intercept,
                "slope": self.mapping.slope,
                "a": self.mapping.a,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemCalibration:
        """Inverse of :meth:`to_dict`."""
        mapping = data.get("mapping")
        return cls(
            calibration_id=str(data.get("calibration_id", "")),
            templates={
                str(k): TemplateParams(a=float(v["a"]), b=float(v["b"]), n=int(v["n"]))
                for k, v in (data.get("templates") or {}).items()
            },
            mapping=None
            if not mapping
            else DifficultyMapping(
                intercept=float(mapping["intercept"]),
                slope=float(mapping["slope"]),
                a=float(mapping["a"]),
            ),
        )

    @staticmethod
    def median_a(templates: Iterable[TemplateParams]) -> float:
        """Median discrimination of ``templates`` (``DEFAULT_A`` when there are none)."""
        values = [t.a for t in templates]
        return statistics.median(values) if values else DEFAULT_A


def item_params(item: ItemInstance, *, calibration: ItemCalibration | None = None) -> ItemParams:
    """IRT parameters of a served item by the rules of the module docstring.

    Args:
        item: The served item (its ``skill_id``, ``difficulty``, ``options``, ``section_id``).
        calibration: The session's calibration snapshot, or None for IRT-lite.

    Returns:
        :class:`ItemParams` with the item's own id and section, and the band of its
        difficulty.

    Example:
        >>> it = ItemInstance(item_id="q", skill_id="S", stem="47 + 38?", options=["75", "85",
        ...     "86", "95"], correct_index=1, correct_answer="85", difficulty=0.6)
        >>> p = item_params(it)
        >>> round(p.a, 3), round(p.b, 3), p.c
        (1.0, 0.405, 0.25)
    """
    return template_params(
        item.item_id,
        item.skill_id,
        item.difficulty,
        guess=guessing(item),
        section_id=item.section_id,
        calibration=calibration,
    )


def template_params(
    item_id: str,
    skill_id: str,
    difficulty: float,
    *,
    guess: float,
    section_id: str | None,
    calibration: ItemCalibration | None,
) -> ItemParams:
    """IRT parameters of the items a template (skill at a computed difficulty) produces.

    Args:
        item_id: Id given to the parameters (the item's or the template's).
        skill_id: The skill blueprint.
        difficulty: Computed difficulty in [0, 1].
        guess: The IRT-lite ``c`` (:func:`guessing`), used when nothing is calibrated.
        section_id: Section of the assessment.
        calibration: Calibration snapshot, or None.

    Returns:
        :class:`ItemParams` with ``band`` the difficulty's band (:func:`band_of`).
    """
    calibrated = None if calibration is None else calibration.params(skill_id, difficulty)
    if calibrated is not None:
        a, b, c = calibrated[0], calibrated[1], 0.0
    else:
        a, b, c = DEFAULT_A, difficulty_to_b(difficulty, a=DEFAULT_A), guess
    return ItemParams(
        item_id=item_id, a=a, b=b, c=c, section_id=section_id, band=band_of(difficulty)
    )


def _estimate(rows: Sequence[tuple[ItemParams, bool]]) -> ThetaEstimate:
    return estimate_theta(
        [float(ok) for _, ok in rows],
        a=[p.a for p, _ in rows],
        b=[p.b for p, _ in rows],
        c=[p.c for p, _ in rows],
        method="eap",
    )


def ability(
    answered: Iterable[tuple[ItemInstance, bool]],
    *,
    calibration: ItemCalibration | None = None,
) -> tuple[ThetaEstimate, dict[str | None, ThetaEstimate]]:
    """EAP ability over all answered items, and per section.

    Args:
        answered: ``(item, correct)`` of every answered item.
        calibration: The session's calibration snapshot, or None for IRT-lite.

    Returns:
        ``(overall, {section_id: estimate})``; with no answer the estimate is the prior
        (``theta = 0``, ``se = 1``). Sections appear in the order first answered.
    """
    rows = [(item_params(item, calibration=calibration), ok) for item, ok in answered]
    by_section: dict[str | None, list[tuple[ItemParams, bool]]] = {}
    for params, ok in rows:
        by_section.setdefault(params.section_id, []).append((params, ok))
    return _estimate(rows), {sid: _estimate(group) for sid, group in by_section.items()}
