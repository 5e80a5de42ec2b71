"""Measurement invariance against lavaan (HS by school), partial invariance, verdict
rules, per-construct verdicts (known truth) and the plan step."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.stats.invariance import analyze_invariance, construct_invariance

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


# The HS configural model fits only so-so (lavaan: CFI .923, RMSEA .097, SRMR .068): under the
# default configural gate (RMSEA <= .08) configural invariance is not established (see
# test_configural_gate_on_hs). The step rules are tested here with the RMSEA cut-off relaxed.
LAX = {"configural_rmsea": 0.10}


@pytest.fixture(scope="module")
def inv(hs):
    return analyze_invariance(hs, HS_MODEL, "school", **LAX)


def test_steps_match_lavaan(inv):
    ref = reference("invariance_hs")
    assert inv.group_labels == ref["groups"]["labels"] == ["Pasteur", "Grant-White"]
    assert inv.n_by_group == [156, 145]
    for step in inv.steps:
        r = ref["steps"][step["step"]]
        assert step["df"] == r["df"] and step["npar"] == r["npar"]
        for key in ("chisq", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic", "bic", "logl"):
            assert step[key.replace(".", "_")] == pytest.approx(r[key], abs=1e-3), (step["step"], key)
        for g, val in r["chisq_by_group"].items():
            assert step["chisq_by_group"][g] == pytest.approx(val, abs=1e-3)


def test_parameters_of_every_step_match_lavaan(inv):
    ref = reference("invariance_hs")
    for level, fit in inv.fits.items():
        est = fit.estimates()
        rows = ref["steps"][level]["parameters"]
        assert len(est) == len(rows)
        for r, (_, row) in zip(rows, est.iterrows()):
            assert (row.lhs, row.op, row.rhs, row.group) == (r["lhs"], r["op"].replace(" ", ""), r["rhs"], r["group"])
            assert row.est == pytest.approx(r["est"], abs=1e-3)
            assert row.se == pytest.approx(r["se"], abs=1e-3)
            assert row.std_all == pytest.approx(r["std.all"], abs=1e-3)


def test_lrt_table_matches_lavtestlrt(inv):
    ref = reference("invariance_hs")
    for ours, r, t in zip(inv.lrt, ref["lrt"], ref["lrt_table"][1:]):
        assert ours["comparison"] == r["comparison"]
        assert ours["chisq_diff"] == pytest.approx(r["chisq_diff"], abs=1e-3)
        assert ours["df_diff"] == r["df_diff"]
        assert ours["pvalue"] == pytest.approx(r["pvalue"], abs=1e-4)
        assert ours["delta_cfi"] == pytest.approx(r["delta_cfi"], abs=1e-4)
        assert ours["delta_rmsea"] == pytest.approx(r["delta_rmsea"], abs=1e-4)
        assert ours["rmsea_diff"] == pytest.approx(t["RMSEA"], abs=1e-4)


def test_verdict_rules_on_hs(inv, hs):
    # default rule: ΔCFI <= -0.01 (Cheung & Rensvold). Scalar's ΔCFI = -0.038 fails: metric,
    # the same level the LRT supports; means not comparable
    assert inv.rule == "cfi" and inv.level == "metric" and not inv.means_comparable
    assert "not comparable" in inv.verdict
    # ΔCFI per step: metric -0.0025, scalar -0.0384, strict -0.0095 (lavaan's CFIs above)
    assert [t["supported"] for t in inv.lrt] == [True, False, True]
    # Chen's joint rule: scalar's ΔRMSEA (0.0145) stays under 0.015, so it passes, but the
    # doubt raised by ΔCFI = -0.038 and the LRT is stated, never silent
    by_chen = analyze_invariance(hs, HS_MODEL, "school", rule="chen", **LAX)
    assert by_chen.level == "strict"
    assert any(n.startswith("scalar invariance passes the chen rule but is doubtful by ΔCFI = -0.0385")
               for n in by_chen.notes)
    by_lrt = analyze_invariance(hs, HS_MODEL, "school", rule="lrt", levels=("configural", "metric", "scalar"),
                                **LAX)
    assert by_lrt.level == "metric"
    assert [t["supported"] for t in by_lrt.lrt] == [True, False]


def test_partial_invariance_frees_named_intercepts(hs, inv):
    part = analyze_invariance(hs, HS_MODEL, "school", free=["x3 ~ 1", "x7~1"], rule="lrt", **LAX)
    scalar = {s["step"]: s for s in part.steps}["scalar"]
    assert scalar["df"] == 60 - 2
    assert part.steps[0]["chisq"] == pytest.approx(inv.steps[0]["chisq"], abs=1e-6)   # configural unchanged
    est = part.fits["scalar"].estimates()
    ints = est[est.op == "~1"].set_index(["lhs", "group"]).est
    assert ints[("x3", 1)] != pytest.approx(ints[("x3", 2)], abs=1e-3)
    assert ints[("x1", 1)] == pytest.approx(ints[("x1", 2)], abs=1e-12)
    assert part.free == ["x3 ~1", "x7 ~1"]
    # with x3 and x7 intercepts free, partial scalar invariance holds by the LRT (p = .25), strict does not
    assert part.lrt[1]["chisq_diff"] == pytest.approx(5.379, abs=1e-3) and part.lrt[1]["df_diff"] == 4
    assert part.level == "scalar"


def test_partial_free_must_name_a_parameter(hs):
    from cxstats.errors import InputError

    with pytest.raises(InputError, match="not a parameter of the model"):
        analyze_invariance(hs, HS_MODEL, "school", free=["x99 ~ 1"])


def _two_groups(shift_item=None, n=600, seed=11):
    rng = np.random.default_rng(seed)
    frames = []
    for g, mean in (("customer", 0.0), ("staff", 0.5)):
        f = rng.normal(mean, 1, n)
        d = {f"q{i}": 3 + lam * f + rng.normal(0, 0.6, n) for i, lam in enumerate([1.0, 0.8, 0.9, 0.7], 1)}
        if shift_item and g == "staff":
            d[shift_item] = d[shift_item] + 0.6           # intercept non-invariance
        d["grp"] = g
        frames.append(pd.DataFrame(d))
    return pd.concat(frames, ignore_index=True)


def test_per_construct_known_truth():
    data = _two_groups(shift_item="q2")
    data["r1"], data["r2"], data["r3"] = (data.q1 + np.random.default_rng(1).normal(0, .7, len(data)),
                                          data.q1 + np.random.default_rng(2).normal(0, .7, len(data)),
                                          data.q1 + np.random.default_rng(3).normal(0, .7, len(data)))
    res = construct_invariance(data, {"shifted": ["q1", "q2", "q3", "q4"], "clean": ["r1", "r2", "r3"],
                                      "short": ["q1", "q3"]}, "grp", rule="lrt")
    v = res.verdicts()
    assert v["shifted"] == "metric"           # loadings equal, one intercept shifted
    assert v["clean"] in ("scalar", "strict")
    assert v["short"] is None
    assert res.comparable() == {"shifted": False, "clean": True, "short": False}
    assert res.construct_verdicts == {"shifted": "metric", "clean": v["clean"]}
    # freeing the shifted intercept restores scalar invariance
    res2 = construct_invariance(data, {"shifted": ["q1", "q2", "q3", "q4"]}, "grp", rule="lrt",
                                free={"shifted": ["q2 ~ 1"]})
    assert res2.verdicts()["shifted"] in ("scalar", "strict")


def test_cli_invariance(hs_path):
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance", "--json", "-")
    assert res.exit_code == 0, res
    d = res.json()
    assert [s["step"] for s in d["steps"]] == ["configural", "metric", "scalar", "strict"]
    assert d["steps"][2]["chisq"] == pytest.approx(164.103, abs=1e-3)
    assert d["lrt"][1]["chisq_diff"] == pytest.approx(40.059, abs=1e-3)
    assert d["cutoffs"] == {"delta_cfi": -0.01, "delta_rmsea": 0.015, "alpha": 0.05}
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance",
                  "--free", "x3 ~ 1", "--rule", "cfi", "--json", "-")
    assert res.exit_code == 0, res
    assert res.json()["steps"][2]["df"] == 59
    assert_clean_error(run_cli("cfa", hs_path, "--model", HS_MODEL, "--free", "x3 ~ 1"), "--invariance")
    assert_clean_error(run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance",
                               "--free", "x3 ~ 2"), "cannot read the parameter")


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    import yaml

    from cxstats.demo.simulate import write_demo
    from cxstats.plan.context import PlanContext
    from cxstats.steps import StepContext

    folder = tmp_path_factory.mktemp("demo_inv")
    write_demo(folder, n_customers=800, n_staff=200)
    plan = PlanContext(plan_path=folder / "plan.yaml", plan=yaml.safe_load((folder / "plan.yaml").read_text()))
    return StepContext(spec=plan.spec, survey_loader=lambda: plan.survey)


def test_plan_steps_on_the_demo_known_invariant(demo_ctx):
    """The demo simulates invariant measurement: every construct should reach scalar."""
    from cxstats.errors import InputError
    from cxstats.report.layouts import cfa as cfa_layout
    from cxstats.report.layouts import invariance as inv_layout
    from cxstats.report.workbook import WorkbookBuilder
    from cxstats.stats.invariance import InvarianceResult
    from cxstats.steps import StepContext
    from cxstats.steps import cfa as cfa_step
    from cxstats.steps import invariance as inv_step

    res = inv_step.run(demo_ctx, inv_step.Options(rule="cfi"))
    verdicts = res.construct_verdicts
    assert len(verdicts) == len(demo_ctx.spec.constructs())
    assert sum(v in ("scalar", "strict") for v in verdicts.values()) >= len(verdicts) - 1
    later = StepContext(spec=demo_ctx.spec, results=[res])      # what a later gaps step sees
    assert later.latest(InvarianceResult).construct_verdicts == verdicts
    wb = WorkbookBuilder()
    inv_layout.sheets(wb, res)
    c = cfa_step.run(demo_ctx, cfa_step.Options(constructs=[c.id for c in demo_ctx.spec.constructs()][:3]))
    assert c.fit["cfi"] > 0.95 and len(c.sem.pt.lv) == 3
    cfa_layout.sheets(wb, c)

    with pytest.raises(InputError, match="rule") as err:
        inv_step.Options.from_mapping({"rule": "vibes"}, step="invariance")
    assert err.value.option == "rule"
    with pytest.raises(InputError, match="no option"):
        cfa_step.Options.from_mapping({"bogus": 1}, step="cfa")


def test_plan_step_passes_the_missing_option_through(tmp_path):
    from cxstats.demo.simulate import write_demo
    from conftest import run_cli

    write_demo(tmp_path, n_customers=300, n_staff=150)
    results = {}
    for how in ("listwise", "ml"):
        plan = tmp_path / f"{how}.yaml"
        plan.write_text("spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
                        "  - {file: staff.csv, respondent_type: staff}\nsteps:\n  - step: invariance\n"
                        f"    constructs: [facilidad_web]\n    missing: {how}\n", encoding="utf-8")
        assert run_cli("run", plan, "--out", tmp_path / how, "--quiet").exit_code == 0
        doc = json.loads((tmp_path / how / f"{how}.json").read_text())
        results[how] = json.dumps(doc["steps"][0]["result"]["constructs"])
    assert '"listwise"' in results["listwise"] and '"ml"' in results["ml"]
