"""Per-section performance of an adaptive test (seed 002 §13.6, ``performance_by_domain``).

For every blueprint section the test touched: items attempted and correct, accuracy, mean
response time, and a section ability estimate — the EAP (same prior as the test) from that
section's responses alone. With few items per section these estimates lean on the prior, and
their ``se`` says so; the overall ``theta`` of the state remains the score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assay.cat.estimation import eap
from assay.cat.state import CatState

__all__ = ["SectionPerformance", "performance_by_section"]


@dataclass(frozen=True, slots=True)
class SectionPerformance:
    """How the examinee did in one section.

    Attributes:
        section_id: The section (``None`` for items without one).
        items_attempted: Items answered.
        items_correct: Items answered correctly.
        accuracy: ``items_correct / items_attempted``.
        avg_time_s: Mean response time in seconds, or None when no time was recorded.
        theta: EAP ability from this section's responses (logits).
        se: Its posterior SD (logits).
    """

    section_id: str | None
    items_attempted: int
    items_correct: int
    accuracy: float
    avg_time_s: float | None
    theta: float
    se: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return asdict(self)


def performance_by_section(state: CatState) -> dict[str | None, SectionPerformance]:
    """Summaries per section, in the order sections were first reached.

    Args:
        state: A test state (running or stopped).

    Returns:
        ``{section_id: SectionPerformance}``.

    Example:
        >>> from datetime import UTC, datetime
        >>> from assay.cat import CatConfig, ItemParams, record_response, start
        >>> now = datetime(2025, 1, 1, tzinfo=UTC)
        >>> s = start(CatConfig(max_items=5), now=now)
        >>> s = record_response(s, item=ItemParams("q1", section_id="add"), correct=True, now=now)
        >>> s = record_response(s, item=ItemParams("q2", section_id="add"), correct=False, now=now)
        >>> p = performance_by_section(s)["add"]
        >>> (p.items_attempted, p.items_correct, p.accuracy, round(p.theta, 3))
        (2, 1, 0.5, 0.0)
    """
    cfg = state.config
    groups: dict[str | None, list[int]] = {}
    for i, answer in enumerate(state.answered):
        groups.setdefault(answer.item.section_id, []).append(i)
    out: dict[str | None, SectionPerformance] = {}
    for section_id, rows in groups.items():
        answers = [state.answered[i] for i in rows]
        u = np.array([float(x.correct) for x in answers])
        a, b, c = (np.array([getattr(x.item, p) for x in answers]) for p in "abc")
        theta, se = eap(u, a, b, c, prior_mean=cfg.prior_mean, prior_sd=cfg.prior_sd)
        times = [x.response_time_s for x in answers if x.response_time_s is not None]
        out[section_id] = SectionPerformance(
            section_id=section_id,
            items_attempted=len(answers),
            items_correct=int(u.sum()),
            accuracy=float(u.mean()),
            avg_time_s=float(np.mean(times)) if times else None,
            theta=theta,
            se=se,
        )
    return out
