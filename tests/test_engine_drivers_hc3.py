"""HC3 standard errors of drivers on a SQL engine: the second aggregation pass (steps.drivers.
_hc3_meat, EngineSurvey.row_sums) against the exact HC3 in rational arithmetic.

Reference: (X'X)^-1 X' diag(e²/(1-h)²) X (X'X)^-1 (MacKinnon & White 1985) computed with
fractions.Fraction from the same float data (exact up to the final square root), on data with
huge offsets (values near 1e6, spread of a few units) and heteroscedastic errors, where a
naive uncentred pass would lose most digits. The demo comparison with statsmodels' HC3 (the
pandas path) is in test_engine_gaps_drivers."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

duckdb = pytest.importorskip("duckdb")


def _exact_hc3(x, y):
    n, p = x.shape
    X = [[Fraction(1)] + [Fraction(float(v)) for v in row] for row in x]
    Y = [Fraction(float(v)) for v in y]
    k = p + 1
    xtx = [[sum(r[i] * r[j] for r in X) for j in range(k)] for i in range(k)]
    inv = _inverse(xtx)
    xty = [sum(r[i] * yy for r, yy in zip(X, Y)) for i in range(k)]
    b = [sum(inv[i][j] * xty[j] for j in range(k)) for i in range(k)]
    meat = [[Fraction(0)] * k for _ in range(k)]
    for r, yy in zip(X, Y):
        e = yy - sum(bi * ri for bi, ri in zip(b, r))
        ir = [sum(inv[i][j] * r[j] for j in range(k)) for i in range(k)]
        h = sum(ri * v for ri, v in zip(r, ir))
        w = e * e / ((1 - h) * (1 - h))
        for i in range(k):
            for j in range(k):
                meat[i][j] += r[i] * r[j] * w
    left = [[sum(inv[i][m] * meat[m][j] for m in range(k)) for j in range(k)] for i in range(k)]
    cov = [[sum(left[i][m] * inv[m][j] for m in range(k)) for j in range(k)] for i in range(k)]
    return [float(v) for v in b], [math.sqrt(cov[i][i]) for i in range(k)]


def _inverse(a):
    k = len(a)
    m = [list(row) + [Fraction(int(i == j)) for j in range(k)] for i, row in enumerate(a)]
    for c in range(k):
        piv = next(r for r in range(c, k) if m[r][c] != 0)
        m[c], m[piv] = m[piv], m[c]
        d = m[c][c]
        m[c] = [v / d for v in m[c]]
        for r in range(k):
            if r != c and m[r][c] != 0:
                f = m[r][c]
                m[r] = [v - f * w for v, w in zip(m[r], m[c])]
    return [row[k:] for row in m]


def _engine_survey(con):
    from cxstats.engine.duck import DuckBackend
    from cxstats.engine.survey import EngineSurvey

    es = EngineSurvey.__new__(EngineSurvey)     # no spec needed: every column is an expression
    es.b, es.passes = DuckBackend(con), 0
    es.view = lambda: "SELECT * FROM t"
    return es


@pytest.mark.parametrize("offset", [0.0, 1e6])
def test_hc3_from_the_second_pass_is_the_exact_hc3_even_with_huge_offsets(offset):
    from cxstats.stats.from_moments import analyze_drivers_moments
    from cxstats.steps.drivers import _hc3_meat

    rng = np.random.default_rng(7)
    n = 400
    x = offset + rng.normal(0, 2.0, (n, 2)).round(3)
    x[:, 1] += 0.6 * (x[:, 0] - offset)
    y = offset + 0.8 * (x[:, 0] - offset) - 0.3 * (x[:, 1] - offset) \
        + rng.normal(0, 1, n) * (0.3 + np.abs(x[:, 0] - offset))        # heteroscedastic
    y[::37] = np.nan                                                       # incomplete rows left out
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x1 DOUBLE, x2 DOUBLE, y DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    [[None if math.isnan(v) else float(v) for v in row] for row in np.column_stack([x, y])])
    es = _engine_survey(con)
    exprs = {"x1": "x1", "x2": "x2", "y": "y"}
    pm = es.pattern_moments(["x1", "x2", "y"], exprs=exprs)
    m = pm[None].complete()
    res = analyze_drivers_moments(m, "y", ["x1", "x2"], scale=(0, 1),
                                  hc3_meat=_hc3_meat(es, exprs, "y", ["x1", "x2"], None, int(m.n)))
    assert es.passes == 2
    ok = ~np.isnan(y)
    b, se = _exact_hc3(x[ok], y[ok])
    assert int(m.n) == ok.sum() == n - len(range(0, n, 37))
    assert res.ols["b"] == pytest.approx(b, rel=1e-9)
    assert res.ols["se_hc3"] == pytest.approx(se, rel=1e-9)
    assert not np.allclose(res.ols["se_hc3"], res.ols["se"], rtol=0.05)     # HC3 differs from classical
    tv = np.array(b) / np.array(se)
    from scipy import stats
    assert res.ols["t_hc3"] == pytest.approx(tv, rel=1e-9)
    assert res.ols["pvalue_hc3"] == pytest.approx(2 * stats.t.sf(np.abs(tv), ok.sum() - 3), rel=1e-8)


def test_row_sums_sums_expressions_over_complete_rows_in_stages():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (1.0, 2.0, 'a'), (3.0, NULL, 'a'), "
                "(5.0, 7.0, 'b'), (2.0, 4.0, 'a')) v(u, v, g)")
    es = _engine_survey(con)
    rows, sums = es.row_sums({"a": "u", "b": "v - 1"}, ["a", "c", "a * c"], "g = 'a'",
                             then=({"c": "a * b"},))
    assert rows == 2 and sums == [3.0, 1 * 1 + 2 * 3, 1 * 1 + 2 * 6]
    assert es.passes == 1


@pytest.mark.parametrize("value", [0.1, -1.5e-300, 123456789.123456789, 2.0 ** 60, -0.0])
def test_sql_double_keeps_every_bit(value):
    from cxstats.engine.survey import sql_double

    con = duckdb.connect()
    got = con.execute(f"SELECT {sql_double(value)}, typeof({sql_double(value)})").fetchone()
    assert got[0] == value and math.copysign(1, got[0]) == math.copysign(1, value)
    assert got[1] == "DOUBLE"
