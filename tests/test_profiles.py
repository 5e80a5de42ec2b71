"""Customer profiles (Jones-Sasser grid): statistics against closed forms and statsmodels/R,
the step from the command line and a plan, and the demo's known profile shares."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli
from cxstats.stats.profiles import analyze_profiles, classify, share_intervals
from cxstats.stats.profiles.contrasts import adjust, crosstab_residuals, welch_vs_rest


def test_classify_by_declared_cutoffs():
    s = [5, 4, 3, 5, 1, np.nan]
    r = [4, 1, 5, 3, 2, 5]
    assert list(classify(s, r, 4, 4)) == ["loyalist", "mercenary", "hostage", "mercenary", "defector", None]
    assert list(classify(s, r, 5, 3)) == ["loyalist", "defector", "hostage", "loyalist", "defector", None]


def _wilson(x, n, z=1.959963984540054):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _goodman(x, n, k, alpha=0.05):
    from scipy.stats import chi2

    a = chi2.ppf(1 - alpha / k, 1)
    root = math.sqrt(a * (a + 4 * x * (n - x) / n))
    return (a + 2 * x - root) / (2 * (n + a)), (a + 2 * x + root) / (2 * (n + a))


def test_shares_wilson_and_goodman_match_closed_forms():
    counts = [412, 97, 188, 303]
    share, lo, hi = share_intervals(counts)
    n = sum(counts)
    for i, x in enumerate(counts):
        assert share[i] == pytest.approx(x / n)
        wl, wh = _wilson(x, n)
        assert lo[i] == pytest.approx(wl, abs=1e-12) and hi[i] == pytest.approx(wh, abs=1e-12)
    _, jlo, jhi = share_intervals(counts, joint=True)
    for i, x in enumerate(counts):
        gl, gh = _goodman(x, n, 4)
        assert jlo[i] == pytest.approx(gl, abs=1e-10) and jhi[i] == pytest.approx(gh, abs=1e-10)
        assert jlo[i] < lo[i] and jhi[i] > hi[i]  # simultaneous intervals are wider


def test_welch_matches_the_textbook_formula():
    rng = np.random.default_rng(3)
    v = np.r_[rng.normal(1, 1, 40), rng.normal(0, 2, 70), [np.nan]]
    g = np.r_[np.ones(40, bool), np.zeros(71, bool)]
    d = welch_vs_rest(v, g)
    a, b = v[:40], v[40:110]
    se2 = a.var(ddof=1) / 40 + b.var(ddof=1) / 70
    t = (a.mean() - b.mean()) / math.sqrt(se2)
    df = se2 ** 2 / ((a.var(ddof=1) / 40) ** 2 / 39 + (b.var(ddof=1) / 70) ** 2 / 69)
    from scipy.stats import t as tdist

    assert d["welch_t"] == pytest.approx(t, rel=1e-12)
    assert d["welch_df"] == pytest.approx(df, rel=1e-12)
    assert d["pvalue"] == pytest.approx(2 * tdist.sf(abs(t), df), rel=1e-10)
    assert (d["n"], d["n_rest"]) == (40, 70)


def test_adjusted_residuals_match_statsmodels_and_r():
    from statsmodels.stats.contingency_tables import Table

    obs = np.array([[30, 12, 8], [10, 25, 15], [5, 9, 31], [20, 20, 20]])
    t = crosstab_residuals(obs)
    np.testing.assert_allclose(t["adj_residual"], Table(obs).standardized_resids, rtol=1e-12)
    # R: chisq.test(matrix(c(30,10,5,20,12,25,9,20,8,15,31,20), 4))$statistic = 52.40...
    e = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    assert t["chisq"] == pytest.approx(((obs - e) ** 2 / e).sum(), rel=1e-12)
    assert t["df"] == 6


def test_holm_and_bh_as_r_p_adjust():
    holm, bh = adjust([0.01, 0.02, 0.03, 0.04, float("nan")])
    # R: p.adjust(c(.01,.02,.03,.04), "holm") = .04 .06 .06 .06; "BH" = .04 .04 .04 .04
    np.testing.assert_allclose(holm[:4], [0.04, 0.06, 0.06, 0.06])
    np.testing.assert_allclose(bh[:4], [0.04, 0.04, 0.04, 0.04])
    assert math.isnan(holm[4]) and math.isnan(bh[4])


def _toy(n=600, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    sat = np.clip(np.round(3.5 + 0.9 * x + rng.normal(0, 0.7, n)), 1, 5)
    rep = np.clip(np.round(3.4 + 0.5 * x + 0.6 * z + rng.normal(0, 0.7, n)), 1, 5)
    seg = np.where(x > 0.5, "high", np.where(rng.random(n) < 0.5, "a", "b"))
    return pd.DataFrame({"sat": sat, "rep": rep, "x": x, "z": z, "seg": seg,
                         "nps": np.clip(np.round(7 + 2 * x), 0, 10)})


def test_profiles_tables_are_consistent_with_the_data():
    df = _toy()
    res = analyze_profiles(df, "sat", "rep", sat_cut=4, rep_cut=4, compare={"x": "construct"}, nps="nps",
                           segments=["seg"], lifecycle="seg", stage_order=["b", "a"], drivers=["x", "z"])
    prof = classify(df.sat, df.rep, 4, 4)
    for row in res.profiles:
        g = prof == row["profile"]
        assert row["n"] == g.sum() and row["share"] == pytest.approx(g.mean())
        assert row["means"]["x"] == pytest.approx(df.x[g].mean())
        v = df.nps[g]
        assert row["nps"] == pytest.approx(100 * ((v >= 9).mean() - (v <= 6).mean()))
    assert sum(r["n"] for r in res.profiles) == len(df)
    # x drives satisfaction: loyalists are above the rest, defectors below, both clearly
    d = {(r["profile"], r["variable"]): r for r in res.differences}
    assert d[("loyalist", "x")]["diff"] > 0.5 and d[("loyalist", "x")]["p_holm"] < 1e-6
    assert d[("defector", "x")]["diff"] < -0.5
    # the lifecycle table follows the declared stage order and sums to the profiles' counts
    assert [r["stage"] for r in res.lifecycle_rows] == ["b", "a", "high"]
    for code in ("loyalist", "defector"):
        assert sum(r[f"{code}_n"] for r in res.lifecycle_rows) == next(
            r["n"] for r in res.profiles if r["profile"] == code)
    # segment "high" (x > 0.5) over-represents loyalists: a large positive residual
    cell = next(c for c in res.segment_cells if c["value"] == "high" and c["profile"] == "loyalist")
    assert cell["adj_residual"] > 3
    # drivers of loyalty: the same as the drivers analysis on loyalist vs hostage/mercenary
    from cxstats.stats.drivers import analyze_drivers

    keep = np.isin(prof, ["loyalist", "hostage", "mercenary"])
    sub = df.loc[keep, ["x", "z"]].copy()
    sub["loyalist"] = (prof[keep] == "loyalist").astype(float)
    ref = analyze_drivers(sub, "loyalist", ["x", "z"], outcome_type="binary", penalty_reward=False)
    assert res.drivers.to_dict()["drivers"] == ref.to_dict()["drivers"]
    json.dumps(res.to_dict(), allow_nan=False)


def test_profile_shares_recover_a_known_truth():
    """Simulation with known truth: shares of a bivariate normal grid."""
    from scipy.stats import multivariate_normal

    rng = np.random.default_rng(11)
    n, rho = 4000, 0.5
    xy = rng.standard_normal((n, 2)) @ np.linalg.cholesky(np.array([[1, rho], [rho, 1]])).T  # Cholesky: same draws on any BLAS
    df = pd.DataFrame({"s": xy[:, 0], "r": xy[:, 1]})
    res = analyze_profiles(df, "s", "r", sat_cut=0.3, rep_cut=-0.2)
    mvn = multivariate_normal([0, 0], [[1, rho], [rho, 1]])
    both_low = mvn.cdf([0.3, -0.2])
    from scipy.stats import norm

    truth = {"defector": both_low, "mercenary": norm.cdf(-0.2) - both_low,
             "hostage": norm.cdf(0.3) - both_low}
    truth["loyalist"] = 1 - sum(truth.values())
    for code, p in truth.items():
        se = math.sqrt(p * (1 - p) / n)
        assert abs(res.share(code) - p) < 4 * se, code


# ----------------------------------------------------------------------------- the step

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("profiles") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _plan(tmp_path, demo, step: dict):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "finance": {"file": str(demo / "finance.csv")},
            "steps": [step]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


def test_cli_and_plan_give_the_same_json(demo, tmp_path):
    r = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--finance",
                demo / "finance.csv", "--json", tmp_path / "cli.json", "--xlsx", tmp_path / "cli.xlsx", "-q")
    assert r.exit_code == 0, r
    plan = _plan(tmp_path, demo, {"step": "profiles"})
    r = run_cli("run", plan, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    cli = json.loads((tmp_path / "cli.json").read_text())
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["result"] == cli
    assert cli["cutoffs"]["rule"].startswith("top-2-box")
    assert (cli["cutoffs"]["satisfaction"], cli["cutoffs"]["repurchase"]) == (4.0, 4.0)
    assert [p["profile"] for p in cli["profiles"]] == ["loyalist", "mercenary", "hostage", "defector"]
    first = cli["profiles"][0]
    assert {"n", "share", "share_ci_lower", "share_ci_upper", "means"} <= set(first)
    assert {"puntualidad_entrega", "entrega", "nps", "revenue", "churn"} <= set(first["means"])
    # demo truth: churn falls with loyalty, so loyalists churn less than defectors
    churn = {p["profile"]: p["means"]["churn"] for p in cli["profiles"]}
    assert churn["loyalist"] < churn["defector"]
    assert cli["loyalty_drivers"]["outcome_type"] == "binary"
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "cli.xlsx")
    ws = wb["Perfiles"]  # the workbook speaks the spec's first language (es) without --lang
    assert len(ws._charts) == 1


def test_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    r = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--sat-cut", "9")
    assert_clean_error(r, "--sat-cut", "outside the scale")
    plan = _plan(tmp_path, demo, {"step": "profiles", "segments": ["nope"]})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].segments", "nope")
    r = run_cli("profiles", demo / "customers.csv", "--satisfaction", "csat")
    assert_clean_error(r, "--repurchase")


def test_without_a_spec(demo, tmp_path):
    r = run_cli("profiles", demo / "customers.csv", "--satisfaction", "csat", "--repurchase", "recompra",
                "--sat-cut", "4", "--rep-cut", "4", "--segments", "region", "--compare", "nps", "--json", "-")
    assert r.exit_code == 0, r
    doc = r.json()
    spec_run = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                       "--no-drivers", "--json", "-").json()
    assert [p["n"] for p in doc["profiles"]] == [p["n"] for p in spec_run["profiles"]]
    assert doc["segment_tests"][0]["segment"] == "region"


def test_demo_profile_shares_recover_the_truth_and_lifecycle(demo):
    truth = json.loads((demo / "truth.json").read_text(encoding="utf-8"))["profiles"]["shares"]
    doc = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--no-drivers",
                  "--json", "-").json()
    n = doc["n"]
    assert n == 2000
    for p in doc["profiles"]:
        true = truth[p["profile"]]
        se = math.sqrt(true * (1 - true) / n)
        assert abs(p["share"] - true) < 4 * se, p["profile"]
    # lifecycle: the spec's 'lifecycle: true' segment (antiguedad), stages in the spec's order
    assert doc["lifecycle"]["segment"] == "antiguedad"
    rows = doc["lifecycle"]["rows"]
    assert [r["stage"] for r in rows] == ["nuevo", "recurrente"]
    raw = pd.read_csv(demo / "customers.csv")
    for r in rows:
        sub = raw[raw.antiguedad == r["stage"]]
        assert r["n"] == len(sub)
        assert r["loyalist_n"] == int(((sub.csat >= 4) & (sub.recompra >= 4)).sum())


def test_lifecycle_flag_is_validated():
    from cxstats.demo.simulate import spec_text
    from cxstats.errors import SpecError
    from cxstats.spec.load import parse_spec

    doc = yaml.safe_load(spec_text())
    doc["segments"][0]["lifecycle"] = "yes"
    with pytest.raises(SpecError, match=r"segments\[0\]\.lifecycle"):
        parse_spec(doc)
    doc["segments"][0]["lifecycle"] = True
    with pytest.raises(SpecError, match="only one segment"):
        parse_spec(doc)


def test_segment_values_and_finance_columns_by_their_names_in_the_workbooks_language(demo, tmp_path):
    """Lifecycle stages and segment values by the spec's names (values: code -> text), finance
    columns by their role's name, in --lang; the JSON keeps the codes whatever the language."""
    from openpyxl import load_workbook

    spec = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    stages = next(g for g in spec["segments"] if g.get("lifecycle"))["values"]
    regions = next(g for g in spec["segments"] if g["id"] == "region")["values"]
    seen, docs = {}, []
    for lang in ("es", "en"):
        r = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--finance",
                    demo / "finance.csv", "--lang", lang, "--xlsx", tmp_path / f"{lang}.xlsx",
                    "--json", tmp_path / f"{lang}.json", "-q")
        assert r.exit_code == 0, r
        docs.append((tmp_path / f"{lang}.json").read_bytes())
        wb = load_workbook(tmp_path / f"{lang}.xlsx")
        seen[lang] = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert docs[0] == docs[1]
    doc = json.loads(docs[0])
    assert {r["stage"] for r in doc["lifecycle"]["rows"]} == set(stages)  # codes in the JSON
    for lang, other in (("es", "en"), ("en", "es")):
        assert {t[lang] for t in stages.values()} <= seen[lang]
        assert not {t[other] for t in stages.values()} & seen[lang]
        assert {t[lang] for t in regions.values()} & seen[lang]
        assert not set(stages) & seen[lang]  # no bare code left
    assert {"Ingresos", "Tasa de abandono", "Cuota de gasto"} <= seen["es"]
    assert {"Revenue", "Churn rate", "Share of wallet"} <= seen["en"]
    assert not {"revenue", "churn", "share_of_wallet"} & (seen["es"] | seen["en"])


def _sheet_texts(ws) -> set:
    return {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}


def test_methods_are_written_in_the_workbooks_language(demo, tmp_path):
    """The profiles' method notes in Spanish in a Spanish workbook (no 'notes are in English'
    line), in English in an English one; a workbook mixing English-only notes keeps that line."""
    from openpyxl import load_workbook

    from cxstats.report.i18n import TEXTS

    books = {}
    for lang in ("es", "en"):
        r = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--crm",
                    demo / "crm.csv", "--lang", lang, "--xlsx", tmp_path / f"{lang}.xlsx", "-q")
        assert r.exit_code == 0, r
        books[lang] = load_workbook(tmp_path / f"{lang}.xlsx")
    # the tables' headers too, whatever other layouts a command happened to load
    heads = {lang: set().union(*(_sheet_texts(books[lang][s]) for s in books[lang].sheetnames[1:3]))
             for lang in books}
    assert {"Proporción", "IC 95% inferior", "Satisfacción (media)", "Chi-cuadrado", "Diferencia", "t de Welch",
            "p (Holm)", "Proporción (Leal (apóstol))", "Residuo estandarizado ajustado",
            "Beta estandarizada"} <= heads["es"]
    assert {"Share", "95% CI lower", "Chi-square", "Difference", "Welch t", "Share (Loyalist (apostle))"} <= heads["en"]
    assert not {"chisq", "share", "share_ci_lower", "welch_t", "diff", "p_holm", "adj_residual", "loyalist_share",
                "std_beta"} & (heads["es"] | heads["en"])
    es = _sheet_texts(books["es"]["Métodos"])
    en = _sheet_texts(books["en"]["Methods"])
    assert {"Perfiles", "Proporciones", "Diferencias", "Segmentos", "Ciclo de vida", "CRM",
            "Impulsores de lealtad"} <= es
    assert any(t.startswith("Matriz satisfacción x recompra de Jones y Sasser") for t in es)
    assert not any("Jones & Sasser" in t or "Welch's t test" in t for t in es)
    assert TEXTS["methods_in_english"]["es"] not in es
    assert any(t.startswith("Jones & Sasser (1995) satisfaction x repurchase grid") for t in en)
    assert {"Profiles", "Shares", "Lifecycle", "CRM", "Loyalty drivers"} <= en
    # a plan workbook with other (English-only) notes still says they are in English
    plan = _plan(tmp_path, demo, {"step": "profiles", "drivers": False})
    doc = yaml.safe_load(plan.read_text(encoding="utf-8"))
    doc["steps"].insert(0, {"step": "gaps"})
    plan.write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = run_cli("run", plan, "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    mixed = _sheet_texts(load_workbook(tmp_path / "out" / "plan_gaps.xlsx")["Métodos"])
    assert TEXTS["methods_in_english"]["es"] in mixed and "Perfiles" in mixed


def test_methods_say_the_same_in_both_languages():
    df = _toy()
    res = analyze_profiles(df, "sat", "rep", sat_cut=4, rep_cut=4, compare={"x": "construct"}, nps="nps",
                           segments=["seg"], lifecycle="seg", drivers=["x", "z"], joint=True)
    res.crm = {"file": "crm.csv", "n_matched": 9, "n_answers": 10, "n_unmatched": 1, "n_no_id": 0,
               "segments": {"seg": "s"}}
    es, en = res.methods("es"), res.methods("en")
    assert len(es) == len(en) == 8
    assert res.methods() == en and res.methods("fr") == en
    for (te, xe), (tn, xn) in zip(es, en):
        assert te != tn or te in ("NPS", "CRM")
        assert xe != xn
        # the numbers and names of the note are the same in both languages
        import re

        assert re.findall(r"\d+(?:\.\d+)?%?|'\w+'", xe.replace(",", ".")) == re.findall(
            r"\d+(?:\.\d+)?%?|'\w+'", xn.replace(",", "."))
