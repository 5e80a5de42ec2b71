"""Finance linkage: join by id, match rate, churn / revenue / share models against known truth."""

import math

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.errors import InputError
from cxstats.io.finance import FinanceTable
from cxstats.stats.finance import analyze_finance, fit_outcome, link_finance


def _write(path, frame):
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Survey + finance with known truth: logit P(churn) = -1.5 - 0.6 x, log rev = 6 + 0.12 x + N(0, .4)."""
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.integers(1, 6, n).astype(float)
    p = 1 / (1 + np.exp(-(-1.5 - 0.6 * (x - 3))))
    churn = (rng.random(n) < p).astype(int)
    rev = np.exp(6 + 0.12 * x + rng.normal(0, 0.4, n))
    rev[-25:] = 0.0   # zero revenue: cannot be logged (these ids are all in the extract)
    sow = 1 / (1 + np.exp(-(-0.5 + 0.3 * x + rng.normal(0, 0.5, n))))
    ids = [f"K{i:05d}" for i in range(n)]
    folder = tmp_path_factory.mktemp("fin")
    survey = _write(folder / "survey.csv", pd.DataFrame({"cid": ids, "loyal": x}))
    fin = pd.DataFrame({"cid": ids, "churned": churn, "rev": np.round(rev, 4), "sow": np.round(sow, 5)})
    finance = _write(folder / "finance.csv", fin.iloc[::-1].iloc[: n - 500])  # order differs, 2.5% missing
    return folder, survey, finance


def test_simulation_recovers_known_coefficients(simulated):
    folder, survey, finance = simulated
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "loyal", "--finance", finance,
                  "--churn", "churned", "--revenue", "rev", "--share", "sow", "--json", "-")
    assert res.exit_code == 0, res
    d = res.json()
    link = d["link"]
    assert link["n_survey_customers"] == 20_000 and link["n_matched"] == 19_500
    assert link["match_share"] == pytest.approx(0.975)
    assert link["n_finance_unmatched"] == 0
    rows = {m["outcome"]: m for m in d["models"]}
    churn, rev, sow = rows["churn"], rows["revenue"], rows["share_of_wallet"]
    # churn: slope -0.6, intercept -1.5 + 1.8 = 0.3
    assert churn["ci_lower"] < -0.6 < churn["ci_upper"]
    assert churn["b"] == pytest.approx(-0.6, abs=0.05)
    assert churn["intercept"] == pytest.approx(0.3, abs=0.15)
    assert churn["effect"] == pytest.approx(math.exp(churn["b"]))
    assert churn["n"] == 19_500
    # revenue: slope 0.12 on the log scale -> +12.7% per point
    assert rev["ci_lower"] < 0.12 < rev["ci_upper"]
    assert rev["effect"] == pytest.approx(math.expm1(rev["b"]))
    assert rev["effect_ci_lower"] < math.expm1(0.12) < rev["effect_ci_upper"]
    zeros = 25
    assert rev["n_excluded"] == zeros and rev["n"] == 19_500 - zeros
    assert any("zero or negative revenue" in w for w in d["warnings"])
    assert sow["ci_lower"] < 0.3 < sow["ci_upper"]


def test_logistic_matches_closed_form_se():
    """With one binary predictor the logistic slope is the log odds ratio of the 2x2 table
    and its SE is sqrt(sum 1/cell)."""
    x = np.array([0] * 100 + [1] * 100, float)
    y = np.array([1] * 20 + [0] * 80 + [1] * 35 + [0] * 65, float)
    m = fit_outcome("churn", y, x, "x")
    assert m.slope == pytest.approx(math.log((35 / 65) / (20 / 80)), abs=1e-7)
    assert m.se[1] == pytest.approx(math.sqrt(1 / 20 + 1 / 80 + 1 / 35 + 1 / 65), abs=1e-6)


def test_perfect_separation_is_reported():
    x = np.arange(40, dtype=float)
    y = (x >= 20).astype(float)
    try:
        m = fit_outcome("churn", y, x, "nps")
        assert any("separation" in w for w in m.warnings)
    except InputError as exc:
        assert "separation" in str(exc) or "cannot be estimated" in str(exc)


def test_link_refused_below_threshold_names_both_files():
    survey = pd.DataFrame({"respondent_id": [f"S{i}" for i in range(10)], "nps": range(10)})
    fin = FinanceTable(pd.DataFrame({"respondent_id": ["S1", "S2", "X9"], "churn": [0.0, 1.0, 0.0]}),
                       "crm.csv", {"churn": "c"}, "cid")
    with pytest.raises(InputError) as exc:
        link_finance(survey, fin, survey_file="answers.csv")
    msg = str(exc.value)
    assert "answers.csv" in msg and "crm.csv" in msg and "S0" in msg and "20.0%" in msg
    ok = link_finance(survey, fin, survey_file="answers.csv", min_match=0.2)
    assert ok.n_matched == 2 and ok.n_finance_unmatched == 1


def test_cli_unmatched_ids_exit_2(tmp_path):
    survey = _write(tmp_path / "s.csv", pd.DataFrame({"cid": ["A1", "A2", "A3"], "nps": [1, 5, 9]}))
    fin = _write(tmp_path / "f.csv", pd.DataFrame({"cid": ["B1", "B2", "B3"], "churn": [0, 1, 0]}))
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "nps", "--finance", fin, "--churn", "churn")
    assert_clean_error(res, "s.csv", "f.csv", "A1", "0.0%", "--min-match")


def test_cli_missing_finance_column_exit_2(tmp_path):
    survey = _write(tmp_path / "s.csv", pd.DataFrame({"cid": ["A1", "A2"], "nps": [1, 5]}))
    fin = _write(tmp_path / "f.csv", pd.DataFrame({"cid": ["A1", "A2"], "baja": [0, 1]}))
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "nps", "--finance", fin, "--churn", "bajas")
    assert_clean_error(res, "f.csv", "column 'bajas'", "baja")


def test_cli_non_binary_churn_exit_2(tmp_path):
    survey = _write(tmp_path / "s.csv", pd.DataFrame({"cid": ["A1", "A2", "A3"], "nps": [1, 5, 9]}))
    fin = _write(tmp_path / "f.csv", pd.DataFrame({"cid": ["A1", "A2", "A3"], "churn": [0, 2, 1]}))
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "nps", "--finance", fin, "--churn", "churn")
    assert_clean_error(res, "f.csv", "column 'churn'", "row 3", "value '2'", "0 (stayed) or 1 (left)")


def test_cli_text_revenue_and_duplicate_ids_exit_2(tmp_path):
    survey = _write(tmp_path / "s.csv", pd.DataFrame({"cid": ["A1", "A2", "A3"], "nps": [1, 5, 9]}))
    fin = _write(tmp_path / "f.csv", pd.DataFrame({"cid": ["A1", "A2", "A3"], "rev": ["10", "n/d", "5"]}))
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "nps", "--finance", fin, "--revenue", "rev")
    assert_clean_error(res, "f.csv", "column 'rev'", "row 3", "'n/d'")
    fin2 = _write(tmp_path / "f2.csv", pd.DataFrame({"cid": ["A1", "A2", "A1"], "rev": [1, 2, 3]}))
    res = run_cli("finance", survey, "--id", "cid", "--predictors", "nps", "--finance", fin2, "--revenue", "rev")
    assert_clean_error(res, "f2.csv", "column 'cid'", "row 4", "'A1'", "duplicated")


def test_demo_spec_defaults(tmp_path):
    res = run_cli("demo", tmp_path / "d")
    assert res.exit_code == 0, res
    d = tmp_path / "d"
    res = run_cli("finance", d / "customers.csv", "--spec", d / "questionnaire.yaml", "--finance",
                  d / "finance.csv", "--json", "-")
    assert res.exit_code == 0, res
    out = res.json()
    assert out["link"]["match_share"] == pytest.approx(0.98, abs=0.01)
    assert out["predictors"][0] == "recompra"
    assert {m["outcome"] for m in out["models"]} == {"churn", "revenue", "share_of_wallet"}
    churn = [m for m in out["models"] if m["outcome"] == "churn"]
    assert all(m["b"] < 0 for m in churn)   # loyal customers leave less


def test_analyze_finance_unknown_predictor():
    survey = pd.DataFrame({"respondent_id": ["a"], "nps": [1]})
    fin = FinanceTable(pd.DataFrame({"respondent_id": ["a"], "churn": [0.0]}), "f.csv", {"churn": "c"}, "id")
    with pytest.raises(InputError, match="recompra"):
        analyze_finance(survey, fin, ["recompra"], survey_file="s.csv")
