"""The eight statuses, the transition table (every one of the 64 pairs) and the properties."""

from __future__ import annotations

import pytest

from assay.artifacts import (
    ARTIFACT_TRANSITIONS,
    Artifact,
    ArtifactStatus,
    InvalidTransitionError,
    validate_transition,
)

S = ArtifactStatus

# The seed's "Valid Transitions Table", verbatim.
SEED_TABLE = {
    "draft": {"pending_review", "archived", "superseded"},
    "pending_review": {"in_review", "draft", "archived"},
    "in_review": {"approved", "needs_revision", "rejected"},
    "needs_revision": {"draft", "archived", "superseded"},
    "approved": {"superseded", "archived"},
    "rejected": {"archived"},
    "superseded": {"archived"},
    "archived": set(),
}

ALL_PAIRS = [(a, b) for a in SEED_TABLE for b in SEED_TABLE]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DRAFT", "draft"),
        ("PENDING_REVIEW", "pending_review"),
        ("IN_REVIEW", "in_review"),
        ("NEEDS_REVISION", "needs_revision"),
        ("APPROVED", "approved"),
        ("REJECTED", "rejected"),
        ("SUPERSEDED", "superseded"),
        ("ARCHIVED", "archived"),
    ],
)
def test_status_names_and_values(name: str, value: str) -> None:
    assert S[name].value == value
    assert S(value) is S[name]


def test_exactly_eight_statuses() -> None:
    assert len(S) == 8


def test_transition_map_equals_seed_table() -> None:
    assert {k.value: {t.value for t in v} for k, v in ARTIFACT_TRANSITIONS.items()} == SEED_TABLE


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_validate_transition_every_pair(current: str, target: str) -> None:
    if target in SEED_TABLE[current]:
        validate_transition(S(current), S(target))
    else:
        with pytest.raises(InvalidTransitionError) as info:
            validate_transition(S(current), S(target))
        err = info.value
        assert str(err).startswith("Invalid transition")
        assert (err.current_status, err.target_status) == (current, target)
        assert err.allowed == frozenset(SEED_TABLE[current])


def test_archived_is_terminal_message() -> None:
    with pytest.raises(InvalidTransitionError, match=r"none \(terminal\)"):
        validate_transition(S.ARCHIVED, S.DRAFT)


def test_seed_example_draft_to_approved_is_invalid() -> None:
    validate_transition(ArtifactStatus.DRAFT, ArtifactStatus.PENDING_REVIEW)
    with pytest.raises(InvalidTransitionError) as info:
        validate_transition(ArtifactStatus.DRAFT, ArtifactStatus.APPROVED)
    assert "Invalid transition" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("status", "approved", "reviewable"),
    [
        ("draft", False, True),
        ("pending_review", False, True),
        ("in_review", False, False),
        ("needs_revision", False, True),
        ("approved", True, False),
        ("rejected", False, False),
        ("superseded", False, False),
        ("archived", False, False),
    ],
)
def test_is_approved_and_is_reviewable(status: str, approved: bool, reviewable: bool) -> None:
    artifact = Artifact(name="x", status=S(status))
    assert artifact.is_approved is approved
    assert artifact.is_reviewable is reviewable
