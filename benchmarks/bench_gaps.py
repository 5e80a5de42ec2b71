"""Benchmark: gap analysis, 30 items x 2 groups, n = 50,000.

Run:  .venv/bin/python benchmarks/bench_gaps.py [--size full|quick|tiny]

Ours: ``analyze_gaps(data, group, items=...)`` - per item n, mean, SD, top-2-box, Welch t
(with CI), Mann-Whitney (tie + continuity corrected), Hedges' g with CI, Holm and BH
adjustments. Peer: the straightforward scipy loop, ``ttest_ind(equal_var=False)`` and
``mannwhitneyu(method="asymptotic")`` per item (NaN dropped per item). Check: max abs
difference of Welch t, its p, U and the Mann-Whitney p.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import Row, compare_row, interleaved  # noqa: E402

SIZES = {"full": {"n": 50_000, "items": 30, "rep": 5},
         "quick": {"n": 50_000, "items": 30, "rep": 2},
         "tiny": {"n": 1_000, "items": 5, "rep": 1}}


def make_data(n: int, k: int, seed: int = 3):
    """Answers 1..5 for ``k`` items, 80 % customers / 20 % staff, staff rating 0.3 higher,
    2 % missing."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    staff = rng.random(n) < 0.2
    common = rng.normal(size=(n, 1))
    ystar = 3.2 + 0.3 * staff[:, None] + 0.7 * common + rng.normal(size=(n, k)) * 0.8
    x = np.clip(np.floor(ystar + 0.5), 1, 5)
    x[rng.random((n, k)) < 0.02] = np.nan
    items = [f"q{j + 1:02d}" for j in range(k)]
    df = pd.DataFrame(x, columns=items)
    df["group"] = np.where(staff, "staff", "customer")
    return df, items


def scipy_loop(df, items, g1: str = "customer", g2: str = "staff"):
    import numpy as np
    from scipy import stats

    m1, m2 = (df["group"] == g1).to_numpy(), (df["group"] == g2).to_numpy()
    out = {}
    for it in items:
        v = df[it].to_numpy(float)
        a, b = v[m1], v[m2]
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        t = stats.ttest_ind(a, b, equal_var=False)
        u = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True, method="asymptotic")
        out[it] = (float(t.statistic), float(t.pvalue), float(u.statistic), float(u.pvalue))
    return out


def bench_gaps(size: str) -> list[Row]:
    import scipy

    from cxstats.stats.gaps import analyze_gaps

    s = SIZES[size]
    df, items = make_data(s["n"], s["items"])

    def ours():
        res = analyze_gaps(df, "group", items=items, compare=("customer", "staff"), scale_max=5)
        return {r["name"]: (r["welch_t"], r["pvalue"], r["mw_u"], r["mw_pvalue"])
                for r in res.rows if r["level"] == "item"}

    res = interleaved(ours, lambda: scipy_loop(df, items), s["rep"])
    o, p = res["ours_out"], res["peer_out"]
    diff = max(abs(a - b) for it in items for a, b in zip(o[it], p[it]))
    rel_t = max(abs(o[it][0] - p[it][0]) / abs(p[it][0]) for it in items)
    return [compare_row(f"gap analysis, {s['items']} items x 2 groups (n = {s['n']:,})", res,
                        peer=f"scipy {scipy.__version__} loop: ttest_ind + mannwhitneyu",
                        check="max |t, p, U, p_mw diff|", diff=diff, tol=1e-6,
                        note="ours adds SD, top-2-box, Welch CI, Hedges' g + CI, Holm/BH; "
                             f"max relative t diff {rel_t:.1e}")]


def rows(size: str = "full", r_peers: bool = True) -> list[Row]:
    return bench_gaps(size)


if __name__ == "__main__":
    from benchmarks.run_all import main

    main(["--only", "gaps", *sys.argv[1:]])
