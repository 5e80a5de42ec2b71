"""EFA against psych::fa (bfi, 5 factors, minres, oblimin), KMO/Bartlett against psych and
factor_analyzer, parallel analysis, rotations with known truth, CLI and plan step."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS, assert_clean_error, reference, run_cli
from cxstats.errors import InputError
from cxstats.stats.efa import analyze_efa, bartlett, kmo, parallel_analysis

REF = reference("efa_bfi")
ITEMS = list(REF["loadings"])
HS_ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATASETS / "bfi.csv")


@pytest.fixture(scope="module")
def fit(bfi):
    return analyze_efa(bfi, ITEMS, n_factors=5, method="minres", rotation="oblimin", seed=1)


def _ref_matrix(block, rows, cols):
    return np.array([[block[r][c] for c in cols] for r in rows])


def _match(ours, theirs):
    """Column permutation and signs of ``ours`` that best match ``theirs``."""
    k = theirs.shape[1]
    perm, signs = [], []
    for j in range(k):
        c = [abs(np.corrcoef(ours[:, i], theirs[:, j])[0, 1]) if i not in perm else -1 for i in range(k)]
        i = int(np.argmax(c))
        perm.append(i)
        signs.append(np.sign(np.dot(ours[:, i], theirs[:, j])))
    return perm, np.array(signs)


def test_bfi_oblimin_matches_psych(fit):
    order = REF["factor_order"]
    # psych's names and order (MR2, MR1, MR3, MR5, MR4) come out as they are
    assert fit.factors == order
    theirs = _ref_matrix(REF["loadings"], ITEMS, order)
    ours = np.array(fit.loadings)
    perm, signs = _match(ours, theirs)
    assert perm == list(range(5)) and (signs > 0).all()
    np.testing.assert_allclose(ours, theirs, atol=1e-3)
    np.testing.assert_allclose(np.array(fit.structure), _ref_matrix(REF["structure"], ITEMS, order), atol=1e-3)
    np.testing.assert_allclose(np.array(fit.phi), _ref_matrix(REF["factor_correlations"], order, order), atol=1e-3)
    np.testing.assert_allclose(fit.communality, [REF["communality"][i] for i in ITEMS], atol=1e-3)
    np.testing.assert_allclose(fit.uniqueness, [REF["uniqueness"][i] for i in ITEMS], atol=1e-3)
    va = REF["variance_accounted"]
    for ours_key, ref_key in [("ss_loadings", "SS loadings"), ("proportion_var", "Proportion Var"),
                              ("cumulative_var", "Cumulative Var"),
                              ("proportion_explained", "Proportion Explained"),
                              ("cumulative_proportion", "Cumulative Proportion")]:
        np.testing.assert_allclose(fit.variance[ours_key], [va[ref_key][f] for f in order], atol=1e-3)
    np.testing.assert_allclose(fit.eigenvalues, REF["eigenvalues_R"], atol=1e-10)
    np.testing.assert_allclose(fit.eigenvalues_common, REF["eigenvalues_common_factor_solution"], atol=1e-3)
    un = REF["unrotated"]["loadings"]
    np.testing.assert_allclose(np.array(fit.unrotated), _ref_matrix(un, ITEMS, fit.unrotated_factors), atol=1e-3)
    f = REF["fit"]
    assert fit.fit["df"] == f["dof"]
    assert fit.fit["objective"] == pytest.approx(f["objective"], abs=1e-4)
    assert fit.fit["chisq"] == pytest.approx(f["STATISTIC"], rel=1e-4)
    assert fit.fit["tli"] == pytest.approx(f["TLI"], abs=1e-4)
    assert fit.fit["rmsea"] == pytest.approx(f["RMSEA"]["RMSEA"], abs=1e-4)
    assert fit.fit["bic"] == pytest.approx(f["BIC"], abs=1e-2)
    assert fit.fit["null_objective"] == pytest.approx(f["null.model"], abs=1e-8)


def test_kmo_bartlett_match_psych(fit):
    assert fit.kmo["overall"] == pytest.approx(REF["KMO"]["overall_MSA"], abs=1e-10)
    for i in ITEMS:
        assert fit.kmo["items"][i] == pytest.approx(REF["KMO"]["item_MSA"][i], abs=1e-10)
    b = REF["bartlett"]
    assert fit.bartlett["chisq"] == pytest.approx(b["chisq"], rel=1e-10)
    assert fit.bartlett["df"] == b["df"] and fit.bartlett["n"] == b["n"]
    assert fit.bartlett["pvalue"] == pytest.approx(b["p_value"], abs=1e-300)


def test_kmo_bartlett_agree_with_factor_analyzer_on_complete_data(hs_path):
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    x = pd.read_csv(hs_path)[HS_ITEMS]
    r = np.corrcoef(x.to_numpy(float), rowvar=False)
    per_item, total = calculate_kmo(x)
    ours_total, ours_items = kmo(r)
    assert ours_total == pytest.approx(total, abs=1e-10)
    np.testing.assert_allclose(ours_items, per_item, atol=1e-10)
    chi, p = calculate_bartlett_sphericity(x)
    assert bartlett(r, len(x))["chisq"] == pytest.approx(chi, rel=1e-10)


def test_parallel_analysis_matches_psych_observed_and_suggests_six(fit):
    pa = fit.parallel
    ref = REF["parallel_analysis"]
    # the observed eigenvalues are deterministic and must match fa.parallel
    np.testing.assert_allclose(pa.observed_pc, ref["observed_pc_eigenvalues"], atol=1e-10)
    np.testing.assert_allclose(pa.observed_fa, ref["observed_fa_eigenvalues"], atol=1e-4)
    # random parts: same distribution as R's (means over 20 data sets of 2800 x 25)
    np.testing.assert_allclose(pa.simulated_pc, ref["simulated_pc_eigenvalues"], atol=0.03)
    np.testing.assert_allclose(pa.simulated_fa, ref["simulated_fa_eigenvalues"], atol=0.05)
    assert (pa.n_factors, pa.n_components) == (ref["nfact"], ref["ncomp"]) == (6, 6)


def test_parallel_analysis_seed_reproducible(hs_path):
    x = pd.read_csv(hs_path)[HS_ITEMS].to_numpy(float)
    a = parallel_analysis(x, n_iter=5, seed=4)
    b = parallel_analysis(x, n_iter=5, seed=4)
    c = parallel_analysis(x, n_iter=5, seed=5)
    assert a == b and a.simulated_pc != c.simulated_pc
    assert a.n_factors == 3  # the three Holzinger-Swineford abilities


def _population(loadings, phi):
    r = loadings @ phi @ loadings.T
    np.fill_diagonal(r, 1.0)
    return r


def _sample_with_exact_corr(r, n=500, seed=0):
    """Data whose sample correlation matrix is exactly ``r``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, r.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return z @ np.linalg.cholesky(r).T


@pytest.mark.parametrize("method", ["minres", "ml"])
@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax"])
def test_known_structure_recovered(method, rotation):
    lam = np.zeros((9, 3))
    lam[0:3, 0] = [0.8, 0.7, 0.6]
    lam[3:6, 1] = [0.75, 0.65, 0.7]
    lam[6:9, 2] = [0.6, 0.8, 0.7]
    phi = np.array([[1, 0.3, 0.2], [0.3, 1, 0.25], [0.2, 0.25, 1]]) if rotation != "varimax" else np.eye(3)
    x = pd.DataFrame(_sample_with_exact_corr(_population(lam, phi)), columns=[f"v{i}" for i in range(9)])
    res = analyze_efa(x, n_factors=3, method=method, rotation=rotation, parallel=False)
    # communalities are rotation-free and exact for a population matrix
    np.testing.assert_allclose(res.communality, np.sum((lam @ phi) * lam, axis=1), atol=1e-4)
    ours = np.array(res.loadings)
    perm, signs = _match(ours, lam)
    if rotation == "oblimin":  # simple structure is the exact oblimin optimum (criterion 0)
        np.testing.assert_allclose(ours[:, perm] * signs, lam, atol=1e-3)
        np.testing.assert_allclose((np.array(res.phi)[np.ix_(perm, perm)] * np.outer(signs, signs)), phi, atol=1e-3)
    else:
        assert np.abs(ours[:, perm] * signs - lam).max() < 0.1
    if res.phi is not None:
        assert np.allclose(np.diag(res.phi), 1.0)
        # structure = pattern x Phi
        np.testing.assert_allclose(res.structure, ours @ np.array(res.phi), atol=1e-12)


def test_varimax_matches_factor_analyzer_rotator(hs_path):
    from factor_analyzer.rotator import Rotator

    x = pd.read_csv(hs_path)
    res = analyze_efa(x, HS_ITEMS, n_factors=3, rotation="varimax", parallel=False)
    unrot = np.array(res.unrotated)
    theirs = Rotator(method="varimax", normalize=True).fit_transform(unrot)
    perm, signs = _match(np.array(res.loadings), theirs)
    np.testing.assert_allclose(np.array(res.loadings)[:, perm] * signs, theirs, atol=1e-8)


def test_efa_errors(hs_path):
    x = pd.read_csv(hs_path)
    with pytest.raises(InputError, match="at least 3 items"):
        analyze_efa(x, ["x1", "x2"], n_factors=1)
    with pytest.raises(InputError, match="too many"):
        analyze_efa(x, ["x1", "x2", "x3", "x4"], n_factors=3, parallel=False)
    with pytest.raises(InputError, match="constant") as e:
        analyze_efa(x.assign(x3=1.0), HS_ITEMS, n_factors=2, parallel=False)
    assert e.value.column == "x3"
    with pytest.raises(InputError, match="singular") as e:
        analyze_efa(x.assign(x10=x.x1 + x.x2), HS_ITEMS + ["x10"], n_factors=2, parallel=False)
    with pytest.raises(InputError, match="more respondents than items"):
        analyze_efa(x.head(8), HS_ITEMS, n_factors=2, parallel=False)


# ---------------------------------------------------------------------------- CLI
def test_cli_json_and_workbook(tmp_path):
    out = tmp_path / "efa.xlsx"
    res = run_cli("efa", DATASETS / "HolzingerSwineford1939.csv", "--items", ",".join(HS_ITEMS),
                  "--seed", "3", "--iterations", "5", "--json", "-", "--xlsx", out)
    assert res.exit_code == 0, res
    doc = res.json()
    assert doc["n_factors"] == 3 and doc["n_factors_source"] == "parallel analysis"
    assert "parallel analysis" in res.stderr
    x = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")[HS_ITEMS]
    direct = analyze_efa(x, HS_ITEMS, n_factors=3, parallel=False)
    got = np.array([[row[f] for f in doc["factors"]] for row in doc["loadings"]])
    np.testing.assert_allclose(got, direct.loadings, atol=1e-12)
    assert doc["bartlett"]["chisq"] == pytest.approx(direct.bartlett["chisq"], rel=1e-12)
    again = run_cli("efa", DATASETS / "HolzingerSwineford1939.csv", "--items", ",".join(HS_ITEMS),
                    "--seed", "3", "--iterations", "5", "--json", "-")
    assert again.stdout == res.stdout
    import openpyxl
    wb = openpyxl.load_workbook(out)
    assert "EFA" in wb.sheetnames and "Methods" in wb.sheetnames


def test_cli_bad_input(tmp_path):
    bad = tmp_path / "bad.csv"
    rng = np.random.default_rng(0)
    df = pd.DataFrame(np.round(rng.normal(3, 1, (40, 4)), 0), columns=list("abcd"))
    df.to_csv(bad, index=False)
    text = bad.read_text().splitlines()
    text[5] = "oops," + text[5].split(",", 1)[1]
    bad.write_text("\n".join(text) + "\n")
    assert_clean_error(run_cli("efa", bad, "--items", "a,b,zz", "--factors", "1"), "bad.csv", "zz")
    assert_clean_error(run_cli("efa", bad, "--items", "a,b,c", "--factors", "1"), "bad.csv", "column 'a'",
                       "row 6", "'oops'")
    const = tmp_path / "const.csv"
    df.assign(d=2.0).to_csv(const, index=False)
    assert_clean_error(run_cli("efa", const, "--items", "b,c,d", "--factors", "1"), "const.csv",
                       "column 'd'", "constant")
    assert_clean_error(run_cli("efa", const, "--items", "b,c", "--factors", "1"), "at least 3 items")
    few = tmp_path / "few.csv"
    df.head(3).to_csv(few, index=False)
    assert_clean_error(run_cli("efa", few, "--items", "a,b,c,d", "--factors", "1"), "few.csv",
                       "more respondents than items")


def test_cli_help_teaches():
    res = run_cli("efa", "--help")
    assert res.exit_code == 0
    for frag in ("KMO", "parallel analysis", "Examples", "--rotation", "oblimin"):
        assert frag in res.stdout


def test_plan_step_efa(tmp_path):
    from cxstats.demo.simulate import load_demo_spec, write_demo
    from cxstats.io.survey import load_survey

    folder = tmp_path / "demo"
    write_demo(folder, seed=4, n_customers=300, n_staff=40)
    spec = load_demo_spec()
    ids = [c.id for c in spec.constructs()[:3]]
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        f"spec: {folder / 'questionnaire.yaml'}\nseed: 5\n"
        f"data:\n  - file: {folder / 'customers.csv'}\n    respondent_type: customer\n"
        "steps:\n  - step: efa\n    constructs: [" + ", ".join(ids) + "]\n    factors: constructs\n",
        encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("run", plan, "--out", out, "--quiet")
    assert res.exit_code == 0, res
    doc = json.loads(next(out.glob("*.json")).read_text())
    a = doc["steps"][0]["result"]["analyses"][0]
    assert a["respondent_type"] == "customer" and a["n_factors"] == 3
    survey = load_survey(spec, [folder / "customers.csv"])
    items = [i for c in spec.constructs()[:3] for i in c.item_ids]
    direct = analyze_efa(survey.customers(), items, n_factors=3, seed=5)
    assert [a["communality"][i] for i in items] == pytest.approx(direct.communality, abs=1e-12)


def test_blank_rows_counted_as_psych_and_announced(bfi, fit):
    """psych::fa(x) on raw data: n.obs = nrow(x), all-blank rows included (pairwise correlations are
    unchanged by them). Hand-computed expectation: chi-square and Bartlett's statistic scale with
    their multipliers (n - 1) - (2p + 5)/6 - 2nf/3 and (n - 1) - (2p + 5)/6."""
    k, p, nf = 50, len(ITEMS), 5
    blank = pd.DataFrame(np.nan, index=range(k), columns=bfi.columns)
    padded = pd.concat([bfi, blank], ignore_index=True)
    n0 = len(bfi)
    res = analyze_efa(padded, ITEMS, n_factors=nf, method="minres", rotation="oblimin", seed=1,
                      parallel=False)
    assert res.n_obs == n0 + k and res.n_blank == k and res.to_dict()["n_blank"] == k
    np.testing.assert_allclose(np.array(res.loadings), np.array(fit.loadings), atol=1e-8)
    assert res.fit["objective"] == pytest.approx(fit.fit["objective"], rel=1e-10)
    mult = lambda n: (n - 1) - (2 * p + 5) / 6 - 2 * nf / 3  # noqa: E731
    assert res.fit["chisq"] == pytest.approx(REF["fit"]["STATISTIC"] * mult(n0 + k) / mult(n0), rel=1e-4)
    bmult = lambda n: (n - 1) - (2 * p + 5) / 6  # noqa: E731
    assert res.bartlett["n"] == n0 + k
    assert res.bartlett["chisq"] == pytest.approx(REF["bartlett"]["chisq"] * bmult(n0 + k) / bmult(n0),
                                                  rel=1e-10)
    assert any(w.startswith(f"{k} of {n0 + k} respondents answered none of the {p} items")
               for w in res.warnings)
    assert "psych::fa's n.obs" in dict(res.methods())["EFA extraction"]
    # listwise: complete rows only, the blank rows are said to be left out
    lw = analyze_efa(padded, ITEMS, n_factors=nf, missing="listwise", parallel=False)
    assert lw.n_obs == int(bfi[ITEMS].notna().all(axis=1).sum())
    assert any("left out of n, unlike psych::fa" in w for w in lw.warnings)
