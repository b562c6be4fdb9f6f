"""When an adaptive test ends: maximum length, time, or precision (seed 002 §10.2, §13.4).

Rules, checked in this order (the first that holds is the reason):

1. ``max_items``: ``n_items >= max_items``;
2. ``time_limit``: ``elapsed_s >= time_limit_s``;
3. ``se_target``: ``se < se_target`` and ``n_items >= min_items`` (the variable-length rule of
   Weiss & Kingsbury 1984, *Journal of Educational Measurement* 21(4)).

A fourth reason, ``bank_exhausted``, is decided by selection (no item left to give).

Worked example: ``n_items=12, se=0.29, elapsed_s=300`` with ``max_items=30, se_target=0.3,
min_items=5, time_limit_s=1800`` stops with ``se_target``; with ``min_items=15`` it goes on.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["STOP_REASONS", "StopReason", "stop_reason"]

StopReason = Literal["max_items", "time_limit", "se_target", "bank_exhausted"]
STOP_REASONS: tuple[StopReason, ...] = ("max_items", "time_limit", "se_target", "bank_exhausted")


def stop_reason(
    *,
    n_items: int,
    se: float,
    elapsed_s: float,
    max_items: int | None = None,
    min_items: int = 0,
    se_target: float | None = None,
    time_limit_s: float | None = None,
) -> StopReason | None:
    """The reason to stop now, or None to go on.

    Args:
        n_items: Items answered so far.
        se: Standard error of the current theta (logits).
        elapsed_s: Seconds since the test started.
        max_items: Maximum test length, or None.
        min_items: No precision stop before this many items.
        se_target: Stop once ``se`` falls below this, or None.
        time_limit_s: Stop once this many seconds have elapsed, or None.

    Returns:
        ``"max_items"``, ``"time_limit"``, ``"se_target"`` or None.

    Example:
        >>> stop_reason(n_items=12, se=0.29, elapsed_s=300, max_items=30, se_target=0.3)
        'se_target'
    """
    if max_items is not None and n_items >= max_items:
        return "max_items"
    if time_limit_s is not None and elapsed_s >= time_limit_s:
        return "time_limit"
    if se_target is not None and n_items >= min_items and se < se_target:
        return "se_target"
    return None
