"""Survey weights in reliability, drivers, nps and describe (issue 18).

References (R's survey package is not available here):
* replication: whole-number weights must give exactly the point estimates of the data with each row
  repeated w times (means, shares, NPS, alpha, omega, r_drop, WLS coefficients, R², LMG, relative
  weights) - a closed-form identity that fails on any wrong weighting;
* equal weights must give the unweighted analysis exactly, which the existing tests tie to R (psych,
  swiss regressions);
* statsmodels ``DescrStatsW`` (weighted mean, SD with divisor sum(w) - 1, covariance) and a hand
  computation of WLS with HC3; intervals on Kish's effective n by hand.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.errors import InputError
from cxstats.stats.weights import check_weights, kish_n, normalize

RNG = np.random.default_rng(20261201)


def _replicate(df, w):
    return df.loc[df.index.repeat(np.asarray(w, dtype=int))].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ weights


def test_check_weights_names_row_and_value():
    with pytest.raises(InputError) as err:
        check_weights([1, 2, -0.5, 1], column="w")
    assert err.value.row == 4 and err.value.value == "-0.5" and err.value.column == "w"
    with pytest.raises(InputError, match="missing") as err:
        check_weights([1, None, 2], column="w")
    assert err.value.row == 3
    with pytest.raises(InputError, match="must be a number") as err:
        check_weights([1, "heavy", 2], column="w", row_of=lambda i: 10 + i)
    assert err.value.row == 11 and err.value.value == "heavy"
    with pytest.raises(InputError, match="sum to zero"):
        check_weights([0, 0, 0], column="w")
    # rows the analysis does not use may lack a weight
    out = check_weights([1, None, 2], used=[True, False, True])
    assert out[0] == 1 and out[2] == 2


def test_kish_and_normalize_closed_form():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    assert kish_n(w) == pytest.approx(100 / 30)          # (sum w)^2 / sum w^2 = 10^2 / 30
    assert kish_n(np.full(7, 3.2)) == pytest.approx(7)
    assert normalize(w).sum() == pytest.approx(4) and normalize(w)[3] == pytest.approx(1.6)


# ------------------------------------------------------------------------------------------ describe


@pytest.fixture(scope="module")
def ratings():
    n = 120
    df = pd.DataFrame({"q1": RNG.integers(1, 6, n).astype(float), "q2": RNG.integers(1, 6, n).astype(float),
                       "g": RNG.choice(["north", "south"], n)})
    df.loc[[3, 17, 40], "q1"] = np.nan
    return df, RNG.integers(1, 5, n).astype(float)


def test_describe_weighted_equals_replicated_rows(ratings):
    from cxstats.stats.describe import analyze_describe

    df, w = ratings
    wt = analyze_describe(df, {"q1": (1, 5), "q2": (1, 5)}, by="g", weights=w, weight_name="w").rows
    rep = analyze_describe(_replicate(df, w), {"q1": (1, 5), "q2": (1, 5)}, by="g").rows
    for col in ("mean", "top2_share", "missing_share"):
        assert np.allclose(wt[col].astype(float), rep[col].astype(float), rtol=0, atol=1e-12), col
    # the unweighted means differ: the weights matter
    plain = analyze_describe(df, {"q1": (1, 5), "q2": (1, 5)}, by="g").rows
    assert np.max(np.abs(plain["mean"] - wt["mean"])) > 0.01


def test_describe_against_descrstatsw_and_kish(ratings):
    from statsmodels.stats.weightstats import DescrStatsW

    from cxstats.stats.describe import analyze_describe
    from cxstats.stats.nps import wilson_interval

    df, w = ratings
    res = analyze_describe(df, {"q1": (1, 5)}, by="g", weights=w, weight_name="w")
    for _, row in res.rows.iterrows():
        part = (df.g == row.group).to_numpy() & df.q1.notna().to_numpy()
        x, ww = df.q1.to_numpy()[part], w[part]
        d = DescrStatsW(x, weights=normalize(ww), ddof=1)
        assert row["mean"] == pytest.approx(d.mean, rel=1e-12)
        assert row["sd"] == pytest.approx(d.std, rel=1e-12)
        ne = ww.sum() ** 2 / (ww ** 2).sum()
        assert row["n_eff"] == pytest.approx(ne, rel=1e-12)
        top = ww[x >= 4].sum() / ww.sum()
        lo, hi = wilson_interval(top * ne, ne)
        assert (row["top2_share_ci_lower"], row["top2_share_ci_upper"]) == pytest.approx((lo, hi), rel=1e-12)
        h = stats.t.ppf(0.975, ne - 1) * d.std / math.sqrt(ne)
        assert row["mean_ci_lower"] == pytest.approx(d.mean - h, rel=1e-12)
    assert any(t == "Survey weights" for t, _ in res.methods())


def test_describe_equal_weights_are_unweighted(ratings):
    from cxstats.stats.describe import analyze_describe

    df, _ = ratings
    a = analyze_describe(df, {"q1": (1, 5)}, by="g", weights=np.full(len(df), 2.5)).rows
    b = analyze_describe(df, {"q1": (1, 5)}, by="g").rows
    for col in ("mean", "sd", "top2_share", "missing_share"):
        assert np.allclose(a[col].astype(float), b[col].astype(float), rtol=1e-13), col
    assert np.allclose(a["n_eff"].astype(float), b["n"].astype(float))


# ------------------------------------------------------------------------------------------ nps


@pytest.fixture(scope="module")
def nps_data():
    n = 400
    df = pd.DataFrame({"rec": RNG.integers(0, 11, n).astype(float), "g": RNG.choice(["a", "b"], n),
                       "sat": RNG.integers(1, 6, n).astype(float), "effort": RNG.integers(1, 8, n).astype(float)})
    df.loc[[5, 9], "rec"] = np.nan
    return df, RNG.integers(1, 4, n).astype(float)


def test_nps_weighted_equals_replicated_rows(nps_data):
    from cxstats.stats.nps import analyze_nps

    df, w = nps_data
    a = analyze_nps(df, "rec", group="g", csat={"sat": 5}, ces=["effort"], weights=w, weight_name="w")
    b = analyze_nps(_replicate(df, w), "rec", group="g", csat={"sat": 5}, ces=["effort"])
    for key in ("nps", "promoters_share", "passives_share", "detractors_share"):
        assert a.overall[key] == pytest.approx(b.overall[key], rel=1e-12)
        for ga, gb in zip(a.groups, b.groups):
            assert ga[key] == pytest.approx(gb[key], rel=1e-12)
    assert a.comparison["diff"] == pytest.approx(b.comparison["diff"], rel=1e-12)
    for ra, rb in zip(a.csat, b.csat):
        assert ra["top_box_share"] == pytest.approx(rb["top_box_share"], rel=1e-12)
        assert ra["mean"] == pytest.approx(rb["mean"], rel=1e-12)
    assert a.ces[0]["mean"] == pytest.approx(b.ces[0]["mean"], rel=1e-12)
    assert a.overall["n"] == int(df.rec.notna().sum())        # counts stay respondents
    assert abs(a.overall["nps"] - analyze_nps(df, "rec").overall["nps"]) > 0.5   # the weights matter


def test_nps_interval_on_kish_n_by_hand(nps_data):
    from cxstats.stats.nps import analyze_nps

    df, w = nps_data
    res = analyze_nps(df, "rec", group="g", weights=w)
    ok = df.rec.notna().to_numpy()
    v, ww = df.rec.to_numpy()[ok], w[ok]
    P, D = ww[v >= 9].sum() / ww.sum(), ww[v < 7].sum() / ww.sum()
    ne = ww.sum() ** 2 / (ww ** 2).sum()
    na = ne + 3
    pa, da = (P * ne + 0.75) / na, (D * ne + 0.75) / na
    se = math.sqrt((pa + da - (pa - da) ** 2) / na)
    o = res.overall
    assert o["n_eff"] == pytest.approx(ne, rel=1e-12)
    assert o["nps"] == pytest.approx(100 * (P - D), rel=1e-12)
    assert o["nps_ci_lower"] == pytest.approx(100 * (pa - da - 1.959963984540054 * se), rel=1e-12)
    assert o["nps_ci_upper"] == pytest.approx(100 * (pa - da + 1.959963984540054 * se), rel=1e-12)
    assert o["nps_se"] == pytest.approx(100 * math.sqrt((P + D - (P - D) ** 2) / ne), rel=1e-12)

    def part(g):
        m = ok & (df.g == g).to_numpy()
        vv, wg = df.rec.to_numpy()[m], w[m]
        Pg, Dg = wg[vv >= 9].sum() / wg.sum(), wg[vv < 7].sum() / wg.sum()
        n = wg.sum() ** 2 / (wg ** 2).sum()
        pa_, da_ = (Pg * n + 0.75) / (n + 3), (Dg * n + 0.75) / (n + 3)
        return pa_ - da_, (pa_ + da_ - (pa_ - da_) ** 2) / (n + 3)

    (ea, va), (eb, vb) = part("a"), part("b")
    z = (ea - eb) / math.sqrt(va + vb)
    assert res.comparison["z"] == pytest.approx(z, rel=1e-12)
    assert res.comparison["pvalue"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)


def test_nps_equal_weights_are_unweighted(nps_data):
    from cxstats.stats.nps import analyze_nps

    df, _ = nps_data
    a = analyze_nps(df, "rec", group="g", csat={"sat": 5}, weights=np.full(len(df), 0.37))
    b = analyze_nps(df, "rec", group="g", csat={"sat": 5})
    for key in ("nps", "nps_se", "nps_ci_lower", "nps_ci_upper"):
        assert a.overall[key] == pytest.approx(b.overall[key], rel=1e-12)
    assert a.comparison["pvalue"] == pytest.approx(b.comparison["pvalue"], rel=1e-12)
    assert a.csat[0]["top2_box_share_ci_lower"] == pytest.approx(b.csat[0]["top2_box_share_ci_lower"], rel=1e-12)


# ------------------------------------------------------------------------------------------ reliability


@pytest.fixture(scope="module")
def scale_data():
    n = 250
    f = RNG.normal(size=n)
    df = pd.DataFrame({f"q{i}": np.clip(np.round(3 + lam * f + RNG.normal(size=n)), 1, 5)
                       for i, lam in enumerate((0.9, 0.7, 0.8, 0.5), 1)})
    return df, RNG.integers(1, 5, n).astype(float)


REL_KEYS = ("alpha", "alpha_std", "g6_smc", "average_r", "median_r", "omega_total", "total_mean")


def _compare_scales(a, b, rel):
    for key in REL_KEYS:
        assert a[key] == pytest.approx(b[key], rel=rel), key
    assert a["omega_cfa"]["omega"] == pytest.approx(b["omega_cfa"]["omega"], rel=1e-8)
    assert a["omega_cfa"]["omega_model"] == pytest.approx(b["omega_cfa"]["omega_model"], rel=1e-8)
    for x, y in zip(a["items"], b["items"]):
        for key in ("r_drop", "alpha_if_dropped", "raw_r", "std_r", "r_cor", "mean"):
            assert x[key] == pytest.approx(y[key], rel=rel), key


def test_reliability_weighted_equals_replicated_rows(scale_data):
    from cxstats.stats.reliability import analyze_reliability

    df, w = scale_data
    items = {"s": list(df.columns)}
    a = analyze_reliability(df, items, weights=w, weight_name="w").scales[0].to_dict()
    b = analyze_reliability(_replicate(df, w), items).scales[0].to_dict()
    _compare_scales(a, b, 1e-12)
    assert abs(a["alpha"] - analyze_reliability(df, items).scales[0].alpha) > 1e-3   # the weights matter
    # listwise with missing answers: the same identity on the complete rows
    dm = df.copy()
    dm.loc[[1, 8, 30, 99], "q2"] = np.nan
    a = analyze_reliability(dm, items, weights=w, missing="listwise").scales[0].to_dict()
    b = analyze_reliability(_replicate(dm, w), items, missing="listwise").scales[0].to_dict()
    _compare_scales(a, b, 1e-12)


def test_reliability_weighted_covariance_and_feldt_on_kish(scale_data):
    from statsmodels.stats.weightstats import DescrStatsW

    from cxstats.stats.reliability import alpha_from_cov, analyze_reliability, feldt_ci

    df, w = scale_data
    s = analyze_reliability(df, {"s": list(df.columns)}, weights=w).scales[0]
    d = DescrStatsW(df.to_numpy(), weights=normalize(w), ddof=1)
    assert s.alpha == pytest.approx(alpha_from_cov(d.cov), rel=1e-12)
    assert [it.sd for it in s.item_stats] == pytest.approx(list(d.std), rel=1e-12)
    ne = w.sum() ** 2 / (w ** 2).sum()
    assert s.n_eff == pytest.approx(ne, rel=1e-12)
    assert (s.alpha_ci["lower"], s.alpha_ci["upper"]) == pytest.approx(feldt_ci(s.alpha, ne, 4), rel=1e-12)
    k, C = 4, d.cov
    # Feldt by hand: 1 - (1 - alpha) F(.975 / .025; n_eff - 1, (n_eff - 1)(k - 1))
    lo = 1 - (1 - s.alpha) * stats.f.ppf(0.975, ne - 1, (ne - 1) * (k - 1))
    assert s.alpha_ci["lower"] == pytest.approx(lo, rel=1e-12)
    assert C.shape == (4, 4)


def test_reliability_equal_weights_match_psych_on_bfi():
    """Equal weights reproduce the unweighted analysis, and so psych::alpha on bfi (pairwise deletion,
    with missing answers; tests/fixtures/reference/results/reliability.json)."""
    from cxstats.stats.reliability import analyze_reliability

    bfi = pd.read_csv(DATASETS / "bfi.csv")
    ref = reference("reliability")["bfi"]["Neuroticism"]
    s = analyze_reliability(bfi, {"N": ref["items"]}, weights=np.full(len(bfi), 1.7)).scales[0]
    r = ref["pairwise"]
    for ours, key in ((s.alpha, "raw_alpha"), (s.alpha_std, "std_alpha"), (s.g6_smc, "G6_smc"),
                      (s.average_r, "average_r"), (s.ase, "ase"), (s.total_mean, "total_score_mean")):
        assert ours == pytest.approx(r[key], rel=1e-10), key
    assert s.n_eff == pytest.approx(2800)


def test_reliability_refuses_bootstrap_and_bad_weights(scale_data):
    from cxstats.stats.reliability import analyze_reliability

    df, w = scale_data
    with pytest.raises(InputError, match="bootstrap") as err:
        analyze_reliability(df, {"s": list(df.columns)}, weights=w, n_boot=100)
    assert err.value.option == "bootstrap"
    bad = w.copy()
    bad[6] = -1
    with pytest.raises(InputError, match="negative") as err:
        analyze_reliability(df, {"s": list(df.columns)}, weights=bad, weight_name="w")
    assert err.value.row == 8 and err.value.value == "-1"


# ------------------------------------------------------------------------------------------ drivers

SWISS_DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


@pytest.fixture(scope="module")
def swiss():
    df = pd.read_csv(DATASETS / "swiss.csv")
    return df, (1 + np.arange(len(df)) % 3).astype(float)


def test_drivers_weighted_equals_replicated_rows(swiss):
    from cxstats.stats.drivers import analyze_drivers

    df, w = swiss
    a = analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=w, weight_name="w").to_dict()
    b = analyze_drivers(_replicate(df, w), "Fertility", SWISS_DRIVERS).to_dict()
    assert a["r2"] == pytest.approx(b["r2"], rel=1e-12)
    assert a["intercept"]["b"] == pytest.approx(b["intercept"]["b"], rel=1e-11)
    for x, y in zip(a["drivers"], b["drivers"]):
        for key in ("b", "std_beta", "r", "lmg", "relative_weight", "pratt", "vif"):
            assert x[key] == pytest.approx(y[key], rel=1e-10), key
    for x, y in zip(a["ipa"]["rows"], b["ipa"]["rows"]):
        assert x["performance"] == pytest.approx(y["performance"], rel=1e-12)
    assert a["n"] == 47 and a["n_eff"] == pytest.approx(w.sum() ** 2 / (w ** 2).sum())
    assert sum(d["lmg"] for d in a["drivers"]) == pytest.approx(a["r2"], rel=1e-12)
    assert abs(a["r2"] - 0.706735) > 0.01                  # unweighted R² (R): the weights matter


def test_drivers_wls_hc3_by_hand(swiss):
    from cxstats.stats.drivers import analyze_drivers

    df, w = swiss
    res = analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=w)
    X = np.column_stack([np.ones(len(df)), df[SWISS_DRIVERS].to_numpy()])
    y = df.Fertility.to_numpy()
    wn = w * len(w) / w.sum()
    XtWX = X.T @ (wn[:, None] * X)
    b = np.linalg.solve(XtWX, X.T @ (wn * y))
    e = y - X @ b
    A = np.linalg.inv(XtWX)
    h = wn * np.einsum("ij,jk,ik->i", X, A, X)                      # leverages of the sqrt(w)-scaled rows
    meat = (X * ((wn * e) ** 2 / (1 - h) ** 2)[:, None]).T @ X
    V = A @ meat @ A
    assert res.ols["b"] == pytest.approx(b, rel=1e-10)
    assert res.ols["se_hc3"] == pytest.approx(np.sqrt(np.diag(V)), rel=1e-10)
    R2 = 1 - np.sum(wn * e ** 2) / np.sum(wn * (y - np.average(y, weights=wn)) ** 2)
    assert res.model["r2"] == pytest.approx(R2, rel=1e-12)


def test_drivers_equal_weights_match_r_on_swiss(swiss):
    from cxstats.stats.drivers import analyze_drivers

    df, _ = swiss
    ref = reference("drivers_swiss")
    res = analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=np.full(len(df), 4.0)).to_dict()
    swiss_ref = ref["swiss"]
    assert res["r2"] == pytest.approx(swiss_ref["r2_full"], rel=1e-10)
    for d in res["drivers"]:
        assert d["lmg"] == pytest.approx(swiss_ref["lmg"][d["driver"]], rel=1e-10)
        assert d["relative_weight"] == pytest.approx(swiss_ref["relative_weights"][d["driver"]], rel=1e-10)


def test_drivers_refuse_what_weights_do_not_support(swiss):
    from cxstats.stats.drivers import analyze_drivers

    df, w = swiss
    with pytest.raises(InputError, match="continuous outcome") as err:
        analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=w, binary_threshold=70)
    assert err.value.option == "weight"
    with pytest.raises(InputError, match="bootstrap"):
        analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=w, bootstrap=100)
    bad = w.copy()
    bad[3] = np.nan
    with pytest.raises(InputError, match="missing") as err:
        analyze_drivers(df, "Fertility", SWISS_DRIVERS, weights=bad)
    assert err.value.row == 5


# ------------------------------------------------------------------------------------------ commands


@pytest.fixture(scope="module")
def weighted_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("w")
    df = pd.read_csv(DATASETS / "swiss.csv")
    n = len(df)
    df["w"] = 1 + np.arange(n) % 3
    df["rec"] = np.arange(n) % 11
    df["q1"], df["q2"], df["q3"] = 1 + np.arange(n) % 5, 1 + (np.arange(n) * 2) % 5, 1 + (np.arange(n) // 3) % 5
    path = folder / "swiss_w.csv"
    df.to_csv(path, index=False)
    bad = df.copy()
    bad["w"] = bad["w"].astype(object)
    bad.loc[9, "w"] = -2
    bad_path = folder / "bad.csv"
    bad.to_csv(bad_path, index=False)
    return path, bad_path, df


def test_commands_take_weight(weighted_csv):
    path, bad, df = weighted_csv
    drv = ",".join(SWISS_DRIVERS)
    res = run_cli("drivers", path, "--outcome", "Fertility", "--drivers", drv, "--weight", "w", "--json", "-")
    assert res.exit_code == 0, res
    assert res.json()["weight"] == "w" and res.json()["n_eff"] == pytest.approx(kish_n(df.w.to_numpy()))
    res = run_cli("nps", path, "--column", "rec", "--weight", "w", "--json", "-")
    assert res.exit_code == 0, res
    w, v = df.w.to_numpy(float), df.rec.to_numpy()
    assert res.json()["overall"]["nps"] == pytest.approx(100 * (w[v >= 9].sum() - w[v < 7].sum()) / w.sum())
    res = run_cli("describe", path, "--columns", "q1,q2", "--scale-range", "1,5", "--weight", "w", "--json", "-")
    assert res.exit_code == 0, res
    assert res.json()["variables"][0]["mean"] == pytest.approx(np.average(df.q1, weights=w))
    res = run_cli("reliability", path, "--scale", "s=q1,q2,q3", "--weight", "w", "--json", "-")
    assert res.exit_code == 0, res
    assert res.json()["weight"] == "w" and res.json()["scales"][0]["n_eff"] == pytest.approx(kish_n(w))
    for cmd in (("drivers", "--outcome", "Fertility", "--drivers", drv), ("nps", "--column", "rec"),
                ("describe", "--columns", "q1", "--scale-range", "1,5"), ("reliability", "--scale", "s=q1,q2,q3")):
        out = run_cli(cmd[0], bad, *cmd[1:], "--weight", "w")
        assert_clean_error(out, "bad.csv", "column 'w'", "row 11", "'-2'", "negative")
    assert_clean_error(run_cli("drivers", path, "--outcome", "Fertility", "--drivers", drv, "--weight", "w",
                               "--bootstrap", "100"), "--bootstrap")
    assert_clean_error(run_cli("nps", path, "--column", "rec", "--weight", "nope"), "nope")


def test_plan_steps_take_weight(tmp_path):
    """The demo study with a spec weight column: every weighted step runs from a plan (key weight) and
    says so; workbooks get the Methods text in Spanish and English."""
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=300, n_staff=120)
    spec = (tmp_path / "questionnaire.yaml").read_text(encoding="utf-8")
    (tmp_path / "questionnaire.yaml").write_text("weight: w\n" + spec, encoding="utf-8")
    for name in ("customers.csv", "staff.csv"):
        df = pd.read_csv(tmp_path / name)
        df["w"] = 0.5 + (np.arange(len(df)) % 4) * 0.5
        df.to_csv(tmp_path / name, index=False)
    plan = tmp_path / "wplan.yaml"
    plan.write_text("spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
                    "  - {file: staff.csv, respondent_type: staff}\nsteps:\n"
                    "  - step: describe\n    weight: w\n  - step: reliability\n    weight: w\n"
                    "  - step: nps\n    weight: w\n  - step: drivers\n    weight: w\n", encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path / "out", "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "out" / "wplan.json").read_text())
    results = {s["step"]: s["result"] for s in doc["steps"]}
    assert results["reliability"]["weight"] == "w" and results["nps"]["weight"] == "w"
    assert results["drivers"]["weight"] == "w" and results["describe"]["weight"] == "w"
    assert any("bootstrap" in x for x in results["drivers"]["warnings"])      # the plan default, turned off
    from openpyxl import load_workbook

    text = " ".join(str(c.value) for f in (tmp_path / "out").glob("*.xlsx") for ws in load_workbook(f)
                    for row in ws.iter_rows() for c in row if c.value is not None)
    assert "Kish" in text
