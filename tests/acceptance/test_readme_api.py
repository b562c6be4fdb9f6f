"""Every HTTP example of the README's "HTTP API" section runs against a real server (issue 14,
item 24), and ``/docs`` shows the operations with every non-loopback request blocked (item 23).

The examples are the README's fenced ``http`` blocks, in order: a request line, then an optional
JSON body. ``{session_id}`` is replaced by the session created last and ``{tool_call_id}`` by the
last ``client_action`` seen; every example must answer 2xx with JSON (or SSE for streams).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from tests.acceptance._server import LiveServer
from tests.integration.api.conftest import parse_sse

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```http\n(.*?)^```", re.S | re.M)


def http_api_examples() -> list[tuple[str, str, Any]]:
    """``(method, path, body or None)`` of each ``http`` block of the HTTP API section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## HTTP API\n", 1)[1].split("\n## ", 1)[0]
    examples = []
    for block in BLOCK.findall(section):
        request_line, _, rest = block.strip().partition("\n")
        method, path = request_line.split()
        examples.append((method, path, json.loads(rest) if rest.strip() else None))
    return examples


def test_the_readme_shows_runnable_examples() -> None:
    examples = http_api_examples()
    assert {m for m, _, _ in examples} == {"GET", "POST", "DELETE"}
    assert ("POST", "/api/sessions", {"config": examples[2][2]["config"]}) in examples


def test_every_readme_api_example_runs(live_server: LiveServer) -> None:
    names = {"session_id": "", "tool_call_id": ""}

    def fill(value: Any) -> Any:
        text = json.dumps(value)
        for key, found in names.items():
            text = text.replace("{" + key + "}", found)
        return json.loads(text)

    with live_server.client() as api:
        for method, path, body in http_api_examples():
            r = api.request(method, fill(path), json=None if body is None else fill(body))
            assert 200 <= r.status_code < 300, (method, path, body, r.status_code, r.text)
            if r.headers["content-type"].startswith("text/event-stream"):
                for event, data in parse_sse(r.text):
                    if event == "client_action":
                        names["tool_call_id"] = data["tool_call_id"]
                continue
            data = r.json()
            if method == "POST" and path == "/api/sessions":
                names["session_id"] = data["session_id"]
        final = api.get(f"/api/sessions/{names['session_id']}/results").json()
    assert final["status"] == "completed" and final["answered"] == 2
    assert [i["correct"] for i in final["items"]] == [True, True]


@pytest.mark.browser
def test_docs_show_the_operations_offline(live_server: LiveServer, browser_page: Page) -> None:
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if url.startswith(live_server.base_url) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    browser_page.route("**/*", only_loopback)
    browser_page.goto(f"{live_server.base_url}/docs")
    expect(browser_page.locator(".opblock-summary-path").first).to_be_visible()
    paths = browser_page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/sessions" in [p.strip() for p in paths]
    assert blocked == []
