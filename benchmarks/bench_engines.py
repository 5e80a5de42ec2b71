"""pandas vs DuckDB on the demo study replicated to N customer responses (default 1,000,000).

    .venv/bin/python benchmarks/bench_engines.py                 # 1M rows, 3 repeats each
    .venv/bin/python benchmarks/bench_engines.py --rows 100000 --repeats 1 --json out.json
    .venv/bin/python benchmarks/bench_engines.py --rows 3000000,10000000 --engines duckdb-parquet --repeats 1

The demo's customers (2,000) and staff (200) are replicated with fresh ids (customers x k,
staff x k/10) into CSV and Parquet (written by DuckDB, so generating them holds no rows in
Python). Each measurement is one ``cxstats run PLAN`` (steps reliability, nps, cfa, gaps and drivers with
``engine: E``; every number compared, drivers' HC3 SEs and penalty-reward included)
in its own process (ingest/recoding included), alternating the engines; the table gives the median wall
time and the median peak RSS of the process (``wait4``'s ru_maxrss), and checks that every
number of the JSON agrees (relative 1e-9). Not part of run_all (it takes minutes at 1M rows).

``--source generator`` takes the data from ``cxstats demo --format parquet`` instead (every row drawn
from the model, written in parts of 250,000: customers/ as a folder of Parquet parts, ``--staff``
staff, default 20,000), and the CSV inputs are copied from those Parquet files by DuckDB:

    .venv/bin/python benchmarks/bench_engines.py --source generator --rows 10000000 --engines duckdb-parquet --repeats 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_data(folder: Path, rows: int, formats=("csv", "parquet")) -> dict:
    import duckdb

    subprocess.run([sys.executable, "-m", "cxstats", "demo", str(folder / "demo")], check=True,
                   capture_output=True, env=_env())
    demo = folder / "demo"
    k = max(1, rows // 2000)
    con = duckdb.connect()
    out = {"spec": demo / "questionnaire.yaml", "k": k}
    for name, times in (("customers", k), ("staff", max(1, k // 10))):
        src = demo / f"{name}.csv"
        sel = (f"SELECT * REPLACE (id_respuesta || '-' || CAST(r AS VARCHAR) AS id_respuesta) "
               f"FROM read_csv('{src}', all_varchar = true) CROSS JOIN range({times}) t(r)")
        for fmt, ext in (("csv", "csv"), ("parquet", "parquet")):
            if fmt not in formats:
                continue
            path = folder / f"{name}_{rows}.{ext}"
            opts = "(HEADER, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet)"
            con.execute(f"COPY ({sel}) TO '{path}' {opts}")
            out[(name, fmt)] = path
    con.close()
    return out


def make_generated_data(folder: Path, rows: int, formats=("csv", "parquet"), staff: int = 20_000) -> dict:
    """The inputs from the chunked generator (``cxstats demo --format parquet``): customers as a folder
    of Parquet parts, staff as one file; CSV copies written by DuckDB (out of core) when asked for."""
    import duckdb

    demo = folder / "gen"
    subprocess.run([sys.executable, "-m", "cxstats", "demo", str(demo), "--format", "parquet", "--customers",
                    str(rows), "--staff", str(staff), "-q"], check=True, capture_output=True, env=_env())
    out = {"spec": demo / "questionnaire.yaml", "k": None, "staff": staff}
    con = duckdb.connect()
    for name, src in (("customers", demo / "customers"), ("staff", demo / "staff.parquet")):
        out[(name, "parquet")] = src
        if "csv" in formats:
            path = folder / f"{name}_{rows}.csv"
            glob = src / "*.parquet" if src.is_dir() else src
            con.execute(f"COPY (SELECT * FROM read_parquet('{glob}')) TO '{path}' (HEADER, DELIMITER ',')")
            out[(name, "csv")] = path
    con.close()
    return out


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


STEPS = ("reliability", "nps", "cfa", "gaps", "drivers")
# the row bootstrap and robust (MLR) SEs are pandas-only; the demo spec's analysis.estimator may ask for MLR
STEP_OPTIONS = {"drivers": "    bootstrap: 0\n", "cfa": "    estimator: ML\n"}
ROW_LEVEL = ()   # every number is compared: HC3 and penalty-reward are computed on the engines too


PASSES = {}   # label -> the plan JSON's "engines" (the passes over the data), from the last run


def measure(args, json_path) -> tuple[float, float, dict]:
    """Run ``cxstats ARGS`` under a fresh Python parent so that RUSAGE_CHILDREN is its own."""
    code = ("import json,os,resource,subprocess,sys,time;t=time.perf_counter();"
            "p=subprocess.run(sys.argv[1:],capture_output=True);e=time.perf_counter()-t;"
            "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024;"
            "sys.stderr.write(p.stderr.decode()[-3000:]);"
            "print(json.dumps({'rc':p.returncode,'s':e,'rss':r,'out':p.stdout.decode()}))")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "cxstats", *map(str, args)],
                          capture_output=True, env=_env())
    res = json.loads(proc.stdout)
    if res["rc"]:
        raise RuntimeError(proc.stderr.decode()[-2000:])
    doc = json.loads(Path(json_path).read_text(encoding="utf-8"))
    PASSES[str(json_path)] = {k: v.get("passes") for k, v in (doc.get("engines") or {}).items()}
    return res["s"], res["rss"], _results(doc)


def _results(doc):
    """The analyses' numbers of a plan's JSON (without the echo of the plan, paths and times)."""
    return _without_row_level({k: v for k, v in doc.items()
                               if k not in ("inputs", "outputs", "plan", "created", "cxstats_version",
                                            "timings", "elapsed", "engines")})


def _without_row_level(doc):
    """``doc`` without drivers' row-level numbers and the engines' note about them."""
    if isinstance(doc, dict):
        return {k: _without_row_level(v) for k, v in doc.items() if k not in ROW_LEVEL and k != "engine"}
    if isinstance(doc, list):
        return [_without_row_level(v) for v in doc
                if not (isinstance(v, str) and v.startswith("engine ") and ("HC3" in v or "penalty-reward" in v))]
    return doc


WORST = {"diff": 0.0, "path": ""}   # where the largest difference of the last comparisons is


def agree(a, b, rel=1e-9, path="") -> float:
    """Largest relative difference between two JSON documents (raises on a structural difference);
    its place in :data:`WORST`."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        return max([agree(a[k], b[k], rel, f"{path}.{k}") for k in a] + [0.0])
    if isinstance(a, list):
        assert len(a) == len(b), path
        return max([agree(x, y, rel, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b))] + [0.0])
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return 0.0
        d = abs(a - b) / max(abs(a), 1.0) if a != b else 0.0   # relative, absolute near 0
        if d > WORST["diff"]:
            WORST.update(diff=d, path=path)
        return d
    assert a == b, (path, a, b)
    return 0.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="1000000",
                    help="customer rows, or a comma list (e.g. 1000000,3000000,10000000): one table per size")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help=f"comma list of {', '.join(ENGINES)} (default all; pandas needs ~2.5 GB per 1M rows)")
    ap.add_argument("--json", dest="json_path")
    ap.add_argument("--source", choices=("replicate", "generator"), default="replicate",
                    help="replicate: the 2,000-row demo copied with fresh ids (default); generator: "
                         "cxstats demo --format parquet (every row drawn, Parquet parts)")
    ap.add_argument("--staff", type=int, default=20_000,
                    help="with --source generator: staff rows (default 20,000; the CLI's maximum)")
    a = ap.parse_args(argv)
    sizes = [int(x.replace("_", "")) for x in str(a.rows).split(",")]
    engines = [e.strip() for e in a.engines.split(",")]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        ap.error(f"--engines: unknown {sorted(unknown)}; choose from {', '.join(ENGINES)}")
    status, docs_out = 0, []
    for rows in sizes:
        rc, doc = _one_size(a, rows, [ENGINES[e] for e in engines])
        status = max(status, rc)
        docs_out.append(doc)
    if a.json_path:
        Path(a.json_path).write_text(json.dumps(docs_out[0] if len(docs_out) == 1 else docs_out, indent=2),
                                     encoding="utf-8")
    return status


ENGINES = {"pandas-csv": ("pandas (CSV)", "pandas", "csv"), "duckdb-csv": ("duckdb (CSV)", "duckdb", "csv"),
           "duckdb-parquet": ("duckdb (Parquet)", "duckdb", "parquet")}


def _load():
    try:
        return os.getloadavg()
    except OSError:
        return None


def _one_size(a, n_rows, chosen) -> tuple[int, dict]:
    a = argparse.Namespace(**{**vars(a), "rows": n_rows})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        formats = {fmt for _, _, fmt in chosen}
        if getattr(a, "source", "replicate") == "generator":
            data = make_generated_data(folder, a.rows, formats, staff=a.staff)
        else:
            data = make_data(folder, a.rows, formats)
        gen = time.perf_counter() - t0
        runs = {}
        for label, engine, fmt in chosen:
            plan = folder / f"plan_{engine}_{fmt}.yaml"
            plan.write_text(
                f"spec: {data['spec']}\nseed: 1\ndata:\n"
                f"  - file: {data[('customers', fmt)]}\n    respondent_type: customer\n"
                f"  - file: {data[('staff', fmt)]}\n    respondent_type: staff\n"
                f"output:\n  json: out.json\nsteps:\n" + "".join(
                    f"  - step: {step}\n    engine: {engine}\n" + STEP_OPTIONS.get(step, "")
                    for step in STEPS), encoding="utf-8")
            out = folder / f"out_{engine}_{fmt}"
            runs[label] = (["run", plan, "--out", out, "-q"], out / "out.json")
        times = {k: [] for k in runs}
        rss = {k: [] for k in runs}
        docs = {}
        load_before = _load()
        for rep in range(a.repeats):
            order = list(runs) if rep % 2 == 0 else list(reversed(runs))
            for k in order:
                s, r, doc = measure(*runs[k])
                times[k].append(s)
                rss[k].append(r)
                docs[k] = doc
        load_after = _load()
        first = next(iter(runs))
        WORST.update(diff=0.0, path="")
        worst = max(agree(docs[first], docs[k]) for k in runs)
        rows = []
        base = statistics.median(times[first])
        n_staff = data["staff"] if data.get("staff") else a.rows // 10
        source = ("drawn by cxstats demo --format parquet" if data.get("k") is None
                  else "the demo replicated")
        print(f"cxstats run: a plan with {', '.join(STEPS)} (defaults: 10 scales x customers/staff, NPS/CSAT/CES, "
              f"10-factor CFA by FIML), {a.rows:,} customer rows (+{n_staff:,} staff; {source}), medians of "
              f"{a.repeats}; data generated in {gen:.1f} s")
        print(f"load average before {load_before}, after {load_after}")
        print(f"{'engine':<18} {'median s':>9} {'peak RSS MiB':>13} {'speed-up':>9}")
        for k in runs:
            med, mem = statistics.median(times[k]), statistics.median(rss[k])
            rows.append({"engine": k, "median_s": med, "times_s": times[k], "peak_rss_mib": mem,
                         "peak_rss_mib_runs": rss[k], f"speedup_vs_{first}": base / med,
                         "passes": PASSES.get(str(runs[k][1]))})
            print(f"{k:<18} {med:>9.2f} {mem:>13.0f} {base / med:>8.1f}x")
        if len(runs) > 1:
            print(f"largest relative difference of any JSON number vs {first}: {worst:.1e} ({n_rows:,} rows; "
                  f"at {WORST['path'] or '-'})")
        doc = {"rows": a.rows, "repeats": a.repeats, "machine": platform.platform(), "cpus": os.cpu_count(),
               "steps": list(STEPS), "step_options": STEP_OPTIONS, "generate_s": gen,
               "source": getattr(a, "source", "replicate"), "staff_rows": n_staff,
               "duckdb_memory_limit": os.environ.get("CXSTATS_DUCKDB_MEMORY", "1GB (default)"),
               "load_average_before": load_before, "load_average_after": load_after,
               "results": rows, "max_rel_diff": worst if len(runs) > 1 else None}
        return (0 if worst < 1e-9 else 1), doc


if __name__ == "__main__":
    sys.exit(main())
