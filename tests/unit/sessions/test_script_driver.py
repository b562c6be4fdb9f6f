"""The script driver's decision table."""

import json

import pytest

from assay.llm.messages import Message
from assay.sessions.driver import script_next_call

ITEM = {
    "stem": "What is 47 + 38?",
    "options": ["75", "85", "86", "95"],
    "present_using": "present_choices",
    "item_type": "multiple_choice",
}
FREE = {"stem": "Type 2+2", "present_using": "request_free_text", "item_type": "free_text"}
CODE = {
    "stem": "Write f",
    "present_using": "present_code_editor",
    "item_type": "code",
    "starter_code": "def f(): pass",
}


def tool(name: str, result: object, call_id: str = "c1") -> Message:
    return Message.tool_result(call_id, name, result)


@pytest.mark.parametrize(
    ("last", "name", "args"),
    [
        (Message.user("Start the evaluation session."), "get_next_item", {}),
        (Message.assistant("Hello!"), "get_next_item", {}),
        (
            tool("get_next_item", {"item": ITEM, "has_more": True}),
            "present_choices",
            {"prompt": ITEM["stem"], "options": ITEM["options"]},
        ),
        (tool("get_next_item", {"item": FREE}), "request_free_text", {"prompt": "Type 2+2"}),
        (
            tool("get_next_item", {"item": CODE}),
            "present_code_editor",
            {"prompt": "Write f", "language": "python", "starter_code": "def f(): pass"},
        ),
        (
            tool("get_next_item", {"item": None, "has_more": False}),
            "complete_session",
            {"reason": "all_items_completed"},
        ),
        (
            tool("present_choices", {"response": {"index": 1}}, "call_9"),
            "record_response",
            {"tool_call_id": "call_9"},
        ),
        (
            tool("request_free_text", {"response": {"text": "4"}}, "call_8"),
            "record_response",
            {"tool_call_id": "call_8"},
        ),
        (tool("record_response", {"recorded": True}), "get_next_item", {}),
        (tool("complete_session", {"success": False}), "get_next_item", {}),
    ],
)
def test_next_call(last: Message, name: str, args: dict[str, object]) -> None:
    call = script_next_call([Message.system("s"), last])
    assert call.name == name
    assert json.loads(call.arguments) == args


def test_ids_are_unique() -> None:
    msgs = [Message.user("go")]
    assert script_next_call(msgs).id != script_next_call(msgs).id
