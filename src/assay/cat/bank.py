"""The item bank a CAT selects from: IRT parameters, content labels and exposure parameters.

An :class:`ItemBank` holds parallel numpy arrays over items (``a``, ``b``, ``c``, Sympson-Hetter
``exposure_k``) plus each item's section and difficulty band, and precomputes per content group
(section x band) the contiguous arrays that maximum-information selection scans. A bank may be
*reusable*: its entries are generation templates (a skill blueprint at a difficulty, seed 002
§13.6) that can be instantiated any number of times, so administering one does not use it up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ItemBank", "ItemParams"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class ItemParams:
    """One item's IRT parameters and content labels.

    Attributes:
        item_id: Unique id of the item (or generation template).
        a: Discrimination (> 0, logistic metric).
        b: Difficulty (logits).
        c: Lower asymptote (guessing) in [0, 1).
        section_id: Blueprint section the item belongs to, if any.
        band: Difficulty band label (``"easy"``, ``"medium"``, ``"hard"``), if any.
        exposure_k: Sympson-Hetter exposure control parameter in (0, 1]: the probability
            that the item is administered once selected (1 = no control).
    """

    item_id: str
    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    section_id: str | None = None
    band: str | None = None
    exposure_k: float = 1.0

    def __post_init__(self) -> None:
        if not self.item_id:
            raise ValueError("item_id: must be a non-empty string")
        if not (math.isfinite(self.a) and self.a > 0):
            raise ValueError(f"a: must be finite and > 0 (item {self.item_id!r})")
        if not math.isfinite(self.b):
            raise ValueError(f"b: must be finite (item {self.item_id!r})")
        if not 0.0 <= self.c < 1.0:
            raise ValueError(f"c: must be in [0, 1) (item {self.item_id!r})")
        if not 0.0 < self.exposure_k <= 1.0:
            raise ValueError(f"exposure_k: must be in (0, 1] (item {self.item_id!r})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return {
            "item_id": self.item_id,
            "a": self.a,
            "b": self.b,
            "c": self.c,
            "section_id": self.section_id,
            "band": self.band,
            "exposure_k": self.exposure_k,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ItemParams:
        """Inverse of :meth:`to_dict`."""
        return cls(
            item_id=str(data["item_id"]),
            a=float(data.get("a", 1.0)),
            b=float(data.get("b", 0.0)),
            c=float(data.get("c", 0.0)),
            section_id=data.get("section_id"),
            band=data.get("band"),
            exposure_k=float(data.get("exposure_k", 1.0)),
        )


class _Block:
    """Contiguous parameter arrays of a subset of the bank, for fast information scans."""

    __slots__ = ("ab", "amp", "c", "full", "has_guessing", "indices", "needs_clip", "slope")

    def __init__(
        self, indices: IntArray, a: FloatArray, b: FloatArray, c: FloatArray, *, full: bool
    ) -> None:
        self.indices = indices  # sorted global indices
        self.full = full  # the block is the whole bank: local position == global index
        self.slope = np.ascontiguousarray(a[indices])
        self.ab = self.slope * b[indices]
        self.c = np.ascontiguousarray(c[indices])
        self.amp = self.slope * self.slope * (1.0 - self.c)  # a^2 (1 - c)
        self.has_guessing = bool(np.any(self.c > 0.0))
        # exp(-z) cannot overflow while |z| = |a theta - a b| <= 700 for theta in [-50, 50]
        self.needs_clip = bool(np.max(np.abs(self.slope) * 50.0 + np.abs(self.ab)) > 700.0)

    def information(self, theta: float) -> FloatArray:
        """``a^2 (1 - c) (e r) r / (1 + c e)``, ``e = exp(-a (theta - b))``, ``r = 1 / (1 + e)``."""
        e = self.slope * theta
        np.subtract(self.ab, e, out=e)
        if self.needs_clip or abs(theta) > 50.0:
            np.clip(e, -700.0, 700.0, out=e)
        np.exp(e, out=e)
        r = e + 1.0
        np.reciprocal(r, out=r)
        if self.has_guessing:
            g = self.c * e
            g += 1.0
            e /= g
        e *= r
        e *= r
        e *= self.amp
        return e

    def local_positions(self, global_indices: IntArray) -> IntArray:
        """Positions in this block of those ``global_indices`` that belong to it."""
        if self.full:
            return global_indices
        pos = np.searchsorted(self.indices, global_indices)
        pos = np.minimum(pos, len(self.indices) - 1)
        hit: IntArray = pos[self.indices[pos] == global_indices]
        return hit


class ItemBank:
    """Items with IRT parameters, section and band labels, and exposure parameters.

    Args:
        item_ids: Unique ids, one per item.
        a: Discriminations, shape ``(n_items,)``.
        b: Difficulties, shape ``(n_items,)``.
        c: Guessing parameters, shape ``(n_items,)``, or None (all 0).
        section_ids: Section of each item, or None.
        bands: Difficulty band of each item, or None.
        exposure_k: Sympson-Hetter parameters in (0, 1], or None (all 1).
        reusable: True when entries are generation templates that never run out.

    Raises:
        ValueError: Lengths differ, ids repeat, or a parameter is out of range (the message
            names the field).
    """

    def __init__(
        self,
        *,
        item_ids: Sequence[str],
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        c: npt.ArrayLike | None = None,
        section_ids: Sequence[str | None] | None = None,
        bands: Sequence[str | None] | None = None,
        exposure_k: npt.ArrayLike | None = None,
        reusable: bool = False,
    ) -> None:
        n = len(item_ids)
        self.item_ids: tuple[str, ...] = tuple(item_ids)
        self.a = self._column("a", a, n)
        self.b = self._column("b", b, n)
        self.c = np.zeros(n) if c is None else self._column("c", c, n)
        self.exposure_k = (
            np.ones(n) if exposure_k is None else self._column("exposure_k", exposure_k, n)
        )
        if n == 0:
            raise ValueError("item_ids: the bank needs at least one item")
        if not np.all(self.a > 0):
            raise ValueError("a: every discrimination must be > 0")
        if not np.all((self.c >= 0) & (self.c < 1)):
            raise ValueError("c: every guessing parameter must be in [0, 1)")
        if not np.all((self.exposure_k > 0) & (self.exposure_k <= 1)):
            raise ValueError("exposure_k: every value must be in (0, 1]")
        self._index = {item_id: i for i, item_id in enumerate(self.item_ids)}
        if len(self._index) != n:
            raise ValueError("item_ids: ids must be unique")
        self.section_ids: tuple[str | None, ...] = self._labels("section_ids", section_ids, n)
        self.bands: tuple[str | None, ...] = self._labels("bands", bands, n)
        self.reusable = reusable
        self._blocks: dict[tuple[str | None, str | None] | None, _Block | None] = {}
        self._items: dict[int, ItemParams] = {}

    @staticmethod
    def _column(name: str, values: npt.ArrayLike, n: int) -> FloatArray:
        arr = np.array(values, dtype=np.float64).reshape(-1)
        if arr.shape != (n,):
            raise ValueError(f"{name}: must have one value per item ({n}), got {arr.size}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: every value must be finite")
        return arr

    @staticmethod
    def _labels(name: str, values: Sequence[str | None] | None, n: int) -> tuple[str | None, ...]:
        if values is None:
            return (None,) * n
        if len(values) != n:
            raise ValueError(f"{name}: must have one label per item ({n}), got {len(values)}")
        return tuple(values)

    @classmethod
    def from_items(cls, items: Iterable[ItemParams], *, reusable: bool = False) -> ItemBank:
        """Build a bank from :class:`ItemParams` records."""
        rows = list(items)
        return cls(
            item_ids=[r.item_id for r in rows],
            a=[r.a for r in rows],
            b=[r.b for r in rows],
            c=[r.c for r in rows],
            section_ids=[r.section_id for r in rows],
            bands=[r.band for r in rows],
            exposure_k=[r.exposure_k for r in rows],
            reusable=reusable,
        )

    def __len__(self) -> int:
        return len(self.item_ids)

    def index(self, item_id: str) -> int:
        """Position of ``item_id`` in the bank.

        Raises:
            KeyError: The id is not in the bank.
        """
        try:
            return self._index[item_id]
        except KeyError:
            raise KeyError(f"item_id: {item_id!r} is not in the item bank") from None

    def indices(self, item_ids: Iterable[str]) -> IntArray:
        """Positions of those ``item_ids`` that are in the bank (others are ignored)."""
        found = [self._index[i] for i in item_ids if i in self._index]
        return np.array(found, dtype=np.intp)

    def item(self, index: int) -> ItemParams:
        """The :class:`ItemParams` of the item at ``index`` (cached)."""
        cached = self._items.get(index)
        if cached is not None:
            return cached
        item = self._items[index] = ItemParams(
            item_id=self.item_ids[index],
            a=float(self.a[index]),
            b=float(self.b[index]),
            c=float(self.c[index]),
            section_id=self.section_ids[index],
            band=self.bands[index],
            exposure_k=float(self.exposure_k[index]),
        )
        return item

    def with_exposure_k(self, exposure_k: npt.ArrayLike) -> ItemBank:
        """A copy of the bank with new Sympson-Hetter parameters."""
        return ItemBank(
            item_ids=self.item_ids,
            a=self.a,
            b=self.b,
            c=self.c,
            section_ids=self.section_ids,
            bands=self.bands,
            exposure_k=exposure_k,
            reusable=self.reusable,
        )

    def block(self, key: tuple[str | None, str | None] | None = None) -> _Block | None:
        """Contiguous arrays of the whole bank (``key=None``) or of one ``(section, band)``
        group (``band=None`` means any band of the section); None when the group is empty."""
        if key not in self._blocks:
            if key is None:
                idx = np.arange(len(self), dtype=np.intp)
            else:
                section, band = key
                idx = np.array(
                    [
                        i
                        for i, (s, bd) in enumerate(zip(self.section_ids, self.bands, strict=True))
                        if s == section and (band is None or bd == band)
                    ],
                    dtype=np.intp,
                )
            self._blocks[key] = (
                _Block(idx, self.a, self.b, self.c, full=key is None) if idx.size else None
            )
        return self._blocks[key]
