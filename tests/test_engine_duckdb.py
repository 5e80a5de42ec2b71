"""The DuckDB engine: the spec's recoding in SQL, moments in one pass, the same numbers as pandas.

Reference: the pandas engine (today's in-memory path, itself checked against psych/lavaan in
test_reliability) on the same demo data; refusals compared with ingest's."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from tests.conftest import assert_clean_error, run_cli, run_engine_plan

duckdb = pytest.importorskip("duckdb")


def same_numbers(a, b, rel=1e-9, path=""):   # the bar: relative 1e-9 (iterative fits stop within it)
    if isinstance(a, dict):
        assert set(a) == set(b), (path, set(a) ^ set(b))
        for k in a:
            same_numbers(a[k], b[k], rel, f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same_numbers(x, y, rel, f"{path}[{i}]")
    elif isinstance(a, float) and not (isinstance(b, float) and math.isnan(a) and math.isnan(b)):
        t = max(rel, 1e-7) if "omega_cfa" in path else rel   # omega's one-factor CFA: an iterative fit
        assert b == pytest.approx(a, rel=t, abs=t), (path, a, b)
    else:
        assert a == b, (path, a, b)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    assert run_cli("demo", d).exit_code == 0
    return d


def _reliability(demo, *extra, files=("customers.csv", "staff.csv"), spec=None):
    r = run_cli("reliability", *[demo / f for f in files], "--spec", spec or demo / "questionnaire.yaml",
                "--json", "-", "-q", *extra)
    assert r.exit_code == 0, r
    return r.json()


@pytest.mark.parametrize("extra", [(), ("--missing", "listwise", "--group", "canal")])
def test_reliability_on_duckdb_equals_pandas_on_the_demo(demo, extra):
    ref = _reliability(demo, "--engine", "pandas", *extra)
    got = _reliability(demo, "--engine", "duckdb", *extra)
    same_numbers(ref, got)
    assert len(ref["scales"]) == 20 and ref["scales"][0]["alpha"] > 0.7


@pytest.mark.parametrize("extra", [(), ("--group", "respondent_type", "--by", "region"),
                                   ("--group", "canal", "--by", "antiguedad", "--respondents", "all")])
def test_nps_on_duckdb_equals_pandas_on_the_demo(demo, extra):
    args = ["nps", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
            "--json", "-", "-q", *extra]
    ref, got = run_cli(*args, "--engine", "pandas"), run_cli(*args, "--engine", "duckdb")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert ref.json()["overall"]["n"] > 1000 and ref.json()["csat"] and ref.json()["ces"]


def test_cfa_with_fiml_on_duckdb_equals_pandas_on_the_demo(demo):
    args = ["cfa", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
            "--json", "-", "-q"]
    ref, got = run_cli(*args, "--engine", "pandas"), run_cli(*args, "--engine", "duckdb")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert ref.json()["missing"]["method"] == "ml" and ref.json()["missing"]["n_incomplete"] > 100
    r = run_cli(*args, "--engine", "duckdb", "--estimator", "MLR")
    assert_clean_error(r, "--estimator", "--engine pandas")


def test_parquet_files_and_a_duckdb_table_give_the_same_numbers(demo, tmp_path):
    con = duckdb.connect(str(tmp_path / "lake.duckdb"))
    (tmp_path / "lake").mkdir()
    for name in ("customers", "staff"):
        src = str(demo / f"{name}.csv")
        con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar = true)) TO "
                    f"'{tmp_path / 'lake' / name}.parquet' (FORMAT parquet)")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{src}', all_varchar = true)")
    con.close()
    ref = _reliability(demo, "--engine", "pandas")
    # auto picks DuckDB for Parquet (pandas cannot read it)
    got = _reliability(tmp_path / "lake", "--engine", "auto", files=("customers.parquet", "staff.parquet"),
                       spec=demo / "questionnaire.yaml")
    same_numbers(ref, got)
    glob = _reliability(tmp_path, files=("lake/*.parquet",), spec=demo / "questionnaire.yaml")
    same_numbers(ref, glob)
    folder = _reliability(tmp_path, files=("lake",), spec=demo / "questionnaire.yaml")   # auto: DuckDB
    same_numbers(ref, folder)
    r = run_cli("reliability", tmp_path / "lake", "--spec", demo / "questionnaire.yaml", "--engine", "pandas")
    assert_clean_error(r, "is a folder")
    table = _reliability(tmp_path, "--engine", "duckdb", files=("lake.duckdb:customers", "lake.duckdb:staff"),
                        spec=demo / "questionnaire.yaml")
    same_numbers(ref, table)


def test_a_value_outside_the_scale_is_refused_as_ingest_does(demo, tmp_path):
    for f in ("customers.csv", "staff.csv", "questionnaire.yaml"):
        shutil.copy(demo / f, tmp_path / f)
    lines = (tmp_path / "customers.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("web_2")
    cells = lines[41].split(",")          # file row 42
    cells[col] = "7"
    lines[41] = ",".join(cells)
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["reliability", tmp_path / "customers.csv", tmp_path / "staff.csv", "--spec", tmp_path / "questionnaire.yaml"]
    pandas = run_cli(*args, "--engine", "pandas")
    duck = run_cli(*args, "--engine", "duckdb")
    for r in (pandas, duck):
        assert_clean_error(r, "customers.csv", "web_2", "42", "7", "outside scale 'acuerdo5' (1-5")
    assert pandas.stderr.splitlines()[0] == duck.stderr.splitlines()[0]


def test_the_row_bootstrap_needs_rows_and_plain_files_need_pandas(demo):
    r = run_cli("reliability", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--engine", "duckdb", "--bootstrap", "50", "--bootstrap-method", "row")
    assert_clean_error(r, "--bootstrap-method", "needs the rows", "--engine pandas")   # poisson: runs
    r = run_cli("reliability", demo / "customers.csv", "--scale", "w=web_1,web_2,web_3", "--engine", "duckdb")
    assert_clean_error(r, "--engine", "study spec")


def test_plan_step_with_engine_duckdb_equals_the_pandas_step(demo, tmp_path):
    docs = {engine: run_engine_plan(demo, [demo / "customers.csv", demo / "staff.csv"], engine,
                                    "  - step: reliability\n  - step: describe\n", tmp_path) for engine in ("pandas", "duckdb")}
    ref, got = docs["pandas"], docs["duckdb"]
    # the plan states how often the engine read the data: each file's distinct cells, the id check,
    # one moment pass (reliability), one counts pass (describe)
    assert got.pop("engines") == {"duckdb": {"passes": 5, "sources": [str(demo / "customers.csv"),
                                                                      str(demo / "staff.csv")]}}
    # describe without an engine path reads the (small) rows in memory, said in the plan's warnings
    assert all(w.startswith("describe needs each respondent's row") for w in got.pop("warnings", []))
    assert "reliability" in json.dumps(ref) and ref.keys() == got.keys()
    for key in ref:
        if key not in ("inputs", "outputs", "plan", "cxstats_version", "created"):
            same_numbers(_drop_engine(ref[key]), _drop_engine(got[key]))


def _drop_engine(doc):
    """The plan echo names the engine chosen; everything else must agree."""
    if isinstance(doc, dict):
        return {k: _drop_engine(v) for k, v in doc.items() if k != "engine"}
    if isinstance(doc, list):
        return [_drop_engine(v) for v in doc]
    return doc


@pytest.mark.parametrize("exact", [True, False])
def test_engine_moments_equal_the_in_memory_moments(demo, exact, monkeypatch):
    """Whole codes: exact shifted sums; other values (forced here): DuckDB's avg/covar_pop."""
    from cxstats.engine import open_survey
    from cxstats.engine.survey import EngineSurvey

    if not exact:
        monkeypatch.setattr(EngineSurvey, "_integer_shifts", lambda self, cols: None)
    from cxstats.io.survey import load_survey
    from cxstats.moments import PatternMoments
    from cxstats.spec.load import load_spec

    spec = load_spec(demo / "questionnaire.yaml")
    files = [(demo / "customers.csv", "customer"), (demo / "staff.csv", "staff")]
    es = open_survey(spec, files, "duckdb")
    items = spec.item_ids()[:6] + ["nps"]
    got = es.pattern_moments(items, group="respondent_type")
    assert es.passes == 4          # the distinct cells of each file, the id check, one aggregation pass
    data = load_survey(spec, files).data
    for g in ("customer", "staff"):
        ref = PatternMoments.from_array(items, data.loc[data.respondent_type == g, items].to_numpy())
        assert set(ref.patterns) == set(got[g].patterns)
        for key, m in ref.patterns.items():
            assert got[g].patterns[key].n == m.n
            np.testing.assert_allclose(got[g].patterns[key].mean, m.mean, rtol=1e-15 if exact else 1e-13)
            np.testing.assert_allclose(got[g].patterns[key].m2, m.m2, rtol=1e-13 if exact else 1e-11, atol=1e-9)
    counts = es.counts("nps", group="respondent_type")
    assert counts["staff"].counts == data.loc[data.respondent_type == "staff", "nps"].value_counts().to_dict()


def test_ingest_writes_the_same_parquet_table_in_memory_and_out_of_core(demo, tmp_path):
    args = ["ingest", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml"]
    for engine in ("pandas", "duckdb"):
        r = run_cli(*args, "--engine", engine, "--out", tmp_path / f"{engine}.parquet",
                    "--json", tmp_path / f"{engine}.json")
        assert r.exit_code == 0, r
    assert (tmp_path / "pandas.json").read_text() == (tmp_path / "duckdb.json").read_text()
    a = duckdb.sql(f"SELECT * FROM '{tmp_path / 'pandas.parquet'}' ORDER BY respondent_type, respondent_id").df()
    b = duckdb.sql(f"SELECT * FROM '{tmp_path / 'duckdb.parquet'}' ORDER BY respondent_type, respondent_id").df()
    assert list(a.columns) == list(b.columns) and len(a) == 2200
    for c in a.columns:
        if a[c].dtype == object:
            assert a[c].fillna("").tolist() == b[c].fillna("").tolist(), c
        else:
            np.testing.assert_array_equal(a[c].astype(float).to_numpy(), b[c].astype(float).to_numpy(), err_msg=c)
    assert b["web_3"].notna().sum() > 0 and sorted(b["respondent_type"].unique()) == ["customer", "staff"]
    r = run_cli(*args, "--engine", "duckdb", "--out", tmp_path / "clean.csv")
    assert_clean_error(r, "--out", ".parquet")


HS_SPEC = """study:
  id: hs
  title: {en: "Holzinger-Swineford 1939"}
  languages: [en]
respondents:
  id_column: id
scales:
  score: {min: 0, max: 11, integer: false}
journeys:
  - id: tests
    name: {en: "Mental ability tests"}
    touchpoints:
      - id: all
        name: {en: "All tests"}
        constructs:
""" + "".join(
    f"""          - id: {f}
            name: {{en: "{f}"}}
            component: product
            scale: score
            items:
""" + "".join(f"""              - id: x{i}
                customer: {{en: "test {i}"}}
""" for i in items) for f, items in (("visual", (1, 2, 3)), ("textual", (4, 5, 6)), ("speed", (7, 8, 9))))


def test_the_hs_cfa_through_duckdb_matches_lavaan(hs_path, tmp_path):
    """R reference (lavaan 0.6, tests/fixtures/reference/results/cfa_hs.json) through the engine:
    continuous scores take DuckDB's avg/covar_pop path; the model is built from the spec."""
    from tests.conftest import reference

    (tmp_path / "hs.yaml").write_text(HS_SPEC, encoding="utf-8")
    r = run_cli("cfa", hs_path, "--spec", tmp_path / "hs.yaml", "--engine", "duckdb", "--json", "-", "-q")
    assert r.exit_code == 0, r
    got, ref = r.json(), reference("cfa_hs")["ML"]
    for key in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
        assert got["fit"][key] == pytest.approx(ref["fit"][key], abs=1e-3), key
    rows = [(e["lhs"], e["op"], e["rhs"], e["est"], e["se"]) for e in got["estimates"]]
    for p in ref["parameters"]:
        mine = [x for x in rows if x[:3] == (p["lhs"], p["op"], p["rhs"])]
        assert mine and mine[0][3] == pytest.approx(p["est"], abs=1e-3), p
        assert mine[0][4] == pytest.approx(p["se"], abs=1e-3), p
    pandas = run_cli("cfa", hs_path, "--spec", tmp_path / "hs.yaml", "--engine", "pandas", "--json", "-", "-q")
    same_numbers(pandas.json(), got)


def test_integer_typed_parquet_recodes_by_lookup_as_the_csv_does(demo, tmp_path):
    """Parquet with integer-typed answers (as the Parquet demo and most lakes write them) is recoded
    by a list lookup instead of CASE (DuckBackend.integer_lookup): the same codes - the demo's 99
    "don't know" code missing, reverse-keyed items reversed - so the same
    numbers as pandas on the CSV."""
    import csv as _csv

    rows = list(_csv.DictReader(open(demo / "customers.csv", encoding="utf-8")))
    spec_text = (demo / "questionnaire.yaml").read_text(encoding="utf-8")
    assert "reverse: true" in spec_text and any(r["web_1"] == "99" for r in rows)
    for name in ("customers", "staff"):
        duckdb.execute(f"COPY (SELECT * FROM read_csv('{demo / name}.csv', header = true)) "
                       f"TO '{tmp_path / name}.parquet' (FORMAT parquet)")
    types = {r[0]: r[1] for r in duckdb.connect().execute(
        f"DESCRIBE SELECT * FROM '{tmp_path / 'customers.parquet'}'").fetchall()}
    assert types["web_1"] in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT")
    from cxstats.engine import open_survey
    from cxstats.spec.load import load_spec

    es = open_survey(load_spec(demo / "questionnaire.yaml"), [(tmp_path / "customers.parquet", "customer")],
                     "duckdb")
    assert '"web_1" AS BIGINT) - (' in es.view()        # the lookup, not CASE, for typed columns
    ref = _reliability(demo, "--engine", "pandas")
    got = _reliability(tmp_path, "--engine", "duckdb", files=("customers.parquet", "staff.parquet"),
                       spec=demo / "questionnaire.yaml")
    same_numbers(ref, got)
    common = ["--spec", demo / "questionnaire.yaml", "--json", "-", "-q"]
    ref = run_cli("gaps", demo / "customers.csv", demo / "staff.csv", *common, "--engine", "pandas")
    got = run_cli("gaps", tmp_path / "customers.parquet", tmp_path / "staff.parquet", *common, "--engine", "duckdb")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())


def test_ingest_reads_a_folder_of_parquet_parts_on_an_engine_and_refuses_it_on_pandas(engine_demo, tmp_path):
    folder, _, (customers, _) = engine_demo
    parts = tmp_path / "customers"
    parts.mkdir()
    (parts / "part-00000.parquet").write_bytes(customers.read_bytes())
    spec = folder / "questionnaire.yaml"
    got = run_cli("ingest", parts, "--spec", spec, "--engine", "duckdb", "--json", "-")
    ref = run_cli("ingest", customers, "--spec", spec, "--engine", "duckdb", "--json", "-")
    assert got.exit_code == 0 and ref.exit_code == 0, got
    assert got.json()["respondents"] == ref.json()["respondents"] and got.json()["respondents"]["customer"] > 0
    assert_clean_error(run_cli("ingest", parts, "--spec", spec, "--engine", "pandas"), "is a folder")
