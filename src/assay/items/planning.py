"""``plan_assessment``: an assessment blueprint -> one :class:`ItemSlot` per item.

Sections come in blueprint order. Within a section the bands follow its
``difficulty_distribution`` (``fixed`` and ``adaptive``: easy, then medium, then hard;
``random_from_pool``: shuffled). Each slot's skill comes from the section's skills able to
produce its band (``band_skills``, computed by the catalog), chosen by :func:`assign_skills`:
a form repeats a skill within a section only when no unused skill fits the slot.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from assay.items.blueprints import AssessmentBlueprint, ItemSlot, SectionSpec
from assay.items.difficulty import Band

__all__ = ["assign_skills", "plan_assessment"]


def plan_assessment(assessment: AssessmentBlueprint, *, rng: random.Random) -> list[ItemSlot]:
    """Plan every item of ``assessment``.

    Args:
        assessment: The blueprint (from a catalog, so that ``band_skills`` is filled; without
            it every skill of a section is assumed to produce every band).
        rng: Source of the skill draws and, for ``random_from_pool``, of the band order; the
            same seed gives the same plan.

    Returns:
        ``total_items`` slots; each section contributes exactly its ``item_count`` slots and
        its ``difficulty_distribution`` counts, with skills as distinct as the section's
        ``band_skills`` allow (:func:`assign_skills`).
    """
    slots: list[ItemSlot] = []
    for section in assessment.sections:
        bands = section.bands()
        if assessment.item_selection_algorithm == "random_from_pool":
            rng.shuffle(bands)
        skills = assign_skills([(band, _candidates(section, band)) for band in bands], rng=rng)
        slots.extend(
            ItemSlot(section_id=section.section_id, skill_id=skill, band=band)
            for band, skill in zip(bands, skills, strict=True)
        )
    return slots


def assign_skills(slots: Sequence[tuple[Band, Sequence[str]]], *, rng: random.Random) -> list[str]:
    """One skill per slot of a section, repeating a skill only when no unused one fits.

    Algorithm: first a maximum bipartite matching between slots and skills, each skill used
    at most once (Kuhn's augmenting paths, Kuhn 1955), with slot order and candidate order
    shuffled by ``rng``; it gives as many distinct skills as any assignment can, and a slot it
    leaves unmatched has every one of its candidates already used (else a one-edge augmenting
    path would exist). Each slot still open then takes, in slot order, the candidate used least
    often in the section, then least often in its band, ties broken by the shuffled order.

    Worked example: slots ``[(easy, [A, B]), (medium, [A]), (hard, [C])]`` -> always
    ``[B, A, C]`` (a greedy draw in slot order would take ``A`` for easy half the time and
    then repeat it); ``[(easy, [A, B]), (easy, [A, B]), (medium, [A, B])]`` -> the two easy
    slots get ``A`` and ``B``, and ``medium`` repeats one of them.

    Args:
        slots: ``(band, candidate skill ids)`` per slot, in form order; every candidate list
            non-empty.
        rng: Source of the shuffles (deterministic for a seeded ``random.Random``).

    Returns:
        A skill id per slot, in the order of ``slots``.

    Raises:
        ValueError: A slot has no candidate.
    """
    if any(not candidates for _, candidates in slots):
        raise ValueError("every slot needs at least one candidate skill")
    options = [list(dict.fromkeys(candidates)) for _, candidates in slots]
    for skills in options:
        rng.shuffle(skills)
    order = rng.sample(range(len(slots)), k=len(slots))
    owner: dict[str, int] = {}

    def augment(slot: int, seen: set[str]) -> bool:
        for skill in options[slot]:
            if skill not in seen:
                seen.add(skill)
                if skill not in owner or augment(owner[skill], seen):
                    owner[skill] = slot
                    return True
        return False

    for slot in order:
        augment(slot, set())
    chosen: dict[int, str] = {slot: skill for skill, slot in owner.items()}
    in_section = Counter(chosen.values())
    in_band = Counter((slots[slot][0], skill) for slot, skill in chosen.items())
    for slot, (band, _) in enumerate(slots):
        if slot in chosen:
            continue
        skill = min(options[slot], key=lambda k: (in_section[k], in_band[band, k]))
        chosen[slot] = skill
        in_section[skill] += 1
        in_band[band, skill] += 1
    return [chosen[slot] for slot in range(len(slots))]


def _candidates(section: SectionSpec, band: Band) -> list[str]:
    if section.band_skills is not None and section.band_skills.get(band):
        return list(section.band_skills[band])
    return list(section.skill_blueprints)
