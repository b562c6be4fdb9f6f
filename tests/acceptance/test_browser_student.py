"""What a student sees (issue 14 items 19-22), in Chromium at 360 x 740 (``phone_page``).

Start page: no assessment preselected; each listed with title, question count and estimated time.
Session page: each widget, no horizontal overflow, time left in words. Results: code answers as
``<pre><code>`` in a monospace font, "ability estimate" in plain words, driver and fidelity events
only in the teachers' diagnostics view (``?diagnostics=1``), no horizontal overflow.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.acceptance._server import LiveServer
from tests.acceptance.test_browser import (
    create_inline_session,
    expect_question,
    open_session,
    result_rows,
    sign_in,
)

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
LONG_LINE = "    return sorted(words, key=lambda w: (len(w), w.lower(), w.upper(), w[::-1]))[0]"


def assert_fits(page: Page, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(NO_OVERFLOW), f"{where}: page {widths[0]} px wide in {widths[1]} px"


def assert_plain_words(page: Page) -> None:
    text = page.locator("body").inner_text()
    for word in ("θ", "Blueprint", "blueprint", "seed 0", "§", "Phase 1", "Driver", "Fidelity"):
        assert word not in text, f"{word!r} shown to a student"


def test_start_page_preselects_nothing_and_lists_count_and_time(
    live_server: LiveServer, phone_page: Page
) -> None:
    page = phone_page
    page.goto(f"{live_server.base_url}/")
    sign_in(page, live_server.token)
    expect(page.get_by_role("heading", name="Choose an assessment")).to_be_visible()
    choices = page.locator("#blueprint-list .choice")
    with live_server.client() as api:
        listed = api.get("/api/blueprints").json()
    expect(choices).to_have_count(len(listed))
    assert page.locator("#blueprint-list input:checked").count() == 0
    for bp, choice in zip(listed, choices.all(), strict=True):
        expect(choice.locator(".choice-title")).to_have_text(bp["title"])
        count = (
            f"up to {bp['total_items']}"
            if bp["item_selection_algorithm"] == "adaptive"
            else (str(bp["total_items"]))
        )
        expect(choice.locator(".choice-meta")).to_have_text(
            f"{count} questions · about {bp['estimated_minutes']} min"
        )
    math_cat = page.locator('[data-blueprint-id="MATH-CAT"] .choice-meta')
    expect(math_cat).to_have_text(re.compile(r"^up to \d+ questions · about \d+ min$"))
    assert_plain_words(page)
    assert_fits(page, "start page")

    # Starting without a choice is refused inline.
    page.get_by_role("button", name="Start assessment").click()
    expect(page.locator("#start-error")).to_have_text("Choose an assessment first.")


ITEMS: list[dict[str, object]] = [
    {
        "stem": "Which of these is the longest identifier? " + "a_very_long_identifier_" * 4,
        "options": ["x", "counter_of_processed_items_in_the_queue_" * 3, "y"],
        "correct": 1,
    },
    {"stem": "Name the capital of France.", "item_type": "free_text", "answer": "Paris"},
    {
        "stem": "Write shortest(words) returning the shortest word.",
        "item_type": "code",
        "answer": "def shortest(words):\n" + LONG_LINE + "\n",
        "starter_code": "def shortest(words):\n",
    },
]


def test_each_widget_and_the_results_fit_a_phone(
    live_server: LiveServer, phone_page: Page, tmp_path: Path
) -> None:
    page = phone_page
    session_id = create_inline_session(live_server, ITEMS, time_limit_minutes=30)
    open_session(page, live_server, session_id)

    expect_question(page, 1, 3)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(30|29) min left$"))
    assert_fits(page, "multiple choice")
    page.locator("#widget label.option").nth(1).click()
    page.get_by_role("button", name="Submit answer").click()

    expect_question(page, 2, 3)
    assert_fits(page, "free text")
    page.get_by_label("Your answer").fill("Paris")
    page.keyboard.press("Enter")

    expect_question(page, 3, 3)
    editor = page.get_by_label(re.compile(r"Your code"))
    editor.fill("def shortest(words):\n" + LONG_LINE + "\n")
    assert_fits(page, "code editor")
    assert_plain_words(page)
    page.keyboard.press("Control+Enter")

    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#items-table tbody tr")).to_have_count(3)
    code = page.locator("#items-table tbody tr").nth(2).locator("td pre.code > code")
    expect(code).to_have_count(2)  # the answer and the key
    expect(code.first).to_have_text("def shortest(words):\n" + LONG_LINE)
    font = code.first.evaluate("n => getComputedStyle(n).fontFamily")
    assert "mono" in font.lower()
    assert code.first.evaluate("n => getComputedStyle(n.parentElement).whiteSpace") == "pre"
    assert [r["Mark"] for r in result_rows(page)] == ["Correct", "Correct", "Correct"]
    expect(page.locator("#diagnostics")).to_be_hidden()
    assert_plain_words(page)
    assert_fits(page, "results")
    shot = Path(os.environ.get("ASSAY_SCREENSHOT_DIR", tmp_path)) / "results-360.png"
    page.screenshot(path=str(shot), full_page=True)

    # Teachers: the same results with ?diagnostics=1 show the driver and the fidelity events.
    page.goto(f"{live_server.base_url}/?diagnostics=1#session={session_id}")
    expect(page.locator("#diagnostics")).to_be_visible()
    expect(page.locator("#result-driver")).to_have_text("script")
    expect(page.locator("#fidelity-none")).to_be_visible()
    assert_fits(page, "results with diagnostics")


def test_ability_estimate_is_in_plain_words(live_server: LiveServer, phone_page: Page) -> None:
    page = phone_page
    page.goto(f"{live_server.base_url}/")
    sign_in(page, live_server.token)
    page.locator('[data-blueprint-id="MATH-QUIZ-10"] input').check()
    page.get_by_role("button", name="Start assessment").click()
    expect_question(page, 1, 10)
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect_question(page, 2, 10)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End session").click()
    expect(page.locator("#view-results")).to_be_visible()
    expect(page.locator("#ability-line")).to_have_text(
        re.compile(r"^Ability estimate: -?\d+\.\d \(give or take \d+\.\d\)$")
    )
    expect(page.locator("#ability")).to_contain_text("0 is average")
    assert_plain_words(page)
    assert_fits(page, "results of a blueprint session")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (900, "15 min left"),
        (840.2, "15 min left"),
        (60, "1 min left"),
        (59.1, "1 min left"),
        (59, "59 s left"),
        (0.2, "1 s left"),
        (0, "0 s left"),
        (3900, "1 h 5 min left"),
        (3600, "1 h 0 min left"),
    ],
)
def test_time_left_in_words(
    live_server: LiveServer, phone_page: Page, seconds: float, shown: str
) -> None:
    phone_page.goto(f"{live_server.base_url}/")
    got = phone_page.evaluate(
        "async (s) => (await import('/static/countdown.js')).formatDuration(s)", seconds
    )
    assert got == shown
