"""Thresholds, polychoric correlations and their asymptotic covariance (lavaan's two-step method).

For ordinal items y_1..y_p (categories coded 1..K_j after sorting the observed values), each item is
the cut of a standard-normal latent response y*_j at thresholds tau_j1 < ... < tau_j,K-1.

* **Step 1 (univariate):** tau_jk = Phi^-1(proportion of answers <= category k).
* **Step 2 (bivariate):** for each pair, with the thresholds held at their step-1 values, the
  polychoric correlation rho maximises the bivariate-normal likelihood of the contingency table,
  sum_ab n_ab log P_ab(rho), P_ab = Phi2(tau_a, tau_b) - Phi2(tau_a-1, tau_b) - Phi2(tau_a, tau_b-1)
  + Phi2(tau_a-1, tau_b-1) (Olsson 1979, two-step). A 2 x 2 table with an empty cell gets 0.5 added
  to that cell and to the opposite one and 0.5 taken from the other two, so that the margins stay (lavaan's
  ``zero.add = c(0.5, 0)``, ``zero.keep.margins = TRUE``); larger tables are used as they are.
* **Asymptotic covariance (Muthen 1984, as lavaan's ``muthen1984``):** with the case-wise scores
  of the univariate log-likelihoods (SC_TH, by threshold) and of the bivariate ones with respect to
  rho (SC_COR), INNER = SC'SC, A11 = INNER within each item's thresholds (zero between items),
  A21[rho_ij, tau] = sum_i SC_COR_ij * (bivariate score of the pair wrt tau), A22 = diag(SC_COR'SC_COR);
  with A = [[A11, 0], [A21, A22]], acov = A^-1 INNER A^-T, and the scaled (N-unit) Gamma = N * acov.

The statistics are ordered as lavaan's WLS.obs: the thresholds item by item, then the correlations
below the diagonal column by column ((2,1), (3,1), ..., (p,1), (3,2), ...).

The bivariate normal distribution function uses Owen's T (scipy.special.owens_t), exact to double
precision. Tested against lavaan 0.6-14 (tests/test_sem_ordinal.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri, owens_t

from cxstats.errors import InputError

MAX_CATEGORIES = 15   # more distinct values than this: a continuous variable, not a rating item


def bvn_cdf(h, k, rho):
    """P(Z1 <= h, Z2 <= k) for standard bivariate normal with correlation ``rho`` (arrays; +-inf ok)."""
    h = np.asarray(h, float)
    k = np.asarray(k, float)
    h, k = np.broadcast_arrays(h, k)
    out = np.zeros(h.shape)
    lo = (h == -np.inf) | (k == -np.inf)
    hinf = (h == np.inf) & ~lo
    kinf = (k == np.inf) & ~lo
    out[hinf] = ndtr(k[hinf])
    out[kinf & ~hinf] = ndtr(h[kinf & ~hinf])
    fin = ~(lo | hinf | kinf)
    if fin.any():
        hh = h[fin].copy()
        kk = k[fin].copy()
        hh[hh == 0] = 1e-300
        kk[kk == 0] = 1e-300
        s = math.sqrt(max(1.0 - rho * rho, 1e-300))
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ah = (kk - rho * hh) / (hh * s)
            ak = (hh - rho * kk) / (kk * s)
        beta = np.where(hh * kk < 0, 0.5, 0.0)
        out[fin] = 0.5 * ndtr(hh) + 0.5 * ndtr(kk) - owens_t(hh, ah) - owens_t(kk, ak) - beta
    return np.clip(out, 0.0, 1.0)


def bvn_pdf(h, k, rho):
    """Standard bivariate normal density (0 at infinite arguments)."""
    h = np.asarray(h, float)
    k = np.asarray(k, float)
    s2 = 1.0 - rho * rho
    with np.errstate(invalid="ignore", over="ignore"):
        q = (h * h - 2 * rho * h * k + k * k) / s2
        out = np.exp(-0.5 * q) / (2 * math.pi * math.sqrt(s2))
    return np.where(np.isfinite(h) & np.isfinite(k), out, 0.0)


def _npdf(x):
    x = np.asarray(x, float)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return np.where(np.isfinite(x), out, 0.0)


@dataclass
class OrdinalStats:
    """Step-1 and step-2 statistics of one group of complete cases."""

    names: list                 # item names (model order)
    n: int                      # cases
    levels: list                # per item: the observed values in order (category 1, 2, ...)
    codes: np.ndarray           # n x p category codes 0..K-1
    thresholds: list            # per item: array of K-1 thresholds
    cor: np.ndarray             # p x p polychoric correlations
    acov: np.ndarray            # asymptotic covariance of (thresholds, correlations), not N-scaled
    sc_th: np.ndarray | None = None
    sc_cor: np.ndarray | None = None

    @property
    def p(self) -> int:
        return len(self.names)

    @property
    def nth(self) -> int:
        return sum(len(t) for t in self.thresholds)

    @property
    def gamma(self) -> np.ndarray:
        """N * acov: lavaan's NACOV (``gamma.n.minus.one = FALSE``)."""
        return self.acov * self.n

    def th_vector(self) -> np.ndarray:
        return np.concatenate([np.asarray(t, float) for t in self.thresholds]) if self.thresholds else np.zeros(0)

    def cor_vector(self) -> np.ndarray:
        r, c = cor_index(self.p)
        return self.cor[r, c]

    def wls_obs(self) -> np.ndarray:
        return np.concatenate([self.th_vector(), self.cor_vector()])

    def th_names(self) -> list:
        return [(v, f"t{k + 1}") for v, t in zip(self.names, self.thresholds) for k in range(len(t))]


def cor_index(p: int):
    """(rows, cols) of the correlations below the diagonal, column by column (lavaan's vech order)."""
    rows, cols = [], []
    for j in range(p):
        for i in range(j + 1, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows, int), np.array(cols, int)


def category_codes(X, names):
    """0-based category codes of every column of ``X`` (sorted distinct values) and the levels."""
    codes = np.full(X.shape, -1, int)                  # -1: no answer (pairwise deletion)
    levels = []
    for j in range(X.shape[1]):
        obs = ~np.isnan(X[:, j])
        vals = np.unique(X[obs, j])
        if len(vals) == 0:
            raise InputError(f"the ordinal item {names[j]!r} has no answers", column=str(names[j]))
        if len(vals) < 2:
            raise InputError(f"the ordinal item {names[j]!r} has a single answer value ({vals[0]:g}) among the "
                             "complete cases: it carries no information; leave it out", column=str(names[j]))
        if len(vals) > MAX_CATEGORIES:
            raise InputError(f"the item {names[j]!r} has {len(vals)} distinct answer values: not an ordinal rating "
                             f"item (at most {MAX_CATEGORIES} categories are taken as ordinal); treat it as "
                             "continuous (estimator MLR) or leave it out of ordered", column=str(names[j]))
        levels.append([float(v) for v in vals])
        codes[obs, j] = np.searchsorted(vals, X[obs, j])
    return codes, levels


def _univariate(code, K, n):
    """Thresholds and case-wise scores of one item (code -1 = no answer: score 0, as lavaan's NA-skipping
    cross-products)."""
    have = code >= 0
    counts = np.bincount(code[have], minlength=K).astype(float)
    cum = np.cumsum(counts)[:-1] / have.sum()
    tau = ndtri(cum)
    # scores: d log P_c / d tau_k
    t_ext = np.concatenate([[-np.inf], tau, [np.inf]])
    P = ndtr(t_ext[1:]) - ndtr(t_ext[:-1])
    dens = _npdf(tau)
    sc = np.zeros((n, K - 1))
    rows = np.arange(n)
    up = have & (code <= K - 2)                         # tau_c is the upper bound of category c
    sc[rows[up], code[up]] += dens[code[up]] / P[code[up]]
    dn = code >= 1                                      # tau_{c-1} is the lower bound
    sc[rows[dn], code[dn] - 1] -= dens[code[dn] - 1] / P[code[dn]]
    return tau, sc


def _cell_probs(t1, t2, rho):
    a = np.concatenate([[-np.inf], t1, [np.inf]])
    b = np.concatenate([[-np.inf], t2, [np.inf]])
    F = bvn_cdf(a[:, None], b[None, :], rho)
    P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    f = bvn_pdf(a[:, None], b[None, :], rho)
    dP = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
    return P, dP


def _pair_rho(table, t1, t2):
    from scipy.optimize import brentq, minimize_scalar

    def score(r):
        P, dP = _cell_probs(t1, t2, r)
        P = np.maximum(P, 1e-300)
        return float(np.sum(table * dP / P))

    def negll(r):
        P, _ = _cell_probs(t1, t2, r)
        return -float(np.sum(table * np.log(np.maximum(P, 1e-300))))

    lo, hi = -0.9999, 0.9999
    slo, shi = score(lo), score(hi)
    if slo > 0 and shi < 0:
        return brentq(score, lo, hi, xtol=1e-13, rtol=1e-14, maxiter=200)
    res = minimize_scalar(negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return float(res.x)


def _pair_scores(c1, c2, t1, t2, rho):
    """Case-wise scores of the bivariate log-likelihood: wrt rho, wrt t1 (n x K1-1), wrt t2."""
    both = (c1 >= 0) & (c2 >= 0)
    if not both.all():                                  # pairwise deletion: rows missing either item score 0
        n = len(c1)
        d_rho, d1, d2 = _pair_scores(c1[both], c2[both], t1, t2, rho)
        out = (np.zeros(n), np.zeros((n, d1.shape[1])), np.zeros((n, d2.shape[1])))
        out[0][both], out[1][both], out[2][both] = d_rho, d1, d2
        return out
    P, dP = _cell_probs(t1, t2, rho)
    P = np.maximum(P, 1e-300)
    d_rho = (dP / P)[c1, c2]
    s = math.sqrt(1.0 - rho * rho)
    a = np.concatenate([[-np.inf], t1, [np.inf]])
    b = np.concatenate([[-np.inf], t2, [np.inf]])

    def d_th(ta, tb, ca, cb):
        # d P_ab / d ta_k = phi(ta_k) [Phi((tb_b - rho ta_k)/s) - Phi((tb_{b-1} - rho ta_k)/s)] (k = a)
        #                   minus the same at k = a-1
        n = len(ca)
        Ka = len(ta) - 1
        out = np.zeros((n, Ka - 1))
        rows = np.arange(n)
        Pc = P[c1, c2]
        for sign, kidx, ok in ((1.0, ca, ca <= Ka - 2), (-1.0, ca - 1, ca >= 1)):
            k = kidx[ok]
            tk = ta[k + 1]
            up = tb[cb[ok] + 1]
            dn = tb[cb[ok]]
            g = _npdf(tk) * (ndtr((up - rho * tk) / s) - ndtr((dn - rho * tk) / s))
            out[rows[ok], k] += sign * g / Pc[ok]
        return out

    return d_rho, d_th(a, b, c1, c2), d_th(b, a, c2, c1)


def ordinal_stats(X, names, *, scores: bool = True) -> OrdinalStats:
    """Thresholds, polychoric correlations and (``scores``) their asymptotic covariance, from the n x p
    array ``X`` (any numeric codes; categories are the sorted distinct values). Complete cases, or with
    missing values (NaN) pairwise deletion as lavaan's ``missing = "pairwise"``: thresholds from each item's
    answers, each correlation from the rows answering both items, and in Gamma the missing rows' scores
    count as 0 (n = all rows given)."""
    X = np.asarray(X, float)
    n, p = X.shape
    codes, levels = category_codes(X, names)
    Ks = [len(lv) for lv in levels]
    th, sc_th = [], []
    for j in range(p):
        t, s = _univariate(codes[:, j], Ks[j], n)
        th.append(t)
        sc_th.append(s)
    R = np.eye(p)
    rr, cc = cor_index(p)
    tables = {}
    for i, j in zip(rr, cc):
        tab = np.zeros((Ks[i], Ks[j]))
        both = (codes[:, i] >= 0) & (codes[:, j] >= 0)
        np.add.at(tab, (codes[both, i], codes[both, j]), 1.0)
        est_tab = tab.copy()
        if tab.shape == (2, 2) and (tab == 0).any():     # lavaan zero.add = 0.5, zero.keep.margins = TRUE
            for a, b in zip(*np.nonzero(tab == 0)):
                est_tab[a, b] += 0.5
                est_tab[1 - a, 1 - b] += 0.5
                est_tab[a, 1 - b] -= 0.5
                est_tab[1 - a, b] -= 0.5
        tables[(i, j)] = tab
        R[i, j] = R[j, i] = _pair_rho(est_tab, th[i], th[j])
    st = OrdinalStats(list(names), n, levels, codes, th, R, np.full((0, 0), np.nan))
    if not scores:
        return st
    starts = np.cumsum([0] + [K - 1 for K in Ks])
    SC_TH = np.hstack(sc_th)
    nth = SC_TH.shape[1]
    pstar = len(rr)
    SC_COR = np.zeros((n, pstar))
    A21 = np.zeros((pstar, nth))
    for k, (i, j) in enumerate(zip(rr, cc)):
        d_rho, d_ti, d_tj = _pair_scores(codes[:, i], codes[:, j], th[i], th[j], R[i, j])
        SC_COR[:, k] = d_rho
        A21[k, starts[i]:starts[i + 1]] = d_rho @ d_ti
        A21[k, starts[j]:starts[j + 1]] = d_rho @ d_tj
    SC = np.hstack([SC_TH, SC_COR])
    INNER = SC.T @ SC
    A11 = np.zeros((nth, nth))
    for j in range(p):
        s = slice(starts[j], starts[j + 1])
        A11[s, s] = INNER[s, s]
    A11i = np.linalg.inv(A11)
    A22i = np.diag(1.0 / np.einsum("ij,ij->j", SC_COR, SC_COR))
    Binv = np.zeros((nth + pstar, nth + pstar))
    Binv[:nth, :nth] = A11i
    Binv[nth:, :nth] = -A22i @ A21 @ A11i
    Binv[nth:, nth:] = A22i
    st.acov = Binv @ INNER @ Binv.T
    st.sc_th, st.sc_cor = SC_TH, SC_COR
    return st
