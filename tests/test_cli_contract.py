"""The command-line contract shared by every analysis command."""

import json

import pytest

from conftest import assert_clean_error, run_cli
from cxstats.demo.simulate import write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, n_customers=300, n_staff=80)
    return folder


@pytest.mark.parametrize("args", [
    ["gaps"], ["nps"], ["reliability"], ["drivers", "--outcome", "csat"], ["cfa"],
])
def test_spec_commands_read_customer_and_staff_files_together(demo, args):
    res = run_cli(args[0], demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                  *args[1:], "--json", "-", "--quiet")
    assert res.exit_code == 0, res
    assert json.loads(res.stdout)


def test_gaps_compares_customers_with_staff_from_two_files(demo):
    res = run_cli("gaps", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                  "--json", "-")
    out = res.json()
    assert out["groups"] == ["customer", "staff"] and out["n"] == {"customer": 300, "staff": 80}


@pytest.mark.parametrize("command", ["gaps", "nps", "reliability", "drivers", "sem", "cfa"])
def test_several_files_without_a_spec_are_refused(demo, command):
    res = run_cli(command, demo / "customers.csv", demo / "staff.csv", "--json", "-")
    assert_clean_error(res, "add --spec")
