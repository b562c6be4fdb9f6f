"""Assay: AI-assisted learning and assessment.

Blueprint-generated items, persisted and resumable sessions driven by a script or an LLM,
rubrics and versioned artifacts. See ``docs/architecture.md`` for the package map.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
