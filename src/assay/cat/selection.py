"""Next-item selection: maximum Fisher information with randomesque and Sympson-Hetter control.

Within the most urgent content group (:mod:`assay.cat.content`), items are ranked by Fisher
information at the current theta (Lord 1980, ch. 10: the item that most reduces the
asymptotic variance of theta). Two exposure controls temper the greedy choice:

* randomesque (Kingsbury & Zara 1989): draw uniformly among the ``k`` most informative items;
* Sympson-Hetter (Sympson & Hetter 1985; van der Linden 2003, *JEBS* 28(3)): the drawn item
  ``i`` is administered with probability ``K_i`` (``bank.exposure_k``); otherwise it is set
  aside for the rest of this examinee's test and the draw is repeated (the last available item
  of a group is never set aside). ``K_i`` is tuned by
  :func:`assay.cat.exposure.calibrate_sympson_hetter` so that no item's exposure rate exceeds
  a target ``r_max``.

When a group has no item left the next group is tried; when none has, the bank is exhausted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assay.cat.bank import ItemBank

__all__ = ["Selection", "select_item"]

IntArray = npt.NDArray[np.intp]
GroupKey = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of one selection.

    Attributes:
        index: Bank position of the chosen item.
        information: Its Fisher information at the theta used.
        group: Content group ``(section_id, band)`` it was drawn from, or None without a plan.
        rejected: Bank positions that lost the Sympson-Hetter lottery on the way (to be
            excluded for the rest of the test).
    """

    index: int
    information: float
    group: GroupKey | None
    rejected: tuple[int, ...] = field(default=())


def _ranked(info: npt.NDArray[np.float64], m: int) -> list[int]:
    """Local positions of the ``m`` largest values, largest first (ties by position)."""
    if m == 1:
        return [int(np.argmax(info))]
    top = np.argpartition(info, len(info) - m)[len(info) - m :]
    order = np.lexsort((top, -info[top]))
    return [int(i) for i in top[order]]


def select_item(
    bank: ItemBank,
    theta: float,
    *,
    rng: np.random.Generator,
    administered: IntArray | None = None,
    excluded: IntArray | None = None,
    groups: Sequence[GroupKey] | None = None,
    randomesque_k: int = 1,
    sympson_hetter: bool = False,
) -> Selection | None:
    """Pick the next item by maximum information under content and exposure control.

    Args:
        bank: The item bank.
        theta: Current ability estimate (logits).
        rng: Random generator for the randomesque draw and the Sympson-Hetter lottery.
        administered: Bank positions already administered (ignored for a reusable bank).
        excluded: Bank positions set aside earlier (Sympson-Hetter rejections).
        groups: Content groups in priority order (``ContentPlan.groups``); None for the whole
            bank.
        randomesque_k: Draw among the ``k`` most informative items (1 = pure maximum).
        sympson_hetter: Apply the Sympson-Hetter lottery with ``bank.exposure_k``.

    Returns:
        The :class:`Selection`, or None when no group has an available item.

    Raises:
        ValueError: ``randomesque_k`` < 1.
    """
    if randomesque_k < 1:
        raise ValueError("randomesque_k: must be >= 1")
    taken = None if bank.reusable else administered
    rejected: list[int] = []
    for key in groups if groups is not None else [None]:
        block = bank.block(key)
        if block is None:
            continue
        info = block.information(theta)
        n_masked = 0
        rejected_arr = np.array(rejected, dtype=np.intp) if rejected else None
        for global_indices in (taken, excluded, rejected_arr):
            if global_indices is not None and global_indices.size:
                positions = block.local_positions(global_indices)
                info[positions] = -np.inf
                n_masked += positions.size
        m = randomesque_k + (16 if sympson_hetter else 0)
        n_available = len(info) - n_masked  # exact unless the caller's index sets overlap
        if n_available <= m:
            n_available = int(np.count_nonzero(info > -np.inf))
        while n_available > 0:
            candidates = _ranked(info, min(m, n_available))
            while candidates:
                pick = (
                    0
                    if randomesque_k == 1
                    else int(rng.integers(min(randomesque_k, len(candidates))))
                )
                local = candidates.pop(pick)
                index = int(block.indices[local])
                k = bank.exposure_k[index]
                if sympson_hetter and n_available > 1 and k < 1.0 and rng.random() >= k:
                    rejected.append(index)
                    info[local] = -np.inf
                    n_available -= 1
                    continue
                return Selection(
                    index=index,
                    information=float(info[local]),
                    group=key,
                    rejected=tuple(rejected),
                )
            m *= 4
    return None
