"""The Spark backend: the same SQL as DuckDB, run as Spark aggregations where the data are.

Sources: a CSV or Parquet path (file, folder or glob, on any file system Spark reads),
``delta:PATH`` (Delta Lake) or ``table:NAME`` (a table of the session's catalog). The session is
the active one when cxstats is called from PySpark (a notebook on the cluster), else one built
for ``master`` (``--spark-master``; default ``local[*]``). Only the moments come back.
"""

from __future__ import annotations

import os
import shutil

from cxstats.errors import InputError


def _session(master: str | None):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("engine spark needs PySpark: pip install 'cxstats[spark]' (and a Java runtime)",
                         option="engine") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise InputError("engine spark needs a Java runtime (java was not found; e.g. apt-get install "
                         "default-jre-headless)", option="engine")
    spark = (SparkSession.builder.master(master or "local[*]").appName("cxstats")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkBackend:
    def __init__(self, master: str | None = None, session=None):
        self.spark = session or _session(master)
        self._kinds: dict = {}

    @staticmethod
    def quote(name: str) -> str:
        return "`" + str(name).replace("`", "``") + "`"

    def register(self, name: str, path) -> None:
        text = str(path)
        low = text.lower()
        reader = self.spark.read
        try:
            if low.startswith("table:"):
                df, kind = self.spark.table(text[6:]), "table"
            elif low.startswith("delta:"):
                df, kind = reader.format("delta").load(text[6:]), "table"
            elif low.endswith((".parquet", ".pq", "/")) or os.path.isdir(text):   # a folder: Parquet
                df, kind = reader.option("mergeSchema", "true").parquet(text), "parquet"
            else:
                df, kind = reader.option("header", "true").csv(text), "csv"
        except Exception as exc:  # AnalysisException: path does not exist, unreadable format
            raise InputError(f"Spark cannot read the data: {str(exc).splitlines()[0]}", file=text) from None
        self._kinds[name] = kind
        df.createOrReplaceTempView(name)

    def columns(self, name: str) -> list[str]:
        return list(self.spark.table(name).columns)

    def distinct_values(self, name: str, cols) -> dict:
        if not cols:
            return {}
        sql = "SELECT " + ", ".join(f"collect_set(CAST({self.quote(c)} AS STRING))" for c in cols) + f" FROM {name}"
        row = self.spark.sql(sql).collect()[0]
        return {c: [v for v in (row[i] or []) if v is not None] for i, c in enumerate(cols)}

    def offending_rows(self, name: str, col: str, values, limit: int):
        q = self.quote(col)
        lits = ", ".join("'" + str(v).replace("'", "\\'") + "'" for v in values)
        df = self.spark.table(name).rdd.zipWithIndex().map(lambda t: (t[1] + 1, t[0][col]))
        wanted = set(str(v) for v in values)
        rows = df.filter(lambda t: t[1] is not None and str(t[1]) in wanted).take(limit)
        count = self.spark.sql(f"SELECT count(*) FROM {name} WHERE CAST({q} AS STRING) IN ({lits})").collect()[0][0]
        return [(int(r), str(v)) for r, v in rows], int(count)

    def record_numbers(self, name: str, predicate: str, limit: int) -> list:
        """1-based record numbers (file order, as :meth:`offending_rows`: zipWithIndex) of the rows
        where the SQL ``predicate`` holds."""
        from pyspark.sql.types import LongType, StructField, StructType

        df = self.spark.table(name)
        schema = StructType(list(df.schema.fields) + [StructField("cx_rn", LongType(), False)])
        numbered = self.spark.createDataFrame(df.rdd.zipWithIndex().map(lambda t: (*t[0], t[1] + 1)), schema)
        numbered.createOrReplaceTempView(f"{name}_cx_rn")
        rows = self.query(f"SELECT cx_rn FROM {name}_cx_rn WHERE {predicate} ORDER BY cx_rn LIMIT {int(limit)}")
        return [int(r[0]) for r in rows]

    def first_row(self, name: str) -> int:
        return 2 if self._kinds.get(name, "csv") == "csv" else 1

    def copy_parquet(self, sql: str, path) -> None:
        self.spark.sql(sql).write.mode("overwrite").parquet(str(path))

    def write_rows(self, sql: str, path, fmt: str) -> None:
        """The rows of ``sql`` (a sample: small by design) collected and written as one file,
        ``fmt`` 'parquet' or 'csv', on the driver, not as a Spark folder of parts."""
        import pandas as pd

        df = self.spark.sql(sql)
        rows = [tuple(r) for r in df.collect()]
        frame = pd.DataFrame(rows, columns=df.columns)
        if fmt == "parquet":
            from cxstats.engine.duck import write_frame_parquet

            write_frame_parquet(frame, path)
        else:
            frame.to_csv(path, index=False)

    def query(self, sql: str) -> list:
        try:
            return [tuple(r) for r in self.spark.sql(sql).collect()]
        except Exception as exc:
            raise InputError(f"Spark could not compute the moments: {str(exc).splitlines()[0]}") from None
