"""Two groups: MICOM (Henseler, Ringle & Sarstedt 2016) and permutation multi-group analysis
(Chin & Dibbern 2010; as SmartPLS's permutation MGA).

* MICOM step 1 (configural invariance) holds by construction: the same model, indicators and
  treatment of the data in both groups.
* Step 2 (compositional invariance): the scores of the pooled data with group 1's weights and with
  group 2's weights are correlated, ``c``; under the null of equal weights ``c`` is near 1. The
  groups' labels are permuted ``permutations`` times; invariance is established when ``c`` is at or
  above the 5% quantile of the permuted ``c`` (one-sided).
* Step 3 (equal composite means and variances): with the pooled estimation's weights, the scores of
  the pooled (standardized) data; the difference of the groups' means and of the logs of their
  variances, each against the 2.5%-97.5% range of its permutation distribution.
* MGA: each path estimated in each group; the difference ``b₁ - b₂`` against its permutation
  distribution, ``p`` = share of permutations with ``|d*| >= |d|`` (with the observed counted).
"""

from __future__ import annotations

import numpy as np

from cxstats.errors import ModelError
from cxstats.stats.pls.estimate import fit_pls, standardize


def _fit(x, lay, scheme, max_iter, tol):
    return fit_pls(standardize(x), lay, scheme=scheme, max_iter=max_iter, tol=tol)


def _stats(x, g, lay, scheme, max_iter, tol, zpool):
    """(path differences, c per construct, mean differences, log variance ratios)."""
    f1 = _fit(x[g], lay, scheme, max_iter, tol)
    f2 = _fit(x[~g], lay, scheme, max_iter, tol)
    ii, jj = np.nonzero(lay.adjacency)
    dpath = f1.paths[ii, jj] - f2.paths[ii, jj]
    s1, s2 = zpool @ f1.weights, zpool @ f2.weights
    c = np.array([np.corrcoef(s1[:, j], s2[:, j])[0, 1] for j in range(len(lay.constructs))])
    return dpath, c, f1, f2


def compare_groups(x: np.ndarray, g: np.ndarray, lay, *, scheme: str, max_iter: int, tol: float,
                   permutations: int = 1000, seed=None, progress=None, names=("1", "2")) -> dict:
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n1, n2 = int(g.sum()), int((~g).sum())
    zpool = standardize(x)
    pooled = fit_pls(zpool, lay, scheme=scheme, max_iter=max_iter, tol=tol)
    spool = zpool @ pooled.weights
    dpath, c, f1, f2 = _stats(x, g, lay, scheme, max_iter, tol, zpool)

    def mv(gg):
        a, b = spool[gg], spool[~gg]
        return a.mean(axis=0) - b.mean(axis=0), np.log(a.var(axis=0, ddof=1) / b.var(axis=0, ddof=1))

    dmean, dlogvar = mv(g)
    perm_d = np.full((permutations, len(dpath)), np.nan)
    perm_c = np.full((permutations, len(c)), np.nan)
    perm_m = np.full((permutations, len(c)), np.nan)
    perm_v = np.full((permutations, len(c)), np.nan)
    failed = 0
    for r in range(permutations):
        gp = rng.permutation(g)
        try:
            perm_d[r], perm_c[r], _, _ = _stats(x, gp, lay, scheme, max_iter, tol, zpool)
        except (ModelError, np.linalg.LinAlgError):
            failed += 1
        perm_m[r], perm_v[r] = mv(gp)
        if progress is not None and ((r + 1) % max(1, permutations // 100) == 0 or r + 1 == permutations):
            progress(r + 1, permutations)
    ok = ~np.isnan(perm_d).any(axis=1)
    perm_d, perm_c = perm_d[ok], perm_c[ok]
    c05 = np.quantile(perm_c, 0.05, axis=0)
    mlo, mhi = np.quantile(perm_m, [0.025, 0.975], axis=0)
    vlo, vhi = np.quantile(perm_v, [0.025, 0.975], axis=0)
    micom = []
    for j, name in enumerate(lay.constructs):
        compositional = bool(c[j] >= c05[j] - 1e-12)
        means = bool(mlo[j] <= dmean[j] <= mhi[j])
        variances = bool(vlo[j] <= dlogvar[j] <= vhi[j])
        level = "full" if compositional and means and variances else ("partial" if compositional else "none")
        micom.append({"construct": name, "c": float(c[j]), "c_q05": float(c05[j]), "compositional": compositional,
                      "mean_diff": float(dmean[j]), "mean_lower": float(mlo[j]), "mean_upper": float(mhi[j]),
                      "equal_means": means, "log_var_ratio": float(dlogvar[j]), "var_lower": float(vlo[j]),
                      "var_upper": float(vhi[j]), "equal_variances": variances, "invariance": level})
    mga = []
    ii, jj = np.nonzero(lay.adjacency)
    for k, (i, j) in enumerate(zip(ii, jj)):
        extreme = np.sum(np.abs(perm_d[:, k]) >= abs(dpath[k]) - 1e-12)
        mga.append({"lhs": lay.constructs[j], "op": "~", "rhs": lay.constructs[i],
                    "est_1": float(f1.paths[i, j]), "est_2": float(f2.paths[i, j]), "diff": float(dpath[k]),
                    "pvalue": float((extreme + 1) / (len(perm_d) + 1))})
    return {"groups": list(names), "n": [n1, n2], "permutations": permutations, "valid_permutations": int(len(perm_d)),
            "failed_permutations": failed, "micom": micom, "mga": mga}
