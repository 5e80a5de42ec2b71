"""The estimated effects of the ROI chain: named estimates with their covariance matrix and
where each came from (:class:`Coefficients`), from the observed driver regression, from a
FinanceResult's churn / revenue models, or from an earlier drivers result."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError

Z95 = 1.959963984540054


@dataclass
class Coefficients:
    """Named estimates with a covariance matrix and where each came from."""

    names: list
    est: np.ndarray
    cov: np.ndarray
    sources: dict = field(default_factory=dict)
    # [(names, draw(rng, size) -> (size, len(names)))]: blocks whose Monte Carlo draws come from
    # another distribution than N(est, cov) (the latent chain's SEM parameters); drawn after the
    # normal block so that the other columns' draws do not depend on them
    samplers: list = field(default_factory=list)

    def __post_init__(self):
        self.est = np.asarray(self.est, float).reshape(-1)
        self.cov = np.asarray(self.cov, float).reshape(len(self.est), len(self.est))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def __contains__(self, name) -> bool:
        return name in self.names

    def value(self, name: str) -> float:
        return float(self.est[self.index(name)])

    def se(self, name: str) -> float:
        return float(math.sqrt(max(self.cov[self.index(name), self.index(name)], 0.0)))

    @classmethod
    def combine(cls, *blocks: "Coefficients") -> "Coefficients":
        """Stack independent blocks (block-diagonal covariance)."""
        names, est, sources, samplers = [], [], {}, []
        k = sum(len(b.names) for b in blocks)
        cov = np.zeros((k, k))
        at = 0
        for b in blocks:
            dup = set(names) & set(b.names)
            if dup:
                raise ValueError(f"coefficient {sorted(dup)[0]!r} given twice")
            names += list(b.names)
            est += list(b.est)
            m = len(b.names)
            cov[at:at + m, at:at + m] = b.cov
            sources.update(b.sources)
            samplers += list(b.samplers)
            at += m
        return cls(names, np.array(est), cov, sources, samplers)

    def draw(self, rng, size: int) -> np.ndarray:
        """``size`` draws from N(est, cov) (a PSD square root: zero variances give the estimate)."""
        w, v = np.linalg.eigh((self.cov + self.cov.T) / 2)
        root = v * np.sqrt(np.clip(w, 0, None))
        z = rng.standard_normal((size, len(self.est)))
        out = self.est + z @ root.T
        for names, sampler in self.samplers:
            out[:, [self.index(n) for n in names]] = sampler(rng, size)
        return out

    def table(self):
        import pandas as pd

        return pd.DataFrame({"coefficient": self.names, "est": self.est,
                             "se": np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "ci_lower": self.est - Z95 * np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "ci_upper": self.est + Z95 * np.sqrt(np.clip(np.diag(self.cov), 0, None)),
                             "source": [self.sources.get(n, "") for n in self.names]})


def driver_coefficients(frame, loyalty: str, constructs: list[str], *, source: str = "") -> tuple:
    """OLS of the loyalty measure on every construct score (customers): slopes ``driver:<c>``
    with their classical covariance matrix. Returns (Coefficients, n, r2, warnings)."""
    import statsmodels.api as sm

    cols = [loyalty, *constructs]
    data = frame[cols].apply(lambda s: s.astype(float)).dropna()
    n = len(data)
    if n <= len(constructs) + 2:
        raise InputError(f"only {n} complete answers for the regression of {loyalty} on {len(constructs)} "
                         "constructs; the ROI chain cannot be estimated", file=source or None)
    X = sm.add_constant(data[constructs].to_numpy(float), has_constant="add")
    fit = sm.OLS(data[loyalty].to_numpy(float), X).fit()
    cov = np.asarray(fit.cov_params())[1:, 1:]
    names = [f"driver:{c}" for c in constructs]
    src = f"OLS {loyalty} ~ {' + '.join(constructs)} (n = {n}, R2 = {fit.rsquared:.3f})"
    warns = []
    neg = [c for c, b in zip(constructs, fit.params[1:]) if b < 0]
    if neg:
        warns.append(f"negative driver slope(s) for {', '.join(neg)}: with correlated constructs a partial "
                     "slope can change sign; an uplift there is predicted to lower loyalty")
    return Coefficients(names, np.asarray(fit.params[1:]), cov, {n_: src for n_ in names}), n, float(fit.rsquared), warns


def finance_coefficients(finance_result, loyalty: str) -> Coefficients:
    """``churn:intercept``, ``churn:slope`` and ``revenue:slope`` from a FinanceResult's models of
    the loyalty measure (missing outcomes are left out)."""
    blocks = []
    ch = finance_result.model("churn", loyalty)
    if ch is not None:
        src = f"logistic churn ~ {loyalty} (n = {ch.n}, {finance_result.link.finance_file})"
        blocks.append(Coefficients(["churn:intercept", "churn:slope"], ch.coef, ch.cov,
                                   {"churn:intercept": src, "churn:slope": src}))
    rv = finance_result.model("revenue", loyalty)
    if rv is not None:
        src = f"log-linear OLS log(revenue) ~ {loyalty} (n = {rv.n}, {finance_result.link.finance_file})"
        blocks.append(Coefficients(["revenue:slope"], [rv.coef[1]], [[rv.cov[1][1]]], {"revenue:slope": src}))
    if not blocks:
        raise InputError(f"the finance data has neither churn nor revenue to value loyalty ({loyalty}) with")
    return Coefficients.combine(*blocks)


def drivers_result_coefficients(drivers_result, loyalty: str) -> Coefficients:
    """``driver:<c>`` slopes from an earlier key-driver result of the loyalty measure (its OLS b
    with HC3 SEs; covariances between the slopes are unknown there and taken as 0)."""
    res = drivers_result
    b = np.asarray(res.ols["b"])[1:]
    se = np.asarray(res.ols.get("se_hc3", res.ols["se"]))[1:]
    names = [f"driver:{d}" for d in res.drivers]
    src = f"drivers step: OLS {loyalty} ~ {' + '.join(res.drivers)} (n = {res.n}, HC3 SEs, covariances taken as 0)"
    return Coefficients(names, b, np.diag(se ** 2), {n: src for n in names})


def pls_result_coefficients(pls_result, loyalty: str, constructs: list[str]) -> Coefficients:
    """``driver:<c>`` slopes from an earlier PLS result (``PlsResult.roi_slopes``): the IPMA
    importance of each construct for the single-item loyalty construct, in answer-scale units, with
    its bootstrap SE (covariances between the slopes taken as 0)."""
    slopes = pls_result.roi_slopes(loyalty, constructs)
    if not slopes:
        raise InputError(f"the pls result cannot give slopes of {loyalty}: its IPMA target must be a single-item "
                         f"construct measured by {loyalty}, reached by every construct of the roadmap",
                         option="importance")
    if any(se is None for _, se in slopes.values()):
        raise InputError("the pls step needs a bootstrap (bootstrap > 0) for the ROI's uncertainty",
                         option="importance")
    names = [f"driver:{c}" for c in constructs]
    src = (f"pls step: IPMA importance (unstandardized total effect) on {loyalty}, rescaled to the answer "
           f"scales (n = {pls_result.n}, bootstrap SEs, covariances taken as 0)")
    return Coefficients(names, np.array([slopes[c][0] for c in constructs]),
                        np.diag([slopes[c][1] ** 2 for c in constructs]), {n: src for n in names})
