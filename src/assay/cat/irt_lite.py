"""IRT-lite: IRT parameters for generated items from the blueprint's computed difficulty.

Seed 002 §13.6: a generated item's difficulty is *computed* from its generation parameters
(``base_difficulty + carry_factor + ...``, a number in [0, 1]) rather than calibrated, and its
discrimination is *assumed* from the blueprint's design. This module maps those numbers onto
the theta scale so generated items can be scored and selected with the same 3PL machinery as
calibrated ones.

The mapping gives the computed difficulty ``d`` a testable meaning: ``d`` is the probability
that an examinee of average ability (``theta = 0``, the mean of the N(0, 1) ability scale)
fails the item, guessing aside. Under the 2PL core ``P*(theta) = 1 / (1 + exp(-a (theta - b)))``
that fixes ``1 - d = P*(0)``, hence::

    b = logit(d) / a = ln(d / (1 - d)) / a

Worked example (seed 13.6, "47 + 38"): ``d = 0.60``, ``a = 1`` gives ``b = ln(1.5) = 0.405``;
``d = 0.30`` gives ``b = -0.847``; ``d = 0.5`` gives ``b = 0``. ``d`` is clipped to
``[0.01, 0.99]`` so ``|b| <= 4.595 / a``.

The inverse, :func:`target_difficulty`, tells the generator which difficulty to aim for: the
item most informative at ``theta`` has ``b* = theta - ln((1 + sqrt(1 + 8c)) / 2) / a``
(Lord 1980, eq. 10-4; ``b* = theta`` when ``c = 0``), i.e. ``d* = 1 / (1 + exp(-a b*))``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from assay.cat.bank import ItemBank, ItemParams

__all__ = [
    "BANDS",
    "DIFFICULTY_GRID",
    "b_to_difficulty",
    "difficulty_band",
    "difficulty_to_b",
    "item_from_difficulty",
    "target_difficulty",
    "template_bank",
]

#: Clip for the computed difficulty, so that b stays finite.
_EPS = 0.01
#: Band labels of the blueprint's ``difficulty_distribution`` and their upper cut points.
BANDS: tuple[tuple[str, float], ...] = (("easy", 1.0 / 3.0), ("medium", 2.0 / 3.0), ("hard", 1.0))
#: Default difficulties a template bank offers per skill blueprint.
DIFFICULTY_GRID: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _check_a(a: float) -> None:
    if not (math.isfinite(a) and a > 0):
        raise ValueError("a: discrimination must be finite and > 0")


def difficulty_to_b(difficulty: float, *, a: float = 1.0) -> float:
    """Map a computed difficulty in [0, 1] to the IRT difficulty ``b`` (logits).

    ``b = ln(d / (1 - d)) / a`` with ``d`` clipped to [0.01, 0.99] (module docstring).

    Args:
        difficulty: Computed difficulty in [0, 1] (seed 002 §13.6).
        a: The blueprint's assumed discrimination (> 0).

    Returns:
        ``b`` on the theta scale.

    Raises:
        ValueError: ``difficulty`` outside [0, 1] or ``a`` not > 0.

    Example:
        >>> round(difficulty_to_b(0.6), 3)
        0.405
    """
    if not 0.0 <= difficulty <= 1.0:
        raise ValueError(f"difficulty: must be in [0, 1], got {difficulty}")
    _check_a(a)
    d = min(max(difficulty, _EPS), 1.0 - _EPS)
    return math.log(d / (1.0 - d)) / a


def b_to_difficulty(b: float, *, a: float = 1.0) -> float:
    """Inverse of :func:`difficulty_to_b`: ``d = 1 / (1 + exp(-a b))``.

    Example:
        >>> round(b_to_difficulty(0.0), 3)
        0.5
    """
    _check_a(a)
    return 1.0 / (1.0 + math.exp(-a * b))


def target_difficulty(theta: float, *, a: float = 1.0, c: float = 0.0) -> float:
    """Computed difficulty of the item most informative at ``theta``.

    ``b* = theta - ln((1 + sqrt(1 + 8c)) / 2) / a`` (Lord 1980, eq. 10-4), mapped back with
    :func:`b_to_difficulty`.

    Args:
        theta: Current ability estimate (logits).
        a: Assumed discrimination (> 0).
        c: Guessing parameter in [0, 1).

    Returns:
        Difficulty in (0, 1) to ask the item generator for.

    Example:
        >>> round(target_difficulty(0.405), 2)
        0.6
    """
    if not 0.0 <= c < 1.0:
        raise ValueError("c: must be in [0, 1)")
    _check_a(a)
    b_star = theta - math.log((1.0 + math.sqrt(1.0 + 8.0 * c)) / 2.0) / a
    return b_to_difficulty(b_star, a=a)


def difficulty_band(difficulty: float) -> str:
    """Band label of a computed difficulty: easy < 1/3 <= medium < 2/3 <= hard.

    Example:
        >>> [difficulty_band(d) for d in (0.3, 0.5, 0.7)]
        ['easy', 'medium', 'hard']
    """
    if not 0.0 <= difficulty <= 1.0:
        raise ValueError(f"difficulty: must be in [0, 1], got {difficulty}")
    for label, upper in BANDS:
        if difficulty < upper:
            return label
    return BANDS[-1][0]


def item_from_difficulty(
    item_id: str,
    difficulty: float,
    *,
    discrimination: float = 1.0,
    guessing: float = 0.0,
    section_id: str | None = None,
    band: str | None = None,
) -> ItemParams:
    """IRT parameters of a generated item from its computed difficulty.

    Args:
        item_id: Id of the generated item (or template).
        difficulty: Computed difficulty in [0, 1].
        discrimination: The blueprint's assumed discrimination ``a``.
        guessing: ``c``; e.g. ``1 / n_options`` for multiple choice, 0 for free text.
        section_id: Blueprint section.
        band: Band label; derived with :func:`difficulty_band` when None.

    Returns:
        :class:`ItemParams` with ``b = difficulty_to_b(difficulty, a=discrimination)``.
    """
    return ItemParams(
        item_id=item_id,
        a=discrimination,
        b=difficulty_to_b(difficulty, a=discrimination),
        c=guessing,
        section_id=section_id,
        band=band if band is not None else difficulty_band(difficulty),
    )


def template_bank(
    skills: Iterable[tuple[str, str | None]],
    *,
    difficulties: Sequence[float] = DIFFICULTY_GRID,
    discrimination: float = 1.0,
    guessing: float = 0.0,
) -> ItemBank:
    """A reusable bank of generation templates: every skill blueprint at every difficulty.

    Each entry's id is ``"{skill_id}@{difficulty:.2f}"``; the CAT picks the most informative
    template, the generator instantiates that skill at that difficulty, and the response is
    recorded with the instance's own parameters (:func:`item_from_difficulty`).

    Args:
        skills: ``(skill_id, section_id)`` pairs.
        difficulties: Computed difficulties to offer per skill, each in [0, 1].
        discrimination: Assumed ``a`` of every template.
        guessing: ``c`` of every template.

    Returns:
        An :class:`ItemBank` with ``reusable=True``.
    """
    items = [
        item_from_difficulty(
            f"{skill_id}@{d:.2f}",
            d,
            discrimination=discrimination,
            guessing=guessing,
            section_id=section_id,
        )
        for skill_id, section_id in skills
        for d in difficulties
    ]
    return ItemBank.from_items(items, reusable=True)
