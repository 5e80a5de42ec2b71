"""describe, track and immediacy on the SQL engines (DuckDB, Spark): the same numbers as pandas.

Reference: the pandas path (itself checked against R/scipy/statsmodels in test_describe,
test_track and test_immediacy) on the same demo data; the tracking demo (waves.csv with its
fielding block: times in dd/mm/yyyy hh:mm Madrid local time, channels, touchpoints, waves)
read as CSV and as Parquet."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import assert_clean_error, run_cli
from tests.test_engine_duckdb import same_numbers

duckdb = pytest.importorskip("duckdb")


def _cli_json(*args):
    r = run_cli(*args, "--json", "-", "-q")
    assert r.exit_code == 0, r
    return r.json()


@pytest.fixture(scope="module")
def waves(engine_demo):
    """(folder, waves.csv, waves.parquet) of the tracking demo."""
    d = engine_demo[0]
    target = d / "waves.parquet"
    if not target.exists():
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{d / 'waves.csv'}', all_varchar = true)) "
                       f"TO '{target}' (FORMAT parquet)")
    return d, d / "waves.csv", target


# ------------------------------------------------------------------------------- describe

@pytest.mark.parametrize("extra", [(), ("--by", "region"), ("--columns", "nps,web_1,csat", "--by", "canal")])
def test_describe_on_duckdb_equals_pandas(engine_demo, extra):
    d, csv, parquet = engine_demo
    spec = d / "questionnaire.yaml"
    ref = _cli_json("describe", *csv, "--spec", spec, "--engine", "pandas", *extra)
    got = _cli_json("describe", *csv, "--spec", spec, "--engine", "duckdb", *extra)
    same_numbers(ref, got)
    assert len(ref["variables"]) >= 3 and ref["variables"][0]["n"] > 100
    if not extra:   # Parquet in, once
        same_numbers(ref, _cli_json("describe", *parquet, "--spec", spec, "--engine", "duckdb"))


def test_describe_weights_need_the_rows_on_an_engine(engine_demo):
    d, csv, _ = engine_demo
    r = run_cli("describe", *csv, "--spec", d / "questionnaire.yaml", "--engine", "duckdb", "--weight", "nps")
    assert_clean_error(r, "--weight", "--engine pandas")
