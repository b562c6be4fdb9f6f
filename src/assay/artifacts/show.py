"""A markdown report of one artifact: header, provenance chain and latest evaluation.

Used by ``assay artifacts show ID`` and the HTTP API's provenance view.
"""

from __future__ import annotations

from typing import Any

from assay.artifacts.display import format_evaluation_summary, format_provenance_chain
from assay.artifacts.errors import ArtifactNotFoundError
from assay.artifacts.models import Artifact
from assay.artifacts.registry import ArtifactRegistry


def format_artifact_report(
    artifact: Artifact, versions: list[Artifact], latest_evaluation: dict[str, Any] | None
) -> str:
    """The report text (see :func:`artifact_report`).

    Layout::

        # <name>
        **Id:** ... / **Type:** ... / **Version:** ... / **Status:** ... / **Tags:** ...
        ## Versions        (one line per version: version, status, created_at)
        ## Provenance      (format_provenance_chain)
        **Latest evaluation:** <id> of v<version> (<evaluated_at>)
        ## Evaluation Summary   (format_evaluation_summary) or "No evaluation yet."
    """
    lines = [
        f"# {artifact.name}",
        "",
        f"**Id:** {artifact.id}",
        f"**Type:** {artifact.type}",
        f"**Version:** {artifact.version}",
        f"**Status:** {artifact.status.value}",
        f"**Tags:** {', '.join(artifact.tags) if artifact.tags else '(none)'}",
        "",
        "## Versions",
        "",
        *[f"- v{v.version} {v.status.value} ({v.created_at})" for v in versions],
        "",
        format_provenance_chain(artifact.provenance),
    ]
    if latest_evaluation is None:
        lines += ["## Evaluation Summary", "", "No evaluation yet.", ""]
    else:
        ev = latest_evaluation
        lines += [
            f"**Latest evaluation:** {ev.get('id', '')} of v{ev.get('artifact_version', '?')} "
            f"({ev.get('evaluated_at', '')})",
            "",
            format_evaluation_summary(ev),
        ]
    return "\n".join(lines)


async def artifact_report(registry: ArtifactRegistry, artifact_id: str) -> str:
    """The report of the latest version of ``artifact_id``; its latest evaluation is the most
    recent one of any version.

    Raises:
        ArtifactNotFoundError: No such artifact.
    """
    artifact = await registry.get(artifact_id)
    if artifact is None:
        raise ArtifactNotFoundError(artifact_id)
    versions = await registry.list_versions(artifact_id)
    evaluations = await registry.get_evaluations(artifact_id, all_versions=True)
    return format_artifact_report(artifact, versions, evaluations[-1] if evaluations else None)


__all__ = ["artifact_report", "format_artifact_report"]
