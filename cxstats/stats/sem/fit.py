"""Fitting a model to data or moments, and everything computed from the fit:
estimates with SEs, standardized solutions, R², fit measures, defined
parameters (``:=``, delta method) and warnings.

Formulas follow lavaan 0.6 (``fitMeasures``) for ML with complete data:

* chisq = N · F_min (F as in :mod:`.engine`, S with divisor N), df = sample
  moments − free parameters;
* baseline: the independence model per group (variances free, means saturated;
  fixed.x covariates keep their covariances), CFI = 1 − max(χ²−df, 0) /
  max(χ²−df, χ²_b−df_b, 0), TLI = (χ²_b/df_b − χ²/df) / (χ²_b/df_b − 1);
* RMSEA = sqrt(max(0, (χ² − df) / (N · df))) · sqrt(G) (G groups); the 90% CI
  inverts the non-central χ² distribution for λ and reports sqrt(λ/(N·df))·sqrt(G);
* SRMR (lavaan's ``srmr`` = ``srmr_bentler``): residuals (s_ij − σ_ij) scaled by
  sqrt(s_ii s_jj) of the *sample*, mean residuals (x̄_i − μ_i)/sqrt(s_ii) when the
  model has a mean structure; root of the mean square over the p(p+1)/2 (+ p)
  elements; groups combined as the n-weighted average;
* logl = Σ_g −n_g/2 [p log 2π + log|Σ| + tr(SΣ⁻¹) + (x̄−μ)'Σ⁻¹(x̄−μ)],
  AIC = −2 logl + 2 k, BIC = −2 logl + k log N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import ModelError
from cxstats.stats.sem.engine import CompiledModel
from cxstats.stats.sem.partable import ModelOptions, ParTable, build_partable
from cxstats.stats.sem.samplestats import SampleStats, sample_stats
from cxstats.stats.sem.syntax import evaluate_expression

Z975 = 1.959963984540054


@dataclass
class SemFit:
    """A fitted model. ``theta`` are the free parameters (``pt.free_names``)."""

    pt: ParTable
    model: CompiledModel
    stats: SampleStats
    theta: np.ndarray
    fmin: float                   # F_min in the chisq = N * F convention
    converged: bool
    iterations: int
    vcov: np.ndarray
    warnings: list = field(default_factory=list)
    fiml: object = None            # FimlData when fitted by full-information ML (missing = "ml")
    missing_info: dict = field(default_factory=dict)
    estimator: str = "ML"          # ML, or MLR / MLM (robust SEs and scaled test; see .robust)
    robust: object = None          # RobustResult when estimator is MLR or MLM
    weighted: bool = False         # fitted with sampling weights (weighted moments, MLR)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def missing(self) -> str:
        """"ml" (full-information ML) or "listwise"."""
        return "ml" if self.fiml is not None else "listwise"

    # ---------------------------------------------------------------- basics
    @property
    def ntotal(self) -> int:
        return self.stats.ntotal

    @property
    def se_free(self) -> np.ndarray:
        d = np.diag(self.vcov)
        return np.sqrt(np.where(d > 0, d, np.nan))

    def implied(self, g: int = 0):
        """Model-implied covariance matrix and mean vector of the observed variables."""
        return self.model.implied(self.theta, g)

    def row_values(self, theta=None) -> np.ndarray:
        theta = self.theta if theta is None else theta
        return np.array([theta[r.free] if r.free >= 0 else r.value for r in self.pt.rows])

    def label_values(self, theta=None) -> dict:
        vals = self.row_values(theta)
        out = {}
        for r, v in zip(self.pt.rows, vals):
            if r.label and r.label not in out:
                out[r.label] = float(v)
        return out

    def lv_cov(self, g: int = 0) -> np.ndarray:
        B, C, *_ = self.model.implied_all(self.theta, g)
        p = self.model.p
        return C[p:, p:]

    def lv_cor(self, g: int = 0) -> np.ndarray:
        C = self.lv_cov(g)
        d = np.sqrt(np.clip(np.diag(C), 1e-300, None))
        return C / np.outer(d, d)

    # ---------------------------------------------------------------- standardized
    def standardized(self, theta=None):
        """(std_lv, std_all) arrays aligned with ``pt.rows``."""
        theta = self.theta if theta is None else theta
        vals = self.row_values(theta)
        std_lv = np.full(len(vals), np.nan)
        std_all = np.full(len(vals), np.nan)
        lvset = set(self.pt.lv)
        per_group = []
        for g in range(self.pt.ngroups):
            B, C, mu, A, S, m = self.model.implied_all(theta, g)
            per_group.append((np.sqrt(np.clip(np.diag(C), 0, None)), np.diag(S)))
        idx = self.model.idx
        for i, (r, v) in enumerate(zip(self.pt.rows, vals)):
            sd, resid = per_group[r.group]
            a = idx[r.lhs]
            sa = sd[a]
            la = sa if r.lhs in lvset else 1.0
            if r.op == "~1":
                std_all[i] = v / sa if sa > 0 else np.nan
                std_lv[i] = v / la if la > 0 else np.nan
                continue
            b = idx[r.rhs]
            sb = sd[b]
            lb = sb if r.rhs in lvset else 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                if r.op == "=~":            # lhs factor, rhs indicator
                    std_all[i] = v * sa / sb
                    std_lv[i] = v * la / lb
                elif r.op == "~":           # lhs outcome, rhs predictor
                    std_all[i] = v * sb / sa
                    std_lv[i] = v * lb / la
                elif r.lhs == r.rhs:
                    std_all[i] = v / sa ** 2
                    std_lv[i] = v / la ** 2
                else:                      # (residual) covariance: scaled by residual sds
                    ra, rb = math.sqrt(max(resid[a], 0)), math.sqrt(max(resid[b], 0))
                    std_all[i] = v / (ra * rb)
                    std_lv[i] = v / ((ra if r.lhs in lvset else 1.0) * (rb if r.rhs in lvset else 1.0))
        return std_lv, std_all

    def r2(self, g: int = 0) -> dict:
        """R² of every endogenous variable (indicators, dependent variables)."""
        B, C, mu, A, S, m = self.model.implied_all(self.theta, g)
        endo = np.abs(np.asarray(self.model.groups[g].A0)).sum(axis=1) > 0
        endo[self.model.groups[g].a_r] = True
        out = {}
        for name, i in self.model.idx.items():
            if endo[i] and C[i, i] > 0:
                out[name] = float(1.0 - S[i, i] / C[i, i])
        return out

    # ---------------------------------------------------------------- estimates
    def estimates(self, *, level: float = 0.95):
        """lavaan's parameterEstimates(standardized=TRUE) as a DataFrame."""
        import pandas as pd
        from scipy.stats import norm

        vals = self.row_values()
        se_free = self.se_free
        std_lv, std_all = self.standardized()
        zq = norm.ppf(0.5 + level / 2)
        recs = []
        for i, r in enumerate(self.pt.rows):
            if r.free >= 0:
                se = float(se_free[r.free])
                z = vals[i] / se if se > 0 else np.nan
                p = float(2 * norm.sf(abs(z))) if np.isfinite(z) else np.nan
                lo, hi = vals[i] - zq * se, vals[i] + zq * se
            else:
                se, z, p, lo, hi = 0.0, np.nan, np.nan, vals[i], vals[i]
            rec = {"lhs": r.lhs, "op": r.op, "rhs": r.rhs}
            if self.pt.ngroups > 1:
                rec["group"] = r.group + 1
            rec.update({"label": r.label, "est": float(vals[i]), "se": se, "z": z, "pvalue": p,
                        "ci_lower": lo, "ci_upper": hi, "std_lv": std_lv[i], "std_all": std_all[i]})
            recs.append(rec)
        for d in self.defined():
            rec = {"lhs": d["name"], "op": ":=", "rhs": d["expr"]}
            if self.pt.ngroups > 1:
                rec["group"] = 0
            rec.update({"label": d["name"], "est": d["est"], "se": d["se"], "z": d["z"], "pvalue": d["pvalue"],
                        "ci_lower": d["est"] - zq * d["se"], "ci_upper": d["est"] + zq * d["se"],
                        "std_lv": np.nan, "std_all": np.nan})
            recs.append(rec)
        return pd.DataFrame.from_records(recs)

    def defined_values(self, theta=None) -> np.ndarray:
        """Values of the ``:=`` parameters at ``theta`` (each may use the ones before it)."""
        env = self.label_values(self.theta if theta is None else theta)
        out = []
        for d in self.pt.parsed.definitions:
            env[d.name] = evaluate_expression(d.expr, env)
            out.append(env[d.name])
        return np.array(out, dtype=float)

    def defined(self, theta=None) -> list[dict]:
        """``:=`` parameters: value and delta-method SE (numerical Jacobian)."""
        defs = self.pt.parsed.definitions
        if not defs:
            return []
        from scipy.stats import norm

        values = self.defined_values

        t0 = self.theta if theta is None else theta
        v0 = values(t0)
        J = np.zeros((len(defs), len(t0)))
        for j in range(len(t0)):
            h = 1e-6 * max(1.0, abs(t0[j]))
            tp, tm = t0.copy(), t0.copy()
            tp[j] += h
            tm[j] -= h
            J[:, j] = (values(tp) - values(tm)) / (2 * h)
        var = np.einsum("ij,jk,ik->i", J, self.vcov, J)
        out = []
        for d, v, s2 in zip(defs, v0, var):
            se = math.sqrt(s2) if s2 > 0 else 0.0
            z = v / se if se > 0 else np.nan
            out.append({"name": d.name, "expr": d.expr, "est": float(v), "se": se, "z": z,
                        "pvalue": float(2 * norm.sf(abs(z))) if np.isfinite(z) else np.nan})
        return out

    # ---------------------------------------------------------------- fit measures
    def fit_measures(self) -> dict:
        if "fit" in self._cache:
            return self._cache["fit"]
        from scipy.stats import chi2

        N, G = self.ntotal, self.pt.ngroups
        k = self.pt.nfree
        df = self.pt.df
        chisq = N * self.fmin
        pvalue = float(chi2.sf(chisq, df)) if df > 0 else np.nan
        xb, dfb = self.baseline()
        t1 = max(chisq - df, 0.0)
        t2 = max(chisq - df, xb - dfb, 0.0)
        cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
        if df > 0 and dfb > 0:
            tli = (xb / dfb - chisq / df) / (xb / dfb - 1.0)
        else:
            tli = 1.0
        if df > 0:
            rmsea = math.sqrt(max(0.0, (chisq - df) / (N * df))) * math.sqrt(G)
            lo, hi = _rmsea_ci(chisq, df, N, G)
            rmsea_p = float(1 - _ncx2_cdf(chisq, df, 0.05 ** 2 * N * df / G))
        else:
            rmsea, lo, hi, rmsea_p = 0.0, 0.0, 0.0, np.nan
        logl, logl_h1 = self.loglik()
        out = {"npar": k, "fmin": self.fmin / 2, "chisq": chisq, "df": df, "pvalue": pvalue,
               "baseline_chisq": xb, "baseline_df": dfb,
               "baseline_pvalue": float(chi2.sf(xb, dfb)) if dfb > 0 else np.nan,
               "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi,
               "rmsea_pvalue": rmsea_p, "srmr": self.srmr(), "logl": logl, "unrestricted_logl": logl_h1,
               "aic": -2 * logl + 2 * k, "bic": -2 * logl + k * math.log(N),
               "bic2": -2 * logl + k * math.log((N + 2) / 24), "ntotal": N}
        out = {key: (float(v) if isinstance(v, (float, np.floating)) else v) for key, v in out.items()}
        if self.robust is not None:
            from cxstats.stats.sem.robust import robust_measures

            out.update(robust_measures(out, self.robust, G, fiml=self.fiml is not None))
        if G > 1:
            out["chisq_by_group"] = {lab: float(n * f) for lab, n, f in
                                     zip(self.stats.group_labels, self.stats.group_size, self.group_fmin())}
        self._cache["fit"] = out
        return out

    def group_fmin(self) -> list[float]:
        if self.fiml is not None:
            lls = self.model.group_loglik(self.theta)
            return [2.0 * (h - l) / gp.n for h, l, gp in zip(self.fiml.h1_logl, lls, self.fiml.patterns)]
        out = []
        for g in range(self.pt.ngroups):
            Sig, mu = self.implied(g)
            Si = np.linalg.inv(Sig)
            F = (np.linalg.slogdet(Sig)[1] + np.sum(self.stats.cov[g] * Si) - self.model.logdetS[g] - self.model.p)
            if self.pt.meanstructure:
                d = self.stats.mean[g] - mu
                F += d @ Si @ d
            out.append(float(F))
        return out

    def baseline(self) -> tuple[float, int]:
        p = self.model.p
        xi = [self.model.idx[x] for x in self.pt.ov_x]
        q = len(xi)
        dfb = (p * (p + 1) // 2 - q * (q + 1) // 2 - (p - q)) * self.pt.ngroups
        if self.fiml is not None:
            xb = 2.0 * (sum(self.fiml.h1_logl) - sum(self.model.baseline_logl()))
            return float(xb), int(dfb)
        F = 0.0
        for g in range(self.pt.ngroups):
            S = self.stats.cov[g]
            Sb = np.diag(np.diag(S))
            if q:
                Sb[np.ix_(xi, xi)] = S[np.ix_(xi, xi)]
            F += self.model.w[g] * (np.linalg.slogdet(Sb)[1] + np.trace(S @ np.linalg.inv(Sb))
                                    - self.model.logdetS[g] - p)
        dfb = (p * (p + 1) // 2 - q * (q + 1) // 2 - (p - q)) * self.pt.ngroups
        return float(self.ntotal * F), int(dfb)

    def loglik(self) -> tuple[float, float]:
        """(logl, unrestricted logl) as lavaan: with fixed.x covariates, the log-likelihood of the
        covariates' own (fixed) distribution is left out of both."""
        llx = self._loglik_x()
        if self.fiml is not None:
            return float(self.model.loglik(self.theta) - llx), float(sum(self.fiml.h1_logl) - llx)
        p = self.model.p
        ll = ll1 = 0.0
        for g, Fg in enumerate(self.group_fmin()):
            n = self.stats.group_size[g]
            base = p * math.log(2 * math.pi) + self.model.logdetS[g] + p
            ll1 += -n / 2 * base
            ll += -n / 2 * (base + Fg)
        return float(ll - llx), float(ll1 - llx)

    def _loglik_x(self) -> float:
        xi = [self.model.idx[x] for x in self.pt.ov_x]
        if not xi:
            return 0.0
        q = len(xi)
        out = 0.0
        for g in range(self.pt.ngroups):
            Sxx = self.stats.cov[g][np.ix_(xi, xi)]
            out += -self.stats.group_size[g] / 2 * (q * math.log(2 * math.pi) + np.linalg.slogdet(Sxx)[1] + q)
        return float(out)

    def srmr(self) -> float:
        p = self.model.p
        tri = np.tril_indices(p)
        tot = 0.0
        for g in range(self.pt.ngroups):
            S, m = self.stats.cov[g], self.stats.mean[g]
            Sig, mu = self.implied(g)
            sd = np.sqrt(np.diag(S))
            R = (S - Sig) / np.outer(sd, sd)
            ss = np.sum(R[tri] ** 2)
            cnt = len(tri[0])
            if self.pt.meanstructure:
                ss += np.sum(((m - mu) / sd) ** 2)
                cnt += p
            tot += self.stats.group_size[g] / self.ntotal * math.sqrt(ss / cnt)
        return float(tot)

    # ---------------------------------------------------------------- warnings
    def check(self) -> list[str]:
        """Statistical caveats of this solution (also stored in ``warnings``)."""
        out = []
        if not self.converged:
            out.append("the optimizer did not converge: estimates and fit are not trustworthy")
        vals = self.row_values()
        gl = self.stats.group_labels
        gname = (lambda g: f" in group {gl[g]!r}") if self.pt.ngroups > 1 else (lambda g: "")
        for r, v in zip(self.pt.rows, vals):
            if r.op == "~~" and r.lhs == r.rhs and v < 0:
                out.append(f"Heywood case: negative variance {r.lhs} ~~ {r.rhs} = {v:.4g}{gname(r.group)}; "
                           "the model is misspecified or the sample too small")
        if self.pt.lv:
            for g in range(self.pt.ngroups):
                ev = np.linalg.eigvalsh(self.lv_cov(g))
                if ev[0] <= 0:
                    out.append(f"the latent covariance matrix is not positive definite{gname(g)} "
                               f"(smallest eigenvalue {ev[0]:.3g}): check correlations beyond ±1")
        _, std_all = self.standardized()
        for r, s in zip(self.pt.rows, std_all):
            if r.op == "=~" and np.isfinite(s) and abs(s) > 1:
                out.append(f"standardized loading {r.lhs} =~ {r.rhs} = {s:.3f} is beyond ±1{gname(r.group)}")
        return out


def _ncx2_cdf(x, df, nc):
    from scipy.stats import chi2, ncx2

    return float(chi2.cdf(x, df)) if nc <= 0 else float(ncx2.cdf(x, df, nc))


def _rmsea_ci(chisq, df, N, G, level=0.90):
    from scipy.optimize import brentq

    a_hi, a_lo = (1 + level) / 2, (1 - level) / 2   # 0.95, 0.05

    def lam(target):
        f = lambda nc: _ncx2_cdf(chisq, df, nc) - target  # noqa: E731
        if f(0.0) < 0:
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2
            if hi > 1e8:
                return np.nan
        return brentq(f, 0.0, hi, xtol=1e-10)

    lo_l, hi_l = lam(a_hi), lam(a_lo)
    conv = lambda l: math.sqrt(l / (N * df)) * math.sqrt(G)  # noqa: E731
    return conv(lo_l), conv(hi_l)


# -------------------------------------------------------------------- entry points

def fit_moments(pt: ParTable, stats: SampleStats, *, start=None, check_identification: bool = True) -> SemFit:
    """Fit a parameter table to sample moments (the fast path used for refits)."""
    if pt.df < 0:
        raise ModelError(f"the model is not identified: {pt.nfree} free parameters but only "
                         f"{pt.sample_moments_count()} sample moments (df = {pt.df}); "
                         "fix or constrain parameters, or add indicators")
    model = CompiledModel(pt)
    model.set_sample(stats)
    theta, F, conv, it = model.optimize(start)
    fitres = SemFit(pt, model, stats, theta, F, conv, it, np.full((pt.nfree, pt.nfree), np.nan))
    _set_vcov(fitres, check_identification)
    fitres.warnings = fitres.check()
    return fitres


def fit_fiml(pt: ParTable, data, *, start=None, check_identification: bool = True) -> SemFit:
    """Fit a parameter table by full-information ML to :class:`~.fiml.FimlData` (missing = "ml")."""
    from cxstats.stats.sem.fiml import FimlModel

    if pt.df < 0:
        raise ModelError(f"the model is not identified: {pt.nfree} free parameters but only "
                         f"{pt.sample_moments_count()} sample moments (df = {pt.df}); "
                         "fix or constrain parameters, or add indicators")
    model = FimlModel(pt, data)
    theta, F, conv, it = model.optimize(start)
    fitres = SemFit(pt, model, data.h1, theta, F, conv, it, np.full((pt.nfree, pt.nfree), np.nan),
                    fiml=data, missing_info=data.summary())
    _set_vcov(fitres, check_identification)
    fitres.warnings = fitres.check()
    return fitres


def _set_vcov(fitres: SemFit, check_identification: bool) -> None:
    pt, model, theta = fitres.pt, fitres.model, fitres.theta
    try:
        info = model.information(theta)
    except np.linalg.LinAlgError:
        info = None
    if info is not None and pt.nfree:
        d = np.sqrt(np.abs(np.diag(info)))
        d[d == 0] = 1.0
        scaled = info / np.outer(d, d)
        ev, vec = np.linalg.eigh(scaled)
        if ev[0] < 1e-9 * max(ev[-1], 1.0):
            if check_identification:
                comp = np.argsort(-np.abs(vec[:, 0]))[:4]
                names = ", ".join(pt.free_names[i] for i in comp if abs(vec[i, 0]) > 0.1)
                raise ModelError("the model is not identified (the information matrix is singular); "
                                 f"parameters involved: {names}. A factor needs a scale (a fixed "
                                 "loading or variance) and enough indicators (3, or 2 with a correlated factor)")
            fitres.vcov = np.linalg.pinv(info)
        else:
            fitres.vcov = np.linalg.inv(info)
            if fitres.fiml is not None and np.any(np.diag(fitres.vcov) <= 0):
                fitres.vcov = np.linalg.pinv(info)
    elif pt.nfree == 0:
        fitres.vcov = np.zeros((0, 0))


MISSING_METHODS = ("listwise", "ml", "auto")
ESTIMATORS = ("ML", "MLR", "MLM")


def fit_sem(model, data, *, group=None, group_labels=None, std_lv: bool = False,
            group_equal=(), group_partial=(), meanstructure=None, fixed_x: bool = True,
            orthogonal: bool = False, start=None, missing: str = "listwise", estimator: str = "ML",
            weights=None) -> SemFit:
    """Fit lavaan syntax ``model`` to a DataFrame ``data`` by ML.

    ``group``: per-row group labels (or a column name of ``data``); groups in
    order of first appearance unless ``group_labels`` is given.

    ``missing``: ``"listwise"`` (lavaan's default: rows with a missing value on a
    model variable are dropped, with a warning), ``"ml"`` (full-information ML,
    lavaan's ``missing = "ml"``: every row with at least one answer contributes;
    the mean structure is switched on; SEs from the observed information) or
    ``"auto"`` (``"ml"`` when a model variable has a missing value, else listwise).

    ``estimator``: ``"ML"`` (normal-theory SEs and chi-square), ``"MLR"`` (lavaan's MLR: Huber-White
    sandwich SEs, Yuan-Bentler scaled chi-square) or ``"MLM"`` (Satorra-Bentler); the estimates are
    the ML (or FIML) ones either way (:mod:`.robust`). MLR works with FIML (lavaan's MLR with
    ``missing = "ml"``); MLM needs complete data: with ``missing="auto"`` and missing answers it
    uses listwise deletion (with a warning), ``missing="ml"`` is refused.

    ``weights``: sampling weights (a column name of ``data`` or one value per row), as lavaan's
    ``sampling.weights``: rescaled to sum to the number of cases used, the model fitted to the
    weighted moments, and (as lavaan does) the robust MLR standard errors and scaled test, whose
    scores count with the weights; complete data (listwise deletion).
    """
    from cxstats.stats.sem.syntax import parse_model

    if missing not in MISSING_METHODS:
        raise ModelError(f"missing must be one of {', '.join(MISSING_METHODS)}, not {missing!r}")
    estimator = str(estimator).upper()
    if estimator not in ESTIMATORS:
        raise ModelError(f"estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}")
    robust_note = []
    parsed = parse_model(model) if isinstance(model, str) else model
    if isinstance(group, str):
        group = data[group].tolist()
    if isinstance(weights, str):
        if weights not in data.columns:
            raise ModelError(unknown_variable_message([weights], list(data.columns)))
        weights = data[weights].tolist()
    if weights is not None:
        if estimator == "MLM":
            raise ModelError("sampling weights work with estimator MLR (lavaan's default with weights), not MLM")
        if estimator == "ML":
            estimator = "MLR"          # as lavaan with sampling.weights (the methods text says so)
    opts = ModelOptions(std_lv=std_lv, meanstructure=meanstructure, group_equal=tuple(group_equal),
                        group_partial=tuple(group_partial), fixed_x=fixed_x, orthogonal=orthogonal)
    pt0 = build_partable(parsed, 1, opts)
    absent = [v for v in pt0.ov if v not in data.columns]
    if absent:
        raise ModelError(unknown_variable_message(absent, list(data.columns)))
    if missing == "auto":
        missing = "ml" if has_missing(data, pt0.ov, group) else "listwise"
        if missing == "ml" and weights is not None:
            missing = "listwise"
            robust_note.append("sampling weights with full-information ML (missing answers) are not available "
                               "yet: respondents with missing answers on the model's variables were left out "
                               "(listwise deletion)")
        elif missing == "ml" and estimator == "MLM":
            missing = "listwise"
            robust_note.append("estimator MLM needs complete data (as lavaan): respondents with missing answers "
                               "on the model's variables were left out (listwise deletion); MLR works with "
                               "full-information ML")
    if missing == "ml" and weights is not None:
        raise ModelError("sampling weights with missing = \"ml\" (FIML) are not available yet; use missing = "
                         "\"listwise\"")
    if missing == "ml" and estimator == "MLM":
        raise ModelError("estimator MLM needs complete data (as lavaan); with missing = \"ml\" (FIML) use "
                         "estimator MLR")
    if missing == "ml":
        from cxstats.stats.sem.fiml import fiml_data

        opts.meanstructure = True
        pt0 = build_partable(parsed, 1, opts)
        fdata, warns = fiml_data(data, pt0.ov, group, group_labels, ov_x=pt0.ov_x)
        ng = fdata.h1.ngroups
        pt = build_partable(parsed, ng, opts) if ng != 1 else pt0
        fitres = fit_fiml(pt, fdata, start=start)
        if estimator == "MLR":
            from cxstats.stats.sem.robust import robust_fit
            from cxstats.stats.sem.samplestats import group_codes

            X = data[list(pt.ov)].to_numpy(dtype=float)
            gcode, _, keep, _ = group_codes(group, fdata.h1.group_labels if group is not None else None, len(X))
            keep &= ~np.isnan(X).all(axis=1)
            arrays = [X[keep & (gcode == i)] for i in range(ng)]
            fitres.robust = robust_fit(fitres, arrays, estimator)
            fitres.estimator = estimator
            fitres.vcov = fitres.robust.vcov
            fitres._cache.clear()
            if fitres.robust.fiml_corrected is None:
                warns = warns + ["with missing answers (FIML) the robust CFI/TLI/RMSEA (lavaan's FIML-corrected "
                                 "statistics, Zhang & Savalei 2023) could not be computed: the fit verdict uses the "
                                 "FIML indices; the scaled chi-square and the scaled indices are reported"]
        fitres.warnings = warns + [missing_note(fitres.missing_info)] + fitres.warnings
        return fitres
    warrays = None
    if weights is not None:
        from cxstats.stats.sem.samplestats import weighted_sample_stats

        stats, arrays, warrays, warns = weighted_sample_stats(data, pt0.ov, weights, group, group_labels)
    else:
        stats, warns = sample_stats(data, pt0.ov, group, group_labels)
    ngroups_hint = stats.ngroups
    pt = build_partable(parsed, ngroups_hint, opts) if ngroups_hint != 1 else pt0
    fitres = fit_moments(pt, stats, start=start)
    if estimator != "ML":
        from cxstats.stats.sem.robust import robust_fit
        from cxstats.stats.sem.samplestats import group_arrays

        if warrays is None:
            arrays = group_arrays(data, fitres.model.pt.ov, group, group_labels)
        fitres.robust = robust_fit(fitres, arrays, estimator, weights=warrays)
        fitres.estimator = estimator
        fitres.vcov = fitres.robust.vcov
        fitres._cache.clear()
    fitres.warnings = robust_note + warns + fitres.warnings
    n_rows = _rows_with_group(data, group)
    fitres.missing_info = {"method": "listwise", "n_rows": n_rows, "n_used": stats.ntotal,
                           "n_dropped_incomplete": n_rows - stats.ntotal}
    if warrays is not None:
        fitres.weighted = True
    return fitres


def missing_note(info: dict) -> str:
    """One line for every output: how missing values were handled and who contributed."""
    if info.get("method") == "ml":
        return (f"missing data: full-information ML (lavaan missing = \"ml\"): {info['n_used']} respondents "
                f"contributed, {info['n_incomplete']} of them with missing answers ({info['patterns']} "
                "patterns of answered items); valid when missingness depends only on observed answers (MAR)")
    return (f"missing data: listwise deletion: {info.get('n_used')} complete respondents of "
            f"{info.get('n_rows')}")


def _rows_with_group(data, group) -> int:
    if group is None:
        return int(len(data))
    import pandas as pd

    return int(pd.Series(list(group), dtype=object).notna().sum())


def has_missing(data, names, group=None) -> bool:
    """True when a model variable has a missing value in a row that belongs to a group."""
    import pandas as pd

    X = data[list(names)].to_numpy(dtype=float)
    rows = np.isnan(X).any(axis=1)
    if group is not None:
        rows &= pd.Series(list(group), dtype=object).notna().to_numpy()
    return bool(rows.any())


def unknown_variable_message(missing, columns) -> str:
    import difflib

    parts = []
    for m in missing:
        close = difflib.get_close_matches(m, [str(c) for c in columns], n=3, cutoff=0.5)
        hint = f" (close: {', '.join(close)})" if close else ""
        parts.append(f"{m!r}{hint}")
    return (f"the model names variable(s) not in the data: {', '.join(parts)}. "
            "Latent variables must appear on the left of '=~'; every other name must be a column")
