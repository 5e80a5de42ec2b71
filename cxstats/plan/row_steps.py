"""Steps that need the rows in a plan run on a SQL engine (``engine: duckdb`` or ``spark``).

A step with an engine path (an ``engine`` option: reliability, nps, cfa, gaps, drivers, ...)
gets the plan's engine and computes moments there. A step without one (verbatims, follow-up,
profiles, PLS, ROI ... - they read each respondent's row) would load the whole survey into
memory. The rule, applied when such a step first reads the survey rows:

* the plan's data are small (at most :data:`ROW_STEP_MAX_BYTES` of input, 200 MiB - the size up
  to which ``auto`` uses pandas - in files pandas reads: CSV, Excel, SPSS/Stata): the step runs
  in memory (pandas) and the plan's warnings say so, naming the step;
* otherwise (larger input, or Parquet, DuckDB tables, folders, globs, Delta, catalog tables,
  which only the engines read): the step is refused, named, with what to do instead - a stated
  sample (``cxstats ingest ... --engine ENGINE --sample N --seed S --out sample.csv``) and a
  plan on the sample; the plan skips the step with that reason (``on_error: stop``: an error).
"""

from __future__ import annotations

from cxstats.engine import AUTO_DUCKDB_BYTES, input_bytes, is_lake_source
from cxstats.errors import NotApplicable

ROW_STEP_MAX_BYTES = AUTO_DUCKDB_BYTES
ROW_ENGINES = ("duckdb", "spark")


def needs_guard(plan: dict, module) -> str | None:
    """The plan's engine when ``module`` (a step) has no engine path and the plan runs on one."""
    engine = plan.get("engine")
    if engine in ROW_ENGINES and "engine" not in module.Options.keys():
        return engine
    return None


def check_rows(ctx, step: str, engine: str, say) -> None:
    """Allow (with a note through ``say``) or refuse (:class:`NotApplicable`) reading the survey
    rows in memory for ``step`` in a plan whose engine is ``engine``."""
    from cxstats.io.survey import plan_data_files

    paths = [p for p, _ in plan_data_files(ctx)]
    lake = [str(p) for p in paths if is_lake_source(p)]
    size = input_bytes(paths)
    mib = size / 2 ** 20
    if not lake and size <= ROW_STEP_MAX_BYTES:
        say(f"{step} needs each respondent's row, which engine {engine} does not compute: it read the "
            f"plan's {len(paths)} data file(s) ({mib:.1f} MiB) in memory (pandas), as it does for inputs "
            f"up to {ROW_STEP_MAX_BYTES // 2 ** 20} MiB")
        return
    why = (f"the data include {lake[0]}, which only the engines read" if lake else
           f"the data are {mib:.0f} MiB, above the {ROW_STEP_MAX_BYTES // 2 ** 20} MiB read in memory")
    data = " ".join(str(p) for p in paths[:2]) + (" ..." if len(paths) > 2 else "")
    spec = ctx.resolve(ctx.plan["spec"]) if ctx.plan.get("spec") else "SPEC"
    raise NotApplicable(
        f"{step} needs each respondent's row (row-level data) and engine {engine} computes moments; "
        f"{why}. Draw a stated sample where the data are and run this step on it: cxstats ingest {data} "
        f"--spec {spec} --engine {engine} --sample 50000 --seed 1 --out sample.csv (it states n, "
        "population, seed and method), then a plan with data: sample.csv")
