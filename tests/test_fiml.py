"""Full-information ML (lavaan missing = "ml"): lavaan references on Holzinger-Swineford with
missing values (CFA, invariance steps, SEM with a defined effect, fixed.x covariates), analytic
derivatives, the EM saturated model, a MAR simulation with known truth, and the CLI."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, FIXTURES, run_cli
from cxstats.stats.sem import ModelOptions, build_partable, fiml_data, fit_sem
from cxstats.stats.sem.fiml import FimlModel, GroupPatterns, em_saturated, pattern_loglik

EXTRA = FIXTURES / "reference_extra"
REF = json.loads((EXTRA / "fiml_reference.json").read_text(encoding="utf-8"))
DATA = EXTRA / "hs_missing.csv"
CFA = REF["cfa"]["model"]
FIT_KEYS = ("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "rmsea.pvalue", "srmr", "aic", "bic", "bic2", "logl", "unrestricted.logl", "ntotal",
            "npar", "fmin")
LEVEL_EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
               "strict": ("loadings", "intercepts", "residuals")}


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATA)


def _hs_x(hs):
    d = hs.copy()
    d.loc[[4, 16, 32], "ageyr"] = np.nan       # rows 5, 17, 33 in R
    return d


def _match_estimates(est, params, *, tol_est, tol_se):
    worst = {"est": 0.0, "se": 0.0, "std_all": 0.0}
    for p in params:
        if p["op"] == ":=":
            rows = est[(est.op == ":=") & (est.lhs == p["lhs"])]
        else:
            rows = est[(est.lhs == p["lhs"]) & (est.op == p["op"]) & (est.rhs == p["rhs"])]
            if "group" in est.columns:
                rows = rows[rows.group == p["group"]]
        assert len(rows) == 1, p
        row = rows.iloc[0]
        for key, tol in (("est", tol_est), ("se", tol_se), ("std_all", tol_est)):
            if p[key] is not None:
                assert row[key] == pytest.approx(p[key], abs=tol), (key, p)
                worst[key] = max(worst[key], abs(row[key] - p[key]))
    return worst


def _match_fit(fm, ref_fit, *, tol=1e-6, tol_big=1e-3):
    for key in FIT_KEYS:
        v = ref_fit[key]
        t = tol_big if key in ("chisq", "baseline.chisq", "aic", "bic", "bic2", "logl", "unrestricted.logl") else tol
        assert fm[key.replace(".", "_")] == pytest.approx(v, abs=t), key


@pytest.fixture(scope="module")
def cfa_fit(hs):
    return fit_sem(CFA, hs, missing="ml")


def test_cfa_fiml_matches_lavaan(cfa_fit):
    ref = REF["cfa"]
    assert ref["information"] == "observed" and ref["observed_information"] == "hessian"   # lavaan's default
    assert cfa_fit.converged and cfa_fit.missing == "ml"
    assert cfa_fit.ntotal == ref["nobs"][0] == 299
    _match_estimates(cfa_fit.estimates(), ref["parameters"], tol_est=1e-5, tol_se=1e-5)
    _match_fit(cfa_fit.fit_measures(), ref["fit"])
    info = cfa_fit.missing_info
    assert info["n_rows"] == 301 and info["n_dropped_empty"] == 2 and info["n_used"] == 299
    assert info["n_incomplete"] == 110 and info["patterns"] == 28
    assert any("2 row(s) with no answer" in w for w in cfa_fit.warnings)


def test_saturated_em_moments_match_lavaan_sampstat(cfa_fit):
    h1 = REF["cfa_h1"]
    p = 9
    # lavaan stops its EM at a looser tolerance (differences of a few 1e-6); ours runs to 1e-11
    assert np.allclose(cfa_fit.stats.cov[0], np.array(h1["cov"]).reshape(p, p), atol=2e-5)
    assert np.allclose(cfa_fit.stats.mean[0], h1["mean"], atol=2e-5)
    # the EM solution is a stationary point of the observed-data likelihood
    gp = cfa_fit.fiml.patterns[0]
    _, W, w = pattern_loglik(cfa_fit.stats.cov[0], cfa_fit.stats.mean[0], gp)
    assert np.max(np.abs(W)) < 1e-6 and np.max(np.abs(w)) < 1e-6


def test_listwise_option_matches_lavaan_default(hs):
    fit = fit_sem(CFA, hs, missing="listwise")
    assert fit.ntotal == REF["cfa_listwise"]["nobs"][0] == 189
    fm = fit.fit_measures()
    for key in ("chisq", "cfi", "rmsea", "srmr"):
        assert fm[key] == pytest.approx(REF["cfa_listwise"]["fit"][key], abs=1e-6)
    assert fit.missing_info == {"method": "listwise", "n_rows": 301, "n_used": 189, "n_dropped_incomplete": 112}


@pytest.mark.parametrize("level", list(LEVEL_EQUAL))
def test_multigroup_steps_match_lavaan(hs, level):
    ref = REF["invariance"][level]
    fit = fit_sem(CFA, hs, group="school", missing="ml", group_equal=LEVEL_EQUAL[level])
    assert fit.converged and list(fit.stats.n) == ref["nobs"]
    _match_estimates(fit.estimates(), ref["parameters"], tol_est=5e-5, tol_se=2e-5)
    _match_fit(fit.fit_measures(), ref["fit"])


def test_invariance_sequence_by_fiml(hs):
    from cxstats.stats.invariance import analyze_invariance

    res = analyze_invariance(hs, CFA, "school")           # missing = "auto": the data have missing values
    assert res.missing["method"] == "ml" and res.missing["n_used"] == 299
    for step in res.steps:
        ref = REF["invariance"][step["step"]]["fit"]
        for key in ("chisq", "df", "cfi", "rmsea", "srmr"):
            assert step[key] == pytest.approx(ref[key], abs=1e-6), (step["step"], key)
    chi = [REF["invariance"][lv]["fit"]["chisq"] for lv in LEVEL_EQUAL]
    assert [t["chisq_diff"] for t in res.lrt] == pytest.approx(np.diff(chi), abs=1e-6)
    assert sum(w.startswith("missing data: full-information ML") for w in res.warnings) == 1
    assert res.to_dict()["missing"]["method"] == "ml"


def test_sem_with_defined_effect_matches_lavaan(hs):
    from cxstats.stats.sem_analysis import analyze_sem

    ref = REF["sem"]
    res = analyze_sem(hs, ref["model"])
    assert res.missing["method"] == "ml" and res.n == 299
    _match_estimates(res.estimates, ref["parameters"], tol_est=1e-5, tol_se=1e-5)
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl"):
        assert res.fit[key] == pytest.approx(ref["fit"][key], abs=1e-3 if key in ("chisq", "aic", "bic", "logl")
                                             else 1e-6), key
    assert res.effect("ind")["est"] == pytest.approx(
        next(p["est"] for p in ref["parameters"] if p["lhs"] == "ind"), abs=1e-5)


def test_fixed_x_covariates_rows_with_missing_x_dropped(hs):
    ref = REF["sem_fixed_x"]
    fit = fit_sem(ref["model"], _hs_x(hs), missing="ml")
    assert fit.ntotal == ref["nobs"][0] == 298
    assert fit.missing_info["n_dropped_missing_x"] == 3
    _match_estimates(fit.estimates(), ref["parameters"], tol_est=1e-5, tol_se=1e-5)
    _match_fit(fit.fit_measures(), ref["fit"])


def test_fiml_gradient_is_the_derivative_of_the_objective(hs):
    model = CFA + "\nx1 ~~ x4\nspeed ~ visual"
    pt = build_partable(model, 2, ModelOptions(meanstructure=True, group_equal=("loadings", "intercepts")))
    fd, _ = fiml_data(hs, pt.ov, hs["school"].tolist())
    m = FimlModel(pt, fd)
    theta = m.complete_data_start() + np.random.default_rng(1).normal(0, 0.03, pt.nfree)
    _, g_fast, _ = m.gradient(theta)
    _, g_jac, _ = m.gradient(theta, info=True)
    num = np.array([(m.objective(theta + 1e-6 * e) - m.objective(theta - 1e-6 * e)) / 2e-6
                    for e in np.eye(pt.nfree)])
    assert np.max(np.abs(g_fast - g_jac)) < 1e-12
    assert np.max(np.abs(num - g_fast)) < 1e-7


def test_complete_data_fiml_equals_ml_and_auto_keeps_plain_ml():
    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    ml = fit_sem(CFA, hs, missing="ml")
    plain = fit_sem(CFA, hs, meanstructure=True)
    assert ml.fit_measures()["chisq"] == pytest.approx(plain.fit_measures()["chisq"], abs=1e-6)
    assert np.allclose(ml.theta, plain.theta, atol=1e-6)
    auto = fit_sem(CFA, hs, missing="auto")
    assert auto.missing == "listwise" and auto.pt.nfree == 21


def test_em_on_complete_data_gives_the_sample_moments():
    X = np.random.default_rng(4).normal(size=(50, 3))
    C, m, ll, it, conv = em_saturated(GroupPatterns.from_array(X))
    assert conv and np.allclose(m, X.mean(0)) and np.allclose(C, np.cov(X.T, bias=True))


def test_mar_simulation_fiml_unbiased_listwise_biased():
    """One factor, 4 items; y4 is missing when y1 (observed) is high: MAR. Listwise deletion keeps
    the low-y1 respondents and underestimates y4's mean and the factor variance; FIML recovers them."""
    rng = np.random.default_rng(20240611)
    n = 4000
    eta = rng.normal(0, 1, n)
    lam, mu = np.array([1.0, 0.8, 0.9, 1.1]), np.array([3.0, 3.2, 2.8, 3.0])
    Y = mu + eta[:, None] * lam + rng.normal(0, 0.6, (n, 4))
    miss = Y[:, 0] > 3.3 + rng.normal(0, 0.3, n)
    Y[miss, 3] = np.nan
    frame = pd.DataFrame(Y, columns=["y1", "y2", "y3", "y4"])
    model = "f =~ y1 + y2 + y3 + y4\ny4 ~ 1"
    fiml = fit_sem(model, frame, missing="ml").estimates()
    lw = fit_sem(model, frame, missing="listwise").estimates()

    def row(est, op, lhs, rhs=""):
        return est[(est.op == op) & (est.lhs == lhs) & (est.rhs == rhs)].iloc[0]

    for op, lhs, rhs, truth in (("~1", "y4", "", 3.0), ("~~", "f", "f", 1.0), ("=~", "f", "y4", 1.1)):
        r = row(fiml, op, lhs, rhs)
        assert abs(r.est - truth) < 3 * r.se, (op, lhs, r.est, r.se)
        off = row(lw, op, lhs, rhs)
        if op != "=~":
            assert abs(off.est - truth) > 10 * off.se, (op, lhs, off.est)


def test_cli_cfa_defaults_to_fiml_and_says_so():
    res = run_cli("cfa", DATA, "--model", CFA, "--json", "-", "-q")
    assert res.exit_code == 0, res
    out = res.json()
    assert out["missing"]["method"] == "ml" and out["n"] == 299 and out["missing"]["n_incomplete"] == 110
    assert out["fit"]["chisq"] == pytest.approx(REF["cfa"]["fit"]["chisq"], abs=1e-3)
    assert any(w.startswith("missing data: full-information ML") for w in out["warnings"])
    lw = run_cli("cfa", DATA, "--model", CFA, "--missing", "listwise", "--json", "-", "-q")
    assert lw.exit_code == 0 and lw.json()["n"] == 189 and lw.json()["missing"]["method"] == "listwise"
    assert lw.json()["fit"]["chisq"] == pytest.approx(REF["cfa_listwise"]["fit"]["chisq"], abs=1e-3)


def test_cli_sem_bootstrap_with_fiml_is_reproducible():
    args = ("sem", DATA, "--model", REF["sem"]["model"], "--bootstrap", "20", "--seed", "3", "--json", "-", "-q")
    a, b = run_cli(*args), run_cli(*args)
    assert a.exit_code == 0, a
    out = a.json()
    assert out == b.json()
    assert out["missing"]["method"] == "ml" and out["bootstrap"]["successful"] == 20
    ind = next(e for e in out["estimates"] if e["op"] == ":=" and e["lhs"] == "ind")
    assert ind["boot_ci_lower"] < ind["est"] < ind["boot_ci_upper"]
    assert 0.3 * ind["se"] < ind["boot_se"] < 3 * ind["se"]


def test_plan_steps_check_the_missing_option():
    from cxstats.errors import InputError
    from cxstats.steps import cfa, invariance, sem

    for step in (cfa, invariance, sem):
        assert step.Options.from_mapping({}).missing == "auto"
        assert step.Options.from_mapping({"missing": "listwise"}).missing == "listwise"
        with pytest.raises(InputError, match="auto, ml, listwise") as err:
            step.Options.from_mapping({"missing": "fiml"})
        assert err.value.option == "missing"
