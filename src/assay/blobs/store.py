"""The blob-store port: bytes under keys, on local disk or in memory.

Keys are ``/``-separated relative paths (``sessions/sess_1/transcript.json``); ``..`` and
absolute paths are refused.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable


class BlobKeyError(ValueError):
    """A key is empty, absolute or escapes the store."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative path.

    Raises:
        BlobKeyError: For an empty, absolute or ``..``-containing key.
    """
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or "\\" in key:
        raise BlobKeyError(f"invalid blob key {key!r}")
    return key


@runtime_checkable
class BlobStore(Protocol):
    """Stores bytes by key."""

    async def put(self, key: str, data: bytes) -> None:
        """Write ``data`` at ``key`` atomically, replacing what was there."""
        ...

    async def get(self, key: str) -> bytes:
        """Read the bytes at ``key``.

        Raises:
            KeyError: If nothing is stored at ``key``.
        """
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (a ``/``-separated directory), sorted."""
        ...


class LocalBlobStore:
    """Blobs as files under a directory; writes go through a temp file and ``os.replace``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def list_keys(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root

        def walk() -> list[str]:
            if not base.is_dir():
                return []
            return sorted(
                p.relative_to(self.root).as_posix()
                for p in base.rglob("*")
                if p.is_file() and not p.name.startswith(".tmp-")
            )

        return await asyncio.to_thread(walk)


class MemoryBlobStore:
    """Blobs in a dict (tests, demos)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes) -> None:
        self.data[check_key(key)] = bytes(data)

    async def get(self, key: str) -> bytes:
        return self.data[check_key(key)]

    async def exists(self, key: str) -> bool:
        return check_key(key) in self.data

    async def delete(self, key: str) -> None:
        self.data.pop(check_key(key), None)

    async def list_keys(self, prefix: str) -> list[str]:
        head = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
        return sorted(k for k in self.data if k.startswith(head))


__all__ = ["BlobKeyError", "BlobStore", "LocalBlobStore", "MemoryBlobStore", "check_key"]
