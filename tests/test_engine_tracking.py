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


# ------------------------------------------------------------------ fielding columns in SQL

TIMES = [  # (contact, response): ISO with zones and fractions, yyyy/mm/dd, dd/mm/yyyy, blanks, flags
    ("2025-03-05 14:22", "2025-03-05T16:22:10.5+01:00"),
    ("2025/03/05 14:22:05", "06/03/2025 09:00"),
    ("", "06/03/2025 9:00"),
    ("07/03/2025 10:00", "07/03/2025 09:00"),            # answered before the contact: flagged
    ("07/03/2025 10:00", "01/01/2090 10:00"),            # in the future: flagged
    ("2025-03-05T10:00:00.7Z", "2025-03-05T10:00:00.2Z"),  # -0.5 s: floored to -1 s (numpy): flagged
    ("2025-03-05T10:00:00.2Z", "2025-03-05T10:00:59.9Z"),  # 59.7 s: floored to 59 s
    ("NA", "2025-07-01 23:59:59-0330"),
    ("31/10/2025 23:30", "2025-11-02"),
]


def _fielding_file(waves, tmp_path, times, name="f.csv"):
    import csv

    d, src, _ = waves
    with open(src, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:len(times)]
    for row, (c, r) in zip(rows, times):
        row["fecha_contacto"], row["fecha_respuesta"] = c, r
    rows[1]["modo_encuesta"] = " IVR "      # channels and touchpoints mapped case- and space-insensitively
    rows[2]["punto_contacto"] = "entrega"
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_fielding_columns_in_sql_equal_ingest(waves, tmp_path):
    import numpy as np

    from cxstats.engine import open_survey
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    spec = load_spec(waves[0] / "questionnaire_tracking.yaml")
    path = _fielding_file(waves, tmp_path, TIMES)
    ref = load_survey(spec, [(path, "customer")]).data.set_index("respondent_id")
    es = open_survey(spec, [(path, "customer")], "duckdb")
    cols = ["lag_hours", "time_flag", "survey_mode", "contact_touchpoint", "wave", "response_utc_s"]
    got = {r[0]: r[1:] for r in es.b.query(f"SELECT respondent_id, {', '.join(cols)} FROM ({es.view()}) v")}
    for rid, row in ref.iterrows():
        lag, flag, mode, tp, wave, secs = got[rid]
        assert (lag is None and np.isnan(row["lag_hours"])) or lag == row["lag_hours"], (rid, lag, row["lag_hours"])
        assert (flag, mode, tp, wave) == (row["time_flag"], row["survey_mode"], row["contact_touchpoint"],
                                          row["wave"]), rid
        assert secs == row["response_time"].to_datetime64().astype("datetime64[s]").astype("int64"), rid
    assert sorted(f for f in ref["time_flag"] if f) == ["future", "response_before_contact"] + [
        "response_before_contact"]
    assert ref["lag_hours"].notna().sum() == 4 and (ref["lag_hours"] == 59 / 3600).sum() == 1


@pytest.mark.parametrize("bad", [("05/03/25 10:00", "two-digit year"), ("2025-03-30 02:30", "daylight"),
                                 ("2025-10-26 02:30", "daylight"), ("31/02/2025 10:00", "impossible"),
                                 ("yesterday", "not a date")])
def test_a_time_ingest_refuses_is_refused_alike(waves, tmp_path, bad):
    cell, why = bad
    path = _fielding_file(waves, tmp_path, TIMES[:2] + [(TIMES[2][0], cell)])
    args = ["describe", path, "--spec", waves[0] / "questionnaire_tracking.yaml", "--columns", "nps"]
    pandas, duck = run_cli(*args, "--engine", "pandas"), run_cli(*args, "--engine", "duckdb")
    for r in (pandas, duck):
        assert_clean_error(r, "fecha_respuesta", cell, why)
    assert pandas.stderr.splitlines()[0] == duck.stderr.splitlines()[0]
