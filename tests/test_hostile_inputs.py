"""Hostile and broken inputs: every analysis command and the plan runner exit 2 with one message
naming the file, never a traceback, never exit 0, and never change an input file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

ITEMS = ["q1", "q2", "q3", "q4"]
GOOD_ROWS = [[str(1 + (i * 7 + j * 3) % 5) for j in range(4)] + [str(i % 11), "a" if i % 2 else "b"]
             for i in range(60)]
HEADER = ITEMS + ["nps", "grp"]


def _csv(rows, header=HEADER, sep=","):
    return "\n".join([sep.join(header)] + [sep.join(r) for r in rows]) + "\n"


def _with(cell_row: int, col: str, value: str, header=HEADER):
    rows = [list(r) for r in GOOD_ROWS]
    rows[cell_row][header.index(col)] = value
    return _csv(rows, header)


# name -> file content (text or bytes) and suffix
DATA_CASES = {
    "empty_file": (b"", ".csv"),
    "header_only": (_csv([]), ".csv"),
    "binary_garbage": (bytes(range(256)) * 20, ".csv"),
    "short_row": (_csv(GOOD_ROWS[:10]) + "1,2\n" + _csv(GOOD_ROWS[10:]).split("\n", 1)[1], ".csv"),
    "long_row": (_csv(GOOD_ROWS[:10]) + "1,2,3,4,5,a,9,9\n", ".csv"),
    "overflow_1e309": (_with(5, "q2", "1e309"), ".csv"),
    "digits_400": (_with(7, "q3", "9" * 400), ".csv"),
    "text_inf": (_with(3, "q1", "inf"), ".csv"),
    "minus_99_code": (_with(4, "q1", "-99"), ".csv"),
    "word_in_rating": (_with(9, "q4", "mucho"), ".csv"),
    "control_chars_header": (_csv(GOOD_ROWS, ["q1", "q2\x1b[31m", "q3", "q4", "nps", "grp"]), ".csv"),
    "all_blank_item": (_csv([r[:1] + [""] + r[2:] for r in GOOD_ROWS]), ".csv"),
    "one_row": (_csv(GOOD_ROWS[:1]), ".csv"),
    "nps_overflow": (_with(5, "nps", "1e309"), ".csv"),
    "nps_minus_99": (_with(6, "nps", "-99"), ".csv"),
    "nps_word": (_with(8, "nps", "diez"), ".csv"),
    "nul_bytes": (_csv(GOOD_ROWS).encode().replace(b"3", b"\x00"), ".csv"),
}


def _write_xlsx_formula(path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in GOOD_ROWS:
        ws.append([int(v) if v.isdigit() else v for v in r])
    ws["B5"] = "=A5+1"  # no cached value: openpyxl writes none
    wb.save(path)


def _commands(path: Path, tmp: Path):
    """Every analysis command on a plain file with these four items."""
    items = ",".join(ITEMS)
    return {
        "describe": ["describe", path, "--columns", items, "--scale-range", "1,5"],
        "reliability": ["reliability", path, "--scale", f"s={items}"],
        "efa": ["efa", path, "--items", items],
        "cfa": ["cfa", path, "--model", f"f =~ {' + '.join(ITEMS)}"],
        "sem": ["sem", path, "--model", "f =~ q1 + q2 + q3\nq4 ~ f"],
        "gaps": ["gaps", path, "--group", "grp", "--items", items],
        "nps": ["nps", path, "--column", "nps"],
        "drivers": ["drivers", path, "--outcome", "q4", "--drivers", "q1,q2,q3"],
    }


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_refused(r, fragment: str):
    assert r.exit_code == 2, r
    assert "Traceback" not in r.stderr, r.stderr
    assert fragment in r.stderr, (fragment, r.stderr)
    assert "\x1b" not in r.stderr, "escape characters from data must be shown escaped"


# describe reports an all-blank item or a single respondent as n = 0 / no SD (with a warning): not refused
LEGIT_FOR = {"describe": {"all_blank_item", "one_row"}}
CASES = [(case, cmd) for case in DATA_CASES for cmd in ("describe", "reliability", "cfa", "gaps", "drivers")
         if case not in LEGIT_FOR.get(cmd, ()) and not case.startswith("nps_")]
CASES += [(case, cmd) for case in ("overflow_1e309", "minus_99_code", "short_row", "binary_garbage", "empty_file")
          for cmd in ("efa", "sem")]
CASES += [(case, "nps") for case in ("nps_overflow", "nps_minus_99", "short_row", "binary_garbage", "empty_file",
                                     "nps_word")]


@pytest.mark.parametrize("case,command", CASES)
def test_broken_data_file_is_refused(tmp_path, case, command):
    content, suffix = DATA_CASES[case]
    path = tmp_path / f"{case}{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _digest(tmp_path)
    args = _commands(path, tmp_path)[command] + ["--json", tmp_path / "out.json"]
    r = run_cli(*args)
    _assert_refused(r, path.name)
    assert _digest(tmp_path) == before, "an input changed or an output was written"


@pytest.mark.parametrize("command", ["describe", "reliability", "cfa", "drivers"])
def test_xlsx_formula_without_cached_value_is_refused(tmp_path, command):
    path = tmp_path / "formula.xlsx"
    _write_xlsx_formula(path)
    r = run_cli(*_commands(path, tmp_path)[command])
    _assert_refused(r, "formula.xlsx")


@pytest.mark.parametrize("command", ["describe", "reliability", "cfa", "gaps", "nps", "drivers", "sem", "efa"])
def test_missing_file_and_folder_are_refused(tmp_path, command):
    r = run_cli(*_commands(tmp_path / "nope.csv", tmp_path)[command])
    _assert_refused(r, "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    r = run_cli(*_commands(tmp_path / "dir.csv", tmp_path)[command])
    assert r.exit_code == 2 and "Traceback" not in r.stderr, r


@pytest.mark.parametrize("model,fragment", [
    (b"f =~ q1 + q2 + \xff\xfeq3", "model.lav"),
    (b"f =~ 1e309*q1 + q2 + q3", "1e309"),
    (b"\x00\x01\x02\x03", "model.lav"),
])
def test_hostile_model_files(tmp_path, model, fragment):
    data = tmp_path / "d.csv"
    data.write_text(_csv(GOOD_ROWS), encoding="utf-8")
    (tmp_path / "model.lav").write_bytes(model)
    for command in ("cfa", "sem"):
        r = run_cli(command, data, "--model", f"@{tmp_path / 'model.lav'}")
        _assert_refused(r, fragment)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


SPEC_CASES = {
    "duplicate_key": "study:\n  id: a\n  id: b\n",
    "alias_bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
    "deep_nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "not_yaml": "{{{ this is : not : yaml ]]]\n" + "SECRET-LINE\n" * 5,
    "a_list": "- 1\n- 2\n",
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_hostile_spec_files(tmp_path, demo, case):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_CASES[case], encoding="utf-8")
    shutil.copy(demo / "customers.csv", tmp_path / "customers.csv")
    before = _digest(tmp_path)
    for args in (["reliability", tmp_path / "customers.csv", "--spec", spec],
                 ["gaps", tmp_path / "customers.csv", "--spec", spec]):
        r = run_cli(*args)
        _assert_refused(r, "spec.yaml")
        assert "SECRET-LINE" not in r.stderr, "the contents of an unparseable file are never echoed"
    assert _digest(tmp_path) == before


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_hostile_plan_files(tmp_path, case):
    plan = tmp_path / "plan.yaml"
    plan.write_text(SPEC_CASES[case], encoding="utf-8")
    r = run_cli("run", plan, "--out", tmp_path / "out")
    _assert_refused(r, "plan.yaml")
    assert "SECRET-LINE" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_plan_whose_spec_is_not_yaml_does_not_echo_it(tmp_path, demo):
    (tmp_path / "notes.txt").write_text("{{{ SECRET-LINE : ]]]\n" * 50, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"spec": "notes.txt", "data": [str(demo / "customers.csv")],
                                    "steps": ["describe"]}), encoding="utf-8")
    r = run_cli("run", plan, "--out", tmp_path / "out")
    _assert_refused(r, "notes.txt")
    assert "SECRET-LINE" not in r.stderr
