"""Benchmark: latent-variable models - CFA, multi-group invariance, SEM bootstrap.

Run:  .venv/bin/python benchmarks/bench_sem.py [--size full|quick|tiny] [--no-r]

Rows (ours vs a peer in the same run, interleaved; ratio = peer / ours):
* CFA, Holzinger-Swineford 3 factors (n = 301) and the demo study's 10 factors x 3 items
  (complete customer rows): ``fit_sem(...).estimates()`` (estimates, SEs, z, p, CIs,
  standardized solutions) vs ``semopy.Model.fit`` + ``inspect()`` (defaults: MLW, SLSQP).
  semopy's SLSQP stops about 1e-3 short of the optimum (lavaan agrees with ours to
  ~1e-5), hence the 2e-3 tolerance on that check.
* Invariance, HS by school, 4 steps (configural, metric, scalar, strict): ours only
  (semopy has no multi-group invariance sequence); lavaan if R is available.
* SEM bootstrap of an indirect effect (web -> csat -> recompra, demo customers), 500
  replicates: ``analyze_sem(bootstrap=500)`` (moments of each resample, Fisher scoring
  warm-started at the full-sample estimate) vs semopy refitting each resample; semopy
  runs fewer replicates (the same resample indices as ours, so the draws of the
  indirect effect must agree) and its time is extrapolated per replicate.
* lavaan 0.6 (R), when available: CFA, invariance and ``se = "bootstrap"``, timed inside R
  with system.time (no R start-up), reported as separate rows against our median of the
  same run.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _data, _rpeer  # noqa: E402
from benchmarks._timing import Row, compare_row, interleaved, timed  # noqa: E402

SIZES = {
    "full":  {"cfa_rep": 9, "cfa10_rep": 5, "inv_rep": 5, "boot": 500, "boot_rep": 3, "semopy_boot": 25,
              "demo_n": 2000, "factors": 10, "r_rep": 5, "r_boot_rep": 2},
    "quick": {"cfa_rep": 3, "cfa10_rep": 2, "inv_rep": 2, "boot": 100, "boot_rep": 1, "semopy_boot": 4,
              "demo_n": 2000, "factors": 10, "r_rep": 2, "r_boot_rep": 1},
    "tiny":  {"cfa_rep": 1, "cfa10_rep": 1, "inv_rep": 1, "boot": 10, "boot_rep": 1, "semopy_boot": 2,
              "demo_n": 300, "factors": 3, "r_rep": 1, "r_boot_rep": 1},
}

MEDIATION = """
web =~ web_1 + web_2 + web_3
csat ~ a*web
recompra ~ b*csat + c*web
ind := a*b
"""


def _quiet():
    import warnings

    warnings.filterwarnings("ignore", module="semopy")
    warnings.filterwarnings("ignore", category=RuntimeWarning)


def _key(lhs, op, rhs):
    return (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))


def semopy_estimates(ins, factors) -> dict:
    """semopy inspect() -> {(lhs, op, rhs): est} in lavaan's notation (semopy writes a loading
    as ``item ~ factor``)."""
    out = {}
    for r in ins.itertuples(index=False):
        if r.op == "~" and r.rval in factors and r.lval not in factors:
            key = (r.rval, "=~", r.lval)
        else:
            key = _key(r.lval, r.op, r.rval)
        out[key] = float(r.Estimate)
    return out


def ours_estimates(est) -> dict:
    return {_key(r.lhs, r.op, r.rhs): float(r.est) for r in est.itertuples(index=False)
            if r.op in ("=~", "~", "~~")}


def max_diff(a: dict, b: dict) -> float:
    common = set(a) & set(b)
    if not common:
        return float("inf")
    return max(abs(a[k] - b[k]) for k in common)


# ---------------------------------------------------------------------------------- CFA
def cfa_cases(size: str):
    s = SIZES[size]
    hs = _data.hs()
    cases = [("CFA HS 3 factors, 9 items", _data.HS_MODEL, hs[_data.HS_ITEMS], s["cfa_rep"])]
    sv = _data.demo_survey(s["demo_n"], 50).data
    scales = _data.demo_scales()
    k = s["factors"]
    items = [i for c in list(scales)[:k] for i in scales[c]]
    demo = sv.loc[sv["respondent_type"] == "customer", items].dropna().reset_index(drop=True)
    cases.append((f"CFA demo {k} factors, {len(items)} items", _data.demo_cfa_model(scales, k), demo,
                  s["cfa10_rep"]))
    return cases


def bench_cfa(size: str, r_ok: bool) -> list[Row]:
    import semopy

    from cxstats.stats.sem import fit_sem

    _quiet()
    rows = []
    s = SIZES[size]
    for label, model, data, rep in cfa_cases(size):
        factors = {line.split("=~")[0].strip() for line in model.strip().splitlines()}

        def ours():
            return fit_sem(model, data).estimates()

        def peer():
            m = semopy.Model(model)
            m.fit(data)
            return m.inspect()

        res = interleaved(ours, peer, rep)
        o = ours_estimates(res["ours_out"])
        diff = max_diff(o, semopy_estimates(res["peer_out"], factors))
        rows.append(compare_row(f"{label} (n = {len(data):,})", res, peer=f"semopy {semopy.__version__} fit+inspect",
                                check="max |estimate diff|", diff=diff, tol=2e-3,
                                note="both: estimates + SEs; semopy SLSQP stops ~1e-3 short of the optimum",
                                extra={"ours_times": res["ours_times"]}))
        if r_ok:
            rows.append(_lavaan_cfa(label, model, data, s["r_rep"], res["ours_median"], o))
    return rows


def _write_csv(frame) -> Path:
    path = _data.tempdir("cxbench-r-") / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _lavaan_cfa(label, model, data, rep, ours_median, ours_est) -> Row:
    path = _write_csv(data)
    out = _rpeer.run(f"""
d <- read.csv({_rpeer.r_string(str(path))})
model <- {_rpeer.r_string(model)}
r <- bench(function() parameterEstimates(cfa(model, data = d)), {rep})
pe <- r$out
emit(list(median = r$median, times = I(r$times), lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est))
""")
    lav = {_key(a, b, c): float(e) for a, b, c, e in zip(out["lhs"], out["op"], out["rhs"], out["est"])
           if b in ("=~", "~", "~~")}
    return Row(task=f"{label} (n = {len(data):,})", ours_s=ours_median,
               peer=f"lavaan {_rpeer.available()} cfa+parameterEstimates (R)", peer_s=float(out["median"]),
               check="max |estimate diff|", max_abs_diff=max_diff(ours_est, lav), tol=1e-4,
               runs=f"-/{len(out['times'])}", note="lavaan timed inside R (system.time), no R start-up; "
                                                    "ours = median of the semopy row's runs")


# ---------------------------------------------------------------------------------- invariance
def bench_invariance(size: str, r_ok: bool) -> list[Row]:
    from cxstats.stats.invariance import analyze_invariance

    s = SIZES[size]
    hs = _data.hs()[_data.HS_ITEMS + ["school"]]
    med, times, res = timed(lambda: analyze_invariance(hs, _data.HS_MODEL, "school"), s["inv_rep"])
    chisq = [st["chisq"] for st in res.steps]
    row = Row(task=f"invariance HS by school, 4 steps (n = {len(hs)})", ours_s=med,
              peer="semopy: no invariance sequence", runs=f"{len(times)}/-",
              note=f"ours only; verdict: {res.level}", extra={"chisq": chisq})
    rows = [row]
    if r_ok:
        path = _write_csv(hs)
        out = _rpeer.run(f"""
d <- read.csv({_rpeer.r_string(str(path))})
model <- {_rpeer.r_string(_data.HS_MODEL)}
steps <- list("", "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals"))
r <- bench(function() lapply(steps, function(ge) cfa(model, data = d, group = "school", group.equal = ge)),
           {s["r_rep"]})
emit(list(median = r$median, times = I(r$times), chisq = sapply(r$out, fitMeasures, "chisq")))
""")
        diff = max(abs(a - b) for a, b in zip(chisq, out["chisq"]))
        rows.append(Row(task=row.task, ours_s=med, peer=f"lavaan {_rpeer.available()} 4 x cfa(group.equal) (R)",
                        peer_s=float(out["median"]), check="max |chisq diff| over steps", max_abs_diff=diff,
                        tol=1e-3, runs=f"{len(times)}/{len(out['times'])}",
                        note="lavaan timed inside R (system.time), no R start-up; "
                             "ours: 4 fits + fit measures + LRT table"))
    return rows


# ---------------------------------------------------------------------------------- SEM bootstrap
def mediation_data(n_customers: int):
    sv = _data.demo_survey(n_customers, 50).data
    cols = ["web_1", "web_2", "web_3", "csat", "recompra"]
    return sv.loc[sv["respondent_type"] == "customer", cols].dropna().reset_index(drop=True)


def semopy_bootstrap(data, replicates: int, seed: int):
    """The peer: refit semopy on each resample (same indices as cxstats's bootstrap)."""
    import numpy as np
    import semopy

    desc = "\n".join(line for line in MEDIATION.strip().splitlines() if ":=" not in line)
    rng = np.random.default_rng(seed)
    n = len(data)
    out = []
    for _ in range(replicates):
        m = semopy.Model(desc)
        m.fit(data.iloc[rng.integers(0, n, n)])
        vals = dict(zip([k for k, p in m.parameters.items() if p.active], m.param_vals))
        out.append(vals["a"] * vals["b"])
    return np.array(out)


def bench_bootstrap(size: str, r_ok: bool) -> list[Row]:
    import numpy as np
    import semopy

    from cxstats.stats.sem import fit_sem
    from cxstats.stats.sem_analysis import analyze_sem, bootstrap_sem

    _quiet()
    s = SIZES[size]
    data = mediation_data(s["demo_n"])
    B, K = s["boot"], s["semopy_boot"]
    res = interleaved(lambda: analyze_sem(data, MEDIATION, bootstrap=B, seed=1),
                      lambda: semopy_bootstrap(data, K, 1), s["boot_rep"], warmup=False)
    fit = fit_sem(MEDIATION, data)
    _, draws, failed = bootstrap_sem(fit, data, replicates=K, seed=1)
    diff = float(np.max(np.abs(draws[:, 0] - res["peer_out"]))) if not failed else float("inf")
    eff = res["ours_out"].effect("ind")
    rows = [compare_row(f"SEM bootstrap, indirect effect, {B} replicates (n = {len(data):,})", res,
                        peer=f"semopy {semopy.__version__} refit per replicate", peer_scale=B / K,
                        check=f"max |ind draw diff| (first {K})", diff=diff, tol=2e-3,
                        note=f"semopy ran {K} replicates (fit only, no SEs) x {B // K} extrapolated; "
                             f"ours: full analyze_sem (fit, SEs, std, fit indices, {B} refits, CIs)",
                        extra={"ours_ind": eff.get("est"), "ours_boot_se": eff.get("boot_se")})]
    if r_ok:
        path = _write_csv(data)
        out = _rpeer.run(f"""
d <- read.csv({_rpeer.r_string(str(path))})
model <- {_rpeer.r_string(MEDIATION)}
set.seed(1)
r <- bench(function() sem(model, data = d, se = "bootstrap", bootstrap = {B}), {s["r_boot_rep"]},
           warmup = function() sem(model, data = d))
pe <- parameterEstimates(r$out)
i <- which(pe$op == ":=")
emit(list(median = r$median, times = I(r$times), est = pe$est[i], se = pe$se[i]))
""", timeout=1800)
        rows.append(Row(task=rows[0].task, ours_s=res["ours_median"],
                        peer=f"lavaan {_rpeer.available()} sem(se = 'bootstrap') (R)", peer_s=float(out["median"]),
                        check="|ind estimate diff|", max_abs_diff=abs(float(out["est"]) - eff["est"]), tol=1e-4,
                        runs=f"{len(res['ours_times'])}/{len(out['times'])}",
                        note=f"bootstrap SE of ind: ours {eff.get('boot_se'):.4f}, lavaan {float(out['se']):.4f} "
                             "(different resamples); lavaan timed inside R"))
    return rows


def rows(size: str = "full", r_peers: bool = True) -> list[Row]:
    r_ok = bool(r_peers and _rpeer.available("lavaan"))
    out = bench_cfa(size, r_ok) + bench_invariance(size, r_ok) + bench_bootstrap(size, r_ok)
    if r_peers and not r_ok:
        out.append(Row(task="lavaan rows", ours_s=float("nan"), note=_rpeer.skip_reason("lavaan")))
    return out


if __name__ == "__main__":
    from benchmarks.run_all import main

    main(["--only", "sem", *sys.argv[1:]])
