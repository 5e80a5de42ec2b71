"""track: the gaps as KPIs of their own - to the client's aspiration, and customers vs frontline
staff - checked against closed forms (scipy's Welch interval, the Welch-Satterthwaite
difference of two gaps by hand), simulation, and a demo-built world with a known staff gap."""

import csv
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import run_cli
from cxstats.stats.track import Kpi, analyze_track, gap_cell, gap_change

Z = 1.959963984540054


def test_gap_cell_is_scipys_welch_interval():
    rng = np.random.default_rng(5)
    c, s = rng.normal(3.4, 0.9, 180), rng.normal(3.9, 0.6, 45)
    got = gap_cell(c, s)
    ref = stats.ttest_ind(c, s, equal_var=False).confidence_interval(0.95)
    assert got["value"] == pytest.approx(c.mean() - s.mean())
    assert (got["ci_lower"], got["ci_upper"]) == pytest.approx((ref.low, ref.high))
    assert (got["n"], got["n_staff"]) == (180, 45)


def test_gap_change_matches_the_satterthwaite_closed_form():
    rng = np.random.default_rng(6)
    ca, sa, cb, sb = (rng.normal(m, sd, n) for m, sd, n in
                      ((3.4, 0.9, 200), (3.9, 0.5, 40), (3.1, 1.0, 220), (3.9, 0.7, 35)))
    got = gap_change(ca, sa, cb, sb)
    v = [x.var(ddof=1) / x.size for x in (ca, sa, cb, sb)]
    se = math.sqrt(sum(v))
    df = sum(v) ** 2 / sum(vi ** 2 / (x.size - 1) for vi, x in zip(v, (ca, sa, cb, sb)))
    diff = (cb.mean() - sb.mean()) - (ca.mean() - sa.mean())
    assert got["diff"] == pytest.approx(diff) and got["se"] == pytest.approx(se) and got["df"] == pytest.approx(df)
    assert got["pvalue"] == pytest.approx(2 * stats.t.sf(abs(diff / se), df))
    assert got["ci_upper"] - got["diff"] == pytest.approx(stats.t.ppf(0.975, df) * se)
    # two groups only, the same formula is Welch's t test (scipy)
    assert _two_group(ca, cb) == pytest.approx(stats.ttest_ind(cb, ca, equal_var=False).pvalue)


def _two_group(a, b):
    from cxstats.stats.track import _welch_parts

    est, se, df = _welch_parts([(1, b), (-1, a)])
    return 2 * stats.t.sf(abs(est / se), df)


def test_gap_change_coverage_and_size_by_simulation():
    """Skewed 1-5 answers, small staff samples: the 95% CI of the change of a gap covers the
    true change about 95% of the time; with no change, the test rejects about 5%."""
    rng = np.random.default_rng(7)
    codes = np.arange(1, 6)
    pc, ps = np.array([.05, .1, .25, .35, .25]), np.array([.02, .05, .18, .4, .35])
    cover, reject = [], []
    for _ in range(2000):
        ca, cb = rng.choice(codes, 150, p=pc), rng.choice(codes, 150, p=pc)
        sa, sb = rng.choice(codes, 30, p=ps), rng.choice(codes, 30, p=ps)
        g = gap_change(ca, sa, cb, sb)
        cover.append(g["ci_lower"] <= 0 <= g["ci_upper"])
        reject.append(g["pvalue"] < 0.05)
    assert abs(np.mean(cover) - 0.95) < 0.015 and abs(np.mean(reject) - 0.05) < 0.015


def test_gap_kpis_in_analyze_track():
    """Staff rows enter only the gap KPIs; a gap to aspiration is the score shifted, with the
    construct's change and test (counted once in the Holm family)."""
    rng = np.random.default_rng(9)
    n, m = 120, 40
    frame = pd.DataFrame({"wave": ["a"] * n + ["b"] * n + ["a"] * m + ["b"] * m,
                          "x": np.r_[rng.normal(3.0, 1, n), rng.normal(3.5, 1, n), rng.normal(4, .7, 2 * m)]})
    staff = np.r_[np.zeros(2 * n, bool), np.ones(2 * m, bool)]
    kpis = [Kpi("x", "x", "mean", "construct", aspiration=4.2), Kpi("x.vs_aspiration", "x", "gap_aspiration",
            "gap", aspiration=4.2, of="x"), Kpi("x.vs_staff", "x", "gap_staff", "gap", of="x")]
    r = analyze_track(frame, kpis, staff=staff, min_n=30)
    cells = {(c["kpi"], c["wave"]): c for c in r.cells}
    cust_a = frame.x[:n]
    assert cells[("x", "a")]["value"] == pytest.approx(cust_a.mean()) and cells[("x", "a")]["n"] == n
    asp = cells[("x.vs_aspiration", "a")]
    assert asp["value"] == pytest.approx(cust_a.mean() - 4.2)
    assert asp["ci_lower"] == pytest.approx(cells[("x", "a")]["ci_lower"] - 4.2)
    st = cells[("x.vs_staff", "b")]
    assert st["value"] == pytest.approx(frame.x[n:2 * n].mean() - frame.x[2 * n + m:].mean())
    assert (st["n"], st["n_staff"]) == (n, m)
    ch = {c["kpi"]: c for c in r.changes}
    assert ch["x.vs_aspiration"]["diff"] == pytest.approx(ch["x"]["diff"])
    assert ch["x.vs_aspiration"]["p_holm"] == ch["x"]["p_holm"] and ch["x.vs_aspiration"]["test"].startswith("=")
    # the family: x and x.vs_staff (2 tests); Holm of the smaller p is 2 p
    p = sorted([ch["x"]["pvalue"], ch["x.vs_staff"]["pvalue"]])
    assert min(ch["x"]["p_holm"], ch["x.vs_staff"]["p_holm"]) == pytest.approx(min(1, 2 * p[0]))
    assert r.to_dict()["multiple_comparisons"]["n_tests"] == 2
    # too few staff answers: the gap is suppressed, its change untested
    r = analyze_track(frame, kpis, staff=staff, min_n=41)
    assert all(c["suppressed"] for c in r.cells if c["kpi"] == "x.vs_staff")


# ----------------------------------------------------------------- demo world with staff waves

STAFF_SHIFT = {"ola1": {}, "ola2": {}, "ola3": {"puntualidad_entrega": 0.40}}  # staff miss the after-sales drop


@pytest.fixture(scope="module")
def staff_world(tmp_path_factory):
    """The demo's three customer waves plus 600 frontline staff per wave drawn from the same
    answer model (another seed) with the latent shifts STAFF_SHIFT: staff do not see the drop
    of after-sales resolution from wave 2, so the true customer-staff gap of
    resolucion_posventa moves by (customers' ola2 mean - customers' ola1 mean) from wave 1 to 2,
    and every other gap stays 0 (closed forms: cxstats.demo.waves.tracking_truth)."""
    from cxstats.demo.waves import simulate_waves, tracking_truth

    d = tmp_path_factory.mktemp("gaps") / "study"
    assert run_cli("demo", d).exit_code == 0
    rows = simulate_waves(600, seed=4242, shifts=STAFF_SHIFT)
    for r in rows:
        r.update(tipo_encuestado="empleado", fecha_contacto="", nps="", csat="", ces="", recompra="",
                 id_respuesta="S" + r["id_respuesta"])
    with open(d / "staff_waves.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = run_cli("track", d / "waves.csv", d / "staff_waves.csv", "--spec", d / "questionnaire_tracking.yaml",
                  "--json", "-", "-q", "--xlsx", d / "track.xlsx", "--lang", "en")
    assert res.exit_code == 0, res
    return res.json(), tracking_truth(), tracking_truth(STAFF_SHIFT), d


def test_staff_gaps_recover_the_truth(staff_world):
    doc, cust, staff, _ = staff_world
    assert doc["sample"]["staff_answers"] == 1800 and doc["sample"]["answers"] == 2100
    cells = {(c["kpi"], c["wave"]): c for c in doc["cells"] if c["segment"] == "all"}
    for w in ("ola1", "ola2", "ola3"):
        for cid, m in cust["waves"][w]["construct_means"].items():
            truth = m - staff["waves"][w]["construct_means"][cid]
            c = cells[(f"{cid}.vs_staff", w)]
            assert 590 < c["n_staff"] <= 600 and abs(c["value"] - truth) < 4 * (c["ci_upper"] - c["ci_lower"]) / (2 * Z)
            # customers' own cells do not include staff answers
            assert 690 < cells[(cid, w)]["n"] <= 700
    changes = {(c["kpi"], c["from_wave"], c["to_wave"]): c for c in doc["changes"] if c["segment"] == "all"}
    drop = changes[("resolucion_posventa.vs_staff", "ola1", "ola2")]
    true_drop = (cust["waves"]["ola2"]["construct_means"]["resolucion_posventa"]
                 - cust["waves"]["ola1"]["construct_means"]["resolucion_posventa"])
    # recovered within 4 SE and detected (unadjusted; Holm over the ~130 changes of this dashboard
    # needs |t| > 3.9, beyond what 700 customers a wave give for a 0.34 change)
    assert true_drop < -0.2 and abs(drop["diff"] - true_drop) < 4 * drop["se"] and drop["pvalue"] < 0.01
    assert drop["p_holm"] >= drop["pvalue"] and drop["p_bh"] is not None
    assert drop["test"].startswith("Welch-Satterthwaite")
    flagged = [k for k, c in changes.items() if k[0].endswith(".vs_staff") and c["significant"]
               and not k[0].startswith("resolucion_posventa")]
    assert flagged == [], flagged   # the other gaps do not move


def test_aspiration_gaps_track_with_their_construct(staff_world):
    """Every construct with an aspiration has a gap KPI: value and CI = the construct's minus the
    aspiration (from the spec), its changes the construct's (same test and adjusted p)."""
    from cxstats.demo.simulate import load_demo_spec

    doc, cust, _, _ = staff_world
    asp = {c.id: c.aspiration for c in load_demo_spec().constructs() if c.aspiration is not None}
    kpis = {k["kpi"]: k for k in doc["kpis"]}
    assert {f"{c}.vs_aspiration" for c in asp} <= set(kpis) and len(asp) >= 10
    cells = {(c["kpi"], c["segment"], c["wave"]): c for c in doc["cells"]}
    for (kpi, seg, w), c in cells.items():
        if kpi.endswith(".vs_aspiration"):
            base = cells[(kpi[: -len(".vs_aspiration")], seg, w)]
            a = asp[kpis[kpi]["of"]]
            assert c["value"] == pytest.approx(base["value"] - a) and c["ci_upper"] == pytest.approx(base["ci_upper"] - a)
            # the truth: the gap to aspiration within 4 SE of (true mean - aspiration)
            true = cust["waves"][w]["construct_means"][kpis[kpi]["of"]] - a
            assert abs(c["value"] - true) < 4 * (c["ci_upper"] - c["ci_lower"]) / (2 * Z)
    changes = {(c["kpi"], c["from_wave"], c["to_wave"]): c for c in doc["changes"] if c["segment"] == "all"}
    for (kpi, a, b), c in changes.items():
        if kpi.endswith(".vs_aspiration"):
            twin = changes[(kpis[kpi]["of"], a, b)]
            assert (c["diff"], c["p_holm"], c["significant"]) == (twin["diff"], twin["p_holm"], twin["significant"])


def test_track_workbook_has_small_line_charts_beside_their_tables(staff_world):
    """Native line charts (NPS, touchpoints, gaps to aspiration, customer-staff gaps), one line
    per KPI across the waves, each reading its own small table (the series point at rows whose
    first cell names the KPI and whose values are the JSON's), none covering a table."""
    import openpyxl
    from openpyxl.chart import LineChart

    from cxstats.report.workbook import chart_overlaps

    doc, _, _, d = staff_world
    ws = openpyxl.load_workbook(d / "track.xlsx")["Tracking"]
    charts = ws._charts
    assert len(charts) == 4 and all(isinstance(c, LineChart) for c in charts)
    assert chart_overlaps(ws) == []
    values = {(c["kpi"], c["wave"]): c["value"] for c in doc["cells"] if c["segment"] == "all"}
    names = {"NPS": "nps", "Website ease of use: gap to aspiration": "facilidad_web.vs_aspiration",
             "Website ease of use: customers - staff": "facilidad_web.vs_staff"}
    seen = set()
    for chart in charts:
        for s in chart.series:
            label = ws[s.tx.strRef.f.split("!")[1].replace("$", "")].value
            cells = ws[s.val.numRef.f.split("!")[1].replace("$", "")][0]
            assert len(cells) == 3
            if label in names:
                seen.add(label)
                assert [c.value for c in cells] == pytest.approx([values[(names[label], w)]
                                                                  for w in ("ola1", "ola2", "ola3")])
    assert seen == set(names)
    titles = [c.title.tx.rich.p[0].r[0].t for c in charts]
    assert titles == ["NPS by wave", "Touchpoint scores by wave", "Gap to aspiration by wave",
                      "Customers - staff gap by wave"]


@pytest.mark.skipif(not (__import__("shutil").which("libreoffice") or __import__("shutil").which("soffice")),
                    reason="LibreOffice not installed: the workbook's charts are not rendered here")
def test_track_workbook_renders_in_libreoffice(staff_world, tmp_path):
    import shutil
    import subprocess

    exe = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(staff_world[3] / "track.xlsx")],
                   check=True, capture_output=True, timeout=300)
    assert (tmp_path / "track.pdf").stat().st_size > 1000
