"""The gap workbook read back with openpyxl: sheets, key values, frozen panes, chart,
colour scales, text never turned into formulas; LibreOffice opens it; `cxstats run`."""

import json
import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import DATASETS, run_cli
from cxstats.report.gap_workbook import build_gap_workbook
from cxstats.stats.gaps import expand_aspirations, gap_analysis
from cxstats.stats.nps import nps_report

EVIL_ITEM = '=HYPERLINK("http://example.com","item")'
EVIL_SEG = '=HYPERLINK("x")'
G1, G2 = "Pasteur", "Grant-White"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    df = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv").rename(columns={"x9": EVIL_ITEM})
    df["seg"] = np.where(df.grade == 7, EVIL_SEG, "eight")
    df["rec"] = (df.x1 * 1.6).round().clip(0, 10)
    items = [f"x{i}" for i in range(1, 9)] + [EVIL_ITEM]
    levels = {"item": {i: [i] for i in items},
              "construct": {"visual": items[:3], "textual": items[3:6], "speed": items[6:]},
              "touchpoint": {"school_day": items[:6]}, "component": {"product": items[6:]}}
    res = gap_analysis(df, "school", levels=levels, compare=(G1, G2), by="seg", min_n=75,
                       aspirations=expand_aspirations(levels, {"visual": 5.0, "textual": 3.0, "speed": 5.0}))
    nps = nps_report(df, "rec", group="school")
    path = tmp_path_factory.mktemp("gapbook") / "gaps.xlsx"
    build_gap_workbook(res, path, invariance={"visual": "metric", "textual": "scalar"}, nps=nps)
    return path, res, nps


def _header(ws):
    row = int(ws.freeze_panes[1:]) - 1
    return row, [c.value for c in ws[row]]


def test_sheets_in_order_and_frozen(book):
    wb = openpyxl.load_workbook(book[0])
    names = wb.sheetnames
    assert names[0] == "Summary"
    assert names[1:6] == ["Items", "Constructs", "Touchpoints", "Components", "Segments"]
    assert "NPS" in names and names[-1] == "Methods"
    for name in ("Items", "Constructs", "Touchpoints", "Components", "Segments", "NPS"):
        assert wb[name].freeze_panes is not None, name


def test_key_values_formats_and_flags(book):
    path, res, _ = book
    ws = openpyxl.load_workbook(path)["Constructs"]
    hrow, header = _header(ws)
    rows = {ws.cell(row=r, column=header.index("name") + 1).value: r for r in range(hrow + 1, ws.max_row + 1)}
    want = {r["name"]: r for r in res.rows if r["level"] == "construct"}
    for name, r in want.items():
        row = rows[name]
        assert ws.cell(row=row, column=header.index(f"mean_{G1}") + 1).value == pytest.approx(r["mean"][0])
        assert ws.cell(row=row, column=header.index("diff") + 1).value == pytest.approx(r["diff"])
        assert ws.cell(row=row, column=header.index("p_holm") + 1).value == pytest.approx(r["p_holm"])
        cell = ws.cell(row=row, column=header.index(f"top2_{G1}") + 1)
        assert cell.number_format == "0.0%"
        assert ws.cell(row=row, column=header.index("p_holm") + 1).number_format == "0.0000"
    note = ws.cell(row=rows["visual"], column=header.index("note") + 1).value
    assert "not interpretable" in note and "metric" in note
    assert not ws.cell(row=rows["textual"], column=header.index("note") + 1).value
    assert ws.cell(row=rows["speed"], column=header.index("significant") + 1).value in ("yes", None)
    # diverging colour scale on the gap columns
    letters = {header.index(c) + 1 for c in ("diff", f"gap_to_aspiration_{G1}", "hedges_g")}
    scaled = set()
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            if rule.colorScale is not None:
                scaled.add(openpyxl.utils.column_index_from_string(str(rng.sqref).split(":")[0].rstrip("0123456789")))
    assert letters <= scaled


def test_summary_largest_gaps_and_chart(book):
    path, res, _ = book
    ws = openpyxl.load_workbook(path)["Summary"]
    assert len(ws._charts) == 1
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("Largest gaps") for t in texts)
    # the largest absolute construct difference is listed first
    cons = sorted((r for r in res.rows if r["level"] == "construct"), key=lambda r: -abs(r["diff"]))
    start = next(i for i, c in enumerate(ws["A"], start=1) if c.value == "name")
    assert ws.cell(row=start + 1, column=1).value == cons[0]["name"]
    assert "not interpretable" in " ".join(texts)


def test_text_from_data_is_never_a_formula(book):
    wb = openpyxl.load_workbook(book[0])
    found_item = found_seg = False
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if c.value == EVIL_ITEM:
                    found_item = True
                    assert c.data_type == "s"
                if c.value == EVIL_SEG:
                    found_seg = True
                    assert c.data_type == "s"
    assert found_item and found_seg


def test_segments_suppressed_cells_blank(book):
    path, res, _ = book
    ws = openpyxl.load_workbook(path)["Segments"]
    hrow, header = _header(ws)
    sup = header.index("suppressed") + 1
    diff = header.index("diff") + 1
    flagged = [r for r in range(hrow + 1, ws.max_row + 1) if ws.cell(row=r, column=sup).value == "yes"]
    assert flagged and all(ws.cell(row=r, column=diff).value is None for r in flagged)
    assert len(flagged) == sum(1 for r in res.segments if r["suppressed"])


def test_nps_and_methods_sheets(book):
    path, _, nps = book
    wb = openpyxl.load_workbook(path)
    ws = wb["NPS"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert nps.overall["nps"] == pytest.approx(next(v for v in values if isinstance(v, float)
                                                    and abs(v - nps.overall["nps"]) < 1e-9))
    methods = " ".join(str(c.value) for row in wb["Methods"].iter_rows() for c in row if c.value)
    for word in ("Welch", "Mann-Whitney", "Holm", "Hedges", "Adjusted-Wald", "suppressed", "invariance"):
        assert word in methods, word


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")), reason="LibreOffice not installed")
def test_libreoffice_converts_to_pdf(book, tmp_path):
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book[0])],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "gaps.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000


def test_run_plan_writes_gap_workbook(tmp_path):
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=200, n_staff=40)
    (tmp_path / "plan2.yaml").write_text(
        "spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
        "  - {file: staff.csv, respondent_type: staff}\n"
        "steps:\n  - step: nps\n  - step: gaps\n    levels: [construct, touchpoint, component]\n",
        encoding="utf-8")
    res = run_cli("run", tmp_path / "plan2.yaml", "--out", tmp_path / "out", "--quiet")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(tmp_path / "out" / "plan2_gaps.xlsx")
    assert wb.sheetnames[0] == "Summary" and "NPS" in wb.sheetnames and "Constructs" in wb.sheetnames
    doc = json.loads((tmp_path / "out" / "plan2.json").read_text())
    gaps = next(s for s in doc["steps"] if s["step"] == "gaps")["result"]
    assert gaps["groups"] == ["customer", "staff"] and len(gaps["constructs"]) == 10
