"""drivers, finance and roi: the command line and a plan run the same step (cxstats/steps), so they
give the same JSON and the same workbook sheets, and an option error names ``--flag`` on the
command line and ``steps[0].key`` in a plan."""

from __future__ import annotations

import json

import openpyxl
import pytest
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("money")
    res = run_cli("demo", folder, "--force")
    assert res.exit_code == 0, res
    return folder


def _plan(tmp_path, demo, step: dict, *, files=("customers.csv",), seed=5, name="one"):
    """A one-step plan over the demo study (absolute paths, so that file labels match the CLI's)."""
    plan = {"spec": str(demo / "questionnaire.yaml"), "seed": seed,
            "data": [str(demo / f) for f in files],
            "finance": {"file": str(demo / "finance.csv")}, "roadmap": {"file": str(demo / "roadmap.csv")},
            "steps": [step]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


def _run_plan(tmp_path, plan):
    out = tmp_path / "out"
    res = run_cli("run", plan, "--lang", "en", "--out", out, "-q")
    assert res.exit_code == 0, res
    return json.loads((out / f"{plan.stem}.json").read_text(encoding="utf-8")), out


def _cells(path):
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Cover"  # the cover names each front end's own inputs: not compared
    return {name: [[c.value for c in row] for row in wb[name].iter_rows()] for name in wb.sheetnames[1:]}


CASES = {
    "drivers": (["drivers", "{d}/customers.csv", "{d}/staff.csv", "--spec", "{d}/questionnaire.yaml",
                 "--outcome", "csat", "--bootstrap", "60", "--performance", "gap", "--seed", "5"],
                {"step": "drivers", "outcome": "csat", "bootstrap": 60, "performance": "gap"},
                ("customers.csv", "staff.csv"), "gaps"),
    "finance": (["finance", "{d}/customers.csv", "--spec", "{d}/questionnaire.yaml",
                 "--finance", "{d}/finance.csv", "--predictors", "recompra,nps"],
                {"step": "finance", "predictors": ["recompra", "nps"]}, ("customers.csv",), "roi"),
    "roi": (["roi", "{d}/roadmap.csv", "--survey", "{d}/customers.csv", "--spec", "{d}/questionnaire.yaml",
             "--finance", "{d}/finance.csv", "--draws", "200", "--margin", "0.5", "--seed", "5"],
            {"step": "roi", "draws": 200, "margin": 0.5}, ("customers.csv",), "roi"),
    "roi_observed": (["roi", "{d}/roadmap.csv", "--survey", "{d}/customers.csv", "--spec",
                      "{d}/questionnaire.yaml", "--finance", "{d}/finance.csv", "--draws", "150",
                      "--chain", "observed", "--horizon", "4", "--seed", "5"],
                     {"step": "roi", "draws": 150, "chain": "observed", "horizon": 4}, ("customers.csv",), "roi"),
    "roi_base": (["roi", "{d}/roadmap.csv", "--survey", "{d}/customers.csv", "--spec", "{d}/questionnaire.yaml",
                  "--finance", "{d}/finance.csv", "--draws", "100", "--customer-base", "300000", "--seed", "5"],
                 {"step": "roi", "draws": 100, "customer_base": 300000}, ("customers.csv",), "roi"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_and_plan_give_the_same_json_and_sheets(demo, tmp_path, case):
    args, step, files, book = CASES[case]
    args = [a.format(d=demo) for a in args]
    cli_json, cli_xlsx = tmp_path / "cli.json", tmp_path / "cli.xlsx"
    res = run_cli(*args, "--json", cli_json, "--lang", "en", "--xlsx", cli_xlsx, "-q")
    assert res.exit_code == 0, res
    doc, out = _run_plan(tmp_path, _plan(tmp_path, demo, step, files=files))
    assert [s["step"] for s in doc["steps"]] == [step["step"]]
    assert json.loads(cli_json.read_text(encoding="utf-8")) == doc["steps"][0]["result"]
    # the same layout: identical sheets, cell by cell (Warnings and Methods included)
    assert _cells(cli_xlsx) == _cells(out / f"one_{book}.xlsx")


def test_roi_in_a_plan_reuses_earlier_finance_and_drivers_results(demo, tmp_path):
    plan = _plan(tmp_path, demo, {"step": "finance"}, name="chain")
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    data["steps"] = [{"step": "drivers", "outcome": "recompra", "bootstrap": 0}, {"step": "finance"},
                     {"step": "roi", "draws": 100, "chain": "observed"}]
    plan.write_text(yaml.safe_dump(data), encoding="utf-8")
    doc, _ = _run_plan(tmp_path, plan)
    steps = {s["step"]: s["result"] for s in doc["steps"]}
    roi = steps["roi"]
    assert roi["chain"]["driver_model"] == "from the drivers step"
    drivers = {r["driver"]: r["b"] for r in steps["drivers"]["drivers"]}
    coef = {r["coefficient"]: r["est"] for r in roi["coefficients"]}
    for c, b in drivers.items():
        assert coef[f"driver:{c}"] == pytest.approx(b, rel=1e-12)
    fin = {(m["outcome"], m["predictor"]): m for m in steps["finance"]["models"]}
    assert coef["churn:slope"] == pytest.approx(fin[("churn", "recompra")]["b"], rel=1e-12)


@pytest.mark.parametrize("flag, key, value, fragments", [
    ("--bootstrap", "bootstrap", 20, ["use at least 50 replicates"]),
    ("--drivers", "drivers", "nope", ["'nope' is neither a construct nor an item"]),
    ("--outcome", "outcome", "lealtad", ["no such outcome or construct", "lealtad"]),
])
def test_drivers_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path, flag, key, value, fragments):
    res = run_cli("drivers", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                  *(["--outcome", "csat"] if key != "outcome" else []), flag, value)
    assert_clean_error(res, f"{flag}:", *fragments)
    step = {"step": "drivers", key: [value] if key == "drivers" else value}
    if key != "outcome":
        step["outcome"] = "csat"
    res = run_cli("run", _plan(tmp_path, demo, step), "--out", tmp_path / "out", "-q")
    assert_clean_error(res, f"steps[0].{key}", *fragments)
    assert flag not in res.stderr


def test_wrong_option_types_in_a_plan(demo, tmp_path):
    res = run_cli("run", _plan(tmp_path, demo, {"step": "drivers", "bootstrap": "abc"}), "--out", tmp_path, "-q")
    assert_clean_error(res, "steps[0].bootstrap", "whole number", "'abc'")
    assert_clean_error(run_cli("drivers", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                               "--bootstrap", "abc"), "--bootstrap")
    res = run_cli("run", _plan(tmp_path, demo, {"step": "roi", "chain": "latente"}), "--out", tmp_path, "-q")
    assert_clean_error(res, "steps[0].chain", "'latente'", "latent, observed")
    res = run_cli("run", _plan(tmp_path, demo, {"step": "finance", "min_match": "most"}), "--out", tmp_path, "-q")
    assert_clean_error(res, "steps[0].min_match", "number")


@pytest.mark.parametrize("flag, key, value, fragments", [
    ("--discount-rate", "discount_rate", 8, ["between 0 and 1"]),
    ("--horizon", "horizon", -1, ["positive number of years"]),
    ("--margin", "margin", 1.5, ["(0, 1]"]),
    ("--constructs", "constructs", "entrega", ["'entrega' is not a construct"]),
    ("--loyalty-indicators", "loyalty_indicators", "recompra,lealtad", ["'lealtad'"]),
    ("--customer-base", "customer_base", -5, ["positive number of customers"]),
    ("--customer-base", "customer_base", 100000, ["smaller than initiative", "150,000"]),
])
def test_roi_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path, flag, key, value, fragments):
    res = run_cli("roi", demo / "roadmap.csv", "--survey", demo / "customers.csv", "--spec",
                  demo / "questionnaire.yaml", "--finance", demo / "finance.csv", "--draws", 10, flag, value)
    assert_clean_error(res, f"{flag}:", *fragments)
    plan_value = value.split(",") if key in ("constructs", "loyalty_indicators") else value
    res = run_cli("run", _plan(tmp_path, demo, {"step": "roi", "draws": 10, key: plan_value}),
                  "--out", tmp_path / "out", "-q")
    assert_clean_error(res, f"steps[0].{key}", *fragments)


def test_finance_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    res = run_cli("finance", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                  "--finance", demo / "finance.csv", "--predictors", "nps,lealtad")
    assert_clean_error(res, "--predictors:", "'lealtad' is not an outcome, item or construct")
    res = run_cli("run", _plan(tmp_path, demo, {"step": "finance", "predictors": ["nps", "lealtad"]}),
                  "--out", tmp_path / "out", "-q")
    assert_clean_error(res, "steps[0].predictors", "'lealtad' is not an outcome, item or construct")
    res = run_cli("run", _plan(tmp_path, demo, {"step": "finance", "min_match": 1.5}), "--out", tmp_path, "-q")
    assert_clean_error(res, "steps[0].min_match", "between 0 and 1")


def test_plan_without_finance_or_roadmap_is_refused(demo, tmp_path):
    plan = _plan(tmp_path, demo, {"step": "finance"})
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    del data["finance"], data["roadmap"]
    plan.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert_clean_error(run_cli("run", plan, "--out", tmp_path, "-q"), "steps[0]", "finance table")
    data["steps"] = [{"step": "roi"}]
    plan.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert_clean_error(run_cli("run", plan, "--out", tmp_path, "-q"), "steps[0]", "roadmap")
