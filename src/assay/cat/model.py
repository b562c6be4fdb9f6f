"""The 3PL item response model: probability, Fisher information, log-likelihood.

Birnbaum (1968), in Lord & Novick, *Statistical Theories of Mental Test Scores*, ch. 17, on the
logistic metric (no scaling constant D; multiply ``a`` by 1.702 to read normal-ogive
discriminations)::

    P(theta) = c + (1 - c) / (1 + exp(-z)),   z = a (theta - b)

``c = 0`` gives the 2PL, ``a = 1, c = 0`` the 1PL (Rasch). Fisher information of one item
(Lord 1980, *Applications of IRT to Practical Testing Problems*, eq. 5-9)::

    I(theta) = a^2 (1 - P) / P ((P - c) / (1 - c))^2

which for ``c = 0`` reduces to ``a^2 P (1 - P)``. Worked example: ``theta = 0, a = 1.5, b = 0,
c = 0.2`` gives ``P = 0.2 + 0.8 * 0.5 = 0.6`` and ``I = 2.25 * 0.4 / 0.6 * 0.5^2 = 0.375``.

Log-likelihoods are computed with ``e = exp(-z)`` and ``log(1 + x e) = logaddexp(0, log x - z)``,
so nothing cancels or overflows::

    log P       = log(1 + c e) - log(1 + e)
    log(1 - P)  = log(1 - c) - z - log(1 + e)
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "check_params",
    "information",
    "item_log_likelihood",
    "log_likelihood",
    "probability",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
#: |z| is clipped here before exp() so that extreme parameters cannot overflow.
_Z_MAX = 700.0


def check_params(
    a: ArrayLike, b: ArrayLike, c: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Item parameters as equal-length 1-D float arrays, validated.

    Raises:
        ValueError: Shapes do not broadcast to 1-D, ``a`` not finite and > 0, ``b`` not
            finite, or ``c`` outside [0, 1) (the message names the field).
    """
    a_arr = np.atleast_1d(np.asarray(a, dtype=np.float64))
    b_arr = np.atleast_1d(np.asarray(b, dtype=np.float64))
    c_arr = np.zeros_like(b_arr) if c is None else np.atleast_1d(np.asarray(c, dtype=np.float64))
    try:
        a_arr, b_arr, c_arr = np.broadcast_arrays(a_arr, b_arr, c_arr)
    except ValueError:
        raise ValueError("a, b, c: must have one value per item (or be scalars)") from None
    if a_arr.ndim != 1:
        raise ValueError("a, b, c: must be scalars or 1-D arrays over items")
    if not (np.all(np.isfinite(a_arr)) and np.all(a_arr > 0)):
        raise ValueError("a: every discrimination must be finite and > 0")
    if not np.all(np.isfinite(b_arr)):
        raise ValueError("b: every difficulty must be finite")
    if not np.all((c_arr >= 0) & (c_arr < 1)):
        raise ValueError("c: every guessing parameter must be in [0, 1)")
    return a_arr, b_arr, c_arr


def probability(theta: ArrayLike, a: ArrayLike, b: ArrayLike, c: ArrayLike = 0.0) -> FloatArray:
    """Probability of a correct response under the 3PL model (2PL when ``c = 0``).

    ``P = c + (1 - c) / (1 + exp(-a (theta - b)))`` (Birnbaum 1968). Broadcasts numpy-style:
    a scalar theta with item arrays gives one probability per item; ``theta[:, None]`` with
    item arrays gives a ``(n_theta, n_items)`` table.

    Args:
        theta: Ability (logits), scalar or array.
        a: Discrimination (> 0), scalar or array over items.
        b: Difficulty (logits), scalar or array over items.
        c: Lower asymptote (guessing) in [0, 1); 0 for 1PL/2PL.

    Returns:
        Array of probabilities in ``[c, 1]``, shape of the broadcast inputs.

    Example:
        >>> round(float(probability(0.0, 1.5, 0.0, 0.2)), 6)
        0.6
    """
    z = np.clip(np.multiply(a, np.subtract(theta, b)), -_Z_MAX, _Z_MAX)
    c_arr = np.asarray(c, dtype=np.float64)
    p: FloatArray = c_arr + (1.0 - c_arr) / (1.0 + np.exp(-z))
    return p


def information(theta: ArrayLike, a: ArrayLike, b: ArrayLike, c: ArrayLike = 0.0) -> FloatArray:
    """Fisher information of each item at ``theta`` (Lord 1980, eq. 5-9).

    ``I = a^2 (1 - P) / P ((P - c) / (1 - c))^2``, computed in the overflow-safe form
    ``a^2 (1 - c) (e r) r / (1 + c e)`` with ``e = exp(-a (theta - b))``, ``r = 1 / (1 + e)``.

    Args:
        theta: Ability (logits), scalar or array.
        a: Discrimination (> 0), scalar or array over items.
        b: Difficulty (logits), scalar or array over items.
        c: Lower asymptote in [0, 1).

    Returns:
        Array of information values (>= 0), shape of the broadcast inputs.

    Example:
        >>> round(float(information(0.0, 1.5, 0.0, 0.2)), 6)
        0.375
    """
    a_arr = np.asarray(a, dtype=np.float64)
    c_arr = np.asarray(c, dtype=np.float64)
    e = np.exp(-np.clip(a_arr * np.subtract(theta, b), -_Z_MAX, _Z_MAX))
    r = 1.0 / (1.0 + e)  # e r <= 1 and r <= 1: no overflow however large e is
    info: FloatArray = a_arr * a_arr * (1.0 - c_arr) * (e * r) * r / (1.0 + c_arr * e)
    return info


def item_log_likelihood(
    grid: FloatArray, correct: bool, a: float, b: float, c: float = 0.0
) -> FloatArray:
    """Log-likelihood of one response at every grid point (module docstring formulas).

    Args:
        grid: Theta values, shape ``(n_points,)``.
        correct: Whether the response was correct.
        a: Discrimination.
        b: Difficulty.
        c: Lower asymptote.

    Returns:
        ``log P(grid)`` if correct else ``log(1 - P(grid))``, shape ``(n_points,)``.
    """
    nz = grid * -a  # -z = a b - a theta
    nz += a * b
    if abs(a) * max(abs(grid[0]), abs(grid[-1])) + abs(a * b) <= _Z_MAX:
        e = np.exp(nz)  # cannot overflow: the fast path
        out: FloatArray = np.log1p(e)
        if correct and c > 0.0:
            e *= c
            out -= np.log1p(e)
    else:
        out = np.logaddexp(0.0, nz)
        if correct and c > 0.0:
            out -= np.logaddexp(0.0, nz + math.log(c))
    if correct:  # log P = log(1 + c e) - log(1 + e)
        np.negative(out, out=out)
        return out
    np.subtract(nz, out, out=out)  # log(1 - P) = log(1 - c) - z - log(1 + e)
    if c > 0.0:
        out += math.log1p(-c)
    return out


def log_likelihood(
    grid: FloatArray, u: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray
) -> FloatArray:
    """Log-likelihood of a response pattern at every grid point.

    ``log L(theta) = sum_i u_i log P_i(theta) + (1 - u_i) log(1 - P_i(theta))``.

    Args:
        grid: Theta values, shape ``(n_points,)``.
        u: 0/1 responses, shape ``(n_items,)`` (no NaN).
        a: Discriminations, shape ``(n_items,)``.
        b: Difficulties, shape ``(n_items,)``.
        c: Guessing parameters, shape ``(n_items,)``.

    Returns:
        Array of shape ``(n_points,)``.
    """
    nz = a * b - np.multiply.outer(grid, a)  # -z, shape (n_points, n_items)
    right = u > 0.5
    if np.max(np.abs(nz)) <= _Z_MAX:  # exp cannot overflow: the fast path
        e = np.exp(nz)
        table = np.where(right, np.log1p(c * e), np.log1p(-c) + nz)
        table -= np.log1p(e)
    else:
        with np.errstate(divide="ignore"):
            log_c = np.log(c)  # -inf where c = 0: log(1 + c e) = logaddexp(0, -inf) = 0
        table = np.where(right, np.logaddexp(0.0, nz + log_c), np.log1p(-c) + nz)
        table -= np.logaddexp(0.0, nz)
    total: FloatArray = table.sum(axis=1)
    return total
