"""Ordinal measurement invariance (WLSMV, delta parametrisation) against lavaan 0.6-14.

Reference: tests/fixtures/reference/results/wlsmv_invariance.json, made in this project by
r/22_wlsmv_invariance.R: the HS CFA of HS_ordinal4.csv by school (joined from HolzingerSwineford1939.csv by
id), configural and group.equal = c("thresholds", "loadings") (and + "intercepts", identical in lavaan), and
lavTestLRT's default difference test for the scaled-shifted statistic (method "satorra.2000",
scaled.shifted = TRUE) with its a, b and traces (lavaan:::lav_test_diff_Satorra2000).
Tolerances as issue 18: estimates 1e-4 (absolute), SEs and test statistics 1e-3 (relative); observed agreement
is ~1e-5 for the estimates and ~1e-6 for the statistics, which the tighter asserts pin down."""

import math

import pandas as pd
import pytest

from conftest import DATASETS, reference
from cxstats.errors import ModelError
from cxstats.stats.sem.dwls_groups import fit_ordinal_invariance, satorra2000

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
FIT_KEYS = ("chisq", "pvalue", "cfi", "tli", "rmsea", "srmr", "chisq_scaled", "pvalue_scaled",
            "chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
            "rmsea_robust", "baseline_chisq", "baseline_chisq_scaled")


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(DATASETS / "HS_ordinal4.csv")
    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    d["school"] = d["id"].map(dict(zip(hs["id"], hs["school"])))
    return d


@pytest.fixture(scope="module")
def fits(data):
    return (fit_ordinal_invariance(HS_MODEL, data, "school", group_equal=()),
            fit_ordinal_invariance(HS_MODEL, data, "school", group_equal=("thresholds", "loadings")))


@pytest.fixture(scope="module")
def ref():
    return reference("wlsmv_invariance")


def _check_fit(fm, r, rel):
    n = 0
    for k in FIT_KEYS:
        want = r[k.replace("_", ".")]
        if want is None:                       # lavaan NA
            assert math.isnan(fm[k]), k
        else:
            assert fm[k] == pytest.approx(want, rel=rel, abs=1e-12), k
            n += 1
    assert fm["df"] == r["df"] and fm["npar"] == r["npar"]
    return n


def test_configural_joint_fit_matches_lavaan(fits, ref):
    f0 = fits[0]
    assert f0.converged and f0.labels == ref["group_labels"] and f0.nobs == ref["nobs"]
    assert _check_fit(f0.fit_measures(), ref["fit"]["configural"], 1e-5) == 17


def test_thresholds_loadings_equal_matches_lavaan(fits, ref):
    """Scale factors and latent means free in the second group, thresholds and loadings shared; lavaan gives
    no robust (catML) indices with these constraints (NA), so they are NaN here."""
    f1 = fits[1]
    assert f1.converged
    fm = f1.fit_measures()
    assert _check_fit(fm, ref["fit"]["thresholds_loadings"], 1e-5) == 14
    # + "intercepts" is the same model in lavaan (the ordinal items' intercepts stay 0)
    assert ref["fit"]["thresholds_loadings_intercepts"] == ref["fit"]["thresholds_loadings"]
    est = f1.estimates().set_index(["lhs", "op", "rhs", "group"])
    rows = ref["estimates"]["thresholds_loadings"]
    assert len(est) == len(rows)
    for r in rows:
        key = (r["lhs"], r["op"], r["rhs"], r["group"])
        row = est.loc[key]
        assert row["est"] == pytest.approx(r["est"], abs=2e-5), key
        assert row["se"] == pytest.approx(r["se"], rel=1e-4, abs=1e-12), (key, "se")
    # the identification: group 1 scale factors 1 (fixed), group 2 free; thresholds equal across groups
    assert est.loc[("x1", "~*~", "x1", 1), "est"] == 1.0 and est.loc[("x1", "~*~", "x1", 1), "se"] == 0.0
    assert est.loc[("x1", "~*~", "x1", 2), "se"] > 0
    assert est.loc[("x3", "|", "t2", 1), "est"] == est.loc[("x3", "|", "t2", 2), "est"]
    assert est.loc[("visual", "~1", "", 1), "est"] == 0.0 and est.loc[("visual", "~1", "", 2), "se"] > 0


def test_satorra2000_scaled_shifted_difference_matches_lavaan(fits, ref):
    d = satorra2000(*fits)
    r = ref["lrt"]
    assert d["df_diff"] == r["df_diff"] == 21
    for k in ("chisq_diff", "a", "b", "trace_ugamma", "trace_ugamma2", "pvalue"):
        assert d[k] == pytest.approx(r[k], rel=1e-5), k
    # the difference is not the plain difference of the scaled statistics
    fm0, fm1 = fits[0].fit_measures(), fits[1].fit_measures()
    assert abs(d["chisq_diff"] - (fm1["chisq_scaled"] - fm0["chisq_scaled"])) > 0.5
    assert d["chisq_diff_unscaled"] == pytest.approx(fm1["chisq"] - fm0["chisq"], rel=1e-12)


def test_unequal_categories_are_refused(data):
    d = data.copy()
    d.loc[(d["school"] == "Pasteur") & (d["x1"] == 4), "x1"] = 3
    with pytest.raises(ModelError, match="x1.*same answer categories"):
        fit_ordinal_invariance(HS_MODEL, d, "school")
    fit_ordinal_invariance(HS_MODEL, d, "school", group_equal=())      # the configural model is fine
