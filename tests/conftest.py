"""Shared test helpers: fixture paths and a way to run the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # as the CLI does
    os.environ.setdefault(_var, "1")

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "reference"
DATASETS = REFERENCE / "datasets"
RESULTS = REFERENCE / "results"


def reference(name: str) -> dict:
    """A reference result file, e.g. reference('cfa_hs')."""
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


class CliResult:
    def __init__(self, code, out, err):
        self.exit_code, self.stdout, self.stderr = code, out, err

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return f"CliResult(exit={self.exit_code}, stderr={self.stderr[-2000:]!r})"


def run_cli(*args) -> CliResult:
    """Run ``cxstats ARGS`` in-process; returns exit code, stdout and stderr."""
    from cxstats.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


def assert_clean_error(result: CliResult, *fragments: str) -> None:
    """Exit code 2, no traceback, and every fragment in the message."""
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr, result.stderr
    for frag in fragments:
        assert frag in result.stderr, (frag, result.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def hs_path() -> Path:
    return DATASETS / "HolzingerSwineford1939.csv"


@pytest.fixture(scope="session")
def bfi_path() -> Path:
    return DATASETS / "bfi.csv"


@pytest.fixture(scope="session")
def swiss_path() -> Path:
    return DATASETS / "swiss.csv"


def cell_code(cell):
    """A table header cell's result column code (translated headers note it in a comment), else
    the cell's value: tests read workbook columns by code whatever the workbook's language."""
    return cell.comment.text.strip() if cell.comment is not None else cell.value


# ------------------------------------------------------------------ engines (DuckDB, Spark)

@pytest.fixture(scope="session")
def engine_demo(tmp_path_factory):
    """The bundled demo study (default seed) with its customers and staff also as Parquet files:
    ``(folder, csv files, parquet files)``; for comparing the engines with pandas."""
    duckdb = pytest.importorskip("duckdb")
    d = tmp_path_factory.mktemp("engine_demo")
    assert run_cli("demo", d).exit_code == 0
    lake = []
    for name in ("customers", "staff"):
        target = d / f"{name}.parquet"
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{d / name}.csv', all_varchar = true)) "
                       f"TO '{target}' (FORMAT parquet)")
        lake.append(target)
    return d, [d / "customers.csv", d / "staff.csv"], lake


@pytest.fixture(scope="session")
def spark_session():
    """One local[2] Spark session for the whole run (skips without PySpark or a Java runtime;
    CI's .ci/run installs both)."""
    import shutil

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("cxstats-test")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def run_engine_plan(folder, files, engine, steps, tmp_path) -> dict:
    """Run a plan over ``files`` (customers, staff) of the study in ``folder`` with ``engine``
    (plan-level ``engine:``) and the YAML ``steps``; returns the plan's JSON document."""
    from cxstats.plan.runner import run_plan

    plan = tmp_path / f"plan_{engine}.yaml"
    plan.write_text(f"spec: {folder / 'questionnaire.yaml'}\ndata:\n"
                    f"  - file: {files[0]}\n    respondent_type: customer\n"
                    f"  - file: {files[1]}\n    respondent_type: staff\n"
                    f"output:\n  json: out_{engine}.json\nengine: {engine}\nsteps:\n{steps}", encoding="utf-8")
    _, _, path = run_plan(plan, out_dir=tmp_path / engine, quiet=True)
    return json.loads(path.read_text(encoding="utf-8"))
