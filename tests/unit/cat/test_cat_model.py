"""The 3PL model: worked examples, information against its definition, stable log-likelihoods."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay.cat.irt import information, item_log_likelihood, log_likelihood, probability
from assay.cat.model import check_params


@pytest.mark.parametrize(
    ("theta", "a", "b", "c", "p", "info"),
    [
        # 1PL at theta = b: P = 1/2, I = 1/4
        (0.0, 1.0, 0.0, 0.0, 0.5, 0.25),
        # 2PL, a = 2 at theta = b: I = a^2 / 4
        (1.0, 2.0, 1.0, 0.0, 0.5, 1.0),
        # 2PL one logit above b: P = 1 / (1 + e^-1)
        (1.0, 1.0, 0.0, 0.0, 1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1)) ** 2),
        # 3PL worked example of the module docstring
        (0.0, 1.5, 0.0, 0.2, 0.6, 0.375),
        # 3PL far below b: P tends to c, information to 0
        (-8.0, 1.0, 0.0, 0.25, 0.25 + 0.75 / (1 + math.exp(8)), None),
    ],
)
def test_probability_and_information_worked_examples(
    theta: float, a: float, b: float, c: float, p: float, info: float | None
) -> None:
    assert float(probability(theta, a, b, c)) == pytest.approx(p, abs=1e-12)
    if info is not None:
        assert float(information(theta, a, b, c)) == pytest.approx(info, abs=1e-12)
    else:
        assert 0.0 <= float(information(theta, a, b, c)) < 1e-3


def test_information_matches_its_definition_dp_squared_over_pq() -> None:
    rng = np.random.default_rng(0)
    a, b, c = rng.uniform(0.3, 2.5, 200), rng.normal(0, 1.5, 200), rng.uniform(0, 0.35, 200)
    theta, h = rng.normal(0, 1.5, 200), 1e-5
    p = probability(theta, a, b, c)
    dp = (probability(theta + h, a, b, c) - probability(theta - h, a, b, c)) / (2 * h)
    np.testing.assert_allclose(information(theta, a, b, c), dp**2 / (p * (1 - p)), rtol=1e-6)


def test_probability_broadcasts_to_a_theta_by_item_table() -> None:
    grid = np.linspace(-2, 2, 5)
    table = probability(grid[:, None], np.array([1.0, 2.0]), np.array([0.0, 1.0]))
    assert table.shape == (5, 2)
    assert np.all(np.diff(table, axis=0) > 0)  # increasing in theta


def test_log_likelihoods_equal_log_of_probability_where_that_is_exact() -> None:
    grid = np.linspace(-4, 4, 33)
    for a, b, c in [(1.0, 0.0, 0.0), (1.7, -0.5, 0.2), (0.6, 1.2, 0.3)]:
        p = probability(grid, a, b, c)
        np.testing.assert_allclose(item_log_likelihood(grid, True, a, b, c), np.log(p), rtol=1e-12)
        np.testing.assert_allclose(
            item_log_likelihood(grid, False, a, b, c), np.log1p(-p), rtol=1e-10, atol=1e-14
        )


def test_log_likelihood_stays_finite_where_naive_log_underflows() -> None:
    grid = np.array([-6.0, 6.0])
    # z = 4 * (6 - (-200)) = 824: 1 - P underflows to 0 in floating point
    wrong = item_log_likelihood(grid, False, 4.0, -200.0, 0.0)
    assert np.all(np.isfinite(wrong))
    assert wrong[1] == pytest.approx(-4.0 * 206.0, rel=1e-9)


def test_pattern_log_likelihood_is_the_sum_of_item_terms() -> None:
    grid = np.linspace(-6, 6, 121)
    u = np.array([1.0, 0.0, 1.0, 0.0])
    a, b, c = (
        np.array([1.0, 1.5, 0.7, 2.0]),
        np.array([-1.0, 0.0, 0.5, 2.0]),
        np.array([0, 0.2, 0.25, 0]),
    )
    expected = sum(
        item_log_likelihood(grid, bool(ui), ai, bi, ci)
        for ui, ai, bi, ci in zip(u, a, b, c, strict=True)
    )
    np.testing.assert_allclose(log_likelihood(grid, u, a, b, c), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "c", "field"),
    [
        ([1.0, 0.0], [0.0, 0.0], None, "a:"),
        ([1.0, np.inf], [0.0, 0.0], None, "a:"),
        ([1.0], [np.nan], None, "b:"),
        ([1.0], [0.0], [1.0], "c:"),
        ([1.0], [0.0], [-0.1], "c:"),
        ([1.0, 1.0], [0.0, 0.0, 0.0], None, "a, b, c:"),
    ],
)
def test_bad_parameters_are_rejected_naming_the_field(
    a: list[float], b: list[float], c: list[float] | None, field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        check_params(a, b, c)


def test_log_probability_tends_to_log_c_far_below_the_item() -> None:
    grid = np.array([-6.0, 6.0])
    # z = 4 * (6 - 200) = -776: exp(-z) overflows, the logaddexp path takes over
    right = item_log_likelihood(grid, True, 4.0, 200.0, 0.2)
    np.testing.assert_allclose(right, [math.log(0.2), math.log(0.2)], rtol=1e-12)


def test_extreme_parameters_raise_no_floating_point_warnings() -> None:
    """pytest turns warnings into errors, so overflow or 0/0 anywhere would fail here."""
    from assay.cat import ItemBank, estimate_theta
    from assay.cat.selection import select_item

    theta = np.array([-6.0, 0.0, 6.0])
    for a, b in [(8.0, 300.0), (8.0, -300.0), (0.01, 0.0)]:
        assert np.all(np.isfinite(information(theta, a, b, 0.0)))
        assert np.all(np.isfinite(information(theta, a, b, 0.2)))
        assert np.all(np.isfinite(probability(theta, a, b, 0.0)))
    u = np.array([1.0, 0.0, 1.0, 0.0])
    a, b = np.array([1.0, 8.0, 1.2, 8.0]), np.array([0.0, -300.0, 0.5, 300.0])
    for method in ("eap", "mle"):
        est = estimate_theta(u, a, b, method=method)  # type: ignore[arg-type]
        assert np.isfinite(est.theta)
    bank = ItemBank(
        item_ids=["x", "y", "z"], a=[8.0, 8.0, 1.0], b=[300.0, -300.0, 0.0], c=[0.0, 0.2, 0.0]
    )
    sel = select_item(bank, 0.0, rng=np.random.default_rng(0))
    assert sel is not None and bank.item_ids[sel.index] == "z"
