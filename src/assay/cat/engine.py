"""The step-wise adaptive-test API the session engine calls.

Three pure functions over a JSON-serialisable :class:`~assay.cat.state.CatState`; the random
generator and the clock are passed in::

    state = start(config, now=now)
    while True:
        state, decision = next_item(state, bank=bank, rng=rng, now=now)
        # persist state.to_dict()
        if isinstance(decision, Stop):
            break
        ... present decision.item, score the answer ...
        state = record_response(state, item=decision.item, correct=ok, now=now)
        # persist state.to_dict()

``next_item`` is idempotent while an item is pending: after a crash between selection and
answer, calling it again on the persisted state returns the same item without drawing from
the RNG. For a reusable template bank (:func:`assay.cat.irt_lite.template_bank`), pass the
generated instance's own parameters (:func:`assay.cat.irt_lite.item_from_difficulty`) to
``record_response``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from assay.cat.bank import ItemBank, ItemParams
from assay.cat.model import information
from assay.cat.selection import select_item
from assay.cat.state import AnsweredItem, CatConfig, CatState, parse_utc, to_iso
from assay.cat.stopping import StopReason, stop_reason

__all__ = ["NextItem", "Stop", "next_item", "record_response", "start"]


@dataclass(frozen=True, slots=True)
class NextItem:
    """Present this item next.

    Attributes:
        item: The chosen item (or generation template) with its parameters.
        information: Its Fisher information at ``theta``.
        theta: The ability estimate it was chosen for (logits).
        se: Standard error of ``theta`` (logits).
    """

    item: ItemParams
    information: float
    theta: float
    se: float


@dataclass(frozen=True, slots=True)
class Stop:
    """The test is over.

    Attributes:
        reason: ``max_items``, ``time_limit``, ``se_target`` or ``bank_exhausted``.
        theta: Final ability estimate (logits).
        se: Its standard error (logits).
        n_items: Items answered.
    """

    reason: StopReason
    theta: float
    se: float
    n_items: int


def start(config: CatConfig, *, now: datetime) -> CatState:
    """A fresh state at the prior: ``theta = prior_mean``, ``se = prior_sd``.

    Raises:
        ValueError: ``now`` is naive.
    """
    return CatState(
        config=config, started_at=to_iso(now), theta=config.prior_mean, se=config.prior_sd
    )


def _stop(state: CatState, reason: StopReason) -> tuple[CatState, Stop]:
    return (
        state.evolve(pending=None, stopped=reason),
        Stop(reason=reason, theta=state.theta, se=state.se, n_items=state.n_items),
    )


def next_item(
    state: CatState, *, bank: ItemBank, rng: np.random.Generator, now: datetime
) -> tuple[CatState, NextItem | Stop]:
    """Decide the next step: the next item, or stop.

    Checks the stopping rules (:func:`assay.cat.stopping.stop_reason`), then selects by maximum
    information inside the most urgent content group (:mod:`assay.cat.content`,
    :mod:`assay.cat.selection`).

    Args:
        state: Current state.
        bank: The item bank (or template bank) to select from.
        rng: Random generator (randomesque draw, Sympson-Hetter lottery).
        now: Current time, timezone-aware.

    Returns:
        ``(new_state, decision)``; ``new_state.pending`` holds the chosen item id, or
        ``new_state.stopped`` the stop reason.

    Raises:
        KeyError: The pending item id is not in ``bank``.
        ValueError: ``now`` is naive.
    """
    if state.stopped is not None:
        return state, Stop(
            reason=state.stopped, theta=state.theta, se=state.se, n_items=state.n_items
        )
    if state.pending is not None:
        item = bank.item(bank.index(state.pending))
        info = float(information(state.theta, item.a, item.b, item.c))
        return state, NextItem(item=item, information=info, theta=state.theta, se=state.se)
    if now.tzinfo is None:
        raise ValueError("now: must be a timezone-aware datetime")
    cfg = state.config
    elapsed_s = (now - parse_utc(state.started_at)).total_seconds()
    reason = stop_reason(
        n_items=state.n_items,
        se=state.se,
        elapsed_s=elapsed_s,
        max_items=cfg.effective_max_items,
        min_items=cfg.min_items,
        se_target=cfg.se_target,
        time_limit_s=cfg.time_limit_s,
    )
    if reason is not None:
        return _stop(state, reason)
    groups = (
        cfg.content.groups((a.item.section_id, a.item.band) for a in state.answered)
        if cfg.content is not None
        else None
    )
    selection = select_item(
        bank,
        state.theta,
        rng=rng,
        administered=bank.indices(state.answered_ids),
        excluded=bank.indices(state.excluded) if state.excluded else None,
        groups=groups,
        randomesque_k=cfg.randomesque_k,
        sympson_hetter=cfg.sympson_hetter,
    )
    if selection is None:
        return _stop(state, "bank_exhausted")
    item = bank.item(selection.index)
    excluded = (
        state.excluded + tuple(bank.item_ids[i] for i in selection.rejected)
        if selection.rejected
        else None
    )
    new_state = state.evolve(pending=item.item_id, excluded=excluded)
    return new_state, NextItem(
        item=item, information=selection.information, theta=state.theta, se=state.se
    )


def record_response(
    state: CatState,
    *,
    item: ItemParams,
    correct: bool,
    now: datetime,
    response_time_s: float | None = None,
) -> CatState:
    """Add a scored response and re-estimate theta.

    EAP updates in O(grid size) per response, whatever the number of answered items, by adding
    the item's log-likelihood to the cached grid.

    Args:
        state: Current state.
        item: Parameters of the item answered (for a generated item, its own parameters).
        correct: Whether the answer was correct.
        now: Time of the response, timezone-aware.
        response_time_s: Seconds the examinee took, if known.

    Returns:
        The new state, with ``pending`` cleared.

    Raises:
        ValueError: The test has stopped, or the item was already answered, or ``now`` is naive.
    """
    if state.stopped is not None:
        raise ValueError(f"state: the test has stopped ({state.stopped}); no more responses")
    answer = AnsweredItem(
        item=item, correct=bool(correct), answered_at=to_iso(now), response_time_s=response_time_s
    )
    return state.with_answer(answer)
