"""reliability and efa as steps: the command (``cxstats NAME --spec``) and a one-step plan give the
same JSON and the same workbook sheets, and an option error names ``--flag`` on the command line
and ``steps[0].key`` in a plan."""

import json

import openpyxl
import pytest
import yaml

from conftest import assert_clean_error, run_cli

SEED = 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("measurement_demo")
    res = run_cli("demo", folder, "--force")
    assert res.exit_code == 0, res
    return folder


def _data(demo):
    return [demo / "customers.csv", demo / "staff.csv"]


def _plan(tmp_path, demo, step: dict, name="plan"):
    plan = tmp_path / f"{name}.yaml"
    plan.write_text(yaml.safe_dump({
        "spec": str(demo / "questionnaire.yaml"), "seed": SEED,
        "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                 {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
        "output": {"json": f"{name}.json", "workbooks": {"measurement": f"{name}.xlsx"}},
        "steps": [step]}, sort_keys=False), encoding="utf-8")
    return plan


def _run_plan(tmp_path, demo, step, name="plan"):
    plan = _plan(tmp_path, demo, step, name)
    out = tmp_path / f"{name}_out"
    res = run_cli("run", plan, "--lang", "en", "--out", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return doc, out / f"{name}.xlsx", res


def _cli(tmp_path, demo, name, *args):
    js, xl = tmp_path / f"cli_{name}.json", tmp_path / f"cli_{name}.xlsx"
    res = run_cli(name, *_data(demo), "--lang", "en", "--spec", demo / "questionnaire.yaml", "--seed", SEED, *args,
                  "--json", js, "--xlsx", xl, "--quiet")
    assert res.exit_code == 0, res
    return json.loads(js.read_text(encoding="utf-8")), xl


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _same_workbooks(cli_xlsx, plan_xlsx):
    a, b = _cells(cli_xlsx), _cells(plan_xlsx)
    assert list(a) == list(b) and list(a)[0] == "Cover"
    for sheet in list(a)[1:]:  # the cover names each front end's own inputs
        assert a[sheet] == b[sheet], sheet


# ------------------------------------------------------------------------------ reliability
def test_reliability_command_equals_plan_json_and_workbook(tmp_path, demo):
    constructs = ["facilidad_web", "proceso_pago", "precio_valor"]
    cli_doc, cli_xlsx = _cli(tmp_path, demo, "reliability", "--constructs", ",".join(constructs),
                             "--bootstrap", "60", "--missing", "listwise")
    plan_doc, plan_xlsx, _ = _run_plan(tmp_path, demo, {"step": "reliability", "constructs": constructs,
                                                        "bootstrap": 60, "missing": "listwise"})
    assert plan_doc["steps"][0]["result"] == cli_doc
    assert {s["group"] for s in cli_doc["scales"]} == {"customer", "staff"}
    assert {s["scale"] for s in cli_doc["scales"]} == set(constructs)
    assert all(s["alpha_ci_bootstrap"]["n_boot"] == 60 for s in cli_doc["scales"])
    _same_workbooks(cli_xlsx, plan_xlsx)
    assert {"Reliability", "Reliability items", "Methods"} <= set(_cells(cli_xlsx))


def test_reliability_default_spec_run_equals_plan(tmp_path, demo):
    cli_doc, _ = _cli(tmp_path, demo, "reliability")
    plan_doc, _, _ = _run_plan(tmp_path, demo, {"step": "reliability"})
    assert plan_doc["steps"][0]["result"] == cli_doc
    # reverse-keyed items of the spec arrive recoded and are reported as such
    web = next(s for s in cli_doc["scales"] if s["scale"] == "facilidad_web")
    assert web["reverse_keyed"] == ["web_3"]


def test_reliability_group_option_and_deprecated_by(tmp_path, demo):
    cli_doc, _ = _cli(tmp_path, demo, "reliability", "--constructs", "facilidad_web", "--group", "region")
    new, _, _ = _run_plan(tmp_path, demo, {"step": "reliability", "constructs": ["facilidad_web"],
                                           "group": "region"}, name="new")
    old, _, res = _run_plan(tmp_path, demo, {"step": "reliability", "constructs": ["facilidad_web"],
                                             "by": "region"}, name="old")
    assert new["steps"][0]["result"] == cli_doc == old["steps"][0]["result"]
    assert len({s["group"] for s in cli_doc["scales"]}) > 1
    assert any("'by'" in w and "deprecated" in w and "'group'" in w for w in old["warnings"])


def test_reliability_option_errors_name_flag_and_plan_key(tmp_path, demo):
    spec = demo / "questionnaire.yaml"
    assert_clean_error(run_cli("reliability", *_data(demo), "--spec", spec, "--bootstrap", "-5"),
                       "--bootstrap:", "negative")
    for bad in ("abc", -5):
        plan = _plan(tmp_path, demo, {"step": "reliability", "bootstrap": bad})
        assert_clean_error(run_cli("run", plan, "--quiet"), "plan.yaml", "steps[0].bootstrap")
    assert_clean_error(run_cli("reliability", *_data(demo), "--spec", spec, "--group", "nope"),
                       "--group:", "'nope'")
    plan = _plan(tmp_path, demo, {"step": "reliability", "group": "nope"})
    assert_clean_error(run_cli("run", plan, "--quiet"), "steps[0].group", "'nope'")
    assert_clean_error(run_cli("reliability", *_data(demo), "--spec", spec, "--constructs", "web"),
                       "--constructs:", "unknown construct 'web'")
    assert_clean_error(run_cli("reliability", *_data(demo), "--spec", spec, "--reverse", "web_1"),
                       "--reverse:", "spec")
    plan = _plan(tmp_path, demo, {"step": "reliability", "missing": "everything"})
    assert_clean_error(run_cli("run", plan, "--quiet"), "steps[0].missing")


def test_reliability_plain_file_reverse_errors_name_parameters(tmp_path):
    good = tmp_path / "g.csv"
    good.write_text("a,b,c\n1,2,3\n2,2,3\n3,3,4\n4,4,5\n2,3,3\n", encoding="utf-8")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a,b,c", "--reverse", "zz", "--min", "1",
                               "--max", "5"), "--reverse:", "zz")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a,b,c", "--reverse", "a", "--min", "5",
                               "--max", "1"), "--min:")


# ------------------------------------------------------------------------------ efa
def test_efa_with_spec_command_equals_plan_json_and_workbook(tmp_path, demo):
    constructs = ["facilidad_web", "proceso_pago", "precio_valor"]
    cli_doc, cli_xlsx = _cli(tmp_path, demo, "efa", "--constructs", ",".join(constructs), "--respondents",
                             "both", "--iterations", "4")
    plan_doc, plan_xlsx, _ = _run_plan(tmp_path, demo, {"step": "efa", "constructs": constructs,
                                                        "respondents": "both", "iterations": 4})
    assert plan_doc["steps"][0]["result"] == cli_doc
    kinds = [a["respondent_type"] for a in cli_doc["analyses"]]
    assert kinds == ["customer", "staff"]
    items = [f"{p}_{i}" for p in ("web", "pago", "precio") for i in (1, 2, 3)]
    assert cli_doc["analyses"][0]["items"] == items
    assert cli_doc["analyses"][0]["n_factors_source"] == "parallel analysis"
    _same_workbooks(cli_xlsx, plan_xlsx)
    assert {"EFA customer", "EFA staff", "Methods"} <= set(_cells(cli_xlsx))


def test_efa_spec_default_customers_and_factors_constructs(tmp_path, demo):
    cli_doc, cli_xlsx = _cli(tmp_path, demo, "efa", "--items", "web_1,web_2,web_3,pago_1,pago_2,pago_3",
                             "--factors", "2", "--rotation", "promax", "--iterations", "3")
    plan_doc, plan_xlsx, _ = _run_plan(tmp_path, demo, {
        "step": "efa", "items": ["web_1", "web_2", "web_3", "pago_1", "pago_2", "pago_3"], "factors": 2,
        "rotation": "promax", "iterations": 3})
    assert plan_doc["steps"][0]["result"] == cli_doc
    assert [a["respondent_type"] for a in cli_doc["analyses"]] == ["customer"]
    assert cli_doc["analyses"][0]["n_factors"] == 2 and cli_doc["analyses"][0]["rotation"] == "promax"
    _same_workbooks(cli_xlsx, plan_xlsx)
    # factors: constructs (one factor per chosen construct) and the old key respondent_type
    doc, _, _ = _run_plan(tmp_path, demo, {"step": "efa", "constructs": ["facilidad_web", "proceso_pago"],
                                           "factors": "constructs", "respondent_type": "staff",
                                           "iterations": 2}, name="old")
    a = doc["steps"][0]["result"]["analyses"]
    assert [x["respondent_type"] for x in a] == ["staff"] and a[0]["n_factors"] == 2
    cli_doc, _ = _cli(tmp_path, demo, "efa", "--constructs", "facilidad_web,proceso_pago", "--factors",
                      "constructs", "--respondents", "staff", "--iterations", "2")
    assert cli_doc == doc["steps"][0]["result"]
    assert any("'respondent_type'" in w and "'respondents'" in w for w in doc["warnings"])


def test_efa_option_errors_name_flag_and_plan_key(tmp_path, demo):
    spec = demo / "questionnaire.yaml"
    assert_clean_error(run_cli("efa", *_data(demo), "--spec", spec, "--iterations", "0"), "--iterations:")
    plan = _plan(tmp_path, demo, {"step": "efa", "iterations": 0})
    assert_clean_error(run_cli("run", plan, "--quiet"), "plan.yaml", "steps[0].iterations")
    # too many factors is found by the statistics, named by parameter, shown as the flag / plan key
    args = ("--constructs", "facilidad_web,proceso_pago", "--factors", "5", "--iterations", "2")
    assert_clean_error(run_cli("efa", *_data(demo), "--spec", spec, *args), "--factors:", "too many")
    plan = _plan(tmp_path, demo, {"step": "efa", "constructs": ["facilidad_web", "proceso_pago"],
                                  "factors": 5, "iterations": 2})
    assert_clean_error(run_cli("run", plan, "--quiet"), "steps[0].factors", "too many")
    for key, value in (("factors", "many"), ("respondents", "everyone"), ("items", ["nope_1", "web_1", "web_2"]),
                       ("constructs", ["web"])):
        plan = _plan(tmp_path, demo, {"step": "efa", key: value})
        assert_clean_error(run_cli("run", plan, "--quiet"), f"steps[0].{key}")
    assert_clean_error(run_cli("efa", demo / "customers.csv"), "--items:")
    assert_clean_error(run_cli("efa", demo / "customers.csv", "--items", "web_1,web_2,web_3", "--respondents",
                               "staff"), "--respondents:", "study spec")
