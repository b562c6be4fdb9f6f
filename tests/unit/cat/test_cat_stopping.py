"""Stopping rules: order and thresholds."""

from __future__ import annotations

import pytest

from assay.cat.stopping import stop_reason

RULES = {"max_items": 30, "min_items": 5, "se_target": 0.3, "time_limit_s": 1800.0}


@pytest.mark.parametrize(
    ("n_items", "se", "elapsed_s", "overrides", "reason"),
    [
        (12, 0.29, 300.0, {}, "se_target"),  # worked example
        (12, 0.29, 300.0, {"min_items": 15}, None),  # too short for a precision stop
        (12, 0.30, 300.0, {}, None),  # strictly below the target
        (30, 0.50, 300.0, {}, "max_items"),
        (30, 0.10, 1900.0, {}, "max_items"),  # length wins over time and precision
        (10, 0.50, 1800.0, {}, "time_limit"),
        (10, 0.10, 1800.0, {}, "time_limit"),  # time wins over precision
        (0, 1.00, 0.0, {}, None),
        (500, 0.01, 1e9, {"max_items": None, "se_target": None, "time_limit_s": None}, None),
    ],
)
def test_stop_reason_table(
    n_items: int, se: float, elapsed_s: float, overrides: dict[str, object], reason: str | None
) -> None:
    rules = {**RULES, **overrides}
    assert stop_reason(n_items=n_items, se=se, elapsed_s=elapsed_s, **rules) == reason  # type: ignore[arg-type]
