"""Monte-Carlo simulation of adaptive tests through the step API, for evaluation and tuning.

Each simulee with true ability ``theta`` answers item ``i`` correctly with probability
``P_i(theta)`` (the 3PL model of the bank). The figures reported are the usual CAT criteria
(Chang & Ying 1999; catsim's ``Simulator``): bias ``mean(theta_hat - theta)``, RMSE
``sqrt(mean((theta_hat - theta)^2))``, mean test length, and per-item exposure rates
(administrations / simulees).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from assay.cat.bank import ItemBank
from assay.cat.engine import NextItem, next_item, record_response, start
from assay.cat.irt import probability
from assay.cat.state import CatConfig

__all__ = ["SimulationResult", "simulate"]

FloatArray = npt.NDArray[np.float64]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Outcome of :func:`simulate`.

    Attributes:
        true_theta: Simulees' abilities, shape ``(n,)``.
        theta: Final estimates, shape ``(n,)``.
        se: Final standard errors, shape ``(n,)``.
        lengths: Items answered per simulee, shape ``(n,)``.
        stop_reasons: Stop reason per simulee.
        exposure_rate: Administrations per item divided by ``n``, shape ``(n_items,)``.
        selection_rate: Selections per item (administered or lost the Sympson-Hetter lottery)
            divided by ``n``, shape ``(n_items,)``.
    """

    true_theta: FloatArray
    theta: FloatArray
    se: FloatArray
    lengths: npt.NDArray[np.int64]
    stop_reasons: tuple[str, ...]
    exposure_rate: FloatArray
    selection_rate: FloatArray

    @property
    def rmse(self) -> float:
        """Root mean squared error of theta."""
        return float(np.sqrt(np.mean((self.theta - self.true_theta) ** 2)))

    @property
    def bias(self) -> float:
        """Mean of ``theta_hat - theta``."""
        return float(np.mean(self.theta - self.true_theta))

    @property
    def mean_length(self) -> float:
        """Mean number of items answered."""
        return float(np.mean(self.lengths))


def simulate(
    bank: ItemBank,
    config: CatConfig,
    true_theta: Sequence[float] | FloatArray,
    *,
    rng: np.random.Generator,
) -> SimulationResult:
    """Run one adaptive test per simulee through :func:`start`, :func:`next_item` and
    :func:`record_response`.

    Args:
        bank: Item bank (not reusable: exposure is counted per bank item).
        config: Test configuration.
        true_theta: True abilities (logits).
        rng: Random generator for selection and for the simulated responses.

    Returns:
        A :class:`SimulationResult`.
    """
    thetas = np.asarray(true_theta, dtype=np.float64)
    est, ses = np.empty_like(thetas), np.empty_like(thetas)
    lengths = np.zeros(len(thetas), dtype=np.int64)
    reasons: list[str] = []
    counts = np.zeros(len(bank))
    rejections = np.zeros(len(bank))
    for n, theta in enumerate(thetas):
        state = start(config, now=_EPOCH)
        while True:
            state, decision = next_item(state, bank=bank, rng=rng, now=_EPOCH)
            if not isinstance(decision, NextItem):
                reasons.append(decision.reason)
                break
            item = decision.item
            counts[bank.index(item.item_id)] += 1
            correct = bool(rng.random() < probability(theta, item.a, item.b, item.c))
            state = record_response(state, item=item, correct=correct, now=_EPOCH)
        est[n], ses[n], lengths[n] = state.theta, state.se, state.n_items
        np.add.at(rejections, bank.indices(state.excluded), 1.0)
    return SimulationResult(
        true_theta=thetas,
        theta=est,
        se=ses,
        lengths=lengths,
        stop_reasons=tuple(reasons),
        exposure_rate=counts / max(len(thetas), 1),
        selection_rate=(counts + rejections) / max(len(thetas), 1),
    )
