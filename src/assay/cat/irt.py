"""Item response theory for dichotomous items: the public surface.

One import for the model and the estimators, which live in their own modules:

* :mod:`assay.cat.model` — the 3PL model (Birnbaum 1968): :func:`probability`,
  :func:`information` (Lord 1980, eq. 5-9), log-likelihoods;
* :mod:`assay.cat.estimation` — :func:`estimate_theta` by EAP (Bock & Mislevy 1982) or
  bounded MLE, and :class:`GridPosterior` for incremental EAP.

1PL, 2PL and 3PL follow from the parameters given: ``c = 0`` is the 2PL, and ``a = 1, c = 0``
the 1PL. Example::

    >>> import numpy as np
    >>> info = information(0.0, a=np.array([1.0, 2.0]), b=np.array([0.0, 0.0]))
    >>> info.tolist()
    [0.25, 1.0]
"""

from assay.cat.estimation import (
    N_QUADRATURE,
    THETA_BOUNDS,
    EstimationMethod,
    GridPosterior,
    ThetaEstimate,
    estimate_theta,
)
from assay.cat.model import information, item_log_likelihood, log_likelihood, probability

__all__ = [
    "N_QUADRATURE",
    "THETA_BOUNDS",
    "EstimationMethod",
    "GridPosterior",
    "ThetaEstimate",
    "estimate_theta",
    "information",
    "item_log_likelihood",
    "log_likelihood",
    "probability",
]
