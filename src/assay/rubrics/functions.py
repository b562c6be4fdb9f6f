"""Scoring functions for ``DETERMINISTIC`` criteria, and the guard on what a reference may name.

A scoring function takes the target content and returns a level id::

    def check_question_count(content: dict[str, Any]) -> str: ...

It may also be ``async``. A ``function_ref`` is ``"module.path:function"`` or the dotted form
``"module.path.function"`` (the last dot separates the function).

A rubric can arrive from an untrusted client, so by default a :class:`FunctionRegistry`
resolves a reference only against what the process was configured with, in this order:

1. functions registered in code (:meth:`FunctionRegistry.register`), Assay's built-in checks
   (the meta-rubric's ``assay.rubrics.meta:check_*``) among them;
2. functions published by installed packages under the entry-point group
   ``assay.rubric_functions`` (:data:`ENTRY_POINT_GROUP`), when the registry reads one;
3. functions defined in the modules the operator allows (``allowed_modules``, from
   ``ASSAY_RUBRIC_FUNCTION_MODULES``) and their submodules.

The module name is checked against the allow-list *before* anything is imported, private
names (``_x``) are refused, and a function found in an allowed module must also be defined
in one (so ``myapp.scoring:run`` cannot reach a ``subprocess.run`` that module imported).
Importing any module by reference, the reference library's behaviour, is an explicit opt-in
for trusted in-process use: :meth:`FunctionRegistry.importing`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from assay.rubrics.errors import FunctionResolutionError

ScoringFunction = Callable[[dict[str, Any]], "str | Awaitable[str]"]

#: Entry-point group whose entries (``name = "module:function"``) are scoring functions.
ENTRY_POINT_GROUP = "assay.rubric_functions"


def parse_function_ref(ref: str) -> tuple[str, str]:
    """Split a reference into ``(module, function)``.

    Accepts ``"package.module:function"`` and ``"package.module.function"``; every part must
    be a Python identifier.

    Raises:
        FunctionResolutionError: ``reason="bad_ref"`` for any other shape.

    Example:
        >>> parse_function_ref("myapp.scoring.check_count")
        ('myapp.scoring', 'check_count')
        >>> parse_function_ref("myapp.scoring:check_count")
        ('myapp.scoring', 'check_count')
    """
    text = ref if isinstance(ref, str) else ""
    if ":" in text:
        module, _, attr = text.partition(":")
    else:
        module, _, attr = text.rpartition(".")
    parts = module.split(".")
    if not module or not attr.isidentifier() or not all(p.isidentifier() for p in parts):
        raise FunctionResolutionError(
            f"function_ref {ref!r}: must have the form 'module.path:function' or "
            "'module.path.function'",
            reason="bad_ref",
            function_ref=str(ref),
        )
    return module, attr


def _canonical(ref: str) -> str | None:
    try:
        module, attr = parse_function_ref(ref)
    except FunctionResolutionError:
        return None
    return f"{module}:{attr}"


def _within(module: str, allowed: Iterable[str]) -> bool:
    return any(module == m or module.startswith(m + ".") for m in allowed)


def builtin_functions() -> dict[str, ScoringFunction]:
    """Assay's built-in checks by reference: the meta-rubric's (``assay.rubrics.meta:check_*``)."""
    from assay.rubrics import meta

    names = [n for n in meta.__all__ if n.startswith("check_")]
    return {f"{meta.__name__}:{n}": getattr(meta, n) for n in names}


class FunctionRegistry:
    """Maps ``function_ref`` strings to scoring functions, without importing arbitrary code.

    Resolution order and the guard are in the module docstring. Every failure raises
    :class:`FunctionResolutionError` with a machine-readable ``reason``: ``"bad_ref"``,
    ``"not_allowed"``, ``"module_not_found"``, ``"import_failed"``, ``"attribute_not_found"``
    or ``"not_callable"``.

    Args:
        allowed_modules: Modules (and their submodules) whose functions references may name,
            e.g. ``["myapp.scoring"]``. Nothing outside them, the registered functions and
            the entry points is ever imported.
        entry_point_group: Also resolve the entry points of this group (e.g.
            :data:`ENTRY_POINT_GROUP`); each entry resolves under its value
            (``"myapp.scoring:check"``) and its name. Loaded on first use.
        builtins: Register Assay's built-in checks (:func:`builtin_functions`).
        import_any: Import any module a reference names (the reference library's behaviour).
            Only for trusted, in-process rubrics; prefer :meth:`importing`.

    Example:
        >>> registry = FunctionRegistry()
        >>> registry.register("myapp.scoring:always_pass", lambda content: "pass")
        >>> registry.get("myapp.scoring.always_pass")({})
        'pass'
        >>> registry.get("subprocess:check_output")
        Traceback (most recent call last):
        ...
        assay.rubrics.errors.FunctionResolutionError: function_ref 'subprocess:check_output': \
module 'subprocess' is not allowed (allowed: registered functions, the entry points of \
'assay.rubric_functions' and the modules listed in ASSAY_RUBRIC_FUNCTION_MODULES)
    """

    def __init__(
        self,
        *,
        allowed_modules: Sequence[str] = (),
        entry_point_group: str | None = None,
        builtins: bool = True,
        import_any: bool = False,
    ) -> None:
        if isinstance(allowed_modules, str):
            raise TypeError("allowed_modules must be a sequence of module names, not a string")
        self._functions: dict[str, ScoringFunction] = {}
        self._allowed = tuple(m.strip() for m in allowed_modules if m.strip())
        self._group = entry_point_group
        self._entry_points: dict[str, EntryPoint] | None = None
        self.import_any = import_any
        if builtins:
            for ref, func in builtin_functions().items():
                self.register(ref, func)

    @classmethod
    def importing(cls) -> FunctionRegistry:
        """A registry that imports any module a reference names (the reference library's mode).

        Only for rubrics written by trusted code in this process: a reference such as
        ``"subprocess:check_output"`` then runs that function on the target.
        """
        return cls(import_any=True)

    @property
    def allowed_modules(self) -> tuple[str, ...]:
        """The modules (with their submodules) references may name."""
        return self._allowed

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
        """The function for ``ref`` (registered, an entry point, or from an allowed module).

        Raises:
            FunctionResolutionError: With ``reason`` and ``function_ref`` set (see the class
                docstring); nothing outside the allow-list is imported first.
        """
        found = self._functions.get(ref)
        if found is not None:
            return found
        canonical = _canonical(ref)
        if canonical is not None:
            found = self._functions.get(canonical)
        if found is None:
            found = self._from_entry_point(ref, canonical)
        if found is None:
            module_path, attr = parse_function_ref(ref)
            found = self._import(ref, module_path, attr)
        self._functions[ref] = found
        return found

    def check(self, ref: str) -> None:
        """Resolve ``ref`` without calling it (rubric registration and ``rubrics validate``).

        Raises:
            FunctionResolutionError: As :meth:`get`.
        """
        self.get(ref)

    # -- resolution ---------------------------------------------------------------------
    def _from_entry_point(self, ref: str, canonical: str | None) -> ScoringFunction | None:
        if self._group is None:
            return None
        if self._entry_points is None:
            self._entry_points = {}
            for ep in entry_points(group=self._group):
                self._entry_points.setdefault(ep.name, ep)
                self._entry_points.setdefault(_canonical(ep.value) or ep.value, ep)
        found = self._entry_points.get(ref)
        if found is None and canonical is not None:
            found = self._entry_points.get(canonical)
        if found is None:
            return None
        ep = found
        try:
            func = ep.load()
        except Exception as exc:
            raise FunctionResolutionError(
                f"function_ref {ref!r}: entry point {ep.name!r} ({ep.value}) cannot be "
                f"loaded: {exc}",
                reason="import_failed",
                function_ref=ref,
            ) from exc
        return self._callable(ref, func, ep.value)

    def _import(self, ref: str, module_path: str, attr: str) -> ScoringFunction:
        if not self.import_any:
            if not _within(module_path, self._allowed):
                raise FunctionResolutionError(
                    f"function_ref {ref!r}: module {module_path!r} is not allowed (allowed: "
                    "registered functions, the entry points of "
                    f"{self._group or ENTRY_POINT_GROUP!r} and the modules listed in "
                    "ASSAY_RUBRIC_FUNCTION_MODULES)",
                    reason="not_allowed",
                    function_ref=ref,
                )
            if attr.startswith("_"):
                raise FunctionResolutionError(
                    f"function_ref {ref!r}: private name {attr!r} is not allowed",
                    reason="not_allowed",
                    function_ref=ref,
                )
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:
            raise FunctionResolutionError(
                f"function_ref {ref!r}: no module named {module_path!r}",
                reason="module_not_found",
                function_ref=ref,
            ) from exc
        except Exception as exc:
            raise FunctionResolutionError(
                f"function_ref {ref!r}: importing {module_path!r} failed: {exc}",
                reason="import_failed",
                function_ref=ref,
            ) from exc
        if not hasattr(module, attr):
            raise FunctionResolutionError(
                f"function_ref {ref!r}: module {module_path!r} has no function {attr!r}",
                reason="attribute_not_found",
                function_ref=ref,
            )
        func = self._callable(ref, getattr(module, attr), f"{module_path}:{attr}")
        defined_in = getattr(func, "__module__", None)
        if not self.import_any and not (
            isinstance(defined_in, str) and _within(defined_in, self._allowed)
        ):
            raise FunctionResolutionError(
                f"function_ref {ref!r}: {attr!r} is defined in {defined_in!r}, which is not an "
                "allowed module",
                reason="not_allowed",
                function_ref=ref,
            )
        return func

    @staticmethod
    def _callable(ref: str, value: Any, where: str) -> ScoringFunction:
        if not callable(value):
            raise FunctionResolutionError(
                f"function_ref {ref!r}: {where} is not callable",
                reason="not_callable",
                function_ref=ref,
            )
        return cast(ScoringFunction, value)


__all__ = [
    "ENTRY_POINT_GROUP",
    "FunctionRegistry",
    "ScoringFunction",
    "builtin_functions",
    "parse_function_ref",
]
