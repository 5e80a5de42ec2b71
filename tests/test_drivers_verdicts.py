"""Issue 11 (7): penalty-reward and IPA labels only where the data establish them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from cxstats.stats.drivers import analyze_drivers
from cxstats.stats.drivers.ipa import MIN_CELL, classify


def test_classify_needs_established_effects():
    # the old rule called reward 0.5 vs penalty -0.1 an exciter whatever the noise
    assert classify(-0.1, 0.5, penalty_counts=False, reward_counts=False) == "not determined"
    assert classify(-0.1, 0.5, penalty_counts=False, reward_counts=True).startswith("exciter")
    assert classify(-0.8, 0.1, penalty_counts=False, reward_counts=True) == "not determined"
    assert classify(-0.8, 0.1, penalty_counts=True, reward_counts=False).startswith("basic")
    assert classify(-0.5, 0.5, penalty_counts=True, reward_counts=False) == "not determined"
    assert classify(-0.5, 0.5, penalty_counts=True, reward_counts=True).startswith("performance")
    # a wrong-signed penalty (a low rating raising the outcome) counts as no penalty
    assert classify(0.6, 0.5, penalty_counts=True, reward_counts=True).startswith("exciter")


def test_penalty_reward_noise_is_not_labelled():
    rng = np.random.default_rng(5)
    n = 120
    f = pd.DataFrame({"a": rng.integers(1, 6, size=n).astype(float),
                      "b": rng.integers(1, 6, size=n).astype(float)})
    f["y"] = rng.normal(size=n)  # no effect at all
    res = analyze_drivers(f, "y", ["a", "b"], scale=(1, 5))
    pr = res.penalty_reward
    assert pr["min_cell"] == MIN_CELL and pr["ci_level"] == 0.95 and "excludes 0" in pr["rule"]
    for r in pr["rows"]:
        assert r["penalty_lower"] < r["penalty"] < r["penalty_upper"]
        pen_counts = r["penalty_upper"] < 0 and r["n_low"] >= MIN_CELL
        rew_counts = r["reward_lower"] > 0 and r["n_high"] >= MIN_CELL
        if not (pen_counts or rew_counts):
            assert r["category"] == "not determined", r
    assert [r["category"] for r in pr["rows"]] == ["not determined", "not determined"]
    # the old rule labelled at least one of these noise drivers
    from cxstats.stats.drivers.ipa import classify as c
    assert any(c(r["penalty"], r["reward"]) != "not determined" for r in pr["rows"])
    text = dict(res.methods())["Penalty-reward"]
    assert "|penalty|" not in text and "wrong-signed effect counts as 0" in text
    assert "excludes 0" in text and f"at least {MIN_CELL} answers" in text


def test_penalty_reward_small_box_not_labelled():
    rng = np.random.default_rng(1)
    n = 2000
    a = rng.integers(3, 6, size=n).astype(float)
    a[:5] = 1.0  # five low raters only
    f = pd.DataFrame({"a": a, "b": rng.integers(1, 6, size=n).astype(float)})
    f["y"] = -3.0 * (f.a <= 2) + 0.2 * rng.normal(size=n)
    res = analyze_drivers(f, "y", ["a", "b"], scale=(1, 5))
    row = {r["driver"]: r for r in res.penalty_reward["rows"]}["a"]
    assert row["n_low"] == 5 and row["penalty_upper"] < 0  # clearly negative, but only 5 answers
    assert row["category"] == "not determined"


def test_ipa_gap_cut_is_zero_and_bootstrap_marks_undetermined(tmp_path):
    rng = np.random.default_rng(3)
    n = 60
    f = pd.DataFrame(rng.integers(1, 6, size=(n, 3)).astype(float), columns=["a", "b", "c"])
    f["y"] = f.a + f.b + 0.8 * f.c + 2 * rng.normal(size=n)
    path = tmp_path / "d.csv"
    f.to_csv(path, index=False)
    out = tmp_path / "o.json"
    res = run_cli("drivers", path, "--outcome", "y", "--drivers", "a,b,c", "--performance", "gap",
                  "--aspiration", 3, "--bootstrap", 200, "--seed", 1, "--json", out, "-q")
    assert res.exit_code == 0, res
    ipa = json.loads(out.read_text())["ipa"]
    assert ipa["performance_cut"] == 0  # at the aspiration, not the drivers' mean gap
    assert "0 = at the aspiration" in ipa["rule"] and "not determined" in ipa["rule"]
    cut = ipa["importance_cut"]
    undetermined = 0
    for r in ipa["rows"]:
        crosses = r["importance_lower"] < cut < r["importance_upper"]
        undetermined += crosses
        assert (r["quadrant"] == "not determined") == crosses
        hi_imp, hi_perf = r["importance"] >= cut, r["performance"] >= 0
        assert r["position"] == {(True, False): "Concentrate here", (True, True): "Keep up the good work",
                                 (False, False): "Low priority",
                                 (False, True): "Possible overkill"}[(hi_imp, hi_perf)]
    assert undetermined >= 1


def _keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _keys(v)


def test_json_proportions_are_shares():
    rng = np.random.default_rng(2)
    n = 300
    f = pd.DataFrame(rng.integers(1, 6, size=(n, 3)).astype(float), columns=["a", "b", "c"])
    f["y"] = ((f.a + f.b + rng.normal(size=n) * 2) > 6).astype(float)
    d = analyze_drivers(f, "y", ["a", "b", "c"], outcome_type="binary", bootstrap=50, seed=1).to_dict()
    keys = set(_keys(d))
    assert "event_share" in keys and "event_rate" not in keys
    assert 0 < d["event_share"] < 1
    assert "top_rank_share" in keys and "p_top" not in keys
    assert not [k for k in keys if k.endswith(("_pct", "_rate", "_percent"))]
    for m, lst in d["bootstrap"]["ranks"].items():
        assert sum(r["top_rank_share"] for r in lst) == pytest.approx(1.0)
