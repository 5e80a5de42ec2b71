"""Multi-group maximum-likelihood estimation in RAM form.

Every variable (observed and latent) is a node. Per group:

    A  (v x v)  directed paths: A[i, j] = effect of j on i (loadings, regressions)
    S  (v x v)  (residual) variances and covariances
    m  (v)      intercepts / means
    B = (I - A)^-1,  G = B[ov, :],  C = B S B'   (all variables)
    Sigma = G S G',  mu = G m

Fit function (the usual ML discrepancy; lavaan's own F is half of it):

    F(theta) = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
                                + (xbar_g - mu_g)' Sigma_g^-1 (xbar_g - mu_g)]

so that chisq = N * F_min (S with divisor N). The analytic Jacobian
Delta = d(Sigma, mu)/d(theta) gives both the gradient and the expected
information; the optimiser is Fisher scoring with step halving (BFGS as a
fallback). Standard errors: vcov = inverse of sum_g n_g Delta_g' W_g Delta_g,
W_g = [1/2 Sigma^-1 (x) Sigma^-1 ; Sigma^-1 for the means] (lavaan's default
expected information for ML with complete data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxstats.errors import ModelError
from cxstats.stats.sem.partable import ParTable
from cxstats.stats.sem.samplestats import SampleStats


@dataclass
class _Group:
    A0: np.ndarray
    S0: np.ndarray
    m0: np.ndarray
    a_r: np.ndarray
    a_c: np.ndarray
    a_p: np.ndarray
    s_r: np.ndarray
    s_c: np.ndarray
    s_p: np.ndarray
    m_i: np.ndarray
    m_p: np.ndarray
    E_a: np.ndarray       # (k, n_a) indicator: parameter <- entry
    E_s: np.ndarray
    E_m: np.ndarray


def bfgs_fallback(objective_and_gradient, theta, *, gtol: float, accept: float):
    """BFGS from ``theta`` when scoring steps fail; (theta, F, converged). A point where the
    objective cannot be evaluated (singular implied matrix) counts as infinitely bad. Converged:
    scipy's success, or a gradient below ``accept`` at a finite objective."""
    from scipy.optimize import minimize

    def fun(t):
        try:
            return objective_and_gradient(t)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(t)

    res = minimize(fun, theta, jac=True, method="BFGS", options={"gtol": gtol, "maxiter": 5000})
    ok = bool(res.success) or (np.isfinite(res.fun) and np.max(np.abs(res.jac)) < accept)
    return res.x, float(res.fun), ok


class CompiledModel:
    """A parameter table turned into per-group index arrays, ready to evaluate fast.

    ``set_sample(stats)`` binds data (also sets fixed.x rows to the sample
    values). ``objective(theta)``, ``gradient_information(theta)`` and
    :meth:`optimize` then work on that sample. Refitting the same model to other
    moments (bootstrap) is ``set_sample(new_stats); optimize(start=theta_hat)``.
    """

    def __init__(self, pt: ParTable):
        self.pt = pt
        self.k = pt.nfree
        self.vars = pt.variables
        self.v = len(self.vars)
        self.p = len(pt.ov)
        self.idx = {n: i for i, n in enumerate(self.vars)}
        self.ov_idx = np.arange(self.p)
        self.meanstructure = pt.meanstructure
        self.groups: list[_Group] = []
        for g in range(pt.ngroups):
            self.groups.append(self._compile_group(g))
        self.stats: SampleStats | None = None

    def _compile_group(self, g: int) -> _Group:
        v, idx = self.v, self.idx
        A0, S0, m0 = np.zeros((v, v)), np.zeros((v, v)), np.zeros(v)
        a_r, a_c, a_p, s_r, s_c, s_p, m_i, m_p = ([] for _ in range(8))
        for r in self.pt.group_rows(g):
            if r.op == "=~":
                i, j = idx[r.rhs], idx[r.lhs]
                mat = "A"
            elif r.op == "~":
                i, j = idx[r.lhs], idx[r.rhs]
                mat = "A"
            elif r.op == "~~":
                i, j = sorted((idx[r.lhs], idx[r.rhs]))
                mat = "S"
            else:
                i, j = idx[r.lhs], None
                mat = "m"
            if r.free < 0:
                if mat == "A":
                    A0[i, j] = r.value
                elif mat == "S":
                    S0[i, j] = S0[j, i] = r.value
                else:
                    m0[i] = r.value
            else:
                if mat == "A":
                    a_r.append(i); a_c.append(j); a_p.append(r.free)
                elif mat == "S":
                    s_r.append(i); s_c.append(j); s_p.append(r.free)
                else:
                    m_i.append(i); m_p.append(r.free)

        def ind(pidx):
            E = np.zeros((self.k, len(pidx)))
            E[np.asarray(pidx, int), np.arange(len(pidx))] = 1.0
            return E

        arr = lambda x: np.asarray(x, dtype=int)  # noqa: E731
        return _Group(A0, S0, m0, arr(a_r), arr(a_c), arr(a_p), arr(s_r), arr(s_c), arr(s_p),
                      arr(m_i), arr(m_p), ind(a_p), ind(s_p), ind(m_p))

    # ------------------------------------------------------------------ data
    def set_sample(self, stats: SampleStats) -> None:
        if list(stats.names) != list(self.pt.ov):
            order = [stats.names.index(n) for n in self.pt.ov]
            stats = SampleStats(list(self.pt.ov), [c[np.ix_(order, order)] for c in stats.cov],
                                [m[order] for m in stats.mean], stats.n, stats.group_labels, stats.weight_n)
        if stats.ngroups != self.pt.ngroups:
            raise ModelError(f"the model has {self.pt.ngroups} group(s) but the data {stats.ngroups}")
        self.stats = stats
        self.w = np.array(stats.group_size, float) / stats.ntotal
        self.logdetS = [np.linalg.slogdet(c)[1] for c in stats.cov]
        # fixed.x rows take the sample values
        if self.pt.ov_x:
            for g, grp in enumerate(self.groups):
                for r in self.pt.group_rows(g):
                    if not r.exo:
                        continue
                    i = self.idx[r.lhs]
                    if r.op == "~~":
                        j = self.idx[r.rhs]
                        grp.S0[i, j] = grp.S0[j, i] = stats.cov[g][i, j]
                        r.value = float(stats.cov[g][i, j])
                    else:
                        grp.m0[i] = stats.mean[g][i]
                        r.value = float(stats.mean[g][i])

    # ------------------------------------------------------------------ model
    def matrices(self, theta, g: int):
        grp = self.groups[g]
        A, S, m = grp.A0.copy(), grp.S0.copy(), grp.m0.copy()
        A[grp.a_r, grp.a_c] = theta[grp.a_p]
        S[grp.s_r, grp.s_c] = theta[grp.s_p]
        S[grp.s_c, grp.s_r] = theta[grp.s_p]
        m[grp.m_i] = theta[grp.m_p]
        return A, S, m

    def implied_all(self, theta, g: int):
        """B, C (all-variable covariance), all-variable means, A, S, m."""
        A, S, m = self.matrices(theta, g)
        B = np.linalg.inv(np.eye(self.v) - A)
        C = B @ S @ B.T
        return B, C, B @ m, A, S, m

    def implied(self, theta, g: int):
        B, C, mu_all, *_ = self.implied_all(theta, g)
        p = self.p
        return C[:p, :p], mu_all[:p]

    def objective(self, theta) -> float:
        F = 0.0
        for g in range(len(self.groups)):
            Sig, mu = self.implied(theta, g)
            sign, logdet = np.linalg.slogdet(Sig)
            if sign <= 0:
                return np.inf
            try:
                Si = np.linalg.inv(Sig)
            except np.linalg.LinAlgError:
                return np.inf
            Fg = logdet + np.sum(self.stats.cov[g] * Si) - self.logdetS[g] - self.p
            if self.meanstructure:
                d = self.stats.mean[g] - mu
                Fg += d @ Si @ d
            F += self.w[g] * Fg
        return float(F)

    def jacobian(self, theta, g: int):
        """dSigma (k, p, p) and dmu (k, p) for group g, plus Sigma and mu."""
        grp = self.groups[g]
        B, C, mu_all, A, S, m = self.implied_all(theta, g)
        p = self.p
        G = B[:p, :]
        H = C[:p, :]
        dA = G[:, grp.a_r].T[:, :, None] * H[:, grp.a_c].T[:, None, :]
        dA = dA + dA.transpose(0, 2, 1)
        dS = G[:, grp.s_r].T[:, :, None] * G[:, grp.s_c].T[:, None, :]
        off = grp.s_r != grp.s_c
        dS[off] += dS[off].transpose(0, 2, 1)
        dSig = np.zeros((self.k, p * p))
        if len(grp.a_r):
            dSig += grp.E_a @ dA.reshape(len(grp.a_r), -1)
        if len(grp.s_r):
            dSig += grp.E_s @ dS.reshape(len(grp.s_r), -1)
        dSig = dSig.reshape(self.k, p, p)
        if self.meanstructure:
            dmuA = (G[:, grp.a_r] * mu_all[grp.a_c]).T
            dmu = grp.E_a @ dmuA + grp.E_m @ G[:, grp.m_i].T
        else:
            dmu = np.zeros((self.k, p))
        return dSig, dmu, C[:p, :p], mu_all[:p]

    def chain_gradient(self, theta, g: int, W, w=None):
        """Σ_a [tr(W dΣ/dθ_a) + w' dμ/dθ_a] for symmetric ``W`` (p x p) and ``w`` (p), without
        forming the Jacobian (O(v² p) instead of O(k p²)). Also returns Σ and μ."""
        grp = self.groups[g]
        B, C, mu_all, A, S, m = self.implied_all(theta, g)
        p = self.p
        G = B[:p, :]
        H = C[:p, :]
        GW = G.T @ W
        MA = 2.0 * GW @ H
        MS = GW @ G
        gA = MA[grp.a_r, grp.a_c]
        gS = MS[grp.s_r, grp.s_c] * np.where(grp.s_r != grp.s_c, 2.0, 1.0)
        out = grp.E_a @ gA + grp.E_s @ gS
        if self.meanstructure and w is not None:
            Gw = G.T @ w
            out = out + grp.E_a @ (Gw[grp.a_r] * mu_all[grp.a_c]) + grp.E_m @ Gw[grp.m_i]
        return out, C[:p, :p], mu_all[:p]

    def gradient_information(self, theta):
        """F, gradient of F, and the expected second derivative (Fisher) matrix of F."""
        F, grad, H = 0.0, np.zeros(self.k), np.zeros((self.k, self.k))
        for g in range(len(self.groups)):
            dSig, dmu, Sig, mu = self.jacobian(theta, g)
            sign, logdet = np.linalg.slogdet(Sig)
            if sign <= 0:
                raise np.linalg.LinAlgError("Sigma not positive definite")
            Si = np.linalg.inv(Sig)
            Sg = self.stats.cov[g]
            Fg = logdet + np.sum(Sg * Si) - self.logdetS[g] - self.p
            W = Si - Si @ Sg @ Si
            X = Si @ dSig                      # (k, p, p)
            k = self.k
            Hg = X.reshape(k, -1) @ X.transpose(0, 2, 1).reshape(k, -1).T     # tr(X_a X_b)
            flat = dSig.reshape(k, -1)
            gg = flat @ W.ravel()
            if self.meanstructure:
                d = self.stats.mean[g] - mu
                Sid = Si @ d
                Fg += d @ Sid
                W2 = -np.outer(Sid, Sid)
                gg += flat @ W2.ravel() - 2 * dmu @ Sid
                Hg += 2 * dmu @ Si @ dmu.T
            F += self.w[g] * Fg
            grad += self.w[g] * gg
            H += self.w[g] * Hg
        return float(F), grad, H

    def information(self, theta) -> np.ndarray:
        """Unit expected information: sum_g n_g Delta' W Delta (invert for vcov)."""
        _, _, H = self.gradient_information(theta)
        return H * self.stats.ntotal / 2.0

    # ------------------------------------------------------------------ optimise
    def optimize(self, start=None, *, tol: float = 1e-10, max_iter: int = 300):
        """Minimise F. Returns (theta, F, converged, iterations)."""
        theta = np.array(self.start_values() if start is None else start, float)
        F = self.objective(theta)
        if not np.isfinite(F):
            theta = np.array(self.start_values(), float)
            F = self.objective(theta)
        converged = False
        it = 0
        for it in range(1, max_iter + 1):
            try:
                F, g, H = self.gradient_information(theta)
            except np.linalg.LinAlgError:
                break
            try:
                step = -np.linalg.solve(H + 1e-12 * np.eye(self.k), g)
            except np.linalg.LinAlgError:
                step = -np.linalg.lstsq(H, g, rcond=None)[0]
            dec = -g @ step
            if dec < 0:               # not a descent direction: use the gradient
                step = -g
                dec = g @ g
            if dec < tol and np.max(np.abs(g)) < 1e-6:
                converged = True
                break
            alpha = 1.0
            while alpha > 1e-10:
                Fn = self.objective(theta + alpha * step)
                if np.isfinite(Fn) and Fn <= F - 1e-4 * alpha * dec:
                    break
                alpha *= 0.5
            else:
                # no decrease: at a minimum up to rounding?
                if dec < 1e-8:
                    converged = True
                break
            theta = theta + alpha * step
            if abs(F - Fn) < 1e-15 and dec < 1e-8:
                converged = True
                F = Fn
                break
            F = Fn
        if not converged:
            theta, F, converged = self._bfgs(theta)
        return theta, float(self.objective(theta)), converged, it

    def _bfgs(self, theta):
        return bfgs_fallback(lambda t: self.gradient_information(t)[:2], theta, gtol=1e-9, accept=1e-5)

    # ------------------------------------------------------------------ start values
    def start_values(self) -> np.ndarray:
        """Simple data-based starting values (per free parameter, from its first row)."""
        theta = np.full(self.k, np.nan)
        pt, st = self.pt, self.stats
        lv = pt.lv
        for g in range(pt.ngroups):
            S = st.cov[g]
            idx = {n: i for i, n in enumerate(pt.ov)}
            rows = pt.group_rows(g)
            load = {}
            lvvar = {}
            for f in lv:
                ind = [r for r in rows if r.op == "=~" and r.lhs == f]
                obs = [r.rhs for r in ind if r.rhs in idx]
                ref = obs[0] if obs else None
                lam = {}
                for r in ind:
                    if r.rhs not in idx or ref is None:
                        lam[r.rhs] = 1.0
                        continue
                    j, m = idx[r.rhs], idx[ref]
                    others = [idx[o] for o in obs if o not in (r.rhs, ref)]
                    if r.rhs == ref:
                        lam[r.rhs] = 1.0
                    elif others:
                        num, den = S[j, others].sum(), S[m, others].sum()
                        lam[r.rhs] = num / den if abs(den) > 1e-12 else 1.0
                    else:
                        lam[r.rhs] = np.sign(S[j, m]) or 1.0
                    if not np.isfinite(lam[r.rhs]) or abs(lam[r.rhs]) > 10:
                        lam[r.rhs] = 1.0
                marker = ind[0] if ind else None
                if ref is not None:
                    covs = [S[idx[ref], idx[o]] / lam[o] for o in obs if o != ref and lam[o] != 0]
                    psi = np.mean(covs) if covs else 0.5 * S[idx[ref], idx[ref]]
                    psi = float(np.clip(psi, 0.05 * S[idx[ref], idx[ref]], 0.95 * S[idx[ref], idx[ref]]))
                else:
                    psi = 1.0
                scale = 1.0
                if marker is not None and marker.free < 0 and marker.value != 0 and marker.rhs in lam:
                    scale = marker.value / lam[marker.rhs]
                elif marker is not None and marker.free >= 0:
                    # loadings free (std.lv or NA*): scale loadings so that the factor variance is its fixed value
                    vrow = next((r for r in rows if r.op == "~~" and r.lhs == f and r.rhs == f), None)
                    target = vrow.value if (vrow is not None and vrow.free < 0 and vrow.value > 0) else 1.0
                    scale = np.sqrt(psi / target)
                    psi = target
                else:
                    psi = psi / scale ** 2 if scale else psi
                for o, l in lam.items():
                    load[(f, o)] = l * scale
                lvvar[f] = psi if (marker is None or marker.free < 0) else psi
            for r in rows:
                if r.free < 0:
                    continue
                if r.start is not None:
                    val = r.start
                elif r.op == "=~":
                    val = load.get((r.lhs, r.rhs), 1.0)
                elif r.op == "~~" and r.lhs == r.rhs:
                    if r.lhs in idx:
                        val = 0.5 * S[idx[r.lhs], idx[r.lhs]]
                    else:
                        val = lvvar.get(r.lhs, 0.05)
                elif r.op == "~~":
                    val = 0.0
                elif r.op == "~1":
                    val = st.mean[g][idx[r.lhs]] if r.lhs in idx else 0.0
                else:
                    val = 0.0
                if np.isnan(theta[r.free]):
                    theta[r.free] = val
        theta[np.isnan(theta)] = 0.0
        return theta


def symmetric_jacobian(gradient, theta, *, rel_step: float = 1e-5) -> np.ndarray:
    """The symmetrised Jacobian of an analytic ``gradient(theta)`` by central differences (the
    Hessian of the function whose gradient it is): step ``rel_step * max(1, |theta_j|)``. Our own
    because the analytic second derivatives of Sigma(theta) are not implemented, and the
    difference quotient of an exact gradient is accurate to ~1e-9 here (numdifftools would
    difference the function itself, a lot less accurately)."""
    k = len(theta)
    H = np.zeros((k, k))
    for j in range(k):
        h = rel_step * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        H[:, j] = (gradient(tp) - gradient(tm)) / (2 * h)
    return 0.5 * (H + H.T)
