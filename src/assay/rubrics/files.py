"""Rubrics in YAML (or JSON) files, and the file check behind ``assay rubrics validate``.

A file holds one rubric (a mapping in the shape of ``Rubric.to_dict()``) or several under
``rubrics:`` (the shape :meth:`RubricRegistry.from_config` takes)::

    id: content_quality
    name: Content Quality
    description: Evaluates the quality of generated content
    version: 1.0.0
    target_type: content
    pass_threshold: 0.7
    criteria:
      - id: clarity
        ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assay.rubrics.checks import RubricCheck, check_rubric
from assay.rubrics.errors import RubricValidationError
from assay.rubrics.functions import FunctionRegistry
from assay.rubrics.models import Rubric
from assay.rubrics.schemas import SchemaRegistry

_SINGLE = "_single_rubric_file"


def read_rubric_config(path: str | Path) -> dict[str, Any]:
    """The mapping in a YAML/JSON file, as ``{"rubrics": [...]}`` (a single rubric is wrapped).

    Raises:
        OSError: If the file cannot be read.
        RubricValidationError: If it is not YAML, or not a mapping (field ``file``).
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RubricValidationError("file", f"must be valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise RubricValidationError("file", "must hold a rubric mapping or a 'rubrics:' list")
    if "rubrics" in data:
        return data
    return {"rubrics": [data], _SINGLE: True}


def load_rubrics(path: str | Path) -> list[Rubric]:
    """Every rubric in a file.

    Raises:
        RubricValidationError: Naming the path (``"rubrics[0].criteria[1].weight"`` for a
            ``rubrics:`` file, ``"criteria[1].weight"`` for a single-rubric file).
    """
    config = read_rubric_config(path)
    items = config["rubrics"]
    if not isinstance(items, list):
        raise RubricValidationError("rubrics", "must be a list of rubric definitions")
    single = _SINGLE in config
    out = []
    for i, item in enumerate(items):
        try:
            out.append(Rubric.from_dict(item))
        except RubricValidationError as exc:
            raise (exc if single else exc.prefixed(f"rubrics[{i}]")) from None
    return out


def load_rubric(path: str | Path) -> Rubric:
    """The one rubric in a file.

    Raises:
        RubricValidationError: If the file holds no rubric or several (field ``rubrics``), or
            the rubric breaks a rule.
    """
    found = load_rubrics(path)
    if len(found) != 1:
        raise RubricValidationError("rubrics", f"must hold exactly one rubric, found {len(found)}")
    return found[0]


async def validate_rubric_file(
    path: str | Path,
    *,
    functions: FunctionRegistry | None = None,
    schemas: SchemaRegistry | None = None,
) -> RubricCheck:
    """Check the rubric in ``path``: its references resolve and its structure is sound.

    Args:
        path: A YAML or JSON file holding one rubric.
        functions: The registry the rubric will run with (``assay rubrics validate`` passes
            the server's, built from the settings); by default only the built-in checks and
            nothing is imported.
        schemas: The schema registry it will run with (empty by default).

    Returns:
        The :class:`~assay.rubrics.checks.RubricCheck` (``.passed``, ``.problems``,
        ``.summary()`` naming the rubric).

    Raises:
        OSError: If the file cannot be read.
        RubricValidationError: If the file is not a valid rubric definition (the message
            names the field and the rule).
    """
    rubric = load_rubric(path)
    return await check_rubric(
        rubric,
        functions=functions if functions is not None else FunctionRegistry(),
        schemas=schemas,
    )


__all__ = ["load_rubric", "load_rubrics", "read_rubric_config", "validate_rubric_file"]
