"""Search over the index rows: filters, full text per backend, cosine, recency, fused by RRF.

Full text: SQLite FTS5 (``bm25``, lower is better) or PostgreSQL ``tsvector`` (``ts_rank``,
higher is better), both on the ``simple`` configuration of words (no stemming), any word
matching (``OR``). Cosine: on the caller's embeddings of the newest :data:`VECTOR_CANDIDATES`
filtered rows that have one. Recency: newest first, over the documents found by text or cosine
(or over all filtered rows when neither a query nor an embedding is given). See
:mod:`assay.conversations.ranking` for the fusion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from assay.conversations.layout import embedding_array
from assay.conversations.models import IndexRow, SearchHit
from assay.conversations.ranking import cosine_ranking, rrf
from assay.conversations.tables import conv_message_tags, conv_messages

m = conv_messages.c
FTS = sa.table("conv_messages_fts", sa.column("message_id"), sa.column("text"))

#: Candidates taken from each ranking before fusion.
CANDIDATES = 200
#: Newest embedded rows compared by cosine (brute force on float32; bounded for latency).
VECTOR_CANDIDATES = 5000


@dataclass(frozen=True)
class SearchQuery:
    """What to search for and in which rows.

    Attributes:
        user_id: Only this user's rows (``None``: every user's, for operators).
        q: Words to match in the index text (any of them).
        embedding: The caller's query vector (same dimension as the stored ones).
        conversation_id: Only this conversation.
        kinds: Only these kinds.
        tags_all: Rows carrying every one of these tags.
        tags_any: Rows carrying at least one of these tags.
        since: ``ts >= since``; until: ``ts < until``.
        now: Rows with ``expires_at <= now`` are left out.
        limit: Results returned (1-100).
    """

    now: datetime
    user_id: str | None = None
    q: str | None = None
    embedding: Any = None
    conversation_id: str | None = None
    kinds: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    extra: dict[str, Any] = field(default_factory=dict)


def words(q: str | None) -> list[str]:
    """The query's words, lower-cased, deduplicated (letters and digits only).

    Example:
        >>> words("Thumbs-up, thumbs UP!")
        ['thumbs', 'up']
    """
    return list(dict.fromkeys(w.lower() for w in re.findall(r"[^\W_]+", q or "")))


def filters(query: SearchQuery) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a search's filters."""
    out: list[sa.ColumnElement[bool]] = [sa.or_(m.expires_at.is_(None), m.expires_at > query.now)]
    if query.user_id is not None:
        out.append(m.user_id == query.user_id)
    if query.conversation_id is not None:
        out.append(m.conversation_id == query.conversation_id)
    if query.kinds:
        out.append(m.kind.in_(list(query.kinds)))
    if query.since is not None:
        out.append(m.ts >= query.since)
    if query.until is not None:
        out.append(m.ts < query.until)
    t = conv_message_tags.c
    for tag in dict.fromkeys(query.tags_all):
        out.append(sa.exists().where(t.message_id == m.id, t.tag == tag))
    if query.tags_any:
        out.append(sa.exists().where(t.message_id == m.id, t.tag.in_(list(query.tags_any))))
    return out


def text_query(dialect: str, terms: list[str], where: list[Any], limit: int) -> sa.Select[Any]:
    """Ids of rows matching any of ``terms``, best first (ties by id)."""
    if dialect == "postgresql":
        tsq = sa.func.to_tsquery("simple", " | ".join(terms))
        tsv: Any = sa.literal_column("conv_messages.tsv")
        rank = sa.func.ts_rank(tsv, tsq)
        return (
            sa.select(m.id, m.ts)
            .where(tsv.op("@@")(tsq), *where)
            .order_by(rank.desc(), m.id)
            .limit(limit)
        )
    match = " OR ".join(f'"{t}"' for t in terms)
    bm25: Any = sa.literal_column("bm25(conv_messages_fts)")
    return (
        sa.select(m.id, m.ts)
        .select_from(FTS.join(conv_messages, m.id == FTS.c.message_id))
        .where(sa.text("conv_messages_fts MATCH :match").bindparams(match=match), *where)
        .order_by(bm25, m.id)
        .limit(limit)
    )


async def search(conn: Any, *, dialect: str, query: SearchQuery) -> list[SearchHit]:
    """Run ``query``: filtered candidates from each ranking, fused by RRF, best first."""
    where = filters(query)
    found_ts: dict[str, datetime] = {}
    rankings: dict[str, list[str]] = {}
    terms = words(query.q)
    if terms:
        rows = (await conn.execute(text_query(dialect, terms, where, CANDIDATES))).all()
        rankings["text"] = [r.id for r in rows]
        found_ts.update((r.id, r.ts) for r in rows)
    if query.embedding is not None:
        stmt = (
            sa.select(m.id, m.ts, m.embedding)
            .where(m.embedding.is_not(None), *where)
            .order_by(m.ts.desc(), m.id)
            .limit(VECTOR_CANDIDATES)
        )
        rows = (await conn.execute(stmt)).all()
        vectors = [embedding_array(r.embedding) for r in rows]
        ranked = cosine_ranking(query.embedding, [r.id for r in rows], vectors, limit=CANDIDATES)
        rankings["vector"] = ranked
        stamps = {r.id: r.ts for r in rows}
        found_ts.update((i, stamps[i]) for i in ranked)
    if not terms and query.embedding is None:
        stmt = sa.select(m.id, m.ts).where(*where).order_by(m.ts.desc(), m.id).limit(CANDIDATES)
        found_ts.update((r.id, r.ts) for r in (await conn.execute(stmt)).all())
    rankings["recency"] = sorted(found_ts, key=lambda i: (-found_ts[i].timestamp(), i))
    fused = rrf(rankings)[: query.limit]
    if not fused:
        return []
    by_id = {row.id: row for row in await load_rows(conn, [d for d, _, _ in fused])}
    return [SearchHit(by_id[d], score, ranks) for d, score, ranks in fused if d in by_id]


async def load_rows(conn: Any, ids: list[str]) -> list[IndexRow]:
    """Index rows by id (any order)."""
    if not ids:
        return []
    result = await conn.execute(sa.select(conv_messages).where(m.id.in_(ids)))
    return [to_row(r) for r in result.mappings().all()]


def to_row(r: Any) -> IndexRow:
    """An :class:`IndexRow` of a ``conv_messages`` mapping."""
    emb = embedding_array(r["embedding"])
    return IndexRow(
        id=r["id"],
        user_id=r["user_id"],
        conversation_id=r["conversation_id"],
        turn_id=r["turn_id"],
        role=r["role"],
        kind=r["kind"],
        text=r["text"],
        tags=list(r["tags"]),
        ts=r["ts"],
        ttl_s=r["ttl_s"],
        expires_at=r["expires_at"],
        hosted_uri=r["hosted_uri"],
        embedding=None if emb is None else [float(x) for x in emb],
    )


__all__ = [
    "CANDIDATES",
    "VECTOR_CANDIDATES",
    "SearchQuery",
    "filters",
    "load_rows",
    "search",
    "to_row",
    "words",
]
