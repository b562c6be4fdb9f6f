"""Storage: the :class:`Database` port (SQLite or PostgreSQL), shared table metadata, blobs."""

from assay.storage.base import JSONType, UTCDateTime, iso, metadata, new_id, utcnow
from assay.storage.database import Database, for_update, normalize_url

__all__ = [
    "Database",
    "JSONType",
    "UTCDateTime",
    "for_update",
    "iso",
    "metadata",
    "new_id",
    "normalize_url",
    "utcnow",
]
