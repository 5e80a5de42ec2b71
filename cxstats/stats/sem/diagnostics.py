"""Diagnostics shared by the latent-variable analyses (CFA, invariance, SEM): caveats of a
measurement model and the methods text of full-information ML.

Kept in the engine package so that :mod:`cxstats.stats.cfa`, :mod:`cxstats.stats.invariance`
and :mod:`cxstats.stats.sem_analysis` all import it and none imports another.
"""

from __future__ import annotations

FIML_METHODS = ("Missing data (FIML)",
                "Full-information maximum likelihood (lavaan missing = \"ml\"; Arbuckle 1996, Enders 2010): every "
                "respondent with at least one answer contributes the normal likelihood of the items answered "
                "(computed per pattern of answered items); the mean structure is estimated; SEs from the observed "
                "information (lavaan's default with missing = \"ml\"); chisq = 2(logL_H1 - logL) with the "
                "saturated H1 moments estimated by EM; the baseline model's variances and means from each item's "
                "answers; SRMR, composite reliability, AVE and HTMT use the EM-estimated moments. Unbiased when "
                "missingness depends only on observed answers (MAR), unlike listwise deletion (MCAR only).")


def measurement_warnings(fit, *, min_loading: float = 0.40, min_ratio: float = 5.0) -> list[str]:
    """Caveats of a measurement model a methodologist checks first: indicators whose completely
    standardized loading is below ``min_loading`` (Hair et al.: .50 or more, ideally .70; below
    .40 the item barely reflects its factor), and fewer than ``min_ratio`` cases per free
    parameter (Bentler & Chou 1987: 5:1 at least under normal theory)."""
    import numpy as np

    out = []
    _, std_all = fit.standardized()
    ng = fit.pt.ngroups
    for r, s in zip(fit.pt.rows, std_all):
        if r.op == "=~" and np.isfinite(s) and abs(s) < min_loading:
            where = f" in group {fit.stats.group_labels[r.group]!r}" if ng > 1 else ""
            out.append(f"weak indicator: {r.rhs} loads {s:.2f} (standardized) on {r.lhs}{where}, below "
                       f"{min_loading:.2f}; it barely measures {r.lhs} (check its wording, or drop it)")
    npar = int(fit.pt.nfree)
    n = int(fit.ntotal)
    if npar and n < min_ratio * npar:
        out.append(f"small sample for this model: {n} respondents for {npar} free parameters "
                   f"({n / npar:.1f} per parameter; at least {min_ratio:g} are advised, Bentler & Chou 1987): "
                   "estimates, SEs and fit indices are unstable")
    return out
