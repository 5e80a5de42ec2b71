"""PLS path-model estimation as seminr's ``estimate_pls`` (Lohmöller's algorithm), and consistent PLS.

Algorithm (the facts of seminr's ``simplePLS``, Lohmöller 1989, Wold 1982):

1. indicators standardized (mean 0, SD with n - 1); outer weights start at 1;
2. each iteration: construct scores ``Z W`` standardized; inner weights ``E`` by the scheme
   (``path``: regression coefficients of a construct on its antecedents, correlations with its
   successors; ``factorial``: correlations with every adjacent construct; ``centroid``: their
   signs); inner proxies ``(Z W) E`` standardized; new outer weights: mode A the correlations of
   the block's indicators with the proxy, mode B the regression of the proxy on them
   (``R_bb⁻¹ r_b``); weights rescaled so that every score has unit variance;
3. stop when the sum of absolute changes of the weights is below ``tol`` (seminr's
   ``10^-stopCriterion``, default 1e-7), at most ``max_iter`` + 1 iterations (seminr's 300);
4. scores ``Z W``; loadings the correlations of indicators with their construct's score; paths
   OLS on the score correlations.

Consistent PLS (Dijkstra & Henseler 2015; seminr's ``PLSc``): for each reflective construct
with two or more indicators, ``rho_A = (w'w)² · w'(S - diag S)w / w'(ww' - diag ww')w``
(composites and single items: 1); construct correlations divided by ``sqrt(rho_i rho_j)``;
paths and R² from those; loadings of reflective constructs ``w · sqrt(rho_A) / (w'w)``. Weights
and scores are those of PLS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxstats.errors import ModelError

SCHEMES = ("path", "factorial", "centroid")


@dataclass
class Layout:
    """Index form of a :class:`PlsModel` for fast repeated estimation."""
    constructs: list[str]
    indicators: list[str]
    blocks: list[np.ndarray]        # indicator indices per construct
    mode_b: np.ndarray              # bool per construct
    corrected: np.ndarray           # bool per construct: PLSc corrects it (reflective, >= 2 items, consistent)
    adjacency: np.ndarray           # D[i, j] = 1 when i -> j
    mask: np.ndarray                # (p, k) 1 where indicator belongs to construct

    @classmethod
    def of(cls, model, consistent: bool = True) -> "Layout":
        cons = list(model.constructs)
        inds = model.indicators
        pos = {x: i for i, x in enumerate(inds)}
        blocks = [np.array([pos[x] for x in model.blocks[c]]) for c in cons]
        k = len(cons)
        d = np.zeros((k, k))
        ci = {c: i for i, c in enumerate(cons)}
        for f, t in model.paths:
            d[ci[f], ci[t]] = 1.0
        mask = np.zeros((len(inds), k))
        for j, b in enumerate(blocks):
            mask[b, j] = 1.0
        mode_b = np.array([model.mode[c] == "B" for c in cons])
        corrected = np.array([bool(consistent and model.reflective[c] and len(model.blocks[c]) > 1)
                              for c in cons])
        return cls(cons, inds, blocks, mode_b, corrected, d, mask)


@dataclass
class PlsFit:
    weights: np.ndarray        # (p, k) standardized outer weights (scores have unit variance)
    loadings: np.ndarray       # (p, k) masked loadings (PLSc-corrected for corrected constructs)
    paths: np.ndarray          # (k, k) B[i, j] = path i -> j
    scores: np.ndarray         # (n, k) construct scores Z W
    score_cor: np.ndarray      # (k, k) correlations of the scores (PLS)
    construct_cor: np.ndarray  # (k, k) correlations used for paths (PLSc: disattenuated)
    rho_a: np.ndarray          # (k,) rho_A (1 for composites mode B and single items)
    r2: np.ndarray             # (k,) NaN for exogenous constructs
    iterations: int
    converged: bool
    weight_change: float


def standardize(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0, ddof=1)
    if np.any(~(sd > 0)):
        raise ModelError("a variable or construct score has no variance: it cannot be standardized")
    return (x - x.mean(axis=0)) / sd


def _cor(x):
    return np.corrcoef(x, rowvar=False)


def inner_weights(scheme: str, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    adj = d + d.T
    if scheme == "factorial":
        return c * adj
    if scheme == "centroid":
        return np.sign(c) * adj
    e = c * d.T      # successors: correlations
    for j in np.flatnonzero(d.any(axis=0)):
        pred = np.flatnonzero(d[:, j])
        e[pred, j] = np.linalg.solve(c[np.ix_(pred, pred)], c[pred, j])
    return e


def fit_pls(z: np.ndarray, lay: Layout, *, scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
            zcor: np.ndarray | None = None) -> PlsFit:
    """Estimate on standardized indicators ``z`` (n, p) in the layout's indicator order."""
    n, p = z.shape
    k = len(lay.constructs)
    if zcor is None:
        zcor = (z.T @ z) / (n - 1)
    block_inv = {j: np.linalg.inv(zcor[np.ix_(b, b)]) for j, b in enumerate(lay.blocks) if lay.mode_b[j]}
    w = lay.mask.copy()
    converged = False
    diff = np.inf
    it = 0
    for it in range(max_iter + 1):
        s = standardize(z @ w)
        e = inner_weights(scheme, _cor(s), lay.adjacency)
        t = standardize(s @ e)
        last = w
        cov_zt = (z.T @ t) / (n - 1)                  # (p, k): indicator-proxy correlations
        w = np.zeros((p, k))
        for j, b in enumerate(lay.blocks):
            r = cov_zt[b, j]
            w[b, j] = block_inv[j] @ r if lay.mode_b[j] else r
        sd = np.sqrt(np.einsum("ij,ij->j", w, zcor @ w))   # SD of Z W
        w = w / sd
        diff = float(np.abs(w - last).sum())
        if diff < tol:
            converged = True
            break
    scores = z @ w
    score_cor = _cor(scores)
    loadings = ((z.T @ scores) / (n - 1)) * lay.mask
    rho = np.ones(k)
    for j in np.flatnonzero(lay.corrected):
        b = lay.blocks[j]
        rho[j] = rho_a(w[b, j], zcor[np.ix_(b, b)])
    if np.any(lay.corrected):
        bad = [lay.constructs[j] for j in np.flatnonzero(lay.corrected) if not (np.isfinite(rho[j]) and rho[j] > 0)]
        if bad:
            raise ModelError(f"consistent PLS cannot correct {', '.join(bad)}: rho_A is not positive (check the "
                             f"signs of its items, or estimate it as a composite with consistent=False)")
        ccor = score_cor / np.sqrt(np.outer(rho, rho))
        np.fill_diagonal(ccor, 1.0)
        for j in np.flatnonzero(lay.corrected):
            b = lay.blocks[j]
            wj = w[b, j]
            loadings[b, j] = wj * np.sqrt(rho[j]) / (wj @ wj)
    else:
        ccor = score_cor
    paths, r2 = path_coefficients(ccor, lay.adjacency)
    return PlsFit(w, loadings, paths, scores, score_cor, ccor, rho, r2, it + 1, converged, diff)


def rho_a(w: np.ndarray, s: np.ndarray) -> float:
    """Dijkstra-Henseler rho_A of one block: weights ``w``, indicator correlations ``s``."""
    s0 = s - np.diag(np.diag(s))
    ww = np.outer(w, w)
    ww0 = ww - np.diag(np.diag(ww))
    return float((w @ w) ** 2 * (w @ s0 @ w) / (w @ ww0 @ w))


def path_coefficients(c: np.ndarray, d: np.ndarray):
    k = len(c)
    b = np.zeros((k, k))
    r2 = np.full(k, np.nan)
    for j in np.flatnonzero(d.any(axis=0)):
        pred = np.flatnonzero(d[:, j])
        try:
            beta = np.linalg.solve(c[np.ix_(pred, pred)], c[pred, j])
        except np.linalg.LinAlgError as exc:
            raise ModelError("the antecedents of a construct are perfectly collinear: its paths cannot be "
                             "estimated") from exc
        b[pred, j] = beta
        r2[j] = float(beta @ c[pred, j])
    return b, r2


def total_effects(b: np.ndarray) -> np.ndarray:
    """T = B + B² + ... = (I - B)⁻¹ - I (recursive model)."""
    k = len(b)
    return np.linalg.inv(np.eye(k) - b) - np.eye(k)
