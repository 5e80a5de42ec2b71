"""Issue 12 item 5, "finance-grade ROI": the value basis (margin), ranges in the roadmap, the
uncertainty the bands cover, a native tornado chart, the roadmap total, paths, formats and the
clipping of uplifts at the scale's top."""

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import run_cli
from cxstats.stats import roi


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roifg")
    assert run_cli("demo", folder).exit_code == 0
    return folder


def _roi(demo, out, *extra, roadmap=None):
    args = ["roi", roadmap or demo / "roadmap.csv", "--survey", demo / "customers.csv", "--spec",
            demo / "questionnaire.yaml", "--finance", demo / "finance.csv", "--draws", 300, "--seed", 3,
            "--json", out / "roi.json", "--xlsx", out / "roi.xlsx", "-q", *extra]
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
