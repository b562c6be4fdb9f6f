"""Simulated adaptive tests on a 10,000-item 3PL bank; Sympson-Hetter tuning.

Reference: catsim 0.21 (MaxInfoSelector, NumericalSearchEstimator, MinErrorStopper(0.3)) on a
bank drawn the same way reaches MSE 0.10-0.12 (catsim's ``Simulator.mse``; RMSE 0.32-0.35) with
a mean of 26.6-27 items (bench/bench_cat.py runs it side by side). The bounds below are
catsim's figures: RMSE <= sqrt(0.121) and mean length <= 27.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay.cat import CatConfig, ContentPlan, ItemBank, calibrate_sympson_hetter, simulate


def _catsim_like_bank(n: int, seed: int) -> ItemBank:
    """(b, a) ~ N((0, 1.2), diag(1, 0.25^2)), c ~ N(0.25, 0.02): catsim's generate_item_bank."""
    rng = np.random.default_rng(seed)
    b, a = rng.multivariate_normal([0.0, 1.2], [[1.0, 0.0], [0.0, 0.0625]], n).T
    c = rng.normal(0.25, 0.02, n).clip(min=0.0)
    return ItemBank(item_ids=[f"i{i}" for i in range(n)], a=np.abs(a), b=b, c=c)


@pytest.fixture(scope="module")
def bank_10k() -> ItemBank:
    return _catsim_like_bank(10_000, seed=2024)


def test_cat_to_se_0_3_matches_or_beats_catsim(bank_10k: ItemBank) -> None:
    true_theta = np.random.default_rng(5).normal(0.0, 1.0, 300)
    result = simulate(bank_10k, CatConfig(se_target=0.3), true_theta, rng=np.random.default_rng(9))
    assert set(result.stop_reasons) == {"se_target"}
    assert np.all(result.se < 0.3)
    assert result.rmse <= math.sqrt(0.121)
    assert result.mean_length <= 27.0
    assert abs(result.bias) < 0.06


def test_reported_se_is_calibrated(bank_10k: ItemBank) -> None:
    """The posterior SD at the stop predicts the actual error: RMSE / mean SE near 1."""
    true_theta = np.random.default_rng(6).normal(0.0, 1.0, 300)
    result = simulate(bank_10k, CatConfig(se_target=0.3), true_theta, rng=np.random.default_rng(1))
    ratio = result.rmse / float(np.sqrt(np.mean(result.se**2)))
    assert 0.8 < ratio < 1.2


def test_mle_configuration_also_converges(bank_10k: ItemBank) -> None:
    true_theta = np.random.default_rng(7).normal(0.0, 1.0, 100)
    result = simulate(
        bank_10k,
        CatConfig(se_target=0.3, estimator="mle", max_items=60),
        true_theta,
        rng=np.random.default_rng(2),
    )
    assert result.rmse <= 0.4 and result.mean_length <= 30.0


def test_sympson_hetter_tuning_caps_exposure() -> None:
    bank = _catsim_like_bank(400, seed=11)
    config = CatConfig(max_items=15)
    sample = np.random.default_rng(12).normal(0.0, 1.0, 150)
    free = simulate(bank, config, sample, rng=np.random.default_rng(13))
    assert free.exposure_rate.max() == 1.0  # everybody starts with the same item
    tuned = calibrate_sympson_hetter(
        bank, config, sample, r_max=0.3, rng=np.random.default_rng(14), iterations=8, tolerance=0.05
    )
    # with 150 simulees a rate's sampling SD is ~0.04, so the maximum over 400 items sits a
    # little above r_max; what matters is the drop from 1.0
    assert tuned.max_exposure_rates[0] == 1.0 and max(tuned.max_exposure_rates[-3:]) <= 0.42
    assert np.any(tuned.bank.exposure_k < 1.0)
    fresh = np.random.default_rng(15).normal(0.0, 1.0, 150)
    controlled = simulate(
        tuned.bank,
        CatConfig(max_items=15, sympson_hetter=True),
        fresh,
        rng=np.random.default_rng(16),
    )
    assert controlled.exposure_rate.max() <= 0.45  # new examinees: sampling noise allowed
    assert controlled.rmse <= free.rmse + 0.1


def test_content_balanced_cat_still_measures_well() -> None:
    rng = np.random.default_rng(21)
    n = 2_000
    sections = rng.choice(["alg", "geo", "num", "stat"], n).tolist()
    b = rng.normal(0, 1, n)
    bands = np.where(b < -0.5, "easy", np.where(b < 0.5, "medium", "hard")).tolist()
    bank = ItemBank(
        item_ids=[f"i{i}" for i in range(n)],
        a=rng.uniform(0.8, 2.0, n),
        b=b,
        c=np.full(n, 0.2),
        section_ids=sections,
        bands=bands,
    )
    plan = ContentPlan.from_dict(
        {
            "sections": [
                {
                    "section_id": s,
                    "item_count": 6,
                    "difficulty_distribution": {"easy": 2, "medium": 2, "hard": 2},
                }
                for s in ("alg", "geo", "num", "stat")
            ]
        }
    )
    true_theta = np.random.default_rng(22).normal(0.0, 1.0, 120)
    balanced = simulate(bank, CatConfig(content=plan), true_theta, rng=np.random.default_rng(23))
    free = simulate(bank, CatConfig(max_items=24), true_theta, rng=np.random.default_rng(23))
    assert set(balanced.lengths.tolist()) == {24}
    assert balanced.rmse <= free.rmse + 0.08
