"""Fixtures for session tests: a SessionService on the per-test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.integration.sessions.helpers import Clock

from assay.blobs import MemoryBlobStore
from assay.items import load_catalog
from assay.sessions import ScriptDriver, SessionLoop, SessionService
from assay.storage import Database
from assay.users import create_user


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def make_service(
    db: Database, clock: Clock, blobs: MemoryBlobStore
) -> Callable[..., SessionService]:
    catalog = load_catalog()

    def make(**kwargs: object) -> SessionService:
        loop = SessionLoop(
            db=db,
            catalog=catalog,
            drivers=kwargs.pop("drivers", {"script": ScriptDriver()}),  # type: ignore[arg-type]
            blobs=blobs,
            lease_ttl_s=float(kwargs.pop("lease_ttl_s", 5.0)),  # type: ignore[arg-type]
            clock=clock,
        )
        return SessionService(loop)

    return make


@pytest.fixture
def service(make_service: Callable[..., SessionService]) -> SessionService:
    return make_service()


@pytest.fixture
async def alice(db: Database) -> str:
    user, _ = await create_user(db, name="alice")
    return user.id


@pytest.fixture
async def bob(db: Database) -> str:
    user, _ = await create_user(db, name="bob")
    return user.id
