"""Ordinal items: least-squares estimation on thresholds and polychoric correlations, as lavaan 0.6
(``ordered = ...``, ``estimator = "WLSMV"`` / ``"DWLS"`` / ``"ULSMV"``), single-group models and the configural
multi-group model (:func:`fit_ordinal_groups`; thresholds and loadings equal across groups: :mod:`.dwls_groups`).

Statistics s = (thresholds, polychoric correlations) and their Gamma (N x asymptotic covariance)
from :mod:`.polychoric` (two-step; listwise deletion, or pairwise as lavaan's ``missing = "pairwise"``). Model (lavaan's default *delta*
parametrisation): the latent responses y* have unit variances; Sigma* = the model's covariance with
the residual variances of the ordinal items fixed at theta_jj = 1 - [Sigma* without them]_jj (not
parameters; reported with SE 0), scale factors ``~*~`` = 1, intercepts ``~1`` = 0; the thresholds
are free parameters (model threshold = tau). The estimator minimises

    F(theta) = (s - sigma(theta))' W (s - sigma(theta)),   W = diag(Gamma)^-1 (DWLS; WLSMV),  W = I (ULSMV)

by Gauss-Newton; chisq = (N - 1) F (lavaan's test statistic; N cases).

* **Standard errors** (WLSMV, ULSMV: lavaan ``se = "robust.sem"``): vcov = (D'WD)^-1 D'W Gamma W D
  (D'WD)^-1 / (N - 1), D = ds/dtheta; DWLS (lavaan ``se = "standard"``): (D'WD)^-1 / (N - 1). lavaan
  counts N - 1 here and in the test statistic with categorical data (fmin = (N - 1)/N F / 2).
* **Mean-and-variance adjusted test** (lavaan ``test = "scaled.shifted"``, Asparouhov & Muthen 2010):
  U = W - W D (D'WD)^-1 D' W, a = sqrt(df / tr((U Gamma)^2)), b = df - a tr(U Gamma);
  chisq_scaled = a chisq + b on df; the scaling factor reported is 1/a (lavaan's
  ``chisq.scaling.factor``), the shift b. The baseline (independence: correlations 0) the same way.
* **Fit indices:** CFI/TLI as usual from chisq and the baseline chisq (and from the scaled ones for
  ``_scaled``); RMSEA = sqrt(max(0, (chisq - df) / ((N - 1) df))) (lavaan uses N - 1 with categorical
  data; its 90% CI inverts the non-central chi-square with N - 1); robust CFI/TLI/RMSEA as lavaan
  0.6-14 (Savalei 2021, "catML"): T3 = N F_ML(R, Sigma_hat) at the least-squares estimates,
  c3 = tr[(I - D E^-1 D'W)' V (I - D E^-1 D'W) Gamma] / df (V the normal-theory ML weight of the
  correlations at Sigma_hat, E = D'WD), baseline T3b = -N log|R| with c3b = tr(Gamma)/df_b
  (correlation part); then CFI_r = 1 - max(T3 - c3 df, 0) / max(T3 - c3 df, T3b - c3b df_b, 0), TLI_r =
  1 - (T3 - c3 df) df_b / ((T3b - c3b df_b) df), RMSEA_r = sqrt(max(0, (T3 - c3 df) / ((N - 1) df))).
* **SRMR** (lavaan's ``srmr`` for categorical data, ``srmr_bentler_nomean``): root mean square of the
  correlation residuals r_ij - sigma_ij over the p(p+1)/2 elements (diagonal included, its residual 0).

Tested against lavaan 0.6-14 on HS_ordinal4.csv (tests/test_sem_ordinal.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError, ModelError
from cxstats.stats.sem.fit import SemFit
from cxstats.stats.sem.polychoric import OrdinalStats, cor_index, ordinal_stats

ORDINAL_ESTIMATORS = ("WLSMV", "DWLS", "ULSMV")


@dataclass
class OrdinalFit(SemFit):
    """A least-squares fit of ordinal items. ``theta`` holds the structural parameters (loadings,
    factor (co)variances, regressions); the thresholds are in ``tau`` with the joint covariance
    matrix ``vcov_all`` (structural parameters first)."""

    ordinal: OrdinalStats | None = None
    tau: np.ndarray | None = None
    vcov_all: np.ndarray | None = None
    test: dict = field(default_factory=dict)
    parametrization: str = "delta"
    pieces: dict = field(default_factory=dict)     # per-group ingredients of the tests (see ordinal_measures)

    # ------------------------------------------------------------------ estimates
    def estimates(self, *, level: float = 0.95):
        import pandas as pd
        from scipy.stats import norm

        df = super().estimates(level=level)
        zq = norm.ppf(0.5 + level / 2)
        k = self.pt.nfree
        se_th = np.sqrt(np.clip(np.diag(self.vcov_all)[k:], 0, None))
        recs = []
        for (v, t), est, se in zip(self.ordinal.th_names(), self.tau, se_th):
            z = est / se if se > 0 else np.nan
            recs.append({"lhs": v, "op": "|", "rhs": t, "label": "", "est": float(est), "se": float(se), "z": z,
                         "pvalue": float(2 * norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                         "ci_lower": est - zq * se, "ci_upper": est + zq * se, "std_lv": float(est),
                         "std_all": float(est)})
        fixed = []
        for v in self.ordinal.names:
            fixed.append({"lhs": v, "op": "~*~", "rhs": v, "label": "", "est": 1.0, "se": 0.0, "z": np.nan,
                          "pvalue": np.nan, "ci_lower": 1.0, "ci_upper": 1.0, "std_lv": 1.0, "std_all": 1.0})
        for v in list(self.ordinal.names) + list(self.pt.lv):
            fixed.append({"lhs": v, "op": "~1", "rhs": "", "label": "", "est": 0.0, "se": 0.0, "z": np.nan,
                          "pvalue": np.nan, "ci_lower": 0.0, "ci_upper": 0.0, "std_lv": 0.0, "std_all": 0.0})
        n_user = sum(1 for r in self.pt.rows if r.user)      # lavaan: the syntax's rows, then the thresholds
        head, tail = df.iloc[:n_user], df.iloc[n_user:]
        out = pd.concat([head, pd.DataFrame.from_records(recs), tail, pd.DataFrame.from_records(fixed)],
                        ignore_index=True)
        return out

    # ------------------------------------------------------------------ fit measures
    def fit_measures(self) -> dict:
        if "fit" in self._cache:
            return self._cache["fit"]
        self._cache["fit"] = dict(self.test)
        return self._cache["fit"]

    def srmr(self) -> float:
        return float(self.test.get("srmr", math.nan))

    def baseline(self):
        return self.test["baseline_chisq"], self.test["baseline_df"]

    def loglik(self):
        return math.nan, math.nan

    def check(self) -> list[str]:
        out = super().check()
        return out


# ---------------------------------------------------------------------- the model

def _ordinal_partable(pt, ordered):
    """The ParTable with the ordinal items' residual variances fixed (delta parametrisation): they are
    not parameters; free indices renumbered."""
    from cxstats.stats.sem.partable import ParTable

    oset = set(ordered)
    bad = [r for r in pt.rows if (r.op == "~" and r.rhs in oset) or (r.op == "=~" and r.lhs in oset)]
    if bad:
        raise ModelError(f"ordinal item {bad[0].rhs if bad[0].op == '~' else bad[0].lhs!r} predicts another "
                         "variable; ordinal (WLSMV) models here take ordinal items as indicators or outcomes only")
    if pt.ngroups != 1:
        raise ModelError("ordinal items (WLSMV) are available for single-group models so far")
    rows = [r for r in pt.rows if r.op != "~1"]
    old_to_new: dict = {}
    names = []
    for r in rows:
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in oset:
            r.free, r.value = -1, 0.0
            continue
        if r.free >= 0:
            if r.free not in old_to_new:
                old_to_new[r.free] = len(old_to_new)
                names.append(pt.free_names[r.free])
            r.free = old_to_new[r.free]
    return ParTable(rows, pt.ov, pt.lv, 1, False, pt.options, pt.parsed, pt.ov_x, len(old_to_new), names)


def _implied_cor(model, theta):
    Sig, _ = model.implied(theta, 0)
    return Sig


def _delta(model, theta, rr, cc):
    dSig, _, Sig, _ = model.jacobian(theta, 0)
    return dSig[:, rr, cc].T, Sig        # (pstar x k)


def fit_ordinal(model, data, *, ordered=None, estimator: str = "WLSMV", std_lv: bool = False,
                orthogonal: bool = False, missing: str = "listwise") -> OrdinalFit:
    """Fit lavaan syntax ``model`` to ordinal items of ``data`` (a DataFrame) by WLSMV (DWLS estimates,
    robust SEs, scaled-shifted test), DWLS (standard SEs and test) or ULSMV. ``ordered``: the items
    treated as ordinal (default all the model's observed variables; all must be ordinal here).
    ``missing``: ``"listwise"`` (lavaan's default: respondents with a missing answer on a model variable are
    left out) or ``"pairwise"`` (lavaan's ``missing = "pairwise"``: every respondent with an answer counts;
    thresholds from each item's answers, each polychoric correlation from the respondents answering both)."""
    if missing not in ("listwise", "pairwise"):
        raise ModelError(f"missing must be listwise or pairwise for ordinal items, not {missing!r}")
    from cxstats.stats.sem.engine import CompiledModel
    from cxstats.stats.sem.partable import ModelOptions, build_partable
    from cxstats.stats.sem.samplestats import SampleStats
    from cxstats.stats.sem.syntax import parse_model

    estimator = str(estimator).upper()
    if estimator not in ORDINAL_ESTIMATORS:
        raise ModelError(f"estimator must be one of {', '.join(ORDINAL_ESTIMATORS)} for ordinal items, "
                         f"not {estimator!r}")
    parsed = parse_model(model) if isinstance(model, str) else model
    opts = ModelOptions(std_lv=std_lv, meanstructure=False, orthogonal=orthogonal, fixed_x=False)
    pt = build_partable(parsed, 1, opts)
    ov = list(pt.ov)
    ordered = ov if ordered is None else list(ordered)
    numeric = [v for v in ov if v not in set(ordered)]
    if numeric:
        raise ModelError(f"all observed variables of an ordinal (WLSMV) model must be ordinal here; not ordinal: "
                         f"{', '.join(numeric)} (use ordered all, or ML/MLR for continuous items)")
    pt = _ordinal_partable(pt, ov)
    X = data[ov].to_numpy(dtype=float)
    keep = ~np.isnan(X).any(axis=1) if missing == "listwise" else ~np.isnan(X).all(axis=1)
    n_rows = len(X)
    X = X[keep]
    N = len(X)
    if N < 3:
        raise ModelError(f"{N} {'complete ' if missing == 'listwise' else ''}respondents: too few for an "
                         "ordinal model")
    if missing == "pairwise":
        both = (~np.isnan(X)).astype(float)
        if (both.T @ both == 0).any():
            i, j = np.argwhere(both.T @ both == 0)[0]
            raise ModelError(f"no respondent answered both {ov[i]!r} and {ov[j]!r}: their polychoric correlation "
                             "is not defined (pairwise deletion)")
    st = ordinal_stats(X, ov)
    p = len(ov)
    rr, cc = cor_index(p)
    pstar = len(rr)
    nth = st.nth
    Gamma = st.gamma
    stats = SampleStats(ov, [st.cor], [np.zeros(p)], [N], ["all"])
    W_full = np.ones(nth + pstar) if estimator == "ULSMV" else 1.0 / np.diag(Gamma)
    w = W_full[nth:]
    r_obs = st.cor[rr, cc]

    m = CompiledModel(pt)
    m.set_sample(stats)

    def objective(t):
        Sig = _implied_cor(m, t)
        e = r_obs - Sig[rr, cc]
        return float(e @ (w * e))

    # start: the data-based start values; when Gauss-Newton does not converge from there, the ML fit to
    # the polychoric matrix (residual variances free) as the start
    theta, converged, it = _gauss_newton(m, objective, np.asarray(m.start_values(), float), r_obs, w, rr, cc)
    if not converged:
        pt_ml = build_partable(parsed, 1, opts)
        m_ml = CompiledModel(pt_ml)
        m_ml.set_sample(stats)
        th_ml, *_ = m_ml.optimize()
        start = np.zeros(pt.nfree)
        for r_ml, r in zip([r for r in pt_ml.rows if r.op != "~1"], pt.rows):
            if r.free >= 0:
                start[r.free] = th_ml[r_ml.free] if r_ml.free >= 0 else r_ml.value
        theta, converged, it = _gauss_newton(m, objective, start, r_obs, w, rr, cc)
    F = objective(theta)

    # residual variances (delta parametrisation) and the final compiled model for reporting
    Sig = _implied_cor(m, theta)
    resid = 1.0 - np.diag(Sig)
    for r in pt.rows:
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in set(ov):
            r.value = float(resid[ov.index(r.lhs)])
    m = CompiledModel(pt)
    m.set_sample(stats)

    # ----- standard errors: parameters (theta, tau); statistics (thresholds, correlations)
    k = pt.nfree
    Dc, Sig = _delta(m, theta, rr, cc)
    D = np.zeros((nth + pstar, k + nth))
    D[nth:, :k] = Dc
    D[:nth, k:] = np.eye(nth)
    WD = W_full[:, None] * D
    E = D.T @ WD
    Ei = np.linalg.inv(E)
    if estimator == "DWLS":
        vcov_all = Ei / (N - 1)
    else:
        vcov_all = Ei @ (WD.T @ Gamma @ WD) @ Ei / (N - 1)
    tau = st.th_vector()

    # ----- tests
    from scipy.stats import chi2

    df = pstar - k
    T = (N - 1) * F                  # lavaan's WLS test statistic uses N - 1 with categorical data
    U = np.diag(W_full) - WD @ Ei @ WD.T
    UG = U @ Gamma
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    Tb = (N - 1) * float(r_obs @ (w * r_obs))
    dfb = pstar
    Gc = Gamma[nth:, nth:]
    Wc = W_full[nth:]
    UGb = Wc[:, None] * Gc
    tr1b, tr2b = float(np.trace(UGb)), float(np.sum(UGb * UGb.T))
    pieces = {"npar": k + nth, "F": F, "N": N, "T": T, "df": df, "Tb": Tb, "dfb": dfb, "tr1": tr1, "tr2": tr2,
              "tr1b": tr1b, "tr2b": tr2b,
              "srmr": math.sqrt(float(np.sum((r_obs - Sig[rr, cc]) ** 2)) / (p * (p + 1) / 2))}
    if estimator != "DWLS":
        pieces.update(_catml_pieces(st, Sig, Dc, W_full, Ei, Gamma, nth, N, k))
    fm = ordinal_measures([pieces], estimator)
    vcov = vcov_all[:k, :k]
    res = OrdinalFit(pt, m, stats, theta, 2 * F, converged, it, vcov, estimator=estimator, ordinal=st,
                     tau=tau, vcov_all=vcov_all, test=fm, pieces=pieces)
    if missing == "listwise":
        res.missing_info = {"method": "listwise", "n_rows": int(n_rows), "n_used": int(N),
                            "n_dropped_incomplete": int(n_rows - N)}
    else:
        res.missing_info = {"method": "pairwise", "n_rows": int(n_rows), "n_used": int(N),
                            "n_complete": int((~np.isnan(X).any(axis=1)).sum()),
                            "n_dropped_empty": int(n_rows - N)}
    res.warnings = res.check()
    ev = float(np.linalg.eigvalsh(st.cor)[0])
    if ev < np.sqrt(np.finfo(float).eps):
        res.warnings.append(f"the polychoric correlation matrix is not positive definite (smallest eigenvalue "
                            f"{ev:.3g}; too few respondents for the number of items, or sparse categories): the "
                            "least-squares estimates are still defined, the robust CFI/TLI/RMSEA are not "
                            "(lavaan: NA)")
    sparse = [f"{v} ({int(c)})" for v, code, lv in zip(ov, st.codes.T, st.levels)
              for c in [np.bincount(code[code >= 0], minlength=len(lv)).min()] if c < 5]
    if sparse:
        res.warnings.append("answer categories chosen by fewer than 5 respondents (smallest count in brackets): "
                            f"{', '.join(sparse)}; thresholds and polychoric correlations near them are unstable "
                            "(consider merging rare categories)")
    if missing == "pairwise":
        res.warnings.insert(0, f"missing data: pairwise deletion (lavaan missing = \"pairwise\"): {N} respondents "
                               f"of {n_rows}, {res.missing_info['n_complete']} of them complete; each polychoric "
                               "correlation from the respondents answering both items")
    elif n_rows - N:
        res.warnings.insert(0, f"missing data: listwise deletion: {N} complete respondents of {n_rows}")
    return res


def _gauss_newton(m, objective, theta, r_obs, w, rr, cc, *, max_iter: int = 500):
    """Minimise the (D)WLS discrepancy by Gauss-Newton with step halving: (theta, converged, iterations)."""
    F = objective(theta)
    if not np.isfinite(F):
        return theta, False, 0
    it = 0
    for it in range(1, max_iter):
        try:
            D, Sig = _delta(m, theta, rr, cc)
        except np.linalg.LinAlgError:
            return theta, False, it
        e = r_obs - Sig[rr, cc]
        g = D.T @ (w * e)
        H = D.T @ (w[:, None] * D)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        dec = g @ step
        if dec < 1e-22 or np.max(np.abs(g)) < 1e-13:
            return theta, True, it
        alpha = 1.0
        while alpha > 1e-10:
            Fn = objective(theta + alpha * step)
            if np.isfinite(Fn) and Fn <= F - 1e-4 * alpha * dec:
                break
            alpha *= 0.5
        else:
            return theta, bool(dec < 1e-14), it
        theta = theta + alpha * step
        if abs(F - Fn) < 1e-16 * max(1.0, F):
            return theta, True, it
        F = Fn
    return theta, False, it


def _indices(T, df, Tb, dfb, N, G=1):
    t1 = max(T - df, 0.0)
    t2 = max(T - df, Tb - dfb, 0.0)
    cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
    tli = (Tb / dfb - T / df) / (Tb / dfb - 1.0) if df > 0 and dfb > 0 else 1.0
    rmsea = math.sqrt(max(0.0, (T - df) / (N * df))) * math.sqrt(G) if df > 0 else 0.0
    return {"cfi": cfi, "tli": tli, "rmsea": rmsea}


def _catml_pieces(st, Sig, Dc, W_full, Ei, Gamma, nth, N, k):
    """The catML ingredients of lavaan 0.6-14's robust CFI/TLI/RMSEA for categorical data
    (lav_fit_catml_dwls, Savalei 2021) of one group: T3, its trace ks, the baseline T3b and its trace kbs
    (all NaN when the polychoric matrix is not positive definite, as lavaan)."""
    p = st.p
    rr, cc = cor_index(p)
    R = st.cor
    if np.linalg.eigvalsh(R)[0] < np.sqrt(np.finfo(float).eps):
        return {"T3": math.nan, "ks": math.nan, "T3b": math.nan, "kbs": math.nan}
    Si = np.linalg.inv(Sig)
    T3 = N * (np.linalg.slogdet(Sig)[1] + np.sum(R * Si) - np.linalg.slogdet(R)[1] - p)
    V = Si[np.ix_(rr, rr)] * Si[np.ix_(cc, cc)] + Si[np.ix_(rr, cc)] * Si[np.ix_(cc, rr)]
    Wc = W_full[nth:]
    Ec = Ei[:k, :k]
    WiU = np.eye(len(rr)) - Dc @ Ec @ Dc.T * Wc[None, :]
    Gc = Gamma[nth:, nth:]
    return {"T3": float(T3), "ks": float(np.trace(WiU.T @ V @ WiU @ Gc)), "T3b": float(-N * np.linalg.slogdet(R)[1]),
            "kbs": float(np.trace(Gc))}


def ordinal_measures(groups: list, estimator: str) -> dict:
    """Fit measures from the per-group ingredients (a model without equality constraints across groups:
    every sum over groups is exact). chisq, df, the traces of U Gamma and (U Gamma)^2 and the catML pieces
    add up (the catML baseline trace as lavaan: sum_g tr(Gamma_g) / f_g, f_g = N_g / N); N for the RMSEA
    is N - G (lavaan with categorical data), times sqrt(G); SRMR is the
    n-weighted mean of the groups' SRMR."""
    from scipy.stats import chi2

    from cxstats.stats.sem.fit import _rmsea_ci

    tot = {key: sum(g[key] for g in groups) for key in groups[0] if key != "srmr"}
    G = len(groups)
    N, T, df, Tb, dfb = tot["N"], tot["T"], tot["df"], tot["Tb"], tot["dfb"]
    Nr = N - G
    fm = {"npar": tot["npar"], "fmin": sum((g["N"] - 1) * g["F"] for g in groups) / N / 2, "chisq": T, "df": df,
          "pvalue": float(chi2.sf(T, df)) if df > 0 else math.nan,
          "baseline_chisq": Tb, "baseline_df": dfb, "ntotal": N}
    fm.update(_indices(T, df, Tb, dfb, Nr, G))
    fm["rmsea_ci_lower"], fm["rmsea_ci_upper"] = _rmsea_ci(T, df, Nr, G) if df > 0 else (0.0, 0.0)
    fm["aic"] = fm["bic"] = math.nan           # no likelihood: lavaan reports none either
    fm["srmr"] = sum(g["N"] * g["srmr"] for g in groups) / N
    if estimator != "DWLS":
        tr1, tr2, tr1b, tr2b = tot["tr1"], tot["tr2"], tot["tr1b"], tot["tr2b"]
        a = math.sqrt(df / tr2) if df > 0 and tr2 > 0 else math.nan
        b = df - a * tr1 if df > 0 else math.nan
        ab = math.sqrt(dfb / tr2b)
        bb = dfb - ab * tr1b
        Ts, Tbs = (a * T + b, ab * Tb + bb) if df > 0 else (T, ab * Tb + bb)
        fm.update({"chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": float(chi2.sf(Ts, df)) if df > 0 else math.nan,
                   "chisq_scaling_factor": 1.0 / a if df > 0 else math.nan, "chisq_shift": b,
                   "baseline_chisq_scaled": Tbs, "baseline_chisq_scaling_factor": 1.0 / ab, "baseline_chisq_shift": bb})
        sc = _indices(Ts, df, Tbs, dfb, Nr, G)
        fm.update({"cfi_scaled": sc["cfi"], "tli_scaled": sc["tli"], "rmsea_scaled": sc["rmsea"]})
        T3, ks, T3b = tot["T3"], tot["ks"], tot["T3b"]
        kbs = sum(g["kbs"] * N / g["N"] for g in groups)      # lavaan: tr(Gamma_g / f_g), f_g = N_g / N
        if df > 0 and np.isfinite(T3):
            c3, c3b = ks / df, kbs / dfb
            num = T3 - c3 * df
            den = max(num, T3b - c3b * dfb, 0.0)
            fm.update({"cfi_robust": 1.0 if den == 0 else 1.0 - max(num, 0.0) / den,
                       "tli_robust": 1.0 - (num * dfb) / ((T3b - c3b * dfb) * df),
                       "rmsea_robust": math.sqrt(max(0.0, num / (Nr * df))) * math.sqrt(G),
                       "catml_chisq": T3, "catml_scaling_factor": c3, "catml_baseline_chisq": T3b,
                       "catml_baseline_scaling_factor": c3b})
        elif df == 0 and np.isfinite(T3):      # saturated: a perfect fit, as lavaan (CFI 1, TLI 1, RMSEA 0)
            fm.update({"cfi_robust": 1.0, "tli_robust": 1.0, "rmsea_robust": 0.0})
        else:
            fm.update({"cfi_robust": math.nan, "tli_robust": math.nan, "rmsea_robust": math.nan})
    if estimator == "ULSMV":
        fm["pvalue"] = math.nan      # the unscaled ULS statistic is not chi-square distributed (lavaan: NA)
    return {key: (float(v) if isinstance(v, (float, np.floating)) else v) for key, v in fm.items()}

def ordinal_methods(estimator: str, missing: dict | None = None) -> list:
    """The methods entries of an ordinal fit (English, as every methods note)."""
    info = missing or {}
    if info.get("method") == "pairwise":
        deletion = (f"pairwise deletion (lavaan missing = \"pairwise\"; {info.get('n_used')} respondents of "
                    f"{info.get('n_rows')}): thresholds from each item's answers, each polychoric correlation from "
                    "the respondents answering both items, a missing answer's scores 0 in Gamma")
    else:
        used = (f" ({info.get('n_used')} complete respondents of {info.get('n_rows')})"
                if info.get("n_rows") is not None else "")
        deletion = f"listwise deletion{used}, lavaan's default for ordinal data"
    how = {"WLSMV": "DWLS estimates (weights: the inverse diagonal of Gamma); robust (sandwich) standard errors "
                    "(D'WD)^-1 D'W Gamma W D (D'WD)^-1; the mean-and-variance adjusted (scaled-shifted) chi-square "
                    "a*chisq + b on df (Asparouhov & Muthen 2010), with the scaling factor 1/a and the shift b",
           "ULSMV": "unweighted least-squares estimates; robust (sandwich) standard errors; the scaled-shifted "
                    "chi-square (the unscaled ULS statistic has no p-value, as lavaan)",
           "DWLS": "DWLS estimates; standard errors from (D'WD)^-1 (lavaan se = \"standard\"); the unscaled "
                   "chi-square only (WLSMV adds the robust SEs and the scaled test)"}[estimator]
    return [
        ("Ordinal items (polychoric)",
         "As lavaan 0.6 with ordered = the items: each item is the cut of a normal latent response at its "
         "thresholds (tau = Phi^-1 of the cumulative proportions); polychoric correlations by the two-step "
         "method (thresholds fixed, bivariate-normal likelihood of each contingency table; Olsson 1979); their "
         "asymptotic covariance Gamma from the case-wise scores (Muthen 1984, lavaan's NACOV). Missing answers: "
         f"{deletion}."),
        (f"Estimator ({estimator})",
         f"lavaan estimator = \"{estimator}\": {how}. Delta parametrisation (lavaan's default): latent-response "
         "variances 1, scale factors 1, intercepts 0, thresholds free; the items' residual variances are "
         "1 - the explained variance (not parameters, SE 0). lavaan counts N - 1 in the test statistic and the "
         "standard errors with categorical data (N - G with G groups). Fit: CFI/TLI against the independence "
         "model of the polychorics; RMSEA with N - 1; the _scaled indices on the scaled-shifted statistics; the robust "
         "CFI/TLI/RMSEA (reported, and read by the fit verdict) as lavaan 0.6-14: Savalei (2021) from the "
         "normal-theory ML discrepancy of the polychoric matrix at the estimates (catML); SRMR from the "
         "correlation residuals. Matches lavaan 0.6-14 on the Holzinger-Swineford items cut into 4 categories "
         "(estimates, SEs and every fit index to 1e-6)."),
    ]


def check_ordinal_options(estimator, *, group=None, group_equal=(), weights=None, modindices=None, bootstrap=0,
                          missing="auto") -> str:
    """The ordinal estimator to use (ML, the other entry points' default, becomes WLSMV as lavaan's default
    with ordered items); ModelError for what ordinal models do not support yet."""
    est = str(estimator).upper()
    est = "WLSMV" if est == "ML" else est
    if est not in ORDINAL_ESTIMATORS:
        raise ModelError(f"ordinal items take the estimator WLSMV (lavaan's default), DWLS or ULSMV, not {est}")
    for given, what in ((bool(group_equal), "equality constraints across groups in a single fit (the invariance sequence is "
                                            "cfa --invariance --ordered all)"),
                        (weights is not None, "sampling weights"), (modindices is not None, "modification indices"),
                        (bool(bootstrap), "the bootstrap")):
        if given:
            raise ModelError(f"not available yet with ordinal items (WLSMV): {what}; fit the ordinal model "
                             "without it, or treat the items as continuous (estimator MLR)")
    if missing == "ml":
        raise ModelError("with ordinal items missing answers are handled by listwise deletion (lavaan's default "
                         "for WLSMV); full-information ML (missing = \"ml\") is for continuous items")
    return est


def verdict_fit(fit: dict) -> tuple[dict, list]:
    """The fit indices a verdict should read, and a note: the robust CFI/TLI/RMSEA when lavaan's catML
    correction gives them, else (a non-positive-definite polychoric matrix: NaN, lavaan's NA) the scaled
    ones."""
    rob = fit.get("cfi_robust")
    if rob is None or not (isinstance(rob, float) and math.isnan(rob)):
        return fit, []
    out = {k: v for k, v in fit.items() if not k.endswith("_robust")}
    for k in ("cfi", "tli", "rmsea"):
        if f"{k}_scaled" in fit:
            out[k] = fit[f"{k}_scaled"]
    return out, ["the robust CFI/TLI/RMSEA are not available (the polychoric matrix is not positive definite): "
                 "the fit verdict reads the scaled CFI/TLI/RMSEA"]


@dataclass
class OrdinalGroupsFit:
    """A multi-group ordinal model without equality constraints across groups (lavaan's configural model:
    thresholds, loadings and factor (co)variances per group, scale factors 1, latent means 0): each group
    is fitted on its own, the tests combine them (:func:`ordinal_measures`)."""

    fits: list
    labels: list
    estimator: str
    missing_info: dict
    warnings: list = field(default_factory=list)

    @property
    def converged(self) -> bool:
        return all(f.converged for f in self.fits)

    @property
    def ntotal(self) -> int:
        return int(sum(f.ntotal for f in self.fits))

    def fit_measures(self) -> dict:
        fm = ordinal_measures([f.pieces for f in self.fits], self.estimator)
        fm["chisq_by_group"] = {lab: float(f.pieces["T"]) for lab, f in zip(self.labels, self.fits)}
        return fm

    def estimates(self):
        import pandas as pd

        parts = []
        for g, f in enumerate(self.fits):
            e = f.estimates()
            e.insert(3, "group", g + 1)
            parts.append(e)
        return pd.concat(parts, ignore_index=True)


def fit_ordinal_groups(model, data, group, *, group_labels=None, ordered=None, estimator: str = "WLSMV",
                       std_lv: bool = False, missing: str = "listwise") -> OrdinalGroupsFit:
    """The configural multi-group ordinal model of ``model`` in the groups of ``group`` (per-row labels or a
    column name; groups in order of first appearance, as lavaan). Listwise deletion within groups."""
    from cxstats.stats.sem.samplestats import group_codes

    if isinstance(group, str):
        group = data[group].tolist()
    codes, labels, keep, warns = group_codes(group, group_labels, len(data))
    fits = []
    out_warn = list(warns)
    n_rows = n_used = 0
    for g, lab in enumerate(labels):
        sub = data[keep & (codes == g)].reset_index(drop=True)
        try:
            f = fit_ordinal(model, sub, ordered=ordered, estimator=estimator, std_lv=std_lv, missing=missing)
        except InputError as exc:      # ModelError too
            raise type(exc)(f"group {lab!r}: {exc.reason}", file=exc.file, column=exc.column, row=exc.row,
                            value=exc.value, details=exc.details, option=exc.option) from None
        fits.append(f)
        n_rows += f.missing_info["n_rows"]
        n_used += f.missing_info["n_used"]
        out_warn.extend(f"group {lab!r}: {w}" for w in f.warnings)
    # standard errors: lavaan divides the joint sandwich by N - G (not each group's by N_g - 1): a group's
    # covariance is its own fit's times (N_g - 1) / (N_g (N - G) / N)
    N, G = sum(f.ntotal for f in fits), len(fits)
    for f in fits:
        factor = (f.ntotal - 1) / (f.ntotal * (N - G) / N)
        f.vcov_all = f.vcov_all * factor
        f.vcov = f.vcov * factor
    levels = [tuple(map(tuple, f.ordinal.levels)) for f in fits]
    if len(set(levels)) > 1:
        out_warn.append("the groups do not use the same answer categories of every item: their thresholds are "
                        "not comparable one to one (t1, t2, ... count each group's own categories)")
    info = {"method": missing, "n_rows": n_rows, "n_used": n_used,
            ("n_dropped_incomplete" if missing == "listwise" else "n_dropped_empty"): n_rows - n_used}
    return OrdinalGroupsFit(fits, [str(x) for x in labels], str(estimator).upper(), info, out_warn)
