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
