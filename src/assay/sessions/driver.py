"""Drivers choose the next tool call of the session loop (seed 002 §8.2).

A driver sees the session's transcript and progress and returns the next assistant turn. The
backend still owns item choice, keys and scoring: a driver only decides *which tool to call*.
The :class:`ScriptDriver` needs no LLM and presents every served item verbatim; it writes the
same transcript an LLM would (assistant tool calls, then tool results), so both drivers share
one message log format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from assay.llm.messages import Message, ToolCall, ToolDefinition
from assay.sessions.tools import CLIENT_TOOLS
from assay.storage import new_id


class Progress(BaseModel):
    """What a driver may know of a session's progress (no answers, no performance).

    Attributes:
        session_type: ``evaluation`` (other types arrive with later issues).
        item_number: Number of the item currently served (0 before the first).
        total_items: Items in the session.
        items_remaining: Items not yet answered.
        time_remaining_s: Seconds left before the deadline, or ``None`` without a time limit.
    """

    model_config = ConfigDict(frozen=True)

    session_type: str
    item_number: int
    total_items: int
    items_remaining: int
    time_remaining_s: float | None


class DriverContext(BaseModel):
    """Input of one driver turn: the transcript so far, the tools, the progress.

    Attributes:
        session_id: The session.
        messages: The full transcript, in order.
        tools: The tools of the session type.
        progress: The session's progress (no answers, no performance).
        deviations: Fidelity events recorded on the session so far (the engine counts them
            from the stored events, so a guard survives restarts).
    """

    model_config = ConfigDict(frozen=True)

    session_id: str
    messages: list[Message]
    tools: list[ToolDefinition]
    progress: Progress
    deviations: int = 0


class DriverTurn(BaseModel):
    """Output of one driver turn: the assistant message and what produced it.

    Attributes:
        message: The assistant message (content and/or tool calls) appended to the log.
        meta: How it was produced, e.g. ``{"driver": "script"}`` or the model request and
            response, usage and ``latency_ms`` of an LLM call. Committed with the message.
        events: Session events to record with the turn, e.g. ``{"kind": "fidelity", ...}``.
        switch_to: Name of the driver that runs the rest of the session (a fallback), if any.
    """

    message: Message
    meta: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    switch_to: str | None = None


class Driver(Protocol):
    """Chooses the next assistant turn of a session."""

    name: str

    async def next_turn(self, context: DriverContext) -> DriverTurn:
        """Return the next assistant message (normally exactly one tool call)."""
        ...


def _call(name: str, arguments: dict[str, Any]) -> ToolCall:
    return ToolCall(id=new_id("call"), name=name, arguments=json.dumps(arguments, sort_keys=True))


def script_next_call(messages: Sequence[Message]) -> ToolCall:
    """The script driver's decision: the next tool call as a pure function of the transcript.

    Rules, on the last message of the log:

    ==========================================  ==========================================
    last message                                next call
    ==========================================  ==========================================
    the opening user message, or assistant text ``get_next_item``
    tool result of ``get_next_item`` with item  the client tool in ``item.present_using``,
                                                with ``prompt``/``options`` verbatim
    tool result of ``get_next_item``, no item   ``complete_session``
    tool result of a client tool (the answer)   ``record_response`` with that tool_call_id
    tool result of ``record_response``          ``get_next_item``
    tool result of ``complete_session`` (fail)  ``get_next_item``
    ==========================================  ==========================================

    Example:
        After ``get_next_item`` returned ``{"item": {"stem": "What is 47 + 38?",
        "options": ["75", "85", "86", "95"], "present_using": "present_choices"}, ...}`` the
        next call is ``present_choices(prompt="What is 47 + 38?", options=[...same 4...])``.
    """
    last = messages[-1] if messages else None
    if last is None or last.role != "tool":
        return _call("get_next_item", {})
    if last.name == "get_next_item":
        result = json.loads(last.content or "{}")
        item = result.get("item")
        if not item:
            return _call("complete_session", {"reason": "all_items_completed"})
        args: dict[str, Any] = {"prompt": item["stem"]}
        if "options" in item:
            args["options"] = item["options"]
        if item.get("present_using") == "present_code_editor":
            args["language"] = item.get("language", "python")
            if "starter_code" in item:
                args["starter_code"] = item["starter_code"]
        return _call(item.get("present_using", "present_choices"), args)
    if last.name in CLIENT_TOOLS:
        return _call("record_response", {"tool_call_id": last.tool_call_id})
    return _call("get_next_item", {})


class ScriptDriver:
    """The driver with no LLM: presents the served item verbatim (see :func:`script_next_call`)."""

    name = "script"
    #: Its turns are pure functions of the log, so the engine commits each turn together with
    #: the effect of its tool call (one transaction instead of two).
    atomic = True

    async def next_turn(self, context: DriverContext) -> DriverTurn:
        call = script_next_call(context.messages)
        return DriverTurn(message=Message.assistant(None, [call]), meta={"driver": self.name})


__all__ = [
    "Driver",
    "DriverContext",
    "DriverTurn",
    "Progress",
    "ScriptDriver",
    "script_next_call",
]
