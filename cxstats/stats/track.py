"""Tracking: every KPI per wave (and segment) with its 95% CI, and the changes between waves
with a test suited to the statistic, adjusted across the whole dashboard.

Pure: a frame (one row per answer: a wave label, KPI columns, an optional segment column) and
KPI definitions in, a :class:`TrackResult` out.

KPI kinds and their statistics:

* ``nps`` (0-10 answers): NPS with the adjusted-Wald CI (:mod:`cxstats.stats.nps`). Change
  between two independent waves: d = NPS_b - NPS_a; the variance of an NPS from one multinomial
  sample is (P + D - (P - D)^2)/n, so for independent waves Var(d) = V_a/n_a + V_b/n_b; the
  z test and CI use the adjusted-Wald estimates (n + 3, counts + 3/4; Lewis & Sauro 2021).
* ``mean`` (construct and touchpoint scores, CES): mean with a t CI; change by Welch's t test
  and its Welch CI (R ``t.test(var.equal = FALSE)``; scipy ``ttest_ind(equal_var=False)``).
* ``top2`` (CSAT top-2-box share, ``>= threshold``): Wilson CI; change by the
  Miettinen-Nurminen score test for two independent proportions (statsmodels
  ``test_proportions_2indep(method="score")``: Pearson chi-square x (N - 1)/N at d = 0) with
  Newcombe's hybrid score interval for the difference (``confint_proportions_2indep(
  method="newcomb")``, Newcombe 1998 method 10, Wilson limits of each share).

Gaps are KPIs of their own (``group: gap``):

* ``gap_aspiration`` (a construct's score minus the client's aspiration for it): the score's
  t CI shifted by the aspiration; a change of the gap is the change of the score (the
  aspiration is a constant), so its test is the construct's (not counted twice in the family:
  its adjusted p are the construct's);
* ``gap_staff`` (customers' mean score minus frontline staff's, the perception gap, when staff
  answered in the waves): difference of two independent means with its Welch CI (R
  ``t.test(customer, staff)``); its change between waves, (C_b - S_b) - (C_a - S_a), has
  SE = sqrt(sum of the four s^2/n) and Welch-Satterthwaite df = SE^4 / sum((s^2/n)^2/(n - 1))
  (Satterthwaite 1946), a t test and CI.

Cells with fewer than ``min_n`` answers are suppressed (n shown, no value) and their changes not
tested. The p-values of every tested change (consecutive waves and each wave against the
baseline, every KPI and segment) form one family: Holm (family-wise error) and
Benjamini-Hochberg (false discovery rate) adjusted p are both reported; a change is marked
``significant`` when its Holm-adjusted p is below ``alpha``. The linear trend over waves (>= 3)
is the OLS slope of the answer-level values on the wave index (NPS: +100 / 0 / -100 per
answer) with HC3 standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError

KINDS = ("nps", "mean", "top2", "gap_aspiration", "gap_staff")
Z975 = 1.959963984540054


@dataclass
class Kpi:
    id: str            # the result's name of the KPI (a column, construct or touchpoint code)
    column: str        # the frame column holding the answer-level values
    kind: str          # nps | mean | top2
    group: str = ""    # outcome | touchpoint | construct (for the dashboard)
    threshold: float | None = None   # top2: the lowest top-2 code
    aspiration: float | None = None  # mean: the client's standard (gap = value - aspiration)
    touchpoint: str | None = None
    of: str | None = None            # gaps: the construct (KPI id) the gap is of


@dataclass
class Sample:
    """One cell's answers as an engine returns them (instead of the answers themselves): n, mean,
    M2 (the sum of squared deviations from the mean) and, for whole codes (NPS, top-2-box), the
    counts per value. Every function of this module taking a cell's values also takes a Sample."""
    n: int
    mean: float = math.nan
    m2: float = 0.0
    counts: dict | None = None

    @classmethod
    def of_counts(cls, counts: dict) -> "Sample":
        from cxstats.moments import Counts

        c = Counts({float(v): k for v, k in counts.items() if k})
        m = c.moments()
        return cls(int(m.n), float(m.mean[0]) if m.n else math.nan, float(m.m2[0, 0]) if m.n else 0.0, dict(c.counts))

    def merge(self, other: "Sample") -> "Sample":
        """Both cells' answers (Chan et al.'s pairwise update; counts added)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        d = other.mean - self.mean
        counts = None
        if self.counts is not None and other.counts is not None:
            counts = dict(self.counts)
            for v, k in other.counts.items():
                counts[v] = counts.get(v, 0) + k
            return Sample.of_counts(counts)    # exact from the counts
        return Sample(n, self.mean + d * other.n / n, self.m2 + other.m2 + d * d * self.n * other.n / n)

    def recoded(self, kpi: "Kpi") -> "Sample":
        """The sample of the answer-level values the trend and control charts use: NPS answers
        as +100 / 0 / -100, top-2-box answers as 1 / 0, means as they are."""
        if kpi.kind == "nps":
            out: dict = {}
            for v, k in (self.counts or {}).items():
                y = 100.0 if v >= 9 else -100.0 if v <= 6 else 0.0
                out[y] = out.get(y, 0) + k
            return Sample.of_counts(out)
        if kpi.kind == "top2":
            out = {}
            for v, k in (self.counts or {}).items():
                y = 1.0 if v >= kpi.threshold else 0.0
                out[y] = out.get(y, 0) + k
            return Sample.of_counts(out)
        return self


def _nmv(v):
    """(n, mean, variance with n - 1) of an array or a :class:`Sample`."""
    if isinstance(v, Sample):
        return v.n, v.mean, (v.m2 / (v.n - 1) if v.n > 1 else math.nan)
    return v.size, float(v.mean()), float(v.var(ddof=1))


def _mean_cell(v):
    import numpy as np
    from scipy import stats

    n = int(v.size)
    if n == 0:
        return {"n": 0, "value": math.nan, "ci_lower": math.nan, "ci_upper": math.nan, "sd": math.nan}
    m = float(v.mean())
    if n < 2:
        return {"n": n, "value": m, "ci_lower": math.nan, "ci_upper": math.nan, "sd": math.nan}
    sd = float(v.std(ddof=1))
    h = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    del np
    return {"n": n, "value": m, "ci_lower": m - h, "ci_upper": m + h, "sd": sd}


def cell_stats(values, kpi: Kpi) -> dict:
    """n, value, ci_lower, ci_upper of one KPI in one cell (NaN answers dropped)."""
    import numpy as np

    from cxstats.stats.immediacy import wilson_ci
    from cxstats.stats.nps import nps_stats

    if isinstance(values, Sample):
        return _sample_cell(values, kpi)
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if kpi.kind == "nps":
        s = nps_stats(v)
        return {"n": s["n"], "value": s["nps"], "ci_lower": s["nps_ci_lower"], "ci_upper": s["nps_ci_upper"]}
    if kpi.kind == "top2":
        x, n = int((v >= kpi.threshold).sum()), int(v.size)
        lo, hi = wilson_ci(x, n)
        return {"n": n, "value": x / n if n else math.nan, "ci_lower": lo, "ci_upper": hi}
    out = _mean_cell(v)
    out.pop("sd")
    if kpi.kind == "gap_aspiration":
        for key in ("value", "ci_lower", "ci_upper"):
            out[key] -= kpi.aspiration
    return out


def _sample_cell(v: Sample, kpi: Kpi) -> dict:
    """:func:`cell_stats` of a :class:`Sample`."""
    from scipy import stats

    from cxstats.stats.immediacy import wilson_ci
    from cxstats.stats.nps import nps_from_counts

    c = v.counts or {}
    if kpi.kind == "nps":
        s = nps_from_counts(int(sum(k for x, k in c.items() if x >= 9)),
                            int(sum(k for x, k in c.items() if 7 <= x < 9)),
                            int(sum(k for x, k in c.items() if x < 7)))
        return {"n": s["n"], "value": s["nps"], "ci_lower": s["nps_ci_lower"], "ci_upper": s["nps_ci_upper"]}
    if kpi.kind == "top2":
        x, n = int(sum(k for y, k in c.items() if y >= kpi.threshold)), int(v.n)
        lo, hi = wilson_ci(x, n)
        return {"n": n, "value": x / n if n else math.nan, "ci_lower": lo, "ci_upper": hi}
    n = int(v.n)
    out = {"n": n, "value": math.nan if n == 0 else float(v.mean), "ci_lower": math.nan, "ci_upper": math.nan}
    if n >= 2:
        h = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(v.m2 / (n - 1)) / math.sqrt(n)
        out.update(ci_lower=out["value"] - h, ci_upper=out["value"] + h)
    if kpi.kind == "gap_aspiration":
        for key in ("value", "ci_lower", "ci_upper"):
            out[key] -= kpi.aspiration
    return out


def _welch_parts(parts):
    """parts: [(sign, sample)] -> (estimate, se, Welch-Satterthwaite df) of sum(sign * mean)."""
    nmv = [_nmv(v) for _, v in parts]
    est = sum(sign * m for (sign, _), (_, m, _) in zip(parts, nmv))
    var = [vv / n for n, _, vv in nmv]
    se = math.sqrt(sum(var))
    df = sum(var) ** 2 / sum(x ** 2 / (n - 1) for x, (n, _, _) in zip(var, nmv))
    return est, se, df


def _finite(v):
    import numpy as np

    if isinstance(v, Sample):
        return v
    v = np.asarray(v, dtype=float)
    return v[np.isfinite(v)]


def gap_cell(customers, staff) -> dict:
    """Customers' mean minus staff's mean with its Welch 95% CI (``gap_staff`` cells)."""
    import numpy as np
    from scipy import stats

    del np
    c, s = _finite(customers), _finite(staff)
    nc, ns = _size(c), _size(s)
    out = {"n": int(nc), "n_staff": int(ns)}
    if nc < 2 or ns < 2:
        return {**out, "value": math.nan, "ci_lower": math.nan, "ci_upper": math.nan}
    est, se, df = _welch_parts([(1, c), (-1, s)])
    h = float(stats.t.ppf(0.975, df)) * se
    return {**out, "value": est, "ci_lower": est - h, "ci_upper": est + h}


def gap_change(ca, sa, cb, sb) -> dict:
    """Change of a customer-staff gap between independent waves a -> b (Welch-Satterthwaite)."""
    import numpy as np
    from scipy import stats

    del np
    parts = [(sign, _finite(v)) for sign, v in ((1, cb), (-1, sb), (-1, ca), (1, sa))]
    diff, se, df = _welch_parts(parts)
    t = diff / se
    h = float(stats.t.ppf(0.975, df)) * se
    return {"diff": diff, "se": se, "ci_lower": diff - h, "ci_upper": diff + h, "statistic": t, "df": df,
            "pvalue": float(2 * stats.t.sf(abs(t), df)), "test": "Welch-Satterthwaite t (gap of gaps)"}


def change_stats(a, b, kpi: Kpi) -> dict:
    """Change from sample ``a`` (earlier wave) to ``b``: diff, 95% CI, p (see module docstring)."""
    if isinstance(a, Sample) or isinstance(b, Sample):
        return _sample_change(a, b, kpi)
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if kpi.kind == "nps":
        from cxstats.stats.nps import nps_difference

        d = nps_difference(b, a)
        return {"diff": d["diff"], "se": d["diff_se"], "ci_lower": d["diff_ci_lower"],
                "ci_upper": d["diff_ci_upper"], "statistic": d["z"], "df": None, "pvalue": d["pvalue"],
                "test": "adjusted-Wald z"}
    if kpi.kind == "top2":
        from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

        xa, xb = int((a >= kpi.threshold).sum()), int((b >= kpi.threshold).sum())
        na, nb = a.size, b.size
        test = test_proportions_2indep(xb, nb, xa, na, method="score", compare="diff")
        lo, hi = confint_proportions_2indep(xb, nb, xa, na, method="newcomb", compare="diff")
        return {"diff": xb / nb - xa / na, "se": None, "ci_lower": float(lo), "ci_upper": float(hi),
                "statistic": float(test.statistic), "df": None, "pvalue": float(test.pvalue),
                "test": "score z (Newcombe CI)"}
    from scipy import stats

    t = stats.ttest_ind(b, a, equal_var=False)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    h = float(stats.t.ppf(0.975, df)) * se
    diff = float(b.mean() - a.mean())
    return {"diff": diff, "se": se, "ci_lower": diff - h, "ci_upper": diff + h, "statistic": float(t.statistic),
            "df": float(df), "pvalue": float(t.pvalue), "test": "Welch t"}


def _sample_change(a: Sample, b: Sample, kpi: Kpi) -> dict:
    """:func:`change_stats` of two :class:`Sample` cells (the same tests from counts and moments)."""
    from scipy import stats

    if kpi.kind == "nps":
        from cxstats.moments import Counts
        from cxstats.stats.from_moments import nps_difference_counts

        d = nps_difference_counts(Counts(dict(b.counts or {})), Counts(dict(a.counts or {})))
        return {"diff": d["diff"], "se": d["diff_se"], "ci_lower": d["diff_ci_lower"],
                "ci_upper": d["diff_ci_upper"], "statistic": d["z"], "df": None, "pvalue": d["pvalue"],
                "test": "adjusted-Wald z"}
    if kpi.kind == "top2":
        from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

        xa = int(sum(k for v, k in (a.counts or {}).items() if v >= kpi.threshold))
        xb = int(sum(k for v, k in (b.counts or {}).items() if v >= kpi.threshold))
        na, nb = a.n, b.n
        test = test_proportions_2indep(xb, nb, xa, na, method="score", compare="diff")
        lo, hi = confint_proportions_2indep(xb, nb, xa, na, method="newcomb", compare="diff")
        return {"diff": xb / nb - xa / na, "se": None, "ci_lower": float(lo), "ci_upper": float(hi),
                "statistic": float(test.statistic), "df": None, "pvalue": float(test.pvalue),
                "test": "score z (Newcombe CI)"}
    va, vb = a.m2 / (a.n - 1) / a.n, b.m2 / (b.n - 1) / b.n
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
    diff = float(b.mean - a.mean)
    t = diff / se
    h = float(stats.t.ppf(0.975, df)) * se
    return {"diff": diff, "se": se, "ci_lower": diff - h, "ci_upper": diff + h, "statistic": t,
            "df": float(df), "pvalue": float(2 * stats.t.sf(abs(t), df)), "test": "Welch t"}


def trend_from_samples(samples: dict) -> dict:
    """:func:`trend_stats` from each wave's :class:`Sample` of the answer-level values
    (``{wave index: Sample}``): the OLS slope on the wave index and its HC3 SE in closed form.
    The leverage of a row depends only on its wave, h = 1/N + (x - xbar)^2/Sxx, and the sum of a
    wave's squared residuals is M2 + n (mean - fitted)^2, so the HC3 variance of the slope,
    sum (x_i - xbar)^2 e_i^2/(1 - h_i)^2 / Sxx^2 (MacKinnon & White 1985), needs only n, mean and
    M2 per wave; p from the normal distribution, as statsmodels' ``cov_type="HC3"``."""
    from scipy import stats

    cells = [(float(x), v) for x, v in sorted(samples.items()) if v.n > 0]
    n_all = sum(v.n for _, v in cells)
    if n_all < 3 or len(cells) < 3:
        return {"slope": None, "se_hc3": None, "pvalue": None}
    xbar = sum(v.n * x for x, v in cells) / n_all
    ybar = sum(v.n * v.mean for _, v in cells) / n_all
    sxx = sum(v.n * (x - xbar) ** 2 for x, v in cells)
    slope = sum(v.n * (x - xbar) * (v.mean - ybar) for x, v in cells) / sxx
    icept = ybar - slope * xbar
    meat = 0.0
    for x, v in cells:
        h = 1.0 / n_all + (x - xbar) ** 2 / sxx
        sse = v.m2 + v.n * (v.mean - icept - slope * x) ** 2
        meat += (x - xbar) ** 2 * sse / (1.0 - h) ** 2
    se = math.sqrt(meat) / sxx
    return {"slope": float(slope), "se_hc3": float(se), "pvalue": float(2 * stats.norm.sf(abs(slope / se)))}


def _size(v) -> int:
    return v.n if isinstance(v, Sample) else int(v.size)


def trend_stats(values, wave_index) -> dict:
    """OLS slope of answer-level values on the wave index, HC3 SE (statsmodels)."""
    import numpy as np
    import statsmodels.api as sm

    y = np.asarray(values, dtype=float)
    x = np.asarray(wave_index, dtype=float)
    ok = np.isfinite(y) & np.isfinite(x)
    if ok.sum() < 3 or np.unique(x[ok]).size < 3:
        return {"slope": None, "se_hc3": None, "pvalue": None}
    fit = sm.OLS(y[ok], sm.add_constant(x[ok])).fit(cov_type="HC3")
    return {"slope": float(fit.params[1]), "se_hc3": float(fit.bse[1]), "pvalue": float(fit.pvalues[1])}


@dataclass
class TrackResult:
    waves: list
    kpis: list                                    # [{kpi, kind, group, touchpoint, aspiration}]
    cells: list = field(default_factory=list)     # kpi, segment, wave, n, value, ci_lower, ci_upper, suppressed
    changes: list = field(default_factory=list)   # kpi, segment, from_wave, to_wave, diff, ci, pvalue, p_holm, p_bh
    trends: list = field(default_factory=list)    # kpi, segment, slope, se_hc3, pvalue
    segment_column: str | None = None
    baseline: str | None = None
    min_n: int = 30
    alpha: float = 0.05
    sample: dict = field(default_factory=dict)    # answers used / excluded (immediacy window)
    weights: str = "unweighted"
    invariance: dict | None = None                # longitudinal invariance (from an invariance step)
    control: list = field(default_factory=list)   # periods: kpi, wave, n, value, center, lcl, ucl, outside
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"analysis": "track", "waves": self.waves, "baseline": self.baseline, "kpis": self.kpis,
                "segment_column": self.segment_column, "min_n": self.min_n, "alpha": self.alpha,
                "multiple_comparisons": {"family": "every tested change of this result (a gap to aspiration "
                                                   "shares its construct's test)", "n_tests":
                                         sum(1 for c in self.changes if c["pvalue"] is not None
                                             and not str(c.get("test", "")).startswith("= change of")),
                                         "rule": "significant = Holm-adjusted p < alpha (BH also reported)"},
                "sample": self.sample, "weights": self.weights, "invariance": self.invariance,
                "cells": self.cells, "changes": self.changes, "trends": self.trends, "control": self.control,
                "warnings": list(self.warnings)}

    def tables(self) -> dict:
        import pandas as pd

        out = {"Waves": pd.DataFrame(self.cells), "Changes": pd.DataFrame(self.changes)}
        if self.trends:
            out["Trends"] = pd.DataFrame(self.trends)
        if self.control:
            out["Control limits"] = pd.DataFrame(self.control)
        return out

    def wide(self, segment: str = "all"):
        """KPI rows x wave columns of values (suppressed cells blank)."""
        import pandas as pd

        rows = {}
        for c in self.cells:
            if c["segment"] == segment:
                rows.setdefault(c["kpi"], {})[c["wave"]] = c["value"]
        return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=self.waves)

    def methods(self) -> list:
        m = [
            ("Waves", f"Waves in order: {', '.join(map(str, self.waves))}; baseline {self.baseline}. Each wave is "
                      "an independent sample of customers."),
            ("NPS per wave", "NPS = % promoters (9-10) - % detractors (0-6) with the adjusted-Wald 95% CI "
                             "(Rocks 2016; n + 3, counts + 3/4)."),
            ("NPS change", "d = NPS(to) - NPS(from). For independent waves Var(d) = V1/n1 + V2/n2 with "
                           "V = P + D - (P - D)^2 (multinomial variance of a difference of two shares of one "
                           "sample); z test and 95% CI on the adjusted-Wald estimates (Lewis & Sauro 2021)."),
            ("Means", "Construct scores (mean of a respondent's items), touchpoint scores (mean of its "
                      "constructs' scores) and CES: mean with a t-based 95% CI; change by Welch's t test "
                      "and CI (R t.test(var.equal = FALSE))."),
            ("Top-2-box", "Share of answers in the top two codes with a Wilson 95% CI; change by the "
                          "Miettinen-Nurminen score test for two independent proportions with Newcombe's hybrid score interval "
                          "(Newcombe 1998, method 10; statsmodels)."),
            ("Gaps", "Gap to aspiration = construct score - the client's aspiration, with the score's t CI "
                     "shifted; its change is the score's change (same test, counted once). Customer-staff gap "
                     "= customers' mean score - frontline staff's mean score in the same wave, Welch 95% CI; "
                     "its change between waves (a difference of two gaps) by a t test with SE = sqrt of the "
                     "sum of the four s^2/n and Welch-Satterthwaite df (Satterthwaite 1946)."),
            ("Small cells", f"Cells with fewer than {self.min_n} answers are suppressed (n shown, no value) "
                            "and their changes are not tested."),
            ("Multiple comparisons", f"All tested changes (consecutive waves and each wave against the "
                                     f"baseline, every KPI and segment) are one family: Holm (family-wise) and "
                                     f"Benjamini-Hochberg (false discovery rate) adjusted p-values are both "
                                     f"reported; a change is marked significant when p_holm < {self.alpha:g}."),
            ("Trend", "Linear trend over >= 3 waves: OLS slope of the answer-level values on the wave index "
                      "(0, 1, 2, ...; NPS answers scored +100/0/-100), HC3 standard errors; unadjusted p."),
            ("Weights", self.weights),
        ]
        if self.control:
            m.append(("Control limits", "Periods of a continuous stream (all customers): p-chart for shares "
                      "(centre p = pooled share, limits p +/- 3 sqrt(p(1-p)/n_i)); X-bar chart for means and NPS "
                      "(NPS as the mean of +100/0/-100 answer scores; centre = grand mean, limits +/- 3 s/sqrt(n_i), "
                      "s the pooled within-period SD); Montgomery, Introduction to Statistical Quality Control. "
                      "A period outside its limits is flagged."))
        if self.invariance is not None:
            m.append(("Longitudinal invariance", "Construct means are compared across waves only under scalar "
                      "invariance across the waves (configural, metric, scalar per construct, the invariance "
                      "step with group: wave); constructs below it, and the touchpoints holding them, are "
                      "marked not comparable." if self.invariance.get("checked") else
                      "Not checked in this run: " + self.invariance.get("how", "")))
        if self.sample.get("within_window"):
            m.append(("Immediacy window", f"Only answers given within {self.sample['max_lag_hours']:g} h of "
                      f"the contact: {self.sample['excluded_late']} late answers and "
                      f"{self.sample['excluded_unknown_lag']} without a known lag left out."))
        return m


def _labels(values):
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def analyze_track(frame, kpis: list[Kpi], *, wave: str = "wave", waves: list | None = None,
                  by: str | None = None, baseline: str | None = None, min_n: int = 30,
                  alpha: float = 0.05, control_limits: bool = False, staff=None) -> TrackResult:
    """Per KPI x segment x wave cells, wave-on-wave and against-baseline changes, trends.

    ``staff``: a boolean per row, True for frontline staff's answers: they enter only the
    ``gap_staff`` KPIs; every other KPI is the customers' (rows where it is False)."""
    import numpy as np

    _check(kpis, min_n, alpha)
    for k in kpis:
        if k.column not in frame.columns:
            raise InputError(f"{k.column!r} is not a column of the data", option="kpis")
    is_staff = np.zeros(len(frame), dtype=bool) if staff is None else np.asarray(staff, dtype=bool)
    labels = np.array(_labels(frame[wave].tolist()), dtype=object)
    present = sorted({w for w in labels[~is_staff] if w is not None})
    masks = {"all": np.ones(len(frame), dtype=bool)}
    if by:
        seg = np.array(_labels(frame[by].tolist()), dtype=object)
        masks.update({s: seg == s for s in sorted({s for s in seg if s is not None})})
    cols = {}

    def sample(k, seg_name, w, staff_side):
        if k.column not in cols:
            cols[k.column] = frame[k.column].to_numpy(dtype=float)
        return cols[k.column][masks[seg_name] & (labels == w) & (is_staff == staff_side)]

    def trend(k, seg_name, index):
        col = frame[k.column].to_numpy(dtype=float)
        use = masks[seg_name] & np.array([w is not None for w in labels]) & ~is_staff
        y = col[use]
        if k.kind == "nps":
            y = np.where(np.isfinite(y), np.where(y >= 9, 100.0, np.where(y <= 6, -100.0, 0.0)), np.nan)
        elif k.kind == "top2":
            y = np.where(np.isfinite(y), (y >= k.threshold).astype(float), np.nan)
        x = np.array([index[w] for w in labels[use]], dtype=float)
        return trend_stats(y, x)

    def control(chart_kpis, order):
        return control_chart(frame[~is_staff], chart_kpis, labels[~is_staff], order, min_n)

    return track_core(kpis, present, list(masks)[1:], sample, trend, control, has_staff=bool(is_staff.any()),
                      waves=waves, by=by, baseline=baseline, min_n=min_n, alpha=alpha,
                      control_limits=control_limits)


def _check(kpis, min_n, alpha):
    if min_n < 2:
        raise InputError(f"must be at least 2, not {min_n}", option="min_n")
    if not 0 < alpha < 1:
        raise InputError(f"must lie between 0 and 1, not {alpha}", option="alpha")
    for k in kpis:
        if k.kind not in KINDS:
            raise InputError(f"unknown KPI kind {k.kind!r}", option="kpis")


def track_core(kpis, present, segments, sample, trend, control, *, has_staff: bool, waves=None, by=None,
               baseline=None, min_n: int = 30, alpha: float = 0.05, control_limits: bool = False) -> TrackResult:
    """The analysis over cells, whichever way their answers are held: ``present`` the customers'
    wave labels, ``segments`` the values of ``by``; ``sample(kpi, segment or 'all', wave, staff)``
    a cell's answers (an array, or a :class:`Sample` from an engine); ``trend(kpi, segment,
    {wave: index})`` the trend row; ``control(kpis, order)`` the control-chart rows."""
    import numpy as np
    from cxstats.stats.gaps.tests import adjust_pvalues   # not statsmodels' multipletests: see there

    _check(kpis, min_n, alpha)
    if any(k.kind == "gap_staff" for k in kpis) and not has_staff:
        raise InputError("customer-staff gaps need staff answers in the waves", option="kpis")
    order = [w for w in (waves or present) if w in present] + [w for w in present if w not in (waves or present)]
    if len(order) < 2:
        raise InputError(f"tracking needs at least two waves; the data hold {len(order)} "
                         f"({', '.join(order) or 'none'})", option="wave")
    if baseline is not None and baseline not in order:
        raise InputError(f"{baseline!r} is not a wave of the data ({', '.join(order)})", option="baseline")
    base = baseline or order[0]
    res = TrackResult(order, [{"kpi": k.id, "kind": k.kind, "group": k.group, "touchpoint": k.touchpoint,
                               "aspiration": k.aspiration, "of": k.of} for k in kpis],
                      segment_column=by, baseline=base, min_n=min_n, alpha=alpha)
    index = {w: i for i, w in enumerate(order)}
    pairs = list(zip(order, order[1:]))
    pairs += [(base, w) for w in order if w != base and (base, w) not in pairs]
    for k in kpis:
        for seg_name in ["all", *segments]:
            samples = {w: sample(k, seg_name, w, False) for w in order}
            staff_samples = ({w: sample(k, seg_name, w, True) for w in order} if k.kind == "gap_staff"
                             else {})
            n_ok = {}
            for w in order:
                if k.kind == "gap_staff":
                    cell = gap_cell(samples[w], staff_samples[w])
                    suppressed = min(cell["n"], cell["n_staff"]) < min_n
                else:
                    cell = cell_stats(samples[w], k)
                    suppressed = cell["n"] < min_n
                n_ok[w] = not suppressed
                if suppressed:
                    cell.update(value=None, ci_lower=None, ci_upper=None)
                row = {"kpi": k.id, "segment": seg_name, "wave": w, **cell, "suppressed": suppressed}
                if k.aspiration is not None and cell["value"] is not None and k.kind != "gap_aspiration":
                    row["gap_to_aspiration"] = cell["value"] - k.aspiration
                res.cells.append(row)
            for a, b in pairs:
                ch = {"kpi": k.id, "segment": seg_name, "from_wave": a, "to_wave": b,
                      "versus": "previous" if index[b] == index[a] + 1 else "baseline"}
                if n_ok[a] and n_ok[b] and k.kind == "gap_staff":
                    ch.update(gap_change(samples[a], staff_samples[a], samples[b], staff_samples[b]))
                elif n_ok[a] and n_ok[b]:
                    ch.update(change_stats(samples[a], samples[b], k))
                else:
                    ch.update(diff=None, se=None, ci_lower=None, ci_upper=None, statistic=None, df=None,
                              pvalue=None, test="suppressed (small n)")
                res.changes.append(ch)
            if len(order) >= 3 and k.kind != "gap_staff" and all(n_ok.values()):
                # a gap to a constant trends as its score
                res.trends.append({"kpi": k.id, "segment": seg_name, **trend(k, seg_name, index)})
    if control_limits:
        res.control = control([k for k in kpis if not k.kind.startswith("gap")], order)
        out = [c for c in res.control if c["outside"]]
        if out:
            res.warnings.append(f"{len(out)} period(s) outside the 3-sigma control limits: "
                                + ", ".join(f"{c['kpi']} {c['wave']}" for c in out[:8])
                                + (" ..." if len(out) > 8 else ""))
    # a gap to aspiration changes exactly as its construct: the same test, counted once
    same = {k.id: k.of for k in kpis if k.kind == "gap_aspiration"}
    tested = [c for c in res.changes if c["pvalue"] is not None and math.isfinite(c["pvalue"])
              and c["kpi"] not in same]
    if tested:
        p = np.array([c["pvalue"] for c in tested])
        holm = adjust_pvalues(p, "holm")
        bh = adjust_pvalues(p, "bh")
        for c, h, f in zip(tested, holm, bh):
            c["p_holm"], c["p_bh"], c["significant"] = float(h), float(f), bool(h < alpha)
    if same:
        by_key = {(c["kpi"], c["segment"], c["from_wave"], c["to_wave"]): c for c in res.changes}
        for c in res.changes:
            if c["kpi"] in same:
                twin = by_key.get((same[c["kpi"]], c["segment"], c["from_wave"], c["to_wave"]))
                if twin is not None and "p_holm" in twin:
                    c.update(p_holm=twin["p_holm"], p_bh=twin["p_bh"], significant=twin["significant"])
                if c["pvalue"] is not None:
                    c["test"] = f"= change of {same[c['kpi']]} (aspiration constant)"
    for c in res.changes:
        c.setdefault("p_holm", None)
        c.setdefault("p_bh", None)
        c.setdefault("significant", False)
    n_supp = sum(1 for c in res.cells if c["suppressed"])
    if n_supp:
        res.warnings.append(f"{n_supp} cell(s) with fewer than {min_n} answers are suppressed and their "
                            "changes not tested")
    return res


def control_chart(frame, kpis, labels, order, min_n) -> list:
    """3-sigma control limits per period (segment 'all'): p-chart for top-2-box shares,
    X-bar chart (pooled within-period SD) for means and NPS answer scores."""
    import numpy as np

    rows = []
    for k in kpis:
        col = frame[k.column].to_numpy(dtype=float)
        if k.kind == "nps":
            col = np.where(np.isfinite(col), np.where(col >= 9, 100.0, np.where(col <= 6, -100.0, 0.0)), np.nan)
        elif k.kind == "top2":
            col = np.where(np.isfinite(col), (col >= k.threshold).astype(float), np.nan)
        samples = {w: col[(labels == w) & np.isfinite(col)] for w in order}
        rows += control_rows(k, {w: (v.size, v.mean(), ((v - v.mean()) ** 2).sum())
                                 for w, v in samples.items() if v.size >= min_n})
    return rows


def control_rows(k: Kpi, cells: dict) -> list:
    """The control-chart rows of one KPI from ``{period: (n, mean, M2)}`` of the periods with at
    least min_n answers (answer-level values: NPS +100/0/-100, top-2-box 1/0)."""
    import numpy as np

    rows = []
    if len(cells) < 2:
        return rows
    n = np.array([c[0] for c in cells.values()], dtype=float)
    means = np.array([c[1] for c in cells.values()])
    centre = float((means * n).sum() / n.sum())
    if k.kind == "top2":
        sigma = np.sqrt(centre * (1 - centre) / n)
    else:
        pooled = math.sqrt(sum(c[2] for c in cells.values()) / (n.sum() - len(n)))
        sigma = pooled / np.sqrt(n)
    for w, m, s_, ni in zip(cells, means, sigma, n):
        lcl, ucl = centre - 3 * s_, centre + 3 * s_
        rows.append({"kpi": k.id, "wave": w, "n": int(ni), "value": float(m), "center": centre,
                     "lcl": float(lcl), "ucl": float(ucl), "outside": bool(m < lcl or m > ucl),
                     "chart": "p" if k.kind == "top2" else "x-bar"})
    return rows
