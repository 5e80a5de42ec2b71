"""Importance measures that need only the correlation matrix (batched for the bootstrap).

All functions take correlation matrices of (x_1..x_p, y), shape (..., p+1, p+1).
"""

from __future__ import annotations

import numpy as np

from cxstats.stats.drivers.subsets import all_subset_r2, lmg_batch


def split(corr):
    corr = np.asarray(corr, dtype=float)
    return corr[..., :-1, :-1], corr[..., :-1, -1]


def std_betas(corr):
    """Standardized regression weights β = Rxx⁻¹ r_xy."""
    rxx, rxy = split(corr)
    return np.linalg.solve(rxx, rxy[..., None])[..., 0]


def relative_weights(corr):
    """Johnson (2000): Rxx = V diag(l) V', Λ = V diag(√l) V', β_Z = Λ⁻¹ r_xy,
    ε_j = Σ_k Λ_jk² β_Zk² (sums to R²)."""
    rxx, rxy = split(corr)
    lam, vec = np.linalg.eigh(rxx)
    lam = np.clip(lam, 0.0, None)
    big_lambda = (vec * np.sqrt(lam)[..., None, :]) @ np.swapaxes(vec, -1, -2)
    vt_r = np.swapaxes(vec, -1, -2) @ rxy[..., None]
    beta_z = (vec @ (vt_r / np.sqrt(lam)[..., :, None]))[..., 0]
    return ((big_lambda ** 2) @ (beta_z ** 2)[..., None])[..., 0]


def all_measures(corr):
    """{lmg, relative_weight, pratt, std_beta} for a batch of correlation matrices, shape (B, p)."""
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[-1] - 1
    beta = std_betas(corr)
    r = corr[..., :-1, -1]
    return {
        "lmg": lmg_batch(all_subset_r2(corr), p),
        "relative_weight": relative_weights(corr),
        "pratt": beta * r,
        "std_beta": beta,
    }


def ranks(values, *, absolute: bool = False):
    """Rank 1 = most important (largest value, or largest |value|); along the last axis."""
    v = np.abs(values) if absolute else np.asarray(values)
    order = np.argsort(-v, axis=-1, kind="stable")
    out = np.empty_like(order)
    np.put_along_axis(out, order, np.arange(1, v.shape[-1] + 1) * np.ones_like(order), axis=-1)
    return out


RANK_ABSOLUTE = {"lmg": False, "relative_weight": False, "pratt": False, "std_beta": True}


def correlation_from_moments(n, s1, s2):
    """Correlation matrices from counts n (B,), sums s1 (B, q) and cross-products s2 (B, q, q)."""
    mean = s1 / n[:, None]
    cov = s2 / n[:, None, None] - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    idx = np.arange(corr.shape[-1])
    corr[:, idx, idx] = 1.0
    return corr, sd
