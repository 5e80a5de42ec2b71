"""``PlsResult``: what ``analyze_pls`` returns (JSON, tables, methods, warnings)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxstats import thresholds as cut


def _f(x):
    x = float(x)
    return None if not np.isfinite(x) else x


@dataclass
class PlsResult:
    model: object
    layout: object
    fit: object
    n: int
    n_total: int
    scheme: str
    consistent: bool
    missing: str
    missing_note: str
    max_iter: int
    tol: float
    zcor: np.ndarray
    ipma: dict
    bootstrap: dict | None
    ci: str
    ci_level: float
    seed: object
    predict: dict | None = None
    groups: dict | None = None
    warnings: list = field(default_factory=list)
    row_index: list = field(default_factory=list)
    model_source: str = "given"

    # ------------------------------------------------------------------ derived quantities
    @property
    def constructs(self) -> list[str]:
        return self.layout.constructs

    def _boot(self) -> dict:
        """(kind, lhs, op, rhs) -> bootstrap columns."""
        b = self.bootstrap
        if not b:
            return {}
        lo, hi = (b["pct_lower"], b["pct_upper"]) if self.ci == "percentile" else (b["bca_lower"], b["bca_upper"])
        out = {}
        for i, key in enumerate(b["labels"]):
            se = b["se"][i]
            out[key] = {"se": _f(se), "t": _f(b["est"][i] / se) if se > 0 else None,
                        "ci_lower": _f(lo[i]), "ci_upper": _f(hi[i]),
                        "pct_lower": _f(b["pct_lower"][i]), "pct_upper": _f(b["pct_upper"][i]),
                        "bca_lower": _f(b["bca_lower"][i]), "bca_upper": _f(b["bca_upper"][i])}
        return out

    def reliability(self) -> list[dict]:
        from cxstats.stats.pls.quality import reliability

        return reliability(self.layout, self.fit, self.zcor)

    def htmt(self) -> np.ndarray:
        from cxstats.stats.pls.quality import htmt_matrix

        return htmt_matrix(self.layout.blocks, self.zcor)

    def f_squared(self) -> dict:
        from cxstats.stats.pls.quality import f_squared

        return f_squared(self.layout, self.fit.construct_cor, self.fit.r2)

    def path_rows(self) -> list[dict]:
        lay, b = self.layout, self._boot()
        f2 = self.f_squared()
        rows = []
        for i, j in zip(*np.nonzero(lay.adjacency)):
            key = ("path", lay.constructs[j], "~", lay.constructs[i])
            rows.append({"lhs": key[1], "op": "~", "rhs": key[3], "est": _f(self.fit.paths[i, j]),
                         **b.get(key, {}), "f2": _f(f2[(i, j)])})
        return rows

    def outer_rows(self, kind: str) -> list[dict]:
        lay, b = self.layout, self._boot()
        values = self.fit.loadings if kind == "loading" else self.fit.weights
        op = "=~" if kind == "loading" else "<~"
        rows = []
        for i, j in zip(*np.nonzero(lay.mask)):
            key = (kind, lay.constructs[j], op, lay.indicators[i])
            rows.append({"lhs": key[1], "op": op, "rhs": key[3], "est": _f(values[i, j]), **b.get(key, {})})
        return rows

    def effect_rows(self) -> list[dict]:
        from cxstats.stats.pls.estimate import total_effects

        lay, b = self.layout, self._boot()
        t = total_effects(self.fit.paths)
        reach = total_effects(lay.adjacency) > 0
        rows = []
        for i, j in zip(*np.nonzero(reach)):
            lhs, rhs = lay.constructs[j], lay.constructs[i]
            row = {"lhs": lhs, "op": "~", "rhs": rhs, "direct": _f(self.fit.paths[i, j]),
                   "indirect": _f(t[i, j] - self.fit.paths[i, j]), "total": _f(t[i, j])}
            for kind in ("total", "indirect"):
                for col, v in b.get((kind, lhs, "~", rhs), {}).items():
                    if col in ("se", "t", "ci_lower", "ci_upper"):
                        row[f"{kind}_{col}"] = v
            rows.append(row)
        return rows

    def r2_rows(self) -> list[dict]:
        rows = []
        for j, c in enumerate(self.constructs):
            if np.isnan(self.fit.r2[j]):
                continue
            k = int(self.layout.adjacency[:, j].sum())
            r2 = self.fit.r2[j]
            rows.append({"construct": c, "r2": _f(r2), "adj_r2": _f(1 - (1 - r2) * (self.n - 1) / (self.n - k - 1)),
                         "predictors": k})
        return rows

    def htmt_rows(self) -> list[dict]:
        h = self.htmt()
        b = self._boot()
        ub = {}
        if self.bootstrap:
            for i, key in enumerate(self.bootstrap["labels"]):
                if key[0] == "htmt":
                    ub[(key[1], key[3])] = _f(self.bootstrap["upper_one_sided"][i])
        rows = []
        c = self.constructs
        for i in range(len(c)):
            for j in range(i + 1, len(c)):
                if not np.isfinite(h[i, j]):
                    continue
                row = {"construct_1": c[i], "construct_2": c[j], "htmt": _f(h[i, j])}
                if self.bootstrap:
                    u = ub.get((c[i], c[j]))
                    row.update({"se": b.get(("htmt", c[i], "htmt", c[j]), {}).get("se"), "upper": u,
                                "below_085": None if u is None else bool(u < cut.HTMT_MAX),
                                "below_090": None if u is None else bool(u < cut.HTMT_LIBERAL)})
                rows.append(row)
        return rows

    def cross_loadings(self) -> pd.DataFrame:
        cl = self._indicator_score_cor()
        df = pd.DataFrame(cl, columns=self.constructs)
        df.insert(0, "indicator", self.layout.indicators)
        return df

    def _indicator_score_cor(self):
        # zcor = Z'Z/(n-1) and scores = Z W: cor(Z, scores) = zcor W / sd(scores)
        w = self.fit.weights
        cov = self.zcor @ w
        sd = np.sqrt(np.einsum("ij,ij->j", w, self.zcor @ w))
        return cov / sd

    def fornell_larcker(self) -> pd.DataFrame:
        rel = {r["construct"]: r["AVE"] for r in self.reliability()}
        c = self.constructs
        m = self.fit.score_cor.copy()
        for j, name in enumerate(c):
            m[j, j] = np.sqrt(rel[name])
        m[np.triu_indices(len(c), 1)] = np.nan
        df = pd.DataFrame(m, columns=c)
        df.insert(0, "construct", c)
        return df

    def fornell_larcker_rows(self) -> list[dict]:
        rel = {r["construct"]: r["AVE"] for r in self.reliability()}
        c = self.constructs
        rows = []
        for i in range(len(c)):
            for j in range(i + 1, len(c)):
                r = float(self.fit.score_cor[i, j])
                ok = bool(abs(r) < min(np.sqrt(rel[c[i]]), np.sqrt(rel[c[j]])))
                rows.append({"construct_1": c[i], "construct_2": c[j], "correlation": r,
                             "sqrt_ave_1": float(np.sqrt(rel[c[i]])), "sqrt_ave_2": float(np.sqrt(rel[c[j]])),
                             "supported": ok})
        return rows

    def vif_rows(self) -> tuple[list, list]:
        from cxstats.stats.pls.quality import vif_inner, vif_outer

        return vif_outer(self.layout, self.zcor), vif_inner(self.layout, self.fit.construct_cor)

    def scores_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.fit.scores, columns=self.constructs)
        df.insert(0, "row", [int(i) + 1 if isinstance(i, (int, np.integer)) else str(i) for i in self.row_index])
        return df

    def importance(self) -> dict:
        """construct -> IPMA importance: the gain in the target (0-100) per point of performance
        (an importance source for a roadmap: the unstandardized total effect)."""
        return {r["construct"]: r["importance"] for r in self.ipma["constructs"]}

    # ------------------------------------------------------------------ warnings
    def quality_warnings(self) -> list[str]:
        out = []
        lay = self.layout
        cc = self.fit.construct_cor
        off = np.abs(cc - np.eye(len(cc)))
        if self.consistent and lay.corrected.any() and off.max() > 1:
            i, j = np.unravel_index(np.argmax(off), off.shape)
            out.append(f"PLSc is inadmissible: the disattenuated correlation of {lay.constructs[i]} and "
                       f"{lay.constructs[j]} is {cc[i, j]:.3f} (beyond ±1; a rho_A too low for the correlation of "
                       f"the scores): do not interpret the paths; estimate with consistent=False or revise the "
                       f"measurement")
        for r in self.reliability():
            j = lay.constructs.index(r["construct"])
            if lay.mode_b[j] or len(lay.blocks[j]) < 2:
                continue
            if r["rhoC"] < cut.CR_MIN:
                out.append(f"{r['construct']}: composite reliability rhoC = {r['rhoC']:.3f} below {cut.CR_MIN:.2f} "
                           f"(Hair et al. 2019)")
            if r["AVE"] < cut.AVE_MIN:
                out.append(f"{r['construct']}: AVE = {r['AVE']:.3f} below {cut.AVE_MIN:.2f}: the construct explains "
                           f"less than half of its indicators' variance (Fornell & Larcker 1981)")
        weak = [row["rhs"] for row in self.outer_rows("loading")
                if not lay.mode_b[lay.constructs.index(row["lhs"])] and abs(row["est"]) < cut.PLS_LOADING_MIN
                and len(self.model.blocks[row["lhs"]]) > 1]
        if weak:
            out.append(f"loadings below {cut.PLS_LOADING_MIN} (indicator reliability below .50, Hair et al. 2019): "
                       f"{', '.join(weak)}")
        for r in self.htmt_rows():
            if r["htmt"] > cut.HTMT_LIBERAL:
                out.append(f"HTMT {r['construct_1']}-{r['construct_2']} = {r['htmt']:.3f} above "
                           f"{cut.HTMT_LIBERAL:.2f}: discriminant validity not established (Henseler et al. 2015)")
        outer, inner = self.vif_rows()
        for r in outer:
            if lay.mode_b[lay.constructs.index(r["construct"])] and r["vif"] > cut.VIF_MAX:
                out.append(f"{r['construct']}: formative indicator {r['indicator']} has VIF {r['vif']:.2f} above "
                           f"{cut.VIF_MAX:g} (collinearity; Hair et al. 2019)")
        for r in inner:
            if r["vif"] > cut.VIF_MAX:
                out.append(f"{r['lhs']} ~ {r['rhs']}: VIF {r['vif']:.2f} above {cut.VIF_MAX:g} (collinear "
                           f"antecedents; Hair et al. 2019)")
        return out

    # ------------------------------------------------------------------ protocol
    def estimation(self) -> dict:
        return {"algorithm": "PLSc (consistent PLS, Dijkstra & Henseler 2015) for reflective constructs"
                if self.consistent and self.layout.corrected.any() else "PLS (Lohmöller), no consistency correction",
                "scheme": self.scheme, "consistent": self.consistent, "max_iter": self.max_iter,
                "stop_criterion": self.tol, "stop_rule": "sum of absolute changes of the outer weights < stop_criterion",
                "iterations": self.fit.iterations, "converged": self.fit.converged,
                "weight_change": self.fit.weight_change,
                "missing": self.missing, "missing_note": self.missing_note, "n": self.n, "n_rows": self.n_total,
                "indicators": "standardized (mean 0, SD with n - 1)"}

    def ipma_rows(self) -> list[dict]:
        """The IPMA constructs with the bootstrap SE and interval of each importance."""
        b = self._boot()
        out = []
        for r in self.ipma["constructs"]:
            row = dict(r)
            got = b.get(("importance", self.ipma["target"], "ipma", r["construct"]))
            if got:
                row.update({"importance_se": got["se"], "importance_lower": got["ci_lower"],
                            "importance_upper": got["ci_upper"]})
            out.append(row)
        return out

    def roi_slopes(self, loyalty: str, constructs: list[str], ranges: dict | None = None) -> dict | None:
        """An importance source for the ROI chain: ``{construct: (slope, se)}``, the change of the
        ``loyalty`` answer per one-point rise of every item of the construct, from the IPMA
        importance (unstandardized total effect) rescaled from 0-100 to the answer scales:
        ``importance · (range of loyalty) / (range of the construct's items)``. Only when the IPMA
        target is the single-item construct measured by ``loyalty``, every construct of ``constructs``
        reaches it, and a construct's items share one scale range; None otherwise. ``se``: the
        bootstrap SE (None without a bootstrap)."""
        target = self.ipma["target"]
        if self.model.blocks.get(target) != [loyalty]:
            return None
        imp = {r["construct"]: r for r in self.ipma_rows()}
        lo = dict(zip(self.layout.indicators, self.ipma["scale_min"]))
        hi = dict(zip(self.layout.indicators, self.ipma["scale_max"]))
        out = {}
        for c in constructs:
            if c not in imp:
                return None
            items = self.model.blocks[c]
            spans = {hi[i] - lo[i] for i in items}
            if len(spans) != 1:
                return None
            k = (hi[loyalty] - lo[loyalty]) / spans.pop()
            se = imp[c].get("importance_se")
            out[c] = (imp[c]["importance"] * k, None if se is None else se * k)
        return out

    def ipma_dict(self) -> dict:
        ip = self.ipma
        return {"target": ip["target"], "importance_mean": _f(ip["importance_mean"]),
                "performance_mean": _f(ip["performance_mean"]), "target_performance": _f(ip["target_performance"]),
                "scale_source": ip["scale_source"],
                "rows": [{k: (_f(v) if isinstance(v, float) else v) for k, v in r.items()} for r in self.ipma_rows()],
                "indicators": [{k: (_f(v) if isinstance(v, float) else v) for k, v in r.items()}
                               for r in ip["indicators"]]}

    def to_dict(self) -> dict:
        outer, inner = self.vif_rows()
        b = self.bootstrap
        boot = None
        if b:
            boot = {"replicates": b["replicates"], "valid": b["valid"], "failed": b["failed"],
                    "ci": self.ci, "ci_level": b["ci_level"], "seed": b["seed"],
                    "jackknife_groups": b["jackknife_groups"]}
        cl = self.cross_loadings()
        return {
            "analysis": "pls", "n": self.n, "model_source": self.model_source,
            "model": self.model.to_dict(), "model_syntax": self.model.syntax,
            "estimation": self.estimation(),
            "paths": self.path_rows(), "loadings": self.outer_rows("loading"), "weights": self.outer_rows("weight"),
            "effects": self.effect_rows(), "r2": self.r2_rows(),
            "reliability": [{k: (_f(v) if k != "construct" else v) for k, v in r.items()} for r in self.reliability()],
            "htmt": self.htmt_rows(), "fornell_larcker": self.fornell_larcker_rows(),
            "cross_loadings": [{"indicator": row[0], **{c: _f(v) for c, v in zip(self.constructs, row[1:])}}
                               for row in cl.itertuples(index=False)],
            "vif_outer": outer, "vif_inner": inner,
            "ipma": self.ipma_dict(), "bootstrap": boot, "predict": self.predict, "groups": self.groups,
            "scores": {"constructs": self.constructs,
                       "rows": [[_f(v) for v in r] for r in np.round(self.fit.scores, 10)]},
            "warnings": list(self.warnings),
        }

    def tables(self) -> dict:
        outer, inner = self.vif_rows()
        t = {
            "Model": pd.DataFrame([{"item": k, "value": str(v)} for k, v in self.estimation().items()]),
            "Paths": pd.DataFrame(self.path_rows()),
            "R2": pd.DataFrame(self.r2_rows()),
            "Effects": pd.DataFrame(self.effect_rows()),
            "Loadings": pd.DataFrame(self.outer_rows("loading")),
            "Weights": pd.DataFrame(self.outer_rows("weight")),
            "Reliability": pd.DataFrame(self.reliability()),
            "HTMT": pd.DataFrame(self.htmt_rows()),
            "Fornell-Larcker": self.fornell_larcker(),
            "Cross-loadings": self.cross_loadings(),
            "VIF indicators": pd.DataFrame(outer),
            "VIF constructs": pd.DataFrame(inner),
            "IPMA": pd.DataFrame(self.ipma_rows()),
            "IPMA indicators": pd.DataFrame(self.ipma["indicators"]),
            "PLSpredict": pd.DataFrame(self.predict["rows"] if self.predict else []),
            "MICOM": pd.DataFrame(self.groups["micom"] if self.groups else []),
            "MGA": pd.DataFrame(self.groups["mga"] if self.groups else []),
        }
        return {k: v for k, v in t.items() if len(v)}

    def methods(self) -> list[tuple[str, str]]:
        out = [
            ("PLS-SEM", "Partial least squares path modelling as seminr's estimate_pls (Lohmöller 1989): standardized "
                        "indicators, outer weights from 1, inner weighting scheme "
                        f"'{self.scheme}' (path: regressions on antecedents and correlations with successors; "
                        "factorial: correlations; centroid: their signs), mode A weights = correlations of the "
                        "indicators with the inner proxy, mode B = its regression on them; stop when the summed "
                        f"absolute weight change < {self.tol:g}, at most {self.max_iter} + 1 iterations. Paths: OLS "
                        "on the construct-score correlations. Checked against seminr's fixtures (1e-5)."),
            ("Consistent PLS", "Reflective constructs (=~) with two or more indicators are corrected as seminr's "
                               "PLSc (Dijkstra & Henseler 2015): rho_A = (w'w)² w'(S - diag S)w / w'(ww' - diag ww')w; "
                               "construct correlations divided by sqrt(rho_A,i rho_A,j); paths and R² from those; "
                               "loadings w sqrt(rho_A)/(w'w). Composites (<~, or =~ with consistent off) and single "
                               "items are not corrected." if self.consistent else
                               "Not applied (consistent=False): =~ constructs are mode A composites (classic PLS)."),
            ("Missing values", self.missing_note + (" (seminr mean_replacement)" if self.missing == "mean" else "")),
            ("Quality criteria", "alpha on indicator correlations; rhoC = (Σλ)²/((Σλ)²+Σ(1-λ²)); AVE = mean λ²; "
                                 "HTMT (Henseler, Ringle & Sarstedt 2015) from absolute indicator correlations; "
                                 "Fornell-Larcker with construct-score correlations; VIF = diag of the inverse "
                                 "correlation matrix; f² = (R²_in - R²_out)/(1 - R²_in) from the construct correlations (as SmartPLS, "
                                 "without re-estimating the model; seminr's fSquared re-estimates it without the path). "
                                 "Thresholds: loadings "
                                 f"{cut.PLS_LOADING_MIN}, rhoC {cut.CR_MIN}, AVE {cut.AVE_MIN}, HTMT "
                                 f"{cut.HTMT_MAX}/{cut.HTMT_LIBERAL}, VIF {cut.VIF_MAX:g} (Hair et al. 2019)."),
            ("IPMA", "Importance-performance map (Ringle & Sarstedt 2016, as SmartPLS): indicators rescaled to 0-100 "
                     f"({self.ipma['scale_source']}); unstandardized outer weights w/sd rescaled to sum 1; "
                     "performance = mean rescaled construct score; importance = unstandardized total effect on "
                     f"{self.ipma['target']} (points of the target per point of performance). Quadrant lines at the "
                     "mean importance and mean performance."),
        ]
        if self.predict:
            out.append(("PLSpredict", f"Shmueli et al. (2016, 2019): {self.predict['folds']}-fold cross-validation "
                                      f"repeated {self.predict['repetitions']} times; held-out indicators of the "
                                      "endogenous constructs predicted from the exogenous constructs' indicators "
                                      "(earliest antecedents) with the training weights, total effects and loadings; "
                                      "Q²predict = 1 - SSE/SSE of the training mean; LM benchmark: OLS of each "
                                      "indicator on all exogenous indicators."))
        if self.groups:
            out.append(("MICOM and MGA", f"Henseler, Ringle & Sarstedt (2016) steps 2-3 and permutation MGA (Chin & "
                                         f"Dibbern 2010) between {self.groups['groups'][0]} and "
                                         f"{self.groups['groups'][1]}, {self.groups['permutations']} permutations of "
                                         "the group labels: compositional invariance when c >= its permutation 5% "
                                         "quantile; equal means / log variances within the 2.5%-97.5% range; a path "
                                         "difference's p = share of permutations at least as large."))
        if self.bootstrap:
            b = self.bootstrap
            out.append(("Bootstrap", f"{b['replicates']} resamples of rows (seed {b['seed']}), the model re-estimated "
                                     f"in each (from unit weights). se = SD of the replicates; t = est / se; "
                                     f"{b['ci_level']:.0%} percentile and BCa intervals (Efron 1987; acceleration "
                                     f"from a jackknife of {b['jackknife_groups']} groups); ci_lower/ci_upper are the "
                                     f"{self.ci} limits. HTMT is judged by its one-sided {b['ci_level']:.0%} upper "
                                     f"bound against .85 and .90 (Henseler et al. 2015)."))
        return out
