"""The service container: everything a process wires once (database, blobs, catalog, drivers).

Used by the API (``app.state.services``), the CLI and tests, so all three run the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assay.blobs import BlobStore, LocalBlobStore
from assay.config import Settings
from assay.conversations import ConversationStore
from assay.items import Catalog, load_catalog
from assay.llm import from_settings
from assay.rubrics.functions import ENTRY_POINT_GROUP, FunctionRegistry
from assay.sessions import ScriptDriver, SessionLoop, SessionService
from assay.sessions.driver import Driver
from assay.sessions.llm_driver import LLMDriver
from assay.storage import Database


@dataclass
class Services:
    """Process-wide services.

    Attributes:
        settings: The settings they were built from.
        db: The database (migrated).
        blobs: The blob store.
        catalog: Loaded blueprints (shipped + ``ASSAY_BLUEPRINT_DIR``).
        sessions: Session use cases.
        rubric_functions: The scoring functions rubrics may name (:func:`build_rubric_functions`);
            register more in code with ``services.rubric_functions.register(ref, func)``.
        conversations: The conversation store (turn logs, reactions, timelines).
    """

    settings: Settings
    db: Database
    blobs: BlobStore
    catalog: Catalog
    sessions: SessionService
    conversations: ConversationStore
    rubric_functions: FunctionRegistry = field(default_factory=FunctionRegistry)

    async def close(self) -> None:
        """Close the model clients of the drivers, then the database."""
        for driver in self.sessions.loop.drivers.values():
            close = getattr(getattr(driver, "model", None), "aclose", None)
            if close is not None:
                await close()
        await self.db.close()


def build_drivers(settings: Settings) -> dict[str, Driver]:
    """The drivers available with these settings.

    ``script`` always; ``llm`` too when an LLM is configured (``ASSAY_LLM_BASE_URL`` and
    ``ASSAY_LLM_MODEL``): an :class:`~assay.sessions.llm_driver.LLMDriver` over the
    OpenAI-compatible server, falling back to ``script`` for a session whose model keeps
    deviating from the served items.
    """
    drivers: dict[str, Driver] = {"script": ScriptDriver()}
    if settings.llm_configured:
        model = from_settings(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
        )
        drivers["llm"] = LLMDriver(model)
    return drivers


def build_rubric_functions(settings: Settings) -> FunctionRegistry:
    """The guarded scoring functions of rubrics that arrive over HTTP or from files.

    Assay's built-in checks, the entry points of the ``assay.rubric_functions`` group and the
    functions of the modules in ``ASSAY_RUBRIC_FUNCTION_MODULES``; any other ``function_ref``
    fails with :class:`~assay.rubrics.FunctionResolutionError` before anything is imported.
    This is the one place the server's registry is built.
    """
    return FunctionRegistry(
        allowed_modules=settings.rubric_function_modules, entry_point_group=ENTRY_POINT_GROUP
    )


async def build_services(
    settings: Settings, *, db: Database | None = None, blobs: BlobStore | None = None
) -> Services:
    """Open the database (migrating it), load blueprints and wire the session engine."""
    database = db if db is not None else await Database.connect(settings.database_url)
    store = blobs if blobs is not None else LocalBlobStore(settings.blob_dir)
    catalog = load_catalog(user_dir=settings.blueprint_dir)
    drivers = build_drivers(settings)
    loop = SessionLoop(
        db=database,
        catalog=catalog,
        drivers=drivers,
        blobs=store,
        lease_ttl_s=settings.session_lease_s,
    )
    conversations = ConversationStore(database, store)
    loop.conversations = conversations
    default = "llm" if "llm" in drivers else "script"
    return Services(
        settings=settings,
        db=database,
        blobs=store,
        catalog=catalog,
        sessions=SessionService(loop, default_driver=default),
        rubric_functions=build_rubric_functions(settings),
        conversations=conversations,
    )


__all__ = ["Services", "build_drivers", "build_rubric_functions", "build_services"]
