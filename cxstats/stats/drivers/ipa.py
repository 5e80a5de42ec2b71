"""Importance-performance analysis (IPA) and penalty-reward analysis.

IPA (Martilla & James 1977, Journal of Marketing 41(1), 77-79): each driver is
placed by its importance (here its share of the explained variance) and its
performance (mean score, top-2-box share, or gap to the aspiration). The
quadrants split at the mean importance and mean performance over the drivers
(or at given cut-offs):

* high importance, low performance:  "Concentrate here"
* high importance, high performance: "Keep up the good work"
* low importance, low performance:   "Low priority"
* low importance, high performance:  "Possible overkill"

With bootstrap intervals, a quadrant is *determined* when the importance interval and the
performance interval each lie on one side of their cut; otherwise the driver is "not
determined" (its point estimate still has a position, but the data do not settle it).

Penalty-reward analysis (Brandt 1987; Conklin, Powaga & Lipovetsky 2004,
European Journal of Operational Research 154, 819-827): every driver is
dummy-coded low (bottom box(es)) and high (top box(es)) against the middle, and
the outcome is regressed on all dummies at once. The coefficient of "low" is
the penalty (what a poor rating costs), that of "high" the reward (what an
excellent rating adds).

Classification (Kano-style reading) uses the regression's own HC3 confidence
intervals (t with the residual df, level ``ci_level``): an effect counts only
when it has the expected sign and its interval excludes 0 (a penalty below 0,
a reward above 0) and its box holds at least ``MIN_CELL`` answers. A penalty
of the wrong sign (a low rating *raising* the outcome) counts as no penalty, a
reward of the wrong sign as no reward. With pen = max(-penalty, 0) and
rew = max(reward, 0): basic (must-be) when pen >= 2·rew, exciter (delighter)
when rew >= 2·pen, else performance (linear) (ratios of the point estimates).
A label is given only when the effects it rests on count (basic: the penalty; exciter: the reward;
performance: both); otherwise "not determined".
"""

from __future__ import annotations

import numpy as np

QUADRANTS = {
    (True, False): "Concentrate here",
    (True, True): "Keep up the good work",
    (False, False): "Low priority",
    (False, True): "Possible overkill",
}
PERFORMANCE = ("mean", "top2", "gap")
MIN_CELL = 10          # answers a low/high box needs before its effect may label a driver
CLASSIFY_RATIO = 2.0   # basic: pen >= 2·rew; exciter: rew >= 2·pen
NOT_DETERMINED = "not determined"


def performance_values(x, kind: str, *, scale_max=None, aspiration=None, weights=None):
    """Per-driver performance of a (n, p) array of scores (``weights``: survey weights of the rows,
    giving weighted means and shares)."""
    x = np.asarray(x, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)

    def mean(a):
        return a.mean(axis=0) if w is None else (w[:, None] * a).sum(axis=0) / w.sum()

    if kind == "mean":
        return mean(x)
    if kind == "top2":
        top = np.asarray(scale_max if scale_max is not None else x.max(axis=0), dtype=float)
        return mean((x >= top - 1).astype(float))
    if kind == "gap":
        return mean(x) - np.asarray(aspiration, dtype=float)
    raise ValueError(kind)


def quadrants(importance, performance, *, importance_cut=None, performance_cut=None,
              importance_interval=None, performance_interval=None):
    """Quadrant labels; ``importance_interval`` / ``performance_interval`` = (lower, upper)
    arrays: a driver whose interval holds its cut (lower < cut < upper) on either axis is
    labelled "not determined" (its quadrant is the one of its point estimate, but the data do
    not establish it)."""
    importance = np.asarray(importance, dtype=float)
    performance = np.asarray(performance, dtype=float)
    ic = float(importance.mean()) if importance_cut is None else float(importance_cut)
    pc = float(performance.mean()) if performance_cut is None else float(performance_cut)
    labels = [QUADRANTS[(bool(i >= ic), bool(v >= pc))] for i, v in zip(importance, performance)]
    crossing = determined(importance_interval, performance_interval, ic, pc, len(labels))
    if crossing is not None:
        labels = [lab if ok else NOT_DETERMINED for lab, ok in zip(labels, crossing)]
    return labels, ic, pc


def determined(importance_interval, performance_interval, importance_cut, performance_cut, p):
    """Per driver: True when every given interval lies on one side of its cut (an end equal to
    the cut counts as one side), False when one holds its cut strictly inside; None (no
    intervals given) when there is nothing to judge by."""
    if importance_interval is None and performance_interval is None:
        return None
    ok = np.ones(p, dtype=bool)
    for interval, cut in ((importance_interval, importance_cut), (performance_interval, performance_cut)):
        if interval is not None:
            lo, hi = (np.asarray(v, dtype=float) for v in interval)
            ok &= ~((lo < cut) & (cut < hi))
    return [bool(v) for v in ok]


def performance_interval(x, kind: str, *, scale_max=None, aspiration=None, replicates: int,
                         ci_level: float = 0.95, rng=None):
    """Percentile bootstrap interval of each driver's performance: rows of the (n, p) scores
    resampled with replacement ``replicates`` times. Performance is a mean of a per-row value
    (the score, or 1 for a top-2-box answer), so a replicate is its resampling counts times that
    value over n (one matrix product per block of replicates, nothing refitted); the gap is the
    mean minus the aspiration. Returns (lower, upper) arrays."""
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    if kind == "top2":
        top = np.asarray(scale_max if scale_max is not None else x.max(axis=0), dtype=float)
        values = (x >= top - 1).astype(float)
    elif kind in ("mean", "gap"):
        values = x
    else:
        raise ValueError(kind)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    block = max(1, min(replicates, 2_000_000 // max(n, 1)))
    reps = []
    done = 0
    while done < replicates:
        c = min(block, replicates - done)
        idx = rng.integers(0, n, size=(c, n))
        counts = np.bincount((np.arange(c)[:, None] * n + idx).ravel(),
                             minlength=c * n).reshape(c, n).astype(float)
        reps.append(counts @ values / n)
        done += c
    samples = np.vstack(reps)
    if kind == "gap":
        samples = samples - np.asarray(aspiration, dtype=float)
    alpha = 1 - ci_level
    lower, upper = np.quantile(samples, [alpha / 2, 1 - alpha / 2], axis=0)
    return lower, upper


def box_cuts(p: int, scale_min, scale_max, low_boxes: int, high_boxes: int):
    """(low_cut, high_cut) per driver: low = x <= low_cut, high = x >= high_cut."""
    smin = np.broadcast_to(np.asarray(scale_min, dtype=float), (p,))
    smax = np.broadcast_to(np.asarray(scale_max, dtype=float), (p,))
    return smin + low_boxes - 1, smax - high_boxes + 1


def dummy_name(j: int, kind: str) -> str:
    """The column name of driver ``j``'s ``kind`` ('low' or 'high') dummy in the moments."""
    return f"_pr_{j}_{kind}"


def penalty_reward(y, x, names, *, scale_min, scale_max, low_boxes: int = 2, high_boxes: int = 1,
                   ci_level: float = 0.95, min_cell: int = MIN_CELL):
    """OLS of y on low/high dummies of every driver; returns (rows, r2, warnings).

    low: x <= scale_min + low_boxes - 1; high: x >= scale_max - high_boxes + 1; else middle.
    The rows are counted by (dummy pattern, outcome value) (:func:`pattern_counts`) and the
    regression is :func:`penalty_reward_counts`, which the SQL engines call on the same counts
    from one GROUP BY pass: one code for both paths.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    p = x.shape[1]
    low_cut, high_cut = box_cuts(p, scale_min, scale_max, low_boxes, high_boxes)
    dummies = np.empty((len(y), 2 * p), dtype=np.int64)
    for j in range(p):
        dummies[:, 2 * j] = x[:, j] <= low_cut[j]
        dummies[:, 2 * j + 1] = x[:, j] >= high_cut[j]
    patterns, values, counts = pattern_counts(dummies, y)
    return penalty_reward_counts(patterns, values, counts, names, low_cut, high_cut,
                                 ci_level=ci_level, min_cell=min_cell)


def pattern_counts(patterns, y, counts=None):
    """The canonical (patterns, values, counts) of rows (or of already counted groups):
    ``patterns`` (G, 2p) 0/1 dummies (driver j's low dummy in column 2j, its high one in 2j+1),
    ``y`` the outcome, ``counts`` each row's count (default 1). Equal (pattern, value) groups
    merged and sorted (by the pattern's columns, then the value), so the row path and every SQL
    engine hand :func:`penalty_reward_counts` the very same arrays (byte-identical results)."""
    patterns = np.asarray(patterns, dtype=np.int64)
    y = np.asarray(y, dtype=float)
    counts = np.ones(len(y), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    if len(y) == 0:
        return patterns.reshape(0, patterns.shape[1]), y, counts
    keys = np.column_stack([patterns.astype(float), y])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    total = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(total, inverse.ravel(), counts)
    return uniq[:, :-1].astype(np.int64), uniq[:, -1].copy(), total


def _moments_from_counts(names, patterns, y, counts):
    """:class:`~cxstats.moments.Moments` of the 0/1 dummies and the outcome over the counted rows.
    The dummies' sums and cross sums are integers (exact); with few distinct outcome values (a
    rating) the sums with the outcome are exact rationals too (each value's count per dummy), so
    every mean and co-moment is the exact one rounded once (as the engines' exact moments);
    many distinct values (a continuous outcome): centred float sums."""
    from fractions import Fraction

    from cxstats.moments import Moments

    q = patterns.shape[1]
    c = counts.astype(np.int64)
    n = int(c.sum())
    if n == 0:
        return Moments.empty((*names, "_y"))
    sx = [int(v) for v in patterns.T @ c]                               # exact (int64)
    sxx = np.einsum("g,gi,gj->ij", c, patterns, patterns)                # exact (int64)
    mean = np.zeros(q + 1)
    m2 = np.zeros((q + 1, q + 1))
    for i in range(q):
        mean[i] = sx[i] / n                                             # int / int: correctly rounded
        for j in range(i, q):
            m2[i, j] = m2[j, i] = float(Fraction(n * int(sxx[i, j]) - sx[i] * sx[j], n))
    values, where = np.unique(y, return_inverse=True)
    if len(values) <= 10_000:
        # per distinct value v: its count and its count per dummy (integers); sums = sum_v v * count
        nv = np.zeros(len(values), dtype=np.int64)
        np.add.at(nv, where.ravel(), c)
        nvx = np.zeros((len(values), q), dtype=np.int64)
        np.add.at(nvx, where.ravel(), patterns * c[:, None])
        fv = [Fraction(float(v)) for v in values]
        sy = sum(f * int(k) for f, k in zip(fv, nv))
        syy = sum(f * f * int(k) for f, k in zip(fv, nv))
        mean[q] = float(sy / n)
        m2[q, q] = float(syy - sy * sy / n)
        for i in range(q):
            sxy = sum(f * int(k) for f, k in zip(fv, nvx[:, i]) if k)
            m2[i, q] = m2[q, i] = float(sxy - sx[i] * sy / n)
    else:
        w = c.astype(float)
        ybar = float(np.add.reduce(w * y) / n)
        dy = y - ybar
        corr = float(np.add.reduce(w * dy) / n)                          # rounding error of the mean
        mean[q], dy = ybar + corr, dy - corr
        m2[q, q] = float(np.add.reduce(w * dy * dy))
        dx = patterns - mean[:q]
        for i in range(q):
            m2[i, q] = m2[q, i] = float(np.add.reduce(w * dx[:, i] * dy))
    return Moments((*names, "_y"), n, float(n), float(n), mean, m2)


def penalty_reward_counts(patterns, y, counts, names, low_cut, high_cut, *, ci_level: float = 0.95,
                          min_cell: int = MIN_CELL):
    """Penalty-reward from counted rows: ``patterns`` (G, 2p) 0/1 box dummies (driver j's low in
    column 2j, high in 2j+1), ``y`` (G,) outcome values, ``counts`` (G,) how many rows have that
    (pattern, value) (:func:`pattern_counts`). Every regressor is a 0/1 dummy, so a row is fully
    described by its group: the moments are sums over groups times counts and the HC3 meat is
    sum_g count_g z_g z_g' e_g^2 / (1 - h_g)^2 (the rows of a group share z, fitted value and
    leverage) - one formula for the rows (pandas) and for one GROUP BY pass of a SQL engine, exact
    counts, no second pass. Hand-written (statsmodels needs the rows); tested against statsmodels
    OLS HC3 on the rows. Returns (rows, r2, warnings) of :func:`penalty_reward_moments`."""
    patterns, y, counts = pattern_counts(patterns, y, counts)
    p = len(names)
    cols = [dummy_name(j, kind) for j in range(p) for kind in ("low", "high")]
    if patterns.shape[1] != 2 * p:
        raise ValueError(f"{patterns.shape[1]} dummy columns for {p} drivers")
    m = _moments_from_counts(cols, patterns, y, counts)
    w = counts.astype(float)

    def meat_for(selected):
        idx = [cols.index(c) for c in selected]

        def meat(center, b, inv, n):
            # centred HC3 meat sum_g count_g z z' e^2 / (1 - h)^2, z = (1, d - mean), per group;
            # einsum (no BLAS): the same sums in the same order on every machine and thread count
            d = patterns[:, idx] - center[:-1]
            e = (y - center[-1]) - np.einsum("gi,i->g", d, b)
            h = 1.0 / n + np.einsum("gi,ij,gj->g", d, inv, d)
            z = np.column_stack([np.ones(len(y)), d])
            return np.einsum("g,gi,gj->ij", w * (e * e / ((1.0 - h) * (1.0 - h))), z, z)
        return meat
    return penalty_reward_moments(m, "_y", names, low_cut, high_cut, hc3_meat_for=meat_for,
                                  ci_level=ci_level, min_cell=min_cell)


def penalty_reward_moments(m, outcome: str, names, low_cut, high_cut, *, hc3_meat_for,
                           ci_level: float = 0.95, min_cell: int = MIN_CELL):
    """Penalty-reward from the co-moments ``m`` of the complete rows' box dummies (columns
    :func:`dummy_name`, 0/1) and the outcome: OLS on the dummies that have answers (a driver with
    no middle answers has no reference group and is left out), HC3 SEs (t with the residual df,
    as statsmodels ``OLS(...).fit(cov_type="HC3", use_t=True)``) from ``hc3_meat_for(selected
    dummy names)`` -> ``meat(center, b, inv_sxx, n)`` (the centred meat of
    :func:`cxstats.stats.from_moments.hc3_from_meat`: from the rows, or a second pass of a SQL
    engine); returns (rows, r2, warnings). The one formula of the row and the engine paths."""
    from scipy import stats

    from cxstats.stats.hc3 import hc3_from_meat

    n = int(m.n)
    pos = {c: i for i, c in enumerate(m.names)}
    cols, labels, warnings, info = [], [], [], []
    for j, name in enumerate(names):
        lo_name, hi_name = dummy_name(j, "low"), dummy_name(j, "high")
        n_low = int(round(float(m.mean[pos[lo_name]]) * n))
        n_high = int(round(float(m.mean[pos[hi_name]]) * n))
        n_mid = n - n_low - n_high
        info.append((name, n_low, n_mid, n_high, low_cut[j], high_cut[j]))
        if n_mid == 0:
            warnings.append(f"penalty-reward: driver '{name}' has no answers in the middle boxes "
                            f"(between {low_cut[j]:g} and {high_cut[j]:g}), so it has no reference group "
                            "and is left out")
            continue
        if n_mid == 1:           # a reference group of one answer: leverage 1, HC3 0/0
            warnings.append(f"penalty-reward: driver '{name}' has one answer in the middle boxes "
                            f"(between {low_cut[j]:g} and {high_cut[j]:g}), too small a reference group "
                            "(leverage 1: no HC3 standard error), and is left out")
            continue
        for kind, count, col in (("low", n_low, lo_name), ("high", n_high, hi_name)):
            if count == 0:
                warnings.append(f"penalty-reward: no answers of '{name}' in the {kind} box(es); "
                                f"its {'penalty' if kind == 'low' else 'reward'} is not estimated")
                continue
            if count == 1:       # its dummy fits that one answer exactly: leverage 1, HC3 0/0
                warnings.append(f"penalty-reward: one answer of '{name}' in the {kind} box(es); "
                                f"its {'penalty' if kind == 'low' else 'reward'} is not estimated (one "
                                "answer has leverage 1: no HC3 standard error)")
                continue
            cols.append(col)
            labels.append((name, kind))
    coef = {}
    r2 = float("nan")
    if cols:
        q = len(cols)
        mm = m.select([*cols, outcome])
        sxx = mm.m2[:q, :q]
        d = np.sqrt(np.diag(sxx))
        if n <= q + 1 or np.linalg.matrix_rank(sxx / np.outer(d, d)) < q:
            warnings.append("penalty-reward: the dummy regression cannot be estimated (too few answers "
                            "per box, or dummies that always occur together)")
        else:
            inv = np.linalg.inv(sxx)
            b = inv @ mm.m2[:q, q]
            b0 = float(mm.mean[q] - mm.mean[:q] @ b)
            df = n - q - 1
            r2 = float(1.0 - (mm.m2[q, q] - mm.m2[:q, q] @ b) / mm.m2[q, q])
            fit = {"b": np.concatenate([[b0], b]), "inv_sxx": inv, "df": df}
            meat = hc3_meat_for(list(cols))(np.asarray(mm.mean, dtype=float), b, inv, n)
            hc3 = hc3_from_meat(mm, fit, meat)
            tcrit = stats.t.ppf(1 - (1 - ci_level) / 2, df)
            for k, lab in enumerate(labels, start=1):
                se = float(hc3["se_hc3"][k])
                coef[lab] = (float(fit["b"][k]), se, float(hc3["pvalue_hc3"][k]),
                             float(fit["b"][k] - tcrit * se), float(fit["b"][k] + tcrit * se))
    rows = []
    for name, n_low, n_mid, n_high, lc, hc in info:
        pen = coef.get((name, "low"), (np.nan,) * 5)
        rew = coef.get((name, "high"), (np.nan,) * 5)
        pen_counts = bool(pen[4] < 0 and n_low >= min_cell)      # upper limit below 0
        rew_counts = bool(rew[3] > 0 and n_high >= min_cell)     # lower limit above 0
        rows.append({"driver": name, "low_max": float(lc), "high_min": float(hc),
                     "n_low": n_low, "n_middle": n_mid, "n_high": n_high,
                     "penalty": pen[0], "penalty_se_hc3": pen[1], "penalty_pvalue": pen[2],
                     "penalty_lower": pen[3], "penalty_upper": pen[4],
                     "reward": rew[0], "reward_se_hc3": rew[1], "reward_pvalue": rew[2],
                     "reward_lower": rew[3], "reward_upper": rew[4],
                     "category": classify(pen[0], rew[0], penalty_counts=pen_counts,
                                          reward_counts=rew_counts)})
    return rows, r2, warnings


def penalty_reward_section(rows, r2, *, low_boxes: int, high_boxes: int, scale_note: str, ci_level: float) -> dict:
    """The result's ``penalty_reward`` block (row and engine paths)."""
    return {
        "low_boxes": low_boxes, "high_boxes": high_boxes, "scale": scale_note, "r2": r2,
        "ci_level": ci_level, "min_cell": MIN_CELL, "ratio": CLASSIFY_RATIO,
        "rule": (f"an effect counts when its {ci_level:.0%} HC3 confidence interval from the dummy "
                 "regression excludes 0 with the expected sign (penalty < 0, reward > 0) and its box "
                 f"holds at least {MIN_CELL} answers; a wrong-signed effect counts as 0. "
                 "pen = max(-penalty, 0), rew = max(reward, 0): basic if pen >= "
                 f"{CLASSIFY_RATIO:g}·rew (needs the penalty to count), exciter if rew >= "
                 f"{CLASSIFY_RATIO:g}·pen (needs the reward), else performance (needs both); "
                 "otherwise 'not determined'"),
        "rows": rows}


def classify(penalty, reward, ratio: float = CLASSIFY_RATIO, *, penalty_counts: bool = True,
             reward_counts: bool = True) -> str | None:
    """Kano-style reading with pen = max(-penalty, 0) and rew = max(reward, 0) (an effect of the
    wrong sign counts as none): 'basic' when pen >= 2·rew, 'exciter' when rew >= 2·pen, else
    'performance'. ``penalty_counts`` / ``reward_counts``: whether the effect is established
    (right sign, confidence interval excluding 0, enough answers in its box); a label needs the
    effects it rests on (basic: penalty; exciter: reward; performance: both), otherwise
    "not determined". None when either coefficient is missing."""
    if not (np.isfinite(penalty) and np.isfinite(reward)):
        return None
    pen = max(-penalty, 0.0)
    rew = max(reward, 0.0)
    if pen == 0 and rew == 0:
        return NOT_DETERMINED
    if pen >= ratio * rew:
        return "basic (must-be)" if penalty_counts else NOT_DETERMINED
    if rew >= ratio * pen:
        return "exciter (delighter)" if reward_counts else NOT_DETERMINED
    return "performance (linear)" if (penalty_counts and reward_counts) else NOT_DETERMINED
