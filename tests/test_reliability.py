"""Reliability (alpha, omega, item statistics) against psych/lavaan/semTools, closed forms,
a simulation with known truth, and the command line / plan step."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.errors import InputError
from cxstats.stats.reliability import (alpha_from_cov, analyze_reliability, bootstrap_alpha, feldt_ci,
                                       scale_reliability)

REF = reference("reliability")
BFI_ITEMS = {name: s["items"] for name, s in REF["bfi"].items()}
BFI_REVERSE = [r for s in REF["bfi"].values()
               for r in (s["reverse_keyed"] if isinstance(s["reverse_keyed"], list) else [s["reverse_keyed"]]) if r]


@pytest.fixture(scope="module")
def bfi_r():
    df = pd.read_csv(DATASETS / "bfi.csv")
    for v in BFI_REVERSE:
        df[v] = 7 - df[v]
    return df


def _check_alpha_block(res, ref):
    top = [(res.alpha, "raw_alpha"), (res.alpha_std, "std_alpha"), (res.g6_smc, "G6_smc"),
           (res.average_r, "average_r"), (res.median_r, "median_r"), (res.s_n, "S_N"), (res.ase, "ase"),
           (res.total_mean, "total_score_mean"), (res.total_sd, "total_score_sd")]
    for ours, key in top:
        assert ours == pytest.approx(ref[key], abs=1e-6), key
    assert res.alpha_ci["lower"] == pytest.approx(ref["feldt_ci95"]["lower"], abs=1e-6)
    assert res.alpha_ci["upper"] == pytest.approx(ref["feldt_ci95"]["upper"], abs=1e-6)
    assert res.n == ref["feldt_ci95"]["n_used"]
    assert [s.item for s in res.item_stats] == [i["item"] for i in ref["items"]]
    for ours, theirs in zip(res.item_stats, ref["items"]):
        assert ours.n == theirs["n"]
        for a, b in [("mean", "mean"), ("sd", "sd"), ("raw_r", "raw_r"), ("std_r", "std_r"),
                     ("r_cor", "r_cor"), ("r_drop", "r_drop"), ("alpha_if_dropped", "alpha_if_dropped_raw"),
                     ("alpha_if_dropped_std", "alpha_if_dropped_std"),
                     ("average_r_if_dropped", "average_r_if_dropped")]:
            assert getattr(ours, a) == pytest.approx(theirs[b], abs=1e-6), (ours.item, a)


def _check_omega(res, ref):
    assert res.omega_total == pytest.approx(ref["psych_omega_nfactors1"]["omega_total"], abs=1e-3)
    lav = ref["lavaan_one_factor_ML"]
    assert res.omega_cfa["n"] == lav["n_used"]
    assert res.omega_cfa["omega"] == pytest.approx(lav["compRelSEM_default"], abs=1e-3)
    assert res.omega_cfa["omega_model"] == pytest.approx(lav["compRelSEM_obs.var_FALSE"], abs=1e-3)
    assert res.omega_cfa["omega_std"] == pytest.approx(lav["omega_standardized_loadings"], abs=1e-3)
    np.testing.assert_allclose(res.omega_cfa["loadings"], list(lav["loadings"].values()), atol=1e-4)
    np.testing.assert_allclose(res.omega_cfa["residual_variances"],
                               list(lav["residual_variances"].values()), atol=1e-4)
    assert res.omega_cfa["chisq"] == pytest.approx(lav["chisq"], abs=1e-3)


@pytest.mark.parametrize("scale", list(BFI_ITEMS))
def test_bfi_matches_psych_pairwise_listwise_and_all25(bfi_r, scale):
    ref = REF["bfi"][scale]
    items = BFI_ITEMS[scale]
    pw = scale_reliability(bfi_r, items, scale=scale, missing="pairwise")
    _check_alpha_block(pw, ref["pairwise"])
    _check_omega(pw, ref["omega_pairwise"])
    lw = scale_reliability(bfi_r, items, scale=scale, missing="listwise")
    _check_alpha_block(lw, ref["listwise"])
    _check_omega(lw, ref["omega_listwise"])
    all25 = [i for its in BFI_ITEMS.values() for i in its]
    cc = bfi_r[all25].notna().all(axis=1)
    _check_alpha_block(scale_reliability(bfi_r[cc], items, missing="listwise", omega=False),
                       ref["listwise_all25"])


@pytest.mark.parametrize("scale", ["visual", "textual", "speed"])
def test_holzinger_swineford_matches_psych_and_semtools(hs_path, scale):
    ref = REF["holzinger_swineford"][scale]
    hs = pd.read_csv(hs_path)
    res = scale_reliability(hs, ref["items"], scale=scale)
    _check_alpha_block(res, ref["alpha"])
    _check_omega(res, ref["omega"])


def test_alpha_closed_form_compound_symmetry():
    # alpha on a compound-symmetric covariance = k r / (1 + (k - 1) r); standardized alpha the same
    for k, r, v in [(3, 0.2, 1.0), (5, 0.45, 2.5), (8, 0.7, 0.3)]:
        c = v * ((1 - r) * np.eye(k) + r * np.ones((k, k)))
        assert alpha_from_cov(c) == pytest.approx(k * r / (1 + (k - 1) * r), abs=1e-12)
    # Feldt: F quantiles, checked against the closed form of the median (alpha itself at q = .5 is not it)
    lo, hi = feldt_ci(0.8, 101, 4)
    from scipy.stats import f
    assert lo == pytest.approx(1 - 0.2 * f.ppf(0.975, 100, 300), abs=1e-12)
    assert hi == pytest.approx(1 - 0.2 * f.ppf(0.025, 100, 300), abs=1e-12)
    assert lo < 0.8 < hi


def _simulate_parallel(rng, n, k, loading):
    f = rng.standard_normal(n)
    e = rng.standard_normal((n, k)) * np.sqrt(1 - loading ** 2)
    return loading * f[:, None] + e


def test_bootstrap_seeded_covers_estimate_and_known_truth():
    rng = np.random.default_rng(11)
    k, lam = 4, 0.6
    true_alpha = k * lam ** 2 / (1 + (k - 1) * lam ** 2)     # parallel items, r = lam^2
    x = _simulate_parallel(rng, 400, k, lam)
    a = alpha_from_cov(np.cov(x, rowvar=False))
    b1 = bootstrap_alpha(x, n_boot=300, seed=5)
    b2 = bootstrap_alpha(x, n_boot=300, seed=5)
    b3 = bootstrap_alpha(x, n_boot=300, seed=6)
    assert b1 == b2 and b1 != b3
    assert b1["lower"] < a < b1["upper"]
    # width close to Feldt's (both ~ normal theory for parallel normal items)
    lo, hi = feldt_ci(a, 400, k)
    assert (b1["upper"] - b1["lower"]) == pytest.approx(hi - lo, rel=0.3)
    # coverage of the true alpha over replications: ~95%
    hits = 0
    reps = 60
    for i in range(reps):
        xi = _simulate_parallel(rng, 200, k, lam)
        bi = bootstrap_alpha(xi, n_boot=150, seed=i)
        hits += bi["lower"] <= true_alpha <= bi["upper"]
    assert hits >= 50  # P(X <= 49 | n=60, p=.95) ~ 0.001


def test_bootstrap_progress_and_report_seed_reproducible(bfi_r):
    calls = []
    bootstrap_alpha(bfi_r[BFI_ITEMS["Neuroticism"]].to_numpy(), n_boot=250, seed=1,
                    progress=lambda done, total: calls.append((done, total)))
    # cumulative replicate counts, one call per block of replicates, ending at n_boot
    assert calls == [(100, 250), (200, 250), (250, 250)]
    a = analyze_reliability(bfi_r.head(500), {"N": BFI_ITEMS["Neuroticism"]}, n_boot=50, seed=3)
    b = analyze_reliability(bfi_r.head(500), {"N": BFI_ITEMS["Neuroticism"]}, n_boot=50, seed=3)
    assert a.scales[0].alpha_ci_bootstrap == b.scales[0].alpha_ci_bootstrap


def test_reverse_keying_equals_manual_recode():
    raw = pd.read_csv(DATASETS / "bfi.csv")
    res = analyze_reliability(raw, {"A": BFI_ITEMS["Agreeableness"]}, reverse=["A1"], lo=1, hi=6)
    assert res.scales[0].alpha == pytest.approx(REF["bfi"]["Agreeableness"]["pairwise"]["raw_alpha"], abs=1e-12)
    assert res.scales[0].reverse == ["A1"]
    with pytest.raises(InputError, match="lowest code lo and highest code hi") as e:
        analyze_reliability(raw, {"A": BFI_ITEMS["Agreeableness"]}, reverse=["A1"])
    assert e.value.option == "lo"
    with pytest.raises(InputError, match="outside the answer scale"):
        analyze_reliability(raw, {"A": BFI_ITEMS["Agreeableness"]}, reverse=["A1"], lo=1, hi=5)


def test_errors_and_warnings():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(_simulate_parallel(rng, 50, 3, 0.7), columns=["a", "b", "c"])
    with pytest.raises(InputError, match="at least 2 items"):
        scale_reliability(df, ["a"], scale="S")
    const = df.assign(c=3.0)
    with pytest.raises(InputError, match="constant") as e:
        scale_reliability(const, ["a", "b", "c"], scale="S")
    assert e.value.column == "c" and "scale 'S'" in str(e.value)
    with pytest.raises(InputError, match="more respondents than items"):
        scale_reliability(df.head(3), ["a", "b", "c"], scale="S")
    two = scale_reliability(df, ["a", "b"], scale="S")
    assert two.omega_total is None and any("omega needs at least 3 items" in w for w in two.warnings)
    dup = df.assign(d=df["a"] + df["b"])
    sing = scale_reliability(dup, ["a", "b", "c", "d"], scale="S")
    assert sing.omega_total is None and any("singular" in w for w in sing.warnings)
    assert np.isfinite(sing.alpha)


# ---------------------------------------------------------------------------- CLI
def _bfi_args(*extra):
    args = ["reliability", DATASETS / "bfi.csv"]
    for name, items in BFI_ITEMS.items():
        args += ["--scale", f"{name}={','.join(items)}"]
    for r in BFI_REVERSE:
        args += ["--reverse", r]
    return args + ["--min", "1", "--max", "6", *extra]


def test_cli_json_matches_reference(tmp_path):
    res = run_cli(*_bfi_args("--json", "-"))
    assert res.exit_code == 0, res
    doc = res.json()
    by = {s["scale"]: s for s in doc["scales"]}
    for name in BFI_ITEMS:
        ref = REF["bfi"][name]["pairwise"]
        s = by[name]
        assert s["alpha"] == pytest.approx(ref["raw_alpha"], abs=1e-6)
        assert s["alpha_std"] == pytest.approx(ref["std_alpha"], abs=1e-6)
        assert s["alpha_ci"]["lower"] == pytest.approx(ref["feldt_ci95"]["lower"], abs=1e-6)
        assert s["omega_total"] == pytest.approx(REF["bfi"][name]["omega_pairwise"]["psych_omega_nfactors1"]
                                                 ["omega_total"], abs=1e-3)
        for it, r in zip(s["items"], ref["items"]):
            assert it["r_drop"] == pytest.approx(r["r_drop"], abs=1e-6)
            assert it["alpha_if_dropped"] == pytest.approx(r["alpha_if_dropped_raw"], abs=1e-6)
    out = tmp_path / "rel.xlsx"
    res = run_cli(*_bfi_args("--missing", "listwise", "--xlsx", out, "--quiet", "--json", tmp_path / "r.json"))
    assert res.exit_code == 0, res
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["scales"][0]["alpha"] == pytest.approx(REF["bfi"]["Agreeableness"]["listwise"]["raw_alpha"], abs=1e-6)
    import openpyxl
    wb = openpyxl.load_workbook(out)
    assert {"Reliability", "Reliability items", "Methods"} <= set(wb.sheetnames)


def test_cli_bootstrap_byte_identical_and_group(tmp_path):
    args = ["reliability", DATASETS / "HolzingerSwineford1939.csv", "--scale", "visual=x1,x2,x3",
            "--bootstrap", "100", "--seed", "9", "--group", "school"]
    a, b = run_cli(*args, "--json", "-"), run_cli(*args, "--json", "-")
    assert a.exit_code == 0, a
    assert a.stdout == b.stdout
    doc = a.json()
    assert [s["group"] for s in doc["scales"]] == ["Grant-White", "Pasteur"]
    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    for s in doc["scales"]:
        sub = hs[hs.school == s["group"]][["x1", "x2", "x3"]].to_numpy()
        assert s["alpha"] == pytest.approx(alpha_from_cov(np.cov(sub, rowvar=False)), abs=1e-12)
        boot = s["alpha_ci_bootstrap"]
        assert boot["n_boot"] == 100 and boot["lower"] < s["alpha"] < boot["upper"]


def test_cli_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c,k\n1,2,3,4\n2,x,3,4\n3,3,4,4\n4,4,5,4\n2,3,3,4\n", encoding="utf-8")
    assert_clean_error(run_cli("reliability", bad, "--scale", "S=a,b,zz"), "bad.csv", "zz")
    assert_clean_error(run_cli("reliability", bad, "--scale", "S=a,b,c"), "bad.csv", "column 'b'", "row 3",
                       "'x'")
    good = tmp_path / "g.csv"
    good.write_text("a,b,c,k\n1,2,3,4\n2,2,3,4\n3,3,4,4\n4,4,5,4\n2,3,3,4\n", encoding="utf-8")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a,b,k"), "g.csv", "column 'k'", "constant")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a"), "at least 2 items", "S")
    few = tmp_path / "few.csv"
    few.write_text("a,b,c\n1,2,3\n2,3,3\n", encoding="utf-8")
    assert_clean_error(run_cli("reliability", few, "--scale", "S=a,b,c"), "few.csv", "more respondents than items")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a,b,c", "--reverse", "a"), "--min", "--max")
    assert_clean_error(run_cli("reliability", good, "--scale", "S=a,b,c", "--reverse", "c", "--min", "1",
                               "--max", "4"), "g.csv", "column 'c'", "row 5", "outside")
    assert_clean_error(run_cli("reliability", good), "--scale")


def test_cli_help_teaches():
    res = run_cli("reliability", "--help")
    assert res.exit_code == 0
    for frag in ("alpha", "omega", "r_drop", "Examples", "--bootstrap", "--spec"):
        assert frag in res.stdout


# ---------------------------------------------------------------------------- spec and plan
@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    from cxstats.demo.simulate import write_demo

    folder = tmp_path_factory.mktemp("reldemo")
    write_demo(folder, seed=3, n_customers=250, n_staff=60)
    return folder


def test_spec_reliability_per_respondent_type_and_plan(small_demo, tmp_path):
    from cxstats.demo.simulate import load_demo_spec
    from cxstats.io.survey import load_survey

    spec = load_demo_spec()
    res = run_cli("reliability", small_demo / "customers.csv", "--spec", small_demo / "questionnaire.yaml",
                  "--quiet", "--json", "-")
    assert res.exit_code == 0, res
    doc = res.json()
    survey = load_survey(spec, [small_demo / "customers.csv"])
    c = spec.constructs()[0]
    row = next(s for s in doc["scales"] if s["scale"] == c.id and s["group"] == "customer")
    x = survey.customers()[c.item_ids].to_numpy(float)
    xl = x[~np.isnan(x).any(axis=1)]
    # pairwise equals listwise only without missing data; check against an independent pairwise cov
    cov = pd.DataFrame(x).cov().to_numpy()
    assert row["alpha"] == pytest.approx(alpha_from_cov(cov), abs=1e-12)
    assert row["n_complete"] == len(xl)

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"spec: {small_demo / 'questionnaire.yaml'}\nseed: 5\n"
        f"data:\n  - file: {small_demo / 'customers.csv'}\n    respondent_type: customer\n"
        f"  - file: {small_demo / 'staff.csv'}\n    respondent_type: staff\n"
        "steps:\n  - step: reliability\n    bootstrap: 20\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("run", plan, "--out", out, "--quiet", "--lang", "en")
    assert res.exit_code == 0, res
    doc = json.loads(next(out.glob("*.json")).read_text())
    step = doc["steps"][0]["result"]
    groups = {s["group"] for s in step["scales"]}
    assert groups == {"customer", "staff"}
    r = next(s for s in step["scales"] if s["scale"] == c.id and s["group"] == "customer")
    assert r["alpha"] == pytest.approx(row["alpha"], abs=1e-12)
    assert r["alpha_ci_bootstrap"]["n_boot"] == 20
    import openpyxl
    wb = openpyxl.load_workbook(next(out.glob("*measurement*.xlsx")))
    assert "Reliability" in wb.sheetnames


def test_vectorised_bootstrap_equals_replicate_by_replicate_resampling():
    from cxstats.stats.reliability import _cov, alpha_from_cov, bootstrap_alpha

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 1)) + rng.normal(size=(400, 5))
    x_missing = x.copy()
    x_missing[rng.random(x.shape) < 0.05] = np.nan
    for data, missing in ((x, "pairwise"), (x_missing, "listwise")):
        draws = np.random.default_rng(9)
        alphas = []
        for _ in range(250):
            c, _ = _cov(data[draws.integers(0, len(data), len(data))], missing)
            alphas.append(alpha_from_cov(c))
        lo, hi = np.quantile(alphas, [0.025, 0.975])
        ci = bootstrap_alpha(data, n_boot=250, seed=9, missing=missing)
        assert ci["lower"] == pytest.approx(lo, abs=1e-12) and ci["upper"] == pytest.approx(hi, abs=1e-12)


def test_vectorised_pairwise_bootstrap_equals_resampling_with_missing_answers():
    from cxstats.stats.reliability import _cov, alpha_from_cov, bootstrap_alpha

    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 1)) + rng.normal(size=(300, 4))
    x[rng.random(x.shape) < 0.08] = np.nan
    draws = np.random.default_rng(4)
    alphas = [alpha_from_cov(_cov(x[draws.integers(0, 300, 300)], "pairwise")[0]) for _ in range(200)]
    ci = bootstrap_alpha(x, n_boot=200, seed=4, missing="pairwise")
    lo, hi = np.quantile(alphas, [0.025, 0.975])
    assert ci["lower"] == pytest.approx(lo, abs=1e-12) and ci["upper"] == pytest.approx(hi, abs=1e-12)
