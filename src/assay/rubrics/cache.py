"""Evaluation cache: the same rubric version, content and model settings give the same evaluation.

Key (:func:`evaluation_cache_key`)::

    sha256(canonical_json({rubric_id, rubric_version, rubric_hash, content_hash, model_settings}))

``content_hash`` is the SHA-256 of the target's canonical JSON; ``rubric_hash`` guards against an
unregistered rubric object reusing an id and version with other content; ``model_settings`` are
the executor's LLM settings (model name, temperature, samples...). Only ``complete``
evaluations are cached (an error or an unanswered LLM call may be transient). A hit is returned
as a copy with a fresh ``id`` and the caller's ``target_id`` / ``target_type``.

Two implementations of the :class:`EvaluationCache` port: :class:`InMemoryEvaluationCache`
(LRU, per process) and :class:`DatabaseEvaluationCache` (the ``rubric_evaluation_cache`` table,
shared by every process on the database).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from assay.rubrics.models import Rubric, canonical_hash
from assay.rubrics.results import RubricEvaluation
from assay.rubrics.tables import rubric_evaluation_cache
from assay.storage import Database, utcnow


def evaluation_cache_key(
    *, rubric: Rubric, target: Mapping[str, Any], model_settings: Mapping[str, Any]
) -> str:
    """The cache key of one evaluation (formula in the module docstring)."""
    return canonical_hash(
        {
            "rubric_id": rubric.id,
            "rubric_version": rubric.version,
            "rubric_hash": rubric.content_hash(),
            "content_hash": canonical_hash(dict(target)),
            "model_settings": dict(model_settings),
        }
    )


@runtime_checkable
class EvaluationCache(Protocol):
    """Where evaluations are kept by key."""

    async def get(self, key: str) -> RubricEvaluation | None:
        """The evaluation stored under ``key``, or ``None``."""
        ...

    async def put(self, key: str, evaluation: RubricEvaluation) -> None:
        """Store ``evaluation`` under ``key`` (the first stored value wins)."""
        ...


class InMemoryEvaluationCache:
    """A per-process LRU cache.

    Args:
        max_entries: Entries kept; the least recently used entry is dropped beyond it.
    """

    def __init__(self, *, max_entries: int = 1024) -> None:
        if max_entries < 1:
            raise ValueError("max_entries: must be >= 1")
        self.max_entries = max_entries
        self._data: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    async def get(self, key: str) -> RubricEvaluation | None:
        data = self._data.get(key)
        if data is None:
            return None
        self._data.move_to_end(key)
        return RubricEvaluation.from_dict(data)

    async def put(self, key: str, evaluation: RubricEvaluation) -> None:
        if key in self._data:
            self._data.move_to_end(key)
            return
        self._data[key] = evaluation.to_dict()
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)


class DatabaseEvaluationCache:
    """A cache in the ``rubric_evaluation_cache`` table (shared across processes)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> RubricEvaluation | None:
        t = rubric_evaluation_cache
        async with self.db.read() as conn:
            row = (
                await conn.execute(sa.select(t.c.evaluation).where(t.c.cache_key == key))
            ).first()
        return None if row is None else RubricEvaluation.from_dict(row.evaluation)

    async def put(self, key: str, evaluation: RubricEvaluation) -> None:
        values = {
            "cache_key": key,
            "rubric_id": evaluation.rubric_id,
            "rubric_version": evaluation.rubric_version,
            "evaluation": evaluation.to_dict(),
            "created_at": utcnow(),
        }
        dialect_insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(rubric_evaluation_cache).values(**values).on_conflict_do_nothing()
        async with self.db.transaction() as conn:
            await conn.execute(stmt)


__all__ = [
    "DatabaseEvaluationCache",
    "EvaluationCache",
    "InMemoryEvaluationCache",
    "evaluation_cache_key",
]
