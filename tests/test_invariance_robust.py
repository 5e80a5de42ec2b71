"""Measurement invariance with robust estimators (MLR, MLM): every step against lavaan 0.6-14 and
the Satorra-Bentler (2001) scaled chi-square differences against lavTestLRT's default method
(tests/fixtures/reference/results/invariance_robust_hs.json, made by r/09_invariance_robust_hs.R on
the Holzinger-Swineford data by school). Tolerance: 1e-3 relative (scaled statistics, issue 18)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.stats.invariance import analyze_invariance
from cxstats.stats.sem.robust import sb2001_difference

REF = reference("invariance_robust_hs")
HS_MODEL = REF["model"]
LAX = {"configural_rmsea": 0.10}       # the HS configural model has RMSEA ~.10 (see test_invariance.py)
REL = 1e-3


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module", params=["MLR", "MLM"])
def robust(request, hs):
    return request.param, analyze_invariance(hs, HS_MODEL, "school", estimator=request.param, **LAX)


def test_reference_says_it_is_the_sb2001_method():
    for est in ("mlr", "mlm"):
        assert "satorra.bentler.2001" in REF[est]["method"]


def test_steps_match_lavaan(robust):
    est, res = robust
    ref = REF[est.lower()]["steps"]
    assert res.estimator == est and res.indices == "robust"
    for step in res.steps:
        r = ref[step["step"]]
        assert step["df"] == r["df"] and step["npar"] == r["npar"]
        for key in ("chisq", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust", "tli.robust",
                    "rmsea.robust", "cfi.scaled", "rmsea.scaled", "srmr"):
            assert step[key.replace(".", "_")] == pytest.approx(r[key], rel=REL), (est, step["step"], key)


def test_scaled_differences_match_lavtestlrt(robust):
    est, res = robust
    ref = REF[est.lower()]
    d = res.to_dict()
    assert d["estimator"] == est and d["lrt_method"] == "satorra.bentler.2001"
    for ours, r, t in zip(res.lrt, ref["lrt"], ref["lrt_table"][1:]):
        assert ours["comparison"] == r["comparison"]
        assert ours["df_diff"] == r["df_diff"] == t["Df diff"]
        assert ours["chisq_diff"] == pytest.approx(r["chisq_diff"], rel=REL)
        assert ours["chisq_diff"] == pytest.approx(t["Chisq diff"], rel=REL)
        assert ours["pvalue"] == pytest.approx(r["pvalue"], rel=REL)
        assert ours["scaling_factor_diff"] == pytest.approx(r["scaling_factor_diff"], rel=REL)
        assert ours["chisq_diff_unscaled"] == pytest.approx(r["chisq_diff_unscaled"], rel=REL)
        assert ours["rmsea_diff"] is None            # lavaan reports no RMSEA for a scaled difference
    # the scaled test differs from the ML one: MLR metric vs configural 6.567 (ML: 8.192)
    ml = reference("invariance_hs")["lrt"]
    assert all(abs(o["chisq_diff"] - m["chisq_diff"]) > 0.3 for o, m in zip(res.lrt, ml))


def test_delta_indices_are_robust_ones(robust):
    est, res = robust
    ref = REF[est.lower()]["steps"]
    names = ["configural", "metric", "scalar", "strict"]
    for i, t in enumerate(res.lrt, 1):
        want_cfi = ref[names[i]]["cfi.robust"] - ref[names[i - 1]]["cfi.robust"]
        want_rmsea = ref[names[i]]["rmsea.robust"] - ref[names[i - 1]]["rmsea.robust"]
        assert t["delta_cfi"] == pytest.approx(want_cfi, abs=1e-5)
        assert t["delta_rmsea"] == pytest.approx(want_rmsea, abs=1e-5)
    # ΔCFI(robust) at scalar: MLR -0.0387, MLM -0.0409: scalar fails the cfi rule, metric is the level
    assert res.level == "metric" and [t["supported"] for t in res.lrt] == [True, False, True]
    # the configural gate reads the robust RMSEA (.0986 for MLR > .08 by default): not established
    strict_gate = analyze_invariance(pd.read_csv(DATASETS / "HolzingerSwineford1939.csv"), HS_MODEL, "school",
                                     estimator=est, levels=("configural", "metric"))
    assert strict_gate.level is None
    assert any(f.startswith("robust RMSEA") for f in strict_gate.configural_fit["failed"])


def test_closed_form_by_hand():
    """Satorra & Bentler (2001) by hand from lavaan's own per-step numbers: c_d = (df0 c0 - df1 c1)
    / (df0 - df1), T_d = (T0 - T1) / c_d; the function and lavTestLRT agree to rounding."""
    for est in ("mlr", "mlm"):
        steps, names = REF[est]["steps"], ["configural", "metric", "scalar", "strict"]
        for i, r in enumerate(REF[est]["lrt"], 1):
            m0, m1 = steps[names[i]], steps[names[i - 1]]
            T0, T1, d0, d1 = m0["chisq"], m1["chisq"], m0["df"], m1["df"]
            c0, c1 = m0["chisq.scaling.factor"], m1["chisq.scaling.factor"]
            cd = (d0 * c0 - d1 * c1) / (d0 - d1)
            assert (T0 - T1) / cd == pytest.approx(r["chisq_diff"], rel=1e-10)
            assert chi2.sf((T0 - T1) / cd, d0 - d1) == pytest.approx(r["pvalue"], rel=1e-8)
            Td, cd2 = sb2001_difference(T0, d0, c0, T1, d1, c1)
            assert Td == pytest.approx(r["chisq_diff"], rel=1e-10) and cd2 == pytest.approx(cd, rel=1e-12)
    # hand numbers: T0 = 20, df0 = 10, c0 = 1.2; T1 = 8, df1 = 6, c1 = 1.1 -> c_d = (12 - 6.6)/4 = 1.35
    Td, cd = sb2001_difference(20.0, 10, 1.2, 8.0, 6, 1.1)
    assert cd == pytest.approx(1.35, abs=1e-12) and Td == pytest.approx(12.0 / 1.35, abs=1e-12)
    # a saturated model 1 (df1 = 0) counts with c1 = 1 (its scaling factor is undefined)
    Td, cd = sb2001_difference(20.0, 10, 1.2, 0.0, 0, float("nan"))
    assert cd == pytest.approx(1.2) and Td == pytest.approx(20.0 / 1.2)
    # a negative c_d gives no test (lavaan: NA with a warning)
    assert all(math.isnan(v) for v in sb2001_difference(20.0, 7, 0.8, 8.0, 6, 1.5))


def test_ml_path_unchanged(hs):
    res = analyze_invariance(hs, HS_MODEL, "school", **LAX)
    ml = reference("invariance_hs")["lrt"]
    assert res.estimator == "ML" and res.indices == "standard"
    assert res.lrt[0]["chisq_diff"] == pytest.approx(ml[0]["chisq_diff"], abs=1e-3)
    assert "scaling_factor_diff" not in res.lrt[0]
    assert res.to_dict()["lrt_method"] == "standard"


def test_methods_state_the_test(robust):
    est, res = robust
    text = " ".join(t for _, t in res.methods())
    assert "Satorra-Bentler (2001)" in text and "c_d = (df0 c0 - df1 c1) / (df0 - df1)" in text
    assert f"Robust estimator ({est})" in [t for t, _ in res.methods()]


def test_mlm_with_missing_answers(hs):
    df = hs.copy()
    df.loc[[3, 10, 200], "x2"] = np.nan
    res = analyze_invariance(df, HS_MODEL, "school", estimator="MLM", levels=("configural", "metric"), **LAX)
    assert res.missing["method"] == "listwise" and res.missing["n_used"] == 298
    assert any("MLM needs complete data" in w for w in res.warnings)
    from cxstats.errors import InputError

    with pytest.raises(InputError, match="MLM needs complete data") as err:
        analyze_invariance(df, HS_MODEL, "school", estimator="MLM", missing="ml", levels=("configural", "metric"))
    assert err.value.option == "estimator"
    with pytest.raises(InputError, match="unknown estimator"):
        analyze_invariance(df, HS_MODEL, "school", estimator="WLS")


def test_mlr_with_fiml_gives_scaled_differences(hs):
    """MLR with missing answers (FIML): the scaled differences are computed from the FIML chi-squares
    and scaling factors (closed form from the steps' own numbers); the rules read the robust CFI/RMSEA
    (lavaan's FIML-corrected ones; against lavaan in tests/test_fiml_robust_indices.py)."""
    df = hs.copy()
    rng = np.random.default_rng(3)
    for c in ("x1", "x5", "x9"):
        df.loc[rng.choice(len(df), 15, replace=False), c] = np.nan
    res = analyze_invariance(df, HS_MODEL, "school", estimator="MLR", levels=("configural", "metric", "scalar"),
                             **LAX)
    assert res.missing["method"] == "ml" and res.indices == "robust"
    for prev, cur, t in zip(res.steps, res.steps[1:], res.lrt):
        cd = (cur["df"] * cur["chisq_scaling_factor"] - prev["df"] * prev["chisq_scaling_factor"]) / t["df_diff"]
        assert t["scaling_factor_diff"] == pytest.approx(cd, rel=1e-12)
        assert t["chisq_diff"] == pytest.approx((cur["chisq"] - prev["chisq"]) / cd, rel=1e-12)
        assert t["delta_cfi"] == pytest.approx(cur["cfi_robust"] - prev["cfi_robust"], abs=1e-12)


def test_construct_invariance_passes_the_estimator(hs):
    res = analyze_invariance(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
                                  "speed": ["x7", "x8", "x9"]}, "school", estimator="MLR")
    one = res.constructs[1].result
    assert one.estimator == "MLR" and "scaling_factor_diff" in one.lrt[0]
    assert res.to_dict()["estimator"] == "MLR" and "Satorra-Bentler (2001)" in res.methods()[0][1]


def test_cli_and_workbook(hs_path, tmp_path):
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance", "--estimator", "mlr",
                  "--configural-rmsea", "0.1", "--json", "-", "--xlsx", tmp_path / "inv.xlsx", "--lang", "es")
    assert res.exit_code == 0, res
    d = res.json()
    assert d["estimator"] == "MLR" and d["lrt_method"] == "satorra.bentler.2001"
    assert d["lrt"][1]["chisq_diff"] == pytest.approx(REF["mlr"]["lrt"][1]["chisq_diff"], rel=REL)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "inv.xlsx")
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    assert "Satorra-Bentler (2001)" in text and "Factor de escala de la diferencia" in text


def test_plan_step_takes_the_estimator(tmp_path):
    from cxstats.steps import invariance as inv_step

    opts = inv_step.Options.from_mapping({"model": HS_MODEL, "group": "school", "estimator": "MLM"},
                                         step="invariance")
    assert opts.estimator == "MLM"
    from cxstats.errors import InputError

    with pytest.raises(InputError) as err:
        inv_step.Options.from_mapping({"estimator": "GLS"}, step="invariance")
    assert err.value.option == "estimator"
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=300, n_staff=150)
    plan = tmp_path / "robust.yaml"
    plan.write_text("spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
                    "  - {file: staff.csv, respondent_type: staff}\nsteps:\n  - step: invariance\n"
                    "    constructs: [facilidad_web]\n    estimator: MLR\n", encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path / "out", "--quiet")
    assert res.exit_code == 0, res
    import json

    doc = json.loads((tmp_path / "out" / "robust.json").read_text())
    con = doc["steps"][0]["result"]["constructs"][0]
    assert all("scaling_factor_diff" in t for t in con["lrt"]) and len(con["lrt"]) == 3


def test_cli_refuses_unknown_estimator(hs_path):
    assert_clean_error(run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance",
                               "--estimator", "WLS"), "--estimator")


def test_sampling_weights_match_lavaan(hs, hs_path, tmp_path):
    """cfa(..., group = "school", group.equal = ..., sampling.weights = "w") and lavTestLRT (MLR, SB2001)."""
    ref = REF["weighted"]
    w = 1 + np.arange(len(hs)) % 3
    res = analyze_invariance(hs, HS_MODEL, "school", weights=w, **LAX)
    assert res.estimator == "MLR" and res.weighted and res.to_dict()["sampling_weights"] is True
    for step in res.steps:
        r = ref["steps"][step["step"]]
        for key in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust", "srmr"):
            assert step[key.replace(".", "_")] == pytest.approx(r[key], rel=REL), (step["step"], key)
    for ours, r in zip(res.lrt, ref["lrt"]):
        assert ours["chisq_diff"] == pytest.approx(r["chisq_diff"], rel=REL)
        assert ours["pvalue"] == pytest.approx(r["pvalue"], rel=REL)
        assert ours["scaling_factor_diff"] == pytest.approx(r["scaling_factor_diff"], rel=REL)
    assert any(t == "Sampling weights" for t, _ in res.methods())
    # the command line and a plain file
    path = tmp_path / "hs_w.csv"
    hs.assign(w=w).to_csv(path, index=False)
    out = run_cli("cfa", path, "--model", HS_MODEL, "--group", "school", "--invariance", "--weight", "w",
                  "--configural-rmsea", "0.1", "--json", "-", "--quiet")
    assert out.exit_code == 0, out
    assert out.json()["lrt"][1]["chisq_diff"] == pytest.approx(ref["lrt"][1]["chisq_diff"], rel=REL)
    from cxstats.errors import InputError

    with pytest.raises(InputError, match="not MLM"):
        analyze_invariance(hs, HS_MODEL, "school", weights=w, estimator="MLM")
