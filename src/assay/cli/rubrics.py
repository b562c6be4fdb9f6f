"""``assay rubrics``: check rubric files.

``assay rubrics validate FILE`` checks the rubric in FILE (YAML or JSON): every ``function_ref``
and ``schema_ref`` resolves against the server's configuration (``ASSAY_RUBRIC_FUNCTION_MODULES``,
the ``assay.rubric_functions`` entry points, the built-in checks), and every structural check of
the meta-rubric passes; each failure is printed in the rubric's terms ("weights sum to 1.3;
they should sum to 1.0"). Exit status: 0 when every check passes, 1 when any fails, 2 when the
file cannot be read or is not a valid rubric (the message names the field).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assay.config import Settings
from assay.rubrics import RubricValidationError, validate_rubric_file
from assay.services import build_rubric_functions

app = typer.Typer(help="Check rubric definitions.", no_args_is_help=True)

#: Exit status of a file that is not a valid rubric.
EXIT_INVALID = 2


@app.callback()
def rubrics() -> None:
    """Check rubric definitions."""


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Rubric file (YAML or JSON).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON.")] = False,
) -> None:
    """Check the rubric in FILE: references resolve, structure is sound."""
    err = Console(stderr=True)
    functions = build_rubric_functions(Settings())
    try:
        check = asyncio.run(validate_rubric_file(file, functions=functions))
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {file}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except RubricValidationError as exc:
        err.print(f"[red]invalid rubric:[/red] {exc.field}: {exc.rule}")
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        typer.echo(json.dumps(check.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(check.summary())
    raise typer.Exit(0 if check.passed else 1)


__all__ = ["EXIT_INVALID", "app"]
