"""CFA against lavaan/semTools (HS three-factor model) and the `cxstats cfa` command."""

import json

import pandas as pd
import pytest

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.stats.cfa import analyze_cfa

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
FACTORS = ("visual", "textual", "speed")


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def result(hs):
    return analyze_cfa(hs, HS_MODEL)


def test_fit_and_estimates_match_lavaan(result):
    ref = reference("cfa_hs")["ML"]
    for key in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
        assert result.fit[key] == pytest.approx(ref["fit"][key], abs=1e-3), key
    assert result.fit["rmsea_ci_lower"] == pytest.approx(ref["fit"]["rmsea.ci.lower"], abs=1e-4)
    assert result.fit["rmsea_ci_upper"] == pytest.approx(ref["fit"]["rmsea.ci.upper"], abs=1e-4)
    est = result.estimates
    for r, (_, row) in zip(ref["parameters"], est.iterrows()):
        assert (row.lhs, row.op, row.rhs) == (r["lhs"], r["op"], r["rhs"])
        for ours, theirs in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
            assert row[ours] == pytest.approx(r[theirs], abs=1e-3), (r["lhs"], r["rhs"], ours)


def test_reliability_validity_match_semtools(result):
    ref = reference("cfa_hs")["reliability_validity"]
    rel = result.reliability.set_index("factor")
    for f in FACTORS:
        assert rel.loc[f, "cr"] == pytest.approx(ref["compRelSEM_default"][f], abs=1e-4)
        assert rel.loc[f, "cr_model"] == pytest.approx(ref["compRelSEM_obs.var_FALSE"][f], abs=1e-4)
        assert rel.loc[f, "ave"] == pytest.approx(ref["AVE_semTools"][f], abs=1e-4)
        assert rel.loc[f, "cr_std"] == pytest.approx(ref["fornell_larcker_from_std_all"][f]["CR"], abs=1e-4)
        assert rel.loc[f, "ave_std"] == pytest.approx(ref["fornell_larcker_from_std_all"][f]["AVE"], abs=1e-4)
        for g in FACTORS:
            assert result.htmt.loc[f, g] == pytest.approx(ref["htmt_geometric_htmt2_TRUE"][f][g], abs=1e-6)
            assert result.htmt_arithmetic.loc[f, g] == pytest.approx(
                ref["htmt_arithmetic_htmt2_FALSE"][f][g], abs=1e-6)
            if f != g:
                assert result.fornell_larcker.loc[f, g] == pytest.approx(
                    ref["latent_correlations_ML"][f][g], abs=1e-4)
        assert result.fornell_larcker.loc[f, f] == pytest.approx(ref["AVE_semTools"][f] ** 0.5, abs=1e-4)
    notes = " ".join(result.validity_notes)
    assert "visual: AVE 0.371 is below 0.5" in notes and "textual: AVE" not in notes


def test_to_dict_uses_design_names(result):
    d = result.to_dict()
    assert list(d["fit"])[:11] == ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                                   "rmsea_ci_upper", "srmr", "aic", "bic"]
    assert {"lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all", "std_lv", "ci_lower"} <= set(d["estimates"][0])
    assert set(d["reliability"]["visual"]) >= {"cr", "cr_model", "ave", "sqrt_ave"}
    # the HS three-factor model: RMSEA .092 misses the acceptable band (<= .08): poor, with a warning
    assert d["fit_verdict"]["verdict"] == "poor" and d["fit_verdict"]["failed"] == ["RMSEA 0.092 > 0.08"]
    assert len(d["warnings"]) == 1 and d["warnings"][0].startswith("poor fit of the CFA model: RMSEA 0.092 > 0.08")


def test_cli_json_and_workbook(hs_path, tmp_path):
    out, xlsx = tmp_path / "cfa.json", tmp_path / "cfa.xlsx"
    model = tmp_path / "m.lav"
    model.write_text(HS_MODEL)
    res = run_cli("cfa", hs_path, "--model", f"@{model}", "--json", out, "--xlsx", xlsx, "--quiet")
    assert res.exit_code == 0, res
    d = json.loads(out.read_text())
    assert d["fit"]["chisq"] == pytest.approx(85.3055, abs=1e-3)
    assert d["htmt"]["visual"]["textual"] == pytest.approx(0.384089, abs=1e-5)
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    assert {"CFA fit", "CFA estimates", "CFA validity", "Methods"} <= set(wb.sheetnames)


def test_cli_std_lv_and_multigroup(hs_path):
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--std-lv", "--json", "-")
    assert res.exit_code == 0, res
    est = res.json()["estimates"]
    assert est[0]["est"] == pytest.approx(0.899620, abs=1e-4)       # lavaan std.lv of visual =~ x1
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--json", "-")
    assert res.exit_code == 0, res
    d = res.json()
    assert d["groups"] == {"Pasteur": 156, "Grant-White": 145}
    assert d["fit"]["chisq"] == pytest.approx(115.851, abs=1e-3)


def test_cli_help_teaches():
    res = run_cli("cfa", "--help")
    assert res.exit_code == 0
    for frag in ("Examples:", "--invariance", "--free 'x3 ~ 1'", "=~", "HTMT", "--std-lv"):
        assert frag in res.stdout, frag


def test_error_unknown_variable_names_close_columns(hs_path):
    res = run_cli("cfa", hs_path, "--model", "visual =~ x1 + x2 + xx3")
    assert_clean_error(res, "HolzingerSwineford1939.csv", "'xx3'", "close: x3")


def test_error_non_numeric(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,c\n1,2,3\n2,3,4\n3,x,5\n4,5,1\n5,1,2\n")
    assert_clean_error(run_cli("cfa", p, "--model", "f =~ a + b + c"), "d.csv", "column 'b'", "'x'", "not a number")


def test_error_fewer_cases_than_variables(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,c,d\n1,2,3,1\n2,3,4,5\n3,4,5,2\n")
    assert_clean_error(run_cli("cfa", p, "--model", "f =~ a + b + c + d"), "3 complete case(s) for 4 variables")


def test_error_singular_covariance(tmp_path, hs):
    d = hs[["x1", "x2", "x3"]].copy()
    d["tot"] = d.x1 + d.x2 + d.x3
    p = tmp_path / "d.csv"
    d.to_csv(p, index=False)
    assert_clean_error(run_cli("cfa", p, "--model", "f =~ x1 + x2 + x3 + tot"), "singular")


def test_error_group_with_too_few_cases(tmp_path, hs):
    d = hs.copy()
    d.loc[:3, "school"] = "Tiny"
    p = tmp_path / "d.csv"
    d.to_csv(p, index=False)
    assert_clean_error(run_cli("cfa", p, "--model", HS_MODEL, "--group", "school"), "group 'Tiny'", "4 complete case(s)")


def test_error_not_identified(hs_path):
    assert_clean_error(run_cli("cfa", hs_path, "--model", "f =~ x1 + x2 + x3\ng =~ x4"), "not identified")
    assert_clean_error(run_cli("cfa", hs_path, "--model", "f =~ x1 + x2"), "not identified", "df = -1")


def test_error_usage(hs_path):
    assert_clean_error(run_cli("cfa", hs_path), "--model")
    assert_clean_error(run_cli("cfa", hs_path, "--model", HS_MODEL, "--invariance"), "--group")
    assert_clean_error(run_cli("cfa", hs_path, "--model", "f =~ x1 +* x2"), "line 1")
    assert_clean_error(run_cli("cfa", hs_path, "--model", "@/nonexistent/m.lav"), "no such model file")


def test_spec_invariance_from_separate_customer_and_staff_files(tmp_path):
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=400, n_staff=300)
    res = run_cli("cfa", tmp_path / "customers.csv", tmp_path / "staff.csv", "--spec",
                  tmp_path / "questionnaire.yaml", "--invariance", "--json", "-")
    assert res.exit_code == 0, res
    out = res.json()
    assert list(out["groups"]) == ["customer", "staff"] and out["rule"] == "cfi"
    assert out["level"] in ("scalar", "strict") and [s["step"] for s in out["steps"]][0] == "configural"
    one = run_cli("cfa", tmp_path / "customers.csv", tmp_path / "staff.csv", "--spec",
                  tmp_path / "questionnaire.yaml", "--json", "-")
    # customers only; their missing answers are handled by full-information ML by default
    assert one.exit_code == 0 and one.json()["n"] == 400 and one.json()["missing"]["method"] == "ml"
    assert one.json()["missing"]["n_incomplete"] > 0
    lw = run_cli("cfa", tmp_path / "customers.csv", tmp_path / "staff.csv", "--spec",
                 tmp_path / "questionnaire.yaml", "--missing", "listwise", "--json", "-")
    assert lw.exit_code == 0 and lw.json()["n"] < 400 and lw.json()["missing"]["method"] == "listwise"
    assert_clean_error(run_cli("cfa", tmp_path / "customers.csv", tmp_path / "staff.csv", "--model", "f =~ web_1"),
                       "add --spec")


def test_cfa_warns_weak_indicator_and_doubtful_discriminant_validity():
    """mobi: CUSL2 (price tolerance) loads .12 on loyalty; HTMT satisfaction/loyalty is .93 (semTools)."""
    from conftest import FIXTURES

    res = run_cli("cfa", FIXTURES / "data" / "mobi.csv", "--model",
                  "sat =~ CUSA1 + CUSA2 + CUSA3\nloy =~ CUSL1 + CUSL2 + CUSL3", "--json", "-", "-q")
    assert res.exit_code == 0, res
    warns = res.json()["warnings"]
    assert any(w.startswith("weak indicator: CUSL2 loads 0.12") for w in warns)
    assert any("discriminant validity doubtful" in w and "sat / loy 0.93" in w for w in warns)
    assert "weak indicator: CUSL2" in res.stderr
