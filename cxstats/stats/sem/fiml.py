"""Full-information maximum likelihood for incomplete data (lavaan's ``missing = "ml"``).

Every case contributes the normal log-likelihood of the variables it answered
(Arbuckle 1996; Enders 2010, ch. 3-4). Cases are grouped by their pattern of
observed variables; a pattern with n_p cases, observed set o, mean x̄_p and
covariance S_p (divisor n_p) contributes

    logL_p = -n_p/2 [ q_p log 2π + log|Σ_oo| + tr(Σ_oo⁻¹ S_p) + (x̄_p - μ_o)' Σ_oo⁻¹ (x̄_p - μ_o) ]

so the work per evaluation grows with the number of patterns, not of cases.
Patterns with the same number of observed variables are stacked and evaluated
in one batch. The gradient of logL with respect to (Σ, μ) is accumulated over
patterns into full p x p / p arrays and mapped to the free parameters with the
model's analytic Jacobian.

* H1 (saturated) model: the EM algorithm for the multivariate normal (Dempster,
  Laird & Rubin 1977; Little & Rubin 2002, ch. 11) in its gradient form
  μ⁺ = μ + Σ g_μ / n, Σ⁺ = Σ + (2/n) Σ G_Σ Σ - Δμ Δμ' (exactly the EM update);
* the H0 model: F(θ) = 2 (logL_H1 - logL(θ)) / N (so that chisq = N F_min, as for
  complete data), minimised by scoring with the complete-data information at the
  current Σ(θ) (which bounds the observed-data information from above, so every
  step is a damped ascent step) and a line search; Newton steps with the observed
  Hessian when that converges slowly;
* standard errors: lavaan's default for ``missing = "ml"`` is ``information =
  "observed"`` (``observed.information = "hessian"``): vcov = [-∂²logL/∂θ∂θ']⁻¹,
  the Hessian taken by central differences of the analytic gradient;
* the baseline (independence) model: with a diagonal Σ the FIML likelihood splits
  by variable, so its MLE is each variable's mean and variance over the cases
  that answered it (fixed.x covariates keep their sample moments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError, ModelError
from cxstats.stats.sem.engine import CompiledModel, bfgs_fallback, symmetric_jacobian
from cxstats.stats.sem.partable import ParTable
from cxstats.stats.sem.samplestats import SampleStats, group_codes

LOG2PI = math.log(2 * math.pi)


@dataclass
class _Block:
    obs: np.ndarray          # (m, q) observed variable indices of each pattern
    n: np.ndarray            # (m,) cases per pattern
    mean: np.ndarray         # (m, q)
    cov: np.ndarray | None   # (m, q, q) divisor n_p; None when every pattern has one case (S_p = 0)
    flat: np.ndarray         # (m*q*q,) indices into a flattened p x p matrix


@dataclass
class GroupPatterns:
    """One group's data as missing-data patterns with their sufficient statistics."""

    p: int
    n: int
    blocks: list
    npatterns: int
    nincomplete: int                 # cases with at least one missing value
    const: float                     # sum over cases of q_i log 2π
    n_obs: np.ndarray                # cases observed per variable
    avail_mean: np.ndarray           # available-case mean and variance (divisor n_j)
    avail_var: np.ndarray
    complete_rows: int = 0

    @classmethod
    def from_array(cls, X: np.ndarray) -> "GroupPatterns":
        X = np.asarray(X, float)
        n, p = X.shape
        mask = ~np.isnan(X)
        if n == 0:
            raise ModelError("no cases to fit")
        uniq, inv = np.unique(mask, axis=0, return_inverse=True)
        inv = inv.ravel()
        order = np.argsort(inv, kind="stable")
        counts = np.bincount(inv, minlength=len(uniq))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        Xs = X[order]
        by_q: dict[int, list] = {}
        for j, pat in enumerate(uniq):
            o = np.flatnonzero(pat)
            if len(o) == 0:
                continue
            rows = Xs[starts[j]:starts[j] + counts[j]][:, o]
            m = rows.mean(axis=0)
            c = rows - m
            by_q.setdefault(len(o), []).append((o, counts[j], m, c.T @ c / counts[j]))
        blocks = []
        for q, items in sorted(by_q.items()):
            # patterns with a single case (S_p = 0) are batched apart: they skip the S_p terms
            for single in (True, False):
                its = [it for it in items if (it[1] == 1) == single]
                if not its:
                    continue
                obs = np.array([it[0] for it in its], dtype=int)
                nn = np.array([it[1] for it in its], float)
                mean = np.array([it[2] for it in its])
                cov = None if single else np.array([it[3] for it in its])
                flat = (obs[:, :, None] * p + obs[:, None, :]).ravel()
                blocks.append(_Block(obs, nn, mean, cov, flat))
        n_obs = mask.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            am = np.nansum(X, axis=0) / n_obs
            av = np.nansum((X - am) ** 2, axis=0) / n_obs
        qs = mask.sum(axis=1)
        return cls(p, n, blocks, int(len(uniq)), int((qs < p).sum()), float(qs.sum() * LOG2PI),
                   n_obs, am, av, int((qs == p).sum()))


def pattern_loglik(Sig, mu, gp: GroupPatterns, *, grad: bool = True):
    """logL of one group at (Σ, μ); with ``grad`` also G_Σ (p x p, dlogL = tr(G_Σ dΣ)) and g_μ."""
    p = gp.p
    ll = -0.5 * gp.const
    W = np.zeros(p * p) if grad else None
    w = np.zeros(p) if grad else None
    for b in gp.blocks:
        o = b.obs
        Sb = Sig[o[:, :, None], o[:, None, :]]
        L = np.linalg.cholesky(Sb)            # LinAlgError when not positive definite
        logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        Si = np.linalg.inv(Sb)
        d = b.mean - mu[o]
        Sid = np.einsum("mij,mj->mi", Si, d)
        quad = np.einsum("mi,mi->m", d, Sid)
        tr = 0.0 if b.cov is None else np.einsum("mij,mji->m", Si, b.cov)
        ll -= 0.5 * float(np.sum(b.n * (logdet + tr + quad)))
        if grad:
            R = Si - Sid[:, :, None] * Sid[:, None, :]
            if b.cov is not None:
                R -= Si @ b.cov @ Si
            G = -0.5 * b.n[:, None, None] * R
            W += np.bincount(b.flat, G.ravel(), minlength=p * p)
            w += np.bincount(o.ravel(), (b.n[:, None] * Sid).ravel(), minlength=p)
    if grad:
        W = W.reshape(p, p)
        return ll, 0.5 * (W + W.T), w
    return ll


def em_saturated(gp: GroupPatterns, *, tol: float = 1e-11, max_iter: int = 20000):
    """ML estimates of an unrestricted mean vector and covariance matrix (EM).
    Returns (cov, mean, logL, iterations, converged)."""
    n = gp.n
    mu = gp.avail_mean.copy()
    Sig = np.diag(gp.avail_var.copy())
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        try:
            _, W, w = pattern_loglik(Sig, mu, gp)
        except np.linalg.LinAlgError:
            raise ModelError("the EM estimate of the covariance matrix became singular: some variables "
                             "are linear combinations of others, or too few cases answered them together") from None
        dmu = Sig @ w / n
        Sig_new = Sig + (2.0 / n) * Sig @ W @ Sig - np.outer(dmu, dmu)
        Sig_new = 0.5 * (Sig_new + Sig_new.T)
        mu_new = mu + dmu
        change = max(float(np.max(np.abs(Sig_new - Sig))), float(np.max(np.abs(dmu))))
        Sig, mu = Sig_new, mu_new
        if change < tol * max(1.0, float(np.max(np.abs(np.diag(Sig))))):
            converged = True
            break
    ll = pattern_loglik(Sig, mu, gp, grad=False)
    return Sig, mu, float(ll), it, converged


@dataclass
class FimlData:
    """Patterns per group and the H1 / baseline log-likelihoods."""

    patterns: list                    # GroupPatterns per group
    h1: SampleStats                   # EM estimates of the saturated moments (divisor n)
    h1_logl: list                     # per group
    n_rows: int = 0                   # rows given (with a group value)
    n_dropped_empty: int = 0          # rows without any answer on the model variables
    n_dropped_x: int = 0              # rows with a missing fixed.x covariate
    em_iterations: list = field(default_factory=list)

    @property
    def n_incomplete(self) -> int:
        return int(sum(g.nincomplete for g in self.patterns))

    @property
    def npatterns(self) -> int:
        return int(sum(g.npatterns for g in self.patterns))

    def summary(self) -> dict:
        n_used = int(sum(g.n for g in self.patterns))
        return {"method": "ml", "n_rows": int(self.n_rows), "n_used": n_used,
                "n_complete": n_used - self.n_incomplete, "n_incomplete": self.n_incomplete,
                "n_dropped_empty": int(self.n_dropped_empty), "n_dropped_missing_x": int(self.n_dropped_x),
                "patterns": self.npatterns}



def group_saturated(gp: GroupPatterns, names, which: str, warnings: list, *, with_h1: bool = True):
    """Check one group's answer patterns (every variable answered at least twice and not constant)
    and estimate its saturated moments by EM (``with_h1``; else the available-case diagonal start):
    (covariance, means, loglik, iterations). Shared by the row path (:func:`fiml_data`) and the
    moments path (:mod:`cxstats.stats.from_moments`)."""
    p = len(names)
    few = [names[j] for j in range(p) if gp.n_obs[j] < 2]
    if few:
        raise InputError(f"variable(s) {', '.join(few)} have fewer than 2 answers{which}; "
                         "they cannot be modelled", column=few[0])
    const = [names[j] for j in range(p) if not gp.avail_var[j] > 0]
    if const:
        raise InputError(f"variable(s) {', '.join(const)} have no variance{which}; "
                         "a constant item cannot be modelled", column=const[0])
    if not with_h1:
        return np.diag(gp.avail_var), gp.avail_mean, 0.0, 0
    C, m, ll, it, conv = em_saturated(gp)
    if not conv:
        warnings.append(f"the EM estimate of the saturated moments{which} did not converge in {it} "
                        "iterations: chi-square and SRMR are approximate")
    sd = np.sqrt(np.diag(C))
    ev = np.linalg.eigvalsh(C / np.outer(sd, sd))
    if ev[0] < 1e-10:
        raise ModelError(f"the estimated covariance matrix{which} is singular (smallest eigenvalue "
                         f"{ev[0]:.2e} of the correlation matrix): some variables are linear "
                         "combinations of others (duplicated items or a total score?)")
    return C, m, ll, it

def fiml_data(frame, names, group=None, group_labels=None, *, ov_x=(), with_h1: bool = True):
    """Patterns and H1 moments of ``names`` in a DataFrame (rows with no answer dropped).
    Returns (FimlData, warnings)."""
    X = frame[list(names)].to_numpy(dtype=float)
    g, labels, keep, warnings = group_codes(group, group_labels, len(X))
    n_rows = int(keep.sum())
    empty = np.isnan(X).all(axis=1) & keep
    keep &= ~empty
    n_empty = int(empty.sum())
    n_x = 0
    if ov_x:
        xi = [list(names).index(x) for x in ov_x]
        miss_x = np.isnan(X[:, xi]).any(axis=1) & keep
        n_x = int(miss_x.sum())
        keep &= ~miss_x
    if n_empty:
        warnings.append(f"{n_empty} row(s) with no answer on any model variable were left out "
                        "(full-information ML needs at least one observed value per respondent)")
    if n_x:
        warnings.append(f"{n_x} row(s) with a missing value on an exogenous covariate "
                        f"({', '.join(ov_x)}) were left out (fixed.x covariates must be observed, as "
                        "lavaan's missing = \"ml\")")
    pats, covs, means, ns, lls, iters = [], [], [], [], [], []
    for i, lab in enumerate(labels):
        Xi = X[keep & (g == i)]
        which = f" in group {lab!r}" if group is not None else ""
        if len(Xi) < 2:
            raise ModelError(f"{'group ' + repr(lab) if group is not None else 'the data'} has {len(Xi)} "
                             "usable case(s); at least 2 are needed")
        gp = GroupPatterns.from_array(Xi)
        pats.append(gp)
        C, m, ll, it = group_saturated(gp, names, which, warnings, with_h1=with_h1)
        covs.append(C)
        means.append(m)
        ns.append(gp.n)
        lls.append(ll)
        iters.append(it)
    h1 = SampleStats(list(names), covs, means, ns, [str(x) for x in labels])
    return FimlData(pats, h1, lls, n_rows, n_empty, n_x, iters), warnings


class FimlModel(CompiledModel):
    """A compiled model whose objective is the FIML discrepancy F = 2 (logL_H1 - logL(θ)) / N."""

    def __init__(self, pt: ParTable, data: FimlData):
        if not pt.meanstructure:
            raise ModelError("full-information ML needs the mean structure (meanstructure = TRUE)")
        super().__init__(pt)
        self.set_fiml(data)

    def set_fiml(self, data: FimlData, stats: SampleStats | None = None) -> None:
        self.fdata = data
        self.set_sample(stats if stats is not None else data.h1)
        self.N = float(sum(gp.n for gp in data.patterns))
        self.h1_logl = float(sum(data.h1_logl))

    # ------------------------------------------------------------------ likelihood
    def group_loglik(self, theta) -> list[float]:
        out = []
        for g, gp in enumerate(self.fdata.patterns):
            Sig, mu = self.implied(theta, g)
            out.append(pattern_loglik(Sig, mu, gp, grad=False))
        return out

    def loglik(self, theta) -> float:
        return float(sum(self.group_loglik(theta)))

    def objective(self, theta) -> float:
        try:
            ll = self.loglik(theta)
        except np.linalg.LinAlgError:
            return np.inf
        return 2.0 * (self.h1_logl - ll) / self.N

    def gradient(self, theta, *, info: bool = False):
        """F, dF/dθ and (with ``info``) the complete-data scoring matrix at Σ(θ)."""
        ll, grad = 0.0, np.zeros(self.k)
        H = np.zeros((self.k, self.k)) if info else None
        for g, gp in enumerate(self.fdata.patterns):
            if not info:
                Sig, mu = self.implied(theta, g)
                llg, W, w = pattern_loglik(Sig, mu, gp)
                ll += llg
                grad += self.chain_gradient(theta, g, W, w)[0]
                continue
            dSig, dmu, Sig, mu = self.jacobian(theta, g)
            llg, W, w = pattern_loglik(Sig, mu, gp)
            ll += llg
            grad += dSig.reshape(self.k, -1) @ W.ravel() + dmu @ w
            if info:
                Si = np.linalg.inv(Sig)
                X = Si @ dSig
                Hg = X.reshape(self.k, -1) @ X.transpose(0, 2, 1).reshape(self.k, -1).T
                Hg += 2 * dmu @ Si @ dmu.T
                H += (gp.n / self.N) * Hg
        F = 2.0 * (self.h1_logl - ll) / self.N
        return F, -2.0 * grad / self.N, H

    def gradient_information(self, theta):
        return self.gradient(theta, info=True)

    def hessian(self, theta, *, rel_step: float = 1e-5) -> np.ndarray:
        """Hessian of F by central differences of the analytic gradient (symmetrised)."""
        return symmetric_jacobian(lambda t: self.gradient(t)[1], theta, rel_step=rel_step)

    def information(self, theta) -> np.ndarray:
        """Observed information -∂²logL/∂θ∂θ' (invert for vcov; lavaan's default with missing = "ml"),
        analytic in the likelihood (:func:`observed_information`)."""
        return observed_information(self, theta)

    def information_numeric(self, theta) -> np.ndarray:
        """The same by central differences of the analytic gradient (2k passes over every answer
        pattern; the method before the analytic one, kept as its check)."""
        return self.hessian(theta) * self.N / 2.0

    # ------------------------------------------------------------------ optimise
    def optimize(self, start=None, *, tol: float = 1e-9, max_iter: int = 500):
        """Minimise F from ``start`` (default: the complete-data fit to the H1 moments).

        Quasi-Newton: the first step is a scoring step with the complete-data
        information at Σ(θ₀) (an upper bound of the observed-data information, so a
        safe step); BFGS updates of that matrix then learn the information the
        missing values took away. Returns (theta, F, converged, iterations)."""
        if start is None:
            start = self.complete_data_start()
        theta = np.array(start, float)
        if not np.isfinite(self.objective(theta)):
            theta = self.complete_data_start()
        converged = False
        it = 0
        try:
            F, g, B = self.gradient(theta, info=True)
        except np.linalg.LinAlgError:
            return theta, np.inf, False, 0
        B = B + 1e-10 * np.eye(self.k)
        for it in range(1, max_iter + 1):
            try:
                step = -np.linalg.solve(B, g)
            except np.linalg.LinAlgError:
                step = -np.linalg.lstsq(B, g, rcond=None)[0]
            dec = -g @ step
            if not dec > 0:                  # lost positive definiteness: restart from scoring
                _, _, B = self.gradient(theta, info=True)
                step = -np.linalg.solve(B + 1e-10 * np.eye(self.k), g)
                dec = -g @ step
                if not dec > 0:
                    step, dec = -g, g @ g
            gmax = float(np.max(np.abs(g)))
            if gmax < 1e-12 or (np.max(np.abs(step) / np.maximum(1.0, np.abs(theta))) < tol and gmax < 1e-6):
                converged = True
                break
            if dec < 1e-12 * max(1.0, abs(F)):
                # the predicted decrease is below what F can resolve: judge the full step by
                # the gradient instead of the function value
                try:
                    Fn, gn, _ = self.gradient(theta + step)
                except np.linalg.LinAlgError:
                    converged = gmax < 1e-6
                    break
                if not float(np.max(np.abs(gn))) < gmax:
                    converged = gmax < 1e-6
                    break
                theta_n = theta + step
            else:
                alpha = 1.0
                while alpha > 1e-10:
                    Fn = self.objective(theta + alpha * step)
                    if np.isfinite(Fn) and Fn < F - 1e-4 * alpha * dec:
                        break
                    alpha *= 0.5
                else:
                    converged = gmax < 1e-7            # at the floor of rounding error
                    break
                theta_n = theta + alpha * step
                try:
                    Fn, gn, _ = self.gradient(theta_n)
                except np.linalg.LinAlgError:
                    break
            sv, yv = theta_n - theta, gn - g
            sy = sv @ yv
            if sy > 1e-14 * np.sqrt((sv @ sv) * (yv @ yv)):
                Bs = B @ sv
                B = B - np.outer(Bs, Bs) / (sv @ Bs) + np.outer(yv, yv) / sy
            theta, F, g = theta_n, Fn, gn
        if not converged:
            theta, F, converged = self._bfgs(theta)
        return theta, float(self.objective(theta)), converged, it

    def _bfgs(self, theta):
        return bfgs_fallback(lambda t: self.gradient(t)[:2], theta, gtol=1e-10, accept=1e-6)

    def complete_data_start(self) -> np.ndarray:
        """Starting values: the complete-data ML fit to the EM (H1) moments."""
        m = CompiledModel(self.pt)
        m.set_sample(self.stats)
        try:
            theta, _, _, _ = m.optimize()
        except (np.linalg.LinAlgError, ValueError):
            theta = m.start_values()
        if not np.all(np.isfinite(theta)) or not np.isfinite(self.objective(theta)):
            theta = m.start_values()
        return theta

    # ------------------------------------------------------------------ baseline
    def baseline_logl(self) -> list[float]:
        """Per group logL of the independence model (variances and means free; fixed.x block kept)."""
        out = []
        xi = [self.idx[x] for x in self.pt.ov_x]
        for g, gp in enumerate(self.fdata.patterns):
            ll = 0.0
            for j in range(gp.p):
                if j in xi:
                    continue
                nj, vj = gp.n_obs[j], gp.avail_var[j]
                ll += -0.5 * nj * (LOG2PI + math.log(vj) + 1.0)
            if xi:
                Sxx = self.stats.cov[g][np.ix_(xi, xi)]
                q = len(xi)
                ll += -0.5 * gp.n * (q * LOG2PI + np.linalg.slogdet(Sxx)[1] + q)
            out.append(float(ll))
        return out


def _pattern_hessian(Sig, mu, dSig, dmu, gp: GroupPatterns) -> np.ndarray:
    """∂²logL/∂θ∂θ' of one group through the moments, Σ_patterns (the part Δ' ∂²logL/∂m∂m' Δ; the
    curvature of m(θ) is added by :func:`observed_information`). Per pattern with n answers, observed
    block Σ_o, its inverse S, d = mean - μ_o, A = C + d d' (C the pattern's covariance, divisor n),
    u = S d, T = S A S, the second differential of -n/2 [log|Σ_o| + tr(Σ_o^-1 A)] is

        -n/2 [ -tr(S dΣ S dΣ) + 2 tr(S dΣ S dΣ S A) + 4 u' dΣ S dμ + 2 dμ' S dμ ],

    so with S, T, u embedded in p x p (zeros outside the pattern) and summed over the patterns first,
    ∂²logL/∂Σ_ab∂Σ_cd = -1/2 Σ n (T_bc S_da + S_bc T_da - S_bc S_da), ∂²logL/∂Σ_ab∂μ_c = -Σ n u_a S_bc
    and ∂²logL/∂μ∂μ' = -Σ n S: one pass over the patterns (matrix products over them), then the chain
    rule with the model Jacobian."""
    k, p = dSig.shape[0], len(mu)
    Ss, Ts, Us, ns = [], [], [], []
    for b in gp.blocks:
        o = b.obs
        mcount = o.shape[0]
        S = np.linalg.inv(Sig[o[:, :, None], o[:, None, :]])
        d = b.mean - mu[o]
        u = np.einsum("mij,mj->mi", S, d)
        T = u[:, :, None] * u[:, None, :]
        if b.cov is not None:
            T = T + S @ b.cov @ S
        rows = np.arange(mcount)
        St = np.zeros((mcount, p, p))
        Tt = np.zeros((mcount, p, p))
        Ut = np.zeros((mcount, p))
        St[rows[:, None, None], o[:, :, None], o[:, None, :]] = S
        Tt[rows[:, None, None], o[:, :, None], o[:, None, :]] = T
        Ut[rows[:, None], o] = u
        Ss.append(St.reshape(mcount, p * p))
        Ts.append(Tt.reshape(mcount, p * p))
        Us.append(Ut)
        ns.append(b.n)
    S, T, U, n = np.vstack(Ss), np.vstack(Ts), np.vstack(Us), np.concatenate(ns)
    nS = n[:, None] * S
    G1 = (nS.T @ S).reshape(p, p, p, p)          # [b, c, d, a] = Σ n S_bc S_da
    G2 = (nS.T @ T).reshape(p, p, p, p)          # [b, c, d, a] = Σ n S_bc T_da
    K = G2 + np.transpose(G2, (2, 3, 0, 1)) - G1  # Σ n (S_bc T_da + T_bc S_da - S_bc S_da), [b, c, d, a]
    Hss = -0.5 * np.transpose(K, (3, 0, 1, 2)).reshape(p * p, p * p)          # [(a, b), (c, d)]
    Hsm = -((n[:, None] * U).T @ S).reshape(p * p, p)                           # [(a, b), c] = -Σ n u_a S_bc
    Hmm = -nS.sum(axis=0).reshape(p, p)
    D = dSig.reshape(k, p * p)
    C = D @ Hsm @ dmu.T
    return D @ Hss @ D.T + C + C.T + dmu @ Hmm @ dmu.T


def observed_information(model: "FimlModel", theta, *, rel_step: float = 1e-6) -> np.ndarray:
    """Observed information -∂²logL/∂θ∂θ' of a FIML model, analytic in the likelihood: Σ_g [Δ_g' (-∂²logL_g
    /∂m∂m') Δ_g] from :func:`_pattern_hessian` (one pass over the answer patterns), minus the curvature of
    the moments, Σ_g Σ_m (∂logL_g/∂m) ∂²m/∂θ∂θ', whose second derivatives of Σ(θ), μ(θ) are central
    differences of the analytic model Jacobian at fixed ∂logL/∂m (2k evaluations of the model, none of
    the data). Replaces the numerical Hessian of the FIML log-likelihood (2k passes over all patterns)."""
    theta = np.asarray(theta, dtype=float)
    H = np.zeros((model.k, model.k))
    moment_grads = []
    for g, gp in enumerate(model.fdata.patterns):
        dSig, dmu, Sig, mu = model.jacobian(theta, g)
        H += _pattern_hessian(Sig, mu, dSig, dmu, gp)
        _, W, w = pattern_loglik(Sig, mu, gp)
        moment_grads.append((W, w))

    def curvature_gradient(t):
        return sum(model.chain_gradient(t, g, W, w)[0] for g, (W, w) in enumerate(moment_grads))

    H += symmetric_jacobian(curvature_gradient, theta, rel_step=rel_step)
    return -H
