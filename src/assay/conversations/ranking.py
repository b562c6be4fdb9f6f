"""Hybrid ranking: reciprocal rank fusion of full text, cosine similarity and recency.

Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009)::

    score(d) = sum over rankings i of  w_i / (k + rank_i(d)),   k = 60, rank from 1

with the weights :data:`WEIGHTS`: full text 1.0, cosine 1.0, recency 0.5 (recency only
reorders documents that text or vector search found, it never adds one, so it weighs less).
A document absent from a ranking contributes nothing for it.

Worked example (k = 60): ``a`` is 1st by text and 2nd by recency, ``b`` 2nd by text and 1st by
recency: ``score(a) = 1/61 + 0.5/62 = 0.02446``, ``score(b) = 1/62 + 0.5/61 = 0.02433``, so
``a`` ranks first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

RRF_K = 60
WEIGHTS: dict[str, float] = {"text": 1.0, "vector": 1.0, "recency": 0.5}


def rrf(
    rankings: Mapping[str, Sequence[str]],
    *,
    weights: Mapping[str, float] = WEIGHTS,
    k: int = RRF_K,
) -> list[tuple[str, float, dict[str, int]]]:
    """Fuse rankings (best first) into ``[(id, score, {ranking: rank})]``, best first.

    Ties on score are broken by id, so the order is deterministic.

    Example:
        >>> [(d, round(s, 5)) for d, s, _ in rrf({"text": ["a", "b"], "recency": ["b", "a"]})]
        [('a', 0.02446), ('b', 0.02433)]
    """
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 0.0)
        for position, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + position)
            ranks.setdefault(doc, {})[name] = position
    ordered = sorted(scores, key=lambda d: (-scores[d], d))
    return [(d, scores[d], ranks[d]) for d in ordered]


def cosine_ranking(
    query: Any, ids: Sequence[str], vectors: Sequence[Any], *, limit: int
) -> list[str]:
    """Ids ordered by cosine similarity to ``query`` (best first, ties by id), at most ``limit``.

    Vectors whose dimension differs from the query's, and zero vectors, are left out.
    """
    q = np.asarray(query, dtype=np.float32)
    keep = [(i, v) for i, v in zip(ids, vectors, strict=True) if v.shape == q.shape]
    if not keep or not np.any(q):
        return []
    matrix = np.stack([v for _, v in keep]).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(q))
    sims = np.divide(matrix @ q, norms, out=np.full(len(keep), -2.0, np.float32), where=norms > 0)
    order = sorted(range(len(keep)), key=lambda j: (-float(sims[j]), keep[j][0]))
    return [keep[j][0] for j in order if sims[j] > -2.0][:limit]


__all__ = ["RRF_K", "WEIGHTS", "cosine_ranking", "rrf"]
