"""Documented maximum sizes of JSON fields the API stores (422 past them).

==========================  ===========================================================
Field                       Limit
==========================  ===========================================================
artifact ``content``        ``MAX_CONTENT_BYTES`` (512 KiB) as compact UTF-8 JSON
rubric body                 ``MAX_RUBRIC_BYTES`` (256 KiB) as compact UTF-8 JSON, and every
                            text in it at most ``MAX_TEXT_CHARS`` (20,000) characters
==========================  ===========================================================

The whole request body is limited before that by ``ASSAY_MAX_BODY_BYTES`` (413).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_CONTENT_BYTES = 512 * 1024
MAX_RUBRIC_BYTES = 256 * 1024
MAX_TEXT_CHARS = 20_000


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _long_text(value: Any, path: str, max_chars: int) -> str | None:
    """The dotted path of the first string longer than ``max_chars``, if any."""
    if isinstance(value, str):
        return path if len(value) > max_chars else None
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [
            (f"{path}.{k}" if path else str(k), v) for k, v in value.items()
        ]
    elif isinstance(value, list):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    for sub_path, sub in items:
        found = _long_text(sub, sub_path, max_chars)
        if found is not None:
            return found
    return None


def bounded_json(max_bytes: int, *, max_text_chars: int | None = None) -> Callable[[Any], Any]:
    """A pydantic ``AfterValidator`` refusing JSON over ``max_bytes`` (or a text too long).

    Raises (inside validation):
        ValueError: ``"must be at most N bytes as JSON (got M)"``, or
            ``"<path>: must be at most N characters"`` naming the offending text.
    """

    def check(value: Any) -> Any:
        size = json_size(value)
        if size > max_bytes:
            raise ValueError(f"must be at most {max_bytes} bytes as JSON (got {size})")
        if max_text_chars is not None:
            path = _long_text(value, "", max_text_chars)
            if path is not None:
                raise ValueError(f"{path}: must be at most {max_text_chars} characters")
        return value

    return check


__all__ = [
    "MAX_CONTENT_BYTES",
    "MAX_RUBRIC_BYTES",
    "MAX_TEXT_CHARS",
    "bounded_json",
    "json_size",
]
