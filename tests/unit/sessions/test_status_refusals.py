"""409 messages of the status machine are sentences naming the status (issue 14, item 26)."""

from __future__ import annotations

import pytest

from assay.sessions.status import (
    ACTIONS,
    InvalidActionError,
    SessionStatus,
    refusal,
    transition,
)

DISALLOWED = [
    (action, status)
    for action, (allowed, _) in ACTIONS.items()
    for status in SessionStatus
    if status not in allowed
]

EXPECTED = {
    ("results", "pending"): "results are available once the session has ended (status: pending)",
    ("results", "awaiting_client_action"): (
        "results are available once the session has ended (status: awaiting_client_action)"
    ),
    ("terminate", "terminated"): "the session has already ended (status: terminated)",
    ("stream", "completed"): "the session has already ended (status: completed)",
    ("respond", "expired"): "the session has ended and takes no more answers (status: expired)",
    ("respond", "active"): (
        "no question is waiting for an answer; open the stream to get the next one (status: active)"
    ),
    ("start", "active"): "a session starts once, while it is pending (status: active)",
    ("present", "pending"): (
        "an item is presented only while the session is active (status: pending)"
    ),
    ("complete", "awaiting_client_action"): (
        "a session completes only while it is active (status: awaiting_client_action)"
    ),
    ("expire", "pending"): "a session that has not started cannot expire (status: pending)",
    ("expire", "completed"): "the session has already ended (status: completed)",
}


def test_every_action_has_disallowed_statuses_in_the_table() -> None:
    assert {a for a, _ in DISALLOWED} == set(ACTIONS)
    assert {(a, s.value) for a, s in DISALLOWED} >= set(EXPECTED)


@pytest.mark.parametrize(("action", "status"), DISALLOWED, ids=lambda v: str(v))
def test_refusal_is_a_sentence_naming_the_status(action: str, status: SessionStatus) -> None:
    with pytest.raises(InvalidActionError) as caught:
        transition(status, action)
    message = str(caught.value)
    assert message == refusal(action, status)
    assert message.endswith(f" (status: {status.value})")
    sentence = message.removesuffix(f" (status: {status.value})")
    assert sentence[0].islower() and not sentence.endswith(".")
    assert f"cannot {action} a session" not in message and "'" not in message
    assert caught.value.status == status and caught.value.action == action
    expected = EXPECTED.get((action, status.value))
    if expected is not None:
        assert message == expected


def test_allowed_statuses_are_listed_for_the_api_rule() -> None:
    error = InvalidActionError("results", SessionStatus.PENDING)
    assert error.allowed == ["completed", "expired", "terminated"]
