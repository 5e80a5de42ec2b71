"""Ordinal measurement invariance (WLSMV / ULSMV) as lavaan 0.6-14 with its default *delta* parametrisation:
the multi-group ordinal model with thresholds and loadings equal across groups (lavaan's
``group.equal = c("thresholds", "loadings")``; adding ``"intercepts"`` changes nothing, the observed
intercepts of ordinal items stay fixed at 0), fitted jointly, and the scaled-shifted chi-square difference
test against the configural model (lavaan's ``lavTestLRT`` default for WLSMV: method ``"satorra.2000"`` with
``scaled.shifted = TRUE``).

Identification (lavaan's default for ``group.equal = c("thresholds", "loadings")``; Wu & Estabrook 2016 show
it identifies the model): in the first group the latent-response scale factors delta (``~*~``) are 1 and the
latent means 0; in every later group the scale factors and the latent means are free. Group g's model for
its statistics (thresholds and polychoric correlations, as the single-group model of :mod:`.dwls`):

    threshold_jk = delta_gj (tau_jk - [Lambda alpha_g]_j),      rho_ij = delta_gi delta_gj [Lambda Psi_g Lambda']_ij

(plus any residual covariance), tau_jk and Lambda shared, the residual variances 1/delta_gj^2 -
[Lambda Psi_g Lambda']_jj (not parameters). Estimates minimise the weighted sum of F_g, the groups' DWLS
discrepancy. With categorical data lavaan weighs the groups by (N_g - 1) / (N - G) in the estimation and
chisq = sum_g (N_g - 1) F_g, but by f_g = N_g / N in the information and the traces below.

Standard errors (robust.sem): E^-1 [sum_g f_g D_g' W_g Gamma_g W_g D_g] E^-1 / (N - G), E = sum_g f_g D_g' W_g D_g,
f_g = N_g / N. Scaled-shifted test with U = V - V D E^-1 D' V on the stacked groups (V = blockdiag(f_g W_g),
Gamma = blockdiag(Gamma_g / f_g)), as lavaan's lav_test_satorra_bentler_trace.

Difference test (Satorra 2000; lavaan's lav_test_diff_Satorra2000 with A.method = "delta"): with D1 the
Jacobian of the configural model (H1), D0 of the constrained one, H = D1^+ D0 and A' an orthonormal basis of
the orthogonal complement of H's columns; P = sum_g f_g D1_g' W_g D1_g, M = P^-1 A' (A P^-1 A')^+ A P^-1;
tr(UG) = sum_g f_g tr(W_g Gamma_g W_g D1_g M D1_g'), tr(UG^2) from the stacked U = W D1 M D1' W and
blockdiag(f_g Gamma_g); m = df0 - df1, a = sqrt(m / tr(UG^2)), b = m - a tr(UG),
T_diff = a (T0 - T1) + b on m df.

lavaan 0.6-14 gives no robust (catML) CFI/TLI/RMSEA for models with equality constraints across groups
(NA): ΔCFI and ΔRMSEA read the scaled indices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxstats.errors import InputError, ModelError

#: the equality constraints of the ordinal sequence, as lavaan's group.equal
ORDINAL_STEPS = {"configural": (), "scalar": ("thresholds", "loadings")}


@dataclass
class OrdinalInvarianceFit:
    """A jointly fitted multi-group ordinal model (the configural one or thresholds + loadings equal)."""

    labels: list
    estimator: str
    group_equal: tuple
    x: np.ndarray                 # all parameters: structural theta, thresholds, scale factors
    vcov: np.ndarray
    names: list                   # (lhs, op, rhs, group) of every free parameter (first occurrence)
    rows: list                    # per reported row: (lhs, op, rhs, group, index into x or None, value)
    fit: dict
    converged: bool
    iterations: int
    ntotal: int
    npar: int
    df: int
    D: list = field(default_factory=list)     # per-group Jacobians of the statistics (rows: thresholds, correlations)
    W: list = field(default_factory=list)     # per-group DWLS weights (vectors)
    Gamma: list = field(default_factory=list)
    nobs: list = field(default_factory=list)
    T: float = math.nan
    warnings: list = field(default_factory=list)
    pt: object = None             # the structural ParTable (factors in pt.lv)
    missing_info: dict = field(default_factory=dict)

    def fit_measures(self) -> dict:
        return dict(self.fit)

    def estimates(self):
        import pandas as pd
        from scipy.stats import norm

        se_all = np.sqrt(np.clip(np.diag(self.vcov), 0, None))
        recs = []
        for lhs, op, rhs, g, ix, val in self.rows:
            est = float(self.x[ix]) if ix is not None else float(val)
            se = float(se_all[ix]) if ix is not None else 0.0
            z = est / se if se > 0 else math.nan
            recs.append({"lhs": lhs, "op": op, "rhs": rhs, "group": g + 1, "est": est, "se": se, "z": z,
                         "pvalue": float(2 * norm.sf(abs(z))) if np.isfinite(z) else math.nan})
        return pd.DataFrame.from_records(recs)


def _group_stats(data, ov, group, group_labels):
    """Per group (in order of first appearance, as lavaan): the ordinal statistics of the complete
    respondents; the labels; warnings; the missing-data summary."""
    from cxstats.stats.sem.polychoric import ordinal_stats
    from cxstats.stats.sem.samplestats import group_codes

    if isinstance(group, str):
        group = data[group].tolist()
    codes, labels, keep, warns = group_codes(group, group_labels, len(data))
    out = []
    n_rows = n_used = 0
    for g, lab in enumerate(labels):
        X = data[keep & (codes == g)][ov].to_numpy(dtype=float)
        n_rows += len(X)
        X = X[~np.isnan(X).any(axis=1)]          # listwise deletion within the group (lavaan's default)
        n_used += len(X)
        if len(X) < 3:
            raise ModelError(f"group {lab!r}: {len(X)} complete respondents: too few for an ordinal model")
        try:
            out.append(ordinal_stats(X, ov))
        except InputError as exc:
            raise type(exc)(f"group {lab!r}: {exc.reason}", file=exc.file, column=exc.column, row=exc.row,
                            value=exc.value, details=exc.details, option=exc.option) from None
    miss = {"method": "listwise", "n_rows": n_rows, "n_used": n_used, "n_dropped_incomplete": n_rows - n_used}
    if n_rows - n_used:
        warns = list(warns) + [f"missing data: listwise deletion: {n_used} complete respondents of {n_rows}"]
    return out, [str(x) for x in labels], list(warns), miss


def _structural_partable(parsed, G, std_lv, group_equal):
    """The engine's ParTable for the structural part: loadings (equal across groups when asked), factor
    (co)variances per group, latent means free after the first group when thresholds are equal; observed
    intercepts fixed at 0 and the items' residual variances fixed at 0 (they are 1/delta^2 minus the
    explained variance, not parameters). Free indices renumbered, shared ones kept shared."""
    from cxstats.stats.sem.partable import ModelOptions, ParTable, build_partable

    eq = ("loadings", "intercepts") if "thresholds" in group_equal else tuple(k for k in group_equal if k == "loadings")
    opts = ModelOptions(std_lv=std_lv, meanstructure=True, group_equal=eq, fixed_x=False)
    pt = build_partable(parsed, G, opts)
    ov = set(pt.ov)
    bad = [r for r in pt.rows if (r.op == "~" and r.rhs in ov) or (r.op == "=~" and r.lhs in ov)]
    if bad:
        raise ModelError("ordinal invariance takes ordinal items as indicators only")
    mapping: dict = {}
    names = []
    for r in pt.rows:
        if (r.op == "~1" and r.lhs in ov) or (r.op == "~~" and r.lhs == r.rhs and r.lhs in ov):
            r.free, r.value = -1, 0.0
            continue
        if r.free >= 0:
            if r.free not in mapping:
                mapping[r.free] = len(mapping)
                names.append(pt.free_names[r.free])
            r.free = mapping[r.free]
    n = len(mapping)
    if std_lv and "loadings" in eq:      # lavaan: with equal loadings the factor variances are free after group 1
        for r in pt.rows:
            if r.group > 0 and r.op == "~~" and r.lhs == r.rhs and r.lhs in pt.lv and r.free < 0 and not r.user:
                r.free, r.value = n, 1.0
                names.append(f"{r.lhs} ~~ {r.rhs} (group {r.group + 1})")
                n += 1
    return ParTable(pt.rows, pt.ov, pt.lv, G, True, pt.options, pt.parsed, [], n, names)


def fit_ordinal_invariance(model, data, group, *, group_equal=("thresholds", "loadings"), group_labels=None,
                           estimator: str = "WLSMV", std_lv: bool = False) -> OrdinalInvarianceFit:
    """The multi-group ordinal model of ``model`` (lavaan syntax; every observed variable ordinal) in the
    groups of ``group`` (a column name or per-row labels), with ``group_equal`` () (configural) or
    ("thresholds", "loadings"), fitted jointly by DWLS (WLSMV/ULSMV: robust SEs, scaled-shifted test)."""
    from cxstats.stats.sem.dwls import _catml_pieces, ordinal_measures
    from cxstats.stats.sem.engine import CompiledModel
    from cxstats.stats.sem.polychoric import cor_index
    from cxstats.stats.sem.samplestats import SampleStats
    from cxstats.stats.sem.syntax import parse_model

    estimator = str(estimator).upper()
    if estimator not in ("WLSMV", "ULSMV"):
        raise ModelError(f"ordinal invariance takes the estimator WLSMV or ULSMV, not {estimator!r}")
    group_equal = tuple(group_equal)
    if group_equal not in ((), ("thresholds", "loadings")):
        raise ModelError("ordinal invariance fits the configural model or thresholds and loadings equal "
                         f"(lavaan's group.equal = c(\"thresholds\", \"loadings\")), not {group_equal!r}")
    eq_th = "thresholds" in group_equal
    parsed = parse_model(model) if isinstance(model, str) else model
    from cxstats.stats.sem.partable import ModelOptions, build_partable

    ov = list(build_partable(parsed, 1, ModelOptions(std_lv=std_lv, fixed_x=False)).ov)   # the model's item order
    missing = [v for v in ov if v not in data.columns]
    if missing:
        raise InputError(f"the model's variable {missing[0]!r} is not a column of the data", column=missing[0])
    stats_g, labels, warns, miss = _group_stats(data, ov, group, group_labels)
    G = len(stats_g)
    if G < 2:
        raise ModelError("measurement invariance needs at least two groups")
    pt = _structural_partable(parsed, G, std_lv, group_equal)
    if list(pt.ov) != ov:
        raise ModelError("internal: the items' order differs between the statistics and the model")
    p = len(ov)
    rr, cc = cor_index(p)
    if eq_th:
        lv0 = [tuple(map(tuple, st.levels)) for st in stats_g]
        if len(set(lv0)) > 1:
            for j, v in enumerate(ov):
                seen = {tuple(st.levels[j]) for st in stats_g}
                if len(seen) > 1:
                    raise ModelError(f"item {v!r} does not have the same answer categories in every group "
                                     f"({' vs '.join(str(list(s)) for s in seen)}): its thresholds cannot be "
                                     "equal across groups (merge the rare categories first)")
    nth_g = [st.nth for st in stats_g]
    k = pt.nfree
    nth = nth_g[0] if eq_th else sum(nth_g)
    th_off = [k] * G if eq_th else list(k + np.cumsum([0] + nth_g[:-1]))
    ndelta = p * (G - 1) if eq_th else 0
    d_off = [None] + [k + nth + p * (g - 1) for g in range(1, G)] if eq_th else [None] * G
    npar = k + nth + ndelta
    # threshold item index per threshold row
    th_item = [np.repeat(np.arange(p), [len(lv) - 1 for lv in st.levels]) for st in stats_g]

    N_g = np.array([st.n for st in stats_g], float)
    N = float(N_g.sum())
    fg = N_g / N                   # lavaan's group weights in the information and the test's traces
    fe = (N_g - 1) / (N - G)       # ... and in the estimation with categorical data (its N_g - 1 convention)
    s_g = [np.concatenate([st.th_vector(), st.cor[rr, cc]]) for st in stats_g]
    Gam = [st.gamma for st in stats_g]
    W_g = [np.ones(len(s)) if estimator == "ULSMV" else 1.0 / np.diag(Gm) for s, Gm in zip(s_g, Gam)]

    m = CompiledModel(pt)
    pooled = sum(f * st.cor for f, st in zip(fg, stats_g))
    m.set_sample(SampleStats(ov, [st.cor for st in stats_g], [np.zeros(p)] * G, [int(n) for n in N_g],
                             labels))

    def sigma(x, g, jac=False):
        theta = x[:k]
        if jac:
            dSig, dmu, Sig, mu = m.jacobian(theta, g)
        else:
            Sig, mu = m.implied(theta, g)
        d = np.ones(p) if d_off[g] is None else x[d_off[g]:d_off[g] + p]
        tau = x[th_off[g]:th_off[g] + nth_g[g]]
        it = th_item[g]
        th = d[it] * (tau - mu[it])
        rho = d[rr] * d[cc] * Sig[rr, cc]
        s = np.concatenate([th, rho])
        if not jac:
            return s
        J = np.zeros((len(s), npar))
        nt = nth_g[g]
        J[:nt, :k] = -(d[it][None, :] * dmu[:, it]).T
        J[np.arange(nt), th_off[g] + np.arange(nt)] = d[it]
        J[nt:, :k] = (d[rr] * d[cc])[:, None] * dSig[:, rr, cc].T
        if d_off[g] is not None:
            J[np.arange(nt), d_off[g] + it] += tau - mu[it]
            pr = np.arange(len(rr))
            J[nt + pr, d_off[g] + rr] += d[cc] * Sig[rr, cc]
            J[nt + pr, d_off[g] + cc] += d[rr] * Sig[rr, cc]
        return s, J

    def objective(x):
        tot = 0.0
        for g in range(G):
            e = s_g[g] - sigma(x, g)
            tot += fe[g] * float(e @ (W_g[g] * e))
        return tot

    # start: structural values from the pooled polychorics, thresholds from the first group (or each
    # group's own), scale factors 1
    m0 = CompiledModel(pt)
    m0.set_sample(SampleStats(ov, [pooled] * G, [np.zeros(p)] * G, [int(n) for n in N_g], labels))
    x = np.zeros(npar)
    x[:k] = m0.start_values()
    for g in range(G):
        x[th_off[g]:th_off[g] + nth_g[g]] = s_g[g][:nth_g[g]]
    if eq_th:
        x[k:k + nth] = sum(f * s[:nth] for f, s in zip(fg, s_g))
        x[k + nth:] = 1.0
    F = objective(x)
    converged, it = False, 0
    for it in range(1, 500):
        g_vec = np.zeros(npar)
        H = np.zeros((npar, npar))
        for g in range(G):
            s, J = sigma(x, g, True)
            e = s_g[g] - s
            g_vec += fe[g] * J.T @ (W_g[g] * e)
            H += fe[g] * J.T @ (W_g[g][:, None] * J)
        try:
            step = np.linalg.solve(H, g_vec)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g_vec, rcond=None)[0]
        dec = float(g_vec @ step)
        if dec < 1e-22 or np.max(np.abs(g_vec)) < 1e-13:
            converged = True
            break
        alpha = 1.0
        while alpha > 1e-10:
            Fn = objective(x + alpha * step)
            if np.isfinite(Fn) and Fn <= F - 1e-4 * alpha * dec:
                break
            alpha *= 0.5
        else:
            converged = dec < 1e-14
            break
        x = x + alpha * step
        done = abs(F - Fn) < 1e-16 * max(1.0, F)
        F = Fn
        if done:
            converged = True
            break

    # ----- Jacobians, standard errors, tests
    D_g = []
    F_g = []
    for g in range(G):
        s, J = sigma(x, g, True)
        D_g.append(J)
        e = s_g[g] - s
        F_g.append(float(e @ (W_g[g] * e)))
    E = sum(f * J.T @ (w[:, None] * J) for f, J, w in zip(fg, D_g, W_g))
    Ei = np.linalg.inv(E)
    B = sum(f * (w[:, None] * J).T @ Gm @ (w[:, None] * J) for f, J, w, Gm in zip(fg, D_g, W_g, Gam))
    vcov = Ei @ B @ Ei / (N - G)
    T = float(sum((n - 1) * Fv for n, Fv in zip(N_g, F_g)))
    nstat = sum(len(s) for s in s_g)
    df = nstat - npar
    V = _bdiag([f * np.diag(w) for f, w in zip(fg, W_g)])
    Ga = _bdiag([Gm / f for f, Gm in zip(fg, Gam)])
    Dall = np.vstack(D_g)
    U = V - V @ Dall @ Ei @ Dall.T @ V
    UG = U @ Ga
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    pieces = []
    for g, st in enumerate(stats_g):
        nt = nth_g[g]
        rho = sigma(x, g)[nt:]
        Sig = np.eye(p)
        Sig[rr, cc] = Sig[cc, rr] = rho
        r_obs = s_g[g][nt:]
        w = W_g[g][nt:]
        Gc = Gam[g][nt:, nt:]
        UGb = w[:, None] * Gc
        pc = {"npar": 0, "F": F_g[g], "N": int(N_g[g]), "T": (N_g[g] - 1) * F_g[g], "df": 0,
              "Tb": (N_g[g] - 1) * float(r_obs @ (w * r_obs)), "dfb": len(rr), "tr1": 0.0, "tr2": 0.0,
              "tr1b": float(np.trace(UGb)), "tr2b": float(np.sum(UGb * UGb.T)),
              "srmr": math.sqrt(float(np.sum((r_obs - rho) ** 2)) / (p * (p + 1) / 2)),
              "T3": math.nan, "ks": math.nan, "T3b": math.nan, "kbs": float(np.trace(Gc))}
        if not eq_th:       # configural: the group's own parameters only, as the single-group catML pieces
            cs = sorted({r.free for r in pt.group_rows(g) if r.free >= 0})
            cols = cs + list(range(th_off[g], th_off[g] + nt))
            Jg = D_g[g][:, cols]
            Eig = np.linalg.inv(Jg.T @ (W_g[g][:, None] * Jg))
            pc.update(_catml_pieces(st, Sig, Jg[nt:, :len(cs)], W_g[g], Eig, Gam[g], nt, int(N_g[g]), len(cs)))
        pieces.append(pc)
    pieces[0].update({"npar": npar, "df": df, "tr1": tr1, "tr2": tr2})
    fm = ordinal_measures(pieces, estimator)
    if eq_th:
        fm.update({"cfi_robust": math.nan, "tli_robust": math.nan, "rmsea_robust": math.nan})
    fm["chisq_by_group"] = {lab: float((n - 1) * Fv) for lab, n, Fv in zip(labels, N_g, F_g)}

    # ----- the rows reported: structural rows per group, thresholds, scale factors
    rows = []
    for r in pt.rows:
        if r.op == "~1" and r.lhs in ov:
            rows.append((r.lhs, "~1", "", r.group, None, 0.0))
            continue
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in ov:
            d = np.ones(p) if d_off[r.group] is None else x[d_off[r.group]:d_off[r.group] + p]
            Sig, _ = m.implied(x[:k], r.group)
            j = ov.index(r.lhs)
            rows.append((r.lhs, "~~", r.rhs, r.group, None, 1.0 / d[j] ** 2 - Sig[j, j]))
            continue
        rows.append((r.lhs, r.op, r.rhs, r.group, r.free if r.free >= 0 else None, r.value))
    for g, st in enumerate(stats_g):
        for i, (v, t) in enumerate(st.th_names()):
            rows.append((v, "|", t, g, th_off[g] + i, None))
        for j, v in enumerate(ov):
            rows.append((v, "~*~", v, g, None if d_off[g] is None else d_off[g] + j, 1.0))
    res = OrdinalInvarianceFit(labels, estimator, group_equal, x, vcov, [], rows, fm, bool(converged), it, int(N),
                               npar, df, D_g, W_g, Gam, [int(n) for n in N_g], T, list(warns), pt, dict(miss))
    if not converged:
        res.warnings.append("the ordinal model did not converge: its estimates and tests are not reliable")
    return res


def _bdiag(blocks):
    n = sum(b.shape[0] for b in blocks)
    out = np.zeros((n, n))
    i = 0
    for b in blocks:
        out[i:i + b.shape[0], i:i + b.shape[0]] = b
        i += b.shape[0]
    return out


def satorra2000(h1: OrdinalInvarianceFit, h0: OrdinalInvarianceFit) -> dict:
    """lavaan's scaled-shifted difference test of nested ordinal models (lav_test_diff_Satorra2000, A.method
    "delta", scaled.shifted = TRUE): h1 the less constrained model (the configural), h0 the constrained."""
    from scipy.linalg import null_space
    from scipy.stats import chi2

    m = h0.df - h1.df
    T0, T1 = h0.T, h1.T
    if m <= 0:
        return {"chisq_diff": T0 - T1, "df_diff": m, "pvalue": math.nan, "a": math.nan, "b": math.nan}
    fg = np.array(h1.nobs, float) / sum(h1.nobs)
    D1 = np.vstack(h1.D)
    D0 = np.vstack(h0.D)
    Hm = np.linalg.pinv(D1) @ D0
    A = null_space(Hm.T).T                    # rows: a basis of the orthogonal complement of H's columns
    P = sum(f * J.T @ (w[:, None] * J) for f, J, w in zip(fg, h1.D, h1.W))
    Pi = np.linalg.inv(P)
    APA = A @ Pi @ A.T
    M = Pi @ A.T @ np.linalg.pinv(APA) @ A @ Pi
    tr1 = 0.0
    for f, J, w, Gm in zip(fg, h1.D, h1.W, h1.Gamma):
        WJ = w[:, None] * J
        tr1 += f * float(np.sum((Gm @ WJ) * (WJ @ M)))        # tr(W G W J M J')
    V = _bdiag([np.diag(w) for w in h1.W])
    Ga = _bdiag([f * Gm for f, Gm in zip(fg, h1.Gamma)])
    UGall = V @ D1 @ M @ D1.T @ V @ Ga
    tr2 = float(np.sum(UGall * UGall.T))
    a = math.sqrt(m / tr2)
    b = m - a * tr1
    Td = (T0 - T1) * a + b
    return {"chisq_diff": float(Td), "df_diff": int(m), "pvalue": float(chi2.sf(Td, m)), "a": a, "b": b,
            "trace_ugamma": tr1, "trace_ugamma2": tr2, "chisq_diff_unscaled": float(T0 - T1)}
