"""LLM decode scoring: one criterion per call, or all LLM criteria in one call.

:class:`LLMDecoder` runs ``samples`` calls per criterion and keeps the majority level
(self-consistency; ties go to the lower-scoring level), recording the agreement ratio and an
invocation record on the :class:`~assay.rubrics.results.CriterionResult`. Prompts, parsing and
hashing are the pure functions of :mod:`assay.rubrics.decode`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from assay.llm import ChatModel, LLMError, Message, ModelResponse
from assay.rubrics.decode import (
    batch_output_schema,
    build_batch_system_message,
    build_decode_system_message,
    invocation_record,
    json_candidates,
    majority_level,
    match_level_id,
    parse_level_response,
    rationale,
    render_decode_prompt,
)
from assay.rubrics.models import UNABLE_LEVEL, RubricCriterion, ScoringType
from assay.rubrics.results import CriterionResult


class LLMDecoder:
    """Scores ``LLM_DECODE`` criteria with a :class:`~assay.llm.ChatModel`.

    Args:
        llm: The model.
        samples: Answers per criterion; the majority level wins.
        min_agreement: Below this share of agreeing samples the result is
            ``unable_to_evaluate``.
        temperature: Sampling temperature sent with each call (``None``: model default).
        max_tokens: Answer length limit of each call.
        max_concurrency: Calls in flight at once.
    """

    def __init__(
        self,
        llm: ChatModel,
        *,
        samples: int = 1,
        min_agreement: float = 0.0,
        temperature: float | None = None,
        max_tokens: int | None = None,
        max_concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.samples = samples
        self.min_agreement = min_agreement
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._slots = asyncio.Semaphore(max_concurrency)

    def _parameters(self, response_format: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "response_format": response_format,
        }

    async def _sample(
        self, system: str, user: str, parameters: dict[str, Any]
    ) -> list[ModelResponse | LLMError]:
        llm = self.llm

        async def call() -> ModelResponse | LLMError:
            async with self._slots:
                try:
                    return await llm.complete(
                        [Message.system(system), Message.user(user)], **parameters
                    )
                except LLMError as exc:
                    return exc

        return list(await asyncio.gather(*(call() for _ in range(self.samples))))

    def _record(
        self,
        system: str,
        user: str,
        parameters: dict[str, Any],
        answers: Sequence[ModelResponse | LLMError],
        **extra: Any,
    ) -> dict[str, Any]:
        ok = [a for a in answers if isinstance(a, ModelResponse)]
        record = invocation_record(
            model=next((a.model for a in ok if a.model), self.llm.name),
            system=system,
            user=user,
            parameters=parameters,
            responses=[a.content or "" for a in ok],
            usages=[
                {
                    "prompt_tokens": a.usage.prompt_tokens,
                    "completion_tokens": a.usage.completion_tokens,
                    "total_tokens": a.usage.total_tokens,
                }
                for a in ok
            ],
            **extra,
        )
        errors = [str(a) for a in answers if isinstance(a, LLMError)]
        if errors:
            record["errors"] = errors
        return record

    async def decode(self, criterion: RubricCriterion, target: dict[str, Any]) -> CriterionResult:
        """Classify ``target`` into one level of ``criterion`` (``samples`` calls, majority vote).

        Raises:
            jinja2.TemplateError: If the decode prompt cannot be rendered.
        """
        method = criterion.scoring_method
        user = render_decode_prompt(method.decode_prompt, target)
        system = build_decode_system_message(criterion, output_schema=method.decode_output_schema)
        parameters = self._parameters(None)
        answers = await self._sample(system, user, parameters)
        level_ids = [lv.id for lv in criterion.levels]
        parsed = [
            parse_level_response(a.content, level_ids) if isinstance(a, ModelResponse) else None
            for a in answers
        ]
        winner, agreement, votes = majority_level(
            [p.level_id if p else None for p in parsed],
            scores={lv.id: lv.score for lv in criterion.levels},
            samples=self.samples,
        )
        record = self._record(
            system, user, parameters, answers, votes=votes if self.samples > 1 else None
        )
        if winner is None:
            failures = [str(a) for a in answers if isinstance(a, LLMError)]
            reason = (
                f"LLM call failed: {failures[0]}"
                if failures
                else "no level could be read from the LLM answer"
            )
            if not failures:
                first = next((a.content for a in answers if isinstance(a, ModelResponse)), "") or ""
                reason += f" (answer: {first[:200]!r})"
            return unable_result(criterion, reason, record=record, agreement=0.0)
        chosen = next(p for p in parsed if p is not None and p.level_id == winner)
        return self._verdict(
            criterion, winner, agreement, votes, record, how=chosen.how, payload=chosen.payload
        )

    def _verdict(
        self,
        criterion: RubricCriterion,
        winner: str,
        agreement: float,
        votes: dict[str, int],
        record: dict[str, Any],
        *,
        how: str,
        payload: dict[str, Any] | None,
    ) -> CriterionResult:
        if agreement < self.min_agreement:
            return unable_result(
                criterion,
                f"samples disagreed: agreement {agreement:.2f} < "
                f"min_agreement {self.min_agreement:.2f}",
                record=record,
                agreement=agreement,
            )
        level = criterion.level(winner)
        assert level is not None
        share = f", {votes[winner]}/{self.samples} samples" if self.samples > 1 else ""
        return CriterionResult(
            criterion.id,
            level.id,
            level.score,
            evidence=rationale(payload),
            notes=f"LLM decode ({how}){share}",
            scoring_method_used=ScoringType.LLM_DECODE,
            llm_invocation=record,
            agreement=agreement,
        )

    async def decode_batch(
        self, criteria: Sequence[RubricCriterion], target: dict[str, Any]
    ) -> dict[str, CriterionResult]:
        """Score several criteria with one call per sample (JSON-schema-constrained answer).

        Returns:
            Results of the criteria that got a valid level; a criterion missing or invalid in
            every answer (or whose prompt does not render) is left out, for its own call.
        """
        prompts: dict[str, str] = {}
        for criterion in criteria:
            try:
                prompts[criterion.id] = render_decode_prompt(
                    criterion.scoring_method.decode_prompt, target
                )
            except Exception:  # that criterion's own call reports the template error
                continue
        batch = [c for c in criteria if c.id in prompts]
        if len(batch) < 2:
            return {}
        system = build_batch_system_message(batch)
        user = "\n\n".join(f"## Criterion {c.id}: {c.name}\n\n{prompts[c.id]}" for c in batch)
        response_format = {
            "type": "json_schema",
            "json_schema": {
                "name": "rubric_levels",
                "schema": batch_output_schema(batch),
                "strict": True,
            },
        }
        parameters = self._parameters(response_format)
        answers = await self._sample(system, user, parameters)
        objects = [
            _first_object(a.content) if isinstance(a, ModelResponse) else None for a in answers
        ]
        record = self._record(system, user, parameters, answers, purpose="decode_intent_batch")
        record["criteria"] = [c.id for c in batch]
        out: dict[str, CriterionResult] = {}
        for criterion in batch:
            level_ids = [lv.id for lv in criterion.levels]
            votes_in = [_batch_vote(obj, criterion.id, level_ids) for obj in objects]
            winner, agreement, votes = majority_level(
                votes_in, scores={lv.id: lv.score for lv in criterion.levels}, samples=self.samples
            )
            if winner is None:
                continue  # missing or invalid in every answer: falls back to its own call
            payload = next(
                (o[criterion.id] for o in objects if o and isinstance(o.get(criterion.id), dict)),
                None,
            )
            out[criterion.id] = self._verdict(
                criterion,
                winner,
                agreement,
                votes,
                {**record, "votes": votes} if self.samples > 1 else dict(record),
                how="batch",
                payload=payload,
            )
        return out


def unable_result(
    criterion: RubricCriterion,
    reason: str,
    *,
    record: dict[str, Any] | None = None,
    agreement: float | None = None,
) -> CriterionResult:
    """An ``unable_to_evaluate`` result of an ``LLM_DECODE`` criterion, with the reason in notes."""
    return CriterionResult(
        criterion.id,
        UNABLE_LEVEL,
        0.0,
        notes=reason,
        scoring_method_used=ScoringType.LLM_DECODE,
        llm_invocation=record,
        agreement=agreement,
    )


def _first_object(text: str | None) -> dict[str, Any] | None:
    for _how, value in json_candidates(text or ""):
        if isinstance(value, dict):
            return value
    return None


def _batch_vote(
    obj: dict[str, Any] | None, criterion_id: str, level_ids: Sequence[str]
) -> str | None:
    if obj is None:
        return None
    entry = obj.get(criterion_id)
    if isinstance(entry, dict):
        entry = entry.get("level_id", entry.get("level"))
    return match_level_id(entry, level_ids)


__all__ = ["LLMDecoder", "unable_result"]
