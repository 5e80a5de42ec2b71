"""The gaps and nps analyses: one entry point for the command line and the plan (same JSON,
same sheets, option errors named as --flag or steps[i].key, NotApplicable steps skipped)."""

from __future__ import annotations

import json
import re

import pytest
import numpy as np
import pandas as pd
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("gaps_steps") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _plan(tmp_path, demo, *steps, staff: bool = True, spec=None, name="plan.yaml"):
    data = [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}]
    if staff:
        data.append({"file": str(demo / "staff.csv"), "respondent_type": "staff"})
    plan = {"title": "t", "spec": str(spec or demo / "questionnaire.yaml"), "data": data, "steps": list(steps)}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


def _files(demo, staff=True):
    return [demo / "customers.csv"] + ([demo / "staff.csv"] if staff else [])


def _run_both(tmp_path, demo, name, cli_args, step, staff=True):
    """(CLI JSON, plan JSON of the step, CLI workbook path, plan workbook path)."""
    r = run_cli(name, *_files(demo, staff), "--lang", "en", "--spec", demo / "questionnaire.yaml", *cli_args,
                "--json", tmp_path / "cli.json", "--xlsx", tmp_path / "cli.xlsx", "-q")
    assert r.exit_code == 0, r
    plan = _plan(tmp_path, demo, {"step": name, **step}, staff=staff)
    r = run_cli("run", plan, "--lang", "en", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    cli = json.loads((tmp_path / "cli.json").read_text())
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["step"] == name
    return cli, doc["steps"][0]["result"], tmp_path / "cli.xlsx", tmp_path / "out" / "plan_gaps.xlsx"


def _same_sheets(a_path, b_path):
    from openpyxl import load_workbook

    a, b = load_workbook(a_path), load_workbook(b_path)
    assert a.sheetnames == b.sheetnames and a.sheetnames[0] == "Cover"
    for name in a.sheetnames[1:]:  # the cover names each front end's own inputs
        rows_a = [[c.value for c in row] for row in a[name].iter_rows(max_row=6)]
        rows_b = [[c.value for c in row] for row in b[name].iter_rows(max_row=6)]
        assert rows_a == rows_b, name
    return a.sheetnames


# ------------------------------------------------------------------------------ same JSON, same sheets

def test_gaps_cli_and_plan_give_the_same_json_and_sheets(demo, tmp_path):
    cli, plan, a, b = _run_both(
        tmp_path, demo, "gaps",
        ["--by", "region", "--min-n", "20", "--levels", "construct,touchpoint", "--alpha", "0.01"],
        {"by": "region", "min_n": 20, "levels": ["construct", "touchpoint"], "alpha": 0.01})
    assert plan == cli
    assert cli["groups"] == ["customer", "staff"] and cli["alpha"] == 0.01
    assert "items" not in cli and cli["constructs"] and cli["segments"]["column"] == "region"
    names = _same_sheets(a, b)
    assert names[:6] == ["Cover", "Executive summary", "Summary", "Constructs", "Touchpoints", "Segments"]
    assert names[-1] == "Methods"


def test_gaps_customers_only_cli_and_plan_agree(demo, tmp_path):
    cli, plan, a, b = _run_both(tmp_path, demo, "gaps", ["--aspiration", "precio_valor=4.2"],
                                {"aspirations": {"precio_valor": 4.2}}, staff=False)
    assert plan == cli
    assert cli["mode"] == "one_group" and cli["groups"] == ["customer"]
    assert "no frontline-staff respondents" in cli["warnings"][0]
    price = next(r for r in cli["constructs"] if r["name"] == "precio_valor")
    assert price["aspiration"] == 4.2   # the option overrides the spec's aspiration
    _same_sheets(a, b)


def test_nps_cli_and_plan_give_the_same_json_and_sheets(demo, tmp_path):
    cli, plan, a, b = _run_both(tmp_path, demo, "nps", ["--by", "region", "--min-n", "25"],
                                {"by": "region", "min_n": 25})
    assert plan == cli
    assert cli["column"] == "nps" and cli["csat"] and cli["ces"] and cli["segments"]["min_n"] == 25
    assert _same_sheets(a, b)[:3] == ["Cover", "Executive summary", "NPS"]


def test_nps_by_respondent_type_compares_customers_and_staff(demo, tmp_path):
    cli, plan, _, _ = _run_both(tmp_path, demo, "nps", ["--group", "respondent_type"],
                                {"group": "respondent_type"})
    assert plan == cli
    assert [g["group"] for g in cli["groups"]] == ["customer", "staff"]
    assert cli["comparison"]["group1"] == "customer" and cli["comparison"]["group2"] == "staff"


def test_plan_gap_workbook_holds_gaps_and_nps_with_the_summary_first(demo, tmp_path):
    from openpyxl import load_workbook

    plan = _plan(tmp_path, demo, {"step": "nps"}, {"step": "gaps", "levels": ["construct"]})
    r = run_cli("run", plan, "--lang", "en", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    names = load_workbook(tmp_path / "out" / "plan_gaps.xlsx").sheetnames
    assert names[:3] == ["Cover", "Executive summary", "Summary"] and "NPS" in names and "Constructs" in names and names[-1] == "Methods"


# ------------------------------------------------------------------------------ option errors

def test_gaps_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    spec = ("--spec", demo / "questionnaire.yaml")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--min-n", "0"), "--min-n:", "at least 1")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--alpha", "2"), "--alpha:", "between 0 and 1")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--by", "nope"), "--by:", "'nope'",
                       "segments of the spec")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--levels", "construct,nope"), "--levels:", "nope")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--compare", "customer"), "--compare:", "two")
    assert_clean_error(run_cli("gaps", *_files(demo), *spec, "--invariance", "web=great"), "--invariance:",
                       "'great'")
    for step, key, words in (({"min_n": "abc"}, "min_n", "whole number"),
                             ({"min_n": 0}, "min_n", "at least 1"),
                             ({"alpha": 1.5}, "alpha", "between 0 and 1"),
                             ({"by": "nope"}, "by", "segments of the spec"),
                             ({"levels": ["nope"]}, "levels", "nope"),
                             ({"weight": 3}, "weight", "a text or true or false"),
                             ({"aspirations": {"precio_valor": "high"}}, "aspirations", "number"),
                             ({"aspirations": {"nope": 4}}, "aspirations", "not an item"),
                             ({"colums": 1}, "colums", "no option")):
        plan = _plan(tmp_path, demo, {"step": "gaps", **step})
        assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o", "-q"), "plan.yaml", f"steps[0].{key}",
                           words)


def test_nps_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    spec = ("--spec", demo / "questionnaire.yaml")
    r = run_cli("nps", *_files(demo), *spec, "--min-n", "abc")
    assert_clean_error(r, "--min-n")
    assert_clean_error(run_cli("nps", *_files(demo), *spec, "--min-n", "0"), "--min-n:", "at least 1")
    assert_clean_error(run_cli("nps", *_files(demo), *spec, "--column", "nope"), "--column:", "'nope'")
    assert_clean_error(run_cli("nps", *_files(demo), *spec, "--compare", "a,b"), "--compare:", "group column")
    assert_clean_error(run_cli("nps", demo / "customers.csv", "--column", "nps", "--respondents", "all"),
                       "--respondents:", "spec")
    for step, key, words in (({"min_n": "abc"}, "min_n", "whole number"),
                             ({"column": "nope"}, "column", "'nope'"),
                             ({"by": ["region"]}, "by", "must be a text"),
                             ({"respondents": "everyone"}, "respondents", "not one of"),
                             ({"csat": {"csat": "five"}}, "csat", "number")):
        plan = _plan(tmp_path, demo, {"step": "nps", **step})
        assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o", "-q"), "plan.yaml", f"steps[0].{key}",
                           words)


# ------------------------------------------------------------------------------ not applicable

def test_gaps_without_staff_and_aspirations_does_not_apply(demo, tmp_path):
    text = (demo / "questionnaire.yaml").read_text(encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text(re.sub(r"\n\s*aspiration: [0-9.]+", "", text), encoding="utf-8")
    r = run_cli("gaps", demo / "customers.csv", "--spec", bare, "--json", "-")
    assert_clean_error(r, "no aspiration")
    plan = _plan(tmp_path, demo, {"step": "gaps"}, {"step": "nps"}, staff=False, spec=bare)
    r = run_cli("run", plan, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert [s["step"] for s in doc["steps"]] == ["nps"]
    assert doc["skipped"][0]["step"] == "gaps" and "no aspiration" in doc["skipped"][0]["skipped"]
    assert any("skipped" in w and "no aspiration" in w for w in doc["warnings"])
    # with the aspiration given as an option, the one-group analysis runs
    r = run_cli("gaps", demo / "customers.csv", "--spec", bare, "--aspiration", "facilidad_web=4.5",
                "--json", "-", "-q")
    assert r.exit_code == 0, r
    assert r.json()["mode"] == "one_group"


# -- issue 11: --compare accepts value labels as well as codes -------------------------------------
def test_gaps_compare_accepts_segment_value_labels(demo, tmp_path):
    spec = ["--spec", demo / "questionnaire.yaml"]
    common = ["gaps", *_files(demo), *spec, "--group", "region", "--levels", "construct", "--json", "-"]
    by_code = run_cli(*common, "--compare", "norte,sur")
    by_label = run_cli(*common, "--compare", "North,Sur")
    assert by_code.exit_code == 0 and by_label.exit_code == 0, (by_code, by_label)
    assert by_label.json() == by_code.json() and by_code.json()["groups"] == ["norte", "sur"]
    assert_clean_error(run_cli(*common, "--compare", "North,Atlantis"), "Atlantis", "values present")


def test_gaps_compare_accepts_sav_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"grp": [1.0] * 20 + [2.0] * 20 + [3.0] * 5,
                       "q1": rng.integers(1, 6, 45).astype(float)})
    p = tmp_path / "g.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels={"grp": {1.0: "North", 2.0: "South", 3.0: "East"}})
    a = run_cli("gaps", p, "--group", "grp", "--compare", "1,2", "--items", "q1", "--json", "-")
    b = run_cli("gaps", p, "--group", "grp", "--compare", "north,South", "--items", "q1", "--json", "-")
    assert a.exit_code == 0 and b.exit_code == 0, (a, b)
    assert a.json() == b.json() and a.json()["groups"] == ["1", "2"]


# --------------------------------------------------------------- the Summary chart's axis = the rating scale

def _summary_chart_axis(xlsx):
    from openpyxl import load_workbook

    from cxstats.report.workbook import chart_overlaps

    ws = load_workbook(xlsx)["Summary"]
    assert chart_overlaps(ws) == []
    (chart,) = ws._charts
    assert chart.type == "bar" and chart.x_axis.scaling.orientation == "maxMin"  # bars in the table's order
    assert chart.dataLabels is not None and chart.dataLabels.showVal
    return chart.y_axis.scaling.min, chart.y_axis.scaling.max


def test_gaps_chart_axis_runs_over_the_spec_scale(demo, tmp_path):
    """The demo's items are all on 1-5: the JSON says so (scale_min from the spec's scales) and the
    Summary chart's value axis runs from 1 to 5, for two groups and for one group."""
    for sub in ("two", "one"):
        (tmp_path / sub).mkdir()
    cli, plan, a, b = _run_both(tmp_path / "two", demo, "gaps", ["--levels", "construct"],
                                {"levels": ["construct"]})
    assert plan == cli
    assert (cli["scale_min"], cli["scale_max"], cli["scales_differ"]) == (1.0, 5.0, False)
    assert cli["scale_min_source"] == "the spec's scales"
    assert _summary_chart_axis(a) == _summary_chart_axis(b) == (1.0, 5.0)
    cli, plan, a, _ = _run_both(tmp_path / "one", demo, "gaps", ["--levels", "construct"],
                                {"levels": ["construct"]}, staff=False)
    assert plan == cli and cli["mode"] == "one_group"
    assert (cli["scale_min"], cli["scale_max"]) == (1.0, 5.0)
    assert _summary_chart_axis(a) == (1.0, 5.0)


def test_gaps_without_spec_take_the_observed_minimum(tmp_path):
    """Without a spec the scale minimum is the observed minimum of the pooled answers (here 2:
    nobody chose 1), stated as such; the chart's axis starts there."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    df = pd.DataFrame({f"q{i}": rng.integers(2, 6, 80) for i in (1, 2, 3)})
    df.to_csv(tmp_path / "s.csv", index=False)
    r = run_cli("gaps", tmp_path / "s.csv", "--scale", "web=q1,q2,q3", "--aspiration", "web=4.5",
                "--json", tmp_path / "g.json", "--xlsx", tmp_path / "g.xlsx", "-q")
    assert r.exit_code == 0, r
    doc = json.loads((tmp_path / "g.json").read_text())
    assert (doc["scale_min"], doc["scale_max"]) == (2.0, 5.0)
    assert doc["scale_min_source"] == "observed minimum of the pooled answers"
    assert _summary_chart_axis(tmp_path / "g.xlsx") == (2.0, 5.0)
