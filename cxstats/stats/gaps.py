"""Gap analysis: two groups (customers vs staff, or any two levels of a column)
compared per item, construct, touchpoint and component, with aspiration gaps,
survey weights and segment cuts.

Pure: a DataFrame and mappings in, a :class:`GapResult` out. Nothing here reads
files or prints.

Statistics per variable (group 1 = the first group named, differences are
group 1 - group 2), checked against R 4.2.2 (``tests/fixtures/reference``,
``r/07_gaps.R``):

* n, mean, SD (n - 1) and top-2-box share per group;
* Welch's t test = ``t.test(a, b)`` (t, Welch-Satterthwaite df, p, 95% CI of the
  difference), via :func:`scipy.stats.ttest_ind` with ``equal_var=False``;
* Mann-Whitney = ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``: normal
  approximation with tie and continuity correction; ``mw_u`` is U of group 1
  (R's W), via :func:`scipy.stats.mannwhitneyu` (``method="asymptotic"``);
* Hedges' g = J d, d = diff / pooled SD (n - 1), J = 1 - 3/(4(n1 + n2) - 9)
  (Hedges 1981); SE(g) = J sqrt((n1 + n2)/(n1 n2) + d^2 / (2 (n1 + n2)))
  (Hedges & Olkin 1985; Borenstein et al. 2009, *Introduction to Meta-Analysis*,
  eqs. 4.20 and 4.24-4.25), 95% CI g +/- 1.96 SE;
* Holm and Benjamini-Hochberg adjusted p (as R's ``p.adjust``; see
  :func:`adjust_pvalues`) within each family: the items, the constructs, the
  touchpoints, the components (and per segment value), separately for the Welch
  and the Mann-Whitney p-values.

With survey weights the descriptive statistics (mean, SD, top-2-box, difference,
gap to aspiration) are weighted and the difference gets a Taylor-linearisation
(sandwich) SE; Welch's t, Mann-Whitney and Hedges' g stay unweighted (they are
tests of the sample, not of the weighted population), and the result says so.

**One group against the aspirations** (``gap_analysis(data, group=None, ...)`` or
:func:`aspiration_gaps`; e.g. customers when there is no frontline-staff wave). The
result has the same :class:`GapResult` shape with one group; per row: n, mean, SD,
top-2-box, aspiration, ``gap_to_aspiration`` = mean - aspiration and, when the row has
an aspiration, checked against R 4.2.2 (``tests/fixtures/reference_extra/aspiration_reference.R``):

* the one-sample t test = ``t.test(x, mu = aspiration)``: ``t``, ``df`` = n - 1,
  ``pvalue``, ``t_ci_lower``/``t_ci_upper`` = the 95% CI of the gap (R's conf.int minus
  the aspiration), via :func:`scipy.stats.ttest_1samp`;
* the Wilcoxon signed-rank test = ``wilcox.test(x, mu = aspiration, exact = FALSE,
  correct = TRUE)``: zero differences dropped, normal approximation with tie and
  continuity correction (:func:`scipy.stats.wilcoxon` with ``zero_method="wilcox"``,
  ``correction=True``, ``method="asymptotic"``); ``wilcoxon_v`` is R's V (the sum of
  the ranks of the positive differences), ``wilcoxon_n`` the number of non-zero
  differences, ``wilcoxon_pvalue`` the p-value;
* Cohen's d for one sample = gap / SD (n - 1); Hedges' g = J d, J = 1 - 3/(4 df - 1),
  df = n - 1 (Hedges 1981; Borenstein et al. 2009, eqs. 4.22-4.23); SE(d) = sqrt(1/n +
  d^2/(2n)) (Hedges & Olkin 1985), SE(g) = J SE(d), 95% CI g +/- 1.96 SE(g);
* Holm and BH within each family (items, constructs, touchpoints, components, per
  segment value), separately for ``pvalue`` (-> ``p_holm``, ``p_bh``) and
  ``wilcoxon_pvalue`` (-> ``wilcoxon_p_holm``, ``wilcoxon_p_bh``); rows without an
  aspiration keep their descriptives, have no tests and are not in the family.

With survey weights the mean, SD, top-2-box and gap are weighted and the gap gets the
sandwich SE of the weighted mean (``gap_se``, ``gap_ci_lower``/``gap_ci_upper``,
``gap_z``, ``gap_pvalue`` normal, Holm/BH ``gap_p_holm``/``gap_p_bh``); the t test, the
Wilcoxon test and the effect size stay unweighted, as in the two-group analysis.
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field

from cxstats.errors import InputError

LEVELS = ("item", "construct", "touchpoint", "component")
LEVEL_KEYS = {"item": "items", "construct": "constructs", "touchpoint": "touchpoints",
              "component": "components"}
SCALAR_OK = ("scalar", "strict")
Z975 = 1.959963984540054
MIN_SHARE = 0.5  # a scale score needs at least this share of its items answered

WEIGHTED_STATS = ["mean", "sd", "top2", "diff", "gap_to_aspiration", "diff_se", "diff_ci_lower",
                  "diff_ci_upper", "diff_z", "diff_pvalue", "diff_p_holm", "diff_p_bh"]
ONE_WEIGHTED_STATS = ["mean", "sd", "top2", "gap_to_aspiration", "gap_se", "gap_ci_lower",
                      "gap_ci_upper", "gap_z", "gap_pvalue", "gap_p_holm", "gap_p_bh"]
ONE_UNWEIGHTED_STATS = ["n", "t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "p_holm", "p_bh",
                        "wilcoxon_v", "wilcoxon_n", "wilcoxon_pvalue", "wilcoxon_p_holm",
                        "wilcoxon_p_bh", "cohen_d", "hedges_g", "hedges_g_se", "hedges_g_ci_lower",
                        "hedges_g_ci_upper"]
ONE_TEST_KEYS = ["t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "wilcoxon_v", "wilcoxon_n",
                 "wilcoxon_pvalue", "cohen_d", "hedges_j", "hedges_g", "hedges_g_se",
                 "hedges_g_ci_lower", "hedges_g_ci_upper"]
UNWEIGHTED_STATS = ["n", "welch_t", "welch_df", "pvalue", "welch_ci_lower", "welch_ci_upper",
                    "p_holm", "p_bh", "mw_u", "mw_pvalue", "mw_p_holm", "mw_p_bh", "hedges_g",
                    "hedges_g_se", "hedges_g_ci_lower", "hedges_g_ci_upper"]


# ----------------------------------------------------------------------------------------
# single comparisons (arrays in, plain dicts out)
# ----------------------------------------------------------------------------------------
def hedges_g(a, b) -> dict:
    """Hedges' g with the approximate J and its large-sample 95% CI (see module docstring)."""
    import numpy as np

    n1, n2 = len(a), len(b)
    out = {"pooled_sd": math.nan, "cohen_d": math.nan, "hedges_j": math.nan, "hedges_g": math.nan,
           "hedges_g_se": math.nan, "hedges_g_ci_lower": math.nan, "hedges_g_ci_upper": math.nan,
           "hedges_j_exact": math.nan, "hedges_g_exact_j": math.nan}
    if n1 < 2 or n2 < 2:
        return out
    s1, s2 = np.var(a, ddof=1), np.var(b, ddof=1)
    sp = math.sqrt(((n1 - 1) * s1 + (n2 - 1) * s2) / (n1 + n2 - 2))
    if not sp > 0:
        return out
    d = (float(np.mean(a)) - float(np.mean(b))) / sp
    j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    g = j * d
    se = j * math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))
    df = n1 + n2 - 2
    j_exact = math.exp(math.lgamma(df / 2) - 0.5 * math.log(df / 2) - math.lgamma((df - 1) / 2)) \
        if df > 1 else math.nan
    out.update(pooled_sd=sp, cohen_d=d, hedges_j=j, hedges_g=g, hedges_g_se=se,
               hedges_g_ci_lower=g - Z975 * se, hedges_g_ci_upper=g + Z975 * se,
               hedges_j_exact=j_exact, hedges_g_exact_j=j_exact * d)
    return out


def welch_test(a, b) -> dict:
    """Welch's two-sample t test (R ``t.test(a, b)``)."""
    from scipy import stats

    out = {"welch_t": math.nan, "welch_df": math.nan, "pvalue": math.nan,
           "welch_ci_lower": math.nan, "welch_ci_upper": math.nan}
    if len(a) < 2 or len(b) < 2:
        return out
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = stats.ttest_ind(a, b, equal_var=False)
        if not math.isfinite(float(res.statistic)):
            return out
        ci = res.confidence_interval(0.95)
    out.update(welch_t=float(res.statistic), welch_df=float(res.df), pvalue=float(res.pvalue),
               welch_ci_lower=float(ci.low), welch_ci_upper=float(ci.high))
    return out


def mann_whitney(a, b) -> dict:
    """Mann-Whitney U of the first sample with the normal approximation, tie and
    continuity correction (R ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``)."""
    from scipy import stats

    out = {"mw_u": math.nan, "mw_pvalue": math.nan}
    if len(a) < 1 or len(b) < 1:
        return out
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                                 method="asymptotic")
    out.update(mw_u=float(res.statistic), mw_pvalue=float(res.pvalue))
    return out


def weighted_mean_var(y, w) -> tuple[float, float, float, float]:
    """Weighted mean, weighted SD, linearisation variance of the mean and Kish's design effect.

    * mean = sum(w y) / sum(w) (= ``numpy.average(y, weights=w)``);
    * SD^2 = n/(n-1) * sum(w (y - mean)^2) / sum(w): the population-variance estimator
      with the usual n/(n-1) small-sample factor (reduces to the ordinary SD when all
      weights are equal; does not depend on the scale of the weights);
    * var(mean) = n/(n-1) * sum(w^2 (y - mean)^2) / sum(w)^2: the Taylor-linearisation
      (sandwich) variance of a ratio mean under with-replacement sampling, as
      ``survey::svymean`` gives for a design without clusters (Wolter 2007, ch. 6);
    * deff (Kish 1965) = n sum(w^2) / sum(w)^2.
    """
    import numpy as np

    n = len(y)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    sw = float(np.sum(w))
    m = float(np.sum(w * y) / sw)
    if n < 2:
        return m, math.nan, math.nan, 1.0
    r = y - m
    f = n / (n - 1.0)
    sd = math.sqrt(f * float(np.sum(w * r * r)) / sw)
    vm = f * float(np.sum(w * w * r * r)) / (sw * sw)
    deff = n * float(np.sum(w * w)) / (sw * sw)
    return m, sd, vm, deff


def compare_two(a, b, *, top2_threshold: float | None = None, wa=None, wb=None) -> dict:
    """Every statistic for one variable; ``a``/``b`` without missing values."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n1, n2 = len(a), len(b)
    row = {"n": [n1, n2]}
    m = [float(np.mean(x)) if len(x) else math.nan for x in (a, b)]
    s = [float(np.std(x, ddof=1)) if len(x) > 1 else math.nan for x in (a, b)]
    t2 = [float(np.mean(x >= top2_threshold)) if len(x) and top2_threshold is not None else math.nan
          for x in (a, b)]
    if wa is not None:
        row["mean_unweighted"] = list(m)
        row["diff_unweighted"] = m[0] - m[1]
        wm = [weighted_mean_var(x, w) for x, w in ((a, wa), (b, wb))]
        m = [v[0] for v in wm]
        s = [v[1] for v in wm]
        if top2_threshold is not None:
            t2 = [float(np.sum(w * (x >= top2_threshold)) / np.sum(w)) if len(x) else math.nan
                  for x, w in ((a, wa), (b, wb))]
        se = math.sqrt(wm[0][2] + wm[1][2]) if all(math.isfinite(v[2]) for v in wm) else math.nan
        diff = m[0] - m[1]
        z = diff / se if se and math.isfinite(se) and se > 0 else math.nan
        row.update(diff_se=se, diff_ci_lower=diff - Z975 * se, diff_ci_upper=diff + Z975 * se,
                   diff_z=z, diff_pvalue=math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else math.nan,
                   deff=[wm[0][3], wm[1][3]],
                   n_eff=[float(np.sum(w)) ** 2 / float(np.sum(w * w)) if len(w) else 0.0
                          for w in (wa, wb)])
    row["mean"], row["sd"], row["top2"] = m, s, t2
    row["diff"] = m[0] - m[1]
    row.update(welch_test(a, b))
    row.update(student_test(a, b))
    row.update(mann_whitney(a, b))
    if n1 and n2 and math.isfinite(row["mw_u"]):
        row["mw_u_other"] = n1 * n2 - row["mw_u"]
        row["rank_biserial"] = 2 * row["mw_u"] / (n1 * n2) - 1
    row.update(hedges_g(a, b))
    return row


def student_test(a, b) -> dict:
    """Student's pooled-variance t test (R ``t.test(a, b, var.equal = TRUE)``), for reference."""
    from scipy import stats

    out = {"student_t": math.nan, "student_df": math.nan, "student_p": math.nan}
    if len(a) < 2 or len(b) < 2:
        return out
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = stats.ttest_ind(a, b, equal_var=True)
    if math.isfinite(float(res.statistic)):
        out.update(student_t=float(res.statistic), student_df=float(res.df), student_p=float(res.pvalue))
    return out


def one_sample_t(x, mu: float) -> dict:
    """One-sample t test of mean(x) = mu (R ``t.test(x, mu = mu)``); the CI is of mean - mu."""
    from scipy import stats

    out = {"t": math.nan, "df": math.nan, "pvalue": math.nan, "t_ci_lower": math.nan,
           "t_ci_upper": math.nan}
    if len(x) < 2:
        return out
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = stats.ttest_1samp(x, popmean=mu)
        if not math.isfinite(float(res.statistic)):
            return out
        ci = res.confidence_interval(0.95)
    out.update(t=float(res.statistic), df=float(res.df), pvalue=float(res.pvalue),
               t_ci_lower=float(ci.low) - mu, t_ci_upper=float(ci.high) - mu)
    return out


def wilcoxon_signed_rank(x, mu: float) -> dict:
    """Wilcoxon signed-rank test of x against mu as R ``wilcox.test(x, mu = mu, exact = FALSE,
    correct = TRUE)``: zero differences dropped, normal approximation with tie and continuity
    correction. ``wilcoxon_v`` is R's V (sum of the ranks of |x - mu| over the positive
    differences); the p-value comes from :func:`scipy.stats.wilcoxon` with the same options."""
    import numpy as np
    from scipy import stats

    out = {"wilcoxon_v": math.nan, "wilcoxon_n": 0, "wilcoxon_pvalue": math.nan}
    d = np.asarray(x, dtype=float) - mu
    d = d[d != 0]
    out["wilcoxon_n"] = int(d.size)
    if d.size == 0:
        return out
    ranks = stats.rankdata(np.abs(d))
    out["wilcoxon_v"] = float(np.sum(ranks[d > 0]))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = stats.wilcoxon(d, zero_method="wilcox", correction=True, alternative="two-sided",
                             method="asymptotic")
    p = float(res.pvalue)
    out["wilcoxon_pvalue"] = p if math.isfinite(p) else math.nan
    return out


def one_sample_effect(x, mu: float) -> dict:
    """Cohen's d for one sample (gap / SD) and Hedges' g with its 95% CI (module docstring)."""
    import numpy as np

    n = len(x)
    out = {"cohen_d": math.nan, "hedges_j": math.nan, "hedges_g": math.nan, "hedges_g_se": math.nan,
           "hedges_g_ci_lower": math.nan, "hedges_g_ci_upper": math.nan}
    if n < 3:   # J needs df = n - 1 >= 2
        return out
    sd = float(np.std(x, ddof=1))
    if not sd > 0:
        return out
    d = (float(np.mean(x)) - mu) / sd
    j = 1.0 - 3.0 / (4.0 * (n - 1) - 1.0)
    se = j * math.sqrt(1.0 / n + d * d / (2.0 * n))
    g = j * d
    out.update(cohen_d=d, hedges_j=j, hedges_g=g, hedges_g_se=se, hedges_g_ci_lower=g - Z975 * se,
               hedges_g_ci_upper=g + Z975 * se)
    return out


def describe_one(x, aspiration=None, *, top2_threshold: float | None = None, w=None) -> dict:
    """Every one-group statistic for one variable; ``x`` without missing values. Without an
    aspiration only the descriptives are filled (the test fields are NaN)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    n = len(x)
    m = float(np.mean(x)) if n else math.nan
    sd = float(np.std(x, ddof=1)) if n > 1 else math.nan
    t2 = float(np.mean(x >= top2_threshold)) if n and top2_threshold is not None else math.nan
    row = {"n": n}
    asp = None if aspiration is None else float(aspiration)
    if w is not None:
        w = np.asarray(w, dtype=float)
        row["mean_unweighted"] = m
        row["gap_unweighted"] = m - asp if asp is not None else math.nan
        m, sd, vm, deff = weighted_mean_var(x, w)
        if top2_threshold is not None and n:
            t2 = float(np.sum(w * (x >= top2_threshold)) / np.sum(w))
        se = math.sqrt(vm) if math.isfinite(vm) else math.nan
        gap = m - asp if asp is not None else math.nan
        z = gap / se if math.isfinite(gap) and math.isfinite(se) and se > 0 else math.nan
        row.update(gap_se=se if asp is not None else math.nan, gap_ci_lower=gap - Z975 * se,
                   gap_ci_upper=gap + Z975 * se, gap_z=z,
                   gap_pvalue=math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else math.nan,
                   deff=deff, n_eff=float(np.sum(w)) ** 2 / float(np.sum(w * w)) if n else 0.0)
    row.update(mean=m, sd=sd, top2=t2, aspiration=asp,
               gap_to_aspiration=m - asp if asp is not None else math.nan)
    if asp is None:
        row.update({k: math.nan for k in ONE_TEST_KEYS})
        row["wilcoxon_n"] = None
        return row
    row.update(one_sample_t(x, asp))
    row.update(wilcoxon_signed_rank(x, asp))
    row.update(one_sample_effect(x, asp))
    return row


def adjust_pvalues(pvalues, method: str):
    """Holm (``holm``) or Benjamini-Hochberg (``bh``) over the finite p-values, NaN kept.

    Written out rather than taken from statsmodels' ``multipletests``: its Holm path runs a
    full garbage collection on every call (160-270 ms each, most of a small gap analysis;
    benchmarks/README.md). Same definitions as R's ``p.adjust`` (Holm 1979; Benjamini &
    Hochberg 1995), checked against it in tests/test_gaps.py.
    """
    import numpy as np

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    sorted_p = p[ok][order]
    if method == "holm":   # step-down: max over j <= i of (m - j + 1) p_(j)
        adj = np.maximum.accumulate((m - np.arange(m)) * sorted_p)
    elif method == "bh":   # step-up: min over j >= i of m p_(j) / j
        adj = np.minimum.accumulate((m / np.arange(m, 0, -1)) * sorted_p[::-1])[::-1]
    else:
        raise ValueError(f"unknown adjustment {method!r}")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(adj, 1.0)
    out[ok] = adjusted
    return out


# ----------------------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------------------
@dataclass
class GapResult:
    groups: tuple
    group_column: str
    rows: list  # one dict per (level, name)
    scale_max: float | None
    scale_max_source: str
    weight: str | None = None
    segment_column: str | None = None
    min_n: int = 30
    segments: list = field(default_factory=list)  # one dict per (segment, level, name)
    group_sizes: dict = field(default_factory=dict)
    invariance: dict = field(default_factory=dict)
    alpha: float = 0.05
    levels: dict = field(default_factory=dict)  # level -> {name: [items]}
    warnings: list = field(default_factory=list)

    @property
    def one_group(self) -> bool:
        """True for the one-group analysis (one group against the aspirations)."""
        return len(self.groups) == 1

    def with_invariance(self, verdicts) -> "GapResult":
        """A copy whose construct (and containing touchpoint/component) rows carry the
        invariance verdicts ``{construct: "configural"|"metric"|"scalar"|"strict"|"none"}``:
        anything below scalar makes the mean comparison not interpretable. A one-group
        result compares no groups, so the verdicts do not apply and it is returned as is."""
        import copy

        new = copy.deepcopy(self)
        if not verdicts or self.one_group:
            return new
        new.invariance = {**new.invariance, **{str(k): str(v) for k, v in verdicts.items()}}
        notes = _invariance_notes(new.levels, new.invariance)
        for r in list(new.rows) + list(new.segments):
            r.pop("invariance", None)
            r.pop("interpretable", None)
            r["note"] = "; ".join(x for x in (r.get("note") or "").split("; ")
                                  if x and not x.startswith("mean comparison not interpretable"))
            _apply_note(r, notes)
        return new

    # -- JSON -----------------------------------------------------------------------
    def _row_json(self, r: dict) -> dict:
        if self.one_group:   # one group: every statistic is a plain number
            return dict(r)
        g1, g2 = self.groups
        per_group = ("n", "mean", "sd", "top2", "gap_to_aspiration", "deff", "n_eff", "mean_unweighted")
        out = {}
        for k, v in r.items():
            out[k] = {g1: v[0], g2: v[1]} if k in per_group and isinstance(v, list) else v
        return out

    def to_dict(self) -> dict:
        """One group: rows as they are, difference = mean - aspiration. Two groups: per-group
        statistics keyed by group, difference = first - second, plus invariance notes."""
        one = self.one_group
        row = dict if one else self._row_json
        doc = {"analysis": "gaps"}
        if one:
            doc["mode"] = "one_group"
        doc.update({
            "group_column": self.group_column,
            "groups": list(self.groups),
            "difference": "mean - aspiration" if one else f"{self.groups[0]} - {self.groups[1]}",
            "n": dict(self.group_sizes),
            "scale_max": self.scale_max,
            "scale_max_source": self.scale_max_source,
            "alpha": self.alpha,
            "weights": self.weights_statement(),
        })
        for level in LEVELS:
            rows = [row(r) for r in self.rows if r["level"] == level]
            if rows:
                doc[LEVEL_KEYS[level]] = rows
        if self.segment_column:
            doc["segments"] = {"column": self.segment_column, "min_n": self.min_n,
                               "rows": [row(r) for r in self.segments]}
        scales = {LEVEL_KEYS[k]: v for k, v in self.levels.items() if k != "item"}
        if scales:
            doc["scales"] = scales
        if not one:
            doc["invariance"] = dict(self.invariance)
        doc["warnings"] = list(self.warnings)
        return doc

    def weights_statement(self):
        if not self.weight:
            return None
        if self.one_group:
            return {"column": self.weight, "weighted": list(ONE_WEIGHTED_STATS),
                    "unweighted": list(ONE_UNWEIGHTED_STATS),
                    "note": "Means, SDs, top-2-box and gaps to aspiration are weighted; gap_se/"
                            "gap_pvalue use the Taylor-linearisation (sandwich) SE of the weighted "
                            "mean. The one-sample t test, the Wilcoxon signed-rank test and the "
                            "effect size are computed on the unweighted data."}
        return {"column": self.weight, "weighted": list(WEIGHTED_STATS),
                "unweighted": list(UNWEIGHTED_STATS),
                "note": "Means, SDs, top-2-box, differences and aspiration gaps are weighted; "
                        "diff_se/diff_pvalue use a Taylor-linearisation (sandwich) SE. Welch's t, "
                        "Mann-Whitney (rank test) and Hedges' g are computed on the unweighted data."}

    # -- tables ---------------------------------------------------------------------
    def frame(self, level: str | None = None, *, segments: bool = False):
        """A flat table: per-group statistics as ``mean_<group>`` etc."""
        import pandas as pd

        if self.one_group:
            return self._one_group_frame(level, segments)
        g1, g2 = self.groups
        src = self.segments if segments else [r for r in self.rows if level is None or r["level"] == level]
        recs = []
        for r in src:
            rec = {}
            if segments:
                rec["segment"] = r["segment"]
            rec["level"] = r["level"]
            rec["name"] = r["name"]
            for stat in ("n", "mean", "sd", "top2"):
                for i, g in enumerate((g1, g2)):
                    v = r.get(stat)
                    rec[f"{stat}_{g}"] = v[i] if isinstance(v, list) else math.nan
            rec["diff"] = r.get("diff", math.nan)
            if self.weight:
                for k in ("diff_se", "diff_ci_lower", "diff_ci_upper", "diff_pvalue"):
                    rec[k] = r.get(k, math.nan)
            rec["aspiration"] = r.get("aspiration")
            gap = r.get("gap_to_aspiration")
            for i, g in enumerate((g1, g2)):
                rec[f"gap_to_aspiration_{g}"] = gap[i] if isinstance(gap, list) else math.nan
            for k in ("welch_t", "welch_df", "pvalue", "p_holm", "p_bh", "mw_u", "mw_pvalue",
                      "mw_p_holm", "mw_p_bh", "hedges_g", "hedges_g_ci_lower", "hedges_g_ci_upper"):
                rec[k] = r.get(k, math.nan)
            rec["significant"] = r.get("significant")
            if segments:
                rec["suppressed"] = r.get("suppressed")
            rec["note"] = r.get("note") or ""
            recs.append(rec)
        return pd.DataFrame(recs)

    def _one_group_frame(self, level, segments):
        import pandas as pd

        src = self.segments if segments else [r for r in self.rows if level is None or r["level"] == level]
        cols = ["n", "mean", "sd", "top2", "aspiration", "gap_to_aspiration"]
        if self.weight:
            cols += ["gap_se", "gap_ci_lower", "gap_ci_upper", "gap_pvalue", "gap_p_holm", "gap_p_bh"]
        cols += ["t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "p_holm", "p_bh", "wilcoxon_v",
                 "wilcoxon_pvalue", "wilcoxon_p_holm", "wilcoxon_p_bh", "cohen_d", "hedges_g",
                 "hedges_g_ci_lower", "hedges_g_ci_upper"]
        recs = []
        for r in src:
            rec = {"segment": r["segment"]} if segments else {}
            rec["level"], rec["name"] = r["level"], r["name"]
            for k in cols:
                v = r.get(k, math.nan)
                rec[k] = math.nan if v is None and k != "aspiration" else v
            rec["significant"] = r.get("significant")
            if segments:
                rec["suppressed"] = r.get("suppressed")
            rec["note"] = r.get("note") or ""
            recs.append(rec)
        return pd.DataFrame(recs)

    def tables(self) -> dict:
        out = {}
        for level in LEVELS:
            if any(r["level"] == level for r in self.rows):
                out[LEVEL_KEYS[level].capitalize()] = self.frame(level)
        if self.segment_column:
            out["Segments"] = self.frame(segments=True)
        return out

    def methods(self) -> list:
        if self.one_group:
            return self._one_group_methods()
        g1, g2 = self.groups
        m = [
            ("Groups", f"'{g1}' versus '{g2}' (column {self.group_column}); every difference is "
                       f"{g1} minus {g2}. n counts non-missing answers per variable and group."),
            ("Scores per level", "Item: the answer. Construct, touchpoint, component: the mean of the "
                                 "respondent's answered items of that construct/touchpoint/component, "
                                 "blank unless at least half of its items were answered."),
            ("Top-2-box", "Share of answers at or above scale maximum - 1 (the two highest points of "
                          f"an integer scale); scale maximum = {self.scale_max} "
                          f"({self.scale_max_source})."),
            ("Gap to aspiration", "Group mean minus the aspiration (target); negative = below target. "
                                  "Items inherit their construct's aspiration; a touchpoint or component "
                                  "gets the mean of its constructs' aspirations when all of them have one."),
            ("Welch t test", "Two-sample t test without assuming equal variances, Welch-Satterthwaite "
                             "df (R t.test(a, b)); 95% CI of the difference."),
            ("Mann-Whitney", "Wilcoxon rank-sum test, normal approximation with tie and continuity "
                             "correction (R wilcox.test(a, b, exact = FALSE, correct = TRUE)); mw_u "
                             f"is the U statistic of '{g1}' (R's W). Always unweighted."),
            ("Hedges' g", "g = J d, d = difference / pooled SD (n - 1 denominators), J = 1 - 3/(4(n1 + "
                          "n2) - 9) (Hedges 1981). 95% CI g +/- 1.96 SE with SE = J sqrt((n1 + n2)/(n1 "
                          "n2) + d^2/(2(n1 + n2))) (Hedges & Olkin 1985; Borenstein et al. 2009, "
                          "Introduction to Meta-Analysis, eqs. 4.20, 4.24-4.25)."),
            ("Multiple testing", "Holm (family-wise error) and Benjamini-Hochberg (false discovery rate) "
                                 "adjusted p-values, as R p.adjust, computed separately within each "
                                 "family: items, constructs, touchpoints, components (and within each "
                                 "segment value); separately for Welch and Mann-Whitney p. 'significant'"
                                 f" = Holm-adjusted Welch p < {self.alpha}."),
        ]
        if self.weight:
            m.append(("Survey weights", f"Weights from column {self.weight}. Weighted: mean = sum(w y)/"
                      "sum(w); SD^2 = n/(n-1) sum(w (y-mean)^2)/sum(w); top-2-box; difference and gap "
                      "to aspiration. The weighted difference has a Taylor-linearisation (sandwich) SE: "
                      "var(mean) = n/(n-1) sum(w^2 (y-mean)^2)/sum(w)^2 per group, groups independent, "
                      "SE = sqrt(var1 + var2), normal 95% CI and p (as survey::svymean per group). "
                      "Kish design effect deff = n sum(w^2)/sum(w)^2 is reported per group. NOT "
                      "weighted: Welch t, Mann-Whitney, Hedges' g (tests of the sample)."))
        if self.segment_column:
            m.append(("Segments", f"The comparison repeated within each value of {self.segment_column}. "
                      f"Cells with fewer than {self.min_n} answers in either group are suppressed: "
                      "n is shown, every other value is blank and 'suppressed' is true."))
        if self.invariance:
            m.append(("Measurement invariance", "A construct's mean comparison is interpretable only "
                      "when at least scalar invariance (equal loadings and intercepts) holds between "
                      "the groups; rows of constructs below scalar, and of touchpoints/components that "
                      "contain them, say so in 'note'."))
        return m

    def _one_group_methods(self) -> list:
        (g1,) = self.groups
        who = f"'{g1}'" + (f" (column {self.group_column})" if self.group_column else "")
        m = [
            ("Design", f"One group, {who}, against the aspirations (performance standards): no second "
                       "group (e.g. frontline staff) is compared. n counts non-missing answers per "
                       "variable."),
            ("Scores per level", "Item: the answer. Construct, touchpoint, component: the mean of the "
                                 "respondent's answered items of that construct/touchpoint/component, "
                                 "blank unless at least half of its items were answered."),
            ("Top-2-box", "Share of answers at or above scale maximum - 1 (the two highest points of "
                          f"an integer scale); scale maximum = {self.scale_max} "
                          f"({self.scale_max_source})."),
            ("Gap to aspiration", "gap_to_aspiration = mean - aspiration; negative = below target. Items "
                                  "inherit their construct's aspiration; a touchpoint or component gets "
                                  "the mean of its constructs' aspirations when all of them have one. "
                                  "Rows without an aspiration show the descriptives only (no tests)."),
            ("One-sample t test", "t = (mean - aspiration) / (SD / sqrt(n)), df = n - 1, two-sided p; "
                                  "t_ci_lower/t_ci_upper = 95% CI of the gap (R t.test(x, mu = "
                                  "aspiration), its conf.int minus the aspiration)."),
            ("Wilcoxon signed-rank test", "Differences x - aspiration; zero differences dropped "
                                          "(wilcoxon_n = the non-zero ones); normal approximation with "
                                          "tie and continuity correction (R wilcox.test(x, mu = "
                                          "aspiration, exact = FALSE, correct = TRUE)); wilcoxon_v is "
                                          "R's V, the sum of the ranks of |x - aspiration| over the "
                                          "positive differences."),
            ("Effect size", "Cohen's d for one sample = gap / SD (n - 1 denominator). Hedges' g = J d "
                            "with J = 1 - 3/(4 df - 1), df = n - 1 (Hedges 1981; Borenstein et al. 2009, "
                            "Introduction to Meta-Analysis, eqs. 4.22-4.23). 95% CI g +/- 1.96 SE with "
                            "SE = J sqrt(1/n + d^2/(2n)) (Hedges & Olkin 1985)."),
            ("Multiple testing", "Holm (family-wise error) and Benjamini-Hochberg (false discovery rate) "
                                 "adjusted p-values, as R p.adjust, within each family: items, "
                                 "constructs, touchpoints, components (and within each segment value); "
                                 "separately for the t test (p_holm, p_bh) and the Wilcoxon test "
                                 "(wilcoxon_p_holm, wilcoxon_p_bh). Rows without an aspiration are not "
                                 "in a family. 'significant' = Holm-adjusted "
                                 + ("sandwich-SE gap p" if self.weight else "t-test p")
                                 + f" < {self.alpha}."),
        ]
        if self.weight:
            m.append(("Survey weights", f"Weights from column {self.weight}. Weighted: mean = sum(w y)/"
                      "sum(w); SD^2 = n/(n-1) sum(w (y-mean)^2)/sum(w); top-2-box; gap to aspiration. "
                      "The weighted gap has the Taylor-linearisation (sandwich) SE of the weighted "
                      "mean, var(mean) = n/(n-1) sum(w^2 (y-mean)^2)/sum(w)^2 (as survey::svymean), "
                      "normal 95% CI (gap_ci_lower/upper), z and p (gap_pvalue, gap_p_holm, gap_p_bh). "
                      "Kish design effect deff = n sum(w^2)/sum(w)^2. NOT weighted: the t test, the "
                      "Wilcoxon test and the effect size (tests of the sample)."))
        if self.segment_column:
            m.append(("Segments", f"The analysis repeated within each value of {self.segment_column}. "
                      f"Cells with fewer than {self.min_n} answers are suppressed: n is shown, every "
                      "other value is blank and 'suppressed' is true."))
        return m


# ----------------------------------------------------------------------------------------
# the analysis
# ----------------------------------------------------------------------------------------
def _choose_groups(labels, group_column: str, compare):
    present = sorted({g for g in labels if g is not None})
    if compare is not None:
        compare = tuple(compare)
        if len(compare) != 2 or compare[0] == compare[1]:
            raise InputError(f"--compare needs two different group values, got {list(compare)}",
                             column=group_column)
        for g in compare:
            if g not in present:
                raise InputError(f"group {g!r} has no respondents (values present: "
                                 f"{', '.join(present) or 'none'})", column=group_column, value=g)
        return compare
    if len(present) < 2:
        raise InputError(f"the group column needs two values to compare; it has "
                         f"{len(present)}: {', '.join(present) or 'none'}", column=group_column,
                         value=present[0] if present else None)
    if len(present) > 2:
        raise InputError(f"the group column has {len(present)} values ({', '.join(present[:10])}"
                         f"{' ...' if len(present) > 10 else ''}); say which two to compare with "
                         "--compare A,B", column=group_column)
    return tuple(present)


def _scores(data, levels):
    """level -> {name: Series of per-respondent scores}."""
    out = {}
    for level in LEVELS:
        for name, items in (levels.get(level) or {}).items():
            block = data[list(items)]
            if len(items) == 1:
                out.setdefault(level, {})[name] = block.iloc[:, 0]
                continue
            # as SurveyTable.construct_scores: blank unless at least half of the items were answered
            enough = block.notna().mean(axis=1) >= MIN_SHARE
            out.setdefault(level, {})[name] = block.mean(axis=1, skipna=True).where(enough)
    return out


def _invariance_notes(levels, invariance):
    """(level, name) -> (verdict, note) for rows whose comparison is not interpretable."""
    notes = {}
    if not invariance:
        return notes
    bad = {c: str(v) for c, v in invariance.items() if str(v).lower() not in SCALAR_OK}
    constructs = levels.get("construct") or {}
    for c, verdict in bad.items():
        if c in constructs:
            notes[("construct", c)] = (verdict, f"mean comparison not interpretable: only {verdict} "
                                                f"invariance between the groups (scalar needed)")
    for level in ("touchpoint", "component"):
        for name, items in (levels.get(level) or {}).items():
            inside = [c for c in bad if c in constructs and set(constructs[c]) <= set(items)]
            if inside:
                notes[(level, name)] = (None, "mean comparison not interpretable: includes "
                                        + ", ".join(f"{c} ({bad[c]} invariance only)" for c in inside))
    return notes


def _compare_block(scores, gmask, wts, threshold, aspirations, levels_order, min_n=None):
    """Rows for every (level, name) on the rows selected by the two masks."""
    import numpy as np

    rows = []
    m1, m2 = gmask
    for level in levels_order:
        for name, s in scores.get(level, {}).items():
            y = s.to_numpy(dtype=float)
            ok = np.isfinite(y)
            a, b = y[m1 & ok], y[m2 & ok]
            wa = wb = None
            if wts is not None:
                wa, wb = wts[m1 & ok], wts[m2 & ok]
            r = {"level": level, "name": name}
            if min_n is not None and (len(a) < min_n or len(b) < min_n):
                r.update(n=[len(a), len(b)], suppressed=True,
                         note=f"suppressed: fewer than {min_n} answers in a group")
                rows.append(r)
                continue
            thr = threshold(level, name) if callable(threshold) else threshold
            r.update(compare_two(a, b, top2_threshold=thr, wa=wa, wb=wb))
            asp = (aspirations.get(level) or {}).get(name)
            r["aspiration"] = asp
            r["gap_to_aspiration"] = ([r["mean"][0] - asp, r["mean"][1] - asp] if asp is not None
                                      else [math.nan, math.nan])
            if min_n is not None:
                r["suppressed"] = False
            rows.append(r)
    return rows


def _one_block(scores, mask, wts, threshold, aspirations, levels_order, min_n=None):
    """One-group rows for every (level, name) on the rows selected by ``mask``."""
    import numpy as np

    rows = []
    for level in levels_order:
        for name, s in scores.get(level, {}).items():
            y = s.to_numpy(dtype=float)
            ok = mask & np.isfinite(y)
            x = y[ok]
            r = {"level": level, "name": name}
            if min_n is not None and len(x) < min_n:
                r.update(n=len(x), suppressed=True, note=f"suppressed: fewer than {min_n} answers")
                rows.append(r)
                continue
            thr = threshold(level, name) if callable(threshold) else threshold
            asp = (aspirations.get(level) or {}).get(name)
            r.update(describe_one(x, asp, top2_threshold=thr, w=wts[ok] if wts is not None else None))
            if min_n is not None:
                r["suppressed"] = False
            rows.append(r)
    return rows


def _adjust(rows, alpha, weighted, one_group=False):
    import numpy as np

    for level in LEVELS:
        fam = [r for r in rows if r["level"] == level and not r.get("suppressed")]
        if not fam:
            continue
        if one_group:
            pairs = [("pvalue", "p_holm", "p_bh"), ("wilcoxon_pvalue", "wilcoxon_p_holm", "wilcoxon_p_bh")]
            wpair = ("gap_pvalue", "gap_p_holm", "gap_p_bh")
        else:
            pairs = [("pvalue", "p_holm", "p_bh"), ("mw_pvalue", "mw_p_holm", "mw_p_bh")]
            wpair = ("diff_pvalue", "diff_p_holm", "diff_p_bh")
        if weighted:
            pairs.append(wpair)
        for src, holm, bh in pairs:
            p = [r.get(src, math.nan) for r in fam]
            for r, h, b in zip(fam, adjust_pvalues(p, "holm"), adjust_pvalues(p, "bh")):
                r[holm], r[bh] = float(h), float(b)
        for r in fam:
            key = wpair[1] if weighted else "p_holm"
            p = r.get(key, math.nan)
            r["significant"] = bool(np.isfinite(p) and p < alpha)


def _check_levels(data, levels, items, extra_columns):
    """Validated ``{level: {name: [items]}}`` and the item columns needed, in order."""
    levels = {k: dict(v) for k, v in (levels or {}).items() if v}
    if items:
        levels.setdefault("item", {}).update({i: [i] for i in items})
    if not levels:
        raise InputError("no items to compare: give items or scales")
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise InputError(f"unknown level(s) {unknown}; use {', '.join(LEVELS)}")
    needed = []
    for lv in levels.values():
        for its in lv.values():
            if not its:
                raise InputError("a scale with no items")
            needed.extend(i for i in its if i not in needed)
    for c in needed + [c for c in extra_columns if c]:
        if c not in data.columns:
            raise InputError("no such column", column=c)
    return levels, needed


def _top2_setup(values, sel, needed, levels, scale_max, warnings):
    """(scale maximum, its source, threshold(level, name)) for top-2-box."""
    import numpy as np

    per_item_max = {}
    if isinstance(scale_max, dict):
        per_item_max = {str(k): float(v) for k, v in scale_max.items()}
        scale_max = None
    if scale_max is None:
        pooled = values[[c for c in needed if c not in per_item_max]].to_numpy()[sel]
        finite = pooled[np.isfinite(pooled)]
        scale_max_v = float(finite.max()) if finite.size else None
        source = "observed maximum of the pooled answers"
        if per_item_max:
            source = "the scale of each item" + (" (others: observed maximum)" if finite.size else "")
            if not finite.size:
                scale_max_v = max(per_item_max.values())
        elif scale_max_v is not None:
            warnings.append(f"top-2-box uses the observed maximum {scale_max_v:g} as the scale maximum; "
                            "give the scale maximum if nobody chose the top answer")
    else:
        scale_max_v = float(scale_max)
        source = "given"

    def threshold(level, name):
        tops = {per_item_max.get(i, scale_max_v) for i in levels[level][name]}
        tops.discard(None)
        return max(tops) - 1 if tops else None

    return scale_max_v, source, threshold


def _weights(data, weight, sel):
    """The weight column as floats, refusing negative or non-numeric weights on selected rows."""
    import numpy as np
    import pandas as pd

    wts = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
    for i in np.flatnonzero(sel & ~(np.isfinite(wts) & (wts >= 0))):
        raise InputError("a survey weight must be a non-negative number", column=weight,
                         row=int(i) + 1, value=str(data[weight].iloc[i]))
    return wts


def _text_labels(column):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
            for v in column.tolist()]


def gap_analysis(data, group=None, *, levels=None, items=None, compare=None, scale_max=None,
                 aspirations=None, weight=None, by=None, min_n: int = 30, invariance=None,
                 alpha: float = 0.05, label: str = "all") -> GapResult:
    """Compare two groups on items and on scores built from them, or, with ``group=None``,
    one group against the aspirations (:func:`aspiration_gaps`, every row of ``data``,
    called ``label``; ``compare`` and ``invariance`` do not apply).

    ``data``: a DataFrame with the numeric item columns, the group column ``group``
    (text labels; None/NaN = unknown, dropped), optionally a ``weight`` column and a
    segment column ``by``.
    ``levels``: ``{"item": {...}, "construct": {name: [items]}, "touchpoint": {...},
    "component": {...}}``; ``items`` (a list) is the short form for items only.
    ``aspirations``: ``{level: {name: target}}``. ``invariance``:
    ``{construct: "configural"|"metric"|"scalar"|"strict"|"none"}``.
    """
    if group is None:
        if compare is not None:
            raise InputError("--compare needs --group: the column holding the groups to compare")
        return aspiration_gaps(data, levels=levels, items=items, scale_max=scale_max,
                               aspirations=aspirations, weight=weight, by=by, min_n=min_n,
                               alpha=alpha, label=label)
    import numpy as np
    import pandas as pd

    levels, needed = _check_levels(data, levels, items, [group, weight, by])
    warnings = []

    labels = _text_labels(data[group])
    g1, g2 = _choose_groups(labels, group, compare)
    lab = np.array([x if x is not None else "" for x in labels], dtype=object)
    m1, m2 = lab == g1, lab == g2
    n_unknown = sum(1 for x in labels if x is None)
    if n_unknown:
        warnings.append(f"{n_unknown} respondents have no value in {group} and are left out")

    values = data[needed].apply(pd.to_numeric, errors="coerce").astype(float)
    sel = m1 | m2
    scale_max_v, source, threshold = _top2_setup(values, sel, needed, levels, scale_max, warnings)

    wts = None
    if weight:
        wts = _weights(data, weight, sel)
        zero = sel & (wts == 0)
        if zero.any():
            warnings.append(f"{int(zero.sum())} respondents with weight 0 are left out")
            m1, m2 = m1 & (wts > 0), m2 & (wts > 0)

    sizes = {g1: int(m1.sum()), g2: int(m2.sum())}
    for g, n in sizes.items():
        if n == 0:
            raise InputError(f"group {g!r} has no respondents left to compare", column=group, value=g)

    scores = _scores(values, levels)
    asp = {k: dict(v) for k, v in (aspirations or {}).items()}
    rows = _compare_block(scores, (m1, m2), wts, threshold, asp, LEVELS)
    _adjust(rows, alpha, bool(weight))

    notes = _invariance_notes(levels, invariance)
    for r in rows:
        _apply_note(r, notes)
        for i, g in enumerate((g1, g2)):
            if r["n"][i] < 2:
                warnings.append(f"{r['level']} {r['name']}: fewer than 2 answers from {g}; tests not computed")
            elif r["n"][i] < min_n:
                warnings.append(f"{r['level']} {r['name']}: only {r['n'][i]} answers from {g} "
                                f"(fewer than {min_n}); read with care")
        t = r.get("welch_t")
        if all(n >= 2 for n in r["n"]) and (t is None or t != t):
            warnings.append(f"{r['level']} {r['name']}: every answer is the same within each group; "
                            "the t test and effect size are not defined (a constant item?)")

    def segment_block(sm):
        block = _compare_block(scores, (m1 & sm, m2 & sm), wts, threshold, asp, LEVELS, min_n=min_n)
        _adjust(block, alpha, bool(weight))
        for r in block:
            _apply_note(r, notes)
        return block

    seg_rows = _by_segment(data, by, segment_block, min_n, warnings, "answers in a group")

    return GapResult(groups=(g1, g2), group_column=group, rows=rows, scale_max=scale_max_v,
                     scale_max_source=source, weight=weight, segment_column=by, min_n=min_n,
                     segments=seg_rows, group_sizes=sizes, invariance=dict(invariance or {}),
                     alpha=alpha, levels=levels, warnings=warnings)


def aspiration_gaps(data, *, levels=None, items=None, scale_max=None, aspirations=None, weight=None,
                    by=None, min_n: int = 30, alpha: float = 0.05, label: str = "all",
                    group_column: str | None = None) -> GapResult:
    """One group (every row of ``data``, called ``label``) against the aspirations.

    Same inputs as :func:`gap_analysis` without the group; ``group_column`` only records
    where ``label`` came from (e.g. ``respondent_type``). Every row gets n, mean, SD,
    top-2-box; rows with an aspiration also the gap, the one-sample t and Wilcoxon tests,
    Cohen's d / Hedges' g and Holm/BH per family (module docstring). At least one row
    needs an aspiration.
    """
    import numpy as np
    import pandas as pd

    levels, needed = _check_levels(data, levels, items, [weight, by])
    asp = {k: {n: float(v) for n, v in (d or {}).items() if v is not None}
           for k, d in (aspirations or {}).items()}
    if not any(n in (levels.get(lv) or {}) for lv, d in asp.items() for n in d):
        raise InputError("no aspiration for any item, construct, touchpoint or component: a one-group "
                         "gap analysis measures the distance to the aspirations (give them, e.g. "
                         "--aspiration NAME=4.5 or aspiration: in the spec), or compare two groups "
                         "with --group")
    warnings = []
    mask = np.ones(len(data), dtype=bool)
    values = data[needed].apply(pd.to_numeric, errors="coerce").astype(float)
    scale_max_v, source, threshold = _top2_setup(values, mask, needed, levels, scale_max, warnings)
    wts = None
    if weight:
        wts = _weights(data, weight, mask)
        zero = wts == 0
        if zero.any():
            warnings.append(f"{int(zero.sum())} respondents with weight 0 are left out")
            mask = mask & (wts > 0)
    n_total = int(mask.sum())
    if n_total == 0:
        raise InputError(f"no respondents in {label!r} to analyse", column=group_column, value=label)

    scores = _scores(values, levels)
    rows = _one_block(scores, mask, wts, threshold, asp, LEVELS)
    _adjust(rows, alpha, bool(weight), one_group=True)
    missing = [f"{r['level']} {r['name']}" for r in rows if r["aspiration"] is None]
    if missing:
        warnings.append(f"{len(missing)} rows have no aspiration (descriptives only, no tests): "
                        + ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else ""))
    for r in rows:
        if r["n"] < 2:
            warnings.append(f"{r['level']} {r['name']}: fewer than 2 answers; tests not computed")
        elif r["n"] < min_n:
            warnings.append(f"{r['level']} {r['name']}: only {r['n']} answers (fewer than {min_n}); "
                            "read with care")
        if r["aspiration"] is not None and r["n"] >= 2 and not math.isfinite(r["t"]):
            warnings.append(f"{r['level']} {r['name']}: every answer is the same; the t test and "
                            "effect size are not defined (a constant item?)")

    def segment_block(sm):
        block = _one_block(scores, mask & sm, wts, threshold, asp, LEVELS, min_n=min_n)
        _adjust(block, alpha, bool(weight), one_group=True)
        return block

    seg_rows = _by_segment(data, by, segment_block, min_n, warnings, "answers")

    return GapResult(groups=(label,), group_column=group_column, rows=rows, scale_max=scale_max_v,
                     scale_max_source=source, weight=weight, segment_column=by, min_n=min_n,
                     segments=seg_rows, group_sizes={label: n_total}, invariance={}, alpha=alpha,
                     levels=levels, warnings=warnings)


def _by_segment(data, by, make_block, min_n, warnings, unit):
    """Rows of ``make_block(mask of the segment)`` for every value of segment column ``by``
    (none without ``by``), tagged with their segment; suppressed cells counted in a warning."""
    import numpy as np

    if not by:
        return []
    labels = _text_labels(data[by])
    values = np.array([x if x is not None else "" for x in labels], dtype=object)
    rows = []
    for seg in sorted({x for x in labels if x is not None}):
        block = make_block(values == seg)
        for r in block:
            r["segment"] = seg
        rows.extend(block)
    n_sup = sum(1 for r in rows if r.get("suppressed"))
    if n_sup:
        warnings.append(f"{n_sup} segment cells have fewer than {min_n} {unit} and are suppressed")
    return rows


def _apply_note(r, notes):
    key = (r["level"], r["name"])
    if key in notes:
        verdict, note = notes[key]
        if verdict is not None:
            r["invariance"] = verdict
        r["interpretable"] = False
        r["note"] = (r.get("note") + "; " if r.get("note") else "") + note
    elif r["level"] != "item":
        r.setdefault("interpretable", True)


def expand_aspirations(levels, targets) -> dict:
    """``{name: target}`` -> ``{level: {name: target}}`` for :func:`gap_analysis`.

    A name may be an item, construct, touchpoint or component. Items without a target
    of their own inherit their construct's; a touchpoint or component without one gets
    the mean of its constructs' targets when every one of its items belongs to a
    construct with a target. Unknown names raise :class:`InputError`.
    """
    known = {n for lv in levels.values() for n in lv}
    for name in targets:
        if name not in known:
            raise InputError(f"aspiration for {name!r}, which is not an item, construct, touchpoint or "
                             f"component here (known: {', '.join(sorted(known)[:20])})", value=name)
    out = {lv: {n: float(targets[n]) for n in names if n in targets} for lv, names in levels.items()}
    constructs = levels.get("construct") or {}
    c_target = {c: out.get("construct", {}).get(c) for c in constructs}
    for item in (levels.get("item") or {}):
        if item in out.get("item", {}):
            continue
        owners = [c for c, its in constructs.items() if item in its and c_target.get(c) is not None]
        if len(owners) == 1:
            out.setdefault("item", {})[item] = c_target[owners[0]]
    for lv in ("touchpoint", "component"):
        for name, items in (levels.get(lv) or {}).items():
            if name in out.get(lv, {}):
                continue
            inside = [c for c, its in constructs.items() if set(its) <= set(items)]
            covered = {i for c in inside for i in constructs[c]}
            if inside and covered >= set(items) and all(c_target.get(c) is not None for c in inside):
                out.setdefault(lv, {})[name] = sum(c_target[c] for c in inside) / len(inside)
    return {k: v for k, v in out.items() if v}
