"""The blob-store port and its local-disk and in-memory adapters."""

from assay.blobs.store import BlobKeyError, BlobStore, LocalBlobStore, MemoryBlobStore

__all__ = ["BlobKeyError", "BlobStore", "LocalBlobStore", "MemoryBlobStore"]
