"""Robust ML (MLR: Huber-White SEs + Yuan-Bentler scaled test; MLM: Satorra-Bentler) against lavaan 0.6-14.

References: reference/results/robust_ordinal_hs.json (single-group HS CFA, shared R reference set) and
reference_extra/robust_reference.json (two groups, a latent regression, std.lv; made by
reference_extra/robust_reference.R). Tolerances as the issue: estimates 1e-4, SEs and scaled statistics
1e-3 relative (observed 1e-5 or better)."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, FIXTURES, assert_clean_error, reference, run_cli
from cxstats.errors import ModelError
from cxstats.stats.cfa import analyze_cfa
from cxstats.stats.sem import fit_sem
from cxstats.stats.sem_analysis import analyze_sem

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
SCALED = ("chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled",
          "cfi_robust", "tli_robust", "rmsea_robust")


def extra(key):
    return json.loads((FIXTURES / "reference_extra" / "robust_reference.json").read_text())[key]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


def check_fit(fm, ref):
    for k in SCALED + ("chisq", "cfi", "tli", "rmsea", "srmr"):
        assert fm[k] == pytest.approx(ref[k.replace("_", ".")], rel=1e-3, abs=1e-12), k
    assert fm["df_scaled"] == ref["df.scaled"]
    for k in ("chisq_scaled", "chisq_scaling_factor", "cfi_robust", "rmsea_robust"):
        # the robust statistics agree far beyond the tolerance
        assert fm[k] == pytest.approx(ref[k.replace("_", ".")], rel=2e-5), k


def check_estimates(est, ref_rows, *, std_key="std.all"):
    assert len(est) == len(ref_rows)
    for (_, row), r in zip(est.iterrows(), ref_rows):
        assert (row.lhs, row.op, row.rhs) == (r["lhs"], r["op"], r["rhs"])
        assert row.est == pytest.approx(r["est"], rel=1e-4, abs=1e-5), (r["lhs"], r["op"], r["rhs"])
        if r["se"]:
            assert row.se == pytest.approx(r["se"], rel=1e-3), (r["lhs"], r["op"], r["rhs"], "se")
        else:
            assert row.se == 0
        assert row.std_all == pytest.approx(r[std_key], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("estimator", ["MLR", "MLM"])
def test_single_group_cfa_matches_lavaan(hs, estimator):
    ref = reference("robust_ordinal_hs")[estimator.lower()]
    res = analyze_cfa(hs, HS_MODEL, estimator=estimator)
    check_fit(res.fit, ref["fit"])
    check_estimates(res.estimates, ref["estimates"])
    assert res.to_dict()["estimator"] == estimator
    # the ML numbers do not move: same estimates and normal-theory chi-square as plain ML
    ml = analyze_cfa(hs, HS_MODEL)
    assert res.fit["chisq"] == ml.fit["chisq"]
    assert np.allclose(res.estimates["est"], ml.estimates["est"])
    assert "chisq_scaled" not in ml.fit and ml.to_dict()["estimator"] == "ML"


def test_mlr_baseline_scaling_factor(hs):
    fm = reference("cfa_hs")["MLR"]["fit_measures_all"]
    res = analyze_cfa(hs, HS_MODEL, estimator="MLR")
    assert res.fit["baseline_chisq_scaled"] == pytest.approx(fm["baseline.chisq.scaled"], rel=1e-5)
    assert res.fit["baseline_chisq_scaling_factor"] == pytest.approx(fm["baseline.chisq.scaling.factor"], rel=1e-5)


@pytest.mark.parametrize("key,estimator", [("mlr_two_groups", "MLR"), ("mlm_two_groups", "MLM")])
def test_two_groups_match_lavaan(hs, key, estimator):
    ref = extra(key)
    res = analyze_cfa(hs, HS_MODEL, group="school", estimator=estimator)
    check_fit(res.fit, ref["fit"])
    assert res.fit["baseline_chisq_scaling_factor"] == pytest.approx(
        ref["fit"]["baseline.chisq.scaling.factor"], rel=1e-4)
    est = res.estimates
    rows = [r for r in ref["estimates"] if r["op"] != "~1" or True]
    by = {(r["lhs"], r["op"], r["rhs"], r["group"]): r for r in rows}
    for _, row in est.iterrows():
        r = by[(row.lhs, row.op, row.rhs if row.op != "~1" else "", int(row.group))]
        assert row.est == pytest.approx(r["est"], rel=1e-4, abs=1e-5)
        if r["se"]:
            assert row.se == pytest.approx(r["se"], rel=1e-3), (row.lhs, row.op, row.rhs, row.group)


def test_structural_model_mlr(hs):
    ref = extra("mlr_sem")
    res = analyze_sem(hs, HS_MODEL + "\nspeed ~ visual + textual", estimator="MLR")
    check_fit(res.fit, ref["fit"])
    check_estimates(res.estimates, ref["estimates"], std_key="std_all")
    assert res.to_dict()["estimator"] == "MLR"
    assert any(m[0].startswith("Robust estimator (MLR)") for m in res.methods())


def test_std_lv_mlm(hs):
    ref = extra("mlm_std_lv")
    res = analyze_cfa(hs, HS_MODEL, estimator="MLM", std_lv=True)
    check_fit(res.fit, ref["fit"])
    check_estimates(res.estimates, ref["estimates"], std_key="std_all")


def test_verdict_uses_robust_indices(hs):
    res = analyze_cfa(hs, HS_MODEL, estimator="MLR")
    assert res.fit_verdict["verdict"] == "poor"
    assert res.fit_verdict["failed"] == ["robust RMSEA 0.092 > 0.08"]


def test_missing_answers(hs):
    data = hs.copy()
    data.loc[:9, "x1"] = np.nan
    fit = fit_sem(HS_MODEL, data, missing="auto", estimator="MLM")
    assert fit.ntotal == 291 and fit.estimator == "MLM"
    assert "listwise" in fit.warnings[0]
    with pytest.raises(ModelError, match="needs complete data"):
        fit_sem(HS_MODEL, data, missing="ml", estimator="MLM")
    fit = fit_sem(HS_MODEL, data, missing="auto", estimator="MLR")
    assert fit.missing == "ml" and fit.ntotal == 301 and fit.estimator == "MLR"
    with pytest.raises(ModelError, match="estimator must be one of"):
        fit_sem(HS_MODEL, hs, estimator="WLS")


def test_fixed_x_covariates(hs):
    """MLR with exogenous observed covariates (fixed.x: their moments masked out of the h1 trace) matches
    lavaan; MLM (whose Gamma lavaan adjusts for fixed.x) is refused for now."""
    ref = extra("mlr_fixed_x")
    res = analyze_sem(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ x7 + x8\ntextual ~ x7",
                      estimator="MLR")
    check_fit(res.fit, ref["fit"])
    by = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["estimates"]}
    for _, row in res.estimates.iterrows():
        r = by[(row.lhs, row.op, row.rhs)]
        assert row.est == pytest.approx(r["est"], rel=1e-4, abs=1e-5)
        assert row.se == pytest.approx(r["se"], rel=1e-3, abs=1e-12), (row.lhs, row.op, row.rhs)
    with pytest.raises(ModelError, match="exogenous observed covariates"):
        fit_sem("visual =~ x1 + x2 + x3\nvisual ~ x4", hs, estimator="MLM")


def test_cli(hs_path, tmp_path):
    out = tmp_path / "cfa.json"
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--estimator", "mlr", "--json", out, "--quiet")
    assert res.exit_code == 0, res
    d = json.loads(out.read_text())
    ref = reference("robust_ordinal_hs")["mlr"]["fit"]
    assert d["estimator"] == "MLR"
    for k in ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
              "rmsea_robust", "cfi_scaled", "tli_scaled", "rmsea_scaled"):
        assert d["fit"][k] == pytest.approx(ref[k.replace("_", ".")], rel=1e-3), k
    res = run_cli("sem", hs_path, "--model", HS_MODEL + "\nspeed ~ visual", "--estimator", "MLM", "--quiet")
    assert res.exit_code == 0, res
    # --invariance with a robust estimator: Satorra-Bentler (2001) differences (tests/test_invariance_robust.py)
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance", "--estimator", "MLR",
                  "--json", "-", "--quiet")
    assert res.exit_code == 0 and res.json()["lrt_method"] == "satorra.bentler.2001", res
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--estimator", "WLSMV")
    assert res.exit_code == 2 and "Traceback" not in res.stderr


@pytest.mark.parametrize("key", ["mlr_fiml", "mlr_fiml_sem"])
def test_mlr_with_fiml(key):
    """lavaan's MLR with missing = "ml" (reference_extra/hs_missing.csv): robust SEs, the scaled test, the
    scaled indices, and the robust CFI/TLI/RMSEA from lavaan's FIML-corrected statistics (Zhang & Savalei
    2023, lav_fit_fiml_corrected V3)."""
    ref = extra(key)
    data = pd.read_csv(FIXTURES / "reference_extra" / "hs_missing.csv")
    if key == "mlr_fiml":
        res = analyze_cfa(data, HS_MODEL, estimator="MLR")
    else:
        res = analyze_sem(data, HS_MODEL + "\nspeed ~ visual + textual", estimator="MLR")
    assert res.missing["method"] == "ml"
    for k in ("chisq", "chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "baseline_chisq_scaling_factor",
              "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"):
        assert res.fit[k] == pytest.approx(ref["fit"][k.replace("_", ".")], rel=1e-4), k
    assert not any("could not be computed" in w for w in res.warnings)
    # the verdict reads the robust indices (robust RMSEA .091 > .08 -> not good)
    assert res.fit_verdict["verdict"] in ("acceptable", "poor")
    assert any("robust RMSEA" in f for f in res.fit_verdict["failed"])
    by = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["estimates"]}
    for _, row in res.estimates.iterrows():
        if row.op == ":=":
            continue
        r = by[(row.lhs, row.op, row.rhs if row.op != "~1" else "")]
        assert row.est == pytest.approx(r["est"], rel=1e-4, abs=1e-5)
        assert row.se == pytest.approx(r["se"], rel=1e-3, abs=1e-12), (row.lhs, row.op, row.rhs)
