"""Semantic versions of rubrics: parsing and ordering (https://semver.org, §2, §9-§11).

Example:
    >>> semver_key("1.10.0") > semver_key("1.9.3")
    True
    >>> semver_key("1.0.0-rc.1") < semver_key("1.0.0")
    True
"""

from __future__ import annotations

import re

SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

#: (major, minor, patch, is_release, prerelease identifiers) - comparable with ``<``.
SemverKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]


def is_semver(version: str) -> bool:
    """True when ``version`` is a valid semantic version such as ``"1.0.0"`` or ``"2.1.0-rc.1"``."""
    return bool(SEMVER_RE.match(version))


def semver_key(version: str) -> SemverKey:
    """A sort key implementing semver precedence (build metadata is ignored).

    A release sorts after its pre-releases; numeric pre-release identifiers sort before
    alphanumeric ones and compare numerically (semver §11).

    Raises:
        ValueError: If ``version`` is not a semantic version.
    """
    match = SEMVER_RE.match(version)
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    major, minor, patch, pre, _build = match.groups()
    ids: tuple[tuple[int, int | str], ...] = ()
    if pre:
        ids = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0 if pre else 1, ids)


__all__ = ["SEMVER_RE", "SemverKey", "is_semver", "semver_key"]
