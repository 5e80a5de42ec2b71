"""The result of a key-driver analysis: JSON, tables and methods notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxstats.stats.drivers.measures import RANK_ABSOLUTE, ranks

MEASURES = ("lmg", "relative_weight", "pratt", "std_beta")


def _f(v):
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


@dataclass
class DriversResult:
    outcome: str
    outcome_type: str
    drivers: list
    n: int
    n_dropped: int
    binary_threshold: float | None
    vif: np.ndarray
    condition_number: float
    zero_order_r: np.ndarray
    warnings: list = field(default_factory=list)
    model: dict = field(default_factory=dict)
    ols: dict = field(default_factory=dict)
    std_beta: np.ndarray | None = None
    lmg: np.ndarray | None = None
    relative_weight: np.ndarray | None = None
    pratt: np.ndarray | None = None
    conditional_dominance: np.ndarray | None = None
    complete_dominance: np.ndarray | None = None
    r2_subsets_full: float | None = None
    bootstrap: object = None
    ipa: dict | None = None
    penalty_reward: dict | None = None
    weight: str | None = None          # the survey-weight column, when weighted
    n_eff: float | None = None         # Kish's effective n of the rows used (weighted)
    _boot_cache: dict | None = None

    # -- helpers -------------------------------------------------------------
    @property
    def r2(self) -> float:
        return self.model["r2"]

    def importance_name(self) -> str:
        return "lmg" if self.lmg is not None else "relative_weight"

    def importance_share(self) -> np.ndarray:
        v = self.lmg if self.lmg is not None else self.relative_weight
        return v / v.sum()

    def measures(self) -> dict:
        return {m: getattr(self, m) for m in MEASURES if getattr(self, m) is not None}

    def _boot(self):
        if self.bootstrap is None:
            return None
        if self._boot_cache is None:
            self._boot_cache = self.bootstrap.to_dict()
        return self._boot_cache

    # -- JSON ------------------------------------------------------------------
    def driver_rows(self) -> list[dict]:
        rows = []
        meas = self.measures()
        rk = {m: ranks(v, absolute=RANK_ABSOLUTE[m]) for m, v in meas.items()}
        r2 = self.model["r2"]
        for j, d in enumerate(self.drivers):
            row = {"driver": d, "b": _f(self.ols["b"][j + 1])}
            if self.outcome_type == "continuous":
                row.update(se=_f(self.ols["se"][j + 1]), t=_f(self.ols["t"][j + 1]),
                           pvalue=_f(self.ols["pvalue"][j + 1]), se_hc3=_f(self.ols["se_hc3"][j + 1]),
                           t_hc3=_f(self.ols["t_hc3"][j + 1]), pvalue_hc3=_f(self.ols["pvalue_hc3"][j + 1]))
            else:
                row.update(se=_f(self.ols["se"][j + 1]), z=_f(self.ols["t"][j + 1]),
                           pvalue=_f(self.ols["pvalue"][j + 1]), se_hc3=None,
                           se_hc0=_f(self.ols["se_hc0"][j + 1]))
            row.update(std_beta=_f(self.std_beta[j]), r=_f(self.zero_order_r[j]),
                       lmg=_f(self.lmg[j]) if self.lmg is not None else None,
                       lmg_share=_f(self.lmg[j] / r2) if self.lmg is not None else None,
                       relative_weight=_f(self.relative_weight[j]),
                       rw_share=_f(self.relative_weight[j] / self.relative_weight.sum()),
                       pratt=_f(self.pratt[j]) if self.pratt is not None else None,
                       vif=_f(self.vif[j]))
            for m in MEASURES:
                row[f"rank_{m}"] = int(rk[m][j]) if m in rk else None
            rows.append(row)
        return rows

    def to_dict(self) -> dict:
        out = {"outcome": self.outcome, "outcome_type": self.outcome_type,
               "binary_threshold": self.binary_threshold, "r2": _f(self.model["r2"]), "n": self.n,
               "n_dropped": self.n_dropped, "p": len(self.drivers)}
        if self.weight:
            out["weight"] = self.weight
            out["n_eff"] = _f(self.n_eff)
        out.update({k: v for k, v in self.model.items() if k != "r2"})
        out["condition_number"] = _f(self.condition_number)
        out["importance"] = self.importance_name()
        out["intercept"] = {"b": _f(self.ols["b"][0]), "se": _f(self.ols["se"][0]),
                            "se_hc3": _f(self.ols["se_hc3"][0]) if "se_hc3" in self.ols else None}
        out["drivers"] = self.driver_rows()
        if self.conditional_dominance is not None:
            cd = self.conditional_dominance
            comp = self.complete_dominance
            out["dominance"] = {
                "general": {d: _f(self.lmg[j]) for j, d in enumerate(self.drivers)},
                "conditional": {d: {f"k{k}": _f(cd[j, k]) for k in range(cd.shape[1])}
                                for j, d in enumerate(self.drivers)},
                "complete": None if comp is None else {
                    d: {e: (None if i == j else int(comp[i, j])) for j, e in enumerate(self.drivers)}
                    for i, d in enumerate(self.drivers)},
            }
        else:
            out["dominance"] = None
        out["bootstrap"] = self._boot()
        out["ipa"] = self.ipa
        out["penalty_reward"] = self.penalty_reward
        out["warnings"] = list(self.warnings)
        return out

    # -- tables ----------------------------------------------------------------
    def importance_table(self):
        import pandas as pd

        cols = ["driver", "b", "se", "se_hc3", "pvalue_hc3", "std_beta", "r", "lmg", "lmg_share",
                "relative_weight", "rw_share", "pratt", "vif", "rank_lmg", "rank_relative_weight"]
        df = pd.DataFrame(self.driver_rows())
        if self.outcome_type == "binary":
            cols = ["driver", "b", "se", "se_hc0", "pvalue", "std_beta", "r", "relative_weight",
                    "rw_share", "vif", "rank_relative_weight"]
        return df[cols]

    def tables(self) -> dict:
        import pandas as pd

        t = {"Importance": self.importance_table()}
        model = {"outcome": self.outcome, "outcome_type": self.outcome_type, "n": self.n,
                 **({"weight": self.weight, "n_eff": self.n_eff} if self.weight else {}),
                 "n_dropped": self.n_dropped, **self.model, "condition_number": self.condition_number}
        t["Model"] = pd.DataFrame({"statistic": list(model), "value": [str(v) if isinstance(v, str)
                                                                        else v for v in model.values()]})
        if self.conditional_dominance is not None:
            cd = pd.DataFrame(self.conditional_dominance,
                              columns=[f"k{k}" for k in range(len(self.drivers))])
            cd.insert(0, "driver", self.drivers)
            cd["general"] = self.lmg
            t["Dominance"] = cd
            if self.complete_dominance is not None:
                comp = pd.DataFrame(self.complete_dominance, columns=self.drivers)
                comp.insert(0, "dominates", self.drivers)
                t["Complete dominance"] = comp
        boot = self._boot()
        if boot:
            rows = []
            for m, lst in boot["intervals"].items():
                rk = {r["driver"]: r for r in boot["ranks"][m]}
                for r in lst:
                    q = rk[r["driver"]]
                    rows.append({"measure": m, **r, "rank": q["rank"], "rank_lower": q["pct_lower"],
                                 "rank_upper": q["pct_upper"], "top_rank_share": q["top_rank_share"]})
            t["Bootstrap"] = pd.DataFrame(rows)
        if self.ipa:
            t["IPA"] = pd.DataFrame(self.ipa["rows"])
        if self.penalty_reward:
            t["Penalty-reward"] = pd.DataFrame(self.penalty_reward["rows"])[
                ["driver", "n_low", "n_middle", "n_high", "penalty", "penalty_lower", "penalty_upper",
                 "penalty_pvalue", "reward", "reward_lower", "reward_upper", "reward_pvalue", "category"]]
        return t

    # -- methods -----------------------------------------------------------------
    def methods(self) -> list[tuple[str, str]]:
        m = []
        if self.weight:
            from cxstats.stats.weights import WEIGHT_METHODS

            m += [WEIGHT_METHODS, ("Weighted drivers",
                  f"Weighted by {self.weight}: weighted least squares (statsmodels WLS; HC3 SEs of the WLS fit, "
                  "i.e. of the rows scaled by sqrt(w)); R², LMG, dominance, relative weights, Pratt and VIF from "
                  "the weighted correlation matrix of the drivers and the outcome (the WLS R² is the R² of that "
                  "matrix); standardized betas with weighted SDs; IPA performance as weighted means or shares. "
                  "Not computed with weights: bootstrap intervals, penalty-reward, binary (logit) outcomes. "
                  f"Kish's effective n = {self.n_eff:.1f} of n = {self.n}.")]
        if self.outcome_type == "continuous":
            m += [
                ("Regression", "OLS with an intercept on complete rows (listwise deletion). SE: classical "
                 "and HC3 = (X'X)⁻¹X' diag(e²/(1-h)²) X(X'X)⁻¹ (MacKinnon & White 1985; as "
                 "sandwich::vcovHC type 'HC3'); HC3 p-values from t with n-p-1 df."),
                ("Standardized beta", "b · sd(x)/sd(y) (sample SDs); ranked by absolute value."),
                ("LMG (Shapley value of R²)", "LMG_j = Σ_{S⊆P\\{j}} |S|!(p-|S|-1)!/p! · (R²(S∪j) − R²(S)) "
                 "(Lindeman, Merenda & Gold 1980; Grömping 2006, relaimpo). Exact: the R² of all 2^p "
                 "subsets comes from the correlation matrix alone, R²(S) = 1 − v(y|S) where v is a Schur "
                 "complement, computed for every subset by a batched sweep down the subset tree (one "
                 "pivot per step); no data are refitted. Sums to the full R². lmg_share = LMG/R²."),
                ("Dominance analysis", "Azen & Budescu (2003). Conditional dominance k: mean increment "
                 "R²(S∪j) − R²(S) over subsets of size k; general dominance = mean of the conditional "
                 "values = LMG; complete dominance of i over j: R²(S∪i) > R²(S∪j) for every S holding "
                 f"neither (computed up to {20} drivers by default)."),
                ("Relative weights", "Johnson (2000): Rxx = V diag(l) V', Λ = V diag(√l) V', "
                 "β_Z = Λ⁻¹ r_xy, ε_j = Σ_k Λ_jk² β_Zk²; sums to R². rw_share = ε_j / R²."),
                ("Pratt", "Pratt (1987): β_std,j · r(x_j, y); sums to R²; negative values flag "
                 "suppression and are not importances."),
            ]
        else:
            thr = "" if self.binary_threshold is None else f" (outcome = 1 when the answer is ≥ {self.binary_threshold:g})"
            m += [
                ("Logistic regression", f"Binary outcome{thr}: maximum-likelihood logit; SE from the "
                 "information matrix and a robust sandwich SE (HC0; leverage-corrected HC3 is "
                 "defined for OLS only)."),
                ("Relative weights (logit)", "Tonidandel & LeBreton (2010, Organizational Research Methods "
                 "13, 767-781): regress the outcome on Z, the orthonormal approximation of the "
                 "standardized drivers (Z = X_std Λ⁻¹), with a logit; standardize its slopes as Menard "
                 "(2004): β*_k = b_k · sd(Z_k) · R / sd(logit ŷ), R = corr(y, fitted probability); "
                 "ε_j = Σ_k Λ_jk² β*_k², which sums to R²_O = corr(y, fitted probability)². LMG of "
                 "McFadden's R² would need 2^p logistic refits; it is not computed."),
                ("Standardized beta (logit)", "Menard's fully standardized coefficient b · sd(x) · R / "
                 "sd(logit ŷ)."),
            ]
        m.append(("Collinearity", "VIF_j = (Rxx⁻¹)_jj, warned above 5 (moderate) and 10 (severe); "
                  "condition number √(λmax/λmin) of the driver correlation matrix, warned above 30 "
                  "(Belsley, Kuh & Welsch 1980). Exactly collinear drivers are refused."))
        if self.bootstrap is not None and getattr(self.bootstrap, "resampling", "row") == "poisson":
            b = self.bootstrap
            m.append(("Bootstrap intervals", f"{b.replicates} Poisson bootstrap replicates (seed {b.seed}): "
                      "each complete row counts w times, w a Poisson(1) draw fixed by the seed, the "
                      "respondent type and id (the same replicates on pandas, DuckDB and Spark; one pass "
                      "over the data for all of them); every measure from the replicate's weighted "
                      f"correlation matrix. {b.ci_level:.0%} percentile and BCa intervals (Efron & "
                      "Tibshirani 1993, ch. 14), the acceleration from a delete-a-group jackknife over "
                      f"{b.jackknife_groups} groups of rows (respondent-id hash mod 1,000). Ranks get "
                      "percentile intervals and top_rank_share; IPA performance intervals from the same "
                      "replicates."))
        elif self.bootstrap is not None:
            b = self.bootstrap
            m.append(("Bootstrap intervals", f"{b.replicates} resamples of rows (seed {b.seed}); "
                      f"{b.ci_level:.0%} percentile and BCa intervals (Efron & Tibshirani 1993, ch. 14): "
                      "bias correction from the share of replicates below the estimate, acceleration "
                      f"from a jackknife ({b.jackknife_groups} leave-out groups; one row per group when n "
                      "is at most 1,000). Ranks (1 = most important) get percentile intervals and "
                      "top_rank_share, the share of replicates in which the driver ranks first."))
        if self.ipa:
            m.append(("Importance-performance", "Martilla & James (1977). Importance = "
                      f"{self.ipa['importance']}; performance = {self.ipa['performance']} (mean score; "
                      "top2 = share answering in the two highest boxes; gap = mean − aspiration). "
                      f"Rule: {self.ipa['rule']}. Quadrants: Concentrate here (important, low), Keep up "
                      "the good work (important, high), Low priority, Possible overkill."))
        if self.penalty_reward:
            pr = self.penalty_reward
            m.append(("Penalty-reward", f"Each driver coded low (bottom {pr['low_boxes']} box(es)) and "
                      f"high (top {pr['high_boxes']} box(es)) against the middle ({pr['scale']}); outcome "
                      "regressed on all dummies by OLS (HC3 SEs). Penalty = coefficient of low, reward = "
                      "coefficient of high (Brandt 1987; Conklin, Powaga & Lipovetsky 2004). Category: "
                      f"{pr['rule']}. Limits: box cut-offs are a convention and change the result; dummy coding discards "
                      "within-box information; correlated drivers make the coefficients unstable (as "
                      "betas); sparse boxes give wide errors; asymmetry found this way is descriptive, "
                      "not a causal test of Kano categories."))
        return m
