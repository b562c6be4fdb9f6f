"""Conversation-store benchmark: p50/p99 of latest_reactions (50-turn timeline), load_timeline
and hybrid search; save_turn_log writes per second.

Usage: ``python bench/bench_conversations.py --turns 100000 --url sqlite:///bench.db``
(``--url postgresql://postgres@127.0.0.1:5432/bench`` for PostgreSQL, an empty database).
Turns are spread over conversations of 50 turns; each turn has a turn log, one reaction and a
``conv:sources_pool`` row with a 384-dim embedding.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from assay.blobs import LocalBlobStore
from assay.conversations import ConversationStore
from assay.storage import Database

TURNS_PER_CONVERSATION = 50
DIM = 384


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(url: str, turns: int, reps: int) -> None:
    db = await Database.connect(url)
    store = ConversationStore(db, LocalBlobStore(Path(tempfile.mkdtemp())))
    rng = np.random.default_rng(1)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    conversations = max(1, turns // TURNS_PER_CONVERSATION)
    start = time.perf_counter()
    for n in range(turns):
        cid, k = f"c{n % conversations}", n // conversations
        ts = t0 + timedelta(seconds=n)
        await store.save_turn_log(
            user_id=f"u{n % conversations % 20}",
            conversation_id=cid,
            turn_id=f"t{k}",
            blocks=[{"type": "text", "text": f"turn {n}"}],
            ts=ts,
            end_ts=ts,
        )
    writes = turns / (time.perf_counter() - start)
    for n in range(turns):
        cid, k = f"c{n % conversations}", n // conversations
        await store.add_reaction(f"t{k}", "ok", f"good {n}", conversation_id=cid)
        await store.save_artifact(
            user_id=f"u{n % conversations % 20}",
            conversation_id=cid,
            kind="conv:sources_pool",
            payload={},
            text=f"pool word{n % 97}",
            turn_id=f"t{k}",
            embedding=rng.standard_normal(DIM),
        )
    timings: dict[str, list[float]] = {"latest_reactions": [], "load_timeline": [], "search": []}
    ids = [f"t{k}" for k in range(TURNS_PER_CONVERSATION)]
    for r in range(reps):
        cid = f"c{r % conversations}"
        for name, call in (
            ("latest_reactions", lambda cid=cid: store.latest_reactions(cid, ids)),
            ("load_timeline", lambda cid=cid: store.load_timeline(cid)),
            (
                "search",
                lambda r=r: store.search(
                    user_id=f"u{r % 20}", q=f"word{r % 97} good", embedding=rng.standard_normal(DIM)
                ),
            ),
        ):
            s = time.perf_counter()
            await call()
            timings[name].append((time.perf_counter() - s) * 1000)
    print(f"{db.dialect}: {turns} turns; save_turn_log {writes:.0f} writes/s")
    for name, samples in timings.items():
        print(f"  {name}: p50 {statistics.median(samples):.1f} ms, p99 {pct(samples, 0.99):.1f} ms")
    await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="sqlite:///" + tempfile.mktemp(suffix=".db"))
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.turns, args.reps))
