"""Study spec: typed model and errors located by YAML path."""

import copy

import pytest
import yaml

from conftest import assert_clean_error, run_cli
from cxstats.demo.simulate import load_demo_spec, spec_text
from cxstats.errors import SpecError
from cxstats.spec.load import load_spec, parse_spec


@pytest.fixture
def doc():
    return yaml.safe_load(spec_text())


def test_demo_spec_shape():
    spec = load_demo_spec()
    assert len(spec.journeys) == 1
    assert len(spec.touchpoints()) == 4
    assert len(spec.constructs()) == 10
    assert len(spec.items()) == 30
    assert {c.component for c in spec.constructs()} == {"brand", "product", "interaction"}
    assert [o.type for o in spec.outcomes] == ["nps", "csat", "ces", "repurchase"]
    assert spec.construct("puntualidad_entrega").aspiration == 4.6
    assert [i.id for i in spec.items() if i.reverse] == ["web_3", "pago_3", "posventa_3"]
    web1 = spec.items()[0]
    assert web1.customer["es"].startswith("Encontré") and web1.staff["en"].startswith("Our customers")
    assert spec.scales["acuerdo5"].missing == {99: {"es": "No sabe / No aplica", "en": "Don't know / Not applicable"}}
    assert spec.scales["satisfaccion5"].label_lookup()["muy satisfecho"] == 5
    assert spec.scales["acuerdo5"].label_lookup()["no sabe / no aplica"] is None
    levels = spec.levels()
    assert levels["touchpoint"]["web"] == ["web_1", "web_2", "web_3", "info_1", "info_2", "info_3",
                                           "conf_1", "conf_2", "conf_3"]
    assert len(levels["component"]["interaction"]) == 15


def _error(doc):
    with pytest.raises(SpecError) as exc:
        parse_spec(doc, "study.yaml")
    return str(exc.value)


def test_bad_component_named_by_path(doc):
    doc["journeys"][0]["touchpoints"][2]["constructs"][1]["component"] = "price"
    msg = _error(doc)
    assert "study.yaml" in msg
    assert "journeys[0].touchpoints[2].constructs[1].component" in msg and "'price'" in msg


def test_aspiration_outside_scale(doc):
    doc["journeys"][0]["touchpoints"][0]["constructs"][0]["aspiration"] = 6
    msg = _error(doc)
    assert "journeys[0].touchpoints[0].constructs[0].aspiration" in msg and "outside" in msg


def test_unknown_scale(doc):
    doc["journeys"][0]["touchpoints"][1]["constructs"][0]["scale"] = "likert7"
    assert "journeys[0].touchpoints[1].constructs[0].scale: unknown scale 'likert7'" in _error(doc)


def test_duplicated_item_id(doc):
    doc["journeys"][0]["touchpoints"][3]["constructs"][1]["items"][2]["id"] = "web_1"
    msg = _error(doc)
    assert "journeys[0].touchpoints[3].constructs[1].items[2]" in msg and "'web_1' is used twice" in msg


def test_missing_code_inside_scale(doc):
    doc["scales"]["acuerdo5"]["missing"] = {3: "No sabe"}
    assert "scales.acuerdo5.missing.3" in _error(doc)


def test_nps_scale_must_be_0_to_10(doc):
    doc["outcomes"][0]["scale"] = "acuerdo5"
    assert "outcomes[0].scale" in _error(doc)


def test_unknown_key_and_language(doc):
    bad = copy.deepcopy(doc)
    bad["journeys"][0]["touchpoints"][0]["constructs"][0]["aspirations"] = 4
    assert "unknown key 'aspirations'" in _error(bad)
    bad = copy.deepcopy(doc)
    bad["journeys"][0]["touchpoints"][0]["constructs"][0]["items"][0]["customer"] = {"fr": "Bonjour"}
    assert "items[0].customer.fr" in _error(bad)


def test_empty_items_list(doc):
    doc["journeys"][0]["touchpoints"][0]["constructs"][0]["items"] = []
    assert "journeys[0].touchpoints[0].constructs[0].items: the list is empty" in _error(doc)


def test_yaml_syntax_error_gives_line(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text("study:\n  id: x\n  title: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_spec(p)
    assert "broken.yaml" in str(exc.value) and "line" in str(exc.value)


def test_cli_reports_spec_error_with_exit_2(tmp_path, doc):
    doc["journeys"][0]["touchpoints"][0]["constructs"][0]["component"] = "service"
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id_respuesta\nC1\n", encoding="utf-8")
    res = run_cli("ingest", data, "--spec", p)
    assert_clean_error(res, "bad.yaml", "journeys[0].touchpoints[0].constructs[0].component", "'service'")


def test_respondent_type_values_must_not_overlap(doc):
    doc["respondents"]["staff_values"] = ["empleado", "Cliente"]
    assert "respondents.staff_values: 'cliente' is listed both" in _error(doc)
