"""Migration 0003_artifacts creates exactly the tables, columns and indexes of tables.py."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from assay.artifacts.tables import artifact_evaluations, artifact_tags, artifacts
from assay.storage import Database


@pytest.mark.parametrize(
    "table", [artifacts, artifact_tags, artifact_evaluations], ids=lambda t: t.name
)
async def test_migrated_schema_matches_tables(db: Database, table: sa.Table) -> None:
    def inspect(sync_conn: Any) -> tuple[dict[str, bool], set[str], set[str], list[str]]:
        insp = sa.inspect(sync_conn)
        columns = {c["name"]: bool(c["nullable"]) for c in insp.get_columns(table.name)}
        indexes = {i["name"] for i in insp.get_indexes(table.name)}
        unique = {i["name"] for i in insp.get_indexes(table.name) if i["unique"]}
        pk = insp.get_pk_constraint(table.name)["constrained_columns"]
        return columns, indexes, unique, pk

    async with db.read() as conn:
        columns, indexes, unique, pk = await conn.run_sync(inspect)
    assert columns == {c.name: bool(c.nullable) for c in table.columns}
    assert indexes == {i.name for i in table.indexes}
    assert unique == {i.name for i in table.indexes if i.unique}
    assert pk == [c.name for c in table.primary_key.columns]


async def test_one_latest_row_per_artifact_is_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from assay.artifacts import Artifact
    from assay.artifacts.store import row_values

    a = Artifact(name="x")
    b = Artifact(id=a.id, name="x", version="1.0.1")
    async with db.transaction() as conn:
        await conn.execute(artifacts.insert().values(row_values(a, version_seq=1, is_latest=True)))
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(
                artifacts.insert().values(row_values(b, version_seq=2, is_latest=True))
            )
