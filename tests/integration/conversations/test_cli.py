"""``assay conversations show|search|reindex|purge``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.integration.conversations.helpers import save_turn
from typer.testing import CliRunner

from assay.blobs import LocalBlobStore
from assay.cli.main import app
from assay.conversations import ConversationStore
from assay.storage import Database


async def test_cli_show_search_reindex_purge(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.connect(db_url, upgrade=False)
    store = ConversationStore(db, LocalBlobStore(tmp_path / "blobs"))
    await save_turn(store, "c1", 1, text="photosynthesis")
    await db.close()
    monkeypatch.setenv("ASSAY_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSAY_BLOB_DIR", str(tmp_path / "blobs"))
    runner = CliRunner()
    # the CLI runs its own event loop: call it from a worker thread
    import asyncio

    async def call(*args: str) -> tuple[int, str, str]:
        result = await asyncio.to_thread(runner.invoke, app, ["conversations", *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = await call("show", "c1")
    assert code == 0 and json.loads(out)["turns"][0]["turn_id"] == "item-1"
    code, out, _ = await call("search", "item")
    assert code == 0 and json.loads(out)["results"][0]["kind"] == "turn.log"
    code, out, _ = await call("reindex")
    assert code == 0 and json.loads(out) == {"blobs": 1, "rows": 1}
    code, out, _ = await call("purge")
    assert code == 0 and json.loads(out)["rows"] == 0
    code, _, err = await call("show", "missing")
    assert code == 1 and "conversation_id" in err
