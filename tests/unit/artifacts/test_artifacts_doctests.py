"""The worked examples in the artifact modules' docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "assay.artifacts.status",
    "assay.artifacts.models",
    "assay.artifacts.provenance",
    "assay.artifacts.review",
    "assay.artifacts.registry",
    "assay.artifacts.display",
    "assay.artifacts.transforms",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
