"""The verbatims analysis on the demo study: planted truth recovered (codebook themes exactly,
topics, the new theme, the detractor vocabulary, personal data), one entry point for the command
line and the plan, option errors named both ways, byte-identical output."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from conftest import assert_clean_error, run_cli

from cxstats.demo import verbatims as gen


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("verbatims") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def truth(demo):
    return json.loads((demo / "truth.json").read_text(encoding="utf-8"))["verbatims"]


@pytest.fixture(scope="module")
def cli_run(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("verbatims_out")
    r = run_cli("verbatims", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--lang", "en", "--json", out / "cli.json", "--xlsx", out / "cli.xlsx", "-q")
    assert r.exit_code == 0, r
    return out, json.loads((out / "cli.json").read_text(encoding="utf-8"))


def test_codebook_themes_match_the_planted_themes_exactly(cli_run, truth):
    _, doc = cli_run
    coded = set(truth["codebook_themes"])
    got = {d["respondent_id"]: d["themes"] for d in doc["documents"]}
    planted = {rid: t for rid, t in truth["customers"].items() if t is not None}
    assert set(got) == set(planted)                      # empty answers set aside, every other analysed
    assert doc["n_empty"] == sum(1 for t in truth["customers"].values() if t is None)
    for rid, themes in planted.items():
        assert sorted(got[rid]) == sorted(t for t in themes if t in coded), rid
    # staff: the same codebook, counts per theme exactly as planted
    staff = {r["theme"]: r["n"] for r in doc["staff"]["themes"]}
    expected = Counter(t for ts in truth["staff"].values() for t in ts if t in coded)
    assert staff == {t: expected.get(t, 0) for t in truth["codebook_themes"]}


@pytest.fixture(scope="module")
def planted_k_run(demo):
    """Topics with k = the number of planted themes (--n-topics): NMF's recovery given k."""
    r = run_cli("verbatims", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--n-topics", str(len(gen.THEME_WEIGHTS)), "--json", "-", "-q")
    assert r.exit_code == 0, r
    return r.json()


def test_the_number_of_topics_is_chosen_by_the_stated_rule(cli_run):
    """The automatic k: the stability table and the rule are in the output, and k follows the rule
    (the upper end of the plateau within STABILITY_TIE of the highest stability, before the first
    drop). On the demo it picks fewer topics than the 7 planted themes (danos, posventa and
    instalacion share a topic): the choice is a heuristic, stated, not a truth."""
    from cxstats.stats.verbatims import STABILITY_TIE

    _, doc = cli_run
    sel = doc["topic_selection"]
    table = {r["k"]: r["stability"] for r in sel["table"]}
    best = max(table.values())
    k = min(k for k, v in table.items() if v == best)
    while k + 1 in table and table[k + 1] >= best - STABILITY_TIE:
        k += 1
    assert sel["k"] == k and "stability" in sel["criterion"]
    assert len(doc["topics"]) == sel["k"]


def test_topics_recover_the_planted_themes_and_find_the_new_one(planted_k_run, truth):
    doc = planted_k_run
    topic = {d["respondent_id"]: d["topic"] for d in doc["documents"]}
    first = {rid: t[0] for rid, t in truth["customers"].items() if t}
    home = {}
    for theme in gen.THEME_WEIGHTS:                      # purity: each theme's answers mostly in one topic
        topics = Counter(topic[rid] for rid, t in first.items() if t == theme)
        best, n = topics.most_common(1)[0]
        assert n / sum(topics.values()) >= 0.8, (theme, topics)
        home[theme] = best
    assert len(set(home.values())) == len(home)          # ... and a different topic for every theme
    new = [t for t in doc["topics"] if t["new_theme"]]
    assert [t["topic"] for t in new] == [home[gen.NEW_THEME]]
    assert doc["topic_selection"]["k"] == len(gen.THEME_WEIGHTS)
    assert any(w.startswith("new theme") for w in doc["warnings"])


def test_who_says_what_follows_the_planted_probabilities(cli_run):
    _, doc = cli_run
    themes = {t["theme"]: t for t in doc["themes"]}
    ent = {g["group"]: g for g in themes["entrega"]["by_group"]}
    assert ent["detractor"]["share"] > 0.3 > 0.05 > ent["promoter"]["share"]
    assert ent["detractor"]["adj_residual"] > 1.96 > -1.96 > ent["promoter"]["adj_residual"]
    assert themes["entrega"]["p_holm"] < 1e-6
    rep = {g["group"]: g for g in themes["repartidor"]["by_group"]}
    assert rep["promoter"]["share"] > rep["detractor"]["share"]
    # distinguishing words: the detractors' first word is late delivery's, the promoters' a praise theme's
    words = lambda theme: " ".join(gen.CORE[theme] + gen.SENTENCES[theme]).lower()  # noqa: E731
    det = [r for r in doc["distinctive_terms"] if r["group"] == "detractor"]
    pro = [r for r in doc["distinctive_terms"] if r["group"] == "promoter"]
    assert det[0]["term"] in words("entrega") and det[0]["z"] > 3
    assert pro[0]["term"] in words("repartidor") + words("web")
    # impact: late delivery costs NPS points (negative b, HC3 significant)
    imp = {r["theme"]: r for r in doc["impact"]["themes"]}
    assert imp["entrega"]["b"] < -10 and imp["entrega"]["pvalue_hc3"] < 0.001
    assert imp["repartidor"]["b"] > 0
    # blind spots: staff rarely mention late delivery, and mention price more than detractors do
    blind = {b["theme"]: b for b in doc["blind_spots"]}
    assert blind["entrega"]["verdict"] == "customers_more" and blind["precio"]["verdict"] == "staff_more"
    assert doc["tracking"] and {r["period"] for r in doc["tracking"]} >= {"2026-W45", "2026-W46"}


def test_no_planted_personal_data_survives_in_any_output(cli_run, truth):
    out, doc = cli_run
    planted = truth["planted_pii"]
    assert doc["scrubbed"] == sum(len(v) for v in planted.values())
    assert doc["scrubbed_by_kind"]["email"] == len(planted["emails"])
    assert doc["scrubbed_by_kind"]["phone"] == len(planted["phones"])
    assert doc["scrubbed_by_kind"]["id"] == len(planted["dnis"])
    from openpyxl import load_workbook

    wb = load_workbook(out / "cli.xlsx")
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    text = (out / "cli.json").read_text(encoding="utf-8")
    for value in [*planted["emails"], *planted["phones"], *planted["dnis"]]:
        assert value not in text and value not in cells, value


def _plan(tmp_path, demo, step: dict):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"), "seed": 20261123,
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"},
                     {"file": str(demo / "staff.csv"), "respondent_type": "staff"}],
            "steps": [step]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    return path


def test_cli_and_plan_give_the_same_json_and_sheets_and_bytes_repeat(demo, cli_run, tmp_path):
    from openpyxl import load_workbook

    out, cli = cli_run
    r = run_cli("run", _plan(tmp_path, demo, {"step": "verbatims"}), "--lang", "en", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["result"] == cli
    a = load_workbook(out / "cli.xlsx")
    b = load_workbook(tmp_path / "out" / "plan_verbatims.xlsx")
    assert a.sheetnames == b.sheetnames
    assert {"Verbatims", "Quotes", "New themes", "Distinctive words", "Blind spots"} <= set(a.sheetnames)
    for name in a.sheetnames[1:]:
        rows_a = [[c.value for c in row] for row in a[name].iter_rows(max_row=6)]
        rows_b = [[c.value for c in row] for row in b[name].iter_rows(max_row=6)]
        assert rows_a == rows_b, name
    r = run_cli("verbatims", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--json", tmp_path / "again.json", "-q")
    assert (tmp_path / "again.json").read_bytes() == (out / "cli.json").read_bytes()


def test_spanish_workbook(demo, tmp_path):
    from openpyxl import load_workbook

    r = run_cli("verbatims", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                "--xlsx", tmp_path / "es.xlsx", "--n-topics", "7", "-q")
    assert r.exit_code == 0, r
    names = load_workbook(tmp_path / "es.xlsx").sheetnames
    assert {"Citas", "Temas nuevos", "Palabras distintivas", "Puntos ciegos"} <= set(names)


def test_option_errors_name_the_flag_or_the_plan_key(demo, tmp_path):
    r = run_cli("verbatims", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--k-min", "5",
                "--k-max", "4")
    assert_clean_error(r, "--k-max", "below")
    plan = _plan(tmp_path, demo, {"step": "verbatims", "n_topics": 1})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].n_topics")
    plan = _plan(tmp_path, demo, {"step": "verbatims", "by": ["nope"]})
    assert_clean_error(run_cli("run", plan, "--out", tmp_path / "o"), "steps[0].by", "nope")
    r = run_cli("verbatims", demo / "customers.csv", "--text", "no_such_column")
    assert_clean_error(r, "no_such_column")
    r = run_cli("verbatims", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--period", "wave")
    assert_clean_error(r, "--period", "fielding.wave")


def test_without_a_spec_topics_only(demo, tmp_path):
    r = run_cli("verbatims", demo / "customers.csv", "--text", "comentario", "--nps", "nps",
                "--id-column", "id_respuesta", "--k-max", "8", "--json", "-", "-q")
    assert r.exit_code == 0, r
    doc = r.json()
    assert doc["themes"] == [] and doc["topics"] and all(t["new_theme"] for t in doc["topics"])
    assert doc["distinctive_terms"][0]["group"] == "detractor"


def test_spec_themes_block_errors_name_the_yaml_path(tmp_path):
    from cxstats.demo.simulate import spec_text
    from cxstats.errors import SpecError
    from cxstats.spec.load import parse_spec

    doc = yaml.safe_load(spec_text())
    doc["themes"]["codebook"]["precio"] = {"keywords": ["re:(caro"]}
    with pytest.raises(SpecError) as e:
        parse_spec(doc, tmp_path / "s.yaml")
    assert "themes.codebook.precio.keywords[0]" in str(e.value)
    doc = yaml.safe_load(spec_text())
    doc["themes"]["language"] = "fr"
    with pytest.raises(SpecError) as e:
        parse_spec(doc, tmp_path / "s.yaml")
    assert "themes.language" in str(e.value)


def test_staff_form_asks_what_staff_hear_in_the_study_languages():
    from cxstats.demo.simulate import load_demo_spec
    from cxstats.questionnaire.forms import build_form

    spec = load_demo_spec()
    staff = {q.name: q for q in build_form(spec, "staff").tail}
    customer = {q.name for q in build_form(spec, "customer").tail}
    assert staff["queja_clientes"].label == {"es": "¿De qué se quejan más los clientes en esta etapa?",
                                             "en": "What do customers complain about most at this stage?"}
    assert staff["impide_resolver"].label["es"] == "¿Qué le impide resolverlo?"
    assert staff["queja_clientes"].kind == "text" and not {"queja_clientes", "impide_resolver"} & customer


def test_followup_rules_match_themes_and_cases_carry_their_themes(demo, cli_run, tmp_path):
    _, doc = cli_run
    spec = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    spec["followup"]["rules"].append({"id": "instalacion_tarde", "when": "theme is entrega", "priority": "low",
                                      "sla_hours": 96})
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run_cli("followup", demo / "customers.csv", "--spec", path, "--json", "-", "-q")
    assert r.exit_code == 0, r
    out = r.json()
    import pandas as pd

    data = pd.read_csv(demo / "customers.csv", dtype=str, keep_default_na=False)
    customer = dict(zip(data["id_respuesta"], data["id_cliente"]))
    themes = {d["respondent_id"]: d["themes"] for d in doc["documents"]}
    late = {customer[rid] for rid, t in themes.items() if "entrega" in t}      # customers, not responses
    hit = {c["customer_id"] for c in out["cases"] if "instalacion_tarde" in c["rules_hit"].split(", ")}
    assert hit and hit <= late
    counts = {c["rule"]: c["n_flagged"] for c in out["rules"]}
    assert counts["instalacion_tarde"] == len(late)
    for c in out["cases"]:                       # every case carries its themes (codebook, as verbatims)
        assert sorted(filter(None, (c["themes"] or "").split(", "))) == sorted(themes.get(c["respondent_id"], [])), c
    late_case = next(c for c in out["cases"] if c["rule"] == "instalacion_tarde")
    assert "Retrasos en la entrega" in late_case["reason"]
    spec["followup"]["rules"][-1]["when"] = "theme is nope"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run_cli("followup", demo / "customers.csv", "--spec", path, "--json", "-", "-q")
    assert_clean_error(r, "followup.rules[4].when", "unknown theme 'nope'")
