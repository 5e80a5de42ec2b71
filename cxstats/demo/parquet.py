"""The demo study at scale: up to 10,000,000 customer responses as a folder of Parquet files.

The same measurement model and truth as the CSV demo (:mod:`cxstats.demo.simulate`: its
constants and its draw functions ``_draw_customers`` / ``_draw_staff``), generated one chunk at a
time so that memory does not grow with the number of rows: each chunk of ``chunk_rows`` customers
is drawn with numpy from its own random stream, ``SeedSequence(seed, spawn_key=(0, chunk))``
(the staff from ``spawn_key=(1,)``), written as ``customers/part-NNNNN.parquet`` through DuckDB
(there is no pyarrow) and dropped. The files therefore depend only on (seed, N, chunk_rows), and
``chunk_rows`` is fixed on the command line (:data:`CHUNK_ROWS`), so ``cxstats demo --format parquet``
gives the same data for the same seed and N on any machine and with any memory.

Written (no CRM, verbatims, finance, roadmap, tracking or maturity extras: they are the CSV demo's):

    questionnaire.yaml      the study spec (as the CSV demo)
    customers/part-*.parquet  the customers, chunk by chunk (a folder is one input of the engines)
    staff.parquet           the frontline staff (csat exported with answer labels, as in the CSV demo)
    truth.json              the population values (as the CSV demo, plus the NPS shares)
    plan.yaml               the scale study: reliability, gaps, nps, drivers, cfa with engine: duckdb
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

from cxstats.demo.simulate import (
    CHANNEL_P, REGION_P, TENURE_P, _draw_customers, _draw_staff, _model, build_truth, load_demo_spec, spec_text,
)
from cxstats.errors import InputError

CHUNK_ROWS = 250_000        # customers per Parquet part (and per random stream): ~100 MB of working memory
MAX_CUSTOMERS = 10_000_000
PART = "part-{:05d}.parquet"

PLAN_TEMPLATE = """\
# Scale-study plan for the Parquet demo (cxstats run plan.yaml): every step runs on DuckDB, out of
# core, from one pass of sufficient statistics (moments, counts); the JSON's "engines" block gives
# the passes over the data. Row-level options are left out: drivers' bootstrap (bootstrap: 0) and
# robust (MLR) standard errors in the CFA (estimator: ML).
title: "ElectroHogar - compra online, {n_customers:,} clientes (Parquet)"
spec: questionnaire.yaml
seed: {seed}
engine: duckdb
data:
  - file: customers                       # a folder of Parquet parts: one input
    respondent_type: customer
  - file: staff.parquet
    respondent_type: staff
output:
  json: demo_results.json
steps:
  - step: reliability
  - step: gaps                            # customers vs staff
  - step: nps
  - step: drivers
    outcome: csat
    bootstrap: 0
  - step: cfa
    estimator: ML                         # FIML over the answer patterns; add missing: listwise for complete cases
"""


def _frame(columns: dict, n: int, ids, kind: str, item_ids, labels=None):
    """One chunk's pandas DataFrame in the CSV demo's column order (small integer and category types)."""
    import numpy as np
    import pandas as pd

    cat = pd.Categorical.from_codes
    frame = {"id_respuesta": ids,
             "tipo_encuestado": cat(np.zeros(n, dtype=np.int8), ["cliente" if kind == "customer" else "empleado"])}
    for col in (*item_ids, "nps", "csat", "ces", "recompra"):
        frame[col] = columns[col].astype(np.int8)   # codes 0-10 and 99 (don't know)
    if labels is not None:  # staff: this wave was exported with answer labels (as staff.csv)
        frame["csat"] = cat(columns["csat"] - 1, [labels[k]["es"] for k in sorted(labels)])
    frame["region"] = cat(columns["region"], list(REGION_P))
    if kind == "customer":
        frame["canal"] = cat(columns["canal"], list(CHANNEL_P))
        frame["antiguedad"] = cat(columns["antiguedad"], list(TENURE_P))
    return pd.DataFrame(frame)


def nps_truth() -> dict:
    """Population shares of the NPS answer: ``clip(floor(7 + 2 L + e + 0.5), 0, 10)`` with L and e
    independent N(0, 1) (loyalty has unit variance), so the score before rounding is N(7, 5)."""
    from scipy.stats import norm

    sd = math.sqrt(2.0 ** 2 + 1.0)
    promoters = float(norm.sf((8.5 - 7.0) / sd))     # answer 9 or 10
    detractors = float(norm.cdf((6.5 - 7.0) / sd))   # answer 0-6
    return {"promoters": promoters, "passives": 1 - promoters - detractors, "detractors": detractors,
            "nps": 100 * (promoters - detractors)}


def write_parquet_demo(folder, *, seed: int = 20261123, n_customers: int = 1_000_000, n_staff: int = 200,
                       chunk_rows: int = CHUNK_ROWS, progress=None, force: bool = False) -> dict:
    """Write the Parquet demo into ``folder``, ``chunk_rows`` customers at a time; returns {name: path}.

    ``progress(done, total)`` is called after each part (the chunks). ``chunk_rows`` is for tests
    (small parts); it is one of what the data depend on (seed, N, chunk_rows). An existing
    ``customers/`` folder is replaced only with ``force`` and only if it holds nothing but parts.
    """
    import numpy as np

    from cxstats.engine import duck
    from cxstats.report.atomic import write_text

    if not 1 <= n_customers <= MAX_CUSTOMERS:
        raise InputError(f"the Parquet demo has 1 to {MAX_CUSTOMERS:,} customers, not {n_customers:,}",
                         option="customers")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    folder = Path(folder)
    target = folder / "customers"
    if target.exists():
        others = sorted(p.name for p in target.iterdir() if not (p.is_file() and p.name.startswith("part-")
                                                                 and p.name.endswith(".parquet")))
        if others or not force:
            why = (f"holds other files ({', '.join(others[:3])}), which the engines would read with the parts"
                   if others else "already holds a Parquet demo; use --force to overwrite it")
            raise InputError(why, file=target)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".customers-writing"   # the parts go here first: a stopped run leaves no half folder
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()

    spec = load_demo_spec()
    model = _model(spec)
    item_ids = spec.item_ids()
    width = max(6, len(str(n_customers)))     # C000001 ... as the CSV demo up to 999,999 customers
    chunks = math.ceil(n_customers / chunk_rows)
    for chunk in range(chunks):
        start = chunk * chunk_rows
        n = min(chunk_rows, n_customers - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, chunk)))
        columns = _draw_customers(rng, model, n)
        ids = [f"C{i:0{width}d}" for i in range(start + 1, start + n + 1)]
        duck.write_frame_parquet(_frame(columns, n, ids, "customer", item_ids), staging / PART.format(chunk))
        del columns, ids
        if progress is not None:
            progress(chunk + 1, chunks)
    if target.exists():
        for p in target.iterdir():
            p.unlink()
        target.rmdir()
    os.replace(staging, target)

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    staff = _draw_staff(rng, model, n_staff)
    labels = spec.outcome("csat").scale.labels
    staff_path = folder / "staff.parquet"
    tmp = folder / ".staff.parquet.writing"
    duck.write_frame_parquet(_frame(staff, n_staff, [f"E{r + 1:04d}" for r in range(n_staff)], "staff", item_ids,
                                    labels), tmp)
    os.replace(tmp, staff_path)

    truth = build_truth(spec, n_customers, n_staff, seed, model[4])
    for key in ("finance", "roadmap"):   # the CSV demo's extras: not in the Parquet demo
        truth.pop(key, None)
    truth["nps"] = nps_truth()
    truth["generator"] = {
        "format": "parquet", "chunk_rows": chunk_rows, "parts": chunks,
        "streams": "numpy default_rng(SeedSequence(seed, spawn_key=(0, chunk))) per customers part, "
                   "spawn_key=(1,) for the staff; see cxstats/demo/parquet.py"}
    files = {"questionnaire.yaml": spec_text(),
             "truth.json": json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
             "plan.yaml": PLAN_TEMPLATE.format(n_customers=n_customers, seed=seed)}
    written = {"customers": target, "staff.parquet": staff_path}
    for name, text in files.items():
        write_text(folder / name, text)
        written[name] = folder / name
    return written
