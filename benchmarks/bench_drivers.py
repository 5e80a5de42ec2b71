"""Benchmark: exact relative importance (LMG) and bootstrap speed; agreement with pingouin.

Run:  .venv/bin/python benchmarks/bench_drivers.py [--repeats N] [--skip-25] [--skip-pingouin]

Prints medians of repeated runs (wall clock, time.perf_counter). Targets (issue 6):
* exact LMG, 20 drivers:                      <= 1 s
* 15 drivers vs pingouin 0.7 relimp=True:      >= 100x faster (same run, same data)
* exact up to 25 drivers, peak memory ~ the 2^25 float64 R² array (256 MiB)
* bootstrap, 1,000 replicates, 12 drivers, n = 5,000: <= 10 s
A script, not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import timed  # noqa: E402
from benchmarks._timing import vm as _vm  # noqa: E402
from cxstats.stats.drivers import analyze_drivers  # noqa: E402
from cxstats.stats.drivers.subsets import all_subset_r2, lmg_batch  # noqa: E402


def make_data(p: int, n: int, seed: int = 1) -> pd.DataFrame:
    """Correlated drivers (one common factor + noise) and an outcome."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = 0.6 * common + rng.normal(size=(n, p)) * 0.8
    beta = rng.uniform(0.05, 0.6, size=p)
    y = x @ beta + rng.normal(size=n) * 1.5
    cols = [f"x{j + 1}" for j in range(p)]
    return pd.DataFrame(x, columns=cols).assign(y=y)


def exact_lmg(frame: pd.DataFrame) -> np.ndarray:
    """Data -> correlation matrix -> R² of all 2^p subsets -> exact LMG."""
    corr = np.corrcoef(frame.to_numpy(), rowvar=False)
    p = corr.shape[0] - 1
    return lmg_batch(all_subset_r2(corr), p)


def bench_25() -> dict:
    frame = make_data(25, 2000)
    before = _vm("VmHWM")
    t = time.perf_counter()
    lmg = exact_lmg(frame)
    dt = time.perf_counter() - t
    return {"seconds": dt, "peak_rss_mib": _vm("VmHWM"), "rss_before_mib": before,
            "lmg_sum_minus_r2": float(lmg.sum() - _r2(frame))}


def _r2(frame):
    corr = np.corrcoef(frame.to_numpy(), rowvar=False)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    return float(rxy @ np.linalg.solve(rxx, rxy))


DRIVER_SIZES = {"full": {"p": 15, "n": 1000, "rep": 5, "pg_rep": 2},
                "quick": {"p": 12, "n": 1000, "rep": 3, "pg_rep": 1},
                "tiny": {"p": 6, "n": 300, "rep": 1, "pg_rep": 1}}


def rows(size: str = "full", r_peers: bool = True) -> list:
    """The run_all row: exact LMG (data -> correlations -> all-subsets R² -> LMG) vs
    pingouin ``linear_regression(relimp=True)``, interleaved in one run."""
    import pingouin as pg

    from benchmarks._timing import compare_row, interleaved

    s = DRIVER_SIZES[size]
    frame = make_data(s["p"], s["n"])
    cols = [c for c in frame.columns if c != "y"]
    res = interleaved(lambda: exact_lmg(frame), lambda: pg.linear_regression(frame[cols], frame["y"], relimp=True),
                      s["rep"], s["pg_rep"])
    diff = float(np.abs(res["ours_out"] - res["peer_out"]["relimp"].to_numpy()[1:]).max())
    return [compare_row(f"exact LMG relative importance, {s['p']} drivers (n = {s['n']:,})", res,
                        peer=f"pingouin {pg.__version__} linear_regression(relimp=True)",
                        check="max |LMG ours - relimp|", diff=diff, tol=1e-10,
                        note="full analyze_drivers timings: bench_drivers.py")]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5, help="repeats for our timings (median)")
    ap.add_argument("--pingouin-repeats", type=int, default=3)
    ap.add_argument("--skip-pingouin", action="store_true")
    ap.add_argument("--skip-25", action="store_true")
    ap.add_argument("--only-25", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.only_25:
        print(json.dumps(bench_25()))
        return

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    results = {}
    # 1. exact LMG by number of drivers
    for p in (10, 15, 20):
        frame = make_data(p, 2000)
        med, times, lmg = timed(lambda: exact_lmg(frame), args.repeats)
        err = abs(lmg.sum() - _r2(frame))
        results[f"lmg_p{p}"] = med
        print(f"exact LMG, {p:2d} drivers (n = 2000): median {med:.4f} s over {len(times)} runs "
              f"(min {min(times):.4f}); |sum(LMG) - R²| = {err:.1e}")
    frame = make_data(20, 2000)
    cols = [c for c in frame.columns if c != "y"]
    med, times, _ = timed(lambda: analyze_drivers(frame, "y", cols), max(1, args.repeats // 2))
    print(f"full analyze_drivers, 20 drivers (OLS, LMG, dominance incl. complete, RW, Pratt, IPA): "
          f"median {med:.3f} s")

    # 2. versus pingouin 0.7 at 15 drivers
    if not args.skip_pingouin:
        import pingouin as pg

        frame = make_data(15, 1000)
        cols = [c for c in frame.columns if c != "y"]
        ours_med, ours_t, ours = timed(lambda: exact_lmg(frame), max(args.repeats, 5))
        pg_med, pg_t, theirs = timed(lambda: pg.linear_regression(frame[cols], frame["y"], relimp=True),
                                     args.pingouin_repeats)
        diff = np.abs(ours - theirs["relimp"].to_numpy()[1:]).max()
        results["pingouin_ratio"] = pg_med / ours_med
        print(f"15 drivers (n = 1000): ours median {ours_med:.4f} s ({len(ours_t)} runs); pingouin "
              f"{pg.__version__} linear_regression(relimp=True) median {pg_med:.2f} s ({len(pg_t)} runs); "
              f"ratio {pg_med / ours_med:.0f}x; max |LMG ours - relimp pingouin| = {diff:.1e}")

    # 3. bootstrap: 1,000 replicates, 12 drivers, n = 5,000
    frame = make_data(12, 5000)
    cols = [c for c in frame.columns if c != "y"]
    med, times, res = timed(lambda: analyze_drivers(frame, "y", cols, bootstrap=1000, seed=1),
                            max(1, min(3, args.repeats)))
    res.to_dict()
    results["bootstrap"] = med
    print(f"bootstrap 1000 replicates, 12 drivers, n = 5000 (percentile + BCa, 4 measures + ranks, "
          f"jackknife {res.bootstrap.jackknife_groups} groups): median {med:.2f} s ({len(times)} runs)")

    # 4. 25 drivers in a fresh process (peak memory)
    if not args.skip_25:
        out = subprocess.run([sys.executable, __file__, "--only-25"], capture_output=True, text=True,
                             check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"exact LMG, 25 drivers (n = 2000): {r['seconds']:.2f} s; peak RSS {r['peak_rss_mib']:.0f} MiB "
              f"(peak before the call: {r['rss_before_mib']:.0f} MiB; the R² array is 256 MiB); "
              f"|sum(LMG) - R²| = {abs(r['lmg_sum_minus_r2']):.1e}")
    return results


if __name__ == "__main__":
    main()
