"""Sampling weights in CFA and SEM (lavaan's sampling.weights: weights rescaled to sum to n, weighted moments,
MLR) against lavaan 0.6-14: reference/results/robust_ordinal_hs.json (`weighted`, one group) and
reference_extra/robust_reference.json (`weighted_two_groups`, `weighted_sem`). The weights are
w = 1 + (row - 1) %% 3 as in the R scripts."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, FIXTURES, assert_clean_error, reference, run_cli
from cxstats.errors import InputError, ModelError
from cxstats.stats.cfa import analyze_cfa
from cxstats.stats.sem import fit_sem
from cxstats.stats.sem_analysis import analyze_sem

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
KEYS = ("chisq", "srmr", "cfi", "tli", "rmsea", "chisq_scaled", "chisq_scaling_factor", "pvalue_scaled",
        "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust")


def extra(key):
    return json.loads((FIXTURES / "reference_extra" / "robust_reference.json").read_text())[key]


@pytest.fixture(scope="module")
def hs():
    d = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    d["w"] = 1 + np.arange(len(d)) % 3
    return d


def check(fit, est, ref):
    for k in KEYS:
        assert fit[k] == pytest.approx(ref["fit"][k.replace("_", ".")], rel=1e-4), k
    by = {(r["lhs"], r["op"], r["rhs"], r.get("group", 1)): r for r in ref["estimates"]}
    assert len(est) == len(by)
    for _, row in est.iterrows():
        r = by[(row.lhs, row.op, row.rhs if row.op != "~1" else "", int(row.get("group", 1)))]
        assert row.est == pytest.approx(r["est"], rel=1e-4, abs=1e-5)
        assert row.se == pytest.approx(r["se"], rel=1e-3, abs=1e-12), (row.lhs, row.op, row.rhs)
        std = r.get("std.all", r.get("std_all"))
        assert row.std_all == pytest.approx(std, rel=1e-4, abs=1e-5)


def test_one_group(hs):
    res = analyze_cfa(hs, HS_MODEL, weights="w")
    check(res.fit, res.estimates, reference("robust_ordinal_hs")["weighted"])
    assert res.fit["aic"] == pytest.approx(reference("robust_ordinal_hs")["weighted"]["fit"]["aic"], rel=1e-8)
    d = res.to_dict()
    assert d["estimator"] == "MLR" and d["sampling_weights"] is True
    assert res.methods()[0][0] == "Sampling weights"
    # the weights change the numbers (a test that could not fail otherwise)
    assert abs(res.fit["chisq"] - analyze_cfa(hs, HS_MODEL).fit["chisq"]) > 1


def test_two_groups_weigh_groups_by_their_weight_sums(hs):
    res = analyze_cfa(hs, HS_MODEL, group="school", weights="w")
    ref = extra("weighted_two_groups")
    check(res.fit, res.estimates, ref)  # lavaan's fit and every estimate of both groups
    assert {int(g) for g in res.estimates["group"]} == {1, 2} == {r.get("group", 1) for r in ref["estimates"]}
    # the weights move the numbers (so the comparison with lavaan could not pass unweighted)
    assert abs(res.fit["chisq"] - analyze_cfa(hs, HS_MODEL, group="school").fit["chisq"]) > 1


def test_structural_model(hs):
    res = analyze_sem(hs, HS_MODEL + "\nspeed ~ visual + textual", weights="w")
    check(res.fit, res.estimates, extra("weighted_sem"))
    assert res.to_dict()["sampling_weights"] is True
    with pytest.raises(InputError, match="bootstrap"):
        analyze_sem(hs, HS_MODEL, weights="w", bootstrap=10)


def test_weight_checks(hs):
    bad = hs.copy()
    bad.loc[3, "w"] = -1
    with pytest.raises(InputError, match="negative"):
        fit_sem(HS_MODEL, bad, weights="w")
    with pytest.raises(ModelError, match="not MLM"):
        fit_sem(HS_MODEL, hs, weights="w", estimator="MLM")
    some = hs.copy()
    some.loc[:4, "w"] = np.nan
    fit = fit_sem(HS_MODEL, some, weights="w")
    assert fit.ntotal == 296 and any("without a sampling weight" in w for w in fit.warnings)


def test_cli(hs, tmp_path):
    path = tmp_path / "hs_w.csv"
    hs.to_csv(path, index=False)
    res = run_cli("cfa", path, "--model", HS_MODEL, "--weight", "w", "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    d = res.json()
    assert d["fit"]["chisq_scaled"] == pytest.approx(reference("robust_ordinal_hs")["weighted"]["fit"]["chisq.scaled"],
                                                     rel=1e-4)
    res = run_cli("sem", path, "--model", HS_MODEL + "\nspeed ~ visual", "--weight", "w", "--json", "-", "--quiet")
    assert res.exit_code == 0 and res.json()["estimator"] == "MLR", res
    assert_clean_error(run_cli("cfa", path, "--model", HS_MODEL, "--weight", "nope"), "nope")
    # --invariance with --weight: MLR steps, Satorra-Bentler differences (tests/test_invariance_robust.py)
    res = run_cli("cfa", path, "--model", HS_MODEL, "--group", "school", "--invariance", "--weight", "w", "--json", "-",
                  "--quiet")
    assert res.exit_code == 0 and res.json()["sampling_weights"] is True, res
