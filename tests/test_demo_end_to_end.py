"""The demo plan end to end, checked against the simulation's known truth."""

import json
import math

import openpyxl
import pytest
from scipy.stats import spearmanr

from conftest import run_cli


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    assert run_cli("demo", folder, "--force").exit_code == 0
    out = folder / "reports"
    res = run_cli("run", folder / "plan.yaml", "--out", out, "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads((out / "demo_results.json").read_text())
    truth = json.loads((folder / "truth.json").read_text())
    return {s["id"]: s["result"] for s in doc["steps"]}, truth, out


def test_constructs_are_reliable_as_simulated(results):
    steps, truth, _ = results
    # loadings .85/.80/.75 on var-1 items: population alpha ~ 0.84 before rounding to 1-5 codes
    for s in steps["reliability"]["scales"]:
        assert 0.70 < s["alpha"] < 0.90, (s["scale"], s["group"], s["alpha"])
    fit = steps["cfa"]["fit"]
    assert fit["cfi"] > 0.99 and fit["rmsea"] < 0.03 and fit["srmr"] < 0.03


def test_constructs_are_invariant_as_simulated(results):
    steps, truth, _ = results
    assert truth["measurement"]["invariant_between_customers_and_staff"]
    verdicts = steps["invariance"]["construct_verdicts"]
    assert len(verdicts) == 10
    assert all(v in ("scalar", "strict") for v in verdicts.values()), verdicts


def test_gaps_recover_the_simulated_customer_staff_differences(results):
    steps, truth, _ = results
    rows = {r["name"]: r for r in steps["gaps"]["constructs"]}
    for cid, t in truth["constructs"].items():
        r = rows[cid]
        se = abs(r["diff"] / r["welch_t"]) if r["welch_t"] else 0.05
        assert abs(r["diff"] - t["customer_minus_staff"]) < 4 * se, (cid, r["diff"], t["customer_minus_staff"])
        significant = abs(t["customer_minus_staff"]) > 0.3
        if significant:
            assert r["p_holm"] < 0.001, cid
        if t["customer_minus_staff"] == 0:
            assert r["pvalue"] > 0.001, cid
        assert r["aspiration"] == t["aspiration"]


def test_drivers_come_out_in_the_simulated_order(results):
    steps, truth, _ = results
    lmg = {r["driver"]: r["lmg"] for r in steps["drivers"]["drivers"]}
    order = sorted(lmg, key=lambda c: -lmg[c])
    true_order = truth["drivers"]["order"]
    assert order[:3] == true_order[:3], order
    rho = spearmanr([lmg[c] for c in true_order], [truth["drivers"]["beta"][c] for c in true_order]).statistic
    assert rho > 0.85, rho
    assert math.isclose(sum(lmg.values()), steps["drivers"]["r2"], rel_tol=1e-9)


def test_gap_workbook_reads_first_with_the_summary(results):
    _, _, out = results
    wb = openpyxl.load_workbook(out / "demo_gap_workbook.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "Executive summary", "Summary"]  # cover, headline, gap summary
    assert "Methods" in wb.sheetnames
    assert any(ws._charts for ws in wb.worksheets)
