"""Issue 12 item 5, "finance-grade ROI": the value basis (margin), ranges in the roadmap, the
uncertainty the bands cover, a native tornado chart, the roadmap total, paths, formats and the
clipping of uplifts at the scale's top."""

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import cell_code, run_cli
from cxstats.stats import roi


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roifg")
    assert run_cli("demo", folder).exit_code == 0
    return folder


def _roi(demo, out, *extra, roadmap=None):
    args = ["roi", roadmap or demo / "roadmap.csv", "--survey", demo / "customers.csv", "--spec",
            demo / "questionnaire.yaml", "--finance", demo / "finance.csv", "--draws", 300, "--seed", 3,
            "--json", out / "roi.json", "--xlsx", out / "roi.xlsx", "-q", "--lang", "en", *extra]
    res = run_cli(*args)
    assert res.exit_code == 0, res
    return json.loads((out / "roi.json").read_text(encoding="utf-8")), openpyxl.load_workbook(out / "roi.xlsx")


@pytest.fixture(scope="module")
def no_margin(demo, tmp_path_factory):
    return _roi(demo, tmp_path_factory.mktemp("nomargin"))


@pytest.fixture(scope="module")
def with_margin(demo, tmp_path_factory):
    return _roi(demo, tmp_path_factory.mktemp("margin"), "--margin", 0.3)


def test_no_margin_says_value_is_revenue(no_margin):
    out, wb = no_margin
    assert out["value_basis"] == "revenue (no margin given)"
    assert any(w.startswith("no margin given: revenue is counted as value") for w in out["warnings"])
    first = wb["Results"]["A1"]
    assert "revenue (no margin given)" in first.value and first.font.color.rgb.endswith("C00000")


def test_margin_given_is_contribution(with_margin, no_margin):
    out, wb = with_margin
    assert out["value_basis"] == "contribution (margin 30.0% of revenue)"
    assert not any("no margin given" in w for w in out["warnings"])
    assert "contribution" in wb["Results"]["A1"].value
    # the benefit scales with the margin
    a = {r["initiative"]: r for r in out["initiatives"]}
    b = {r["initiative"]: r for r in no_margin[0]["initiatives"]}
    for k in a:
        assert a[k]["annual_benefit"] == pytest.approx(0.3 * b[k]["annual_benefit"], rel=1e-9)


# ---------------------------------------------------------------- ranges in the roadmap

def _coef(var=0.0004):
    names = ["driver:web", "churn:intercept", "churn:slope", "revenue:slope"]
    return roi.Coefficients(names, [0.2, -1.0, -0.5, 0.1], np.eye(4) * var)


def _init(**kw):
    base = dict(id="x", name="X", construct="web", uplift=0.5, cost=100_000.0, months_to_effect=6,
                customers_reached=10_000)
    base.update(kw)
    return roi.Initiative(**base)


def _a():
    return roi.Assumptions(0.08, 3.0, customer_value=500.0, revenue_per_customer=400.0, margin=0.3)


def test_ranges_widen_the_band_and_the_mode_case_is_the_point_case():
    L = np.array([2.0, 3.0, 4.0, 5.0])
    point = roi.roadmap_roi([_init()], _coef(), L, _a(), draws=4000, seed=9).results.iloc[0]
    degenerate = roi.roadmap_roi([_init(ranges={"uplift": (0.5, 0.5), "cost": (1e5, 1e5)})], _coef(), L, _a(),
                                 draws=4000, seed=9).results.iloc[0]
    ranged = roi.roadmap_roi([_init(ranges={"uplift": (0.3, 0.8), "cost": (80_000, 150_000),
                                            "customers_reached": (5_000, 12_000)})], _coef(), L, _a(),
                             draws=4000, seed=9)
    r = ranged.results.iloc[0]
    for k in ("npv", "npv_p10", "npv_p50", "npv_p90", "roi_p50", "payback_months_p50"):
        assert degenerate[k] == point[k], k
    assert r["npv"] == point["npv"]   # the point estimate uses the modes
    assert r["npv_p90"] - r["npv_p10"] > 2 * (point["npv_p90"] - point["npv_p10"])
    assert r["ranges_drawn"] == "uplift, cost, customers_reached" and point["ranges_drawn"] == ""
    d = ranged.to_dict()
    assert "triangular" in d["bands_cover"]["summary"] and "x: uplift, cost, customers_reached" in \
        d["bands_cover"]["summary"]
    t = ranged.sensitivity.set_index("assumption")
    assert (t.loc["uplift", "low"], t.loc["uplift", "high"]) == (0.3, 0.8)
    assert "customers_reached" in t.index


def test_ranges_mean_matches_triangular_mean():
    """NPV is linear in cost: its mean over draws moves by (low + mode + high)/3 - mode."""
    L = np.array([3.0])
    base = roi.roadmap_roi([_init()], _coef(0.0), L, _a(), draws=20_000, seed=1).results.iloc[0]
    r = roi.roadmap_roi([_init(ranges={"cost": (90_000, 200_000)})], _coef(0.0), L, _a(), draws=20_000,
                        seed=1).results.iloc[0]
    shift = (90_000 + 100_000 + 200_000) / 3 - 100_000
    # the median of a triangular(90k, 100k, 200k): 200k - sqrt(0.5 * 110k * 100k)
    med = 200_000 - np.sqrt(0.5 * 110_000 * 100_000)
    assert r["npv_p50"] == pytest.approx(base["npv"] - (med - 100_000), rel=0.01, abs=1500)
    assert shift > 0


def test_roadmap_range_columns_read_and_checked(tmp_path):
    from cxstats.errors import InputError
    from cxstats.io.roadmap import read_roadmap

    df = pd.DataFrame({"initiative": ["a", "b"], "construct": ["web", "web"], "uplift_low": [0.2, None],
                       "uplift_mode": [0.4, 0.3], "uplift_high": [0.6, None], "cost": [10, 20],
                       "months_to_effect": [3, 3], "customers_reached": [100, 100]})
    df.to_csv(tmp_path / "r.csv", index=False)
    rows = read_roadmap(tmp_path / "r.csv", ["web"])
    assert rows[0]["uplift"] == 0.4 and rows[0]["ranges"] == {"uplift": (0.2, 0.6)} and rows[1]["ranges"] == {}
    df.loc[0, "uplift_high"] = 0.3
    df.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(InputError, match="uplift_low <= uplift <= uplift_high") as e:
        read_roadmap(tmp_path / "r.csv", ["web"])
    assert "row 2" in str(e.value) and "uplift_high" in str(e.value)
    df.loc[0, "uplift_high"] = None
    df.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(InputError, match="needs both uplift_low and uplift_high"):
        read_roadmap(tmp_path / "r.csv", ["web"])


def test_cli_ranges_and_bands_stated(demo, tmp_path, no_margin):
    df = pd.read_csv(demo / "roadmap.csv")
    df["uplift_low"] = df["uplift"] * 0.5
    df["uplift_high"] = df["uplift"] * 1.5
    df.to_csv(tmp_path / "ranged.csv", index=False)
    out, wb = _roi(demo, tmp_path, roadmap=tmp_path / "ranged.csv")
    base = {r["initiative"]: r for r in no_margin[0]["initiatives"]}
    for r in out["initiatives"]:
        b = base[r["initiative"]]
        assert r["npv"] == pytest.approx(b["npv"], rel=1e-12)
        assert r["npv_p90"] - r["npv_p10"] > b["npv_p90"] - b["npv_p10"]
    notes = " ".join(str(c.value) for row in wb["Results"].iter_rows() for c in row if isinstance(c.value, str))
    assert "P10-P90 cover the estimated coefficients" in notes and "triangular" in notes
    assert "Not covered:" in no_margin[0]["bands_cover"]["summary"]


# ---------------------------------------------------------------- workbook: tornado chart, formats, paths

def _chart_cells(ws, chart):
    """(first row, first col, last row, last col), 1-based, of the cells a chart covers (two-cell
    anchor; one-cell anchors estimated from the chart's size at 64 x 20 px per cell)."""
    a = chart.anchor
    r0, c0 = a._from.row + 1, a._from.col + 1
    if hasattr(a, "to") and a.to is not None:
        return r0, c0, a.to.row + 1, a.to.col + 1
    w_px, h_px = chart.width / 2.54 * 96, chart.height / 2.54 * 96
    return r0, c0, r0 + int(h_px // 20) + 1, c0 + int(w_px // 64) + 1


def _assert_clear(ws, chart):
    r0, c0, r1, c1 = _chart_cells(ws, chart)
    for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1):
        for c in row:
            assert c.value is None, (ws.title, c.coordinate, c.value)


def test_tornado_chart_native_and_clear_of_tables(no_margin):
    out, wb = no_margin
    ws = wb["Sensitivity"]
    charts = ws._charts
    assert len(charts) == len(out["initiatives"])
    for ch in charts:
        assert ch.tagname == "barChart" and ch.type == "bar"
        assert ch.x_axis.delete is False and ch.y_axis.delete is False
        _assert_clear(ws, ch)
    res = wb["Results"]
    assert len(res._charts) == 1
    bar = res._charts[0]
    assert bar.x_axis.delete is False and bar.y_axis.delete is False
    _assert_clear(res, bar)


def test_sensitivity_values_in_their_unit(no_margin):
    _, wb = no_margin
    ws = wb["Sensitivity"]
    fmts = {}
    for row in ws.iter_rows():
        if row[0].value in ("discount_rate", "cost", "horizon_years", "uplift", "months_to_effect",
                            "customer_value", "churn:slope"):
            fmts.setdefault(row[0].value, (row[1].number_format, row[2].number_format))
    assert fmts["discount_rate"] == ("0.0%", "0.0%")
    assert fmts["cost"] == ('#,##0 "€"', '#,##0 "€"') and fmts["customer_value"][0] == '#,##0 "€"'
    assert fmts["uplift"] == ("0.00", "0.00") and fmts["months_to_effect"] == ("0", "0")
    assert fmts["horizon_years"] == ("0.0", "0.0") and fmts["churn:slope"] == ("0.0000", "0.0000")


def test_no_absolute_paths_in_json_or_workbook(no_margin, demo):
    out, wb = no_margin
    text = json.dumps(out)
    assert str(demo) not in text and out["roadmap_file"] == "roadmap.csv"
    assert out["finance_link"]["finance_file"] == "finance.csv"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and str(demo) in c.value), (ws.title, c.coordinate, c.value)


# ---------------------------------------------------------------- the uplift clipped at the scale's top

def test_effective_uplift_clips_at_the_top():
    """The world: y* = m + lambda eta + e rises by u, the answer is y* rounded and clipped at 1-5.

    * score_change(u), read from 2 000 answers, is the answers' simulated change (n = 200 000);
    * effective_uplift(u) = u x rate, the rate at which the clipped answers move with the experience
      eta: the simulated slope of the answer on eta over the slope of y* on eta (Stein's lemma), which
      is what the covariance-based driver coefficients are per point of. It is below u where answers
      crowd at the top, and above the finite score_change (the ceiling of the scale is not a ceiling of
      the experience, which loyalty follows)."""
    rng = np.random.default_rng(1)
    lam = 0.8
    for m in (3.2, 4.0, 4.5):
        eta = rng.normal(size=200_000)
        y = m + lam * eta + rng.normal(0, np.sqrt(1 - lam ** 2), 200_000)
        x0 = np.clip(np.floor(y + 0.5), 1, 5)
        x1 = np.clip(np.floor(y + 0.3 + 0.5), 1, 5)
        sup = roi.answer_support(pd.DataFrame({"a": x0[:2000], "b": x0[-2000:]}), ["a", "b"], bounds=(1, 5))
        assert sup.score_change(0.3) == pytest.approx((x1 - x0).mean(), abs=0.01), m
        rate = np.cov(x0, eta)[0, 1] / np.cov(y, eta)[0, 1]
        assert sup.rate == pytest.approx(rate, abs=0.03), m
        assert sup.effective_uplift(0.3) == pytest.approx(0.3 * sup.rate, rel=1e-12)
        assert sup.score_change(0.3) < sup.effective_uplift(0.3) < 0.3 and "latent normal" in sup.to_dict()["method"]
        assert sup.to_dict()["score_points_per_uplift_point"] == sup.rate
    assert np.allclose(sup.effective_uplift(np.array([0.3, 0.0])), [sup.effective_uplift(0.3), 0.0])
    assert np.allclose(sup.score_change(np.array([0.3, 0.0])), [sup.score_change(0.3), 0.0])
    # values that are not answer codes: the share of values that can move that way
    sc = roi.answer_support(pd.DataFrame({"s": [5, 4.5, 3.5, 5]}), ["s"], bounds=(1, 5))
    assert sc.items == [] and sc.effective_uplift(0.4) == pytest.approx(0.2)
    assert sc.score_change(0.4) == pytest.approx(0.2) and sc.score_change(0.6) == pytest.approx(0.275)
    assert sc.share_at_top == pytest.approx(0.5)
    low = roi.answer_support(pd.DataFrame({"a": [1.0, 2.5]}), ["a"], bounds=(1, 5))
    assert low.effective_uplift(-0.5) == pytest.approx(-0.25)


def test_chain_uses_the_clipped_uplift():
    L = np.array([2.0, 3.0, 4.0])
    a = _a()
    base = roi.roadmap_roi([_init()], _coef(0.0), L, a, draws=10, seed=1).results.iloc[0]
    a2 = _a()
    a2.answers = {"web": roi.answer_support(pd.DataFrame({"w": [5, 4.5, 3.5, 5]}), ["w"], bounds=(1, 5))}
    clipped = roi.roadmap_roi([_init()], _coef(0.0), L, a2, draws=10, seed=1).results.iloc[0]
    assert clipped["uplift_effective"] == pytest.approx(0.25) and base["uplift_effective"] == 0.5
    assert clipped["d_loyalty"] == pytest.approx(base["d_loyalty"] / 2)
    full = roi.roadmap_roi([_init(uplift=0.25)], _coef(0.0), L, _a(), draws=10, seed=1).results.iloc[0]
    assert clipped["npv"] == pytest.approx(full["npv"], rel=1e-12)


def test_demo_effective_uplift_matches_the_simulated_world(no_margin):
    """The demo's world adds the uplift to y* and rounds and clips the answer. The chain's
    score_change matches the simulated change of each initiative's construct score (n = 100 000),
    and uplift_effective / uplift the world's rate: d E[score] / d u at u = 0, in closed form from the
    demo's constants (each item a rounded, clipped N(mean, 1), mixed over regions)."""
    from cxstats.demo import simulate as sim

    out, _ = no_margin
    truth = sim.causal_roadmap_truth(n=100_000)
    spec = sim.load_demo_spec()
    h = 1e-4
    for row in out["initiatives"]:
        world = truth[row["initiative"]]["observed_score_change"]
        assert row["score_change"] == pytest.approx(world, abs=0.02), (row["initiative"], world)
        c = next(c for c in spec.constructs() if c.id == row["construct"])
        rate = np.mean([sum(p * (sim.rounded_normal_mean(m + h, 1, 1, 5) - sim.rounded_normal_mean(m - h, 1, 1, 5))
                                / (2 * h) for reg, p in sim.REGION_P.items()
                                for m in [sim._item_means(c.id, sim.REGION_SHIFT.get(reg, {}).get(c.id, 0.0))[ii]])
                        for ii in range(3)])
        assert row["uplift_effective"] / row["uplift"] == pytest.approx(rate, abs=0.02), (row["initiative"], rate)
        assert row["score_change"] < row["uplift_effective"] < row["uplift"]
    assert out["uplift_clipping"]["puntualidad_entrega"]["scale_max"] == 5


def test_total_counts_each_customer_once():
    L = np.array([2.0, 3.0, 4.0])
    one = roi.roadmap_roi([_init()], _coef(0.0), L, _a(), draws=50, seed=1)
    assert one.total["npv"] == pytest.approx(one.results.iloc[0]["npv"], rel=1e-10)
    assert one.total["customers_reached_union"] == 10_000
    # two initiatives reaching half of the base each, independently: 75% reached, not 100%
    two = roi.roadmap_roi([_init(id="a", customers_reached=5_000), _init(id="b", customers_reached=10_000),
                           _init(id="c", customers_reached=5_000)], _coef(0.0), L, _a(), draws=50, seed=1)
    t = two.total
    assert t["customer_base"] == 10_000 and t["customers_reached_sum"] == 20_000
    assert t["customers_reached_union"] == pytest.approx(10_000)   # b reaches everyone
    three = roi.roadmap_roi([_init(id="a", customers_reached=5_000), _init(id="b", customers_reached=5_000),
                             _init(id="z", customers_reached=10_000, uplift=0.0, cost=0.0)], _coef(0.0), L, _a(),
                            draws=50, seed=1).total
    assert three["customers_reached_union"] == pytest.approx(10_000)
    # revenue only and linear in dL (tiny effects): the total is the sum of the parts; a churn model
    # that flattens makes stacked effects worth less than the sum
    lin = roi.Coefficients(["driver:web", "revenue:slope"], [0.2, 1e-4], np.zeros((2, 2)))
    r = roi.roadmap_roi([_init(id="a", customers_reached=5_000), _init(id="b", customers_reached=5_000)],
                        lin, L, _a(), draws=20, seed=1)
    assert r.total["pv_benefit"] == pytest.approx(r.results["pv_benefit"].sum(), rel=1e-4)
    d = r.to_dict()["roadmap_total"]
    assert "counted once" in d["rule"] and d["npv_p10"] <= d["npv_p50"] <= d["npv_p90"]


def test_total_union_under_independence():
    from cxstats.stats.roi.total import roadmap_total
    from cxstats.stats.roi.valuation import annuity_factor, loyalty_effects

    inits = [_init(id="a", customers_reached=6_000), _init(id="b", customers_reached=3_000),
             _init(id="c", customers_reached=4_000)]
    a = _a()
    a.customer_base = 12_000.0
    out = roadmap_total(inits, np.array([[0.2, -1.0, -0.5, 0.1]]), _coef().names, np.array([[0.1, 0.0, 0.1]]),
                        np.array([[6_000.0, 3_000.0, 4_000.0]]), np.array([[1.0, 1.0, 1.0]]), a,
                        np.array([3.0]), annuity_factor=annuity_factor, loyalty_effects=loyalty_effects)
    assert out["customers_reached_union"][0] == pytest.approx(12_000 * (1 - 0.5 * 0.75 * (1 - 1 / 3)))
    # without a customer base the largest reach is the base (that initiative reaches everyone)
    a.customer_base = None
    out = roadmap_total(inits, np.array([[0.2, -1.0, -0.5, 0.1]]), _coef().names, np.array([[0.1, 0.0, 0.1]]),
                        np.array([[6_000.0, 3_000.0, 4_000.0]]), np.array([[1.0, 1.0, 1.0]]), a,
                        np.array([3.0]), annuity_factor=annuity_factor, loyalty_effects=loyalty_effects)
    assert out["customers_reached_union"][0] == 6_000


def test_workbook_total_headline_and_sources(no_margin):
    out, wb = no_margin
    ws = wb["Results"]
    texts = [str(r[0].value) for r in ws.iter_rows() if r[0].value is not None]
    assert any(t.startswith("Roadmap total") for t in texts) and "customers_reached_union" in texts
    assert out["roadmap_total"]["customers_reached_union"] == 150_000
    assert out["roadmap_total"]["customers_reached_sum"] == 510_000
    # one NPV in the headline (the P50, with its band); the point estimate only in Detail
    heads = [[cell_code(c) for c in r] for r in ws.iter_rows() if cell_code(r[0]) == "rank"]
    assert "npv" not in heads[0] and "npv_p50" in heads[0] and "npv" in heads[1]
    assert any(t.startswith("npv_p50 (the NPV of the headline)") for t in texts)
    src = next(r for r in ws.iter_rows() if r[0].value == "d_churn")
    assert "latent loyalty factor scores" in src[1].value and "NOT" in src[1].value
    coef_notes = " ".join(str(r[0].value) for r in wb["Coefficients"].iter_rows() if r[0].value)
    assert "'Finance models' sheet is the OBSERVED" in coef_notes
