"""Blueprint-driven item generation (seed 002 §13).

Skill blueprints say what to assess and how items are generated (arithmetic, IPv4 subnetting,
Python functions); assessment blueprints say how many items of which skills and bands an
assessment holds. ``plan_assessment`` turns an
assessment into item slots, ``generate_item`` turns a skill and a band into a served
:class:`ItemInstance` whose key is computed, never guessed::

    catalog = load_catalog()
    slots = plan_assessment(catalog.assessment("MATH-QUIZ-10"), rng=random.Random(seed))
    item = generate_item(catalog.skill(slots[0].skill_id), band=slots[0].band, rng=rng)
"""

from assay.items import arithmetic as _arithmetic  # noqa: F401  (registers the generators)
from assay.items import python_exercises as _python_exercises  # noqa: F401
from assay.items import subnet as _subnet  # noqa: F401
from assay.items.blueprints import (
    AssessmentBlueprint,
    Benchmark,
    DifficultyFactor,
    DistractorSpec,
    Evaluation,
    ItemSlot,
    Presentation,
    SectionSpec,
    SkillBlueprint,
)
from assay.items.catalog import (
    SHIPPED_DATA_DIR,
    BlueprintFileCheck,
    Catalog,
    check_blueprint_file,
    load_catalog,
)
from assay.items.difficulty import BANDS, Band, band_of
from assay.items.errors import BlueprintError, GenerationError, UnknownBlueprintError
from assay.items.generate import generate_item
from assay.items.generator import Generator, get_generator, register_generator
from assay.items.instance import ItemInstance, ResponseError, Score, normalize_answer
from assay.items.planning import plan_assessment
from assay.items.requirements import requires_sandbox, sandbox_skills, skill_runs_code

__all__ = [
    "BANDS",
    "SHIPPED_DATA_DIR",
    "AssessmentBlueprint",
    "Band",
    "Benchmark",
    "BlueprintError",
    "BlueprintFileCheck",
    "Catalog",
    "DifficultyFactor",
    "DistractorSpec",
    "Evaluation",
    "GenerationError",
    "Generator",
    "ItemInstance",
    "ItemSlot",
    "Presentation",
    "ResponseError",
    "Score",
    "SectionSpec",
    "SkillBlueprint",
    "UnknownBlueprintError",
    "band_of",
    "check_blueprint_file",
    "generate_item",
    "get_generator",
    "load_catalog",
    "normalize_answer",
    "plan_assessment",
    "register_generator",
    "requires_sandbox",
    "sandbox_skills",
    "skill_runs_code",
]
