"""Where a session's items come from: a blueprint plan or inline items.

Both are deterministic: item ``k`` of a session depends only on the session's stored plan and
seed, so a crash between any two steps regenerates nothing differently.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import Any

from assay.items import Catalog, ItemSlot, generate_item
from assay.items.instance import ItemInstance
from assay.sessions.requests import InlineItem

#: Regenerations tried before accepting that a blueprint cannot produce a new stem.
MAX_UNIQUE_ATTEMPTS = 200


class ItemSourceError(RuntimeError):
    """The item source cannot produce an item that does not repeat within the session."""


def derive_seed(seed: int, *parts: object) -> int:
    """A 63-bit seed derived from ``seed`` and ``parts`` (stable across processes)."""
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def inline_item(spec: InlineItem, *, number: int) -> ItemInstance:
    """The :class:`ItemInstance` of inline item ``number`` (1-based), options in given order."""
    kind = spec.item_type or "multiple_choice"
    if kind == "multiple_choice":
        options = list(spec.options or [])
        index = spec.correct if spec.correct is not None else 0
        return ItemInstance(
            item_id=f"inline_{number}",
            skill_id="inline",
            section_id=spec.section,
            item_type="multiple_choice",
            stem=spec.stem,
            options=options,
            correct_index=index,
            correct_answer=options[index],
        )
    return ItemInstance(
        item_id=f"inline_{number}",
        skill_id="inline",
        section_id=spec.section,
        item_type=kind,
        stem=spec.stem,
        correct_answer=spec.answer or "",
        answer_kind="code" if kind == "code" else "text",
        starter_code=spec.starter_code,
        language=spec.language or ("python" if kind == "code" else None),
    )


def next_item(
    *,
    config: dict[str, Any],
    plan: Sequence[dict[str, Any]],
    seed: int,
    number: int,
    catalog: Catalog,
    served: Sequence[ItemInstance],
) -> ItemInstance:
    """Item ``number`` (1-based) of a session, never repeating a served stem and options.

    Raises:
        ItemSourceError: If no new item can be generated in :data:`MAX_UNIQUE_ATTEMPTS` tries.
    """
    if config.get("items") is not None:
        return inline_item(InlineItem.model_validate(config["items"][number - 1]), number=number)
    slot = ItemSlot.model_validate(plan[number - 1])
    skill = catalog.skill(slot.skill_id)
    seen = {(i.stem, tuple(i.options or ())) for i in served}
    for attempt in range(MAX_UNIQUE_ATTEMPTS):
        rng = random.Random(derive_seed(seed, number, attempt))
        item = generate_item(
            skill,
            band=slot.band,
            rng=rng,
            item_id=f"gen_{derive_seed(seed, 'id', number):016x}",
            section_id=slot.section_id,
        )
        if (item.stem, tuple(item.options or ())) not in seen and item.stem not in {
            s for s, _ in seen
        }:
            return item
    raise ItemSourceError(f"skill {slot.skill_id} produced no unrepeated item for slot {number}")


__all__ = ["MAX_UNIQUE_ATTEMPTS", "ItemSourceError", "derive_seed", "inline_item", "next_item"]
