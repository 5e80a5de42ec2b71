"""Run every cxstats benchmark and print one table: task, our median, the peer's median
(measured in the same run, interleaved with ours), ratio = peer / ours (> 1: we are
faster) and the agreement check (max abs difference between our result and the peer's).

    make bench                                          # full run, about 4-5 minutes
    .venv/bin/python benchmarks/run_all.py --quick      # smaller sizes, fewer repeats, < 60 s
    .venv/bin/python benchmarks/run_all.py --json results.json --only sem,gaps
    .venv/bin/python benchmarks/run_all.py --no-r       # skip the lavaan (Rscript) rows

BLAS threads are pinned to 1 by default (OPENBLAS_NUM_THREADS etc., unless already set);
``--blas-threads default`` keeps numpy's own choice (see README: on a loaded 2-core
machine multi-threaded BLAS made small matrix products 10-30x slower).
Exit status 1 when a correctness check disagrees or a benchmark fails.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import math
import os
import platform
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _timing  # noqa: E402
from benchmarks._timing import Row, fmt_s, pin_blas_threads  # noqa: E402

MODULES = {  # name -> module under benchmarks/
    "measurement": "bench_measurement",
    "sem": "bench_sem",
    "ingest": "bench_ingest",
    "gaps": "bench_gaps",
    "drivers": "bench_drivers",
    "pls": "bench_pls",
}


def _machine(blas: str) -> dict:
    import numpy as np
    import pandas as pd
    import scipy

    try:
        load = os.getloadavg()
    except OSError:
        load = (math.nan,) * 3
    try:  # what the BLAS libraries actually use (threadpoolctl is optional)
        from threadpoolctl import threadpool_info

        effective = sorted({i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"})
    except Exception:
        effective = []
    return {"date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__,
            "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in load], "blas_threads": blas,
            "blas_threads_effective": effective,
            "platform": platform.platform()}


def format_table(rows: list[Row]) -> str:
    head = ["task", "ours", "peer", "peer median", "ratio", "check: max |diff|", "agree"]
    lines = []
    for r in rows:
        ratio = r.ratio
        agree = {True: "yes", False: "NO", None: "-"}[r.agrees]
        diff = "-" if not math.isfinite(r.max_abs_diff) else f"{r.max_abs_diff:.1e}"
        lines.append([r.task, fmt_s(r.ours_s), r.peer or "-", fmt_s(r.peer_s),
                      "-" if not math.isfinite(ratio) else (f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"),
                      diff, agree])
    widths = [max(len(str(x[i])) for x in lines + [head]) for i in range(len(head))]
    widths[0] = min(widths[0], 70)
    widths[2] = min(widths[2], 48)

    def fmt(cells):
        out = []
        for i, c in enumerate(cells):
            c = str(c)
            if len(c) > widths[i]:
                c = c[:widths[i] - 1] + "…"
            out.append(c.rjust(widths[i]) if i in (1, 3, 4, 5) else c.ljust(widths[i]))
        return "  ".join(out)

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), sep] + [fmt(x) for x in lines])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (< 60 s)")
    ap.add_argument("--size", choices=["full", "quick", "tiny"], help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="PATH", help="save machine info and every row as JSON")
    ap.add_argument("--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(MODULES)}")
    ap.add_argument("--no-r", action="store_true", help="skip the R (lavaan via Rscript) rows")
    ap.add_argument("--blas-threads", default="1", help="BLAS threads (default 1; 'default' = numpy's choice)")
    args = ap.parse_args(argv)
    blas = pin_blas_threads(None if args.blas_threads == "default" else int(args.blas_threads))
    size = args.size or ("quick" if args.quick else "full")
    _timing.WARMUP = size != "tiny"
    names = list(MODULES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(MODULES)}")

    info = _machine(blas)
    print(f"cxstats benchmarks ({size}) - {info['date']}, {info['cpus']} CPUs, load {info['load_average']}, "
          f"python {info['python']}, numpy {info['numpy']}, BLAS threads {blas} "
          f"(effective {info['blas_threads_effective'] or '?'})", flush=True)
    rows: list[Row] = []
    failed = []
    t_all = time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(f"benchmarks.{MODULES[name]}")
            new = mod.rows(size, r_peers=not args.no_r)
        except Exception as exc:  # a broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
            new = [Row(task=f"{name}: FAILED", ours_s=math.nan, note=f"{type(exc).__name__}: {exc}")]
        rows.extend(new)
        print(f"  {name}: {len(new)} rows in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - t_all
    print()
    print(format_table(rows))
    notes = [(i + 1, r.note) for i, r in enumerate(rows) if r.note]
    if notes:
        print("\nnotes:")
        for i, n in notes:
            print(f"  [{i}] {rows[i - 1].task}: {n}")
    disagree = [r.task for r in rows if r.agrees is False]
    print(f"\ntotal {total:.0f} s; ratio = peer median / ours median (> 1: cxstats is faster); "
          f"runs ours/peer per row in the JSON.")
    if disagree:
        print(f"CHECKS THAT DISAGREE: {disagree}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "size": size, "total_seconds": total,
                                               "rows": [r.to_dict() for r in rows]}, indent=2, default=str) + "\n")
        print(f"saved {args.json}")
    return 1 if (disagree or failed) else 0


if __name__ == "__main__":
    sys.exit(main())
