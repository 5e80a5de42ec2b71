"""MLR with missing answers (FIML): the robust CFI/TLI/RMSEA from lavaan's FIML-corrected statistics
(lav_fit_fiml_corrected V3; Zhang & Savalei 2023), every piece against lavaan 0.6-14
(tests/fixtures/reference_extra/fiml_corrected_reference.json, made by fiml_corrected_reference.R on
hs_missing.csv): the statistic T3 of the model at the FIML estimates against the EM moments, its scaling
factor, the same for the independence model, the indices; one group (CFA, SEM), two groups (configural,
metric) and the Satorra-Bentler (2001) difference of the two-group steps."""

import json

import pandas as pd
import pytest

from conftest import FIXTURES
from cxstats.stats.invariance import analyze_invariance
from cxstats.stats.sem import fit_sem

REF = json.loads((FIXTURES / "reference_extra" / "fiml_corrected_reference.json").read_text())
DATA = pd.read_csv(FIXTURES / "reference_extra" / "hs_missing.csv")
M = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
CASES = {"cfa": (M, {}), "sem": (M + "\nspeed ~ visual + textual", {}),
         "configural": (M, {"group": "school"}), "metric": (M, {"group": "school", "group_equal": ("loadings",)})}


@pytest.mark.parametrize("case", list(CASES))
def test_fiml_corrected_pieces_and_indices(case):
    model, kw = CASES[case]
    fit = fit_sem(model, DATA, missing="ml", estimator="MLR", **kw)
    ref = REF[case]
    fc = fit.robust.fiml_corrected
    c = ref["corrected"]
    assert fc["chisq"] == pytest.approx(c["XX3"], rel=1e-5)
    assert fc["scaling_factor"] == pytest.approx(c["c.hat3"], rel=1e-4)
    assert fc["baseline_chisq"] == pytest.approx(c["XX3.null"], rel=1e-5)
    assert fc["baseline_scaling_factor"] == pytest.approx(c["c.hat3.null"], rel=1e-4)
    fm = fit.fit_measures()
    for k in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust"):
        assert fm[k.replace(".", "_")] == pytest.approx(ref["fit"][k], rel=1e-4), k
    # the corrected statistic is not the FIML chi-square (the check can fail)
    assert abs(fc["chisq"] - fm["chisq"]) > 1


def test_invariance_with_fiml_mlr_matches_lavaan():
    res = analyze_invariance(DATA, M, "school", estimator="MLR", levels=("configural", "metric"),
                             configural_rmsea=0.10)
    assert res.missing["method"] == "ml" and res.indices == "robust"
    t, r = res.lrt[0], REF["lrt_metric_vs_configural"]
    assert "satorra.bentler.2001" in r["method"]
    assert t["chisq_diff"] == pytest.approx(r["chisq_diff"], rel=1e-3)
    assert t["pvalue"] == pytest.approx(r["pvalue"], rel=1e-3)
    assert t["delta_cfi"] == pytest.approx(REF["metric"]["fit"]["cfi.robust"] - REF["configural"]["fit"]["cfi.robust"],
                                           abs=1e-5)
