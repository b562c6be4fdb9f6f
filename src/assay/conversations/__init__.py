"""Conversation store (seed 003): turn logs, reactions, timelines and summaries as blobs plus
index rows, searchable (full text + caller embeddings + recency, RRF), consistent after a crash
(transactional outbox)."""

from assay.conversations.errors import (
    ConversationError,
    ConversationInputError,
    ConversationNotFoundError,
)
from assay.conversations.models import Feedback, IndexRow, Reaction, SearchHit
from assay.conversations.ranking import RRF_K, WEIGHTS, rrf
from assay.conversations.store import ConversationStore, Saved

__all__ = [
    "RRF_K",
    "WEIGHTS",
    "ConversationError",
    "ConversationInputError",
    "ConversationNotFoundError",
    "ConversationStore",
    "Feedback",
    "IndexRow",
    "Reaction",
    "Saved",
    "SearchHit",
    "rrf",
]
