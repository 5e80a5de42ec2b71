"""What distinguishes a profile from the rest: Welch tests of means, chi-square tests with
adjusted standardized residuals for categories, p-values adjusted by Holm and BH."""

from __future__ import annotations


def welch_vs_rest(values, in_group):
    """Welch's t test of ``values`` in the group against the rest (missing values dropped).
    Returns dict(mean, mean_rest, diff, welch_t, welch_df, pvalue, n, n_rest); scipy's
    ``ttest_ind(equal_var=False)`` is R's ``t.test(var.equal = FALSE)``."""
    import numpy as np
    from scipy import stats

    v = np.asarray(values, dtype=float)
    g = np.asarray(in_group, dtype=bool)
    a, b = v[g & ~np.isnan(v)], v[~g & ~np.isnan(v)]
    out = {"n": int(len(a)), "n_rest": int(len(b)),
           "mean": float(a.mean()) if len(a) else float("nan"),
           "mean_rest": float(b.mean()) if len(b) else float("nan")}
    out["diff"] = out["mean"] - out["mean_rest"]
    if len(a) >= 2 and len(b) >= 2 and (a.var() > 0 or b.var() > 0):
        res = stats.ttest_ind(a, b, equal_var=False)
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        out.update(welch_t=float(res.statistic), welch_df=float(df), pvalue=float(res.pvalue))
    else:
        out.update(welch_t=float("nan"), welch_df=float("nan"), pvalue=float("nan"))
    return out


def crosstab_residuals(observed):
    """Pearson chi-square test of independence of a rows x columns table of counts and the
    adjusted standardized residuals (Agresti 2013, 2.4.5): (O - E) / sqrt(E (1 - r_i/n)(1 - c_j/n)),
    standard normal under independence; statsmodels ``Table.standardized_resids`` and R's
    ``chisq.test()$stdres`` give the same. Empty rows/columns are dropped by the caller."""
    import numpy as np
    from scipy import stats

    obs = np.asarray(observed, dtype=float)
    chi2, p, dof, expected = stats.chi2_contingency(obs, correction=False)
    n = obs.sum()
    rows = obs.sum(axis=1, keepdims=True) / n
    cols = obs.sum(axis=0, keepdims=True) / n
    adj = (obs - expected) / np.sqrt(expected * (1 - rows) * (1 - cols))
    return {"chisq": float(chi2), "df": int(dof), "pvalue": float(p),
            "min_expected": float(expected.min()), "adj_residual": adj}


def adjust(pvalues):
    """Holm and Benjamini-Hochberg adjusted p-values (as R's ``p.adjust``); NaN entries stay NaN and
    do not count in the family. :func:`cxstats.stats.gaps.tests.adjust_pvalues`, not statsmodels'
    ``multipletests`` (a full garbage collection on every Holm call)."""
    from cxstats.stats.gaps.tests import adjust_pvalues

    return adjust_pvalues(pvalues, "holm"), adjust_pvalues(pvalues, "bh")
