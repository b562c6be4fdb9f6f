"""Code written against the reference library catches a missing artifact as ``ValueError``
(its registry raises ``ValueError(f"Artifact '{id}' not found")``); Assay's
:class:`ArtifactNotFoundError` is both that and a ``LookupError`` (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from assay.artifacts import ArtifactNotFoundError, ArtifactRegistry, ArtifactStatus
from assay.storage import Database

Call = Callable[[ArtifactRegistry], Awaitable[Any]]

MISSING = "art_missing"

CALLS: dict[str, Call] = {
    "revise": lambda r: r.revise(MISSING, {"v": 1}, "reason", "user:x"),
    "set_status": lambda r: r.set_status(MISSING, ArtifactStatus.PENDING_REVIEW),
    "submit_for_review": lambda r: r.submit_for_review(MISSING),
    "get_evaluations": lambda r: r.get_evaluations(MISSING),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("caught_as", [ValueError, LookupError, ArtifactNotFoundError])
async def test_unknown_id_is_caught_as_value_and_lookup_error(
    db: Database, call: str, caught_as: type[Exception]
) -> None:
    registry = ArtifactRegistry(db)
    with pytest.raises(caught_as, match=r"artifact 'art_missing' not found") as info:
        await CALLS[call](registry)
    assert isinstance(info.value, ArtifactNotFoundError)
    assert info.value.artifact_id == MISSING


async def test_reference_style_handler_sees_the_message(db: Database) -> None:
    """The reference's callers do ``except ValueError as e: log(str(e))``."""
    registry = ArtifactRegistry(db)
    try:
        await registry.revise(MISSING, {}, "r", "u")
    except ValueError as exc:
        message = str(exc)
    else:  # pragma: no cover - the call must raise
        pytest.fail("revise of an unknown id did not raise")
    assert message == "artifact 'art_missing' not found"
