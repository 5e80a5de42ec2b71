"""The ROI workbook for finance, and the demo plan measurement -> SEM -> finance -> ROI end to end."""

import json

import openpyxl
import pytest

from conftest import cell_code, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roiwb")
    assert run_cli("demo", folder).exit_code == 0
    return folder


@pytest.fixture(scope="module")
def workbook(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("roiwb_out") / "roi.xlsx"
    res = run_cli("roi", demo / "roadmap.csv", "--survey", demo / "customers.csv", "--spec",
                  demo / "questionnaire.yaml", "--finance", demo / "finance.csv", "--draws", 500, "--seed", 3,
                  "--xlsx", out, "-q", "--lang", "en")
    assert res.exit_code == 0, res
    return openpyxl.load_workbook(out)


def _header(ws):
    for row in ws.iter_rows():
        vals = [cell_code(c) for c in row]
        if vals and vals[0] in ("assumption", "rank", "assumption", "coefficient", "topic", "low"):
            return row[0].row, vals
    raise AssertionError("no header")


def test_sheets(workbook):
    for name in ("Assumptions", "Results", "Sensitivity", "Coefficients", "Methods"):
        assert name in workbook.sheetnames


def test_assumptions_name_every_input_and_source(workbook):
    ws = workbook["Assumptions"]
    hr, head = _header(ws)
    rows = {r[0].value: r for r in ws.iter_rows(min_row=hr + 1) if r[0].value}
    for key in ("roadmap", "discount_rate", "horizon_years", "customer_value", "finance_file",
                "finance_match_share", "driver:puntualidad_entrega", "churn:slope", "revenue:slope"):
        assert key in rows, key
    assert rows["discount_rate"][1].value == pytest.approx(0.08) and rows["discount_rate"][1].number_format == "0.0%"
    assert rows["horizon_years"][1].value == 3
    assert rows["customer_value"][1].number_format == '#,##0 "€"'
    assert "finance.csv" in rows["customer_value"][3].value
    assert "roadmap.csv" in rows["roadmap"][1].value


def test_results_numbers_formats_and_chart(workbook):
    ws = workbook["Results"]
    hr, head = _header(ws)
    col = {name: i for i, name in enumerate(head)}
    data = [r for r in ws.iter_rows(min_row=hr + 1, max_row=hr + 4)]
    assert [r[col["rank"]].value for r in data] == [1, 2, 3, 4]
    p50 = [r[col["npv_p50"]].value for r in data]
    assert all(isinstance(v, float) for v in p50) and p50 == sorted(p50, reverse=True)
    for r in data:
        assert r[col["npv_p10"]].value <= r[col["npv_p50"]].value <= r[col["npv_p90"]].value
    assert data[0][col["npv_p50"]].number_format == '#,##0 "€"'
    assert data[0][col["roi_p50"]].number_format == "0.0%"
    assert data[0][col["cost"]].number_format == '#,##0 "€"'
    assert len(ws._charts) == 1
    assert {r[col["initiative"]].value for r in data} == {"franja_2h", "primer_contacto", "rediseno_web", "embalaje"}


def test_sensitivity_table(workbook):
    ws = workbook["Sensitivity"]
    texts = [r[0].value for r in ws.iter_rows() if isinstance(r[0].value, str)]
    assert any("discount_rate" == t for t in texts) and any("driver:" in t for t in texts)
    hr, head = _header(ws)
    assert head[:6] == ["assumption", "low", "high", "npv_low", "npv_high", "npv_base"]
    first = next(ws.iter_rows(min_row=hr + 1, max_row=hr + 1))
    assert isinstance(first[3].value, float) and first[3].number_format == '#,##0 "€"'


def test_methods_sheet(workbook):
    text = " ".join(str(c.value) for row in workbook["Methods"].iter_rows() for c in row if c.value)
    assert "Monte Carlo" in text and "(1+r)^(-m/12)" in text
    # the demo spec allows the latent chain, so it is the default and the Methods say which and why
    assert "latent chain (default:" in text and "regression calibration" in text.lower()
    assert "u / mean(lambda)" in text and "Carroll" in text and "Skrondal" in text


def test_chain_stated_in_assumptions_and_coefficients(workbook):
    ws = workbook["Assumptions"]
    hr, head = _header(ws)
    first = next(ws.iter_rows(min_row=hr + 1, max_row=hr + 1))
    assert first[0].value == "chain" and first[1].value == "latent"
    assert "recompra, nps" in first[3].value and first[3].value.startswith("default")
    notes = " ".join(str(c.value) for row in ws.iter_rows(max_row=hr) for c in row if c.value)
    assert "Value chain: latent" in notes
    rows = {r[0].value: r for r in ws.iter_rows(min_row=hr + 1) if r[0].value}
    assert rows["loyalty_indicators"][1].value == "recompra, nps"
    assert 0.5 < rows["factor_score_reliability"][1].value < 1
    texts = [str(r[0].value) for r in workbook["Coefficients"].iter_rows() if r[0].value]
    assert any(t.startswith("Latent model (SEM") for t in texts)
    codes = {r[1].value for r in workbook["Coefficients"].iter_rows() if r[0].value}  # the code beside the name
    assert "puntualidad_entrega" in codes


def _plan(demo, name, roi_options):
    plan = demo / name
    plan.write_text(f"""spec: questionnaire.yaml
seed: 5
data:
  - file: customers.csv
    respondent_type: customer
finance:
  file: finance.csv
roadmap:
  file: roadmap.csv
steps:
  - step: roi
    draws: 100
{roi_options}""", encoding="utf-8")
    return plan


def test_plan_roi_chain_option(demo, tmp_path):
    res = run_cli("run", _plan(demo, "plan_obs.yaml", "    chain: observed\n"), "--out", tmp_path, "-q", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "plan_obs.json").read_text(encoding="utf-8"))
    roi = next(s["result"] for s in doc["steps"] if s["step"] == "roi")
    assert roi["chain"]["chain"] == "observed" and roi["latent_model"] is None
    assert "requested" in roi["chain"]["chain_reason"]
    res = run_cli("run", _plan(demo, "plan_bad.yaml", "    chain: latente\n"), "--out", tmp_path, "-q", "--lang", "en")
    assert res.exit_code == 2 and "chain" in res.stderr and "latente" in res.stderr
    res = run_cli("run", _plan(demo, "plan_ind.yaml", "    loyalty_indicators: [recompra, nps, lealtad]\n"),
                  "--out", tmp_path, "-q")
    assert res.exit_code == 2 and "lealtad" in res.stderr


def test_plan_sem_finance_roi_end_to_end(demo, tmp_path):
    plan = demo / "plan_roi.yaml"
    plan.write_text("""title: roi
spec: questionnaire.yaml
seed: 11
data:
  - file: customers.csv
    respondent_type: customer
finance:
  file: finance.csv
roadmap:
  file: roadmap.csv
steps:
  - step: sem
  - step: finance
  - step: roi
    draws: 300
""", encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path, "-q", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "plan_roi.json").read_text(encoding="utf-8"))
    steps = {s["step"]: s["result"] for s in doc["steps"]}
    assert steps["sem"]["converged"] and steps["finance"]["link"]["n_matched"] > 1900
    assert len(steps["roi"]["initiatives"]) == 4
    assert steps["roi"]["chain"]["chain"] == "latent" and steps["roi"]["latent_model"]["fit"]["cfi"] > 0.99
    assert (tmp_path / "plan_roi_roi.xlsx").exists() and (tmp_path / "plan_roi_measurement.xlsx").exists()
    wb = openpyxl.load_workbook(tmp_path / "plan_roi_roi.xlsx")
    assert {"Assumptions", "Results", "Finance models"} <= set(wb.sheetnames)


def test_plan_roi_without_roadmap_is_refused(demo, tmp_path):
    plan = demo / "plan_noroad.yaml"
    plan.write_text("""spec: questionnaire.yaml
data: customers.csv
finance:
  file: finance.csv
steps:
  - step: roi
""", encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path, "-q", "--lang", "en")
    assert res.exit_code == 2 and "roadmap" in res.stderr
