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
    ("", "2026-01-01 00:30"), ("", "2024-12-30 12:00"), ("", "2021-01-03 12:00"),   # ISO weeks at new year
    ("", "1969-12-31 12:00"),
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
    from cxstats.io.timestamps import period_label
    from cxstats.spec.load import load_spec

    spec = load_spec(waves[0] / "questionnaire_tracking.yaml")
    path = _fielding_file(waves, tmp_path, TIMES)
    ref = load_survey(spec, [(path, "customer")]).data.set_index("respondent_id")
    es = open_survey(spec, [(path, "customer")], "duckdb")
    cols = ["lag_hours", "time_flag", "survey_mode", "contact_touchpoint", "wave", "response_utc_s",
            "response_week", "response_month", "response_quarter"]
    got = {r[0]: r[1:] for r in es.b.query(f"SELECT respondent_id, {', '.join(cols)} FROM ({es.view()}) v")}
    for period in ("week", "month", "quarter"):
        labels = dict(zip(ref.index, period_label(ref["response_time"].to_numpy(), period)))
        assert {rid: got[rid][cols.index(f"response_{period}")] for rid in ref.index} == labels
    for rid, row in ref.iterrows():
        lag, flag, mode, tp, wave, secs = got[rid][:6]
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


# ---------------------------------------------------------------------------------- track

def test_trend_from_wave_summaries_equals_statsmodels_hc3():
    """The closed-form HC3 slope from n, mean, M2 per wave against statsmodels on the rows."""
    import numpy as np
    import statsmodels.api as sm

    from cxstats.stats.track import Sample, trend_from_samples

    rng = np.random.default_rng(7)
    x = np.repeat([0.0, 1.0, 2.0, 3.0], [40, 25, 60, 33])
    y = 2.0 + 0.3 * x + rng.standard_normal(x.size) * (1 + x)      # heteroscedastic
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3")
    cells = {}
    for w in np.unique(x):
        v = y[x == w]
        cells[w] = Sample(v.size, float(v.mean()), float(((v - v.mean()) ** 2).sum()))
    got = trend_from_samples(cells)
    assert got["slope"] == pytest.approx(fit.params[1], rel=1e-12)
    assert got["se_hc3"] == pytest.approx(fit.bse[1], rel=1e-10)
    assert got["pvalue"] == pytest.approx(fit.pvalues[1], rel=1e-9)


@pytest.fixture(scope="module")
def staff_waves(waves):
    """120 frontline staff per wave (the demo's answer model, another seed): customer-staff gaps."""
    import csv

    from cxstats.demo.waves import simulate_waves

    rows = simulate_waves(120, seed=4242, shifts={"ola1": {}, "ola2": {}, "ola3": {}})
    for r in rows:
        r.update(tipo_encuestado="empleado", fecha_contacto="", nps="", csat="", ces="", recompra="",
                 id_respuesta="S" + r["id_respuesta"])
    path = waves[0] / "staff_waves.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("extra", [(), ("--by", "region", "--within-window"), ("--period", "month"),
                                   ("--period", "week", "--kpis", "nps,csat,entrega", "--by", "canal")])
def test_track_on_duckdb_equals_pandas(waves, extra):
    d, csv, parquet = waves
    spec = d / "questionnaire_tracking.yaml"
    ref = _cli_json("track", csv, "--spec", spec, "--engine", "pandas", *extra)
    got = _cli_json("track", csv if extra else parquet, "--spec", spec, "--engine", "duckdb", *extra)
    same_numbers(ref, got)
    assert len(ref["waves"]) >= 3 and len(ref["cells"]) >= 27
    assert ref["trends"] or ref["control"]


def test_track_staff_gaps_on_duckdb_equal_pandas(waves, staff_waves):
    d, csv, _ = waves
    args = ["track", csv, staff_waves, "--spec", d / "questionnaire_tracking.yaml", "--by", "region"]
    ref, got = _cli_json(*args, "--engine", "pandas"), _cli_json(*args, "--engine", "duckdb")
    same_numbers(ref, got)
    assert ref["sample"]["staff_answers"] == 360
    assert sum(1 for c in ref["cells"] if c["kpi"].endswith(".vs_staff") and c["value"] is not None) > 30


# ------------------------------------------------------------------------------ immediacy

@pytest.mark.parametrize("extra", [(), ("--by", "region", "--max-lag-hours", "24",
                                         "--outcomes", "nps,puntualidad_entrega,web_1")])
def test_immediacy_on_duckdb_equals_pandas(waves, extra):
    d, csv, parquet = waves
    spec = d / "questionnaire_tracking.yaml"
    ref = _cli_json("immediacy", csv, "--spec", spec, "--engine", "pandas", *extra)
    got = _cli_json("immediacy", parquet if extra else csv, "--spec", spec, "--engine", "duckdb", *extra)
    same_numbers(ref, got)
    assert len(ref["late"]) > 100 and ref["lag_tests"] and ref["mode_tests"] and len(ref["rows"]) > 20


def test_immediacy_lists_the_latest_answers_and_says_so(waves, monkeypatch):
    import cxstats.steps.immediacy as step

    d, csv, _ = waves
    args = ["immediacy", csv, "--spec", d / "questionnaire_tracking.yaml", "--outcomes", "nps"]
    ref = _cli_json(*args, "--engine", "pandas")
    monkeypatch.setattr(step, "LATE_LISTED", 10)
    got = _cli_json(*args, "--engine", "duckdb")
    assert got["late"] == ref["late"][:10]
    assert any(f"{len(ref['late'])} late answers; the 10 latest are listed" in w and "--engine pandas" in w
               for w in got["warnings"])


def test_immediacy_on_a_flagged_file(waves, tmp_path):
    """Answers before their contact or in the future are counted and left out alike."""
    path = _fielding_file(waves, tmp_path, TIMES[:9] * 4)
    args = ["immediacy", path, "--spec", waves[0] / "questionnaire_tracking.yaml", "--outcomes", "nps"]
    ref, got = _cli_json(*args, "--engine", "pandas"), _cli_json(*args, "--engine", "duckdb")
    # ingest's notes name the rows (row 5, row 7 ...); the engine counts them without the rows
    notes = [w for w in ref["warnings"] if w.startswith("f.csv: ")]
    assert [w.split(" (")[0] for w in notes] == [w.split(" (")[0] for w in got["warnings"][:len(notes)]]
    same_numbers({**ref, "warnings": ref["warnings"][len(notes):]}, {**got, "warnings": got["warnings"][len(notes):]})
    assert ref["flagged"] == {"future": 4, "response_before_contact": 8} and ref["no_lag"] > 0


# --------------------------------------------------------------------------------- Spark

@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_describe_track_immediacy_on_spark_equal_pandas(engine_demo, waves, spark_session):
    """One local[2] session (conftest), Parquet in: the three analyses as Spark aggregations."""
    d, csv, parquet = engine_demo
    spec = d / "questionnaire.yaml"
    args = ("--by", "region", "--columns", "nps,csat,web_1,web_2")
    ref = _cli_json("describe", *csv, "--spec", spec, *args, "--engine", "pandas")
    same_numbers(ref, _cli_json("describe", *parquet, "--spec", spec, *args, "--engine", "spark"))
    d, csv, parquet = waves
    spec = d / "questionnaire_tracking.yaml"
    for args in (("track", "--period", "month", "--within-window", "--kpis", "nps,csat,entrega,ces"),
                 ("immediacy", "--by", "region", "--outcomes", "nps,puntualidad_entrega")):
        ref = _cli_json(args[0], csv, "--spec", spec, *args[1:], "--engine", "pandas")
        same_numbers(ref, _cli_json(args[0], parquet, "--spec", spec, *args[1:], "--engine", "spark"))
        assert ref.get("control") or ref.get("lag_tests")


def test_options_refused_alike_on_the_engines(waves):
    d, csv, _ = waves
    spec = d / "questionnaire_tracking.yaml"
    for args, option in ((("track", "--max-lag-hours", "24"), "--max-lag-hours"),
                         (("track", "--kpis", "nps,nope"), "--kpis"),
                         (("immediacy", "--outcomes", "nope"), "--outcomes"),
                         (("track", "--by", "nope"), "--by")):
        pandas = run_cli(args[0], csv, "--spec", spec, *args[1:], "--engine", "pandas")
        duck = run_cli(args[0], csv, "--spec", spec, *args[1:], "--engine", "duckdb")
        assert_clean_error(pandas, option)
        assert_clean_error(duck, option)
        assert pandas.stderr.splitlines()[0] == duck.stderr.splitlines()[0]
