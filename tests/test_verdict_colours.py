"""Issue 12 (4): verdicts, not only numbers. Reliability, validity and fit cells are coloured by
the threshold the analysis states (pass green, borderline amber, fail red), with the verdict in
words beside the number and a legend; no continuous colour scale on a thresholded column; each
warning once.

The expected colours are computed here from the numbers (JSON or the frame written), with the
thresholds written out as literals, not through cxstats.report.verdicts."""

from __future__ import annotations

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import cell_code, run_cli
from cxstats.report import verdicts
from cxstats.report.i18n import Display
from cxstats.report.workbook import WorkbookBuilder
from cxstats.stats import cfa as stats_cfa
from cxstats.stats import efa as stats_efa
from cxstats.stats import invariance as stats_inv
from cxstats.stats.sem.diagnostics import fit_verdict, index_verdicts

GREEN, AMBER, RED = "C6EFCE", "FFEB9C", "FFC7CE"


def fill(cell) -> str | None:
    f = cell.fill
    if f is None or f.fill_type != "solid":
        return None
    rgb = f.fgColor.rgb if f.fgColor is not None else None
    return str(rgb)[-6:].upper() if isinstance(rgb, str) else None


def by_rule(x, pass_at, fail_at=None, higher=True):
    """The expected colour, written out independently of the module under test."""
    if higher:
        return GREEN if x >= pass_at else (AMBER if fail_at is not None and x >= fail_at else RED)
    return GREEN if x <= pass_at else (AMBER if fail_at is not None and x <= fail_at else RED)


# ------------------------------------------------------------------ closed-form boundaries
@pytest.mark.parametrize("rule,value,expected", [
    ("reliability", 0.70, "pass"), ("reliability", 0.71, "pass"), ("reliability", 0.69, "borderline"),
    ("reliability", 0.6999999, "borderline"), ("reliability", 0.60, "borderline"),
    ("reliability", 0.5999999, "fail"), ("reliability", 0.0, "fail"), ("reliability", 1.0, "pass"),
    ("ave", 0.50, "pass"), ("ave", 0.4999999, "fail"),
    ("htmt", 0.85, "pass"), ("htmt", 0.8500001, "borderline"), ("htmt", 0.90, "borderline"),
    ("htmt", 0.9000001, "fail"),
    ("loading", 0.70, "pass"), ("loading", -0.72, "pass"), ("loading", 0.50, "borderline"),
    ("loading", -0.55, "borderline"), ("loading", 0.4999, "fail"),
    ("item_total", 0.30, "pass"), ("item_total", 0.25, "borderline"), ("item_total", 0.1999, "fail"),
    ("kmo", 0.60, "pass"), ("kmo", 0.50, "borderline"), ("kmo", 0.4999, "fail"),
    ("delta_cfi", -0.010, "fail"), ("delta_cfi", -0.0099, "pass"), ("delta_cfi", 0.002, "pass"),
    ("delta_rmsea", 0.015, "fail"), ("delta_rmsea", 0.0149, "pass"),
])
def test_classify_closed_form_boundaries(rule, value, expected):
    assert verdicts.classify(rule, value) == expected


def test_classify_missing_values_are_not_judged():
    for v in (None, float("nan"), "n/a", True):
        assert verdicts.classify("reliability", v) is None


def test_rules_reuse_the_thresholds_the_analyses_state():
    # one rule, not a second one: the pass bounds are the constants behind the analyses' notes
    assert verdicts.RULES["reliability"].pass_at == stats_cfa.CR_MIN == 0.70
    assert verdicts.RULES["ave"].pass_at == stats_cfa.AVE_MIN == 0.50
    assert verdicts.RULES["htmt"].pass_at == stats_cfa.HTMT_MAX == 0.85
    assert (verdicts.RULES["kmo"].pass_at, verdicts.RULES["kmo"].fail_at) == (stats_efa.KMO_MIN, stats_efa.KMO_ITEM_MIN)
    # the ΔCFI / ΔRMSEA colours agree with the invariance step decision at and around the bounds
    for d in (-0.0101, -0.0100, -0.0099, 0.0):
        assert (verdicts.classify("delta_cfi", d) == "fail") == stats_inv._fails("cfi", d, 0.0, None, 0.05)
    for dcfi, drmsea in ((-0.02, 0.0149), (-0.02, 0.015), (-0.02, 0.02), (0.0, 0.05)):
        chen_fails = stats_inv._fails("chen", dcfi, drmsea, None, 0.05)
        assert chen_fails == (verdicts.classify("delta_cfi", dcfi) == "fail"
                              and verdicts.classify("delta_rmsea", drmsea) == "fail")


# ------------------------------------------------------------------ fit: a verdict per index (stats)
def test_index_verdicts_closed_form():
    base = {"df": 24, "cfi": 0.97, "tli": 0.96, "rmsea": 0.05, "rmsea_ci_upper": 0.07, "srmr": 0.04}
    assert index_verdicts(base) == {"cfi": "good", "tli": "good", "rmsea": "good", "srmr": "good"}
    assert index_verdicts({**base, "cfi": 0.95, "tli": 0.9499})["cfi"] == "good"
    assert index_verdicts({**base, "tli": 0.9499})["tli"] == "acceptable"
    assert index_verdicts({**base, "cfi": 0.90})["cfi"] == "acceptable"
    assert index_verdicts({**base, "cfi": 0.8999})["cfi"] == "poor"
    assert index_verdicts({**base, "srmr": 0.08})["srmr"] == "good"
    assert index_verdicts({**base, "srmr": 0.0801})["srmr"] == "poor"
    assert index_verdicts({**base, "rmsea": 0.06, "rmsea_ci_upper": 0.08})["rmsea"] == "good"
    assert index_verdicts({**base, "rmsea": 0.07, "rmsea_ci_upper": 0.075})["rmsea"] == "acceptable"
    assert index_verdicts({**base, "rmsea": 0.08, "rmsea_ci_upper": 0.09})["rmsea"] == "acceptable"
    assert index_verdicts({**base, "rmsea": 0.0801})["rmsea"] == "poor"
    # the uncertainty: a point estimate in the good band whose 90% CI reaches past .08 does not
    # rule out a poor fit, so the index is only acceptable
    assert index_verdicts({**base, "rmsea": 0.05, "rmsea_ci_upper": 0.081})["rmsea"] == "acceptable"
    assert index_verdicts({**base, "rmsea": 0.05, "rmsea_ci_upper": float("nan")})["rmsea"] == "good"
    assert set(index_verdicts({**base, "df": 0}).values()) == {"saturated"}
    assert set(index_verdicts(base, converged=False).values()) == {"not available"}
    assert index_verdicts({"df": 3, "cfi": 0.99})["rmsea"] == "not available"


def test_fit_verdict_carries_the_indices_and_keeps_its_global_rule():
    v = fit_verdict({"df": 24, "cfi": 0.97, "tli": 0.96, "rmsea": 0.05, "rmsea_ci_upper": 0.09, "srmr": 0.04})
    assert v["verdict"] == "good" and v["failed"] == []          # the global rule reads point estimates
    assert v["indices"]["rmsea"] == "acceptable" and "MacCallum" in v["indices_rule"]


def test_cfa_result_index_verdicts_follow_its_own_fit(hs_path):
    from cxstats.stats.cfa import analyze_cfa

    data = pd.read_csv(hs_path)
    res = analyze_cfa(data, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    f, idx = res.fit, res.fit_verdict["indices"]
    # lavaan's HS model: CFI .931, TLI .896, RMSEA .092 [.071, .114], SRMR .065
    assert idx == {"cfi": "acceptable", "tli": "poor", "rmsea": "poor", "srmr": "good"}
    assert f["rmsea_ci_upper"] > 0.08 and res.fit_verdict["verdict"] == "poor"


def test_discriminant_pairs_read_the_matrices(hs_path):
    from cxstats.stats.cfa import analyze_cfa

    data = pd.read_csv(hs_path)
    res = analyze_cfa(data, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    pairs = res.discriminant_pairs()
    assert len(pairs) == 3
    for r in pairs.itertuples(index=False):
        assert r.htmt == pytest.approx(res.htmt.loc[r.factor_a, r.factor_b])
        assert r.latent_r == pytest.approx(res.latent_correlations.loc[r.factor_a, r.factor_b])
        root = min(math.sqrt(res.reliability.set_index("factor").loc[f, "ave"]) for f in (r.factor_a, r.factor_b))
        assert r.sqrt_ave_min == pytest.approx(root)
        assert r.fornell_larcker_met == (abs(r.latent_r) <= root)
    # the notes say the same thing: a failed pair is named there
    failed = {(r.factor_a, r.factor_b) for r in pairs.itertuples(index=False) if not r.fornell_larcker_met}
    for a, b in failed:
        assert any(n.startswith(f"{a} / {b}") and "Fornell-Larcker" in n for n in res.validity_notes)


# ------------------------------------------------------------------ writing: fills, words, legend
def _write(tmp_path, df, checks, lang="en", sequential=None):
    b = WorkbookBuilder(display=Display(lang))
    verdicts.add_table(b, "Sheet", df, checks, title="t", sequential=sequential)
    path = tmp_path / f"v_{lang}.xlsx"
    b.save(path)
    return openpyxl.load_workbook(path)["Sheet"]


def _header_row(ws, first="scale"):
    return next(r for r in range(1, ws.max_row + 1) if cell_code(ws.cell(row=r, column=1)) == first)


def test_cells_words_and_legend(tmp_path):
    alphas = [0.69, 0.71, 0.70, 0.59, 0.60, float("nan")]
    df = pd.DataFrame({"scale": list("abcdef"), "alpha": alphas, "alpha_std": alphas})
    ws = _write(tmp_path, df, {"alpha": verdicts.judge(df, "alpha", "reliability")},
                sequential=["alpha", "alpha_std"])
    h = _header_row(ws)
    assert [cell_code(ws.cell(row=h, column=c)) for c in (1, 2, 3, 4)] == ["scale", "alpha", "verdict", "alpha_std"]
    words = {GREEN: "pass", AMBER: "borderline", RED: "fail"}
    for i, a in enumerate(alphas):
        num, word = ws.cell(row=h + 1 + i, column=2), ws.cell(row=h + 1 + i, column=3)
        if math.isnan(a):
            assert fill(num) is None and word.value is None
            continue
        want = by_rule(a, 0.70, 0.60)
        assert fill(num) == want and fill(word) == want, (a, fill(num))
        assert word.value == words[want]
        assert isinstance(num.value, float)  # the number stays a number
    assert fill(ws.cell(row=h + 1, column=2)) == AMBER and fill(ws.cell(row=h + 2, column=2)) == GREEN
    # no colour scale on the judged column; the unjudged one keeps its scale
    ranges = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    assert not any(rng.startswith("B") for rng in ranges)
    assert any(rng.startswith("D") and "colorScale" in t for rng, t in ranges.items())
    # the legend: title, how to read it, one coloured line per verdict, sources
    texts = {ws.cell(row=r, column=1).value: fill(ws.cell(row=r, column=1)) for r in range(h, ws.max_row + 1)}
    assert "How to read the colours" in texts
    lines = {f: t for t, f in texts.items() if f in (GREEN, AMBER, RED) and isinstance(t, str)}
    assert "≥ 0.70" in lines[GREEN] and "≥ 0.60 and < 0.70" in lines[AMBER] and "< 0.60" in lines[RED]
    assert any(isinstance(t, str) and t.startswith("Sources:") and "Hair et al." in t for t in texts)


def test_spanish_words_and_legend(tmp_path):
    df = pd.DataFrame({"scale": ["a", "b", "c"], "alpha": [0.75, 0.65, 0.5]})
    ws = _write(tmp_path, df, {"alpha": verdicts.judge(df, "alpha", "reliability")}, lang="es")
    h = _header_row(ws)
    assert ws.cell(row=h, column=3).value == "Veredicto"
    assert [ws.cell(row=h + i, column=3).value for i in (1, 2, 3)] == ["cumple", "en el límite", "no cumple"]
    col_a = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert "Cómo leer los colores" in col_a and any(str(t).startswith("Fuentes:") for t in col_a)


def test_fit_table_overall_line_and_index_verdicts(tmp_path):
    fitv = fit_verdict({"df": 24, "cfi": 0.93, "tli": 0.89, "rmsea": 0.05, "rmsea_ci_upper": 0.09, "srmr": 0.09})
    assert fitv["verdict"] == "poor"
    df = pd.DataFrame({"measure": ["chisq", "cfi", "tli", "rmsea", "rmsea_ci_upper", "srmr", "fit verdict"],
                       "value": [50.0, 0.93, 0.89, 0.05, 0.09, 0.09, "poor"]})
    b = WorkbookBuilder()
    verdicts.add_fit_table(b, "Fit", df, fitv, title="Model fit")
    b.save(tmp_path / "fit.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "fit.xlsx")["Fit"]
    assert ws["A1"].value.startswith("Overall fit: poor (fail)") and "SRMR 0.090 > 0.08" in ws["A1"].value
    assert fill(ws["A1"]) == RED
    h = _header_row(ws, "measure")
    got = {ws.cell(row=r, column=1).value: (fill(ws.cell(row=r, column=2)), ws.cell(row=r, column=3).value)
           for r in range(h + 1, h + 1 + len(df))}
    assert got["cfi"] == (AMBER, "borderline") and got["tli"] == (RED, "fail")
    assert got["rmsea"] == (AMBER, "borderline")  # .05, but its CI reaches .09
    assert got["srmr"] == (RED, "fail") and got["fit verdict"] == (RED, "fail")
    assert got["chisq"] == (None, None) and got["rmsea_ci_upper"] == (None, None)


def test_fit_table_of_a_saturated_model_states_it_without_a_colour(tmp_path):
    fitv = fit_verdict({"df": 0, "cfi": 1.0, "tli": 1.0, "rmsea": 0.0, "srmr": 0.0})
    df = pd.DataFrame({"measure": ["df", "cfi", "rmsea", "fit verdict"], "value": [0, 1.0, 0.0, "saturated"]})
    b = WorkbookBuilder(display=Display("es"))
    verdicts.add_fit_table(b, "Fit", df, fitv, title="Model fit")
    b.save(tmp_path / "sat.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "sat.xlsx")["Fit"]
    assert ws["A1"].value == "Ajuste global: modelo saturado (gl = 0): el ajuste no se puede contrastar"
    assert fill(ws["A1"]) is None
    assert not [c for row in ws.iter_rows() for c in row if fill(c) in (GREEN, AMBER, RED)]


# ------------------------------------------------------------------ a real reliability analysis
def test_reliability_layout_colours_a_borderline_and_a_failing_scale(tmp_path):
    from cxstats.report.layouts import sheets_for
    from cxstats.stats.reliability import analyze_reliability

    rng = np.random.default_rng(3)
    n = 600
    f1, f2 = rng.normal(size=n), rng.normal(size=n)
    data = pd.DataFrame({f"a{i}": 0.8 * f1 + rng.normal(size=n) for i in range(3)}
                        | {f"b{i}": 0.35 * f2 + rng.normal(size=n) for i in range(3)})
    res = analyze_reliability(data, {"mid": ["a0", "a1", "a2"], "low": ["b0", "b1", "b2"]})
    b = WorkbookBuilder()
    sheets_for("reliability")(b, res)
    b.save(tmp_path / "rel.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "rel.xlsx")["Reliability"]
    h = _header_row(ws)
    head = [cell_code(ws.cell(row=h, column=c)) for c in range(1, ws.max_column + 1)]
    col = head.index("alpha") + 1
    seen = set()
    for s in res.scales:
        row = next(r for r in range(h + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == s.scale)
        assert ws.cell(row=row, column=col).value == pytest.approx(s.alpha)
        want = by_rule(s.alpha, 0.70, 0.60)
        assert fill(ws.cell(row=row, column=col)) == want
        seen.add(want)
    assert seen == {AMBER, RED}  # the data were made for it: one borderline, one failing scale
    assert not list(ws.conditional_formatting)


# ------------------------------------------------------------------ the demo plan's measurement workbook
@pytest.fixture(scope="module")
def measurement(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_v")
    assert run_cli("demo", folder, "--force").exit_code == 0
    plan = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    plan["steps"] = [s for s in plan["steps"] if s["step"] in ("reliability", "cfa", "invariance", "sem")]
    plan["output"] = {"json": "m.json", "workbooks": {"measurement": "m.xlsx"}}
    plan["lang"] = "en"  # sheet names in English; columns are read by their codes (cell_code)
    (folder / "m.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    out = folder / "out"
    res = run_cli("run", folder / "m.yaml", "--out", out, "-q")
    assert res.exit_code == 0, res
    doc = json.loads((out / "m.json").read_text(encoding="utf-8"))
    return openpyxl.load_workbook(out / "m.xlsx"), {s["step"]: s["result"] for s in doc["steps"]}


def _table(ws, first: str):
    """{first-column value: {header: cell}} of the table whose header starts with ``first``."""
    h = next(r for r in range(1, ws.max_row + 1) if cell_code(ws.cell(row=r, column=1)) == first)
    heads = [cell_code(ws.cell(row=h, column=c)) for c in range(1, ws.max_column + 1)]
    rows = []
    r = h + 1
    while r <= ws.max_row and ws.cell(row=r, column=1).value not in (None, ""):
        rows.append({heads[c - 1]: ws.cell(row=r, column=c) for c in range(1, len(heads) + 1)
                     if heads[c - 1] is not None and heads[c - 1] != "verdict"}
                    | {"_verdicts": [ws.cell(row=r, column=c) for c in range(1, len(heads) + 1)
                                     if heads[c - 1] == "verdict"]})
        if "code" in rows[-1]:  # spec names shown in the first column, their codes beside them
            rows[-1][first] = rows[-1]["code"]
        r += 1
    return heads, rows


def test_demo_reliability_cells_follow_the_rule(measurement):
    wb, steps = measurement
    heads, rows = _table(wb["Reliability"], "scale")
    assert heads[heads.index("alpha") + 1] == "verdict" and heads[heads.index("omega_total") + 1] == "verdict"
    by_key = {(r["scale"].value, r["group"].value): r for r in rows}
    assert len(by_key) == len(steps["reliability"]["scales"]) == 20
    for s in steps["reliability"]["scales"]:
        r = by_key[(s["scale"], s["group"])]
        for key, value in (("alpha", s["alpha"]), ("omega_total", s["omega_total"])):
            assert r[key].value == pytest.approx(value)
            assert fill(r[key]) == by_rule(value, 0.70, 0.60)
    _, items = _table(wb["Reliability items"], "scale")
    for r in items:
        assert fill(r["r_drop"]) == by_rule(r["r_drop"].value, 0.30, 0.20)


def test_demo_cfa_validity_fit_and_loadings_follow_the_rule(measurement):
    wb, steps = measurement
    cfa = steps["cfa"]
    _, rows = _table(wb["CFA validity"], "factor")
    rel = {r["factor"].value: r for r in rows if "cr" in r}
    assert set(rel) == set(cfa["reliability"])
    for f, v in cfa["reliability"].items():
        assert fill(rel[f]["cr"]) == by_rule(v["cr"], 0.70, 0.60)
        assert fill(rel[f]["ave"]) == by_rule(v["ave"], 0.50)
    ws = wb["CFA validity"]
    # the HTMT matrix: every off-diagonal cell by the rule, the diagonal unjudged
    # (factor names from the spec in column A, their codes in B, one column per factor from C)
    h = next(r for r in range(1, ws.max_row + 1) if cell_code(ws.cell(row=r, column=1)) == "factor"
             and cell_code(ws.cell(row=r, column=3)) in cfa["htmt"])
    names = [cell_code(ws.cell(row=h, column=c)) for c in range(3, 3 + len(cfa["htmt"]))]
    for i, a in enumerate(names):
        assert ws.cell(row=h + 1 + i, column=2).value == a
        for j, b in enumerate(names):
            cell = ws.cell(row=h + 1 + i, column=3 + j)
            assert cell.value == pytest.approx(cfa["htmt"][a][b])
            assert fill(cell) == (None if a == b else by_rule(cfa["htmt"][a][b], 0.85, 0.90, higher=False))
    _, pairs = _table(ws, "factor_a")
    assert len(pairs) == len(cfa["htmt"]) * (len(cfa["htmt"]) - 1) // 2
    for r in pairs:
        a, b = r["factor_a"].value, r["factor_b"].value
        h = cfa["htmt"][a][b]
        assert r["htmt"].value == pytest.approx(h) and fill(r["htmt"]) == by_rule(h, 0.85, 0.90, higher=False)
        met = abs(cfa["fornell_larcker"][a][b]) <= min(cfa["fornell_larcker"][a][a], cfa["fornell_larcker"][b][b])
        assert r["latent_r"].value == pytest.approx(cfa["fornell_larcker"][a][b])
        assert fill(r["latent_r"]) == (GREEN if met else RED)
    # the fit sheet: an overall line, and CFI/TLI/RMSEA/SRMR judged as the JSON's numbers say
    fit = wb["CFA fit"]
    assert fit["A1"].value.startswith("Overall fit: ")
    _, fit_rows = _table(fit, "measure")
    got = {r["measure"].value: r for r in fit_rows}
    f = cfa["fit"]
    assert fill(got["cfi"]["value"]) == by_rule(f["cfi"], 0.95, 0.90)
    assert fill(got["tli"]["value"]) == by_rule(f["tli"], 0.95, 0.90)
    assert fill(got["srmr"]["value"]) == by_rule(f["srmr"], 0.08, higher=False)
    rmsea = by_rule(f["rmsea"], 0.06, 0.08, higher=False)
    if rmsea == GREEN and f["rmsea_ci_upper"] > 0.08:
        rmsea = AMBER
    assert fill(got["rmsea"]["value"]) == rmsea
    assert got["cfi"]["_verdicts"][0].value in ("pass", "borderline", "fail")
    # standardized loadings of =~ rows; other rows unjudged
    _, est = _table(wb["CFA estimates"], "lhs")
    loadings = [r for r in est if r["op"].value == "=~"]
    assert len(loadings) == sum(e["op"] == "=~" for e in cfa["estimates"])
    for r in est:
        want = by_rule(abs(r["std_all"].value), 0.70, 0.50) if r["op"].value == "=~" else None
        assert fill(r["std_all"]) == want


def test_demo_measurement_workbook_has_no_colour_scale_left_and_a_legend_per_judged_sheet(measurement):
    wb, _ = measurement
    for name in ("Reliability", "Reliability items", "CFA fit", "CFA estimates", "CFA validity", "Invariance",
                 "SEM Fit", "SEM Estimates"):
        ws = wb[name]
        assert not [cf for cf in ws.conditional_formatting if any(r.type == "colorScale" for r in cf.rules)], name
        col_a = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
        assert "How to read the colours" in col_a, name
        assert any(isinstance(t, str) and t.startswith("Sources:") for t in col_a), name
    assert wb["SEM Fit"]["A1"].value.startswith("Overall fit: ")


def test_demo_measurement_workbook_gives_each_warning_once(measurement):
    wb, steps = measurement
    lines = [c.value for row in wb["Warnings"].iter_rows(min_row=3) for c in row if c.value]
    assert lines and len(lines) == len(set(lines))
    # each labelled by its step, so that two steps' notes on their own models are not read as one
    # warning given twice (the CFA and the SEM both state their FIML handling in the same words)
    assert all(line.startswith(("[reliability]", "[cfa]", "[invariance]", "[sem]")) for line in lines)
    fiml = [line for line in lines if "missing data: full-information ML" in line and "2000 respondents" in line]
    assert {line.split("]")[0] for line in fiml} == {"[cfa", "[sem"}
    expected = {f"[{step}] {w}" for step, r in steps.items() for w in r["warnings"]}
    assert set(lines) == expected


def test_invariance_of_a_whole_model_colours_level_and_steps(tmp_path):
    from cxstats.report.layouts import sheets_for
    from cxstats.stats.invariance import analyze_invariance

    data = pd.read_csv("tests/fixtures/reference/datasets/HolzingerSwineford1939.csv")
    res = analyze_invariance(data, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
                             "school")
    b = WorkbookBuilder()
    sheets_for("invariance")(b, res)
    b.save(tmp_path / "inv.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "inv.xlsx")["Invariance"]
    _, verdict_rows = _table(ws, "item")
    level = next(r for r in verdict_rows if r["item"].value == "level supported")
    want = {"strict": GREEN, "scalar": GREEN, "metric": AMBER, "configural": RED, "none": RED}[res.level or "none"]
    assert fill(level["value"]) == want
    _, tests = _table(ws, "comparison")
    assert len(tests) == len(res.lrt)
    for row, t in zip(tests, res.lrt):
        assert fill(row["supported"]) == (GREEN if t["supported"] else RED)
        assert fill(row["delta_cfi"]) == (RED if t["delta_cfi"] <= -0.01 else GREEN)  # rule "cfi"
    # the classic example: the configural model misses the gate (RMSEA .097 > .08), so no level
    conf = next(r for r in verdict_rows if r["item"].value == "configural fit")
    assert res.configural_fit["verdict"] == "poor" and fill(conf["value"]) == RED
    assert res.level is None and fill(level["value"]) == RED
