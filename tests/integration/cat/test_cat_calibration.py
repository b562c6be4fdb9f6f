"""2PL calibration recovers simulated parameters (40 items x 2,000 persons)."""

from __future__ import annotations

import numpy as np
import pytest

from assay.cat import calibrate_2pl, estimate_theta


def _simulate(seed: int, n_persons: int = 2000, n_items: int = 40) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.5, n_items), rng.normal(0.0, 1.0, n_items)
    theta = rng.normal(0.0, 1.0, n_persons)
    x = (rng.random((n_persons, n_items)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(
        float
    )
    return x, a, b, theta


@pytest.mark.parametrize("seed", [42, 7, 2025])
def test_recovers_a_and_b(seed: int) -> None:
    x, a, b, _ = _simulate(seed)
    fit = calibrate_2pl(x)
    assert fit.converged
    assert np.corrcoef(fit.b, b)[0, 1] >= 0.99
    assert np.corrcoef(fit.a, a)[0, 1] >= 0.95
    assert np.sqrt(np.mean((fit.b - b) ** 2)) < 0.15  # same scale, not just correlated
    assert abs(np.mean(fit.a) / np.mean(a) - 1) < 0.08


def test_recovers_with_a_third_of_responses_missing() -> None:
    x, a, b, _ = _simulate(3)
    x[np.random.default_rng(4).random(x.shape) < 1 / 3] = np.nan
    fit = calibrate_2pl(x)
    assert np.corrcoef(fit.b, b)[0, 1] >= 0.98
    assert np.corrcoef(fit.a, a)[0, 1] >= 0.9


def test_calibrated_items_score_persons() -> None:
    x, _, _, theta = _simulate(9, n_persons=600)
    fit = calibrate_2pl(x)
    est = np.array([estimate_theta(row, fit.a, fit.b).theta for row in x[:200]])
    assert np.corrcoef(est, theta[:200])[0, 1] > 0.9


def test_em_increases_the_marginal_likelihood() -> None:
    x, *_ = _simulate(5, n_persons=500, n_items=10)
    short = calibrate_2pl(x, max_iterations=2)
    full = calibrate_2pl(x)
    assert not short.converged and full.converged
    assert full.log_likelihood > short.log_likelihood


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (np.zeros(5), "2-D"),
        (np.array([[0.0, 2.0], [1.0, 0.0]]), "0, 1 or NaN"),
        (np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]]), r"responses\[:, 0\]"),
        (np.array([[1.0, np.nan], [0.0, np.nan], [1.0, 1.0]]), r"responses\[:, 1\]"),
    ],
)
def test_bad_input_is_rejected_naming_the_column(data: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        calibrate_2pl(data)
