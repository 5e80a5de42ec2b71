"""The pls analysis: one entry point for the command line, a spec and a plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import assert_clean_error, run_cli

FIX = Path(__file__).parent / "fixtures" / "pls"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("pls") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _plan(tmp_path, demo, step: dict) -> Path:
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [step]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


def test_cli_spec_and_plan_give_the_same_json_and_sheets(demo, tmp_path):
    from openpyxl import load_workbook

    from cxstats.report.workbook import chart_overlaps

    r = run_cli("pls", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--lang", "en", "--bootstrap", "50", "--json", tmp_path / "cli.json", "--xlsx", tmp_path / "cli.xlsx",
                "-q")
    assert r.exit_code == 0, r
    plan = _plan(tmp_path, demo, {"step": "pls", "bootstrap": 50, "ipma_png": "ipma.png"})
    r = run_cli("run", plan, "--lang", "en", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    cli = json.loads((tmp_path / "cli.json").read_text())
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["result"] == cli
    assert cli["model_source"] == "built from the spec" and cli["ipma"]["target"] == "loyalty"
    assert (tmp_path / "out" / "ipma.png").exists() and (tmp_path / "out" / "ipma.svg").exists()
    a = load_workbook(tmp_path / "cli.xlsx")
    b = load_workbook(tmp_path / "out" / "plan_measurement.xlsx")
    pls_sheets = [s for s in a.sheetnames if s.startswith("PLS")]
    assert pls_sheets and set(pls_sheets) <= set(b.sheetnames)
    for name in pls_sheets:
        rows_a = [[c.value for c in row] for row in a[name].iter_rows(max_row=6)]
        rows_b = [[c.value for c in row] for row in b[name].iter_rows(max_row=6)]
        assert rows_a == rows_b, name
        assert chart_overlaps(a[name]) == [], name
    assert len(a["PLS IPMA"]._charts) == 1    # the native map, beside the table


def test_spanish_workbook_and_plain_file(tmp_path):
    from openpyxl import load_workbook

    model = tmp_path / "m.pls"
    model.write_text("IMG =~ IMAG1 + IMAG2 + IMAG4\nSAT =~ CUSA1 + CUSA2 + CUSA3\nLOY =~ CUSL1 + CUSL3\n"
                     "SAT ~ IMG\nLOY ~ SAT + IMG\n", encoding="utf-8")
    r = run_cli("pls", FIX.parent / "data" / "mobi.csv", "--model", f"@{model}", "--bootstrap", "30", "--lang", "es",
                "--xlsx", tmp_path / "p.xlsx", "--ipma-png", tmp_path / "i.png", "-q")
    assert r.exit_code == 0, r
    wb = load_workbook(tmp_path / "p.xlsx")
    assert "Rutas PLS" in wb.sheetnames and "PLS IPMA" in wb.sheetnames
    assert (tmp_path / "i.png").exists()


def test_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    r = run_cli("pls", FIX.parent / "data" / "mobi.csv", "--model", "A =~ IMAG1\nB =~ CUSA1\nB ~ A", "--bootstrap", "-1")
    assert_clean_error(r, "--bootstrap")
    plan = _plan(tmp_path, demo, {"step": "pls", "scheme": "mystery"})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].scheme")
    plan = _plan(tmp_path, demo, {"step": "pls", "bootstrap": 0, "model": "A =~ nope_1\nB =~ csat\nB ~ A"})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].model", "nope_1")


def test_ipma_importance_feeds_the_roi_step(demo, tmp_path):
    """A plan: a pls step with a single-item loyalty construct (recompra), then roi with
    importance: pls. The observed chain's slopes are the IPMA importances rescaled to the answer
    scales (both 1-5 here: the same numbers) with the bootstrap SEs."""
    from cxstats.spec.load import load_spec

    model = ("facilidad_web =~ web_1 + web_2 + web_3\npuntualidad_entrega =~ entrega_1 + entrega_2 + entrega_3\n"
             "sat =~ csat\nloy =~ recompra\nsat ~ facilidad_web + puntualidad_entrega\n"
             "loy ~ sat + facilidad_web + puntualidad_entrega\n")
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "finance": {"file": str(demo / "finance.csv")}, "roadmap": {"file": str(demo / "roadmap.csv")},
            "steps": [{"step": "pls", "bootstrap": 100, "predict_folds": 0, "model": model},
                      {"step": "roi", "draws": 300, "importance": "pls",
                       "constructs": ["facilidad_web", "puntualidad_entrega"]}]}
    path = tmp_path / "plan.yaml"
    # the roadmap may name other constructs: keep the two the model has
    rm = (demo / "roadmap.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "roadmap.csv").write_text("\n".join([rm[0]] + [r for r in rm[1:] if ",facilidad_web," in r
                                                               or ",puntualidad_entrega," in r]) + "\n")
    plan["roadmap"] = {"file": str(tmp_path / "roadmap.csv")}
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    r = run_cli("run", path, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    pls, roi = doc["steps"][0]["result"], doc["steps"][1]["result"]
    assert roi["chain"]["driver_model"] == "from the pls step (IPMA importance)"
    spec = load_spec(demo / "questionnaire.yaml")
    scales = spec.scored_columns()
    imp = {row["construct"]: row for row in pls["ipma"]["rows"]}
    coef = {c["coefficient"]: c for c in roi["coefficients"]}
    for c in ("facilidad_web", "puntualidad_entrega"):
        item = "web_1" if c == "facilidad_web" else "entrega_1"
        k = (scales["recompra"].max - scales["recompra"].min) / (scales[item].max - scales[item].min)
        assert coef[f"driver:{c}"]["est"] == pytest.approx(imp[c]["importance"] * k)
        assert coef[f"driver:{c}"]["se"] == pytest.approx(imp[c]["importance_se"] * k)
    # without a suitable pls result the option is refused, naming the plan key
    plan["steps"] = plan["steps"][1:]
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert_clean_error(run_cli("run", path, "--out", tmp_path / "o2"), "steps[0].importance")
