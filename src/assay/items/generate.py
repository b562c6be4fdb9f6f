"""``generate_item``: a skill blueprint + a band + an RNG -> a served :class:`ItemInstance`.

Steps (seed 002 §13.4 "Item Generator Service"): choose a scenario in the band
(:mod:`assay.items.targeting`), draw parameters in it, compute the key (never guessed), fill a
stem template from the blueprint, pick distractors by the blueprint's strategies (fallbacks
when one collides) and shuffle the options with a recorded seed. Every random choice comes from
the given ``rng`` in a fixed order, so the same seed gives the same item.
"""

from __future__ import annotations

import random

from assay.items.blueprints import SkillBlueprint
from assay.items.difficulty import Band, band_of
from assay.items.instance import ItemInstance
from assay.items.options import assemble_options
from assay.items.targeting import compile_skill

__all__ = ["generate_item"]


def generate_item(
    skill: SkillBlueprint,
    *,
    rng: random.Random,
    band: Band | None = None,
    target_difficulty: float | None = None,
    item_id: str | None = None,
    section_id: str | None = None,
) -> ItemInstance:
    """Generate one item of ``skill``.

    Args:
        skill: The skill blueprint.
        rng: Source of every random choice (scenario, parameters, template, distractor order,
            shuffle seed, and the item id when ``item_id`` is omitted).
        band: ``easy``, ``medium`` or ``hard``: the item's computed difficulty lies in it
            (thresholds in :mod:`assay.items.difficulty`). ``None``: any difficulty.
        target_difficulty: In [0, 1]: pick a scenario nearest this difficulty (within ``band``
            when both are given).
        item_id: Id of the item; default ``"gen_"`` + 12 hex digits drawn from ``rng`` last.
        section_id: Section of the assessment the item fills, recorded on the item.

    Returns:
        The item with its key, computed ``difficulty``, ``difficulty_band`` (the band the
        difficulty falls in), ``generation_params`` (operation, operands, features as
        ``scenario``, template index, distractors with their strategies) and ``shuffle_seed``.
        A code item's key is the reference solution; its ``generation_params`` also hold the
        grading material (``function_name``, ``tests``, ``timeout_s``, ``partial_credit``),
        and it carries ``starter_code`` and ``language``.

    Raises:
        GenerationError: the skill cannot produce the band, or no parameters fit within the
            bounded attempts.
        ValueError: ``target_difficulty`` outside [0, 1].
    """
    if target_difficulty is not None and not 0.0 <= target_difficulty <= 1.0:
        raise ValueError(f"target_difficulty: must be in [0, 1], got {target_difficulty}")
    compiled = compile_skill(skill)
    generator = compiled.generator
    scenario = compiled.choose_scenario(rng, band=band, target_difficulty=target_difficulty)
    params, features = compiled.sample(rng, scenario)
    difficulty = compiled.difficulty(features)
    answer = generator.answer(params)
    presentation = skill.presentation
    template_index = rng.randrange(len(presentation.stem_templates))
    stem = presentation.stem_templates[template_index].format(**generator.template_values(params))
    recorded = {**params, "answer": answer, **features, "scenario": features}
    recorded["template_index"] = template_index
    options = correct_index = shuffle_seed = starter_code = language = None
    if presentation.item_type == "code":
        starter_code = presentation.starter_code or generator.starter_code(params)
        language = presentation.language or "python"
        recorded["timeout_s"] = skill.evaluation.timeout_seconds
        recorded["partial_credit"] = skill.evaluation.partial_credit
    if presentation.item_type == "multiple_choice":
        assembled = assemble_options(
            key=answer,
            option_count=presentation.option_count,
            strategies=[s.type for s in presentation.distractor_strategies],
            propose=lambda name: generator.propose_distractors(name, params, rng),
            fallback=generator.fallback_distractors(params, rng),
            rng=rng,
        )
        options, correct_index = assembled.options, assembled.correct_index
        shuffle_seed = assembled.shuffle_seed
        recorded["distractors"] = [{"strategy": s, "value": v} for s, v in assembled.distractors]
    return ItemInstance(
        item_id=item_id or f"gen_{rng.getrandbits(48):012x}",
        skill_id=skill.skill_id,
        section_id=section_id,
        item_type=presentation.item_type,
        stem=stem,
        options=options,
        correct_index=correct_index,
        correct_answer=answer,
        answer_kind=generator.answer_kind,
        difficulty=difficulty,
        difficulty_band=band_of(difficulty),
        generation_params=recorded,
        shuffle_seed=shuffle_seed,
        starter_code=starter_code,
        language=language,
    )
