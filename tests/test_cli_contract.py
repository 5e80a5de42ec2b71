"""The command-line contract shared by every analysis command."""

import json

import pytest

from conftest import assert_clean_error, run_cli
from cxstats.demo.simulate import write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, n_customers=300, n_staff=80)
    return folder


@pytest.mark.parametrize("args", [
    ["gaps"], ["nps"], ["reliability"], ["drivers", "--outcome", "csat"], ["cfa"],
])
def test_spec_commands_read_customer_and_staff_files_together(demo, args):
    res = run_cli(args[0], demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                  *args[1:], "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    assert json.loads(res.stdout)


def test_gaps_compares_customers_with_staff_from_two_files(demo):
    res = run_cli("gaps", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                  "--json", "-")
    out = res.json()
    assert out["groups"] == ["customer", "staff"] and out["n"] == {"customer": 300, "staff": 80}


@pytest.mark.parametrize("command", ["gaps", "nps", "reliability", "drivers", "sem", "cfa"])
def test_several_files_without_a_spec_are_refused(demo, command):
    res = run_cli(command, demo / "customers.csv", demo / "staff.csv", "--json", "-")
    assert_clean_error(res, "add --spec")


def test_undeclared_missing_code_is_refused_then_declared(demo):
    # without a spec, 99 ("No sabe") read as an answer would wreck the factor analysis
    items = "web_1,web_2,web_3,info_1,info_2,info_3"
    res = run_cli("efa", demo / "customers.csv", "--items", items, "--factors", "2", "--json", "-")
    assert_clean_error(res, "customers.csv", "column 'web_", "value '99'", "looks like a missing-value code",
                       "--missing-code 99")
    ok = run_cli("efa", demo / "customers.csv", "--items", items, "--factors", "2", "--missing-code", "99",
                 "--json", "-")
    assert ok.exit_code == 0, ok
    assert ok.json()["kmo"]["overall"] > 0.7


def test_declared_missing_codes_do_not_leak_between_commands(demo):
    run_cli("reliability", demo / "customers.csv", "--scale", "web=web_1,web_2", "--missing-code", "99",
            "--json", "-")
    res = run_cli("reliability", demo / "customers.csv", "--scale", "web=web_1,web_2", "--json", "-")
    assert_clean_error(res, "looks like a missing-value code")


def test_large_values_outside_rating_scales_are_not_taken_for_codes(tmp_path):
    p = tmp_path / "money.csv"
    p.write_text("y,x1,x2\n" + "\n".join(f"{i * 7 % 130},{i % 99 + 1},{(i * 3) % 97}" for i in range(60)),
                 encoding="utf-8")
    res = run_cli("drivers", p, "--outcome", "y", "--drivers", "x1,x2", "--json", "-")
    assert res.exit_code == 0, res


def test_drivers_of_a_construct_from_the_spec(demo):
    res = run_cli("drivers", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                  "--outcome", "imagen_marca", "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    names = [d["driver"] for d in res.json()["drivers"]]
    assert "imagen_marca" not in names and len(names) == 9
    bad = run_cli("drivers", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                  "--outcome", "imagen", "--json", "-")
    assert_clean_error(bad, "column 'imagen'", "no such outcome or construct", "imagen_marca")


def test_gaps_warns_on_a_constant_item(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("g,a,b\nx,3,1\nx,3,2\nx,3,5\ny,3,4\ny,3,2\ny,3,3\n", encoding="utf-8")
    res = run_cli("gaps", p, "--group", "g", "--items", "a,b", "--json", "-")
    assert res.exit_code == 0
    assert any("item a: every answer is the same" in w for w in res.json()["warnings"])
    assert not any("item b: every answer" in w for w in res.json()["warnings"])


def test_nps_warns_when_no_one_answers_zero(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("nps\n" + "\n".join(str(1 + i % 10) for i in range(150)), encoding="utf-8")
    warnings = run_cli("nps", p, "--column", "nps", "--json", "-").json()["warnings"]
    assert any("no answer is 0 among 150" in w for w in warnings)
    p.write_text("nps\n" + "\n".join(str(i % 11) for i in range(150)), encoding="utf-8")
    assert not run_cli("nps", p, "--column", "nps", "--json", "-").json()["warnings"]


def test_xlsx_path_must_be_a_workbook(demo, tmp_path):
    res = run_cli("reliability", demo / "customers.csv", "--scale", "w=web_1,web_2", "--missing-code", "99",
                  "--xlsx", tmp_path / "out.txt")
    assert res.exit_code == 2 and "must end in .xlsx" in res.stderr and "Traceback" not in res.stderr


def test_ingest_writes_codes_as_whole_numbers(demo, tmp_path):
    out = tmp_path / "clean.csv"
    assert run_cli("ingest", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--out", out).exit_code == 0
    first = out.read_text(encoding="utf-8").splitlines()[1].split(",")
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    web1 = first[header.index("web_1")]
    assert web1 in {"1", "2", "3", "4", "5", ""}


def test_ipa_chart_names_each_driver(demo, tmp_path):
    import openpyxl

    out = tmp_path / "d.xlsx"
    res = run_cli("drivers", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--outcome", "csat",
                  "--xlsx", out, "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    ws = openpyxl.load_workbook(out)["Drivers"]
    chart = [c for c in ws._charts if c.tagname == "scatterChart"][0]
    labels = [ws[s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in chart.series]
    from cxstats.spec.load import load_spec

    names = load_spec(demo / "questionnaire.yaml").display_names("en")  # each driver by its spec name
    assert len(labels) == 10 and names["puntualidad_entrega"] in labels
    assert names["puntualidad_entrega"] != "puntualidad_entrega"


def test_piping_into_head_is_not_reported_as_a_bug(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    p = tmp_path / "s.csv"
    p.write_text("a,b,c\n" + "\n".join(f"{i % 5 + 1},{(i * 3) % 5 + 1},{(i * 7) % 5 + 1}" for i in range(200)),
                 encoding="utf-8")
    exe = Path(sys.executable).with_name("cxstats")
    done = subprocess.run(f"'{exe}' reliability '{p}' --scale s=a,b,c | head -1; echo \"${{PIPESTATUS[0]}}\"",
                          shell=True, executable="/bin/bash", capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] in ("0", "141"), done
