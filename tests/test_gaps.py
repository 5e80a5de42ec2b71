"""Gap analysis: R reference (HS x1..x9, Pasteur vs Grant-White), closed forms,
weights (simulation with known truth), segments with minimum n, aspirations,
invariance notes, the CLI and the plan step."""

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.errors import InputError
from cxstats.stats.gaps import (adjust_pvalues, compare_two, expand_aspirations, analyze_gaps, hedges_g,
                                weighted_mean_var)

HS = DATASETS / "HolzingerSwineford1939.csv"
ITEMS = [f"x{i}" for i in range(1, 10)]
G1, G2 = "Pasteur", "Grant-White"
TOL = 1e-8


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(HS)


@pytest.fixture(scope="module")
def hs_result(hs):
    return analyze_gaps(hs, "school", items=ITEMS, compare=(G1, G2))


def _close(ours, theirs, key):
    assert ours == pytest.approx(theirs, abs=TOL, rel=TOL), (key, ours, theirs)


# name in gaps.json -> how to read ours from a to_dict() item row
OURS = {
    "mean_diff": lambda r: r["diff"], "welch_t": lambda r: r["welch_t"], "welch_df": lambda r: r["welch_df"],
    "welch_p": lambda r: r["pvalue"], "student_t": lambda r: r["student_t"],
    "student_df": lambda r: r["student_df"], "student_p": lambda r: r["student_p"],
    "mannwhitney_W": lambda r: r["mw_u"], "mannwhitney_p": lambda r: r["mw_pvalue"],
    "mannwhitney_U_other": lambda r: r["mw_u_other"], "rank_biserial": lambda r: r["rank_biserial"],
    "pooled_sd": lambda r: r["pooled_sd"], "cohen_d": lambda r: r["cohen_d"],
    "hedges_J_approx": lambda r: r["hedges_j"], "hedges_g": lambda r: r["hedges_g"],
    "hedges_J_exact": lambda r: r["hedges_j_exact"], "hedges_g_exact_J": lambda r: r["hedges_g_exact_j"],
    "welch_p_holm": lambda r: r["p_holm"], "welch_p_BH": lambda r: r["p_bh"],
    "mannwhitney_p_holm": lambda r: r["mw_p_holm"], "mannwhitney_p_BH": lambda r: r["mw_p_bh"],
}


def test_every_statistic_matches_R(hs_result):
    ref = reference("gaps")
    assert ref["groups"] == {"group1": G1, "group2": G2}
    rows = {r["name"]: r for r in hs_result.to_dict()["items"]}
    assert sorted(rows) == sorted(ref["items"])
    worst = 0.0
    for item, e in ref["items"].items():
        r = rows[item]
        for key in ("n", "mean", "sd"):
            for g in (G1, G2):
                _close(r[key][g], e[key][g], (item, key, g))
        _close(r["welch_ci_lower"], e["welch_ci95"][0], (item, "ci"))
        _close(r["welch_ci_upper"], e["welch_ci95"][1], (item, "ci"))
        for key, value in e.items():
            if key in ("item", "n", "mean", "sd", "welch_ci95"):
                continue
            assert key in OURS, f"reference statistic {key} not checked"
            _close(OURS[key](r), value, (item, key))
            worst = max(worst, abs(OURS[key](r) - value))
    for key, per_item in ref["adjusted"].items():  # the adjusted block too
        for item, value in per_item.items():
            _close(OURS[key](rows[item]), value, (item, key))
    assert worst < 1e-10


def test_json_uses_design_names(hs_result):
    row = hs_result.to_dict()["items"][0]
    for key in ("mean", "diff", "welch_t", "welch_df", "pvalue", "mw_u", "mw_pvalue", "hedges_g", "p_holm",
                "p_bh", "n", "sd", "top2_share", "hedges_g_ci_lower", "hedges_g_ci_upper", "aspiration",
                "gap_to_aspiration", "mw_p_holm", "mw_p_bh"):
        assert key in row, key


def test_hedges_g_ci_closed_form_and_coverage():
    a, b = np.array([3.0, 4, 5, 5, 6]), np.array([2.0, 3, 3, 4])
    h = hedges_g(a, b)
    n1, n2 = 5, 4
    sp = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    d = (a.mean() - b.mean()) / sp
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    se = j * math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    assert h["hedges_g"] == pytest.approx(j * d, abs=1e-14)
    assert h["hedges_g_ci_lower"] == pytest.approx(j * d - 1.959963984540054 * se, abs=1e-14)
    # coverage of the true standardised difference 0.5 (normal data, n = 40 per group)
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(400):
        h = hedges_g(rng.normal(0.5, 1, 40), rng.normal(0, 1, 40))
        hits += h["hedges_g_ci_lower"] <= 0.5 <= h["hedges_g_ci_upper"]
    assert 0.92 <= hits / 400 <= 0.98


def test_top2_box_closed_form():
    df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 4, "q": [5, 4, 3, 2, 5, 1, 4, 2, 2]})
    r = analyze_gaps(df, "g", items=["q"], scale_max=5).to_dict()["items"][0]
    assert r["top2_share"] == {"a": pytest.approx(3 / 5), "b": pytest.approx(1 / 4)}
    # default: observed maximum of the pooled data (5 here), with a warning
    res = analyze_gaps(df, "g", items=["q"])
    assert res.scale_max == 5 and res.to_dict()["items"][0]["top2_share"]["a"] == pytest.approx(0.6)
    assert any("observed maximum" in w for w in res.warnings)
    # a 7-point scale: 6 and 7 are the top two boxes
    r7 = analyze_gaps(df, "g", items=["q"], scale_max=7).to_dict()["items"][0]
    assert r7["top2_share"] == {"a": 0.0, "b": 0.0}


def test_aspiration_gaps_and_inheritance():
    df = pd.DataFrame({"g": ["c"] * 4 + ["s"] * 4, "q1": [4, 5, 3, 4, 5, 5, 4, 5], "q2": [3, 3, 4, 2, 4, 5, 4, 4],
                       "q3": [5, 5, 5, 4, 3, 4, 4, 4]})
    levels = {"item": {q: [q] for q in ("q1", "q2", "q3")}, "construct": {"A": ["q1", "q2"], "B": ["q3"]},
              "touchpoint": {"T": ["q1", "q2", "q3"]}}
    asp = expand_aspirations(levels, {"A": 4.5, "B": 4.0})
    assert asp["item"] == {"q1": 4.5, "q2": 4.5, "q3": 4.0}
    assert asp["touchpoint"] == {"T": 4.25}
    res = analyze_gaps(df, "g", levels=levels, aspirations=asp, scale_max=5).to_dict()
    a = next(r for r in res["constructs"] if r["name"] == "A")
    mean_c = np.mean([(4 + 3) / 2, (5 + 3) / 2, (3 + 4) / 2, (4 + 2) / 2])
    assert a["mean"]["c"] == pytest.approx(mean_c)
    assert a["gap_to_aspiration"]["c"] == pytest.approx(mean_c - 4.5)
    assert a["gap_to_aspiration"]["s"] == pytest.approx(a["mean"]["s"] - 4.5)
    with pytest.raises(InputError, match="not an item, construct"):
        expand_aspirations(levels, {"Z": 4})


def test_adjustment_is_per_family(hs):
    levels = {"item": {i: [i] for i in ITEMS},
              "construct": {"visual": ITEMS[:3], "textual": ITEMS[3:6], "speed": ITEMS[6:]}}
    res = analyze_gaps(hs, "school", levels=levels, compare=(G1, G2))
    cons = [r for r in res.rows if r["level"] == "construct"]
    p = [r["pvalue"] for r in cons]
    assert [r["p_holm"] for r in cons] == pytest.approx(list(adjust_pvalues(p, "holm")), abs=1e-15)
    # items keep exactly R's 9-item adjustment, unaffected by the construct family
    ref = reference("gaps")["items"]
    for r in res.rows:
        if r["level"] == "item":
            assert r["p_holm"] == pytest.approx(ref[r["name"]]["welch_p_holm"], abs=TOL)
    # construct score = mean of its items per respondent
    visual = hs[hs.school == G1][ITEMS[:3]].mean(axis=1).mean()
    assert cons[0]["mean"][0] == pytest.approx(visual, abs=1e-12)


def test_weighted_mean_sd_and_equal_weights():
    rng = np.random.default_rng(1)
    y, w = rng.normal(3, 1, 50), rng.uniform(0.2, 3, 50)
    m, sd, var_m, deff = weighted_mean_var(y, w)
    assert m == pytest.approx(np.average(y, weights=w), abs=1e-12)
    assert deff == pytest.approx(50 * np.sum(w ** 2) / np.sum(w) ** 2)
    m1, sd1, var1, deff1 = weighted_mean_var(y, np.full(50, 2.5))
    assert sd1 == pytest.approx(y.std(ddof=1), abs=1e-12)
    assert var1 == pytest.approx(y.var(ddof=1) / 50, abs=1e-12)  # equal weights: s^2/n
    assert deff1 == pytest.approx(1.0)


def test_weighted_difference_ci_covers_truth():
    """Unequal-probability samples: stratum 1 over-sampled; weights 1/p restore the population."""
    rng = np.random.default_rng(2026)

    def sample(mu_lo, mu_hi, n):
        # population: half in each stratum; sampling probabilities 0.8 / 0.2 -> weights 1/0.8, 1/0.2
        hi = rng.random(n) < 0.2
        y = np.where(hi, rng.normal(mu_hi, 1, n), rng.normal(mu_lo, 1, n))
        return y, np.where(hi, 1 / 0.2, 1 / 0.8)

    truth = (3 + 4) / 2 - (3.2 + 3.4) / 2  # population means 3.5 and 3.3
    hits, bias_unweighted = 0, []
    reps = 300
    for _ in range(reps):
        a, wa = sample(3, 4, 150)
        b, wb = sample(3.2, 3.4, 150)
        (ma, _, va, _), (mb, _, vb, _) = weighted_mean_var(a, wa), weighted_mean_var(b, wb)
        se = math.sqrt(va + vb)
        hits += abs(ma - mb - truth) <= 1.959963984540054 * se
        bias_unweighted.append(a.mean() - b.mean() - truth)
    assert 0.92 <= hits / reps <= 0.98
    r = compare_two(a, b, wa=wa, wb=wb)  # the same SE reaches the result
    assert r["diff_se"] == pytest.approx(se) and r["diff"] == pytest.approx(ma - mb)
    assert r["diff_ci_lower"] == pytest.approx(ma - mb - 1.959963984540054 * se)
    assert np.mean(bias_unweighted) < -0.05  # the unweighted difference is biased here


def test_weights_statement_and_fields(hs):
    df = hs.copy()
    df["w"] = np.where(df.sex == 1, 2.0, 1.0)
    res = analyze_gaps(df, "school", items=["x1"], compare=(G1, G2), weight="w")
    d = res.to_dict()
    assert "mean" in d["weights"]["weighted"] and "mw_u" in d["weights"]["unweighted"]
    r = d["items"][0]
    p = df[df.school == G1]
    assert r["mean"][G1] == pytest.approx(np.average(p.x1, weights=p.w), abs=1e-12)
    assert r["mean_unweighted"][G1] == pytest.approx(p.x1.mean(), abs=1e-12)
    # Welch and Mann-Whitney stay unweighted: identical to R's unweighted values
    e = reference("gaps")["items"]["x1"]
    assert r["welch_t"] == pytest.approx(e["welch_t"], abs=TOL)
    assert r["mw_u"] == e["mannwhitney_W"]
    assert any(t == "Survey weights" for t, _ in res.methods())


def test_segments_minimum_n_suppression(hs):
    df = hs.copy()
    df["seg"] = np.where(df.index < 40, "small", "big")  # 'small' holds Pasteur rows only
    res = analyze_gaps(df, "school", items=ITEMS[:3], compare=(G1, G2), by="seg", min_n=30)
    small = [r for r in res.segments if r["segment"] == "small"]
    big = [r for r in res.segments if r["segment"] == "big"]
    assert all(r["suppressed"] for r in small)
    assert all("diff" not in r and "pvalue" not in r for r in small)
    assert small[0]["n"] == [40, 0]
    assert not any(r["suppressed"] for r in big)
    b = df[df.seg == "big"]
    x = b[b.school == G1].x1
    assert big[0]["mean"][0] == pytest.approx(x.mean())
    tab = res.frame(segments=True)
    srow = tab[tab.segment == "small"].iloc[0]
    assert srow["suppressed"] and math.isnan(srow["diff"])
    assert any("suppressed" in w for w in res.warnings)


def test_invariance_marks_constructs_not_interpretable(hs):
    levels = {"construct": {"visual": ITEMS[:3], "textual": ITEMS[3:6]},
              "touchpoint": {"T": ITEMS[:6]}}
    res = analyze_gaps(hs, "school", levels=levels, compare=(G1, G2),
                       invariance={"visual": "metric", "textual": "scalar"})
    rows = {(r["level"], r["name"]): r for r in res.rows}
    assert rows[("construct", "visual")]["interpretable"] is False
    assert "not interpretable" in rows[("construct", "visual")]["note"]
    assert rows[("construct", "textual")]["interpretable"] is True
    assert rows[("touchpoint", "T")]["interpretable"] is False
    again = analyze_gaps(hs, "school", levels=levels, compare=(G1, G2)).with_invariance({"textual": "none"})
    rows = {(r["level"], r["name"]): r for r in again.rows}
    assert rows[("construct", "textual")]["interpretable"] is False
    assert rows[("construct", "visual")]["interpretable"] is True


def test_group_errors(hs):
    with pytest.raises(InputError, match="say which two to compare") as exc:
        analyze_gaps(hs.assign(k=hs.sex.astype(str) + hs.school), "k", items=["x1"])
    assert exc.value.option == "compare"
    with pytest.raises(InputError, match="two values"):
        analyze_gaps(hs.assign(one="a"), "one", items=["x1"])


# --------------------------------------------------------------------------- CLI
def test_cli_matches_reference_json(tmp_path):
    out = tmp_path / "g.json"
    res = run_cli("gaps", HS, "--group", "school", "--compare", f"{G1},{G2}", "--items", ",".join(ITEMS),
                  "--json", out, "-q")
    assert res.exit_code == 0, res
    doc = json.loads(out.read_text())
    ref = reference("gaps")["items"]
    for r in doc["items"]:
        assert r["pvalue"] == pytest.approx(ref[r["name"]]["welch_p"], abs=TOL)
        assert r["hedges_g"] == pytest.approx(ref[r["name"]]["hedges_g"], abs=TOL)
    assert doc["difference"] == f"{G1} - {G2}"


def test_cli_scales_aspiration_weight_segments(tmp_path):
    df = pd.read_csv(HS)
    df["w"] = 1 + (df.sex == 2)
    df["seg"] = np.where(df.grade == 7, '=HYPERLINK("x")', "eight")
    path = tmp_path / "hs.csv"
    df.to_csv(path, index=False)
    res = run_cli("gaps", path, "--group", "school", "--scale", "vis=x1,x2,x3", "--scale", "spd=x7,x8,x9",
                  "--aspiration", "vis=5", "--weight", "w", "--by", "seg", "--min-n", "20",
                  "--json", "-", "--xlsx", tmp_path / "g.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    vis = next(r for r in doc["constructs"] if r["name"] == "vis")
    assert vis["aspiration"] == 5 and vis["gap_to_aspiration"]["Pasteur"] == pytest.approx(vis["mean"]["Pasteur"] - 5)
    assert {r["name"] for r in doc["items"]} == set(ITEMS[:3] + ITEMS[6:])
    assert doc["weights"]["column"] == "w"
    assert {r["segment"] for r in doc["segments"]["rows"]} == {'=HYPERLINK("x")', "eight"}
    assert (tmp_path / "g.xlsx").exists()


def test_cli_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("g,q1,q2,w\na,1,2,1\nb,3,x3,1\na,2,2,-1\nb,4,5,1\n", encoding="utf-8")
    assert_clean_error(run_cli("gaps", bad, "--group", "g", "--items", "q1,q9"), "bad.csv", "q9", "no such column")
    assert_clean_error(run_cli("gaps", bad, "--group", "nope", "--items", "q1"), "bad.csv", "nope")
    assert_clean_error(run_cli("gaps", bad, "--group", "g", "--items", "q1,q2"),
                       "bad.csv", "column 'q2'", "row 3", "'x3'", "not a number")
    assert_clean_error(run_cli("gaps", bad, "--group", "g", "--items", "q1", "--weight", "w"),
                       "bad.csv", "column 'w'", "row 4", "'-1'")
    one = tmp_path / "one.csv"
    one.write_text("g,q1\na,1\na,2\n", encoding="utf-8")
    assert_clean_error(run_cli("gaps", one, "--group", "g", "--items", "q1"), "one.csv", "column 'g'",
                       "value 'a'", "two values")
    three = tmp_path / "three.csv"
    three.write_text("g,q1\na,1\nb,2\nc,3\na,2\n", encoding="utf-8")
    assert_clean_error(run_cli("gaps", three, "--group", "g", "--items", "q1"), "three.csv", "column 'g'",
                       "--compare")
    assert_clean_error(run_cli("gaps", three, "--group", "g", "--items", "q1", "--compare", "a,z"),
                       "three.csv", "column 'g'", "value 'z'", "no respondents")
    empty = tmp_path / "empty.csv"
    empty.write_text("g,q1\na,1\nb,\na,2\n", encoding="utf-8")
    res = run_cli("gaps", empty, "--group", "g", "--items", "q1", "--json", "-", "-q")
    assert res.exit_code == 0 and res.json()["items"][0]["n"] == {"a": 2, "b": 0}
    assert "fewer than 2 answers from b" in res.stderr
    assert_clean_error(run_cli("gaps", three, "--group", "g"), "--items")
    assert_clean_error(run_cli("gaps", three, "--group", "g", "--items", "q1", "--compare", "a,b",
                               "--aspiration", "q1=high"), "--aspiration", "'high'")


def test_cli_help_teaches():
    res = run_cli("gaps", "--help")
    assert res.exit_code == 0 and "Examples" in res.stdout and "--compare" in res.stdout
    assert "cxstats gaps survey.csv" in res.stdout


# --------------------------------------------------------------------------- spec and plan
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from cxstats.demo.simulate import write_demo

    folder = tmp_path_factory.mktemp("gapdemo")
    write_demo(folder, n_customers=300, n_staff=60)
    both = pd.concat([pd.read_csv(folder / "customers.csv", dtype=str), pd.read_csv(folder / "staff.csv", dtype=str)])
    both.to_csv(folder / "all.csv", index=False)
    return folder


def test_cli_spec_customers_vs_staff(demo):
    res = run_cli("gaps", demo / "all.csv", "--spec", demo / "questionnaire.yaml", "--json", "-", "-q")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["groups"] == ["customer", "staff"]
    truth = json.loads((demo / "truth.json").read_text())
    cons = {r["name"]: r for r in doc["constructs"]}
    assert set(cons) == set(truth["constructs"])
    web = cons["facilidad_web"]
    assert web["aspiration"] == 4.5
    assert web["gap_to_aspiration"]["customer"] == pytest.approx(web["mean"]["customer"] - 4.5)
    # the simulated staff over-rate delivery punctuality: a clearly negative customer - staff gap
    assert cons["puntualidad_entrega"]["diff"] < 0 and cons["puntualidad_entrega"]["p_holm"] < 0.05
    assert {"touchpoints", "components"} <= set(doc)


def _ctx(demo, results=(), files=None):
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec
    from cxstats.steps import StepContext

    spec = load_spec(demo / "questionnaire.yaml")
    files = files or [(demo / "customers.csv", "customer"), (demo / "staff.csv", "staff")]
    survey = load_survey(spec, files)
    return StepContext(spec=spec, results=list(results), survey_loader=lambda: survey)


def _verdicts(mapping):
    """An earlier invariance result with these construct verdicts."""
    from cxstats.stats.invariance import ConstructInvarianceResult

    class Earlier(ConstructInvarianceResult):
        construct_verdicts = mapping

    return Earlier(group_labels=["customer", "staff"], rule="cfi", constructs=[])


def test_plan_step_reads_invariance_verdicts(demo):
    from cxstats.steps import gaps as step

    earlier = _verdicts({"precio_valor": "metric", "facilidad_web": "scalar"})
    res = step.run(_ctx(demo, [earlier]), step.Options(levels=["construct", "touchpoint"]))
    rows = {(r["level"], r["name"]): r for r in res.rows}
    assert rows[("construct", "precio_valor")]["interpretable"] is False
    assert "not interpretable" in rows[("construct", "precio_valor")]["note"]
    assert rows[("construct", "facilidad_web")]["interpretable"] is True
    assert rows[("construct", "facilidad_web")]["aspiration"] == 4.5
    assert not any(r["level"] == "item" for r in res.rows)
    assert step.NAME == "gaps" and step.WORKBOOK == "gaps"
    # earlier results are found by their type, never by an attribute name
    other = SimpleNamespace(construct_verdicts={"precio_valor": "metric"})
    res = step.run(_ctx(demo, [other]), step.Options(levels=["construct"]))
    assert all(r.get("interpretable") is True for r in res.rows)


def test_scale_score_needs_half_of_its_items():
    df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "q1": [4, 5, 2, 3, 3], "q2": [np.nan, 5, 2, 3, np.nan],
                       "q3": [np.nan, 5, np.nan, 3, np.nan]})
    r = analyze_gaps(df, "g", levels={"construct": {"S": ["q1", "q2", "q3"]}}, scale_max=5).rows[0]
    # row 1 answered 1 of 3 items -> blank; row 3 answered 2 of 3 -> mean 2; last row 1 of 3 -> blank
    assert r["n"] == [2, 1]
    assert r["mean"][0] == pytest.approx((5 + 2) / 2)


def test_adjust_pvalues_agrees_with_statsmodels_on_random_families():
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    from cxstats.stats.gaps import adjust_pvalues

    rng = np.random.default_rng(3)
    for m in (1, 2, 7, 40):
        p = rng.uniform(0, 1, m) ** 3
        p[rng.random(m) < 0.2] = p[0]  # ties
        for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
            np.testing.assert_allclose(adjust_pvalues(p, ours), multipletests(p, method=theirs)[1], atol=1e-15)
    with_nan = adjust_pvalues([0.01, float("nan"), 0.04], "holm")
    assert np.isnan(with_nan[1]) and with_nan[0] == pytest.approx(0.02) and with_nan[2] == pytest.approx(0.04)


# --------------------------------------------------------------------------- one group vs aspirations
from cxstats.stats.gaps import analyze_aspiration_gaps  # noqa: E402

EXTRA = DATASETS.parent.parent / "reference_extra"
LIKERT = EXTRA / "aspiration_likert.csv"
LIK_LEVELS = {"item": {f"q{i}": [f"q{i}"] for i in range(1, 7)},
              "construct": {"A": ["q1", "q2", "q3"], "B": ["q4", "q5", "q6"]}}
# R name in aspiration_reference.json -> ours
R_NAMES = {"gap": "gap_to_aspiration", "ci_lower": "t_ci_lower", "ci_upper": "t_ci_upper",
           "n_nonzero": "wilcoxon_n"}


def _aspiration_reference():
    return json.loads((EXTRA / "aspiration_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def likert_result():
    lik = pd.read_csv(LIKERT)
    return analyze_aspiration_gaps(lik, levels=LIK_LEVELS, scale_max=5, label="customer",
                           aspirations=expand_aspirations(LIK_LEVELS, {"A": 4, "B": 4.5}))


def test_one_group_matches_R(hs, likert_result):
    """t.test(x, mu = a), wilcox.test(x, mu = a, exact = FALSE, correct = TRUE), p.adjust per family."""
    ref = _aspiration_reference()
    pas = hs[hs.school == G1]
    asp = {k: v["aspiration"] for k, v in ref["hs_pasteur_items"].items()}
    hs_doc = analyze_gaps(pas, items=list(asp), aspirations={"item": asp}, label=G1).to_dict()
    lik_doc = likert_result.to_dict()
    worst = 0.0
    for block, rows in (("hs_pasteur_items", hs_doc["items"]), ("likert_items", lik_doc["items"]),
                        ("likert_constructs", lik_doc["constructs"])):
        rows = {r["name"]: r for r in rows}
        assert sorted(rows) == sorted(ref[block])
        for name, e in ref[block].items():
            for key, value in e.items():
                if key == "n_zero":
                    continue
                ours = rows[name][R_NAMES.get(key, key)]
                assert ours == pytest.approx(value, rel=1e-9, abs=1e-12), (block, name, key)
                worst = max(worst, abs(ours - value))
    assert worst < 1e-12
    # the Likert items have ties and answers equal to the aspiration (dropped by the Wilcoxon test)
    assert ref["likert_items"]["q1"]["n_zero"] > 0


def test_one_group_closed_forms_against_scipy(likert_result):
    from scipy import stats

    lik = pd.read_csv(LIKERT)
    r = {x["name"]: x for x in likert_result.rows}["q5"]
    x = lik.q5.dropna().to_numpy(float)
    tt = stats.ttest_1samp(x, 4.5)
    ci = tt.confidence_interval(0.95)
    assert r["t"] == pytest.approx(tt.statistic, abs=1e-12) and r["df"] == len(x) - 1
    assert r["pvalue"] == pytest.approx(tt.pvalue, abs=1e-15)
    assert r["t_ci_lower"] == pytest.approx(ci.low - 4.5, abs=1e-12)
    assert r["gap_to_aspiration"] == pytest.approx(x.mean() - 4.5, abs=1e-14)
    d = x - 4.5
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    assert r["wilcoxon_v"] == ranks[d > 0].sum() and r["wilcoxon_n"] == len(d)
    # normal approximation with tie and continuity correction written out (R's wilcox.test)
    n = len(d)
    _, ties = np.unique(ranks, return_counts=True)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(ties ** 3 - ties) / 48)
    z = r["wilcoxon_v"] - n * (n + 1) / 4
    z = (z - math.copysign(0.5, z)) / sigma
    assert r["wilcoxon_pvalue"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    # Cohen's d for one sample and Hedges' g with J = 1 - 3/(4 df - 1)
    dd = (x.mean() - 4.5) / x.std(ddof=1)
    j = 1 - 3 / (4 * (len(x) - 1) - 1)
    se = j * math.sqrt(1 / len(x) + dd * dd / (2 * len(x)))
    assert r["cohen_d"] == pytest.approx(dd, abs=1e-14) and r["hedges_g"] == pytest.approx(j * dd, abs=1e-14)
    assert r["hedges_g_ci_upper"] == pytest.approx(j * dd + 1.959963984540054 * se, abs=1e-14)
    assert r["top2_share"] == pytest.approx(np.mean(x >= 4))


def test_one_group_families_and_row_without_aspiration():
    lik = pd.read_csv(LIKERT)
    levels = {**LIK_LEVELS, "touchpoint": {"T": ["q1", "q2", "q3", "q4", "q5", "q6"]}}
    # only A has an aspiration: q1-q3 inherit it, q4-q6, B and T have none
    res = analyze_aspiration_gaps(lik, levels=levels, aspirations=expand_aspirations(levels, {"A": 4}), scale_max=5)
    rows = {r["name"]: r for r in res.rows}
    b = rows["B"]
    assert b["aspiration"] is None and b["n"] == 117 and b["mean"] == pytest.approx(3.9358974358974357)
    assert all(math.isnan(b[k]) for k in ("gap_to_aspiration", "t", "pvalue", "wilcoxon_pvalue", "hedges_g",
                                          "p_holm", "wilcoxon_p_bh"))
    assert b["significant"] is False and math.isnan(rows["T"]["t"])
    # the item family is q1-q3 only; the construct family A alone (p_holm = p)
    items = [rows[q] for q in ("q1", "q2", "q3")]
    p = [r["pvalue"] for r in items]
    assert [r["p_holm"] for r in items] == pytest.approx(list(adjust_pvalues(p, "holm")), abs=1e-15)
    assert [r["p_bh"] for r in items] == pytest.approx(list(adjust_pvalues(p, "bh")), abs=1e-15)
    w = [r["wilcoxon_pvalue"] for r in items]
    assert [r["wilcoxon_p_holm"] for r in items] == pytest.approx(list(adjust_pvalues(w, "holm")), abs=1e-15)
    assert rows["A"]["p_holm"] == rows["A"]["pvalue"]
    assert any("no aspiration" in x and "construct B" in x for x in res.warnings)
    doc = res.to_dict()
    assert doc["mode"] == "one_group" and doc["groups"] == ["all"] and doc["difference"] == "mean - aspiration"
    row = doc["constructs"][1]
    assert row["name"] == "B" and row["t"] != row["t"]   # NaN here, null once written as JSON
    for key in ("n", "mean", "sd", "top2_share", "aspiration", "gap_to_aspiration", "t", "df", "pvalue", "t_ci_lower",
                "t_ci_upper", "p_holm", "p_bh", "wilcoxon_v", "wilcoxon_pvalue", "wilcoxon_p_holm",
                "wilcoxon_p_bh", "cohen_d", "hedges_g"):
        assert key in doc["items"][0], key


def test_one_group_needs_an_aspiration():
    lik = pd.read_csv(LIKERT)
    with pytest.raises(InputError, match="no aspiration"):
        analyze_aspiration_gaps(lik, levels=LIK_LEVELS)
    with pytest.raises(InputError, match="compare needs group") as exc:
        analyze_gaps(lik, compare=("a", "b"), items=["q1"])
    assert exc.value.option == "compare"   # the statistics name parameters, never command-line flags


def test_one_group_weights_and_segments():
    lik = pd.read_csv(LIKERT)
    lik["w"] = np.where(lik.id % 3 == 0, 2.5, 1.0)
    lik["seg"] = np.where(lik.id <= 100, "big", "small")
    res = analyze_aspiration_gaps(lik, items=["q4"], aspirations={"item": {"q4": 4.5}}, weight="w", by="seg", min_n=30)
    r = res.rows[0]
    x = lik.dropna(subset=["q4"])
    m, sd, vm, _ = weighted_mean_var(x.q4.to_numpy(float), x.w.to_numpy(float))
    assert r["mean"] == pytest.approx(np.average(x.q4, weights=x.w), abs=1e-14)
    assert r["gap_to_aspiration"] == pytest.approx(m - 4.5) and r["gap_se"] == pytest.approx(math.sqrt(vm))
    assert r["gap_pvalue"] == pytest.approx(math.erfc(abs((m - 4.5) / math.sqrt(vm)) / math.sqrt(2)))
    assert r["gap_p_holm"] == r["gap_pvalue"]
    # the t test stays unweighted (= R's t.test on the unweighted answers)
    assert r["t"] == pytest.approx(_aspiration_reference()["likert_items"]["q4"]["t"], abs=1e-12)
    assert r["mean_unweighted"] == pytest.approx(x.q4.mean())
    st = res.to_dict()["weights"]
    assert "gap_to_aspiration" in st["weighted"] and "wilcoxon_pvalue" in st["unweighted"]
    # equal weights: the sandwich SE is s / sqrt(n)
    eq = analyze_aspiration_gaps(lik.assign(w=3.0), items=["q4"], aspirations={"item": {"q4": 4.5}}, weight="w").rows[0]
    assert eq["gap_se"] == pytest.approx(x.q4.std(ddof=1) / math.sqrt(len(x)), abs=1e-14)
    small = [s for s in res.segments if s["segment"] == "small"]
    assert small[0]["suppressed"] and "t" not in small[0]
    big = [s for s in res.segments if s["segment"] == "big"][0]
    assert not big["suppressed"] and big["n"] == int(x.id.le(100).sum())
    assert any(t == "Survey weights" for t, _ in res.methods())


def test_cli_one_group_without_group(tmp_path):
    out = tmp_path / "g.json"
    res = run_cli("gaps", LIKERT, "--scale", "A=q1,q2,q3", "--scale", "B=q4,q5,q6", "--aspiration", "A=4",
                  "--aspiration", "B=4.5", "--scale-max", "5", "--json", out, "--xlsx", tmp_path / "g.xlsx", "-q")
    assert res.exit_code == 0, res
    doc = json.loads(out.read_text())
    ref = _aspiration_reference()
    assert doc["mode"] == "one_group" and doc["n"] == {"all": 120}
    for block, key in (("likert_constructs", "constructs"), ("likert_items", "items")):
        for r in doc[key]:
            e = ref[block][r["name"]]
            assert r["wilcoxon_v"] == e["wilcoxon_v"]
            assert r["wilcoxon_pvalue"] == pytest.approx(e["wilcoxon_pvalue"], rel=1e-9)
            assert r["p_holm"] == pytest.approx(e["p_holm"], rel=1e-9)
    assert (tmp_path / "g.xlsx").exists()


def test_cli_one_group_errors():
    assert_clean_error(run_cli("gaps", LIKERT, "--items", "q1,q2"), "--group: there is no second group",
                       "aspirations NAME=VALUE")
    assert_clean_error(run_cli("gaps", LIKERT, "--items", "q1", "--aspiration", "q9=4"), "'q9'", "not an item")
    assert_clean_error(run_cli("gaps", LIKERT, "--items", "q1", "--compare", "a,b"), "--compare: give the group column")


def test_cli_help_shows_the_one_group_example():
    res = run_cli("gaps", "--help")
    assert "against the aspirations" in res.stdout and "--aspiration web=4.5 --aspiration delivery=4.2" in res.stdout


def test_cli_spec_customers_only_is_one_group(demo):
    res = run_cli("gaps", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", "-")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["mode"] == "one_group" and doc["groups"] == ["customer"] and doc["n"] == {"customer": 300}
    assert "no frontline-staff respondents" in doc["warnings"][0]
    assert "no frontline-staff respondents" in res.stderr
    web = next(r for r in doc["constructs"] if r["name"] == "facilidad_web")
    assert web["aspiration"] == 4.5 and web["n"] == 300
    assert {"touchpoints", "components"} <= set(doc)


def test_plan_step_customers_only_runs_one_group(demo):
    from cxstats.errors import NotApplicable
    from cxstats.steps import gaps as step

    ctx = _ctx(demo, [_verdicts({"precio_valor": "metric"})], files=[(demo / "customers.csv", "customer")])
    survey, spec = ctx.survey, ctx.spec
    res = step.run(ctx, step.Options(levels=["construct", "touchpoint"]))
    assert res.one_group and res.groups == ("customer",)
    assert "no frontline-staff respondents" in res.warnings[0]
    assert any("invariance verdicts not applied" in w for w in res.warnings)
    rows = {(r["level"], r["name"]): r for r in res.rows}
    web = rows[("construct", "facilidad_web")]
    x = survey.data[["web_1", "web_2", "web_3"]].mean(axis=1)
    assert web["aspiration"] == 4.5 and web["mean"] == pytest.approx(x.mean(), abs=1e-12)
    from scipy import stats
    assert web["t"] == pytest.approx(stats.ttest_1samp(x.dropna(), 4.5).statistic, abs=1e-10)
    assert not any(r["level"] == "item" for r in res.rows)
    spec.aspirations = lambda: {}
    with pytest.raises(NotApplicable, match="no aspiration"):
        step.run(ctx, step.Options())
