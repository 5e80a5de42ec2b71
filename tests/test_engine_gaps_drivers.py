"""gaps and drivers on the DuckDB engine: the same numbers as the pandas path on the demo.

Reference: the pandas path on the same demo data (itself checked against R's t.test,
wilcox.test(exact = FALSE), p.adjust and relaimpo in test_gaps / test_drivers). gaps: every JSON
number to 1e-9 (Welch, Mann-Whitney with exact ties from counts per answer and scale score, Hedges'
g, top-2-box, Holm/BH, segments, invariance notes). drivers: every JSON number to 1e-9 (HC3 SEs,
t and p from a second pass over the complete rows: statsmodels' HC3 on the pandas path), penalty-reward
included (box-dummy co-moments, HC3 from one more pass). Options that
need the rows are refused by name with --engine pandas suggested; auto chooses pandas for them."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import assert_clean_error, run_cli, run_engine_plan
from tests.test_engine_duckdb import _drop_engine, same_numbers

duckdb = pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    assert run_cli("demo", d).exit_code == 0
    return d


def _cli(command, files, spec, *extra):
    return run_cli(command, *files, "--spec", spec, "--json", "-", "-q", *extra)


def _both(command, demo, *extra, files=("customers.csv", "staff.csv")):
    paths = [demo / f for f in files]
    ref = _cli(command, paths, demo / "questionnaire.yaml", "--engine", "pandas", *extra)
    got = _cli(command, paths, demo / "questionnaire.yaml", "--engine", "duckdb", *extra)
    assert ref.exit_code == 0 and got.exit_code == 0, (ref, got)
    return ref.json(), got.json()


# ------------------------------------------------------------------------------------ gaps

@pytest.mark.parametrize("extra", [(), ("--by", "region"),
                                   ("--group", "canal", "--compare", "App,Website", "--by", "antiguedad",
                                    "--min-n", "20", "--invariance", "facilidad_web=metric")])
def test_gaps_on_duckdb_equals_pandas_on_the_demo(demo, extra):
    ref, got = _both("gaps", demo, *extra)
    same_numbers(ref, got)
    assert len(ref["items"]) == 30 and ref["constructs"] and ref["touchpoints"] and ref["components"]
    # scale scores (means of items) have fractional values: ties counted per score value
    assert all(r["mw_pvalue"] is not None for r in ref["constructs"])
    if not extra:
        assert any(r["mw_pvalue"] < 0.05 for r in ref["constructs"])
    if "--by" in extra:
        assert any(r.get("suppressed") is False for r in ref["segments"]["rows"])
    if "--invariance" in extra:
        assert any(r.get("interpretable") is False for r in ref["constructs"])


@pytest.mark.parametrize("option", [("--weight", "csat"), ("--paired",), ("--id", "nps"),
                                    ("--importance", "web_1=web_2")])
def test_gaps_options_that_need_rows_are_refused_on_duckdb(demo, option):
    r = _cli("gaps", [demo / "customers.csv", demo / "staff.csv"], demo / "questionnaire.yaml",
             "--engine", "duckdb", *option)
    assert_clean_error(r, option[0], "engine duckdb", "--engine pandas")


@pytest.fixture
def auto_duckdb(monkeypatch):
    """auto picks DuckDB for any input (as for inputs over 200 MiB), unless the run needs the rows."""
    import cxstats.engine

    monkeypatch.setattr(cxstats.engine, "AUTO_DUCKDB_BYTES", -1)


def test_gaps_one_group_is_refused_on_duckdb_and_auto_runs_it_on_pandas(demo, auto_duckdb):
    spec = demo / "questionnaire.yaml"
    r = _cli("gaps", [demo / "customers.csv"], spec, "--engine", "duckdb")
    assert_clean_error(r, "--group", "customers only", "--engine pandas")
    ref = _cli("gaps", [demo / "customers.csv"], spec, "--engine", "pandas")
    got = _cli("gaps", [demo / "customers.csv"], spec, "--engine", "auto")
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert ref.json()["groups"] == ["customer"] and "aspiration" in ref.stderr


def test_gaps_paired_ids_are_refused_on_duckdb_and_auto_pairs_them_on_pandas(demo, tmp_path, auto_duckdb):
    """Staff rows carrying the ids of the first 200 customers, who alone are in the customer file:
    pandas pairs the rows (paired t, Wilcoxon); the engine must not compare them as independent."""
    src = tmp_path / "src"
    src.mkdir()
    spec = src / "questionnaire.yaml"
    shutil.copy(demo / "questionnaire.yaml", spec)
    cust = (demo / "customers.csv").read_text(encoding="utf-8").splitlines()
    staff = (demo / "staff.csv").read_text(encoding="utf-8").splitlines()
    ids = [line.split(",")[0] for line in cust[1:201]]
    (src / "customers.csv").write_text("\n".join(cust[:201]) + "\n", encoding="utf-8")
    (src / "staff.csv").write_text("\n".join([staff[0]] + [i + "," + line.split(",", 1)[1]
                                                         for i, line in zip(ids, staff[1:201])]) + "\n",
                                   encoding="utf-8")
    csvs = [src / "customers.csv", src / "staff.csv"]
    r = _cli("gaps", csvs, spec, "--engine", "duckdb")
    assert_clean_error(r, "--paired", "same respondent ids", "--engine pandas")
    ref = _cli("gaps", csvs, spec, "--engine", "pandas")
    assert ref.exit_code == 0 and "PAIRED" in ref.stderr, ref
    got = _cli("gaps", csvs, spec, "--engine", "auto")
    assert got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    # --unpaired: independent groups on purpose, and the engine computes them
    ref, got = (_cli("gaps", csvs, spec, "--engine", e, "--unpaired") for e in ("pandas", "duckdb"))
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())


# --------------------------------------------------------------------------------- drivers

@pytest.mark.parametrize("extra", [(), ("--performance", "gap"),
                                   ("--outcome", "nps", "--drivers", "web_1,web_2,info_1,precio_1",
                                    "--scale-range", "1,5", "--performance", "top2", "--ipa-cutoffs", "0.2,0.5")])
def test_drivers_on_duckdb_equals_pandas_on_the_demo_penalty_reward_included(demo, extra):
    ref, got = _both("drivers", demo, *extra)
    assert ref["penalty_reward"]["rows"] and got["penalty_reward"]["rows"]
    # HC3 from the second pass: not a copy of the classical SEs
    assert all(r["se_hc3"] > 0 and r["se_hc3"] != r["se"] for r in got["drivers"])
    assert got["intercept"]["se_hc3"] > 0
    assert not any("penalty-reward" in w and "engine" in w for w in got["warnings"])
    same_numbers(ref, got)
    assert ref["n"] > 1900 and ref["dominance"]["complete"] and ref["ipa"]["rows"]
    if "top2" in extra:
        assert all(0 < r["performance"] < 1 for r in ref["ipa"]["rows"])


@pytest.mark.parametrize("option", [("--bootstrap-method", "row", "--bootstrap", "100"), ("--weight", "csat"),
                                    ("--outcome-type", "binary"),
                                    ("--binary-threshold", "9", "--outcome", "nps")])
def test_drivers_options_that_need_rows_are_refused_on_duckdb(demo, option):
    r = _cli("drivers", [demo / "customers.csv", demo / "staff.csv"], demo / "questionnaire.yaml",
             "--engine", "duckdb", *option)
    assert_clean_error(r, option[0], "engine duckdb", "--engine pandas")


def test_drivers_auto_runs_a_row_bootstrap_on_pandas(demo, auto_duckdb):
    spec = demo / "questionnaire.yaml"
    args = ("--bootstrap", "50", "--seed", "3", "--drivers", "facilidad_web,info_producto,confianza_marca",
            "--bootstrap-method", "row")       # auto (the default): DuckDB with the Poisson bootstrap here
    ref = _cli("drivers", [demo / "customers.csv", demo / "staff.csv"], spec, "--engine", "pandas", *args)
    got = _cli("drivers", [demo / "customers.csv", demo / "staff.csv"], spec, "--engine", "auto", *args)
    plain = _cli("drivers", [demo / "customers.csv", demo / "staff.csv"], spec, "--engine", "auto")
    assert plain.exit_code == 0 and plain.json()["penalty_reward"]["rows"]   # auto: DuckDB here
    assert ref.exit_code == 0 and got.exit_code == 0, got
    same_numbers(ref.json(), got.json())
    assert got.json()["bootstrap"] and got.json()["penalty_reward"]


def test_a_plan_runs_gaps_and_drivers_on_duckdb_with_the_pandas_numbers(demo, tmp_path):
    docs = {engine: run_engine_plan(demo, [demo / "customers.csv", demo / "staff.csv"], engine,
                                    "  - step: gaps\n  - step: drivers\n    bootstrap: 0\n", tmp_path) for engine in ("pandas", "duckdb")}
    ref, got = docs["pandas"], docs["duckdb"]
    # 2 files' distinct cells, the id check (which also counts the ids shared by customers and staff);
    # gaps: rows per cell, every score's counts; drivers: rows, moments, the HC3 pass, penalty-reward's counts
    assert got["engines"]["duckdb"]["passes"] == 9
    (gaps_ref, drivers_ref), (gaps_got, drivers_got) = ([s["result"] for s in d["steps"]] for d in (ref, got))
    same_numbers(_drop_engine(gaps_ref), _drop_engine(gaps_got))
    same_numbers(_drop_engine(drivers_ref), _drop_engine(drivers_got))
