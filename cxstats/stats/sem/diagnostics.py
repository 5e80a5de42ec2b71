"""Diagnostics shared by the latent-variable analyses (CFA, invariance, SEM): caveats of a
measurement model and the methods text of full-information ML.

Kept in the engine package so that :mod:`cxstats.stats.cfa`, :mod:`cxstats.stats.invariance`
and :mod:`cxstats.stats.sem_analysis` all import it and none imports another.
"""

from __future__ import annotations

from cxstats.thresholds import ACCEPTABLE_FIT, GOOD_FIT  # Hu & Bentler 1999 (also the workbook's)

FIML_METHODS = ("Missing data (FIML)",
                "Full-information maximum likelihood (lavaan missing = \"ml\"; Arbuckle 1996, Enders 2010): every "
                "respondent with at least one answer contributes the normal likelihood of the items answered "
                "(computed per pattern of answered items); the mean structure is estimated; SEs from the observed "
                "information (lavaan's default with missing = \"ml\"; computed analytically); chisq = 2(logL_H1 - logL) with the "
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


# ---------------------------------------------------------------------------- fit verdicts

FIT_RULE = ("Hu & Bentler (1999): good when CFI >= .95, TLI >= .95, RMSEA <= .06 and SRMR <= .08; "
            "acceptable when CFI >= .90, RMSEA <= .08 and SRMR <= .08; otherwise poor. A saturated model "
            "(df = 0) reproduces the data exactly: its fit cannot be tested")
_HIGHER_BETTER = ("cfi", "tli")


def failed_cutoffs(fit: dict, cutoffs: dict) -> list[str]:
    """The cut-offs of ``cutoffs`` (index -> bound; CFI/TLI minimums, RMSEA/SRMR maximums) that the
    fit indices miss, as text (e.g. ``"RMSEA 0.104 > 0.08"``); a missing (NaN) index counts as missed."""
    import math

    out = []
    for k, bound in cutoffs.items():
        v = fit.get(k)
        v = float("nan") if v is None else float(v)
        if math.isnan(v):
            out.append(f"{k.upper()} not available")
        elif k in _HIGHER_BETTER and v < bound - 1e-12:
            out.append(f"{k.upper()} {v:.3f} < {bound:.2f}")
        elif k not in _HIGHER_BETTER and v > bound + 1e-12:
            out.append(f"{k.upper()} {v:.3f} > {bound:.2f}")
    return out


# per index: (good at or beyond, acceptable at or beyond); CFI and TLI are minimums, RMSEA and SRMR
# maximums. TLI's acceptable bound (.90) is used for its own verdict only: the global verdict's
# acceptable band does not look at TLI (ACCEPTABLE_FIT), as before.
INDEX_BANDS = {"cfi": (GOOD_FIT["cfi"], ACCEPTABLE_FIT["cfi"]), "tli": (GOOD_FIT["tli"], ACCEPTABLE_FIT["cfi"]),
               "rmsea": (GOOD_FIT["rmsea"], ACCEPTABLE_FIT["rmsea"]), "srmr": (GOOD_FIT["srmr"], ACCEPTABLE_FIT["srmr"])}
INDEX_RULE = ("per index: CFI and TLI good >= .95, acceptable >= .90, else poor; SRMR good <= .08, else poor; "
              "RMSEA good when <= .06 and the upper bound of its 90% CI <= .08 (a poor fit, RMSEA >= .08, is "
              "then rejected at the 5% level: MacCallum, Browne & Sugawara 1996), acceptable when <= .08 "
              "(including a point estimate <= .06 whose CI reaches beyond .08), else poor")


def index_verdicts(fit: dict, converged: bool = True) -> dict:
    """Each fit index's own verdict (``{"cfi": "good" | "acceptable" | "poor" | ...}``) by
    :data:`INDEX_RULE`: the cut-offs of :func:`fit_verdict` applied index by index, and for RMSEA its
    90% CI too (``rmsea_ci_upper``): a point estimate within the good band whose interval still
    reaches past the acceptable bound is only acceptable, since the data do not rule out a poor fit.
    "saturated" for every index of a df = 0 model, "not available" when an index is missing or the
    model did not converge."""
    import math

    df = fit.get("df")
    out = {}
    for k, (good, acceptable) in INDEX_BANDS.items():
        v = fit.get(k)
        v = float("nan") if v is None else float(v)
        if not converged or math.isnan(v):
            out[k] = "not available"
        elif df is not None and float(df) == 0:
            out[k] = "saturated"
        elif k in _HIGHER_BETTER:
            out[k] = "good" if v >= good - 1e-12 else "acceptable" if v >= acceptable - 1e-12 else "poor"
        else:
            out[k] = "good" if v <= good + 1e-12 else "acceptable" if v <= acceptable + 1e-12 else "poor"
    upper = fit.get("rmsea_ci_upper")
    if out.get("rmsea") == "good" and upper is not None and not math.isnan(float(upper)) \
            and float(upper) > ACCEPTABLE_FIT["rmsea"] + 1e-12:
        out["rmsea"] = "acceptable"
    return out


def fit_verdict(fit: dict, converged: bool = True) -> dict:
    """The global fit verdict of a model from its indices (``cfi tli rmsea srmr df``):
    ``{"verdict": "good" | "acceptable" | "poor" | "saturated", "rule": text, "failed": [...]}``.
    ``failed`` lists the cut-offs missed: those of the good band for an acceptable model, those of
    the acceptable band for a poor one (Hu & Bentler 1999; the acceptable band as commonly used,
    e.g. Marsh, Hau & Wen 2004). ``indices`` holds each index's own verdict (:func:`index_verdicts`,
    which also reads the RMSEA CI) and ``indices_rule`` its rule."""
    out = _global_verdict(fit, converged)
    out["indices"] = index_verdicts(fit, converged)
    out["indices_rule"] = INDEX_RULE
    return out


def _global_verdict(fit: dict, converged: bool) -> dict:
    if not converged:
        return {"verdict": "not available", "rule": FIT_RULE, "failed": ["the model did not converge"]}
    df = fit.get("df")
    if df is not None and float(df) == 0:
        return {"verdict": "saturated", "rule": FIT_RULE, "failed": []}
    good = failed_cutoffs(fit, GOOD_FIT)
    if not good:
        return {"verdict": "good", "rule": FIT_RULE, "failed": []}
    acceptable = failed_cutoffs(fit, ACCEPTABLE_FIT)
    if not acceptable:
        return {"verdict": "acceptable", "rule": FIT_RULE, "failed": good}
    return {"verdict": "poor", "rule": FIT_RULE, "failed": acceptable}


def fit_warning(verdict: dict, what: str = "the model") -> list[str]:
    """A warning when the fit verdict is poor (empty otherwise)."""
    if verdict["verdict"] != "poor":
        return []
    return [f"poor fit of {what}: {', '.join(verdict['failed'])} (acceptable: CFI >= .90, RMSEA <= .08, "
            "SRMR <= .08; Hu & Bentler 1999): the model does not describe the data well, so its estimates "
            "should be interpreted with caution"]


# ---------------------------------------------------------------------------- robust estimators

ROBUST_FIT_KEYS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
                   "rmsea_robust", "cfi_scaled", "tli_scaled", "rmsea_scaled", "baseline_chisq_scaled",
                   "baseline_chisq_scaling_factor")

def robust_methods(estimator: str, missing: str = "listwise") -> tuple:
    """The methods entry of a robust estimator (MLR, MLM)."""
    if estimator == "MLR":
        how = ("MLR as lavaan 0.6 estimator = \"MLR\": ML estimates; Huber-White (sandwich) standard errors "
               "from the observed information (Hessian) and the casewise scores; the Yuan-Bentler scaled "
               "chi-square (Mplus variant, lavaan's yuan.bentler.mplus) = chisq / c with the scaling factor c "
               "reported")
    else:
        how = ("MLM as lavaan 0.6 estimator = \"MLM\": ML estimates; robust standard errors from the expected "
               "information and the distribution-free covariance of the sample moments; the Satorra-Bentler "
               "scaled chi-square = chisq / c with the scaling factor c reported")
    return ("Robust estimator (" + estimator + ")",
            how + ". Scaled CFI/TLI/RMSEA apply the usual formulas to the scaled statistics; the robust "
            "CFI/TLI/RMSEA (cfi_robust, tli_robust, rmsea_robust; Brosseau-Liard, Savalei & Li 2012, "
            "Brosseau-Liard & Savalei 2014) estimate the population indices and are the ones to report; the "
            "fit verdict uses them. Robust corrections protect against non-normal (skewed, Likert) answers. " +
            ("With missing answers (MLR with FIML, lavaan missing = \"ml\"): the casewise scores of the answered "
             "items, the observed information, and the saturated model's information at the EM estimates; the "
             "robust CFI/TLI/RMSEA from lavaan's FIML-corrected statistics (Zhang & Savalei 2023; lavaan's "
             "FIML-C V3): the ML statistic of the model at the FIML estimates against the EM moments, with its "
             "own scaling factor, for the model and the independence model. " if missing == "ml" else "Complete data (listwise deletion). ") +
            "Matches lavaan 0.6-14 on the Holzinger-Swineford reference.")


WEIGHTS_METHODS = ("Sampling weights",
                   "As lavaan's sampling.weights: the weights rescaled to sum to the number of respondents used "
                   "(normalization \"total\"); the model fitted to the weighted means and covariances (divisor: each "
                   "group's sum of weights, which also weighs the groups); robust MLR standard errors and the "
                   "Yuan-Bentler scaled chi-square from the weighted casewise scores (lavaan's default with weights); "
                   "complete data (listwise deletion).")


def model_fit_verdict(fit: dict, converged: bool = True) -> dict:
    """:func:`fit_verdict` of a CFA/SEM fit: on the robust CFI/TLI/RMSEA when the estimator is robust
    (MLR/MLM), which the cut-offs missed then name ("robust RMSEA 0.092 > 0.08")."""
    verdict = fit_verdict(robust_verdict_fit(fit), converged)
    if "cfi_robust" in fit:
        verdict["failed"] = [("robust " + f) if f.split(" ")[0] in ("CFI", "TLI", "RMSEA") else f
                             for f in verdict["failed"]]
    return verdict


def robust_verdict_fit(fit: dict) -> dict:
    """The indices a fit verdict reads: the robust CFI/TLI/RMSEA when the estimator is robust."""
    if "cfi_robust" not in fit:
        return fit
    out = dict(fit)
    for k in ("cfi", "tli", "rmsea"):
        out[k] = fit[f"{k}_robust"]
    return out


# ---------------------------------------------------------------------------- modification indices

MI_NOTE = ("Modification indices are exploratory: a large index says that freeing that parameter would improve "
           "the fit to these data, not that it belongs in the model. Free one only with a substantive reason, one "
           "at a time, and confirm the changed model on new data (MacCallum, Roznowski & Necowitz 1992).")
MI_METHODS = ("Modification indices",
              "As lavaan's modindices(): for every parameter the model fixes (cross-loadings, residual "
              "covariances, regressions among the structural variables, the model's own fixed values) the score "
              "test mi = N g^2 / V (g the derivative of the ML fit function, V the expected information of that "
              "parameter given the free ones; Saris, Satorra & Sorbom 1987), the expected parameter change "
              "epc = -g / V and sepc_all, the epc completely standardized; sorted by mi. " + MI_NOTE)


def modindices_records(df) -> list:
    """Modification indices as JSON rows ``lhs op rhs [group] mi epc sepc_all``."""
    import math

    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return out
