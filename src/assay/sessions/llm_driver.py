"""The LLM driver: a chat model chooses each tool call, the backend keeps it faithful.

Seed 002 §10.2 (EVALUATION, "LLM's LIMITED role"). Each turn the model is sent the projection
of the transcript (:func:`~assay.sessions.projection.project`: the system prompt with the
session context, and the current step as an instruction) and the session's tools (for an
evaluation without free-text fields, :func:`~assay.sessions.projection.evaluation_tools`).
Its answer is compared with the canonical next call
(:func:`~assay.sessions.driver.script_next_call` of the transcript), and the *canonical* call
is what the turn commits:

=====================================  =============================================  =========
model's answer                         recorded problem                               deviation
=====================================  =============================================  =========
the canonical tool, canonical args     (none)                                         no
text, no tool call                     ``text with no tool call``                     yes
a tool that does not exist             ``unknown tool 'x'``                           yes
another tool than the canonical one    ``called x out of order (expected y)``         yes
arguments that are not a JSON object   ``malformed tool arguments``                   yes
client tool, other stem                ``stem changed``                               yes
client tool, fewer / more options      ``option dropped`` / ``option added``          yes
client tool, same options reordered    ``options reordered``                          yes
client tool, an option reworded        ``options changed``                            yes
client tool, an argument added/changed ``argument 'k' added`` / ``... changed``       yes
``record_response`` for another call   ``record_response for the wrong tool call``    yes
more than one tool call                ``2 tool calls in one turn (one expected)``    yes
the model call failed                  ``model call failed: LLMTimeoutError: ...``    yes
=====================================  =============================================  =========

A deviation is recorded as a ``fidelity`` event ``{"problem", "model_call", "expected",
"tool_call_id", "item_number"}`` committed with the turn. When the session's deviations (the
stored ones, :attr:`DriverContext.deviations`, plus this one) reach ``max_deviations``, the turn
asks the engine to switch the session to the ``script`` driver for good.

The committed call keeps the model's tool-call id when it is well formed and unused in the
session, otherwise it gets a fresh one. Every model request (the projected messages, the tool
names, tool_choice) and response (text, tool calls, usage, model, latency) goes into the turn's
``meta``, which the engine commits with the assistant message before running its tool call.

Example:
    >>> from assay.llm import ScriptedModel
    >>> driver = LLMDriver(ScriptedModel(lambda messages, tools: script_next_call(messages)))
    >>> # await driver.next_turn(context) -> DriverTurn(message=<canonical call>, events=[])
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Literal

from assay.llm.errors import LLMError, LLMRequestError
from assay.llm.messages import Message, ModelResponse, ToolCall, ToolDefinition
from assay.llm.port import ChatModel
from assay.sessions.driver import DriverContext, DriverTurn, script_next_call
from assay.sessions.fidelity import arguments_problem, options_problem
from assay.sessions.projection import evaluation_tools, project

log = logging.getLogger(__name__)

ToolChoiceMode = Literal["forced", "required", "auto"]
"""``forced``: name the canonical tool (``{"type": "function", "function": {"name": ...}}``);
``required``: any tool; ``auto``: the model may answer with text."""

TOOL_CALL_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,40}")
"""A tool-call id the driver keeps: 1-40 letters, digits or ``_ . : -``."""

MAX_RECORDED_CHARS = 2000
"""Characters of a deviating call's arguments or text kept in its fidelity event."""


def call_problem(
    response: ModelResponse, canonical: ToolCall, *, tool_names: Sequence[str]
) -> str | None:
    """Why the model's answer is not the canonical call, or ``None`` if it is (module table).

    Args:
        response: What the model returned.
        canonical: The canonical next call.
        tool_names: Names of the tools offered to the model.
    """
    if not response.tool_calls:
        return "text with no tool call" if (response.content or "").strip() else "empty answer"
    call = response.tool_calls[0]
    if call.name not in tool_names:
        return f"unknown tool {call.name!r}"
    if call.name != canonical.name:
        return f"called {call.name} out of order (expected {canonical.name})"
    try:
        given = call.parsed_arguments()
    except ValueError:
        return "malformed tool arguments"
    problem = arguments_problem(call.name, given, canonical.parsed_arguments())
    if problem is None and len(response.tool_calls) > 1:
        problem = f"{len(response.tool_calls)} tool calls in one turn (one expected)"
    return problem


def used_tool_call_ids(messages: Sequence[Message]) -> set[str]:
    """Tool-call ids already in the transcript (calls and results)."""
    ids = {tc.id for m in messages for tc in m.tool_calls}
    ids.update(m.tool_call_id for m in messages if m.tool_call_id)
    return ids


def new_call_id(used: set[str]) -> str:
    """A short tool-call id not in ``used``: ``call_<n>``, n from ``len(used) + 1`` upwards.

    Ids only need to be unique within a session; ``call_12`` is what a small model copies
    into ``record_response`` without a slip.
    """
    n = len(used) + 1
    while f"call_{n}" in used:
        n += 1
    return f"call_{n}"


def committed_call_id(response: ModelResponse | None, used: set[str]) -> str:
    """The model's first tool-call id if well formed (:data:`TOOL_CALL_ID`) and unused, else new.

    Ids longer than 40 characters (llama.cpp's are 66) are replaced too: a small model must
    copy the id into ``record_response`` and copies short ids far better.
    """
    if response is not None and response.tool_calls:
        candidate = response.tool_calls[0].id
        if TOOL_CALL_ID.fullmatch(candidate) and candidate not in used:
            return candidate
    return new_call_id(used)


class LLMDriver:
    """A :class:`~assay.sessions.driver.Driver` that asks a chat model for each tool call.

    Args:
        model: The chat model (any :class:`~assay.llm.port.ChatModel`).
        max_deviations: Deviations in one session after which the session switches to the
            ``fallback`` driver (``>= 1``).
        tool_choice: ``forced`` (default; names the canonical tool, which llama.cpp's server
            then enforces with a grammar built from the tool's schema), ``required`` or
            ``auto``.
        temperature: Sampling temperature (``None``: the server's default).
        max_tokens: Completion token limit per call: ``"auto"`` (default) for the length in
            characters of the canonical arguments + 64, which a faithful copy never exceeds
            and which stops a model looping inside a string; an int; or ``None`` (the
            server's default).
        fallback: Name of the driver a deviating session switches to.

    When a server refuses a request (HTTP 4xx other than 429), the driver retries it once as
    a *plain* request (``tool_choice="required"`` instead of a forced one, no temperature,
    no token limit: OpenAI's reasoning models refuse those) and, if that works, sends plain
    requests from then on.

    Raises:
        ValueError: If ``max_deviations`` is below 1.
    """

    name = "llm"

    def __init__(
        self,
        model: ChatModel,
        *,
        max_deviations: int = 3,
        tool_choice: ToolChoiceMode = "forced",
        temperature: float | None = 0.0,
        max_tokens: int | Literal["auto"] | None = "auto",
        fallback: str = "script",
    ) -> None:
        if max_deviations < 1:
            raise ValueError("max_deviations must be >= 1")
        self.model = model
        self.max_deviations = max_deviations
        self.tool_choice = tool_choice
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.fallback = fallback
        self.plain = False

    def options(self, canonical: ToolCall, *, plain: bool | None = None) -> dict[str, Any]:
        """Request options for the canonical call: tool_choice, temperature, max_tokens.

        Args:
            canonical: The canonical next call.
            plain: Plain options (see the class docstring); ``None`` for the driver's mode.
        """
        plain = self.plain if plain is None else plain
        choice: str | dict[str, Any] = self.tool_choice
        if self.tool_choice == "forced":
            forced = {"type": "function", "function": {"name": canonical.name}}
            choice = "required" if plain else forced
        if plain:
            return {"tool_choice": choice}
        limit = len(canonical.arguments) + 64 if self.max_tokens == "auto" else self.max_tokens
        options = {"tool_choice": choice, "temperature": self.temperature, "max_tokens": limit}
        return {k: v for k, v in options.items() if v is not None}

    async def _complete(
        self, messages: list[Message], tools: list[ToolDefinition], canonical: ToolCall
    ) -> tuple[ModelResponse, dict[str, Any]]:
        options = self.options(canonical)
        try:
            return await self.model.complete(messages, tools=tools, **options), options
        except LLMRequestError as exc:
            if self.plain or exc.status_code is None:
                raise
            options = self.options(canonical, plain=True)
            try:
                response = await self.model.complete(messages, tools=tools, **options)
            except LLMError:
                raise exc from None
        log.warning("%s refused a request; sending plain requests from now on", self.model.name)
        self.plain = True
        return response, options

    async def next_turn(self, context: DriverContext) -> DriverTurn:
        """Ask the model for the next call; commit the canonical one, recording any deviation."""
        canonical = script_next_call(context.messages)
        messages = project(context.messages, context.progress, canonical)
        tools = list(context.tools)
        if context.progress.session_type == "evaluation":
            tools = evaluation_tools(tools)
        tool_names = [t.name for t in tools]
        request = {"messages": [m.to_openai() for m in messages], "tools": tool_names}
        meta: dict[str, Any] = {"driver": self.name, "model": self.model.name}
        response: ModelResponse | None = None
        try:
            response, options = await self._complete(messages, tools, canonical)
        except Exception as exc:  # an LLMError, or a bug in an adapter: never a crash
            if not isinstance(exc, LLMError):
                log.exception("model %s failed", self.model.name)
            problem: str | None = f"model call failed: {type(exc).__name__}: {exc}"
            meta.update(request={**request, **self.options(canonical)}, error=problem)
        else:
            meta.update(
                request={**request, **options},
                model=response.model or self.model.name,
                response={
                    "content": response.content,
                    "tool_calls": [tc.to_openai() for tc in response.tool_calls],
                    "finish_reason": response.finish_reason,
                },
                usage=response.usage.model_dump(),
                latency_ms=round(response.latency_ms, 3),
            )
            problem = call_problem(response, canonical, tool_names=tool_names)
        call_id = committed_call_id(response, used_tool_call_ids(context.messages))
        message = Message.assistant(None, [canonical.model_copy(update={"id": call_id})])
        meta["accepted"] = problem is None
        if problem is None:
            return DriverTurn(message=message, meta=meta)
        event = {
            "kind": "fidelity",
            "problem": problem,
            "expected": canonical.name,
            "model_call": _recorded_call(response),
            "tool_call_id": call_id,
            "item_number": context.progress.item_number,
        }
        switch = self.fallback if context.deviations + 1 >= self.max_deviations else None
        return DriverTurn(message=message, meta=meta, events=[event], switch_to=switch)


def _recorded_call(response: ModelResponse | None) -> dict[str, Any] | None:
    """The deviating answer as kept in a fidelity event (text and arguments truncated)."""
    if response is None:
        return None
    if not response.tool_calls:
        return {"content": (response.content or "")[:MAX_RECORDED_CHARS]}
    call = response.tool_calls[0]
    return {"id": call.id, "name": call.name, "arguments": call.arguments[:MAX_RECORDED_CHARS]}


__all__ = [
    "MAX_RECORDED_CHARS",
    "TOOL_CALL_ID",
    "LLMDriver",
    "ToolChoiceMode",
    "arguments_problem",
    "call_problem",
    "committed_call_id",
    "new_call_id",
    "options_problem",
    "used_tool_call_ids",
]
