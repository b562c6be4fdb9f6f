"""Helpers to drive sessions in tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from assay.sessions import CreateSessionRequest, SessionService
from assay.storage import utcnow

KEY_FIELDS = {
    "correct_index",
    "correct_answer",
    "correct",
    "is_correct",
    "score",
    "generation_params",
    "key",
}


def request(config: dict[str, Any]) -> CreateSessionRequest:
    return CreateSessionRequest.model_validate({"session_type": "evaluation", "config": config})


async def events(
    service: SessionService, *, user_id: str, session_id: str
) -> list[tuple[str, dict[str, Any]]]:
    return [e async for e in await service.stream(user_id=user_id, session_id=session_id)]


async def next_action(
    service: SessionService, *, user_id: str, session_id: str
) -> dict[str, Any] | None:
    """Stream once; the client_action, or None if the session ended."""
    evs = await events(service, user_id=user_id, session_id=session_id)
    names = [n for n, _ in evs]
    assert names[0] == "connected", names
    if "session_completed" in names:
        return None
    assert names[-2:] == ["client_action", "run_suspended"], names
    return evs[-2][1]


def find_key_fields(payload: Any, path: str = "") -> list[str]:
    """Paths of fields in ``payload`` whose name reveals a key or a verdict."""
    found: list[str] = []
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k in KEY_FIELDS:
                found.append(f"{path}.{k}")
            found.extend(find_key_fields(v, f"{path}.{k}"))
    elif isinstance(payload, list):
        for i, v in enumerate(payload):
            found.extend(find_key_fields(v, f"{path}[{i}]"))
    return found


def dumps(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True)


class Clock:
    """A controllable UTC clock."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
