"""Content balancing over the assessment blueprint's sections and difficulty distribution.

Seed 002 §10.2 (``EvaluationBlueprint.sections``, ``EvaluationSection.item_count`` and
``difficulty_distribution``) and §13.4 give the test specification: how many items each section
contributes and, within a section, how many are easy, medium and hard. An adaptive test of
variable length honours it with the constrained-CAT rule of Kingsbury & Zara (1989, *Applied
Measurement in Education* 2(4)): before each item, pick the content group whose share lags its
target the most, then select by information inside that group.

Rule, for sections with quotas ``q_s`` (sum ``Q``) and counts so far ``n_s`` (sum ``N``)::

    deficit_s = q_s / Q * (N + 1) - n_s

Sections still under quota (``n_s < q_s``) come first, by descending deficit, ties in blueprint
order; then full sections, by descending deficit (a test longer than ``Q`` keeps the
proportions). The same rule orders the bands inside each section. So a test of exactly ``Q``
items meets every quota exactly.

Worked example: quotas ``A: 2, B: 1`` and counts ``A: 1, B: 0`` (N = 1): deficits are
``A: 2/3 * 2 - 1 = 0.33``, ``B: 1/3 * 2 - 0 = 0.67``, so the order is ``B, A``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ContentPlan", "SectionTarget", "order_by_deficit"]


def order_by_deficit(quotas: Sequence[tuple[str, int]], counts: Mapping[str, int]) -> list[str]:
    """Keys ordered by the Kingsbury-Zara rule above (under-quota first, then by deficit).

    Args:
        quotas: ``(key, quota)`` pairs in blueprint order; quotas >= 0.
        counts: Items administered so far per key (missing keys count 0).

    Returns:
        All keys with a positive quota, most urgent first.

    Example:
        >>> order_by_deficit([("A", 2), ("B", 1)], {"A": 1})
        ['B', 'A']
    """
    total_quota = sum(q for _, q in quotas)
    if total_quota <= 0:
        return []
    n_next = sum(counts.get(k, 0) for k, _ in quotas) + 1

    def rank(entry: tuple[int, tuple[str, int]]) -> tuple[bool, float, int]:
        pos, (key, quota) = entry
        n = counts.get(key, 0)
        return (n >= quota, -(quota / total_quota * n_next - n), pos)

    ranked = sorted(enumerate(q for q in quotas if q[1] > 0), key=rank)
    return [key for _, (key, _) in ranked]


@dataclass(frozen=True, slots=True)
class SectionTarget:
    """One blueprint section's share of the test.

    Attributes:
        section_id: Section id (the blueprint's ``section_id`` or ``domain``).
        item_count: Items the section contributes (>= 0).
        difficulty_distribution: Items per band, e.g. ``(("easy", 2), ("medium", 2),
            ("hard", 1))``; empty for no band constraint.
    """

    section_id: str
    item_count: int
    difficulty_distribution: tuple[tuple[str, int], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.section_id:
            raise ValueError("section_id: must be a non-empty string")
        if self.item_count < 0:
            raise ValueError(f"item_count: must be >= 0 (section {self.section_id!r})")
        if any(n < 0 for _, n in self.difficulty_distribution):
            raise ValueError(
                f"difficulty_distribution: counts must be >= 0 (section {self.section_id!r})"
            )


@dataclass(frozen=True, slots=True)
class ContentPlan:
    """Section quotas and band quotas that the item selection balances.

    Attributes:
        sections: The sections in blueprint order.
    """

    sections: tuple[SectionTarget, ...]

    def __post_init__(self) -> None:
        ids = [s.section_id for s in self.sections]
        if not ids:
            raise ValueError("sections: a content plan needs at least one section")
        if len(set(ids)) != len(ids):
            raise ValueError("sections: section ids must be unique")

    @property
    def total_items(self) -> int:
        """Sum of the section quotas."""
        return sum(s.item_count for s in self.sections)

    def groups(
        self, administered: Iterable[tuple[str | None, str | None]]
    ) -> list[tuple[str, str | None]]:
        """Content groups ``(section_id, band)`` to draw the next item from, most urgent first.

        Each section is followed by its bands in deficit order and then by ``(section_id,
        None)``, meaning any item of the section, as a fallback when its bands are exhausted.

        Args:
            administered: ``(section_id, band)`` of every item administered so far.

        Returns:
            Groups in priority order.
        """
        pairs = list(administered)
        by_section = Counter(s for s, _ in pairs if s is not None)
        by_band = Counter((s, b) for s, b in pairs if s is not None and b is not None)
        sections = {s.section_id: s for s in self.sections}
        out: list[tuple[str, str | None]] = []
        for section_id in order_by_deficit(
            [(s.section_id, s.item_count) for s in self.sections], by_section
        ):
            dist = sections[section_id].difficulty_distribution
            band_counts = {b: by_band[(section_id, b)] for b, _ in dist}
            out.extend((section_id, band) for band in order_by_deficit(dist, band_counts))
            out.append((section_id, None))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the blueprint's shape."""
        return {
            "sections": [
                {
                    "section_id": s.section_id,
                    "item_count": s.item_count,
                    "difficulty_distribution": dict(s.difficulty_distribution),
                }
                for s in self.sections
            ]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContentPlan:
        """Build from a blueprint-shaped dict (seed 002 §10.2 / §13.4).

        Accepts ``{"sections": [{"section_id" | "domain": str, "item_count": int,
        "difficulty_distribution": {"easy": 2, ...}}, ...]}``; extra keys are ignored.

        Raises:
            ValueError: A section lacks an id or an item count (the message names the field).
        """
        sections = []
        for i, raw in enumerate(data.get("sections") or []):
            section_id = raw.get("section_id") or raw.get("domain")
            if not section_id:
                raise ValueError(f"sections[{i}].section_id: required (or 'domain')")
            if "item_count" not in raw:
                raise ValueError(f"sections[{i}].item_count: required")
            dist = raw.get("difficulty_distribution") or {}
            sections.append(
                SectionTarget(
                    section_id=str(section_id),
                    item_count=int(raw["item_count"]),
                    difficulty_distribution=tuple((str(k), int(v)) for k, v in dist.items()),
                )
            )
        return cls(sections=tuple(sections))
