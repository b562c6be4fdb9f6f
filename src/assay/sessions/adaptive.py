"""Adaptive sessions: the CAT step API (:mod:`assay.cat.engine`) inside the session loop.

Seed 002 §10.2 (``item_selection_algorithm: adaptive``) and §13.6. An adaptive session stores
in ``sessions.cat_state``::

    {"algorithm": "adaptive", "state": CatState.to_dict(), "calibration": {...} | null}

(a non-adaptive blueprint session stores ``{"algorithm": ..., "calibration": {...}}`` when a
calibration existed at its creation, else nothing).

**Bank.** Every (section, scenario difficulty) of the assessment is a reusable generation
template whose parameters are those its items get
(:func:`assay.sessions.ability.template_params`); a section's skills that share a difficulty
and parameters form one template, and each item draws one of them. The CAT (:mod:`assay.cat`)
picks, in the most urgent content group (Kingsbury & Zara 1989: sections by ``item_count``,
then bands by ``difficulty_distribution``), the template of maximum Fisher information at
theta, and the generator instantiates it at exactly that scenario's difficulty.

**Test specification** from the blueprint (:func:`cat_config`): ``max_items = total_items``;
``se_target`` 0.3 logits; ``min_items`` = number of sections (no precision stop before each
section had an item). Time is the session's deadline, which expires the session as for any
evaluation. Exposure control (randomesque top-k, Sympson-Hetter) is off by default
(:class:`AdaptiveSettings`): it protects items that are reused, and generated items never
are; on the MATH-CAT bank, top-3 instead of top-1 flattened the spread of mean ``b`` between
examinees at theta -2 and +2 from 0.52 to 0.09 logits (30 simulated tests each).

Content balancing is over sections only (:func:`cat_config`): difficulty bands get no quota.
With IRT-lite parameters (``a = 1``) a free-text item (``c = 0``) gives at most 0.25 of
information, so SE 0.3 takes about 45 well-targeted items (MATH-CAT allows 60; measured in
``bench/bench_cat.py --math-cat``); calibrated discriminations (``assay calibrate``) shorten it.

**Crash safety.** :func:`choose_item` is a pure function of the stored state, the answered
items and the session seed: the random generator is seeded from ``(seed, "cat", n_answered)``
and the engine commits the new state together with the served item. A replay after a crash
therefore chooses the same item, and a committed item is re-asked as it is.
:func:`apply_responses` adds an answered item once (by item id), so syncing twice is a no-op.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from assay.cat import CatConfig, CatState, ContentPlan, ItemBank, ItemParams, NextItem, Stop
from assay.cat import next_item as cat_next_item
from assay.cat import record_response as cat_record_response
from assay.cat import start as cat_start
from assay.cat.stopping import StopReason, stop_reason
from assay.items import AssessmentBlueprint, Catalog, generate_item
from assay.items.difficulty import band_of
from assay.items.instance import ItemInstance
from assay.items.targeting import compile_skill
from assay.sessions.ability import ItemCalibration, item_params, template_params
from assay.sessions.sources import MAX_UNIQUE_ATTEMPTS, ItemSourceError, derive_seed
from assay.sessions.store import ItemRow, SessionRow

__all__ = [
    "DEFAULT_SETTINGS",
    "AdaptiveSettings",
    "Choice",
    "Template",
    "TemplateBank",
    "apply_responses",
    "build_bank",
    "calibration_of",
    "cat_config",
    "choose_item",
    "finish",
    "initial_state",
    "instantiate",
    "is_adaptive",
    "state_of",
    "stop_reason_of",
    "synced",
]


@dataclass(frozen=True, slots=True)
class AdaptiveSettings:
    """Defaults of an adaptive test that the blueprint does not say.

    Attributes:
        se_target: Stop once the SE of theta falls below this (logits).
        randomesque_k: Draw among the k most informative templates (exposure control; 1 =
            pure maximum information, see the module docstring).
        sympson_hetter: Apply the Sympson-Hetter lottery (templates carry ``exposure_k = 1``
            until tuned, so it changes nothing by default).
    """

    se_target: float = 0.3
    randomesque_k: int = 1
    sympson_hetter: bool = False


DEFAULT_SETTINGS = AdaptiveSettings()


def cat_config(
    assessment: AssessmentBlueprint, *, settings: AdaptiveSettings = DEFAULT_SETTINGS
) -> CatConfig:
    """The CAT configuration of an assessment (module docstring).

    The content plan holds the sections' ``item_count`` only: an adaptive test balances
    content, never difficulty bands (a quota on ``b`` forces easy items on an able examinee
    and hard ones on a weak one, which is what adaptivity avoids). ``difficulty_distribution``
    applies when the blueprint is taken as a fixed form.
    """
    content = ContentPlan.from_dict(
        {
            "sections": [
                {"section_id": s.section_id, "item_count": s.item_count}
                for s in assessment.sections
            ]
        }
    )
    return CatConfig(
        max_items=assessment.total_items,
        min_items=len(assessment.sections),
        se_target=settings.se_target,
        randomesque_k=settings.randomesque_k,
        sympson_hetter=settings.sympson_hetter,
        content=content,
    )


def initial_state(
    assessment: AssessmentBlueprint,
    *,
    algorithm: str,
    calibration: ItemCalibration | None,
    now: datetime,
    settings: AdaptiveSettings = DEFAULT_SETTINGS,
) -> dict[str, Any] | None:
    """The ``cat_state`` stored when a blueprint session is created.

    Args:
        assessment: The blueprint.
        algorithm: The session's ``item_selection_algorithm``.
        calibration: The latest stored calibration for the blueprint, or None.
        now: Creation time (timezone-aware).
        settings: Adaptive defaults.

    Returns:
        The document, or None for a non-adaptive session without calibration.
    """
    snapshot = None if calibration is None else calibration.to_dict()
    if algorithm != "adaptive":
        return None if snapshot is None else {"algorithm": algorithm, "calibration": snapshot}
    state = cat_start(cat_config(assessment, settings=settings), now=now)
    return {"algorithm": "adaptive", "state": state.to_dict(), "calibration": snapshot}


def is_adaptive(session: SessionRow) -> bool:
    """Whether the session selects its items adaptively."""
    return (session.cat_state or {}).get("state") is not None


def calibration_of(session: SessionRow) -> ItemCalibration | None:
    """The calibration snapshot the session scores with, or None (IRT-lite)."""
    snapshot = (session.cat_state or {}).get("calibration")
    return None if not snapshot else ItemCalibration.from_dict(snapshot)


def state_of(session: SessionRow) -> CatState:
    """The stored CAT state of an adaptive session.

    Raises:
        ValueError: The session is not adaptive.
    """
    if not is_adaptive(session):
        raise ValueError(f"session {session.id}: not an adaptive session")
    assert session.cat_state is not None
    return CatState.from_dict(session.cat_state["state"])


def _with_state(session: SessionRow, state: CatState) -> dict[str, Any]:
    return {**(session.cat_state or {}), "state": state.to_dict()}


def apply_responses(
    state: CatState, items: Sequence[ItemRow], *, calibration: ItemCalibration | None
) -> CatState:
    """Add every answered item the state does not hold yet, in order (idempotent).

    Each item is recorded with its own parameters (:func:`assay.sessions.ability.item_params`),
    its correctness, its answer time and its server-measured duration.
    """
    for row in items:
        if row.response is None or row.correct is None:
            continue
        if row.item.item_id in state.answered_ids:
            continue
        state = cat_record_response(
            state,
            item=item_params(row.item, calibration=calibration),
            correct=row.correct,
            now=row.responded_at or row.presented_at or row.recorded_at or _started(state),
            response_time_s=None if row.time_taken_ms is None else row.time_taken_ms / 1000.0,
        )
    return state


def _started(state: CatState) -> datetime:
    return datetime.fromisoformat(state.started_at)


def synced(session: SessionRow, items: Sequence[ItemRow]) -> dict[str, Any] | None:
    """The ``cat_state`` with every answer applied, or None when nothing changed."""
    state = state_of(session)
    new = apply_responses(state, items, calibration=calibration_of(session))
    return None if new.n_items == state.n_items else _with_state(session, new)


@dataclass(frozen=True, slots=True)
class Template:
    """A generation template of the bank: a section's skills at one scenario difficulty.

    Attributes:
        section_id: Section of the assessment.
        skill_ids: Skills with a scenario at this difficulty and the same IRT parameters
            (one is drawn per item, so ties between skills do not always go to the first).
        difficulty: The scenario's computed difficulty.
    """

    section_id: str
    skill_ids: tuple[str, ...]
    difficulty: float

    @property
    def template_id(self) -> str:
        """``"<section_id>@<difficulty>/<skill>+<skill>..."``, its id in the bank."""
        return f"{self.section_id}@{self.difficulty:.4f}/{'+'.join(self.skill_ids)}"


@dataclass(frozen=True)
class TemplateBank:
    """The CAT's item bank and what each of its ids generates."""

    bank: ItemBank
    templates: Mapping[str, Template]


def build_bank(
    assessment: AssessmentBlueprint, catalog: Catalog, *, calibration: ItemCalibration | None
) -> TemplateBank:
    """Every (section, scenario difficulty) of ``assessment`` as a reusable template.

    Skills of a section whose scenarios share a difficulty and IRT parameters form one
    template (id ``"<section_id>@<difficulty>/<skill>+<skill>..."``). A section's
    ``band_skills`` (when given) restricts which skills serve which band.
    """
    merged: dict[tuple[str, float, float, float, float], list[str]] = {}
    for section in assessment.sections:
        band_skills = {str(b): v for b, v in (section.band_skills or {}).items()}
        for skill_id in section.skill_blueprints:
            skill = catalog.skill(skill_id)
            presentation = skill.presentation
            guess = (
                1.0 / presentation.option_count
                if presentation.item_type == "multiple_choice"
                else 0.0
            )
            for d in sorted({s.difficulty for s in compile_skill(skill).scenarios}):
                p = template_params(
                    skill_id,
                    skill_id,
                    d,
                    guess=guess,
                    section_id=section.section_id,
                    calibration=calibration,
                )
                allowed = band_skills.get(str(p.band))
                if allowed is None or skill_id in allowed:
                    merged.setdefault((section.section_id, d, p.a, p.b, p.c), []).append(skill_id)
    params = []
    templates: dict[str, Template] = {}
    for (section_id, d, a, b, c), skill_ids in merged.items():
        template = Template(section_id, tuple(skill_ids), d)
        templates[template.template_id] = template
        params.append(
            ItemParams(
                item_id=template.template_id,
                a=a,
                b=b,
                c=c,
                section_id=section_id,
                band=band_of(d),
            )
        )
    return TemplateBank(bank=ItemBank.from_items(params, reusable=True), templates=templates)


@dataclass(frozen=True)
class Choice:
    """The outcome of :func:`choose_item`.

    Attributes:
        cat_state: The document to store with the served item (or with the stop).
        item: The item to serve, or None when the test has stopped.
        decision: The CAT's decision (the template chosen, or the stop).
    """

    cat_state: dict[str, Any]
    item: ItemInstance | None
    decision: NextItem | Stop


def choose_item(
    session: SessionRow,
    items: Sequence[ItemRow],
    *,
    catalog: Catalog,
    now: datetime,
) -> Choice:
    """The next item of an adaptive session, or the stop (deterministic; module docstring).

    Args:
        session: The session (adaptive, from a blueprint).
        items: Its served items; none may be awaiting an answer.
        catalog: Blueprints to build the bank from and to generate with.
        now: Current time (timezone-aware).

    Raises:
        ValueError: The session is not adaptive.
        assay.items.UnknownBlueprintError: The blueprint is no longer in the catalog.

    A template that cannot produce an unrepeated stem any more is set aside (``excluded``)
    for the rest of the test and the choice is repeated; when none is left the CAT stops with
    ``bank_exhausted``.
    """
    calibration = calibration_of(session)
    state = apply_responses(state_of(session), items, calibration=calibration)
    assert session.blueprint_id is not None
    templates = build_bank(
        catalog.assessment(session.blueprint_id), catalog, calibration=calibration
    )
    rng = np.random.default_rng(derive_seed(session.seed, "cat", state.n_items))
    while True:
        state, decision = cat_next_item(state, bank=templates.bank, rng=rng, now=now)
        if isinstance(decision, Stop):
            return Choice(cat_state=_with_state(session, state), item=None, decision=decision)
        template_id = decision.item.item_id
        try:
            item = instantiate(
                templates.templates[template_id], catalog=catalog, seed=session.seed, served=items
            )
        except ItemSourceError:  # no new stem left: set the template aside for this test
            state = state.evolve(pending=None, excluded=(*state.excluded, template_id))
            continue
        return Choice(cat_state=_with_state(session, state), item=item, decision=decision)


def instantiate(
    template: Template, *, catalog: Catalog, seed: int, served: Sequence[ItemRow]
) -> ItemInstance:
    """Item ``len(served) + 1``: one of the template's skills at its difficulty, with a stem
    not yet served (draws seeded by the session seed, the item number and the attempt, as in
    :func:`assay.sessions.sources.next_item`).

    The skill is drawn from ``template.skill_ids``; when it has no unrepeated stem left, the
    template's other skills are tried in turn.

    Raises:
        ItemSourceError: No skill of the template gave an unrepeated stem in
            :data:`MAX_UNIQUE_ATTEMPTS` draws each.
    """
    number = len(served) + 1
    n = len(template.skill_ids)
    first = random.Random(derive_seed(seed, "skill", number)).randrange(n)
    stems = {row.item.stem for row in served}
    for turn in range(n):
        skill = catalog.skill(template.skill_ids[(first + turn) % n])
        for attempt in range(MAX_UNIQUE_ATTEMPTS):
            item = generate_item(
                skill,
                rng=random.Random(derive_seed(seed, number, turn, attempt)),
                target_difficulty=template.difficulty,
                item_id=f"gen_{derive_seed(seed, 'id', number):016x}",
                section_id=template.section_id,
            )
            if item.stem not in stems:
                return item
    raise ItemSourceError(
        f"skills {', '.join(template.skill_ids)} produced no unrepeated item at difficulty "
        f"{template.difficulty} for item {number}"
    )


def finish(
    session: SessionRow, items: Sequence[ItemRow], *, now: datetime
) -> tuple[StopReason | None, dict[str, Any]]:
    """Whether the adaptive test is over, for ``complete_session``.

    Returns:
        ``(reason, cat_state)``: the stop reason (None while the test goes on) and the synced
        document to store, with ``stopped`` set once the test is over.
    """
    state = apply_responses(state_of(session), items, calibration=calibration_of(session))
    reason = state.stopped
    if reason is None:
        cfg = state.config
        reason = stop_reason(
            n_items=state.n_items,
            se=state.se,
            elapsed_s=(now - _started(state)).total_seconds(),
            max_items=cfg.effective_max_items,
            min_items=cfg.min_items,
            se_target=cfg.se_target,
            time_limit_s=cfg.time_limit_s,
        )
        if reason is not None:
            state = state.evolve(pending=None, stopped=reason)
    return reason, _with_state(session, state)


def stop_reason_of(session: SessionRow) -> str | None:
    """Why an adaptive session ended: the CAT's stop reason, else the session's end reason."""
    state = (session.cat_state or {}).get("state") or {}
    return state.get("stopped") or session.end_reason
