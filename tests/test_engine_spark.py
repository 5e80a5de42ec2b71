"""The Spark engine in local mode (local[2]) on a small Parquet file: the same numbers as pandas.

Skipped when PySpark or a Java runtime is missing (CI installs both: .ci/run, the test extra).
One session for the module and two constructs of the demo keep it to a few seconds of work."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import run_cli
from tests.test_engine_duckdb import same_numbers

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")


@pytest.fixture
def spark(spark_session):
    return spark_session


def test_reliability_on_spark_equals_pandas(spark, tmp_path):
    import duckdb

    assert run_cli("demo", tmp_path / "demo").exit_code == 0
    demo = tmp_path / "demo"
    for name in ("customers", "staff"):   # a small Parquet file per respondent type
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{demo / name}.csv', all_varchar = true)) "
                       f"TO '{tmp_path / name}.parquet' (FORMAT parquet)")
    common = ["--spec", demo / "questionnaire.yaml", "--constructs", "facilidad_web,precio_valor",
              "--json", "-", "-q"]
    ref = run_cli("reliability", demo / "customers.csv", demo / "staff.csv", *common, "--engine", "pandas")
    got = run_cli("reliability", tmp_path / "customers.parquet", tmp_path / "staff.parquet", *common,
                  "--engine", "spark")     # the active session (as from a notebook on a cluster)
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert len(got.json()["scales"]) == 4
    # counts per answer and cell (NPS, CSAT, CES by group and segment) as Spark aggregations
    nps = ["nps", "--spec", demo / "questionnaire.yaml", "--group", "respondent_type", "--by", "region",
           "--json", "-", "-q"]
    ref = run_cli(*nps[:1], demo / "customers.csv", demo / "staff.csv", *nps[1:], "--engine", "pandas")
    got = run_cli(*nps[:1], tmp_path / "customers.parquet", tmp_path / "staff.parquet", *nps[1:],
                  "--engine", "spark")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())


def test_gaps_and_drivers_on_spark_equal_pandas(spark, tmp_path):
    """Counts per scale score and cell (Welch, Mann-Whitney, Hedges' g, Holm/BH) and the complete-row
    co-moments of construct scores (OLS, LMG, relative weights) as Spark aggregations."""
    import duckdb

    assert run_cli("demo", tmp_path / "demo").exit_code == 0
    demo = tmp_path / "demo"
    for name in ("customers", "staff"):
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{demo / name}.csv', all_varchar = true)) "
                       f"TO '{tmp_path / name}.parquet' (FORMAT parquet)")
    csvs = [demo / "customers.csv", demo / "staff.csv"]
    lake = [tmp_path / "customers.parquet", tmp_path / "staff.parquet"]
    common = ["--spec", demo / "questionnaire.yaml", "--json", "-", "-q"]
    gaps = ["--levels", "component", "--by", "region", "--min-n", "20"]
    ref = run_cli("gaps", *csvs, *common, *gaps, "--engine", "pandas")
    got = run_cli("gaps", *lake, *common, *gaps, "--engine", "spark")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert len(got.json()["components"]) >= 3 and got.json()["segments"]["rows"]
    drivers = ["--drivers", "facilidad_web,info_producto,confianza_marca"]
    ref = run_cli("drivers", *csvs, *common, *drivers, "--engine", "pandas")
    got = run_cli("drivers", *lake, *common, *drivers, "--engine", "spark")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    doc = got.json()
    assert doc["penalty_reward"]["rows"]                   # from moments on Spark too
    same_numbers(ref.json(), doc)
