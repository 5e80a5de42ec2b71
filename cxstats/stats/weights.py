"""Survey (sampling) weights shared by reliability, drivers, nps and describe.

Conventions (stated in every analysis' Methods):

* The weights are checked first (:func:`check_weights`): a missing, non-numeric or negative weight of a
  row the analysis uses is refused naming the row and the value, and so are weights that sum to zero.
* They are rescaled to sum to the number of rows used (mean 1, :func:`normalize`), as lavaan's
  ``sampling.weights`` do: point estimates do not depend on the scale of the weights, and equal
  weights give the unweighted analysis exactly.
* Point estimates are weighted: means sum(w x)/sum(w), shares sum(w [x in A])/sum(w), covariances
  sum(w (x - m)(y - m)) / (sum(w) - 1) with the rescaled weights (so equal weights give the usual
  n - 1 divisor; a correlation, and so alpha, omega, R² and relative importance, do not depend on the
  divisor). With whole-number weights every mean, share and correlation, and every statistic made of
  them (alpha, omega, NPS, regression coefficients, R², LMG), equals that of the data with each row
  repeated w times (the frequency-weight reading of the same numbers); SDs and intervals do not, since
  they use the rescaled weights and the effective n below.
* Uncertainty uses Kish's (1965) effective sample size n_eff = (sum w)² / sum(w²) in place of n (the
  design effect of unequal weighting, deff = n / n_eff); no clusters or strata are modelled.
"""

from __future__ import annotations

import math

from cxstats.errors import InputError

WEIGHT_METHODS = ("Survey weights",
                  "Each respondent counts with the survey weight of the weight column, rescaled to sum to the "
                  "number of respondents used (equal weights give the unweighted results). Means, shares and "
                  "covariances are weighted (covariance divisor sum(w) - 1); with whole-number weights the means, shares, "
                  "correlations and the statistics made of them equal those of the data with each row repeated w "
                  "times. Intervals and tests use "
                  "Kish's (1965) effective sample size n_eff = (sum w)^2 / sum(w^2) instead of n (design effect "
                  "of unequal weighting deff = n / n_eff); clusters and strata are not modelled.")


def check_weights(values, *, column: str | None = None, used=None, row_of=None, file=None):
    """The weights as a float array, refused (InputError naming row and value) when a used row's weight is
    missing, not a number or negative, or when the used weights sum to zero. ``used``: a boolean mask of
    the rows the analysis uses (default all); ``row_of(i)``: the file row of position ``i`` (default i + 2,
    a CSV with a header)."""
    import numpy as np
    import pandas as pd

    raw = list(values)
    num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(dtype=float)
    mask = np.ones(len(num), dtype=bool) if used is None else np.asarray(used, dtype=bool)
    where = (lambda i: row_of(i)) if row_of is not None else (lambda i: i + 2)
    for i in np.flatnonzero(mask & ~np.isfinite(num)):
        blank = raw[i] is None or (isinstance(raw[i], float) and math.isnan(raw[i])) or str(raw[i]).strip() == ""
        raise InputError("a survey weight is missing" if blank else "a survey weight must be a number",
                         file=file, column=column, row=where(int(i)), value="" if blank else str(raw[i]),
                         option="weight")
    neg = np.flatnonzero(mask & (num < 0))
    if neg.size:
        i = int(neg[0])
        raise InputError("a survey weight cannot be negative" + (f" ({neg.size} such rows)" if neg.size > 1 else ""),
                         file=file, column=column, row=where(i), value=f"{num[i]:g}", option="weight")
    if mask.any() and not num[mask].sum() > 0:
        raise InputError(f"the survey weights of the {int(mask.sum())} rows used sum to zero", file=file,
                         column=column, option="weight")
    return num


def normalize(w):
    """Weights rescaled to sum to their number (mean 1)."""
    import numpy as np

    w = np.asarray(w, dtype=float)
    s = w.sum()
    return w * (len(w) / s) if s > 0 else w


def kish_n(w) -> float:
    """Kish's effective sample size (sum w)^2 / sum(w^2) (= n for equal weights)."""
    import numpy as np

    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / s2 if s2 > 0 else 0.0


def weighted_mean(x, w) -> float:
    import numpy as np

    return float(np.sum(w * x) / np.sum(w))


def weighted_cov(X, w):
    """Weighted covariance matrix of the complete rows ``X`` (n x k): sum(w (x - m)(x - m)') / (sum(w) - 1)
    with w as given (rescale first for the survey convention)."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    m = (w[:, None] * X).sum(axis=0) / w.sum()
    E = X - m
    return (w[:, None] * E).T @ E / (w.sum() - 1.0)


def weighted_pairwise_cov(X, w):
    """Pairwise-deletion weighted covariance (as R's ``cov(use = "pairwise")`` with weights): for each pair
    the rows answering both, their weighted means, divisor sum(w) - 1 over those rows; also the matrix of
    the number of rows of each pair."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    k = X.shape[1]
    C = np.full((k, k), np.nan)
    N = np.zeros((k, k), dtype=int)
    ok = ~np.isnan(X)
    for i in range(k):
        for j in range(i, k):
            rows = ok[:, i] & ok[:, j]
            N[i, j] = N[j, i] = int(rows.sum())
            if rows.sum() < 2:
                continue
            ww = w[rows]
            a, b = X[rows, i], X[rows, j]
            sw = ww.sum()
            if not sw > 1:
                continue
            ma, mb = np.sum(ww * a) / sw, np.sum(ww * b) / sw
            C[i, j] = C[j, i] = float(np.sum(ww * (a - ma) * (b - mb)) / (sw - 1.0))
    return C, N


def weighted_corr(x, y, w) -> float:
    import numpy as np

    sw = np.sum(w)
    mx, my = np.sum(w * x) / sw, np.sum(w * y) / sw
    sxy = np.sum(w * (x - mx) * (y - my))
    sxx, syy = np.sum(w * (x - mx) ** 2), np.sum(w * (y - my) ** 2)
    return float(sxy / math.sqrt(sxx * syy)) if sxx > 0 and syy > 0 else math.nan


def weighted_pairwise_cor(X, w):
    """Pairwise-deletion weighted correlations (as R's ``cor(use = "pairwise")`` with weights): each entry
    the weighted Pearson correlation over the rows answering both items."""
    import numpy as np

    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    k = X.shape[1]
    R = np.eye(k)
    ok = ~np.isnan(X)
    for i in range(k):
        for j in range(i + 1, k):
            rows = ok[:, i] & ok[:, j]
            R[i, j] = R[j, i] = weighted_corr(X[rows, i], X[rows, j], w[rows]) if rows.sum() > 1 else math.nan
    return R
