"""The moments layer: one-pass statistics merged across chunks (Chan et al.), and every analysis
computed from them equal to the row-level (pandas) entry point.

References: numpy's two-pass ``np.cov``/``np.mean`` on all rows at once (merges), and cxstats'
own row-level analyses, each checked against R elsewhere (test_reliability, test_gaps, ...)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxstats.moments import Counts, Moments, PatternMoments, merge_cells
from tests.conftest import DATASETS

TOL = 1e-10
ITERATIVE = 1e-7   # quantities of an iterative fit (omega's one-factor CFA): its optimizer's stopping point


def _chunks(n, sizes, rng):
    cuts = np.sort(rng.choice(np.arange(1, n), size=sizes - 1, replace=False))
    return np.split(np.arange(n), cuts)


def close(a, b, tol=TOL, path=""):
    """Nested dict/list/number equality to a relative tolerance (NaN == NaN; None == None)."""
    if isinstance(a, dict):
        assert set(a) == set(b), (path, set(a) ^ set(b))
        for k in a:
            close(a[k], b[k], tol, f"{path}.{k}")
    elif isinstance(a, (list, tuple, np.ndarray)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, tol, f"{path}[{i}]")
    elif isinstance(a, (float, int, np.floating, np.integer)) and not isinstance(a, bool):
        if isinstance(a, (float, np.floating)) and math.isnan(a):
            assert b is None or math.isnan(b), (path, a, b)
        else:
            t = max(tol, ITERATIVE) if "omega_cfa" in path else tol
            assert b == pytest.approx(a, rel=t, abs=t), (path, a, b)
    else:
        assert a == b, (path, a, b)


# ------------------------------------------------------------------------------ the merges

def test_merged_moments_keep_the_variance_of_data_far_from_zero():
    rng = np.random.default_rng(1)
    n = 200_000
    x = np.column_stack([1e9 + rng.normal(0, 1, n), 1e9 + rng.normal(0, 0.5, n)])
    x[:, 1] += 0.3 * (x[:, 0] - 1e9)
    ref_mean = np.array([math.fsum(x[:, j]) / n for j in range(2)])   # exactly rounded sums
    d = x - ref_mean
    ref_cov = d.T @ d / (n - 1)                                        # two passes, all rows
    parts = [Moments.from_array(("a", "b"), x[idx]) for idx in _chunks(n, 37, rng)]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    assert merged.n == n
    np.testing.assert_allclose(merged.mean, ref_mean, rtol=2e-16)
    np.testing.assert_allclose(merged.cov(), ref_cov, rtol=1e-10)
    # the same chunks' raw sums, differenced (the one-pass textbook formula), lose every digit
    s1 = sum(x[idx].sum(axis=0) for idx in _chunks(n, 37, np.random.default_rng(1)))
    s2 = sum((x[idx] ** 2).sum(axis=0) for idx in _chunks(n, 37, np.random.default_rng(1)))
    naive = (s2 - s1 ** 2 / n) / (n - 1)
    assert np.all(np.abs(naive / np.diag(ref_cov) - 1) > 0.99), naive   # no digit right (here -1845 and 0)


def test_merge_is_exact_whatever_the_order_and_the_weights():
    rng = np.random.default_rng(2)
    x, w = rng.normal(5, 2, (500, 3)), rng.uniform(0.2, 3, 500)
    a = Moments.from_array("xyz", x[:123], w[:123]).merge(Moments.from_array("xyz", x[123:], w[123:]))
    b = Moments.from_array("xyz", x[300:], w[300:]).merge(Moments.from_array("xyz", x[:300], w[:300]))
    mean = np.average(x, axis=0, weights=w)
    m2 = ((x - mean) * w[:, None]).T @ (x - mean)
    for m in (a, b):
        np.testing.assert_allclose(m.mean, mean, rtol=1e-13)
        np.testing.assert_allclose(m.m2, m2, rtol=1e-12)
        assert m.w == pytest.approx(w.sum()) and m.w2 == pytest.approx((w * w).sum())
    # weighted SD as stats.gaps.tests.weighted_mean_var defines it
    from cxstats.stats.gaps.tests import weighted_mean_var

    _, sd, _, _ = weighted_mean_var(x[:, 0], w)
    assert math.sqrt(a.cov()[0, 0]) == pytest.approx(sd, rel=1e-12)


def test_pattern_moments_give_rs_pairwise_covariance_and_correlation():
    from cxstats.stats._factor import pairwise_cor, pairwise_cov

    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, (900, 4)).astype(float) + 1e6
    x[rng.random(x.shape) < 0.15] = np.nan
    pm = PatternMoments.from_array("abcd", x[:400]).merge(PatternMoments.from_array("abcd", x[400:]))
    cov, cor, nij = pm.pairwise()
    ref_cov, ref_n = pairwise_cov(x)
    np.testing.assert_allclose(cov, ref_cov, rtol=1e-9)
    np.testing.assert_allclose(cor, pairwise_cor(x)[0], rtol=1e-9)
    np.testing.assert_array_equal(nij, ref_n)
    complete = x[~np.isnan(x).any(axis=1)]
    np.testing.assert_allclose(pm.complete().cov(), np.cov(complete, rowvar=False), rtol=1e-9)
    sub = pm.project(["b", "d"])
    np.testing.assert_allclose(sub.pairwise()[0], pairwise_cov(x[:, [1, 3]])[0], rtol=1e-9)


def test_counts_and_cells_merge_by_addition():
    a = {("customer",): Counts.from_array([1, 2, 2, np.nan])}
    b = {("customer",): Counts.from_array([2, 5]), ("staff",): Counts.from_array([3])}
    m = merge_cells(a, b)
    assert m[("customer",)].counts == {1.0: 1, 2.0: 3, 5.0: 1}
    assert m[("staff",)].counts == {3.0: 1}
    mo = m[("customer",)].moments()
    assert mo.mean[0] == pytest.approx(np.mean([1, 2, 2, 2, 5]))
    assert mo.cov()[0, 0] == pytest.approx(np.var([1, 2, 2, 2, 5], ddof=1))


# ------------------------------------------------------------------ analyses from the moments

@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec
    from tests.conftest import run_cli

    d = tmp_path_factory.mktemp("demo")
    assert run_cli("demo", d).exit_code == 0
    spec = load_spec(d / "questionnaire.yaml")
    return load_survey(spec, [(d / "customers.csv", "customer"), (d / "staff.csv", "staff")])


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_reliability_from_moments_equals_the_row_level_analysis(survey, missing):
    from cxstats.stats.from_moments import analyze_reliability_moments
    from cxstats.stats.reliability import analyze_reliability

    spec, data = survey.spec, survey.data
    scales = {c.id: c.item_ids for c in spec.constructs()}
    items = [i for its in scales.values() for i in its]
    groups = data["respondent_type"].tolist()
    ref = analyze_reliability(data, scales, missing=missing, groups=groups, reversed_already=True)
    moments = {}
    for g in ("customer", "staff"):
        sub = data.loc[data.respondent_type == g, items].to_numpy()
        half = len(sub) // 3
        moments[g] = PatternMoments.from_array(items, sub[:half]).merge(PatternMoments.from_array(items, sub[half:]))
    got = analyze_reliability_moments(moments, scales, missing=missing)
    assert data[items].isna().any().any()      # the demo has missing answers: pairwise matters
    close(ref.to_dict(), got.to_dict())


def test_nps_and_two_group_tests_from_counts_equal_the_row_level_ones():
    from cxstats.stats.from_moments import compare_two_counts, nps_from_category_counts
    from cxstats.stats.gaps.tests import compare_two
    from cxstats.stats.nps import nps_stats

    rng = np.random.default_rng(4)
    a = rng.integers(0, 11, 700).astype(float)
    b = np.clip(rng.integers(0, 11, 450) + 1, 0, 10).astype(float)
    close(nps_stats(a), nps_from_category_counts(Counts.from_array(a[:300]).merge(Counts.from_array(a[300:]))))
    ra, rb = compare_two(a, b, top2_threshold=9), compare_two_counts(Counts.from_array(a), Counts.from_array(b),
                                                                      top2_threshold=9)
    close(ra, rb)
    assert rb["mw_pvalue"] < 0.05 and rb["mw_u"] != rb["mw_u_other"]   # a real difference, ties throughout


def test_drivers_from_moments_equal_the_row_level_analysis():
    from cxstats.stats.drivers import analyze_drivers
    from cxstats.stats.from_moments import drivers_from_moments

    swiss = pd.read_csv(DATASETS / "swiss.csv")
    drivers = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
    ref = analyze_drivers(swiss, "Fertility", drivers, penalty_reward=False)
    x = swiss[drivers + ["Fertility"]].to_numpy()
    m = Moments.from_array(drivers + ["Fertility"], x[:20]).merge(Moments.from_array(drivers + ["Fertility"], x[20:]))
    got = drivers_from_moments(m, "Fertility", drivers)
    for key in ("b", "se", "t", "pvalue"):
        np.testing.assert_allclose(got[key], ref.ols[key], rtol=1e-10)
    for key in ("r2", "adj_r2", "sigma", "f", "f_pvalue"):
        assert got[key] == pytest.approx(ref.model[key], rel=1e-10)
    for key in ("std_beta", "lmg", "relative_weight", "pratt", "vif"):
        np.testing.assert_allclose(got[key], getattr(ref, key), rtol=1e-10)


def test_cfa_from_moments_equals_the_row_level_fit(hs_path):
    from cxstats.stats.cfa import analyze_cfa
    from cxstats.stats.from_moments import analyze_cfa_moments

    hs = pd.read_csv(hs_path)
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    ref = analyze_cfa(hs, model, missing="listwise")
    names = [f"x{i}" for i in range(1, 10)]
    x = hs[names].to_numpy()
    m = Moments.from_array(names, x[:100]).merge(Moments.from_array(names, x[100:]))
    got = analyze_cfa_moments(model, m)
    close(ref.fit, got.fit, 1e-8)
    np.testing.assert_allclose(got.estimates["est"], ref.estimates["est"], rtol=1e-8)
    np.testing.assert_allclose(got.estimates["se"].astype(float), ref.estimates["se"].astype(float), rtol=1e-7)
    np.testing.assert_allclose(got.htmt.to_numpy(), ref.htmt.to_numpy(), rtol=1e-10)


def test_the_row_bootstrap_is_refused_from_moments():
    from cxstats.errors import InputError
    from cxstats.stats.from_moments import analyze_reliability_moments

    with pytest.raises(InputError) as exc:
        analyze_reliability_moments({None: PatternMoments.from_array("ab", np.ones((5, 2)))}, {"s": ["a", "b"]},
                                    n_boot=100)
    assert exc.value.option == "bootstrap" and "rows" in str(exc.value)
