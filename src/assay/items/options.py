"""Multiple-choice options: key + distractors, distinct, shuffled with a recorded seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

__all__ = ["FALLBACK", "Options", "assemble_options"]

#: Strategy name recorded for distractors taken from the generator's fallback.
FALLBACK = "fallback"

#: Upper bound on fallback candidates examined (the fallback is endless).
MAX_FALLBACK_CANDIDATES = 10_000


@dataclass(frozen=True)
class Options:
    """Shuffled options.

    Attributes:
        options: The key and the distractors in presentation order.
        correct_index: Index of the key in ``options``.
        distractors: ``(strategy, value)`` of each distractor, in the order chosen.
        shuffle_seed: Seed of the ``random.Random`` that shuffled ``options``.
    """

    options: list[str]
    correct_index: int
    distractors: list[tuple[str, str]]
    shuffle_seed: int


def assemble_options(
    *,
    key: str,
    option_count: int,
    strategies: Sequence[str],
    propose: Callable[[str], Sequence[str]],
    fallback: Iterable[str],
    rng: random.Random,
) -> Options:
    """Pick ``option_count - 1`` distinct distractors and shuffle them with the key.

    Each strategy gives its first usable candidate (not the key, not taken) in blueprint order;
    a second pass takes the strategies' remaining candidates; the fallback fills the rest. The
    order is shuffled by ``random.Random(shuffle_seed)``, ``shuffle_seed = rng.getrandbits(32)``.

    Args:
        key: The correct answer as presented.
        option_count: Number of options, at least 2.
        strategies: Strategy names in preference order.
        propose: Strategy name -> candidate distractors, best first.
        fallback: Further candidates (expected endless).
        rng: Source of the shuffle seed.

    Raises:
        ValueError: ``option_count < 2``, or the candidates ran out before the options filled.
    """
    if option_count < 2:
        raise ValueError(f"option_count: must be >= 2, got {option_count}")
    need = option_count - 1
    taken = {key}
    chosen: list[tuple[str, str]] = []

    def take(strategy: str, value: str) -> bool:
        if value in taken:
            return False
        taken.add(value)
        chosen.append((strategy, value))
        return True

    proposals = {name: list(propose(name)) for name in strategies}
    for name in strategies:
        if len(chosen) < need:
            next((v for v in proposals[name] if take(name, v)), None)
    for name in strategies:
        for value in proposals[name]:
            if len(chosen) >= need:
                break
            take(name, value)
    for value in islice(fallback, MAX_FALLBACK_CANDIDATES):
        if len(chosen) >= need:
            break
        take(FALLBACK, value)
    if len(chosen) < need:
        raise ValueError(f"option_count: only {len(chosen) + 1} distinct options available")
    shuffle_seed = rng.getrandbits(32)
    options = [key, *(value for _, value in chosen)]
    random.Random(shuffle_seed).shuffle(options)
    return Options(options, options.index(key), chosen, shuffle_seed)
