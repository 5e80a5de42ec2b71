"""Ordinal items (thresholds, polychoric correlations, DWLS / WLSMV / ULSMV) against lavaan 0.6-14.

References (tests/fixtures/reference):
* results/robust_ordinal_hs.json `wlsmv` (shared R reference set, r/12_robust_ordinal.R there):
  cfa(model, HS_ordinal4, ordered = x1..x9, estimator = "WLSMV"): fit measures and every estimate row;
* results/wlsmv_detail_hs.json (made here by r/13_wlsmv_detail.R, lavaan 0.6-14): the polychoric matrix,
  the thresholds, lavaan's NACOV (`gamma`) and DWLS weights, the catML pieces of the robust indices, and
  the DWLS, ULSMV and std.lv WLSMV fits.
Tolerances as issue 18: estimates 1e-4, SEs and scaled statistics 1e-3 relative; observed agreement is
~1e-6 or better (lavaan's own optimizer tolerance), which the tighter asserts below pin down."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from conftest import DATASETS, reference
from cxstats.errors import InputError, ModelError
from cxstats.stats.sem.dwls import fit_ordinal
from cxstats.stats.sem.polychoric import bvn_cdf, ordinal_stats

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
ITEMS = [f"x{i}" for i in range(1, 10)]
FIT_KEYS = ("chisq", "pvalue", "cfi", "tli", "rmsea", "srmr", "chisq_scaled", "pvalue_scaled",
            "chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
            "rmsea_robust")


@pytest.fixture(scope="module")
def hs4():
    return pd.read_csv(DATASETS / "HS_ordinal4.csv")


@pytest.fixture(scope="module")
def detail():
    return reference("wlsmv_detail_hs")


def check_fit(fm, ref, *, rel=1e-3):
    checked = 0
    for k in FIT_KEYS:
        key = k.replace("_", ".")
        if key in ref and ref[key] is not None:
            assert fm[k] == pytest.approx(ref[key], rel=rel, abs=1e-12), k
            checked += 1
    assert fm["df"] == ref["df"]
    assert fm["npar"] == ref["npar"]
    return checked


def check_estimates(est, ref_rows, *, est_tol=1e-4, se_rel=1e-3):
    assert len(est) == len(ref_rows)
    for (_, row), r in zip(est.iterrows(), ref_rows):
        assert (row.lhs, row.op, row.rhs) == (r["lhs"], r["op"], r["rhs"])
        where = (r["lhs"], r["op"], r["rhs"])
        assert row.est == pytest.approx(r["est"], abs=est_tol), where
        if r["se"]:
            assert row.se == pytest.approx(r["se"], rel=se_rel), (where, "se")
        else:
            assert row.se == 0, where
        assert row.std_all == pytest.approx(r["std.all"], abs=est_tol), (where, "std.all")


def test_bivariate_normal_cdf_closed_forms():
    # Phi2(0, 0; rho) = 1/4 + asin(rho) / (2 pi); rho = 0 factorises; infinite limits are the margins
    for rho in (-0.9, -0.3, 0.0, 0.45, 0.95):
        assert bvn_cdf(0.0, 0.0, rho) == pytest.approx(0.25 + math.asin(rho) / (2 * math.pi), abs=1e-14)
    h, k = np.array([-1.2, 0.3, 2.0]), np.array([0.7, -0.4, 1.1])
    assert np.allclose(bvn_cdf(h, k, 0.0), norm.cdf(h) * norm.cdf(k), atol=1e-14)
    assert bvn_cdf(np.inf, 0.5, 0.3) == pytest.approx(norm.cdf(0.5), abs=1e-15)
    assert bvn_cdf(-np.inf, 0.5, 0.3) == 0.0
    # symmetry Phi2(h, k; rho) = Phi(k) - Phi2(-h, k; -rho)
    assert bvn_cdf(0.8, -0.2, 0.6) == pytest.approx(norm.cdf(-0.2) - bvn_cdf(-0.8, -0.2, -0.6), abs=1e-14)


def test_thresholds_polychorics_and_gamma_match_lavaan(hs4, detail):
    st = ordinal_stats(hs4[ITEMS].to_numpy(), ITEMS)
    assert np.allclose(st.th_vector(), detail["thresholds"], atol=1e-12)
    assert np.abs(st.cor - np.array(detail["polychoric"])).max() < 1e-6      # observed 3.5e-8
    G = np.array(detail["gamma"])
    assert np.abs(st.gamma - G).max() / np.abs(G).max() < 1e-5                 # observed 3e-8
    assert np.allclose(1.0 / np.diag(st.gamma), detail["wls_v_diag"], rtol=1e-5)


def test_wlsmv_cfa_matches_lavaan(hs4):
    ref = reference("robust_ordinal_hs")["wlsmv"]
    res = fit_ordinal(HS_MODEL, hs4, estimator="WLSMV")
    assert res.converged
    fm = res.fit_measures()
    assert check_fit(fm, ref["fit"]) == 15
    check_fit(fm, ref["fit"], rel=1e-6)                 # observed 4e-7 at worst (lavaan's optimizer)
    assert fm["df_scaled"] == ref["fit"]["df.scaled"]
    check_estimates(res.estimates(), ref["estimates"])
    check_estimates(res.estimates(), ref["estimates"], est_tol=1e-6, se_rel=1e-5)


def test_catml_pieces_of_robust_indices_match_lavaan(hs4, detail):
    fm = fit_ordinal(HS_MODEL, hs4).fit_measures()
    c = detail["catml"]
    assert fm["catml_chisq"] == pytest.approx(c["XX3"], rel=1e-5)
    assert fm["catml_scaling_factor"] == pytest.approx(c["c.hat3"], rel=1e-5)
    assert fm["catml_baseline_chisq"] == pytest.approx(c["XX3.null"], rel=1e-6)
    assert fm["catml_baseline_scaling_factor"] == pytest.approx(c["c.hat3.null"], rel=1e-6)
    assert fm["baseline_chisq"] == pytest.approx(detail["fit"]["baseline.chisq"], rel=1e-6)
    assert fm["baseline_chisq_scaled"] == pytest.approx(detail["fit"]["baseline.chisq.scaled"], rel=1e-6)


@pytest.mark.parametrize("estimator", ["DWLS", "ULSMV"])
def test_dwls_and_ulsmv_match_lavaan(hs4, detail, estimator):
    ref = detail[estimator.lower()]
    res = fit_ordinal(HS_MODEL, hs4, estimator=estimator)
    fm = res.fit_measures()
    n = check_fit(fm, ref["fit"])
    assert n == (6 if estimator == "DWLS" else 14)
    if estimator == "ULSMV":
        assert math.isnan(fm["pvalue"])            # lavaan: no p-value for the unscaled ULS statistic
    if estimator == "DWLS":
        assert "chisq_scaled" not in fm            # plain DWLS: the standard test only, as lavaan
    check_estimates(res.estimates(), ref["estimates"])


def test_wlsmv_std_lv_matches_lavaan(hs4, detail):
    ref = detail["wlsmv_stdlv"]
    res = fit_ordinal(HS_MODEL, hs4, std_lv=True)
    check_fit(res.fit_measures(), ref["fit"])
    check_estimates(res.estimates(), ref["estimates"])


def test_listwise_deletion_is_stated_and_equals_dropping_rows(hs4):
    data = hs4.copy()
    data.loc[[3, 10, 50], "x2"] = np.nan
    res = fit_ordinal(HS_MODEL, data)
    assert res.missing_info == {"method": "listwise", "n_rows": 301, "n_used": 298, "n_dropped_incomplete": 3}
    assert any("listwise deletion: 298 complete respondents of 301" in w for w in res.warnings)
    same = fit_ordinal(HS_MODEL, hs4.drop(index=[3, 10, 50]))
    assert res.fit_measures()["chisq"] == pytest.approx(same.fit_measures()["chisq"], rel=1e-12)


def test_ordinal_refusals(hs4):
    data = hs4.copy()
    data["x1"] = 2
    with pytest.raises(InputError, match="x1"):
        fit_ordinal(HS_MODEL, data)
    with pytest.raises(ModelError, match="not ordinal: x9"):
        fit_ordinal(HS_MODEL, hs4, ordered=ITEMS[:-1])
    with pytest.raises(ModelError, match="estimator"):
        fit_ordinal(HS_MODEL, hs4, estimator="MLR")


def test_wlsmv_rmsea_ci_matches_lavaan(hs4, detail):
    fm = fit_ordinal(HS_MODEL, hs4).fit_measures()
    assert fm["rmsea_ci_lower"] == pytest.approx(detail["fit"]["rmsea.ci.lower"], rel=1e-5)
    assert fm["rmsea_ci_upper"] == pytest.approx(detail["fit"]["rmsea.ci.upper"], rel=1e-5)
    assert fm["fmin"] == pytest.approx(detail["fit"]["fmin"], rel=1e-6)
    assert math.isnan(fm["aic"]) and detail["fit"].get("aic") is None


# ---------------------------------------------------------------------------- command line and plans

HS_LINE = "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9"


def test_cli_ordered_all_matches_lavaan_and_is_reproducible(tmp_path):
    from conftest import run_cli

    ref = reference("robust_ordinal_hs")["wlsmv"]
    src = DATASETS / "HS_ordinal4.csv"
    before = src.read_bytes()
    outs = []
    for k in range(2):
        out = tmp_path / f"cfa{k}.json"
        res = run_cli("cfa", src, "--model", HS_LINE, "--ordered", "all", "--json", out, "--quiet")
        assert res.exit_code == 0, res
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]                                   # same input -> byte-identical JSON
    assert src.read_bytes() == before
    import json

    doc = json.loads(outs[0])
    assert doc["estimator"] == "WLSMV" and doc["parametrization"] == "delta" and doc["ordered"] == ITEMS
    assert doc["missing"]["method"] == "listwise"
    for k in ("chisq_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust", "srmr"):
        assert doc["fit"][k] == pytest.approx(ref["fit"][k.replace("_", ".")], rel=1e-5), k
    th = [e for e in doc["estimates"] if e["op"] == "|"]
    assert [(e["lhs"], e["rhs"]) for e in th[:3]] == [("x1", "t1"), ("x1", "t2"), ("x1", "t3")]
    assert len(th) == 27
    assert doc["fit_verdict"]["failed"] == ["robust RMSEA 0.113 > 0.08"]   # the verdict reads the robust indices


def test_cli_ordinal_estimators_and_refusals(tmp_path):
    from conftest import assert_clean_error, run_cli

    src = DATASETS / "HS_ordinal4.csv"
    out = tmp_path / "u.json"
    res = run_cli("cfa", src, "--model", HS_LINE, "--estimator", "ulsmv", "--json", out, "--quiet")
    assert res.exit_code == 0, res
    import json

    doc = json.loads(out.read_text())
    assert doc["estimator"] == "ULSMV" and doc["ordered"] == ITEMS     # an ordinal estimator: every item ordinal
    assert doc["fit"]["chisq_scaled"] == pytest.approx(reference("wlsmv_detail_hs")["ulsmv"]["fit"]["chisq.scaled"],
                                                       rel=1e-5)
    assert_clean_error(run_cli("cfa", src, "--model", HS_LINE, "--ordered", "x1,x99"), "x99", "ordered")
    assert_clean_error(run_cli("cfa", src, "--model", HS_LINE, "--ordered", "x1,x2"), "not ordinal: x3")
    assert_clean_error(run_cli("cfa", src, "--model", HS_LINE, "--ordered", "all", "--missing", "ml"),
                       "listwise")
    assert_clean_error(run_cli("cfa", src, "--model", HS_LINE, "--ordered", "all", "--modindices"),
                       "not available yet with ordinal items (WLSMV): modification indices")


def test_xlsx_states_estimator_and_deletion_in_both_languages(tmp_path):
    import openpyxl

    from conftest import run_cli

    src = DATASETS / "HS_ordinal4.csv"
    for lang, words in (("en", ("WLSMV, ordinal items", "delta parametrisation", "listwise deletion: 301")),
                        ("es", ("WLSMV, ítems ordinales", "parametrización delta", "eliminación por lista: 301"))):
        out = tmp_path / f"c_{lang}.xlsx"
        res = run_cli("cfa", src, "--model", HS_LINE, "--ordered", "all", "--xlsx", out, "--lang", lang, "--quiet")
        assert res.exit_code == 0, res
        wb = openpyxl.load_workbook(out)
        text = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
        for w in words:
            assert w in text, (lang, w)
        assert "Ordinal items (polychoric)" in text and "Estimator (WLSMV)" in text     # Methods (English)


def test_plan_step_cfa_ordered(tmp_path):
    import json

    from conftest import run_cli
    from cxstats.demo.simulate import load_demo_spec, write_demo
    from cxstats.io.survey import load_survey
    from cxstats.stats.cfa import analyze_cfa
    from cxstats.steps._latent import factor_model

    folder = tmp_path / "demo"
    write_demo(folder, seed=4, n_customers=300, n_staff=40)
    spec = load_demo_spec()
    ids = [c.id for c in spec.constructs()[:2]]
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"spec: {folder / 'questionnaire.yaml'}\nseed: 5\n"
        f"data:\n  - file: {folder / 'customers.csv'}\n    respondent_type: customer\n"
        "steps:\n  - step: cfa\n    constructs: [" + ", ".join(ids) + "]\n    ordered: all\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("run", plan, "--out", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads(next(out.glob("*.json")).read_text())
    r = doc["steps"][0]["result"]
    assert r["estimator"] == "WLSMV" and r["parametrization"] == "delta"
    survey = load_survey(spec, [folder / "customers.csv"])
    data = survey.customers().reset_index(drop=True)
    model, _ = factor_model(spec, data, ids)
    direct = analyze_cfa(data, model, ordered=r["ordered"])
    assert r["fit"]["chisq_scaled"] == pytest.approx(direct.fit["chisq_scaled"], rel=1e-12)
    assert any(e["op"] == "|" for e in r["estimates"])


def test_continuous_columns_are_refused_as_ordinal():
    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    with pytest.raises(InputError, match="distinct answer values: not an ordinal rating item"):
        fit_ordinal(HS_MODEL, hs)


# ---------------------------------------------------------------------------- a second data set (bfi)

@pytest.mark.parametrize("key,model_key", [("cfa_rescov", "model_cfa"), ("sem_regression", "model_sem")])
def test_bfi_wlsmv_residual_covariance_and_latent_regression_match_lavaan(key, model_key):
    """results/wlsmv_bfi.json (r/14_wlsmv_bfi.R, lavaan 0.6-14): six-point items with missing answers (listwise
    deletion to 2632 of 2800 rows), a residual covariance between two ordinal items, a latent regression."""
    ref = reference("wlsmv_bfi")
    bfi = pd.read_csv(DATASETS / "bfi.csv")
    res = fit_ordinal(ref[model_key], bfi)
    assert res.ntotal == ref[key]["ntotal"] == 2632
    assert res.missing_info["n_dropped_incomplete"] == 2800 - 2632
    fm = res.fit_measures()
    assert check_fit(fm, ref[key]["fit"], rel=1e-5) == 15
    for k in ("rmsea_ci_lower", "rmsea_ci_upper", "baseline_chisq", "baseline_chisq_scaled", "fmin"):
        assert fm[k] == pytest.approx(ref[key]["fit"][k.replace("_", ".")], rel=1e-5), k
    check_estimates(res.estimates(), ref[key]["estimates"], est_tol=1e-5, se_rel=1e-5)   # observed 1e-6


def test_cli_sem_ordered_matches_lavaan(tmp_path):
    import json

    from conftest import assert_clean_error, run_cli

    ref = reference("wlsmv_bfi")
    src = DATASETS / "bfi.csv"
    model = tmp_path / "m.lav"
    model.write_text(ref["model_sem"], encoding="utf-8")
    out = tmp_path / "s.json"
    res = run_cli("sem", src, "--model", f"@{model}", "--ordered", "all", "--json", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads(out.read_text())
    assert doc["estimator"] == "WLSMV" and doc["n"] == 2632 and doc["parametrization"] == "delta"
    for k in ("chisq_scaled", "cfi_robust", "rmsea_robust", "srmr"):
        assert doc["fit"][k] == pytest.approx(ref["sem_regression"]["fit"][k.replace("_", ".")], rel=1e-5), k
    row = next(e for e in doc["estimates"] if e["op"] == "~")
    lav = next(e for e in ref["sem_regression"]["estimates"] if e["op"] == "~")
    assert (row["est"], row["se"]) == (pytest.approx(lav["est"], abs=1e-5), pytest.approx(lav["se"], rel=1e-5))
    assert_clean_error(run_cli("sem", src, "--model", f"@{model}", "--ordered", "all", "--bootstrap", "50"),
                       "not available yet with ordinal items (WLSMV): the bootstrap")


# ---------------------------------------------------------------------------- ordinal alpha and omega

def _bfi_scale(ref, key):
    bfi = pd.read_csv(DATASETS / "bfi.csv")
    rev = ref[key]["reverse"]
    rev = [rev] if isinstance(rev, str) else list(rev)
    x = bfi[ref[key]["items"]].copy()
    for r in rev:
        x[r] = 7 - x[r]
    return x, rev


@pytest.mark.parametrize("key", ["A", "C"])
def test_ordinal_alpha_omega_match_psych(key):
    """results/ordinal_reliability.json (r/15_ordinal_reliability.R): psych::alpha / psych::omega on
    psych::polychoric, and lavaan's lavCor of the same complete rows. psych's polychoric (its optimizer
    tolerance) and lavaan's differ by ~2e-5; ours follow lavaan's (1e-6) and psych's alpha/omega to ~5e-6."""
    from cxstats.stats.ordinal_reliability import ordinal_reliability

    ref = reference("ordinal_reliability")
    x, _ = _bfi_scale(ref, key)
    items = ref[key]["items"]
    out = ordinal_reliability(x, items)
    assert out["n"] == ref[key]["n"]
    assert out["alpha_ordinal"] == pytest.approx(ref[key]["alpha_ordinal"], abs=1e-4)
    assert out["omega_ordinal"] == pytest.approx(ref[key]["omega_ordinal"], abs=1e-4)
    assert out["average_r_polychoric"] == pytest.approx(ref[key]["average_r"], abs=1e-4)
    st = ordinal_stats(x.dropna().to_numpy(), items, scores=False)
    assert np.abs(st.cor - np.array(ref[key]["lavaan_polychoric"])).max() < 1e-6


def test_reliability_cli_ordinal(tmp_path):
    import json

    from conftest import run_cli

    ref = reference("ordinal_reliability")
    out = tmp_path / "r.json"
    xlsx = tmp_path / "r.xlsx"
    res = run_cli("reliability", DATASETS / "bfi.csv", "--scale", "A=A1,A2,A3,A4,A5", "--reverse", "A1", "--min", "1",
                  "--max", "6", "--ordinal", "--json", out, "--xlsx", xlsx, "--lang", "es", "--quiet")
    assert res.exit_code == 0, res
    s = json.loads(out.read_text())["scales"][0]
    assert s["ordinal"]["alpha_ordinal"] == pytest.approx(ref["A"]["alpha_ordinal"], abs=1e-4)
    assert s["ordinal"]["n"] == 2709 and s["alpha"] < s["ordinal"]["alpha_ordinal"]   # Pearson alpha is lower
    import openpyxl

    text = " ".join(str(c) for ws in openpyxl.load_workbook(xlsx).worksheets
                    for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Alfa ordinal (policórica)" in text and "Ordinal alpha and omega" in text
    res = run_cli("reliability", DATASETS / "bfi.csv", "--scale", "A=A1,A2,A3", "--json", tmp_path / "p.json",
                  "--quiet")
    assert "ordinal" not in json.loads((tmp_path / "p.json").read_text())["scales"][0]   # only when asked


# ---------------------------------------------------------------------------- EFA on polychoric correlations

def test_efa_polychoric_matches_psych_fa_poly():
    """results/efa_poly_bfi.json (r/16_efa_poly_bfi.R): psych::fa(x, 2, minres, oblimin, cor = "poly") of the ten
    A and C items, complete rows. psych's polychoric differs from lavaan's (ours) by ~2e-5, so loadings agree
    to ~3e-5 and the chi-square to ~2e-4 (relative)."""
    from cxstats.stats.efa import analyze_efa

    ref = reference("efa_poly_bfi")
    bfi = pd.read_csv(DATASETS / "bfi.csv")
    res = analyze_efa(bfi, ref["items"], n_factors=2, cor="polychoric", parallel=False)
    assert res.n_obs == ref["n_obs"] == 2632 and res.correlation == "polychoric"
    assert res.factors == ref["factor_order"]
    assert np.abs(np.array(res.loadings) - np.array(ref["loadings"])).max() < 1e-4
    assert np.abs(np.array(res.phi) - np.array(ref["phi"])).max() < 1e-4
    assert np.allclose(res.communality, ref["communality"], atol=1e-4)
    assert res.fit["chisq"] == pytest.approx(ref["STATISTIC"], rel=1e-3)
    assert res.fit["tli"] == pytest.approx(ref["TLI"], rel=1e-3)
    assert res.fit["rmsea"] == pytest.approx(ref["RMSEA"], rel=1e-3)
    assert res.to_dict()["correlation"] == "polychoric"
    assert any(m[0] == "Polychoric correlations" for m in res.methods())


def test_efa_cli_cor_polychoric(tmp_path):
    import json

    from conftest import run_cli

    ref = reference("efa_poly_bfi")
    out = tmp_path / "e.json"
    res = run_cli("efa", DATASETS / "bfi.csv", "--items", ",".join(ref["items"]), "--factors", "2", "--cor",
                  "polychoric", "--json", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads(out.read_text())
    assert doc["correlation"] == "polychoric" and doc["n_obs"] == 2632
    first = doc["loadings"][0]
    assert [first[f] for f in ref["factor_order"]] == pytest.approx(ref["loadings"][0], abs=1e-4)
    res = run_cli("efa", DATASETS / "bfi.csv", "--items", ",".join(ref["items"]), "--factors", "2", "--json",
                  tmp_path / "p.json", "--quiet")
    assert "correlation" not in json.loads((tmp_path / "p.json").read_text())     # Pearson: unchanged output


# ---------------------------------------------------------------------------- binary items

def test_binary_items_wlsmv_and_zero_cell_match_lavaan(hs4):
    """results/wlsmv_binary.json (r/17_wlsmv_binary.R): the HS CFA on 0/1 items (tetrachoric correlations,
    one threshold per item), and a 2 x 2 table with an empty cell (lavaan adds 0.5 to it)."""
    ref = reference("wlsmv_binary")
    b = hs4.copy()
    for v in ITEMS:
        b[v] = (hs4[v] > 2).astype(int)
    res = fit_ordinal(HS_MODEL, b)
    assert check_fit(res.fit_measures(), ref["fit"], rel=1e-5) == 15
    check_estimates(res.estimates(), ref["estimates"], est_tol=1e-5, se_rel=1e-5)
    z = b.loc[:59, ["x1", "x4", "x5"]].copy()
    z.loc[z["x4"] == 1, "x1"] = 0
    st = ordinal_stats(z.to_numpy(), ["x1", "x4", "x5"], scores=False)
    assert np.abs(st.cor - np.array(ref["zero_cell"]["cor"])).max() < 1e-5


def test_bfi_five_factor_wlsmv_matches_lavaan():
    """The 25-item, five-factor bfi CFA (cfa_big5 in results/wlsmv_bfi.json): 300 polychoric correlations,
    a 425 x 425 Gamma, listwise deletion to 2436 rows."""
    ref = reference("wlsmv_bfi")
    res = fit_ordinal(ref["model_big5"], pd.read_csv(DATASETS / "bfi.csv"))
    assert res.ntotal == ref["cfa_big5"]["ntotal"] == 2436
    assert check_fit(res.fit_measures(), ref["cfa_big5"]["fit"], rel=1e-5) == 15
    check_estimates(res.estimates(), ref["cfa_big5"]["estimates"], est_tol=1e-5, se_rel=1e-4)


def test_non_positive_definite_polychorics_as_lavaan(hs4):
    """results/wlsmv_nonpd.json (r/18_wlsmv_nonpd.R): 25 rows whose polychoric matrix has a negative
    eigenvalue. lavaan fits, reports NA robust CFI/TLI/RMSEA; so do we (NaN), and the verdict reads the
    scaled indices, saying so."""
    from cxstats.stats.cfa import analyze_cfa

    ref = reference("wlsmv_nonpd")
    data = hs4.iloc[[r - 1 for r in ref["rows"]]].reset_index(drop=True)
    res = fit_ordinal(HS_MODEL, data)
    fm = res.fit_measures()
    for k in ("chisq", "chisq_scaled", "chisq_scaling_factor", "tli", "srmr", "cfi_scaled", "tli_scaled",
              "rmsea_scaled"):
        assert fm[k] == pytest.approx(ref["fit"][k.replace("_", ".")], rel=1e-4), k
    assert all(math.isnan(fm[k]) for k in ("cfi_robust", "tli_robust", "rmsea_robust"))
    check_estimates(res.estimates(), ref["estimates"], est_tol=1e-4, se_rel=1e-3)
    assert any("not positive definite" in w for w in res.warnings)
    assert any("fewer than 5 respondents" in w for w in res.warnings)
    cfa = analyze_cfa(data, HS_MODEL, ordered=ITEMS)
    assert any("the fit verdict reads the scaled CFI/TLI/RMSEA" in w for w in cfa.warnings)
    assert cfa.fit_verdict["indices"]["cfi"] == "good"         # scaled CFI 0.98 (not the missing robust one)


# ---------------------------------------------------------------------------- two groups (configural)

def test_two_group_configural_wlsmv_matches_lavaan(hs4, tmp_path):
    """results/wlsmv_groups.json (r/19_wlsmv_groups.R): the HS CFA by school, no equality constraints. The
    groups' tests add up; RMSEA with N - G and sqrt(G); the catML baseline trace as lavaan (tr(Gamma_g)/f_g)."""
    import json

    from conftest import run_cli
    from cxstats.stats.cfa import analyze_cfa
    from cxstats.stats.sem.dwls import fit_ordinal_groups

    ref = reference("wlsmv_groups")
    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    data = hs4.copy()
    data["school"] = data["id"].map(dict(zip(hs["id"], hs["school"])))
    mg = fit_ordinal_groups(HS_MODEL, data, "school")
    assert mg.labels == ref["group_labels"] and [f.ntotal for f in mg.fits] == ref["nobs"]
    fm = mg.fit_measures()
    assert check_fit(fm, ref["fit"], rel=1e-5) == 15
    for k in ("rmsea_ci_lower", "rmsea_ci_upper", "baseline_chisq", "baseline_chisq_scaled"):
        assert fm[k] == pytest.approx(ref["fit"][k.replace("_", ".")], rel=1e-5), k
    est = mg.estimates()
    assert list(est["group"]) == [r["group"] for r in ref["estimates"]]
    check_estimates(est, ref["estimates"], est_tol=1e-5, se_rel=1e-5)
    res = analyze_cfa(data, HS_MODEL, group="school", ordered=ITEMS)
    assert res.to_dict()["groups"] == {"Pasteur": 156, "Grant-White": 145}
    assert res.fit["cfi_robust"] == pytest.approx(ref["fit"]["cfi.robust"], rel=1e-5)
    src = tmp_path / "hs4.csv"
    data.to_csv(src, index=False)
    out = tmp_path / "g.json"
    r = run_cli("cfa", src, "--model", HS_LINE, "--group", "school", "--ordered", "all", "--json", out, "--quiet")
    assert r.exit_code == 0, r
    assert json.loads(out.read_text())["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-5)
    with pytest.raises(ModelError, match="invariance sequence"):
        analyze_cfa(data, HS_MODEL, group="school", ordered=ITEMS, group_equal=("loadings",))


# ---------------------------------------------------------------------------- pairwise deletion

def test_pairwise_deletion_matches_lavaan(tmp_path):
    """results/wlsmv_pairwise.json (r/20_wlsmv_pairwise.R): lavaan's missing = "pairwise" on the bfi A/C CFA
    (all 2800 rows; thresholds per item, polychorics per pair, missing answers' scores 0 in Gamma)."""
    import json

    from conftest import run_cli

    ref = reference("wlsmv_pairwise")
    bfi = pd.read_csv(DATASETS / "bfi.csv")
    res = fit_ordinal(ref["model"], bfi, missing="pairwise")
    assert res.ntotal == ref["ntotal"] == 2800
    assert res.missing_info == {"method": "pairwise", "n_rows": 2800, "n_used": 2800, "n_complete": 2632,
                                "n_dropped_empty": 0}
    assert np.abs(res.ordinal.cor - np.array(ref["polychoric"])).max() < 1e-6
    G = np.array(ref["gamma"])
    assert np.abs(res.ordinal.gamma - G).max() / np.abs(G).max() < 1e-6
    assert check_fit(res.fit_measures(), ref["fit"], rel=1e-5) == 15
    check_estimates(res.estimates(), ref["estimates"], est_tol=1e-5, se_rel=1e-5)
    model = tmp_path / "m.lav"
    model.write_text(ref["model"], encoding="utf-8")
    out = tmp_path / "p.json"
    r = run_cli("cfa", DATASETS / "bfi.csv", "--model", f"@{model}", "--ordered", "all", "--missing", "pairwise",
                "--json", out, "--quiet")
    assert r.exit_code == 0, r
    doc = json.loads(out.read_text())
    assert doc["missing"]["method"] == "pairwise"
    assert doc["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-5)
    assert any("pairwise deletion" in w for w in doc["warnings"])


def test_pairwise_is_refused_for_continuous_items():
    from conftest import assert_clean_error, run_cli

    src = DATASETS / "HolzingerSwineford1939.csv"
    for cmd in ("cfa", "sem"):
        assert_clean_error(run_cli(cmd, src, "--model", HS_LINE, "--missing", "pairwise"),
                           "missing = \"pairwise\" is for ordinal items")
