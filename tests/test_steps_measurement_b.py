"""cfa, invariance and sem through cxstats/steps: the command line and a one-step plan give the
same JSON and the same workbook sheets, and an option error is named as the command-line flag
or as the plan key."""

import json

import openpyxl
import pytest
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_measurement")
    res = run_cli("demo", folder, "--customers", 400, "--staff", 150, "--force")
    assert res.exit_code == 0, res
    return folder


def _files(demo):
    return [demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml"]


def _plan(demo, tmp_path, step: dict, name: str = "p"):
    """A one-step plan on the demo study; returns its path."""
    plan = {"spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [step]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


def _run_plan(demo, tmp_path, step: dict, name: str = "p"):
    """(step result as JSON, {workbook key: path}, document)."""
    out = tmp_path / f"{name}_out"
    res = run_cli("run", _plan(demo, tmp_path, step, name), "--lang", "en", "--out", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return doc["steps"][0]["result"], sorted(out.glob("*.xlsx")), doc


def _cli_json(*args):
    res = run_cli(*args, "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    return res.json()


def _sheets(path):
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Cover"  # the cover names each front end's own inputs: not compared
    return {name: [[c for c in row] for row in wb[name].iter_rows(max_row=6, values_only=True)]
            for name in wb.sheetnames[1:]}


# ------------------------------------------------------------------------ same JSON

@pytest.mark.parametrize("cli_extra, step", [
    ((), {"step": "cfa"}),
    (("--missing", "listwise", "--constructs", "facilidad_web,precio_valor"),
     {"step": "cfa", "missing": "listwise", "constructs": ["facilidad_web", "precio_valor"]}),
    (("--respondents", "staff", "--std-lv"), {"step": "cfa", "respondents": "staff", "std_lv": True}),
])
def test_cfa_cli_and_plan_give_the_same_json(demo, tmp_path, cli_extra, step):
    cli = _cli_json("cfa", *_files(demo), *cli_extra)
    plan, _, _ = _run_plan(demo, tmp_path, step)
    assert cli == plan
    if not cli_extra:   # customers only by default, and said so
        assert any("customers' answers only" in w for w in cli["warnings"])


def test_cfa_plan_honours_missing(demo, tmp_path):
    """The plan's cfa step used to ignore ``missing`` (always auto)."""
    lw, _, _ = _run_plan(demo, tmp_path, {"step": "cfa", "missing": "listwise"}, "lw")
    ml, _, _ = _run_plan(demo, tmp_path, {"step": "cfa", "missing": "ml"}, "ml")
    assert lw["missing"]["method"] == "listwise" and ml["missing"]["method"] == "ml"
    assert lw["n"] < ml["n"]


def test_invariance_cli_and_plan_give_the_same_json(demo, tmp_path):
    # cfa --invariance with a spec: the constructs' joint CFA tested as a whole (customers vs staff)
    whole = _cli_json("cfa", *_files(demo), "--invariance", "--constructs", "facilidad_web,precio_valor")
    plan, _, _ = _run_plan(demo, tmp_path, {"step": "invariance", "by_construct": False,
                                            "constructs": ["facilidad_web", "precio_valor"]}, "whole")
    assert whole == plan
    assert [s["step"] for s in whole["steps"]] == ["configural", "metric", "scalar", "strict"]
    # one verdict per construct: the plan's default, --by-construct on the command line
    each = _cli_json("cfa", *_files(demo), "--invariance", "--by-construct", "--rule", "lrt")
    plan, _, _ = _run_plan(demo, tmp_path, {"step": "invariance", "rule": "lrt"}, "each")
    assert each == plan
    assert each["construct_verdicts"]
    assert set(each["construct_verdicts"]) <= {c["construct"] for c in each["constructs"]}


def test_invariance_old_key_by_still_works(demo, tmp_path):
    new, _, _ = _run_plan(demo, tmp_path, {"step": "invariance", "group": "respondent_type",
                                           "constructs": ["facilidad_web"]}, "new")
    old, _, doc = _run_plan(demo, tmp_path, {"step": "invariance", "by": "respondent_type",
                                             "constructs": ["facilidad_web"]}, "old")
    assert old == new
    assert any("'by'" in w and "deprecated" in w and "'group'" in w for w in doc["warnings"])


def test_sem_cli_and_plan_give_the_same_json(demo, tmp_path):
    cli = _cli_json("sem", *_files(demo), "--bootstrap", 5, "--ci", "bc")
    plan, _, _ = _run_plan(demo, tmp_path, {"step": "sem", "bootstrap": 5, "ci": "bc"})
    assert cli == plan
    assert cli["bootstrap"]["replicates"] == 5 and cli["bootstrap"]["ci"] == "bc"
    model = "csat ~ b*web_1\nrecompra ~ g*csat\nind := b*g\n"
    cli = _cli_json("sem", *_files(demo), "--model", model, "--missing", "listwise")
    plan, _, _ = _run_plan(demo, tmp_path, {"step": "sem", "model": model, "missing": "listwise"}, "own")
    assert cli == plan and cli["model"] == model


# ------------------------------------------------------------------------ same sheets

@pytest.mark.parametrize("cli_extra, step", [
    (("cfa",), {"step": "cfa"}),
    (("cfa", "--invariance"), {"step": "invariance", "by_construct": False}),
    (("cfa", "--invariance", "--by-construct"), {"step": "invariance"}),
    (("sem",), {"step": "sem"}),
])
def test_cli_xlsx_has_the_plan_workbook_sheets(demo, tmp_path, cli_extra, step):
    xlsx = tmp_path / "cli.xlsx"
    res = run_cli(cli_extra[0], *_files(demo), *cli_extra[1:], "--lang", "en", "--xlsx", xlsx, "--quiet")
    assert res.exit_code == 0, res
    _, books, _ = _run_plan(demo, tmp_path, step)
    assert [b.name for b in books] == ["p_measurement.xlsx"]
    cli, plan = _sheets(xlsx), _sheets(books[0])
    assert list(cli) == list(plan)
    assert cli == plan
    assert "Methods" in cli


def test_sem_xlsx_without_spec_uses_the_same_layout(tmp_path):
    from conftest import DATASETS

    xlsx = tmp_path / "sem.xlsx"
    res = run_cli("sem", DATASETS / "HolzingerSwineford1939.csv", "--model",
                  "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual", "--xlsx", xlsx, "-q")
    assert res.exit_code == 0, res
    names = openpyxl.load_workbook(xlsx).sheetnames
    assert names[:4] == ["Cover", "SEM Fit", "SEM Estimates", "SEM R2"] and "Methods" in names


# ------------------------------------------------------------------------ option errors

def _plan_error(demo, tmp_path, step, *fragments):
    res = run_cli("run", _plan(demo, tmp_path, step, "bad"), "--out", tmp_path / "bad_out", "--quiet")
    assert_clean_error(res, *fragments)


def test_sem_bootstrap_error_names_flag_and_plan_key(demo, tmp_path):
    assert_clean_error(run_cli("sem", *_files(demo), "--bootstrap", -5), "--bootstrap", "negative")
    _plan_error(demo, tmp_path, {"step": "sem", "bootstrap": -5}, "steps[0].bootstrap", "negative")
    _plan_error(demo, tmp_path, {"step": "sem", "bootstrap": "abc"}, "steps[0].bootstrap", "whole number")
    _plan_error(demo, tmp_path, {"step": "sem", "ci": "wide"}, "steps[0].ci", "percentile")


def test_cfa_option_errors_name_flag_and_plan_key(demo, tmp_path):
    assert_clean_error(run_cli("cfa", *_files(demo), "--constructs", "nope"), "--constructs", "'nope'")
    _plan_error(demo, tmp_path, {"step": "cfa", "constructs": ["nope"]}, "steps[0].constructs", "'nope'")
    _plan_error(demo, tmp_path, {"step": "cfa", "missing": "bogus"}, "steps[0].missing", "auto, ml, listwise")
    assert_clean_error(run_cli("cfa", *_files(demo), "--missing", "bogus"), "--missing")
    assert_clean_error(run_cli("cfa", *_files(demo), "--group", "nope"), "--group", "'nope'")
    _plan_error(demo, tmp_path, {"step": "cfa", "group": "nope"}, "steps[0].group", "'nope'")


def test_invariance_option_errors_name_flag_and_plan_key(demo, tmp_path):
    assert_clean_error(run_cli("cfa", *_files(demo), "--invariance", "--group", "nope"), "--group", "'nope'")
    _plan_error(demo, tmp_path, {"step": "invariance", "group": "nope"}, "steps[0].group", "'nope'")
    _plan_error(demo, tmp_path, {"step": "invariance", "by": "nope"}, "steps[0].group", "'nope'")
    _plan_error(demo, tmp_path, {"step": "invariance", "rule": "vibes"}, "steps[0].rule", "cfi")
    _plan_error(demo, tmp_path, {"step": "invariance", "groups": ["customer"]}, "steps[0].groups", "two")
    _plan_error(demo, tmp_path, {"step": "invariance", "free": ["q3 ~ 1"]}, "steps[0].free", "construct")
    assert_clean_error(run_cli("cfa", *_files(demo), "--invariance", "--by-construct", "--free", "x ~ 1"),
                       "--free", "construct")
    assert_clean_error(run_cli("cfa", *_files(demo), "--invariance", "--free", "nope ~ 1"),
                       "--free", "not a parameter")
