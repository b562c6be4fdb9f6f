"""The declared public surface: every seed 001 name is exported under ``assay.rubrics``."""

from __future__ import annotations

import importlib

import pytest

import assay.rubrics

SEED_NAMES = [
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "ScoringMethod",
    "ScoringType",
    "FunctionRegistry",
    "RubricExecutor",
    "RubricEvaluation",
    "CriterionResult",
    "generate_feedback_summary",
    "generate_deterministic_summary",
    "generate_criterion_feedback",
    "RubricRegistry",
    "build_meta_rubric",
]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_names_are_exported(name: str) -> None:
    assert name in assay.rubrics.__all__
    assert getattr(assay.rubrics, name) is not None


def test_all_names_resolve_and_are_sorted_uniquely() -> None:
    for name in assay.rubrics.__all__:
        assert hasattr(assay.rubrics, name), name
    assert len(set(assay.rubrics.__all__)) == len(assay.rubrics.__all__)


@pytest.mark.parametrize(
    "module",
    [
        "cache",
        "decode",
        "errors",
        "executor",
        "feedback",
        "files",
        "functions",
        "llm_adapter",
        "llm_scoring",
        "meta",
        "models",
        "registry",
        "results",
        "schemas",
        "scoring",
        "tables",
        "versioning",
    ],
)
def test_every_module_declares_all(module: str) -> None:
    mod = importlib.import_module(f"assay.rubrics.{module}")
    assert mod.__all__ and all(hasattr(mod, name) for name in mod.__all__)
