"""The latent (measurement-error-corrected) ROI chain: which chain is chosen and why, the latent
conversion uplift -> loyalty in closed form, factor scores against lavaan, and the chains
coinciding when there is no measurement error. (The demo's causal truth is in test_roi.py.)"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from cxstats.errors import InputError
from cxstats.io.finance import FinanceTable
from cxstats.stats import roi
from cxstats.stats.roi import latent as roi_latent

REF = Path(__file__).parent / "fixtures" / "reference"

ITEMS = {"web": ["w1", "w2", "w3"], "envio": ["e1", "e2", "e3"]}
LAMBDA = {"web": [1.0, 0.8, 0.6], "envio": [1.0, 1.2, 0.9]}
THETA_ITEM = {"web": [0.5, 0.6, 0.7], "envio": [0.4, 0.5, 0.6]}
PHI = np.array([[0.8, 0.3], [0.3, 0.6]])      # latent covariance of web, envio
GAMMA = np.array([0.5, 0.25])                  # loyalty ~ web + envio
PSI_L = 0.4                                    # loyalty residual variance
IND = {"recompra": (1.0, 0.3), "nps": (2.0, 1.0)}   # loading, residual variance


def _implied():
    """Population covariance of (w1..w3, e1..e3, recompra, nps) and of (L, those)."""
    lam = np.zeros((8, 3))
    lam[0:3, 0] = LAMBDA["web"]
    lam[3:6, 1] = LAMBDA["envio"]
    lam[6, 2], lam[7, 2] = IND["recompra"][0], IND["nps"][0]
    var_l = GAMMA @ PHI @ GAMMA + PSI_L
    cov_el = PHI @ GAMMA
    psi = np.zeros((3, 3))
    psi[:2, :2] = PHI
    psi[:2, 2] = psi[2, :2] = cov_el
    psi[2, 2] = var_l
    theta = np.diag(THETA_ITEM["web"] + THETA_ITEM["envio"] + [IND["recompra"][1], IND["nps"][1]])
    sigma = lam @ psi @ lam.T + theta
    return sigma, (lam @ psi)[:, 2]


def _exact_moment_frame(n=500, seed=1):
    """Data whose sample covariance (divisor n) is exactly the model's: ML recovers every parameter."""
    sigma, _ = _implied()
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 8))
    z -= z.mean(axis=0)
    w = np.linalg.cholesky(np.cov(z.T, bias=True))
    z = z @ np.linalg.inv(w).T                      # sample covariance exactly I
    x = z @ np.linalg.cholesky(sigma).T + 3.0
    cols = ITEMS["web"] + ITEMS["envio"] + ["recompra", "nps"]
    return pd.DataFrame(x, columns=cols)


@pytest.fixture(scope="module")
def exact_model():
    frame = _exact_moment_frame()
    return frame, roi_latent.fit_latent_model(frame, ITEMS, ["recompra", "nps"])


# ---------------------------------------------------------------- choosing the chain

def test_chain_choice_and_reasons():
    kind, why, w = roi_latent.choose_chain(None, ITEMS, ["recompra", "nps"])
    assert kind == "latent" and why.startswith("default") and not w
    kind, why, w = roi_latent.choose_chain(None, {"web": ["w1", "w2"], "solo": ["s1"]}, ["recompra", "nps"])
    assert kind == "observed" and "solo" in why and "fewer than 2 items" in w[0] and "biased low" in w[0]
    kind, why, w = roi_latent.choose_chain(None, ITEMS, ["recompra"])
    assert kind == "observed" and "1 indicator" in w[0]
    kind, why, w = roi_latent.choose_chain(None, None, ["recompra", "nps"])
    assert kind == "observed" and "items are not known" in w[0]
    kind, why, w = roi_latent.choose_chain("observed", ITEMS, ["recompra", "nps"])
    assert kind == "observed" and "requested" in why and not w
    with pytest.raises(InputError, match="latent ROI chain is not possible.*1 indicator"):
        roi_latent.choose_chain("latent", ITEMS, ["recompra"])


# ---------------------------------------------------------------- closed forms

def test_latent_conversion_closed_form(exact_model):
    """driver:<c> = gamma_c / mean(lambda_c): the latent mean shift that raises the expected item
    answers by u on average, times the latent slope, in loyalty-marker points."""
    _, m = exact_model
    eff = m.driver_effects(m.fit.theta)[0]
    for j, c in enumerate(ITEMS):
        assert eff[j] == pytest.approx(GAMMA[j] / np.mean(LAMBDA[c]), rel=1e-6)
    # u = 0.5 scale points: the expected construct score (mean of items) rises by exactly u
    u = 0.5
    d_eta = u / np.mean(LAMBDA["web"])
    assert np.mean(np.array(LAMBDA["web"]) * d_eta) == pytest.approx(u)
    coef = m.driver_coefficients()
    assert coef.value("driver:web") == pytest.approx(0.5 / 0.8, rel=1e-6)
    # delta-method SE agrees with the Monte Carlo draws through the SEM parameters
    draws = coef.draw(np.random.default_rng(3), 20_000)
    assert draws[:, 0].std() == pytest.approx(coef.se("driver:web"), rel=0.05)
    assert draws[:, 0].mean() == pytest.approx(coef.value("driver:web"), abs=3 * coef.se("driver:web") / 100)


def test_factor_scores_closed_form_and_missing_answers(exact_model):
    frame, m = exact_model
    sigma, cov_lx = _implied()
    x = frame.to_numpy(float)
    want = (x - x.mean(axis=0)) @ np.linalg.solve(sigma, cov_lx)
    np.testing.assert_allclose(m.factor_scores(frame), want, atol=2e-6)
    # reliability of the score: R2 of L on all indicators
    var_l = GAMMA @ PHI @ GAMMA + PSI_L
    assert m.score_reliability() == pytest.approx(cov_lx @ np.linalg.solve(sigma, cov_lx) / var_l, rel=1e-5)
    # only recompra answered: E[L | recompra] = cov(L, recompra) / var(recompra) (recompra - mean)
    part = frame.copy()
    part.loc[:4, [c for c in frame.columns if c != "recompra"]] = np.nan
    part.loc[5, :] = np.nan
    got = m.factor_scores(part)
    k = cov_lx[6] / sigma[6, 6]
    np.testing.assert_allclose(got[:5], k * (x[:5, 6] - x[:, 6].mean()), atol=2e-6)
    assert np.isnan(got[5])
    np.testing.assert_allclose(got[6:], want[6:], atol=2e-6)


def test_factor_scores_match_lavaan(tmp_path):
    """lavaan 0.6-14: sem(model, data = complete cases); lavPredict(fit, method = "regression")."""
    from cxstats.demo.simulate import load_demo_spec, write_demo
    from cxstats.io.survey import load_survey

    write_demo(tmp_path)
    spec = load_demo_spec()
    df = load_survey(spec, [(tmp_path / "customers.csv", None)]).customers().reset_index(drop=True)
    items = {c.id: c.item_ids for c in spec.constructs()[:3]}
    cols = [i for its in items.values() for i in its] + ["recompra", "nps"]
    cc = df[cols].dropna().reset_index(drop=True)
    # the same rows R read (r/21_factor_scores_demo.R): the demo is reproducible to the last digit
    ref_data = pd.read_csv(REF / "datasets" / "demo_latent_roi_complete.csv")
    np.testing.assert_array_equal(cc.to_numpy(float), ref_data[cols].to_numpy(float))
    ref = json.loads((REF / "results" / "factor_scores_demo.json").read_text())
    assert len(cc) == ref["n"] == 1926
    m = roi_latent.fit_latent_model(cc, items, ["recompra", "nps"])
    got = m.factor_scores(cc)[ref["rows"]]
    np.testing.assert_allclose(got, ref["loyalty_factor"], atol=2e-6)


# ---------------------------------------------------------------- no measurement error

def _error_free_study(n=3000, err=0.02, seed=5):
    """Items and loyalty indicators that measure their latents almost without error (sd ``err``)."""
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal((n, len(PHI))) @ np.linalg.cholesky(np.asarray(PHI, float)).T
    L = eta @ GAMMA + rng.normal(0, math.sqrt(PSI_L), n)
    frame = pd.DataFrame({"respondent_id": [f"c{i}" for i in range(n)]})
    for j, (c, its) in enumerate(ITEMS.items()):
        for it in its:
            frame[it] = 3 + eta[:, j] + rng.normal(0, err, n)
        frame[c] = frame[its].mean(axis=1)
    frame["recompra"] = 3 + L + rng.normal(0, err, n)
    frame["nps"] = 7 + 2 * L + rng.normal(0, 2 * err, n)
    churn = (rng.random(n) < 1 / (1 + np.exp(-(-1.5 - 0.9 * L)))).astype(float)
    revenue = np.exp(6 + 0.15 * L + rng.normal(0, 0.5, n))
    fin = FinanceTable(pd.DataFrame({"respondent_id": frame["respondent_id"], "churn": churn,
                                     "revenue": revenue}), "finance.csv", {"churn": "b", "revenue": "r"}, "id")
    return frame, fin


def test_without_measurement_error_latent_and_observed_chains_coincide():
    frame, fin = _error_free_study()
    out = {}
    for kind in ("observed", "latent"):
        coef, values, info, warns, link, latent = roi.build_roi_chain(
            frame, fin, "recompra", list(ITEMS), chain=kind, items=ITEMS, indicators=["recompra", "nps"])
        assert info["chain"] == kind and (latent is not None) == (kind == "latent")
        a = roi.default_assumptions(link, "recompra", chain=info)
        init = roi.Initiative("x", "", "web", 0.5, 100_000, 3, 50_000)
        res = roi.roadmap_roi([init], coef, values, a, draws=1, seed=0)
        out[kind] = (coef, res.results.iloc[0])
    (co, ro), (cl, rl) = out["observed"], out["latent"]
    for name in ("driver:web", "driver:envio", "churn:slope", "revenue:slope"):   # intercepts: W is centred
        assert cl.value(name) == pytest.approx(co.value(name), rel=0.01, abs=0.005), name
    assert rl["d_churn"] == pytest.approx(ro["d_churn"], rel=0.01)
    assert rl["npv"] == pytest.approx(ro["npv"], rel=0.01)


def test_latent_fit_failure_falls_back_unless_asked(monkeypatch):
    frame, fin = _error_free_study(n=400)
    from cxstats.errors import ModelError

    def boom(*a, **k):
        raise ModelError("did not converge")
    monkeypatch.setattr(roi_latent, "fit_latent_model", boom)
    *_, info, warns, _link, latent = roi.build_roi_chain(frame, fin, "recompra", list(ITEMS), items=ITEMS,
                                                         indicators=["recompra", "nps"])
    assert info["chain"] == "observed" and latent is None
    assert any("could not be estimated (did not converge)" in w for w in warns)
    with pytest.raises(ModelError):
        roi.build_roi_chain(frame, fin, "recompra", list(ITEMS), chain="latent", items=ITEMS,
                            indicators=["recompra", "nps"])


# ---------------------------------------------------------------- CLI without a spec

def test_cli_scales_without_spec(tmp_path):
    frame, fin = _error_free_study(n=600, err=0.5)
    frame.drop(columns=list(ITEMS)).to_csv(tmp_path / "survey.csv", index=False)
    fin.frame.rename(columns={"respondent_id": "id"}).to_csv(tmp_path / "crm.csv", index=False)
    pd.DataFrame([{"initiative": "a", "name": "A", "construct": "web", "uplift": 0.3, "cost": 1000,
                   "months_to_effect": 2, "customers_reached": 1000}]).to_csv(tmp_path / "road.csv", index=False)
    base = ["roi", tmp_path / "road.csv", "--survey", tmp_path / "survey.csv", "--id", "respondent_id",
            "--finance", tmp_path / "crm.csv", "--finance-id", "id", "--churn", "churn", "--revenue", "revenue",
            "--loyalty", "recompra", "--scale", "web=w1,w2,w3", "--scale", "envio=e1,e2,e3", "--draws", 200,
            "--json", "-", "-q"]
    res = run_cli(*base, "--loyalty-indicators", "recompra,nps")
    assert res.exit_code == 0, res
    out = res.json()
    assert out["chain"]["chain"] == "latent" and out["latent_model"]["indicators"] == ["recompra", "nps"]
    res = run_cli(*base)      # one loyalty indicator: observed, with a warning saying why
    assert res.exit_code == 0, res
    out = res.json()
    assert out["chain"]["chain"] == "observed" and out["latent_model"] is None
    assert any("1 indicator" in w for w in out["warnings"])
    res = run_cli(*base, "--chain", "latent")
    assert res.exit_code == 2 and "latent ROI chain is not possible" in res.stderr


# ---------------------------------------------------------------- loyalty indicators that stop at the top

def test_posterior_scores_undo_the_clipping_of_loyalty_answers():
    """Known truth: L ~ N(0, 1) (0.5 web + 0.25 envio + noise), recompra = 3.8 + 0.8 L + N(0, .5) and
    nps = 7 + 2 L + N(0, 1) rounded and clipped (1-5, 0-10: about 6% answer NPS 10), churn =
    logistic(-1.5 - 0.9 L). Every customer's L rises by 0.1125: the true change in churn is
    mean p(L + 0.1125) - p(L). The finance link valued on the posterior scores E[L | answers] (loyalty
    indicators read as rounded, clipped answers) recovers it within 4% (one sample: the churn model's
    sampling error), and closer than the linear factor scores do; on the linear factor scores the
    churn model comes out flat (about 4% low, the bias this replaces). n = 60 000; the uplift in the
    SEM's units is the true one times the marker's scale (the slope of recompra's answers on L)."""
    from cxstats.stats.finance import fit_outcome
    from cxstats.stats.roi.valuation import loyalty_effects

    rng = np.random.default_rng(12)
    n = 60_000
    eta = rng.standard_normal((n, len(PHI))) @ np.linalg.cholesky(np.asarray(PHI, float)).T
    frame = pd.DataFrame({"respondent_id": [f"c{i}" for i in range(n)]})
    for c, k in (("web", 0), ("envio", 1)):
        for it, lam, th in zip(ITEMS[c], LAMBDA[c], THETA_ITEM[c]):
            frame[it] = 3 + lam * eta[:, k] + rng.normal(0, math.sqrt(th), n)
    L = eta @ GAMMA + rng.normal(0, math.sqrt(1 - GAMMA @ PHI @ GAMMA), n)
    frame["recompra"] = np.clip(np.floor(3.8 + 0.8 * L + rng.normal(0, 0.5, n) + 0.5), 1, 5)
    frame["nps"] = np.clip(np.floor(7 + 2 * L + rng.normal(0, 1, n) + 0.5), 0, 10)
    frame.loc[rng.random(n) < 0.02, "nps"] = np.nan      # a few unanswered: left out of the conditioning
    p = 1 / (1 + np.exp(-(-1.5 - 0.9 * L)))
    churn = (rng.random(n) < p).astype(float)
    d_true = 0.1125
    truth = float(np.mean(1 / (1 + np.exp(-(-1.5 - 0.9 * (L + d_true)))) - p))
    model = roi_latent.fit_latent_model(frame, ITEMS, ["recompra", "nps"])
    scale = np.cov(frame["recompra"], L)[0, 1] / np.var(L, ddof=1)     # recompra points per unit of L
    post, how = model.posterior_scores(frame, {"recompra": (1, 5), "nps": (0, 10)})
    assert how.startswith("posterior mean") and np.isfinite(post).all()
    lin = model.factor_scores(frame)
    dp = {}
    for name, score in (("posterior", post), ("linear", lin)):
        ch = fit_outcome("churn", churn, pd.Series(score), "L")
        coef = np.array([[*ch.coef]])
        dp[name] = float(loyalty_effects(coef, {"churn:intercept": 0, "churn:slope": 1},
                                         np.array([d_true * scale]), score)[0][0])
    # one sample of 60 000 (seed 12: 2.8% off on this draw): within 4%, and clearly closer than the linear one
    assert dp["posterior"] == pytest.approx(truth, rel=0.04), (dp, truth)
    assert abs(dp["posterior"] - truth) < 0.6 * abs(dp["linear"] - truth), (dp, truth)
    assert dp["posterior"] / dp["linear"] > 1.02, dp
    # the most loyal customers: the posterior score is calibrated at the top, the linear one is not
    top = post >= np.quantile(post, 0.95)
    assert np.mean(scale * L[top] - post[top]) == pytest.approx(0, abs=0.03)
    top_lin = lin >= np.quantile(lin, 0.95)
    assert np.mean(scale * L[top_lin] - lin[top_lin]) > 0.05
    # answers that are not codes on the scale: the linear scores, said
    _, how2 = model.posterior_scores(frame.assign(nps=frame["nps"] + 0.25), {"recompra": (1, 5), "nps": (0, 10)})
    assert how2.startswith("linear") and "'nps' answers are not whole codes" in how2
