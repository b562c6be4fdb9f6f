"""``assay conversations``: show, search, reindex and purge the conversation store."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer

from assay.blobs import LocalBlobStore
from assay.config import Settings
from assay.conversations import ConversationError, ConversationStore
from assay.storage import Database

app = typer.Typer(help="Inspect and maintain the conversation store.", no_args_is_help=True)


def run(work: Callable[[ConversationStore], Awaitable[Any]]) -> None:
    """Open the configured store, run ``work``, print its JSON (domain errors exit 1)."""

    async def main() -> Any:
        settings = Settings()
        db = await Database.connect(settings.database_url)
        try:
            return await work(ConversationStore(db, LocalBlobStore(settings.blob_dir)))
        finally:
            await db.close()

    try:
        result = asyncio.run(main())
    except ConversationError as exc:
        print(f"error: {exc} ({exc.field}: {exc.rule})", file=sys.stderr)
        raise typer.Exit(1) from exc
    print(json.dumps(result, indent=2, ensure_ascii=False))


@app.command()
def show(
    conversation_id: Annotated[str, typer.Argument(help="Conversation (session) id.")],
) -> None:
    """Print a conversation's timeline with feedback."""
    run(lambda store: store.load_timeline(conversation_id))


@app.command()
def search(
    q: Annotated[str, typer.Argument(help="Words to search for.")],
    user: Annotated[str | None, typer.Option(help="Only this user's rows.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only these kinds.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Rows with all these tags.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
) -> None:
    """Hybrid search (full text + recency, RRF)."""

    async def work(store: ConversationStore) -> Any:
        hits = await store.search(
            user_id=user, q=q, kinds=kind or [], tags_all=tag or [], limit=limit
        )
        return {"results": [h.public() for h in hits]}

    run(work)


@app.command()
def reindex() -> None:
    """Rebuild every blob-backed index row from the blobs."""
    run(lambda store: store.reindex())


@app.command()
def purge() -> None:
    """Delete expired rows and their blobs, then recover the outbox and orphans."""

    async def work(store: ConversationStore) -> Any:
        purged = await store.purge_expired()
        return {**purged, **await store.recover()}

    run(work)
