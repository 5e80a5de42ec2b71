"""Ordinal alpha and omega of a scale (Zumbo, Gadermann & Zeisser 2007; Gadermann, Guhn & Zumbo 2012):
Cronbach's alpha and McDonald's omega computed from the polychoric correlation matrix of the items
instead of the Pearson one, i.e. the reliability of the continuous latent responses behind the
rating categories.

* polychoric correlations: lavaan's two-step estimates (:mod:`cxstats.stats.sem.polychoric`), rows
  complete on the scale's items;
* alpha_ordinal = k/(k-1) (1 - k / 1'R1) (psych::alpha on the polychoric matrix: raw = standardized);
* omega_ordinal = psych::omega(R, nfactors = 1)$omega.tot = (1'R1 - sum u2) / 1'R1 with the one-factor
  minres solution of R (the same estimator as the Pearson ``omega_total``).

psych::polychoric and lavaan's polychoric agree to ~2e-5 on the bfi items; the values are tested
against psych 2.2.9 (tests/test_sem_ordinal.py)."""

from __future__ import annotations


def ordinal_reliability(frame, items) -> dict:
    """{n, alpha_ordinal, omega_ordinal, average_r_polychoric} of ``items`` (columns of ``frame``) from
    the rows complete on them."""
    import numpy as np

    from cxstats.stats._factor import fit_minres
    from cxstats.stats.sem.polychoric import ordinal_stats

    X = frame[list(items)].to_numpy(dtype=float)
    X = X[~np.isnan(X).any(axis=1)]
    k = len(items)
    st = ordinal_stats(X, list(items), scores=False)
    R = st.cor
    total = float(R.sum())
    alpha = k / (k - 1) * (1.0 - k / total)
    lam, _ = fit_minres(R, 1)                                  # psych::omega(R, nfactors = 1)$omega.tot
    omega = (total - float(np.sum(1.0 - lam[:, 0] ** 2))) / total
    return {"n": int(len(X)), "alpha_ordinal": float(alpha), "omega_ordinal": float(omega),
            "average_r_polychoric": float((total - k) / (k * (k - 1))), "method": "polychoric, listwise"}
