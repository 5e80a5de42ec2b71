"""Benchmark: PLS-SEM on the ECSI mobi model (250 x 24), ours vs the PyPI port of seminr.

Run:  .venv/bin/python benchmarks/bench_pls.py [--size full|quick|tiny]

Rows (ours vs the peer in the same run, interleaved; ratio = peer / ours):
* PLSc estimation of the seven-construct ECSI model (factorial scheme):
  ``analyze_pls(..., bootstrap=0, predict_folds=0)`` (with every quality criterion and the IPMA)
  vs ``seminr.estimate_pls``; check: max |path difference| (both match R seminr to 1e-6).
* Bootstrap of the same model as classic PLS (mode A composites: PLSc on this model is unstable
  under resampling, some resamples give disattenuated correlations above 1 and paths beyond ±10 in
  both implementations, so its bootstrap SEs are not a stable check), B resamples on one core: ours (percentile and BCa: the BCa needs a
  jackknife of 250 more estimations, counted in our time) vs ``seminr.bootstrap_model(cores=1)``
  (percentile only). The resamples differ (different generators), so the check is the largest
  difference of the paths' bootstrap standard errors, within a tolerance for Monte Carlo error.

The seminr port is a peer here, not a reference: the references are R seminr's own fixtures
(tests/test_pls.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import compare_row, interleaved  # noqa: E402

SIZES = {"full": {"est_rep": 7, "boot": 1000, "boot_rep": 3, "tol": 0.01},
         "quick": {"est_rep": 3, "boot": 300, "boot_rep": 1, "tol": 0.02},
         "tiny": {"est_rep": 1, "boot": 40, "boot_rep": 1, "tol": 0.05}}
ROOT = Path(__file__).resolve().parents[1]
ECSI = """Image =~ IMAG1+IMAG2+IMAG3+IMAG4+IMAG5
Expectation =~ CUEX1+CUEX2+CUEX3
Quality =~ PERQ1+PERQ2+PERQ3+PERQ4+PERQ5+PERQ6+PERQ7
Value =~ PERV1+PERV2
Satisfaction =~ CUSA1+CUSA2+CUSA3
Complaints =~ CUSCO
Loyalty =~ CUSL1+CUSL2+CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
"""
BLOCKS = {"Image": ("IMAG", 5), "Expectation": ("CUEX", 3), "Quality": ("PERQ", 7), "Value": ("PERV", 2),
          "Satisfaction": ("CUSA", 3), "Loyalty": ("CUSL", 3)}
PATHS = [("Image", "Expectation"), ("Expectation", "Quality"), ("Expectation", "Value"), ("Quality", "Value"),
         ("Image", "Satisfaction"), ("Expectation", "Satisfaction"), ("Quality", "Satisfaction"),
         ("Value", "Satisfaction"), ("Satisfaction", "Complaints"), ("Image", "Loyalty"),
         ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty")]


def seminr_model(S, mobi, consistent=True):
    kind = S.reflective if consistent else S.composite
    mm = S.constructs(*[kind(c, S.multi_items(p, range(1, k + 1))) for c, (p, k) in BLOCKS.items()],
                      kind("Complaints", S.single_item("CUSCO")))
    sm = S.relationships(*[S.paths(from_=f, to=t) for f, t in PATHS])
    return S.estimate_pls(mobi, mm, sm, inner_weights=S.path_factorial)


def _peer_paths(m) -> dict:
    pc = m.path_coef
    rows, cols = list(pc.rows), list(pc.cols)
    return {(f, t): float(pc.values[rows.index(f), cols.index(t)]) for f, t in PATHS}


def rows(size: str = "full", r_peers: bool = True) -> list:
    import pandas as pd
    import seminr as S

    from cxstats.stats.pls import analyze_pls

    cfg = SIZES[size]
    mobi = pd.read_csv(ROOT / "tests" / "fixtures" / "data" / "mobi.csv")

    def ours_est():
        r = analyze_pls(mobi, ECSI, scheme="factorial", predict_folds=0)
        return {(p["rhs"], p["lhs"]): p["est"] for p in r.to_dict()["paths"]}

    res = interleaved(ours_est, lambda: _peer_paths(seminr_model(S, mobi)), cfg["est_rep"])
    diff = max(abs(res["ours_out"][k] - res["peer_out"][k]) for k in PATHS)
    out = [compare_row("PLSc ECSI mobi: estimate + quality criteria", res, peer="seminr (PyPI port)",
                       check="max |path diff|", diff=diff, tol=1e-6)]

    b = cfg["boot"]

    def ours_boot():
        r = analyze_pls(mobi, ECSI, scheme="factorial", consistent=False, bootstrap=b, seed=1, predict_folds=0)
        return {(p["rhs"], p["lhs"]): p["se"] for p in r.to_dict()["paths"]}

    def peer_boot():
        bm = S.bootstrap_model(seminr_model(S, mobi, consistent=False), nboot=b, seed=1, cores=1)
        return _peer_se(bm.boot_paths)

    res = interleaved(ours_boot, peer_boot, cfg["boot_rep"])
    peer_se = res["peer_out"]
    diff = max(abs(res["ours_out"][k] - peer_se[k]) for k in PATHS) if peer_se else float("nan")
    out.append(compare_row(f"PLS ECSI bootstrap, {b} resamples (ours also BCa)", res, peer="seminr (PyPI port)",
                           check="max |path SE diff|", diff=diff, tol=cfg["tol"],
                           note="different resamples: SEs agree within Monte Carlo error; ours includes the "
                                "BCa jackknife (250 estimations)"))
    return out


def _peer_se(boot_paths) -> dict:
    """Bootstrap SD of each path from the port's replicates (one named path matrix each)."""
    import numpy as np

    rows, cols = list(boot_paths[0].rows), list(boot_paths[0].cols)
    arr = np.stack([np.asarray(m.values, dtype=float) for m in boot_paths])
    return {(f, t): float(np.std(arr[:, rows.index(f), cols.index(t)], ddof=1)) for f, t in PATHS}


if __name__ == "__main__":
    import argparse

    from benchmarks._timing import pin_blas_threads

    pin_blas_threads(1)
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="full", choices=list(SIZES))
    args = ap.parse_args()
    for row in rows(args.size):
        print(row.to_dict())
