"""Every analysis of cxstats/steps honours the result protocol (in the spirit of scikit-learn's
``check_estimator``): run on the demo study with its defaults, its result's ``to_dict()`` is
JSON-safe and deterministic, ``tables()`` are DataFrames, ``methods()`` are (topic, text) pairs
and ``warnings`` a list of texts; its options refuse a wrong type naming the option."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from conftest import run_cli

# options that keep the suite fast without changing what is checked (fewer replicates)
FAST = {"drivers": {"bootstrap": 0}, "roi": {"draws": 400}, "reliability": {"bootstrap": 0}, "pls": {"bootstrap": 100}}
# analyses of continuous measurement run on the demo's tracking waves (spec with a fielding block)
TRACKING = {"immediacy", "track"}
# the organisation's maturity self-assessment runs on the demo's maturity.csv (spec with a maturity block)
MATURITY = {"maturity"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("contract") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


def _context(demo, seed=7, name=None):
    from cxstats.io.readers import read_table
    from cxstats.io.survey import load_survey
    from cxstats.spec.load import load_spec
    from cxstats.steps import StepContext

    spec = load_spec(demo / "questionnaire.yaml")
    files = [(demo / "customers.csv", "customer"), (demo / "staff.csv", "staff")]
    if name in TRACKING:
        spec, files = load_spec(demo / "questionnaire_tracking.yaml"), [(demo / "waves.csv", "customer")]
    if name in MATURITY:
        spec, files = load_spec(demo / "maturity.yaml"), [(demo / "maturity.csv", None)]
    return StepContext(spec=spec, files=[str(f) for f, _ in files], source="customers.csv, staff.csv",
                       finance=read_table(demo / "finance.csv"), roadmap=demo / "roadmap.csv", seed=seed,
                       survey_loader=lambda: load_survey(spec, files))


def _analyses():
    from cxstats.steps import available

    return sorted(available())


def _check_json_safe(obj, where="result"):
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert isinstance(k, str), (where, k)
            _check_json_safe(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_json_safe(v, f"{where}[{i}]")
    else:
        assert obj is None or isinstance(obj, (str, bool, int, float)), (where, type(obj))
        if isinstance(obj, float):
            assert math.isfinite(obj), where


@pytest.mark.parametrize("name", _analyses())
def test_analysis_result_contract(name, demo):
    import pandas as pd

    from cxstats.report.jsonout import to_jsonable
    from cxstats.steps import StepOptions, get

    module = get(name)
    assert isinstance(module.NAME, str) and module.NAME == name
    assert issubclass(module.Options, StepOptions) and dataclasses.is_dataclass(module.Options)
    options = module.Options(**FAST.get(name, {}))
    result = module.run(_context(demo, name=name), options)
    from cxstats.stats.result import Result

    assert isinstance(result, Result), "an analysis returns the one result protocol"

    data = to_jsonable(result.to_dict())
    assert isinstance(data, dict)
    _check_json_safe(data)
    again = to_jsonable(module.run(_context(demo, name=name), module.Options(**FAST.get(name, {}))).to_dict())
    assert json.dumps(data, sort_keys=False) == json.dumps(again, sort_keys=False), "not deterministic"

    tables = result.tables()
    assert isinstance(tables, dict) and tables
    for key, df in tables.items():
        assert isinstance(key, str) and isinstance(df, pd.DataFrame), key
    methods = result.methods()
    assert isinstance(methods, list) and methods, "every analysis explains its methods"
    for entry in methods:
        topic, text = entry
        assert isinstance(topic, str) and isinstance(text, str) and text
    assert isinstance(result.warnings, list)
    assert all(isinstance(w, str) for w in result.warnings)


@pytest.mark.parametrize("name", _analyses())
def test_analysis_options_refuse_wrong_types_naming_the_option(name):
    import typing

    from cxstats.errors import InputError
    from cxstats.steps import get

    module = get(name)
    hints = typing.get_type_hints(module.Options)
    for f in dataclasses.fields(module.Options):
        tp = hints[f.name]
        inner = set()
        for a in typing.get_args(tp) or (tp,):
            inner |= set(typing.get_args(a)) if typing.get_origin(a) is list else {a}
        if tp in (int, float, bool) or inner - {type(None)} and inner - {type(None)} <= {int, float, bool}:
            with pytest.raises(InputError) as exc:
                module.Options.from_mapping({f.name: "abc"}, step=name)
            assert exc.value.option == f.name
            return
    pytest.skip(f"{name} has no numeric or boolean option")


def test_unknown_plan_key_is_refused_naming_it():
    from cxstats.errors import InputError
    from cxstats.steps import get

    with pytest.raises(InputError) as exc:
        get("describe").Options.from_mapping({"colums": ["a"]}, step="describe")
    assert exc.value.option == "colums" and "columns" in exc.value.reason
