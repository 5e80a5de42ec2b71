"""Robust maximum likelihood for complete data: lavaan's ``estimator = "MLR"`` and ``"MLM"``.

The point estimates are the ML ones; what changes are the standard errors and the test
statistic (and the fit indices computed from it). Notation per group g (n_g cases, f_g = n_g/N):
the moments m = (mu [with a mean structure], vech Sigma); Delta_g = dm/dtheta; for case i the
casewise score of the normal log-likelihood with respect to m,

    d l_i / d mu = Sigma^-1 e_i,   d l_i / d Sigma_jk = c_jk [Sigma^-1 e_i e_i' Sigma^-1 - Sigma^-1]_jk / 2,

with e_i = y_i - mu and c_jk = 1 on the diagonal, 2 off it (an off-diagonal element of vech Sigma
moves two cells); without a mean structure mu is the sample mean (the saturated mean).

* **MLR** (Huber-White sandwich; lavaan ``se = "robust.huber.white"`` with ``information =
  "observed"``, ``observed.information = "hessian"``): A0 = the Hessian of lavaan's F
  (F_ML / 2, per case), B0 = sum_g f_g (1/n_g) sum_i s_i s_i' with s_i = Delta_g' (score at the
  model-implied moments); vcov = A0^-1 B0 A0^-1 / N. Test: Yuan-Bentler as Mplus (lavaan
  ``test = "yuan.bentler.mplus"``): tr(U Gamma) = sum_g [tr(A1_g^-1 B1_g) - f_g tr(B0_g A0^-1)],
  A1_g / B1_g the expected / first-order information of the saturated model at the sample
  moments ("unstructured").
* **MLM** (Satorra-Bentler; lavaan ``se = "robust.sem"``, ``test = "satorra.bentler"``, expected
  information, ``h1.information = "structured"``): W_g = the expected information of the moments at
  the model-implied moments, Gamma_g = the asymptotic covariance of the sample moments (the
  fourth-order moments, divisor n_g), E = sum_g f_g Delta_g' W_g Delta_g; vcov = E^-1 [sum_g f_g
  Delta_g' W_g Gamma_g W_g Delta_g] E^-1 / N; tr(U Gamma) = sum_g [tr(W_g Gamma_g) - f_g
  tr(Delta_g' W_g Gamma_g W_g Delta_g E^-1)].

Exogenous observed covariates (fixed.x): their moments are left out of the h1 traces, as lavaan
does (MLR; MLM, whose Gamma lavaan adjusts for fixed.x, and MLR with FIML are refused with them).

In both, the scaling factor is c = tr(U Gamma) / df and chisq_scaled = chisq / c. The baseline
(independence) model is treated the same way, which gives its own scaling factor c_b for the
scaled and robust CFI/TLI. Robust indices (Brosseau-Liard, Savalei & Li 2012; Brosseau-Liard &
Savalei 2014) as lavaan 0.6: CFI_robust = 1 - max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0),
TLI_robust = 1 - [(T - c df) df_b] / [(T_b - c_b df_b) df], RMSEA_robust = sqrt(max(0, (T - c df)
/ (N df))) sqrt(G); the ``_scaled`` indices are the usual formulas on the scaled statistics.

Written by hand (no Python SEM package implements lavaan's robust corrections); every number is
tested against lavaan 0.6-14 (tests/test_sem_robust.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cxstats.errors import ModelError
from cxstats.stats.sem.engine import symmetric_jacobian

ESTIMATORS = ("ML", "MLR", "MLM")
ROBUST_ESTIMATORS = ("MLR", "MLM")
TEST_NAMES = {"MLR": "Yuan-Bentler (Mplus variant)", "MLM": "Satorra-Bentler"}


@dataclass
class RobustResult:
    estimator: str
    vcov: np.ndarray            # robust covariance matrix of the free parameters
    scaling_factor: float       # c = tr(U Gamma) / df (nan when df = 0)
    baseline_scaling_factor: float
    fiml_corrected: dict | None = None   # MLR with FIML: lavaan's FIML-C(V3) pieces for the robust indices


def _vech(p):
    r, c = np.tril_indices(p)
    return r, c


def moment_jacobian(model, theta, g: int, meanstructure: bool):
    """Delta (k x m): derivatives of (mu, vech Sigma) with respect to the free parameters; also
    Sigma and mu."""
    dSig, dmu, Sig, mu = model.jacobian(theta, g)
    r, c = _vech(model.p)
    D = dSig[:, r, c]
    if meanstructure:
        D = np.hstack([dmu, D])
    return D, Sig, mu


def casewise_scores(Y, mu, Sig, meanstructure: bool) -> np.ndarray:
    """n x m matrix of casewise scores of the normal log-likelihood with respect to (mu, vech Sigma)."""
    p = Sig.shape[0]
    r, c = _vech(p)
    Si = np.linalg.inv(Sig)
    Z = (Y - mu) @ Si
    w = np.where(r == c, 1.0, 2.0)
    S_part = 0.5 * (Z[:, r] * Z[:, c] - Si[r, c]) * w
    return np.hstack([Z, S_part]) if meanstructure else S_part


def expected_h1_information(Sig, meanstructure: bool) -> np.ndarray:
    """Unit expected information of (mu, vech Sigma) at Sigma (the normal-theory weight matrix)."""
    p = Sig.shape[0]
    r, c = _vech(p)
    Si = np.linalg.inv(Sig)
    s = np.where(r == c, 0.5, 1.0)
    A = (Si[np.ix_(r, r)] * Si[np.ix_(c, c)] + Si[np.ix_(r, c)] * Si[np.ix_(c, r)]) * np.outer(s, s)
    if not meanstructure:
        return A
    m = len(r)
    out = np.zeros((p + m, p + m))
    out[:p, :p] = Si
    out[p:, p:] = A
    return out


def moments_acov(Y, meanstructure: bool) -> np.ndarray:
    """Gamma: asymptotic covariance of sqrt(n) (xbar, vech S) from the data (divisor n), the
    distribution-free estimate (Browne 1984)."""
    n, p = Y.shape
    r, c = _vech(p)
    E = Y - Y.mean(axis=0)
    d = E[:, r] * E[:, c]
    if meanstructure:
        d = np.hstack([E, d])
    d = d - d.mean(axis=0)
    return d.T @ d / n


def _x_mask(names, ov_x, meanstructure: bool) -> np.ndarray:
    """True for the moments that are not fixed.x moments (lavaan masks those out of the h1 traces)."""
    p = len(names)
    r, c = _vech(p)
    xs = {i for i, n in enumerate(names) if n in set(ov_x)}
    keep = np.array([not (a in xs and b in xs) for a, b in zip(r, c)])
    if meanstructure:
        keep = np.concatenate([[i not in xs for i in range(p)], keep])
    return keep


def observed_information(model, theta, *, rel_step: float = 1e-5) -> np.ndarray:
    """Hessian of lavaan's F (= our F / 2) by central differences of the analytic gradient.
    (The analytic second derivatives of Sigma(theta) are not implemented; the difference
    quotient of an exact gradient is accurate to ~1e-9 here.)"""
    return 0.5 * symmetric_jacobian(lambda t: model.gradient_information(t)[1], theta, rel_step=rel_step)


def robust_pieces(model, theta, data: list, estimator: str, df: int, weights: list | None = None):
    """(vcov, trace of U Gamma) of a fitted complete-data model. ``data``: per group the n_g x p
    array of complete cases in the model's variable order; ``weights``: per group the sampling
    weights of those cases (rescaled to sum to the number of cases; the model is then fitted to
    the weighted moments and each case's score counts with its weight)."""
    stats = model.stats
    N = stats.ntotal
    ms = bool(model.meanstructure)
    names = list(model.pt.ov)
    keep = _x_mask(names, model.pt.ov_x, ms)
    fg = np.array(stats.group_size, float) / N
    size = stats.group_size
    deltas, Sigs, mus = [], [], []
    for g in range(len(data)):
        D, Sig, mu = moment_jacobian(model, theta, g, ms)
        deltas.append(D)
        Sigs.append(Sig)
        mus.append(mu if ms else stats.mean[g])
    k = model.k
    if estimator == "MLR":
        A0 = observed_information(model, theta)
        A0_inv = _inv(A0)
        B0g = []
        for g, Y in enumerate(data):
            sc = casewise_scores(Y, mus[g], Sigs[g], ms) @ deltas[g].T
            if weights is not None:
                sc = sc * weights[g][:, None]
            B0g.append(sc.T @ sc / size[g])
        B0 = sum(f * b for f, b in zip(fg, B0g)) if B0g else np.zeros((k, k))
        vcov = A0_inv @ B0 @ A0_inv / N
        trace = 0.0
        for g, Y in enumerate(data):
            S, xbar = stats.cov[g], stats.mean[g]
            A1 = expected_h1_information(S, ms)[np.ix_(keep, keep)]
            sc1 = casewise_scores(Y, xbar, S, ms)[:, keep]
            if weights is not None:
                sc1 = sc1 * weights[g][:, None]
            B1 = sc1.T @ sc1 / size[g]
            trace += float(np.sum(B1 * np.linalg.inv(A1).T)) - fg[g] * float(np.sum(B0g[g] * A0_inv.T))
    elif estimator == "MLM":
        W = [expected_h1_information(Sigs[g], ms) for g in range(len(data))]
        E = sum(f * D @ Wg @ D.T for f, D, Wg in zip(fg, deltas, W))
        E_inv = _inv(E)
        mid = np.zeros((k, k))
        trace = 0.0
        for g, Y in enumerate(data):
            Gam = moments_acov(Y, ms)
            Wk = W[g][np.ix_(keep, keep)]
            Gk = Gam[np.ix_(keep, keep)]
            Dk = deltas[g][:, keep]
            M = Dk @ Wk @ Gk @ Wk @ Dk.T
            mid += fg[g] * M
            trace += float(np.sum(Wk * Gk.T)) - fg[g] * float(np.sum(M * E_inv.T))
        vcov = E_inv @ mid @ E_inv / N
    else:
        raise ModelError(f"unknown robust estimator {estimator!r}")
    return vcov, trace


def fiml_casewise_scores(Y, mu, Sig) -> np.ndarray:
    """n x (p + p*) casewise scores of the observed-data normal log-likelihood (each case its answered
    variables only) with respect to (mu, vech Sigma): the FIML analogue of :func:`casewise_scores`."""
    n, p = Y.shape
    r, c = _vech(p)
    w = np.where(r == c, 1.0, 2.0)
    out = np.zeros((n, p + len(r)))
    mask = ~np.isnan(Y)
    pats, inv = np.unique(mask, axis=0, return_inverse=True)
    for j, pat in enumerate(pats):
        rows = np.flatnonzero(inv.ravel() == j)
        o = np.flatnonzero(pat)
        if not len(o):
            continue
        Si = np.linalg.inv(Sig[np.ix_(o, o)])
        Z = (Y[np.ix_(rows, o)] - mu[o]) @ Si
        Zf = np.zeros((len(rows), p))
        Zf[:, o] = Z
        Sif = np.zeros((p, p))
        Sif[np.ix_(o, o)] = Si
        out[rows, :p] = Zf
        out[rows, p:] = 0.5 * (Zf[:, r] * Zf[:, c] - Sif[r, c]) * w
    return out


def fiml_h1_information(gp, Sig, mu) -> np.ndarray:
    """Unit observed information of the saturated model's (mu, vech Sigma) under FIML at (mu, Sigma):
    minus the Hessian of logL / n, analytic (:func:`cxstats.stats.sem.fiml._pattern_hessian` with the
    saturated model's Jacobian: Sigma and mu are linear in these parameters, so there is no curvature)."""
    from cxstats.stats.sem.fiml import _pattern_hessian

    p = len(mu)
    r, c = _vech(p)
    m = p + len(r)
    dSig = np.zeros((m, p, p))
    dmu = np.zeros((m, p))
    dmu[np.arange(p), np.arange(p)] = 1.0
    idx = np.arange(p, m)
    dSig[idx, r, c] = 1.0
    dSig[idx, c, r] = 1.0
    return -_pattern_hessian(Sig, mu, dSig, dmu, gp) / gp.n


def fiml_h1_information_numeric(gp, Sig, mu, *, rel_step: float = 1e-6) -> np.ndarray:
    """The same by central differences of the analytic gradient (the method before; kept as its check)."""
    from cxstats.stats.sem.fiml import pattern_loglik

    p = len(mu)
    r, c = _vech(p)
    m = p + len(r)

    def grad(mv):
        mu_, S_ = mv[:p], np.zeros((p, p))
        S_[r, c] = mv[p:]
        S_[c, r] = mv[p:]
        _, W, w = pattern_loglik(S_, mu_, gp)
        return np.concatenate([w, np.where(r == c, 1.0, 2.0) * W[r, c]])

    m0 = np.concatenate([mu, Sig[r, c]])
    H = np.zeros((m, m))
    for j in range(m):
        h = rel_step * max(1.0, abs(m0[j]))
        a, b = m0.copy(), m0.copy()
        a[j] += h
        b[j] -= h
        H[:, j] = (grad(a) - grad(b)) / (2 * h)
    return -0.5 * (H + H.T) / gp.n


def robust_fiml_pieces(model, theta, data: list):
    """(vcov, trace of U Gamma) of an MLR fit by full-information ML (lavaan's MLR with missing =
    "ml"): A0 the observed information of the fit, B0 from the casewise observed-data scores;
    Yuan-Bentler (Mplus) trace with the saturated model's observed and first-order information at
    the EM estimates. ``data``: per group the n_g x p rows used (NaN = not answered)."""
    fd = model.fdata
    N = model.N
    fg = np.array([gp.n for gp in fd.patterns], float) / N
    A0 = model.information(theta) / N
    A0_inv = _inv(A0)
    B0g = []
    for g, Y in enumerate(data):
        dSig, dmu, Sig, mu = model.jacobian(theta, g)
        r, c = _vech(model.p)
        D = np.hstack([dmu, dSig[:, r, c]])
        sc = fiml_casewise_scores(Y, mu, Sig) @ D.T
        B0g.append(sc.T @ sc / len(Y))
    B0 = sum(f * b for f, b in zip(fg, B0g))
    vcov = A0_inv @ B0 @ A0_inv / N
    trace = 0.0
    for g, Y in enumerate(data):
        S1, m1 = fd.h1.cov[g], fd.h1.mean[g]
        A1 = fiml_h1_information(fd.patterns[g], S1, m1)
        sc1 = fiml_casewise_scores(Y, m1, S1)
        B1 = sc1.T @ sc1 / len(Y)
        trace += float(np.sum(B1 * np.linalg.inv(A1).T)) - fg[g] * float(np.sum(B0g[g] * A0_inv.T))
    return vcov, trace


def _ml_discrepancy_at(model, theta, S_list, m_list, n_list) -> float:
    """Σ_g n_g F_ML(θ; S_g, m_g): the complete-data ML test statistic of the model at θ (not re-estimated)
    against the moments S_g, m_g (with the mean structure)."""
    T = 0.0
    for g, (S, m, n) in enumerate(zip(S_list, m_list, n_list)):
        Sig, mu = model.implied(theta, g)
        Si = np.linalg.inv(Sig)
        d = m - mu
        F = (np.linalg.slogdet(Sig)[1] + float(np.sum(S * Si)) - np.linalg.slogdet(S)[1] - len(m)
             + float(d @ Si @ d))
        T += n * F
    return float(T)


def fiml_corrected(model, theta, bmodel, btheta, data: list, df: int, dfb: int) -> dict:
    """lavaan's corrected FIML statistics for the robust CFI/TLI/RMSEA of MLR with missing answers
    (``lav_fit_fiml_corrected``, version "V3"; Zhang & Savalei 2023): T3 = the ML statistic of the model at
    the FIML estimates against the EM (saturated) moments S~, m~; its scaling factor
    c3 = tr(U Wm^-1 Wc Wm^-1 U Gamma) / df with, over the groups (block diagonal, weights f_g = n_g/N),
    Wm = f_g x the FIML observed h1 information at the EM moments, Wc = f_g x the complete-data h1
    information at S~ (the normal-theory weight), Gamma = Wm_g^-1 J_g Wm_g^-1 / f_g (J the first-order h1
    information), U = Wm - Wm Delta E^-1 Delta' Wm with E = Delta' Wm Delta (lavaan sets
    observed.information = "h1" and h1.information = "unstructured" here); the same
    for the independence model (its FIML estimates) gives T3_null and c3_null."""
    fd = model.fdata
    N = model.N
    G = len(fd.patterns)
    fg = np.array([gp.n for gp in fd.patterns], float) / N
    S_list, m_list = [fd.h1.cov[g] for g in range(G)], [fd.h1.mean[g] for g in range(G)]
    n_list = [gp.n for gp in fd.patterns]
    Wm, Wmi, Wc, Gam = [], [], [], []
    for g, (gp, Y) in enumerate(zip(fd.patterns, data)):
        A1 = fiml_h1_information(gp, S_list[g], m_list[g])
        sc1 = fiml_casewise_scores(Y, m_list[g], S_list[g])
        J = sc1.T @ sc1 / len(Y)
        A1i = np.linalg.inv(A1)
        Wm.append(fg[g] * A1)
        Wmi.append(A1i / fg[g])
        Wc.append(fg[g] * expected_h1_information(S_list[g], True))
        Gam.append(A1i @ J @ A1i / fg[g])
    from scipy.linalg import block_diag

    Wm, Wmi, Wc, Gam = (block_diag(*x) for x in (Wm, Wmi, Wc, Gam))
    middle = Wmi @ Wc @ Wmi

    def kappa(mod, th):
        Delta = np.vstack([moment_jacobian(mod, th, g, True)[0].T for g in range(G)])
        Einv = np.linalg.inv(Delta.T @ Wm @ Delta)
        U = Wm - Wm @ Delta @ Einv @ Delta.T @ Wm
        return float(np.trace(U @ middle @ U @ Gam))

    T3 = _ml_discrepancy_at(model, theta, S_list, m_list, n_list)
    T3b = _ml_discrepancy_at(bmodel, btheta, S_list, m_list, n_list)
    return {"chisq": T3, "scaling_factor": scaling(kappa(model, theta), df),
            "baseline_chisq": T3b, "baseline_scaling_factor": scaling(kappa(bmodel, btheta), dfb)}


def _inv(M):
    try:
        return np.linalg.inv(M)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(M)


def scaling(trace: float, df: int) -> float:
    if df <= 0:
        return math.nan
    c = trace / df
    return c if c > 0 else math.nan


def baseline_model(pt, stats):
    """The independence model of ``pt`` compiled and bound to ``stats``, with its estimates
    (variances = sample variances, means = sample means; fixed.x covariates keep their moments)."""
    from cxstats.stats.sem.engine import CompiledModel
    from cxstats.stats.sem.partable import ParTable, Row

    rows = []
    names = []
    xset = set(pt.ov_x)
    for g in range(pt.ngroups):
        for v in pt.ov:
            if v in xset:
                rows.append(Row(v, "~~", v, g, -1, 0.0, exo=True))
            else:
                rows.append(Row(v, "~~", v, g, len(names)))
                names.append(f"{v} ~~ {v} ({g + 1})")
        for i, a in enumerate(pt.ov_x):
            for b in pt.ov_x[i + 1:]:
                rows.append(Row(a, "~~", b, g, -1, 0.0, exo=True))
        if pt.meanstructure:
            for v in pt.ov:
                if v in xset:
                    rows.append(Row(v, "~1", "", g, -1, 0.0, exo=True))
                else:
                    rows.append(Row(v, "~1", "", g, len(names)))
                    names.append(f"{v} ~1 ({g + 1})")
    bpt = ParTable(rows, list(pt.ov), [], pt.ngroups, pt.meanstructure, pt.options, pt.parsed, list(pt.ov_x),
                   len(names), names)
    model = CompiledModel(bpt)
    model.set_sample(stats)
    theta = np.zeros(len(names))
    idx = {n: i for i, n in enumerate(pt.ov)}
    for r in rows:
        if r.free < 0:
            continue
        i = idx[r.lhs]
        theta[r.free] = stats.cov[r.group][i, i] if r.op == "~~" else stats.mean[r.group][i]
    return model, theta


def robust_fit(fitres, data: list, estimator: str, weights: list | None = None) -> RobustResult:
    """Robust vcov and scaling factors (model and baseline) of a complete-data ML fit (``weights``:
    per group the sampling weights of the cases, see :func:`robust_pieces`)."""
    if estimator not in ROBUST_ESTIMATORS:
        raise ModelError(f"estimator must be one of {', '.join(ROBUST_ESTIMATORS)}, not {estimator!r}")
    if fitres.pt.ov_x and (estimator != "MLR" or fitres.fiml is not None):
        raise ModelError(f"estimator {estimator}{' with FIML' if fitres.fiml is not None else ''} is not "
                         "available yet for models with exogenous observed "
                         f"covariates (fixed.x: {', '.join(fitres.pt.ov_x)}); use estimator ML, or model the "
                         "covariates as single-indicator factors")
    pt = fitres.pt
    _, dfb = fitres.baseline()
    if fitres.fiml is not None:
        if estimator != "MLR":
            raise ModelError(f"estimator {estimator} needs complete data; with missing answers (FIML) use MLR")
        from cxstats.stats.sem.fiml import FimlModel

        vcov, trace = robust_fiml_pieces(fitres.model, fitres.theta, data)
        bmodel, btheta = baseline_model(pt, fitres.model.stats)
        bfiml = FimlModel(bmodel.pt, fitres.fiml)
        for r in bmodel.pt.rows:          # the FIML independence model: available-case moments
            if r.free >= 0:
                gp = fitres.fiml.patterns[r.group]
                i = bmodel.idx[r.lhs]
                btheta[r.free] = gp.avail_var[i] if r.op == "~~" else gp.avail_mean[i]
        _, btrace = robust_fiml_pieces(bfiml, btheta, data)
        try:
            corrected = fiml_corrected(fitres.model, fitres.theta, bfiml, btheta, data, pt.df, dfb)
        except (np.linalg.LinAlgError, FloatingPointError):
            corrected = None
        return RobustResult(estimator, vcov, scaling(trace, pt.df), scaling(btrace, dfb), corrected)
    vcov, trace = robust_pieces(fitres.model, fitres.theta, data, estimator, pt.df, weights)
    bmodel, btheta = baseline_model(pt, fitres.model.stats)
    _, btrace = robust_pieces(bmodel, btheta, data, estimator, dfb, weights)
    return RobustResult(estimator, vcov, scaling(trace, pt.df), scaling(btrace, dfb))


def robust_measures(fm: dict, rob: RobustResult, ngroups: int, *, fiml: bool = False) -> dict:
    """The scaled and robust fit measures (lavaan names with '_' for '.'). With ``fiml`` (MLR with
    missing answers) the robust CFI/TLI/RMSEA come from the FIML-corrected statistics of
    :func:`fiml_corrected` (lavaan 0.6-14; left out when they could not be computed)."""
    from scipy.stats import chi2

    T, df, N = fm["chisq"], fm["df"], fm["ntotal"]
    Tb, dfb = fm["baseline_chisq"], fm["baseline_df"]
    c, cb = rob.scaling_factor, rob.baseline_scaling_factor
    G = ngroups
    out = {"chisq_scaled": T / c if df > 0 else T, "df_scaled": df, "chisq_scaling_factor": c,
           "baseline_chisq_scaled": Tb / cb if dfb > 0 else Tb, "baseline_chisq_scaling_factor": cb}
    out["pvalue_scaled"] = float(chi2.sf(out["chisq_scaled"], df)) if df > 0 else math.nan
    Ts, Tbs = out["chisq_scaled"], out["baseline_chisq_scaled"]
    out["cfi_scaled"] = _cfi(Ts, df, Tbs, dfb, 1.0, 1.0)
    out["tli_scaled"] = _tli(Ts, df, Tbs, dfb, 1.0, 1.0)
    out["rmsea_scaled"] = _rmsea(Ts, df, N, G, 1.0)
    if fiml:
        fc = rob.fiml_corrected
        if fc is not None and df > 0 and np.isfinite(fc["scaling_factor"]) and np.isfinite(fc["baseline_scaling_factor"]):
            T3, c3, T3b, c3b = fc["chisq"], fc["scaling_factor"], fc["baseline_chisq"], fc["baseline_scaling_factor"]
            out["cfi_robust"] = _cfi(T3, df, T3b, dfb, c3, c3b)
            out["tli_robust"] = _tli(T3, df, T3b, dfb, c3, c3b)
            out["rmsea_robust"] = _rmsea(T3, df, N, G, c3)
    elif df > 0 and np.isfinite(c) and np.isfinite(cb):
        out["cfi_robust"] = _cfi(T, df, Tb, dfb, c, cb)
        out["tli_robust"] = _tli(T, df, Tb, dfb, c, cb)
        out["rmsea_robust"] = _rmsea(T, df, N, G, c)
    else:
        out["cfi_robust"] = out["tli_robust"] = out["rmsea_robust"] = math.nan
    return {k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in out.items()}


def sb2001_difference(T0: float, df0: int, c0: float, T1: float, df1: int, c1: float) -> tuple[float, float]:
    """Satorra & Bentler's (2001) scaled chi-square difference of nested models, as lavaan's
    ``lavTestLRT(method = "satorra.bentler.2001")``: model 0 the more constrained (df0 > df1), T the
    unscaled ML chi-squares, c the scaling factors; c_d = (df0 c0 - df1 c1) / (df0 - df1) and the
    scaled difference (T0 - T1) / c_d. A saturated model 1 (df1 = 0) counts with c1 = 1. Returns
    (scaled difference, c_d); both NaN when c_d is not positive (lavaan gives no test then)."""
    ddf = df0 - df1
    if ddf <= 0:
        return math.nan, math.nan
    c0 = 1.0 if df0 == 0 or c0 is None else c0
    c1 = 1.0 if df1 == 0 or c1 is None else c1
    cd = (df0 * c0 - df1 * c1) / ddf
    if not (math.isfinite(cd) and cd > 0):
        return math.nan, math.nan
    return (T0 - T1) / cd, cd


def _cfi(T, df, Tb, dfb, c, cb):
    t1 = max(T - c * df, 0.0)
    t2 = max(T - c * df, Tb - cb * dfb, 0.0)
    return 1.0 if t2 == 0 else 1.0 - t1 / t2


def _tli(T, df, Tb, dfb, c, cb):
    t1 = (T - c * df) * dfb
    t2 = (Tb - cb * dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def _rmsea(T, df, N, G, c):
    if df <= 0:
        return 0.0
    return math.sqrt(max(0.0, (T - c * df) / (N * df))) * math.sqrt(G)
