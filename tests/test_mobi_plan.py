"""analyses/mobi.yaml on the ECSI mobile-phone survey, run end to end as a researcher would, with
headline numbers checked against closed forms and against R (psych, semTools, lavaan:
tests/fixtures/reference_extra/mobi_plan_reference.json) and the warnings a methodologist expects."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES, run_cli

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "analyses" / "mobi.yaml"
MOBI = FIXTURES / "data" / "mobi.csv"
REF = json.loads((FIXTURES / "reference_extra" / "mobi_plan_reference.json").read_text(encoding="utf-8"))
TOL = 1e-3


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mobi_reports")
    res = run_cli("run", PLAN, "--out", out, "-q")
    assert res.exit_code == 0, res
    doc = json.loads((out / "mobi.json").read_text(encoding="utf-8"))
    return res, out, {s["id"]: s["result"] for s in doc["steps"]}


def test_mobi_plan_writes_json_and_workbooks(plan_run):
    res, out, steps = plan_run
    assert list(steps) == ["describe", "reliability", "efa", "cfa", "drivers", "drivers_loyalty", "sem"]
    for name in ("mobi_describe.xlsx", "mobi_measurement.xlsx", "mobi_drivers.xlsx"):
        assert (out / name).stat().st_size > 5000


def test_mobi_alpha_matches_closed_form_and_psych(plan_run):
    _, _, steps = plan_run
    data = pd.read_csv(MOBI)
    scales = {s["scale"]: s for s in steps["reliability"]["scales"]}
    items = [f"IMAG{i}" for i in range(1, 6)]
    cov = data[items].cov().to_numpy()
    k = len(items)
    closed = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert scales["image"]["alpha"] == pytest.approx(closed, abs=1e-10)
    for block, ref in REF["alpha"].items():
        assert scales[block]["alpha"] == pytest.approx(ref["alpha"], abs=1e-6), block
        assert scales[block]["alpha_std"] == pytest.approx(ref["alpha_std"], abs=1e-6), block
        for item in scales[block]["items"]:
            assert item["r_drop"] == pytest.approx(ref["r_drop"][item["item"]], abs=1e-6)
            if len(scales[block]["items"]) > 2:   # one item left: psych prints a number, we give null
                assert item["alpha_if_dropped"] == pytest.approx(ref["alpha_if_dropped"][item["item"]], abs=1e-6)
    assert "complaints" not in scales   # single item: no reliability, with a note
    assert any("single-item" in w and "complaints" in w for w in steps["reliability"]["warnings"])


def test_mobi_cfa_matches_lavaan_and_semtools_and_warns(plan_run):
    _, _, steps = plan_run
    cfa = steps["cfa"]
    for key, value in REF["cfa_fit"].items():
        assert cfa["fit"][key] == pytest.approx(value, abs=TOL), key
    for f, value in REF["cr"].items():
        assert cfa["reliability"][f]["cr"] == pytest.approx(value, abs=TOL), f
        assert cfa["reliability"][f]["ave"] == pytest.approx(REF["ave"][f], abs=TOL), f
    assert cfa["htmt"]["satisfaction"]["loyalty"] == pytest.approx(REF["htmt_satisfaction_loyalty"], abs=TOL)
    warns = " | ".join(cfa["warnings"])
    assert "weak indicator: CUSL2" in warns
    assert "discriminant validity doubtful" in warns and "satisfaction / loyalty 0.93" in warns
    assert "not positive definite" in warns          # lavaan warns on the same fit


def test_mobi_sem_matches_lavaan_and_flags_collinearity_not_inadmissibility(plan_run):
    _, _, steps = plan_run
    sem = steps["sem"]
    for key, value in REF["sem_fit"].items():
        assert sem["fit"][key] == pytest.approx(value, abs=TOL * max(1, abs(value) / 1000)), key
    est = {(e["lhs"], e["op"], e["rhs"]): e for e in sem["estimates"]}
    assert est[("loyalty", "=~", "CUSL2")]["std_all"] == pytest.approx(REF["sem_cusl2_std_all"], abs=TOL)
    path = est[("loyalty", "~", "satisfaction")]
    for k in ("est", "se", "std_all"):
        assert path[k] == pytest.approx(REF["sem_loyalty_on_satisfaction"][k], abs=TOL)
    ind = [e for e in sem["estimates"] if e["op"] == ":=" and e["lhs"] == "ind_quality"][0]
    assert ind["est"] == pytest.approx(REF["sem_ind_quality"]["est"], abs=TOL)
    assert ind["se"] == pytest.approx(REF["sem_ind_quality"]["se"], abs=1e-2)
    # standardized regressions beyond ±1 (loyalty ~ satisfaction = 3.27) come from collinear predictors:
    # lavaan accepts the solution, and so do we, with a collinearity warning
    assert sem["admissible"] is True
    warns = " | ".join(sem["warnings"])
    assert "collinear predictors of loyalty" in warns and "solution is inadmissible" not in warns
    assert "weak indicator: CUSL2" in warns


def test_mobi_drivers_of_a_construct_outcome(plan_run):
    _, _, steps = plan_run
    drv = steps["drivers"]
    assert drv["outcome"] == "satisfaction" and drv["n"] == 250
    data = pd.read_csv(MOBI)
    score = {c: data[[x for x in data.columns if x.startswith(p)]].mean(axis=1)
             for c, p in (("satisfaction", "CUSA"), ("image", "IMAG"), ("expectations", "CUEX"),
                          ("quality", "PERQ"), ("value", "PERV"))}
    X = np.column_stack([np.ones(250)] + [score[c] for c in ("image", "expectations", "quality", "value")])
    y = score["satisfaction"].to_numpy()
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    r2 = 1 - np.sum((y - X @ b) ** 2) / np.sum((y - y.mean()) ** 2)
    assert drv["r2"] == pytest.approx(r2, abs=1e-10)
    got = {d["driver"]: d for d in drv["drivers"]}
    assert got["quality"]["b"] == pytest.approx(b[3], abs=1e-10)
    assert sum(d["lmg"] for d in drv["drivers"]) == pytest.approx(r2, abs=1e-8)   # LMG shares R² exactly


def test_run_prints_each_steps_warnings_on_stderr(plan_run):
    res, _, _ = plan_run
    assert "warning: [cfa] weak indicator: CUSL2" in res.stderr
    assert "warning: [sem] collinear predictors" in res.stderr
