"""Estimated minutes shown on the start page (issue 14 item 20)."""

import pytest

from assay.api.routes.blueprints import MINUTES_PER_ITEM_ESTIMATE, estimated_minutes


@pytest.mark.parametrize(
    ("limit", "items", "expected"),
    [(20, 30, 20), (None, 10, 15), (None, 1, 2), (None, 5, 8), (40, 5, 40)],
)
def test_estimated_minutes(limit: int | None, items: int, expected: int) -> None:
    assert MINUTES_PER_ITEM_ESTIMATE == 1.5
    assert estimated_minutes(time_limit_minutes=limit, total_items=items) == expected
