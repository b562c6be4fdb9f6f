"""``assay artifacts``: inspect stored artifacts.

``assay artifacts show ID`` prints the artifact's header, versions, provenance chain and
latest evaluation as markdown (``--json`` prints the artifact, its versions and its
evaluations as JSON). Exit status 0, or 1 when there is no such artifact.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console

from assay.artifacts import ArtifactNotFoundError, ArtifactRegistry, artifact_report
from assay.config import Settings
from assay.storage import Database

app = typer.Typer(help="Inspect artifacts.", no_args_is_help=True)


@app.callback()
def artifacts() -> None:
    """Inspect artifacts."""


async def _show(url: str, artifact_id: str, as_json: bool) -> str:
    db = await Database.connect(url)
    try:
        registry = ArtifactRegistry(db)
        if not as_json:
            return await artifact_report(registry, artifact_id)
        artifact = await registry.get(artifact_id)
        if artifact is None:
            raise ArtifactNotFoundError(artifact_id)
        data: dict[str, Any] = {
            "artifact": artifact.to_dict(),
            "versions": [v.version for v in await registry.list_versions(artifact_id)],
            "evaluations": await registry.get_evaluations(artifact_id, all_versions=True),
        }
        return json.dumps(data, indent=2)
    finally:
        await db.close()


@app.command()
def show(
    artifact_id: Annotated[str, typer.Argument(help="Artifact id (art_...).")],
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Database URL (default ASSAY_DATABASE_URL)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of markdown.")
    ] = False,
) -> None:
    """Print an artifact's provenance chain and latest evaluation."""
    url = database_url or Settings().database_url
    try:
        text = asyncio.run(_show(url, artifact_id, as_json))
    except ArtifactNotFoundError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    typer.echo(text)


__all__ = ["app"]
