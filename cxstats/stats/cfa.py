"""Confirmatory factor analysis (ML, lavaan's defaults) with reliability and validity.

``analyze_cfa(data, model)`` fits lavaan syntax by maximum likelihood through
:mod:`cxstats.stats.sem` and adds, per factor (single-group models):

* composite reliability as semTools ``compRelSEM``: omega = (Σλ)² ψ / (1'S1) with S
  the sample covariance matrix of the factor's indicators (``obs.var = TRUE``,
  the default) and with the model-implied total variance 1'Σ̂1 (``obs.var = FALSE``);
* AVE as semTools ``AVE``: Σ λ²ψ / Σ diag(S);
* the classic Fornell–Larcker CR and AVE from the standardized loadings;
* HTMT from the observed Pearson correlations (absolute values), the geometric
  version (semTools 0.5-6 default ``htmt2 = TRUE``, Roemer, Schuberth & Henseler
  2021) and the original arithmetic one (Henseler, Ringle & Sarstedt 2015);
* the Fornell–Larcker table: sqrt(AVE) on the diagonal, latent correlations off it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cxstats.stats.sem import fit_sem
from cxstats.stats.sem.diagnostics import (FIML_METHODS, FIT_RULE, MI_METHODS, MI_NOTE, ROBUST_FIT_KEYS, WEIGHTS_METHODS,
                                           fit_warning,
                                           measurement_warnings, model_fit_verdict, modindices_records,
                                           robust_methods)
from cxstats.thresholds import AVE_MIN, CR_MIN, HTMT_MAX  # reliability/validity cut-offs (also the workbook's)

FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic")
EXTRA_FIT_KEYS = ("npar", "ntotal", "logl", "unrestricted_logl", "bic2", "baseline_chisq", "baseline_df",
                  "rmsea_pvalue", "fmin")
ORDINAL_FIT_KEYS = ("chisq_shift", "baseline_chisq_shift")   # WLSMV / ULSMV: the scaled-shifted test's shift


def fit_dict(fm: dict) -> dict:
    out = {k: fm[k] for k in FIT_KEYS}
    out.update({k: fm[k] for k in EXTRA_FIT_KEYS if k in fm})
    out.update({k: fm[k] for k in ROBUST_FIT_KEYS if k in fm})
    out.update({k: fm[k] for k in ORDINAL_FIT_KEYS if k in fm})
    if "chisq_by_group" in fm:
        out["chisq_by_group"] = fm["chisq_by_group"]
    return out


@dataclass
class CfaResult:
    model: str
    n: int
    group_labels: list
    n_by_group: list
    converged: bool
    fit: dict
    estimates: object                 # DataFrame
    r2: dict                          # group label -> {variable: r2}
    reliability: object = None        # DataFrame per factor (single group)
    htmt: object = None               # DataFrame (geometric, htmt2 = TRUE)
    htmt_arithmetic: object = None    # DataFrame (htmt2 = FALSE)
    fornell_larcker: object = None    # DataFrame
    latent_correlations: object = None
    validity_notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sem: object = field(default=None, repr=False)     # the SemFit (not serialised)
    missing: dict = field(default_factory=dict)       # how missing values were handled, who contributed
    fit_verdict: dict = field(default_factory=dict)   # {verdict, rule, failed} (Hu & Bentler 1999)
    estimator: str = "ML"                             # ML, MLR or MLM
    weighted: bool = False                            # sampling weights (weighted moments, MLR)
    ordered: list | None = None                       # ordinal items (WLSMV/DWLS/ULSMV), else None
    modindices: object = None                         # DataFrame lhs op rhs [group] mi epc sepc_all, or None
    estimator_choice: dict | None = None              # estimator auto: {estimator, rule, reason, items}

    def to_dict(self) -> dict:
        def mat(df):
            return None if df is None else {r: {c: _num(df.loc[r, c]) for c in df.columns} for r in df.index}

        est = self.estimates.to_dict(orient="records")
        out = {"model": self.model, "estimator": self.estimator, "n": self.n, "converged": self.converged,
               "missing": self.missing}
        if self.weighted:
            out["sampling_weights"] = True
        if self.estimator_choice:
            out["estimator_choice"] = self.estimator_choice
        if len(self.group_labels) > 1:
            out["groups"] = dict(zip(self.group_labels, self.n_by_group))
        if self.ordered:
            out["ordered"] = list(self.ordered)
            out["parametrization"] = "delta"
        out["fit"] = self.fit
        out["fit_verdict"] = self.fit_verdict
        out["estimates"] = est
        out["r2"] = self.r2 if len(self.group_labels) > 1 else next(iter(self.r2.values()), {})
        if self.reliability is not None:
            out["reliability"] = {r["factor"]: {k: v for k, v in r.items() if k != "factor"}
                                  for r in self.reliability.to_dict(orient="records")}
            out["htmt"] = mat(self.htmt)
            out["htmt_arithmetic"] = mat(self.htmt_arithmetic)
            out["fornell_larcker"] = mat(self.fornell_larcker)
            out["latent_correlations"] = mat(self.latent_correlations)
        out["validity_notes"] = self.validity_notes
        if self.modindices is not None:
            out["modindices"] = modindices_records(self.modindices)
            out["modindices_note"] = MI_NOTE
        out["warnings"] = self.warnings
        return out

    def tables(self) -> dict:
        import pandas as pd

        fit = pd.DataFrame({"measure": list(self.fit), "value": [
            v if not isinstance(v, dict) else ", ".join(f"{k}: {x:.3f}" for k, x in v.items())
            for v in self.fit.values()]})
        if self.fit_verdict:
            fit = pd.concat([fit, pd.DataFrame(verdict_rows(self.fit_verdict))], ignore_index=True)
        if self.missing:
            fit = pd.concat([pd.DataFrame({"measure": [f"missing: {k}" for k in self.missing],
                                           "value": list(self.missing.values())}), fit], ignore_index=True)
        out = {"Fit": fit, "Estimates": self.estimates}
        if self.reliability is not None:
            out["Reliability and validity"] = self.reliability
            out["HTMT"] = self.htmt.reset_index(names="factor")
            out["HTMT (arithmetic)"] = self.htmt_arithmetic.reset_index(names="factor")
            out["Fornell-Larcker"] = self.fornell_larcker.reset_index(names="factor")
            out["Discriminant validity"] = self.discriminant_pairs()
        rows = [{"group": g, "variable": v, "r2": x} for g, d in self.r2.items() for v, x in d.items()]
        r2 = pd.DataFrame(rows)
        if len(self.group_labels) <= 1 and len(r2):
            r2 = r2.drop(columns="group")
        out["R2"] = r2
        if self.modindices is not None:
            out["Modification indices"] = self.modindices
        return out

    def methods(self) -> list:
        if self.ordered:
            from cxstats.stats.sem.dwls import ordinal_methods

            return ordinal_methods(self.estimator, self.missing) + methods_text()[2:3]   # + the fit verdict rule
        out = methods_text(self.missing.get("method", "listwise"), self.estimator)
        if self.weighted:
            out.insert(0, WEIGHTS_METHODS)
        if self.modindices is not None:
            out.append(MI_METHODS)
        return out

    def discriminant_pairs(self):
        """One row per pair of factors: HTMT (geometric, arithmetic), the latent correlation, the
        smaller sqrt(AVE) of the two and ``fornell_larcker_met``: |r| <= that sqrt(AVE) (the
        criterion as the validity notes apply it: a pair fails when |r| exceeds either sqrt(AVE))."""
        import pandas as pd

        cols = ["factor_a", "factor_b", "htmt", "htmt_arithmetic", "latent_r", "sqrt_ave_min",
                "fornell_larcker_met"]
        if self.htmt is None or self.fornell_larcker is None:
            return pd.DataFrame(columns=cols)
        names = list(self.htmt.index)
        fl = self.fornell_larcker
        rows = []
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                r = float(fl.loc[a, b])
                root = min(float(fl.loc[a, a]), float(fl.loc[b, b]))
                rows.append({"factor_a": a, "factor_b": b, "htmt": float(self.htmt.loc[a, b]),
                             "htmt_arithmetic": float(self.htmt_arithmetic.loc[a, b]), "latent_r": r,
                             "sqrt_ave_min": root, "fornell_larcker_met": bool(abs(r) <= root)})
        return pd.DataFrame(rows, columns=cols)


def verdict_rows(verdict: dict) -> dict:
    """The fit verdict as rows of a measure/value table."""
    return {"measure": ["fit verdict", "fit verdict rule", "fit cut-offs missed"],
            "value": [verdict["verdict"], verdict["rule"], "; ".join(verdict["failed"]) or "none"]}


def methods_text(missing: str = "listwise", estimator: str = "ML") -> list:
    extra = [FIML_METHODS] if missing == "ml" else []
    if estimator != "ML":
        extra.append(robust_methods(estimator, missing))
    return extra + [
        ("CFA estimation", "Maximum likelihood as lavaan::cfa() defaults: first loading of each factor fixed "
         "to 1 (or std_lv: factor variances 1), residual and factor variances and factor covariances free; "
         "S with divisor N; standard errors from the expected information matrix (complete data or listwise "
         "deletion) or the observed information (FIML). "
         "Estimates and fit match lavaan 0.6-14 to within 1e-4 on the Holzinger-Swineford reference."),
        ("Fit indices", "chisq = N*F_ML; CFI and TLI against the independence model; RMSEA = "
         "sqrt(max(0,(chisq-df)/(N*df)))*sqrt(G) with a 90% CI from the non-central chi-square; SRMR as "
         "lavaan's srmr (Bentler: residuals scaled by the sample SDs, means included with a mean structure, "
         "n-weighted over groups); AIC = -2logL + 2k, BIC = -2logL + k*log(N). Rough guides (Hu & Bentler "
         "1999): CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08."),
        ("Fit verdict", FIT_RULE + ". The verdict and the cut-offs missed are reported with the indices; "
         "a poor fit gives a warning."),
        ("Composite reliability", "semTools::compRelSEM: omega = (sum lambda)^2 psi / (1'S1) (obs.var = TRUE, "
         "sample total variance) and with the model-implied total variance (obs.var = FALSE). Classic "
         "Fornell-Larcker CR = (sum l)^2/((sum l)^2 + sum(1-l^2)) from standardized loadings. Guide: >= 0.70."),
        ("AVE", "semTools::AVE: sum(lambda^2 psi) / sum(diag S) per factor; also mean of squared standardized "
         "loadings. Guide: >= 0.50 (Fornell & Larcker 1981)."),
        ("HTMT", "Heterotrait-monotrait ratio from absolute Pearson correlations: mean between-construct "
         "correlation / sqrt(product of mean within-construct correlations). htmt = geometric means "
         "(HTMT2, Roemer et al. 2021; semTools 0.5-6 default); htmt_arithmetic = original (Henseler et al. "
         "2015). Discriminant validity doubtful above 0.85 (conservative) or 0.90."),
        ("Fornell-Larcker", "sqrt(AVE) on the diagonal should exceed the latent correlations in its row and column."),
    ]


def add_modindices(res, fit, top) -> None:
    """Attach the ``top`` largest modification indices (0 = all) of ``fit`` to a CFA/SEM result; a
    note instead when they cannot be computed (FIML)."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem.modindices import modification_indices

    try:
        mi = modification_indices(fit)
    except ModelError as exc:
        res.warnings.append(f"no modification indices: {exc}")
        return
    res.modindices = mi.head(int(top)).reset_index(drop=True) if top else mi


def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return x


def analyze_cfa(data, model: str, *, group=None, group_labels=None, std_lv: bool = False,
        group_equal=(), group_partial=(), missing: str = "auto", estimator: str = "ML",
        modindices: int | None = None, weights=None, ordered=None) -> CfaResult:
    """Fit ``model`` (lavaan syntax) to ``data`` (DataFrame of numeric columns).

    ``group``: a column name or per-row labels for a multi-group (configural,
    or constrained with ``group_equal``) model. ``missing``: ``"auto"`` (FIML when a
    model variable has missing values, else plain ML), ``"ml"`` or ``"listwise"``.
    ``estimator``: ``"ML"``, ``"MLR"`` or ``"MLM"`` (robust SEs and scaled test, complete data).
    ``modindices``: also the modification indices (the N largest; 0 = all; None = none).
    ``weights``: sampling weights (a column name or one value per row; lavaan's sampling.weights,
    which implies MLR).
    ``ordered``: ordinal items (a list, or None; with an ordinal estimator and no list: every model item):
    thresholds and polychoric correlations, estimator WLSMV (default), DWLS or ULSMV (see
    :func:`analyze_ordinal_cfa`).
    """
    from cxstats.stats.sem.dwls import ORDINAL_ESTIMATORS

    if ordered is not None or str(estimator).upper() in ORDINAL_ESTIMATORS:
        return analyze_ordinal_cfa(data, model, ordered=ordered, estimator=estimator, std_lv=std_lv, group=group,
                                   group_equal=group_equal, missing=missing, modindices=modindices, weights=weights)
    if missing == "pairwise":
        from cxstats.errors import ModelError

        raise ModelError("missing = \"pairwise\" is for ordinal items (ordered / --ordered, as lavaan); with "
                         "continuous items use ml (full-information ML) or listwise")
    fit = fit_sem(model, data, group=group, group_labels=group_labels, std_lv=std_lv,
                  group_equal=group_equal, group_partial=group_partial, missing=missing, estimator=estimator,
                  weights=weights)
    # HTMT from the raw correlations, or from the weighted moments with sampling weights
    res = cfa_from_fit(fit, model, data if fit.pt.ngroups == 1 and not fit.weighted else None)
    if modindices is not None:
        add_modindices(res, fit, modindices)
    return res


def analyze_ordinal_cfa(data, model: str, *, ordered=None, estimator: str = "WLSMV", std_lv: bool = False,
                        group=None, group_equal=(), missing: str = "auto", modindices=None, weights=None) -> CfaResult:
    """A CFA of ordinal items (lavaan ``ordered =``): thresholds and polychoric correlations (two-step,
    listwise deletion), DWLS (WLSMV: with robust SEs and the scaled-shifted test), ULSMV or DWLS estimates in
    the delta parametrisation (:mod:`cxstats.stats.sem.dwls`). ``estimator`` ML (the default of the other
    entry points) becomes WLSMV, lavaan's default with ordered items. Single group, no weights, no
    modification indices yet (refused with a clear message)."""
    from cxstats.stats.sem.dwls import check_ordinal_options, fit_ordinal

    est = check_ordinal_options(estimator, group=group, group_equal=group_equal, weights=weights,
                                modindices=modindices, missing=missing)
    if group is not None:
        return _ordinal_groups_cfa(data, model, group, ordered=ordered, estimator=est, std_lv=std_lv,
                                   missing="pairwise" if missing == "pairwise" else "listwise")
    fit = fit_ordinal(model, data, ordered=ordered, estimator=est, std_lv=std_lv,
                      missing="pairwise" if missing == "pairwise" else "listwise")
    r2 = {lab: fit.r2(g) for g, lab in enumerate(fit.stats.group_labels)}
    res = CfaResult(model=model if isinstance(model, str) else model.text, n=fit.ntotal,
                    group_labels=list(fit.stats.group_labels), n_by_group=list(fit.stats.n),
                    converged=bool(fit.converged), fit=fit_dict(fit.fit_measures()), estimates=fit.estimates(),
                    r2=r2, warnings=list(fit.warnings) + measurement_warnings(fit), sem=fit,
                    missing=dict(fit.missing_info), estimator=est, ordered=list(fit.ordinal.names))
    from cxstats.stats.sem.dwls import verdict_fit

    vfit, note = verdict_fit(res.fit)
    res.fit_verdict = model_fit_verdict(vfit, res.converged)
    res.warnings.extend(note + fit_warning(res.fit_verdict, "the CFA model"))
    res.validity_notes = ["composite reliability, AVE and HTMT are not computed for ordinal items yet (they would "
                          "need the categorical omega of Green & Yang 2009); the loadings, R² and latent "
                          "correlations are on the latent-response (polychoric) scale"]
    return res


def _ordinal_groups_cfa(data, model, group, *, ordered, estimator, std_lv, missing="listwise") -> CfaResult:
    """The configural multi-group ordinal CFA (thresholds, loadings and factor (co)variances per group)."""
    from cxstats.stats.sem.dwls import fit_ordinal_groups, verdict_fit

    mg = fit_ordinal_groups(model, data, group, ordered=ordered, estimator=estimator, std_lv=std_lv, missing=missing)
    warns = list(mg.warnings)
    for lab, f in zip(mg.labels, mg.fits):
        warns.extend(f"group {lab!r}: {w}" for w in measurement_warnings(f))
    res = CfaResult(model=model if isinstance(model, str) else model.text, n=mg.ntotal, group_labels=list(mg.labels),
                    n_by_group=[f.ntotal for f in mg.fits], converged=mg.converged, fit=fit_dict(mg.fit_measures()),
                    estimates=mg.estimates(), r2={lab: f.r2(0) for lab, f in zip(mg.labels, mg.fits)},
                    warnings=warns, sem=mg, missing=dict(mg.missing_info), estimator=estimator,
                    ordered=list(mg.fits[0].ordinal.names))
    vfit, note = verdict_fit(res.fit)
    res.fit_verdict = model_fit_verdict(vfit, res.converged)
    res.warnings.extend(note + fit_warning(res.fit_verdict, "the CFA model"))
    res.validity_notes = ["the multi-group ordinal CFA is the configural model (lavaan's default without "
                          "group.equal: thresholds, loadings and factor (co)variances free in every group, scale "
                          "factors 1, latent means 0); the invariance sequence for ordinal items is not available "
                          "yet; reliability and validity are computed for single-group models"]
    return res


def cfa_from_fit(fit, model: str, data=None) -> CfaResult:
    """The CFA result of a fitted model (``data``: the raw columns, for the HTMT correlations)."""
    est = fit.estimates()
    r2 = {lab: fit.r2(g) for g, lab in enumerate(fit.stats.group_labels)}
    res = CfaResult(model=model if isinstance(model, str) else model.text, n=fit.ntotal,
                    group_labels=list(fit.stats.group_labels), n_by_group=list(fit.stats.n),
                    converged=bool(fit.converged), fit=fit_dict(fit.fit_measures()), estimates=est,
                    r2=r2, warnings=list(fit.warnings) + measurement_warnings(fit), sem=fit,
                    missing=dict(fit.missing_info), estimator=fit.estimator,
                    weighted=bool(fit.weighted))
    res.fit_verdict = model_fit_verdict(res.fit, res.converged)
    res.warnings.extend(fit_warning(res.fit_verdict, "the CFA model"))
    if fit.pt.ngroups == 1 and fit.pt.lv:
        # with FIML the HTMT correlations come from the EM moments (as the reliabilities)
        rel, notes = reliability_validity(fit, data if fit.missing == "listwise" else None)
        res.reliability, res.htmt, res.htmt_arithmetic, res.fornell_larcker, res.latent_correlations = rel
        res.validity_notes = notes
        res.warnings.extend(_discriminant_warning(res.htmt))
    elif fit.pt.ngroups > 1:
        res.validity_notes = ["reliability and validity (CR, AVE, HTMT) are computed for single-group models; "
                              "fit the model without groups to get them"]
    return res


def _discriminant_warning(htmt) -> list[str]:
    """One warning listing every pair of factors whose HTMT exceeds HTMT_MAX (Henseler et al. 2015)."""
    if htmt is None or not len(htmt):
        return []
    names = list(htmt.index)
    pairs = [(a, b, float(htmt.loc[a, b])) for i, a in enumerate(names) for b in names[i + 1:]
             if float(htmt.loc[a, b]) > HTMT_MAX]
    if not pairs:
        return []
    pairs.sort(key=lambda t: -t[2])
    listed = ", ".join(f"{a} / {b} {v:.2f}" for a, b, v in pairs)
    return [f"discriminant validity doubtful: HTMT above {HTMT_MAX} for {listed}; these constructs may not "
            "be distinct for respondents (see the HTMT and Fornell-Larcker tables)"]


def reliability_validity(fit, data=None):
    """(reliability table, htmt, htmt_arithmetic, fornell_larcker, latent correlations), notes."""
    import numpy as np
    import pandas as pd

    pt = fit.pt
    ov_idx = {n: i for i, n in enumerate(pt.ov)}
    S = fit.stats.cov[0]
    Sig, _ = fit.implied(0)
    vals = fit.row_values()
    _, std_all = fit.standardized()
    lvc = fit.lv_cov(0)
    lvr = fit.lv_cor(0)
    lv_pos = {f: i for i, f in enumerate(pt.lv)}
    first_order = {}
    rows = []
    notes = []
    for f in pt.lv:
        idx_rows = [i for i, r in enumerate(pt.rows) if r.op == "=~" and r.lhs == f]
        items = [pt.rows[i].rhs for i in idx_rows]
        if not all(it in ov_idx for it in items):
            continue
        first_order[f] = items
        lam = np.array([vals[i] for i in idx_rows])
        lstd = np.array([std_all[i] for i in idx_rows])
        psi = lvc[lv_pos[f], lv_pos[f]]
        ix = [ov_idx[it] for it in items]
        tot_obs = S[np.ix_(ix, ix)].sum()
        tot_mod = Sig[np.ix_(ix, ix)].sum()
        true = lam.sum() ** 2 * psi
        cr = true / tot_obs
        cr_model = true / tot_mod
        ave = float((lam ** 2 * psi).sum() / np.trace(S[np.ix_(ix, ix)]))
        cr_std = lstd.sum() ** 2 / (lstd.sum() ** 2 + (1 - lstd ** 2).sum())
        ave_std = float(np.mean(lstd ** 2))
        rows.append({"factor": f, "items": len(items), "cr": float(cr), "cr_model": float(cr_model),
                     "ave": ave, "sqrt_ave": math.sqrt(ave) if ave > 0 else float("nan"),
                     "cr_std": float(cr_std), "ave_std": ave_std})
        if cr < CR_MIN:
            notes.append(f"{f}: composite reliability {cr:.3f} is below {CR_MIN}")
        if ave < AVE_MIN:
            notes.append(f"{f}: AVE {ave:.3f} is below {AVE_MIN} (the factor explains less than half "
                         "of its items' variance)")
    rel = pd.DataFrame(rows)
    names = list(first_order)
    # HTMT from the observed correlations (complete cases on the model variables)
    if data is not None:
        R = np.abs(data[pt.ov].dropna().corr().to_numpy())
    else:
        d = np.sqrt(np.diag(S))
        R = np.abs(S / np.outer(d, d))
    ht_g = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    ht_a = ht_g.copy()

    def mean_within(ix, geo):
        v = [R[a, b] for k, a in enumerate(ix) for b in ix[k + 1:]]
        if not v:
            return float("nan")
        v = np.asarray(v)
        return float(np.exp(np.mean(np.log(v)))) if geo else float(np.mean(v))

    for a_i, a in enumerate(names):
        ia = [ov_idx[x] for x in first_order[a]]
        for b in names[a_i + 1:]:
            ib = [ov_idx[x] for x in first_order[b]]
            block = R[np.ix_(ia, ib)].ravel()
            for geo, tab in ((True, ht_g), (False, ht_a)):
                het = float(np.exp(np.mean(np.log(block)))) if geo else float(np.mean(block))
                val = het / math.sqrt(mean_within(ia, geo) * mean_within(ib, geo))
                tab.loc[a, b] = tab.loc[b, a] = val
            if ht_g.loc[a, b] > HTMT_MAX:
                notes.append(f"{a} / {b}: HTMT {ht_g.loc[a, b]:.3f} is above {HTMT_MAX} "
                             "(discriminant validity doubtful)")
    lat = pd.DataFrame(lvr, index=pt.lv, columns=pt.lv)
    fl = lat.loc[names, names].copy()
    ave_map = {r["factor"]: r["sqrt_ave"] for r in rows}
    for a in names:
        fl.loc[a, a] = ave_map[a]
    for a_i, a in enumerate(names):
        for b in names[a_i + 1:]:
            r = abs(fl.loc[a, b])
            if r > min(ave_map[a], ave_map[b]):
                notes.append(f"{a} / {b}: latent correlation {r:.3f} exceeds sqrt(AVE) of "
                             f"{a if ave_map[a] < ave_map[b] else b} (Fornell-Larcker criterion not met)")
    return (rel, ht_g, ht_a, fl, lat), notes
