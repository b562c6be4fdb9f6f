"""Settings from environment variables (``ASSAY_*``), read once per process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Assay's settings. Every field is read from ``ASSAY_<FIELD>`` (case-insensitive).

    The defaults run everything on a laptop with no setup: a SQLite file and a blob directory
    in the working directory, no LLM.
    """

    model_config = SettingsConfigDict(env_prefix="ASSAY_", extra="ignore")

    database_url: str = Field(default="sqlite:///assay.db")
    """SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql://user@host:5432/db``."""
    blob_dir: Path = Field(default=Path("assay-blobs"))
    """Directory of the local blob store (session transcripts, reports)."""
    blueprint_dir: Path | None = None
    """Optional directory of user blueprint YAML files, loaded after the shipped ones."""
    artifact_types_file: Path | None = None
    """Optional YAML file of artifact type definitions used by the artifact API."""
    llm_base_url: str | None = None
    """Base URL of an OpenAI-compatible server, e.g. ``http://127.0.0.1:11434/v1``."""
    llm_model: str | None = None
    """Model name sent to that server."""
    llm_api_key: str | None = None
    """API key for that server (any text for servers that need none)."""
    llm_timeout_s: float = 60.0
    """Timeout of one model call, in seconds."""
    host: str = "127.0.0.1"
    """Address ``assay serve`` binds to."""
    port: int = 8000
    """Port ``assay serve`` listens on."""
    session_lease_s: float = 15.0
    """Seconds a stream holds a session's lease without renewing it (crash recovery delay)."""
    rubric_function_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Modules (comma-separated, with their submodules) whose functions a rubric's
    ``function_ref`` may name, e.g. ``myapp.scoring,other.checks``. Nothing else is imported."""

    @field_validator("rubric_function_modules", mode="before")
    @classmethod
    def _split_modules(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """Largest request body the API reads (JSON), in bytes; larger ones answer 413."""
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    """Largest ``multipart/form-data`` request body (file uploads), in bytes; larger: 413."""

    @property
    def llm_configured(self) -> bool:
        """True when a base URL and a model are set."""
        return bool(self.llm_base_url and self.llm_model)


__all__ = ["Settings"]
