"""The :class:`ArtifactRegistry`: artifacts on an Assay :class:`~assay.storage.Database`.

Every version of an artifact is one row (see :mod:`assay.artifacts.tables`). Writes use
optimistic concurrency across processes: an operation reads the artifact, decides, then
writes in one transaction whose UPDATE names the ``row_version`` it read. Of two processes
changing the same artifact from the same read, exactly one commits; nothing of the loser's
write remains.

What the loser sees depends on what it asked for (as in the reference library, seed 000,
whose registry serializes ``revise`` and ``set_status`` per artifact):

* with ``expected_version`` it gets :class:`~assay.artifacts.errors.ArtifactConflictError`
  (a stale ``expected_version`` always conflicts, in one process or across several);
* without it, ``revise`` and ``set_status`` apply to whatever is latest: in one process they
  take turns on a per-artifact lock (:mod:`assay.artifacts.locks`); a write that lost to
  another process re-reads and decides again, up to :data:`WRITE_ATTEMPTS` times. Five
  concurrent ``revise()`` calls thus land as five successive versions, each transition
  validated against the status the previous one left.

``submit_for_review`` takes no lock and does not retry: a review that lost its first step
conflicts.

Review (seed 000 "submit_for_review", seed 001 "Review Flow"): ``DRAFT -> PENDING_REVIEW ->
IN_REVIEW`` is committed first (so others see the review under way), the rubrics run, then
the evaluations are stored and the outcome (``APPROVED`` or ``NEEDS_REVISION``, see
:mod:`assay.artifacts.review`) committed together. ``NEEDS_REVISION`` re-enters through
``DRAFT``. If a rubric raises, the artifact stays ``IN_REVIEW`` for a person to decide.

Writes and latest-version reads go through :mod:`assay.artifacts.batch`: concurrent callers
on one :class:`Database` share transactions (group commit), while each operation still
commits atomically and alone sees its conflict. Concurrent reviews share each rubric lookup
(no rubric is cached beyond that).

Hooks run after the commit that caused them, in registration order; an exception from a hook
propagates to the caller (the change is already committed).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from assay.artifacts import fields as f
from assay.artifacts import store
from assay.artifacts.batch import WriteJob, group_commit, latest_reader
from assay.artifacts.definitions import ArtifactTypeDefinition, type_definitions_from_config
from assay.artifacts.errors import (
    ArtifactConflictError,
    ArtifactNotFoundError,
    ArtifactValidationError,
    InvalidTransitionError,
    ReviewSetupError,
)
from assay.artifacts.locks import artifact_locks
from assay.artifacts.models import Artifact, new_artifact_id
from assay.artifacts.provenance import ProvenanceRecord, RevisionRecord, create_provenance
from assay.artifacts.reviewing import (
    LifecycleHook,
    ReviewSteps,
    RubricEvaluator,
    RubricLookup,
    _fire,
    _guard,
)
from assay.artifacts.status import (
    ARTIFACT_TRANSITIONS,
    ArtifactStatus,
    coerce_status,
    validate_transition,
)
from assay.artifacts.tables import artifact_tags, artifacts
from assay.storage import Database, utcnow

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Attempts of a write without ``expected_version`` that keeps losing to other processes.
WRITE_ATTEMPTS = 8

#: Upper bound of the random pause before retry ``n``, times ``n`` (seconds).
RETRY_JITTER_S = 0.002


class ArtifactRegistry(ReviewSteps):
    """Create, version, query and review artifacts.

    Args:
        db: The database (``Database.memory()`` or ``await Database.connect(url)``).
        rubric_registry: Where ``submit_for_review`` finds rubrics by id.
        rubric_executor: What runs them.
        type_definitions: Type id -> :class:`ArtifactTypeDefinition`.

    Raises:
        ReviewSetupError: If a type has ``auto_review`` and rubrics but no rubric
            registry or executor was given.
    """

    def __init__(
        self,
        db: Database,
        rubric_registry: RubricLookup | None = None,
        rubric_executor: RubricEvaluator | None = None,
        type_definitions: Mapping[str, ArtifactTypeDefinition] | None = None,
    ) -> None:
        self.db = db
        self.rubric_registry = rubric_registry
        self.rubric_executor = rubric_executor
        self.type_definitions: dict[str, ArtifactTypeDefinition] = dict(type_definitions or {})
        for type_id, definition in self.type_definitions.items():
            if definition.auto_review and definition.rubrics and not self._can_review():
                raise ReviewSetupError(
                    f"artifact type {type_id!r} has auto_review but the registry has no "
                    "rubric_registry and rubric_executor"
                )
        self._on_create: list[LifecycleHook] = []
        self._on_status_change: list[LifecycleHook] = []
        self._on_review_complete: list[LifecycleHook] = []
        self._rubric_lookups: dict[str, asyncio.Future[Any]] = {}

    @classmethod
    async def from_config(
        cls,
        config: dict[str, Any],
        db: Database,
        rubric_registry: RubricLookup | None = None,
        rubric_executor: RubricEvaluator | None = None,
    ) -> ArtifactRegistry:
        """A registry whose type definitions come from ``config["artifact_types"]``.

        Raises:
            ArtifactValidationError: For a bad type definition, naming
                ``artifact_types.<type>.<key>``.
        """
        return cls(
            db=db,
            rubric_registry=rubric_registry,
            rubric_executor=rubric_executor,
            type_definitions=type_definitions_from_config(config),
        )

    # -- hooks ----------------------------------------------------------------------------
    def on_create(self, callback: LifecycleHook) -> None:
        """Call ``callback(artifact)`` after each artifact is created."""
        self._on_create.append(callback)

    def on_status_change(self, callback: LifecycleHook) -> None:
        """Call ``callback(artifact)`` after each status change (once per step)."""
        self._on_status_change.append(callback)

    def on_review_complete(self, callback: LifecycleHook) -> None:
        """Call ``callback(artifact)`` when a review ends: at the end of each
        ``submit_for_review`` and when ``set_status`` moves an artifact out of ``IN_REVIEW``."""
        self._on_review_complete.append(callback)

    # -- creation -------------------------------------------------------------------------
    async def create(
        self,
        artifact_type: str,
        name: str,
        content: dict[str, Any],
        provenance: ProvenanceRecord | None = None,
        tags: list[str] | None = None,
        *,
        rubric_ids: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        owner_id: str | None = None,
    ) -> Artifact:
        """Create version ``1.0.0`` of a new artifact in ``DRAFT``.

        Tags and rubric ids are the given ones followed by the type definition's (duplicates
        dropped, order kept). With a type definition that has ``auto_review``, the new
        artifact is reviewed at once and returned as the review left it.

        Args:
            artifact_type: Type id.
            name: Human-readable name (non-blank).
            content: The content (JSON object).
            provenance: Provenance; ``create_provenance("system", "manual")`` if ``None``.
            tags: Tags.
            rubric_ids: Rubrics for this artifact beyond its type's.
            metadata: Cross-cutting context (JSON object).
            owner_id: Owning user id (the HTTP API's per-user scope).

        Raises:
            ArtifactValidationError: On bad input, naming the field.
            ReviewSetupError: With ``auto_review`` when a rubric cannot be found.
        """
        f.text("artifact_type", artifact_type, empty=False, max_len=200)
        f.text("name", name, empty=False, max_len=500)
        f.json_object("content", content)
        f.text_list("tags", tags if tags is not None else [], max_len=200)
        f.opt_text("owner_id", owner_id)
        if owner_id is not None:
            f.text("owner_id", owner_id, empty=False, max_len=64)
        if provenance is not None and not isinstance(provenance, ProvenanceRecord):
            raise ArtifactValidationError("provenance", "must be a ProvenanceRecord or None")
        definition = self.type_definitions.get(artifact_type)
        extra_tags = definition.tags if definition else []
        extra_rubrics = definition.rubrics if definition else []
        artifact = Artifact(
            id=new_artifact_id(),
            type=artifact_type,
            name=name,
            content=content,
            content_schema=definition.content_schema if definition else None,
            provenance=provenance or create_provenance("system", "manual"),
            tags=_merged("tags", tags, extra_tags),
            rubric_ids=_merged("rubric_ids", rubric_ids, extra_rubrics),
            metadata=f.json_object("metadata", metadata if metadata is not None else {}),
            owner_id=f.opt_text("owner_id", owner_id),
        )
        rubrics = None
        if definition is not None and definition.auto_review:
            rubrics = await self._resolve_rubrics(artifact)
        await self._commit(
            WriteJob(
                inserts=[
                    (artifacts, [store.row_values(artifact, version_seq=1, is_latest=True)]),
                    (artifact_tags, store.tag_rows(artifact)),
                ]
            )
        )
        logger.info("created artifact %s (type=%s)", artifact.id, artifact_type)
        await _fire(self._on_create, artifact)
        if rubrics is not None:
            loaded = store.Loaded(artifact, row_version=1, version_seq=1)
            _, artifact = await self._review(loaded, rubrics)
        return artifact

    # -- retrieval ------------------------------------------------------------------------
    async def get(self, artifact_id: str) -> Artifact | None:
        """The latest version of an artifact, or ``None``."""
        loaded = await latest_reader(self.db).load(artifact_id)
        return None if loaded is None else loaded.artifact

    async def get_version(self, artifact_id: str, version: str) -> Artifact | None:
        """One version of an artifact (``"1.0.0"``), or ``None``."""
        async with self.db.read() as conn:
            loaded = await store.load_version(conn, artifact_id, version)
        return None if loaded is None else loaded.artifact

    async def list_versions(self, artifact_id: str) -> list[Artifact]:
        """Every version of an artifact, oldest first (empty if there is none)."""
        async with self.db.read() as conn:
            return await store.list_versions(conn, artifact_id)

    async def query(
        self,
        artifact_type: str | None = None,
        status: ArtifactStatus | None = None,
        tags: list[str] | None = None,
        *,
        owner_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Artifact]:
        """Latest versions matching every given filter, oldest first.

        Args:
            artifact_type: Only this type.
            status: Only this status (a value string is accepted).
            tags: Only artifacts having all of these tags.
            owner_id: Only this owner's artifacts.
            limit: At most this many (``None``: all).
            offset: Skip this many first.

        Raises:
            ArtifactValidationError: On a bad filter, naming it.
        """
        status_value = None if status is None else coerce_status(status)
        tag_list = f.text_list("tags", list(tags) if tags is not None else [])
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise ArtifactValidationError("limit", "must be an integer >= 0")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ArtifactValidationError("offset", "must be an integer >= 0")
        async with self.db.read() as conn:
            return await store.query_latest(
                conn,
                artifact_type=artifact_type,
                status=status_value,
                tags=tag_list,
                owner_id=owner_id,
                limit=limit,
                offset=offset,
            )

    async def get_evaluations(
        self, artifact_id: str, *, version: str | None = None, all_versions: bool = False
    ) -> list[dict[str, Any]]:
        """Stored evaluation dicts, oldest first.

        Args:
            artifact_id: The artifact.
            version: Whose evaluations (default: the latest version's).
            all_versions: Evaluations of every version instead.

        Returns:
            ``RubricEvaluation.to_dict()`` dicts with ``rubric_passed``,
            ``approval_threshold``, ``passed`` (the combined verdict) and ``artifact_version``.

        Raises:
            ArtifactNotFoundError: If the artifact (or that version) does not exist.
        """
        async with self.db.read() as conn:
            if version is None:
                loaded = await store.load_latest(conn, artifact_id)
            else:
                loaded = await store.load_version(conn, artifact_id, version)
            if loaded is None:
                raise ArtifactNotFoundError(artifact_id, version)
            wanted = None if all_versions else loaded.artifact.version
            return await store.select_evaluations(conn, artifact_id, version=wanted)

    # -- changes --------------------------------------------------------------------------
    async def revise(
        self,
        artifact_id: str,
        new_content: dict[str, Any],
        reason: str,
        triggered_by: str,
        *,
        expected_version: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Artifact:
        """Create the next patch version (``1.0.0`` -> ``1.0.1``) in ``DRAFT``.

        The current version becomes ``SUPERSEDED`` (so it must be ``DRAFT``,
        ``NEEDS_REVISION`` or ``APPROVED``); the new one inherits type, name, tags, rubric
        ids and metadata, and its provenance gains a :class:`RevisionRecord`. One transaction.

        Args:
            artifact_id: The artifact.
            new_content: The new content (JSON object).
            reason: Why.
            triggered_by: Who or what (``"user:jane"``, ``"rubric_evaluation:eval_1"``).
            expected_version: If given, the version the caller revised from; another one
                being latest raises :class:`ArtifactConflictError`. If ``None``, the
                revision applies to the latest version when its turn comes (concurrent
                revisions land one after the other, see the module docstring).
            metadata: Metadata of the new version (default: inherited).

        Raises:
            ArtifactNotFoundError: No such artifact (also a ``ValueError``).
            InvalidTransitionError: The current status cannot become ``SUPERSEDED``.
            ArtifactConflictError: ``expected_version`` is stale or another writer changed
                the artifact first; without ``expected_version``, only after
                :data:`WRITE_ATTEMPTS` lost races.
            ArtifactValidationError: On bad input, naming the field.
        """
        f.json_object("new_content", new_content)
        f.text("reason", reason)
        f.text("triggered_by", triggered_by)
        new_metadata = None if metadata is None else f.json_object("metadata", metadata)

        async def plan(loaded: store.Loaded) -> tuple[WriteJob, Artifact]:
            current = loaded.artifact
            validate_transition(current.status, ArtifactStatus.SUPERSEDED)
            provenance = current.provenance.copy()
            provenance.revision_history.append(
                RevisionRecord(
                    previous_version=current.version,
                    reason=reason,
                    changes_summary=summarize_changes(current.content, new_content),
                    triggered_by=triggered_by,
                )
            )
            now_text = f.now_iso()
            new = Artifact(
                id=current.id,
                type=current.type,
                name=current.name,
                version=f.bump_patch(current.version),
                content=new_content,
                content_schema=current.content_schema,
                provenance=provenance,
                tags=list(current.tags),
                rubric_ids=list(current.rubric_ids),
                metadata=dict(current.metadata) if new_metadata is None else dict(new_metadata),
                owner_id=current.owner_id,
                created_at=now_text,
                updated_at=now_text,
            )
            superseded = _guard(
                loaded,
                status=ArtifactStatus.SUPERSEDED.value,
                status_reason=f"superseded by {new.version}",
                is_latest=False,
                updated_at=utcnow(),
            )
            row = store.row_values(new, version_seq=loaded.version_seq + 1, is_latest=True)
            return WriteJob(updates=[superseded], inserts=[(artifacts, [row])]), new

        loaded, new = await self._write_latest(artifact_id, expected_version, plan)
        current = loaded.artifact
        logger.info("revised artifact %s: %s -> %s", artifact_id, current.version, new.version)
        if self._on_status_change:
            await _fire(self._on_status_change, current.evolve(status=ArtifactStatus.SUPERSEDED))
        return new

    async def set_status(
        self,
        artifact_id: str,
        status: ArtifactStatus,
        reason: str | None = None,
        *,
        expected_version: str | None = None,
    ) -> Artifact:
        """Move the latest version to ``status`` if the transition table allows it.

        Args:
            artifact_id: The artifact.
            status: Target status (a value string is accepted).
            reason: Why; stored with the row as ``status_reason``.
            expected_version: If given, the version the caller decided on. If ``None``, the
                change applies to the latest version when its turn comes, validated
                against its status then.

        Returns:
            The artifact after the change.

        Raises:
            ArtifactNotFoundError: No such artifact (also a ``ValueError``).
            InvalidTransitionError: The table forbids the change.
            ApprovalRequiredError: ``APPROVED`` for a ``requires_approval`` type without a
                passing evaluation of the current version for each rubric.
            ArtifactConflictError: ``expected_version`` is stale or another writer changed
                the artifact first; without ``expected_version``, only after
                :data:`WRITE_ATTEMPTS` lost races.
        """
        target = coerce_status(status)
        f.opt_text("reason", reason)

        async def plan(loaded: store.Loaded) -> tuple[WriteJob, Artifact]:
            current = loaded.artifact
            validate_transition(current.status, target)
            if target is ArtifactStatus.APPROVED:
                await self._check_approval(current)
            now = utcnow()
            update = _guard(loaded, status=target.value, status_reason=reason, updated_at=now)
            changed = current.evolve(status=target, updated_at=store.to_iso(now))
            return WriteJob(updates=[update]), changed

        loaded, changed = await self._write_latest(artifact_id, expected_version, plan)
        current = loaded.artifact
        logger.info("artifact %s: %s -> %s (%s)", artifact_id, current.status, target, reason)
        await _fire(self._on_status_change, changed)
        if current.status is ArtifactStatus.IN_REVIEW:
            await _fire(self._on_review_complete, changed)
        return changed

    async def submit_for_review(self, artifact_id: str) -> list[dict[str, Any]]:
        """Review the latest version against its rubrics (see the module docstring).

        Returns:
            One evaluation dict per rubric, in ``rubric_ids`` order: ``RubricEvaluation``
            fields plus ``rubric_passed``, ``approval_threshold``, ``passed`` (combined
            verdict, see :mod:`assay.artifacts.review`) and ``artifact_version``.

        Raises:
            ArtifactNotFoundError: No such artifact (also a ``ValueError``).
            InvalidTransitionError: The status is not reviewable (``is_reviewable``).
            ReviewSetupError: Rubrics named but no registry/executor, or a rubric not found
                (raised before any status change).
            ArtifactConflictError: Another writer changed the artifact first.
        """
        loaded = await self._load_for_write(artifact_id, None)
        current = loaded.artifact
        if not current.is_reviewable:
            raise InvalidTransitionError(
                current.status.value,
                ArtifactStatus.IN_REVIEW.value,
                frozenset(s.value for s in ARTIFACT_TRANSITIONS[current.status]),
                detail=(
                    f"Invalid transition: artifact '{artifact_id}' is {current.status.value}; "
                    "only draft, pending_review and needs_revision can be submitted for review"
                ),
            )
        rubrics = await self._resolve_rubrics(current)
        evaluations, _ = await self._review(loaded, rubrics)
        return evaluations

    # -- internals ------------------------------------------------------------------------
    async def _commit(self, job: WriteJob) -> None:
        await group_commit(self.db).commit(job)

    def _can_review(self) -> bool:
        return self.rubric_registry is not None and self.rubric_executor is not None

    async def _write_latest(
        self,
        artifact_id: str,
        expected_version: str | None,
        plan: Callable[[store.Loaded], Awaitable[tuple[WriteJob, _T]]],
    ) -> tuple[store.Loaded, _T]:
        """Read the latest version, ``plan`` the write from it, commit; serialized per artifact.

        Holds the artifact's in-process lock (:mod:`assay.artifacts.locks`) throughout. When
        the guarded commit loses to another process and the caller named no
        ``expected_version``, re-reads and plans again, up to :data:`WRITE_ATTEMPTS` times.

        Returns:
            The version the write was planned from, and what ``plan`` returned with the job.

        Raises:
            ArtifactNotFoundError: No such artifact.
            ArtifactConflictError: ``expected_version`` is not the latest, or every attempt
                lost to another writer.
        """
        async with artifact_locks(self.db).hold(artifact_id):
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                loaded = await self._load_for_write(artifact_id, expected_version)
                job, result = await plan(loaded)
                try:
                    await self._commit(job)
                except (ArtifactConflictError, IntegrityError) as exc:
                    if expected_version is not None or attempt == WRITE_ATTEMPTS:
                        if isinstance(exc, ArtifactConflictError):
                            raise
                        raise ArtifactConflictError(
                            artifact_id, expected=f"version {loaded.artifact.version}"
                        ) from exc
                    logger.debug(
                        "artifact %s: lost a write race (attempt %d)", artifact_id, attempt
                    )
                    await asyncio.sleep(random.uniform(0.0, RETRY_JITTER_S * attempt))
                    continue
                return loaded, result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _load_for_write(self, artifact_id: str, expected_version: str | None) -> store.Loaded:
        loaded = await latest_reader(self.db).load(artifact_id)
        if loaded is None:
            raise ArtifactNotFoundError(artifact_id)
        if expected_version is not None and loaded.artifact.version != expected_version:
            raise ArtifactConflictError(
                artifact_id,
                expected=f"version {expected_version}",
                actual=f"version {loaded.artifact.version}",
            )
        return loaded


def summarize_changes(old: dict[str, Any], new: dict[str, Any]) -> str:
    """A one-line summary of which top-level content keys changed.

    >>> summarize_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})
    'changed: b; added: c'
    """
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    changed = [k for k in new if k in old and new[k] != old[k]]
    parts = [
        f"{label}: {', '.join(keys)}"
        for label, keys in (("changed", changed), ("added", added), ("removed", removed))
        if keys
    ]
    return "; ".join(parts) or "no content change"


def _merged(field_name: str, given: list[str] | None, defaults: list[str]) -> list[str]:
    values = f.text_list(field_name, given if given is not None else [])
    return list(dict.fromkeys([*values, *defaults]))


__all__ = [
    "ArtifactRegistry",
    "LifecycleHook",
    "RubricEvaluator",
    "RubricLookup",
    "summarize_changes",
]
