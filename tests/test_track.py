"""track: per-wave KPIs and wave-on-wave changes, checked against closed forms, simulation and
the demo's known truth (a drop of after-sales resolution from wave 2, a lift of delivery
punctuality from wave 3, nothing else), with the false-positive rate over repeated worlds."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.stats.track import Kpi, analyze_track, change_stats

Z = 1.959963984540054
NPS = Kpi("nps", "nps", "nps")


def answers(promoters, passives, detractors):
    return np.array([10] * promoters + [8] * passives + [3] * detractors, dtype=float)


def test_nps_change_matches_the_hand_calculation():
    a, b = answers(120, 200, 180), answers(170, 190, 140)
    ch = change_stats(a, b, NPS)
    # plain difference
    assert ch["diff"] == pytest.approx(100 * (170 / 500 - 140 / 500) - 100 * (120 / 500 - 180 / 500))
    # adjusted Wald: n + 3, counts + 3/4; Var(d) = Va'/na' + Vb'/nb' for independent waves
    def adj(p, d, n):
        pa, da = (p + .75) / (n + 3), (d + .75) / (n + 3)
        return pa - da, (pa + da - (pa - da) ** 2) / (n + 3)
    (ea, va), (eb, vb) = adj(120, 180, 500), adj(170, 140, 500)
    se = math.sqrt(va + vb)
    assert ch["se"] == pytest.approx(100 * se)
    assert ch["statistic"] == pytest.approx((eb - ea) / se)
    assert ch["pvalue"] == pytest.approx(math.erfc(abs(eb - ea) / se / math.sqrt(2)))
    assert (ch["ci_lower"], ch["ci_upper"]) == pytest.approx((100 * (eb - ea - Z * se), 100 * (eb - ea + Z * se)))


def test_nps_difference_variance_by_simulation():
    """Var(NPS_b - NPS_a) for independent samples = [Pa + Da - (Pa - Da)^2]/na + [...]/nb."""
    rng = np.random.default_rng(5)
    pa, da, pb, db, na, nb = 0.30, 0.35, 0.40, 0.25, 400, 250
    ca = rng.multinomial(na, [pa, 1 - pa - da, da], 40000)
    cb = rng.multinomial(nb, [pb, 1 - pb - db, db], 40000)
    d = 100 * ((cb[:, 0] - cb[:, 2]) / nb - (ca[:, 0] - ca[:, 2]) / na)
    sd = 100 * math.sqrt((pa + da - (pa - da) ** 2) / na + (pb + db - (pb - db) ** 2) / nb)
    assert d.std() == pytest.approx(sd, rel=0.02)
    # and the test's SE on one sample is close to it
    ch = change_stats(answers(*ca[0]), answers(*cb[0]), NPS)
    assert ch["se"] == pytest.approx(sd, rel=0.15)


def test_welch_change_matches_scipy_and_the_closed_form():
    from scipy import stats

    rng = np.random.default_rng(2)
    a, b = rng.normal(3.4, 0.9, 80), rng.normal(3.7, 1.3, 140)
    ch = change_stats(a, b, Kpi("c", "c", "mean"))
    t = stats.ttest_ind(b, a, equal_var=False)
    assert ch["statistic"] == pytest.approx(t.statistic) and ch["pvalue"] == pytest.approx(t.pvalue)
    va, vb = a.var(ddof=1) / 80, b.var(ddof=1) / 140
    df = (va + vb) ** 2 / (va ** 2 / 79 + vb ** 2 / 139)    # Welch-Satterthwaite
    h = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert ch["df"] == pytest.approx(df)
    assert (ch["ci_lower"], ch["ci_upper"]) == pytest.approx((b.mean() - a.mean() - h, b.mean() - a.mean() + h))


def test_top2_change_newcombe_interval_by_hand():
    from cxstats.stats.immediacy import wilson_ci

    a = np.array([5] * 40 + [4] * 30 + [2] * 50, dtype=float)   # 70/120 in the top two
    b = np.array([5] * 70 + [4] * 40 + [1] * 40, dtype=float)   # 110/150
    ch = change_stats(a, b, Kpi("csat", "csat", "top2", threshold=4))
    p1, p2 = 110 / 150, 70 / 120
    l1, u1 = wilson_ci(110, 150)
    l2, u2 = wilson_ci(70, 120)
    d = p1 - p2   # Newcombe (1998) method 10
    assert ch["diff"] == pytest.approx(d)
    assert ch["ci_lower"] == pytest.approx(d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert ch["ci_upper"] == pytest.approx(d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    # Miettinen-Nurminen score test of d = 0: z^2 = Pearson chi-square of the 2x2 table x (N - 1)/N
    from scipy.stats import chi2_contingency

    chi2 = chi2_contingency([[110, 40], [70, 50]], correction=False)[0]
    assert ch["statistic"] ** 2 == pytest.approx(chi2 * 269 / 270, rel=1e-9)


def _toy(n_small=10):
    rng = np.random.default_rng(1)
    rows = []
    for w, shift, n in (("w1", 0, 200), ("w2", 0.4, 200), ("w3", 0.4, n_small)):
        rows += [{"wave": w, "score": x, "nps": rng.integers(0, 11)} for x in rng.normal(3 + shift, 1, n)]
    return pd.DataFrame(rows)


def test_suppression_holm_bh_and_trend():
    from statsmodels.stats.multitest import multipletests

    r = analyze_track(_toy(), [Kpi("score", "score", "mean"), NPS], waves=["w1", "w2", "w3"], min_n=30)
    cells = {(c["kpi"], c["wave"]): c for c in r.cells}
    assert cells[("score", "w3")]["suppressed"] and cells[("score", "w3")]["value"] is None
    assert cells[("score", "w3")]["n"] == 10
    tested = [c for c in r.changes if c["pvalue"] is not None]
    untested = [c for c in r.changes if c["pvalue"] is None]
    assert len(tested) == 2 and all("w3" in (c["from_wave"], c["to_wave"]) for c in untested)
    p = [c["pvalue"] for c in tested]
    assert [c["p_holm"] for c in tested] == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert [c["p_bh"] for c in tested] == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))
    # Holm by hand for two tests: min(1, 2 p_min), then max(that, p_max)
    lo, hi = sorted(p)
    assert sorted(c["p_holm"] for c in tested) == pytest.approx([min(1, 2 * lo), max(min(1, 2 * lo), hi)])
    assert r.trends == []   # a suppressed wave: no trend
    r = analyze_track(_toy(200), [Kpi("score", "score", "mean")], waves=["w1", "w2", "w3"])
    import statsmodels.api as sm

    toy = _toy(200)
    x = toy.wave.map({"w1": 0, "w2": 1, "w3": 2}).to_numpy(float)
    fit = sm.OLS(toy.score.to_numpy(), sm.add_constant(x)).fit(cov_type="HC3")
    assert r.trends[0]["slope"] == pytest.approx(fit.params[1]) and r.trends[0]["se_hc3"] == pytest.approx(fit.bse[1])
    assert any("suppressed" in w for w in analyze_track(_toy(), [NPS], min_n=30).warnings)


def _scores_frame(rows):
    """Answer rows of the demo -> construct scores as ingest computes them (99 -> missing,
    reverse-keyed items recoded, mean of items when at least half are answered)."""
    from cxstats.demo.simulate import load_demo_spec

    spec = load_demo_spec()
    df = pd.DataFrame(rows)
    out = pd.DataFrame({"wave": df.ola, "nps": df.nps.astype(float)})
    for c in spec.constructs():
        block = df[c.item_ids].astype(float).replace(99, np.nan)
        for it in c.items:
            if it.reverse:
                block[it.id] = c.scale.min + c.scale.max - block[it.id]
        out[c.id] = block.mean(axis=1).where(block.notna().mean(axis=1) >= 0.5)
    return out, [Kpi(c.id, c.id, "mean") for c in spec.constructs()]


def test_false_positive_rate_over_worlds_without_change():
    from cxstats.demo.waves import simulate_waves

    worlds, any_holm, raw, total = 20, 0, 0, 0
    for seed in range(worlds):
        rows = simulate_waves(250, seed=1000 + seed, shifts={"ola1": {}, "ola2": {}, "ola3": {}})
        frame, kpis = _scores_frame(rows)
        r = analyze_track(frame, kpis + [NPS], waves=["ola1", "ola2", "ola3"])
        any_holm += any(c["significant"] for c in r.changes)
        raw += sum(c["pvalue"] < 0.05 for c in r.changes)
        total += len(r.changes)
    # Holm keeps the family-wise error <= 5%: P(5 or more of 20 worlds | p = 0.05) = 0.003
    assert any_holm <= 4, any_holm
    # each unadjusted test rejects at its nominal 5% (tests within a world are correlated)
    assert 0.015 < raw / total < 0.09, raw / total


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("track") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def tracked(demo):
    res = run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--json", "-", "-q")
    assert res.exit_code == 0, res
    return res.json()


def test_demo_track_finds_the_true_changes_and_no_others(demo, tracked):
    truth = json.loads((demo / "truth_tracking.json").read_text())
    true = {(c["kpi"], c["from_wave"], c["to_wave"]): c for c in truth["changes"]}
    found = {(c["kpi"], c["from_wave"], c["to_wave"]): c for c in tracked["changes"] if c["segment"] == "all"}
    drop = found[("resolucion_posventa", "ola1", "ola2")]
    lift = found[("puntualidad_entrega", "ola2", "ola3")]
    assert drop["significant"] and drop["diff"] < 0 and lift["significant"] and lift["diff"] > 0
    for key, t in true.items():
        got = found[key]
        assert abs(got["diff"] - t["diff"]) < 4 * (got["ci_upper"] - got["ci_lower"]) / (2 * Z), (key, got, t)
        if not t["changed"] and key[0] != "nps":
            assert not got["significant"], key
    changed_tp = {"entrega", "posventa"}   # touchpoints holding a shifted construct
    for c in tracked["changes"]:
        if c["kpi"] in {"web", "compra"}:
            assert not c["significant"], c
    cells = {(c["kpi"], c["wave"]): c for c in tracked["cells"] if c["segment"] == "all"}
    for w, tw in truth["waves"].items():
        for cid, m in tw["construct_means"].items():
            c = cells[(cid, w)]
            assert abs(c["value"] - m) < 4 * (c["ci_upper"] - c["ci_lower"]) / (2 * Z), (cid, w)
        c = cells[("nps", w)]
        assert abs(c["value"] - tw["nps"]) < 4 * (c["ci_upper"] - c["ci_lower"]) / (2 * Z)
        c = cells[("csat", w)]
        assert abs(c["value"] - tw["csat_top2_share"]) < 4 * (c["ci_upper"] - c["ci_lower"]) / (2 * Z)
    # a gap to aspiration shares its construct's test: the family counts it once
    assert tracked["multiple_comparisons"]["n_tests"] == len(
        [c for c in tracked["changes"] if not c["kpi"].endswith(".vs_aspiration")])
    for tp in changed_tp:   # a shifted construct moves its touchpoint's score too
        assert any(c["significant"] for c in tracked["changes"] if c["kpi"] == tp), tp


def test_within_window_states_what_was_left_out(demo, tracked):
    imm = run_cli("immediacy", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--json", "-",
                  "-q").json()
    res = run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--within-window",
                  "--kpis", "nps", "--json", "-", "-q")
    doc = res.json()
    assert doc["sample"]["excluded_late"] == len(imm["late"]) and doc["sample"]["excluded_unknown_lag"] == 0
    assert doc["sample"]["used"] == 2100 - len(imm["late"])
    assert sum(c["n"] for c in doc["cells"]) == doc["sample"]["used"]
    assert any("late answer(s)" in w for w in doc["warnings"])
    assert [k["kpi"] for k in doc["kpis"]] == ["nps"]


def test_period_and_segments(demo):
    res = run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--period", "month",
                  "--kpis", "nps,entrega", "--by", "region", "--min-n", "100", "--json", "-", "-q")
    doc = res.json()
    assert set(doc["waves"]) >= {"2025-02", "2025-05", "2025-09"}
    cells = pd.DataFrame(doc["cells"])
    assert set(cells.segment) == {"all", "norte", "centro", "sur", "este"}
    small = cells[cells.n < 100]
    assert small.suppressed.all() and small.value.isna().all()


def test_plain_file_and_plan_match_the_command(demo, tracked, tmp_path):
    res = run_cli("track", demo / "waves.csv", "--wave", "ola", "--nps", "nps", "--top2", "csat=5", "--json", "-", "-q")
    assert res.exit_code == 0, res
    plain = {(c["kpi"], c["wave"]): c["value"] for c in res.json()["cells"]}
    spec = {(c["kpi"], c["wave"]): c["value"] for c in tracked["cells"] if c["kpi"] in ("nps", "csat")
            and c["segment"] == "all"}
    assert plain == pytest.approx(spec)
    plan = tmp_path / "p.yaml"
    plan.write_text(f"spec: {demo / 'questionnaire_tracking.yaml'}\ndata: [{demo / 'waves.csv'}]\n"
                    "steps:\n  - step: track\n", encoding="utf-8")
    out = run_cli("run", plan, "--out", tmp_path / "out", "-q")
    assert out.exit_code == 0, out
    doc = json.loads((tmp_path / "out" / "p.json").read_text())
    assert doc["steps"][0]["result"]["changes"] == tracked["changes"]
    assert (tmp_path / "out" / "p_tracking.xlsx").exists()
    plan.write_text(f"spec: {demo / 'questionnaire_tracking.yaml'}\ndata: [{demo / 'waves.csv'}]\n"
                    "steps:\n  - step: track\n    baseline: ola9\n", encoding="utf-8")
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "out"), "steps[0].baseline", "ola9")
    assert_clean_error(run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml",
                               "--kpis", "nope"), "--kpis", "nope")
    assert_clean_error(run_cli("track", demo / "waves.csv", "--nps", "nps"), "--wave")


def test_longitudinal_invariance_marks_constructs_below_scalar(demo, tracked):
    from types import SimpleNamespace

    from cxstats.stats.invariance import InvarianceResult
    from cxstats.stats.track import TrackResult
    from cxstats.steps.track import _mark_invariance
    from cxstats.demo.simulate import load_demo_spec

    assert tracked["invariance"]["checked"] is False and "group: wave" in tracked["invariance"]["how"]

    class Fake(InvarianceResult):
        group_labels = ["ola1", "ola2", "ola3"]
        warnings = []

        @property
        def construct_verdicts(self):
            return {"precio_valor": "metric", "facilidad_web": "scalar"}

    res = TrackResult(["ola1", "ola2", "ola3"], [dict(k) for k in tracked["kpis"]],
                      changes=[dict(c) for c in tracked["changes"]])
    ctx = SimpleNamespace(spec=load_demo_spec(), latest=lambda t, where=None: Fake() if where(Fake()) else None)
    _mark_invariance(ctx, res)
    assert res.invariance["not_comparable"] == ["precio_valor", "compra"]
    assert all(c.get("comparable") is False for c in res.changes if c["kpi"] in ("precio_valor", "compra"))
    assert all("comparable" not in c for c in res.changes if c["kpi"] == "facilidad_web")
    assert any("precio_valor" in w for w in res.warnings)
    # an invariance result of other groups (customers vs staff) is not a longitudinal check
    Fake.group_labels = ["customer", "staff"]
    res = TrackResult(["ola1", "ola2", "ola3"], [], changes=[])
    _mark_invariance(ctx, res)
    assert res.invariance["checked"] is False


def test_control_limits_p_and_xbar_by_hand():
    from cxstats.stats.track import control_chart

    rng = np.random.default_rng(4)
    waves = np.array(["m1"] * 100 + ["m2"] * 150 + ["m3"] * 120, dtype=object)
    score = np.concatenate([rng.normal(3.5, 1, 100), rng.normal(3.5, 1, 150), rng.normal(4.2, 1, 120)])
    csat = np.concatenate([rng.integers(1, 6, 250), np.full(120, 5)]).astype(float)
    frame = pd.DataFrame({"score": score, "csat": csat})
    rows = control_chart(frame, [Kpi("score", "score", "mean"), Kpi("csat", "csat", "top2", threshold=4)],
                         waves, ["m1", "m2", "m3"], 30)
    got = {(r["kpi"], r["wave"]): r for r in rows}
    parts = [score[waves == w] for w in ("m1", "m2", "m3")]
    grand = score.mean()
    s = math.sqrt(sum(((p - p.mean()) ** 2).sum() for p in parts) / (370 - 3))
    assert got[("score", "m2")]["center"] == pytest.approx(grand)
    assert got[("score", "m2")]["ucl"] == pytest.approx(grand + 3 * s / math.sqrt(150))
    assert got[("score", "m3")]["outside"]
    for w, part in zip(("m1", "m2", "m3"), parts):
        r = got[("score", w)]
        assert r["value"] == pytest.approx(part.mean())
        assert r["outside"] == (not grand - 3 * s / math.sqrt(part.size) <= part.mean() <= grand + 3 * s / math.sqrt(part.size))
    p = (csat >= 4).mean()
    assert got[("csat", "m1")]["lcl"] == pytest.approx(p - 3 * math.sqrt(p * (1 - p) / 100))
    assert got[("csat", "m3")]["outside"] and got[("csat", "m3")]["chart"] == "p"
