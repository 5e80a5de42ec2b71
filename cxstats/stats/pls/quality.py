"""Quality criteria of a PLS path model (Hair et al. 2019; seminr's ``summary``).

* Cronbach's alpha on the indicator correlations (standardized alpha, as seminr); 1 for one item;
* rhoC (Dillon-Goldstein / composite reliability) ``(Σλ)² / ((Σλ)² + Σ(1 - λ²))`` and
  AVE ``mean(λ²)`` from the loadings (PLSc loadings for corrected constructs); 1 for one item;
* rho_A (Dijkstra & Henseler 2015) for every multi-item mode A block, 1 for mode B and single items;
* HTMT (Henseler, Ringle & Sarstedt 2015): mean heterotrait-heteromethod correlation divided by
  the geometric mean of the two mean monotrait-heteromethod correlations (indicator correlations);
* Fornell-Larcker: sqrt(AVE) on the diagonal, construct-score correlations below (as seminr);
* VIF of each indicator within its block (``diag R_bb⁻¹``) and of each antecedent of every
  endogenous construct (``diag C_pp⁻¹``); f² = (R²_in - R²_out) / (1 - R²_in) from the
  construct correlations the paths are estimated from (as SmartPLS; seminr re-estimates the model
  without the path).
"""

from __future__ import annotations

import numpy as np

from cxstats.stats.pls.estimate import path_coefficients, rho_a


def alpha_std(r: np.ndarray) -> float:
    k = len(r)
    if k < 2:
        return 1.0
    return float(k / (k - 1) * (1 - k / r.sum()))


def rhoc_ave(lam: np.ndarray) -> tuple[float, float]:
    if len(lam) < 2:
        return 1.0, 1.0
    s = lam.sum() ** 2
    return float(s / (s + (1 - lam ** 2).sum())), float((lam ** 2).mean())


def reliability(lay, fit, zcor) -> list[dict]:
    rows = []
    for j, c in enumerate(lay.constructs):
        b = lay.blocks[j]
        lam = fit.loadings[b, j]
        rc, ave = rhoc_ave(lam)
        if len(b) < 2 or lay.mode_b[j]:
            ra = 1.0
        else:
            ra = rho_a(fit.weights[b, j], zcor[np.ix_(b, b)])
        rows.append({"construct": c, "alpha": alpha_std(zcor[np.ix_(b, b)]), "rhoC": rc, "AVE": ave, "rhoA": ra})
    return rows


def htmt_matrix(blocks, zcor) -> np.ndarray:
    """(k, k) HTMT, NaN on the diagonal and where a block has one item (no monotrait mean)."""
    k = len(blocks)
    r = np.abs(zcor)
    mono = np.full(k, np.nan)
    for j, b in enumerate(blocks):
        if len(b) > 1:
            sub = r[np.ix_(b, b)]
            mono[j] = sub[np.triu_indices(len(b), 1)].mean()
    out = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i + 1, k):
            hetero = r[np.ix_(blocks[i], blocks[j])].mean()
            out[i, j] = out[j, i] = hetero / np.sqrt(mono[i] * mono[j])
    return out


def vif_outer(lay, zcor) -> list[dict]:
    rows = []
    for j, c in enumerate(lay.constructs):
        b = lay.blocks[j]
        if len(b) < 2:
            continue
        v = np.diag(np.linalg.inv(zcor[np.ix_(b, b)]))
        rows += [{"construct": c, "indicator": lay.indicators[i], "vif": float(x)} for i, x in zip(b, v)]
    return rows


def vif_inner(lay, ccor) -> list[dict]:
    rows = []
    d = lay.adjacency
    for j in np.flatnonzero(d.any(axis=0)):
        pred = np.flatnonzero(d[:, j])
        v = np.diag(np.linalg.inv(ccor[np.ix_(pred, pred)])) if len(pred) > 1 else np.ones(1)
        rows += [{"lhs": lay.constructs[j], "rhs": lay.constructs[i], "vif": float(x)} for i, x in zip(pred, v)]
    return rows


def f_squared(lay, ccor, r2) -> dict:
    """(from, to) -> f² of the path."""
    out = {}
    d = lay.adjacency
    for j in np.flatnonzero(d.any(axis=0)):
        pred = np.flatnonzero(d[:, j])
        for i in pred:
            rest = [p for p in pred if p != i]
            r2_out = 0.0
            if rest:
                dd = np.zeros_like(d)
                dd[rest, j] = 1
                r2_out = path_coefficients(ccor, dd)[1][j]
            out[(i, j)] = float((r2[j] - r2_out) / (1 - r2[j]))
    return out
