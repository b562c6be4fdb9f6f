"""``assay blueprints``: list, show and validate skill and assessment blueprints.

Ids are case-insensitive (``assay blueprints show math-quiz-10``); an unknown id exits 2 with a
did-you-mean. ``validate`` prints every error of the file, each with its field path and line.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assay.cli.errors import err, fail, resolve_blueprint, usage_error
from assay.config import Settings
from assay.items import Catalog, load_catalog
from assay.sessions.availability import Availability

__all__ = ["app", "blueprint_table"]

app = typer.Typer(
    help="Inspect and validate assessment and skill blueprints.", no_args_is_help=True
)


def blueprint_table(catalog: Catalog, available: Mapping[str, Availability] | None = None) -> Table:
    """Assessments, then skills, one row each: id, kind, title, items, minutes, sections.

    With ``available`` (assessment id -> :class:`Availability`), an ``available`` column says
    whether this server can run each assessment, with the reason and fix when it cannot.
    """
    ids = [*catalog.assessments, *catalog.skills]
    table = Table()
    table.add_column("id", no_wrap=True, min_width=max(map(len, ids), default=2))
    headers = ["kind", "title", "items", "minutes", "sections"]
    if available is not None:
        headers.append("available")
    for header in headers:
        table.add_column(header)
    for a in sorted(catalog.assessments.values(), key=lambda a: a.assessment_id):
        minutes = "-" if a.time_limit_minutes is None else f"{a.time_limit_minutes:g}"
        sections = ", ".join(s.section_id for s in a.sections)
        extra = [] if available is None else [available[a.assessment_id].label]
        table.add_row(
            a.assessment_id, "assessment", a.title, str(a.total_items), minutes, sections, *extra
        )
    for s in sorted(catalog.skills.values(), key=lambda s: s.skill_id):
        extra = [] if available is None else ["-"]
        table.add_row(s.skill_id, "skill", s.skill_statement or s.domain, "-", "-", "-", *extra)
    return table


@app.command("list")
def blueprints_list() -> None:
    """List assessment and skill blueprints (kind column: assessment or skill)."""
    from assay.sandbox import RunnerProbe, SandboxRunner
    from assay.sessions.availability import catalog_availability

    catalog = load_catalog(user_dir=Settings().blueprint_dir)
    available = asyncio.run(catalog_availability(catalog, probe=RunnerProbe(SandboxRunner())))
    Console().print(blueprint_table(catalog, available))


@app.command("show")
def blueprints_show(
    blueprint: Annotated[
        str, typer.Argument(help="Assessment or skill blueprint id (any case).", show_default=False)
    ],
) -> None:
    """Show one assessment or skill blueprint as YAML."""
    import yaml

    catalog = load_catalog(user_dir=Settings().blueprint_dir)
    kind, blueprint_id = resolve_blueprint(catalog, blueprint, param="BLUEPRINT")
    found = (
        catalog.assessment(blueprint_id).model_dump(mode="json")
        if kind == "assessment"
        else catalog.skill(blueprint_id).model_dump(mode="json")
    )
    dumped = yaml.safe_dump(found, sort_keys=False, allow_unicode=True)
    sys.stdout.buffer.write(dumped.encode("utf-8"))  # UTF-8 whatever the locale says
    sys.stdout.flush()


@app.command("validate")
def blueprints_validate(
    file: Annotated[Path, typer.Argument(help="YAML file of skill and/or assessment blueprints.")],
) -> None:
    """Validate a blueprint file together with the shipped catalog.

    Prints ``ok: N skills, M assessments`` (the file's own counts) and exits 0. Exits 1 after
    printing every error of the file (field path and line), also when it defines no blueprint;
    exits 2 when the file does not exist.
    """
    from assay.items import check_blueprint_file
    from assay.items.errors import BlueprintErrors

    try:
        checked = check_blueprint_file(file)
    except FileNotFoundError as exc:
        usage_error(str(exc).removeprefix("path: "), param="FILE")
    except BlueprintErrors as exc:
        for error in exc.errors:
            err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        count = len(exc.errors)
        fail(f"{file}: {count} error{'s' if count != 1 else ''}")
    print(f"ok: {len(checked.skills)} skills, {len(checked.assessments)} assessments")
