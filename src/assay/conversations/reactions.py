"""Reactions: append-only rows; the latest per turn and the turn's feedback are derived.

The reference mirrored each reaction into the turn-log blob by an unlocked read-modify-write,
so concurrent reactions were lost. Here every reaction is a new row (an insert never conflicts)
and a turn's feedback summary is computed from the rows when read:

* PostgreSQL: ``SELECT DISTINCT ON (turn_id) ... ORDER BY turn_id, ts DESC, id DESC`` with
  ``count(*) OVER (PARTITION BY turn_id)``;
* SQLite: ``row_number() OVER (PARTITION BY turn_id ORDER BY ts DESC, id DESC) = 1`` with the
  same window count. Both order ties on ``id``, so they return the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from assay.conversations.models import Feedback
from assay.conversations.tables import conv_reactions

r = conv_reactions.c


def latest_query(dialect: str, conversation_id: str, turn_ids: Sequence[str]) -> sa.Select[Any]:
    """The latest reaction of each of ``turn_ids`` with the turn's reaction count.

    Columns: ``turn_id, reaction, text, origin, ts, n``.
    """
    count = sa.func.count().over(partition_by=r.turn_id).label("n")
    where = sa.and_(r.conversation_id == conversation_id, r.turn_id.in_(list(turn_ids)))
    cols = [r.turn_id, r.reaction, r.text, r.origin, r.ts]
    if dialect == "postgresql":
        return (
            sa.select(*cols, count)
            .where(where)
            .ext(distinct_on(r.turn_id))
            .order_by(r.turn_id, r.ts.desc(), r.id.desc())
        )
    rank = (
        sa.func.row_number()
        .over(partition_by=r.turn_id, order_by=(r.ts.desc(), r.id.desc()))
        .label("rank")
    )
    inner = sa.select(*cols, count, rank).where(where).subquery()
    return (
        sa.select(
            inner.c.turn_id, inner.c.reaction, inner.c.text, inner.c.origin, inner.c.ts, inner.c.n
        )
        .where(inner.c.rank == 1)
        .order_by(inner.c.turn_id)
    )


async def latest_reactions(
    conn: Any, *, dialect: str, conversation_id: str, turn_ids: Sequence[str]
) -> dict[str, Feedback]:
    """Feedback of each turn in ``turn_ids`` (turns without reactions get ``Feedback()``)."""
    out = {t: Feedback() for t in turn_ids}
    if not turn_ids:
        return out
    for row in (await conn.execute(latest_query(dialect, conversation_id, turn_ids))).all():
        out[row.turn_id] = Feedback(
            count=int(row.n),
            last_ts=row.ts,
            last_reaction=row.reaction,
            last_origin=row.origin,
            last_text=row.text,
        )
    return out


def feedback_block(turn_id: str, feedback: Feedback) -> dict[str, Any]:
    """The ``turn.feedback`` block injected into a loaded timeline (as the seed's browser does)."""
    return {"type": "turn.feedback", "turn_id": turn_id, **feedback.public()}


__all__ = ["feedback_block", "latest_query", "latest_reactions"]
