"""The web page served by ``assay serve`` at ``/``, driven in headless Chromium (issue 2).

A real server runs in a subprocess (``live_server``); the page is used as a student would: paste
the token, pick a blueprint, answer with keys and clicks, reload mid-session, read the results.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.acceptance._server import LiveServer

pytestmark = pytest.mark.browser

QUIZ = "MATH-QUIZ-10"


def sign_in(page: Page, token: str) -> None:
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def expect_question(page: Page, number: int, total: int) -> Locator:
    """Wait for question ``number`` and return its answer form."""
    expect(page.locator("#progress")).to_have_text(f"Question {number} of {total}")
    form = page.locator("#widget form[data-widget]")
    expect(form).to_be_visible()
    return form


def result_rows(page: Page) -> list[dict[str, str]]:
    """The per-item results table as dicts keyed by column header."""
    headers = page.locator("#items-table thead th").all_inner_texts()
    rows = []
    for row in page.locator("#items-table tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def create_inline_session(
    server: LiveServer, items: list[dict[str, object]], **config: object
) -> str:
    """Create an inline-items session through the API; returns its id."""
    body = {"session_type": "evaluation", "config": {"items": items, **config}}
    with server.client() as api:
        created = api.post("/api/sessions", json=body)
        assert created.status_code == 201, created.text
        session_id: str = created.json()["session_id"]
        return session_id


def open_session(page: Page, server: LiveServer, session_id: str) -> None:
    """Open the page at ``#session=<id>`` with the token already in localStorage."""
    page.context.add_init_script(f"localStorage.setItem('assay.token', {server.token!r})")
    page.goto(f"{server.base_url}/#session={session_id}")


TWO_ITEMS: list[dict[str, object]] = [
    {"stem": "What is 2 + 2?", "options": ["3", "4", "5"], "correct": 1},
    {"stem": "What is 3 + 3?", "options": ["6", "7"], "correct": 0},
]


def test_blueprint_evaluation_keyboard_clicks_reload_and_results(
    live_server: LiveServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(f"{live_server.base_url}/")

    # A wrong token is refused inline; the real one signs in and is kept in localStorage.
    sign_in(page, "assay_not-a-real-token")
    expect(page.locator("#signin-error")).to_contain_text("unknown token")
    sign_in(page, live_server.token)
    expect(page.get_by_role("heading", name="Choose an assessment")).to_be_visible()
    assert page.evaluate("localStorage.getItem('assay.token')") == live_server.token

    page.locator(f'[data-blueprint-id="{QUIZ}"] input').check()
    page.get_by_role("button", name="Start assessment").click()

    prompts: dict[int, str] = {}
    chosen: dict[int, str] = {}
    by_keyboard = 0
    for number in range(1, 11):
        form = expect_question(page, number, 10)
        prompt = page.locator("#q-prompt").inner_text()
        expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d+ min left$"))
        if number == 4:
            # Reload mid-session: the same question comes back (same item number, same prompt).
            session_id = page.evaluate("localStorage.getItem('assay.session')")
            assert session_id and page.url.endswith(f"#session={session_id}")
            page.reload()
            form = expect_question(page, number, 10)
            expect(page.locator("#q-prompt")).to_have_text(prompt)
        prompts[number] = prompt
        widget = form.get_attribute("data-widget")
        if widget == "multiple_choice":
            options = page.locator("#widget .option-text").all_inner_texts()
            assert 2 <= len(options) <= 6
            choice = (number * 3) % len(options)
            radio = page.locator("#widget input[type=radio]").nth(choice)
            if number % 2:
                if number == 1:  # Enter with nothing chosen is refused inline
                    page.keyboard.press("Enter")
                    expect(page.locator("#answer-error")).to_have_text("Choose an option first.")
                page.keyboard.press(str(choice + 1))
                expect(radio).to_be_checked()
                expect(radio).to_be_focused()
                page.keyboard.press("Enter")
                by_keyboard += 1
            else:
                page.locator("#widget label.option").nth(choice).click()
                expect(radio).to_be_checked()
                page.get_by_role("button", name="Submit answer").click()
            chosen[number] = options[choice]
        else:
            answer_box = page.get_by_label("Your answer")
            expect(answer_box).to_be_focused()
            answer_box.fill("42")
            page.keyboard.press("Enter")
            chosen[number] = "42"
    assert by_keyboard >= 3, "the quiz should have multiple-choice items to answer with keys"

    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#items-table tbody tr")).to_have_count(10)
    rows = result_rows(page)
    for number, row in enumerate(rows, start=1):
        assert row["#"] == str(number)
        assert row["Question"] == prompts[number]
        assert row["Your answer"] == chosen[number]
        assert row["Mark"] in ("Correct", "Incorrect")
        # Multiple choice (and numeric free text): the mark agrees with the shown key.
        assert (row["Mark"] == "Correct") == (row["Your answer"] == row["Correct answer"])
    correct = sum(1 for r in rows if r["Mark"] == "Correct")
    expect(page.locator("#score-line")).to_have_text(
        f"Score {round(100 * correct / 10)}%: {correct} of 10 correct"
    )

    section_rows = [
        [c.strip() for c in r.locator("th, td").all_inner_texts()]
        for r in page.locator("#sections-table tbody tr").all()
    ]
    assert sum(int(r[1]) for r in section_rows) == correct
    assert sum(int(r[2]) for r in section_rows) == 10
    for _, right, total, accuracy in section_rows:
        assert accuracy == f"{round(100 * int(right) / int(total))}%"
    expect(page.locator("#result-status")).to_contain_text("completed")
    expect(page.locator("#diagnostics")).to_be_hidden()  # driver and fidelity: teachers only

    # A reload on the results page shows the results again; "Sign out" forgets the token.
    page.reload()
    expect(page.locator("#items-table tbody tr")).to_have_count(10)
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("localStorage.getItem('assay.token')") is None


def test_inline_session_free_text_and_code_widgets(
    live_server: LiveServer, browser_page: Page
) -> None:
    items = [
        {
            "stem": "Which planet is known as the Red Planet?",
            "options": ["Venus", "Mars", "Jupiter"],
            "correct": 1,
        },
        {"stem": "Name the capital of France.", "item_type": "free_text", "answer": "Paris"},
        {
            "stem": "Write add(a, b) returning the sum of a and b.",
            "item_type": "code",
            "answer": "def add(a, b):\n    return a + b\n",
            "starter_code": "def add(a, b):\n",
        },
    ]
    page = browser_page
    open_session(page, live_server, create_inline_session(live_server, items))

    # Multiple choice by click: the wrong option.
    expect_question(page, 1, 3)
    expect(page.get_by_role("radiogroup")).to_be_visible()
    page.get_by_role("radio", name="Venus").check()
    page.get_by_role("button", name="Submit answer").click()

    # Free text: focused, Enter submits.
    form = expect_question(page, 2, 3)
    assert form.get_attribute("data-widget") == "free_text"
    expect(page.locator("#q-prompt")).to_have_text("Name the capital of France.")
    answer_box = page.get_by_label("Your answer")
    expect(answer_box).to_be_focused()
    page.keyboard.type("Paris")
    page.keyboard.press("Enter")

    # Code: starter code shown, Tab indents, Enter is a newline, Ctrl+Enter submits.
    form = expect_question(page, 3, 3)
    assert form.get_attribute("data-widget") == "code_editor"
    editor = page.get_by_label(re.compile(r"Your code"))
    expect(editor).to_be_focused()
    expect(editor).to_have_value("def add(a, b):\n")
    page.keyboard.press("Tab")
    page.keyboard.type("return a + b")
    page.keyboard.press("Enter")
    expect(editor).to_have_value("def add(a, b):\n    return a + b\n")
    expect(page.locator("#progress")).to_have_text("Question 3 of 3")
    page.keyboard.press("Control+Enter")

    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#items-table tbody tr")).to_have_count(3)
    rows = result_rows(page)
    assert [r["Your answer"] for r in rows[:2]] == ["Venus", "Paris"]
    assert rows[2]["Your answer"] == "def add(a, b):\n    return a + b"
    assert [r["Correct answer"] for r in rows[:2]] == ["Mars", "Paris"]
    assert [r["Mark"] for r in rows] == ["Incorrect", "Correct", "Correct"]
    expect(page.locator("#score-line")).to_have_text("Score 67%: 2 of 3 correct")
    expect(page.locator("#result-driver")).to_be_hidden()


SSE_PARSE_EVERY_SPLIT = """
async (stream) => {
  const { createSseParser } = await import("/static/sse.js");
  const runs = [];
  for (let cut = 0; cut <= stream.length; cut++) {
    const events = [];
    const parser = createSseParser((name, data) => events.push([name, data]));
    parser.push(stream.slice(0, cut));
    parser.push(stream.slice(cut));
    runs.push(events);
  }
  return runs;
}
"""


def test_sse_parser_handles_every_chunk_split(live_server: LiveServer, browser_page: Page) -> None:
    # sse-starlette ends lines with CRLF; a keep-alive comment, a multi-line data field, an LF-only
    # event and an event cut off by the end of the stream (dropped) are mixed in.
    stream = (
        'event: connected\r\ndata: {"a": 1}\r\n\r\n'
        ": ping - 2024-01-01\r\n\r\n"
        "event: client_action\r\ndata: line1\r\ndata: line2\r\n\r\n"
        "data: no name\n\n"
        "event: run_suspended\r\ndata: x"
    )
    browser_page.goto(f"{live_server.base_url}/")
    runs = browser_page.evaluate(SSE_PARSE_EVERY_SPLIT, stream)
    expected = [
        ["connected", '{"a": 1}'],
        ["client_action", "line1\nline2"],
        ["message", "no name"],
    ]
    assert len(runs) == len(stream) + 1
    assert all(events == expected for events in runs)


def test_end_session_button_terminates_and_shows_results(
    live_server: LiveServer, browser_page: Page
) -> None:
    page = browser_page
    open_session(page, live_server, create_inline_session(live_server, TWO_ITEMS))
    expect_question(page, 1, 2)
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect_question(page, 2, 2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End session").click()

    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#result-status")).to_have_text("terminated (ended by you)")
    expect(page.locator("#score-line")).to_have_text("Score 50%: 1 of 2 correct (1 answered)")
    assert [r["Mark"] for r in result_rows(page)] == ["Correct", "Not answered"]


def test_countdown_reaching_zero_shows_the_expired_results(
    live_server: LiveServer, browser_page: Page
) -> None:
    page = browser_page
    session_id = create_inline_session(live_server, TWO_ITEMS, time_limit_minutes=0.25)
    open_session(page, live_server, session_id)
    expect_question(page, 1, 2)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^([1-9]|1[0-5]) s left$"))

    # Nobody answers: when the countdown reaches zero the page asks the server and shows results.
    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#result-status")).to_have_text("expired (the time limit passed)")
    expect(page.locator("#score-line")).to_have_text("Score 0%: 0 of 2 correct (0 answered)")
    assert [r["Mark"] for r in result_rows(page)] == ["Not answered"]
