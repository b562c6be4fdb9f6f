"""The configuration and the persisted state of one adaptive test.

Both are plain frozen dataclasses with ``to_dict`` / ``from_dict`` that round-trip through JSON,
so the session engine can store the state after every step and resume after a crash. The state
keeps every answered item with its parameters (generated items carry their own IRT-lite
parameters), so the ability estimate is always recomputable from the state alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assay.cat.bank import ItemParams
from assay.cat.content import ContentPlan
from assay.cat.estimation import THETA_BOUNDS, GridPosterior, eap, mle
from assay.cat.model import information
from assay.cat.stopping import STOP_REASONS, StopReason

__all__ = ["AnsweredItem", "CatConfig", "CatState", "parse_utc", "to_iso"]

FloatArray = npt.NDArray[np.float64]


def _pattern(
    answered: tuple[AnsweredItem, ...],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Responses and parameters of the answered items as arrays ``(u, a, b, c)``."""
    u = np.array([float(x.correct) for x in answered])
    a = np.array([x.item.a for x in answered])
    b = np.array([x.item.b for x in answered])
    c = np.array([x.item.c for x in answered])
    return u, a, b, c


def to_iso(moment: datetime) -> str:
    """UTC ISO-8601 text of an aware datetime.

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None:
        raise ValueError("now: must be a timezone-aware datetime")
    return moment.astimezone(UTC).isoformat()


def parse_utc(text: str) -> datetime:
    """Inverse of :func:`to_iso`."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"started_at: must carry a UTC offset, got {text!r}")
    return moment


@dataclass(frozen=True, slots=True)
class CatConfig:
    """How an adaptive test estimates, selects and stops.

    Attributes:
        estimator: ``"eap"`` (default) or ``"mle"``; with ``"mle"`` the estimate is EAP until
            the pattern has both a correct and a wrong answer (no finite MLE before that).
        prior_mean: Mean of the N(prior_mean, prior_sd^2) ability prior (logits).
        prior_sd: SD of the prior (logits, > 0).
        max_items: Maximum test length; None means the content plan's total, if any.
        min_items: No precision stop before this many items.
        se_target: Stop once the SE falls below this (logits), or None.
        time_limit_s: Stop once this many seconds have passed since the start, or None.
        randomesque_k: Draw among the k most informative items (1 = pure maximum).
        sympson_hetter: Apply the Sympson-Hetter lottery with the bank's ``exposure_k``.
        content: Section and band quotas to balance, or None.
    """

    estimator: Literal["eap", "mle"] = "eap"
    prior_mean: float = 0.0
    prior_sd: float = 1.0
    max_items: int | None = None
    min_items: int = 1
    se_target: float | None = None
    time_limit_s: float | None = None
    randomesque_k: int = 1
    sympson_hetter: bool = False
    content: ContentPlan | None = None

    def __post_init__(self) -> None:
        if self.estimator not in ("eap", "mle"):
            raise ValueError(f"estimator: must be 'eap' or 'mle', got {self.estimator!r}")
        if self.prior_sd <= 0:
            raise ValueError("prior_sd: must be > 0")
        if self.max_items is not None and self.max_items < 1:
            raise ValueError("max_items: must be >= 1")
        if self.min_items < 0:
            raise ValueError("min_items: must be >= 0")
        if self.se_target is not None and self.se_target <= 0:
            raise ValueError("se_target: must be > 0")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise ValueError("time_limit_s: must be > 0")
        if self.randomesque_k < 1:
            raise ValueError("randomesque_k: must be >= 1")
        if (
            self.effective_max_items is None
            and self.se_target is None
            and self.time_limit_s is None
        ):
            raise ValueError("max_items: set max_items, se_target, time_limit_s or a content plan")

    @property
    def effective_max_items(self) -> int | None:
        """``max_items``, else the content plan's total, else None."""
        if self.max_items is not None:
            return self.max_items
        return self.content.total_items if self.content is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return {
            "estimator": self.estimator,
            "prior_mean": self.prior_mean,
            "prior_sd": self.prior_sd,
            "max_items": self.max_items,
            "min_items": self.min_items,
            "se_target": self.se_target,
            "time_limit_s": self.time_limit_s,
            "randomesque_k": self.randomesque_k,
            "sympson_hetter": self.sympson_hetter,
            "content": self.content.to_dict() if self.content is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatConfig:
        """Inverse of :meth:`to_dict` (missing keys take their defaults)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "content"}
        content = data.get("content")
        return cls(**known, content=ContentPlan.from_dict(content) if content else None)


@dataclass(frozen=True, slots=True)
class AnsweredItem:
    """One administered item, its parameters and the scored response.

    Attributes:
        item: The item's parameters as used for scoring.
        correct: Whether the response was correct.
        answered_at: UTC ISO-8601 time of the response.
        response_time_s: Seconds the examinee took, if known.
    """

    item: ItemParams
    correct: bool
    answered_at: str
    response_time_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields."""
        return {
            "item": self.item.to_dict(),
            "correct": self.correct,
            "answered_at": self.answered_at,
            "response_time_s": self.response_time_s,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnsweredItem:
        """Inverse of :meth:`to_dict`."""
        rt = data.get("response_time_s")
        return cls(
            item=ItemParams.from_dict(data["item"]),
            correct=bool(data["correct"]),
            answered_at=str(data["answered_at"]),
            response_time_s=None if rt is None else float(rt),
        )


@dataclass(frozen=True, slots=True)
class CatState:
    """Everything needed to continue an adaptive test.

    Attributes:
        config: The test's configuration.
        started_at: UTC ISO-8601 start time.
        theta: Current ability estimate (logits).
        se: Its standard error (logits).
        answered: Answered items in order.
        excluded: Item ids set aside by the Sympson-Hetter lottery.
        pending: Id of the item selected and not yet answered, if any.
        stopped: Stop reason once the test has ended, else None.
    """

    config: CatConfig
    started_at: str
    theta: float
    se: float
    answered: tuple[AnsweredItem, ...] = ()
    excluded: tuple[str, ...] = ()
    pending: str | None = None
    stopped: StopReason | None = None
    _posterior: GridPosterior | None = field(default=None, compare=False, repr=False)
    _answered_ids: frozenset[str] | None = field(default=None, compare=False, repr=False)

    @property
    def n_items(self) -> int:
        """Number of answered items."""
        return len(self.answered)

    @property
    def answered_ids(self) -> frozenset[str]:
        """Ids of the answered items (cached)."""
        if self._answered_ids is None:
            object.__setattr__(
                self, "_answered_ids", frozenset(x.item.item_id for x in self.answered)
            )
        assert self._answered_ids is not None
        return self._answered_ids

    def posterior(self) -> GridPosterior:
        """Log posterior of theta on the EAP grid (cached; rebuilt after ``from_dict``)."""
        if self._posterior is None:
            prior = GridPosterior.prior(mean=self.config.prior_mean, sd=self.config.prior_sd)
            object.__setattr__(self, "_posterior", prior.update_many(*_pattern(self.answered)))
        assert self._posterior is not None
        return self._posterior

    def with_answer(self, answer: AnsweredItem) -> CatState:
        """A new state with ``answer`` appended, ``pending`` cleared and theta re-estimated.

        Raises:
            ValueError: The item was already answered in this test.
        """
        item = answer.item
        if item.item_id in self.answered_ids:
            raise ValueError(
                f"item.item_id: {item.item_id!r} was already answered in this test (for a "
                "template bank, record the generated instance with its own id)"
            )
        posterior = self.posterior().update(answer.correct, item.a, item.b, item.c)
        answered = (*self.answered, answer)
        theta, se = self._estimate(answered, posterior)
        return CatState(
            config=self.config,
            started_at=self.started_at,
            theta=theta,
            se=se,
            answered=answered,
            excluded=self.excluded,
            pending=None,
            stopped=self.stopped,
            _posterior=posterior,
            _answered_ids=self.answered_ids | {item.item_id},
        )

    def evolve(
        self,
        *,
        pending: str | None,
        excluded: tuple[str, ...] | None = None,
        stopped: StopReason | None = None,
    ) -> CatState:
        """A copy with a new ``pending`` item, ``excluded`` ids and ``stopped`` reason (the
        cached posterior carries over; cheaper than ``dataclasses.replace``)."""
        return CatState(
            config=self.config,
            started_at=self.started_at,
            theta=self.theta,
            se=self.se,
            answered=self.answered,
            excluded=self.excluded if excluded is None else excluded,
            pending=pending,
            stopped=stopped,
            _posterior=self._posterior,
            _answered_ids=self._answered_ids,
        )

    def _estimate(
        self, answered: tuple[AnsweredItem, ...], posterior: GridPosterior
    ) -> tuple[float, float]:
        cfg = self.config
        if cfg.estimator == "mle":
            n_correct = sum(x.correct for x in answered)
            if 0 < n_correct < len(answered):
                u, a, b, c = _pattern(answered)
                theta = mle(u, a, b, c, bounds=THETA_BOUNDS)
                info = float(np.sum(information(theta, a, b, c)))
                return theta, 1.0 / math.sqrt(info) if info > 0 else math.inf
        theta, se = posterior.moments()
        if se < posterior.step:  # narrower than the grid step: re-integrate on a local grid
            return eap(*_pattern(answered), prior_mean=cfg.prior_mean, prior_sd=cfg.prior_sd)
        return theta, se

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` restores an equal state."""
        return {
            "config": self.config.to_dict(),
            "started_at": self.started_at,
            "theta": self.theta,
            "se": self.se,
            "answered": [a.to_dict() for a in self.answered],
            "excluded": list(self.excluded),
            "pending": self.pending,
            "stopped": self.stopped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatState:
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: ``stopped`` is not a known stop reason, or ``started_at`` has no offset.
            KeyError: A required field is missing.
        """
        stopped = data.get("stopped")
        if stopped is not None and stopped not in STOP_REASONS:
            raise ValueError(f"stopped: must be one of {STOP_REASONS} or null, got {stopped!r}")
        parse_utc(str(data["started_at"]))
        return cls(
            config=CatConfig.from_dict(data["config"]),
            started_at=str(data["started_at"]),
            theta=float(data["theta"]),
            se=float(data["se"]),
            answered=tuple(AnsweredItem.from_dict(a) for a in data.get("answered", [])),
            excluded=tuple(str(i) for i in data.get("excluded", [])),
            pending=data.get("pending"),
            stopped=stopped,
        )
