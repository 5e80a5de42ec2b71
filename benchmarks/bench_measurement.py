"""Benchmark: measurement checks - Cronbach's alpha, its bootstrap CI, EFA and parallel analysis.

Run:  .venv/bin/python benchmarks/bench_measurement.py [--size full|quick|tiny]

Rows (ours vs a peer timed in the same run, interleaved; ratio = peer / ours):
* alpha of the 10 demo scales (n = 5,000 customers, missing answers pairwise):
  cxstats ``analyze_reliability`` (alpha, Feldt CI, item statistics, omega psych and
  one-factor CFA omega) and ``scale_reliability(omega=False)`` vs
  ``pingouin.cronbach_alpha`` (alpha + parametric CI) per scale.
* bootstrap CI of alpha, 1,000 replicates: ``bootstrap_alpha`` vs a naive pandas loop
  (pingouin has only the parametric CI). The peer draws the same resample indices
  (same numpy Generator stream), so the percentile CIs must agree to rounding.
* EFA minres + oblimin, bfi (25 items, n = 2,800, missing answers pairwise):
  ``analyze_efa(parallel=False)`` vs ``factor_analyzer.FactorAnalyzer`` fitted to the pairwise
  correlation matrix ``DataFrame.corr()`` (on raw data it would impute medians, a
  different analysis); loadings compared after matching factor order and sign.
* parallel analysis, 100 iterations: ``parallel_analysis`` vs a plain numpy/pandas loop
  over the same random draws using factor_analyzer for the one-factor minres fits.
* psych (R), when installed: ``alpha`` per scale, ``fa(5, "minres", "oblimin")`` and
  ``fa.parallel(n.iter = 100)``, timed inside R (no R start-up), as separate rows against
  our median of the same run. cxstats follows psych's definitions, so the checks are
  tight (fa.parallel's random draws differ: its check is on the observed eigenvalues).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _data, _rpeer  # noqa: E402
from benchmarks._timing import Row, compare_row, interleaved  # noqa: E402

SIZES = {
    #         alpha n, repeats  boot reps, repeats  efa rows, repeats  PA iters, repeats
    "full":  {"alpha_n": 5000, "alpha_rep": 7, "boot": 1000, "boot_rep": 3, "efa_n": None, "efa_rep": 7,
              "pa_iter": 100, "pa_rep": 2},
    "quick": {"alpha_n": 5000, "alpha_rep": 3, "boot": 200, "boot_rep": 2, "efa_n": None, "efa_rep": 3,
              "pa_iter": 5, "pa_rep": 1},
    "tiny":  {"alpha_n": 300, "alpha_rep": 1, "boot": 20, "boot_rep": 1, "efa_n": 400, "efa_rep": 1,
              "pa_iter": 2, "pa_rep": 1},
}


# ---------------------------------------------------------------------------------- alpha
def alpha_data(n: int):
    data = _data.demo_survey(n, 50).data
    return data[data["respondent_type"] == "customer"].reset_index(drop=True), _data.demo_scales()


def bench_alpha(n: int, repeats: int, r_ok: bool = False) -> list[Row]:
    import numpy as np
    import pingouin as pg

    from cxstats.stats.reliability import analyze_reliability, scale_reliability

    data, scales = alpha_data(n)

    def peer():
        return {s: pg.cronbach_alpha(data[items], nan_policy="pairwise")[0] for s, items in scales.items()}

    def full():
        res = analyze_reliability(data, scales, reversed_already=True)
        return {r.scale: r.alpha for r in res.scales}

    def lean():
        return {s: scale_reliability(data, items, scale=s, omega=False).alpha for s, items in scales.items()}

    rows = []
    for label, fn, note in (
            ("alpha, 10 scales, full report", full,
             "ours: alpha, alpha_std, Feldt CI, G6, item-total stats, omega (psych) and one-factor CFA omega; "
             "pingouin: alpha + parametric CI"),
            ("alpha, 10 scales, omega off", lean, "ours scale_reliability(omega=False): alpha + item statistics")):
        res = interleaved(fn, peer, repeats)
        o, p = res["ours_out"], res["peer_out"]
        diff = max(abs(o[s] - p[s]) for s in scales)
        rows.append(compare_row(f"{label} (n = {len(data):,})", res, peer=f"pingouin {pg.__version__} cronbach_alpha",
                                check="max |alpha ours - pingouin|", diff=diff, tol=1e-10, note=note))
    assert np.isfinite(rows[0].ours_s)
    if r_ok:
        path = _data.tempdir("cxbench-r-") / "alpha.csv"
        data[[i for its in scales.values() for i in its]].to_csv(path, index=False)
        sc = "list(" + ", ".join(f"{s} = c({', '.join(map(repr, its))})" for s, its in scales.items()) + ")"
        out = _rpeer.run(f"""
suppressPackageStartupMessages(library(psych))
d <- read.csv({_rpeer.r_string(str(path))})
scales <- {sc}
r <- bench(function() sapply(scales, function(its) alpha(d[, its], warnings = FALSE)$total$raw_alpha), {repeats})
emit(list(median = r$median, times = I(r$times), alpha = as.list(r$out)))
""")
        ours_alpha = full()
        diff = max(abs(ours_alpha[s] - float(out["alpha"][s])) for s in scales)
        rows.append(Row(task=rows[0].task, ours_s=rows[0].ours_s, peer=f"psych {_rpeer.available('psych')} alpha (R)",
                        peer_s=float(out["median"]), check="max |alpha ours - psych|", max_abs_diff=diff, tol=1e-10,
                        runs=f"{rows[0].runs.split('/')[0]}/{len(out['times'])}",
                        note="psych::alpha per scale (alpha, item statistics; no omega) timed inside R; "
                             "ours = the full report's median above"))
    return rows


def naive_bootstrap_alpha(frame, n_boot: int, seed: int, level: float = 0.95):
    """The peer: a plain pandas loop (resample rows, DataFrame.cov (pairwise), alpha)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, k = frame.shape
    est = np.full(n_boot, np.nan)
    for b in range(n_boot):
        c = frame.iloc[rng.integers(0, n, n)].cov()
        est[b] = k / (k - 1) * (1 - np.trace(c.to_numpy()) / c.to_numpy().sum())
    a = (1 - level) / 2
    lo, hi = np.quantile(est[np.isfinite(est)], [a, 1 - a])
    return {"lower": float(lo), "upper": float(hi)}


def bench_alpha_bootstrap(n: int, n_boot: int, repeats: int) -> list[Row]:
    from cxstats.stats.reliability import bootstrap_alpha

    data, scales = alpha_data(n)
    name, items = next(iter(scales.items()))
    frame = data[items]
    x = frame.to_numpy(float)
    res = interleaved(lambda: bootstrap_alpha(x, n_boot=n_boot, seed=1),
                      lambda: naive_bootstrap_alpha(frame, n_boot, 1), repeats)
    o, p = res["ours_out"], res["peer_out"]
    diff = max(abs(o["lower"] - p["lower"]), abs(o["upper"] - p["upper"]))
    return [compare_row(f"alpha bootstrap CI, {n_boot:,} replicates ({name}, {len(items)} items, n = {len(x):,})",
                        res, peer="naive pandas loop (same resamples)", check="max |CI bound ours - peer|",
                        diff=diff, tol=1e-10,
                        note="pingouin has only a parametric CI, so the peer is a plain loop: "
                             "df.iloc[idx].cov() per replicate")]


# ---------------------------------------------------------------------------------- EFA
def match_loadings(a, b):
    """max |a - b| over the best column permutation and signs of b."""
    import numpy as np

    nf = a.shape[1]
    best = np.inf
    for perm in itertools.permutations(range(nf)):
        bb = b[:, perm]
        sign = np.sign(np.sum(a * bb, axis=0))
        sign[sign == 0] = 1
        best = min(best, float(np.max(np.abs(a - bb * sign))))
    return best


def bench_efa(n_rows, repeats: int, r_ok: bool = False) -> list[Row]:
    import warnings

    import factor_analyzer
    import numpy as np
    from factor_analyzer import FactorAnalyzer

    from cxstats.stats.efa import analyze_efa

    x = _data.bfi(n_rows)

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return FactorAnalyzer(n_factors=5, method="minres", rotation="oblimin",
                                  is_corr_matrix=True).fit(x.corr().to_numpy())

    res = interleaved(lambda: analyze_efa(x, n_factors=5, method="minres", rotation="oblimin", parallel=False), peer,
                      repeats)
    diff = match_loadings(np.array(res["ours_out"].loadings), res["peer_out"].loadings_)
    ver = getattr(factor_analyzer, "__version__", "0.5.1")
    task = f"EFA minres + oblimin, 5 factors (bfi, 25 items, n = {len(x):,})"
    rows = [compare_row(task, res, peer=f"factor_analyzer {ver} FactorAnalyzer", check="max |loading diff| (matched)",
                        diff=diff, tol=1e-4,
                        note="ours also computes KMO, Bartlett, fit statistics, structure matrix")]
    if r_ok:
        path = _data.tempdir("cxbench-r-") / "bfi.csv"
        x.to_csv(path, index=False)
        out = _rpeer.run(f"""
suppressPackageStartupMessages(library(psych))
d <- read.csv({_rpeer.r_string(str(path))})
r <- bench(function() fa(d, nfactors = 5, fm = "minres", rotate = "oblimin"), {repeats})
emit(list(median = r$median, times = I(r$times), loadings = unclass(r$out$loadings)))
""")
        diff = match_loadings(np.array(res["ours_out"].loadings), np.array(out["loadings"], float))
        rows.append(Row(task=task, ours_s=res["ours_median"], peer=f"psych {_rpeer.available('psych')} fa (R)",
                        peer_s=float(out["median"]), check="max |loading diff| (matched)", max_abs_diff=diff,
                        tol=1e-4, runs=f"{len(res['ours_times'])}/{len(out['times'])}",
                        note="psych::fa (loadings, fit statistics) timed inside R"))
    return rows


def naive_parallel(x, n_iter: int, seed: int):
    """The peer: Horn's parallel analysis as a plain loop with the same random draws as
    cxstats (normal data + column-wise resampling), one-factor minres by factor_analyzer."""
    import warnings

    import numpy as np
    import pandas as pd
    from factor_analyzer import FactorAnalyzer

    def fa_values(c):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fa = FactorAnalyzer(n_factors=1, method="minres", rotation=None, is_corr_matrix=True).fit(c)
        s = c.copy()
        np.fill_diagonal(s, np.sum(fa.loadings_ ** 2, axis=1))
        return np.sort(np.linalg.eigvalsh(s))[::-1]

    rng = np.random.default_rng(seed)
    n, p = x.shape
    sim_pc, sim_fa, res_pc, res_fa = [], [], [], []
    for _ in range(n_iter):
        c = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        sim_pc.append(np.sort(np.linalg.eigvalsh(c))[::-1])
        sim_fa.append(fa_values(c))
        # each column resampled from its own values in ascending order, missing ones last (as
        # cxstats draws them since its engines read counts per answer; n < one block of rows)
        xr = np.column_stack([np.sort(x[:, j])[rng.integers(0, n, n)] for j in range(p)])
        cr = pd.DataFrame(xr).corr().to_numpy()           # pairwise, as psych and cxstats
        res_pc.append(np.sort(np.linalg.eigvalsh(cr))[::-1])
        res_fa.append(fa_values(cr))
    return {k: np.mean(v, axis=0) for k, v in
            {"simulated_pc": sim_pc, "simulated_fa": sim_fa, "resampled_pc": res_pc, "resampled_fa": res_fa}.items()}


def bench_parallel(n_rows, n_iter: int, repeats: int, r_ok: bool = False) -> list[Row]:
    import numpy as np

    from cxstats.stats.efa import parallel_analysis

    x = _data.bfi(n_rows).to_numpy(float)
    res = interleaved(lambda: parallel_analysis(x, n_iter=n_iter, seed=1),
                      lambda: naive_parallel(x, n_iter, 1), repeats, warmup=False)
    o, p = res["ours_out"], res["peer_out"]
    d_pc = max(float(np.max(np.abs(np.array(getattr(o, k)) - p[k]))) for k in ("simulated_pc", "resampled_pc"))
    d_fa = max(float(np.max(np.abs(np.array(getattr(o, k)) - p[k]))) for k in ("simulated_fa", "resampled_fa"))
    task = f"parallel analysis, {n_iter} iterations (bfi, 25 items, n = {len(x):,})"
    rows = [compare_row(task, res, peer="numpy/pandas loop + factor_analyzer (same draws)",
                        check="max |mean eigenvalue diff| (FA; PC)", diff=max(d_pc, d_fa), tol=1e-4,
                        note=f"PC eigenvalues differ by {d_pc:.1e}, one-factor FA values by {d_fa:.1e}; "
                             f"ours suggests {o.n_factors} factors",
                        extra={"pc_diff": d_pc, "fa_diff": d_fa})]
    if r_ok:
        import pandas as pd

        path = _data.tempdir("cxbench-r-") / "bfi.csv"
        pd.DataFrame(x, columns=_data.BFI_ITEMS).to_csv(path, index=False)
        out = _rpeer.run(f"""
suppressPackageStartupMessages(library(psych))
d <- read.csv({_rpeer.r_string(str(path))})
pa <- function(k) fa.parallel(d, n.iter = k, fm = "minres", fa = "both", plot = FALSE)
r <- bench(function() pa({n_iter}), {repeats}, warmup = function() pa(2))
emit(list(median = r$median, times = I(r$times), fa_values = r$out$fa.values, nfact = r$out$nfact))
""")
        diff = float(np.max(np.abs(np.array(o.observed_fa) - np.array(out["fa_values"], float))))
        rows.append(Row(task=task, ours_s=res["ours_median"], peer=f"psych {_rpeer.available('psych')} fa.parallel (R)",
                        peer_s=float(out["median"]), check="max |observed FA eigenvalue diff|", max_abs_diff=diff,
                        tol=1e-4, runs=f"{len(res['ours_times'])}/{len(out['times'])}",
                        note=f"psych suggests {out['nfact']} factors, ours {o.n_factors} (different random draws); "
                             "timed inside R"))
    return rows


def rows(size: str = "full", r_peers: bool = True) -> list[Row]:
    s = SIZES[size]
    r_ok = bool(r_peers and _rpeer.available("psych"))
    out = []
    out += bench_alpha(s["alpha_n"], s["alpha_rep"], r_ok)
    out += bench_alpha_bootstrap(s["alpha_n"], s["boot"], s["boot_rep"])
    out += bench_efa(s["efa_n"], s["efa_rep"], r_ok)
    out += bench_parallel(s["efa_n"], s["pa_iter"], s["pa_rep"], r_ok)
    if r_peers and not r_ok:
        out.append(Row(task="psych rows", ours_s=float("nan"), note=_rpeer.skip_reason("psych")))
    return out


if __name__ == "__main__":
    from benchmarks.run_all import main

    main(["--only", "measurement", *sys.argv[1:]])
