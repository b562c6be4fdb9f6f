"""``assay take``: answer an evaluation in the terminal through the session engine.

The terminal is just another client: it streams the session's events in-process, renders each
``client_action`` and calls ``respond``, exactly like the browser does over HTTP.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from assay.config import Settings
from assay.items.instance import ResponseError
from assay.services import build_services
from assay.sessions import CreateSessionRequest, SessionConfigError, SessionExpiredError
from assay.users import get_or_create_user

console = Console()
err = Console(stderr=True)


def _read(prompt: str) -> str | None:
    console.print(prompt, end="")
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


def ask(action: dict[str, Any]) -> dict[str, Any] | None:
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
            line = _read(f"Your answer (1-{len(options)}): ")
            if line is None:
                return None
            if line.strip().isdigit() and 1 <= int(line) <= len(options):
                return {"index": int(line) - 1}
            console.print(f"[yellow]Type a number from 1 to {len(options)}.[/yellow]")
    if action["widget_type"] == "free_text":
        line = _read("Your answer: ")
        return None if line is None else {"text": line}
    if props.get("starter_code"):
        console.print(props["starter_code"], markup=False)
    console.print("[dim]Type your code; end with a line containing only a dot.[/dim]")
    lines: list[str] = []
    while (line := _read("")) is not None and line != ".":
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


async def take_evaluation(
    settings: Settings, *, blueprint_id: str, user_name: str, seed: int | None
) -> int:
    """Run one evaluation in the terminal; returns the process exit code."""
    services = await build_services(settings)
    try:
        user = await get_or_create_user(services.db, name=user_name)
        svc = services.sessions
        try:
            created = await svc.create(
                user_id=user.id,
                request=CreateSessionRequest.model_validate(
                    {
                        "session_type": "evaluation",
                        "config": {"blueprint_id": blueprint_id, "seed": seed},
                    }
                ),
            )
        except SessionConfigError as exc:
            err.print(f"[red]error:[/red] {exc}")
            return 2
        session_id = created["session_id"]
        console.print(f"Session {session_id}")
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
                answer = ask(action)
                if answer is None:
                    console.print(f"\nInput ended; the session {session_id} stays open.")
                    return 1
                try:
                    await svc.respond(
                        user_id=user.id,
                        session_id=session_id,
                        tool_call_id=action["tool_call_id"],
                        response=answer,
                    )
                    break
                except ResponseError as exc:
                    console.print(f"[yellow]{exc}[/yellow]")
                except SessionExpiredError as exc:
                    console.print(f"[red]{exc}[/red]")
                    break
    finally:
        await services.close()


__all__ = ["ask", "print_results", "take_evaluation"]
