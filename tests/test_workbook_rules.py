"""Layout rules of every workbook cxstats writes (issue 12): WorkbookBuilder and the cover sheet.

The demo plan's workbooks are checked whole (every chart on every sheet, every cell), so a
layout of any analysis that breaks a rule fails here, not in front of a client.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli
from cxstats.report.workbook import (P_FORMAT, WorkbookBuilder, chart_box, chart_overlaps, column_px,
                                     filled_cells, header_codes)

ROOT = Path(__file__).resolve().parents[1]
DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    res = run_cli("demo", folder, "--force")
    assert res.exit_code == 0, res
    return folder


@pytest.fixture(scope="module")
def books(demo, tmp_path_factory):
    """Every workbook the demo plan writes: {file name: path} (gap, measurement, ROI, follow-up, verbatims; not the follow-up list for the
    CRM, demo_seguimiento.xlsx: a data file with fixed columns, checked in test_followup.py)."""
    out = tmp_path_factory.mktemp("out")
    res = run_cli("run", demo / "plan.yaml", "--out", out, "-q", "--lang", "en")
    assert res.exit_code == 0, res
    found = {p.name: p for p in sorted(out.glob("*.xlsx")) if p.name != "demo_seguimiento.xlsx"}
    assert len(found) == 5 and (out / "demo_seguimiento.xlsx").exists(), found
    return found


def _all_sheets(books):
    for name, path in books.items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            yield name, ws


# ------------------------------------------------------------------ the demo plan's workbooks

def test_every_chart_is_clear_of_every_non_empty_cell_and_other_charts(books):
    charts, problems = 0, []
    for name, ws in _all_sheets(books):
        charts += len(ws._charts)
        problems += [f"{name}: {p}" for p in chart_overlaps(ws)]
    assert charts >= 3  # gaps summary, drivers IPA, ROI results
    assert problems == []


def test_no_cell_holds_an_absolute_path(books, demo):
    bad = []
    for name, ws in _all_sheets(books):
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and (c.value.startswith("/") or DRIVE.match(c.value)
                                                 or str(demo) in c.value):
                    bad.append((name, ws.title, c.coordinate, c.value[:80]))
    assert bad == []


def test_every_workbook_opens_on_a_cover_with_inputs_hashes_seed_and_labelled_warnings(books, demo):
    plan = yaml.safe_load((demo / "plan.yaml").read_text(encoding="utf-8"))
    for name, path in books.items():
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[0] == "Cover", (name, wb.sheetnames)
        assert wb.active.title == "Cover"
        ws = wb["Cover"]
        cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
        pairs = {row[0].value: row[1].value for row in ws.iter_rows(min_col=1, max_col=2) if row[0].value}
        assert pairs["Title"] == plan["title"]
        assert pairs["Random seed"] == str(plan["seed"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", pairs["Date"])
        from cxstats import __version__
        assert pairs["cxstats version"] == __version__
        for f in ("plan.yaml", "questionnaire.yaml", "customers.csv", "staff.csv", "finance.csv", "roadmap.csv"):
            assert f in cells, (name, f)
            digest = hashlib.sha256((demo / f).read_bytes()).hexdigest()
            assert digest in cells, (name, f)
        warnings = [v for v in cells if isinstance(v, str) and re.match(r"^\[[a-z_0-9]+\] ", v)]
        assert len(warnings) == len(set(warnings))  # each once
    roi = openpyxl.load_workbook(books["demo_roi_workbook.xlsx"])["Cover"]
    texts = [c.value for row in roi.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("[finance] ") and "not in the finance file" in t for t in texts)
    assert any(t.startswith("[roi] ") for t in texts)
    measurement = openpyxl.load_workbook(books["demo_measurement.xlsx"])["Cover"]
    texts = [c.value for row in measurement.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("[sem] missing data") for t in texts)


def test_bar_charts_keep_their_axes_and_show_data_labels(books):
    bars = 0
    for name, ws in _all_sheets(books):
        for chart in ws._charts:
            if chart.tagname != "barChart":
                continue
            bars += 1
            assert chart.x_axis.delete is False and chart.y_axis.delete is False, (name, ws.title)
            assert chart.dataLabels is not None and chart.dataLabels.showVal, (name, ws.title)
    assert bars >= 2


def test_pvalue_and_share_columns_follow_one_convention(books):
    seen_p = seen_share = 0
    for name, ws in _all_sheets(books):
        for row in ws.iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.fill.fgColor.rgb in ("001F3864", "FF1F3864")):
                    continue  # header cells only
                header = (c.comment.text.strip() if c.comment is not None else c.value).lower()  # its code
                below = ws.cell(row=c.row + 1, column=c.column)
                if not isinstance(below.value, float):
                    continue
                if header in ("pvalue", "p_holm") or header.endswith("_pvalue"):
                    assert below.number_format == P_FORMAT, (name, ws.title, header, below.number_format)
                    seen_p += 1
                if header.endswith("_share"):
                    assert below.number_format == "0.0%", (name, ws.title, header, below.number_format)
                    seen_share += 1
    assert seen_p and seen_share


def test_sheets_freeze_name_columns_and_repeat_their_header_when_printed(books):
    wb = openpyxl.load_workbook(books["demo_gap_workbook.xlsx"])
    ws = wb["Constructs"]
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "Level")
    assert [ws.cell(row=header, column=c).value for c in (1, 2, 3)] == ["Level", "Name", "code"]
    assert ws.freeze_panes == f"D{header + 1}"  # level, name and the name's code stay in view
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.column_dimensions["A"].width < 20


def test_long_notes_do_not_widen_column_a_and_wrap_in_tall_rows(books):
    for name, ws in _all_sheets(books):
        if ws.title in ("Summary", "Results", "Drivers"):
            assert (ws.column_dimensions["A"].width or 0) <= 40, (name, ws.title)
    ws = openpyxl.load_workbook(books["demo_measurement.xlsx"])["Methods"]
    for row in range(3, ws.max_row + 1):
        text = ws.cell(row=row, column=2).value or ""
        if len(text) > 300:  # several lines at 110 characters: the row is tall enough
            assert ws.row_dimensions[row].height >= 15 * (len(text) // 130), (row, len(text))


# ------------------------------------------------------------------ the builder's rules, one by one

def test_add_text_merges_a_long_note_instead_of_widening_column_a(tmp_path):
    wb = WorkbookBuilder()
    long = "A note that goes on and on about how the numbers were computed. " * 5
    wb.add_text("S", ["Title", long], bold_first=True)
    wb.add_table("S", pd.DataFrame({"name": ["a", "b"], "mean": [1.5, 2.5]}))
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["S"]
    assert ws.column_dimensions["A"].width < 20
    merged = [r for r in ws.merged_cells.ranges if r.min_row == 2]
    assert merged and merged[0].max_col > 1
    assert ws.row_dimensions[2].height >= 30  # several lines


def test_name_columns_frozen_header_printed_and_second_table_drops_print_titles(tmp_path):
    wb = WorkbookBuilder()
    wb.add_table("S", pd.DataFrame({"group": ["x"], "name": ["a"], "mean": [1.0]}), title="T")
    wb.add_table("One", pd.DataFrame({"name": ["a"], "v": [1.0]}))
    wb.add_table("One", pd.DataFrame({"other": ["a"], "w": [1.0]}))
    wb.save(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book["S"].freeze_panes == "C3" and book["S"].print_title_rows == "$2:$2"
    assert book["One"].freeze_panes == "B2" and not book["One"].print_title_rows


def test_pvalues_show_below_a_thousandth_and_shares_as_percent(tmp_path):
    wb = WorkbookBuilder()
    df = pd.DataFrame({"name": ["a"], "pvalue": [0.0001], "p_holm": [0.2], "mw_p_x": [0.01], "p_top": [0.4],
                       "top2_share": [0.5], "n": [10]})
    wb.add_table("S", df, formats={"pvalue": "0.0000", "p_top": "0%"})
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["S"]
    fmt = dict(zip(header_codes(ws, 1), (ws.cell(row=2, column=j).number_format for j in range(1, 8))))
    assert fmt["pvalue"] == fmt["p_holm"] == fmt["mw_p_x"] == P_FORMAT
    assert fmt["p_top"] == "0%"  # a layout's percent format (a probability of being first) stays
    assert fmt["top2_share"] == "0.0%" and fmt["n"] == "0"


def test_bar_chart_rating_axis_order_labels_and_placement(tmp_path):
    wb = WorkbookBuilder()
    ref = wb.add_table("S", pd.DataFrame({"name": ["b", "a", "c"], "mean": [4.1, 3.2, 2.5]}), title="Means")
    wb.add_bar_chart(ref, "name", ["mean"], title="Means", horizontal=True, y_min=1, y_max=5)
    wide = pd.DataFrame({f"col_{i}": [1.0] for i in range(20)})
    wb.add_table("S", wide, title="A wide table written after the chart")
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["S"]
    chart = ws._charts[0]
    assert chart.y_axis.scaling.min == 1 and chart.y_axis.scaling.max == 5
    assert chart.x_axis.scaling.orientation == "maxMin"  # first row on top
    assert chart.x_axis.delete is False and chart.y_axis.delete is False and chart.dataLabels.showVal
    assert chart_overlaps(ws) == []
    box = chart_box(ws, chart)
    assert box[0] == 4 and box[1] == 2  # beside the table, level with its header
    header_of_wide = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "col_0")
    assert header_of_wide > box[3]  # the later table starts below the chart


def test_a_chart_over_cells_written_later_is_moved_clear_at_save(tmp_path):
    wb = WorkbookBuilder()
    ref = wb.add_table("S", pd.DataFrame({"name": ["a", "b"], "v": [1.0, 2.0]}))
    wb.add_scatter_chart(ref, "v", "v", title="t", x_title="x", y_title="y", anchor="E2")
    assert chart_box(wb.wb["S"], wb.wb["S"]._charts[0])[:2] == (5, 2)  # clear when placed
    wb.wb["S"]["F8"] = "written by a layout, directly, under the chart"
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["S"]
    assert chart_overlaps(ws) == []
    assert chart_box(ws, ws._charts[0])[1] > 8  # moved below everything


def test_chart_box_follows_column_widths():
    wb = WorkbookBuilder()
    ref = wb.add_table("S", pd.DataFrame({"name": ["a"], "v": [1.0]}))
    wb.add_bar_chart(ref, "name", ["v"], title="t", width=10, height=5)
    ws = wb.wb["S"]
    c1, r1, c2, r2 = chart_box(ws, ws._charts[0])
    px = sum(column_px(ws, c) for c in range(c1, c2 + 1))
    assert px * 9525 >= 10 * 360000 > (px - column_px(ws, c2)) * 9525
    assert (r2 - r1 + 1) * 15 * 12700 >= 5 * 360000
    assert not any((r, c) in filled_cells(ws) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


# ------------------------------------------------------------------ a command's --xlsx and the plan's keys

def test_a_commands_workbook_cover_names_its_inputs_without_folders(demo, tmp_path):
    out = tmp_path / "d.xlsx"
    res = run_cli("describe", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                  "--columns", "web_1", "--xlsx", out, "--quiet")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Portada"  # the spec's first language (es) without --lang
    cells = [c.value for row in wb["Portada"].iter_rows() for c in row if c.value is not None]
    assert "customers.csv" in cells and "questionnaire.yaml" in cells
    assert hashlib.sha256((demo / "customers.csv").read_bytes()).hexdigest() in cells
    assert not any(isinstance(v, str) and (v.startswith("/") or str(demo) in v) for v in cells)
    assert "ElectroHogar - Experiencia de compra online (ola 1)" in cells  # the spec's study title


def test_plan_wave_and_language_reach_the_cover(demo, tmp_path):
    plan = {"title": "Ola 2", "wave": 2, "lang": "es", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "steps": [{"step": "describe", "columns": ["web_1"]}]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    res = run_cli("run", path, "--out", tmp_path / "o", "-q")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(tmp_path / "o" / "plan_main.xlsx")
    assert wb.sheetnames[0] == "Portada"
    pairs = {row[0].value: row[1].value for row in wb["Portada"].iter_rows(min_col=1, max_col=2) if row[0].value}
    assert pairs["Ola"] == "2" and pairs["Título"] == "Ola 2"
    cells = [c.value for row in wb["Portada"].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("/") for v in cells)  # absolute paths in the plan: names only
    plan["wave"] = [1]
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert_clean_error(run_cli("run", path, "--out", tmp_path / "o"), "plan.yaml", "wave")


# ------------------------------------------------------------------ what a client sees: LibreOffice

@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
def test_demo_workbooks_convert_to_pdf_with_libreoffice(books, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from render_workbooks import to_pdf
    finally:
        sys.path.pop(0)
    for name, path in books.items():
        pdf = to_pdf(path, tmp_path)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2, name


def test_text_cells_keep_file_names_and_drop_folders():
    from cxstats.report.workbook import without_folders

    assert without_folders("mean over 1960 customers (/home/ana/study/finance.csv)") == \
        "mean over 1960 customers (finance.csv)"
    assert without_folders("/a/b.csv, /c/d.csv") == "b.csv, d.csv"
    assert without_folders("C:\\Users\\ana\\f.csv") == "f.csv"
    for kept in ("and/or 1/2 km/h", "https://example.org/a/b", "a / b", "data/customers.csv"):
        assert without_folders(kept) == kept
