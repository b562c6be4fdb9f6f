"""Scoring functions for ``DETERMINISTIC`` criteria: registered, or imported by reference.

A scoring function takes the target content and returns a level id::

    def check_question_count(content: dict[str, Any]) -> str: ...

It may also be ``async``. References use the form ``"module.path:function"``.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from assay.rubrics.errors import FunctionResolutionError

ScoringFunction = Callable[[dict[str, Any]], "str | Awaitable[str]"]


class FunctionRegistry:
    """Maps ``function_ref`` strings to scoring functions.

    Resolution (seed 001, "Deterministic Scoring"): a function registered under the exact
    reference wins; otherwise ``"module.path:function"`` is imported with
    :func:`importlib.import_module` and the attribute is cached.

    Args:
        allowed_modules: When given, dynamic import is limited to these modules and their
            submodules (e.g. ``["assay.rubrics.meta", "myapp.scoring"]``); ``[]`` disables
            it. ``None`` (the default, the seed's behaviour) imports any module - do not use
            that default for rubrics written by untrusted users.

    Example:
        >>> registry = FunctionRegistry()
        >>> registry.register("myapp.scoring:always_pass", lambda content: "pass")
        >>> registry.get("myapp.scoring:always_pass")({})
        'pass'
    """

    def __init__(self, *, allowed_modules: Sequence[str] | None = None) -> None:
        self._functions: dict[str, ScoringFunction] = {}
        self._allowed = None if allowed_modules is None else tuple(allowed_modules)

    def register(self, ref: str, func: ScoringFunction) -> None:
        """Register ``func`` under ``ref`` (replacing any earlier registration).

        Raises:
            TypeError: If ``func`` is not callable.
        """
        if not callable(func):
            raise TypeError(f"scoring function for {ref!r} must be callable")
        self._functions[ref] = func

    def __contains__(self, ref: object) -> bool:
        return ref in self._functions

    def get(self, ref: str) -> ScoringFunction:
        """The function for ``ref``, importing it if it is not registered.

        Raises:
            FunctionResolutionError: If ``ref`` is malformed, its module is not allowed or
                cannot be imported, or the attribute is missing or not callable.
        """
        if ref in self._functions:
            return self._functions[ref]
        module_path, sep, attr = ref.partition(":")
        if not sep or not module_path or not attr:
            raise FunctionResolutionError(
                f"function_ref {ref!r}: must be registered or have the form 'module.path:function'"
            )
        if self._allowed is not None and not any(
            module_path == m or module_path.startswith(m + ".") for m in self._allowed
        ):
            raise FunctionResolutionError(
                f"function_ref {ref!r}: module {module_path!r} is not in the allowed modules"
            )
        try:
            module = importlib.import_module(module_path)
        except ImportError as exc:
            raise FunctionResolutionError(
                f"function_ref {ref!r}: cannot import {module_path!r}: {exc}"
            ) from exc
        func = getattr(module, attr, None)
        if func is None or not callable(func):
            raise FunctionResolutionError(
                f"function_ref {ref!r}: {module_path!r} has no function {attr!r}"
            )
        self._functions[ref] = func
        return cast(ScoringFunction, func)


__all__ = ["FunctionRegistry", "ScoringFunction"]
