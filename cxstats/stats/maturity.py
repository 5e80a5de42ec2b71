"""CX maturity self-assessment: dimension means with CIs, stages, gaps to target, reliability,
rater agreement (rwg(j), ICC(1), ICC(2)), differences by area and level, change since a
previous assessment.

Pure: frames and parameters in, a :class:`MaturityResult` out.

* Dimension score of a respondent: the mean of the dimension's items answered (at least half of
  them); the dimension mean is the mean of those scores with a t-interval over respondents.
  The units are the organisation's units (all of them, not a sample of units), so the interval
  treats respondents as the sampled elements (a stratified sample's SE is at most this one).
* Stage: 1 + the number of stage boundaries at or below the mean (default boundaries 1.5, 2.5,
  3.5, 4.5: the nearest anchor of the 1-5 scale); the CI's ends are mapped the same way, so a CI
  crossing a boundary is reported as "between stages k and k+1".
* Gap: target - mean (positive = below the target stage), with the CI of the mean carried over.
* rwg(j) (James, Demaree & Wolf 1984): per unit and dimension,
  ``J (1 - s2/σ²EU) / (J (1 - s2/σ²EU) + s2/σ²EU)``, s2 the mean of the J items' within-unit
  variances (n - 1 divisor), σ²EU = (A² - 1) / 12 the variance of the uniform null over the A
  answer options; set to 0 when s2 > σ²EU (LeBreton & Senter 2008).
* ICC(1) and ICC(2) (Bliese 2000; Shrout & Fleiss 1979 ICC(1,1) and ICC(1,k)): from the one-way
  ANOVA of dimension scores on unit, ``(MSB - MSW) / (MSB + (k - 1) MSW)`` and
  ``(MSB - MSW) / MSB``, k = N / number of units (as R's multilevel::ICC1/ICC2).
* Differences by area / level: Welch's heteroscedastic one-way ANOVA (Welch 1951) and
  Kruskal-Wallis per dimension, Holm over the dimensions of each grouping and test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DEFAULT_BOUNDARIES = (1.5, 2.5, 3.5, 4.5)
from cxstats.thresholds import RWG_MIN  # LeBreton & Senter 2008: agreement from .70


# ------------------------------------------------------------------------------ building blocks

def uniform_null_variance(options: int) -> float:
    """σ²EU = (A² - 1) / 12: the variance of answers spread uniformly over A options."""
    return (options * options - 1) / 12.0


def rwg_j(x, options: int) -> dict:
    """rwg(j) of one unit's answers ``x`` (raters x items; NaN = missing) on an A-option scale.

    Returns ``rwg`` (truncated to 0 when the observed variance exceeds the null's), ``raw`` (the
    formula's value), ``mean_var`` (s2), ``items`` (J: items with at least 2 answers) and
    ``raters`` (respondents with any answer)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    x = x[~np.isnan(x).all(axis=1)]
    counts = (~np.isnan(x)).sum(axis=0)
    usable = counts >= 2
    j = int(usable.sum())
    out = {"raters": int(x.shape[0]), "items": j, "mean_var": math.nan, "raw": math.nan, "rwg": math.nan}
    if j == 0:
        return out
    s2 = float(np.mean([np.nanvar(x[:, c], ddof=1) for c in np.flatnonzero(usable)]))
    ratio = s2 / uniform_null_variance(options)
    raw = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    out.update(mean_var=s2, raw=float(raw), rwg=float(raw) if s2 <= uniform_null_variance(options) else 0.0)
    return out


def icc_oneway(scores, units) -> dict:
    """ICC(1) and ICC(2) of ``scores`` grouped by ``units`` from the one-way ANOVA mean squares
    (Bliese 2000): ``msb``, ``msw``, ``k`` (N / units), ``icc1``, ``icc2``, ``f``, ``pvalue``."""
    import numpy as np
    from scipy import stats

    y = np.asarray(scores, dtype=float)
    g = np.asarray(units, dtype=object)
    ok = ~np.isnan(y) & np.array([u is not None and u == u for u in g], dtype=bool)
    y, g = y[ok], g[ok]
    labels = sorted(set(g.tolist()), key=str)
    n, m = y.size, len(labels)
    out = {"units": m, "n": int(n), "msb": math.nan, "msw": math.nan, "k": math.nan,
           "icc1": math.nan, "icc2": math.nan, "f": math.nan, "pvalue": math.nan}
    if m < 2 or n - m < 1:
        return out
    grand = y.mean()
    ssb = ssw = 0.0
    for lab in labels:
        part = y[g == lab]
        ssb += part.size * (part.mean() - grand) ** 2
        ssw += float(((part - part.mean()) ** 2).sum())
    msb, msw = ssb / (m - 1), ssw / (n - m)
    k = n / m
    out.update(msb=float(msb), msw=float(msw), k=float(k))
    if msb > 0:
        out["icc2"] = float((msb - msw) / msb)
    denom = msb + (k - 1) * msw
    if denom > 0:
        out["icc1"] = float((msb - msw) / denom)
    if msw > 0:
        out["f"] = float(msb / msw)
        out["pvalue"] = float(stats.f.sf(out["f"], m - 1, n - m))
    return out


def welch_anova(samples) -> dict:
    """Welch's (1951) one-way ANOVA for unequal variances: F, df1, df2, p (as R oneway.test)."""
    import numpy as np
    from scipy import stats

    samples = [np.asarray(s, dtype=float) for s in samples]
    k = len(samples)
    n = np.array([s.size for s in samples], dtype=float)
    means = np.array([s.mean() for s in samples])
    var = np.array([s.var(ddof=1) for s in samples])
    if k < 2 or np.any(n < 2) or np.any(var <= 0):
        return {"welch_f": math.nan, "welch_df1": math.nan, "welch_df2": math.nan, "welch_pvalue": math.nan}
    w = n / var
    mw = float(np.sum(w * means) / np.sum(w))
    a = float(np.sum(w * (means - mw) ** 2) / (k - 1))
    lam = float(np.sum((1 - w / w.sum()) ** 2 / (n - 1)))
    b = 1 + 2 * (k - 2) / (k * k - 1) * lam
    f = a / b
    df2 = (k * k - 1) / (3 * lam)
    return {"welch_f": float(f), "welch_df1": float(k - 1), "welch_df2": float(df2),
            "welch_pvalue": float(stats.f.sf(f, k - 1, df2))}


def stage_of(value: float, boundaries) -> int | None:
    """1 + the number of boundaries at or below ``value`` (None for NaN)."""
    if value is None or not value == value:
        return None
    return 1 + sum(1 for b in boundaries if value >= b)


def _t_interval(x, level: float = 0.95):
    import numpy as np
    from scipy import stats

    n = x.size
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def _holm(p):
    import numpy as np

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m:
        order = np.argsort(p[ok], kind="stable")
        adj = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[ok][order]), 1.0)
        back = np.empty(m)
        back[order] = adj
        out[ok] = back
    return out


# ------------------------------------------------------------------------------ the result

@dataclass
class MaturityResult:
    dimensions: list            # one dict per dimension (see to_dict)
    agreement: list             # rwg(j) per dimension and unit
    groups: list                # mean per dimension and group (area, level)
    differences: list           # Welch / Kruskal-Wallis per dimension and grouping
    changes: list               # comparison with the previous assessment (paired by dimension)
    boundaries: list
    scale: list                 # [min, max]
    unit: str | None
    n_respondents: int
    alpha: float = 0.05
    min_n: int = 3
    level: float = 0.95
    warnings: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # {column: {code: text or {lang: text}}}: names of groups

    def to_dict(self) -> dict:
        return {"n_respondents": self.n_respondents, "scale": self.scale, "stage_boundaries": self.boundaries,
                "unit": self.unit, "confidence": self.level, "alpha": self.alpha, "min_n": self.min_n,
                "dimensions": self.dimensions, "agreement": self.agreement, "groups": self.groups,
                "differences": self.differences, "changes": self.changes, "warnings": self.warnings}

    def ranking(self) -> list:
        """Dimensions by gap to target, largest shortfall first."""
        return sorted(self.dimensions, key=lambda d: d["rank"] if d["rank"] is not None else 10**9)

    def tables(self) -> dict:
        import pandas as pd

        cols = ["dimension", "n", "mean", "ci_lower", "ci_upper", "stage", "stage_range", "target", "gap",
                "rank", "alpha", "omega", "rwg", "icc1", "icc2"]
        out = {"Maturity": pd.DataFrame(self.dimensions)[cols]}
        if self.agreement:
            out["Agreement"] = pd.DataFrame(self.agreement)
        if self.differences:
            out["Differences"] = pd.DataFrame(self.differences)
        if self.changes:
            out["Changes"] = pd.DataFrame(self.changes)
        return out

    def methods(self) -> list:
        b = ", ".join(f"{x:g}" for x in self.boundaries)
        return [
            ("Maturity instrument", "cxstats' own operationalisation of the CX framework's dimensions (customer "
             "understanding, strategy, brand, product, interactions, people and culture, systems and technology, "
             "measurement, financial model, governance); not a licensed or validated instrument. Items are "
             "rated 1 (ad hoc) to 5 (embedded and optimised)."),
            ("Dimension mean", f"A respondent's dimension score is the mean of the dimension's items they answered "
             f"(at least half of them). Mean over respondents with a {self.level:.0%} t-interval; the units are "
             "all of the organisation's units (not a sample of units), so respondents are the sampled elements."),
            ("Stage", f"Stage = 1 + the number of stage boundaries ({b}) at or below the mean; the CI's ends are "
             "mapped the same way: stage_range 'k-(k+1)' means the CI crosses a boundary and the stage is not "
             "determined by the data."),
            ("Gap to target", "gap = target stage - mean (positive: below target), CI = target - CI of the mean; "
             "rank 1 = largest gap. below_target: the whole CI lies below the target."),
            ("Reliability", "Cronbach's alpha and omega (psych::omega total) of each dimension's items "
             "(cxstats.stats.reliability, checked against psych)."),
            ("rwg(j)", "James, Demaree & Wolf (1984): rwg(j) = J(1 - s²/σ²EU) / (J(1 - s²/σ²EU) + s²/σ²EU), s² = "
             "mean within-unit item variance (n - 1), σ²EU = (A² - 1)/12 (uniform null; A answer options: 2 on "
             f"1-5). Values below 0 or above 1 (s² > σ²EU) are set to 0 (LeBreton & Senter 2008). "
             f"Agreement: rwg(j) >= {RWG_MIN:.2f}. As R multilevel::rwg.j (checked to 1e-12); with missing answers "
             "each item's variance uses its answers (rwg.j drops the respondent)."),
            ("ICC(1), ICC(2)", "Bliese (2000): one-way ANOVA of dimension scores on unit, ICC(1) = (MSB - MSW) / "
             "(MSB + (k - 1) MSW), ICC(2) = (MSB - MSW) / MSB, k = N / units (R multilevel::ICC1/ICC2; "
             "Shrout & Fleiss 1979 ICC(1,1) and ICC(1,k), pingouin ICC1/ICC1k on balanced data; checked against "
             "R multilevel 2.7)."),
            ("Differences by area and level", "Per dimension: Welch's one-way ANOVA (R oneway.test, var.equal = "
             f"FALSE) and Kruskal-Wallis (R kruskal.test) over the groups with at least {self.min_n} respondents; "
             "Holm over the dimensions of each grouping and test."),
            ("Change since the previous assessment", "Paired by dimension: mean now - mean before, Welch t from "
             "the two assessments' means, SDs and n (independent respondents), Holm over the dimensions."),
        ]


# ------------------------------------------------------------------------------ the analysis

def analyze_maturity(frame, dimensions: dict, *, targets: dict, scale=(1, 5), unit: str | None = None,
                     by: list | None = None, boundaries=DEFAULT_BOUNDARIES, previous: list | None = None,
                     min_n: int = 3, level: float = 0.95, alpha: float = 0.05, min_share: float = 0.5,
                     group_order: dict | None = None, value_labels: dict | None = None) -> MaturityResult:
    """The maturity assessment.

    ``frame``: one row per respondent, item columns as floats (NaN = missing), and the
    columns named by ``unit`` and ``by``. ``dimensions``: {dimension: [items]} in reading order;
    ``targets``: {dimension: target stage}; ``unit``: the column whose groups are the raters'
    units (rwg(j), ICC) or None; ``by``: grouping columns compared (area, level);
    ``previous``: the ``dimensions`` list of an earlier assessment's JSON (``mean``, ``sd``, ``n``).
    """
    import warnings as pywarnings

    import numpy as np
    from scipy import stats

    from cxstats.errors import InputError
    from cxstats.stats.reliability import scale_reliability

    lo, hi = float(scale[0]), float(scale[1])
    options = int(round(hi - lo)) + 1
    boundaries = sorted(float(b) for b in boundaries)
    warnings: list[str] = []
    by = list(by or [])
    group_order = group_order or {}
    scores = {}
    for dim, items in dimensions.items():
        block = frame[items].to_numpy(dtype=float)
        enough = (~np.isnan(block)).mean(axis=1) >= min_share
        with np.errstate(invalid="ignore"), pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore", RuntimeWarning)
            s = np.nanmean(block, axis=1)
        s[~enough] = np.nan
        scores[dim] = s

    unit_values = None
    unit_labels: list = []
    if unit is not None:
        unit_values = np.array([None if (v is None or v != v) else v for v in frame[unit].tolist()], dtype=object)
        unit_labels = _ordered([v for v in unit_values if v is not None], group_order.get(unit))

    rows, agreement = [], []
    for dim, items in dimensions.items():
        s = scores[dim]
        x = s[~np.isnan(s)]
        mean, sd, ci_lo, ci_hi = _t_interval(x, level)
        target = targets.get(dim)
        rel_alpha = rel_omega = math.nan
        if len(items) >= 2:
            try:
                rel = scale_reliability(frame, items, scale=dim, omega=len(items) >= 3)
                rel_alpha = rel.alpha
                rel_omega = rel.omega_total if rel.omega_total is not None else math.nan
                warnings.extend(rel.warnings)
            except InputError as exc:
                warnings.append(f"dimension '{dim}': reliability not computed ({exc.message})")
        unit_rwg, icc = [], {"icc1": math.nan, "icc2": math.nan}
        if unit_values is not None:
            for u in unit_labels:
                mask = unit_values == u
                a = rwg_j(frame.loc[mask, items].to_numpy(dtype=float), options)
                agreement.append({"dimension": dim, "unit": u, "raters": a["raters"], "items": a["items"],
                                  "mean_var": a["mean_var"], "rwg": a["rwg"], "rwg_raw": a["raw"],
                                  "agree": bool(a["rwg"] >= RWG_MIN) if a["rwg"] == a["rwg"] else None})
                if a["raters"] >= 2 and a["rwg"] == a["rwg"]:
                    unit_rwg.append(a["rwg"])
            icc = icc_oneway(s, unit_values)
        st = stage_of(mean, boundaries)
        st_lo, st_hi = stage_of(ci_lo, boundaries), stage_of(ci_hi, boundaries)
        row = {"dimension": dim, "items": list(items), "n": int(x.size), "mean": mean, "sd": sd,
               "ci_lower": ci_lo, "ci_upper": ci_hi, "stage": st, "stage_lower": st_lo, "stage_upper": st_hi,
               "stage_range": (None if st is None else f"{st_lo}" if st_lo == st_hi else f"{st_lo}-{st_hi}"),
               "stage_determined": (st_lo == st_hi) if st_lo is not None else None,
               "target": target,
               "gap": (target - mean) if target is not None and mean == mean else None,
               "gap_ci_lower": (target - ci_hi) if target is not None and ci_hi == ci_hi else None,
               "gap_ci_upper": (target - ci_lo) if target is not None and ci_lo == ci_lo else None,
               "below_target": (bool(ci_hi < target) if target is not None and ci_hi == ci_hi else None),
               "rwg": float(np.mean(unit_rwg)) if unit_rwg else None,
               "rwg_units_agreeing": sum(1 for v in unit_rwg if v >= RWG_MIN) if unit_rwg else None,
               "icc1": icc["icc1"], "icc2": icc["icc2"], "icc_f": icc.get("f"), "icc_pvalue": icc.get("pvalue"),
               "alpha": rel_alpha, "omega": rel_omega, "rank": None}
        if x.size < 2:
            warnings.append(f"dimension '{dim}': {x.size} respondent(s) with a score; no interval")
        rows.append(row)
    ranked = sorted([r for r in rows if r["gap"] is not None], key=lambda r: (-r["gap"], r["dimension"]))
    for i, r in enumerate(ranked, start=1):
        r["rank"] = i
    if unit_values is not None:
        low = [r["dimension"] for r in rows if r["rwg"] is not None and r["rwg"] < RWG_MIN]
        if low:
            warnings.append(f"raters within units disagree (mean rwg(j) < {RWG_MIN:.2f}) on: {', '.join(low)}; "
                            "a unit's mean may not describe a shared view")
        small = [u for u in unit_labels if int(np.sum(unit_values == u)) < 2]
        if small:
            warnings.append(f"units with a single respondent (no within-unit agreement): {', '.join(map(str, small))}")

    groups, differences = [], []
    for col in by:
        vals = np.array([None if (v is None or v != v) else v for v in frame[col].tolist()], dtype=object)
        labels = _ordered([v for v in vals if v is not None], group_order.get(col))
        fam = []
        for dim in dimensions:
            s = scores[dim]
            samples = {}
            for g in labels:
                part = s[(vals == g) & ~np.isnan(s)]
                m, sdev, l, u = _t_interval(part, level)
                groups.append({"dimension": dim, "by": col, "group": g, "n": int(part.size), "mean": m, "sd": sdev,
                               "ci_lower": l, "ci_upper": u})
                if part.size >= min_n:
                    samples[g] = part
            row = {"dimension": dim, "by": col, "groups": len(samples), "welch_f": math.nan, "welch_df1": math.nan,
                   "welch_df2": math.nan, "welch_pvalue": math.nan, "kw_h": math.nan, "kw_df": math.nan,
                   "kw_pvalue": math.nan}
            if len(samples) >= 2:
                row.update(welch_anova(list(samples.values())))
                pooled = np.concatenate(list(samples.values()))
                if np.unique(pooled).size > 1:
                    h, p = stats.kruskal(*samples.values())
                    row.update(kw_h=float(h), kw_df=float(len(samples) - 1), kw_pvalue=float(p))
            fam.append(row)
        for key in ("welch", "kw"):
            adj = _holm([r[f"{key}_pvalue"] for r in fam])
            for r, a in zip(fam, adj):
                r[f"{key}_p_holm"] = float(a)
        for r in fam:
            r["significant"] = bool(r["welch_p_holm"] < alpha) if r["welch_p_holm"] == r["welch_p_holm"] else None
        if fam and all(r["groups"] < 2 for r in fam):
            warnings.append(f"'{col}': fewer than two groups with at least {min_n} respondents; no comparison")
        differences.extend(fam)

    changes = _changes(rows, previous, alpha) if previous else []
    if previous and not changes:
        warnings.append("the previous assessment has none of these dimensions; no change is reported")
    return MaturityResult(rows, agreement, groups, differences, changes, boundaries, [lo, hi], unit,
                          int(len(frame)), alpha=alpha, min_n=min_n, level=level, warnings=warnings,
                          labels=dict(value_labels or {}))


def _ordered(values, order=None) -> list:
    seen = list(dict.fromkeys(values))
    if order:
        return [o for o in order if o in seen] + sorted((v for v in seen if v not in order), key=str)
    return sorted(seen, key=str)


def _changes(rows, previous, alpha) -> list:
    """Now vs the previous assessment, dimension by dimension (Welch t from summary statistics)."""
    import numpy as np
    from scipy import stats

    before = {p.get("dimension"): p for p in previous if isinstance(p, dict)}
    out = []
    for r in rows:
        p = before.get(r["dimension"])
        if p is None:
            continue
        m0, s0, n0 = (float(p.get(k)) if p.get(k) is not None else math.nan for k in ("mean", "sd", "n"))
        m1, s1, n1 = r["mean"], r["sd"], float(r["n"])
        v0, v1 = s0 * s0 / n0, s1 * s1 / n1
        se = math.sqrt(v0 + v1) if v0 + v1 > 0 else math.nan
        df = (v0 + v1) ** 2 / (v0 * v0 / (n0 - 1) + v1 * v1 / (n1 - 1)) if se == se else math.nan
        t = (m1 - m0) / se if se == se and se > 0 else math.nan
        pv = float(2 * stats.t.sf(abs(t), df)) if t == t else math.nan
        q = float(stats.t.ppf(0.975, df)) if df == df else math.nan
        out.append({"dimension": r["dimension"], "mean_before": m0, "mean_now": m1, "diff": m1 - m0,
                    "ci_lower": m1 - m0 - q * se, "ci_upper": m1 - m0 + q * se, "welch_t": t, "welch_df": df,
                    "pvalue": pv, "stage_before": p.get("stage"), "stage_now": r["stage"]})
    adj = _holm([c["pvalue"] for c in out])
    for c, a in zip(out, adj):
        c["p_holm"] = float(a)
        c["significant"] = bool(a < alpha) if a == a else None
    _ = np
    return out
