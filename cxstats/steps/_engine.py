"""Which engine a step runs on (``engine`` option: auto | pandas | duckdb | spark)."""

from __future__ import annotations

from cxstats.errors import InputError


def engine_for(ctx, options, *, needs_rows: bool = False) -> str:
    """The engine of this run: pandas without a spec (plain files are read row by row), else
    ``options.engine`` (``auto``: DuckDB for Parquet, DuckDB tables, folders, globs and large
    files, pandas otherwise and whenever the analysis needs the rows)."""
    from cxstats.engine import choose_engine

    engine = getattr(options, "engine", "pandas")
    if not ctx.has_spec:
        if engine in ("duckdb", "spark"):
            raise InputError(f"engine {engine} reads the data through a study spec (--spec), which "
                             "gives each column's scale, missing codes and keying; without one use "
                             "engine pandas", option="engine")
        return "pandas"
    paths = [p for p, _ in ctx.data_files]
    if engine == "auto" and not paths:       # a plan without data entries: the loaded survey table
        return "pandas"
    return choose_engine(engine, paths, needs_rows=needs_rows)
