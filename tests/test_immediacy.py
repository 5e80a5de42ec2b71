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


def test_lag_bands_and_their_edges():
    from cxstats.stats.immediacy import band_of, lag_bands

    assert [b["band"] for b in lag_bands(48)] == ["<24h", "24-48h", "48-96h", ">96h"]
    assert [b["band"] for b in lag_bands(72)] == ["<36h", "36-72h", "72-144h", ">144h"]
    got = band_of([0, 23.99, 24, 48, 48.01, 96, 96.01, np.nan], 48)
    # the window's end (48 h) is inside it, as share_within counts lag <= 48
    assert list(got) == ["<24h", "<24h", "24-48h", "24-48h", "48-96h", "48-96h", ">96h", None]


def _hand_hc3(X, y):
    """OLS and the HC3 sandwich by hand (MacKinnon & White 1985)."""
    b = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ b
    bread = np.linalg.inv(X.T @ X)
    h = np.einsum("ij,jk,ik->i", X, bread, X)
    cov = bread @ (X.T * (e / (1 - h)) ** 2) @ X @ bread
    return b, cov


def test_hc3_and_wald_match_a_hand_sandwich():
    from scipy import stats

    rng = np.random.default_rng(3)
    n = 300
    mode = rng.choice(["CAWI", "IVR", "APP"], n, p=[0.5, 0.3, 0.2])
    lag = rng.exponential(40, n) * np.where(mode == "IVR", 2.0, 1.0)
    y = 7 + 0.8 * (mode == "IVR") - 0.5 * (lag > 96) + rng.normal(0, 1 + (mode == "IVR"), n)
    r = analyze_immediacy(pd.DataFrame({"lag_hours": lag, "survey_mode": mode, "nps": y}), outcomes=["nps"])
    X = np.column_stack([np.ones(n), (lag >= 24) & (lag <= 48), (lag > 48) & (lag <= 96), lag > 96,
                         mode == "APP", mode == "IVR"]).astype(float)
    b, cov = _hand_hc3(X, y)
    got = {e_["term"]: e_ for e_ in r.mode_effects}
    for j, term in enumerate(["intercept (<24h, CAWI)", "lag[24-48h]", "lag[48-96h]", "lag[>96h]",
                              "channel[APP]", "channel[IVR]"]):
        assert got[term]["b"] == pytest.approx(b[j]) and got[term]["se_hc3"] == pytest.approx(math.sqrt(cov[j, j]))
    # joint Wald chi-square of the lag bands: b' V^-1 b over the three band terms
    sub = slice(1, 4)
    w = float(b[sub] @ np.linalg.solve(cov[sub, sub], b[sub]))
    lag_test = r.lag_tests[0]
    assert lag_test["wald_chi2"] == pytest.approx(w) and lag_test["df"] == 3
    assert lag_test["pvalue"] == pytest.approx(stats.chi2.sf(w, 3))
    sub = slice(4, 6)
    w = float(b[sub] @ np.linalg.solve(cov[sub, sub], b[sub]))
    assert r.mode_tests[0]["wald_chi2"] == pytest.approx(w) and r.mode_tests[0]["df"] == 2


def test_statsmodels_formula_gives_the_same_fit():
    """The same model written independently with the statsmodels formula interface."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(8)
    n = 400
    df = pd.DataFrame({"survey_mode": rng.choice(["CAWI", "CATI", "IVR"], n, p=[0.6, 0.2, 0.2]),
                       "lag_hours": rng.gamma(2, 25, n)})
    df["csat"] = 4 + 0.3 * (df.survey_mode == "CATI") + rng.normal(0, 0.7, n)
    r = analyze_immediacy(df, outcomes=["csat"])
    df["band"] = pd.cut(df.lag_hours, [-np.inf, 24 - 1e-9, 48, 96, np.inf], labels=["a", "b", "c", "d"])
    fit = smf.ols("csat ~ C(band) + C(survey_mode, Treatment('CAWI'))", df).fit(cov_type="HC3")
    got = {e["term"]: e for e in r.mode_effects}
    assert got["lag[>96h]"]["se_hc3"] == pytest.approx(fit.bse["C(band)[T.d]"])
    assert got["channel[CATI]"]["b"] == pytest.approx(fit.params["C(survey_mode, Treatment('CAWI'))[T.CATI]"])
    assert got["channel[CATI]"]["pvalue"] == pytest.approx(fit.pvalues["C(survey_mode, Treatment('CAWI'))[T.CATI]"])


def test_lag_effect_recovered_and_null_rejections_near_nominal():
    """Known truth: answers given after 96 h score 0.4 lower (channel held fixed, lag longer on
    IVR): recovered within 4 SE and flagged; in worlds where the lag does not matter (but IVR is
    slower and scores higher, so lag and score are confounded through the channel) the joint
    lag test rejects at about its nominal 5%."""
    def world(seed, effect, n=600):
        rng = np.random.default_rng(seed)
        mode = rng.choice(["CAWI", "IVR"], n, p=[0.7, 0.3])
        lag = np.exp(np.log(np.where(mode == "IVR", 60.0, 10.0)) + rng.normal(0, 0.9, n))
        y = 7 + 0.8 * (mode == "IVR") + effect * (lag > 96) + rng.normal(0, 1.5, n)
        return analyze_immediacy(pd.DataFrame({"lag_hours": lag, "survey_mode": mode, "nps": y}),
                                 outcomes=["nps"])

    r = world(1, -0.4, n=3000)
    term = next(e for e in r.mode_effects if e["term"] == "lag[>96h]")
    assert abs(term["b"] - (-0.4)) < 4 * term["se_hc3"] and term["b"] / term["se_hc3"] < -2
    assert r.lag_tests[0]["p_holm"] < 0.05 and any("differs by lag band" in w for w in r.warnings)
    rejections = [world(100 + s, 0.0).lag_tests[0]["pvalue"] < 0.05 for s in range(300)]
    # 300 worlds: binomial SD of the rate at 5% is 1.3 points
    assert 0.015 < np.mean(rejections) < 0.09, np.mean(rejections)


def test_touchpoint_rows_and_late_list():
    frame = pd.DataFrame({"respondent_id": list("abcdef"), "lag_hours": [1, 50, 3, 30, 72, 10],
                          "survey_mode": ["CAWI", "IVR", "CAWI", "IVR", "IVR", "APP"],
                          "contact_touchpoint": ["entrega", "entrega", "posventa", None, "posventa", "entrega"]})
    r = analyze_immediacy(frame, max_lag_hours=48)
    rows = {(x["level"], x["group"]): x for x in r.rows}
    ent, pos = rows[("touchpoint", "entrega")], rows[("touchpoint", "posventa")]
    assert (ent["n"], ent["within"], ent["touchpoint"], ent["channel"]) == (3, 2, "entrega", None)
    assert (pos["n"], pos["within"]) == (2, 1) and pos["median_lag_hours"] == 37.5
    assert ent["share_within_ci_lower"] == pytest.approx(wilson_by_hand(2, 3)[0])
    assert [(x["respondent_id"], x["touchpoint"]) for x in r.late] == [("e", "posventa"), ("b", "entrega")]


def test_plain_file_gives_the_same_shares(demo, demo_result, tmp_path):
    res = run_cli("immediacy", demo / "waves.csv", "--contact-time", "fecha_contacto", "--response-time",
                  "fecha_respuesta", "--channel", "modo_encuesta", "--wave", "ola", "--date-order", "dmy",
                  "--touchpoint", "punto_contacto",
                  "--timezone", "Europe/Madrid", "--id-column", "id_respuesta", "--json", "-", "-q")
    assert res.exit_code == 0, res
    plain = {(r["level"], r["group"]): r["share_within"] for r in res.json()["rows"]}
    # without the spec's channel and touchpoint mappings the raw values name the groups
    raw = {"channel": {"CAWI": "web", "APP": "app", "IVR": "ivr", "CATI": "telefono"},
           "touchpoint": {"compra": "Pedido confirmado", "entrega": "Entrega", "posventa": "Atención posventa"}}
    spec = {(r["level"], raw.get(r["level"], {}).get(r["group"], r["group"])): r["share_within"]
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


def test_demo_per_touchpoint_and_lag_does_not_matter(demo, demo_result):
    """The demo draws each answer's touchpoint independently of channel and lag: every
    touchpoint's true share within 48 h is the overall one (truth_tracking.json), recovered
    within 4 SE; the lag moves no answer given the channel (truth), so no lag band is flagged,
    while the NPS mode effect is; late answers carry their touchpoint."""
    truth = json.loads((demo / "truth_tracking.json").read_text())["immediacy"]
    rows = {(r["level"], r["group"]): r for r in demo_result["rows"]}
    tps = [r for r in demo_result["rows"] if r["level"] == "touchpoint"]
    assert {r["group"] for r in tps} == set(truth["share_within_by_touchpoint"]) == {"compra", "entrega", "posventa"}
    assert sum(r["n"] for r in tps) == rows[("overall", "all")]["n"]
    for r in tps:
        p = truth["share_within_by_touchpoint"][r["group"]]
        assert abs(r["share_within"] - p) < 4 * math.sqrt(p * (1 - p) / r["n"]) + 0.002, r
        share = truth["touchpoint_probabilities"][r["touchpoint"]]
        assert abs(r["n"] / 2100 - share) < 4 * math.sqrt(share * (1 - share) / 2100)
    assert demo_result["lag_bands"][1] == {"band": "24-48h", "from_hours": 24.0, "to_hours": 48.0}
    lag_tests = {t["outcome"]: t for t in demo_result["lag_tests"]}
    assert {"nps", "csat", "puntualidad_entrega"} <= set(lag_tests)
    assert all(t["p_holm"] >= 0.05 for t in lag_tests.values())
    assert not any("differs by lag band" in w for w in demo_result["warnings"])
    assert all(x["touchpoint"] in ("compra", "entrega", "posventa") for x in demo_result["late"])


def test_rows_carry_channel_and_wave_keys(demo_result):
    rows = demo_result["rows"]
    assert {"channel", "touchpoint", "wave", "segment", "n", "median_lag_hours", "p90_lag_hours", "share_within",
            "share_within_ci_lower", "share_within_ci_upper"} <= set(rows[0])
    cw = [r for r in rows if r["level"] == "channel x wave"]
    assert len(cw) == 12 and all(r["group"] == f"{r['channel']} | {r['wave']}" for r in cw)
    by_channel = {r["channel"]: r["n"] for r in rows if r["level"] == "channel"}
    assert sum(by_channel.values()) == rows[0]["n"]
    for ch, n in by_channel.items():
        assert sum(r["n"] for r in cw if r["channel"] == ch) == n
