"""Issue 12 (7): the importance-performance chart for a deck, and whether each driver's quadrant
is determined by its bootstrap intervals."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.report.i18n import Display
from cxstats.stats.drivers import analyze_drivers
from cxstats.stats.drivers import ipa as ipa_mod

# three constructs of the demo spec, so that the spec gives their Spanish names
CODES = ["puntualidad_entrega", "precio_valor", "imagen_marca"]
QUADRANTS_ES = ["Concentrarse aquí", "Mantener el buen trabajo", "Baja prioridad", "Posible exceso"]
QUADRANTS_EN = ["Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"]


def _frame(n=400, seed=11):
    """The first driver explains nearly everything and sits exactly at the performance cut (the
    mean of the three drivers' means): its importance is settled, its performance is not."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    x = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1) + np.array([3.0, 2.5, 3.5])
    f = pd.DataFrame(x, columns=CODES)
    f["csat"] = 1.0 * f[CODES[0]] + 0.15 * f[CODES[1]] + 0.15 * f[CODES[2]] + 0.5 * rng.normal(size=n)
    return f


@pytest.fixture(scope="module")
def result():
    return analyze_drivers(_frame(), "csat", CODES, bootstrap=300, seed=5)


@pytest.fixture(scope="module")
def spanish():
    from cxstats.demo.simulate import load_demo_spec

    spec = load_demo_spec()
    return Display("es", spec.display_names("es")), spec


# -- statistics: a quadrant is determined when both intervals lie on one side of their cuts ---------

def test_determined_against_constructed_intervals():
    imp = [0.40, 0.40, 0.10, 0.30, 0.20]
    perf = [2.0, 4.0, 4.0, 3.5, 2.0]
    imp_iv = ([0.35, 0.35, 0.05, 0.25, 0.10], [0.45, 0.45, 0.15, 0.35, 0.25])  # 4th holds 0.3
    perf_iv = ([1.8, 2.5, 3.6, 3.1, 1.5], [2.2, 4.5, 4.4, 3.9, 2.9])            # 2nd holds 3.0
    labels, ic, pc = ipa_mod.quadrants(imp, perf, importance_cut=0.3, performance_cut=3.0,
                                       importance_interval=imp_iv, performance_interval=perf_iv)
    assert (ic, pc) == (0.3, 3.0)
    assert ipa_mod.determined(imp_iv, perf_iv, 0.3, 3.0, 5) == [True, False, True, False, True]
    assert labels == ["Concentrate here", "not determined", "Possible overkill", "not determined",
                      "Low priority"]
    # an interval that ends at the cut lies on one side of it
    assert ipa_mod.determined(([0.3], [0.5]), ([1.0], [3.0]), 0.3, 3.0, 1) == [True]
    # either axis alone decides; no intervals, nothing to judge by
    assert ipa_mod.determined(imp_iv, None, 0.3, 3.0, 5) == [True, True, True, False, True]
    assert ipa_mod.determined(None, perf_iv, 0.3, 3.0, 5) == [True, False, True, True, True]
    assert ipa_mod.determined(None, None, 0.3, 3.0, 5) is None


@pytest.mark.parametrize("kind", ["mean", "top2", "gap"])
def test_performance_interval_matches_the_normal_approximation(kind):
    """Percentile bootstrap of a mean / a share against mean ± z·sd/√n and p ± z·√(p(1-p)/n)."""
    from scipy.stats import norm

    rng = np.random.default_rng(2)
    n = 3000
    x = np.column_stack([rng.integers(1, 6, size=n), rng.normal(3, 1.2, size=n).round().clip(1, 5)])
    lo, hi = ipa_mod.performance_interval(x, kind, scale_max=np.array([5.0, 5.0]),
                                          aspiration=np.array([4.0, 3.5]), replicates=4000,
                                          rng=np.random.default_rng(9))
    z = norm.ppf(0.975)
    if kind == "top2":
        v = (x >= 4).astype(float)
        centre, half = v.mean(axis=0), z * np.sqrt(v.mean(axis=0) * (1 - v.mean(axis=0)) / n)
    else:
        centre = x.mean(axis=0) - (np.array([4.0, 3.5]) if kind == "gap" else 0)
        half = z * x.std(axis=0, ddof=1) / np.sqrt(n)
    np.testing.assert_allclose((lo + hi) / 2, centre, atol=0.1 * half.max())
    np.testing.assert_allclose((hi - lo) / 2, half, rtol=0.08)


def test_drivers_rows_say_whether_the_quadrant_is_determined(result):
    ipa = result.ipa
    ic, pc = ipa["importance_cut"], ipa["performance_cut"]
    assert pc == pytest.approx(3.0)  # the mean of 3.0, 2.5 and 3.5
    rows = {r["driver"]: r for r in ipa["rows"]}
    for r in rows.values():
        crosses = (r["importance_lower"] < ic < r["importance_upper"]
                   or r["performance_lower"] < pc < r["performance_upper"])
        assert r["determined"] is (not crosses)
        assert (r["quadrant"] == "not determined") is crosses
        assert r["performance_lower"] < r["performance"] < r["performance_upper"]
    first, second, third = (rows[c] for c in CODES)
    # importance settled far above 1/3, performance on the cut: not determined by performance
    assert first["importance_lower"] > ic and first["performance_lower"] < pc < first["performance_upper"]
    assert first["determined"] is False and first["position"] == "Keep up the good work"
    assert second["determined"] is True and second["quadrant"] == "Low priority"
    assert third["determined"] is True and third["quadrant"] == "Possible overkill"
    assert "performance" in ipa["rule"] and "determined = false" in ipa["rule"]
    plain = analyze_drivers(_frame(), "csat", CODES)
    assert all(r["determined"] is None and "performance_lower" not in r for r in plain.ipa["rows"])


def test_performance_intervals_are_reproducible_with_the_seed(result):
    again = analyze_drivers(_frame(), "csat", CODES, bootstrap=300, seed=5)
    assert again.ipa["rows"] == result.ipa["rows"]


# -- the chart ---------------------------------------------------------------------------------------

def _svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return [("".join(el.itertext())).strip() for el in root.iter() if el.tag.endswith("text")]


def _overlap(a, b):
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_chart_is_300_dpi_png_and_svg(result, tmp_path):
    from PIL import Image

    from cxstats.report.layouts.drivers import CHART_SIZE, write_ipa_png

    out = write_ipa_png(result, tmp_path / "deck" / "ipa.png", date="2026-11-30")
    png, svg = tmp_path / "deck" / "ipa.png", tmp_path / "deck" / "ipa.svg"
    assert out["png"] == str(png) and out["svg"] == str(svg)
    with Image.open(png) as im:
        assert im.format == "PNG"
        assert im.size == (round(CHART_SIZE[0] * 300), round(CHART_SIZE[1] * 300))
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    texts = _svg_texts(svg)
    # English by default, with the codes as names (no spec)
    assert {q.upper() for q in QUADRANTS_EN} <= set(texts)
    assert "Importance: share of R² (LMG)" in texts
    assert not list(tmp_path.joinpath("deck").glob(".*.part"))  # written atomically, nothing left over


def test_chart_speaks_spanish_with_the_spec_names(result, spanish, tmp_path):
    from cxstats.report.layouts.drivers import write_ipa_png

    display, spec = spanish
    out = write_ipa_png(result, tmp_path / "ipa.png", display=display,
                        study="ElectroHogar - Experiencia de compra online (ola 1)", date="2026-11-30")
    texts = _svg_texts(tmp_path / "ipa.svg")
    joined = " ".join(texts)
    names = spec.display_names("es")
    for code in CODES:
        assert names[code] != code and names[code] in joined  # a two-line name reads on in order
        assert not any(code in t for t in texts)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", joined)  # no snake_case code anywhere in the text
    for q in QUADRANTS_ES:
        assert q.upper() in texts
    assert not any(q.upper() in texts or q in joined for q in QUADRANTS_EN)
    assert "Importancia: proporción del R² (LMG)" in texts
    assert "Desempeño: puntuación media" in texts
    assert "corte 3,00" in texts  # the cut's value, Spanish decimal comma
    # source line: study, n, date, version
    source = next(t for t in texts if t.startswith("Fuente:"))
    assert source == out["source"]
    assert "ElectroHogar" in source and f"n = {result.n}" in source and "2026-11-30" in source
    assert "cxstats " in source
    # the first driver's quadrant is not determined: hollow, and the legend says what that means
    marks = {m["driver"]: m for m in out["marks"]}
    assert marks[CODES[0]]["marker"] == "hollow" and marks[CODES[0]]["determined"] is False
    assert marks[CODES[1]]["marker"] == marks[CODES[2]]["marker"] == "filled"
    svg = (tmp_path / "ipa.svg").read_text(encoding="utf-8")
    assert f'id="ipa-mark-{CODES[0]}-not-determined"' in svg
    assert f'id="ipa-mark-{CODES[1]}-determined"' in svg and f'id="ipa-mark-{CODES[2]}-determined"' in svg
    assert "No determinado: un intervalo cruza un corte" in texts
    assert any(t.startswith("Intervalo bootstrap al 95 %") for t in texts)
    # names do not overlap one another
    boxes = [m["label_box"] for m in out["marks"]]
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_chart_without_bootstrap_says_so(tmp_path):
    from cxstats.report.layouts.drivers import write_ipa_png

    res = analyze_drivers(_frame(), "csat", CODES)
    out = write_ipa_png(res, tmp_path / "plain.svg")  # an .svg path: the PNG goes beside it
    assert (tmp_path / "plain.png").exists() and (tmp_path / "plain.svg").exists()
    texts = _svg_texts(tmp_path / "plain.svg")
    assert "No bootstrap intervals: uncertainty not shown" in texts
    assert all(m["determined"] is None and m["marker"] == "filled" for m in out["marks"])


def test_cli_chart_in_the_spec_language(tmp_path):
    import openpyxl

    folder = tmp_path / "demo"
    assert run_cli("demo", folder, "--force").exit_code == 0
    png, xlsx = tmp_path / "out" / "ipa.png", tmp_path / "out" / "d.xlsx"
    res = run_cli("drivers", folder / "customers.csv", "--spec", folder / "questionnaire.yaml", "--outcome",
                  "csat", "--bootstrap", 50, "--seed", 2, "--ipa-png", png, "--xlsx", xlsx, "-q")
    assert res.exit_code == 0, res
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = _svg_texts(png.with_suffix(".svg"))
    assert "CONCENTRARSE AQUÍ" in texts and any(t.startswith("Fuente: ElectroHogar") for t in texts)
    assert "Puntualidad" in " ".join(texts)
    # --lang en: the chart in English with the spec's English names
    res = run_cli("drivers", folder / "customers.csv", "--spec", folder / "questionnaire.yaml", "--outcome",
                  "csat", "--bootstrap", 50, "--seed", 2, "--ipa-png", tmp_path / "en.png", "--lang", "en", "-q")
    assert res.exit_code == 0, res
    en = _svg_texts(tmp_path / "en.svg")
    assert "CONCENTRATE HERE" in en and "Delivery punctuality" in " ".join(en)
    # the workbook's IPA table has the determined column (yes / no)
    ws = openpyxl.load_workbook(xlsx)["Impulsores"]  # the workbook follows the spec's language too
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert "determined" in cells or any(isinstance(v, str) and "determin" in v.lower() for v in cells)
    assert {"yes", "sí", "no"} & {v for v in cells if isinstance(v, str)}


def test_plan_step_writes_the_chart_in_the_plan_language(tmp_path):
    folder = tmp_path / "demo"
    assert run_cli("demo", folder, "--force").exit_code == 0
    plan = folder / "plan_ipa.yaml"
    plan.write_text(
        "title: Demo\nspec: questionnaire.yaml\nseed: 4\nlang: en\n"
        "data:\n  - file: customers.csv\n    respondent_type: customer\n"
        "steps:\n  - step: drivers\n    outcome: csat\n    bootstrap: 50\n    ipa_png: ipa.png\n",
        encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path / "out")
    assert res.exit_code == 0, res
    assert "chart (drivers):" in res.stdout + res.stderr
    texts = _svg_texts(tmp_path / "out" / "ipa.svg")
    assert (tmp_path / "out" / "ipa.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "CONCENTRATE HERE" in texts and "Importance: share of R² (LMG)" in texts
    assert "Delivery punctuality" in " ".join(texts)
    assert any(t.startswith("Source: ElectroHogar - Online purchase experience (wave 1)") for t in texts)
    plan.write_text(plan.read_text(encoding="utf-8").replace("ipa_png: ipa.png", "ipa_png: ../ipa.png"),
                    encoding="utf-8")
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "out"), "steps[0].ipa_png", "plain file name")
