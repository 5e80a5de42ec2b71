"""The DuckDB backend: embedded, out of core (spills to disk past its memory limit)."""

from __future__ import annotations

import os
from pathlib import Path

from cxstats.errors import InputError

MEMORY_LIMIT = os.environ.get("CXSTATS_DUCKDB_MEMORY", "1GB")
THREADS = os.environ.get("CXSTATS_DUCKDB_THREADS")        # default: DuckDB's (the machine's cores)


class DuckBackend:
    FSUM = "fsum"           # the compensated sum of doubles (EngineSurvey.row_sums)
    def __init__(self, con=None):
        try:
            import duckdb
        except ImportError:  # pragma: no cover - duckdb is a dependency
            raise InputError("engine duckdb needs the duckdb package: pip install duckdb", option="engine") from None
        self.duckdb = duckdb
        self.con = con or duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        threads = os.environ.get("CXSTATS_DUCKDB_THREADS", THREADS)
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")   # cxstats draws its own; stdout may be --json -
        self._kinds: dict = {}
        self._types: dict = {}

    @staticmethod
    def quote(name: str) -> str:
        return '"' + str(name).replace('"', '""') + '"'

    def _relation(self, path) -> tuple[str, str]:
        """(SQL FROM clause, kind) for a CSV, Parquet file/folder/glob or FILE.duckdb:TABLE."""
        text = str(path)
        low = text.lower()
        lit = "'" + text.replace("'", "''") + "'"
        if ".duckdb:" in low:
            db, table = text.rsplit(":", 1)
            alias = f"cx_db_{len(self._kinds)}"
            if not Path(db).exists():
                raise InputError("the DuckDB database does not exist", file=db)
            self.con.execute(f"ATTACH '{db}' AS {alias} (READ_ONLY)")
            return f"{alias}.{self.quote(table)}", "table"
        if os.path.isdir(text):
            pattern = os.path.join(text, "**", "*.parquet")
            return f"read_parquet('{pattern}', union_by_name = true)", "parquet"
        if low.endswith((".parquet", ".pq")) or (any(c in text for c in "*?[") and ".parquet" in low):
            return f"read_parquet({lit}, union_by_name = true)", "parquet"
        if not any(c in text for c in "*?[") and not Path(text).exists():
            raise InputError("the data file does not exist", file=text)
        return f"read_csv({lit}, all_varchar = true, header = true, union_by_name = true)", "csv"

    def register(self, name: str, path) -> None:
        rel, kind = self._relation(path)
        self._kinds[name] = kind
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {rel}")
        except self.duckdb.Error as exc:
            raise InputError(f"DuckDB cannot read the data: {str(exc).splitlines()[0]}", file=str(path)) from None

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()]

    INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                     "UINTEGER", "UBIGINT")
    MAX_LOOKUP = 1024

    def integer_lookup(self, name: str, col: str, mapping: dict) -> str | None:
        """SQL recoding an integer-typed column (Parquet, DuckDB tables) through a list indexed by the
        value - ``[code of lo, ..., code of hi][col - lo + 1]``, NULL where the value has no code -
        or None when the column is not integer-typed or its values span more than MAX_LOOKUP.
        Measured on 10M Parquet rows x 30 items: 0.33 s per pass against 1.8 s for the equivalent
        ``CASE`` (and 0.28 s for a bare cast), and every scored item is recoded in most passes.
        ``mapping``: {the value's text as distinct_values gives it: its code (float)}."""
        types = self._types.get(name)
        if types is None:
            types = self._types[name] = {r[0]: str(r[1]).upper()
                                         for r in self.con.execute(f"DESCRIBE {name}").fetchall()}
        if types.get(col) not in self.INTEGER_TYPES or not mapping:
            return None
        try:
            values = {int(v): code for v, code in mapping.items()}
        except ValueError:
            return None
        lo, hi = min(values), max(values)
        if hi - lo + 1 > self.MAX_LOOKUP:
            return None
        from cxstats.engine.survey import sql_double

        items = [sql_double(values[v]) if v in values else "CAST(NULL AS DOUBLE)" for v in range(lo, hi + 1)]
        return f"[{', '.join(items)}][CAST({self.quote(col)} AS BIGINT) - ({lo}) + 1]"

    def distinct_values(self, name: str, cols) -> dict:
        if not cols:
            return {}
        sql = "SELECT " + ", ".join(f"list(DISTINCT CAST({self.quote(c)} AS VARCHAR))" for c in cols) + f" FROM {name}"
        row = self.con.execute(sql).fetchone()
        return {c: [v for v in (vals or []) if v is not None] for c, vals in zip(cols, row)}

    def offending_rows(self, name: str, col: str, values, limit: int):
        """([(1-based record number, value)], count of offending cells) for ``col``."""
        q = self.quote(col)
        lits = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        base = (f"SELECT row_number() OVER () AS rn, CAST({q} AS VARCHAR) AS v FROM {name}")
        rows = self.con.execute(f"SELECT rn, v FROM ({base}) WHERE v IN ({lits}) ORDER BY rn LIMIT {int(limit)}").fetchall()
        count = self.con.execute(f"SELECT count(*) FROM {name} WHERE CAST({q} AS VARCHAR) IN ({lits})").fetchone()[0]
        return rows, int(count)

    def record_numbers(self, name: str, predicate: str, limit: int) -> list:
        """1-based record numbers (file order) of the rows where the SQL ``predicate`` holds."""
        base = f"SELECT row_number() OVER () AS cx_rn, * FROM {name}"
        rows = self.query(f"SELECT cx_rn FROM ({base}) cx_r WHERE {predicate} ORDER BY cx_rn LIMIT {int(limit)}")
        return [int(r[0]) for r in rows]

    def first_row(self, name: str) -> int:
        """The file row of record 1: 2 in a CSV (after the header), 1 in Parquet or a table."""
        return 2 if self._kinds.get(name, "csv") == "csv" else 1

    def copy_parquet(self, sql: str, path) -> None:
        target = str(path).replace("'", "''")
        try:
            self.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")
        except self.duckdb.Error as exc:
            raise InputError(f"DuckDB could not write Parquet: {str(exc).splitlines()[0]}", file=str(path)) from None

    def write_rows(self, sql: str, path, fmt: str) -> None:
        """The rows of ``sql`` as ``fmt`` 'parquet' or 'csv' (with a header)."""
        target = str(path).replace("'", "''")
        fmt = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        try:
            self.con.execute(f"COPY ({sql}) TO '{target}' ({fmt})")
        except self.duckdb.Error as exc:
            raise InputError(f"DuckDB could not write the file: {str(exc).splitlines()[0]}", file=str(path)) from None

    def query(self, sql: str) -> list:
        try:
            return self.con.execute(sql).fetchall()
        except self.duckdb.Error as exc:
            raise InputError(f"DuckDB could not compute the moments: {str(exc).splitlines()[0]}") from None


def write_frame_parquet(frame, path) -> None:
    """Write a pandas DataFrame as Parquet (through DuckDB: no pyarrow needed)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.register("cx_frame", frame)
    target = str(path).replace("'", "''")
    con.execute(f"COPY cx_frame TO '{target}' (FORMAT parquet)")
    con.close()
