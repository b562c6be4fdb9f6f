"""Field checks shared by the artifact models: each names the field and the rule it broke."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

from assay.artifacts.errors import ArtifactValidationError
from assay.storage.base import iso, utcnow

T = TypeVar("T")

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def now_iso() -> str:
    """The current time as UTC ISO-8601 text (``2026-11-21T19:32:58.123456Z``)."""
    text = iso(utcnow())
    assert text is not None
    return text


def text(name: str, value: Any, *, empty: bool = True, max_len: int | None = None) -> str:
    """``value`` if it is a string (non-blank unless ``empty``, at most ``max_len`` long)."""
    if not isinstance(value, str):
        raise ArtifactValidationError(name, "must be a string")
    if not empty and not value.strip():
        raise ArtifactValidationError(name, "must be a non-empty string")
    if max_len is not None and len(value) > max_len:
        raise ArtifactValidationError(name, f"must be at most {max_len} characters")
    return value


def opt_text(name: str, value: Any) -> str | None:
    """``value`` if it is ``None`` or a string."""
    return None if value is None else text(name, value)


def number(name: str, value: Any, *, low: float, high: float) -> float:
    """``value`` as a float if it is a finite number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ArtifactValidationError(name, "must be a finite number")
    if not low <= value <= high:
        raise ArtifactValidationError(name, f"must be between {low} and {high}")
    return float(value)


def flag(name: str, value: Any) -> bool:
    """``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise ArtifactValidationError(name, "must be a boolean")
    return value


def json_object(name: str, value: Any) -> dict[str, Any]:
    """``value`` if it is a dict that JSON can encode."""
    if not isinstance(value, dict):
        raise ArtifactValidationError(name, "must be an object (mapping)")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ArtifactValidationError(name, f"must be JSON-serializable ({exc})") from None
    return value


def text_list(name: str, value: Any, *, max_len: int | None = None) -> list[str]:
    """``value`` if it is a list of strings (each non-blank and at most ``max_len`` long when
    ``max_len`` is given)."""
    if not isinstance(value, list):
        raise ArtifactValidationError(name, "must be a list of strings")
    for i, item in enumerate(value):
        if max_len is None:
            if not isinstance(item, str):
                raise ArtifactValidationError(f"{name}[{i}]", "must be a string")
        else:
            text(f"{name}[{i}]", item, empty=False, max_len=max_len)
    return value


def semver(name: str, value: Any) -> str:
    """``value`` if it is a semantic version ``MAJOR.MINOR.PATCH``."""
    if not isinstance(value, str) or not _SEMVER.match(value):
        raise ArtifactValidationError(name, "must be a semantic version MAJOR.MINOR.PATCH")
    return value


def bump_patch(version: str) -> str:
    """The next patch version: ``"1.0.9"`` -> ``"1.0.10"``."""
    major, minor, patch = semver("version", version).split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def records(name: str, value: Any, kind: type[T], build: Callable[[dict[str, Any]], T]) -> list[T]:
    """A list of ``kind`` from a list of ``kind`` instances or of dicts (built by ``build``)."""
    if not isinstance(value, list):
        raise ArtifactValidationError(name, "must be a list")
    out: list[T] = []
    for i, item in enumerate(value):
        if isinstance(item, kind):
            out.append(item)
        elif isinstance(item, dict):
            try:
                out.append(build(item))
            except ArtifactValidationError as exc:
                raise exc.prefixed(f"{name}[{i}]") from None
        else:
            raise ArtifactValidationError(f"{name}[{i}]", f"must be a {kind.__name__} or a mapping")
    return out


def require(data: Any, key: str) -> Any:
    """``data[key]``; ``data`` must be a mapping holding ``key``."""
    if not isinstance(data, dict):
        raise ArtifactValidationError(key, "parent must be an object (mapping)")
    if key not in data:
        raise ArtifactValidationError(key, "is required")
    return data[key]


def reject_unknown(data: dict[str, Any], known: frozenset[str], *, prefix: str = "") -> None:
    """Raise for the first key of ``data`` outside ``known``."""
    for key in data:
        if key not in known:
            name = f"{prefix}.{key}" if prefix else str(key)
            raise ArtifactValidationError(
                name, f"unknown field (known: {', '.join(sorted(known))})"
            )


__all__ = [
    "bump_patch",
    "flag",
    "json_object",
    "now_iso",
    "number",
    "opt_text",
    "records",
    "reject_unknown",
    "require",
    "semver",
    "text",
    "text_list",
]
