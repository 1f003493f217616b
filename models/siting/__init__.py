"""Where to open new service points: location set covering (LSCP), maximal covering (MCLP),
p-median, p-center and a fair covering model, on OR-Tools CP-SAT.

Sites are existing service points (always open, fixed) plus candidates (opened by the model).
A demand point is covered when an open site costs <= `threshold` (in the cost model's unit).
The formulations stay sparse:

- covering models only see candidates within the threshold, drop demand already covered by an
  existing site, and merge demand points with the same candidate set (and group) into one row
  weighted by their sum, which shrinks a 50,000-point MCLP to a few thousand rows;
- p-median (on HiGHS, not CP-SAT) only lists each demand point's k nearest candidates that
  are cheaper than its nearest existing site; a demand point whose listed sites are all closed
  pays the next cost (its cap). That capped objective never exceeds the true one, so when no
  demand point pays its cap in the optimum, the solution is optimal for the uncapped problem;
  otherwise those demand points' lists double and the model is solved again. The model is the
  radius formulation: one row per distinct set of a demand point's t nearest listed candidates
  ("none of them open"), shared by every demand point with that set;
- p-center bisects over the distinct pair costs, each step a set-covering feasibility check.

CP-SAT works in integers: weights are scaled to integers (exactly when they already are),
shares to 1/SHARE_RESOLUTION, budgets to 1/100.

One module per model family (covering, pmedian, pcenter) and per solver back end (cpsat,
highs); `problem` holds the shared records and `api` the entry points.
"""

from models.siting.api import frontier, solve
from models.siting.cpsat import LINEARIZATION_LEVEL, SOLVER_WORKERS
from models.siting.highs import PMEDIAN_REL_GAP
from models.siting.pmedian import _initial_k, _lists, _prefix_rows
from models.siting.problem import (
    MAX_PAIRS,
    MODELS,
    SHARE_RESOLUTION,
    FrontierPoint,
    InfeasibleError,
    SitingProblem,
    SitingResult,
)

__all__ = [
    "LINEARIZATION_LEVEL",
    "MAX_PAIRS",
    "MODELS",
    "PMEDIAN_REL_GAP",
    "SHARE_RESOLUTION",
    "SOLVER_WORKERS",
    "FrontierPoint",
    "InfeasibleError",
    "SitingProblem",
    "SitingResult",
    "_initial_k",
    "_lists",
    "_prefix_rows",
    "frontier",
    "solve",
]
