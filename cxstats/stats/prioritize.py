"""Journey prioritisation: a weighted score over agreed criteria.

Each journey of a spec carries ``priority: {criterion: score}`` (for example
strategic_impact, customers, margin, ease). Criteria may be on different
scales (a 1-5 rating, a count of customers, a margin in EUR), so each is
normalised before weighting:

* ``max`` (default; simple additive weighting, SAW): ``x / max`` across the
  journeys, so the best journey scores 1 on each criterion and the others keep
  their proportion to it (4 of 5 -> 0.8). Units cancel; needs non-negative
  scores with a positive maximum.
* ``minmax``: ``(x - min) / (max - min)`` across the journeys, so
  every criterion runs from 0 (worst journey) to 1 (best journey). A
  criterion on which all journeys score the same carries no information and
  is set to 0.5 for everyone (it then changes no ranking). Scores depend on
  the set of journeys compared, and with two journeys every criterion becomes
  0 or 1.
* ``raw``: the scores as given (use only when every criterion is on the same
  scale, e.g. all 1-5 ratings).

Every criterion must be scored so that higher is better (ease, not
difficulty). Weights are non-negative, rescaled to sum to 1; the default is
equal weights. ``score = sum_k w_k * z_jk``. Journeys are ranked by score,
highest first; equal scores (to 1e-9) share a rank (competition ranking
1, 2, 2, 4) and keep the spec's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import InputError

NORMALISATIONS = ("max", "minmax", "raw")
TIE_TOLERANCE = 1e-9


@dataclass
class JourneyScore:
    journey: str
    name: str
    rank: int
    score: float
    raw: dict[str, float]
    normalised: dict[str, float]
    weighted: dict[str, float]


@dataclass
class PriorityResult:
    criteria: list[str]
    weights: dict[str, float]
    normalisation: str
    journeys: list[JourneyScore]  # ranked, best first
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "normalisation": self.normalisation,
            "criteria": self.criteria,
            "weights": self.weights,
            "journeys": [{"rank": j.rank, "journey": j.journey, "name": j.name, "score": j.score,
                          "raw": j.raw, "normalised": j.normalised, "weighted": j.weighted}
                         for j in self.journeys],
            "warnings": self.warnings,
        }

    def tables(self) -> dict:
        import pandas as pd

        rows = []
        for j in self.journeys:
            row = {"rank": j.rank, "journey": j.journey, "name": j.name, "score": j.score}
            for c in self.criteria:
                row[c] = j.raw[c]
            for c in self.criteria:
                row[f"{c}_norm"] = j.normalised[c]
            rows.append(row)
        weights = pd.DataFrame({"criterion": self.criteria, "weight": [self.weights[c] for c in self.criteria]})
        return {"ranking": pd.DataFrame(rows), "weights": weights}

    def methods(self) -> list[tuple[str, str]]:
        norm = {
            "max": "share of the best journey (simple additive weighting): z = x / max over journeys; "
                   "the best journey scores 1 and the others keep their proportion to it",
            "minmax": "min-max across journeys: z = (x - min) / (max - min), 0 = worst journey, 1 = best; "
                      "a criterion equal for all journeys is set to 0.5",
            "raw": "raw scores as given in the spec (all criteria must share one scale)",
        }[self.normalisation]
        return [
            ("normalisation", norm),
            ("score", "score = sum over criteria of weight x normalised value; weights rescaled to sum to 1"),
            ("ranking", "highest score first; equal scores (within 1e-9) share the best rank (1, 2, 2, 4)"),
        ]


def prioritize(journeys: list[tuple[str, str, dict]], weights: dict[str, float] | None = None,
               normalisation: str = "max", *, file=None) -> PriorityResult:
    """Rank ``[(id, name, {criterion: score})]`` on weighted, normalised criteria.

    Raises :class:`InputError` for an unknown criterion in ``weights``, negative
    weights or weights not summing to a positive number, or a journey without a
    score on a weighted criterion (naming the YAML path ``journeys[i].priority``).
    """
    import numpy as np

    if normalisation not in NORMALISATIONS:
        raise InputError(f"normalisation must be one of {', '.join(NORMALISATIONS)}, not {normalisation!r}",
                         option="normalisation")
    if not journeys:
        raise InputError("the spec has no journeys", file=file)
    criteria: list[str] = []
    for _, _, prio in journeys:
        for c in prio:
            if c not in criteria:
                criteria.append(c)
    if not criteria:
        raise InputError("no journey has a 'priority:' mapping (criterion: score) to rank on", file=file)
    warnings: list[str] = []
    if weights is None:
        weights = {c: 1.0 for c in criteria}
    else:
        unknown = [c for c in weights if c not in criteria]
        if unknown:
            raise InputError(f"unknown criterion {unknown[0]!r}; the spec's journeys "
                             f"are scored on {', '.join(criteria)}", option="weights")
        negative = [c for c, w in weights.items() if w < 0]
        if negative:
            raise InputError(f"weight of {negative[0]!r} is negative; weights are >= 0", option="weights")
        left_out = [c for c in criteria if c not in weights]
        if left_out:
            warnings.append(f"criteria not given in the weights get weight 0: {', '.join(left_out)}")
        weights = {c: float(weights.get(c, 0.0)) for c in criteria}
    total = sum(weights.values())
    if not total > 0:
        raise InputError("the weights must sum to a positive number", option="weights")
    weights = {c: w / total for c, w in weights.items()}
    used = [c for c in criteria if weights[c] > 0]

    for j, (jid, _, prio) in enumerate(journeys):
        for c in used:
            if c not in prio:
                from cxstats.errors import SpecError
                raise SpecError(f"journey {jid!r} has no score for criterion {c!r} (every journey "
                                f"needs {', '.join(used)})", file=file, path=f"journeys[{j}].priority")
    if len(journeys) == 1:
        warnings.append("only one journey: nothing to rank it against")

    raw = np.array([[float(prio.get(c, np.nan)) for c in criteria] for _, _, prio in journeys])
    norm = raw.copy()
    if normalisation == "max":
        for k, c in enumerate(criteria):
            col = raw[:, k]
            if weights[c] == 0:
                continue
            if np.nanmin(col) < 0 or not np.nanmax(col) > 0:
                j = int(np.nanargmin(col))
                from cxstats.errors import SpecError
                raise SpecError(f"criterion {c!r} has a negative score or no positive score; the default "
                                "normalisation (x / max) needs scores >= 0: use the minmax normalisation",
                                file=file, path=f"journeys[{j}].priority.{c}")
            norm[:, k] = col / np.nanmax(col)
    elif normalisation == "minmax":
        for k, c in enumerate(criteria):
            col = raw[:, k]
            lo, hi = np.nanmin(col), np.nanmax(col)
            if hi - lo > 0:
                norm[:, k] = (col - lo) / (hi - lo)
            else:
                norm[:, k] = np.where(np.isnan(col), np.nan, 0.5)
                if weights[c] > 0 and len(journeys) > 1:
                    warnings.append(f"criterion {c!r} is the same for every journey: it cannot change the ranking")
    w = np.array([weights[c] for c in criteria])
    contrib = norm * w
    contrib[:, w == 0] = 0.0
    scores = contrib.sum(axis=1)

    order = sorted(range(len(journeys)), key=lambda i: -scores[i])  # stable: spec order among ties
    ranked, rank, prev = [], 0, None
    for pos, i in enumerate(order):
        if prev is None or prev - scores[i] > TIE_TOLERANCE:
            rank = pos + 1
            prev = scores[i]
        jid, name, _ = journeys[i]
        ranked.append(JourneyScore(
            jid, name, rank, float(scores[i]),
            {c: float(raw[i, k]) for k, c in enumerate(criteria)},
            {c: float(norm[i, k]) for k, c in enumerate(criteria)},
            {c: float(contrib[i, k]) for k, c in enumerate(criteria)}))
    ties = {j.rank for j in ranked if sum(o.rank == j.rank for o in ranked) > 1}
    for r in sorted(ties):
        warnings.append(f"tie at rank {r}: " + ", ".join(j.journey for j in ranked if j.rank == r))
    return PriorityResult(criteria, weights, normalisation, ranked, warnings)
