"""The session status machine as a table."""

import pytest

from assay.sessions.status import ACTIONS, InvalidActionError, SessionStatus, transition

S = SessionStatus

ALLOWED = [
    (S.PENDING, "start", S.ACTIVE),
    (S.ACTIVE, "present", S.AWAITING_CLIENT_ACTION),
    (S.AWAITING_CLIENT_ACTION, "respond", S.ACTIVE),
    (S.ACTIVE, "complete", S.COMPLETED),
    (S.PENDING, "terminate", S.TERMINATED),
    (S.ACTIVE, "terminate", S.TERMINATED),
    (S.AWAITING_CLIENT_ACTION, "terminate", S.TERMINATED),
    (S.ACTIVE, "expire", S.EXPIRED),
    (S.AWAITING_CLIENT_ACTION, "expire", S.EXPIRED),
    (S.COMPLETED, "results", S.COMPLETED),
    (S.EXPIRED, "results", S.EXPIRED),
    (S.TERMINATED, "results", S.TERMINATED),
    (S.PENDING, "stream", S.PENDING),
]


@pytest.mark.parametrize(("status", "action", "expected"), ALLOWED)
def test_allowed_transitions(status: SessionStatus, action: str, expected: SessionStatus) -> None:
    assert transition(status, action) is expected


REFUSED = [
    (status, action)
    for action, (sources, _) in ACTIONS.items()
    for status in SessionStatus
    if status not in sources
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_refused_transitions_name_the_status(status: SessionStatus, action: str) -> None:
    with pytest.raises(InvalidActionError) as info:
        transition(status, action)
    assert info.value.status is status
    assert str(info.value).endswith(f"(status: {status.value})")


def test_every_allowed_pair_is_in_the_table() -> None:
    listed = {(s, a) for s, a, _ in ALLOWED}
    for action, (sources, _) in ACTIONS.items():
        if action == "stream":
            continue
        for status in sources:
            assert (status, action) in listed


@pytest.mark.parametrize("status", list(SessionStatus))
def test_terminal_statuses(status: SessionStatus) -> None:
    assert status.is_terminal == (status in {S.COMPLETED, S.TERMINATED, S.EXPIRED})
