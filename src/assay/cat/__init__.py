"""Item response theory and computerized adaptive testing, pure numpy/scipy.

Modules, one concept each:

* :mod:`assay.cat.irt` — 3PL probability, Fisher information, EAP / MLE theta estimation;
* :mod:`assay.cat.calibration` — 2PL marginal maximum likelihood (Bock-Aitkin EM);
* :mod:`assay.cat.irt_lite` — IRT parameters of generated items from computed difficulty;
* :mod:`assay.cat.bank` — the item bank;
* :mod:`assay.cat.content` — content balancing over blueprint sections and bands;
* :mod:`assay.cat.selection` — maximum information, randomesque, Sympson-Hetter;
* :mod:`assay.cat.exposure` — tuning of the Sympson-Hetter parameters;
* :mod:`assay.cat.stopping` — stopping rules;
* :mod:`assay.cat.state` — the JSON-serialisable test configuration and state;
* :mod:`assay.cat.engine` — the step API: :func:`start`, :func:`next_item`,
  :func:`record_response`;
* :mod:`assay.cat.report` — per-section performance (seed 002 §13.6);
* :mod:`assay.cat.simulation` — Monte-Carlo evaluation of a configuration.
"""

from assay.cat.bank import ItemBank, ItemParams
from assay.cat.calibration import Calibration2PL, calibrate_2pl
from assay.cat.content import ContentPlan, SectionTarget
from assay.cat.engine import NextItem, Stop, next_item, record_response, start
from assay.cat.exposure import calibrate_sympson_hetter
from assay.cat.irt import ThetaEstimate, estimate_theta, information, probability
from assay.cat.irt_lite import (
    b_to_difficulty,
    difficulty_band,
    difficulty_to_b,
    item_from_difficulty,
    target_difficulty,
    template_bank,
)
from assay.cat.report import SectionPerformance, performance_by_section
from assay.cat.simulation import SimulationResult, simulate
from assay.cat.state import AnsweredItem, CatConfig, CatState
from assay.cat.stopping import StopReason, stop_reason

__all__ = [
    "AnsweredItem",
    "Calibration2PL",
    "CatConfig",
    "CatState",
    "ContentPlan",
    "ItemBank",
    "ItemParams",
    "NextItem",
    "SectionPerformance",
    "SectionTarget",
    "SimulationResult",
    "Stop",
    "StopReason",
    "ThetaEstimate",
    "b_to_difficulty",
    "calibrate_2pl",
    "calibrate_sympson_hetter",
    "difficulty_band",
    "difficulty_to_b",
    "estimate_theta",
    "information",
    "item_from_difficulty",
    "next_item",
    "performance_by_section",
    "probability",
    "record_response",
    "simulate",
    "start",
    "stop_reason",
    "target_difficulty",
    "template_bank",
]
