"""``estimator: auto`` (issue 18 part 6): the rule on data with known properties, its boundaries, the
profile numbers by hand, and the choice in the output of cfa, sem and invariance."""

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, reference, run_cli
from cxstats.stats.sem.auto import MIN_CATEGORIES, STRONG_FLOOR_CEILING, choose_estimator, item_profile

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_profile_by_hand():
    v = np.array([1, 1, 2, 3, 5, 5, 5, np.nan])
    p = item_profile(v)
    ok = v[~np.isnan(v)]
    m2, m3, m4 = (np.mean((ok - ok.mean()) ** k) for k in (2, 3, 4))
    assert p["categories"] == 4 and p["n"] == 7 and p["missing_share"] == pytest.approx(1 / 8)
    assert p["floor_share"] == pytest.approx(2 / 7) and p["ceiling_share"] == pytest.approx(3 / 7)
    assert p["skewness"] == pytest.approx(m3 / m2 ** 1.5, rel=1e-12)
    assert p["excess_kurtosis"] == pytest.approx(m4 / m2 ** 2 - 3, rel=1e-12)


def test_rule_and_its_boundaries():
    rng = np.random.default_rng(5)
    n = 500
    normal = pd.DataFrame({f"y{i}": rng.normal(size=n) for i in range(3)})
    c = choose_estimator(normal, list(normal))
    assert c["wanted"] == c["estimator"] == "MLR" and "close to normal" in c["reason"]
    # four categories -> ordinal wanted; this engine has no WLSMV -> MLR, said so
    four = normal.assign(y0=np.digitize(normal.y0, [-1, 0, 1]) + 1.0)
    c = choose_estimator(four, list(four), available=("ML", "MLR", "MLM"))
    assert c["wanted"] == "WLSMV" and c["estimator"] == "MLR"
    assert "y0 (4)" in c["reason"] and "not available" in c["reason"]
    assert choose_estimator(four, list(four), available=("MLR", "WLSMV"))["estimator"] == "WLSMV"
    # five categories with exactly 30% in the top one: not ordinal ("more than"); 31%: ordinal
    base = np.repeat([1.0, 2.0, 3.0, 4.0, 5.0], [20, 20, 15, 15, 30])
    assert item_profile(base)["categories"] == MIN_CATEGORIES
    assert choose_estimator(pd.DataFrame({"a": base}), ["a"])["wanted"] == "MLR"
    more = np.repeat([1.0, 2.0, 3.0, 4.0, 5.0], [20, 20, 15, 14, 31])
    assert item_profile(more)["ceiling_share"] > STRONG_FLOOR_CEILING
    c = choose_estimator(pd.DataFrame({"a": more}), ["a"])
    assert c["wanted"] == "WLSMV" and "a (31%)" in c["reason"]
    # skewed 7-point items without strong ceiling, with missing answers: MLR, facts named
    sk = pd.DataFrame({"s": np.repeat([1.0, 2, 3, 4, 5, 6, 7], [2, 3, 5, 10, 20, 35, 25])})
    sk.loc[0, "s"] = np.nan
    c = choose_estimator(sk, ["s"])
    assert c["estimator"] == "MLR" and "non-normal" in c["reason"] and "missing answers: s" in c["reason"]


def test_cfa_auto_on_hs_is_mlr_and_matches_lavaan(hs_path):
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--estimator", "auto", "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    d = res.json()
    assert d["estimator"] == "MLR" and d["estimator_choice"]["wanted"] == "MLR"
    assert d["warnings"][0].startswith("estimator auto chose MLR")
    ref = reference("robust_ordinal_hs")["mlr"]["fit"]
    assert d["fit"]["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], rel=1e-3)


def test_cfa_auto_on_four_category_items_wants_the_ordinal_estimator():
    path = DATASETS / "HS_ordinal4.csv"
    res = run_cli("cfa", path, "--model", HS_MODEL, "--estimator", "auto", "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    choice = res.json()["estimator_choice"]
    assert choice["wanted"] == "WLSMV"
    assert choice["items"]["x1"]["categories"] == 4
    if choice["estimator"] == "MLR":           # this engine: no WLSMV yet, said in the reason
        assert "not available" in choice["reason"] and res.json()["estimator"] == "MLR"


def test_sem_and_invariance_auto(hs_path):
    res = run_cli("sem", hs_path, "--model", HS_MODEL + "\nspeed ~ visual", "--estimator", "auto", "--json", "-",
                  "--quiet")
    assert res.exit_code == 0, res
    assert res.json()["estimator"] == "MLR" and "estimator_choice" in res.json()
    from cxstats.steps import StepContext
    from cxstats.steps import invariance as inv_step

    ctx = StepContext(files=[hs_path], source=str(hs_path))
    out = inv_step.run(ctx, inv_step.Options(model=HS_MODEL, group="school", estimator="auto",
                                             configural_rmsea=0.1))
    d = out.to_dict()
    assert d["estimator"] == "MLR" and d["lrt_method"] == "satorra.bentler.2001"
    assert d["estimator_choice"]["estimator"] == "MLR"
    ref = reference("invariance_robust_hs")["mlr"]["lrt"]
    assert d["lrt"][0]["chisq_diff"] == pytest.approx(ref[0]["chisq_diff"], rel=1e-3)


def test_spec_analysis_estimator(tmp_path):
    """A study spec's ``analysis: {estimator: ...}`` is the default of cfa, sem and invariance; an explicit
    option wins; a wrong value is refused with its YAML path."""
    from cxstats.demo.simulate import write_demo

    write_demo(tmp_path, n_customers=300, n_staff=120)
    spec = tmp_path / "questionnaire.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text + "\nanalysis:\n  estimator: auto\n", encoding="utf-8")
    cust = tmp_path / "customers.csv"
    res = run_cli("cfa", cust, "--spec", spec, "--constructs", "facilidad_web,puntualidad_entrega", "--json", "-",
                  "--quiet")
    assert res.exit_code == 0, res
    d = res.json()
    assert "estimator_choice" in d and d["estimator"] in ("MLR", "WLSMV")
    res = run_cli("cfa", cust, "--spec", spec, "--constructs", "facilidad_web,puntualidad_entrega",
                  "--estimator", "ML", "--json", "-", "--quiet")
    assert res.exit_code == 0 and res.json()["estimator"] == "ML" and "estimator_choice" not in res.json()
    spec.write_text(text + "\nanalysis:\n  estimator: fast\n", encoding="utf-8")
    res = run_cli("cfa", cust, "--spec", spec, "--json", "-", "--quiet")
    assert res.exit_code == 2 and "analysis.estimator" in res.stderr
