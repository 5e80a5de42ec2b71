"""journeys prioritize: closed-form weighted scores, ranking with ties, and clean errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import assert_clean_error, run_cli

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cxstats" / "demo" / "compra_online.yaml"
BANK = ROOT / "questionnaires" / "banco_alta_cliente.yaml"

# Three journeys, criteria on different scales (a 1-5 rating, customers in thousands, margin in EUR).
PRIORITIES = [
    {"strategic_impact": 5, "customers": 120, "margin": 300, "ease": 2},
    {"strategic_impact": 3, "customers": 400, "margin": 100, "ease": 4},
    {"strategic_impact": 4, "customers": 40, "margin": 200, "ease": 5},
]


def spec_with(tmp_path: Path, priorities: list[dict], name: str = "spec.yaml") -> Path:
    doc = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    doc.pop("followup", None)  # its rules name the demo's construct ids, renamed here
    base = doc["journeys"][0]
    journeys = []
    for k, prio in enumerate(priorities):
        j = yaml.safe_load(yaml.safe_dump(base))  # deep copy
        j["id"] = f"j{k}"
        j["name"] = {"es": f"Recorrido {k}", "en": f"Journey {k}"}
        if prio is None:
            del j["priority"]
        else:
            j["priority"] = prio
        for t in j["touchpoints"]:
            t["id"] = f"{t['id']}_{k}"
            for c in t["constructs"]:
                c["id"] = f"{c['id']}_{k}"
                for i in c["items"]:
                    i["id"] = f"{i['id']}_{k}"
        journeys.append(j)
    doc["journeys"] = journeys
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_closed_form_max_normalisation_and_weights(tmp_path):
    spec = spec_with(tmp_path, PRIORITIES)
    r = run_cli("journeys", "prioritize", spec, "--weights",
                "strategic_impact=0.4,customers=0.2,margin=0.2,ease=0.2", "--json", "-")
    assert r.exit_code == 0, r
    out = r.json()
    w = {"strategic_impact": 0.4, "customers": 0.2, "margin": 0.2, "ease": 0.2}
    mx = {c: max(p[c] for p in PRIORITIES) for c in w}
    expect = [sum(w[c] * p[c] / mx[c] for c in w) for p in PRIORITIES]
    # by hand: j0 = .4 + .2*.3 + .2 + .2*.4 = 0.74; j1 = .24 + .2 + .0667 + .16 = 0.6667; j2 = .32+.02+.1333+.2 = 0.6733
    assert expect[0] == pytest.approx(0.74)
    got = {j["journey"]: j["score"] for j in out["journeys"]}
    for k in range(3):
        assert got[f"j{k}"] == pytest.approx(expect[k], abs=1e-12)
    assert [j["journey"] for j in out["journeys"]] == ["j0", "j2", "j1"]
    assert [j["rank"] for j in out["journeys"]] == [1, 2, 3]
    assert out["normalisation"] == "max" and out["weights"] == pytest.approx(w)
    j0 = out["journeys"][0]
    assert j0["normalised"]["customers"] == pytest.approx(120 / 400)
    assert sum(j0["weighted"].values()) == pytest.approx(j0["score"])


def test_closed_form_minmax_equal_weights_rescaled(tmp_path):
    spec = spec_with(tmp_path, PRIORITIES)
    # weights 2,2,2,2 are rescaled to 1/4 each: same as the default
    r = run_cli("journeys", "prioritize", spec, "--normalise", "minmax", "--weights",
                "strategic_impact=2,customers=2,margin=2,ease=2", "--json", "-")
    assert r.exit_code == 0, r
    out = r.json()
    crit = ["strategic_impact", "customers", "margin", "ease"]
    lo = {c: min(p[c] for p in PRIORITIES) for c in crit}
    hi = {c: max(p[c] for p in PRIORITIES) for c in crit}
    expect = {f"j{k}": sum((p[c] - lo[c]) / (hi[c] - lo[c]) for c in crit) / 4 for k, p in enumerate(PRIORITIES)}
    got = {j["journey"]: j["score"] for j in out["journeys"]}
    assert got == pytest.approx(expect, abs=1e-12)
    default = run_cli("journeys", "prioritize", spec, "--normalise", "minmax", "--json", "-").json()
    assert {j["journey"]: j["score"] for j in default["journeys"]} == pytest.approx(expect, abs=1e-12)


def test_raw_normalisation_and_ties_share_a_rank(tmp_path):
    prios = [{"a": 3, "b": 3}, {"a": 5, "b": 1}, {"a": 1, "b": 1}, {"a": 2, "b": 4}]
    spec = spec_with(tmp_path, prios)
    out = run_cli("journeys", "prioritize", spec, "--normalise", "raw", "--json", "-").json()
    # equal weights: scores 3, 3, 1, 3 -> three-way tie at rank 1 in spec order, then rank 4
    assert [(j["journey"], j["rank"]) for j in out["journeys"]] == [("j0", 1), ("j1", 1), ("j3", 1), ("j2", 4)]
    assert [j["score"] for j in out["journeys"]] == pytest.approx([3, 3, 3, 1])
    assert any("tie at rank 1" in w for w in out["warnings"])


def test_terminal_table_and_workbook(tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "prio.xlsx"
    r = run_cli("journeys", "prioritize", BANK, "--xlsx", xlsx, "--lang", "en")
    assert r.exit_code == 0, r
    assert "alta_digital" in r.stdout and "primeros_90_dias" in r.stdout
    wb = load_workbook(xlsx)
    assert {"Journey priority", "Weights", "Methods"} <= set(wb.sheetnames)
    values = [c for row in wb["Journey priority"].iter_rows(values_only=True) for c in row if c is not None]
    assert "alta_digital" in values and "primeros_90_dias" in values


def test_bank_example_default_ranking():
    out = run_cli("journeys", "prioritize", BANK, "--json", "-").json()
    # equal weights, x / max: alta_digital (1 + .8 + .75 + 1) / 4; primeros_90_dias (.8 + 1 + 1 + .5) / 4
    got = {j["journey"]: j["score"] for j in out["journeys"]}
    assert got["alta_digital"] == pytest.approx(3.55 / 4)
    assert got["primeros_90_dias"] == pytest.approx(3.3 / 4)
    assert out["journeys"][0]["journey"] == "alta_digital"


@pytest.mark.parametrize("weights, fragments", [
    ("strategic_impact=0.5,reach=0.5", ["unknown criterion 'reach'", "strategic_impact, customers"]),
    ("strategic_impact=0,customers=0", ["sum to a positive number"]),
    ("strategic_impact=-1,customers=2", ["negative"]),
    ("strategic_impact:0.5", ["CRITERION=WEIGHT"]),
    ("strategic_impact=lots", ["not a number"]),
    ("ease=1,ease=2", ["given twice"]),
])
def test_bad_weights_exit_2(tmp_path, weights, fragments):
    spec = spec_with(tmp_path, PRIORITIES)
    assert_clean_error(run_cli("journeys", "prioritize", spec, "--weights", weights), "--weights", *fragments)


def test_journey_missing_a_criterion_exits_2_naming_the_path(tmp_path):
    prios = [dict(PRIORITIES[0]), {k: v for k, v in PRIORITIES[1].items() if k != "margin"}]
    spec = spec_with(tmp_path, prios)
    r = run_cli("journeys", "prioritize", spec)
    assert_clean_error(r, str(spec), "journeys[1].priority", "'j1'", "'margin'")
    # ... unless that criterion is weighted 0
    r = run_cli("journeys", "prioritize", spec, "--weights", "strategic_impact=1,customers=1,ease=1",
                "--json", "-")
    assert r.exit_code == 0, r
    assert any("weight 0: margin" in w for w in r.json()["warnings"])


def test_specs_without_priorities_or_broken_exit_2(tmp_path):
    spec = spec_with(tmp_path, [None, None])
    assert_clean_error(run_cli("journeys", "prioritize", spec), str(spec), "priority")
    spec = spec_with(tmp_path, [{"ease": 3}, {"ease": "high"}], "text.yaml")
    assert_clean_error(run_cli("journeys", "prioritize", spec), "journeys[1].priority.ease", "expected a number")
    spec = spec_with(tmp_path, [{"ease": 3}, {"ease": -1}], "neg.yaml")
    assert_clean_error(run_cli("journeys", "prioritize", spec), "journeys[1].priority.ease", "minmax normalisation")
    assert run_cli("journeys", "prioritize", spec, "--normalise", "minmax").exit_code == 0
    assert_clean_error(run_cli("journeys", "prioritize", tmp_path / "missing.yaml"), "no such spec file")


def test_stats_function_directly():
    from cxstats.stats.prioritize import prioritize

    res = prioritize([("a", "A", {"x": 1, "y": 10}), ("b", "B", {"x": 2, "y": 10})], {"x": 1, "y": 1})
    assert [j.journey for j in res.journeys] == ["b", "a"]
    assert res.journeys[0].score == pytest.approx(0.5 * 1 + 0.5 * 1)
    assert res.journeys[1].score == pytest.approx(0.5 * 0.5 + 0.5 * 1)
    assert set(res.tables()) == {"ranking", "weights"} and res.methods()
