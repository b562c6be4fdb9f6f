"""What an assessment needs from the server besides the catalog: today, the code sandbox.

A skill *runs code* when its items are code items graded by running the submission against
tests (``presentation.item_type == "code"`` and ``evaluation.method == "test_execution"``):
grading then needs a working sandbox (``assay.sandbox``). An assessment needs the sandbox when
any skill any of its sections draws from runs code.
"""

from __future__ import annotations

from assay.items.blueprints import AssessmentBlueprint, SkillBlueprint
from assay.items.catalog import Catalog


def skill_runs_code(skill: SkillBlueprint) -> bool:
    """Whether grading an item of ``skill`` runs the submission (needs the sandbox).

    Example:
        >>> from assay.items import load_catalog
        >>> skill_runs_code(load_catalog().skill("PROG.PYTHON.STRING.LENGTH"))
        True
    """
    return skill.presentation.item_type == "code" and skill.evaluation.method == "test_execution"


def sandbox_skills(assessment: AssessmentBlueprint, catalog: Catalog) -> list[str]:
    """Ids of the skills of ``assessment`` whose grading runs code, in section order.

    Raises:
        UnknownBlueprintError: a section names a skill the catalog lacks (never for a loaded
            catalog, which is cross-checked).
    """
    found: list[str] = []
    for section in assessment.sections:
        for skill_id in section.skill_blueprints:
            if skill_id not in found and skill_runs_code(catalog.skill(skill_id)):
                found.append(skill_id)
    return found


def requires_sandbox(assessment: AssessmentBlueprint, catalog: Catalog) -> bool:
    """Whether ``assessment`` can only be graded with a working code sandbox.

    Example:
        >>> from assay.items import load_catalog
        >>> catalog = load_catalog()
        >>> [requires_sandbox(catalog.assessment(a), catalog)
        ...  for a in ("PY-FUNCTIONS-L1", "MATH-QUIZ-10")]
        [True, False]
    """
    return bool(sandbox_skills(assessment, catalog))


__all__ = ["requires_sandbox", "sandbox_skills", "skill_runs_code"]
