"""Relative importance for a binary outcome (promoter vs not): relative weights on the logit scale.

Tonidandel, S. & LeBreton, J. M. (2010). Determining the relative importance of
predictors in logistic regression: an extension of relative weight analysis.
Organizational Research Methods, 13(4), 767-781.

Steps: Z = X_std Λ⁻¹ (Λ = V diag(√l) V' from the predictor correlation matrix, so
Z is the orthonormal approximation of the standardized drivers); fit the logistic
regression y ~ Z; standardize its slopes as Menard (2004, The American Statistician
58(3), 218-223) does, β*_k = b_k · sd(Z_k) · R / sd(η̂), where η̂ is the fitted
logit and R = corr(y, π̂) (observed outcome with fitted probability); then
ε_j = Σ_k Λ_jk² β*_k². Because the Z_k are uncorrelated with unit variance,
var(η̂) = Σ b_k², so Σ_j ε_j = R² = corr(y, π̂)², the share of the outcome's
variance reproduced by the fitted probabilities (R²_O in Menard's terms).
"""

from __future__ import annotations

import warnings as _warnings

import numpy as np

from cxstats.errors import InputError


def fit_logit(y, x, *, names=None, source=None):
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    caught = []
    with _warnings.catch_warnings(record=True) as rec:
        _warnings.simplefilter("always")
        try:
            res = sm.Logit(y, sm.add_constant(x, has_constant="add")).fit(disp=0, maxiter=200)
        except np.linalg.LinAlgError:
            raise InputError("the logistic regression cannot be estimated (singular information "
                             "matrix: collinear drivers or a driver that separates the outcome)",
                             file=source) from None
        except Exception as exc:  # statsmodels' PerfectSeparationError in older versions
            if "separation" in str(exc).lower():
                raise InputError("perfect separation: a driver (or combination) predicts the binary "
                                 "outcome exactly, so logistic coefficients are infinite; merge or "
                                 "drop that driver, or analyse the outcome as continuous",
                                 file=source) from None
            raise
    for w in rec:
        if issubclass(w.category, PerfectSeparationWarning):
            raise InputError("perfect separation: a driver (or combination) predicts the binary outcome "
                             "exactly, so logistic coefficients are infinite; merge or drop that driver, "
                             "or analyse the outcome as continuous", file=source)
        if issubclass(w.category, ConvergenceWarning):
            caught.append("the logistic regression did not converge; treat its estimates with caution")
    return res, caught


def logit_newton(y, design, *, tol: float = 1e-10, max_iter: int = 100):
    """Maximum-likelihood logit coefficients by Newton-Raphson (IRLS); None if it fails
    to converge (e.g. separation). ``design`` includes the intercept column."""
    beta = np.zeros(design.shape[1])
    for _ in range(max_iter):
        eta = design @ beta
        prob = 1 / (1 + np.exp(-eta))
        w = prob * (1 - prob)
        grad = design.T @ (y - prob)
        info = (design * w[:, None]).T @ design
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 50:
            return None
        if np.abs(step).max() < tol:
            return beta
    return None


def logit_relative_weights(y, x):
    """Tonidandel & LeBreton (2010) relative weights.

    Returns (eps, r2_o, std_beta) with std_beta Menard's fully standardized slopes of
    the drivers (the logit on Z is a reparametrisation of the logit on X: the slopes on
    the standardized drivers are Λ⁻¹ b_Z), or None when the logit cannot be fitted.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    sd = x.std(axis=0, ddof=1)
    xs = (x - x.mean(axis=0)) / sd
    rxx = np.atleast_2d(np.corrcoef(xs, rowvar=False))
    lam, vec = np.linalg.eigh(rxx)
    if lam[0] <= 1e-12:
        return None
    big_lambda = (vec * np.sqrt(lam)) @ vec.T
    inv_lambda = (vec / np.sqrt(lam)) @ vec.T
    z = xs @ inv_lambda
    design = np.column_stack([np.ones(len(y)), z])
    coef = logit_newton(y, design)
    if coef is None:
        return None
    eta = design @ coef
    prob = 1 / (1 + np.exp(-eta))
    r = np.corrcoef(y, prob)[0, 1]
    sd_eta = eta.std(ddof=1)
    b_z = coef[1:]
    beta_z = b_z * z.std(axis=0, ddof=1) * r / sd_eta
    eps = (big_lambda ** 2) @ (beta_z ** 2)
    std_beta = (inv_lambda @ b_z) * r / sd_eta
    return eps, r ** 2, std_beta
