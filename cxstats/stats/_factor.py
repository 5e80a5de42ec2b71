"""Numerical helpers shared by reliability and EFA (pure numpy/scipy).

Why not factor_analyzer for everything? factor_analyzer 0.5.1 is installed and
was checked, but it differs from psych in ways that change published numbers:

* it has no pairwise-deletion correlation (``FactorAnalyzer`` imputes missing
  values by the median; ``calculate_kmo``/``calculate_bartlett_sphericity`` take
  raw data only), while psych works on ``cor(x, use = "pairwise")``;
* its rotator normalises rows (Kaiser) by default for oblimin, whereas psych calls
  ``GPArotation::oblimin`` with ``normalize = FALSE``;
* psych's sign (column sums positive) and order (variance after rotation) rules
  are applied by psych itself, not by the extraction.

So the extraction (minres, ml), the rotations (GPA oblimin, ``stats::varimax``,
psych's Kaiser-normalised ``Promax``) and KMO/Bartlett are written here from the
documented formulas; the tests cross-check KMO and Bartlett against
factor_analyzer on complete data, where both must agree.
"""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------
# covariance / correlation
# --------------------------------------------------------------------------
def pairwise_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``cov(x, use = "pairwise")``: each entry from the rows complete on that pair
    (means taken over those rows too), divisor n_ij - 1. Returns (cov, n_ij)."""
    x = np.asarray(x, dtype=float)
    m = ~np.isnan(x)
    # centre on column means to limit cancellation; covariances are shift invariant
    centre = np.nanmean(x, axis=0)
    centre = np.where(np.isfinite(centre), centre, 0.0)
    x0 = np.where(m, x - centre, 0.0)
    mf = m.astype(float)
    n = mf.T @ mf
    sxy = x0.T @ x0
    sx = x0.T @ mf          # [i, j] = sum of x_i over rows where i and j present
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (sxy - sx * sx.T / n) / (n - 1)
    cov[n < 2] = np.nan
    return cov, n


def pairwise_cor(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``cor(x, use = "pairwise")``: every entry is the Pearson correlation over the
    rows complete on that pair (standard deviations from those rows too, so this is
    not ``cov2cor(cov(x, use = "pairwise"))``). Returns (R, n_ij)."""
    x = np.asarray(x, dtype=float)
    m = ~np.isnan(x)
    centre = np.nanmean(x, axis=0)
    centre = np.where(np.isfinite(centre), centre, 0.0)
    x0 = np.where(m, x - centre, 0.0)
    mf = m.astype(float)
    n = mf.T @ mf
    sxy = x0.T @ x0
    sx = x0.T @ mf
    sxx = (x0 ** 2).T @ mf  # [i, j] = sum of x_i^2 over rows where i and j present
    with np.errstate(invalid="ignore", divide="ignore"):
        cxy = sxy - sx * sx.T / n
        vx = sxx - sx ** 2 / n
        r = cxy / np.sqrt(vx * vx.T)
    r[n < 2] = np.nan
    np.fill_diagonal(r, 1.0)
    return r, n


def cov2cor(c: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


def is_singular(r: np.ndarray, tol: float = 1e-10) -> bool:
    ev = np.linalg.eigvalsh(r)
    return bool(ev[0] <= tol * max(ev[-1], 1.0))


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^-1)`` (psych::smc); a pseudo-inverse
    when R is singular (psych does the same, with a warning the caller gives)."""
    try:
        if is_singular(r):
            raise np.linalg.LinAlgError
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def most_collinear_item(r: np.ndarray) -> int:
    """The variable with the largest weight in the smallest eigenvector of R."""
    w, v = np.linalg.eigh(r)
    return int(np.argmax(np.abs(v[:, 0])))


# --------------------------------------------------------------------------
# extraction (psych::fa conventions)
# --------------------------------------------------------------------------
def _top_loadings(s_reduced: np.ndarray, nf: int) -> np.ndarray:
    w, v = np.linalg.eigh(s_reduced)
    idx = np.argsort(w)[::-1][:nf]
    return v[:, idx] * np.sqrt(np.maximum(w[idx], 0.0))


def fit_minres(r: np.ndarray, nf: int, start: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """psych's minres: minimise the sum of squared off-diagonal residuals over the
    uniquenesses psi (L-BFGS-B, bounds .005..1, start 1 - smc); loadings are the
    top eigenvectors of R - diag(psi). Returns (loadings, info)."""
    from scipy.optimize import minimize

    p = r.shape[0]
    tri = np.tril_indices(p, -1)

    def obj(psi):
        lam = _top_loadings(r - np.diag(psi), nf)
        res = r - lam @ lam.T
        return float(np.sum(res[tri] ** 2))

    def grad(psi):
        lam = _top_loadings(r - np.diag(psi), nf)
        g = lam @ lam.T + np.diag(psi) - r
        return np.diag(g).copy()

    psi0 = 1.0 - smc(r) if start is None else start
    psi0 = np.clip(psi0, 0.005, 1.0)
    res = minimize(obj, psi0, jac=grad, method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
    lam = _top_loadings(r - np.diag(res.x), nf)
    return lam, {"psi": res.x, "objective": float(res.fun), "converged": bool(res.success),
                 "message": str(res.message)}


def fit_ml_efa(r: np.ndarray, nf: int) -> tuple[np.ndarray, dict]:
    """psych's fm = "ml" (as factanal): minimise the ML discrepancy over psi
    (L-BFGS-B, bounds .005..1); loadings from the scaled eigenproblem."""
    from scipy.optimize import minimize

    p = r.shape[0]

    def parts(psi):
        sc = 1.0 / np.sqrt(psi)
        sstar = r * np.outer(sc, sc)
        w, v = np.linalg.eigh(sstar)
        order = np.argsort(w)[::-1]
        return w[order], v[:, order]

    def obj(psi):
        w, _ = parts(psi)
        e = w[nf:]
        return float(-(np.sum(np.log(e) - e) - nf + p))

    def grad(psi):
        w, v = parts(psi)
        load = v[:, :nf] * np.sqrt(np.maximum(w[:nf] - 1.0, 0.0))
        load = np.sqrt(psi)[:, None] * load
        g = load @ load.T + np.diag(psi) - r
        return np.diag(g) / psi ** 2

    psi0 = np.clip(1.0 - smc(r), 0.005, 1.0)
    res = minimize(obj, psi0, jac=grad, method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
    psi = res.x
    w, v = parts(psi)
    load = np.sqrt(psi)[:, None] * (v[:, :nf] * np.sqrt(np.maximum(w[:nf] - 1.0, 0.0)))
    return load, {"psi": psi, "objective": float(res.fun), "converged": bool(res.success),
                  "message": str(res.message)}


# --------------------------------------------------------------------------
# one-factor ML CFA (lavaan: std.lv = TRUE, ML, S with divisor N)
# --------------------------------------------------------------------------
def one_factor_cfa(s: np.ndarray, n: int) -> dict:
    """Fit Sigma = l l' + diag(theta) by maximum likelihood to the covariance ``s``
    (divisor N, as lavaan's sample statistics). Variances may go negative
    (lavaan does not bound them); the caller reports that as a Heywood case."""
    from scipy.optimize import minimize

    p = s.shape[0]
    sign_s, logdet_s = np.linalg.slogdet(s)
    if sign_s <= 0:
        raise np.linalg.LinAlgError("sample covariance is not positive definite")

    def unpack(par):
        return par[:p], par[p:]

    def f_and_g(par):
        lam, th = unpack(par)
        sig = np.outer(lam, lam) + np.diag(th)
        sgn, logdet = np.linalg.slogdet(sig)
        if sgn <= 0:
            return 1e10, np.zeros_like(par)
        inv = np.linalg.inv(sig)
        f = logdet + np.trace(s @ inv) - logdet_s - p
        g_sig = inv - inv @ s @ inv
        return float(f), np.concatenate([2.0 * g_sig @ lam, np.diag(g_sig)])

    # start: minres one-factor solution on the correlation metric, rescaled
    d = np.sqrt(np.diag(s))
    r = s / np.outer(d, d)
    lam0, _ = fit_minres(r, 1)
    lam0 = lam0[:, 0] * d
    if lam0.sum() < 0:
        lam0 = -lam0
    th0 = np.maximum(np.diag(s) - lam0 ** 2, 0.05 * np.diag(s))
    res = minimize(f_and_g, np.concatenate([lam0, th0]), jac=True, method="BFGS",
                   options={"gtol": 1e-10, "maxiter": 10000})
    lam, th = unpack(res.x)
    if lam.sum() < 0:
        lam = -lam
    fmin = float(res.fun)
    return {"loadings": lam, "residual_variances": th, "fmin": fmin,
            "chisq": n * fmin, "df": p * (p + 1) // 2 - 2 * p,
            "converged": bool(res.success) or float(np.max(np.abs(res.jac))) < 1e-6}


# --------------------------------------------------------------------------
# rotations
# --------------------------------------------------------------------------
def varimax(a: np.ndarray, normalize: bool = True, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """R's ``stats::varimax`` (Kaiser normalisation by default). Returns (loadings, T)."""
    nc = a.shape[1]
    if nc < 2:
        return a.copy(), np.eye(nc)
    x = a.copy()
    if normalize:
        sc = np.sqrt(np.sum(x ** 2, axis=1))
        x = x / sc[:, None]
    p = x.shape[0]
    t = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ t
        b = x.T @ (z ** 3 - z @ np.diag(np.sum(z ** 2, axis=0)) / p)
        u, sv, vt = np.linalg.svd(b)
        t = u @ vt
        dpast, d = d, float(np.sum(sv))
        if d < dpast * (1 + eps):
            break
    z = x @ t
    if normalize:
        z = z * sc[:, None]
    return z, t


def promax_psych(a: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """psych's ``promax``: ``kaiser(f, rotate = "Promax")``, i.e. rows scaled to unit
    communality, psych::Promax (stats::varimax then power-4 target by least squares,
    columns rescaled), rows scaled back. Returns (loadings, Phi, rotation matrix)."""
    h = np.sqrt(np.sum(a ** 2, axis=1))
    f = a / h[:, None]
    x, rot = varimax(f)
    q = x * np.abs(x) ** (m - 1)
    u, *_ = np.linalg.lstsq(x, q, rcond=None)
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u @ np.diag(np.sqrt(d))
    z = x @ u
    u = rot @ u
    ui = np.linalg.inv(u)
    phi = ui @ ui.T
    return z * h[:, None], phi, u


def oblimin_gpa(a: np.ndarray, gam: float = 0.0, eps: float = 1e-5,
                maxit: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Gradient-projection oblique rotation (Jennrich 2002; GPArotation::GPFoblq) with
    the oblimin criterion, identity start, no normalisation (psych's call).
    Returns (loadings, Phi, T, converged); loadings = A (T')^-1, Phi = T'T."""
    k = a.shape[1]
    ones_k = np.ones((k, k)) - np.eye(k)

    def vgq(lmat):
        l2 = lmat ** 2
        x = l2 @ ones_k
        if gam != 0:
            p = lmat.shape[0]
            x = (np.eye(p) - gam * np.ones((p, p)) / p) @ x
        return float(np.sum(l2 * x) / 4.0), lmat * x

    t = np.eye(k)
    al = 1.0
    lmat = a @ np.linalg.inv(t).T
    f, gq = vgq(lmat)
    g = -(lmat.T @ gq @ np.linalg.inv(t)).T
    converged = False
    for _ in range(maxit + 1):
        gp = g - t @ np.diag(np.sum(t * g, axis=0))
        s = float(np.sqrt(np.sum(gp ** 2)))
        if s < eps:
            converged = True
            break
        al *= 2.0
        for _ in range(11):
            xm = t - al * gp
            v = 1.0 / np.sqrt(np.sum(xm ** 2, axis=0))
            tt = xm * v
            lmat = a @ np.linalg.inv(tt).T
            ft, gqt = vgq(lmat)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2.0
        t, f = tt, ft
        g = -(lmat.T @ gqt @ np.linalg.inv(tt)).T
    lmat = a @ np.linalg.inv(t).T
    return lmat, t.T @ t, t, converged
