"""Tool definitions of the session loop (seed 002 §6, §10.2 EVALUATION).

Backend tools run in the backend (``get_next_item``, ``record_response``, ``complete_session``);
client tools suspend the loop until the student answers in a widget (``present_choices``,
``request_free_text``, ``present_code_editor``).
"""

from __future__ import annotations

from assay.llm.messages import ToolDefinition

PRESENT_CHOICES = ToolDefinition(
    name="present_choices",
    description=(
        "Present a multiple choice question to the user with 2-6 options. The user selects "
        "exactly one option. In an evaluation, pass the item's stem and options exactly as "
        "get_next_item returned them."
    ),
    parameters={
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "The question, verbatim"},
            "options": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 6},
            "context": {"type": "string", "description": "Optional context"},
        },
        "required": ["prompt", "options"],
    },
)

REQUEST_FREE_TEXT = ToolDefinition(
    name="request_free_text",
    description="Request a free-form text answer from the user. Pass the item's stem verbatim.",
    parameters={
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "The question, verbatim"},
            "placeholder": {"type": "string"},
        },
        "required": ["prompt"],
    },
)

PRESENT_CODE_EDITOR = ToolDefinition(
    name="present_code_editor",
    description="Present a code editor for a programming task. Pass the item's stem verbatim.",
    parameters={
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "The task, verbatim"},
            "language": {"type": "string"},
            "starter_code": {"type": "string"},
        },
        "required": ["prompt"],
    },
)

GET_NEXT_ITEM = ToolDefinition(
    name="get_next_item",
    description=(
        "Get the next item to present. Returns the item's stem, options and the client tool "
        "to present it with, or item=null and has_more=false when no items remain."
    ),
    parameters={"type": "object", "properties": {}},
)

RECORD_RESPONSE = ToolDefinition(
    name="record_response",
    description=(
        "Record the user's answer to the item just presented. Call it after every answer, "
        "with the tool_call_id of the presentation. It never says whether the answer is correct."
    ),
    parameters={
        "type": "object",
        "properties": {"tool_call_id": {"type": "string"}},
        "required": ["tool_call_id"],
    },
)

COMPLETE_SESSION = ToolDefinition(
    name="complete_session",
    description="End the session once get_next_item has returned has_more=false.",
    parameters={
        "type": "object",
        "properties": {"reason": {"type": "string"}},
    },
)

CLIENT_TOOLS: dict[str, ToolDefinition] = {
    t.name: t for t in (PRESENT_CHOICES, REQUEST_FREE_TEXT, PRESENT_CODE_EDITOR)
}
BACKEND_TOOLS: dict[str, ToolDefinition] = {
    t.name: t for t in (GET_NEXT_ITEM, RECORD_RESPONSE, COMPLETE_SESSION)
}
EVALUATION_TOOLS: list[ToolDefinition] = [*BACKEND_TOOLS.values(), *CLIENT_TOOLS.values()]

#: Widget rendered by the browser for each client tool.
WIDGETS: dict[str, str] = {
    "present_choices": "multiple_choice",
    "request_free_text": "free_text",
    "present_code_editor": "code_editor",
}

__all__ = [
    "BACKEND_TOOLS",
    "CLIENT_TOOLS",
    "COMPLETE_SESSION",
    "EVALUATION_TOOLS",
    "GET_NEXT_ITEM",
    "PRESENT_CHOICES",
    "PRESENT_CODE_EDITOR",
    "RECORD_RESPONSE",
    "REQUEST_FREE_TEXT",
    "WIDGETS",
]
