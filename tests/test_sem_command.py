"""`cxstats sem`: lavaan agreement (CFA and structural models with defined effects), bootstrap,
admissibility and identification errors."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, FIXTURES, assert_clean_error, reference, run_cli

EXTRA = json.loads((FIXTURES / "reference_extra" / "sem_reference.json").read_text(encoding="utf-8"))
HS = DATASETS / "HolzingerSwineford1939.csv"
MOBI = FIXTURES / "data" / "mobi.csv"
TOL = 1e-3


def _sem(data, model, *extra):
    res = run_cli("sem", data, "--model", model, "--json", "-", "-q", *extra)
    assert res.exit_code == 0, res
    return res.json()


def _match(ours, ref_params):
    worst = 0.0
    for p in ref_params:
        rows = [e for e in ours["estimates"] if e["lhs"] == p["lhs"] and e["op"] == p["op"]
                and (p["op"] == ":=" or e["rhs"] == p["rhs"])]
        assert len(rows) == 1, p
        e = rows[0]
        for k_ref, k in (("est", "est"), ("se", "se"), ("std_all", "std_all"), ("std.all", "std_all")):
            if p.get(k_ref) is not None:
                assert e[k] == pytest.approx(p[k_ref], abs=TOL), (p, e)
                worst = max(worst, abs(e[k] - p[k_ref]))
    return worst


def _fit_match(ours, ref_fit):
    for k, v in ref_fit.items():
        key = k.replace(".", "_")
        if key in ours["fit"] and v is not None:
            assert ours["fit"][key] == pytest.approx(v, abs=TOL * max(1.0, abs(v) * 1e-3)), key


def test_hs_cfa_through_sem_matches_lavaan():
    ref = reference("cfa_hs")
    out = _sem(HS, ref["model"])
    _match(out, ref["ML"]["parameters"])
    _fit_match(out, ref["ML"]["fit"])
    for k, v in ref["ML"]["r2"].items():
        assert out["r2"][k] == pytest.approx(v, abs=TOL)
    assert out["converged"] and out["admissible"]


@pytest.mark.parametrize("key, data", [("hs_mediation", HS), ("mobi_ecsi", MOBI)])
def test_structural_models_with_defined_effects_match_lavaan(key, data):
    ref = EXTRA[key]
    out = _sem(data, ref["model"])
    worst = _match(out, ref["parameters"])
    assert worst < TOL
    _fit_match(out, ref["fit"])
    for k, v in ref["r2"].items():
        assert out["r2"][k] == pytest.approx(v, abs=TOL)
    defined = [e for e in out["estimates"] if e["op"] == ":="]
    assert {d["lhs"] for d in defined} == {p["lhs"] for p in ref["parameters"] if p["op"] == ":="}


def test_model_from_file(tmp_path):
    f = tmp_path / "m.lav"
    f.write_text(EXTRA["hs_mediation"]["model"], encoding="utf-8")
    out = _sem(HS, f"@{f}")
    ind = next(e for e in out["estimates"] if e["lhs"] == "ind")
    ref = next(p for p in EXTRA["hs_mediation"]["parameters"] if p["lhs"] == "ind")
    assert ind["est"] == pytest.approx(ref["est"], abs=TOL) and ind["se"] == pytest.approx(ref["se"], abs=TOL)


def test_bootstrap_reproducible_with_seed():
    model = EXTRA["hs_mediation"]["model"]
    a = run_cli("sem", HS, "--model", model, "--bootstrap", 25, "--seed", 3, "--json", "-", "-q")
    b = run_cli("sem", HS, "--model", model, "--bootstrap", 25, "--seed", 3, "--json", "-", "-q")
    c = run_cli("sem", HS, "--model", model, "--bootstrap", 25, "--seed", 4, "--ci", "bc", "--json", "-", "-q")
    assert a.exit_code == 0 and a.stdout == b.stdout
    da, dc = a.json(), c.json()
    assert da["bootstrap"]["replicates"] == 25
    assert da["bootstrap"]["successful"] + da["bootstrap"]["failed"] == 25
    ind_a = next(e for e in da["estimates"] if e["lhs"] == "ind")
    ind_c = next(e for e in dc["estimates"] if e["lhs"] == "ind")
    assert ind_a["boot_ci_lower"] < ind_a["est"] < ind_a["boot_ci_upper"]
    assert ind_a["boot_se"] != ind_c["boot_se"] and dc["bootstrap"]["ci"] == "bc"


def test_bootstrap_se_of_indirect_close_to_delta_at_large_n():
    """x -> m -> y with a = 0.4, b = 0.3, n = 4000: bootstrap SD of a*b ~ delta-method SE."""
    from cxstats.stats.sem_analysis import analyze_sem

    rng = np.random.default_rng(2024)
    n = 4000
    x = rng.normal(size=n)
    m = 0.4 * x + rng.normal(size=n)
    y = 0.3 * m + 0.1 * x + rng.normal(size=n)
    data = pd.DataFrame({"x": x, "m": m, "y": y})
    res = analyze_sem(data, "m ~ a*x\n y ~ b*m + x\n ind := a*b", bootstrap=300, seed=9)
    ind = res.effect("ind")
    assert ind["est"] == pytest.approx(0.12, abs=0.03)
    assert ind["boot_se"] == pytest.approx(ind["se"], rel=0.15)
    assert ind["boot_ci_lower"] < 0.12 < ind["boot_ci_upper"]
    assert res.bootstrap["failed"] == 0


def test_bc_interval_closed_form():
    """With samples symmetric around the estimate, BC equals the percentile interval."""
    from cxstats.stats.sem_analysis import boot_interval

    s = np.linspace(-1, 1, 2001)
    assert boot_interval(s, 0.0, 0.9, "bc") == pytest.approx(boot_interval(s, 0.0, 0.9, "percentile"), abs=1e-9)
    lo, hi = boot_interval(s, 0.5, 0.9, "bc")   # estimate above most samples: limits shift up
    assert lo > -0.9 and hi > 0.9


def test_inadmissible_solution_reported_everywhere(tmp_path):
    model = """
      Image   =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
      Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
      Sat     =~ CUSA1 + CUSA2 + CUSA3
      Loyal   =~ CUSL1 + CUSL3
      Sat   ~ a1*Image + a2*Quality
      Loyal ~ b*Sat + Image
    """
    xlsx = tmp_path / "sem.xlsx"
    res = run_cli("sem", MOBI, "--model", model, "--json", "-", "--xlsx", xlsx)
    assert res.exit_code == 0, res
    out = res.json()
    assert out["admissible"] is False
    assert any("negative variance" in w for w in out["warnings"])
    assert "negative variance" in res.stderr
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    assert "Warnings" in wb.sheetnames
    texts = [c.value for row in wb["Warnings"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("negative variance" in t for t in texts)


def test_not_identified_exit_2():
    res = run_cli("sem", HS, "--model", "f =~ x1 + x2\n f ~~ f\n x1 ~~ x1\n x2 ~~ x2\n g =~ x3")
    assert_clean_error(res, "not identified")
    res = run_cli("sem", HS, "--model", "f =~ x1 + x2 + xx3")
    assert_clean_error(res, "xx3")
    assert_clean_error(run_cli("sem", HS), "--model")


def test_spec_model_on_demo(tmp_path):
    assert run_cli("demo", tmp_path / "d").exit_code == 0
    d = tmp_path / "d"
    res = run_cli("sem", d / "customers.csv", "--spec", d / "questionnaire.yaml", "--json", "-", "-q")
    assert res.exit_code == 0, res
    out = res.json()
    assert out["converged"]
    ind = {e["lhs"]: e for e in out["estimates"] if e["op"] == ":="}
    assert len(ind) == 10
    ranked = sorted(ind, key=lambda k: -ind[k]["est"])
    # true drivers of satisfaction: puntualidad 0.30, resolucion 0.24, estado 0.18, precio 0.13, web 0.09;
    # the demo's "No sabe" answers are kept by full-information ML (all 2,000 customers contribute)
    assert set(ranked[:2]) == {"ind_puntualidad_entrega", "ind_resolucion_posventa"}
    assert set(ranked[:4]) <= {"ind_puntualidad_entrega", "ind_resolucion_posventa", "ind_estado_producto",
                               "ind_precio_valor", "ind_facilidad_web"}
    assert out["missing"]["method"] == "ml" and out["n"] == out["missing"]["n_used"] == 2000
    assert out["missing"]["n_incomplete"] > 100
    assert any(w.startswith("missing data: full-information ML") for w in out["warnings"])
    assert "loyalty" in out["r2"] and "csat" in out["r2"]


def test_sem_data_error_names_the_file(tmp_path):
    data = pd.read_csv(MOBI)
    data["CUSA2"] = 7
    path = tmp_path / "constant.csv"
    data.to_csv(path, index=False)
    res = run_cli("sem", path, "--model", "f =~ CUSA1 + CUSA2 + CUSA3\nCUSL1 ~ f", "-q")
    assert_clean_error(res, "constant.csv", "CUSA2", "no variance")


def test_sem_small_sample_per_parameter_warns(tmp_path):
    path = tmp_path / "tiny.csv"
    pd.read_csv(MOBI).head(12).to_csv(path, index=False)
    out = _sem(path, "f =~ CUSA1 + CUSA2 + CUSA3\nCUSL1 ~ f")
    assert any("small sample for this model: 12 respondents for 8 free parameters" in w for w in out["warnings"])


def test_standardized_regression_beyond_one_is_collinearity_not_inadmissible():
    """Jöreskog (1999): |std beta| > 1 is possible with correlated predictors; lavaan accepts the
    solution. It is reported as collinearity, and the solution stays admissible."""
    model = """
      Image   =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
      Sat     =~ CUSA1 + CUSA2 + CUSA3
      Loyal   =~ CUSL1 + CUSL2 + CUSL3
      Loyal ~ Sat + Image
    """
    out = _sem(MOBI, model)
    std = {(e["lhs"], e["op"], e["rhs"]): e["std_all"] for e in out["estimates"]}
    assert abs(std[("Loyal", "~", "Sat")]) > 1
    assert out["admissible"] is True
    assert any(w.startswith("collinear predictors of Loyal") for w in out["warnings"])
    assert any("weak indicator: CUSL2" in w for w in out["warnings"])
