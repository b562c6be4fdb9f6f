"""``assay rubrics``: check rubric files.

``assay rubrics validate FILE`` runs the meta-rubric on the rubric in FILE (YAML or JSON) and
prints its summary. Exit status: 0 when the rubric passes, 1 when it fails the meta-rubric,
2 when the file cannot be read or is not a valid rubric (the message names the field).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assay.rubrics import RubricValidationError, validate_rubric_file

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
    """Run the meta-rubric on FILE and print its summary."""
    err = Console(stderr=True)
    try:
        evaluation, summary = asyncio.run(validate_rubric_file(file))
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {file}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except RubricValidationError as exc:
        err.print(f"[red]invalid rubric:[/red] {exc.field}: {exc.rule}")
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        typer.echo(json.dumps({**evaluation.to_dict(), "summary": summary}, indent=2))
    else:
        typer.echo(summary)
    raise typer.Exit(0 if evaluation.passed else 1)


__all__ = ["EXIT_INVALID", "app"]
