"""--scale-range MIN,MAX (plan key scale_range) for reliability, efa and drivers without a spec:
a value outside the declared answer scale that is not a declared missing code is refused."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli


def _file(tmp_path, bad=7.0):
    rng = np.random.default_rng(4)
    n = 120
    base = rng.normal(size=n)
    f = pd.DataFrame({f"q{j}": np.clip(np.round(3 + base + rng.normal(size=n)), 1, 5) for j in range(1, 7)})
    f["y"] = np.clip(np.round(5 + 2 * base + rng.normal(size=n)), 0, 10)
    f.loc[10, "q2"] = bad  # not a suspected code on its own (7 beside 1-5), a typo or an unknown code
    path = tmp_path / "d.csv"
    f.to_csv(path, index=False)
    return path, f


ITEMS = "q1,q2,q3,q4,q5,q6"


@pytest.mark.parametrize("args", [
    ("reliability", "--scale", f"s={ITEMS}"),
    ("efa", "--items", ITEMS, "--factors", 1, "--iterations", 2),
    ("drivers", "--outcome", "y", "--drivers", "q1,q2,q3"),
])
def test_scale_range_refuses_values_outside(tmp_path, args):
    path, _ = _file(tmp_path)
    assert run_cli(args[0], path, *args[1:], "-q").exit_code == 0  # silently read as an answer before
    bad = run_cli(args[0], path, *args[1:], "--scale-range", "1,5", "-q")
    assert_clean_error(bad, "q2", "outside the scale 1-5", "7", "--missing-code 7")
    ok = run_cli(args[0], path, *args[1:], "--scale-range", "1,5", "--missing-code", 7, "--json", "-", "-q")
    assert ok.exit_code == 0, ok


def test_drivers_scale_range_applies_to_drivers_not_outcome(tmp_path):
    path, f = _file(tmp_path, bad=3.0)
    assert f["y"].max() > 5  # the outcome is on 0-10
    res = run_cli("drivers", path, "--outcome", "y", "--drivers", "q1,q2,q3", "--scale-range", "1,5",
                  "--json", "-", "-q")
    assert res.exit_code == 0, res
    assert res.json()["penalty_reward"]["scale"] == "answer scale 1-5"


def test_reliability_scale_range_gives_reverse_range(tmp_path):
    path, _ = _file(tmp_path, bad=3.0)
    a = run_cli("reliability", path, "--scale", f"s={ITEMS}", "--reverse", "q3", "--scale-range", "1,5",
                "--json", "-", "-q")
    b = run_cli("reliability", path, "--scale", f"s={ITEMS}", "--reverse", "q3", "--min", 1, "--max", 5,
                "--json", "-", "-q")
    assert a.exit_code == 0 and b.exit_code == 0, (a, b)
    assert a.json() == b.json()


@pytest.mark.parametrize("name, value", [("reliability", "5,1"), ("efa", "1")])
def test_scale_range_option_errors(tmp_path, name, value):
    path, _ = _file(tmp_path, bad=3.0)
    extra = ("--scale", f"s={ITEMS}") if name == "reliability" else ("--items", ITEMS, "--factors", 1)
    assert_clean_error(run_cli(name, path, *extra, "--scale-range", value, "-q"), "--scale-range")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_scale_range")
    res = run_cli("demo", folder, "--customers", 200, "--staff", 80, "--force")
    assert res.exit_code == 0, res
    return folder


@pytest.mark.parametrize("name", ["reliability", "efa"])
def test_scale_range_with_spec_is_refused(demo, tmp_path, name):
    files = [demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml"]
    assert_clean_error(run_cli(name, *files, "--scale-range", "1,5", "-q"), "--scale-range", "spec")
    plan = {"spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [{"step": name, "scale_range": [1, 5]}]}
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(plan), encoding="utf-8")
    res = run_cli("run", p, "--out", tmp_path / "out", "--quiet")
    assert_clean_error(res, "steps[0].scale_range")
