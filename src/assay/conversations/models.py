"""The conversation store's data model: artifact kinds, index rows, reactions, feedback.

Artifact kinds and their storage rules follow the seed's artifact table:

============================  =========  ==========  =========================================
kind                          blob       index row   index ``text``
============================  =========  ==========  =========================================
``conv.timeline.v1``          yes        yes         compact summary (caller embedding allowed)
``conv:sources_pool``         yes        yes         compact summary (caller embedding allowed)
``turn.log``                  yes        yes         compact JSON summary (:func:`turn_summary`)
``turn.log.reaction``         yes        yes         the reaction JSON (:func:`reaction_json`)
``conv.range.summary``        no         yes         the summary (``hosted_uri="index_only"``)
``conv.artifacts.stream``     yes        yes         short description
``conv.timeline_text.stream`` yes        yes         short description
``conv.thinking.stream``      never      never       synthesized at fetch from ``react.thinking``
============================  =========  ==========  =========================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from assay.storage import iso

TIMELINE = "conv.timeline.v1"
SOURCES_POOL = "conv:sources_pool"
TURN_LOG = "turn.log"
REACTION = "turn.log.reaction"
RANGE_SUMMARY = "conv.range.summary"
ARTIFACTS_STREAM = "conv.artifacts.stream"
TIMELINE_TEXT_STREAM = "conv.timeline_text.stream"
THINKING_STREAM = "conv.thinking.stream"

#: Kinds a caller may save through ``save_artifact`` (the synthesized thinking stream is not one).
STORED_KINDS = frozenset(
    {
        TIMELINE,
        SOURCES_POOL,
        TURN_LOG,
        REACTION,
        RANGE_SUMMARY,
        ARTIFACTS_STREAM,
        TIMELINE_TEXT_STREAM,
    }
)
#: Kinds that are aggregated streams (tagged ``conversation`` and ``stream``).
STREAM_KINDS = frozenset({ARTIFACTS_STREAM, TIMELINE_TEXT_STREAM})

#: ``hosted_uri`` of an index row without a blob.
INDEX_ONLY = "index_only"

ReactionValue = Literal["ok", "not_ok", "neutral"]
Origin = Literal["user", "machine"]
REACTIONS: tuple[str, ...] = ("ok", "not_ok", "neutral")
ORIGINS: tuple[str, ...] = ("user", "machine")
ROLES: tuple[str, ...] = ("user", "assistant", "system", "artifact")


def base_tags(kind: str, *, turn_id: str | None, origin: str | None = None) -> list[str]:
    """The seed's base tags of an artifact kind.

    Example:
        >>> base_tags("turn.log", turn_id="t1")
        ['kind:turn.log', 'artifact:turn.log', 'turn:t1']
        >>> base_tags("turn.log.reaction", turn_id="t1", origin="user")
        ['artifact:turn.log.reaction', 'turn:t1', 'origin:user']
    """
    tags = ["kind:turn.log"] if kind == TURN_LOG else []
    tags.append(f"artifact:{kind}")
    if turn_id is not None:
        tags.append(f"turn:{turn_id}")
    if origin is not None:
        tags.append(f"origin:{origin}")
    if kind in STREAM_KINDS:
        tags += ["conversation", "stream"]
    return tags


def merge_tags(base: list[str], extra: list[str] | tuple[str, ...]) -> list[str]:
    """``base`` then the caller's tags, without duplicates, order kept."""
    return list(dict.fromkeys([*base, *extra]))


@dataclass(frozen=True)
class IndexRow:
    """One index row (``conv_messages``).

    Attributes:
        id: ``cmsg_...``.
        hosted_uri: The blob key, or ``"index_only"``.
        ts: When the artifact was produced (UTC).
        expires_at: ``ts + ttl_s``, or ``None`` (never expires).
        embedding: The caller's float32 vector, or ``None``.
    """

    id: str
    user_id: str
    conversation_id: str
    turn_id: str | None
    role: str
    kind: str
    text: str
    tags: list[str]
    ts: datetime
    ttl_s: int | None
    expires_at: datetime | None
    hosted_uri: str
    embedding: list[float] | None = None

    def public(self) -> dict[str, Any]:
        """JSON view (no embedding)."""
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "turn_id": self.turn_id,
            "role": self.role,
            "kind": self.kind,
            "text": self.text,
            "tags": list(self.tags),
            "ts": iso(self.ts),
            "ttl_s": self.ttl_s,
            "hosted_uri": self.hosted_uri,
        }


@dataclass(frozen=True)
class Reaction:
    """One feedback row (append-only)."""

    id: str
    conversation_id: str
    turn_id: str
    reaction: str
    text: str
    origin: str
    confidence: float
    ts: datetime


@dataclass(frozen=True)
class Feedback:
    """The seed's feedback summary of a turn: ``count`` reactions, the latest one's fields."""

    count: int = 0
    last_ts: datetime | None = None
    last_reaction: str | None = None
    last_origin: str | None = None
    last_text: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "last_ts": iso(self.last_ts),
            "last_reaction": self.last_reaction,
            "last_origin": self.last_origin,
            "last_text": self.last_text,
        }


@dataclass(frozen=True)
class SearchHit:
    """One search result: the row and its fused score (higher is better)."""

    row: IndexRow
    score: float
    ranks: dict[str, int] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.row.id,
            "kind": self.row.kind,
            "turn_id": self.row.turn_id,
            "conversation_id": self.row.conversation_id,
            "text": self.row.text,
            "ts": iso(self.row.ts),
            "score": self.score,
        }


def compact_json(value: Any) -> str:
    """JSON text with no spaces and sorted keys (stable across runs)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def reaction_json(
    *, turn_id: str, text: str, confidence: float, ts: datetime, reaction: str, origin: str
) -> str:
    """The seed's reaction index text.

    Shape: ``{"turn_id","text","confidence","ts","reaction","origin"}`` (compact JSON).
    """
    return compact_json(
        {
            "turn_id": turn_id,
            "text": text,
            "confidence": confidence,
            "ts": iso(ts),
            "reaction": reaction,
            "origin": origin,
        }
    )


def turn_summary(
    *,
    turn_id: str,
    ts: datetime,
    end_ts: datetime,
    blocks: list[dict[str, Any]],
    sources_used: list[int] | None = None,
    tokens: int = 0,
    feedback: Feedback | None = None,
) -> dict[str, Any]:
    """The seed's compact turn-log summary (the index text of a ``turn.log`` row).

    The ``feedback`` part is derived from the reaction rows when read
    (:meth:`ConversationStore.turn_log_summary`); at write time it is empty.
    """
    return {
        "turn_id": turn_id,
        "ts": iso(ts),
        "end_ts": iso(end_ts),
        "sources_used": list(sources_used or []),
        "blocks_count": len(blocks),
        "tokens": tokens,
        "feedback": (feedback or Feedback()).public(),
    }


__all__ = [
    "ARTIFACTS_STREAM",
    "INDEX_ONLY",
    "ORIGINS",
    "RANGE_SUMMARY",
    "REACTION",
    "REACTIONS",
    "ROLES",
    "SOURCES_POOL",
    "STORED_KINDS",
    "STREAM_KINDS",
    "THINKING_STREAM",
    "TIMELINE",
    "TIMELINE_TEXT_STREAM",
    "TURN_LOG",
    "Feedback",
    "IndexRow",
    "Origin",
    "Reaction",
    "ReactionValue",
    "SearchHit",
    "base_tags",
    "compact_json",
    "merge_tags",
    "reaction_json",
    "turn_summary",
]
