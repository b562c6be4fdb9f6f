"""What a model sees of a session: two messages, whatever the session's length.

Seed 002 §10.5 ("Call LLM with minimal messages: system_prompt_with_context, user_instruction")
and D2 (session-type-specific context projections). The full message log stays in the
database; each model call gets only

1. the session's system prompt followed by the session *context*, as JSON;
2. the *current step* as an instruction, built from the canonical next call
   (:func:`~assay.sessions.driver.script_next_call` of the transcript) with its exact arguments.

For an evaluation the context is what presenting the next item needs and nothing else
(``item_number``, ``total_items``, ``items_remaining``, ``time_remaining_s``): never an earlier
item, an answer, a key or a score. The step names the current item only, as the arguments of
the client tool that presents it (stem and options, no key). Prompt tokens are therefore flat
over a session: the present-item call of item 20 costs what the one of item 1 costs.

Why an instruction, not the tool-call messages: chat templates of small local models do not
render assistant tool calls or tool-call ids (SmolLM2's ChatML shows a ``tool`` turn as bare
text). Shown the ``get_next_item`` result and the call messages, SmolLM2-135M presented 0 of
10 items verbatim and never copied the tool_call_id into ``record_response``; shown the
instruction, 88 of its 96 calls in three 10-item sessions were faithful
(``bench/bench_llm_driver.py``).

Example:
    After item 7 of 20 was served, the model is sent::

        system  "You are proctoring ... Session context (JSON): {"item_number": 7,
                 "items_remaining": 14, "time_remaining_s": 1500.0, "total_items": 20}"
        user    "Present the item with present_choices. Pass exactly these arguments, copied
                 verbatim: {"prompt": "What is 6 × 7?", "options": ["32", "13", "43", "42"]}"

    and after the student answered it::

        user    "The user answered. Call record_response with exactly these arguments:
                 {"tool_call_id": "call_5f0e1a2b"}"
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from typing import Any

from assay.llm.messages import Message, ToolCall, ToolDefinition
from assay.sessions.driver import Progress
from assay.sessions.prompts import SYSTEM_PROMPTS
from assay.sessions.tools import CLIENT_TOOLS

CONTEXT_HEADING = "Session context (JSON):"
"""Text that introduces the context appended to the system prompt."""

ARGUMENT_ORDER = ("prompt", "options", "language", "starter_code")
"""Order of arguments in an instruction: the order of the tools' schemas (seed 002 §6), which a
grammar-constrained model generates in; a model copies far better in that order."""

_TOOL_NAME = re.compile(r"(?:Call|with) ([a-z_]+)")

FREE_TEXT_FIELDS = frozenset({"context", "placeholder"})
"""Optional client-tool fields a model could fill with its own text; not offered in evaluations."""


def session_context(progress: Progress) -> dict[str, Any]:
    """The context of the session type a model may know (seed 002 §10.4).

    Evaluation: ``{"item_number", "total_items", "items_remaining", "time_remaining_s"}``
    (no performance data, no previous responses). Other session types get the same until
    their issues define richer projections.
    """
    return {
        "item_number": progress.item_number,
        "total_items": progress.total_items,
        "items_remaining": progress.items_remaining,
        "time_remaining_s": progress.time_remaining_s,
    }


def _argument_rank(name: str) -> tuple[int, str]:
    return (ARGUMENT_ORDER.index(name) if name in ARGUMENT_ORDER else len(ARGUMENT_ORDER), name)


def step_instruction(call: ToolCall) -> str:
    """The user instruction asking for ``call`` (the canonical next call), arguments verbatim.

    ==========================  =====================================================
    canonical call              instruction
    ==========================  =====================================================
    ``get_next_item``           ``Call get_next_item.``
    a client tool               ``Present the item with <tool>. Pass exactly these
                                arguments, copied verbatim: <JSON>``
    ``record_response``         ``The user answered. Call record_response with exactly
                                these arguments: <JSON>``
    ``complete_session``        ``No items remain. Call complete_session with exactly
                                these arguments: <JSON>``
    ==========================  =====================================================

    The JSON is written without ``\\u`` escapes (``×`` stays ``×``), its keys in
    :data:`ARGUMENT_ORDER` (others after it, sorted).
    """
    given = json.loads(call.arguments or "{}")
    ordered = {k: given[k] for k in sorted(given, key=_argument_rank)}
    arguments = json.dumps(ordered, ensure_ascii=False)
    if call.name in CLIENT_TOOLS:
        return (
            f"Present the item with {call.name}. "
            f"Pass exactly these arguments, copied verbatim: {arguments}"
        )
    if call.name == "record_response":
        return f"The user answered. Call record_response with exactly these arguments: {arguments}"
    if call.name == "complete_session":
        return f"No items remain. Call complete_session with exactly these arguments: {arguments}"
    return f"Call {call.name}."


def project(messages: Sequence[Message], progress: Progress, step: ToolCall) -> list[Message]:
    """The two messages a model is sent for the next turn of a session (pure).

    Args:
        messages: The session's full transcript (only its system prompt is used).
        progress: The session's progress, from which the context is built.
        step: The canonical next call (``script_next_call(messages)``).

    Returns:
        ``[system prompt + context, step instruction]``.
    """
    system = next((m.content for m in messages if m.role == "system" and m.content), None)
    if system is None:
        system = SYSTEM_PROMPTS.get(progress.session_type, SYSTEM_PROMPTS["evaluation"])
    context = json.dumps(session_context(progress), sort_keys=True)
    return [
        Message.system(f"{system}\n\n{CONTEXT_HEADING} {context}"),
        Message.user(step_instruction(step)),
    ]


def requested_call(messages: Sequence[Message]) -> ToolCall:
    """The call a projection asks for (its last user message): what a faithful model answers.

    The inverse of :func:`step_instruction`, for fakes and benchmarks: a scripted model that
    returns ``requested_call(messages)`` is a perfectly faithful, zero-latency model.

    Raises:
        ValueError: If the last user message is not a step instruction.
    """
    text = next((m.content or "" for m in reversed(messages) if m.role == "user"), "")
    named = _TOOL_NAME.search(text)
    if named is None:
        raise ValueError(f"not a step instruction: {text[:80]!r}")
    arguments = text.split(": ", 1)[1] if ": {" in text else "{}"
    return ToolCall(id=f"call_{secrets.token_hex(4)}", name=named[1], arguments=arguments)


def evaluation_tools(tools: Sequence[ToolDefinition]) -> list[ToolDefinition]:
    """The tools as offered in an evaluation: no free-text fields, no extra properties.

    Each client tool loses :data:`FREE_TEXT_FIELDS` (``context``, ``placeholder``) and gets
    ``"additionalProperties": false``, so a grammar-constrained model cannot add text of its
    own to a presentation. Backend tools are unchanged.
    """
    offered = []
    for tool in tools:
        if tool.name in CLIENT_TOOLS:
            properties = {
                k: v
                for k, v in tool.parameters.get("properties", {}).items()
                if k not in FREE_TEXT_FIELDS
            }
            parameters = {
                **tool.parameters,
                "properties": properties,
                "additionalProperties": False,
            }
            tool = tool.model_copy(update={"parameters": parameters})
        offered.append(tool)
    return offered


__all__ = [
    "ARGUMENT_ORDER",
    "CONTEXT_HEADING",
    "FREE_TEXT_FIELDS",
    "evaluation_tools",
    "project",
    "requested_call",
    "session_context",
    "step_instruction",
]
