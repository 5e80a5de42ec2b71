"""The executive summary (cxstats.report.summary): action titles written from the results, each
with its number and uncertainty, only claims the results support, on the sheet a client reads first."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from conftest import run_cli

SUMMARY_NAMES = ("Executive summary", "Resumen ejecutivo")


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory):
    """The demo plan run once: its result objects, its JSON, its output folder, the spec."""
    from cxstats.plan.runner import run_plan
    from cxstats.spec.load import load_spec

    folder = tmp_path_factory.mktemp("summary_demo")
    assert run_cli("demo", folder, "--force").exit_code == 0
    out = folder / "reports"
    document, written, json_path = run_plan(folder / "plan.yaml", out_dir=out, quiet=True)
    results = {s["id"]: s["result"] for s in document["steps"]}
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    js = {s["id"]: s["result"] for s in doc["steps"]}
    return results, js, written, load_spec(folder / "questionnaire.yaml"), folder


def _titles(results, display):
    from cxstats.report.summary import action_titles

    return action_titles(list(results), display)


def _english(spec):
    from cxstats.report.i18n import Display

    return Display("en", spec.display_names("en"))


def _spanish(spec):
    from cxstats.report.i18n import Display

    return Display("es", spec.display_names("es"))


def _largest_significant(js_gaps):
    rows = [r for r in js_gaps["constructs"] if r["significant"] and r.get("interpretable") is not False]
    return max(rows, key=lambda r: abs(r["diff"]))


# ------------------------------------------------------------------------------ the plan's workbooks
def test_the_gap_workbook_opens_with_the_summary_after_the_cover(plan_run):
    _, _, written, _, _ = plan_run
    wb = openpyxl.load_workbook(written["gaps"])
    assert wb.sheetnames[0] in ("Cover", "Portada")
    assert wb.sheetnames[1] in SUMMARY_NAMES
    # only the workbook a client opens first carries it
    for key in ("measurement", "roi"):
        assert not set(openpyxl.load_workbook(written[key]).sheetnames) & set(SUMMARY_NAMES), key


def test_the_summary_has_one_line_per_analysis_then_the_figures_and_a_chart_in_view(plan_run):
    from cxstats.report.workbook import chart_box, chart_overlaps

    _, _, written, _, _ = plan_run
    ws = openpyxl.load_workbook(written["gaps"]).worksheets[1]
    lines = [ws.cell(row=r, column=1).value for r in range(3, 8)]
    assert [int(x.split(".")[0]) for x in lines] == [1, 2, 3, 4, 5]  # nps, gaps, drivers, roi, measurement
    assert ws.cell(row=8, column=1).value is None
    assert len(ws._charts) == 1
    c1, r1, c2, r2 = chart_box(ws, ws._charts[0])
    assert c2 <= 12 and r2 <= 30, (c1, r1, c2, r2)  # within A-L, rows 1-30: no scrolling on a laptop
    assert r1 > 7  # below the titles
    assert chart_overlaps(ws) == []
    assert (ws.column_dimensions["A"].width or 0) <= 40


def test_figures_table_holds_the_json_numbers_and_where_the_detail_is(plan_run):
    _, js, written, _, _ = plan_run
    ws = openpyxl.load_workbook(written["gaps"]).worksheets[1]
    header = next(r for r in range(1, 60) if ws.cell(row=r, column=1).value in ("figure", "cifra"))
    rows = []
    for r in range(header + 1, header + 40):
        if ws.cell(row=r, column=1).value is None:
            break
        rows.append([ws.cell(row=r, column=c).value for c in range(2, 6)])

    def row_of(*values, **tol):
        found = [r for r in rows if all(isinstance(x, float) for x in r[:len(values)])
                 and r[:len(values)] == pytest.approx(list(values), **tol)]
        assert len(found) == 1, (values, rows)
        return found[0]

    nps = js["nps"]["overall"]
    assert row_of(nps["nps"], nps["nps_ci_lower"], nps["nps_ci_upper"], abs=1e-9)[3] == "NPS"
    gap = _largest_significant(js["gaps"])
    row_of(gap["diff"], gap["welch_ci_lower"], gap["welch_ci_upper"], abs=1e-9)
    total = js["roi"]["roadmap_total"]
    where = row_of(total["npv_p50"], total["npv_p10"], total["npv_p90"], rel=1e-12)[3]
    assert where in ("demo_roi_workbook.xlsx: Results", "demo_roi_workbook.xlsx: Resultados")  # another book
    low = min(js["reliability"]["scales"], key=lambda s: s["alpha"])
    where = row_of(low["alpha"], low["alpha_ci"]["lower"], low["alpha_ci"]["upper"], abs=1e-12)[3]
    assert where.startswith("demo_measurement.xlsx: ")


# ------------------------------------------------------------------------------ numbers in the titles
def test_each_title_states_the_json_number_and_its_interval(plan_run):
    results, js, _, spec, _ = plan_run
    d = _english(spec)
    titles = {t.kind: t.text for t in _titles(results.values(), d)}
    assert list(titles) == ["nps", "gaps", "drivers", "roi", "measurement"]

    nps = js["nps"]["overall"]
    m = re.match(r"NPS (-?\d+) \(95% CI (-?\d+) to (-?\d+)\): (\d+)% promoters, (\d+)% detractors", titles["nps"])
    assert m, titles["nps"]
    assert [int(x) for x in m.groups()] == [round(nps["nps"]), round(nps["nps_ci_lower"]), round(nps["nps_ci_upper"]),
                                            round(100 * nps["promoters_share"]), round(100 * nps["detractors_share"])]

    gap = _largest_significant(js["gaps"])
    m = re.match(r"Staff (overrate|underrate) (.+) by (\d+\.\d\d) points \(95% CI (\d+\.\d\d) to (\d+\.\d\d)\): "
                 r"customers (\d+\.\d\d) vs staff (\d+\.\d\d); (\d+) of (\d+) constructs", titles["gaps"])
    assert m, titles["gaps"]
    word, name, size, lo, hi, cust, staff, k, n = m.groups()
    assert word == ("overrate" if gap["mean"]["staff"] > gap["mean"]["customer"] else "underrate")
    assert name.lower() == d.name(gap["name"]).lower()
    assert float(size) == round(abs(gap["diff"]), 2)
    assert (float(lo), float(hi)) == (round(-gap["welch_ci_upper"], 2), round(-gap["welch_ci_lower"], 2))
    assert (float(cust), float(staff)) == (round(gap["mean"]["customer"], 2), round(gap["mean"]["staff"], 2))
    assert int(k) == sum(r["significant"] for r in js["gaps"]["constructs"]) and int(n) == 10

    drivers = sorted(js["drivers"]["drivers"], key=lambda r: r["rank_lmg"])[:3]
    m = re.match(r"Top drivers of satisfaction: (.+) \((\d+)%\), (.+) \((\d+)%\) and (.+) \((\d+)%\) of the "
                 r"explained variance \(R² (\.\d\d), n = ([\d,]+)\); bootstrap 95% rank ranges (.+)$", titles["drivers"])
    assert m, titles["drivers"]
    g = m.groups()
    assert [g[0], g[2], g[4]] == [d.name(r["driver"]).lower() for r in drivers]  # the JSON's order
    assert [int(g[1]), int(g[3]), int(g[5])] == [round(100 * r["lmg_share"]) for r in drivers]
    assert float(g[6]) == round(js["drivers"]["r2"], 2) and int(g[7].replace(",", "")) == js["drivers"]["n"]
    ranks = {r["driver"]: r for r in js["drivers"]["bootstrap"]["ranks"]["lmg"]}
    assert g[8] == ", ".join(f"{ranks[r['driver']]['pct_lower']:.0f}-{ranks[r['driver']]['pct_upper']:.0f}"
                             for r in drivers[:2]) + " and " + \
        f"{ranks[drivers[2]['driver']]['pct_lower']:.0f}-{ranks[drivers[2]['driver']]['pct_upper']:.0f}"

    total = js["roi"]["roadmap_total"]
    m = re.match(r"Roadmap NPV P50 ([\d.]+) M EUR \(P10 ([\d.]+) M EUR to P90 ([\d.]+) M EUR\)", titles["roi"])
    assert m, titles["roi"]
    assert [float(x) for x in m.groups()] == [round(total[k] / 1e6, 1) for k in ("npv_p50", "npv_p10", "npv_p90")]
    assert titles["roi"].endswith("revenue counted as value (no margin given)")  # the demo gives no margin

    low = min(js["reliability"]["scales"], key=lambda s: s["alpha"])
    assert titles["measurement"].startswith("Measurement: all 10 scales reliable in each group (Cronbach's alpha "
                                            f"{low['alpha']:.2f}".replace("0.", "."))
    assert f"CI {low['alpha_ci']['lower']:.2f} to {low['alpha_ci']['upper']:.2f}".replace("0.", ".") \
        in titles["measurement"]
    fit = js["cfa"]["fit"]
    assert f"CFA fit good (CFI {fit['cfi']:.3f}, RMSEA {fit['rmsea']:.3f})".replace("0.", ".") in titles["measurement"]


def test_spanish_titles_use_the_spec_names_and_spanish_numbers(plan_run, tmp_path):
    from cxstats.report.summary import add_executive_summary
    from cxstats.report.workbook import WorkbookBuilder, chart_overlaps

    results, js, _, spec, _ = plan_run
    d = _spanish(spec)
    titles = {t.kind: t.text for t in _titles(results.values(), d)}
    nps = js["nps"]["overall"]
    assert titles["nps"].startswith(f"NPS {round(nps['nps'])} (IC 95 %: {round(nps['nps_ci_lower'])} a "
                                    f"{round(nps['nps_ci_upper'])}): {round(100 * nps['promoters_share'])} % de "
                                    "promotores")
    gap = _largest_significant(js["gaps"])
    size = f"{abs(gap['diff']):.2f}".replace(".", ",")
    assert titles["gaps"].startswith(f"El personal de contacto sobrevalora «{d.name(gap['name'])}» en {size} puntos "
                                     "(IC 95 %: ")
    top = min(js["drivers"]["drivers"], key=lambda r: r["rank_lmg"])
    assert (f"Principales impulsores de la satisfacción: «{d.name(top['driver'])}» ({round(100 * top['lmg_share'])} %)"
            in titles["drivers"])
    assert titles["roi"].startswith("VAN de la hoja de ruta P50 " + f"{js['roi']['roadmap_total']['npv_p50'] / 1e6:.1f}"
                                    .replace(".", ",") + " M EUR (P10 ")
    assert titles["measurement"].startswith("Medición: las 10 escalas son fiables en cada grupo (alfa de Cronbach de 0,")
    assert "ajuste del AFC bueno" in titles["measurement"]

    wb = WorkbookBuilder(display=d)
    name = add_executive_summary(wb, list(results.values()), title="Ola 1")
    assert name == "Resumen ejecutivo"
    path = tmp_path / "es.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path)["Resumen ejecutivo"]
    assert ws["A1"].value == "Resumen ejecutivo: Ola 1"
    assert ws["A3"].value.startswith("1. NPS ")
    assert chart_overlaps(ws) == [] and len(ws._charts) == 1
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "cifra" in texts and "detalle en la hoja" in texts
    assert any(t.startswith("Puntualidad de la entrega *") for t in texts)  # significant gaps starred


# ------------------------------------------------------------------------------ only supported claims
def _gaps_result(rows, groups=("customer", "staff")):
    from cxstats.stats.gaps.result import GapsResult

    full = []
    for name, m1, m2, lo, hi, sig, *rest in rows:
        r = {"level": "construct", "name": name, "mean": [m1, m2], "diff": m1 - m2, "welch_ci_lower": lo,
             "welch_ci_upper": hi, "p_holm": 0.01 if sig else 0.4, "significant": sig, "note": ""}
        if rest:
            r["interpretable"] = rest[0]
        full.append(r)
    return GapsResult(groups=groups, group_column="respondent_type", rows=full, scale_max=5.0,
                      scale_max_source="spec", group_sizes={groups[0]: 500, groups[1]: 40})


def test_a_gap_that_is_not_significant_is_never_called_an_overrating():
    from cxstats.report.i18n import Display

    # the largest difference is not significant after Holm (CI unadjusted, wide: few staff)
    res = _gaps_result([("web", 3.0, 3.9, -1.70, -0.10, False), ("price", 3.4, 3.5, -0.4, 0.2, False)])
    for lang, words in (("en", ("overrate", "underrate")), ("es", ("sobrevalora", "infravalora"))):
        (t,) = _titles([res], Display(lang))
        assert not any(w in t.text for w in words), t.text
    (t,) = _titles([res], Display("en"))
    assert t.text.startswith("No significant gap between customers and staff on any of the 2 constructs "
                             "(Holm, alpha 0.05); largest difference: web, -0.90 points (95% CI -1.70 to -0.10)")
    (t,) = _titles([res], Display("es"))
    assert t.text.startswith("Ninguna brecha significativa entre clientes y personal de contacto en los 2 "
                             "constructos")

    # a smaller significant gap is the one named; the larger non-significant one is not
    res = _gaps_result([("web", 3.0, 3.9, -1.70, -0.10, False), ("price", 3.5, 3.2, 0.1, 0.5, True)])
    (t,) = _titles([res], Display("en"))
    assert t.text.startswith("Staff underrate price by 0.30 points (95% CI 0.10 to 0.50): customers 3.50 vs "
                             "staff 3.20; 1 of 2 constructs differ significantly"), t.text
    assert "web" not in t.text

    # significant but not interpretable (below scalar invariance): not claimed either
    res = _gaps_result([("web", 3.0, 3.9, -1.2, -0.6, True, False), ("price", 3.4, 3.5, -0.4, 0.2, False, True)])
    (t,) = _titles([res], Display("en"))
    assert "overrate" not in t.text and t.text.startswith("No significant gap"), t.text


def test_overrating_and_other_groups_read_the_difference_the_right_way_round():
    from cxstats.report.i18n import Display

    res = _gaps_result([("web", 3.1, 3.7, -0.75, -0.45, True)])
    (t,) = _titles([res], Display("en"))
    assert t.text.startswith("Staff overrate web by 0.60 points (95% CI 0.45 to 0.75): customers 3.10 vs staff "
                             "3.70"), t.text
    res = _gaps_result([("web", 3.7, 3.1, 0.45, 0.75, True)], groups=("staff", "customer"))
    (t,) = _titles([res], Display("en"))
    assert t.text.startswith("Staff overrate web by 0.60 points (95% CI 0.45 to 0.75): customers 3.10 vs staff "
                             "3.70"), t.text
    res = _gaps_result([("web", 3.1, 3.7, -0.75, -0.45, True)], groups=("north", "south"))
    (t,) = _titles([res], Display("en", {"north": "North", "south": "South"}))
    assert t.text.startswith("Web is rated 0.60 points higher by South than by North (95% CI 0.45 to 0.75): North "
                             "3.10 vs South 3.70"), t.text
    (t,) = _titles([res], Display("es", {"north": "Norte", "south": "Sur"}))
    assert t.text.startswith("«web» recibe 0,60 puntos más de Sur que de Norte (IC 95 %: 0,45 a 0,75): Norte 3,10 "
                             "frente a Sur 3,70"), t.text


def test_a_title_is_left_out_when_its_analysis_is_absent(plan_run):
    from cxstats.report.i18n import Display

    results, _, _, _, _ = plan_run
    d = Display()
    everything = list(results.values())
    assert [t.kind for t in _titles(everything, d)] == ["nps", "gaps", "drivers", "roi", "measurement"]
    for step, kind in (("nps", "nps"), ("gaps", "gaps"), ("drivers", "drivers"), ("roi", "roi")):
        kinds = [t.kind for t in _titles([r for k, r in results.items() if k != step], d)]
        assert kind not in kinds and len(kinds) == 4, (step, kinds)
    measurement = ("reliability", "cfa", "invariance")
    kinds = [t.kind for t in _titles([r for k, r in results.items() if k not in measurement], d)]
    assert kinds == ["nps", "gaps", "drivers", "roi"]
    assert [t.kind for t in _titles([results["describe"]], d)] == []


def test_a_plan_without_gaps_puts_the_summary_in_its_first_workbook(plan_run, tmp_path):
    import yaml

    _, _, _, _, folder = plan_run
    plan = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    plan["steps"] = [{"step": "nps", "workbook": "main"}, {"step": "reliability"}]
    plan.pop("output")
    path = folder / "plan_small.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", path, "--out", out, "-q").exit_code == 0
    wb = openpyxl.load_workbook(out / "plan_small_main.xlsx")
    assert wb.sheetnames[1] in SUMMARY_NAMES
    ws = wb.worksheets[1]
    assert ws["A3"].value.startswith("1. NPS ") and ws["A4"].value.startswith("2. ")
    assert ws["A5"].value is None  # two analyses, two titles; no chart without gaps or drivers
    assert not ws._charts
    assert not set(openpyxl.load_workbook(out / "plan_small_measurement.xlsx").sheetnames) & set(SUMMARY_NAMES)


def test_a_single_gaps_workbook_starts_its_summary_with_the_titles(plan_run, tmp_path):
    _, js, _, _, folder = plan_run
    path = tmp_path / "gaps.xlsx"
    res = run_cli("gaps", folder / "customers.csv", folder / "staff.csv", "--spec", folder / "questionnaire.yaml",
                  "--levels", "construct", "--xlsx", path, "--quiet")
    assert res.exit_code == 0, res
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[1] in SUMMARY_NAMES  # the same sheets as a plan of this one step
    ws = wb["Summary"] if "Summary" in wb.sheetnames else wb.worksheets[2]
    assert ws["A1"].value in ("In short", "En resumen")
    gap = _largest_significant(js["gaps"])
    assert ws["A2"].value.startswith("1. ") and f"{abs(gap['diff']):.2f}" in ws["A2"].value.replace(",", ".")


# ------------------------------------------------------------------------------ formatting helpers
def test_numbers_in_sentences():
    from cxstats.report.i18n import Display
    from cxstats.report.summary import coef, money, num, pct

    assert num(-0.004, 2) == "0.00" and num(1997, 0) == "1,997" and num(1997.25, 1, "es") == "1.997,2"
    assert pct(0.2535) == "25%" and pct(0.2535, "es") == "25 %"
    assert coef(0.7321) == ".73" and coef(0.0086) == ".009" and coef(0.7321, "es") == "0,73"
    assert coef(0.99779, decimals=3) == ".998"
    assert money(9715060.7, "EUR", Display()) == "9.7 M EUR" and money(9715060.7, "EUR", Display("es")) == "9,7 M EUR"
    assert money(81500, "EUR", Display("es")) == "82 mil EUR" and money(900, "EUR", Display()) == "900 EUR"


def test_one_group_against_the_aspirations():
    from cxstats.report.i18n import Display
    from cxstats.stats.gaps.result import GapsResult

    def row(name, mean, asp, lo, hi, sig):
        return {"level": "construct", "name": name, "n": 300, "mean": mean, "aspiration": asp,
                "gap_to_aspiration": mean - asp, "t_ci_lower": lo, "t_ci_upper": hi, "significant": sig}

    res = GapsResult(groups=("customer",), group_column="respondent_type", scale_max=5.0, scale_max_source="spec",
                     rows=[row("web", 4.1, 4.5, -0.6, -0.2, True), row("price", 3.0, 3.5, -1.1, 0.1, False)])
    (t,) = _titles([res], Display("en"))
    # the larger gap (price, -0.5) is not significant: the significant one is named
    assert t.text == ("Customers are below target on web by 0.40 points (95% CI 0.20 to 0.60): mean 4.10 vs "
                      "aspiration 4.50; 1 of 2 constructs differ significantly from their aspiration (Holm, alpha "
                      "0.05)"), t.text
    (t,) = _titles([res], Display("es"))
    assert t.text.startswith("Los clientes están por debajo del objetivo en «web» por 0,40 puntos (IC 95 %: 0,20 a "
                             "0,60)"), t.text
    for r in res.rows:
        r["significant"] = False
    (t,) = _titles([res], Display("en"))
    assert t.text.startswith("No construct differs significantly from its aspiration (Holm, alpha 0.05); largest "
                             "gap: price, -0.50 points (95% CI -1.10 to 0.10)"), t.text


def test_without_gaps_the_chart_shows_the_top_drivers(plan_run, tmp_path):
    from cxstats.report.summary import add_executive_summary
    from cxstats.report.workbook import WorkbookBuilder, chart_box, chart_overlaps

    results, js, _, spec, _ = plan_run
    wb = WorkbookBuilder(display=_english(spec))
    assert add_executive_summary(wb, [results["nps"], results["drivers"]]) == "Executive summary"
    wb.save(tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx")["Executive summary"]
    assert len(ws._charts) == 1 and chart_overlaps(ws) == []
    assert chart_box(ws, ws._charts[0])[3] <= 30
    header = next(r for r in range(1, 80) if ws.cell(row=r, column=2).value == "share of R²")
    shares = [ws.cell(row=header + k, column=2).value for k in range(1, 4)]
    top = sorted(js["drivers"]["drivers"], key=lambda r: r["rank_lmg"])[:3]
    assert shares == pytest.approx([r["lmg_share"] for r in top])


def test_without_a_recommend_question_csat_gives_the_first_title():
    import numpy as np

    from cxstats.report.i18n import Display
    from cxstats.stats.nps import analyze_nps, wilson_interval
    import pandas as pd

    answers = pd.DataFrame({"csat": np.repeat([1, 2, 3, 4, 5], [20, 30, 90, 160, 100])})
    res = analyze_nps(answers, None, csat={"csat": 5.0})
    (t,) = _titles([res], Display("en"))
    lo, hi = wilson_interval(260, 400)  # 4s and 5s of 400 answers
    assert t.kind == "csat"
    assert t.text == (f"65% of customers satisfied (top-2-box satisfaction, 95% CI {100 * lo:.0f}% to "
                      f"{100 * hi:.0f}%; n = 400)"), t.text
    assert t.figures[0].value == pytest.approx(0.65) and t.figures[0].lower == pytest.approx(lo)


def test_a_scale_below_the_threshold_is_named_not_called_reliable(plan_run):
    import copy

    from cxstats.report.i18n import Display

    results, _, _, _, _ = plan_run
    rel = copy.deepcopy(results["reliability"])
    low = rel.scales[3]
    low.alpha = 0.64
    (t,) = _titles([rel], Display("en"))
    who = "staff" if low.group == "staff" else "customers"
    assert t.text.startswith("Measurement: 1 of 10 scales below the reliability threshold (Cronbach's alpha < .70) "
                             f"in at least one group; lowest {low.scale} ({who}) .64 (95% CI"), t.text
    assert "reliable" not in t.text
    (t,) = _titles([rel], Display("es"))
    assert t.text.startswith("Medición: 1 de 10 escalas por debajo del umbral de fiabilidad (alfa de Cronbach < 0,70) "
                             "en al menos un grupo; la más baja «"), t.text


def test_names_from_the_spec_never_become_formulas_or_folders(tmp_path):
    from cxstats.report.i18n import Display
    from cxstats.report.summary import add_executive_summary
    from cxstats.report.workbook import WorkbookBuilder

    res = _gaps_result([("web", 3.1, 3.7, -0.75, -0.45, True)])
    evil = '=HYPERLINK("http://x.example","web") /home/ana/study/web'
    wb = WorkbookBuilder(display=Display("en", {"web": evil}))
    add_executive_summary(wb, [res])
    wb.save(tmp_path / "h.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx").worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells and all(c.data_type != "f" for c in cells)
    assert not any("/home/ana" in c.value for c in cells)
    assert any(c.value.startswith("=HYPERLINK") for c in cells)  # a figure label, kept as text
