"""The spec's ``analysis:`` block chooses paired gaps and direct paths (issue 11 items 5 and 6);
an explicit option wins."""

from __future__ import annotations

import pytest
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("analysis_block") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _spec_with(demo, tmp_path, analysis):
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    doc["analysis"] = analysis
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_spec_direct_paths_builds_partial_mediation(demo, tmp_path):
    spec = _spec_with(demo, tmp_path, {"direct_paths": True})
    r = run_cli("sem", demo / "customers.csv", "--spec", spec, "--json", "-")
    assert r.exit_code == 0, r
    out = r.json()
    assert out["structure"].startswith("partial mediation")
    assert "loyalty ~" in out["model_syntax"] or "~ " in out["model_syntax"]
    r = run_cli("sem", demo / "customers.csv", "--spec", spec, "--no-direct-paths", "--json", "-")
    assert r.json()["structure"].startswith("full mediation")
    r = run_cli("sem", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", "-")
    assert r.json()["structure"].startswith("full mediation")


def test_spec_analysis_block_is_checked(demo, tmp_path):
    spec = _spec_with(demo, tmp_path, {"paired": "yes"})
    assert_clean_error(run_cli("describe", demo / "customers.csv", "--spec", spec), "spec.yaml", "analysis.paired")
    spec = _spec_with(demo, tmp_path, {"pairs": True})
    assert_clean_error(run_cli("describe", demo / "customers.csv", "--spec", spec), "spec.yaml", "analysis.pairs")


def test_spec_paired_false_forces_independent_groups(demo, tmp_path):
    from cxstats.spec.load import load_spec

    spec = load_spec(_spec_with(demo, tmp_path, {"paired": False}))
    assert spec.analysis == {"paired": False}
    from cxstats.steps import StepContext
    from cxstats.steps.gaps import Options, _paired

    ctx = StepContext(spec=spec)
    assert _paired(ctx, Options()) is False
    assert _paired(ctx, Options(paired=True)) is True
    assert _paired(StepContext(), Options()) is None
