"""Rubric evaluation (seed 001): rubrics, scoring methods, the executor, feedback, the registry.

Code written against the seed runs with ``dataknobs_bots.rubrics`` replaced by
``assay.rubrics`` and ``AsyncMemoryDatabase()`` by ``assay.storage.Database.memory()``::

    from assay.rubrics import FunctionRegistry, RubricExecutor, RubricRegistry
    from assay.storage import Database

    registry = RubricRegistry(Database.memory())
    await registry.register(rubric)
    functions = FunctionRegistry()  # built-in checks; register yours with functions.register
    evaluation = await RubricExecutor(function_registry=functions).evaluate(
        rubric, target={"questions": ["Q1"]}, target_id="art_1"
    )

Where Assay differs from the reference library: a required criterion that was not evaluated
makes the evaluation ``incomplete`` and not passed, optional ones are left out of the score
(:mod:`assay.rubrics.scoring`); registered versions are immutable
(:mod:`assay.rubrics.registry`); LLM answers in fenced JSON or as a bare level id are parsed
(:mod:`assay.rubrics.decode`); decode prompts naming a missing variable fail instead of
rendering it empty; ``FunctionRegistry()`` never imports a module a reference names unless it
is allowed (:mod:`assay.rubrics.functions`; ``FunctionRegistry.importing()`` restores the
reference library's import-anything mode for trusted in-process rubrics).
"""

from assay.rubrics.cache import (
    DatabaseEvaluationCache,
    EvaluationCache,
    InMemoryEvaluationCache,
    evaluation_cache_key,
)
from assay.rubrics.checks import RubricCheck, RubricProblem, check_rubric, reference_problems
from assay.rubrics.decode import parse_level_response
from assay.rubrics.errors import (
    FunctionResolutionError,
    RubricConflictError,
    RubricError,
    RubricNotFoundError,
    RubricValidationError,
    RubricVersionExistsError,
    SchemaResolutionError,
)
from assay.rubrics.executor import RubricExecutor
from assay.rubrics.feedback import (
    generate_criterion_feedback,
    generate_deterministic_summary,
    generate_feedback_summary,
)
from assay.rubrics.files import load_rubric, load_rubrics, validate_rubric_file
from assay.rubrics.functions import ENTRY_POINT_GROUP, FunctionRegistry, parse_function_ref
from assay.rubrics.llm_adapter import as_chat_model
from assay.rubrics.meta import build_meta_rubric
from assay.rubrics.models import (
    ERROR_LEVEL,
    UNABLE_LEVEL,
    Rubric,
    RubricCriterion,
    RubricLevel,
    ScoringMethod,
    ScoringType,
)
from assay.rubrics.registry import RubricRegistry
from assay.rubrics.results import CriterionResult, EvaluationStatus, RubricEvaluation
from assay.rubrics.schemas import SchemaRegistry
from assay.rubrics.scoring import ScoreDecision, decide_score

__all__ = [
    "ENTRY_POINT_GROUP",
    "ERROR_LEVEL",
    "UNABLE_LEVEL",
    "CriterionResult",
    "DatabaseEvaluationCache",
    "EvaluationCache",
    "EvaluationStatus",
    "FunctionRegistry",
    "FunctionResolutionError",
    "InMemoryEvaluationCache",
    "Rubric",
    "RubricCheck",
    "RubricConflictError",
    "RubricCriterion",
    "RubricError",
    "RubricEvaluation",
    "RubricExecutor",
    "RubricLevel",
    "RubricNotFoundError",
    "RubricProblem",
    "RubricRegistry",
    "RubricValidationError",
    "RubricVersionExistsError",
    "SchemaRegistry",
    "SchemaResolutionError",
    "ScoreDecision",
    "ScoringMethod",
    "ScoringType",
    "as_chat_model",
    "build_meta_rubric",
    "check_rubric",
    "decide_score",
    "evaluation_cache_key",
    "generate_criterion_feedback",
    "generate_deterministic_summary",
    "generate_feedback_summary",
    "load_rubric",
    "load_rubrics",
    "parse_function_ref",
    "parse_level_response",
    "reference_problems",
    "validate_rubric_file",
]
