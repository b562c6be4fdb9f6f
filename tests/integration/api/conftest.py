"""An in-process ASGI client over the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assay.api.app import create_app
from assay.blobs import MemoryBlobStore
from assay.config import Settings
from assay.services import build_services
from assay.storage import Database
from assay.users import create_user


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Parse an SSE body into ``(event, data)`` pairs (comments and pings skipped)."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            out.append((name, json.loads("\n".join(data))))
    return out


class Api:
    def __init__(self, client: httpx.AsyncClient, token: str, other_token: str) -> None:
        self.client = client
        self.token = token
        self.other_token = other_token

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    async def stream(self, sid: str, token: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        r = await self.client.get(f"/api/sessions/{sid}/stream", headers=self.headers(token))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/event-stream")
        return parse_sse(r.text)


@pytest.fixture
async def api(db_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    settings = Settings(database_url=db_url, blob_dir=tmp_path / "blobs")
    db = await Database.connect(db_url, upgrade=False)
    services = await build_services(settings, db=db, blobs=MemoryBlobStore())
    _, token = await create_user(db, name="alice")
    _, other = await create_user(db, name="bob")
    app = create_app(settings, services=services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client, token, other)
    await db.close()
