"""The texts of the two scripts that run inside the sandbox (read once from the package)."""

from __future__ import annotations

import functools
from pathlib import Path

LAUNCHER_SCRIPT = "_launcher.py"
"""Sets the sandbox up and runs the program; see ``assay.sandbox._launcher``."""
HARNESS_SCRIPT = "_harness.py"
"""Runs test cases against a submitted function; see ``assay.sandbox._harness``."""


@functools.cache
def script_text(name: str) -> str:
    """The source of ``name`` (``LAUNCHER_SCRIPT`` or ``HARNESS_SCRIPT``).

    Raises:
        ValueError: Any other name.
    """
    if name not in (LAUNCHER_SCRIPT, HARNESS_SCRIPT):
        raise ValueError(f"name: {name!r} is not one of the sandbox scripts")
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


__all__ = ["HARNESS_SCRIPT", "LAUNCHER_SCRIPT", "script_text"]
