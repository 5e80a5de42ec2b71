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
from cxstats.report.workbook import P_FORMAT, header_codes
from cxstats.stats.gaps import expand_aspirations, analyze_gaps
from cxstats.stats.nps import analyze_nps

EVIL_ITEM = '=HYPERLINK("http://example.com","item")'
EVIL_SEG = '=HYPERLINK("x")'
G1, G2 = "Pasteur", "Grant-White"


def build_gap_workbook(result, path, *, invariance=None, nps=None):
    """The gap workbook as a plan writes it: the gaps layout, then the NPS layout, Warnings, Methods."""
    from cxstats.report.layouts import gaps as gaps_layout
    from cxstats.report.layouts import nps as nps_layout
    from cxstats.report.sheets import add_warnings_and_methods
    from cxstats.report.workbook import WorkbookBuilder

    if invariance:
        result = result.with_invariance(invariance)
    wb = WorkbookBuilder()
    gaps_layout.sheets(wb, result)
    if nps is not None:
        nps_layout.sheets(wb, nps)
    add_warnings_and_methods(wb, [result] + ([nps] if nps is not None else []))
    wb.save(path)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    df = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv").rename(columns={"x9": EVIL_ITEM})
    df["seg"] = np.where(df.grade == 7, EVIL_SEG, "eight")
    df["rec"] = (df.x1 * 1.6).round().clip(0, 10)
    items = [f"x{i}" for i in range(1, 9)] + [EVIL_ITEM]
    levels = {"item": {i: [i] for i in items},
              "construct": {"visual": items[:3], "textual": items[3:6], "speed": items[6:]},
              "touchpoint": {"school_day": items[:6]}, "component": {"product": items[6:]}}
    res = analyze_gaps(df, "school", levels=levels, compare=(G1, G2), by="seg", min_n=75,
                       aspirations=expand_aspirations(levels, {"visual": 5.0, "textual": 3.0, "speed": 5.0}))
    nps = analyze_nps(df, "rec", group="school")
    path = tmp_path_factory.mktemp("gapbook") / "gaps.xlsx"
    build_gap_workbook(res, path, invariance={"visual": "metric", "textual": "scalar"}, nps=nps)
    return path, res, nps


def _header(ws):
    """The header row of a sheet's first table, as the result's column codes."""
    row = int(ws.freeze_panes[1:]) - 1
    return row, header_codes(ws, row)


def _code(cell):
    """A header cell's column code (noted on translated headers), else its value."""
    return cell.comment.text.strip() if cell.comment is not None else cell.value


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
        cell = ws.cell(row=row, column=header.index(f"top2_share_{G1}") + 1)
        assert cell.number_format == "0.0%"
        assert ws.cell(row=row, column=header.index("p_holm") + 1).number_format == P_FORMAT  # "<0.001"
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
    start = next(i for i, c in enumerate(ws["A"], start=1) if _code(c) == "name")
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
    res = run_cli("run", tmp_path / "plan2.yaml", "--out", tmp_path / "out", "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(tmp_path / "out" / "plan2_gaps.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "Executive summary", "Summary"] and "NPS" in wb.sheetnames and "Constructs" in wb.sheetnames
    doc = json.loads((tmp_path / "out" / "plan2.json").read_text())
    gaps = next(s for s in doc["steps"] if s["step"] == "gaps")["result"]
    assert gaps["groups"] == ["customer", "staff"] and len(gaps["constructs"]) == 10


# --------------------------------------------------------------------------- one group vs aspirations
LIKERT = DATASETS.parent.parent / "reference_extra" / "aspiration_likert.csv"


@pytest.fixture(scope="module")
def one_book(tmp_path_factory):
    from cxstats.stats.gaps import analyze_aspiration_gaps

    lik = pd.read_csv(LIKERT)
    lik["seg"] = np.where(lik.id <= 60, EVIL_SEG, "rest")
    levels = {"item": {f"q{i}": [f"q{i}"] for i in range(1, 7)},
              "construct": {"A": ["q1", "q2", "q3"], "B": ["q4", "q5", "q6"], "C": ["q2", "q5"]},
              "touchpoint": {"T": ["q1", "q2", "q3", "q4", "q5", "q6"]}}
    res = analyze_aspiration_gaps(lik, levels=levels, scale_max=5, label="customer", by="seg", min_n=50,
                          aspirations=expand_aspirations(levels, {"A": 4.0, "B": 4.5}))
    path = tmp_path_factory.mktemp("onebook") / "one.xlsx"
    build_gap_workbook(res, path, invariance={"A": "metric"})   # invariance does not apply to one group
    return path, res


def test_one_group_workbook_sheets_values_and_scales(one_book):
    path, res = one_book
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == ["Summary", "Items", "Constructs", "Touchpoints", "Segments"]
    assert wb.sheetnames[-1] == "Methods"
    ws = wb["Constructs"]
    hrow, header = _header(ws)
    for col in ("n", "mean", "aspiration", "gap_to_aspiration", "t", "df", "pvalue", "t_ci_lower", "p_holm",
                "wilcoxon_v", "wilcoxon_pvalue", "wilcoxon_p_holm", "hedges_g", "significant"):
        assert col in header, col
    rows = {ws.cell(row=r, column=header.index("name") + 1).value: r for r in range(hrow + 1, ws.max_row + 1)}
    want = {r["name"]: r for r in res.rows if r["level"] == "construct"}
    assert set(rows) == set(want)
    for name, r in want.items():
        row = rows[name]
        cell = lambda c: ws.cell(row=row, column=header.index(c) + 1)  # noqa: E731
        assert cell("mean").value == pytest.approx(r["mean"])
        if r["aspiration"] is None:   # C: descriptives only, the test cells blank
            assert cell("aspiration").value is None and cell("t").value is None and cell("p_holm").value is None
        else:
            assert cell("gap_to_aspiration").value == pytest.approx(r["gap_to_aspiration"])
            assert cell("wilcoxon_v").value == r["wilcoxon_v"]
            assert cell("p_holm").value == pytest.approx(r["p_holm"])
            assert cell("wilcoxon_pvalue").number_format == P_FORMAT
        assert cell("top2_share").number_format == "0.0%" and cell("n").number_format == "0"
        assert not cell("note").value   # no invariance note on a one-group result
    scaled = set()
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            if rule.colorScale is not None:
                scaled.add(header[openpyxl.utils.column_index_from_string(
                    str(rng.sqref).split(":")[0].rstrip("0123456789")) - 1])
    assert {"gap_to_aspiration", "hedges_g"} <= scaled
    for c in ws[rows["B"]]:   # B is far below its aspiration: significant and shaded
        assert c.fill.fgColor.rgb.endswith("FCE4D6")


def test_one_group_summary_chart_and_methods(one_book):
    path, res = one_book
    wb = openpyxl.load_workbook(path)
    ws = wb["Summary"]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert texts[0] == "In short" and texts[1].startswith("1. ")  # the action title first (report.summary)
    assert texts[2] == "Gap analysis: customer against the aspirations"
    assert any("No second group" in t for t in texts)
    assert any(t.startswith("Largest gaps to aspiration") for t in texts)
    start = next(i for i, c in enumerate(ws["A"], start=1) if _code(c) == "name")
    cons = sorted((r for r in res.rows if r["level"] == "construct" and r["aspiration"] is not None),
                  key=lambda r: -abs(r["gap_to_aspiration"]))
    assert ws.cell(row=start + 1, column=1).value == cons[0]["name"] == "B"
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert len(chart.series) == 2   # customer mean and aspiration per construct
    # the chart's data table holds the means and aspirations
    header_rows = [i for i, c in enumerate(ws["A"], start=1) if _code(c) == "name"]
    chart_header = header_codes(ws, header_rows[1])[:3]
    assert chart_header == ["name", "mean_customer", "aspiration"]
    chart_rows = {ws.cell(row=header_rows[1] + k, column=1).value: ws.cell(row=header_rows[1] + k, column=3).value
                  for k in (1, 2, 3)}
    assert chart_rows == {"A": 4.0, "B": 4.5, "C": None}
    methods = " ".join(str(c.value) for row in wb["Methods"].iter_rows() for c in row if c.value)
    for word in ("One-sample t test", "Wilcoxon signed-rank", "mu = aspiration", "Hedges' g", "J = 1 - 3/(4 df - 1)",
                 "Holm", "suppressed"):
        assert word in methods, word
    assert "Welch" not in methods
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_run_plan_customers_only_writes_one_group_workbook(tmp_path):
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=150, n_staff=20)
    (tmp_path / "plan3.yaml").write_text(
        "spec: questionnaire.yaml\ndata:\n  - {file: customers.csv, respondent_type: customer}\n"
        "steps:\n  - step: gaps\n    levels: [construct, touchpoint, component]\n", encoding="utf-8")
    res = run_cli("run", tmp_path / "plan3.yaml", "--out", tmp_path / "out", "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(tmp_path / "out" / "plan3_gaps.xlsx")
    assert wb.sheetnames[:3] == ["Cover", "Executive summary", "Summary"] and "Constructs" in wb.sheetnames
    assert len(wb["Summary"]._charts) == 1
    warn = " ".join(str(c.value) for row in wb["Warnings"].iter_rows() for c in row if c.value)
    assert "no frontline-staff respondents" in warn
    doc = json.loads((tmp_path / "out" / "plan3.json").read_text())
    gaps = next(s for s in doc["steps"] if s["step"] == "gaps")["result"]
    assert gaps["mode"] == "one_group" and gaps["groups"] == ["customer"] and len(gaps["constructs"]) == 10


def test_summary_chart_axis_follows_the_result_scale(book, tmp_path):
    """The means chart's value axis: the result's common scale (min, max) when known, else not fixed
    (an analysis run without the step knows no minimum; differing item scales fix no axis)."""
    import dataclasses

    from cxstats.report.workbook import chart_overlaps

    _, res, _ = book
    cases = [(res, (None, None)),
             (dataclasses.replace(res, scale_min=1.0, scale_max=5.0), (1.0, 5.0)),
             (dataclasses.replace(res, scale_min=None, scales_differ=True), (None, None))]
    for k, (r, want) in enumerate(cases):
        path = tmp_path / f"g{k}.xlsx"
        build_gap_workbook(r, path)
        ws = openpyxl.load_workbook(path)["Summary"]
        assert chart_overlaps(ws) == []
        (chart,) = ws._charts
        assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == want
