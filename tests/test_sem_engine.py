"""The ML engine: lavaan reference (HS CFA), analytic derivatives, closed forms
(OLS path model), simulation with known truth, identification and warnings."""

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, reference
from cxstats.errors import ModelError
from cxstats.stats.sem import (CompiledModel, ModelOptions, SampleStats, build_partable, fit_moments, fit_sem,
                               sample_stats)

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def hs_fit(hs):
    return fit_sem(HS_MODEL, hs)


def test_hs_cfa_matches_lavaan_estimates_se_and_standardized(hs_fit):
    ref = reference("cfa_hs")["ML"]
    est = hs_fit.estimates()
    assert len(est) == len(ref["parameters"])
    for r, (_, row) in zip(ref["parameters"], est.iterrows()):
        assert (row.lhs, row.op, row.rhs) == (r["lhs"], r["op"], r["rhs"])
        assert row.est == pytest.approx(r["est"], abs=1e-4)
        assert row.se == pytest.approx(r["se"], abs=1e-4)
        assert row.std_all == pytest.approx(r["std.all"], abs=1e-4)
        assert row.std_lv == pytest.approx(r["std.lv"], abs=1e-4)
        if r["z"] is not None:
            assert row.z == pytest.approx(r["z"], abs=2e-3)
            assert row.ci_lower == pytest.approx(r["ci.lower"], abs=1e-4)
    for name, r2 in ref["r2"].items():
        assert hs_fit.r2()[name] == pytest.approx(r2, abs=1e-4)
    assert hs_fit.warnings == []


def test_hs_cfa_fit_measures_match_lavaan(hs_fit):
    ref = reference("cfa_hs")["ML"]["fit_measures_all"]
    fm = hs_fit.fit_measures()
    for key in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                "rmsea.pvalue", "srmr", "aic", "bic", "bic2", "logl", "unrestricted.logl", "npar",
                "baseline.chisq", "baseline.df", "fmin"):
        tol = 1e-3 if key in ("aic", "bic", "bic2", "logl", "unrestricted.logl", "chisq", "baseline.chisq") else 1e-6
        assert fm[key.replace(".", "_")] == pytest.approx(ref[key], abs=tol), key
    # a wrong SRMR variant (e.g. srmr_mplus or rmr) would differ by more than this
    assert fm["srmr"] == pytest.approx(ref["srmr_bentler"], abs=1e-6)
    assert abs(fm["srmr"] - ref["rmr"]) > 1e-3


def test_analytic_gradient_and_information_agree_with_finite_differences(hs):
    stats, _ = sample_stats(hs, [f"x{i}" for i in range(1, 10)], hs["school"].tolist())
    pt = build_partable(HS_MODEL + "\nx1 ~~ x4\nspeed ~ visual", 2, ModelOptions(group_equal=("loadings",)))
    m = CompiledModel(pt)
    m.set_sample(stats)
    rng = np.random.default_rng(3)
    theta = m.start_values() + rng.normal(0, 0.05, pt.nfree)
    F, g, H = m.gradient_information(theta)
    num = np.zeros_like(g)
    for j in range(len(theta)):
        h = 1e-6
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        num[j] = (m.objective(tp) - m.objective(tm)) / (2 * h)
    assert np.max(np.abs(num - g)) < 1e-6
    # at the optimum, the expected information is close to the observed Hessian of F
    theta_hat, *_ = m.optimize()
    _, _, H = m.gradient_information(theta_hat)
    Hn = np.zeros_like(H)
    for j in range(len(theta_hat)):
        h = 1e-5
        tp, tm = theta_hat.copy(), theta_hat.copy()
        tp[j] += h
        tm[j] -= h
        Hn[:, j] = (m.gradient_information(tp)[1] - m.gradient_information(tm)[1]) / (2 * h)
    assert np.max(np.abs(Hn - H)) / np.max(np.abs(H)) < 0.1


def test_refit_from_moments_is_the_same_fit_and_fast(hs, hs_fit):
    import time

    st = hs_fit.stats
    again = fit_moments(hs_fit.pt, SampleStats.from_moments(st.names, st.cov, st.mean, st.n),
                        start=hs_fit.theta)
    assert np.allclose(again.theta, hs_fit.theta, atol=1e-8)
    t = time.perf_counter()
    m = CompiledModel(hs_fit.pt)
    for _ in range(20):
        m.set_sample(st)
        m.optimize(start=hs_fit.theta + 0.01)
    assert time.perf_counter() - t < 2.0          # bootstrap-friendly refits


def test_std_lv_gives_the_same_fit_and_rescaled_loadings(hs, hs_fit):
    f = fit_sem(HS_MODEL, hs, std_lv=True)
    assert f.fit_measures()["chisq"] == pytest.approx(hs_fit.fit_measures()["chisq"], abs=1e-6)
    e1, e2 = hs_fit.estimates(), f.estimates()
    load1 = e1[e1.op == "=~"].std_lv.to_numpy()
    load2 = e2[e2.op == "=~"].est.to_numpy()
    assert np.allclose(load1, load2, atol=1e-4)
    assert (e2[(e2.op == "~~") & (e2.lhs == e2.rhs) & e2.lhs.isin(["visual", "speed"])].est == 1).all()


def test_path_model_with_fixed_x_reproduces_ols(hs):
    """y ~ x1 + x2 with fixed.x: ML estimates are OLS, residual variance SSE/N, df 0."""
    f = fit_sem("x9 ~ x1 + x2", hs)
    X = np.column_stack([np.ones(len(hs)), hs.x1, hs.x2])
    b, *_ = np.linalg.lstsq(X, hs.x9, rcond=None)
    resid = hs.x9 - X @ b
    est = f.estimates().set_index(["lhs", "op", "rhs"])
    assert est.loc[("x9", "~", "x1"), "est"] == pytest.approx(b[1], abs=1e-7)
    assert est.loc[("x9", "~", "x2"), "est"] == pytest.approx(b[2], abs=1e-7)
    assert est.loc[("x9", "~~", "x9"), "est"] == pytest.approx(np.mean(resid ** 2), abs=1e-7)
    # fixed.x: the covariates' variance is the sample value, not a parameter
    assert est.loc[("x1", "~~", "x1"), "se"] == 0
    assert f.pt.nfree == 3 and f.pt.df == 0
    # ML SE of a regression slope: sqrt(sigma2_ML * (X'X)^-1) without the df correction
    XtX = np.linalg.inv(X.T @ X)
    assert est.loc[("x9", "~", "x1"), "se"] == pytest.approx(np.sqrt(np.mean(resid ** 2) * XtX[1, 1]), rel=1e-5)


def test_labels_equality_and_defined_parameter_delta_method(hs):
    f = fit_sem("visual =~ x1 + a*x2 + a*x3\nm := a^2", hs)
    est = f.estimates()
    l2 = est[(est.op == "=~") & (est.rhs == "x2")].iloc[0]
    l3 = est[(est.op == "=~") & (est.rhs == "x3")].iloc[0]
    assert l2.est == l3.est and l2.se == l3.se
    d = est[est.op == ":="].iloc[0]
    assert d.est == pytest.approx(l2.est ** 2, rel=1e-10)
    assert d.se == pytest.approx(2 * abs(l2.est) * l2.se, rel=1e-5)       # delta method
    # one equality constraint: one parameter fewer, one df more than the free model
    free = fit_sem("visual =~ x1 + x2 + x3", hs)
    assert f.pt.df == free.pt.df + 1


def test_simulation_recovers_known_loadings():
    rng = np.random.default_rng(20261123)
    n = 4000
    lam = np.array([[1.0, 0], [0.8, 0], [0.6, 0], [0, 1.0], [0, 1.2], [0, 0.7]])
    phi = np.array([[1.0, 0.4], [0.4, 0.6]])
    theta = np.array([0.5, 0.4, 0.6, 0.3, 0.5, 0.4])
    eta = rng.standard_normal((n, len(phi))) @ np.linalg.cholesky(np.asarray(phi, float)).T
    x = eta @ lam.T + rng.normal(0, np.sqrt(theta), (n, 6))
    df = pd.DataFrame(x, columns=[f"y{i}" for i in range(1, 7)])
    f = fit_sem("f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6", df)
    est = f.estimates().set_index(["lhs", "op", "rhs"])
    truth = {("f1", "=~", "y2"): 0.8, ("f1", "=~", "y3"): 0.6, ("f2", "=~", "y5"): 1.2,
             ("f2", "=~", "y6"): 0.7, ("f1", "~~", "f2"): 0.4, ("f2", "~~", "f2"): 0.6,
             ("y1", "~~", "y1"): 0.5, ("y5", "~~", "y5"): 0.5}
    for key, val in truth.items():
        row = est.loc[key]
        assert abs(row.est - val) < 4 * row.se, (key, row.est, row.se)
        assert row.se < 0.05
    # correct model: chi-square is a draw from chi2(df), not far in the tail
    assert f.fit_measures()["pvalue"] > 0.001


def test_not_identified_models_are_refused(hs):
    with pytest.raises(ModelError, match="not identified.*df = -"):
        fit_sem("f =~ x1 + x2", hs)                        # 2 indicators, one factor: df = -1
    with pytest.raises(ModelError, match="not identified"):
        fit_sem("f =~ NA*x1 + x2 + x3", hs)                # no scale for the factor
    with pytest.raises(ModelError, match="has no indicators|not identified"):
        fit_sem("f =~ x1 + x2 + x3\ng =~ x4\n", hs)        # one-indicator factor


def test_heywood_case_and_out_of_range_loading_are_warned():
    # r(a,b) = r(a,c) = .8, r(b,c) = .5: the just-identified one-factor solution has
    # lambda_a^2 = .8 * .8 / .5 = 1.28 > 1, so a's residual variance is -0.28
    rng = np.random.default_rng(5)
    R = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    z = rng.normal(size=(200, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    x = z @ np.linalg.cholesky(R).T
    fit = fit_sem("f =~ b + c + a", pd.DataFrame(x, columns=["a", "b", "c"]))
    est = fit.estimates().set_index(["lhs", "op", "rhs"])
    assert est.loc[("a", "~~", "a"), "est"] == pytest.approx(-0.28, abs=1e-6)
    assert est.loc[("f", "=~", "a"), "std_all"] == pytest.approx(np.sqrt(1.28), abs=1e-6)
    text = " ".join(fit.warnings)
    assert "Heywood case: negative variance a ~~ a" in text
    assert "standardized loading f =~ a = 1.131 is beyond" in text


def test_singular_and_too_small_samples_are_model_errors(hs):
    d = hs.copy()
    d["x10"] = d.x1 + d.x2
    with pytest.raises(ModelError, match="singular"):
        fit_sem("f =~ x1 + x2 + x10", d)
    with pytest.raises(ModelError, match="more cases than variables"):
        fit_sem(HS_MODEL, hs.head(8))
