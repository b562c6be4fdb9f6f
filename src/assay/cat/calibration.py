"""2PL item calibration by marginal maximum likelihood with the Bock-Aitkin EM algorithm.

Bock & Aitkin (1981), *Psychometrika* 46(4), 443-459. Abilities are integrated out against a
N(0, 1) population on ``n_quadrature`` uniform nodes ``X_q`` with weights ``W_q ~ phi(X_q)``
(which fixes the scale). With the slope-intercept form ``logit P_j(X) = a_j X + d_j``:

E-step: each person's posterior over the nodes,
``h_iq = W_q prod_j P_j(X_q)^u_ij (1 - P_j(X_q))^(1 - u_ij) / sum_q' (...)``
(products over administered items only), gives the expected counts
``n_jq = sum_i h_iq m_ij`` (persons at node q who took item j) and
``r_jq = sum_i h_iq u_ij`` (of whom answered correctly).

M-step: for every item, Newton-Raphson steps on the expected complete-data log-likelihood
``sum_q r_jq log P_j(X_q) + (n_jq - r_jq) log(1 - P_j(X_q))`` (a weighted logistic regression,
concave in ``(a_j, d_j)``), with gradient ``sum_q (r_jq - n_jq P_jq) (X_q, 1)`` and Hessian
``-sum_q n_jq P_jq (1 - P_jq) (X_q, 1)(X_q, 1)^T``, solved in closed form per item. Iterations
stop when no parameter moves by more than ``tol``. Difficulty is ``b_j = -d_j / a_j``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Calibration2PL", "calibrate_2pl"]

FloatArray = npt.NDArray[np.float64]


def _single_threaded_blas() -> AbstractContextManager[object]:
    """Limit BLAS to one thread: the products here are far too small for threads to pay off,
    and on an oversubscribed machine threaded OpenBLAS runs them 50-100x slower."""
    try:
        from threadpoolctl import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
            threadpool_limits,
        )
    except ImportError:  # optional: without it BLAS keeps its own thread setting
        return nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


@dataclass(frozen=True, slots=True)
class Calibration2PL:
    """Item parameters estimated by :func:`calibrate_2pl`.

    Attributes:
        a: Discriminations, shape ``(n_items,)``.
        b: Difficulties (logits), shape ``(n_items,)``.
        n_iterations: EM cycles run.
        converged: Whether the largest parameter change fell below ``tol``.
        log_likelihood: Marginal log-likelihood at the returned parameters' E-step.
    """

    a: FloatArray
    b: FloatArray
    n_iterations: int
    converged: bool
    log_likelihood: float


def _validate(responses: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("responses: must be a 2-D persons x items array")
    given = ~np.isnan(x)
    if not np.all((x[given] == 0.0) | (x[given] == 1.0)):
        raise ValueError("responses: every entry must be 0, 1 or NaN (not administered)")
    x = x[given.any(axis=1)]  # persons with no response carry no information
    given = ~np.isnan(x)
    correct = np.where(given, x, 0.0)
    n_taken, n_right = given.sum(axis=0), correct.sum(axis=0)
    flat = np.flatnonzero((n_right == 0) | (n_right == n_taken))
    if flat.size:
        raise ValueError(
            f"responses[:, {int(flat[0])}]: each item needs both correct and wrong answers "
            "(no finite 2PL estimate otherwise)"
        )
    return correct, given.astype(np.float64)


def calibrate_2pl(
    responses: npt.ArrayLike,
    *,
    n_quadrature: int = 41,
    bounds: tuple[float, float] = (-5.0, 5.0),
    max_iterations: int = 500,
    tol: float = 1e-4,
    a_bounds: tuple[float, float] = (0.05, 10.0),
) -> Calibration2PL:
    """Estimate 2PL item parameters from a persons x items matrix of 0/1 (NaN = not given).

    Marginal maximum likelihood via Bock-Aitkin EM (module docstring), N(0, 1) population.

    Args:
        responses: Shape ``(n_persons, n_items)``; 0, 1, or NaN where not administered.
        n_quadrature: Number of quadrature nodes (>= 5).
        bounds: Range of the nodes (logits).
        max_iterations: Maximum EM cycles.
        tol: Convergence threshold on the largest change of any ``a`` or ``d``.
        a_bounds: Discriminations are kept in this range.

    Returns:
        A :class:`Calibration2PL` with arrays ``a`` and ``b``.

    Raises:
        ValueError: ``responses`` is not 2-D, holds values other than 0/1/NaN, or an item has
            only correct or only wrong answers (the message names the column).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> theta = rng.normal(size=(500, 1))
        >>> x = (rng.random((500, 5)) < 1 / (1 + np.exp(-(theta - [-1, -0.5, 0, 0.5, 1])))) * 1.0
        >>> fit = calibrate_2pl(x)
        >>> bool(np.all(np.diff(fit.b) > 0))
        True
    """
    if n_quadrature < 5:
        raise ValueError("n_quadrature: must be >= 5")
    u1, taken = _validate(responses)
    with _single_threaded_blas():
        return _em(u1, taken, n_quadrature, bounds, max_iterations, tol, a_bounds)


def _em(
    u1: FloatArray,
    taken: FloatArray,
    n_quadrature: int,
    bounds: tuple[float, float],
    max_iterations: int,
    tol: float,
    a_bounds: tuple[float, float],
) -> Calibration2PL:
    nodes = np.linspace(bounds[0], bounds[1], n_quadrature)
    log_w = -0.5 * nodes**2
    log_w -= np.logaddexp.reduce(log_w)
    n_items = u1.shape[1]
    p_obs = (u1.sum(axis=0) + 0.5) / (taken.sum(axis=0) + 1.0)
    a = np.ones(n_items)
    d = np.log(p_obs / (1.0 - p_obs)) * np.sqrt(1.0 + 1.0 / 2.89)  # start: a = 1, b from p-value
    converged = False
    log_lik = -np.inf
    n_iterations = 0
    x1, x2 = nodes[:, None], (nodes**2)[:, None]
    while n_iterations < max_iterations:
        n_iterations += 1
        z = x1 * a + d  # (Q, J)
        log_p = -np.logaddexp(0.0, -z)
        log_q = -np.logaddexp(0.0, z)
        joint = u1 @ (log_p - log_q).T + taken @ log_q.T + log_w  # (N, Q)
        row_max = joint.max(axis=1, keepdims=True)
        post = np.exp(joint - row_max)
        norm = post.sum(axis=1, keepdims=True)
        log_lik = float(np.sum(np.log(norm) + row_max))
        post /= norm
        n_q = post.T @ taken  # (Q, J)
        r_q = post.T @ u1
        p = np.exp(log_p)
        resid = r_q - n_q * p
        wt = n_q * p * (1.0 - p)
        g_a, g_d = (x1 * resid).sum(axis=0), resid.sum(axis=0)
        h_aa, h_ad, h_dd = (x2 * wt).sum(axis=0), (x1 * wt).sum(axis=0), wt.sum(axis=0)
        det = h_aa * h_dd - h_ad * h_ad
        step_a = np.clip((h_dd * g_a - h_ad * g_d) / det, -1.0, 1.0)
        step_d = np.clip((h_aa * g_d - h_ad * g_a) / det, -1.0, 1.0)
        a_new = np.clip(a + step_a, *a_bounds)
        d_new = d + step_d
        change = max(float(np.max(np.abs(a_new - a))), float(np.max(np.abs(d_new - d))))
        a, d = a_new, d_new
        if change < tol:
            converged = True
            break
    return Calibration2PL(
        a=a, b=-d / a, n_iterations=n_iterations, converged=converged, log_likelihood=log_lik
    )
