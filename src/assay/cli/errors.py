"""Exit codes and error messages shared by every ``assay`` command.

The convention, everywhere:

- **2, a usage error**: the command line does not name something valid: an unknown option, a
  missing argument, a value out of range, an unknown blueprint id, user or session, a file
  that does not exist.
  :func:`usage_error` prints the usage line, ``error: invalid value for '--seed': ...`` and
  the ``--help`` hint, like typer's own usage errors.
- **1, a domain error**: the command line is valid but what it asks for fails: an invalid
  blueprint file, too few responses to calibrate, a user name that is taken, no open session
  to resume, a session that has already ended.
  Printed as ``error: <message>`` on stderr by :func:`fail`.
- **130, interrupted** (128 + SIGINT): Ctrl-C, after saying how to continue.

Messages speak in the command's terms (flags and arguments), never in API field names.
"""

from __future__ import annotations

from typing import NoReturn

import click
import typer
from rich.console import Console
from rich.markup import escape

from assay.items import Catalog, UnknownBlueprintError
from assay.items.catalog import BlueprintKind

__all__ = [
    "EXIT_DOMAIN",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "fail",
    "resolve_blueprint",
    "usage_error",
]

EXIT_DOMAIN = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

err = Console(stderr=True)


def fail(message: str, code: int = EXIT_DOMAIN) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (a domain error by default)."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def usage_error(message: str, *, param: str) -> NoReturn:
    """Exit 2 after the usage line and ``error: invalid value for '<param>': message``.

    Args:
        message: What is wrong with the value, in the user's terms.
        param: The flag or argument as the user typed it: ``"--seed"``, ``"BLUEPRINT"``.

    Raises:
        typer.Exit: always, with code 2.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        err.print(ctx.get_usage(), markup=False, highlight=False, soft_wrap=True)
    err.print(
        f"[red]error:[/red] invalid value for {escape(repr(param))}: {escape(message)}",
        highlight=False,
        soft_wrap=True,
    )
    if ctx is not None:
        err.print(f"Try '{ctx.command_path} --help' for help.", markup=False, highlight=False)
    raise typer.Exit(EXIT_USAGE)


def resolve_blueprint(
    catalog: Catalog,
    blueprint_id: str,
    *,
    param: str,
    kinds: tuple[BlueprintKind, ...] = ("assessment", "skill"),
) -> tuple[BlueprintKind, str]:
    """The kind and exact id of a blueprint named on the command line, ignoring case.

    Raises:
        typer.Exit: (exit 2) no blueprint matches; the message says "did you mean"
            with the closest ids (difflib), or points at ``assay blueprints list``.
    """
    try:
        return catalog.find(blueprint_id, kinds=kinds)
    except UnknownBlueprintError as exc:
        what = f"{kinds[0]} blueprint" if len(kinds) == 1 else "blueprint"
        hint = (
            f"did you mean {' or '.join(exc.suggestions)}?"
            if exc.suggestions
            else "see: assay blueprints list"
        )
        usage_error(f"unknown {what} {blueprint_id!r}; {hint}", param=param)
