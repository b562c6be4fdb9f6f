"""``assay take``: answer an evaluation in the terminal through the session engine.

The terminal is just another client: it streams the session's events in-process, renders each
``client_action`` and calls ``respond``, exactly like the browser does over HTTP.

Input is read without blocking the event loop, so Ctrl-C cancels at once: an answer being
recorded is finished first, the session stays open, the process prints how to continue
(``assay take --resume``) and exits 130 without a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

from assay.cli.errors import EXIT_INTERRUPTED, fail, resolve_blueprint, usage_error
from assay.config import Settings
from assay.items.instance import ResponseError
from assay.services import build_services
from assay.sessions import CreateSessionRequest, SessionConfigError, SessionExpiredError
from assay.sessions.errors import SessionNotFoundError
from assay.users import get_or_create_user, get_user

console = Console()
err = Console(stderr=True)
_T = TypeVar("_T")
OPEN = ("pending", "active", "awaiting_client_action")


class LineReader:
    """Lines of a file descriptor, read through the event loop (so a cancel ends the wait).

    A descriptor the loop cannot poll (a regular file) is read directly: it never blocks.
    """

    def __init__(self, fd: int = 0) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    async def readline(self) -> str | None:
        """The next line without its newline; ``None`` at end of input."""
        while b"\n" not in self.buffer and not self.eof:
            chunk = await self._read()
            self.eof = not chunk
            self.buffer += chunk
        if not self.buffer:
            return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")

    async def _read(self) -> bytes:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(self.fd, wake)
        except (PermissionError, OSError):  # not pollable: a regular file, which never blocks
            return os.read(self.fd, 65536)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        return os.read(self.fd, 65536)


_stdin = LineReader()


async def _read(prompt: str) -> str | None:
    console.print(prompt, end="")
    return await _stdin.readline()


async def _finish_first(work: Awaitable[_T]) -> _T:
    """Await ``work``; on a cancel, let it finish (a write lands whole or not at all) first."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def ask(action: dict[str, Any]) -> dict[str, Any] | None:
    """Render a client action and read an answer; ``None`` at end of input."""
    props = action["props"]
    console.print(
        f"\n[bold]Question {action['item_number']} of {action['total_items']}[/bold]"
        + (
            f"  [dim]({action['time_remaining_s']:.0f} s left)[/dim]"
            if action.get("time_remaining_s")
            else ""
        )
    )
    console.print(props["prompt"])
    if action["widget_type"] == "multiple_choice":
        options = props["options"]
        for i, option in enumerate(options, start=1):
            console.print(f"  {i}. {option}")
        while True:
            line = await _read(f"Your answer (1-{len(options)}): ")
            if line is None:
                return None
            if line.strip().isdigit() and 1 <= int(line) <= len(options):
                return {"index": int(line) - 1}
            console.print(f"[yellow]Type a number from 1 to {len(options)}.[/yellow]")
    if action["widget_type"] == "free_text":
        line = await _read("Your answer: ")
        return None if line is None else {"text": line}
    if props.get("starter_code"):
        console.print(props["starter_code"], markup=False)
    console.print("[dim]Type your code; end with a line containing only a dot.[/dim]")
    lines: list[str] = []
    while (line := await _read("")) is not None and line != ".":
        lines.append(line)
    return {"code": "\n".join(lines)}


def print_results(results: dict[str, Any]) -> None:
    table = Table("#", "question", "your answer", "correct answer", "ok", "time")
    for item in results["items"]:
        table.add_row(
            str(item["item_number"]),
            item["prompt"],
            item["response_text"] or "-",
            item["correct_answer"],
            "[green]yes[/green]" if item["correct"] else "[red]no[/red]",
            "-" if item["time_taken_ms"] is None else f"{item['time_taken_ms'] / 1000:.1f} s",
        )
    console.print(table)
    for section in results["sections"]:
        if section["section_id"] is not None:
            console.print(
                f"  {section['section_id']}: {section['correct']}/{section['total']} "
                f"({section['accuracy']:.0%})"
            )
    console.print(
        f"[bold]Score: {results['correct_count']}/{results['total']} "
        f"({results['score']:.0%})[/bold]"
        f"  status: {results['status']}"
    )
    if results.get("theta") is not None and results.get("se") is not None:
        console.print(f"Ability estimate: theta = {results['theta']:.2f} (SE {results['se']:.2f})")


def resume_hint(session_id: str, user_name: str) -> str:
    """How to continue ``session_id`` in the terminal."""
    user = "" if user_name == "terminal" else f" --user {user_name}"
    return f"Continue with: assay take --resume{user}  (session {session_id})"


async def take_evaluation(
    settings: Settings,
    *,
    user_name: str,
    blueprint_id: str | None = None,
    seed: int | None = None,
    resume: bool = False,
    session_id: str | None = None,
) -> int:
    """Run one evaluation in the terminal; returns the process exit code.

    A new session of ``blueprint_id`` (any case), or with ``resume`` the user's session
    ``session_id`` or, when ``None``, their latest open one. Ctrl-C returns 130 after
    printing :func:`resume_hint`.

    Raises:
        typer.Exit: (exit 2) unknown blueprint or session.
        typer.Exit: (exit 1) nothing to resume, or the session has ended.
    """
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        if not interrupted:  # a second Ctrl-C while cleaning up is ignored, never a traceback
            interrupted = True
            main.cancel()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    current: str | None = None
    try:
        services = await build_services(settings)
        try:
            if resume:
                current = await _session_to_resume(services, user_name, session_id)
            else:
                assert blueprint_id is not None
                current = await _create(services, user_name, blueprint_id, seed)
            return await _run(services, user_name, current)
        finally:
            await _finish_first(services.close())
    except asyncio.CancelledError:
        if not interrupted:
            raise
        console.print("\nInterrupted; the session stays open." if current else "\nInterrupted.")
        if current is not None:
            console.print(resume_hint(current, user_name))
        return EXIT_INTERRUPTED
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def _create(services: Any, user_name: str, blueprint_id: str, seed: int | None) -> str:
    _, canonical = resolve_blueprint(
        services.catalog, blueprint_id, param="BLUEPRINT", kinds=("assessment",)
    )
    user = await get_or_create_user(services.db, name=user_name)
    request = CreateSessionRequest.model_validate(
        {"session_type": "evaluation", "config": {"blueprint_id": canonical, "seed": seed}}
    )
    try:
        created = await services.sessions.create(user_id=user.id, request=request)
    except SessionConfigError as exc:
        fail(exc.rule)
    console.print(f"Session {created['session_id']}")
    return str(created["session_id"])


async def _session_to_resume(services: Any, user_name: str, session_id: str | None) -> str:
    user = await get_user(services.db, name=user_name)
    if session_id is None:
        listed = [] if user is None else await services.sessions.list(user_id=user.id)
        open_ = [s for s in listed if s["status"] in OPEN]
        if not open_:
            fail(f"user {user_name!r} has no open session; start one with: assay take BLUEPRINT")
        session_id = str(open_[0]["session_id"])
    if user is None:
        usage_error(f"no session {session_id!r} of user {user_name!r}", param="SESSION_ID")
    try:
        view = await services.sessions.view(user_id=user.id, session_id=session_id)
    except SessionNotFoundError:
        usage_error(
            f"no session {session_id!r} of user {user_name!r}; see: assay sessions list",
            param="SESSION_ID",
        )
    if view["status"] not in OPEN:
        fail(f"session {session_id} has ended (status: {view['status']}); see: assay sessions list")
    console.print(
        f"Session {session_id}: resuming after {view['items_answered']} of "
        f"{view['total_items']} answered"
    )
    return session_id


async def _run(services: Any, user_name: str, session_id: str) -> int:
    svc = services.sessions
    user = await get_or_create_user(services.db, name=user_name)
    while True:
        action: dict[str, Any] | None = None
        ended: dict[str, Any] | None = None
        async for name, data in await svc.stream(user_id=user.id, session_id=session_id):
            if name == "client_action":
                action = data
            elif name == "session_completed":
                ended = data
            elif name == "error":
                err.print(f"[red]error:[/red] {data['message']}")
                return 1
        if ended is not None:
            print_results(await svc.results(user_id=user.id, session_id=session_id))
            return 0
        assert action is not None
        while True:
            answer = await ask(action)
            if answer is None:
                console.print(f"\nInput ended; the session {session_id} stays open.")
                console.print(resume_hint(session_id, user_name))
                return 1
            try:
                await _finish_first(
                    svc.respond(
                        user_id=user.id,
                        session_id=session_id,
                        tool_call_id=action["tool_call_id"],
                        response=answer,
                    )
                )
                break
            except ResponseError as exc:
                console.print(f"[yellow]{exc}[/yellow]")
            except SessionExpiredError as exc:
                console.print(f"[red]{exc}[/red]")
                break


__all__ = ["LineReader", "ask", "print_results", "resume_hint", "take_evaluation"]
