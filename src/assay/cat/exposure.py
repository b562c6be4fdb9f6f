"""Tuning of the Sympson-Hetter exposure parameters by iterated simulation.

Sympson & Hetter (1985), *Controlling item-exposure rates in computerized adaptive testing*
(Proc. 27th Annual Meeting of the Military Testing Association); procedure as restated by
van der Linden (2003), *Journal of Educational and Behavioral Statistics* 28(3), 249-265.
With ``P(S_i)`` the rate at which item ``i`` is *selected* and ``K_i`` the probability that a
selected item is administered, its exposure rate is ``P(A_i) = P(S_i) K_i``. Starting from
``K_i = 1``, repeat: simulate the CAT on a sample of abilities with the current ``K``; set::

    K_i = 1                   if P(S_i) <= r_max
    K_i = r_max / P(S_i)      otherwise

until ``max_i P(A_i) <= r_max + tolerance`` or ``iterations`` runs. Worked example: an item
selected for 60% of simulees with ``r_max = 0.2`` gets ``K = 0.2 / 0.6 = 1/3``.

Each rate is estimated from ``n`` simulees with sampling SD ``sqrt(r (1 - r) / n)``; the
maximum over many items exceeds ``r_max`` by a few such SDs, so use thousands of simulees for
a tight ``tolerance`` (the classic procedure is run with large samples, offline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from assay.cat.bank import ItemBank
from assay.cat.simulation import simulate
from assay.cat.state import CatConfig

__all__ = ["SympsonHetterResult", "calibrate_sympson_hetter"]


@dataclass(frozen=True, slots=True)
class SympsonHetterResult:
    """Outcome of :func:`calibrate_sympson_hetter`.

    Attributes:
        bank: The bank with tuned ``exposure_k``.
        max_exposure_rates: ``max_i P(A_i)`` observed in each iteration's simulation.
        converged: Whether the last simulation met ``r_max + tolerance``.
    """

    bank: ItemBank
    max_exposure_rates: tuple[float, ...]
    converged: bool


def calibrate_sympson_hetter(
    bank: ItemBank,
    config: CatConfig,
    true_theta: Sequence[float] | npt.NDArray[np.float64],
    *,
    r_max: float,
    rng: np.random.Generator,
    iterations: int = 10,
    tolerance: float = 0.02,
) -> SympsonHetterResult:
    """Find ``exposure_k`` so that no item is administered to more than ``r_max`` of examinees.

    Args:
        bank: Item bank (its current ``exposure_k`` is ignored; tuning starts from 1).
        config: The CAT configuration to tune for (``sympson_hetter`` is switched on).
        true_theta: Abilities of the simulated examinees (e.g. draws from N(0, 1)).
        r_max: Target maximum exposure rate in (0, 1].
        rng: Random generator for the simulations.
        iterations: Maximum number of simulate-and-update rounds (>= 1).
        tolerance: Allowed excess of the observed maximum over ``r_max``.

    Returns:
        A :class:`SympsonHetterResult`.

    Raises:
        ValueError: ``r_max`` outside (0, 1] or ``iterations`` < 1.
    """
    if not 0.0 < r_max <= 1.0:
        raise ValueError("r_max: must be in (0, 1]")
    if iterations < 1:
        raise ValueError("iterations: must be >= 1")
    cfg = replace(config, sympson_hetter=True)
    k = np.ones(len(bank))
    current = bank.with_exposure_k(k)
    history: list[float] = []
    for _ in range(iterations):
        result = simulate(current, cfg, true_theta, rng=rng)
        history.append(float(result.exposure_rate.max()))
        if history[-1] <= r_max + tolerance:
            return SympsonHetterResult(
                bank=current, max_exposure_rates=tuple(history), converged=True
            )
        selected = result.selection_rate
        k = np.where(selected > r_max, r_max / np.maximum(selected, 1e-12), 1.0)
        current = bank.with_exposure_k(k)
    return SympsonHetterResult(bank=current, max_exposure_rates=tuple(history), converged=False)
