"""The evaluation engine: applies a :class:`~assay.rubrics.models.Rubric` to a target.

Each criterion is scored by its method (seed 001, "Scoring Methods in Detail"):

* ``DETERMINISTIC`` - the function of ``function_ref`` returns a level id of the criterion;
* ``SCHEMA`` - the target is validated against the inline ``schema`` or the schema registry's
  ``schema_ref``: valid -> highest level, invalid -> lowest level with every validation error
  as evidence (``"$.questions[0]: 3 is not of type 'string'"``);
* ``LLM_DECODE`` - the model classifies the rendered prompt into one level
  (:mod:`assay.rubrics.decode`), ``samples`` times with a majority vote; with
  ``batch_llm_criteria`` one call scores all LLM criteria with a JSON-schema-constrained answer,
  and any criterion missing or invalid in that answer falls back to its own call.

A scoring method that raises gives the level ``"error"`` (details in ``notes``); an LLM that
cannot be called or gives no usable answer gives ``"unable_to_evaluate"``. Scores and the pass
verdict come from :func:`assay.rubrics.scoring.decide_score`; the summary from
:func:`assay.rubrics.feedback.generate_feedback_summary`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema.validators import validator_for

from assay.llm import ChatModel
from assay.rubrics.cache import EvaluationCache, evaluation_cache_key
from assay.rubrics.errors import RubricValidationError, SchemaResolutionError
from assay.rubrics.feedback import generate_feedback_summary
from assay.rubrics.functions import FunctionRegistry
from assay.rubrics.llm_adapter import as_chat_model
from assay.rubrics.llm_scoring import LLMDecoder, unable_result
from assay.rubrics.models import ERROR_LEVEL, Rubric, RubricCriterion, ScoringType
from assay.rubrics.results import CriterionResult, EvaluationStatus, RubricEvaluation
from assay.rubrics.schemas import SchemaRegistry
from assay.rubrics.scoring import decide_score
from assay.storage.base import new_id

logger = logging.getLogger(__name__)


class RubricExecutor:
    """Evaluates targets against rubrics.

    Args:
        function_registry: Scoring functions of ``DETERMINISTIC`` criteria (a fresh
            guarded :class:`FunctionRegistry`: built-in checks only, when omitted).
        llm: The model of ``LLM_DECODE`` criteria and of LLM feedback: an
            :class:`~assay.llm.ChatModel` or a seed-style provider
            (:mod:`assay.rubrics.llm_adapter`).
        schema_registry: Resolves ``ScoringMethod.schema_ref``.
        samples: LLM answers per criterion (self-consistency); the majority level wins.
        min_agreement: Below this share of agreeing samples an LLM criterion is
            ``unable_to_evaluate`` (0.0 accepts any majority).
        temperature: Sampling temperature sent with decode calls (``None``: model default).
        max_tokens: Answer length limit of decode calls.
        batch_llm_criteria: Score all LLM criteria of a rubric with one call per sample.
        llm_feedback: Ask the LLM for the feedback summary (else the deterministic one).
        cache: Where evaluations are cached (:mod:`assay.rubrics.cache`); none by default.
        max_concurrency: LLM calls in flight at once.
        evaluated_by: Recorded as ``RubricEvaluation.evaluated_by``.

    Raises:
        ValueError: For ``samples < 1``, ``min_agreement`` outside [0, 1] or
            ``max_concurrency < 1`` (the message names the argument).

    Example:
        >>> executor = RubricExecutor(function_registry=FunctionRegistry())
        >>> # evaluation = await executor.evaluate(rubric, {"questions": [...]}, target_id="art_1")
    """

    def __init__(
        self,
        function_registry: FunctionRegistry | None = None,
        llm: Any | None = None,
        *,
        schema_registry: SchemaRegistry | None = None,
        samples: int = 1,
        min_agreement: float = 0.0,
        temperature: float | None = None,
        max_tokens: int | None = None,
        batch_llm_criteria: bool = False,
        llm_feedback: bool = True,
        cache: EvaluationCache | None = None,
        max_concurrency: int = 4,
        evaluated_by: str = "system",
    ) -> None:
        if not isinstance(samples, int) or samples < 1:
            raise ValueError("samples: must be an integer >= 1")
        if not 0.0 <= min_agreement <= 1.0:
            raise ValueError("min_agreement: must be between 0.0 and 1.0")
        if max_concurrency < 1:
            raise ValueError("max_concurrency: must be >= 1")
        self.function_registry = (
            function_registry if function_registry is not None else FunctionRegistry()
        )
        self.llm: ChatModel | None = as_chat_model(llm)
        self.schema_registry = schema_registry if schema_registry is not None else SchemaRegistry()
        self.samples = samples
        self.min_agreement = min_agreement
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.decoder: LLMDecoder | None = None
        if self.llm is not None:
            self.decoder = LLMDecoder(
                self.llm,
                samples=samples,
                min_agreement=min_agreement,
                temperature=temperature,
                max_tokens=max_tokens,
                max_concurrency=max_concurrency,
            )
        self.batch_llm_criteria = batch_llm_criteria
        self.llm_feedback = llm_feedback
        self.cache = cache
        self.evaluated_by = evaluated_by

    # -- public --------------------------------------------------------------------------
    def model_settings(self) -> dict[str, Any]:
        """The settings that change LLM answers (part of the evaluation cache key)."""
        return {
            "model": None if self.llm is None else self.llm.name,
            "samples": self.samples,
            "min_agreement": self.min_agreement,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "batch_llm_criteria": self.batch_llm_criteria,
            "llm_feedback": self.llm_feedback and self.llm is not None,
        }

    async def evaluate(
        self,
        rubric: Rubric,
        target: dict[str, Any],
        target_id: str = "",
        target_type: str = "",
    ) -> RubricEvaluation:
        """Evaluate ``target`` against ``rubric``.

        Args:
            rubric: Rubric to evaluate against.
            target: Target content.
            target_id: Target identifier.
            target_type: Target type (defaults to the rubric's ``target_type``).

        Returns:
            A :class:`RubricEvaluation` with one result per criterion, the weighted score, the
            status, the pass verdict and the feedback summary.

        Raises:
            RubricValidationError: If ``target`` is not a mapping (field ``target``).
        """
        if not isinstance(target, Mapping):
            raise RubricValidationError("target", "must be an object (mapping)")
        target = dict(target)
        key = None
        if self.cache is not None:
            key = evaluation_cache_key(
                rubric=rubric, target=target, model_settings=self.model_settings()
            )
            hit = await self.cache.get(key)
            if hit is not None:
                hit.id = new_id("eval")
                hit.target_id = target_id
                hit.target_type = target_type or rubric.target_type
                return hit

        results = await self.evaluate_criteria(rubric.criteria, target)
        decision = decide_score(rubric.criteria, results, pass_threshold=rubric.pass_threshold)
        evaluation = RubricEvaluation(
            rubric_id=rubric.id,
            rubric_version=rubric.version,
            target_id=target_id,
            target_type=target_type or rubric.target_type,
            criterion_results=results,
            weighted_score=decision.weighted_score,
            passed=decision.passed,
            evaluated_by=self.evaluated_by,
            status=decision.status,
        )
        evaluation.feedback_summary = await generate_feedback_summary(
            rubric, evaluation, llm=self.llm if self.llm_feedback else None
        )
        if (
            self.cache is not None
            and key is not None
            and evaluation.status is EvaluationStatus.COMPLETE
        ):
            await self.cache.put(key, evaluation)
        return evaluation

    async def evaluate_criteria(
        self, criteria: Sequence[RubricCriterion], target: dict[str, Any]
    ) -> list[CriterionResult]:
        """One :class:`CriterionResult` per criterion, in order (never raises for a criterion)."""
        batched: dict[str, CriterionResult] = {}
        llm_criteria = [c for c in criteria if c.scoring_method.type is ScoringType.LLM_DECODE]
        if self.batch_llm_criteria and self.decoder is not None and len(llm_criteria) >= 2:
            batched = await self.decoder.decode_batch(llm_criteria, target)

        async def one(criterion: RubricCriterion) -> CriterionResult:
            if criterion.id in batched:
                return batched[criterion.id]
            return await self.evaluate_criterion(criterion, target)

        return list(await asyncio.gather(*(one(c) for c in criteria)))

    async def evaluate_criterion(
        self, criterion: RubricCriterion, target: dict[str, Any]
    ) -> CriterionResult:
        """Score one criterion; a failure gives an ``error`` (or ``unable_to_evaluate``) result."""
        method = criterion.scoring_method.type
        try:
            if method is ScoringType.DETERMINISTIC:
                return await self._deterministic(criterion, target)
            if method is ScoringType.SCHEMA:
                return self._schema(criterion, target)
            if self.decoder is None:
                return unable_result(criterion, "No LLM configured on the RubricExecutor")
            return await self.decoder.decode(criterion, target)
        except Exception as exc:
            logger.warning("criterion %r evaluation failed: %s", criterion.id, exc)
            return CriterionResult(
                criterion_id=criterion.id,
                level_id=ERROR_LEVEL,
                score=0.0,
                notes=f"Evaluation error: {type(exc).__name__}: {exc}",
                scoring_method_used=method,
            )

    # -- deterministic and schema -------------------------------------------------------
    async def _deterministic(
        self, criterion: RubricCriterion, target: dict[str, Any]
    ) -> CriterionResult:
        ref = criterion.scoring_method.function_ref
        if ref is None:  # pragma: no cover - ScoringMethod.validate forbids it
            raise ValueError("function_ref is required for deterministic scoring")
        out = self.function_registry.get(ref)(target)
        if inspect.isawaitable(out):
            out = await out
        level = criterion.level(out) if isinstance(out, str) else None
        if level is None:
            valid = ", ".join(lv.id for lv in criterion.levels)
            raise ValueError(
                f"{ref} returned {out!r}, which is not a level of this criterion ({valid})"
            )
        return CriterionResult(
            criterion.id, level.id, level.score, scoring_method_used=ScoringType.DETERMINISTIC
        )

    def _schema(self, criterion: RubricCriterion, target: dict[str, Any]) -> CriterionResult:
        method = criterion.scoring_method
        if method.schema is not None:
            schema = method.schema
        elif method.schema_ref is not None:
            schema = self.schema_registry.get(method.schema_ref)
        else:  # pragma: no cover - ScoringMethod.validate forbids it
            raise SchemaResolutionError("schema or schema_ref is required for schema scoring")
        # The schema was checked against its metaschema when the ScoringMethod was built or the
        # schema registered (check_schema costs ~3 ms); an invalid one still ends as "error".
        validator = validator_for(schema)(
            schema, registry=self.schema_registry.referencing_registry()
        )
        errors = sorted(validator.iter_errors(target), key=lambda e: (e.json_path, e.message))
        if errors:
            level = criterion.lowest_level
            return CriterionResult(
                criterion.id,
                level.id,
                level.score,
                evidence=[f"{e.json_path}: {e.message}" for e in errors],
                notes=f"Schema validation failed ({len(errors)} error(s))",
                scoring_method_used=ScoringType.SCHEMA,
            )
        level = criterion.highest_level
        return CriterionResult(
            criterion.id,
            level.id,
            level.score,
            evidence=["Schema validation passed"],
            scoring_method_used=ScoringType.SCHEMA,
        )


__all__ = ["RubricExecutor"]
