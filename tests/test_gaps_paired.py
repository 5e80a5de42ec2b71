"""Issue 11: satisfaction and importance answered by the same respondents are paired data.

The gap analysis pairs the rows by respondent id (``--paired`` / ``paired: true``, or
automatically, with a warning, when the same ids are in both groups) and uses the paired t
test (R ``t.test(a, b, paired = TRUE)`` = scipy.stats.ttest_rel), the Wilcoxon signed-rank
test (R ``wilcox.test(a, b, paired = TRUE, exact = FALSE, correct = TRUE)`` = scipy.stats.wilcoxon
with zero_method="wilcox", correction=True) and d_z; stated importance (SERVQUAL-style) is
compared with performance the same way. Expected values are computed here by hand with scipy
on a small file the test writes; Welch's unpaired test gives a clearly different p."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from conftest import cell_code, assert_clean_error, run_cli

SAT = np.array([1, 2, 3, 4, 5, 2, 3, 4, 1, 2, 3, 4, 5, 3, 2, 4, 1, 3], dtype=float)
SHIFT = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0], dtype=float)
IMP = np.minimum(SAT + SHIFT, 5)
Q2S = np.array([3, 3, 4, 4, 5, 5, 2, 2, 3, 4, 4, 3, 5, 2, 3, 4, 4, 3], dtype=float)
Q2I = np.array([4, 3, 4, 5, 5, 4, 3, 2, 3, 4, 5, 3, 5, 3, 3, 4, 5, 3], dtype=float)


def _stacked(tmp_path, extra_sat_only=2):
    rows = []
    for i in range(len(SAT)):
        rows.append({"resp": f"r{i + 1}", "measure": "importance", "q1": IMP[i], "q2": Q2I[i]})
        rows.append({"resp": f"r{i + 1}", "measure": "satisfaction", "q1": SAT[i], "q2": Q2S[i]})
    for k in range(extra_sat_only):   # respondents who answered satisfaction only: unmatched
        rows.append({"resp": f"x{k}", "measure": "satisfaction", "q1": 5.0, "q2": 5.0})
    p = tmp_path / "stacked.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def _expected(a, b):
    d = a - b
    t = stats.ttest_rel(a, b)
    w = stats.wilcoxon(a, b, zero_method="wilcox", correction=True, method="asymptotic")
    nz = d[d != 0]
    v = stats.rankdata(np.abs(nz))[nz > 0].sum()
    return {"t": t.statistic, "df": t.df, "p": t.pvalue, "ci": t.confidence_interval(0.95),
            "wp": w.pvalue, "v": v, "wn": nz.size, "dz": d.mean() / d.std(ddof=1)}


def test_paired_gaps_match_paired_t_and_wilcoxon_not_welch(tmp_path):
    p = _stacked(tmp_path)
    res = run_cli("gaps", p, "--group", "measure", "--compare", "importance,satisfaction", "--items", "q1,q2",
                  "--id", "resp", "--paired", "--json", "-", "--xlsx", tmp_path / "g.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["mode"] == "paired"
    assert doc["pairing"]["n_pairs"] == 18 and doc["pairing"]["unmatched"] == {"importance": 0, "satisfaction": 2}
    assert any("2 only in satisfaction" in w for w in doc["warnings"])
    rows = {r["name"]: r for r in doc["items"]}
    ps = []
    for name, (a, b) in (("q1", (IMP, SAT)), ("q2", (Q2I, Q2S))):
        e, r = _expected(a, b), rows[name]
        assert r["n_pairs"] == 18 and r["diff"] == pytest.approx((a - b).mean(), abs=1e-12)
        assert r["paired_t"] == pytest.approx(e["t"], abs=1e-10) and r["paired_df"] == e["df"]
        assert r["pvalue"] == pytest.approx(e["p"], rel=1e-10)
        assert (r["paired_ci_lower"], r["paired_ci_upper"]) == pytest.approx((e["ci"].low, e["ci"].high))
        assert r["wilcoxon_pvalue"] == pytest.approx(e["wp"], rel=1e-10)
        assert r["wilcoxon_v"] == e["v"] and r["wilcoxon_n"] == e["wn"]
        assert r["d_z"] == pytest.approx(e["dz"], abs=1e-12)
        ps.append(e["p"])
    # Holm over the item family (R p.adjust(c(p1, p2), "holm"))
    lo, hi = sorted(ps)
    holm = {ps.index(lo): min(1, 2 * lo), ps.index(hi): min(1, max(2 * lo, hi))}
    assert rows["q1"]["p_holm"] == pytest.approx(holm[0]) and rows["q2"]["p_holm"] == pytest.approx(holm[1])
    # Welch on the same data (ignoring the pairing) gives a clearly different p
    welch = stats.ttest_ind(IMP, SAT, equal_var=False).pvalue
    assert rows["q1"]["pvalue"] < 0.001 and welch > 0.1
    # the workbook shows the paired columns
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "g.xlsx")["Items"]
    header = [cell_code(c) for row in ws.iter_rows(max_row=6) for c in row if c.value]  # column codes
    assert "paired_t" in header and "d_z" in header and "welch_t" not in header


def test_paired_mode_is_detected_from_the_ids_with_a_warning(tmp_path):
    p = _stacked(tmp_path)
    args = ["gaps", p, "--group", "measure", "--compare", "importance,satisfaction", "--items", "q1",
            "--id", "resp", "--json", "-"]
    auto = run_cli(*args).json()
    assert auto["mode"] == "paired" and auto["pairing"]["detected"] is True
    assert any("PAIRED" in w and "resp" in w for w in auto["warnings"])
    assert auto["items"][0]["pvalue"] == pytest.approx(stats.ttest_rel(IMP, SAT).pvalue)
    forced = run_cli(*args, "--unpaired").json()
    assert "mode" not in forced
    assert forced["items"][0]["pvalue"] == pytest.approx(
        stats.ttest_ind(IMP, np.r_[SAT, 5, 5], equal_var=False).pvalue)
    # duplicated id within a group is refused, naming the column and value
    q = tmp_path / "dup.csv"
    pd.concat([pd.read_csv(p), pd.read_csv(p).head(1)]).to_csv(q, index=False)
    assert_clean_error(run_cli(*args[:1], q, *args[2:], "--paired"), "column 'resp'", "'r1'", "twice")
    assert_clean_error(run_cli("gaps", p, "--group", "measure", "--compare", "importance,satisfaction",
                               "--items", "q1", "--paired"), "--id")


def test_stated_importance_gap_is_paired(tmp_path):
    p = tmp_path / "servqual.csv"
    pd.DataFrame({"q1": SAT, "q2": Q2S, "imp_q1": IMP, "imp_q2": Q2I}).to_csv(p, index=False)
    res = run_cli("gaps", p, "--importance", "q1=imp_q1", "--importance", "q2=imp_q2",
                  "--scale", "overall=q1,q2", "--json", "-", "--xlsx", tmp_path / "s.xlsx")
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["mode"] == "paired" and doc["groups"] == ["importance", "performance"]
    r = {x["name"]: x for x in doc["items"]}["q1"]
    assert r["diff"] == pytest.approx((IMP - SAT).mean())
    assert r["pvalue"] == pytest.approx(stats.ttest_rel(IMP, SAT).pvalue, rel=1e-10)
    c = doc["constructs"][0]
    assert c["pvalue"] == pytest.approx(stats.ttest_rel((IMP + Q2I) / 2, (SAT + Q2S) / 2).pvalue, rel=1e-10)
    assert_clean_error(run_cli("gaps", p, "--importance", "q1=nope"), "servqual.csv", "column 'nope'")
    assert_clean_error(run_cli("gaps", p, "--importance", "q1=imp_q1", "--group", "q2"), "--importance",
                       "no group")


def test_paired_plan_key_and_cli_flag_agree(tmp_path):
    """A plan runs through a study spec: on the demo (customers and staff have different ids)
    paired: false equals --unpaired, paired: true is refused (nothing to pair), and a wrong type
    names steps[0].paired."""
    import json

    demo = tmp_path / "demo"
    assert run_cli("demo", demo, "--force").exit_code == 0
    files = [demo / "customers.csv", demo / "staff.csv"]
    cli = run_cli("gaps", *files, "--spec", demo / "questionnaire.yaml", "--levels", "construct",
                  "--unpaired", "--json", "-").json()
    assert "mode" not in cli and not any("PAIRED" in w for w in cli["warnings"])

    def plan(paired):
        path = tmp_path / "plan.yaml"
        path.write_text(yaml.safe_dump({
            "title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(files[0]), "respondent_type": "customer"},
                     {"file": str(files[1]), "respondent_type": "staff"}],
            "steps": [{"step": "gaps", "levels": ["construct"], "paired": paired}]}), encoding="utf-8")
        return path

    res = run_cli("run", plan(False), "--out", tmp_path / "out", "-q")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert doc["steps"][0]["result"] == cli
    assert_clean_error(run_cli("run", plan("maybe"), "--out", tmp_path / "out2"), "steps[0].paired")
    assert_clean_error(run_cli("gaps", *files, "--spec", demo / "questionnaire.yaml", "--paired"),
                       "respondent_id", "nothing to pair")
