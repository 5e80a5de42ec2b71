"""Structural equation models (the ``sem`` analysis, entry :func:`analyze_sem`): ML estimates as lavaan, defined effects with
delta-method SEs, a nonparametric bootstrap, and admissibility checks.

Built on the engine in :mod:`cxstats.stats.sem` (``fit_sem``, ``SemFit``); this module adds:

* the result object (lavaan names: fit indices ``chisq df pvalue cfi tli rmsea rmsea_ci_lower
  rmsea_ci_upper srmr aic bic``; estimate rows ``lhs op rhs est se z pvalue std_all``; R²);
* the nonparametric bootstrap: rows are resampled with replacement, each replicate's moments
  are refitted starting from the full-sample estimates; percentile and bias-corrected (BC,
  Efron 1981: z0 = Φ⁻¹(share of replicates below the estimate), limits at Φ(2 z0 ± z)) intervals
  for every free parameter and ``:=`` parameter; failed (non-converged) replicates are counted
  and left out;
* admissibility: negative variances, standardized values beyond ±1, non-positive-definite
  latent covariance, non-convergence, reported in every output.

The study's structural model built from a spec is :func:`cxstats.steps.sem.spec_model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.errors import InputError, ModelError
from cxstats.stats.sem import CompiledModel, SampleStats, fit_sem
from cxstats.stats.sem.diagnostics import (FIML_METHODS, FIT_RULE, MI_METHODS, MI_NOTE, ROBUST_FIT_KEYS, WEIGHTS_METHODS,
                                           fit_warning,
                                           measurement_warnings, model_fit_verdict, modindices_records,
                                           robust_methods)
from cxstats.stats.sem.fiml import FimlData, FimlModel, GroupPatterns
from cxstats.stats.sem.syntax import evaluate_expression

FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic", "bic")
CI_METHODS = ("percentile", "bc")


@dataclass
class SemResult:
    model: str
    n: int
    converged: bool
    admissible: bool
    fit: dict
    estimates: object            # DataFrame
    r2: dict
    bootstrap: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    sem: object = field(default=None, repr=False)
    missing: dict = field(default_factory=dict)       # how missing values were handled, who contributed
    fit_verdict: dict = field(default_factory=dict)   # {verdict, rule, failed} (Hu & Bentler 1999)
    model_source: str = "given"                       # "given" or "built from the spec"
    structure: str | None = None                      # for a built model: full or partial mediation
    estimator: str = "ML"                             # ML, MLR or MLM
    weighted: bool = False                            # sampling weights (weighted moments, MLR)
    ordered: list | None = None                       # ordinal items (WLSMV/DWLS/ULSMV), else None
    modindices: object = None                         # DataFrame lhs op rhs mi epc sepc_all, or None
    estimator_choice: dict | None = None              # estimator auto: {estimator, rule, reason, items}

    def defined(self):
        return self.estimates[self.estimates["op"] == ":="]

    def effect(self, name: str) -> dict:
        """A labelled or defined parameter's row as a dict (e.g. ``ind``)."""
        e = self.estimates
        rows = e[(e["label"] == name) | ((e["op"] == ":=") & (e["lhs"] == name))]
        if not len(rows):
            raise KeyError(name)
        return rows.iloc[0].to_dict()

    def to_dict(self) -> dict:
        return {"model": self.model, "model_syntax": self.model, "model_source": self.model_source,
                "structure": self.structure, "estimator": self.estimator, "n": self.n, "converged": self.converged,
                "admissible": self.admissible, "missing": self.missing, "fit": self.fit,
                "fit_verdict": self.fit_verdict, "estimates": self.estimates.to_dict(orient="records"), "r2": self.r2,
                "bootstrap": self.bootstrap or None,
                **({"ordered": list(self.ordered), "parametrization": "delta"} if self.ordered else {}),
                **({"sampling_weights": True} if self.weighted else {}),
                **({"estimator_choice": self.estimator_choice} if self.estimator_choice else {}),
                **({"modindices": modindices_records(self.modindices), "modindices_note": MI_NOTE}
                   if self.modindices is not None else {}),
                "warnings": self.warnings}

    def tables(self) -> dict:
        import pandas as pd

        measures = [f"missing: {k}" for k in self.missing] + list(self.fit)
        values = list(self.missing.values()) + list(self.fit.values())
        if self.fit_verdict:
            measures += ["fit verdict", "fit verdict rule", "fit cut-offs missed"]
            values += [self.fit_verdict["verdict"], self.fit_verdict["rule"],
                       "; ".join(self.fit_verdict["failed"]) or "none"]
        lines = [ln for ln in self.model.splitlines() if ln.strip()]
        model = pd.DataFrame({"item": ["source", "structure"] + ["syntax"] * len(lines),
                              "value": [self.model_source, self.structure or "as written in the model"] + lines})
        out = {"Fit": pd.DataFrame({"measure": measures, "value": values}),
               "Estimates": self.estimates[self.estimates["op"] != ":="].reset_index(drop=True)}
        d = self.defined()
        if len(d):
            out["Defined effects"] = d.reset_index(drop=True)
        out["R2"] = pd.DataFrame({"variable": list(self.r2), "r2": list(self.r2.values())})
        out["Model"] = model
        if self.modindices is not None:
            out["Modification indices"] = self.modindices
        return out

    def methods(self) -> list:
        items = [
            ("SEM estimation", "Maximum likelihood with lavaan::sem() defaults (first loading of each factor fixed "
             "to 1, residual covariances among endogenous observed outcomes free, exogenous observed covariates "
             "fixed.x); S with divisor N; SEs from the expected information matrix with complete data or "
             "listwise deletion, from the observed information with FIML. Checked against lavaan 0.6-14 to "
             "1e-3 (tests/fixtures/reference_extra)."),
            ("Model", f"Model {self.model_source}" + (f", {self.structure}" if self.structure else "") +
             ": " + "; ".join(ln.strip() for ln in self.model.splitlines() if ln.strip())),
            ("Fit indices", "chisq = N*F_ML, CFI/TLI against the independence model, RMSEA with 90% CI, SRMR "
             "(lavaan's srmr), AIC/BIC from the log-likelihood."),
            ("Fit verdict", FIT_RULE + ". The verdict and the cut-offs missed are reported with the indices; "
             "a poor fit gives a warning."),
            ("Defined effects", "':=' parameters (indirect effect a*b, total effect c + a*b) evaluated at the "
             "estimates; SE by the delta method (gradient of the expression times the parameter covariance)."),
            ("Admissibility", "Negative variances (Heywood cases), standardized values beyond +/-1 and a "
             "non-positive-definite latent covariance matrix make a solution inadmissible; they are reported "
             "with the estimates, which should then not be interpreted."),
        ]
        if self.ordered:
            from cxstats.stats.sem.dwls import ordinal_methods

            items = ordinal_methods(self.estimator, self.missing) + [i for i in items if i[0] not in (
                "SEM estimation", "Fit indices")]
            return items
        if self.missing.get("method") == "ml":
            items.insert(1, FIML_METHODS)
        if self.estimator != "ML":
            items.insert(1, robust_methods(self.estimator, self.missing.get("method", "listwise")))
        if self.modindices is not None:
            items.append(MI_METHODS)
        if self.weighted:
            items.insert(1, WEIGHTS_METHODS)
        if self.bootstrap:
            items.append(("Bootstrap", f"Nonparametric bootstrap of rows ({self.bootstrap['replicates']} replicates, "
                          f"seed {self.bootstrap['seed']}): each replicate's moments refitted from the full-sample "
                          "estimates; failed replicates left out and counted. boot_se = SD of replicates; "
                          "percentile CI = quantiles; bias-corrected (BC) CI shifts the quantiles by "
                          "z0 = qnorm(share of replicates below the estimate)." +
                          (" With FIML each replicate resamples respondents (complete or not) and is refitted by "
                           "full-information ML." if self.missing.get("method") == "ml" else "")))
        return items


def _extra_admissibility(fit) -> list[str]:
    """Checks the engine does not make: correlations beyond ±1 and R² < 0 (inadmissible), and
    standardized regressions beyond ±1 (admissible, but a sign of strongly collinear predictors:
    Deegan 1978; Jöreskog 1999, "How large can a standardized coefficient be?")."""
    import numpy as np

    out = []
    _, std_all = fit.standardized()
    collinear: dict[str, list[str]] = {}
    for r, s in zip(fit.pt.rows, std_all):
        if r.op == "~~" and r.lhs != r.rhs and np.isfinite(s) and abs(s) > 1:
            out.append(f"correlation {r.lhs} ~~ {r.rhs} = {s:.3f} is beyond ±1 (inadmissible solution)")
        if r.op == "~" and np.isfinite(s) and abs(s) > 1:
            collinear.setdefault(r.lhs, []).append(f"{r.rhs} = {s:.2f}")
    for lhs, paths in collinear.items():
        out.append(f"collinear predictors of {lhs}: standardized regression(s) {', '.join(paths)} exceed 1 in "
                   f"absolute value. This is not an inadmissible value but a sign that the predictors of {lhs} "
                   "are so strongly correlated that their separate paths (and their SEs) cannot be told apart; "
                   "do not interpret them one by one (merge the constructs, drop one, or report their joint "
                   "effect)")
    for name, v in fit.r2().items():
        if v < 0:
            out.append(f"R² of {name} is negative ({v:.3f}): a residual variance exceeds the total variance")
    return out


def bootstrap_sem(fit, data, *, replicates: int, seed=None, progress=None):
    """Refit ``replicates`` row resamples; returns (theta draws, defined draws, failed count).

    Listwise fits: rows with a missing model variable are dropped first (as in the fit), each
    replicate's moments refitted. FIML fits: the rows the fit used (incomplete ones too) are
    resampled and each replicate refitted by full-information ML from the full-sample estimates.
    """
    import numpy as np

    names = list(fit.stats.names)
    X = data[names].to_numpy(float)
    fiml = fit.fiml is not None
    if fiml:
        keep = ~np.isnan(X).all(axis=1)
        xi = [names.index(x) for x in fit.pt.ov_x]
        if xi:
            keep &= ~np.isnan(X[:, xi]).any(axis=1)
        X = X[keep]
        model = FimlModel(fit.pt, fit.fiml)
        base = fit.stats
    else:
        X = X[~np.isnan(X).any(axis=1)]
        model = CompiledModel(fit.pt)
    n = len(X)
    rng = np.random.default_rng(seed)
    defs = fit.pt.parsed.definitions
    thetas, dvals, failed = [], [], 0
    for b in range(replicates):
        idx = rng.integers(0, n, n)
        Xb = X[idx]
        try:
            if fiml:
                gp = GroupPatterns.from_array(Xb)
                if np.any(gp.n_obs < 2) or not np.all(gp.avail_var > 0):
                    raise ValueError("a variable without variance in the resample")
                C = base.cov[0].copy()
                m = base.mean[0].copy()
                if xi:       # fixed.x covariates: the replicate's own moments (they are complete)
                    xs = Xb[:, xi]
                    mx = xs.mean(axis=0)
                    C[np.ix_(xi, xi)] = (xs - mx).T @ (xs - mx) / n
                    m[xi] = mx
                stats = SampleStats.from_moments(names, C, m, n)
                model.set_fiml(FimlData([gp], stats, [0.0]), stats)
            else:
                m = Xb.mean(axis=0)
                C = (Xb - m).T @ (Xb - m) / n
                model.set_sample(SampleStats.from_moments(names, C, m, n))
            theta, F, conv, _ = model.optimize(fit.theta.copy())
            ok = bool(conv) and np.all(np.isfinite(theta))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, ModelError, InputError):
            ok = False
        if ok:
            thetas.append(theta)
            dvals.append(list(fit.defined_values(theta)) if defs else [])
        else:
            failed += 1
        if progress is not None:
            progress(b + 1, replicates)
    k = len(fit.theta)
    return (np.array(thetas).reshape(-1, k), np.array(dvals, float).reshape(len(thetas), len(defs)), failed)


def boot_interval(samples, est, level: float, method: str):
    import numpy as np
    from scipy.stats import norm

    samples = np.asarray(samples, float)
    samples = samples[np.isfinite(samples)]
    if len(samples) < 2:
        return math.nan, math.nan
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    if method == "bc":
        below = np.mean(samples < est) + 0.5 * np.mean(samples == est)
        below = min(max(below, 0.5 / len(samples)), 1 - 0.5 / len(samples))
        z0 = norm.ppf(below)
        lo_q, hi_q = norm.cdf(2 * z0 + norm.ppf(lo_q)), norm.cdf(2 * z0 + norm.ppf(hi_q))
    return float(np.quantile(samples, lo_q)), float(np.quantile(samples, hi_q))


def check_continuous_missing(missing: str) -> None:
    """``missing = "pairwise"`` is for ordinal items only."""
    if missing == "pairwise":
        raise ModelError("missing = \"pairwise\" is for ordinal items (ordered / --ordered, as lavaan); with "
                         "continuous items use ml (full-information ML) or listwise")


def analyze_sem(data, model: str, *, bootstrap: int = 0, seed=None, ci: str = "percentile", level: float = 0.95,
                 std_lv: bool = False, progress=None, missing: str = "auto", estimator: str = "ML",
                 modindices: int | None = None, weights=None, ordered=None) -> SemResult:
    """Fit lavaan syntax ``model`` to ``data`` (DataFrame) by ML; optional bootstrap.

    ``missing``: ``"auto"`` (full-information ML when a model variable has missing values, else
    plain ML), ``"ml"`` or ``"listwise"``. ``estimator``: ``"ML"``, ``"MLR"`` or ``"MLM"`` (robust SEs
    and scaled test; complete data). ``modindices``: also the N largest modification indices (0 = all).
    ``weights``: sampling weights (column name or one value per row; lavaan's sampling.weights, MLR).
    ``ordered``: ordinal items (or an ordinal estimator WLSMV/DWLS/ULSMV: every item): least squares on
    thresholds and polychoric correlations (:mod:`cxstats.stats.sem.dwls`); no bootstrap, weights or
    modification indices with them yet."""
    if ci not in CI_METHODS:
        raise InputError(f"unknown bootstrap interval {ci!r}; use {' or '.join(CI_METHODS)}", option="ci")
    if bootstrap < 0:
        raise InputError("the number of bootstrap replicates cannot be negative", option="bootstrap")
    if weights is not None and bootstrap:
        raise InputError("the bootstrap resamples respondents without their sampling weights; use either "
                         "sampling weights (robust SEs) or the bootstrap", option="bootstrap")
    from cxstats.stats.sem.dwls import ORDINAL_ESTIMATORS

    if ordered is not None or str(estimator).upper() in ORDINAL_ESTIMATORS:
        from cxstats.stats.sem.dwls import check_ordinal_options, fit_ordinal

        estimator = check_ordinal_options(estimator, bootstrap=bootstrap, weights=weights, modindices=modindices,
                                          missing=missing)
        fit = fit_ordinal(model, data, ordered=ordered, estimator=estimator, std_lv=std_lv,
                          missing="pairwise" if missing == "pairwise" else "listwise")
    else:
        check_continuous_missing(missing)
        fit = fit_sem(model, data, std_lv=std_lv, missing=missing, estimator=estimator, weights=weights)

    def boot(fit):
        return bootstrap_sem(fit, data, replicates=int(bootstrap), seed=seed, progress=progress)

    return sem_from_fit(fit, model, level=level, modindices=modindices,
                        bootstrap=(boot, int(bootstrap), seed, ci) if bootstrap else None)


def sem_from_fit(fit, model: str, *, level: float = 0.95, modindices: int | None = None,
                 bootstrap=None) -> SemResult:
    """The :class:`SemResult` of a fitted model (from rows, or from moments:
    :func:`cxstats.stats.from_moments.analyze_sem_patterns`): fit indices and verdict, estimates with
    standardized defined effects, admissibility, R², modification indices. ``bootstrap``:
    ``(draw(fit) -> (thetas, defined draws, failed), replicates, seed, ci)`` or None."""
    import numpy as np

    fm = fit.fit_measures()
    fitd = {k: fm[k] for k in FIT_KEYS}
    fitd.update({k: fm[k] for k in ("npar", "ntotal", "logl", "baseline_chisq", "baseline_df") if k in fm})
    fitd.update({k: fm[k] for k in ROBUST_FIT_KEYS if k in fm})
    vnote = []
    if getattr(fit, "ordinal", None) is not None:
        from cxstats.stats.sem.dwls import verdict_fit

        vfit, vnote = verdict_fit(fitd)
        verdict = model_fit_verdict(vfit, bool(fit.converged))
    else:
        verdict = model_fit_verdict(fitd, bool(fit.converged))
    warns = list(fit.warnings) + vnote + _extra_admissibility(fit) + measurement_warnings(fit)
    warns += fit_warning(verdict, "the structural model")
    est = fit.estimates(level=level)
    cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"]
    est = est[[c for c in cols if c in est.columns]].copy()
    # lavaan's parameterEstimates gives defined parameters a std.all too: evaluate the expressions on
    # the completely standardized values of their labelled parameters.
    defs = fit.pt.parsed.definitions
    if defs:
        _, std_all = fit.standardized()
        env = {}
        for r, s in zip(fit.pt.rows, std_all):
            if r.label and r.label not in env:
                env[r.label] = float(s)
        for d in defs:
            try:
                v = evaluate_expression(d.expr, env)
            except Exception:   # an expression of non-standardizable values
                v = math.nan
            env[d.name] = v
            est.loc[(est["op"] == ":=") & (est["lhs"] == d.name), "std_all"] = v
    boot = {}
    if bootstrap:
        draw, bootstrap, seed, ci = bootstrap
        thetas, dvals, failed = draw(fit)
        ok = len(thetas)
        boot = {"replicates": int(bootstrap), "successful": ok, "failed": failed, "seed": seed, "ci": ci,
                "level": level}
        if failed:
            warns.append(f"{failed} of {bootstrap} bootstrap replicates failed to converge and were left out")
        if ok < 2:
            warns.append("fewer than 2 bootstrap replicates converged: no bootstrap intervals")
        bse = np.full(len(est), np.nan)
        blo = np.full(len(est), np.nan)
        bhi = np.full(len(est), np.nan)
        free_of_row = {i: r.free for i, r in enumerate(fit.pt.rows)}
        dnames = [d.name for d in defs]
        for i, rec in enumerate(est.itertuples(index=False)):
            if rec.op == ":=":
                samples = dvals[:, dnames.index(rec.lhs)] if ok else np.array([])
            else:
                j = free_of_row.get(i, -1)
                if j < 0:
                    continue
                samples = thetas[:, j] if ok else np.array([])
            if len(samples) >= 2:
                bse[i] = float(np.std(samples, ddof=1))
                blo[i], bhi[i] = boot_interval(samples, rec.est, level, ci)
        est["boot_se"] = bse
        est["boot_ci_lower"] = blo
        est["boot_ci_upper"] = bhi
    admissible = fit.converged and not any(
        ("negative variance" in w or "beyond ±1" in w or "not positive definite" in w or "negative (" in w)
        for w in warns)
    if not admissible and fit.converged:
        warns.insert(0, "the solution is inadmissible (see the warnings below): do not interpret these estimates")
    res = SemResult(model, fit.ntotal, bool(fit.converged), bool(admissible), fitd, est.reset_index(drop=True),
                    fit.r2(), boot, warns, fit, dict(fit.missing_info), fit_verdict=verdict,
                    estimator=fit.estimator, weighted=bool(fit.weighted))
    if getattr(fit, "ordinal", None) is not None:
        res.ordered = list(fit.ordinal.names)
    if modindices is not None:
        from cxstats.stats.sem.modindices import modification_indices

        try:
            mi = modification_indices(fit)
            res.modindices = mi.head(int(modindices)).reset_index(drop=True) if modindices else mi
        except ModelError as exc:
            res.warnings.append(f"no modification indices: {exc}")
    return res
