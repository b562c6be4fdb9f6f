"""Weakness 1: a real process SIGKILLed between each pair of write steps; recovery leaves no
row without its blob and no blob without its row."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from tests.integration.conversations.helpers import invariants

from assay.blobs import LocalBlobStore
from assay.conversations import ConversationStore
from assay.storage import Database

WORKER = """
import asyncio, os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from assay.blobs import LocalBlobStore
from assay.conversations import ConversationStore
from assay.storage import Database

async def main(url: str, root: str, step: str) -> None:
    db = await Database.connect(url, upgrade=False)
    def fault(at: str) -> None:
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)
    store = ConversationStore(db, LocalBlobStore(Path(root)), fault=fault)
    now = datetime.now(UTC)
    await store.save_turn_log(user_id="u1", conversation_id="c1", turn_id="t1", blocks=[],
                              ts=now, end_ts=now)

asyncio.run(main(*sys.argv[1:]))
"""


@pytest.mark.parametrize("step", ["rows", "outbox", "commit", "blob", "cleared"])
async def test_sigkill_between_steps(db_url: str, tmp_path: Path, step: str) -> None:
    root = tmp_path / "blobs"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, db_url, str(root), step
    )
    assert await proc.wait() == -9
    db = await Database.connect(db_url, upgrade=False)
    blobs = LocalBlobStore(root)
    store = ConversationStore(db, blobs)
    await store.recover()
    await invariants(store, blobs)
    rows = await store.rows("c1", kinds=["turn.log"])
    assert len(rows) == (1 if step in ("commit", "blob", "cleared") else 0)
    await db.close()
