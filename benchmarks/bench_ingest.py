"""Benchmark: spec-driven ingest of a survey export (``cxstats.io.survey.load_survey``).

Run:  .venv/bin/python benchmarks/bench_ingest.py [--size full|quick|tiny]
      .venv/bin/python -m benchmarks.bench_ingest --memory ours|pandas FILE   (peak RSS, one process)

The demo customers file is scaled to 100,000 rows (rows repeated with new ids); 2 % of
the answer cells are replaced by the missing code 99 and 1 % by the answer label in
Spanish (e.g. "De acuerdo" for 4), so every path of the reader is exercised: labels,
missing codes, blanks, reverse keying, segment codes, id checks.

Rows (interleaved, ratio = peer / ours; a ratio below 1 means we are slower):
* ours vs ``pandas.read_csv(path)``: the lower bound (no validation, no recoding);
* ours vs ``read_csv`` + a hand-written vectorised recode (labels -> codes, 99 -> NaN,
  reverse keying), which is also the reference the check compares against
  (max |code ours - code pandas| over every scored column; NaN patterns must match).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _data  # noqa: E402
from benchmarks._timing import Row, compare_row, interleaved_many  # noqa: E402

SIZES = {"full": {"rows": 100_000, "rep": 3, "memory": True},
         "quick": {"rows": 10_000, "rep": 2, "memory": False},
         "tiny": {"rows": 500, "rep": 1, "memory": False}}


def make_file(n_rows: int, seed: int = 7) -> Path:
    """The demo customers file scaled to ``n_rows`` rows, with labels and missing codes."""
    import numpy as np
    import pandas as pd

    f = _data.demo_study(2000, 50)
    spec = f["spec"]
    base = pd.read_csv(f["customers.csv"], dtype=str, keep_default_na=False)
    reps = -(-n_rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:n_rows].copy()
    big[spec.respondents.id_column] = [f"C{i:07d}" for i in range(1, n_rows + 1)]
    rng = np.random.default_rng(seed)
    for col, scale in spec.scored_columns().items():
        v = big[col].to_numpy(dtype=object)
        u = rng.random(n_rows)
        if scale.missing:
            v[u < 0.02] = str(int(next(iter(scale.missing))))
        lab = (u >= 0.02) & (u < 0.03)
        for i in np.flatnonzero(lab):
            try:
                code = int(float(v[i]))
            except ValueError:
                continue
            if code in scale.labels:
                v[i] = next(iter(scale.labels[code].values()))
        big[col] = v
    path = _data.tempdir("cxbench-ingest-") / "customers_big.csv"
    big.to_csv(path, index=False)
    return path


def pandas_recode(path, spec):
    """The hand-written reference: read_csv + vectorised recoding of every scored column."""
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = {}
    for col, scale in spec.scored_columns().items():
        labels = {t: float(code) for code, texts in scale.labels.items() for t in texts.values()}
        labels.update({t: np.nan for code, texts in scale.missing.items() for t in texts.values()})
        codes, uniq = pd.factorize(raw[col].str.strip())
        u = pd.Series(uniq, dtype=object)
        uv = pd.to_numeric(u.where(~u.isin(list(labels)), None), errors="coerce").to_numpy(float)
        lab = u.isin(list(labels)).to_numpy()
        uv[lab] = u[lab].map(labels).to_numpy(float)
        uv[np.isin(uv, list(scale.missing))] = np.nan
        x = uv[codes]
        x[codes < 0] = np.nan
        out[col] = x
    for item in spec.items():
        if item.reverse:
            out[item.id] = item.scale.min + item.scale.max - out[item.id]
    return pd.DataFrame(out)


def bench_ingest(size: str) -> list[Row]:
    import numpy as np
    import pandas as pd

    from cxstats.io.survey import load_survey

    s = SIZES[size]
    spec = _data.demo_study(2000, 50)["spec"]
    path = make_file(s["rows"])

    def ours():
        return load_survey(spec, [(path, "customer")]).data

    r = interleaved_many({"ours": ours, "read_csv": lambda: pd.read_csv(path),
                          "recode": lambda: pandas_recode(path, spec)}, s["rep"])

    def pair(peer):
        return {"ours_median": r["ours"]["median"], "ours_times": r["ours"]["times"], "ours_out": r["ours"]["out"],
                "peer_median": r[peer]["median"], "peer_times": r[peer]["times"], "peer_out": r[peer]["out"]}

    res1, res2 = pair("read_csv"), pair("recode")
    o, p = res2["ours_out"], res2["peer_out"]
    diff = 0.0
    for col in p.columns:
        a, b = o[col].to_numpy(float), p[col].to_numpy(float)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            diff = float("inf")
            break
        ok = ~np.isnan(a)
        if ok.any():
            diff = max(diff, float(np.max(np.abs(a[ok] - b[ok]))))
    n = f"{s['rows']:,} rows x {len(spec.scored_columns())} scored columns"
    mem = memory(path) if s["memory"] else {}
    note_mem = (f"peak RSS of a fresh process: ours {mem['ours']:.0f} MiB, read_csv {mem['pandas']:.0f} MiB "
                f"(file {path.stat().st_size / 2**20:.1f} MiB)" if mem else "")
    return [compare_row(f"ingest through the spec ({n})", res1, peer=f"pandas {pd.__version__} read_csv (lower bound)",
                        note="lower bound: read_csv does no validation or recoding. " + note_mem,
                        extra={"memory_mib": mem}),
            compare_row(f"ingest through the spec ({n})", res2, peer="read_csv + hand-written pandas recode",
                        check="max |code diff|, same NaNs", diff=diff, tol=0.0,
                        note="the peer recodes labels, 99 and reverse keying but checks nothing "
                             "(ranges, ids, segments, types)")]


def memory(path) -> dict:
    """Peak RSS (MiB) of a fresh interpreter reading ``path`` ours / with pandas."""
    import json
    import subprocess

    out = {}
    for who in ("ours", "pandas"):
        r = subprocess.run([sys.executable, "-m", "benchmarks.bench_ingest", "--memory", who, str(path)],
                           capture_output=True, text=True, cwd=str(_data.ROOT), check=True)
        out[who] = json.loads(r.stdout.strip().splitlines()[-1])["peak_mib"]
    return out


def _memory_main(who: str, path: str):
    import json

    import pandas as pd  # noqa: F401  (imported before the baseline)

    from benchmarks._timing import vm
    from cxstats.demo.simulate import load_demo_spec
    from cxstats.io.survey import load_survey

    spec = load_demo_spec()
    if who == "ours":
        load_survey(spec, [(path, "customer")])
    else:
        pd.read_csv(path)
    print(json.dumps({"peak_mib": vm("VmHWM")}))


def rows(size: str = "full", r_peers: bool = True) -> list[Row]:
    return bench_ingest(size)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory":
        _memory_main(sys.argv[2], sys.argv[3])
    else:
        from benchmarks.run_all import main

        main(["--only", "ingest", *sys.argv[1:]])
