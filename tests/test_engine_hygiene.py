"""Engine hygiene (issue 17): the engines refuse duplicated and empty respondent ids as ingest
does; penalty-reward from moments; exact, deterministic scale-score moments; row-level steps
and a stated sample on an engine.

References: pandas ingest (the same refusal, message and row), the pandas drivers path and
statsmodels' OLS with HC3 (penalty-reward), exact rational arithmetic (scale-score moments)."""

from __future__ import annotations

import csv
import re

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
    assert _error(_ingest(csv_path, demo, "spark")) == ref
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
