"""Engines: where the data are read and the sufficient statistics (:mod:`cxstats.moments`) computed.

* ``pandas`` - today's in-memory path (the survey table of :mod:`cxstats.io.survey`);
* ``duckdb`` - embedded and out of core: CSV, Parquet (a file, a folder or a glob) or a table of
  a DuckDB database (``FILE.duckdb:TABLE``), recoded by the spec inside the query;
* ``spark`` - the same SQL as Spark aggregations (``--spark-master URL``, or the active session
  when cxstats is called from PySpark), on CSV, Parquet, Delta (``delta:PATH``) or a table
  (``table:NAME``); only the moments (kilobytes) leave the cluster.

``auto`` picks DuckDB for Parquet, DuckDB tables, folders and globs, and for data above
:data:`AUTO_DUCKDB_BYTES` in all; pandas otherwise (and always for the row bootstrap).

This layer reads data and spec; it never imports stats, steps, report, plan or cli. duckdb and
pyspark are imported here only, inside functions.
"""

from __future__ import annotations

import glob as _glob
import os
from pathlib import Path

from cxstats.errors import InputError

ENGINES = ("auto", "pandas", "duckdb", "spark")
AUTO_DUCKDB_BYTES = 200 * 2 ** 20   # 200 MiB of input: pandas needs ~30x that in memory


def is_lake_source(path) -> bool:
    """Parquet, a DuckDB table, a folder, a glob, a Delta path or a table name."""
    text = str(path)
    low = text.lower()
    return (low.endswith((".parquet", ".pq")) or ".duckdb:" in low or low.endswith(".duckdb")
            or any(ch in text for ch in "*?[") or low.startswith(("delta:", "table:")) or "://" in text
            or os.path.isdir(text))


def input_bytes(paths) -> int:
    total = 0
    for p in paths:
        for f in (_glob.glob(str(p)) if any(ch in str(p) for ch in "*?[") else [str(p)]):
            if os.path.isfile(f):
                total += os.path.getsize(f)
    return total


def choose_engine(engine: str, paths, *, needs_rows: bool = False) -> str:
    """The engine to use: ``engine`` itself, or for ``auto`` DuckDB for lake sources and large
    inputs (pandas when the analysis needs the rows, e.g. a bootstrap)."""
    if engine not in ENGINES:
        raise InputError(f"{engine!r} is not an engine; use {', '.join(ENGINES)}", option="engine")
    if engine != "auto":
        return engine
    paths = [p for p in paths]
    if needs_rows or not paths:
        return "pandas"
    if any(is_lake_source(p) for p in paths) or input_bytes(paths) > AUTO_DUCKDB_BYTES:
        return "duckdb"
    return "pandas"


def open_survey(spec, files, engine: str, *, spark_master: str | None = None):
    """The survey of ``files`` (``[(path, respondent type or None)]``) read through ``spec`` by
    ``engine`` ('duckdb' or 'spark'): an :class:`~cxstats.engine.survey.EngineSurvey`."""
    from cxstats.engine.survey import EngineSurvey

    if engine == "duckdb":
        from cxstats.engine.duck import DuckBackend

        backend = DuckBackend()
    elif engine == "spark":
        from cxstats.engine.spark import SparkBackend

        backend = SparkBackend(master=spark_master)
    else:
        raise InputError(f"engine {engine!r} does not read through SQL", option="engine")
    return EngineSurvey(spec, [(p if "://" in str(p) or str(p).startswith(("delta:", "table:")) else Path(p), k)
                               for p, k in files], backend)
