"""The CRM extract joined by customer id (the spec's ``crm:`` block; ``--crm``, the plan's
``crm:``): its checks (duplicate, empty and unknown ids, unknown segment values, bad YAML), and
its use by ``profiles`` (lifecycle stage, segments, customer value) and ``followup`` (owners by
the CRM's region). Expected values are computed here with pandas from the demo's own files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli

OWNERS = {"norte": "ana.martin", "centro": "javier.ruiz", "sur": "lucia.gomez"}  # the demo spec's map


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("crm") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def joined(demo):
    """customers.csv with each answer's CRM row (pandas merge: the independent reference)."""
    raw = pd.read_csv(demo / "customers.csv", dtype={"id_cliente": str})
    crm = pd.read_csv(demo / "crm.csv", dtype={"id_cliente": str})
    assert crm.id_cliente.is_unique
    return raw.merge(crm, on="id_cliente", how="left", validate="many_to_one", suffixes=("", "_crm"))


def _profiles(demo, *extra):
    r = run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--no-drivers",
                *extra, "--json", "-")
    assert r.exit_code == 0, r
    return r.json()


def test_profiles_take_the_lifecycle_stage_and_value_from_the_crm(demo, joined):
    doc = _profiles(demo, "--crm", demo / "crm.csv")
    crm = pd.read_csv(demo / "crm.csv", dtype={"id_cliente": str})
    link = doc["crm"]
    assert (link["n_answers"], link["n_matched"], link["n_unmatched"], link["n_no_id"]) == (2000, 2000, 0, 0)
    assert link["n_crm_customers"] == len(crm) == joined.id_cliente.nunique()
    # the demo's second answers of 40 customers carry another region/stage than the CRM's record
    assert link["changed"]["antiguedad"] == int((joined.antiguedad != joined.etapa_ciclo).sum()) > 0
    assert link["changed"]["region"] == int((joined.region != joined.region_crm).sum()) > 0
    # profiles by lifecycle stage: the CRM's stage, counted here from the merged files
    assert doc["lifecycle"]["segment"] == "antiguedad"
    loyal = (joined.csat >= 4) & (joined.recompra >= 4)
    for row in doc["lifecycle"]["rows"]:
        sub = joined.etapa_ciclo == row["stage"]
        assert row["n"] == int(sub.sum())
        assert row["loyalist_n"] == int((loyal & sub).sum())
    plain = _profiles(demo)
    assert [r["n"] for r in plain["lifecycle"]["rows"]] != [r["n"] for r in doc["lifecycle"]["rows"]]
    assert "crm" not in plain
    # the CRM's customer value is compared between profiles (mean per profile = pandas' mean)
    codes = {"loyalist": (True, True), "mercenary": (True, False), "hostage": (False, True),
             "defector": (False, False)}
    for p in doc["profiles"]:
        s, r = codes[p["profile"]]
        g = ((joined.csat >= 4) == s) & ((joined.recompra >= 4) == r) & joined.csat.notna() & joined.recompra.notna()
        assert p["means"]["valor_cliente"] == pytest.approx(joined.valor_cliente[g].mean(), rel=1e-12)
    diff = {(d["profile"], d["variable"]): d for d in doc["differences"]}
    assert diff[("loyalist", "valor_cliente")]["kind"] == "crm"
    assert diff[("loyalist", "valor_cliente")]["diff"] > 0  # demo truth: revenue rises with loyalty
    assert any("replaced a different survey value" in w for w in doc["warnings"])


def test_answers_whose_customer_is_not_in_the_crm_are_counted_and_keep_the_survey_values(demo, joined, tmp_path):
    crm = pd.read_csv(demo / "crm.csv", dtype=str, keep_default_na=False)
    crm.loc[crm.index[:50], "etapa_ciclo"] = "nuevo"            # these customers' stage changes
    dropped = set(crm.id_cliente[-100:])
    crm = crm.iloc[:-100]
    crm.to_csv(tmp_path / "crm.csv", index=False)
    doc = _profiles(demo, "--crm", tmp_path / "crm.csv")
    unmatched = joined.id_cliente.isin(dropped)
    assert doc["crm"]["n_unmatched"] == int(unmatched.sum()) >= 100
    assert doc["crm"]["n_matched"] == 2000 - int(unmatched.sum())
    assert any(f"{int(unmatched.sum())} of 2000 answer(s) have a customer id that is not in the CRM" in w
               for w in doc["warnings"])
    stage = crm.set_index("id_cliente").etapa_ciclo
    expected = joined.id_cliente.map(stage).fillna(joined.antiguedad)  # unmatched: the survey's stage
    for row in doc["lifecycle"]["rows"]:
        assert row["n"] == int((expected == row["stage"]).sum())
    means = {p["profile"]: p["means"]["valor_cliente"] for p in doc["profiles"]}
    loyal = (joined.csat >= 4) & (joined.recompra >= 4) & ~unmatched
    assert means["loyalist"] == pytest.approx(joined.valor_cliente[loyal].mean(), rel=1e-12)


def test_followup_owners_come_from_the_crm_region(demo, joined, tmp_path):
    truth = json.loads((demo / "truth.json").read_text(encoding="utf-8"))["followup"]
    r = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--crm",
                demo / "crm.csv", "--json", "-")
    assert r.exit_code == 0, r
    doc = r.json()
    plain = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--json", "-").json()
    assert sorted(c["customer_id"] for c in doc["cases"]) == truth["flagged_ids"]   # same cases
    region = joined.drop_duplicates("id_cliente").set_index("id_cliente").region_crm
    stage = joined.drop_duplicates("id_cliente").set_index("id_cliente").etapa_ciclo
    for c in doc["cases"]:
        assert c["owner"] == OWNERS.get(region[c["customer_id"]], "atencion.cliente")
        assert c["antiguedad"] == stage[c["customer_id"]]       # an exported segment is the CRM's too
    assert doc["n_default_owner"] == truth["default_owner_cases_crm"]
    moved = [a["customer_id"] for a, b in zip(plain["cases"], doc["cases"]) if a["owner"] != b["owner"]]
    assert moved, "the CRM's region must change some owners in the demo"
    assert doc["crm"]["n_matched"] == 2000 and "crm" not in plain


def test_a_plan_links_the_crm_file_relative_to_the_plan(demo, tmp_path):
    plan = {"title": "t", "spec": "questionnaire.yaml", "crm": {"file": "crm.csv"},
            "data": [{"file": "customers.csv", "respondent_type": "customer"}],
            "steps": [{"step": "profiles", "drivers": False}, {"step": "followup"}]}
    (demo / "plan_crm.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    r = run_cli("run", demo / "plan_crm.yaml", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    steps = json.loads((tmp_path / "out" / "plan_crm.json").read_text())["steps"]
    assert steps[0]["result"] == _profiles(demo, "--crm", demo / "crm.csv")
    cli = run_cli("followup", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--crm",
                  demo / "crm.csv", "--json", "-").json()
    assert steps[1]["result"] == cli
    plan["crm"] = {"file": "crm.csv", "sep": ";"}
    (demo / "plan_crm.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert_clean_error(run_cli("run", demo / "plan_crm.yaml", "--out", tmp_path / "o"), "crm.sep", "unknown key")


def _bad_crm(demo, tmp_path, edit):
    crm = pd.read_csv(demo / "crm.csv", dtype=str, keep_default_na=False)
    crm = edit(crm)
    crm.to_csv(tmp_path / "bad_crm.csv", index=False)
    return run_cli("profiles", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--crm",
                   tmp_path / "bad_crm.csv", "--json", tmp_path / "x.json")


def test_a_duplicated_customer_id_is_refused_naming_both_rows(demo, tmp_path):
    def dup(crm):
        crm.loc[7, "id_cliente"] = crm.loc[2, "id_cliente"]
        return crm

    r = _bad_crm(demo, tmp_path, dup)
    assert_clean_error(r, "bad_crm.csv", "id_cliente", "given twice", "rows 4 and 9")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("edit, fragments", [
    (lambda c: c.assign(id_cliente=c.id_cliente.where(c.index != 3, "")), ["bad_crm.csv", "empty customer id", "5"]),
    (lambda c: c.assign(region=c.region.where(c.index != 10, "oeste")),
     ["bad_crm.csv", "region", "oeste", "unknown value of segment 'region'", "12"]),
    (lambda c: c.assign(valor_cliente=c.valor_cliente.where(c.index != 0, "mucho")), ["valor_cliente", "mucho",
                                                                                     "not a number"]),
    (lambda c: c.drop(columns=["etapa_ciclo"]), ["bad_crm.csv", "etapa_ciclo", "no such column"]),
    (lambda c: c.assign(id_cliente="X" + c.id_cliente), ["bad_crm.csv", "no answer's customer id",
                                                         "crm.customer_id"]),
])
def test_bad_crm_files_exit_2_naming_file_column_row_value(demo, tmp_path, edit, fragments):
    assert_clean_error(_bad_crm(demo, tmp_path, edit), *fragments)


def test_a_crm_file_needs_the_specs_crm_block(demo, tmp_path):
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    del doc["crm"]
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = run_cli("followup", demo / "customers.csv", "--spec", tmp_path / "q.yaml", "--crm", demo / "crm.csv",
                "--json", "-")
    assert_clean_error(r, "crm.csv", "'crm:' block")


@pytest.mark.parametrize("block, fragments", [
    ({"segments": {"region": "region"}}, ["crm.id_column", "is required"]),
    ({"id_column": "id_cliente", "segments": {"etapa": "etapa_ciclo"}}, ["crm.segments.etapa", "not a segment"]),
    ({"id_column": "id_cliente", "measures": ["csat"]}, ["crm.measures[0]", "already the name"]),
    ({"id_column": "id_cliente"}, ["crm", "name what the CRM brings"]),
    ({"id_column": "id_cliente", "segments": {"region": 3}}, ["crm.segments.region", "column name"]),
    ({"id_column": "id_cliente", "segments": {"region": "region"}, "owner": "x"}, ["crm.owner", "unknown key"]),
])
def test_bad_crm_blocks_exit_2_naming_the_yaml_path(demo, tmp_path, block, fragments):
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    doc["crm"] = block
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = run_cli("profiles", demo / "customers.csv", "--spec", tmp_path / "q.yaml", "--json", "-")
    assert_clean_error(r, "q.yaml", *fragments)


def test_the_answers_id_column_defaults_to_followup_customer_id_else_is_required(demo, tmp_path):
    from cxstats.errors import SpecError
    from cxstats.spec.load import parse_spec

    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    del doc["crm"]["customer_id"]
    assert parse_spec(doc).crm.customer_id == "id_cliente"  # followup.customer_id
    del doc["followup"]
    with pytest.raises(SpecError, match=r"crm\.customer_id"):
        parse_spec(doc)
    doc["crm"]["customer_id"] = "cliente"
    assert parse_spec(doc).crm.customer_id == "cliente"


def test_a_crm_file_without_a_spec_is_refused(demo):
    r = run_cli("profiles", demo / "customers.csv", "--satisfaction", "csat", "--repurchase", "recompra",
                "--sat-cut", "4", "--rep-cut", "4", "--crm", demo / "crm.csv", "--json", "-")
    assert_clean_error(r, "'crm:' block", "--spec")


def test_a_segment_only_the_crm_has_is_read_from_it(demo, joined, tmp_path):
    """A spec segment absent from the survey export (the lifecycle stage kept in the CRM alone)
    comes from the CRM; profiles are cross-tabulated by it."""
    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    for g in doc["segments"]:
        g.pop("lifecycle", None)
    doc["segments"].append({"id": "etapa", "label": {"es": "Etapa", "en": "Stage"}, "lifecycle": True,
                            "values": {"nuevo": {"es": "Nuevo", "en": "New"},
                                       "recurrente": {"es": "Recurrente", "en": "Returning"}}})
    doc["crm"]["segments"] = {"etapa": "etapa_ciclo"}
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = run_cli("profiles", demo / "customers.csv", "--spec", tmp_path / "q.yaml", "--crm", demo / "crm.csv",
                "--no-drivers", "--json", "-")
    assert r.exit_code == 0, r
    out = r.json()
    assert out["lifecycle"]["segment"] == "etapa" and out["crm"]["changed"] == {"etapa": 0}
    loyal = (joined.csat >= 4) & (joined.recompra >= 4)
    for row in out["lifecycle"]["rows"]:
        sub = joined.etapa_ciclo == row["stage"]
        assert (row["n"], row["loyalist_n"]) == (int(sub.sum()), int((loyal & sub).sum()))
    # without the CRM the segment is empty: no lifecycle table
    r = run_cli("profiles", demo / "customers.csv", "--spec", tmp_path / "q.yaml", "--no-drivers", "--json", "-")
    assert r.exit_code == 0, r
    assert r.json()["lifecycle"] is None
