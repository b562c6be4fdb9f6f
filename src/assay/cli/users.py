"""``assay users``: create users, list them, reissue and revoke their API tokens.

A token is printed once, as the last line of the output; only its SHA-256 hash is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from assay.cli.errors import fail, usage_error
from assay.config import Settings
from assay.storage import Database, iso, utcnow

__all__ = ["app"]

app = typer.Typer(help="Manage users and their API tokens.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="User name.", show_default=False)]
_T = TypeVar("_T")


def _run(work: Callable[[Database], Awaitable[_T]]) -> _T:
    """Run ``work`` on the configured database; a missing user or a bad name exits 1."""
    from assay.users import UnknownUserError, UserError

    async def run() -> _T:
        db = await Database.connect(Settings().database_url)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except UserError as exc:
        fail(exc.rule)
    except UnknownUserError as exc:
        usage_error(f"{exc}; see: assay users list", param="NAME")


def _print_token(headline: str, token: str) -> None:
    print(f"{headline}; API token (shown only once):", flush=True)
    print(token)


@app.command("create")
def users_create(name: NameArg) -> None:
    """Create a user; prints the API token once, as the last line."""
    from assay.users import UserError, check_name, create_user

    try:
        check_name(name)
    except UserError as exc:
        usage_error(f"a user name {exc.rule}", param="NAME")
    _, token = _run(lambda db: create_user(db, name=name))
    _print_token(f"created user {name!r}", token)


@app.command("list")
def users_list() -> None:
    """List users: name, created_at (UTC) and how many API tokens are active."""
    from assay.users import list_users

    table = Table("name", "created_at", "active tokens")
    for user in _run(list_users):
        table.add_row(user.name, iso(user.created_at), str(user.active_tokens))
    Console().print(table)


@app.command("token")
def users_token(name: NameArg) -> None:
    """Reissue a user's API token: revokes the old ones, prints the new one once (last line)."""
    from assay.users import reissue_token

    token, revoked = _run(lambda db: reissue_token(db, name=name, now=utcnow()))
    _print_token(f"revoked {revoked} token(s) of {name!r}; new", token)


@app.command("revoke")
def users_revoke(name: NameArg) -> None:
    """Revoke every API token of a user: their API requests then answer 401."""
    from assay.users import revoke_tokens

    revoked = _run(lambda db: revoke_tokens(db, name=name, now=utcnow()))
    print(f"revoked {revoked} token(s) of {name!r}; `assay users token {name}` issues a new one")
