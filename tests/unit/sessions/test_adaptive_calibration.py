"""Calibration from stored responses: the response matrix, the 2PL fit, the difficulty mapping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay.sessions.ability import ItemCalibration, logit
from assay.sessions.calibration import (
    CalibrationError,
    Response,
    fit_calibration,
    fit_mapping,
    response_matrix,
)


def test_matrix_keeps_the_first_response_per_session_and_template() -> None:
    rows = [
        Response("s1", "A", 0.3, True),
        Response("s1", "A", 0.3, False),  # the same template again: ignored
        Response("s1", "B", 0.6, False),
        Response("s2", "B", 0.6, True),
        Response("s2", "A", 0.35, False),  # another scenario of A: another template
    ]
    persons, keys, difficulty, x = response_matrix(rows)
    assert persons == ["s1", "s2"]
    assert keys == ["A@0.3000", "B@0.6000", "A@0.3500"]
    assert difficulty == {"A@0.3000": 0.3, "B@0.6000": 0.6, "A@0.3500": 0.35}
    assert np.array_equal(x, [[1.0, 0.0, np.nan], [np.nan, 1.0, 0.0]], equal_nan=True)


@pytest.mark.parametrize(
    ("d", "b", "expected"),
    [
        ([0.3, 0.5, 0.7], [logit(0.3), 0.0, logit(0.7)], (0.0, 1.0)),  # IRT-lite itself
        ([0.2, 0.8], [0.5 + 2 * logit(0.2), 0.5 + 2 * logit(0.8)], (0.5, 2.0)),
        ([0.3, 0.5, 0.7], [-1.2, 0.1, 1.4], (0.1, 1.534)),  # the module's worked example
    ],
)
def test_mapping_is_least_squares_on_logit_d(
    d: list[float], b: list[float], expected: tuple[float, float]
) -> None:
    m = fit_mapping(d, b, [1.0] * len(d))
    assert m is not None
    assert (m.intercept, m.slope) == pytest.approx(expected, abs=1e-3)
    assert m.b(0.5) == pytest.approx(m.intercept)


def test_mapping_needs_two_difficulties() -> None:
    assert fit_mapping([0.4, 0.4], [0.1, 0.3], [1.0, 1.0]) is None


def simulate(
    n_persons: int, difficulties: list[float], a: list[float], *, seed: int
) -> tuple[list[Response], list[float]]:
    rng = np.random.default_rng(seed)
    b = [0.3 + 1.4 * logit(d) for d in difficulties]
    theta = rng.normal(size=n_persons)
    rows = []
    for i, t in enumerate(theta):
        for j, d in enumerate(difficulties):
            p = 1.0 / (1.0 + math.exp(-a[j] * (t - b[j])))
            rows.append(Response(f"s{i}", f"SK{j % 2}", d, bool(rng.random() < p)))
    return rows, b


def test_calibration_recovers_parameters_and_the_mapping() -> None:
    difficulties = [0.2, 0.3, 0.45, 0.55, 0.7, 0.8]
    a_true = [1.2, 1.5, 1.8, 1.3, 1.6, 1.4]
    rows, b_true = simulate(1500, difficulties, a_true, seed=1)
    rows.append(Response("s0", "RARE", 0.5, True))  # one response only: skipped
    report = fit_calibration(rows, min_responses=30)
    assert report.converged and report.skipped == 1 and report.n_sessions == 1500
    assert report.n_responses == 1500 * len(difficulties)
    by_key = {f.template: f for f in report.fits}
    for j, d in enumerate(difficulties):
        fit = by_key[f"SK{j % 2}@{d:.4f}"]
        assert fit.n == 1500 and fit.b_lite == pytest.approx(logit(d))
        # tolerances ~3 SD of the estimates over simulated data sets (SD 0.06-0.17 for b)
        assert fit.b == pytest.approx(b_true[j], abs=0.5)
        assert fit.a == pytest.approx(a_true[j], abs=0.5)
    b_fit = [by_key[f"SK{j % 2}@{d:.4f}"].b for j, d in enumerate(difficulties)]
    assert np.corrcoef(b_fit, b_true)[0, 1] > 0.98
    mapping = report.calibration.mapping
    assert mapping is not None
    assert (mapping.intercept, mapping.slope) == pytest.approx((0.3, 1.4), abs=0.2)
    assert mapping.a == pytest.approx(float(np.median([f.a for f in report.fits])))
    assert ItemCalibration.from_dict(report.calibration.to_dict()) == report.calibration


@pytest.mark.parametrize(
    ("rows", "min_responses"),
    [
        ([], 1),
        ([Response(f"s{i}", "A", 0.3, i % 2 == 0) for i in range(10)], 1),  # one template
        (
            [Response(f"s{i}", s, 0.3, i % 2 == 0) for i in range(10) for s in ("A", "B")],
            11,
        ),  # each has 10 < 11
        ([Response(f"s{i}", s, 0.3, True) for i in range(50) for s in ("A", "B")], 5),  # all right
    ],
)
def test_too_few_responses_is_a_clear_error(rows: list[Response], min_responses: int) -> None:
    with pytest.raises(CalibrationError, match=r"^responses: 0 template|^responses: 1 template"):
        fit_calibration(rows, min_responses=min_responses)


def test_min_responses_must_be_positive() -> None:
    with pytest.raises(ValueError, match="min_responses: must be >= 1"):
        fit_calibration([], min_responses=0)
