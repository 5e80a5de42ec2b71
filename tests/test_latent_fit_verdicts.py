"""Issue 11 (latent models): fit verdicts of cfa and sem (Hu & Bentler 1999 cut-offs stated),
the configural fit gate of measurement invariance (configural_cfi / configural_rmsea /
configural_srmr), and the structural model that sem builds from a spec (model_syntax,
structure, direct_paths)."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.stats.cfa import analyze_cfa
from cxstats.stats.invariance import analyze_invariance, construct_invariance
from cxstats.stats.sem.diagnostics import fit_verdict
from cxstats.stats.sem_analysis import analyze_sem

HS_3F = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_1F = "g =~ " + " + ".join(f"x{i}" for i in range(1, 10))   # misspecified: three factors fitted as one


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


# ------------------------------------------------------------------------ fit verdict

def test_fit_verdict_bands_state_their_rule():
    good = fit_verdict({"df": 24, "cfi": 0.97, "tli": 0.96, "rmsea": 0.05, "srmr": 0.04})
    assert good["verdict"] == "good" and good["failed"] == []
    assert "CFI >= .95" in good["rule"] and "RMSEA <= .06" in good["rule"] and "Hu & Bentler" in good["rule"]
    ok = fit_verdict({"df": 24, "cfi": 0.93, "tli": 0.91, "rmsea": 0.07, "srmr": 0.05})
    assert ok["verdict"] == "acceptable"
    assert ok["failed"] == ["CFI 0.930 < 0.95", "TLI 0.910 < 0.95", "RMSEA 0.070 > 0.06"]
    # the example: CFI .92, RMSEA .11, SRMR .10
    poor = fit_verdict({"df": 24, "cfi": 0.92, "tli": 0.90, "rmsea": 0.11, "srmr": 0.10})
    assert poor["verdict"] == "poor" and poor["failed"] == ["RMSEA 0.110 > 0.08", "SRMR 0.100 > 0.08"]
    sat = fit_verdict({"df": 0, "cfi": 1.0, "tli": 1.0, "rmsea": 0.0, "srmr": 0.0})
    assert sat["verdict"] == "saturated"
    assert fit_verdict({"df": 3, "cfi": 0.99}, converged=False)["verdict"] == "not available"


def test_cfa_of_a_misspecified_multigroup_model_is_poor_and_warns(hs):
    res = analyze_cfa(hs, HS_1F, group="school")
    d = res.to_dict()
    assert d["fit"]["df"] == 54
    assert d["fit_verdict"]["verdict"] == "poor"
    assert d["fit_verdict"]["failed"] == ["CFI 0.686 < 0.90", "RMSEA 0.185 > 0.08", "SRMR 0.125 > 0.08"]
    assert any(w.startswith("poor fit of the CFA model: CFI 0.686 < 0.90") for w in d["warnings"])
    fit = res.tables()["Fit"].set_index("measure")["value"]
    assert fit["fit verdict"] == "poor" and "Hu & Bentler" in fit["fit verdict rule"]
    assert any(topic == "Fit verdict" and "SRMR <= .08" in text for topic, text in res.methods())


def test_sem_fit_verdict_and_poor_fit_warning(hs):
    res = analyze_sem(hs, HS_1F)
    assert res.fit_verdict["verdict"] == "poor"
    assert any(w.startswith("poor fit of the structural model") for w in res.warnings)
    good = analyze_sem(hs, "textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ textual")
    assert good.fit_verdict["verdict"] == "good" and good.fit_verdict["failed"] == []
    assert not any("poor fit" in w for w in good.warnings)
    d = good.to_dict()
    assert d["fit_verdict"] == good.fit_verdict and d["model_syntax"] == good.model
    assert d["model_source"] == "given" and d["structure"] is None
    assert "Model" in good.tables() and any(t == "Fit verdict" for t, _ in good.methods())


# ------------------------------------------------------------------------ configural gate

def test_configural_gate_refuses_a_badly_fitting_configural_model(hs):
    inv = analyze_invariance(hs, HS_1F, "school")
    assert inv.level is None and not inv.means_comparable
    assert inv.construct_verdicts == {"g": "none"}          # gaps: not interpretable
    assert inv.verdict.startswith("configural invariance not established")
    assert "strict invariance supported" not in inv.verdict
    d = inv.to_dict()
    assert d["configural_fit"]["verdict"] == "poor"
    assert d["configural_fit"]["cutoffs"] == {"cfi": 0.90, "rmsea": 0.08, "srmr": 0.08}
    assert "CFI >= 0.90" in d["configural_fit"]["rule"]
    assert any(w.startswith("configural invariance not established") for w in inv.warnings)
    verdict = inv.tables()["Invariance verdict"].set_index("item")["value"]
    assert verdict["configural fit"] == "poor" and verdict["level supported"] == "none"
    assert "configural invariance needs an acceptable configural model" in inv.methods()[-1][1]


def test_configural_gate_on_hs_three_factors_against_lavaan(hs):
    # lavaan's configural fit of HS by school: CFI .923, RMSEA .097, SRMR .068
    ref = reference("invariance_hs")["steps"]["configural"]
    inv = analyze_invariance(hs, HS_3F, "school")
    assert inv.steps[0]["rmsea"] == pytest.approx(ref["rmsea"], abs=1e-3)
    assert inv.level is None and inv.configural_fit["failed"] == ["RMSEA 0.097 > 0.08"]
    assert inv.construct_verdicts == {"visual": "none", "textual": "none", "speed": "none"}
    lax = analyze_invariance(hs, HS_3F, "school", configural_rmsea=0.10)
    assert lax.level == "metric" and lax.configural_fit["verdict"] == "acceptable"
    with pytest.raises(Exception, match="configural_cfi"):
        analyze_invariance(hs, HS_3F, "school", configural_cfi=1.5)


def _two_factor_data(n, seed, r=0.2):
    """Six items from two factors correlated r (three items each), answered on 1-5."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 2)) @ np.linalg.cholesky(np.array([[1, r], [r, 1]])).T  # Cholesky: same draws on any BLAS
    cols = {}
    for j in range(6):
        x = 0.8 * f[:, j // 3] + 0.6 * rng.standard_normal(n)
        cols[f"q{j + 1}"] = np.clip(np.round(3 + x), 1, 5)
    for j in range(3):     # a clean 3-item construct (one factor, saturated alone)
        cols[f"s{j + 1}"] = np.clip(np.round(3 + 0.8 * f[:, 0] + 0.6 * rng.standard_normal(n)), 1, 5)
    return pd.DataFrame(cols)


def test_construct_invariance_gates_each_construct_and_says_saturated():
    data = pd.concat([_two_factor_data(300, 1), _two_factor_data(300, 2)], ignore_index=True)
    groups = ["a"] * 300 + ["b"] * 300
    res = construct_invariance(data, {"mixed": [f"q{j}" for j in range(1, 7)], "clean": ["s1", "s2", "s3"]},
                               groups)
    mixed, clean = res.constructs
    assert mixed.result.configural_fit["verdict"] == "poor"
    assert mixed.level is None and not mixed.means_comparable
    assert res.construct_verdicts["mixed"] == "none"
    d = res.to_dict()
    assert d["constructs"][0]["level"] == "none" and d["constructs"][0]["configural_fit"]["verdict"] == "poor"
    assert mixed.reason.startswith("configural invariance not established")
    assert "CFI >= 0.90" in d["configural_rule"]
    # three items: the one-factor model is saturated (df 0), accepted and said so
    assert clean.result.configural_fit["verdict"] == "saturated" and clean.result.steps[0]["df"] == 0
    assert clean.level is not None and "saturated" in clean.reason
    table = res.tables()["Invariance by construct"].set_index("construct")
    assert table.loc["mixed", "level"] == "none (configural fit poor)"
    assert table.loc["clean", "configural_fit"] == "saturated"


# ------------------------------------------------------------------------ through the CLI and a plan

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_verdicts")
    res = run_cli("demo", folder, "--customers", 400, "--staff", 150, "--force")
    assert res.exit_code == 0, res
    return folder


def _plan(demo, tmp_path, step, name="p"):
    plan = {"spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [step]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


def _files(demo):
    return [demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml"]


def test_cli_configural_flags(tmp_path):
    hs_csv = DATASETS / "HolzingerSwineford1939.csv"
    base = ("cfa", hs_csv, "--model", HS_3F, "--group", "school", "--invariance", "--json", "-", "-q")
    strict = run_cli(*base)
    assert strict.exit_code == 0, strict
    assert strict.json()["level"] is None and strict.json()["configural_fit"]["verdict"] == "poor"
    lax = run_cli(*base, "--configural-rmsea", "0.10")
    assert lax.exit_code == 0, lax
    assert lax.json()["level"] == "metric"
    assert_clean_error(run_cli("cfa", hs_csv, "--model", HS_3F, "--group", "school", "--invariance",
                               "--configural-cfi", "1.5"), "--configural-cfi", "between 0 and 1")
    assert_clean_error(run_cli("cfa", hs_csv, "--model", HS_3F, "--configural-srmr", "0.1"),
                       "--configural-srmr", "--invariance")
    help_text = run_cli("cfa", "--help").stdout
    assert "--configural-cfi" in help_text and "--configural-rmsea" in help_text


def test_plan_configural_keys(demo, tmp_path):
    res = run_cli("run", _plan(demo, tmp_path, {"step": "invariance", "configural_cfi": 2}, "bad"),
                  "--out", tmp_path / "bad_out", "--quiet")
    assert_clean_error(res, "steps[0].configural_cfi", "between 0 and 1")
    res = run_cli("run", _plan(demo, tmp_path, {"step": "invariance", "configural_rmsea": "abc"}, "bad2"),
                  "--out", tmp_path / "bad2_out", "--quiet")
    assert_clean_error(res, "steps[0].configural_rmsea")


def test_sem_spec_model_is_stated_and_direct_paths_cli_equals_plan(demo, tmp_path):
    full = run_cli("sem", *_files(demo), "--json", "-", "-q")
    assert full.exit_code == 0, full
    d = full.json()
    assert d["model_source"] == "built from the spec"
    assert d["structure"].startswith("full mediation (no direct paths)")
    assert "loyalty ~ g*csat\n" in d["model_syntax"] and "c_" not in d["model_syntax"]
    assert d["fit_verdict"]["verdict"] in ("good", "acceptable", "poor")
    part = run_cli("sem", *_files(demo), "--direct-paths", "--json", "-", "-q")
    assert part.exit_code == 0, part
    p = part.json()
    assert p["structure"].startswith("partial mediation (direct paths)")
    assert "loyalty ~ g*csat + c_" in p["model_syntax"]
    ops = {(e["lhs"], e["op"]) for e in p["estimates"]}
    assert any(lhs.startswith("total_") and op == ":=" for lhs, op in ops)
    out = tmp_path / "out"
    res = run_cli("run", _plan(demo, tmp_path, {"step": "sem", "direct_paths": True}), "--out", out, "--quiet")
    assert res.exit_code == 0, res
    plan_result = json.loads((out / "p.json").read_text(encoding="utf-8"))["steps"][0]["result"]
    assert plan_result == p
    # the structure is on the terminal too (the Model table)
    shown = run_cli("sem", *_files(demo), "--direct-paths")
    assert "partial mediation" in shown.stdout and "fit verdict" in shown.stdout


def test_direct_paths_errors_name_flag_and_plan_key(demo, tmp_path):
    assert_clean_error(run_cli("sem", *_files(demo), "--model", "csat ~ nps", "--direct-paths"),
                       "--direct-paths", "model of your own")
    hs_csv = DATASETS / "HolzingerSwineford1939.csv"
    assert_clean_error(run_cli("sem", hs_csv, "--model", "x2 ~ x1", "--direct-paths"), "--direct-paths", "spec")
    res = run_cli("run", _plan(demo, tmp_path, {"step": "sem", "direct_paths": "maybe"}, "bad"),
                  "--out", tmp_path / "bad_out", "--quiet")
    assert_clean_error(res, "steps[0].direct_paths")
