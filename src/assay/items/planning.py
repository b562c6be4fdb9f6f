"""``plan_assessment``: an assessment blueprint -> one :class:`ItemSlot` per item.

Sections come in blueprint order. Within a section the bands follow its
``difficulty_distribution`` (``fixed`` and ``adaptive``: easy, then medium, then hard;
``random_from_pool``: shuffled). Each slot's skill is drawn from the section's skills able to
produce its band (``band_skills``, computed by the catalog) without replacement, refilled when
exhausted, so a band with as many slots as skills uses every skill once.
"""

from __future__ import annotations

import random

from assay.items.blueprints import AssessmentBlueprint, ItemSlot, SectionSpec
from assay.items.difficulty import Band

__all__ = ["plan_assessment"]


def plan_assessment(assessment: AssessmentBlueprint, *, rng: random.Random) -> list[ItemSlot]:
    """Plan every item of ``assessment``.

    Args:
        assessment: The blueprint (from a catalog, so that ``band_skills`` is filled; without
            it every skill of a section is assumed to produce every band).
        rng: Source of the skill draws and, for ``random_from_pool``, of the band order.

    Returns:
        ``total_items`` slots; each section contributes exactly its ``item_count`` slots and
        its ``difficulty_distribution`` counts.
    """
    slots: list[ItemSlot] = []
    for section in assessment.sections:
        bands = section.bands()
        if assessment.item_selection_algorithm == "random_from_pool":
            rng.shuffle(bands)
        bags: dict[Band, list[str]] = {}
        for band in bands:
            if not bags.get(band):
                bags[band] = _candidates(section, band)
                rng.shuffle(bags[band])
            slots.append(
                ItemSlot(section_id=section.section_id, skill_id=bags[band].pop(), band=band)
            )
    return slots


def _candidates(section: SectionSpec, band: Band) -> list[str]:
    if section.band_skills is not None and section.band_skills.get(band):
        return list(section.band_skills[band])
    return list(section.skill_blueprints)
