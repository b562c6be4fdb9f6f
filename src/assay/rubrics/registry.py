"""Versioned rubric storage on :class:`~assay.storage.Database` (seed 001, "RubricRegistry").

Each rubric has immutable version records (``rubric_versions``) and one latest-version pointer
(``rubrics``). Rules (Assay's, where the reference library overwrites silently):

* a version, once registered, never changes: registering the same id and version with other
  content raises :class:`RubricVersionExistsError`; the same content again is a no-op;
* the latest pointer names the highest semantic version registered (registering an older
  version keeps the pointer);
* :meth:`RubricRegistry.update` stores a new version greater than the latest one and moves the
  pointer with ``UPDATE ... WHERE row_version = <read>``: of two writers changing one rubric at
  once exactly one wins, the other gets :class:`RubricConflictError`;
* :meth:`RubricRegistry.delete` removes the pointer and keeps every version for audit;
* rubrics belong to an owner (``owner_id``, ``""`` for the system); a registry sees only its
  owner's rubrics (:meth:`RubricRegistry.for_owner`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.rubrics.errors import (
    RubricConflictError,
    RubricNotFoundError,
    RubricValidationError,
    RubricVersionExistsError,
)
from assay.rubrics.models import Rubric
from assay.rubrics.tables import rubric_versions, rubrics
from assay.rubrics.versioning import semver_key
from assay.storage import Database, utcnow

#: Attempts of a register() that lost an insert race (the retry reads the winner's row).
REGISTER_ATTEMPTS = 3


class RubricRegistry:
    """Persistent, versioned rubrics of one owner.

    Args:
        db: The database (``Database.memory()`` or ``await Database.connect(url)``).
        owner_id: Owner whose rubrics this registry reads and writes; ``""`` (the default) is
            the system owner used by config-loaded rubrics.

    Example:
        >>> registry = RubricRegistry(Database.memory())
        >>> # await registry.register(rubric); await registry.get("content_quality")
    """

    def __init__(self, db: Database, *, owner_id: str = "") -> None:
        if not isinstance(owner_id, str) or len(owner_id) > 64:
            raise ValueError("owner_id: must be a string of at most 64 characters")
        self.db = db
        self.owner_id = owner_id

    def for_owner(self, owner_id: str) -> RubricRegistry:
        """A registry on the same database scoped to another owner."""
        return RubricRegistry(self.db, owner_id=owner_id)

    # -- writes --------------------------------------------------------------------------
    async def register(self, rubric: Rubric) -> str:
        """Store a rubric version and point ``latest`` at it if it is the highest version.

        Returns:
            The rubric id.

        Raises:
            RubricValidationError: If the rubric breaks a model rule.
            RubricVersionExistsError: If this id and version already hold other content.
            RubricConflictError: If concurrent writers kept winning (after retries).
        """
        rubric.validate()
        content, digest = rubric.to_dict(), rubric.content_hash()
        for attempt in range(REGISTER_ATTEMPTS):
            try:
                async with self.db.transaction() as conn:
                    await self._register_in(conn, rubric, content, digest)
                return rubric.id
            except RubricVersionExistsError:
                raise
            except (IntegrityError, RubricConflictError):
                if attempt == REGISTER_ATTEMPTS - 1:
                    raise RubricConflictError(
                        f"rubric {rubric.id!r}: concurrent writers; retry the registration"
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _register_in(
        self, conn: AsyncConnection, rubric: Rubric, content: dict[str, Any], digest: str
    ) -> None:
        existing = await self._version_hash(conn, rubric.id, rubric.version)
        if existing is not None and existing != digest:
            raise RubricVersionExistsError(
                f"rubric {rubric.id!r} version {rubric.version!r} is already registered with "
                "different content; versions are immutable - bump the version"
            )
        if existing is None:
            await self._insert_version(conn, rubric, content, digest)
        pointer = await self._pointer(conn, rubric.id)
        if pointer is None:
            await conn.execute(
                rubrics.insert().values(
                    owner_id=self.owner_id,
                    rubric_id=rubric.id,
                    version=rubric.version,
                    name=rubric.name,
                    target_type=rubric.target_type,
                    row_version=1,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
        elif semver_key(rubric.version) > semver_key(pointer.version):
            await self._move_pointer(conn, rubric, pointer.row_version)

    async def update(self, rubric: Rubric, *, expected_version: str | None = None) -> str:
        """Store a new version of an existing rubric (its ``version`` already bumped).

        Args:
            rubric: The new version.
            expected_version: The latest version the caller based the change on; when given,
                the update fails if the latest version is another one.

        Returns:
            The rubric id.

        Raises:
            RubricValidationError: If the rubric breaks a model rule.
            RubricNotFoundError: If the rubric has no latest version (never registered, or
                deleted).
            RubricConflictError: If the latest version is not ``expected_version``, the new
                version is not greater than the latest, or another writer moved the pointer
                first.
            RubricVersionExistsError: If the version exists with other content.
        """
        rubric.validate()
        content, digest = rubric.to_dict(), rubric.content_hash()
        try:
            async with self.db.transaction() as conn:
                pointer = await self._pointer(conn, rubric.id)
                if pointer is None:
                    raise RubricNotFoundError(f"rubric {rubric.id!r} not found")
                if expected_version is not None and pointer.version != expected_version:
                    raise RubricConflictError(
                        f"rubric {rubric.id!r} is at version {pointer.version!r}, not the "
                        f"expected {expected_version!r}; re-read it and retry"
                    )
                existing = await self._version_hash(conn, rubric.id, rubric.version)
                if existing is not None:
                    if existing == digest and pointer.version == rubric.version:
                        return rubric.id
                    raise RubricVersionExistsError(
                        f"rubric {rubric.id!r} version {rubric.version!r} already exists; "
                        "versions are immutable - bump the version"
                    )
                if semver_key(rubric.version) <= semver_key(pointer.version):
                    raise RubricConflictError(
                        f"rubric {rubric.id!r} is at version {pointer.version!r}; the update's "
                        f"version {rubric.version!r} must be greater"
                    )
                await self._insert_version(conn, rubric, content, digest)
                await self._move_pointer(conn, rubric, pointer.row_version)
        except IntegrityError:
            raise RubricVersionExistsError(
                f"rubric {rubric.id!r} version {rubric.version!r} was registered concurrently"
            ) from None
        return rubric.id

    async def delete(self, rubric_id: str) -> bool:
        """Remove the latest pointer; versions stay for audit. True if there was one."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                rubrics.delete().where(
                    rubrics.c.owner_id == self.owner_id, rubrics.c.rubric_id == rubric_id
                )
            )
        return bool(result.rowcount)

    # -- reads ---------------------------------------------------------------------------
    async def get(self, rubric_id: str, version: str | None = None) -> Rubric | None:
        """The latest version of a rubric, or a specific (possibly deleted) ``version``.

        Returns:
            The rubric, or ``None`` when it does not exist for this owner.
        """
        v = rubric_versions
        stmt = sa.select(v.c.content).where(
            v.c.owner_id == self.owner_id, v.c.rubric_id == rubric_id
        )
        if version is not None:
            stmt = stmt.where(v.c.version == version)
        else:
            stmt = stmt.join(
                rubrics,
                sa.and_(
                    rubrics.c.owner_id == v.c.owner_id,
                    rubrics.c.rubric_id == v.c.rubric_id,
                    rubrics.c.version == v.c.version,
                ),
            )
        async with self.db.read() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else Rubric.from_dict(row.content)

    async def get_for_target(self, target_type: str) -> list[Rubric]:
        """Latest versions of every rubric whose ``target_type`` is ``target_type``, by id."""
        return await self._latest(rubrics.c.target_type == target_type)

    async def list_all(self) -> list[Rubric]:
        """Latest versions of every rubric of this owner, by id."""
        return await self._latest(None)

    async def list_versions(self, rubric_id: str) -> list[str]:
        """Every stored version of a rubric (deleted or not), in semantic-version order."""
        v = rubric_versions
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(v.c.version).where(
                    v.c.owner_id == self.owner_id, v.c.rubric_id == rubric_id
                )
            )
            versions = [r.version for r in rows]
        return sorted(versions, key=semver_key)

    async def latest_version(self, rubric_id: str) -> str | None:
        """The version the latest pointer names, or ``None``."""
        async with self.db.read() as conn:
            pointer = await self._pointer(conn, rubric_id)
        return None if pointer is None else str(pointer.version)

    @classmethod
    async def from_config(
        cls, config: Mapping[str, Any], *, db: Database, owner_id: str = ""
    ) -> RubricRegistry:
        """A registry with every rubric of ``config["rubrics"]`` registered.

        Raises:
            RubricValidationError: Naming the path, e.g. ``"rubrics[1].criteria[0].weight"``.
            RubricVersionExistsError: If a listed version conflicts with a stored one.
        """
        registry = cls(db, owner_id=owner_id)
        items = config.get("rubrics", [])
        if not isinstance(items, Sequence) or isinstance(items, str | bytes):
            raise RubricValidationError("rubrics", "must be a list of rubric definitions")
        parsed = []
        for i, item in enumerate(items):
            try:
                parsed.append(Rubric.from_dict(item))
            except RubricValidationError as exc:
                raise exc.prefixed(f"rubrics[{i}]") from None
        for rubric in parsed:
            await registry.register(rubric)
        return registry

    # -- helpers -------------------------------------------------------------------------
    async def _latest(self, condition: Any) -> list[Rubric]:
        v = rubric_versions
        stmt = (
            sa.select(v.c.content)
            .join(
                rubrics,
                sa.and_(
                    rubrics.c.owner_id == v.c.owner_id,
                    rubrics.c.rubric_id == v.c.rubric_id,
                    rubrics.c.version == v.c.version,
                ),
            )
            .where(rubrics.c.owner_id == self.owner_id)
            .order_by(rubrics.c.rubric_id)
        )
        if condition is not None:
            stmt = stmt.where(condition)
        async with self.db.read() as conn:
            rows = (await conn.execute(stmt)).all()
        return [Rubric.from_dict(r.content) for r in rows]

    async def _pointer(self, conn: AsyncConnection, rubric_id: str) -> Any:
        return (
            await conn.execute(
                sa.select(rubrics.c.version, rubrics.c.row_version).where(
                    rubrics.c.owner_id == self.owner_id, rubrics.c.rubric_id == rubric_id
                )
            )
        ).first()

    async def _version_hash(
        self, conn: AsyncConnection, rubric_id: str, version: str
    ) -> str | None:
        v = rubric_versions
        value = (
            await conn.execute(
                sa.select(v.c.content_hash).where(
                    v.c.owner_id == self.owner_id,
                    v.c.rubric_id == rubric_id,
                    v.c.version == version,
                )
            )
        ).scalar_one_or_none()
        return None if value is None else str(value)

    async def _insert_version(
        self, conn: AsyncConnection, rubric: Rubric, content: dict[str, Any], digest: str
    ) -> None:
        await conn.execute(
            rubric_versions.insert().values(
                owner_id=self.owner_id,
                rubric_id=rubric.id,
                version=rubric.version,
                content=content,
                content_hash=digest,
                created_at=utcnow(),
            )
        )

    async def _move_pointer(self, conn: AsyncConnection, rubric: Rubric, row_version: int) -> None:
        result = await conn.execute(
            rubrics.update()
            .where(
                rubrics.c.owner_id == self.owner_id,
                rubrics.c.rubric_id == rubric.id,
                rubrics.c.row_version == row_version,
            )
            .values(
                version=rubric.version,
                name=rubric.name,
                target_type=rubric.target_type,
                row_version=row_version + 1,
                updated_at=utcnow(),
            )
        )
        if result.rowcount != 1:
            raise RubricConflictError(
                f"rubric {rubric.id!r} was changed by another writer; re-read it and retry"
            )


__all__ = ["REGISTER_ATTEMPTS", "RubricRegistry"]
