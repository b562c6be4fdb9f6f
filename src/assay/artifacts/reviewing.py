"""The review steps of :class:`~assay.artifacts.registry.ArtifactRegistry` (seed 000, seed 001).

Resolving an artifact's rubrics (concurrent lookups of one rubric share a single read), running
them, storing the evaluations and committing the outcome, and the approval check of types that
require approval. :class:`ReviewSteps` is a mixin: the registry provides the attributes it
declares.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from assay.artifacts import store
from assay.artifacts.batch import GuardedUpdate, WriteJob
from assay.artifacts.errors import ApprovalRequiredError, ReviewSetupError
from assay.artifacts.models import Artifact
from assay.artifacts.review import apply_approval_threshold, missing_approvals, review_outcome
from assay.artifacts.status import (
    ARTIFACT_TRANSITIONS,
    REVIEW_ENTRY_PATHS,
    ArtifactStatus,
    validate_transition,
)
from assay.artifacts.tables import artifact_evaluations
from assay.storage import utcnow

logger = logging.getLogger("assay.artifacts.registry")

#: An async callback receiving the artifact as it is after the event.
LifecycleHook = Callable[[Artifact], Awaitable[None]]


class RubricLookup(Protocol):
    """What the registry needs of a rubric registry (``assay.rubrics.RubricRegistry``)."""

    async def get(self, rubric_id: str) -> Any:
        """The latest rubric with that id, or ``None`` (or raise ``LookupError``)."""
        ...


class RubricEvaluator(Protocol):
    """What the registry needs of a rubric executor (``assay.rubrics.RubricExecutor``)."""

    async def evaluate(
        self, rubric: Any, target: dict[str, Any], *, target_id: str, target_type: str
    ) -> Any:
        """A ``RubricEvaluation`` (anything with ``to_dict()``)."""
        ...


class ReviewSteps:
    """Review machinery shared by the registry (see the module docstring)."""

    db: Any
    rubric_registry: RubricLookup | None
    rubric_executor: RubricEvaluator | None
    type_definitions: dict[str, Any]
    _on_status_change: list[LifecycleHook]
    _on_review_complete: list[LifecycleHook]
    _rubric_lookups: dict[str, asyncio.Future[Any]]

    async def _commit(self, job: WriteJob) -> None:
        """Commit a write job (the registry's group commit overrides this declaration)."""

    async def _resolve_rubrics(self, artifact: Artifact) -> list[Any]:
        if not artifact.rubric_ids:
            return []
        if self.rubric_registry is None or self.rubric_executor is None:
            raise ReviewSetupError(
                f"artifact '{artifact.id}' names rubrics {artifact.rubric_ids} but the "
                "registry has no rubric_registry and rubric_executor"
            )
        rubrics = []
        for rubric_id in artifact.rubric_ids:
            rubric = await self._lookup_rubric(rubric_id)
            if rubric is None:
                raise ReviewSetupError(
                    f"rubric {rubric_id!r} of artifact '{artifact.id}' not found"
                )
            rubrics.append(rubric)
        return rubrics

    async def _lookup_rubric(self, rubric_id: str) -> Any:
        """The rubric, or ``None``; concurrent lookups of one id share a single read."""
        pending = self._rubric_lookups.get(rubric_id)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch_rubric(rubric_id))
            self._rubric_lookups[rubric_id] = pending
            pending.add_done_callback(lambda _: self._rubric_lookups.pop(rubric_id, None))
        return await asyncio.shield(pending)

    async def _fetch_rubric(self, rubric_id: str) -> Any:
        assert self.rubric_registry is not None
        try:
            return await self.rubric_registry.get(rubric_id)
        except LookupError:
            return None

    async def _review(
        self, loaded: store.Loaded, rubrics: Sequence[Any]
    ) -> tuple[list[dict[str, Any]], Artifact]:
        current = loaded.artifact
        path = REVIEW_ENTRY_PATHS[current.status]
        step = current.status
        for nxt in path:
            validate_transition(step, nxt)
            step = nxt
        now = utcnow()
        await self._commit(
            WriteJob(
                updates=[
                    _guard(
                        loaded,
                        status=ArtifactStatus.IN_REVIEW.value,
                        status_reason="submitted for review",
                        updated_at=now,
                    )
                ]
            )
        )
        in_review = store.Loaded(
            current.evolve(status=ArtifactStatus.IN_REVIEW),
            loaded.row_version + 1,
            loaded.version_seq,
        )
        if self._on_status_change:
            for nxt in path:
                await _fire(
                    self._on_status_change,
                    current.evolve(status=nxt, updated_at=store.to_iso(now)),
                )

        definition = self.type_definitions.get(current.type)
        threshold = definition.approval_threshold if definition else None
        evaluations: list[dict[str, Any]] = []
        assert self.rubric_executor is not None or not rubrics
        for rubric in rubrics:
            assert self.rubric_executor is not None
            result = await self.rubric_executor.evaluate(
                rubric, current.content, target_id=current.id, target_type=current.type
            )
            evaluation = apply_approval_threshold(result.to_dict(), threshold)
            evaluation["artifact_version"] = current.version
            evaluations.append(evaluation)
        outcome = review_outcome(evaluations) or ArtifactStatus.IN_REVIEW
        new_ids = [str(e["id"]) for e in evaluations]
        provenance = current.provenance
        if new_ids:
            provenance = provenance.copy()
            provenance.review_history.extend(new_ids)
        done = utcnow()
        reviewed = current.evolve(
            status=outcome,
            evaluation_ids=[*current.evaluation_ids, *new_ids],
            provenance=provenance,
            updated_at=store.to_iso(done),
        )
        await self._commit(
            WriteJob(
                updates=[
                    _guard(
                        in_review,
                        status=outcome.value,
                        status_reason="review complete",
                        evaluation_ids=reviewed.evaluation_ids,
                        provenance=provenance.to_dict(),
                        updated_at=done,
                    )
                ],
                inserts=[
                    (artifact_evaluations, store.evaluation_rows(current, evaluations, at=done))
                ],
            )
        )
        logger.info("reviewed artifact %s: %s", current.id, outcome)
        if outcome is not ArtifactStatus.IN_REVIEW:
            await _fire(self._on_status_change, reviewed)
        await _fire(self._on_review_complete, reviewed)
        return evaluations, reviewed

    async def _check_approval(self, artifact: Artifact) -> None:
        definition = self.type_definitions.get(artifact.type)
        if definition is None or not definition.requires_approval:
            return
        async with self.db.read() as conn:
            evaluations = await store.select_evaluations(
                conn, artifact.id, version=artifact.version
            )
        missing = (
            missing_approvals(artifact.rubric_ids, evaluations)
            if artifact.rubric_ids
            else ["(none: the artifact names no rubric)"]
        )
        if missing:
            raise ApprovalRequiredError(
                artifact.status.value,
                ArtifactStatus.APPROVED.value,
                frozenset(s.value for s in ARTIFACT_TRANSITIONS[artifact.status]),
                detail=(
                    f"Invalid transition: artifact type {artifact.type!r} requires approval; "
                    f"version {artifact.version} lacks a passing evaluation for rubrics "
                    f"{', '.join(missing)}"
                ),
            )


def _guard(loaded: store.Loaded, **values: Any) -> GuardedUpdate:
    a = loaded.artifact
    return GuardedUpdate(a.id, a.version, loaded.row_version, values)


async def _fire(hooks: Sequence[LifecycleHook], artifact: Artifact) -> None:
    for hook in hooks:
        await hook(artifact)
