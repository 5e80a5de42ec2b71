"""Close-the-loop lists: spec block validation, the demo's exact lists (ids, de-duplication,
suppression, SLA dates), CRM outputs (CSV = XLSX, BOM, formula neutralisation), hashed ids."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli

SLA = {"baja": 24, "detractor_fuerte": 24, "entrega": 48, "csat_bajo": 72}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("followup") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def truth(demo):
    return json.loads((demo / "truth.json").read_text(encoding="utf-8"))["followup"]


@pytest.fixture(scope="module")
def listed(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("lists")
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--out",
                out / "casos.csv", "--json", out / "casos.json", "--xlsx", out / "casos_wb.xlsx", "-q")
    assert r.exit_code == 0, r
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--out",
                out / "casos.xlsx", "-q")
    assert r.exit_code == 0, r
    return out


def test_the_demo_list_is_exactly_the_true_one(listed, truth):
    doc = json.loads((listed / "casos.json").read_text())
    ids = [c["customer_id"] for c in doc["cases"]]
    assert len(ids) == len(set(ids)) == truth["followup_cases"]          # one row per customer
    assert sorted(ids) == truth["flagged_ids"]
    assert {r["rule"]: r["n_flagged"] for r in doc["rules"]} == truth["rules"]
    assert {r["rule"]: r["n_cases"] for r in doc["rules"]} == truth["winning_rule"]
    assert doc["n_default_owner"] == truth["default_owner_cases"]
    assert sum(s["n"] for s in doc["summary"]) == truth["followup_cases"]


def test_de_duplication_sla_dates_owners_and_reasons(demo, listed):
    raw = pd.read_csv(demo / "customers.csv", dtype=str, keep_default_na=False)
    doc = json.loads((listed / "casos.json").read_text())
    by_resp = raw.set_index("id_respuesta")
    twice = raw.id_cliente[raw.id_cliente.duplicated()]
    assert len(twice) == 40
    cases = {c["customer_id"]: c for c in doc["cases"]}
    assert any(t in cases for t in twice)
    rank = {"high": 0, "medium": 1, "low": 2}
    for c in doc["cases"]:
        row = by_resp.loc[c["respondent_id"]]
        assert row.id_cliente == c["customer_id"]
        due = pd.Timestamp(row.fecha_respuesta) + pd.Timedelta(hours=SLA[c["rule"]])
        assert c["due_by"] == due.strftime("%Y-%m-%d %H:%M")
        hit = c["rules_hit"].split(", ")
        assert c["rule"] == hit[0] and set(hit) <= set(SLA)
        assert rank[c["priority"]] == min(rank["high" if h in ("baja", "detractor_fuerte") else "medium"] for h in hit)
        owner = {"norte": "ana.martin", "centro": "javier.ruiz", "sur": "lucia.gomez"}.get(row.region, "atencion.cliente")
        assert c["owner"] == owner
        assert (c["manager"] != "") == (c["priority"] == "high")  # the manager is notified on high priority
        assert c["channel"] == row.canal and c["antiguedad"] == row.antiguedad
        if c["rule"] == "detractor_fuerte":
            assert f"NPS {int(row.nps)}" in c["reason"]
        if row.motivo:
            assert c["reason"].endswith("'" + row.motivo + "'")
        if c["rule"] == "entrega":
            assert c["touchpoint"] == "Entrega e instalación" and "Puntualidad de la entrega 1/5" in c["reason"]
    # a customer who answered twice is listed once, under the highest-priority rule of both answers
    for cid in twice:
        rows = raw[raw.id_cliente == cid]
        if cid in cases:
            assert cases[cid]["respondent_id"] in set(rows.id_respuesta)


def test_suppression_against_a_previous_list(demo, truth, tmp_path):
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--previous",
                demo / "seguimiento_anterior.csv", "--as-of", truth["as_of"], "--json", "-", "-q")
    assert r.exit_code == 0, r
    doc = r.json()
    ids = {c["customer_id"] for c in doc["cases"]}
    assert len(ids) == truth["followup_cases_with_previous"]
    assert ids == set(truth["flagged_ids"]) - set(truth["suppressed_ids"])
    assert doc["n_suppressed"] == len(truth["suppressed_ids"]) == 30


def test_csv_reads_back_as_the_xlsx(listed):
    raw = (listed / "casos.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    a = pd.read_csv(listed / "casos.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    b = pd.read_excel(listed / "casos.xlsx", sheet_name="cases", dtype=str, keep_default_na=False)
    # the CSV neutralises text that a spreadsheet would run (a leading = + - @ gets a ')
    expected = b.map(lambda v: "'" + v if v[:1] in ("=", "+", "-", "@") else v)
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, expected)
    doc = json.loads((listed / "casos.json").read_text())
    assert list(b.columns) == doc["columns"]
    assert b.customer_id.tolist() == [c["customer_id"] for c in doc["cases"]]
    summary = pd.read_excel(listed / "casos.xlsx", sheet_name="summary")
    assert summary.n.sum() == len(b)


def test_semicolon_csv_and_formula_text(demo, tmp_path):
    from openpyxl import load_workbook

    data = pd.read_csv(demo / "customers.csv", dtype=str, keep_default_na=False)
    i = data.index[data.nps.astype(int) <= 3][0]
    data.loc[i, "motivo"] = '=HYPERLINK("http://x","baja")'
    data.to_csv(tmp_path / "c.csv", index=False)
    r = run_cli("followup", tmp_path / "c.csv", "--spec", demo / "questionnaire.yaml", "--out", tmp_path / "l.csv",
                "--sep", ";", "-q")
    assert r.exit_code == 0, r
    with open(tmp_path / "l.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    hit = [row for row in rows if data.loc[i, "id_respuesta"] == row[0]][0]
    assert "=HYPERLINK" in hit[7] and not hit[7].startswith("=")  # the reason starts with NPS ..., no formula
    assert not any(v[:1] in ("=", "+", "-", "@") for row in rows for v in row)


def test_csv_and_xlsx_writers_never_write_a_formula(tmp_path):
    from types import SimpleNamespace as NS

    from openpyxl import load_workbook

    from cxstats.report.crm import write_case_list

    cells = ["=1+2", "+34 600", "-x", "@SUM(A1)", "plain", 3]
    result = NS(columns=[f"c{i}" for i in range(len(cells))], cases=[dict(zip([f"c{i}" for i in range(6)], cells))],
                summary=[{"owner": "=evil()", "manager": "", "priority": "high", "n": 1}])
    write_case_list(result, tmp_path / "l.csv", sep=";")
    write_case_list(result, tmp_path / "l.xlsx")
    text = (tmp_path / "l.csv").read_bytes().decode("utf-8-sig")
    assert text.splitlines()[1] == "'=1+2;'+34 600;'-x;'@SUM(A1);plain;3"
    wb = load_workbook(tmp_path / "l.xlsx")
    row = [c for c in wb["cases"][2]]
    assert [c.value for c in row] == cells and all(c.data_type == "s" for c in row[:5])
    assert wb["summary"]["A2"].data_type == "s" and wb["summary"]["A2"].value == "=evil()"


def test_hashed_ids_need_a_key(demo, tmp_path, monkeypatch):
    monkeypatch.delenv("CXSTATS_HASH_KEY", raising=False)
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--hash-ids",
                "--json", "-", "-q")
    assert_clean_error(r, "--hash-ids", "CXSTATS_HASH_KEY", "no default key")
    key = b"a-secret-key-of-some-length"
    (tmp_path / "key").write_bytes(key + b"\n")
    plain = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", "-").json()
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--hash-ids",
                "--hash-key-file", tmp_path / "key", "--json", "-")
    assert r.exit_code == 0, r
    hashed = r.json()
    assert hashed["hashed_ids"] is True
    for a, b in zip(plain["cases"], hashed["cases"]):
        assert b["customer_id"] == hmac.new(key, a["customer_id"].encode(), hashlib.sha256).hexdigest()
        assert b["respondent_id"] == hmac.new(key, a["respondent_id"].encode(), hashlib.sha256).hexdigest()
    monkeypatch.setenv("CXSTATS_HASH_KEY", key.decode())
    again = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--hash-ids",
                    "--json", "-").json()
    assert again["cases"] == hashed["cases"]
    monkeypatch.setenv("CXSTATS_HASH_KEY", "short")
    assert_clean_error(run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml",
                               "--hash-ids", "--json", "-"), "too short")


def test_promoters_list(demo, truth):
    doc = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--promoters",
                  "--json", "-").json()
    assert doc["kind"] == "promoters" and len(doc["cases"]) == truth["promoters"]
    raw = pd.read_csv(demo / "customers.csv").set_index("id_respuesta")
    for c in doc["cases"][:50]:
        assert raw.loc[c["respondent_id"], "nps"] >= 9
        assert c["reason"].startswith(f"NPS {raw.loc[c['respondent_id'], 'nps']}")
        assert c["manager"] == ""  # low priority: no manager notified
    assert sum("valoró:" in c["reason"] for c in doc["cases"]) > len(doc["cases"]) / 2


def test_cli_and_plan_give_the_same_json(demo, tmp_path):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "steps": [{"step": "followup", "previous": str(demo / "seguimiento_anterior.csv"),
                       "as_of": "2026-11-16 08:00"}]}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    r = run_cli("run", tmp_path / "plan.yaml", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    cli = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--previous",
                  demo / "seguimiento_anterior.csv", "--as-of", "2026-11-16 08:00", "--json", "-").json()
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc["steps"][0]["result"] == cli
    plan["steps"][0]["as_of"] = "yesterday"
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert_clean_error(run_cli("run", tmp_path / "plan.yaml", "--out", tmp_path / "o"), "steps[0].as_of")


@pytest.mark.parametrize("path, value, fragments", [
    (["rules", 1, "when"], "nope <= 3", ["followup.rules[1].when", "unknown column 'nope'"]),
    (["rules", 0, "when"], 'comment matches "baja|(cancel"', ["followup.rules[0].when", "bad regular expression"]),
    (["rules", 2, "when"], "any item of nada <= 1", ["followup.rules[2].when", "unknown construct"]),
    (["rules", 2, "when"], "entrega_1 about 3", ["followup.rules[2].when", "cannot read the condition"]),
    (["rules", 0, "priority"], "urgent", ["followup.rules[0].priority", "urgent"]),
    (["owners", "map", "oeste"], {"owner": "x"}, ["followup.owners.map.oeste", "unknown owner key"]),
    (["owners", "by"], "provincia", ["followup.owners.by", "provincia"]),
    (["sla"], 3, ["followup.sla", "unknown key"]),
])
def test_bad_rules_exit_2_naming_the_yaml_path(demo, tmp_path, path, value, fragments):
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    node = doc["followup"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run_cli("followup", demo / "customers.csv", "--spec", tmp_path / "q.yaml", "--out", tmp_path / "l.csv")
    assert_clean_error(r, "q.yaml", *fragments)
    assert not (tmp_path / "l.csv").exists()


def test_missing_data_column_names_the_spec_key(demo, tmp_path):
    data = pd.read_csv(demo / "customers.csv", dtype=str, keep_default_na=False).drop(columns=["motivo"])
    data.to_csv(tmp_path / "c.csv", index=False)
    r = run_cli("followup", tmp_path / "c.csv", "--spec", demo / "questionnaire.yaml", "--json", "-")
    assert_clean_error(r, "c.csv", "motivo", "followup.comment")


def test_rule_mask_any_all_and_missing():
    from types import SimpleNamespace as NS

    from cxstats.stats.followup import rule_mask

    f = pd.DataFrame({"a": [1, 3, np.nan, np.nan, 2], "b": [5, 1, 2, np.nan, 2]})
    any_ = NS(kind="items", columns=("a", "b"), op="<=", value=2, quantifier="any")
    all_ = NS(kind="items", columns=("a", "b"), op="<=", value=2, quantifier="all")
    assert rule_mask(f, any_).tolist() == [True, True, True, False, True]
    assert rule_mask(f, all_).tolist() == [False, False, True, False, True]
    text = NS(kind="text", pattern="baja|cancel")
    assert rule_mask(f, text, ["Me doy de BAJA", None, "", "cancelado", 3]).tolist() == [True, False, False, True, False]


def test_reasons_follow_the_chosen_language_and_the_json_keeps_the_studys(demo, listed, tmp_path):
    """reason and touchpoint are display texts: the JSON keeps the spec's first language (es) whatever
    --lang says; the CRM file and the workbook are written in the chosen language."""
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--lang", "en",
                "--out", tmp_path / "en.csv", "--xlsx", tmp_path / "en.xlsx", "--json", tmp_path / "en.json", "-q")
    assert r.exit_code == 0, r
    assert (tmp_path / "en.json").read_bytes() == (listed / "casos.json").read_bytes()
    es = pd.read_csv(listed / "casos.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    en = pd.read_csv(tmp_path / "en.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    same = [c for c in es.columns if c not in ("reason", "touchpoint")]
    pd.testing.assert_frame_equal(es[same], en[same])  # only the display texts change
    entrega = es.rule == "entrega"
    assert entrega.any()
    assert (es.touchpoint[entrega] == "Entrega e instalación").all()
    assert (en.touchpoint[entrega] != "Entrega e instalación").all() and (en.touchpoint[entrega] != "").all()
    for a, b in zip(es.reason[entrega], en.reason[entrega]):
        assert "Puntualidad de la entrega 1/5" in a and "Puntualidad" not in b and "1/5" in b
        # the customer's own words are quoted as written, in any language
        assert [p for p in a.split("; ") if p.startswith("'")] == [p for p in b.split("; ") if p.startswith("'")]
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "en.xlsx")
    texts = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert set(en.reason[entrega]) <= texts and not set(es.reason[entrega]) & texts
    doc = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--promoters",
                  "--lang", "en", "--out", tmp_path / "p.csv", "-q")
    assert doc.exit_code == 0, doc
    praised = pd.read_csv(tmp_path / "p.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).reason
    assert praised.str.contains("praised: ").sum() > len(praised) / 2 and not praised.str.contains("valoró").any()


def test_a_plan_step_writes_the_same_crm_file_as_the_command(demo, tmp_path):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"), "lang": "en",
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "steps": [{"step": "followup", "out": "seguimiento.csv", "sep": ";"},
                      {"step": "followup", "id": "gracias", "promoters": True, "out": "gracias.xlsx"}]}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    r = run_cli("run", tmp_path / "plan.yaml", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    data, spec = demo / "customers.csv", demo / "questionnaire.yaml"
    r = run_cli("followup", data, "--spec", spec, "--lang", "en", "--sep", ";", "--out", tmp_path / "cmd.csv", "-q")
    assert r.exit_code == 0, r
    plan_bytes = (tmp_path / "out" / "seguimiento.csv").read_bytes()
    assert plan_bytes == (tmp_path / "cmd.csv").read_bytes()
    assert "Delivery punctuality" in plan_bytes.decode("utf-8-sig")  # the plan's lang: en
    r = run_cli("followup", data, "--spec", spec, "--lang", "en", "--promoters", "--out", tmp_path / "cmd.xlsx", "-q")
    assert r.exit_code == 0, r
    for sheet in ("cases", "summary"):
        a = pd.read_excel(tmp_path / "out" / "gracias.xlsx", sheet_name=sheet, dtype=str, keep_default_na=False)
        b = pd.read_excel(tmp_path / "cmd.xlsx", sheet_name=sheet, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(a, b)
    assert len(a) and not list((tmp_path / "out").glob("*.tmp*"))
    # --lang on the plan run overrides the plan's lang: for the file too
    r = run_cli("run", tmp_path / "plan.yaml", "--out", tmp_path / "out_es", "--lang", "es", "-q")
    assert r.exit_code == 0, r
    r = run_cli("followup", data, "--spec", spec, "--sep", ";", "--out", tmp_path / "cmd_es.csv", "-q")
    assert (tmp_path / "out_es" / "seguimiento.csv").read_bytes() == (tmp_path / "cmd_es.csv").read_bytes()


@pytest.mark.parametrize("value", ["../seguimiento.csv", "sub/seguimiento.csv", "seguimiento.txt", ".csv", " "])
def test_a_plan_out_that_is_not_a_plain_file_name_is_refused(demo, tmp_path, value):
    plan = {"title": "t", "spec": str(demo / "questionnaire.yaml"),
            "data": [{"file": str(demo / "customers.csv"), "respondent_type": "customer"}],
            "steps": [{"step": "followup", "out": value}]}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert_clean_error(run_cli("run", tmp_path / "plan.yaml", "--out", tmp_path / "o"), "steps[0].out",
                       "plain file name")
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.csv"))


def test_the_readme_tour_followup_and_profiles_commands_run_on_the_demo(demo, tmp_path, monkeypatch):
    """Every `cxstats followup` / `cxstats profiles` command of the README's tour table, run as
    written (S=reports/demo-study) on the demo study, writes what it says."""
    import re
    import shlex
    import shutil
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = [c for c in re.findall(r"`(cxstats (?:followup|profiles) [^`]+)`", readme) if "$S/" in c]
    assert sum(c.startswith("cxstats followup") for c in commands) >= 3
    assert sum(c.startswith("cxstats profiles") for c in commands) >= 1
    shutil.copytree(demo, tmp_path / "reports" / "demo-study")
    monkeypatch.chdir(tmp_path)
    for command in commands:
        args = shlex.split(command.replace("$S", "reports/demo-study"))
        r = run_cli(*args[1:])
        assert r.exit_code == 0, (command, r)
        for out in [a for i, a in enumerate(args) if i and args[i - 1] in ("--out", "--xlsx")]:
            assert (tmp_path / out).stat().st_size > 0, command


def test_the_summary_counts_the_cases_by_owner_and_priority(listed):
    from collections import Counter

    doc = json.loads((listed / "casos.json").read_text())
    counted = Counter((c["owner"], c["manager"], c["priority"]) for c in doc["cases"])
    assert {(s["owner"], s["manager"], s["priority"]): s["n"] for s in doc["summary"]} == counted
    rank = {"high": 0, "medium": 1, "low": 2}
    keys = [(s["owner"], rank[s["priority"]]) for s in doc["summary"]]
    assert keys == sorted(keys) and len({s["priority"] for s in doc["summary"]}) == 2
    sheet = pd.read_excel(listed / "casos.xlsx", sheet_name="summary", dtype=str, keep_default_na=False)
    assert sheet.to_dict("records") == [{k: str(v) for k, v in s.items()} for s in doc["summary"]]


def test_only_declared_columns_leave(demo, listed):
    header = pd.read_csv(listed / "casos.csv", encoding="utf-8-sig", nrows=0).columns.tolist()
    spec = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    assert header == ["respondent_id", "customer_id", "rule", "priority", "owner", "manager", "due_by", "reason",
                      "touchpoint", "channel", "rules_hit", *spec["followup"]["export"],
                      *(["themes"] if spec.get("themes") else [])]  # the codebook themes of the comment
    raw = pd.read_csv(demo / "customers.csv", nrows=0).columns
    assert not {"nps", "csat", "region", "fecha_respuesta", "motivo", "id_cliente"} & set(header) and len(raw) > 30


def test_any_item_of_a_touchpoint_or_a_named_construct(demo, tmp_path):
    from cxstats.spec.load import load_spec

    spec = load_spec(demo / "questionnaire.yaml")
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    base = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", "-").json()
    doc["followup"]["rules"][2]["when"] = "any item of construct puntualidad_entrega <= 1"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    same = run_cli("followup", demo / "customers.csv", "--spec", tmp_path / "c.yaml", "--json", "-").json()
    assert same["cases"] == base["cases"]
    doc["followup"]["rules"] = [{"id": "entrega_tp", "when": "any item of touchpoint entrega <= 1",
                                 "priority": "medium", "sla_hours": 48}]
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run_cli("followup", demo / "customers.csv", "--spec", tmp_path / "t.yaml", "--json", "-")
    assert r.exit_code == 0, r
    got = r.json()
    # independent count: every item of the touchpoint's constructs, 99 = no answer, reverse-keyed recoded
    raw = pd.read_csv(demo / "customers.csv", dtype={"id_cliente": str})
    tp = next(t for t in spec.touchpoints() if t.id == "entrega")
    hit = np.zeros(len(raw), bool)
    names = {}
    for c in tp.constructs:
        for item in c.items:
            v = raw[item.id].where(raw[item.id] != 99).astype(float)
            if item.reverse:
                v = c.scale.min + c.scale.max - v
            hit |= (v <= 1).to_numpy()
            names[item.id] = f"{spec.display_names('es')[c.id]} ({item.id})"
    assert len(tp.constructs) > 1 and sorted(c["customer_id"] for c in got["cases"]) == sorted(
        set(raw.id_cliente[hit]))
    for c in got["cases"][:40]:
        assert c["touchpoint"] == "Entrega e instalación"
        first = c["reason"].split("; ")[0]
        assert first.endswith(" 1/5") and first[:-4] in names.values()
    doc["followup"]["rules"][0]["when"] = "any item of touchpoint puntualidad_entrega <= 1"
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert_clean_error(run_cli("followup", demo / "customers.csv", "--spec", tmp_path / "b.yaml", "--json", "-"),
                       "followup.rules[0].when", "unknown touchpoint 'puntualidad_entrega'")


def test_method_notes_in_both_languages(demo, tmp_path):
    """The follow-up workbook's Methods sheet speaks the workbook's language (no 'notes are in
    English' line in Spanish); the notes carry the same facts in both languages."""
    from openpyxl import load_workbook

    from cxstats.report.i18n import TEXTS

    texts = {}
    for lang in ("es", "en"):
        r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--crm",
                    demo / "crm.csv", "--previous", demo / "seguimiento_anterior.csv", "--lang", lang,
                    "--xlsx", tmp_path / f"{lang}.xlsx", "--json", tmp_path / f"{lang}.json", "-q")
        assert r.exit_code == 0, r
        ws = load_workbook(tmp_path / f"{lang}.xlsx")["Métodos" if lang == "es" else "Methods"]
        texts[lang] = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert {"Lista de seguimiento", "Responsables", "Exportación al CRM", "CRM", "Supresión"} <= set(texts["es"])
    assert {"Follow-up list", "Owners", "CRM export", "CRM", "Suppression"} <= set(texts["en"])
    assert TEXTS["methods_in_english"]["es"] not in texts["es"]
    assert not any("One row per customer" in t for t in texts["es"])
    doc = json.loads((tmp_path / "es.json").read_text())
    from cxstats.stats.followup import FollowupResult

    res = FollowupResult(kind="followup", cases=[], summary=[], rule_counts=[], n_responses=1, n_flagged=0,
                         n_suppressed=0, n_default_owner=0, as_of=doc["as_of"], suppression_days=30,
                         owners_by="region", hashed_ids=True, crm=doc["crm"])
    es, en = res.methods("es"), res.methods("en")
    assert len(es) == len(en) == 6 and res.methods() == en
    import re

    for (_, a), (_, b) in zip(es, en):
        assert re.findall(r"\d+|=|@|\+", a) == re.findall(r"\d+|=|@|\+", b)
