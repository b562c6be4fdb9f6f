"""Weakness 2: 50 concurrent add_reaction calls from two processes on one turn, all counted."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.integration.conversations.helpers import invariants, save_turn

from assay.blobs import LocalBlobStore
from assay.conversations import ConversationStore
from assay.storage import Database

WORKER = """
import asyncio, sys
from pathlib import Path
from assay.blobs import LocalBlobStore
from assay.conversations import ConversationStore
from assay.storage import Database

async def main(url: str, root: str, tag: str) -> None:
    db = await Database.connect(url, upgrade=False)
    store = ConversationStore(db, LocalBlobStore(Path(root)))
    await asyncio.gather(*(
        store.add_reaction("item-1", "ok", f"{tag}-{i}", conversation_id="c1")
        for i in range(25)
    ))
    await db.close()

asyncio.run(main(*sys.argv[1:]))
"""


async def test_fifty_reactions_from_two_processes(db_url: str, tmp_path: Path) -> None:
    db = await Database.connect(db_url, upgrade=False)
    blobs = LocalBlobStore(tmp_path / "blobs")
    store = ConversationStore(db, blobs)
    await save_turn(store, "c1", 1)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, db_url, str(tmp_path / "blobs"), tag
        )
        for tag in ("a", "b")
    ]
    assert [await p.wait() for p in procs] == [0, 0]
    feedback = (await store.latest_reactions("c1", ["item-1"]))["item-1"]
    assert feedback.count == 50
    assert len(await store.rows("c1", kinds=["turn.log.reaction"])) == 50
    await invariants(store, blobs)
    await db.close()
