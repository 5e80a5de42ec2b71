"""Modification indices (univariate score tests) of a fitted model, as lavaan's ``modindices()``.

For every parameter the model keeps fixed (lavaan's "full" parameter table: loadings of every
factor on every observed variable, (residual) covariances among observed variables and among
factors, regressions among the variables of the structural part, intercepts with a mean
structure, and the model's own fixed parameters), with g_j the derivative of lavaan's F (= F_ML/2)
at the estimates and Q the unit expected information of the model's free parameters extended by
the fixed ones (Saris, Satorra & Sörbom 1987):

    V_j = Q_jj - Q_j,free Q_free,free^-1 Q_free,j
    mi_j = N g_j² / V_j          (the chi-square drop expected when freeing parameter j; 1 df)
    epc_j = -g_j / V_j           (the expected value of the parameter once freed)

and ``sepc_all`` the epc standardized as ``std_all`` with the fitted model's variances (a
covariance by the two residual SDs, as lavaan's ``cov.std = TRUE``). Parameters whose release
would leave the model unidentified (V_j ~ 0, e.g. a marker loading) get no index and are left out,
as lavaan's ``na.remove``. Freeing parameters because of their modification indices is
exploratory: each change capitalises on chance and needs a substantive reason and new data.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cxstats.errors import ModelError

NOTE = ("Modification indices are exploratory: a large index says that freeing that parameter would "
        "improve the fit of these data, not that the parameter belongs in the model. Free one only with a "
        "substantive reason, one at a time, and confirm the changed model on new data (MacCallum, Roznowski "
        "& Necowitz 1992).")


def _key(lhs, op, rhs):
    if op == "~~":
        return (min(lhs, rhs), op, max(lhs, rhs))
    return (lhs, op, rhs)


def _candidates(pt, g: int):
    """(lhs, op, rhs) of lavaan's full parameter table for group g, in lavaan's order."""
    xset = set(pt.ov_x)
    ov_nox = [v for v in pt.ov if v not in xset]
    lv = list(pt.lv)
    out = [(f, "=~", v) for f in lv for v in ov_nox]
    for names in (ov_nox, lv):
        for j, a in enumerate(names):
            for b in names[j:]:
                out.append((a, "~~", b))
    rows = pt.group_rows(g)
    if any(r.op == "~" for r in rows):
        eqs = []
        for r in rows:
            if r.op == "~":
                for n in (r.lhs, r.rhs):
                    if n not in eqs:
                        eqs.append(n)
        indicators = {r.rhs for r in rows if r.op == "=~"}
        for a in eqs:
            if a in xset:
                continue            # fixed.x covariates stay exogenous
            for b in eqs:
                if a != b and not (a in indicators and b in lv):
                    out.append((a, "~", b))
    if pt.meanstructure:
        out += [(v, "~1", "") for v in pt.ov if v not in xset] + [(f, "~1", "") for f in lv]
    return out


def _fiml_expected_information(model, theta) -> np.ndarray:
    """Unit expected information under FIML at the model-implied moments (lavaan's "expected" with
    h1.information "structured"): sum over answer patterns of n_p / N [tr(S_o dS_a S_o dS_b) / 2 +
    dmu_a' S_o dmu_b], S_o the inverse implied covariance of the answered items."""
    k = model.k
    Q = np.zeros((k, k))
    for g, gp in enumerate(model.fdata.patterns):
        dSig, dmu, Sig, mu = model.jacobian(theta, g)
        for b in gp.blocks:
            for o, n in zip(b.obs, b.n):
                Si = np.linalg.inv(Sig[np.ix_(o, o)])
                X = Si @ dSig[:, o][:, :, o]
                Q += (n / model.N) * (0.5 * X.reshape(k, -1) @ X.transpose(0, 2, 1).reshape(k, -1).T
                                      + dmu[:, o] @ Si @ dmu[:, o].T)
    return Q


def modification_indices(fit, *, minimum: float = 0.0):
    """lavaan's ``modindices(fit, sort. = TRUE)``: a DataFrame ``lhs op rhs [group] mi epc sepc_all``,
    largest index first. With FIML fits (missing answers) the gradient is the FIML one and the
    information the FIML expected information at the model-implied moments (lavaan's default)."""
    import pandas as pd

    from cxstats.stats.sem.engine import CompiledModel
    from cxstats.stats.sem.partable import ParTable, Row

    pt = fit.pt
    rows = [dataclasses.replace(r) for r in pt.rows]
    theta = list(fit.theta)
    extra = []                              # (row index in rows) of the parameters tested
    k = pt.nfree
    for i, r in enumerate(rows):
        if r.free < 0 and not r.exo:
            r.free = k
            theta.append(r.value)
            extra.append(i)
            k += 1
    for g in range(pt.ngroups):
        present = {_key(r.lhs, r.op, r.rhs) for r in rows if r.group == g}
        for lhs, op, rhs in _candidates(pt, g):
            key = _key(lhs, op, rhs)
            if key in present:
                continue
            present.add(key)
            rows.append(Row(lhs, op, rhs, g, k, 0.0))
            theta.append(0.0)
            extra.append(len(rows) - 1)
            k += 1
    names = list(pt.free_names) + [rows[i].name for i in extra]
    ext = ParTable(rows, list(pt.ov), list(pt.lv), pt.ngroups, pt.meanstructure, pt.options, pt.parsed,
                   list(pt.ov_x), k, names)
    theta = np.asarray(theta, float)
    if fit.fiml is not None:
        from cxstats.stats.sem.fiml import FimlModel

        model = FimlModel(ext, fit.fiml)
        _, grad, _ = model.gradient(theta)
        g = grad / 2.0
        Q = _fiml_expected_information(model, theta)
    else:
        model = CompiledModel(ext)
        model.set_sample(fit.stats)
        _, grad, H = model.gradient_information(theta)
        g = grad / 2.0                     # lavaan's F is half of ours
        Q = H / 2.0                        # unit expected information of lavaan's F
    m = pt.nfree
    Qff = Q[:m, :m]
    Qef = Q[m:, :m]
    V = np.diag(Q[m:, m:]) - np.einsum("ij,ij->i", Qef @ np.linalg.pinv(Qff), Qef) if m else np.diag(Q[m:, m:])
    ge = g[m:]
    N = fit.ntotal
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = V > 1e-10 * max(1.0, float(np.max(np.abs(np.diag(Q)))))
        mi = np.where(ok, N * ge ** 2 / V, np.nan)
        epc = np.where(ok, -ge / V, np.nan)
    sd, resid = [], []
    for grp in range(pt.ngroups):
        B, C, mu, A, S, mm = fit.model.implied_all(fit.theta, grp)
        sd.append(np.sqrt(np.clip(np.diag(C), 0, None)))
        resid.append(np.diag(S))
    idx = fit.model.idx
    recs = []
    for j, ri in enumerate(extra):
        if not np.isfinite(mi[j]):
            continue
        r = rows[ri]
        s, res = sd[r.group], resid[r.group]
        e = float(epc[j])
        a = idx[r.lhs]
        with np.errstate(divide="ignore", invalid="ignore"):
            if r.op == "=~":
                std = e * s[a] / s[idx[r.rhs]]
            elif r.op == "~":
                std = e * s[idx[r.rhs]] / s[a]
            elif r.op == "~1":
                std = e / s[a]
            elif r.lhs == r.rhs:
                std = e / s[a] ** 2
            else:
                b = idx[r.rhs]
                ra, rb = (res[a], res[b])
                std = e / np.sqrt(ra * rb) if ra > 0 and rb > 0 else np.nan
        rec = {"lhs": r.lhs, "op": r.op, "rhs": r.rhs}
        if pt.ngroups > 1:
            rec["group"] = r.group + 1
        rec.update({"mi": float(mi[j]), "epc": e, "sepc_all": float(std)})
        recs.append(rec)
    cols = ["lhs", "op", "rhs"] + (["group"] if pt.ngroups > 1 else []) + ["mi", "epc", "sepc_all"]
    out = pd.DataFrame.from_records(recs, columns=cols)
    out = out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
    if minimum > 0:
        out = out[out["mi"] > minimum].reset_index(drop=True)
    return out
