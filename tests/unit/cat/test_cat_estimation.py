"""EAP and MLE against independent implementations (adaptive quadrature, bounded Brent).

The issue asks for |delta theta| <= 1e-3; the implementations agree far closer (about 1e-8),
so the tests hold them to 1e-6.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from assay.cat.irt import GridPosterior, estimate_theta, probability

BOUNDS = (-6.0, 6.0)
TOL = 1e-6


def _pattern(n: int, seed: int, *, guessing: bool = True) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.5, n)
    b = rng.normal(0.0, 1.0, n)
    c = rng.uniform(0.0, 0.3, n) if guessing else np.zeros(n)
    theta = rng.normal()
    u = (rng.random(n) < probability(theta, a, b, c)).astype(float)
    return u, a, b, c


def _likelihood(t: float, u: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Independent: the product of Bernoulli pmfs, each P from the textbook formula."""
    p = c + (1 - c) / (1 + np.exp(-a * (t - b)))
    return float(np.exp(np.sum(stats.bernoulli.logpmf(u, p))))


def _exact_eap(u: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Posterior moments by adaptive Gauss-Kronrod quadrature (scipy.integrate.quad)."""

    def moment(k: int) -> float:
        def f(t: float) -> float:
            return float(t**k * _likelihood(t, u, a, b, c) * stats.norm.pdf(t))

        value: float = integrate.quad(f, *BOUNDS, limit=400, epsabs=0, epsrel=1e-12, points=[0.0])[
            0
        ]
        return value

    m0, m1, m2 = moment(0), moment(1), moment(2)
    mean = m1 / m0
    return mean, math.sqrt(m2 / m0 - mean * mean)


def _exact_mle(u: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Dense grid for the global maximum, then bounded Brent around it."""
    grid = np.linspace(*BOUNDS, 4001)

    def nll(t: float) -> float:
        p = c + (1 - c) / (1 + np.exp(-a * (t - b)))
        return float(-np.sum(stats.bernoulli.logpmf(u, p)))

    best = grid[int(np.argmin([nll(t) for t in grid]))]
    lo, hi = max(BOUNDS[0], best - 0.01), min(BOUNDS[1], best + 0.01)
    res = optimize.minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return float(res.x)


@pytest.mark.parametrize(
    ("n", "seed"), [(1, 1), (3, 2), (5, 3), (10, 4), (20, 5), (40, 6), (60, 7)]
)
def test_eap_equals_adaptive_quadrature(n: int, seed: int) -> None:
    u, a, b, c = _pattern(n, seed)
    theta, se = _exact_eap(u, a, b, c)
    est = estimate_theta(u, a, b, c, method="eap")
    assert abs(est.theta - theta) <= TOL
    assert abs(est.se - se) <= TOL
    assert (est.method, est.n_items) == ("eap", n)


def test_eap_of_a_long_test_uses_the_refined_grid_and_still_agrees() -> None:
    u, a, b, c = _pattern(400, 8, guessing=False)
    theta, se = _exact_eap(u, a, b, c)
    est = estimate_theta(u, a, b, c)
    assert se < 0.1  # narrower than the 0.1 grid step: the refinement path
    assert abs(est.theta - theta) <= TOL
    assert abs(est.se - se) <= TOL


@pytest.mark.parametrize(("n", "seed"), [(4, 11), (8, 12), (15, 13), (30, 14), (50, 15), (80, 16)])
def test_mle_equals_bounded_brent_on_mixed_patterns(n: int, seed: int) -> None:
    u, a, b, c = _pattern(n, seed)
    if u.sum() in (0, n):
        u[0] = 1 - u[0]  # make the pattern mixed
    est = estimate_theta(u, a, b, c, method="mle")
    assert abs(est.theta - _exact_mle(u, a, b, c)) <= TOL
    info = np.sum(
        a**2 * (1 - (p := probability(est.theta, a, b, c))) / p * ((p - c) / (1 - c)) ** 2
    )
    assert est.se == pytest.approx(1 / math.sqrt(info), rel=1e-9)


@pytest.mark.parametrize(("value", "bound"), [(1.0, BOUNDS[1]), (0.0, BOUNDS[0])])
def test_mle_of_all_correct_or_all_wrong_is_the_bound(value: float, bound: float) -> None:
    est = estimate_theta([value] * 4, a=[1.0, 1.2, 0.8, 1.5], b=[-1.0, 0.0, 1.0, 0.5], method="mle")
    assert est.theta == bound
    assert math.isfinite(est.se) and est.se > 1.0


def test_mle_respects_custom_bounds() -> None:
    est = estimate_theta([1, 1], a=1.0, b=0.0, method="mle", bounds=(-3.0, 3.0))
    assert est.theta == 3.0


def test_eap_with_no_response_is_the_prior() -> None:
    est = estimate_theta([], a=[], b=[], prior_mean=0.5, prior_sd=0.8)
    assert est.theta == pytest.approx(0.5, abs=1e-9)
    assert est.se == pytest.approx(0.8, abs=1e-6)


def test_nan_marks_items_not_administered() -> None:
    u, a, b, c = _pattern(12, 21)
    with_gaps = u.copy()
    with_gaps[[2, 7]] = np.nan
    keep = ~np.isnan(with_gaps)
    assert estimate_theta(with_gaps, a, b, c) == estimate_theta(u[keep], a[keep], b[keep], c[keep])


def test_scalar_parameters_apply_to_every_item_1pl() -> None:
    est = estimate_theta([1, 0, 1, 1], a=1.0, b=0.0)
    assert est == estimate_theta([1, 0, 1, 1], a=[1.0] * 4, b=[0.0] * 4)


def test_more_correct_answers_give_higher_theta() -> None:
    a, b = np.ones(6), np.linspace(-1, 1, 6)
    thetas = [estimate_theta([1.0] * k + [0.0] * (6 - k), a, b).theta for k in range(7)]
    assert np.all(np.diff(thetas) > 0)


def test_incremental_posterior_equals_batch_posterior() -> None:
    u, a, b, c = _pattern(25, 31)
    post = GridPosterior.prior()
    for ui, ai, bi, ci in zip(u, a, b, c, strict=True):
        post = post.update(bool(ui), ai, bi, ci)
    batch = GridPosterior.prior().update_many(u, a, b, c)
    np.testing.assert_allclose(post.log_posterior, batch.log_posterior, rtol=1e-10)
    assert post.moments() == pytest.approx(batch.moments(), abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"responses": [1, 2], "a": [1, 1], "b": [0, 0]}, "responses: every entry"),
        ({"responses": [1, 0, 1], "a": [1, 1], "b": [0, 0]}, "responses: has 3 entries"),
        ({"responses": [[1, 0]], "a": [1, 1], "b": [0, 0]}, "responses: must be a 1-D"),
        ({"responses": [1, 0], "a": [1, 1], "b": [0, 0], "method": "map"}, "method:"),
        ({"responses": [np.nan], "a": [1], "b": [0], "method": "mle"}, "MLE needs at least one"),
        ({"responses": [1], "a": [1], "b": [0], "prior_sd": 0.0}, "prior_sd"),
        ({"responses": [1], "a": [-1], "b": [0]}, "a:"),
    ],
)
def test_bad_input_is_rejected_naming_the_field(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        estimate_theta(**kwargs)  # type: ignore[arg-type]


def test_estimate_serialises_to_a_plain_dict() -> None:
    d = estimate_theta([1, 0], a=1.0, b=0.0).to_dict()
    assert set(d) == {"theta", "se", "method", "n_items"} and d["method"] == "eap"
