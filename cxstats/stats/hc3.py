"""HC3 standard errors of an OLS fit from moments and the centred meat of a second pass over the rows
(:mod:`cxstats.stats.from_moments` drivers, :mod:`cxstats.stats.drivers.ipa` penalty-reward)."""

from __future__ import annotations

import numpy as np

from cxstats.moments import Moments


def hc3_from_meat(mm: Moments, fit: dict, meat) -> dict:
    """HC3 SEs, t and p (t with n-p-1 df, as statsmodels ``use_t``) of the OLS ``fit``
    (:func:`drivers_from_moments`) from the centred meat ``sum_i z_i z_i' e_i^2 / (1 - h_i)^2``,
    z_i = (1, x_i - mean x): a second pass over the complete rows sums it (e_i and h_i need b and
    (X'X)^-1 of the first pass). With X = Z T, T = [[1, mean'], [0, I]] and Z'Z = diag(n, Sxx):
    cov(b) = T^-1 (Z'Z)^-1 meat (Z'Z)^-1 T^-T, which is (X'X)^-1 X' diag(e²/(1-h)²) X (X'X)^-1."""
    from scipy import stats

    p = fit["inv_sxx"].shape[0]
    meat = np.asarray(meat, dtype=float)
    bread = np.zeros((p + 1, p + 1))
    bread[0, 0] = 1.0 / mm.n
    bread[1:, 1:] = fit["inv_sxx"]
    cov_z = bread @ meat @ bread
    tinv = np.eye(p + 1)
    tinv[0, 1:] = -np.asarray(mm.mean[:p], dtype=float)
    cov = tinv @ cov_z @ tinv.T
    se = np.sqrt(np.diag(cov))
    tv = fit["b"] / se
    return {"se_hc3": se, "t_hc3": tv, "pvalue_hc3": 2 * stats.t.sf(np.abs(tv), fit["df"])}
