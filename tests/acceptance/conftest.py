"""Acceptance fixtures: a real ``assay serve`` (``live_server``) and headless Debian Chromium.

``chromium_browser`` needs ``/usr/bin/chromium`` (Debian package ``chromium``); without it the
browser tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.acceptance._server import LiveServer, running_server

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``assay serve`` on a fresh SQLite database, with user ``alice`` and her token."""
    with running_server(tmp_path_factory.mktemp("live_server")) as server:
        yield server
    log = server.log_path.read_text()
    assert "Traceback" not in log, f"the server logged an exception:\n{log[-4000:]}"


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser).

    Module-scoped so Playwright's own event loop is gone before asyncio tests of other modules run.
    """
    if not CHROMIUM_PATH.exists():
        message = f"{CHROMIUM_PATH} is missing: apt-get install -y chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    expect.set_options(
        timeout=30_000
    )  # a shared 2-core machine: wait generously, assert nothing on speed
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Browser) -> Iterator[Page]:
    """A 1100 x 900 page in a fresh browser context; fails the test on an uncaught page error."""
    yield from _page(chromium_browser, width=1100, height=900)


@pytest.fixture
def phone_page(chromium_browser: Browser) -> Iterator[Page]:
    """A 360 x 740 (phone) page in a fresh context; fails the test on an uncaught page error."""
    yield from _page(chromium_browser, width=360, height=740)


def _page(chromium_browser: Browser, *, width: int, height: int) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
