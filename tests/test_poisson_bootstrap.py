"""The Poisson bootstrap: the same replicate weights in numpy, DuckDB and Spark, hence the same
intervals on every engine; the weights' distribution; coverage with a known truth; the replicate
alpha equals alpha of the rows repeated by their weights."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from cxstats.stats import poisson_bootstrap as pb
from tests.conftest import assert_clean_error, run_cli
from tests.test_engine_duckdb import same_numbers

B = 50


# ------------------------------------------------------------------ the weights

def test_constants_are_the_poisson_cdf_and_the_engines_use_them():
    from scipy.stats import poisson

    from cxstats.engine import survey

    expected = [int(round(poisson.cdf(k, 1) * pb.PRIME)) for k in range(12)]
    assert list(pb.THRESHOLDS) == expected
    assert survey.BOOT_THRESHOLDS == pb.THRESHOLDS and survey.BOOT_PRIME == pb.PRIME
    assert survey.BOOT_JACKKNIFE_GROUPS == pb.JACKKNIFE_GROUPS
    assert poisson.sf(12, 1) < 1 / pb.PRIME           # 12 is the largest weight
    assert pb.PRIME == 2 ** 31 - 1 and np.gcd(5, pb.PRIME - 1) == 1   # x -> x^5 permutes 0..P-1


def test_power_map_is_a_permutation_on_a_small_prime_and_draws_stay_in_int64():
    p = 101                                           # gcd(5, 100) = 5: not a permutation; 103: yes
    assert len({pow(x, 5, 103) for x in range(103)}) == 103 and len({pow(x, 5, p) for x in range(p)}) < p
    a = np.array([pb.PRIME - 1, 0, 12345]); c = np.array([pb.PRIME - 1, pb.PRIME - 1, 1])
    y = pb.draws(a, c, 5000)
    ref = [pow((int(ai) + 5000 * int(ci)) % pb.PRIME, 5, pb.PRIME) for ai, ci in zip(a, c)]
    assert y.tolist() == ref


@pytest.fixture(scope="module")
def weights():
    a, c = pb.row_hashes([pb.key_text(11, "customer", f"C{i:06d}") for i in range(20000)])
    return pb.poisson_weights(a, c, 50)               # (50, 20000)


def test_weights_are_poisson_1(weights):
    from scipy.stats import chisquare, poisson

    w = weights.ravel()
    n = w.size
    assert abs(w.mean() - 1) < 4 / np.sqrt(n)
    assert abs(w.var() - 1) < 4 * np.sqrt(3 / n)       # Var of s^2 for Poisson(1): (mu4 - 1)/n = 3/n
    top = 6
    obs = np.array([(w == k).sum() for k in range(top)] + [(w >= top).sum()])
    exp = np.array([poisson.pmf(k, 1) for k in range(top)] + [poisson.sf(top - 1, 1)]) * n
    assert chisquare(obs, exp).pvalue > 1e-3
    assert w.max() <= pb.MAX_WEIGHT


def test_weights_are_independent_across_replicates_and_rows(weights):
    from scipy.stats import chi2

    b, n = weights.shape
    r = np.corrcoef(weights)                          # replicates x replicates, over rows
    z = r[np.triu_indices(b, 1)] * np.sqrt(n)         # each ~ N(0, 1) under independence
    assert chi2.sf((z ** 2).sum(), z.size) > 1e-3       # no pair of replicates correlated beyond chance
    assert abs(z.mean()) * np.sqrt(z.size) < 4          # and no common drift
    # neighbouring rows (consecutive ids) within a replicate
    lag = np.corrcoef(weights[:, :-1].ravel(), weights[:, 1:].ravel())[0, 1]
    assert abs(lag) * np.sqrt(weights[:, 1:].size) < 4
    # replicates b = 1, 2, 3 (x_3 = 2 x_2 - x_1 mod P before the power map): no third-order link
    d = weights.astype(float) - 1.0
    for i, j, k in ((0, 1, 2), (1, 3, 5), (0, 10, 20)):
        t = d[i] * d[j] * d[k]                        # mean 0, variance 1 under independence
        assert abs(t.mean()) * np.sqrt(n) < 4, (i, j, k)


def test_weights_depend_on_the_seed_and_the_key_only():
    k1 = [pb.key_text(1, "customer", "A"), pb.key_text(1, "customer", "B")]
    a, c = pb.row_hashes(k1)
    w1 = pb.poisson_weights(a, c, 200)
    assert np.array_equal(w1, pb.poisson_weights(*pb.row_hashes(k1), 200))
    assert not np.array_equal(w1[:, 0], w1[:, 1])
    w2 = pb.poisson_weights(*pb.row_hashes([pb.key_text(2, "customer", "A")]), 200)
    assert not np.array_equal(w1[:, 0], w2[:, 0])
    assert np.array_equal(w1[:, :1], pb.poisson_weights(*pb.row_hashes(k1[:1]), 200))   # row by row


# ------------------------------------------------------------------ closed checks

def test_replicate_alpha_equals_alpha_of_rows_repeated_by_their_weights():
    from cxstats.stats.reliability import _cov, alpha_from_cov

    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(60, 4)).astype(float) + rng.integers(0, 2, size=(60, 1))
    x[rng.random(x.shape) < 0.15] = np.nan
    w = pb.poisson_weights(*pb.row_hashes([pb.key_text(5, "customer", i) for i in range(60)]), 6)
    for missing in ("pairwise", "listwise"):
        sums = pb.replicate_sums(x, w, missing, pb.whole_shifts(x))
        got = pb.alpha_replicates(*sums)
        for b in range(w.shape[0]):
            rep = np.repeat(x, w[b], axis=0)
            c, _ = _cov(rep, missing)
            assert got[b] == pytest.approx(alpha_from_cov(c), rel=1e-12)
        # all weights 1: the sample's own alpha
        one = pb.alpha_replicates(*pb.replicate_sums(x, np.ones((1, 60)), missing))
        assert one[0] == pytest.approx(alpha_from_cov(_cov(x, missing)[0]), rel=1e-12)


def test_coverage_of_the_poisson_percentile_interval_of_alpha_is_near_95():
    """400 worlds from a one-factor model with known population alpha; the statistic runs from
    numpy sums (no engine), B = 200."""
    k, n, worlds, reps = 4, 250, 400, 200
    lam = np.array([0.8, 0.7, 0.6, 0.7])
    theta = np.array([0.5, 0.6, 0.7, 0.5])
    sigma = np.outer(lam, lam) + np.diag(theta)
    truth = k / (k - 1) * (1 - np.trace(sigma) / sigma.sum())
    rng = np.random.default_rng(20261201)
    chol = np.linalg.cholesky(sigma)
    hits = 0
    for world in range(worlds):
        x = rng.standard_normal((n, k)) @ chol.T
        w = pb.poisson_weights(*pb.row_hashes([pb.key_text(world, "customer", i) for i in range(n)]), reps)
        ci = pb.percentile_interval(pb.alpha_replicates(*pb.replicate_sums(x, w, "pairwise", x.mean(axis=0))))
        hits += ci["lower"] <= truth <= ci["upper"]
    cover = hits / worlds
    se = np.sqrt(0.95 * 0.05 / worlds)
    assert abs(cover - 0.95) < 3 * se, cover


# ------------------------------------------------------------------ engines: the same numbers

def _rel(files, spec, *extra):
    r = run_cli("reliability", *files, "--spec", spec, "--json", "-", "-q", "--bootstrap", B, *extra)
    assert r.exit_code == 0, r
    return r.json()


def test_engine_sums_equal_numpy_sums(engine_demo):
    from cxstats.engine.duck import DuckBackend
    from cxstats.engine.survey import EngineSurvey
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec

    folder, csv, _ = engine_demo
    spec = load_spec(folder / "questionnaire.yaml")
    items = ["web_1", "web_2", "web_3", "precio_1", "precio_2"]
    es = EngineSurvey(spec, [(p, None) for p in csv], DuckBackend())
    es.view()                                                  # pass 1 per file: the recoding
    before = es.passes
    for missing in ("pairwise", "listwise"):
        got = es.bootstrap_sums(items, 20, 7, group="respondent_type", missing=missing,
                                blocks=[items[:3], items[3:]])
        data = load_survey(spec, csv).data
        shifts = [es._integer_shifts(items)[i] for i in items]
        for g in ("customer", "staff"):
            sub = data[data.respondent_type == g]
            w = pb.poisson_weights(*pb.row_hashes([pb.key_text(7, g, i) for i in sub.respondent_id]), 20)
            for blk in ([0, 1, 2], [3, 4]):
                ix = np.ix_(range(20), blk, blk)
                ref = pb.replicate_sums(sub[[items[i] for i in blk]].to_numpy(float), w, missing,
                                        [shifts[i] for i in blk])
                for r_, g_ in zip(ref, (got[g]["n"], got[g]["sx"], got[g]["sxy"])):
                    assert np.array_equal(r_, g_[ix])          # exact integer sums
            assert np.isnan(got[g]["n"][0, 0, 4])               # across blocks: not computed
            nn = got[g]["n"]                                     # some pairs miss answers: counts differ
            assert missing == "listwise" or (nn[:, 0, 1] < np.maximum(nn[:, 0, 0], nn[:, 1, 1])).any()
    got = es.bootstrap_sums(items[:3], 20, 7, group="respondent_type")      # pairwise, one block
    sub = load_survey(spec, csv).data.query("respondent_type == 'customer'")
    w = pb.poisson_weights(*pb.row_hashes([pb.key_text(7, "customer", i) for i in sub.respondent_id]), 20)
    ref = pb.replicate_sums(sub[items[:3]].to_numpy(float), w, "pairwise", [es._integer_shifts(items[:3])[i]
                                                                              for i in items[:3]])
    assert all(np.array_equal(r_, g_) for r_, g_ in zip(ref, (got["customer"][a] for a in ("n", "sx", "sxy"))))
    assert es.passes - before == 3                             # one pass per call, all replicates


@pytest.mark.parametrize("extra", [(), ("--missing", "listwise", "--group", "canal")])
def test_reliability_poisson_interval_same_on_pandas_and_duckdb(engine_demo, extra):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    ref = _rel(csv, spec, "--engine", "pandas", "--bootstrap-method", "poisson", *extra)
    got = _rel(lake, spec, "--engine", "duckdb", *extra)           # auto: poisson on an engine
    same_numbers(ref, got)
    s = ref["scales"][0]["alpha_ci_bootstrap"]
    assert ref["bootstrap_method"] == "poisson" and s["resampling"] == "poisson" and s["n_valid"] == B
    assert s["lower"] < ref["scales"][0]["alpha"] < s["upper"]
    # the row bootstrap stays the default on pandas, unchanged
    row = _rel(csv, spec, "--engine", "pandas", *extra)
    assert "bootstrap_method" not in row and "resampling" not in row["scales"][0]["alpha_ci_bootstrap"]
    assert abs(row["scales"][0]["alpha_ci_bootstrap"]["se"] / s["se"] - 1) < 0.6   # same scale of spread


def test_reliability_refusals(engine_demo, tmp_path):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    r = run_cli("reliability", *lake, "--spec", spec, "--engine", "duckdb", "--bootstrap", 20,
                "--bootstrap-method", "row", "-q")
    assert_clean_error(r, "--bootstrap-method", "poisson")
    no_id = tmp_path / "noid.yaml"
    no_id.write_text(spec.read_text(encoding="utf-8").replace("id_column: id_respuesta", "id_column: null"),
                     encoding="utf-8")
    r = run_cli("reliability", *lake, "--spec", no_id, "--engine", "duckdb", "--bootstrap", 20, "-q")
    assert_clean_error(r, "respondent id", "--engine pandas")


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_reliability_poisson_interval_same_on_spark(engine_demo, spark_session):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    extra = ("--constructs", "facilidad_web,precio_valor")
    ref = _rel(csv, spec, "--engine", "pandas", "--bootstrap-method", "poisson", *extra)
    got = _rel(lake, spec, "--engine", "spark", *extra)
    same_numbers(ref, got)
    assert len(got["scales"]) == 4 and got["scales"][0]["alpha_ci_bootstrap"]["n_valid"] == B


# ------------------------------------------------------------------ key drivers

def _drop_row_level(doc):
    doc = dict(doc)
    doc.pop("penalty_reward")
    doc["warnings"] = [w for w in doc["warnings"] if "penalty-reward" not in w]
    return doc


def _drivers(files, spec, *extra):
    r = run_cli("drivers", *files, "--spec", spec, "--json", "-", "-q", "--bootstrap", B, *extra)
    assert r.exit_code == 0, r
    return r.json()


@pytest.mark.parametrize("extra", [(), ("--performance", "gap"),
                                   ("--outcome", "nps", "--drivers", "web_1,web_2,info_1,precio_1",
                                    "--scale-range", "1,5", "--performance", "top2")])
def test_drivers_poisson_intervals_same_on_pandas_and_duckdb(engine_demo, extra):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    ref = _drivers(csv, spec, "--engine", "pandas", "--bootstrap-method", "poisson", *extra)
    got = _drivers(lake, spec, "--engine", "duckdb", *extra)
    same_numbers(_drop_row_level(ref), _drop_row_level(got))
    boot = ref["bootstrap"]
    assert boot["resampling"] == "poisson" and boot["replicates"] == B and boot["failed_replicates"] == 0
    lmg = boot["intervals"]["lmg"]
    assert all(r["pct_lower"] < r["est"] < r["pct_upper"] and r["bca_lower"] < r["bca_upper"] for r in lmg)
    assert 100 < boot["jackknife_groups"] <= 1000
    rows = ref["ipa"]["rows"]
    assert all("performance_lower" in r and r["determined"] in (True, False) for r in rows)


def test_drivers_replicate_equals_the_rows_repeated_by_their_weights():
    """A replicate's measures are those of the analysis of the rows repeated w times (closed check
    through the row path's own analyze_drivers), and all-ones weights give the estimates."""
    import pandas as pd

    from cxstats.stats.drivers import analyze_drivers

    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 3)) + 3
    y = x @ np.array([0.5, 0.3, 0.1]) + rng.normal(size=120)
    frame = pd.DataFrame(np.column_stack([x, y]), columns=["a", "b", "c", "y"])
    keys = [pb.key_text(9, "customer", i) for i in range(120)]
    res = analyze_drivers(frame, "y", ["a", "b", "c"], bootstrap=50, seed=9, boot_keys=keys)
    w = res.bootstrap.row_weights.astype(int)
    for b in (0, 7):
        rep = analyze_drivers(frame.loc[np.repeat(np.arange(120), w[b])].reset_index(drop=True), "y",
                              ["a", "b", "c"])
        for m in ("lmg", "relative_weight", "pratt", "std_beta"):
            assert res.bootstrap.samples[m][b] == pytest.approx(getattr(rep, m), rel=1e-9)
    est = {"lmg": res.lmg, "relative_weight": res.relative_weight, "pratt": res.pratt, "std_beta": res.std_beta}
    one = pb.drivers_bootstrap(["a", "b", "c"], est, (np.full(1, 120.0), frame.to_numpy().sum(axis=0)[None],
                                                      (frame.to_numpy().T @ frame.to_numpy())[None]),
                               [(120.0, np.zeros(4), np.zeros((4, 4)))], replicates=1, seed=9)
    assert one.samples["lmg"][0] == pytest.approx(res.lmg, rel=1e-9)


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_drivers_poisson_intervals_same_on_spark(engine_demo, spark_session):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    extra = ("--drivers", "facilidad_web,info_producto,confianza_marca")
    ref = _drivers(csv, spec, "--engine", "pandas", "--bootstrap-method", "poisson", *extra)
    got = _drivers(lake, spec, "--engine", "spark", *extra)
    same_numbers(_drop_row_level(ref), _drop_row_level(got))
    assert got["bootstrap"]["resampling"] == "poisson"


def test_drivers_refusals(engine_demo):
    folder, csv, lake = engine_demo
    spec = folder / "questionnaire.yaml"
    r = run_cli("drivers", *lake, "--spec", spec, "--engine", "duckdb", "--bootstrap", 20, "-q")
    assert_clean_error(r, "--bootstrap", "at least 50")
    r = run_cli("drivers", *csv, "--spec", spec, "--engine", "pandas", "--bootstrap", 50, "--bootstrap-method",
                "poisson", "--outcome", "nps", "--binary-threshold", "9", "-q")
    assert_clean_error(r, "--bootstrap-method", "continuous")
