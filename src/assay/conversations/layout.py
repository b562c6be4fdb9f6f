"""The blob layout and the self-describing blob envelope.

Keys follow the seed's tree::

    cb/tenants/<tenant>/projects/<project>/conversation/<role>/<user_id>/<conversation_id>/
        <turn_id>/artifact-<ts>-<id>-<kind>.json

``<ts>`` is ``YYYYMMDDTHHMMSSffffffZ`` (UTC); a conversation-level artifact without a turn uses
the turn directory ``_conversation``. Each blob is a JSON *envelope* holding the payload and
every field of its index row (with the embedding as base64 float32), so the whole index can be
rebuilt from the blobs (:func:`assay.conversations.reindex.reindex`).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np

from assay.blobs.store import check_key
from assay.storage import iso

ROOT = "cb/tenants"
NO_TURN = "_conversation"
ENVELOPE_VERSION = 1

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")


class LayoutError(ValueError):
    """A path segment (tenant, user id, conversation id, turn id, kind) is not allowed."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field} {value!r} must match {_SEGMENT.pattern}")
        self.field = field
        self.rule = f"must match {_SEGMENT.pattern}"


def segment(field: str, value: str) -> str:
    """``value`` if it is a safe single path segment (letters, digits, ``_.:@-``; ≤ 128).

    Raises:
        LayoutError: Otherwise (request data never becomes a path without this check).
    """
    if not _SEGMENT.match(value):
        raise LayoutError(field, value)
    return value


def stamp(ts: datetime) -> str:
    """Compact UTC stamp of a key: ``2026-12-04T18:31:00.5Z`` -> ``20261204T183100500000Z``."""
    return ts.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def conversation_prefix(*, tenant: str, project: str, role: str, user_id: str, cid: str) -> str:
    """The directory of one conversation's blobs for one role."""
    return (
        f"{ROOT}/{segment('tenant', tenant)}/projects/{segment('project', project)}/"
        f"conversation/{segment('role', role)}/{segment('user_id', user_id)}/"
        f"{segment('conversation_id', cid)}"
    )


def blob_key(
    *,
    tenant: str,
    project: str,
    role: str,
    user_id: str,
    conversation_id: str,
    turn_id: str | None,
    ts: datetime,
    artifact_id: str,
    kind: str,
) -> str:
    """The key of one artifact's blob (see the module docstring)."""
    prefix = conversation_prefix(
        tenant=tenant, project=project, role=role, user_id=user_id, cid=conversation_id
    )
    turn = NO_TURN if turn_id is None else segment("turn_id", turn_id)
    name = f"artifact-{stamp(ts)}-{segment('id', artifact_id)}-{segment('kind', kind)}.json"
    return check_key(f"{prefix}/{turn}/{name}")


def embedding_bytes(vector: Any) -> bytes | None:
    """A caller's embedding as little-endian float32 bytes (``None`` stays ``None``).

    Raises:
        ValueError: For an empty, non-1-D or non-finite vector.
    """
    if vector is None:
        return None
    array = np.asarray(vector, dtype="<f4")
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError("embedding must be a non-empty 1-D vector of finite floats")
    return array.tobytes()


def embedding_array(data: bytes | None) -> np.ndarray[Any, np.dtype[np.float32]] | None:
    """Inverse of :func:`embedding_bytes`."""
    return None if data is None else np.frombuffer(data, dtype="<f4")


def encode_envelope(row: dict[str, Any], payload: Any) -> bytes:
    """The blob bytes: the index row's fields plus the payload (JSON, UTF-8)."""
    emb = row.get("embedding")
    body = {
        "envelope": ENVELOPE_VERSION,
        "id": row["id"],
        "user_id": row["user_id"],
        "conversation_id": row["conversation_id"],
        "turn_id": row["turn_id"],
        "role": row["role"],
        "kind": row["kind"],
        "text": row["text"],
        "tags": row["tags"],
        "ts": iso(row["ts"]),
        "ttl_s": row["ttl_s"],
        "index": row.get("index", True),
        "embedding": None if emb is None else base64.b64encode(emb).decode("ascii"),
        "extra": row.get("extra", {}),
        "payload": payload,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def decode_envelope(data: bytes) -> dict[str, Any]:
    """Inverse of :func:`encode_envelope` (``ts`` parsed, embedding back to bytes).

    Raises:
        ValueError: For bytes that are not an envelope.
    """
    body = json.loads(data)
    if not isinstance(body, dict) or body.get("envelope") != ENVELOPE_VERSION:
        raise ValueError("not a conversation blob envelope")
    body["ts"] = datetime.fromisoformat(body["ts"].replace("Z", "+00:00"))
    emb = body.get("embedding")
    body["embedding"] = None if emb is None else base64.b64decode(emb)
    return body


__all__ = [
    "NO_TURN",
    "ROOT",
    "LayoutError",
    "blob_key",
    "conversation_prefix",
    "decode_envelope",
    "embedding_array",
    "embedding_bytes",
    "encode_envelope",
    "segment",
    "stamp",
]
