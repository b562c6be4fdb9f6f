"""``assay calibrate``: re-estimate item parameters from the responses Assay has stored.

Runs :func:`assay.sessions.calibration.calibrate` on ``ASSAY_DATABASE_URL``, stores the result
in ``irt_calibrations`` (sessions created afterwards score and select with it) and prints one
row per calibrated template. Exit codes: 0 stored; 1 too few responses (nothing stored);
2 an unknown ``--blueprint`` (with a did-you-mean).

Registered in ``assay.cli.main`` as ``assay calibrate``; also runs as
``python -m assay.cli.calibrate``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assay.cli.errors import fail, resolve_blueprint
from assay.config import Settings
from assay.sessions.calibration import CalibrationError, CalibrationReport, calibrate
from assay.storage import Database, utcnow

__all__ = ["app", "calibrate_command", "print_report"]

app = typer.Typer(help="Re-estimate item parameters from stored responses.")


def print_report(report: CalibrationReport, *, calibration_id: str, console: Console) -> None:
    """Print the calibrated templates, the fitted difficulty mapping and the totals."""
    table = Table("template", "d", "n", "p-value", "a", "b", "b (IRT-lite)")
    for f in report.fits:
        table.add_row(
            f.template,
            f"{f.difficulty:.2f}",
            str(f.n),
            f"{f.p_value:.2f}",
            f"{f.a:.2f}",
            f"{f.b:+.2f}",
            f"{f.b_lite:+.2f}",
        )
    console.print(table)
    mapping = report.calibration.mapping
    if mapping is None:
        console.print("difficulty mapping: not fitted (fewer than two distinct difficulties)")
    else:
        console.print(
            f"difficulty mapping: b = {mapping.intercept:+.3f} + {mapping.slope:.3f} * logit(d),"
            f" a = {mapping.a:.3f}"
        )
    console.print(
        f"calibration {calibration_id}: {len(report.fits)} templates from "
        f"{report.n_responses} responses in {report.n_sessions} sessions"
        f" ({report.skipped} templates skipped"
        + ("" if report.converged else "; EM did not converge")
        + ")"
    )


@app.command("calibrate")
def calibrate_command(
    blueprint: Annotated[
        str | None,
        typer.Option(help="Only responses of sessions of this assessment blueprint."),
    ] = None,
    min_responses: Annotated[
        int,
        typer.Option(min=1, help="Fewest responses a template needs to be calibrated."),
    ] = 20,
) -> None:
    """Re-estimate item parameters (2PL) and the difficulty mapping from stored responses."""
    if blueprint is not None:  # an unknown id exits 2 with a did-you-mean, before any query
        from assay.items import load_catalog

        catalog = load_catalog(user_dir=Settings().blueprint_dir)
        _, blueprint = resolve_blueprint(
            catalog, blueprint, param="--blueprint", kinds=("assessment",)
        )

    async def run() -> tuple[CalibrationReport, str]:
        db = await Database.connect(Settings().database_url)
        try:
            report, saved = await calibrate(
                db, blueprint_id=blueprint, min_responses=min_responses, now=utcnow()
            )
        finally:
            await db.close()
        return report, saved.calibration_id

    try:
        report, calibration_id = asyncio.run(run())
    except CalibrationError as exc:
        fail(str(exc))
    print_report(report, calibration_id=calibration_id, console=Console())


if __name__ == "__main__":  # pragma: no cover
    app()
