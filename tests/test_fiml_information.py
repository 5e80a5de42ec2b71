"""The analytic FIML observed information (issue 18 part 5) against the numerical Hessian of the analytic
gradient it replaced (independent: central differences of the log-likelihood's gradient), on HS with
missing answers (one group, two groups with equality constraints, a SEM with a regression), the saturated
model's information used by MLR with FIML, and lavaan's FIML standard errors through the fit."""

import numpy as np
import pandas as pd
import pytest

from conftest import DATASETS
from cxstats.stats.sem import fit_sem
from cxstats.stats.sem.robust import fiml_h1_information, fiml_h1_information_numeric

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs_missing():
    df = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    rng = np.random.default_rng(18)
    for c in ("x1", "x2", "x4", "x5", "x7", "x9"):
        df.loc[rng.choice(len(df), 40, replace=False), c] = np.nan
    return df


@pytest.mark.parametrize("case", ["one group", "two groups, metric", "sem"])
def test_analytic_equals_numerical_hessian(hs_missing, case):
    kw = {"one group": {}, "two groups, metric": {"group": "school", "group_equal": ("loadings",)},
          "sem": {}}[case]
    model = HS_MODEL + ("\nspeed ~ visual + textual" if case == "sem" else "")
    fit = fit_sem(model, hs_missing, missing="ml", **kw)
    A = fit.model.information(fit.theta)
    B = fit.model.information_numeric(fit.theta)
    assert np.max(np.abs(A - B)) / np.max(np.abs(B)) < 1e-7
    se_a, se_b = np.sqrt(np.diag(np.linalg.inv(A))), np.sqrt(np.diag(np.linalg.inv(B)))
    assert se_a == pytest.approx(se_b, rel=1e-7)
    # the fit's SEs come from the analytic information
    assert np.sqrt(np.diag(fit.vcov)) == pytest.approx(se_a, rel=1e-10)


def test_analytic_information_differs_from_expected(hs_missing):
    """The observed information is not the expected one (the test would pass vacuously if it were)."""
    fit = fit_sem(HS_MODEL, hs_missing, missing="ml")
    _, _, E = fit.model.gradient_information(fit.theta)
    A = fit.model.information(fit.theta)
    assert np.max(np.abs(A - E * fit.model.N / 2) / np.abs(A).max()) > 1e-3


def test_saturated_information_analytic(hs_missing):
    fit = fit_sem(HS_MODEL, hs_missing, missing="ml", estimator="MLR", group="school")
    fd = fit.model.fdata
    for g, gp in enumerate(fd.patterns):
        A = fiml_h1_information(gp, fd.h1.cov[g], fd.h1.mean[g])
        B = fiml_h1_information_numeric(gp, fd.h1.cov[g], fd.h1.mean[g])
        assert np.max(np.abs(A - B)) / np.max(np.abs(B)) < 1e-8
        # complete data: the saturated observed information at the sample moments is the expected one
    complete = pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")
    from cxstats.stats.sem.fiml import fiml_data
    from cxstats.stats.sem.robust import expected_h1_information

    cols = [f"x{i}" for i in range(1, 10)]
    fdc, _ = fiml_data(complete, cols)
    gp, S, m = fdc.patterns[0], fdc.h1.cov[0], fdc.h1.mean[0]
    assert fiml_h1_information(gp, S, m) == pytest.approx(expected_h1_information(S, True), rel=1e-8, abs=1e-12)


def test_benchmark_script_runs_tiny():
    """benchmarks/bench_fiml_information.py on its tiny size (timings not asserted; the agreement is)."""
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks import bench_fiml_information

    out = bench_fiml_information.main(["--size", "tiny"])
    assert out["patterns"] > 20 and out["se_max_rel_diff"] < 1e-6
