"""Immediacy: Wilson intervals, lag quantiles, the demo's known shares within 48 h per channel,
mode effects, and the command / plan / plain-file paths."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.stats.immediacy import analyze_immediacy, lag_summary, wilson_ci


def wilson_by_hand(x, n, z=1.959963984540054):
    """Wilson (1927): (p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    p = x / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


@pytest.mark.parametrize("x, n", [(81, 263), (0, 20), (20, 20), (1, 3), (611, 700)])
def test_wilson_matches_the_closed_form(x, n):
    assert wilson_ci(x, n) == pytest.approx(wilson_by_hand(x, n), abs=1e-12)


def test_wilson_covers_the_true_share_in_simulation():
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(11)
    p, n = 0.62, 120    # the demo's IVR share within 48 h, a wave-sized cell
    x = rng.binomial(n, p, 20000)
    lo, hi = proportion_confint(x, n, method="wilson")
    assert wilson_ci(int(x[0]), n) == pytest.approx((lo[0], hi[0]))
    coverage = np.mean((lo <= p) & (p <= hi))
    assert abs(coverage - 0.95) < 0.012, coverage   # Wilson is close to nominal at n = 120


def test_lag_summary_quantiles_and_share():
    s = lag_summary([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan], 6)
    # R: quantile(1:10, c(.5, .9)) -> 5.5 9.1
    assert s["n"] == 10 and s["median_lag_hours"] == 5.5 and s["p90_lag_hours"] == pytest.approx(9.1)
    assert s["within"] == 6 and s["share_within"] == 0.6  # lag <= window counts as within


def test_groups_late_list_and_flags():
    frame = pd.DataFrame({"respondent_id": list("abcdef"), "lag_hours": [1, 50, 3, np.nan, 72, 10],
                          "survey_mode": ["CAWI", "IVR", "CAWI", "IVR", "IVR", "APP"],
                          "wave": ["1", "1", "2", "2", "2", "1"],
                          "time_flag": [None, None, None, "response_before_contact", None, None]})
    r = analyze_immediacy(frame, max_lag_hours=48)
    rows = {(x["level"], x["group"]): x for x in r.rows}
    assert rows[("overall", "all")]["n"] == 5 and rows[("channel", "IVR")]["share_within"] == 0
    assert rows[("wave", "2")]["n"] == 2 and rows[("channel x wave", "IVR | 2")]["n"] == 1
    assert [x["respondent_id"] for x in r.late] == ["e", "b"]          # longest lag first
    assert r.no_lag == 1 and r.flagged == {"response_before_contact": 1}
    assert any("before their contact" in w for w in r.warnings)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("imm") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def demo_result(demo):
    res = run_cli("immediacy", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml",
                  "--json", "-", "-q")
    assert res.exit_code == 0, res
    return res.json()


def test_demo_recovers_true_shares_within_48h(demo, demo_result):
    truth = json.loads((demo / "truth_tracking.json").read_text())["immediacy"]
    rows = {(r["level"], r["group"]): r for r in demo_result["rows"]}
    for mode, p in truth["share_within"].items():
        row = rows[("channel", mode)]
        se = math.sqrt(p * (1 - p) / row["n"])
        # 4 SE, plus the minute rounding of the exported times (< 1 min of a 48 h window)
        assert abs(row["share_within"] - p) < 4 * se + 0.002, (mode, row["share_within"], p)
        assert row["share_within_ci_lower"] <= row["share_within"] <= row["share_within_ci_upper"]
    p = truth["share_within_overall"]
    overall = rows[("overall", "all")]
    assert abs(overall["share_within"] - p) < 4 * math.sqrt(p * (1 - p) / overall["n"])
    # IVR answers come late (true median 40 h, sigma 0.6): its median lag within 4 SE of the truth
    ivr = rows[("channel", "IVR")]
    se_median = 40 * 0.6 * math.sqrt(math.pi / 2) / math.sqrt(ivr["n"])  # asymptotic SE of a median
    assert abs(ivr["median_lag_hours"] - 40) < 4 * se_median
    assert demo_result["max_lag_hours"] == 48 and len(demo_result["late"]) == overall["n"] - overall["within"]


def test_demo_mode_effect_on_nps_is_flagged(demo_result):
    tests = {t["outcome"]: t for t in demo_result["mode_tests"]}
    assert tests["nps"]["pvalue"] < 0.001 and tests["nps"]["reference"] == "CAWI"
    effects = {(e["outcome"], e["term"]): e for e in demo_result["mode_effects"]}
    ivr = effects[("nps", "channel[IVR]")]
    assert ivr["b"] > 0 and ivr["b"] / ivr["se_hc3"] > 3   # the simulated aural-mode lift (+0.8 latent)
    assert any("'nps' differs by survey channel" in w for w in demo_result["warnings"])


def test_hc3_matches_a_hand_sandwich():
    rng = np.random.default_rng(3)
    n = 200
    mode = rng.choice(["CAWI", "IVR", "APP"], n, p=[0.5, 0.3, 0.2])
    y = 7 + 0.8 * (mode == "IVR") + rng.normal(0, 1 + (mode == "IVR"), n)
    lag = rng.exponential(30, n)
    r = analyze_immediacy(pd.DataFrame({"lag_hours": lag, "survey_mode": mode, "nps": y}), outcomes=["nps"])
    X = np.column_stack([np.ones(n), mode == "APP", mode == "IVR", lag > 48]).astype(float)
    b = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ b
    h = np.einsum("ij,jk,ik->i", X, np.linalg.inv(X.T @ X), X)
    bread = np.linalg.inv(X.T @ X)
    cov = bread @ (X.T * (e / (1 - h)) ** 2) @ X @ bread   # HC3 (MacKinnon & White 1985)
    got = {e_["term"]: e_ for e_ in r.mode_effects}
    assert got["channel[IVR]"]["b"] == pytest.approx(b[2]) and got["channel[IVR]"]["se_hc3"] == pytest.approx(
        math.sqrt(cov[2, 2]))
    assert got["late"]["se_hc3"] == pytest.approx(math.sqrt(cov[3, 3]))


def test_plain_file_gives_the_same_shares(demo, demo_result, tmp_path):
    res = run_cli("immediacy", demo / "waves.csv", "--contact-time", "fecha_contacto", "--response-time",
                  "fecha_respuesta", "--channel", "modo_encuesta", "--wave", "ola", "--date-order", "dmy",
                  "--timezone", "Europe/Madrid", "--id-column", "id_respuesta", "--json", "-", "-q")
    assert res.exit_code == 0, res
    plain = {(r["level"], r["group"]): r["share_within"] for r in res.json()["rows"]}
    # without the spec's channel mapping the raw values name the channels
    spec = {(r["level"], {"CAWI": "web", "APP": "app", "IVR": "ivr", "CATI": "telefono"}.get(r["group"], r["group"])
             if r["level"] == "channel" else r["group"]): r["share_within"]
            for r in demo_result["rows"] if r["level"] != "channel x wave"}
    for key, value in spec.items():
        assert plain[key] == pytest.approx(value), key


def test_plain_file_refuses_ambiguous_dates_and_missing_options(demo):
    res = run_cli("immediacy", demo / "waves.csv", "--contact-time", "fecha_contacto", "--response-time",
                  "fecha_respuesta")
    assert_clean_error(res, "waves.csv", "fecha_respuesta", "row 2", "ambiguous", "date_order")
    res = run_cli("immediacy", demo / "waves.csv", "--response-time", "fecha_respuesta", "--date-order", "dmy")
    assert_clean_error(res, "--contact-time")
    res = run_cli("immediacy", demo / "waves.csv", "--contact-time", "x", "--response-time", "fecha_respuesta",
                  "--date-order", "dmy", "--timezone", "Mars/Olympus")
    assert_clean_error(res, "--timezone", "Mars/Olympus")


def test_spec_without_fielding_is_not_applicable(demo):
    res = run_cli("immediacy", demo / "customers.csv", "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, "fielding")


def test_plan_step_matches_the_command(demo, demo_result, tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(f"spec: {demo / 'questionnaire_tracking.yaml'}\ndata: [{demo / 'waves.csv'}]\n"
                    "steps:\n  - step: immediacy\n", encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path / "out", "-q")
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "out" / "p.json").read_text())
    assert doc["steps"][0]["result"]["rows"] == demo_result["rows"]
    plan.write_text(f"spec: {demo / 'questionnaire_tracking.yaml'}\ndata: [{demo / 'waves.csv'}]\n"
                    "steps:\n  - step: immediacy\n    max_lag_hours: -1\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "out"), "steps[0].max_lag_hours")


def test_rows_carry_channel_and_wave_keys(demo_result):
    rows = demo_result["rows"]
    assert {"channel", "wave", "segment", "n", "median_lag_hours", "p90_lag_hours", "share_within",
            "share_within_ci_lower", "share_within_ci_upper"} <= set(rows[0])
    cw = [r for r in rows if r["level"] == "channel x wave"]
    assert len(cw) == 12 and all(r["group"] == f"{r['channel']} | {r['wave']}" for r in cw)
    by_channel = {r["channel"]: r["n"] for r in rows if r["level"] == "channel"}
    assert sum(by_channel.values()) == rows[0]["n"]
    for ch, n in by_channel.items():
        assert sum(r["n"] for r in cw if r["channel"] == ch) == n
