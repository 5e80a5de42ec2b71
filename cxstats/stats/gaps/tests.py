"""The single comparisons of the gap analysis: arrays in, plain dicts out.

Two groups: Welch's t (R ``t.test(a, b)``), Student's t (``var.equal = TRUE``, for
reference), Mann-Whitney (R ``wilcox.test(a, b, exact = FALSE, correct = TRUE)``), Hedges'
g with its 95% CI (Hedges 1981; Hedges & Olkin 1985; Borenstein et al. 2009, eqs. 4.20,
4.24-4.25). One group against an aspiration: the one-sample t test (R ``t.test(x, mu = a)``),
the Wilcoxon signed-rank test (R ``wilcox.test(x, mu = a, exact = FALSE, correct = TRUE)``),
Cohen's d / Hedges' g (Borenstein et al. 2009, eqs. 4.22-4.23). Survey weights: the weighted
mean and SD with the Taylor-linearisation (sandwich) variance of the mean and Kish's design
effect. Multiplicity: Holm and Benjamini-Hochberg (R ``p.adjust``). See the package
docstring (:mod:`cxstats.stats.gaps`) for the formulas.
"""

from __future__ import annotations

import math
import warnings as _warnings

Z975 = 1.959963984540054
ONE_TEST_KEYS = ["t", "df", "pvalue", "t_ci_lower", "t_ci_upper", "wilcoxon_v", "wilcoxon_n",
                 "wilcoxon_pvalue", "cohen_d", "hedges_j", "hedges_g", "hedges_g_se",
                 "hedges_g_ci_lower", "hedges_g_ci_upper"]


def hedges_g(a, b) -> dict:
    """Hedges' g with the approximate J and its large-sample 95% CI (see module docstring)."""
    import numpy as np

    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return hedges_g_summary(n1, n2, math.nan, math.nan, math.nan, math.nan)
    return hedges_g_summary(n1, n2, float(np.mean(a)), float(np.mean(b)),
                            (n1 - 1) * float(np.var(a, ddof=1)), (n2 - 1) * float(np.var(b, ddof=1)))


def hedges_g_summary(n1, n2, mean1, mean2, ss1, ss2) -> dict:
    """Hedges' g from each group's n, mean and sum of squared deviations (the row path and the
    moments path, :mod:`cxstats.stats.from_moments`, both end here)."""
    out = {"pooled_sd": math.nan, "cohen_d": math.nan, "hedges_j": math.nan, "hedges_g": math.nan,
           "hedges_g_se": math.nan, "hedges_g_ci_lower": math.nan, "hedges_g_ci_upper": math.nan,
           "hedges_j_exact": math.nan, "hedges_g_exact_j": math.nan}
    if n1 < 2 or n2 < 2:
        return out
    sp = math.sqrt((ss1 + ss2) / (n1 + n2 - 2))
    if not sp > 0:
        return out
    d = (mean1 - mean2) / sp
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
    row["mean"], row["sd"], row["top2_share"] = m, s, t2
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
    row.update(mean=m, sd=sd, top2_share=t2, aspiration=asp,
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



PAIRED_TEST_KEYS = ["paired_t", "paired_df", "pvalue", "paired_ci_lower", "paired_ci_upper", "sd_diff",
                    "d_z", "wilcoxon_v", "wilcoxon_n", "wilcoxon_pvalue"]


def compare_paired(a, b, *, top2_threshold: float | None = None) -> dict:
    """Every statistic for one variable measured twice on the same respondents.

    ``a``, ``b``: aligned arrays (pair i = the same respondent), no missing values.
    * paired t test on the differences d = a - b (R ``t.test(a, b, paired = TRUE)`` =
      :func:`scipy.stats.ttest_rel`): t = mean(d) / (SD(d)/sqrt(n)), df = n - 1, 95% CI of
      the mean difference;
    * Wilcoxon signed-rank test on d (R ``wilcox.test(a, b, paired = TRUE, exact = FALSE,
      correct = TRUE)`` = :func:`scipy.stats.wilcoxon` with ``zero_method="wilcox"``,
      ``correction=True``, ``method="asymptotic"``): zero differences are dropped
      (``wilcoxon_n`` = the non-zero ones), tied |d| get mid-ranks and the normal
      approximation uses the tie-corrected variance; ``wilcoxon_v`` is R's V, the sum of the
      ranks of |d| over the positive differences;
    * d_z = mean(d) / SD(d) (Cohen 1988; Lakens 2013, eq. 6), the standardised mean
      difference of paired data.
    """
    import numpy as np
    from scipy import stats

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n = len(a)
    row = {"n": [n, n], "n_pairs": n}
    row["mean"] = [float(np.mean(x)) if n else math.nan for x in (a, b)]
    row["sd"] = [float(np.std(x, ddof=1)) if n > 1 else math.nan for x in (a, b)]
    row["top2_share"] = [float(np.mean(x >= top2_threshold)) if n and top2_threshold is not None
                         else math.nan for x in (a, b)]
    d = a - b
    row["diff"] = float(np.mean(d)) if n else math.nan
    row.update({k: math.nan for k in PAIRED_TEST_KEYS})
    row["wilcoxon_n"] = 0
    if n >= 2:
        sd = float(np.std(d, ddof=1))
        row["sd_diff"] = sd
        if sd > 0:
            row["d_z"] = row["diff"] / sd
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                res = stats.ttest_rel(a, b)
                ci = res.confidence_interval(0.95)
            row.update(paired_t=float(res.statistic), paired_df=float(res.df), pvalue=float(res.pvalue),
                       paired_ci_lower=float(ci.low), paired_ci_upper=float(ci.high))
    w = wilcoxon_signed_rank(d, 0.0)
    row.update(wilcoxon_v=w["wilcoxon_v"], wilcoxon_n=w["wilcoxon_n"], wilcoxon_pvalue=w["wilcoxon_pvalue"])
    return row
