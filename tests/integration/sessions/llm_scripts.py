"""Scripted models for LLM-driver tests: a faithful one and deviations of it.

A faithful model answers exactly the call its instruction asks for
(:func:`assay.sessions.projection.requested_call` of the projected messages it is sent).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from assay.llm import ModelResponse, ScriptedModel, ToolCall
from assay.llm.messages import Message, ToolDefinition
from assay.llm.scripted import ScriptStep
from assay.sessions.projection import requested_call
from assay.sessions.tables import session_messages
from assay.sessions.tools import CLIENT_TOOLS
from assay.storage import Database

Mutation = Callable[[ToolCall], ScriptStep | None]
"""Turns the faithful call into a deviating answer, or ``None`` to stay faithful."""


def faithful(messages: list[Message], tools: list[ToolDefinition]) -> ToolCall:
    return requested_call(messages)


def _with_args(call: ToolCall, **changes: Any) -> ToolCall:
    return call.model_copy(update={"arguments": json.dumps(call.parsed_arguments() | changes)})


def _on_client(change: Callable[[ToolCall], ScriptStep]) -> Mutation:
    return lambda call: change(call) if call.name in CLIENT_TOOLS else None


def _paraphrase(call: ToolCall) -> ToolCall:
    return _with_args(
        call, prompt="Please answer this: " + call.parsed_arguments()["prompt"].lower()
    )


def _drop_option(call: ToolCall) -> ScriptStep | None:
    options = call.parsed_arguments().get("options")
    return _with_args(call, options=options[:-1]) if options else None


INVENTED = ToolCall(
    id="call_invented",
    name="present_choices",
    arguments=json.dumps(
        {"prompt": "What is the capital of Atlantis?", "options": ["Poseidonia", "Lemuria"]}
    ),
)

MUTATIONS: dict[str, Mutation] = {
    "paraphrase": _on_client(_paraphrase),
    "drop_option": _drop_option,
    "reorder_options": lambda call: (
        _with_args(call, options=call.parsed_arguments()["options"][::-1])
        if call.name == "present_choices"
        else None
    ),
    # an invented item instead of asking for the next one
    "invent_item": lambda call: INVENTED if call.name == "get_next_item" else None,
    # skips the served item by asking for another one
    "skip_item": _on_client(lambda call: ToolCall(id="call_skip", name="get_next_item")),
    # ends the session instead of recording the answer
    "out_of_order": lambda call: (
        ToolCall(id="call_end", name="complete_session", arguments='{"reason": "bored"}')
        if call.name == "record_response"
        else None
    ),
    "malformed_json": _on_client(
        lambda call: call.model_copy(update={"arguments": call.arguments[:-7]})
    ),
    "text_only": lambda call: f"Let me call {call.name} for you.",
    "unknown_tool": lambda call: ToolCall(id="call_x", name="reveal_key", arguments="{}"),
    "wrong_record_id": lambda call: (
        _with_args(call, tool_call_id="call_nope") if call.name == "record_response" else None
    ),
}


def deviating(mutation: Mutation) -> Callable[[list[Message], list[ToolDefinition]], ScriptStep]:
    """A script function answering like :func:`faithful` except where ``mutation`` deviates."""

    def answer(messages: list[Message], tools: list[ToolDefinition]) -> ScriptStep:
        call = faithful(messages, tools)
        step = mutation(call)
        return call if step is None else step

    return answer


def recording_model(
    script: Callable[[list[Message], list[ToolDefinition]], ScriptStep],
) -> ScriptedModel:
    """A zero-latency :class:`ScriptedModel` keeping every request in ``.calls``."""
    return ScriptedModel(script, name="scripted-test")


async def assistant_metas(db: Database, session_id: str) -> list[dict[str, Any]]:
    """The ``meta`` of the session's assistant messages, in order (the model-call log)."""
    async with db.read() as conn:
        rows = await conn.execute(
            sa.select(session_messages.c.meta)
            .where(
                session_messages.c.session_id == session_id, session_messages.c.role == "assistant"
            )
            .order_by(session_messages.c.seq)
        )
        return [r.meta for r in rows]


def response_of(step: ScriptStep) -> ModelResponse:
    """The response a step becomes (for assertions on what the model said)."""
    if isinstance(step, ModelResponse):
        return step
    if isinstance(step, str):
        return ModelResponse(content=step)
    return ModelResponse(tool_calls=[step] if isinstance(step, ToolCall) else list(step))


__all__ = [
    "INVENTED",
    "MUTATIONS",
    "Mutation",
    "assistant_metas",
    "deviating",
    "faithful",
    "recording_model",
    "response_of",
]
