"""The CX maturity self-assessment: rwg(j), ICC(1)/ICC(2), Welch ANOVA, stages and gaps against
hand computations, published values and peers; the demo's planted truth recovered; the template's
forms; the command and the plan."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml

from conftest import assert_clean_error, run_cli
from cxstats.stats.maturity import analyze_maturity, icc_oneway, rwg_j, stage_of, welch_anova

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Published (Table 4):
# ICC(1,1) = .17 and ICC(1,4) = .44.
SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def _hand_icc(y, g):
    """ICC(1), ICC(2) from the one-way ANOVA mean squares written out (Bliese 2000, k = N / groups)."""
    labels = sorted(set(g))
    n, m = len(y), len(labels)
    grand = sum(y) / n
    parts = [[v for v, u in zip(y, g) if u == lab] for lab in labels]
    ssb = sum(len(p) * (sum(p) / len(p) - grand) ** 2 for p in parts)
    ssw = sum(sum((v - sum(p) / len(p)) ** 2 for v in p) for p in parts)
    msb, msw, k = ssb / (m - 1), ssw / (n - m), n / m
    return (msb - msw) / (msb + (k - 1) * msw), (msb - msw) / msb


def test_icc_matches_shrout_fleiss_published_values_hand_formula_and_pingouin():
    import pandas as pd
    import pingouin as pg

    y, units = SF.ravel(), np.repeat(np.arange(6), 4)
    got = icc_oneway(y, units)
    assert round(got["icc1"], 2) == 0.17 and round(got["icc2"], 2) == 0.44   # published, two decimals
    h1, h2 = _hand_icc(list(y), list(units))
    assert got["icc1"] == pytest.approx(h1, abs=1e-12) and got["icc2"] == pytest.approx(h2, abs=1e-12)
    # pingouin's ICC1 / ICC1k are the one-way definitions: equal on balanced data
    table = pg.intraclass_corr(pd.DataFrame({"t": units, "r": np.tile(np.arange(4), 6), "y": y}), "t", "r", "y")
    table = table.set_index("Type")
    assert got["icc1"] == pytest.approx(table.loc["ICC(1,1)", "ICC"], abs=1e-10)
    assert got["icc2"] == pytest.approx(table.loc["ICC(1,k)", "ICC"], abs=1e-10)
    assert got["f"] == pytest.approx(table.loc["ICC(1,1)", "F"], abs=1e-10)
    assert got["pvalue"] == pytest.approx(table.loc["ICC(1,1)", "pval"], abs=1e-10)


def test_pingouin_needs_units_of_one_size_which_is_why_cxstats_computes_the_icc_itself():
    import pandas as pd
    import pingouin as pg

    frame = pd.DataFrame({"t": [1, 1, 1, 2, 2, 3, 3, 3], "r": [1, 2, 3, 1, 2, 1, 2, 3],
                          "y": [3, 4, 4, 2, 3, 5, 4, 5]})
    with pytest.raises(ValueError, match="unbalanced"):
        pg.intraclass_corr(frame, "t", "r", "y")
    # with nan_policy="omit" it drops unit 2 (one rater short) altogether; cxstats keeps every unit
    omitted = pg.intraclass_corr(frame, "t", "r", "y", nan_policy="omit").set_index("Type")
    kept = frame[frame.t != 2]
    assert omitted.loc["ICC(1,1)", "ICC"] == pytest.approx(icc_oneway(kept.y, kept.t)["icc1"], abs=1e-12)
    assert icc_oneway(frame.y, frame.t)["units"] == 3


def test_icc_unbalanced_units_use_the_mean_unit_size():
    y = [3, 4, 4, 5, 2, 2, 3, 4, 4, 5, 5, 5, 1, 2]
    g = ["a"] * 4 + ["b"] * 3 + ["c"] * 5 + ["d"] * 2
    got = icc_oneway(y, g)
    h1, h2 = _hand_icc(y, g)
    assert got["k"] == pytest.approx(14 / 4)
    assert got["icc1"] == pytest.approx(h1, abs=1e-12) and got["icc2"] == pytest.approx(h2, abs=1e-12)
    assert 0 < got["icc1"] < got["icc2"] < 1


def test_rwg_j_against_the_hand_formula():
    # one item, answers 4,4,5,5 on 1-5: s2 = 1/3, null variance (25 - 1)/12 = 2 -> rwg = 1 - 1/6
    assert rwg_j([4, 4, 5, 5], 5)["rwg"] == pytest.approx(5 / 6)
    # two items each with s2 = 1/3: J(1 - 1/6) / (J(1 - 1/6) + 1/6) = (5/3) / (11/6) = 10/11
    two = rwg_j([[4, 4], [5, 5], [4, 5], [5, 4]], 5)
    assert two["rwg"] == pytest.approx(10 / 11) and two["items"] == 2 and two["mean_var"] == pytest.approx(1 / 3)
    # 7-point scale: null variance (49 - 1)/12 = 4; three items with s2 = 1, 2, 3 -> mean 2, ratio 1/2
    x = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 1]], float)
    x[:, 0] = [3, 4, 5]                   # s2 = 1
    x[:, 1] = [2, 4, 4.0]                 # s2 = 4/3
    x[:, 2] = [1, 3, 4.0]                 # s2 = 7/3
    s2 = (1 + 4 / 3 + 7 / 3) / 3
    r = s2 / 4
    assert rwg_j(x, 7)["rwg"] == pytest.approx(3 * (1 - r) / (3 * (1 - r) + r))
    # more spread than the uniform null: the formula leaves [0, 1]; reported as 0, the raw value kept
    wide = rwg_j([[1, 1], [5, 5], [1, 5], [5, 1]], 5)
    assert wide["rwg"] == 0.0 and not 0 <= wide["raw"] <= 1
    # missing answers: an item's variance over its answers only
    assert rwg_j([[4, np.nan], [4, 5], [5, 5], [5, np.nan]], 5)["rwg"] == pytest.approx(_rwg_hand([1 / 3, 0.0], 2.0))


def _rwg_hand(variances, null):
    s2 = sum(variances) / len(variances)
    j = len(variances)
    return j * (1 - s2 / null) / (j * (1 - s2 / null) + s2 / null)


def test_rwg_j_icc_welch_and_kruskal_match_r():
    """R multilevel 2.7 (Bliese): rwg.j per company of lq2002's 11 leadership items (uniform null,
    ranvar = 2), ICC1/ICC2 of lq2002's LEAD scale and bh1996's work hours (fixtures/reference/
    multilevel: the R script, its data and output)."""
    import pandas as pd
    from pathlib import Path

    here = Path(__file__).parent / "fixtures" / "reference" / "multilevel"
    ref = json.loads((here / "multilevel_reference.json").read_text())
    lq = pd.read_csv(here / "lq2002_lead.csv")
    items = [f"LEAD{i:02d}" for i in range(1, 12)]
    assert len(ref["lq2002_rwg_j"]) == lq.COMPID.nunique() == 49
    for row in ref["lq2002_rwg_j"]:
        got = rwg_j(lq.loc[lq.COMPID == int(row["group"]), items].to_numpy(float), 5)
        assert got["raters"] == row["gsize"]
        assert got["rwg"] == pytest.approx(row["rwg_j"], abs=1e-12), row
    got = icc_oneway(lq.LEAD, lq.COMPID)
    assert got["icc1"] == pytest.approx(ref["lq2002_LEAD"]["icc1"], abs=1e-12)
    assert got["icc2"] == pytest.approx(ref["lq2002_LEAD"]["icc2"], abs=1e-12)
    bh = pd.read_csv(here / "bh1996_hrs.csv")
    got = icc_oneway(bh.HRS, bh.GRP)   # 7382 soldiers in 99 companies, unequal sizes
    assert got["units"] == 99 and got["n"] == 7382
    assert got["icc1"] == pytest.approx(ref["bh1996_HRS"]["icc1"], abs=1e-12)
    assert got["icc2"] == pytest.approx(ref["bh1996_HRS"]["icc2"], abs=1e-12)
    # R oneway.test (var.equal = FALSE) and kruskal.test, through the analysis' by-group comparison
    five = ref["lq2002_LEAD_first5"]
    part = lq[lq.COMPID.isin(five["companies"])].reset_index(drop=True)
    part["company"] = part.COMPID.astype(str)
    res = analyze_maturity(part, {"lead": ["LEAD"]}, targets={"lead": 4}, by=["company"])
    (row,) = res.differences
    assert row["groups"] == 5
    assert row["welch_f"] == pytest.approx(five["welch_f"], rel=1e-10)
    assert row["welch_df2"] == pytest.approx(five["welch_df2"], rel=1e-10)
    assert row["welch_pvalue"] == pytest.approx(five["welch_p"], rel=1e-8)
    assert row["kw_h"] == pytest.approx(five["kw_h"], rel=1e-10)
    assert row["kw_pvalue"] == pytest.approx(five["kw_p"], rel=1e-8)


def test_welch_anova_matches_statsmodels_and_welch_t_with_two_groups():
    from scipy import stats
    from statsmodels.stats.oneway import anova_oneway

    rng = np.random.default_rng(7)
    s = [rng.normal(0, 1, 12), rng.normal(0.6, 2, 17), rng.normal(1, 0.5, 9), rng.normal(0.2, 1.2, 20)]
    got, ref = welch_anova(s), anova_oneway(s, use_var="unequal")
    assert got["welch_f"] == pytest.approx(ref.statistic, rel=1e-12)
    assert got["welch_df2"] == pytest.approx(ref.df_denom, rel=1e-12)
    assert got["welch_pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
    two = welch_anova(s[:2])
    t = stats.ttest_ind(s[0], s[1], equal_var=False)
    assert two["welch_f"] == pytest.approx(t.statistic ** 2, rel=1e-12)
    assert two["welch_pvalue"] == pytest.approx(t.pvalue, rel=1e-10)


def test_stage_mapping_and_the_ci_against_the_boundaries():
    b = (1.5, 2.5, 3.5, 4.5)
    assert [stage_of(v, b) for v in (1.0, 1.49, 1.5, 2.49, 3.5, 4.99, 5.0)] == [1, 1, 2, 2, 4, 5, 5]
    import pandas as pd

    # dimension a: 20 answers of 3 and 20 of 4 (mean 3.5, the CI crosses the 3.5 boundary)
    # dimension b: all 2 except two 3s (CI inside stage 2)
    a = [3.0] * 20 + [4.0] * 20
    bb = [2.0] * 38 + [3.0] * 2
    frame = pd.DataFrame({"a1": a, "a2": a, "b1": bb, "b2": bb[::-1]})
    res = analyze_maturity(frame, {"a": ["a1", "a2"], "b": ["b1", "b2"]}, targets={"a": 4, "b": 3})
    da, db = res.dimensions
    assert da["mean"] == pytest.approx(3.5) and da["stage"] == 4 and da["stage_range"] == "3-4"
    assert not da["stage_determined"]
    from scipy import stats

    half = stats.t.ppf(0.975, 39) * np.std(a, ddof=1) / math.sqrt(40)
    assert da["ci_lower"] == pytest.approx(3.5 - half) and da["ci_upper"] == pytest.approx(3.5 + half)
    assert da["gap"] == pytest.approx(0.5) and da["gap_ci_lower"] == pytest.approx(0.5 - half)
    assert db["stage"] == 2 and db["stage_range"] == "2" and db["gap"] == pytest.approx(1 - 0.05)
    assert db["rank"] == 1 and da["rank"] == 2          # ranked by gap, largest first
    assert da["below_target"] and db["below_target"]


def test_change_since_the_previous_assessment_is_welch_from_summary_statistics():
    import pandas as pd
    from scipy import stats

    rng = np.random.default_rng(3)
    x = np.clip(np.rint(rng.normal(3, 1, (60, 3))), 1, 5)
    frame = pd.DataFrame(x, columns=["i1", "i2", "i3"])
    before = [{"dimension": "d", "mean": 2.6, "sd": 0.8, "n": 45, "stage": 3}]
    res = analyze_maturity(frame, {"d": ["i1", "i2", "i3"]}, targets={"d": 4}, previous=before)
    (c,) = res.changes
    d = res.dimensions[0]
    ref = stats.ttest_ind_from_stats(d["mean"], d["sd"], d["n"], 2.6, 0.8, 45, equal_var=False)
    assert c["welch_t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert c["pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert c["diff"] == pytest.approx(d["mean"] - 2.6)


# ------------------------------------------------------------------------------ the demo

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from cxstats.demo.maturity import write_maturity_demo

    folder = tmp_path_factory.mktemp("maturity")
    write_maturity_demo(folder)
    res = run_cli("maturity", folder / "maturity.csv", "--spec", folder / "maturity.yaml", "--json",
                  folder / "out.json", "-q")
    assert res.exit_code == 0, res
    return folder, json.loads((folder / "out.json").read_text()), json.loads(
        (folder / "truth_maturity.json").read_text())


@pytest.fixture(scope="module")
def replicates():
    """rwg(j) and ICC of 80 fresh samples of the demo's design (their SD: the sampling error)."""
    from cxstats.demo.maturity import AREAS, design, simulate_answers
    from cxstats.spec.load import parse_spec
    from cxstats.spec.maturity import template_text

    spec = parse_spec(yaml.safe_load(template_text("es")), "m.yaml")
    area_list, level_list = design(20261123)
    out = {"rwg": {}, "icc1": {}, "icc2": {}}
    for rep in range(80):
        areas, _, ans = simulate_answers(spec, area_list, level_list, np.random.default_rng(5000 + rep))
        for c in spec.constructs():
            block = np.column_stack([ans[i] for i in c.item_ids])
            icc = icc_oneway(block.mean(axis=1), areas)
            out["icc1"].setdefault(c.id, []).append(icc["icc1"])
            out["icc2"].setdefault(c.id, []).append(icc["icc2"])
            for a in AREAS:
                out["rwg"].setdefault((c.id, a), []).append(rwg_j(block[areas == a], 5)["rwg"])
    return {k: {kk: float(np.std(v, ddof=1)) for kk, v in d.items()} for k, d in out.items()}


def test_demo_dimension_means_are_recovered_within_4_se(demo):
    _, out, truth = demo
    assert len(out["dimensions"]) == 10 and out["n_respondents"] == truth["n"] == 200
    for d in out["dimensions"]:
        t = truth["dimensions"][d["dimension"]]
        se = d["sd"] / math.sqrt(d["n"])
        assert abs(d["mean"] - t["mean"]) < 4 * se, (d["dimension"], d["mean"], t["mean"], se)
        assert d["ci_lower"] < d["mean"] < d["ci_upper"]
        assert abs(t["mean"] - t["planted_mean"]) < 0.15      # rounding to 1-5 barely moves the mean
    # the ranking follows the planted means (target 4 everywhere): financial is the largest gap
    first = min(out["dimensions"], key=lambda d: d["rank"])
    assert first["dimension"] == "financial" and first["gap"] > 1.5


def test_demo_agreement_is_recovered_within_4_sampling_sd(demo, replicates):
    _, out, truth = demo
    for a in out["agreement"]:
        t = truth["dimensions"][a["dimension"]]["rwg"][a["unit"]]
        sd = replicates["rwg"][(a["dimension"], a["unit"])]
        assert abs(a["rwg"] - t) < 4 * sd, (a, t, sd)
    # the planted noise: atención (sd 0.35) agrees on every dimension, tecnología (sd 1.3) on none
    by_unit = {}
    for a in out["agreement"]:
        by_unit.setdefault(a["unit"], []).append(a["agree"])
    assert all(by_unit["atencion"]) and not any(by_unit["tecnologia"])
    k = truth["n"] / len(truth["areas"])
    for d in out["dimensions"]:
        t = truth["dimensions"][d["dimension"]]
        sd = replicates["icc1"][d["dimension"]]
        assert abs(d["icc1"] - t["icc1"]) < 4 * sd, (d["dimension"], d["icc1"], t["icc1"], sd)
        # ICC(2) is ICC(1) stepped up to the mean unit size (Spearman-Brown; Bliese 2000), and so is its truth;
        # its sampling distribution is too skewed for a +-4 SD check of its own
        kd = d["n"] / len(truth["areas"])   # respondents with a score of this dimension / units
        assert d["icc2"] == pytest.approx(kd * d["icc1"] / (1 + (kd - 1) * d["icc1"]), abs=1e-12)
        assert t["icc2"] == pytest.approx(k * t["icc1"] / (1 + (k - 1) * t["icc1"]), abs=1e-12)


def test_demo_level_differences_are_found(demo):
    _, out, truth = demo
    # planted: executives +0.5, frontline -0.2 on every dimension
    level = [r for r in out["differences"] if r["by"] == "level"]
    assert len(level) == 10 and sum(r["significant"] for r in level) >= 8
    means = {(g["dimension"], g["group"]): g["mean"] for g in out["groups"] if g["by"] == "level"}
    for d in out["dimensions"]:
        assert means[(d["dimension"], "executive")] > means[(d["dimension"], "frontline")]


def test_same_input_same_json_and_the_plan_gives_the_command_json(demo, tmp_path):
    folder, out, _ = demo
    again = run_cli("maturity", folder / "maturity.csv", "--spec", folder / "maturity.yaml", "--json", "-", "-q")
    assert json.loads(again.stdout) == out
    res = run_cli("run", folder / "plan_maturity.yaml", "--out", tmp_path / "o", "-q", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "o" / "demo_maturity.json").read_text())
    step = [s for s in doc["steps"] if s["step"] == "maturity"][0]
    assert step["result"] == out


def test_workbook_sheets_chart_and_languages(demo, tmp_path):
    from openpyxl import load_workbook

    from cxstats.report.workbook import chart_overlaps

    folder, out, _ = demo
    for lang, sheet, first in (("en", "Maturity", "Dimension"), ("es", "Madurez", "Dimensión")):
        path = tmp_path / f"m_{lang}.xlsx"
        prev = folder / "out.json"
        r = run_cli("maturity", folder / "maturity.csv", "--spec", folder / "maturity.yaml", "--previous", prev,
                    "--xlsx", path, "--lang", lang, "-q")
        assert r.exit_code == 0, r
        wb = load_workbook(path)
        ws = wb[sheet]
        assert len(ws._charts) == 1 and chart_overlaps(ws) == []
        header = [c.value for c in ws[3]]
        assert header[0] == first and len(wb.sheetnames) == 6  # cover, maturity, agreement, groups, change, methods
        for other in wb.worksheets:
            assert chart_overlaps(other) == []


def test_previous_assessment_unchanged_data_shows_no_change(demo, tmp_path):
    folder, out, _ = demo
    r = run_cli("maturity", folder / "maturity.csv", "--spec", folder / "maturity.yaml", "--previous",
                folder / "out.json", "--json", "-", "-q")
    changes = r.json()["changes"]
    assert len(changes) == 10 and all(c["diff"] == 0 and c["pvalue"] == pytest.approx(1) for c in changes)


def test_errors_name_the_option_file_or_spec_path(demo, tmp_path):
    folder, _, _ = demo
    data, spec = folder / "maturity.csv", folder / "maturity.yaml"
    assert_clean_error(run_cli("maturity", data, "--spec", spec, "--by", "region"), "--by", "'region'",
                       "not a segment")
    assert_clean_error(run_cli("maturity", data, "--spec", spec, "--min-n", "1"), "--min-n")
    bad = tmp_path / "prev.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert_clean_error(run_cli("maturity", data, "--spec", spec, "--previous", bad), "prev.json", "dimensions")
    assert_clean_error(run_cli("maturity", data), "give --spec")
    text = spec.read_text(encoding="utf-8").replace("  targets: {}", "  targets: {governance: 7}")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    assert_clean_error(run_cli("maturity", data, "--spec", tmp_path / "s.yaml"), "maturity.targets.governance",
                       "from 1 to 5")
    text = spec.read_text(encoding="utf-8").replace("  unit: area ", "  unit: region ")
    (tmp_path / "u.yaml").write_text(text, encoding="utf-8")
    assert_clean_error(run_cli("maturity", data, "--spec", tmp_path / "u.yaml"), "maturity.unit", "'region'")
    # the answers are read by ingest like any study's: an unknown level is refused naming its cell
    rows = (folder / "maturity.csv").read_text(encoding="utf-8").splitlines()
    head = rows[0].split(",")
    cells = rows[3].split(",")
    cells[head.index("level")] = "boss"
    bad_data = tmp_path / "answers.csv"
    bad_data.write_text("\n".join([rows[0], *rows[1:3], ",".join(cells), *rows[4:]]) + "\n", encoding="utf-8")
    assert_clean_error(run_cli("maturity", bad_data, "--spec", spec), "answers.csv", "column 'level'", "row 4",
                       "boss")
    ok = run_cli("ingest", data, "--spec", spec, "--out", tmp_path / "clean.csv")
    assert ok.exit_code == 0, ok
    # a spec without a maturity block: the analysis does not apply (exit 2, said so)
    no_block = spec.read_text(encoding="utf-8").split("\nmaturity:")[0]
    (tmp_path / "n.yaml").write_text(no_block, encoding="utf-8")
    assert_clean_error(run_cli("maturity", data, "--spec", tmp_path / "n.yaml"), "no 'maturity:' block")
    assert data.read_bytes() == (folder / "maturity.csv").read_bytes()


# ------------------------------------------------------------------------------ the template

@pytest.mark.parametrize("lang", ["es", "en"])
def test_template_is_a_spec_whose_forms_pyxform_converts(lang, tmp_path):
    from pyxform.xls2xform import convert

    from cxstats.spec.load import load_spec

    r = run_cli("maturity", "template", "--lang", lang)
    assert r.exit_code == 0, r
    path = tmp_path / "maturity.yaml"
    path.write_text(r.stdout, encoding="utf-8")
    spec = load_spec(path)
    assert spec.languages[0] == lang and len(spec.maturity.dimensions) == 10
    assert all(3 <= len(c.items) <= 6 for c in spec.constructs())
    assert [g.id for g in spec.segments] == ["area", "level"]
    assert list(spec.segments[1].values) == ["executive", "manager", "frontline"]
    assert ("operationalisation" in r.stdout) if lang == "en" else ("operacionalización" in r.stdout)
    for item in spec.items():
        assert item.customer["es"] and item.customer["en"]
    built = run_cli("questionnaire", "build", path, "--out", tmp_path / "forms", "-q")
    assert built.exit_code == 0, built
    for form in ("customer", "staff"):
        warnings: list[str] = []
        convert(str(tmp_path / "forms" / f"xlsform_{form}.xlsx"), warnings=warnings)
        assert warnings == []
    check = run_cli("questionnaire", "check", path)
    assert check.exit_code == 0 and "0 error(s), 0 warning(s)" in check.stdout + check.stderr


def test_dashboards_show_the_maturity_radar_and_the_roadmap_owners(demo, tmp_path):
    import re

    folder, out, _ = demo
    res = run_cli("run", folder / "plan_maturity.yaml", "--out", tmp_path / "m", "-q", "--lang", "en")
    assert res.exit_code == 0, res
    page = (tmp_path / "m" / "demo_maturity_dashboard.html").read_text(encoding="utf-8")
    assert "Plotly" in page and '"type":"scatterpolar"' in page.replace(" ", "")
    ranked = re.findall(r'<tr data-dimension="([a-z_]+)">', page)
    assert ranked == [d["dimension"] for d in sorted(out["dimensions"], key=lambda d: d["rank"])]
    assert "dimensiones ordenadas por brecha" in page and "Conocimiento del cliente" in page  # the spec's language
    # the journey dashboard of a customer study shows its roadmap with owners when the plan checks it
    from cxstats.demo.simulate import write_demo
    from cxstats.demo.waves import write_tracking_demo

    study = tmp_path / "study"
    write_demo(study, n_customers=200, n_staff=40)
    write_tracking_demo(study)
    plan = {"title": "t", "spec": "questionnaire_tracking.yaml", "data": ["waves.csv"],
            "roadmap": {"file": "roadmap.csv"}, "output": {"dashboard": "d.html"},
            "steps": [{"step": "track"}, {"step": "roadmap_check"}]}
    (study / "p.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    res = run_cli("run", study / "p.yaml", "--out", tmp_path / "j", "-q", "--lang", "en")
    assert res.exit_code == 0, res
    page = (tmp_path / "j" / "d.html").read_text(encoding="utf-8")
    assert re.findall(r'<tr data-initiative="([a-z0-9_]+)">', page) == ["franja_2h", "primer_contacto",
                                                                          "rediseno_web", "embalaje"]
    assert "Directora de operaciones (executive)" in page and "Hoja de ruta: iniciativas y responsables" in page
