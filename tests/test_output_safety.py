"""Outputs never destroy inputs, stay where they are told, and are written together or not at all."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
import yaml

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("safety") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _hash(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_output_equal_to_an_input_is_refused(demo, tmp_path):
    data = tmp_path / "x.csv"
    data.write_bytes((demo / "customers.csv").read_bytes())
    before = _hash(data)
    r = run_cli("describe", data, "--columns", "web_1", "--scale-range", "1,5", "--missing-code", "99",
                "--json", data)
    assert_clean_error(r, "x.csv", "input")
    assert _hash(data) == before
    spec = demo / "questionnaire.yaml"
    before = _hash(spec)
    r = run_cli("describe", demo / "customers.csv", "--spec", spec, "--xlsx", tmp_path / "ok.xlsx",
                "--json", spec)
    assert_clean_error(r, "questionnaire.yaml", "input")
    assert _hash(spec) == before
    assert not (tmp_path / "ok.xlsx").exists(), "a command that fails writes nothing"


def test_a_failing_command_writes_nothing(demo, tmp_path):
    # the JSON is written first, then the workbook's folder cannot be made: neither may appear
    (tmp_path / "afile").write_text("x")
    r = run_cli("describe", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                "--json", tmp_path / "out.json", "--xlsx", tmp_path / "afile" / "book.xlsx")
    assert_clean_error(r, "book.xlsx", "cannot write")
    assert not (tmp_path / "out.json").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_overwritten_output_keeps_its_mode_and_stale_parts_are_cleaned(demo, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("{}")
    os.chmod(out, 0o640)
    stale = tmp_path / ".out.json.abcd1234.part"
    stale.write_text("left by a killed run")
    r = run_cli("describe", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", out)
    assert r.exit_code == 0, r
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert not stale.exists()
    assert out.read_text().startswith("{\n")


def _plan(tmp_path, demo, **extra):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "steps": [{"step": "describe"}]}
    plan.update(extra)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


@pytest.mark.parametrize("extra,where", [
    ({"output": {"json": "/tmp/evil.json"}}, "output.json"),
    ({"output": {"json": "../evil.json"}}, "output.json"),
    ({"output": {"json": "sub/evil.json"}}, "output.json"),
    ({"output": {"workbooks": {"main": "../../x.xlsx"}}}, "output.workbooks.main"),
    ({"steps": [{"step": "describe", "workbook": "../x"}]}, "steps[0].workbook"),
    ({"seed": "abc"}, "seed"),
    ({"data": 3}, "data"),
    ({"data": [{"file": ["a", "b"]}]}, "data[0].file"),
    ({"output": "x"}, "output"),
    ({"output": {"workbooks": ["a"]}}, "output.workbooks"),
    ({"steps": [["describe"]]}, "steps[0]"),
    ({"steps": [{"step": {"a": 1}}]}, "steps[0]"),
    ({"finance": {"path": "f.csv"}}, "finance.file"),
    ({"roadmap": {"sheet": 1}}, "roadmap.file"),
    ({"on_error": "maybe"}, "on_error"),
    ({"titel": "x"}, "titel"),
])
def test_plan_values_of_the_wrong_kind_are_refused(demo, tmp_path, extra, where):
    plan = _plan(tmp_path, demo, **extra)
    r = run_cli("run", plan, "--out", tmp_path / "out")
    assert_clean_error(r, "plan.yaml", where)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_plan_never_writes_over_its_inputs(demo, tmp_path):
    import shutil

    shutil.copy(demo / "customers.csv", tmp_path / "customers.csv")
    before = _hash(tmp_path / "customers.csv")
    plan = _plan(tmp_path, demo, data=[{"file": "customers.csv", "respondent_type": "customer"}],
                 output={"json": "customers.csv"})
    r = run_cli("run", plan, "--out", tmp_path)
    assert_clean_error(r, "customers.csv", "input")
    assert _hash(tmp_path / "customers.csv") == before


def test_a_file_size_limit_while_writing_exits_2_naming_the_output(demo, tmp_path):
    """RLIMIT_FSIZE makes writes past 2 kB fail with EFBIG (SIGXFSZ ignored), as a full disk would."""
    import subprocess
    import sys

    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))\n"
            "from cxstats.cli.main import main\n"
            "main(sys.argv[1:])\n")
    out = tmp_path / "big.json"
    p = subprocess.run([sys.executable, "-c", code, "describe", str(demo / "customers.csv"), "--spec",
                        str(demo / "questionnaire.yaml"), "--json", str(out), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "big.json" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_no_absolute_path_in_the_plan_json(demo, tmp_path):
    import json

    r = run_cli("run", demo / "plan.yaml", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    doc = next((tmp_path / "out").glob("*.json")).read_text(encoding="utf-8")
    assert str(demo) not in doc and "/tmp" not in doc
    json.loads(doc)
