"""Peak memory of one DuckDB pass over a Parquet demo folder: the moments (30 items' cross-products)
against the respondent-id check (GROUP BY id), to tell which part of the engine's memory grows with
the rows. Each measurement in its own process (ru_maxrss).

    cxstats demo /tmp/pq1m --format parquet --customers 1000000 -q
    cxstats demo /tmp/pq10m --format parquet --customers 10000000 -q
    .venv/bin/python benchmarks/bench_engine_memory.py /tmp/pq1m /tmp/pq10m
"""

from __future__ import annotations

import json
import subprocess
import sys

CODE = r"""
import resource, sys, time, duckdb
con = duckdb.connect(); con.execute("SET memory_limit='1GB'"); con.execute('SET enable_progress_bar = false')
src = f"read_parquet('{sys.argv[1]}/customers/*.parquet')"
t = time.perf_counter()
if sys.argv[2] == "ids":
    con.execute(f"SELECT count(*) FROM (SELECT id_respuesta FROM {src} GROUP BY id_respuesta HAVING count(*) > 1)").fetchall()
else:
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall() if r[1] == 'TINYINT'][:30]
    con.execute("SELECT " + ", ".join(f"sum(CAST({a} AS DOUBLE) * {b})" for i, a in enumerate(cols) for b in cols[i:])
                + f" FROM {src}").fetchall()
print(round(time.perf_counter() - t, 2), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def main(argv=None) -> int:
    folders = (argv if argv is not None else sys.argv[1:]) or []
    if not folders:
        print(__doc__)
        return 2
    out = []
    for folder in folders:
        for kind in ("moments", "ids"):
            s, rss = subprocess.run([sys.executable, "-c", CODE, folder, kind], capture_output=True, text=True,
                                    check=True).stdout.split()[-2:]
            out.append({"folder": folder, "pass": kind, "seconds": float(s), "peak_rss_mib": int(rss)})
            print(f"{folder:30s} {kind:8s} {float(s):7.2f} s {int(rss):6d} MiB")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
