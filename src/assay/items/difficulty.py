"""Difficulty bands and the weighted-feature difficulty formula (seed 002 §13.5-13.6).

Difficulty is *computed* from the generation parameters, never calibrated ("IRT-lite",
seed 002 §13.6)::

    difficulty = clamp(round(w_base + Σ_f w_f · x_f, 4), 0, 1)

where ``x_f`` are the counts a generator reads off its parameters (carries, borrows, partial
products...), ``w_f`` their weights (the generator's defaults, overridden per skill by the
blueprint's ``difficulty_factors``) and ``w_base`` the skill's base difficulty.

Worked example (seed 002 §13.6): 47 + 38 in ``MATH.ARITH.ADD.2DIGIT``: base 0.4 (2-digit
addition) + carries 0.15 × 1 (single carry, 7 + 8 = 15) + large_numbers 0.05 × 1 (both
operands > 30) = **0.60**.

Bands (half-open, ``hard`` includes 1.0)::

    easy    [0.0, 0.5)     e.g. 2-digit addition without carry (0.40-0.45)
    medium  [0.5, 0.7)     e.g. 2-digit addition with one carry (0.55-0.60)
    hard    [0.7, 1.0]     e.g. 2-digit addition with two carries (0.70-0.75)

The thresholds put the seed's own scenario weights (no_carry 0.3, single_carry 0.5,
double_carry 0.7, §13.5) and its worked example (0.60, §13.6) in the bands their names imply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

__all__ = ["BANDS", "BAND_NAMES", "Band", "band_of", "in_band", "weighted_difficulty"]

Band = Literal["easy", "medium", "hard"]

#: Band names in increasing difficulty.
BAND_NAMES: tuple[Band, ...] = get_args(Band)

#: ``band -> (low, high)``: a difficulty ``d`` is in the band when ``low <= d < high``
#: (``hard`` also takes ``d == 1.0``).
BANDS: dict[Band, tuple[float, float]] = {
    "easy": (0.0, 0.5),
    "medium": (0.5, 0.7),
    "hard": (0.7, 1.0),
}


def band_of(difficulty: float) -> Band:
    """The band a difficulty in [0, 1] falls in.

    Raises:
        ValueError: ``difficulty`` is outside [0, 1].
    """
    if not 0.0 <= difficulty <= 1.0:
        raise ValueError(f"difficulty: must be in [0, 1], got {difficulty}")
    for name in BAND_NAMES:
        if in_band(difficulty, name):
            return name
    raise AssertionError("bands cover [0, 1]")  # pragma: no cover


def in_band(difficulty: float, band: Band) -> bool:
    """Whether ``difficulty`` lies in ``band`` (see :data:`BANDS`)."""
    low, high = BANDS[band]
    return low <= difficulty < high or (high == 1.0 and difficulty == 1.0)


def weighted_difficulty(
    features: Mapping[str, int], weights: Mapping[str, float], *, base: float
) -> float:
    """``clamp(round(base + Σ weights[f] · features[f], 4), 0, 1)``.

    Args:
        features: Counts read off the generation parameters, e.g. ``{"carries": 1}``.
        weights: Weight of every feature in ``features``.
        base: The skill's base difficulty.

    Example:
        >>> weighted_difficulty({"carries": 1, "large_numbers": 1},
        ...                     {"carries": 0.15, "large_numbers": 0.05}, base=0.4)
        0.6
    """
    total = base + sum(weights[name] * count for name, count in features.items())
    return min(1.0, max(0.0, round(total, 4)))
