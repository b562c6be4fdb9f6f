"""The worked examples in the assay.cat docstrings are executed and must hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import assay.cat

MODULES = sorted(m.name for m in pkgutil.iter_modules(assay.cat.__path__, "assay.cat."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_surface_is_declared() -> None:
    for name in ["assay.cat", *MODULES]:
        module = importlib.import_module(name)
        assert all(hasattr(module, n) for n in module.__all__), name
