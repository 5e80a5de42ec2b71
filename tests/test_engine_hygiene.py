"""Engine hygiene (issue 17): the engines refuse duplicated and empty respondent ids as ingest
does; penalty-reward from moments; exact, deterministic scale-score moments; row-level steps
and a stated sample on an engine.

References: pandas ingest (the same refusal, message and row), the pandas drivers path and
statsmodels' OLS with HC3 (penalty-reward), exact rational arithmetic (scale-score moments)."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import run_cli

duckdb = pytest.importorskip("duckdb")


def _with_bad_ids(demo, target, changes):
    """The demo's customers with ``{record: new id}`` (records 1-based, as Parquet rows)."""
    rows = list(csv.reader(open(demo / "customers.csv", encoding="utf-8")))
    for rec, new in changes.items():
        rows[rec][0] = rows[new][0] if isinstance(new, int) else new
    with open(target, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    pq = target.with_suffix(".parquet")
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{target}', all_varchar = true)) TO '{pq}' (FORMAT parquet)")
    return target, pq


def _error(result):
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")][0]
    return line


def _ingest(path, demo, engine):
    return run_cli("ingest", path, "--spec", demo / "questionnaire.yaml", "--engine", engine)


@pytest.fixture(scope="module")
def dup_files(engine_demo, tmp_path_factory):
    demo = engine_demo[0]
    d = tmp_path_factory.mktemp("dups")
    # record 90 repeats record 3's id, record 40 record 7's: the first by (type, id) is record 3's
    return demo, _with_bad_ids(demo, d / "dup.csv", {40: 7, 90: 3})


def test_duckdb_refuses_duplicated_ids_as_ingest_does(dup_files):
    demo, (csv_path, pq_path) = dup_files
    ref = _error(_ingest(csv_path, demo, "pandas"))
    assert "row 91, value 'C000003': duplicated respondent id (appears at" in ref
    assert "row 4, " in ref and "2 id(s) are duplicated in all" in ref
    assert _error(_ingest(csv_path, demo, "duckdb")) == ref                # CSV: word for word
    # Parquet has no header row: record 90 is row 90 (the CSV's row 91)
    got = _error(_ingest(pq_path, demo, "duckdb"))
    assert got == ref.replace(str(csv_path), str(pq_path)).replace("row 91", "row 90").replace("row 4", "row 3")


def test_spark_refuses_duplicated_ids_as_ingest_does(dup_files, spark_session):
    demo, (csv_path, pq_path) = dup_files
    ref = _error(_ingest(csv_path, demo, "pandas"))
    got = _error(_ingest(pq_path, demo, "spark"))
    assert got == ref.replace(str(csv_path), str(pq_path)).replace("row 91", "row 90").replace("row 4", "row 3")


def test_engines_refuse_empty_ids_as_ingest_does(engine_demo, tmp_path):
    demo = engine_demo[0]
    csv_path, pq_path = _with_bad_ids(demo, tmp_path / "blank.csv", {55: "  ", 20: 7})
    ref = _error(_ingest(csv_path, demo, "pandas"))
    assert ref.endswith("row 56, value '': respondent id is empty")
    assert _error(_ingest(csv_path, demo, "duckdb")) == ref
    assert _error(_ingest(pq_path, demo, "duckdb")) == ref.replace(str(csv_path), str(pq_path)).replace(
        "row 56", "row 55")
    csv_path, _ = _with_bad_ids(demo, tmp_path / "na.csv", {12: "n/a"})        # a missing token is blank
    assert _error(_ingest(csv_path, demo, "duckdb")) == _error(_ingest(csv_path, demo, "pandas"))


def test_the_id_check_is_one_pass_before_the_first_moments(engine_demo):
    from cxstats.engine import open_survey
    from cxstats.spec.load import load_spec

    demo, csvs, _ = engine_demo
    spec = load_spec(demo / "questionnaire.yaml")
    es = open_survey(spec, [(csvs[0], "customer"), (csvs[1], "staff")], "duckdb")
    es.pattern_moments(spec.item_ids()[:3])
    assert es.ids_checked and es.passes == 4      # 2 files' distinct cells, the id check, the moments
    es.pattern_moments(spec.item_ids()[:3])
    assert es.passes == 5                         # the check runs once per survey


# ------------------------------------------------------------------ exact scale-score moments

def _exact_reference(spec, data, cols, constructs):
    """{pattern: (n, [exact means], {(a, b): exact co-moment})} of the customers' scores, each score
    the exact fraction S/a of its answered items (at least half answered), in rational arithmetic."""
    from collections import defaultdict
    from fractions import Fraction

    cust = data[data.respondent_type == "customer"]
    vals = []
    for name in cols:
        items = constructs[name].item_ids if name in constructs else [name]
        col = []
        for r in cust[items].to_numpy():
            ans = [int(v) for v in r if v == v]
            col.append(Fraction(sum(ans), len(ans)) if ans and len(ans) / len(r) >= 0.5 else None)
        vals.append(col)
    groups = defaultdict(list)
    for r in zip(*vals):
        groups[tuple(v is not None for v in r)].append(r)
    out = {}
    for key, rs in groups.items():
        obs = [i for i in range(len(cols)) if key[i]]
        n = len(rs)
        means = [sum(r[i] for r in rs) / n for i in obs]
        m2 = {(a, b): sum((r[i] - means[a]) * (r[j] - means[b]) for r in rs)
              for a, i in enumerate(obs) for b, j in enumerate(obs)}
        out[key] = (n, means, m2)
    return out


def _score_moments(engine, demo, files, session=None):
    from cxstats.engine import open_survey
    from cxstats.spec.load import load_spec

    spec = load_spec(demo / "questionnaire.yaml")
    es = open_survey(spec, files, engine)
    cons = {c.id: c for c in spec.constructs()[:4]}
    cols = list(cons) + ["csat"]
    exprs = {c: es.score_expr(cons[c].item_ids) for c in cons} | {"csat": es.score_expr(["csat"])}
    return spec, cols, cons, es.pattern_moments(cols, where="respondent_type = 'customer'", exprs=exprs)[None]


def _assert_bit_exact(got, ref):
    assert set(got.patterns) == set(ref) and len(ref) >= 2           # complete rows and some with a gap
    for key, (n, means, m2) in ref.items():
        m = got.patterns[key]
        assert m.n == n
        assert list(m.mean) == [float(x) for x in means]                  # correctly rounded: bit for bit
        for (a, b), v in m2.items():
            assert m.m2[a, b] == float(v), (key, a, b)


@pytest.fixture(scope="module")
def demo_table(engine_demo):
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    demo, csvs, _ = engine_demo
    return load_survey(load_spec(demo / "questionnaire.yaml"), [(csvs[0], "customer"), (csvs[1], "staff")]).data


def test_score_moments_on_duckdb_are_the_exact_moments_bit_for_bit(engine_demo, demo_table):
    import numpy as np

    from cxstats.moments import PatternMoments

    demo, csvs, lake = engine_demo
    spec, cols, cons, got = _score_moments("duckdb", demo, [(lake[0], "customer"), (lake[1], "staff")])
    ref = _exact_reference(spec, demo_table, cols, cons)
    _assert_bit_exact(got, ref)
    # the float path (pandas' rounded scores, two-pass sums) agrees to a few ulps, not exactly
    cust = demo_table[demo_table.respondent_type == "customer"]
    scores = np.column_stack([cust[cons[c].item_ids].mean(axis=1).where(cust[cons[c].item_ids].notna().mean(axis=1)
                                                                        >= 0.5) for c in cons] + [cust["csat"]])
    fl = PatternMoments.from_array(cols, scores)
    for key, m in fl.patterns.items():
        assert np.allclose(m.m2, got.patterns[key].m2, rtol=1e-13, atol=0)
        assert np.allclose(m.mean, got.patterns[key].mean, rtol=1e-15, atol=0)


def test_score_moments_on_spark_are_the_exact_moments_bit_for_bit(engine_demo, demo_table, spark_session):
    demo, csvs, lake = engine_demo
    spec, cols, cons, got = _score_moments("spark", demo, [(lake[0], "customer"), (lake[1], "staff")])
    _assert_bit_exact(got, _exact_reference(spec, demo_table, cols, cons))


def test_drivers_on_duckdb_with_two_threads_give_byte_identical_json(engine_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("CXSTATS_DUCKDB_THREADS", "2")
    demo, _, lake = engine_demo
    outs = []
    for run in (1, 2):
        out = tmp_path / f"drivers_{run}.json"
        r = run_cli("drivers", *lake, "--spec", demo / "questionnaire.yaml", "--engine", "duckdb",
                    "--json", out, "-q")
        assert r.exit_code == 0, r
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and b"penalty_reward" in outs[0]


# ------------------------------------------------------------------ penalty-reward from moments

def test_penalty_reward_from_moments_is_statsmodels_ols_with_hc3():
    """The one formula of the row and engine paths against statsmodels (independent reference)."""
    import numpy as np
    import statsmodels.api as sm
    from scipy import stats

    from cxstats.stats.drivers.ipa import penalty_reward

    rng = np.random.default_rng(11)
    n, p = 700, 3
    x = rng.integers(1, 6, (n, p)).astype(float)
    y = 5 - 1.2 * (x[:, 0] <= 2) + 0.7 * (x[:, 1] == 5) + rng.normal(0, 1, n) * (0.5 + (x[:, 2] == 5))
    rows, r2, notes = penalty_reward(y, x, ["a", "b", "c"], scale_min=1, scale_max=5, low_boxes=2,
                                     high_boxes=1, ci_level=0.9)
    cols = []
    for j in range(p):
        cols += [(x[:, j] <= 2).astype(float), (x[:, j] >= 5).astype(float)]
    fit = sm.OLS(y, sm.add_constant(np.column_stack(cols))).fit(cov_type="HC3", use_t=True)
    ci = fit.conf_int(alpha=0.1)
    assert not notes and r2 == pytest.approx(fit.rsquared, rel=1e-12)
    for j, r in enumerate(rows):
        for kind, k in (("penalty", 1 + 2 * j), ("reward", 2 + 2 * j)):
            assert r[kind] == pytest.approx(fit.params[k], rel=1e-10)
            assert r[f"{kind}_se_hc3"] == pytest.approx(fit.bse[k], rel=1e-10)
            assert r[f"{kind}_pvalue"] == pytest.approx(fit.pvalues[k], rel=1e-8)
            assert (r[f"{kind}_lower"], r[f"{kind}_upper"]) == pytest.approx(tuple(ci[k]), rel=1e-10)
        assert (r["n_low"], r["n_high"]) == (int((x[:, j] <= 2).sum()), int((x[:, j] >= 5).sum()))
    assert rows[0]["category"].startswith("basic") and rows[1]["category"].startswith("exciter")
    assert stats.t.ppf(0.95, n - 7) > 1.6           # the t interval (residual df), not the normal one


def _drivers(files, demo, engine, *extra):
    r = run_cli("drivers", *files, "--spec", demo / "questionnaire.yaml", "--engine", engine, "--json", "-",
                "-q", *extra)
    assert r.exit_code == 0, r
    return r.json()


@pytest.mark.parametrize("extra", [("--low-boxes", "1", "--high-boxes", "2", "--ci-level", "0.9"),
                                   # 16 item drivers with top-2 shares: 65 columns, so the box dummies
                                   # take a pass of their own (a query holds at most 62)
                                   ("--outcome", "nps", "--scale-range", "1,5", "--performance", "top2",
                                    "--drivers", "web_1,web_2,web_3,info_1,info_2,info_3,conf_1,conf_2,"
                                    "conf_3,pago_1,pago_2,pago_3,precio_1,precio_2,precio_3,entrega_1")])
def test_penalty_reward_on_duckdb_equals_pandas(engine_demo, extra):
    from tests.test_engine_duckdb import same_numbers

    demo, csvs, lake = engine_demo
    ref = _drivers(csvs, demo, "pandas", "--bootstrap", "0", *extra)
    got = _drivers(lake, demo, "duckdb", *extra)
    assert ref["penalty_reward"]["rows"] and any(r["category"] for r in got["penalty_reward"]["rows"])
    same_numbers(ref, got)


def test_a_box_of_one_answer_is_not_estimated_on_either_path(engine_demo, tmp_path):
    """One answer in a box (or in the middle) has leverage 1: its HC3 SE is 0/0, noise that differed
    between statsmodels and the engine; both paths leave it out and say so."""
    import numpy as np

    from cxstats.stats.drivers.ipa import penalty_reward

    rng = np.random.default_rng(5)
    x = rng.integers(2, 6, (300, 2)).astype(float)
    x[7, 0] = 1.0                       # one answer in driver a's low box
    x[:, 1] = np.where(rng.random(300) < 0.5, 1.0, 5.0)
    x[9, 1] = 3.0                       # one answer in driver b's middle
    y = x.sum(axis=1) + rng.normal(0, 1, 300)
    rows, _, notes = penalty_reward(y, x, ["a", "b"], scale_min=1, scale_max=5, low_boxes=1, high_boxes=1)
    assert rows[0]["n_low"] == 1 and np.isnan(rows[0]["penalty"]) and np.isfinite(rows[0]["reward"])
    assert rows[1]["n_middle"] == 1 and np.isnan(rows[1]["penalty"]) and np.isnan(rows[1]["reward"])
    assert any("one answer of 'a' in the low box(es)" in w for w in notes)
    assert any("driver 'b' has one answer in the middle boxes" in w for w in notes)


# ------------------------------------------------------------------ a stated sample; row-level steps

def _sample(files, demo, engine, out, *extra):
    js = out.with_suffix(".json")
    r = run_cli("ingest", *files, "--spec", demo / "questionnaire.yaml", "--engine", engine, "--sample", "300",
                "--seed", "7", "--out", out, "--json", js, *extra)
    assert r.exit_code == 0, r
    import json

    return json.loads(js.read_text(encoding="utf-8"))


def test_a_stated_sample_is_reproducible_and_the_same_rows_on_any_engine(engine_demo, tmp_path, monkeypatch):
    demo, csvs, lake = engine_demo
    doc = _sample([csvs[0]], demo, "duckdb", tmp_path / "a.csv")
    assert doc["sample"]["n"] == 300 and doc["sample"]["population"] == 2000 and doc["sample"]["seed"] == 7
    assert "simple random sample without replacement" in doc["sample"]["method"]
    monkeypatch.setenv("CXSTATS_DUCKDB_THREADS", "2")
    _sample([lake[0]], demo, "duckdb", tmp_path / "b.parquet")            # from Parquet, to Parquet
    _sample([tmp_path / "b.parquet"], demo, "duckdb", tmp_path / "c.csv")  # the sample of the sample: itself
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    # every sampled row is an input row, unchanged (the same spec and plan read the sample)
    source = {r[0]: r for r in csv.reader(open(csvs[0], encoding="utf-8"))}
    got = list(csv.reader(open(tmp_path / "a.csv", encoding="utf-8")))
    assert got[0] == source["id_respuesta"] and len(got) == 301
    assert all(row == source[row[0]] for row in got[1:]) and len({row[0] for row in got[1:]}) == 300
    other = _sample([csvs[0]], demo, "duckdb", tmp_path / "d.csv", "--seed", "8")
    assert other["sample"]["seed"] == 8 and (tmp_path / "d.csv").read_bytes() != (tmp_path / "a.csv").read_bytes()


def test_the_sample_on_spark_is_the_sample_on_duckdb(engine_demo, tmp_path, spark_session):
    demo, csvs, lake = engine_demo
    _sample([csvs[0]], demo, "duckdb", tmp_path / "duck.csv")
    _sample([lake[0]], demo, "spark", tmp_path / "spark.csv")
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()


def test_the_sample_needs_an_engine_and_an_out_file(engine_demo, tmp_path):
    from tests.conftest import assert_clean_error

    demo, csvs, _ = engine_demo
    spec = demo / "questionnaire.yaml"
    assert_clean_error(run_cli("ingest", csvs[0], "--spec", spec, "--engine", "pandas", "--sample", "10",
                               "--out", tmp_path / "s.csv"), "--sample", "--engine duckdb")
    assert_clean_error(run_cli("ingest", csvs[0], "--spec", spec, "--engine", "duckdb", "--sample", "10"),
                       "--out")


def _plan(tmp_path, spec, data, on_error="skip"):
    """A plan on DuckDB: reliability (an engine path) and verbatims (rows); (plan, run_plan)."""
    from cxstats.plan.runner import run_plan

    plan = tmp_path / f"plan_{on_error}_{data[0].suffix[1:]}.yaml"
    plan.write_text(f"spec: {spec}\ndata:\n" + "".join(f"  - {p}\n" for p in data)
                    + f"engine: duckdb\non_error: {on_error}\noutput:\n  json: out.json\n"
                    "steps:\n  - step: reliability\n  - step: verbatims\n", encoding="utf-8")
    return plan, run_plan


def test_a_row_level_step_in_an_engine_plan_runs_in_memory_on_small_files_with_a_note(engine_demo, tmp_path):
    import json

    demo, csvs, _ = engine_demo
    plan, run_plan = _plan(tmp_path, demo / "questionnaire.yaml", csvs)
    _, _, path = run_plan(plan, out_dir=tmp_path / "out", quiet=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [s["step"] for s in doc["steps"]] == ["reliability", "verbatims"]
    assert any(w.startswith("verbatims needs each respondent's row, which engine duckdb does not compute: "
                            "it read the plan's 2 data file(s)") for w in doc["warnings"])
    assert "reliability" not in " ".join(doc["warnings"])      # the engine step: on DuckDB, no note


def test_a_row_level_step_in_an_engine_plan_on_parquet_is_refused_naming_it_and_the_sample(engine_demo, tmp_path):
    import json

    from cxstats.errors import SpecError

    demo, _, lake = engine_demo
    plan, run_plan = _plan(tmp_path, demo / "questionnaire.yaml", lake)
    _, _, path = run_plan(plan, out_dir=tmp_path / "out", quiet=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [s["step"] for s in doc["steps"]] == ["reliability"]
    reason = doc["skipped"][0]["skipped"]
    assert doc["skipped"][0]["step"] == "verbatims" and reason.startswith("verbatims needs each respondent's row")
    assert "--engine duckdb --sample" in reason and str(lake[0]) in reason and "which only the engines read" in reason
    plan, run_plan = _plan(tmp_path, demo / "questionnaire.yaml", lake, on_error="stop")
    with pytest.raises(SpecError, match="verbatims needs each respondent's row"):
        run_plan(plan, out_dir=tmp_path / "out2", quiet=True)


def test_the_size_rule_refuses_large_csv_input(engine_demo, tmp_path, monkeypatch):
    import json

    from cxstats.plan import row_steps

    demo, csvs, _ = engine_demo
    monkeypatch.setattr(row_steps, "ROW_STEP_MAX_BYTES", 1000)      # the demo's 0.5 MiB counts as large
    plan, run_plan = _plan(tmp_path, demo / "questionnaire.yaml", csvs)
    _, _, path = run_plan(plan, out_dir=tmp_path / "out", quiet=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "above the 0 MiB read in memory" in doc["skipped"][0]["skipped"]


def test_the_second_pass_sums_do_not_depend_on_the_threads():
    """row_sums (HC3 meats) on DuckDB: fsum, not sum(DOUBLE), whose last bits follow how the
    threads split the rows (seen: 7 different values in 8 runs on 3M rows with 4 threads)."""
    from cxstats.engine.duck import DuckBackend
    from cxstats.engine.survey import EngineSurvey

    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute("CREATE TABLE t AS SELECT random() AS x, range % 7 AS g FROM range(2000000)")
    es = EngineSurvey.__new__(EngineSurvey)
    es.b, es.passes = DuckBackend(con), 0
    es.b.con.execute("SET threads = 4")
    es.view = lambda: "SELECT * FROM t"
    got = {tuple(es.row_sums({"a": "x / 3.0", "b": "CAST(g AS DOUBLE)"}, ["a * a", "a * b"])[1]) for _ in range(6)}
    assert len(got) == 1
    import math

    x = con.execute("SELECT x FROM t").fetchnumpy()["x"] / 3.0
    assert next(iter(got))[0] == pytest.approx(math.fsum(x * x), rel=1e-14)     # the correctly rounded sum
