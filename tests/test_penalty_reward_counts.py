"""Penalty-reward from counts: every regressor is a 0/1 box dummy, so the rows are counted by
(dummy pattern, outcome value) and the OLS + HC3 come from the counts
(:func:`cxstats.stats.drivers.ipa.penalty_reward_counts`; on the engines one GROUP BY pass,
:meth:`EngineSurvey.bits_value_counts`). Reference: statsmodels OLS(...).fit(cov_type="HC3",
use_t=True) on the rows."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import run_cli


def _dummies(x, low_cut, high_cut):
    cols = []
    for j in range(x.shape[1]):
        cols += [(x[:, j] <= low_cut[j]).astype(int), (x[:, j] >= high_cut[j]).astype(int)]
    return np.column_stack(cols)


def _statsmodels(y, d):
    import statsmodels.api as sm

    return sm.OLS(y, sm.add_constant(d.astype(float))).fit(cov_type="HC3", use_t=True)


def _assert_matches(rows, r2, fit, ci, rel=1e-10):
    assert r2 == pytest.approx(fit.rsquared, rel=1e-12)
    for j, r in enumerate(rows):
        for kind, k in (("penalty", 1 + 2 * j), ("reward", 2 + 2 * j)):
            assert r[kind] == pytest.approx(fit.params[k], rel=rel)
            assert r[f"{kind}_se_hc3"] == pytest.approx(fit.bse[k], rel=rel)
            assert r[f"{kind}_pvalue"] == pytest.approx(fit.pvalues[k], rel=1e-8)
            assert (r[f"{kind}_lower"], r[f"{kind}_upper"]) == pytest.approx(tuple(ci[k]), rel=rel)


def test_counts_by_pattern_and_value_give_statsmodels_ols_with_hc3():
    """Known dummies (a penalty on a, a reward on b, heteroscedastic errors), an outcome that is the
    mean of three 1-5 items (thirds: the exact-rational branch), the rows counted by hand into
    (pattern, value) groups in shuffled order: the statsmodels fit on the 1,500 rows."""
    from cxstats.stats.drivers.ipa import box_cuts, penalty_reward_counts

    rng = np.random.default_rng(3)
    n, p = 1500, 3
    x = rng.integers(1, 6, (n, p)).astype(float)
    latent = 3 - 1.0 * (x[:, 0] <= 2) + 0.8 * (x[:, 1] == 5) + rng.normal(0, 0.6, n) * (1 + (x[:, 2] == 5))
    items = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.7, (n, 3))), 1, 5)
    y = items.sum(axis=1) / 3
    low_cut, high_cut = box_cuts(p, 1, 5, 2, 1)
    d = _dummies(x, low_cut, high_cut)
    groups = Counter((tuple(int(v) for v in row), float(v)) for row, v in zip(d, y))
    keys = list(groups)
    random.Random(1).shuffle(keys)
    assert len(keys) < n / 3 and max(groups.values()) > 20          # real aggregation
    rows, r2, notes = penalty_reward_counts(np.array([k[0] for k in keys]), np.array([k[1] for k in keys]),
                                            np.array([groups[k] for k in keys]), ["a", "b", "c"],
                                            low_cut, high_cut, ci_level=0.9)
    fit = _statsmodels(y, d)
    assert not notes
    _assert_matches(rows, r2, fit, fit.conf_int(alpha=0.1))
    assert rows[0]["category"].startswith("basic") and rows[1]["category"].startswith("exciter")
    for j, r in enumerate(rows):
        assert (r["n_low"], r["n_high"]) == (int(d[:, 2 * j].sum()), int(d[:, 2 * j + 1].sum()))


def test_a_continuous_outcome_takes_the_float_branch_and_still_matches_statsmodels():
    """Over 10,000 distinct outcome values: the outcome's sums are centred float sums."""
    from cxstats.stats.drivers.ipa import box_cuts, penalty_reward, penalty_reward_counts

    rng = np.random.default_rng(8)
    n, p = 12_000, 2
    x = rng.integers(1, 6, (n, p)).astype(float)
    y = 50 + 2.0 * (x[:, 1] == 5) - 1.5 * (x[:, 0] == 1) + rng.normal(0, 1, n) * (1 + x[:, 0] / 5)
    low_cut, high_cut = box_cuts(p, 1, 5, 1, 1)
    d = _dummies(x, low_cut, high_cut)
    rows, r2, notes = penalty_reward_counts(d, y, np.ones(n, dtype=int), ["a", "b"], low_cut, high_cut)
    fit = _statsmodels(y, d)
    _assert_matches(rows, r2, fit, fit.conf_int(alpha=0.05), rel=1e-9)
    # the row path is this very code: the same bits
    assert penalty_reward(y, x, ["a", "b"], scale_min=1, scale_max=5, low_boxes=1, high_boxes=1) == (rows, r2, notes)


def _engine_survey(con, scales):
    from cxstats.engine.duck import DuckBackend
    from cxstats.engine.survey import EngineSurvey

    es = EngineSurvey.__new__(EngineSurvey)
    es.b, es.passes = DuckBackend(con), 0
    es.view = lambda: "SELECT * FROM t"
    es.spec = SimpleNamespace(scored_columns=lambda: {
        c: SimpleNamespace(integer=True, min=lo, max=hi) for c, (lo, hi) in scales.items()})
    return es


def test_bits_value_counts_on_duckdb_are_the_exact_counts_of_the_rows():
    """Mask of the 0/1 bits and the exact value of a three-item score (S/a + shift, grouped by the
    integer sum and the answered count), rows with a NULL bit or value left out, one pass."""
    from cxstats.engine.survey import WholeSQL

    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(4)
    n = 400
    data = {f"i{k}": [None if rng.random() < 0.15 else int(v) for v in rng.integers(1, 8, n)] for k in (1, 2, 3)}
    data["u"] = [None if rng.random() < 0.1 else int(v) for v in rng.integers(1, 6, n)]
    data["g"] = [str(v) for v in rng.choice(["a", "b"], n)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i1 INTEGER, i2 INTEGER, i3 INTEGER, u INTEGER, g VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", list(zip(*(data[c] for c in ("i1", "i2", "i3", "u", "g")))))
    es = _engine_survey(con, {"i1": (1, 7), "i2": (1, 7), "i3": (1, 7)})
    value = es.score_expr(["i1", "i2", "i3"])
    bits = [WholeSQL("CASE WHEN u IS NULL THEN NULL WHEN u <= 2 THEN 1 ELSE 0 END"),
            WholeSQL("CASE WHEN u IS NULL THEN NULL WHEN u >= 5 THEN 1 ELSE 0 END"),
            WholeSQL("CASE WHEN g = 'b' THEN 1 ELSE 0 END")]
    got = es.bits_value_counts(bits, value, where="g IS NOT NULL")
    assert es.passes == 1 and es.counts_exactly(value) and not es.counts_exactly("u / 3.0")
    want = Counter()
    for i in range(n):
        answers = [data[f"i{k}"][i] for k in (1, 2, 3) if data[f"i{k}"][i] is not None]
        if data["u"][i] is None or len(answers) < 2:          # the score needs half of the items
            continue
        u = data["u"][i]
        mask = int(u <= 2) + 2 * int(u >= 5) + 4 * int(data["g"][i] == "b")
        want[(mask, float(Fraction(sum(answers), len(answers))))] += 1
    merged = Counter()
    for mask, v, c in got:
        merged[(mask, v)] += c
    assert merged == want and sum(want.values()) > 250


def _drivers_json(files, demo, engine, *extra):
    r = run_cli("drivers", *files, "--spec", demo / "questionnaire.yaml", "--engine", engine, "--json", "-",
                "-q", *extra)
    assert r.exit_code == 0, r
    return r.json()


def test_duckdb_penalty_reward_is_the_pandas_one_bit_for_bit_without_an_hc3_pass(engine_demo, monkeypatch):
    """The engine counts the rows in one GROUP BY pass and runs the row path's code on the counts:
    the penalty_reward block equals pandas' exactly; the only row_sums (fsum) pass left is the
    drivers' own HC3, and the co-moment pass holds no box dummies."""
    from cxstats.engine import duck

    demo, csvs, lake = engine_demo
    ref = _drivers_json(csvs, demo, "pandas", "--bootstrap", "0", "--low-boxes", "1", "--high-boxes", "2")
    seen = []
    orig = duck.DuckBackend.query
    monkeypatch.setattr(duck.DuckBackend, "query", lambda self, sql: seen.append(sql) or orig(self, sql))
    got = _drivers_json(lake, demo, "duckdb", "--low-boxes", "1", "--high-boxes", "2")
    assert ref["penalty_reward"]["rows"] and got["penalty_reward"] == ref["penalty_reward"]
    assert sum("fsum(" in sql for sql in seen) == 1
    assert sum("GROUP BY cx_m, cx_s, cx_a" in sql for sql in seen) == 1
    assert not any("cx_pat" in sql and "THEN 1 ELSE 0 END" in sql for sql in seen)


def test_spark_penalty_reward_is_the_pandas_one_bit_for_bit(engine_demo, spark_session):
    """The same counts on Spark (exact integers, whatever the partitions): the same block."""
    demo, csvs, lake = engine_demo
    drivers = ["--drivers", "facilidad_web,info_producto,confianza_marca"]
    ref = _drivers_json(csvs, demo, "pandas", "--bootstrap", "0", *drivers)
    got = _drivers_json(lake, demo, "spark", *drivers)
    assert ref["penalty_reward"]["rows"] and got["penalty_reward"] == ref["penalty_reward"]


def test_the_moment_path_stays_for_outcomes_that_cannot_be_counted(engine_demo, monkeypatch):
    """An outcome that is not whole-coded (here: counts_exactly made False) takes the dummies'
    co-moments and the HC3 pass (row_sums): the pandas numbers to 1e-9, not bit for bit."""
    from cxstats.engine.survey import EngineSurvey
    from tests.test_engine_duckdb import same_numbers

    demo, csvs, lake = engine_demo
    ref = _drivers_json(csvs, demo, "pandas", "--bootstrap", "0")
    calls = []
    monkeypatch.setattr(EngineSurvey, "counts_exactly", lambda self, value: calls.append(value) and False)
    monkeypatch.setattr(EngineSurvey, "bits_value_counts", lambda *a, **k: pytest.fail("no count pass"))
    got = _drivers_json(lake, demo, "duckdb")
    assert calls and got["penalty_reward"]["rows"]
    same_numbers(ref, got)
