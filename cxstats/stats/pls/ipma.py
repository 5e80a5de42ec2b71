"""Importance-performance map analysis (IPMA) as SmartPLS (Ringle & Sarstedt 2016).

* Indicators rescaled to 0-100 with their scale range: ``100 (x - min) / (max - min)``;
* unstandardized outer weights ``w / sd(x)`` (``w`` the standardized weights), rescaled to sum 1
  within each block, so that a construct's rescaled score ``Σ w̃ x̃`` lies on 0-100;
* performance: the mean rescaled score of a construct (of an indicator: its mean rescaled answer);
* importance: the unstandardized total effect on the target of a construct, from the model's
  (standardized) path coefficients rescaled by the SDs of the rescaled scores
  (``b_ij · sd(Y_j) / sd(Y_i)``; with classic PLS this is OLS on the rescaled scores), and of an
  indicator, its rescaled weight times its construct's total effect: the gain in the target
  (0-100 points) per point of performance.
"""

from __future__ import annotations

import numpy as np

from cxstats.stats.pls.estimate import total_effects


def ipma(x: np.ndarray, lay, fit, target: int, lo: np.ndarray, hi: np.ndarray) -> dict:
    """``x`` the raw (missing-treated) indicators (n, p); ``lo``/``hi`` the scale range per indicator."""
    xr = 100 * (x - lo) / (hi - lo)
    sd = x.std(axis=0, ddof=1)
    wu = fit.weights / sd[:, None]
    wr = np.zeros_like(wu)
    negative = []
    for j, b in enumerate(lay.blocks):
        wr[b, j] = wu[b, j] / wu[b, j].sum()
        if np.any(wr[b, j] < 0):
            negative.append(lay.constructs[j])
    y = xr @ wr                                   # rescaled construct scores (n, k)
    sy = y.std(axis=0, ddof=1)
    bu = fit.paths * sy[None, :] / sy[:, None]
    tu = total_effects(bu)
    perf = y.mean(axis=0)
    constructs = []
    reach = total_effects(lay.adjacency)[:, target] > 0      # constructs with a path to the target
    for j, c in enumerate(lay.constructs):
        if j == target or not reach[j]:
            continue
        constructs.append({"construct": c, "importance": float(tu[j, target]), "performance": float(perf[j])})
    indicators = []
    for row in constructs:
        j = lay.constructs.index(row["construct"])
        for i in lay.blocks[j]:
            indicators.append({"construct": row["construct"], "indicator": lay.indicators[i],
                               "importance": float(wr[i, j] * tu[j, target]),
                               "performance": float(xr[:, i].mean()), "rescaled_weight": float(wr[i, j])})
    order = sorted(range(len(constructs)), key=lambda r: -constructs[r]["importance"])
    for rank, r in enumerate(order, start=1):
        constructs[r]["rank"] = rank
    imp = [r["importance"] for r in constructs]
    per = [r["performance"] for r in constructs]
    return {"target": lay.constructs[target], "constructs": constructs, "indicators": indicators,
            "importance_mean": float(np.mean(imp)) if imp else float("nan"),
            "performance_mean": float(np.mean(per)) if per else float("nan"),
            "target_performance": float(perf[target]),
            "scale_min": lo.tolist(), "scale_max": hi.tolist(),
            "negative_weights": negative}
