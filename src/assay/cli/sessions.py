"""``assay sessions``: a user's sessions with their status and score."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assay.cli.errors import usage_error
from assay.config import Settings

__all__ = ["app", "session_rows"]

app = typer.Typer(help="List evaluation sessions.", no_args_is_help=True)


async def session_rows(settings: Settings, *, user_name: str) -> list[dict[str, Any]] | None:
    """The user's sessions, newest first, with ``answered`` and (ended ones) ``score``.

    ``None`` when no user has this name.
    """
    from assay.services import build_services
    from assay.users import get_user

    services = await build_services(settings)
    try:
        user = await get_user(services.db, name=user_name)
        if user is None:
            return None
        svc = services.sessions
        rows = []
        for listed in await svc.list(user_id=user.id):
            view = await svc.view(user_id=user.id, session_id=listed["session_id"])
            row = {**listed, "status": view["status"], "answered": view["items_answered"]}
            if view["status"] in ("completed", "terminated", "expired"):
                results = await svc.results(user_id=user.id, session_id=listed["session_id"])
                row["score"] = results["score"]
                row["correct"], row["total"] = results["correct_count"], results["total"]
            rows.append(row)
        return rows
    finally:
        await services.close()


@app.command("list")
def sessions_list(
    user: Annotated[str, typer.Option(help="User whose sessions to list.")] = "terminal",
) -> None:
    """List a user's sessions, newest first: status, answered items and score."""
    rows = asyncio.run(session_rows(Settings(), user_name=user))
    if rows is None:
        usage_error(f"no user named {user!r}; see: assay users list", param="--user")
    table = Table("session", "blueprint", "status", "answered", "score", "created_at")
    for r in rows:
        score = f"{r['correct']}/{r['total']} ({r['score']:.0%})" if "score" in r else "-"
        table.add_row(
            r["session_id"],
            r["blueprint_id"] or r["title"],
            r["status"],
            f"{r['answered']}/{r['total_items']}",
            score,
            r["created_at"],
        )
    Console(width=200).print(table)
