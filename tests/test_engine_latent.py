"""EFA, SEM and measurement invariance on the moment engines (DuckDB, Spark): the same numbers as pandas.

Reference: the pandas path on the same demo data (itself checked against psych and lavaan in
test_efa, test_sem_*, test_invariance), the pure moment entry points against the row entry points
on R's data sets, and the HS two-group invariance through DuckDB against lavaan's reference.
Tolerance: the issue's relative 1e-9, except the EFA (EFA_REL = 1e-7, as the omega CFA of the
reliability tests): its minres and ML extractions are L-BFGS-B fits stopped by ftol 1e-15 on an
objective that is flat near the optimum (a change of 1e-15 is a step of ~3e-8 in the uniquenesses),
so correlation matrices that differ in the 16th digit (pairwise Chan merges vs the rows' sums) give
loadings, communalities and the one-factor eigenvalues of the parallel analysis that agree to
~1e-9 absolute, not to 1e-9 relative; the fits themselves are no closer to the optimum than that.
The SEM and invariance fits (lavaan's optimizer settings, gradient-based) agree to 1e-9."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATASETS, assert_clean_error, reference, run_cli, run_engine_plan
from tests.test_engine_duckdb import HS_SPEC, same_numbers

duckdb = pytest.importorskip("duckdb")

THREE = "facilidad_web,info_producto,puntualidad_entrega"   # three constructs keep the tests fast
EFA_REL = 1e-7   # the EFA's iterative extractions (module docstring)


def _run(*args):
    r = run_cli(*args, "--json", "-", "-q")
    assert r.exit_code == 0, r
    return r.json()


def _both(engine_demo, command, *extra, lake=False, engine="duckdb"):
    """(pandas on the CSV files, ``engine`` on the CSV or the Parquet files)."""
    folder, csv, parquet = engine_demo
    spec = ["--spec", folder / "questionnaire.yaml"]
    cmd = command.split()
    ref = _run(*cmd, *csv, *spec, *extra, "--engine", "pandas")
    got = _run(*cmd, *(parquet if lake else csv), *spec, *extra, "--engine", engine)
    return ref, got


# ----------------------------------------------------------------------------------------- EFA

@pytest.mark.parametrize("lake", [False, True])
def test_efa_on_duckdb_equals_pandas(engine_demo, lake):
    """Pairwise correlations from the pattern moments, the parallel analysis from counts per answer:
    customers and staff, every number (KMO, Bartlett, loadings, fit, simulated and resampled eigenvalues)."""
    ref, got = _both(engine_demo, "efa", "--constructs", THREE, "--respondents", "both", lake=lake)
    same_numbers(ref, got, rel=EFA_REL)
    cust = ref["analyses"][0]
    assert [a["respondent_type"] for a in ref["analyses"]] == ["customer", "staff"]
    assert cust["n_factors"] == 3 and cust["n_factors_source"] == "parallel analysis"
    assert cust["parallel_analysis"]["resampled_fa"][0] > 0 and cust["kmo"]["overall"] > 0.6


def test_efa_listwise_ml_on_duckdb_equals_pandas(engine_demo):
    ref, got = _both(engine_demo, "efa", "--constructs", THREE, "--respondents", "all", "--missing", "listwise",
                     "--method", "ml", "--rotation", "promax", "--factors", "3")
    same_numbers(ref, got, rel=EFA_REL)
    a = got["analyses"][0]
    assert a["n_obs"] < 2200 and a["method"] == "ml" and a["phi"] is not None


def test_efa_moments_equal_rows_on_bfi(bfi_path):
    """The pure entry point: analyze_efa_moments on pattern moments of bfi (missing answers) equals
    analyze_efa on the rows (whose psych reference is test_efa's)."""
    from cxstats.moments import Counts, PatternMoments
    from cxstats.stats.efa import analyze_efa
    from cxstats.stats.from_moments import analyze_efa_moments

    items, x = _bfi_items(bfi_path)
    frame = pd.DataFrame(x, columns=items)
    pm = PatternMoments.from_array(items, x)
    for missing in ("pairwise", "listwise"):
        rows = x if missing == "pairwise" else x[~np.isnan(x).any(axis=1)]
        counts = {it: Counts.from_array(rows[:, j]) for j, it in enumerate(items)}
        ref = analyze_efa(frame, items, missing=missing, seed=7, n_iter=5).to_dict()
        got = analyze_efa_moments(pm, counts, missing=missing, seed=7, n_iter=5).to_dict()
        same_numbers(ref, got, rel=EFA_REL)
        assert ref["n_factors"] >= 2 and ref["parallel_analysis"]["resampled_pc"][0] > 1


def _bfi_items(bfi_path):
    items = ["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5"]
    return items, pd.read_csv(bfi_path)[items].astype(float).to_numpy()


def test_parallel_analysis_draws_are_those_of_the_rows(bfi_path):
    """Independent check of the blocked sums: with no more rows than a block, the simulated and
    resampled eigenvalues are those of np.corrcoef of the normal draws and of R's pairwise correlations
    of each column resampled (in ascending order) with the same generator."""
    from cxstats.stats._factor import pairwise_cor
    from cxstats.stats.efa import PA_BLOCK, parallel_analysis

    _, x = _bfi_items(bfi_path)
    n, p = x.shape
    assert n <= PA_BLOCK and np.isnan(x).any()
    pa = parallel_analysis(x, n_iter=1, seed=11)
    rng = np.random.default_rng(11)
    z = rng.standard_normal((n, p))
    xr = np.column_stack([np.sort(x[:, j])[rng.integers(0, n, n)] for j in range(p)])
    np.testing.assert_allclose(pa.simulated_pc, np.sort(np.linalg.eigvalsh(np.corrcoef(z, rowvar=False)))[::-1],
                               rtol=1e-12)
    np.testing.assert_allclose(pa.resampled_pc, np.sort(np.linalg.eigvalsh(pairwise_cor(xr)[0]))[::-1], rtol=1e-12)


def test_parallel_analysis_in_blocks_is_the_same_from_counts(bfi_path, monkeypatch):
    """Many blocks (memory independent of the rows): the rows' and the counts' draws are the same."""
    from cxstats.moments import Counts
    from cxstats.stats import efa

    monkeypatch.setattr(efa, "PA_BLOCK", 500)
    _, x = _bfi_items(bfi_path)
    a = efa.parallel_analysis(x, n_iter=3, seed=5)
    cols = [Counts.from_array(x[:, j]).arrays() for j in range(x.shape[1])]
    b = efa.parallel_from(efa.correlation(x)[0], cols, len(x), n_iter=3, seed=5)
    assert a == b and len(x) > 5 * 500


# ----------------------------------------------------------------------------------------- SEM

def test_sem_on_duckdb_equals_pandas(engine_demo):
    """The study's structural model built from the spec (10 constructs -> csat -> loyalty), by FIML
    from the customers' moments per answer pattern."""
    ref, got = _both(engine_demo, "sem")
    same_numbers(ref, got)
    assert ref["missing"]["method"] == "ml" and ref["missing"]["n_incomplete"] > 100
    assert ref["model_source"] == "built from the spec" and any(e["op"] == ":=" for e in ref["estimates"])


def test_sem_listwise_with_modindices_on_parquet_equals_pandas(engine_demo):
    model = ("web =~ web_1 + web_2 + web_3\ninfo =~ info_1 + info_2 + info_3\n"
             "csat ~ a*web + b*info\nrecompra ~ c*csat\nind_web := a*c\n")
    ref, got = _both(engine_demo, "sem", "--model", model, "--missing", "listwise", "--modindices", "5",
                     lake=True)
    same_numbers(ref, got)
    assert ref["missing"]["method"] == "listwise" and len(ref["modindices"]) == 5


# ---------------------------------------------------------------------------------- invariance

def test_invariance_by_construct_on_duckdb_equals_pandas(engine_demo):
    """Customers vs staff, one construct at a time (FIML where a construct's items have missing answers)."""
    ref, got = _both(engine_demo, "cfa --invariance --by-construct", "--constructs", THREE)
    same_numbers(ref, got)
    assert ref["groups"] == ["customer", "staff"] and len(ref["constructs"]) == 3
    assert all(c["steps"][-1]["step"] == "strict" for c in ref["constructs"])


def test_invariance_whole_model_by_segment_on_parquet_equals_pandas(engine_demo):
    """The constructs' joint CFA across the four regions (a segment of the spec), every step."""
    ref, got = _both(engine_demo, "cfa --invariance", "--constructs", "facilidad_web,info_producto",
                     "--group", "region", lake=True)
    same_numbers(ref, got)
    assert list(ref["groups"]) == ["norte", "centro", "sur", "este"] and len(ref["steps"]) == 4
    assert ref["missing"]["method"] == "ml"


def test_invariance_moments_equal_rows_on_hs_with_missing_answers():
    """The pure entry point: model_invariance_patterns on each school's pattern moments equals
    analyze_invariance on the rows, FIML included (answers blanked at random)."""
    from cxstats.moments import PatternMoments
    from cxstats.stats.from_moments import analyze_invariance_patterns
    from cxstats.stats.invariance import analyze_invariance

    hs = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    items = [f"x{i}" for i in range(1, 10)]
    rng = np.random.default_rng(3)
    for it in items:
        hs.loc[rng.random(len(hs)) < 0.05, it] = np.nan
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    labels = ["Pasteur", "Grant-White"]
    pats = {g: PatternMoments.from_array(items, hs.loc[hs.school == g, items].to_numpy(float)) for g in labels}
    ref = analyze_invariance(hs, model, "school", free=["x3 ~ 1"], configural_rmsea=0.1)
    got = analyze_invariance_patterns(pats, model, group_labels=labels, free=["x3 ~ 1"], configural_rmsea=0.1)
    same_numbers(ref.to_dict(), got.to_dict())
    assert ref.missing["method"] == "ml" and ref.missing["n_incomplete"] > 50
    scales = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    ref = analyze_invariance(hs, scales, "school", group_labels=labels)
    got = analyze_invariance_patterns(pats, scales, group_labels=labels)
    same_numbers(ref.to_dict(), got.to_dict())


HS_SCHOOL = HS_SPEC.replace("scales:", """segments:
  - id: school
    label: {en: "School"}
    values:
      Pasteur: {en: "Pasteur"}
      Grant-White: {en: "Grant-White"}
scales:""")


def test_the_hs_invariance_through_duckdb_matches_lavaan(hs_path, tmp_path):
    """R reference (lavaan 0.6, tests/fixtures/reference/results/invariance_hs.json: HS by school)
    through the engine (continuous scores: DuckDB's avg/covar_pop), and equal to pandas."""
    (tmp_path / "hs.yaml").write_text(HS_SCHOOL, encoding="utf-8")
    args = ["cfa", "--invariance", hs_path, "--spec", tmp_path / "hs.yaml", "--group", "school",
            "--configural-rmsea", "0.10"]
    got = _run(*args, "--engine", "duckdb")
    ref = reference("invariance_hs")
    assert list(got["groups"]) == ref["groups"]["labels"] and list(got["groups"].values()) == [156, 145]
    for step in got["steps"]:
        r = ref["steps"][step["step"]]
        assert step["df"] == r["df"] and step["npar"] == r["npar"]
        for key in ("chisq", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl"):
            assert step[key] == pytest.approx(r[key], abs=1e-3), (step["step"], key)
    for ours, r in zip(got["lrt"], ref["lrt"]):
        assert ours["chisq_diff"] == pytest.approx(r["chisq_diff"], abs=1e-3)
        assert ours["delta_cfi"] == pytest.approx(r["delta_cfi"], abs=1e-4)
    assert got["level"] == "metric"
    same_numbers(_run(*args, "--engine", "pandas"), got)


# ------------------------------------------------------------------------------------ refusals

def test_what_needs_rows_is_refused_by_name_on_an_engine(engine_demo):
    folder, csv, parquet = engine_demo
    spec = ["--spec", folder / "questionnaire.yaml"]
    for args, option in ((["efa", "--cor", "polychoric"], "--cor"),
                         (["sem", "--bootstrap", "20"], "--bootstrap"),
                         (["sem", "--estimator", "MLR"], "--estimator"),
                         (["sem", "--ordered", "all"], "--ordered"),
                         (["cfa", "--invariance", "--estimator", "MLM"], "--estimator"),
                         (["cfa", "--invariance", "--weight", "csat"], "--weight"),
                         (["cfa", "--invariance", "--group", "csat"], "--group")):
        r = run_cli(*args, *parquet, *spec, "--engine", "duckdb", "-q")
        assert_clean_error(r, option, "--engine pandas")


def test_engine_auto_reads_parquet_with_duckdb(engine_demo):
    """Parquet input: engine auto computes the moments with DuckDB (pandas does not read Parquet)."""
    folder, csv, parquet = engine_demo
    args = ["efa", *parquet, "--spec", folder / "questionnaire.yaml", "--constructs", "facilidad_web,info_producto",
            "--factors", "2"]
    assert _run(*args) == _run(*args, "--engine", "duckdb")


def test_plan_with_engine_duckdb_runs_the_latent_steps_as_pandas(engine_demo, tmp_path):
    from tests.test_engine_duckdb import _drop_engine

    folder, csv, _ = engine_demo
    steps = (f"  - step: efa\n    constructs: [{THREE}]\n    iterations: 5\n"
             f"  - step: invariance\n    constructs: [{THREE}]\n")
    ref, got = (_plan(folder, csv, engine, steps, tmp_path) for engine in ("pandas", "duckdb"))
    # each file's distinct cells (2), the id check (1), efa: moments + counts (2), invariance: moments (1)
    assert got.pop("engines")["duckdb"]["passes"] == 2 + 1 + 2 + 1
    for key in ref:
        if key not in ("inputs", "outputs", "plan", "cxstats_version", "created"):
            same_numbers(_drop_engine(ref[key]), _drop_engine(got[key]), rel=EFA_REL)
    assert "efa" in json.dumps(ref) and "invariance" in json.dumps(ref)


_plan = run_engine_plan


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_efa_sem_and_invariance_on_spark_equal_pandas(engine_demo, spark_session, tmp_path):
    """The same moments as Spark SQL aggregations (the active local[2] session) on the Parquet files,
    efa, cfa (FIML), sem and invariance in one plan (the files' distinct cells read once)."""
    from tests.test_engine_duckdb import _drop_engine

    folder, csv, parquet = engine_demo
    two = "[facilidad_web, info_producto]"
    steps = (f"  - step: efa\n    constructs: {two}\n    iterations: 5\n"
             "  - step: sem\n    model: 'web =~ web_1 + web_2 + web_3; info =~ info_1 + info_2 + info_3; "
             "csat ~ web + info'\n"
             f"  - step: cfa\n    constructs: {two}\n    estimator: ML\n"
             f"  - step: invariance\n    constructs: {two}\n")
    ref = _plan(folder, csv, "pandas", steps, tmp_path)
    got = _plan(folder, parquet, "spark", steps, tmp_path)
    # distinct cells per file (2), id check; efa 2, sem, cfa, invariance
    assert got.pop("engines")["spark"]["passes"] == 2 + 1 + 2 + 1 + 1 + 1
    for key in ref:
        if key not in ("inputs", "outputs", "plan", "cxstats_version", "created"):
            same_numbers(_drop_engine(ref[key]), _drop_engine(got[key]), rel=EFA_REL)
    assert "invariance" in json.dumps(ref) and "sem" in json.dumps(ref)
    assert any(s["step"] == "cfa" and s["result"]["fit"]["chisq"] > 0 for s in got["steps"])


def test_constructs_beyond_one_query_are_read_in_batches():
    """More items than one moment query holds (62): whole constructs per pass, each projected alone."""
    from cxstats.moments import PatternMoments
    from cxstats.steps.invariance import _group_patterns

    rng = np.random.default_rng(1)
    cols = [f"i{k}" for k in range(70)]
    x = rng.integers(1, 6, size=(400, 70)).astype(float)
    x[rng.random(x.shape) < 0.05] = np.nan
    g = np.where(rng.random(400) < 0.5, "a", "b")

    class Engine:      # pattern_moments as an engine survey computes them, from the array
        passes = 0

        def pattern_moments(self, columns, group=None, blocks=None):
            assert len(columns) <= 62 and group == "grp"
            self.passes += 1
            idx = [cols.index(c) for c in columns]
            return {lab: PatternMoments.from_array(columns, x[g == lab][:, idx]) for lab in ("a", "b")}

    engine, blocks = Engine(), [cols[k:k + 5] for k in range(0, 70, 5)]
    pats = _group_patterns(engine, blocks, "grp")
    assert engine.passes == 2 and pats["a"].n == int((g == "a").sum())
    for blk in blocks:
        got = pats["b"].project(blk)
        ref = PatternMoments.from_array(blk, x[g == "b"][:, [cols.index(c) for c in blk]])
        assert set(got.patterns) == set(ref.patterns)
        for k, m in ref.patterns.items():
            np.testing.assert_allclose(got.patterns[k].m2, m.m2, rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(got.patterns[k].mean, m.mean, rtol=1e-12)
