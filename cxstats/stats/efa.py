"""Exploratory factor analysis as psych::fa does it, with KMO, Bartlett and parallel analysis.

Pure computations: a DataFrame of item scores in, an :class:`EfaResult` out
(:func:`analyze_efa`).

* Correlations: ``cor(x, use = "pairwise")`` (psych's default) or complete rows.
* Extraction: ``minres`` (psych: least squares on the off-diagonal residuals over the
  uniquenesses, L-BFGS-B, start 1 - SMC) or ``ml`` (psych/factanal likelihood).
* Rotation: ``oblimin`` (GPArotation::oblimin, gam 0, no Kaiser normalisation,
  identity start, as psych calls it), ``promax`` (psych: Kaiser-normalised Promax, m 4),
  ``varimax`` (stats::varimax) or ``none``.
* psych's conventions: each factor is flipped so its loadings sum to a positive
  number, then factors are ordered by the variance they explain after rotation
  (``diag(Phi L'L)``); factors keep psych's names (MR1.. / ML1.. by extraction order).
* KMO (``psych::KMO``), Bartlett (``psych::cortest.bartlett``), parallel analysis
  (``psych::fa.parallel(fa = "both")``: observed eigenvalues of R and of the one-factor
  reduced matrix vs the means over random normal data sets of the same size;
  the suggestion counts the leading observed eigenvalues above those means).

factor_analyzer is not used for the numbers (see :mod:`cxstats.stats._factor` for why);
the tests compare KMO and Bartlett with it on complete data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import InputError
from cxstats.thresholds import KMO_ITEM_MIN, KMO_MIN  # sampling adequacy cut-offs (Kaiser 1974)

METHODS = ("minres", "ml")
ROTATIONS = ("oblimin", "promax", "varimax", "none")
OBLIQUE = ("oblimin", "promax")


@dataclass
class ParallelAnalysis:
    n_factors: int
    n_components: int
    n_iter: int
    seed: int | None
    observed_fa: list[float]
    observed_pc: list[float]
    simulated_fa: list[float]
    simulated_pc: list[float]
    resampled_fa: list[float]
    resampled_pc: list[float]

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def table(self):
        import pandas as pd

        k = len(self.observed_pc)
        return pd.DataFrame({"number": list(range(1, k + 1)), "observed_fa": self.observed_fa,
                             "simulated_fa": self.simulated_fa, "resampled_fa": self.resampled_fa,
                             "observed_pc": self.observed_pc, "simulated_pc": self.simulated_pc,
                             "resampled_pc": self.resampled_pc})


@dataclass
class EfaResult:
    items: list[str]
    factors: list[str]
    n_obs: int
    missing: str
    method: str
    rotation: str
    n_factors_source: str                # "given" or "parallel analysis"
    loadings: list[list[float]]          # items x factors (pattern)
    structure: list[list[float]]
    communality: list[float]
    uniqueness: list[float]
    phi: list[list[float]] | None
    variance: dict                       # ss_loadings, proportion_var, cumulative_var, ...
    eigenvalues: list[float]             # of R
    eigenvalues_common: list[float]      # of R with communalities on the diagonal
    kmo: dict
    bartlett: dict
    fit: dict
    parallel: ParallelAnalysis | None
    unrotated: list[list[float]]
    unrotated_factors: list[str] = field(default_factory=list)
    rotation_converged: bool = True
    warnings: list[str] = field(default_factory=list)
    n_blank: int = 0                     # rows that answered none of the items (in n_obs when pairwise)
    correlation: str = "pearson"         # "pearson" or "polychoric" (psych fa.poly convention)

    def to_dict(self) -> dict:
        def mat(m, names=None):
            return [dict(item=it, **{f: float(v) for f, v in zip(names or self.factors, row)})
                    for it, row in zip(self.items, m)]

        return {
            **({"correlation": self.correlation} if self.correlation != "pearson" else {}),
            "n_obs": self.n_obs, "n_blank": self.n_blank, "missing": self.missing, "method": self.method,
            "rotation": self.rotation, "n_factors": len(self.factors),
            "n_factors_source": self.n_factors_source, "items": list(self.items),
            "factors": list(self.factors),
            "loadings": mat(self.loadings), "structure": mat(self.structure),
            "communality": dict(zip(self.items, self.communality)),
            "uniqueness": dict(zip(self.items, self.uniqueness)),
            "phi": (None if self.phi is None else
                    {f: dict(zip(self.factors, row)) for f, row in zip(self.factors, self.phi)}),
            "variance_accounted": self.variance,
            "eigenvalues": self.eigenvalues, "eigenvalues_common": self.eigenvalues_common,
            "kmo": self.kmo, "bartlett": self.bartlett, "fit": self.fit,
            "parallel_analysis": None if self.parallel is None else self.parallel.to_dict(),
            "unrotated_loadings": mat(self.unrotated, self.unrotated_factors),
            "rotation_converged": self.rotation_converged,
            "warnings": list(self.warnings),
        }

    def loadings_frame(self, which: str = "loadings"):
        import pandas as pd

        m = {"loadings": self.loadings, "structure": self.structure,
             "unrotated": self.unrotated}[which]
        df = pd.DataFrame(m, columns=self.unrotated_factors if which == "unrotated" else self.factors)
        df.insert(0, "item", self.items)
        if which == "loadings":
            df["communality"] = self.communality
            df["uniqueness"] = self.uniqueness
            df["kmo"] = [self.kmo["items"][i] for i in self.items]
        return df

    def tables(self) -> dict:
        import pandas as pd

        out = {"loadings": self.loadings_frame("loadings")}
        if self.phi is not None:
            phi = pd.DataFrame(self.phi, columns=self.factors)
            phi.insert(0, "factor", self.factors)
            out["factor_correlations"] = phi
            out["structure"] = self.loadings_frame("structure")
        var = pd.DataFrame({k: v for k, v in self.variance.items()}, index=self.factors)
        out["variance"] = var.reset_index(names="factor")
        out["adequacy"] = pd.DataFrame([
            {"statistic": "KMO overall MSA", "value": self.kmo["overall"], "df": None, "pvalue": None},
            {"statistic": "Bartlett chi-square", "value": self.bartlett["chisq"],
             "df": self.bartlett["df"], "pvalue": self.bartlett["pvalue"]},
            {"statistic": "TLI", "value": self.fit["tli"], "df": None, "pvalue": None},
            {"statistic": "RMSEA", "value": self.fit["rmsea"], "df": None, "pvalue": None},
            {"statistic": "chi-square (likelihood)", "value": self.fit["chisq"], "df": self.fit["df"],
             "pvalue": self.fit["pvalue"]},
        ])
        if self.parallel is not None:
            out["parallel_analysis"] = self.parallel.table()
        return out

    def methods(self) -> list[tuple[str, str]]:
        rot = {
            "oblimin": "oblimin (quartimin, gamma 0; gradient projection as GPArotation::oblimin, no Kaiser "
                       "normalisation); oblique, so factor correlations (Phi) are reported and the pattern "
                       "loadings differ from the structure (item-factor correlations = pattern x Phi)",
            "promax": "promax (psych: Kaiser-normalised varimax followed by a power-4 Promax target); oblique",
            "varimax": "varimax (stats::varimax with Kaiser normalisation); orthogonal",
            "none": "no rotation",
        }[self.rotation]
        out = [
            ("EFA extraction",
             ("minres: minimum residual (unweighted least squares on the off-diagonal correlations), "
              if self.method == "minres" else "ml: maximum likelihood, ")
             + f"{len(self.factors)} factors on the "
             + ("pairwise correlation matrix (psych default)" if self.missing == "pairwise"
                else "correlation matrix of complete rows")
             + f", n = {self.n_obs}"
             + ((f" (all rows given, {self.n_blank} of them answering no item: psych::fa's n.obs = "
                 "nrow(x) convention)" if self.missing == "pairwise" else
                 f" (complete rows; {self.n_blank} rows answering no item left out, whereas psych::fa "
                 "keeps n.obs = nrow(x))") if self.n_blank else "")
             + ". Matches psych::fa 2.2.9."),
            *([("Polychoric correlations",
                "cor = \"poly\" (psych::fa.poly convention): the factor analysis of the polychoric correlations of "
                "the items (lavaan's two-step estimates; psych::polychoric agrees to ~2e-5), respondents complete "
                "on the items, n = those respondents; the parallel analysis (when it chooses the number of factors) "
                "uses the Pearson correlations of the same respondents. KMO and Bartlett's test are computed from "
                "the polychoric matrix.")] if self.correlation == "polychoric" else []),
            ("EFA rotation", rot + ". Factors are flipped so loadings sum to a positive number and ordered "
                               "by variance accounted for, as psych."),
            ("Communality", "h2 = diagonal of L Phi L' (rotation-invariant); uniqueness u2 = 1 - h2."),
            ("Variance accounted for", "ss_loadings = column sums of squared loadings (x Phi when oblique); "
             "proportion_var = ss_loadings / number of items, cumulative_var its running sum, "
             "proportion_explained = ss_loadings / their total, cumulative_proportion its running sum. "
             "All proportions are fractions 0-1; the keys keep psych::fa's row names (Proportion Var, "
             "Cumulative Var, Proportion Explained, Cumulative Proportion) rather than the *_share "
             "convention, so they can be compared with R line by line."),
            ("KMO and Bartlett",
             "KMO = sum r^2 / (sum r^2 + sum q^2) over off-diagonal correlations r and partial "
             "correlations q (psych::KMO). Bartlett: chi2 = -(n - 1 - (2p + 5)/6) ln det R, df = p(p-1)/2."),
        ]
        if self.parallel is not None:
            out.append(("Parallel analysis",
                        f"psych::fa.parallel logic: eigenvalues of R (components) and of R with one-factor "
                        f"communalities on the diagonal (factors) against the means over {self.parallel.n_iter} "
                        f"random normal data sets of the same size (seed {self.parallel.seed}); the suggestion "
                        "is the number of leading observed eigenvalues above the random means."))
        return out


@dataclass
class EfaByRespondentsResult:
    """One EFA per respondent type (a study spec's customers and/or staff), with the
    interface every result has. ``parts``: ``[(respondent_type, EfaResult)]``."""

    parts: list
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.warnings:
            self.warnings = [f"{kind}: {w}" for kind, r in self.parts for w in r.warnings]

    def to_dict(self) -> dict:
        return {"analyses": [{"respondent_type": k, **r.to_dict()} for k, r in self.parts],
                "warnings": list(self.warnings)}

    def tables(self) -> dict:
        out = {}
        for kind, r in self.parts:
            for name, df in r.tables().items():
                out[f"{kind} {name}"] = df
        return out

    def methods(self) -> list[tuple[str, str]]:
        return self.parts[0][1].methods() if self.parts else []


# --------------------------------------------------------------------------
def correlation(x, missing: str = "pairwise"):
    """(R, n_obs) under the missing-data rule; n_obs = all rows for pairwise (psych)."""
    import numpy as np

    from cxstats.stats._factor import pairwise_cor

    if missing == "listwise":
        xc = x[~np.isnan(x).any(axis=1)]
        return np.corrcoef(xc, rowvar=False), xc.shape[0]
    r, _ = pairwise_cor(x)
    return r, x.shape[0]


def kmo(r) -> tuple[float, list[float]]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (psych::KMO) from a correlation matrix."""
    import numpy as np

    from cxstats.stats._factor import cov2cor

    q = cov2cor(np.linalg.inv(r))
    r2 = r.copy()
    np.fill_diagonal(q, 0.0)
    np.fill_diagonal(r2, 0.0)
    sr, sq = np.sum(r2 ** 2, axis=0), np.sum(q ** 2, axis=0)
    return float(sr.sum() / (sr.sum() + sq.sum())), (sr / (sr + sq)).tolist()


def bartlett(r, n: int) -> dict:
    """Bartlett's test that the correlation matrix is an identity (psych::cortest.bartlett)."""
    import numpy as np
    from scipy.stats import chi2

    p = r.shape[0]
    sign, logdet = np.linalg.slogdet(r)
    stat = -(n - 1 - (2 * p + 5) / 6.0) * logdet
    df = p * (p - 1) // 2
    return {"chisq": float(stat), "df": df, "pvalue": float(chi2.sf(stat, df)), "n": int(n)}


def _fa_values(r, fm: str = "minres"):
    """psych fa(r, nfactors = 1)$values: eigenvalues of R with the one-factor communalities
    on the diagonal."""
    import numpy as np

    from cxstats.stats._factor import fit_minres, fit_ml_efa

    lam, _ = (fit_minres if fm == "minres" else fit_ml_efa)(r, 1)
    s = r.copy()
    np.fill_diagonal(s, np.sum(lam ** 2, axis=1))
    return np.sort(np.linalg.eigvalsh(s))[::-1]


def parallel_analysis(x, *, n_iter: int = 20, seed=None, fm: str = "minres",
                      missing: str = "pairwise", progress=None) -> ParallelAnalysis:
    """Horn's parallel analysis as psych::fa.parallel(fa = "both", n.iter = 20) of the rows ``x``
    (:func:`parallel_from`: the correlations under ``missing``, the number of rows used - all rows
    when pairwise, the complete ones when listwise - and each column's counts per value)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    r, n = correlation(x, missing)
    if missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    columns = [np.unique(x[:, j][~np.isnan(x[:, j])], return_counts=True) for j in range(x.shape[1])]
    return parallel_from(r, columns, x.shape[0], n_iter=n_iter, seed=seed, fm=fm, progress=progress)


PA_BLOCK = 1 << 16   # rows of random draws held at once by the parallel analysis (memory O(block x items))


def parallel_from(r, columns, n_rows: int, *, n_iter: int = 20, seed=None, fm: str = "minres",
                  progress=None) -> ParallelAnalysis:
    """Horn's parallel analysis as psych::fa.parallel(fa = "both", n.iter = 20), from the observed
    correlation matrix ``r``, the number of rows used and each column's ``(values ascending, counts)``
    among them (the rest missing): what the rows give (:func:`parallel_analysis`) and what counts per
    answer give (:func:`cxstats.stats.from_moments.analyze_efa_moments`), with the same draws.

    Random normal data with the same rows and columns (simulated) and data resampled column by
    column (resampled: each column drawn with replacement from its own values, taken in ascending
    order with the missing ones last, so the draws do not depend on the order the rows are read
    in) give mean eigenvalues; the suggestion (psych, with simulation on) counts leading observed
    eigenvalues above the simulated means. The random data are drawn and summed in blocks of
    :data:`PA_BLOCK` rows (one block, the same draws as one matrix of all rows, when there are no
    more rows than that), so memory does not grow with the rows.
    ``seed``: int or numpy Generator; ``progress(done, n_iter)`` after each iteration."""
    import numpy as np

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    p = r.shape[1]
    n = int(n_rows)
    vals = [np.asarray(v, dtype=float) for v, _ in columns]
    cums = [np.cumsum(np.asarray(c, dtype=np.int64)) for _, c in columns]
    # centre of each resampled column (its values' mean): the sums below stay well conditioned
    centre = np.array([float(np.asarray(c, float) @ v / c_[-1]) if len(c_) and c_[-1] else 0.0
                       for (v, c), c_ in zip(columns, cums)])
    obs_pc = np.sort(np.linalg.eigvalsh(r))[::-1]
    obs_fa = _fa_values(r, fm)
    sim_pc, sim_fa, res_pc, res_fa = [], [], [], []
    for i in range(n_iter):
        zs, zss = np.zeros(p), np.zeros((p, p))
        nij, sxy, sx, sxx = (np.zeros((p, p)) for _ in range(4))
        for start in range(0, n, PA_BLOCK):
            m = min(PA_BLOCK, n - start)
            z = rng.standard_normal((m, p))
            zs += z.sum(axis=0)
            zss += z.T @ z
            # resampled: positions drawn with replacement among the n rows of each sorted column
            xr = np.full((m, p), np.nan)
            for j in range(p):
                k = np.searchsorted(cums[j], rng.integers(0, n, m), side="right")
                hit = k < len(vals[j])               # positions past the answers are the missing ones
                xr[hit, j] = vals[j][k[hit]]
            obs = ~np.isnan(xr)
            mf = obs.astype(float)
            x0 = np.where(obs, xr - centre, 0.0)
            nij += mf.T @ mf
            sxy += x0.T @ x0
            sx += x0.T @ mf
            sxx += (x0 ** 2).T @ mf
        cz = zss - np.outer(zs, zs) / n
        dz = np.sqrt(np.diag(cz))
        c = cz / np.outer(dz, dz)
        np.fill_diagonal(c, 1.0)
        sim_pc.append(np.sort(np.linalg.eigvalsh(c))[::-1])
        sim_fa.append(_fa_values(c, fm))
        with np.errstate(invalid="ignore", divide="ignore"):   # R's cor(use = "pairwise"), as pairwise_cor
            cxy = sxy - sx * sx.T / nij
            vx = sxx - sx ** 2 / nij
            cr = cxy / np.sqrt(vx * vx.T)
        cr[nij < 2] = np.nan
        np.fill_diagonal(cr, 1.0)
        if np.all(np.isfinite(cr)):
            res_pc.append(np.sort(np.linalg.eigvalsh(cr))[::-1])
            res_fa.append(_fa_values(cr, fm))
        if progress is not None:
            progress(i + 1, n_iter)
    sim_pc_m, sim_fa_m = np.mean(sim_pc, axis=0), np.mean(sim_fa, axis=0)
    res_pc_m = np.mean(res_pc, axis=0) if res_pc else np.full(p, np.nan)
    res_fa_m = np.mean(res_fa, axis=0) if res_fa else np.full(p, np.nan)

    def count(obs, ref):
        above = obs > ref
        return int(np.argmin(above)) if not above.all() else int(len(obs))

    return ParallelAnalysis(
        n_factors=count(obs_fa, sim_fa_m), n_components=count(obs_pc, sim_pc_m), n_iter=n_iter,
        seed=seed if isinstance(seed, int) else None,
        observed_fa=obs_fa.tolist(), observed_pc=obs_pc.tolist(), simulated_fa=sim_fa_m.tolist(),
        simulated_pc=sim_pc_m.tolist(), resampled_fa=res_fa_m.tolist(), resampled_pc=res_pc_m.tolist())


def _fit_stats(r, model, n_obs: int, nf: int) -> dict:
    """psych::factor.stats: the likelihood discrepancy of the fitted model, its chi-square
    (Bartlett-corrected multiplier), TLI, RMSEA and BIC, as psych::fa reports them."""
    import numpy as np
    from scipy.stats import chi2

    p = r.shape[0]
    dof = p * (p - 1) / 2 - p * nf + nf * (nf - 1) / 2
    m = model.copy()
    np.fill_diagonal(m, 1.0)
    mir = np.linalg.solve(m, r)
    objective = float(np.trace(mir) - np.linalg.slogdet(mir)[1] - p)
    mult = (n_obs - 1) - (2 * p + 5) / 6.0 - (2 * nf) / 3.0
    stat = objective * mult
    null_model = float(-np.linalg.slogdet(r)[1])
    null_dof = p * (p - 1) / 2
    if dof > 0:
        pval = float(chi2.sf(stat, dof))
        mn, mm = null_model * mult / null_dof, stat / dof
        tli = (mn - mm) / (mn - 1.0)
        rmsea = float(np.sqrt(max(stat / (dof * n_obs) - 1.0 / (n_obs - 1), 0.0)))
        bic = stat - dof * np.log(n_obs)
    else:
        pval = tli = rmsea = bic = float("nan")
    return {"objective": objective, "chisq": float(stat), "df": int(dof), "pvalue": pval,
            "tli": float(tli), "rmsea": rmsea, "bic": float(bic),
            "null_objective": null_model, "null_df": int(null_dof)}


def _check_efa_options(method: str, rotation: str, missing: str, items) -> list:
    if method not in METHODS:
        raise InputError(f"must be one of {', '.join(METHODS)}, not {method!r}", option="method")
    if rotation not in ROTATIONS:
        raise InputError(f"must be one of {', '.join(ROTATIONS)}, not {rotation!r}", option="rotation")
    if missing not in ("pairwise", "listwise"):
        raise InputError(f"must be 'pairwise' or 'listwise', not {missing!r}", option="missing")
    items = list(items)
    if len(set(items)) != len(items):
        raise InputError(f"item listed twice: {', '.join(sorted({i for i in items if items.count(i) > 1}))}")
    if len(items) < 3:
        raise InputError(f"an EFA needs at least 3 items, got {len(items)} ({', '.join(items)})")
    return items


def _blank_warning(n_blank: int, n_rows: int, p: int, missing: str) -> list[str]:
    if not n_blank:
        return []
    # psych::fa(x) takes n.obs = nrow(x) for raw data, all-blank rows included; its chi-square,
    # TLI, RMSEA, BIC and cortest.bartlett scale with that n. cxstats does the same (pairwise).
    return [f"{n_blank} of {n_rows} respondents answered none of the {p} items; "
            + ("as psych::fa (n.obs = rows given) they still count in n = "
               f"{n_rows} for the chi-square, TLI, RMSEA, BIC and Bartlett's test (pairwise correlations "
               "use only the answers given); leave them out of the data to use "
               f"n = {n_rows - n_blank}" if missing == "pairwise" else
               "complete rows only (listwise): they are left out of n, unlike psych::fa, which keeps "
               "n.obs = rows given")]


def _check_item(item: str, n_answers: int, constant, file) -> None:
    """An item with fewer than 2 answers, or constant (``constant``: its only value, else None), is refused."""
    if n_answers < 2:
        raise InputError(f"item has {n_answers} answers; it cannot enter a factor analysis",
                         file=file, column=item)
    if constant is not None:
        raise InputError(f"item is constant (every answer is {constant:g}); it has no variance "
                         "and cannot enter a factor analysis; drop it", file=file, column=item)


def analyze_efa(data, items=None, *, n_factors: int | None = None, method: str = "minres",
                rotation: str = "oblimin", missing: str = "pairwise", seed=None, n_iter: int = 20,
                parallel: bool = True, progress=None, file=None, cor: str = "pearson") -> EfaResult:
    """Exploratory factor analysis of ``items`` (default: all columns of ``data``), as psych::fa.

    Without ``n_factors`` the parallel-analysis suggestion is used (at least 1). ``cor="polychoric"``:
    the polychoric correlations of the complete rows (psych ``fa(x, cor = "poly")``, ``fa.poly``).
    ``progress(done, total)`` follows the parallel analysis' iterations. The same analysis from
    moments: :func:`cxstats.stats.from_moments.analyze_efa_moments`; both end in :func:`efa_from_correlation`."""
    import numpy as np

    items = _check_efa_options(method, rotation, missing, items if items is not None else data.columns)
    p = len(items)
    x = data[items].to_numpy(dtype=float)
    blank = np.isnan(x).all(axis=1)
    n_blank, n_rows = int(blank.sum()), int(len(x))
    warnings: list[str] = _blank_warning(n_blank, n_rows, p, missing)
    for j, it in enumerate(items):
        v = x[:, j][~np.isnan(x[:, j])]
        _check_item(it, int(v.size), float(v[0]) if v.size >= 2 and np.all(v == v[0]) else None, file)
    if cor not in ("pearson", "polychoric"):
        raise InputError(f"must be 'pearson' or 'polychoric', not {cor!r}", option="cor")
    if cor == "polychoric":
        from cxstats.stats.sem.polychoric import ordinal_stats

        missing = "listwise"                        # polychoric correlations of the complete rows
        x = x[~np.isnan(x).any(axis=1)]
        if len(x) <= p:
            raise InputError(f"{len(x)} respondents answered every item; polychoric correlations need more "
                             "complete respondents than items", file=file)
        r, n_obs = ordinal_stats(x, items, scores=False).cor, int(len(x))
    else:
        r, n_obs = correlation(x, missing)

    def pa():
        return parallel_analysis(x, n_iter=n_iter, seed=seed, fm=method, missing=missing, progress=progress)

    return efa_from_correlation(r, n_obs, items, n_rows=n_rows, n_blank=n_blank, warnings=warnings,
                                parallel=pa if parallel else None, n_factors=n_factors, method=method,
                                rotation=rotation, missing=missing, file=file, cor=cor)


def efa_from_correlation(r, n_obs: int, items, *, n_rows: int, n_blank: int, warnings: list, parallel=None,
                         n_factors: int | None = None, method: str = "minres", rotation: str = "oblimin",
                         missing: str = "pairwise", file=None, cor: str = "pearson") -> EfaResult:
    """The EFA of the correlation matrix ``r`` of ``items`` (n_obs: psych's n.obs; ``n_rows`` rows
    given, ``n_blank`` of them answering no item): extraction, rotation, KMO, Bartlett, fit;
    ``parallel``: a callable returning the :class:`ParallelAnalysis` (None: none)."""
    import numpy as np

    from cxstats.stats._factor import (fit_minres, fit_ml_efa, is_singular, most_collinear_item,
                                       oblimin_gpa, promax_psych, varimax)

    items = list(items)
    p = len(items)
    n_usable = min(n_obs, n_rows - n_blank)
    if n_usable <= p:
        raise InputError(f"{n_usable} usable respondents for {p} items; a factor analysis needs more "
                         "respondents than items (ideally 5-10 per item)", file=file)
    if not np.all(np.isfinite(r)):
        i, j = np.argwhere(~np.isfinite(r))[0]
        raise InputError(f"items '{items[i]}' and '{items[j]}' are never answered together, so their "
                         "correlation is unknown", file=file)
    if is_singular(r):
        bad = items[most_collinear_item(r)]
        raise InputError(f"the correlation matrix is singular: item '{bad}' is (nearly) a linear "
                         "combination of the others (a duplicated item or a sum score?); drop it",
                         file=file, column=bad)
    if n_usable < 5 * p:
        warnings.append(f"only {n_usable} respondents for {p} items (fewer than 5 per item); "
                        "loadings are unstable")
    max_f = 0
    while (p * (p - 1) / 2 - p * (max_f + 1) + (max_f + 1) * max_f / 2) >= 0 and max_f + 1 < p:
        max_f += 1
    pa = None
    if parallel is not None:
        pa = parallel()
    source = "given"
    if n_factors is None:
        if pa is None:
            raise InputError("give the number of factors (parallel analysis is off)", option="factors")
        n_factors = max(1, min(pa.n_factors, max_f))
        source = "parallel analysis"
    if n_factors < 1:
        raise InputError(f"the number of factors must be at least 1, not {n_factors}", option="factors")
    if n_factors > max_f:
        raise InputError(f"{n_factors} factors is too many for {p} items: the model has negative degrees "
                         f"of freedom; at most {max_f} factors can be extracted", option="factors")
    nf = n_factors
    lam, info = (fit_minres if method == "minres" else fit_ml_efa)(r, nf)
    if not info["converged"]:
        warnings.append(f"the {method} extraction did not converge ({info['message']}); "
                        "treat the loadings with caution")
    sign = np.sign(lam.sum(axis=0))
    sign[sign == 0] = 1
    lam = lam * sign
    model = lam @ lam.T
    communality = np.diag(model).copy()
    unrot = lam.copy()
    phi = None
    converged = True
    if nf > 1 and rotation != "none":
        if rotation == "oblimin":
            lam, phi, _, converged = oblimin_gpa(lam)
        elif rotation == "promax":
            lam, phi, _ = promax_psych(lam)
        else:
            lam, _ = varimax(lam)
    if not converged:
        warnings.append("the oblimin rotation did not converge in 1000 iterations")
    sign = np.sign(lam.sum(axis=0))
    sign[sign == 0] = 1
    lam = lam * sign
    if phi is not None:
        phi = phi * np.outer(sign, sign)
    prefix = "MR" if method == "minres" else "ML"
    names = [f"{prefix}{i + 1}" for i in range(nf)]
    if nf > 1:
        ev = np.diag(phi @ lam.T @ lam) if phi is not None else np.sum(lam ** 2, axis=0)
        order = np.argsort(-ev, kind="stable")
        lam = lam[:, order]
        names = [names[i] for i in order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    unrot_names = [f"{prefix}{i + 1}" for i in range(nf)]
    structure = lam @ phi if phi is not None else lam.copy()
    uniq = 1.0 - communality
    vx = np.diag(phi @ lam.T @ lam) if phi is not None else np.sum(lam ** 2, axis=0)
    vtotal = float(np.sum(communality + uniq))
    variance = {"ss_loadings": vx.tolist(), "proportion_var": (vx / vtotal).tolist(),
                "cumulative_var": np.cumsum(vx / vtotal).tolist(),
                "proportion_explained": (vx / vx.sum()).tolist(),
                "cumulative_proportion": np.cumsum(vx / vx.sum()).tolist()}
    heywood = [items[j] for j in range(p) if communality[j] >= 0.995]
    if heywood:
        warnings.append(f"Heywood case: communality at or above 1 for {', '.join(heywood)} "
                        "(too many factors, too few respondents, or a near-duplicate item)")
    k_all, k_items = kmo(r)
    low = [f"{it} ({v:.2f})" for it, v in zip(items, k_items) if v < KMO_ITEM_MIN]
    if k_all < KMO_MIN:
        warnings.append(f"KMO is {k_all:.2f} (below {KMO_MIN}): the items share little common variance; "
                        "a factor analysis may not be appropriate")
    if low:
        warnings.append(f"items with KMO below {KMO_ITEM_MIN}: {', '.join(low)}")
    s = r.copy()
    np.fill_diagonal(s, communality)
    return EfaResult(
        items=items, factors=names, n_obs=int(n_obs), missing=missing, method=method, rotation=rotation,
        n_factors_source=source, loadings=lam.tolist(), structure=structure.tolist(),
        communality=communality.tolist(), uniqueness=uniq.tolist(),
        phi=None if phi is None else phi.tolist(), variance=variance,
        eigenvalues=np.sort(np.linalg.eigvalsh(r))[::-1].tolist(),
        eigenvalues_common=np.sort(np.linalg.eigvalsh(s))[::-1].tolist(),
        kmo={"overall": k_all, "items": dict(zip(items, k_items))},
        bartlett=bartlett(r, n_obs), fit=_fit_stats(r, model, n_obs, nf), parallel=pa,
        unrotated=unrot.tolist(), unrotated_factors=unrot_names, rotation_converged=converged, warnings=warnings,
        n_blank=n_blank, correlation=cor)
