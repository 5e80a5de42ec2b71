"""The demo study (known truth), `cxstats run`, determinism, and the README's main job."""

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from conftest import cell_code, assert_clean_error, run_cli
from cxstats.demo.simulate import load_demo_spec, rounded_normal_mean, write_demo
from cxstats.io.survey import load_survey

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    res = run_cli("demo", folder, "--force")
    assert res.exit_code == 0, res
    return folder


def test_rounded_normal_mean_closed_form_against_simulation():
    rng = np.random.default_rng(1)
    y = np.clip(np.floor(rng.normal(3.4, 1.0, 400_000) + 0.5), 1, 5)
    assert rounded_normal_mean(3.4, 1.0, 1, 5) == pytest.approx(y.mean(), abs=0.005)
    assert rounded_normal_mean(3.0, 1e-6, 1, 5) == pytest.approx(3.0)
    assert rounded_normal_mean(9.0, 1e-6, 1, 5) == pytest.approx(5.0)


def test_demo_files_and_size(demo):
    names = {p.name for p in demo.iterdir()}
    assert {"questionnaire.yaml", "customers.csv", "staff.csv", "finance.csv", "roadmap.csv",
            "truth.json", "plan.yaml"} <= names
    survey = load_survey(load_demo_spec(), [demo / "customers.csv", demo / "staff.csv"])
    assert len(survey.customers()) == 2000 and len(survey.staff()) == 200


def test_demo_recovers_true_item_and_construct_means(demo):
    truth = json.loads((demo / "truth.json").read_text())
    survey = load_survey(load_demo_spec(), [demo / "customers.csv", demo / "staff.csv"])
    cust, staff = survey.customers(), survey.staff()
    # each sample mean within 4 standard errors of its population value
    for item, t in truth["items"].items():
        for part, key in ((cust, "customer_mean"), (staff, "staff_mean")):
            x = part[item].dropna()
            se = x.std() / math.sqrt(len(x))
            assert abs(x.mean() - t[key]) < 4 * se, (item, key, x.mean(), t[key])
    # the simulated customer-staff gaps: staff overrate delivery and after-sales, underrate price
    c = truth["constructs"]
    assert c["puntualidad_entrega"]["customer_minus_staff"] < -0.5
    assert c["resolucion_posventa"]["customer_minus_staff"] < -0.4
    assert c["precio_valor"]["customer_minus_staff"] > 0.3
    assert c["facilidad_web"]["customer_minus_staff"] == 0


def test_demo_is_seeded_and_byte_identical(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_demo(a, seed=7, n_customers=200, n_staff=30)
    write_demo(b, seed=7, n_customers=200, n_staff=30)
    write_demo(c, seed=8, n_customers=200, n_staff=30)
    for name in ("customers.csv", "staff.csv", "finance.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "customers.csv").read_bytes() != (c / "customers.csv").read_bytes()


def test_demo_refuses_to_overwrite_without_force(demo):
    assert_clean_error(run_cli("demo", demo), "already holds a demo study", "--force")


def test_run_writes_describe_workbook_customer_vs_staff(demo, tmp_path):
    out = tmp_path / "reports"
    res = run_cli("run", demo / "plan.yaml", "--out", out, "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads((out / "demo_results.json").read_text())
    describe = doc["steps"][0]
    assert describe["step"] == "describe"
    rows = {(r["variable"], r["group"]): r for r in describe["result"]["variables"]}
    survey = load_survey(load_demo_spec(), [demo / "customers.csv", demo / "staff.csv"])
    x = survey.staff()["entrega_1"].dropna()
    r = rows[("entrega_1", "staff")]
    assert r["n"] == len(x) and r["mean"] == pytest.approx(x.mean(), abs=1e-12)
    assert r["sd"] == pytest.approx(x.std(ddof=1), abs=1e-12)
    assert r["top2_share"] == pytest.approx((x >= 4).mean(), abs=1e-12)
    nps = survey.customers()["nps"]
    assert rows[("nps", "customer")]["top2_share"] == pytest.approx((nps >= 9).mean())
    web1 = survey.customers()["web_1"]
    assert rows[("web_1", "customer")]["missing_share"] == pytest.approx(web1.isna().mean())

    wb = openpyxl.load_workbook(out / "demo_measurement.xlsx")
    ws = wb["Describe"]
    header = [cell_code(c) for c in ws[ws.freeze_panes and int(ws.freeze_panes[1:]) - 1]]
    assert "customer_mean" in header and "staff_mean" in header
    assert ws.freeze_panes is not None
    col = header.index("staff_mean") + 1
    code = header.index("code") + 1  # the variable's wording in column 1, its code beside it
    assert header[:2] == ["variable", "code"]
    values = {ws.cell(row=i, column=code).value: ws.cell(row=i, column=col).value for i in range(1, ws.max_row + 1)}
    assert values["entrega_1"] == pytest.approx(x.mean())
    assert "Methods" in wb.sheetnames


def test_run_json_is_byte_identical(demo, tmp_path):
    run_cli("run", demo / "plan.yaml", "--out", tmp_path / "a", "--quiet")
    run_cli("run", demo / "plan.yaml", "--out", tmp_path / "b", "--quiet")
    a = (tmp_path / "a" / "demo_results.json").read_bytes()
    assert a == (tmp_path / "b" / "demo_results.json").read_bytes()


def test_run_plan_errors(tmp_path, demo):
    plan = tmp_path / "plan.yaml"
    plan.write_text("spec: x.yaml\nsteps:\n  - step: describe\n  - step: teleport\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan), "plan.yaml", "steps[1].step", "unknown step 'teleport'")
    plan.write_text("steps: [describe]\ndata: customers.csv\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan), "plan.yaml", "spec")
    plan.write_text(f"spec: {demo / 'questionnaire.yaml'}\ndata: [{{file: {demo / 'customers.csv'}, "
                    "respondent_type: cliente}]\nsteps: [describe]\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan), "data[0].respondent_type")
    plan.write_text(f"spec: {demo / 'questionnaire.yaml'}\ndata: {demo / 'customers.csv'}\n"
                    "steps:\n  - step: describe\n    colums: [web_1]\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan), "steps[0]", "no option 'colums'")
    assert_clean_error(run_cli("run", tmp_path / "none.yaml"), "none.yaml", "no such plan file")


def test_help_is_fast_and_imports_no_heavy_library():
    code = ("import sys, time; t = time.time(); from cxstats.cli.main import cli, _discover; "
            "cmds = _discover(); heavy = [m for m in ('numpy', 'pandas', 'scipy', 'statsmodels', "
            "'semopy', 'openpyxl', 'matplotlib') if m in sys.modules]; print(heavy, len(cmds))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("[]"), out
    exe = Path(sys.executable).with_name("cxstats")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    assert min(times) < 0.5, times


def test_every_command_has_teaching_help():
    from cxstats.cli.main import _discover

    for name, cmd in _discover().items():
        res = run_cli(name, "--help")
        assert res.exit_code == 0, (name, res)
        assert len(res.stdout) > 200, name


def test_readme_main_job_in_a_fresh_folder(tmp_path):
    """The README's first command runs `make demo`: the demo study and its plan -> reports/."""
    makefile = (ROOT / "Makefile").read_text()
    assert "cxstats demo reports/demo-study --force" in makefile
    assert "cxstats run reports/demo-study/plan.yaml --out reports" in makefile
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    exe = Path(sys.executable).with_name("cxstats")
    env = dict(os.environ)
    subprocess.run([str(exe), "demo", "reports/demo-study", "--force"], cwd=tmp_path, check=True,
                   capture_output=True, env=env)
    done = subprocess.run([str(exe), "run", "reports/demo-study/plan.yaml", "--out", "reports"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "reports").glob("*.xlsx"))


def test_plan_step_list_options_are_checked(tmp_path, demo):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"spec: {demo / 'questionnaire.yaml'}\ndata: [{demo / 'customers.csv'}]\n"
                    "steps:\n  - step: describe\n  - step: reliability\n    constructs: [web, facilidad_web]\n",
                    encoding="utf-8")
    assert_clean_error(run_cli("run", plan), "plan.yaml", "steps[1].constructs", "unknown construct 'web'")


def test_plan_output_dir_is_relative_to_the_plan(tmp_path, demo):
    plan = tmp_path / "plans" / "p.yaml"
    plan.parent.mkdir()
    plan.write_text(f"spec: {demo / 'questionnaire.yaml'}\ndata: [{demo / 'customers.csv'}]\n"
                    "output: {dir: ../out, json: r.json}\nsteps: [describe]\n", encoding="utf-8")
    assert run_cli("run", plan, "--quiet").exit_code == 0
    assert (tmp_path / "out" / "r.json").exists()
    assert run_cli("run", plan, "--quiet", "--out", tmp_path / "cli").exit_code == 0
    assert (tmp_path / "cli" / "r.json").exists()


def test_step_errors_are_located_in_the_plan(tmp_path, demo):
    # a data problem found inside a step (no file attached) is reported at steps[i]
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"spec: {demo / 'questionnaire.yaml'}\ndata: [{demo / 'customers.csv'}]\n"
                    "steps:\n  - step: describe\n  - step: drivers\n    outcome: nps\n"
                    "    outcome_type: binary\n    binary_threshold: 11\n    bootstrap: 0\n", encoding="utf-8")
    res = run_cli("run", plan, "--quiet")
    assert_clean_error(res, "plan.yaml", "steps[1]", "column 'nps'", "outcome is constant")


def test_json_is_byte_identical_across_processes(tmp_path):
    """Same input and seed -> same bytes, whatever Python's per-process hash seed."""
    write_demo(tmp_path / "d", seed=3, n_customers=300, n_staff=60)
    plan = tmp_path / "d" / "small.yaml"
    plan.write_text("spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
                    "  - {file: staff.csv, respondent_type: staff}\nsteps:\n  - step: reliability\n"
                    "  - step: gaps\n    by: region\n  - step: drivers\n    bootstrap: 50\n", encoding="utf-8")
    exe = Path(sys.executable).with_name("cxstats")
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([str(exe), "run", str(plan), "--out", str(tmp_path / hash_seed), "--quiet"],
                       check=True, capture_output=True, env=env)
        outs.append((tmp_path / hash_seed / "small.json").read_bytes())
    assert outs[0] == outs[1]
