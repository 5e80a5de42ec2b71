"""NPS, CSAT and CES: hand-computed closed forms, interval coverage and test size
by simulation (seeded), the report, the CLI and the plan step."""

import math

import numpy as np
import pandas as pd
import pytest

from conftest import cell_code, assert_clean_error, run_cli
from cxstats.errors import InputError
from cxstats.stats.nps import (ces_stats, csat_stats, invalid_nps_positions, nps_difference, nps_from_counts,
                               analyze_nps, nps_stats, wilson_interval)

Z = 1.959963984540054


def test_nps_closed_form_symmetric():
    s = nps_stats([10, 9, 8, 7, 6, 0, 10, 3, np.nan])
    assert (s["n"], s["promoters"], s["passives"], s["detractors"]) == (8, 3, 2, 3)
    assert s["nps"] == 0 and s["promoters_share"] == 0.375 and s["passives_share"] == 0.25
    assert s["nps_se"] == pytest.approx(100 * math.sqrt(0.75 / 8), abs=1e-12)
    # adjusted-Wald: n' = 11, P' = D' = 3.75/11
    half = 100 * Z * math.sqrt((7.5 / 11) / 11)
    assert s["nps_ci_lower"] == pytest.approx(-half, abs=1e-12)
    assert s["nps_ci_upper"] == pytest.approx(half, abs=1e-12)


def test_nps_closed_form_asymmetric():
    # 6 promoters, 3 passives, 1 detractor of 10
    s = nps_from_counts(6, 3, 1)
    assert s["nps"] == pytest.approx(50)
    var = 0.6 + 0.1 - 0.5 ** 2  # P + D - (P - D)^2 = P(1-P) + D(1-D) + 2PD
    assert var == pytest.approx(0.6 * 0.4 + 0.1 * 0.9 + 2 * 0.6 * 0.1)
    assert s["nps_se"] == pytest.approx(100 * math.sqrt(var / 10))
    pa, da = 6.75 / 13, 1.75 / 13
    se = math.sqrt((pa + da - (pa - da) ** 2) / 13)
    assert s["nps_adjusted"] == pytest.approx(100 * (pa - da))
    assert s["nps_ci_lower"] == pytest.approx(100 * (pa - da - Z * se))
    assert s["nps_ci_upper"] == pytest.approx(min(100, 100 * (pa - da + Z * se)))
    # all promoters: the interval is clipped at 100
    assert nps_from_counts(5, 0, 0)["nps_ci_upper"] == 100


def test_adjusted_wald_coverage_simulation():
    rng = np.random.default_rng(11)
    probs = [0.5, 0.3, 0.2]  # promoters, passives, detractors -> true NPS 30
    for n in (30, 200):
        counts = rng.multinomial(n, probs, size=2000)
        hits = sum(s["nps_ci_lower"] <= 30 <= s["nps_ci_upper"]
                   for s in (nps_from_counts(*map(int, c)) for c in counts))
        assert 0.93 <= hits / 2000 <= 0.97, (n, hits)


def test_difference_closed_form_and_size():
    a = [10] * 6 + [8] * 3 + [2]  # 6/3/1
    b = [9] * 2 + [7] * 4 + [5] * 4  # 2/4/4
    d = nps_difference(a, b)
    assert d["diff"] == pytest.approx(50 - (-20))
    pa, da, pb, db = 6.75 / 13, 1.75 / 13, 2.75 / 13, 4.75 / 13
    va = (pa + da - (pa - da) ** 2) / 13
    vb = (pb + db - (pb - db) ** 2) / 13
    z = ((pa - da) - (pb - db)) / math.sqrt(va + vb)
    assert d["z"] == pytest.approx(z)
    assert d["pvalue"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    # size under the null: two samples from the same population
    rng = np.random.default_rng(5)
    scores = np.array([10, 8, 3])
    rejections = 0
    for _ in range(1000):
        x = rng.choice(scores, 120, p=[0.45, 0.35, 0.2])
        y = rng.choice(scores, 100, p=[0.45, 0.35, 0.2])
        rejections += nps_difference(x, y)["pvalue"] < 0.05
    assert 0.03 <= rejections / 1000 <= 0.07


def test_wilson_and_csat_against_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = wilson_interval(7, 20)
    slo, shi = proportion_confint(7, 20, alpha=0.05, method="wilson")
    assert (lo, hi) == pytest.approx((slo, shi), abs=1e-12)
    c = csat_stats([5, 5, 4, 3, 2, 4, np.nan, 1], 5)
    assert c["n"] == 7 and c["top_box_share"] == pytest.approx(2 / 7) and c["top2_box_share"] == pytest.approx(4 / 7)
    assert c["top2_box_share_ci_lower"] == pytest.approx(proportion_confint(4, 7, method="wilson")[0])


def test_ces_t_interval():
    from scipy import stats

    x = np.array([5, 6, 7, 4, 6, 7, 3])
    c = ces_stats(x)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=x.std(ddof=1) / math.sqrt(len(x)))
    assert (c["ci_lower"], c["ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)


def test_invalid_positions():
    assert invalid_nps_positions([0, 10, np.nan, 11, -1, 7.5, 3]) == [3, 4, 5]


def test_report_groups_segments_suppression():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"rec": rng.integers(0, 11, 200).astype(float),
                       "g": np.where(np.arange(200) < 120, "a", "b"),
                       "seg": np.where(np.arange(200) % 10 == 0, "tiny", "big")})
    r = analyze_nps(df, "rec", group="g", by="seg", min_n=30)
    assert r.overall["n"] == 200
    ga = next(x for x in r.groups if x["group"] == "a")
    assert ga["nps"] == pytest.approx(nps_stats(df.rec[:120])["nps"])
    assert r.comparison["group1"] == "a" and r.comparison["diff"] == pytest.approx(
        ga["nps"] - next(x for x in r.groups if x["group"] == "b")["nps"])
    tiny = [x for x in r.segments if x["segment"] == "tiny"]
    assert all(x["suppressed"] and x["nps"] is None for x in tiny) and tiny[0]["n"] == 20
    big = next(x for x in r.segments if x["segment"] == "big" and x["group"] == "All")
    assert not big["suppressed"] and big["nps"] == pytest.approx(nps_stats(df.rec[df.seg == "big"])["nps"])
    assert {"NPS", "NPS comparison", "NPS by segment"} <= set(r.tables())
    with pytest.raises(InputError, match="whole number"):
        analyze_nps(pd.DataFrame({"rec": [1, 2, 12]}), "rec")


def test_cli_nps_and_bad_values(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("id;rec;grp;sat;eff\n1;10;a;5;6\n2;9;a;4;7\n3;3;b;2;2\n4;7;b;5;5\n5;;a;3;4\n",
                 encoding="utf-8")
    res = run_cli("nps", p, "--column", "rec", "--group", "grp", "--csat", "sat=5", "--ces", "eff",
                  "--json", "-", "--xlsx", tmp_path / "n.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["overall"]["n"] == 4 and doc["overall"]["nps"] == pytest.approx(25)
    assert doc["comparison"]["diff"] == pytest.approx(100 - (-50))
    assert doc["csat"][0]["top_box_share"] == pytest.approx(0.4)
    assert doc["ces"][0]["mean"] == pytest.approx(4.8)
    assert (tmp_path / "n.xlsx").exists()
    for bad, shown in (("11", "'11'"), ("7.5", "'7.5'"), ("-1", "'-1'")):
        q = tmp_path / "bad.csv"
        q.write_text(f"id,rec\n1,10\n2,{bad}\n", encoding="utf-8")
        assert_clean_error(run_cli("nps", q, "--column", "rec"), "bad.csv", "column 'rec'", "row 3", shown,
                           "0 to 10")
    q.write_text("id,rec\n1,10\n2,diez\n", encoding="utf-8")
    assert_clean_error(run_cli("nps", q, "--column", "rec"), "bad.csv", "column 'rec'", "row 3", "'diez'")
    assert_clean_error(run_cli("nps", q, "--column", "nope"), "bad.csv", "nope", "no such column")
    assert_clean_error(run_cli("nps", p, "--column", "rec", "--group", "grp", "--compare", "a,z"),
                       "n.csv", "column 'grp'", "value 'z'")
    assert_clean_error(run_cli("nps", p), "--column")


def test_cli_help_teaches():
    res = run_cli("nps", "--help")
    assert res.exit_code == 0 and "Examples" in res.stdout and "adjusted-Wald" in res.stdout


def test_plan_step_nps(tmp_path):
    from cxstats.demo.simulate import write_demo
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec
    from cxstats.steps import StepContext
    from cxstats.steps import nps as step

    write_demo(tmp_path, n_customers=150, n_staff=30)
    spec = load_spec(tmp_path / "questionnaire.yaml")
    survey = load_survey(spec, [(tmp_path / "customers.csv", "customer"), (tmp_path / "staff.csv", "staff")])
    ctx = StepContext(spec=spec, survey_loader=lambda: survey)
    res = step.run(ctx, step.Options(by="region"))
    customers = survey.customers()["nps"]
    assert res.overall["n"] == customers.notna().sum()
    assert res.overall["nps"] == pytest.approx(nps_stats(customers)["nps"])
    assert res.csat and res.ces and res.segments
    assert step.WORKBOOK == "gaps"
    # customers and staff side by side: everyone's answers
    both = step.run(ctx, step.Options(group="respondent_type"))
    assert both.overall["n"] == survey.data["nps"].notna().sum()
    assert [g["group"] for g in both.groups] == ["customer", "staff"]
    assert both.comparison["group1"] == "customer"


def test_plan_step_nps_without_an_nps_outcome_does_not_apply(tmp_path):
    from cxstats.demo.simulate import write_demo
    from cxstats.errors import NotApplicable
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec
    from cxstats.steps import StepContext
    from cxstats.steps import nps as step

    write_demo(tmp_path, n_customers=60, n_staff=10)
    spec = load_spec(tmp_path / "questionnaire.yaml")
    survey = load_survey(spec, [(tmp_path / "customers.csv", "customer")])
    spec.outcome_of_type = lambda kind: None
    # no NPS outcome but CSAT/CES outcomes: those are reported alone
    only = step.run(StepContext(spec=spec, survey_loader=lambda: survey), step.Options())
    assert only.overall is None and only.csat and only.ces
    assert "NPS" not in only.tables() and "CSAT" in only.tables()
    spec.outcomes = [o for o in spec.outcomes if o.type not in ("nps", "csat", "ces")]
    with pytest.raises(NotApplicable, match="no outcome of type nps") as exc:
        step.run(StepContext(spec=spec, survey_loader=lambda: survey), step.Options())
    assert exc.value.option == "column"
    staff_only = load_survey(load_spec(tmp_path / "questionnaire.yaml"), [(tmp_path / "staff.csv", "staff")])
    with pytest.raises(NotApplicable, match="no customer respondents"):
        step.run(StepContext(spec=spec, survey_loader=lambda: staff_only), step.Options(column="nps"))


# -- issue 11: NPS needs a 0-10 item; CSAT-only / CES-only studies ---------------------------
def test_nps_refuses_a_1_to_7_item_without_a_spec(tmp_path):
    p = tmp_path / "seven.csv"
    rows = [f"{i},{v}" for i, v in enumerate([1, 2, 3, 4, 5, 6, 7, 7, 6, 2, 1, 3], 1)]
    p.write_text("id,sat7\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = run_cli("nps", p, "--column", "sat7", "--json", "-")
    assert_clean_error(res, "--column", "column 'sat7'", "1..7", "0-10")
    with pytest.raises(InputError, match="1..7"):
        analyze_nps(pd.DataFrame({"x": [1, 2, 7, 5]}), "x")
    # a declared 0-10 scale is trusted even when nobody answered above 7
    assert analyze_nps(pd.DataFrame({"x": [1, 2, 7, 5]}), "x", scale=(0, 10)).overall["n"] == 4
    with pytest.raises(InputError, match="scale of this column is 1-7") as exc:
        analyze_nps(pd.DataFrame({"x": [1, 2, 7, 5]}), "x", scale=(1, 7))
    assert exc.value.column == "x" and "observed answers 1..7" in exc.value.reason


def test_nps_refuses_a_spec_item_that_is_not_0_to_10(tmp_path):
    run_cli("demo", tmp_path / "d", "--force")
    d = tmp_path / "d"
    item_id = "web_1"   # a 1-5 item of the demo spec
    res = run_cli("nps", d / "customers.csv", d / "staff.csv", "--spec", d / "questionnaire.yaml",
                  "--column", item_id)
    assert_clean_error(res, "--column", item_id, "0-10", "spec's scale")


def test_csat_and_ces_without_a_recommend_question(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,sat,eff,g\n1,5,6,a\n2,4,7,a\n3,2,2,b\n4,5,5,b\n5,3,4,a\n", encoding="utf-8")
    res = run_cli("nps", p, "--csat", "sat=5", "--ces", "eff", "--group", "g", "--json", "-",
                  "--xlsx", tmp_path / "c.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["column"] is None and doc["overall"] is None
    assert doc["csat"][0]["top_box_share"] == pytest.approx(0.4)
    assert [r["group"] for r in doc["csat"]] == ["All", "a", "b"]
    assert doc["ces"][0]["mean"] == pytest.approx(4.8)
    assert any("CSAT/CES reported alone" in w for w in doc["warnings"])


def test_nps_workbook_shows_shares_as_percentages(tmp_path):
    from openpyxl import load_workbook

    p = tmp_path / "n.csv"
    p.write_text("id,rec,sat\n1,10,5\n2,9,4\n3,3,2\n4,7,5\n5,0,3\n", encoding="utf-8")
    res = run_cli("nps", p, "--column", "rec", "--csat", "sat=5", "--json", "-", "--xlsx", tmp_path / "n.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["overall"]["promoters_share"] == pytest.approx(0.4)
    assert doc["overall"]["detractors_share"] == pytest.approx(0.4) and doc["overall"]["nps"] == pytest.approx(0)
    ws = load_workbook(tmp_path / "n.xlsx")["NPS"]
    formats = {}
    for row in ws.iter_rows():
        for cell in row:
            code = cell_code(cell)  # the column's code (its header is "% promoters")
            if isinstance(code, str) and code.endswith("_share"):
                below = ws.cell(row=cell.row + 1, column=cell.column)
                formats[code] = below.number_format
    assert formats["promoters_share"] == "0.0%" and formats["top_box_share"] == "0.0%"
