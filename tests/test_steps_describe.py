"""The describe analysis: one entry point for the command line and the plan."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("describe") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _plan(tmp_path, demo, step: dict) -> "Path":
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [step]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


def test_cli_and_plan_give_the_same_json_and_sheets(demo, tmp_path):
    from openpyxl import load_workbook

    r = run_cli("describe", demo / "customers.csv", demo / "staff.csv", "--lang", "en", "--spec", demo / "questionnaire.yaml",
                "--columns", "web_1,nps", "--json", tmp_path / "cli.json", "--xlsx", tmp_path / "cli.xlsx")
    assert r.exit_code == 0, r
    plan = _plan(tmp_path, demo, {"step": "describe", "columns": ["web_1", "nps"]})
    r = run_cli("run", plan, "--lang", "en", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    cli = json.loads((tmp_path / "cli.json").read_text())
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["result"] == cli
    assert [v["variable"] for v in cli["variables"]] == ["web_1", "web_1", "nps", "nps"]
    a = load_workbook(tmp_path / "cli.xlsx")
    b = load_workbook(tmp_path / "out" / "plan_main.xlsx")
    assert a.sheetnames == b.sheetnames and a.sheetnames[0] == "Cover"
    for name in a.sheetnames[1:]:  # the cover names each front end's own inputs
        rows_a = [[c.value for c in row] for row in a[name].iter_rows(max_row=4)]
        rows_b = [[c.value for c in row] for row in b[name].iter_rows(max_row=4)]
        assert rows_a == rows_b, name


def test_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    r = run_cli("describe", demo / "customers.csv", "--columns", "web_1", "--scale-range", "5,1")
    assert_clean_error(r, "--scale-range:", "MIN,MAX")
    plan = _plan(tmp_path, demo, {"step": "describe", "columns": ["nope"]})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "plan.yaml", "steps[0].columns", "nope")
    plan = _plan(tmp_path, demo, {"step": "describe", "by": ["a"]})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].by", "must be a text")


def test_without_a_spec_top2_needs_the_scale(demo, tmp_path):
    r = run_cli("describe", demo / "customers.csv", "--columns", "web_1", "--missing-code", "99")
    assert_clean_error(r, "--scale-range")
    r = run_cli("describe", demo / "customers.csv", "--columns", "web_1", "--scale-range", "1,5",
                "--missing-code", "99", "--json", "-")
    assert r.exit_code == 0, r
    row = r.json()["variables"][0]
    import pandas as pd

    x = pd.read_csv(demo / "customers.csv")["web_1"]
    x = x[(x >= 1) & (x <= 5)]
    assert row["n"] == len(x) and row["top2_share"] == pytest.approx((x >= 4).mean(), abs=1e-12)


def test_what_ingest_did_reaches_the_analysis_and_ingest_warnings(tmp_path):
    """A .sav whose value labels number the answers differently from the spec is recoded by label
    (tests/fixtures/messy, made by make_messy.py): every analysis and ingest say so."""
    from conftest import FIXTURES

    messy = FIXTURES / "messy"
    r = run_cli("describe", messy / "reordered.sav", "--spec", messy / "messy_spec.yaml", "--json", "-")
    assert r.exit_code == 0, r
    warnings = r.json()["warnings"]
    assert len(warnings) == 3 and all("recoded by label" in w for w in warnings)
    r = run_cli("ingest", messy / "reordered.sav", "--spec", messy / "messy_spec.yaml", "--json", "-")
    assert r.exit_code == 0, r
    assert len(r.json()["notes"]) == 3
