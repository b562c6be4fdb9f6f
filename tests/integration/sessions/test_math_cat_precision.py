"""MATH-CAT on its own pool through the sessions' CAT path (reduced count; the full table is
bench/bench_cat.py --math-cat): the SE stop is reachable at every theta, estimates are nearly
unbiased, no easy-band quota is forced, and the pool's b covers [-2.5, 2.5] in every section."""

from __future__ import annotations

import numpy as np
import pytest

from assay.items import load_catalog
from assay.sessions import adaptive
from assay.sessions.cat_simulation import information_curve, simulate_test, summarize

CATALOG = load_catalog()
THETAS = (-2.0, -1.0, 0.0, 1.0, 2.0)


def test_pool_is_free_text_and_covers_the_ability_range() -> None:
    assessment = CATALOG.assessment("MATH-CAT")
    bank = adaptive.build_bank(assessment, CATALOG, calibration=None).bank
    assert np.all(bank.c == 0.0) and np.all(bank.a == 1.0)
    for section in assessment.sections:
        b = bank.b[np.array(bank.section_ids) == section.section_id]
        assert b.min() <= -2.4 and b.max() >= 2.19, section.section_id
        assert np.abs(b).max() < 4.0  # no clipped difficulty (|b| = 4.6)
    assert bank.b.min() <= -2.5 and bank.b.max() >= 2.5
    # every theta in [-3, 3] has a template within 0.6 logits in each section
    for theta in np.linspace(-3, 3, 13):
        for section in assessment.sections:
            b = bank.b[np.array(bank.section_ids) == section.section_id]
            assert np.abs(b - theta).min() <= 0.8, (section.section_id, theta)


def test_information_curve_peaks_at_a_quarter_per_template() -> None:
    curve = information_curve("MATH-CAT", catalog=CATALOG, thetas=[-3.0, 0.0, 3.0])
    assert all(best == pytest.approx(0.25, abs=0.01) for _, _, best in curve)
    assert all(total > 4.0 for _, total, _ in curve)


@pytest.mark.parametrize("theta", THETAS)
def test_se_stop_is_reached_with_small_bias(theta: float) -> None:
    tests = [
        simulate_test("MATH-CAT", catalog=CATALOG, theta=theta, seed=100 * int(theta + 3) + i)
        for i in range(6)
    ]
    s = summarize(tests)
    assert s.reached_se >= 5 / 6
    assert s.mean_length <= CATALOG.assessment("MATH-CAT").total_items
    assert abs(s.bias) <= 0.45
    if theta >= 2.0:  # no easy-band quota: an able examinee gets next to no easy items
        assert max(t.bands.count("easy") for t in tests) <= 4
    if theta <= -2.0:
        assert max(t.bands.count("hard") for t in tests) <= 2
