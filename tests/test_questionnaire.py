"""questionnaire build / check: XLSForms that pyxform converts without warnings,
mirrored staff forms, codebooks that read back, Qualtrics TXT that parses back,
a round trip through the spec-driven ingest, and the methodologist's lint."""

from __future__ import annotations

import copy
import dataclasses
import csv
import json
from pathlib import Path

import pytest
import yaml

from conftest import assert_clean_error, run_cli

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cxstats" / "demo" / "compra_online.yaml"
EXAMPLES = sorted((ROOT / "questionnaires").glob("*.yaml"))
BANK = ROOT / "questionnaires" / "banco_alta_cliente.yaml"


def demo_doc() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def write_spec(tmp_path: Path, doc: dict, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def read_sheet(path: Path, sheet: str) -> list[dict]:
    from openpyxl import load_workbook

    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


def pyxform_convert(path: Path):
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    assert warnings == [], (path, warnings)
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each example spec built once: {spec file name: output folder}."""
    out = {}
    for spec in EXAMPLES:
        d = tmp_path_factory.mktemp(spec.stem)
        r = run_cli("questionnaire", "build", spec, "--out", d, "--quiet")
        assert r.exit_code == 0, r
        out[spec.name] = d
    return out


# --- examples ------------------------------------------------------------------

def test_example_spec_is_the_packaged_demo_byte_for_byte():
    assert (ROOT / "questionnaires" / "electrohogar_compra_online.yaml").read_bytes() == DEMO.read_bytes()


def test_bank_example_has_what_the_brief_asks():
    from cxstats.spec.load import load_spec

    spec = load_spec(BANK)
    assert len(spec.touchpoints()) >= 3 and len(spec.constructs()) >= 6
    assert {c.component for c in spec.constructs()} == {"brand", "product", "interaction"}
    assert {"nps", "csat", "ces", "retention"} <= {o.type for o in spec.outcomes}
    assert spec.languages == ["es", "en"]
    assert len([j for j in spec.journeys if j.priority]) >= 2


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_examples_pass_check_without_errors(spec):
    r = run_cli("questionnaire", "check", spec, "--json", "-")
    assert r.exit_code == 0, r
    report = r.json()
    assert report["ok"] and report["n_errors"] == 0


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("form", ["customer", "staff"])
def test_pyxform_converts_every_form_without_warnings(built, spec, form):
    result = pyxform_convert(built[spec.name] / f"xlsform_{form}.xlsx")
    assert "<h:title>" in result.xform


# --- XLSForm content -------------------------------------------------------------

def test_xlsform_layout_languages_choices_and_hidden_fields(built):
    from cxstats.spec.load import load_spec

    spec = load_spec(DEMO)
    d = built["electrohogar_compra_online.yaml"]
    survey = read_sheet(d / "xlsform_customer.xlsx", "survey")
    choices = read_sheet(d / "xlsform_customer.xlsx", "choices")
    settings = read_sheet(d / "xlsform_customer.xlsx", "settings")[0]
    assert {"label::Español (es)", "label::English (en)"} <= set(survey[0])
    assert settings["default_language"] == "Español (es)"
    by_name = {r["name"]: r for r in survey}
    # one group per touchpoint, items inside in spec order
    groups = [r["name"] for r in survey if r["type"] == "begin_group"]
    assert groups[:4] == [t.id for t in spec.touchpoints()]
    names = [r["name"] for r in survey if r["type"] not in ("begin_group", "end_group")]
    assert [n for n in names if n in spec.item_ids()] == spec.item_ids()
    # items: select_one on the scale's list, required, range constraint incl. missing code
    w1 = by_name["web_1"]
    assert w1["type"] == "select_one acuerdo5" and w1["required"] == "yes"
    assert w1["constraint"] == "(. >= 1 and . <= 5) or . = 99"
    assert w1["label::Español (es)"] == "Encontré fácilmente el producto que buscaba."
    assert w1["label::English (en)"] == "I easily found the product I was looking for."
    acuerdo = [(c["name"], c["label::Español (es)"]) for c in choices if c["list_name"] == "acuerdo5"]
    assert acuerdo[0] == ("1", "Totalmente en desacuerdo") and acuerdo[-1] == ("99", "No sabe / No aplica")
    assert len(acuerdo) == 6
    nps = [c["name"] for c in choices if c["list_name"] == "nps11"]
    assert nps == [str(k) for k in range(11)]
    assert by_name["nps"]["type"] == "select_one nps11"
    # unlabelled codes of a partly labelled scale carry the number
    ces = {c["name"]: c["label::English (en)"] for c in choices if c["list_name"] == "facilidad7"}
    assert ces["2"] == "2" and ces["7"] == "Very easy"
    # segments with their values, respondent id and type as calculate fields
    assert by_name["region"]["type"].startswith("select_one ")
    region = [c["name"] for c in choices if c["list_name"] == by_name["region"]["type"].split()[1]]
    assert region == ["norte", "centro", "sur", "este"]
    assert by_name["tipo_encuestado"]["type"] == "calculate"
    assert by_name["tipo_encuestado"]["calculation"] == "'cliente'"
    assert by_name["id_respuesta"]["calculation"] == "once(uuid())"
    assert survey[-1]["type"] == "text"  # the closing open 'why' question


def test_staff_form_mirrors_customer_form(built):
    from cxstats.spec.load import load_spec

    spec = load_spec(DEMO)
    d = built["electrohogar_compra_online.yaml"]
    cust = read_sheet(d / "xlsform_customer.xlsx", "survey")
    staff = read_sheet(d / "xlsform_staff.xlsx", "survey")
    scored = set(spec.item_ids()) | {o.id for o in spec.outcomes}
    pick = lambda rows: [(r["name"], r["type"]) for r in rows if r["name"] in scored]  # noqa: E731
    assert pick(cust) == pick(staff) and len(pick(staff)) == len(scored)
    by_name = {r["name"]: r for r in staff}
    assert by_name["web_1"]["label::Español (es)"] == "Nuestros clientes encuentran fácilmente el producto que buscan."
    assert by_name["tipo_encuestado"]["calculation"] == "'empleado'"
    assert read_sheet(d / "xlsform_staff.xlsx", "choices") == read_sheet(d / "xlsform_customer.xlsx", "choices")


def test_missing_staff_wording_is_generated_and_flagged(tmp_path):
    doc = demo_doc()
    item = doc["journeys"][0]["touchpoints"][0]["constructs"][0]["items"][1]
    del item["staff"]
    spec = write_spec(tmp_path, doc)
    r = run_cli("questionnaire", "build", spec, "--out", tmp_path / "out", "--quiet")
    assert r.exit_code == 0, r
    assert "generated staff wording for web_2" in r.stderr
    staff = {x["name"]: x for x in read_sheet(tmp_path / "out" / "xlsform_staff.xlsx", "survey")}
    label = staff["web_2"]["label::Español (es)"]
    assert label.startswith("¿Cómo cree que nuestros clientes evalúan") and "La web es clara" in label
    assert staff["web_2"]["label::English (en)"].startswith("How do you think our customers rate")
    pyxform_convert(tmp_path / "out" / "xlsform_staff.xlsx")
    check = run_cli("questionnaire", "check", spec, "--json", "-").json()
    flagged = [f for f in check["findings"] if f["code"] == "no_staff_wording"]
    assert flagged and "web_2" in flagged[0]["message"]
    assert flagged[0]["path"] == "journeys[0].touchpoints[0].constructs[0]"


def test_spec_without_type_column_gets_one_in_forms_and_codebook(tmp_path):
    from cxstats.spec.load import load_spec

    doc = demo_doc()
    del doc["respondents"]["type_column"]
    r = run_cli("questionnaire", "build", write_spec(tmp_path, doc), "--out", tmp_path / "o", "-q")
    assert r.exit_code == 0, r
    survey = {x["name"]: x for x in read_sheet(tmp_path / "o" / "xlsform_staff.xlsx", "survey")}
    assert survey["respondent_type"]["calculation"] == "'empleado'"
    assert load_spec(tmp_path / "o" / "codebook.yaml").respondents.type_column == "respondent_type"


# --- codebooks -------------------------------------------------------------------

def test_codebook_yaml_reads_back_as_the_same_study(built):
    from cxstats.spec.load import load_spec

    for name, d in built.items():
        original = load_spec(ROOT / "questionnaires" / name)
        back = load_spec(d / "codebook.yaml")
        assert back.item_ids() == original.item_ids()
        assert [i.reverse for i in back.items()] == [i.reverse for i in original.items()]
        assert [i.customer for i in back.items()] == [i.customer for i in original.items()]
        # staff wordings round-trip; items without one get the builder's generated wording
        for b, o in zip(back.items(), original.items()):
            assert b.staff == o.staff if o.staff else b.staff and all(t.strip() for t in b.staff.values())
        assert {k: (s.min, s.max, s.labels, s.missing) for k, s in back.scales.items()} == \
               {k: (s.min, s.max, s.labels, s.missing) for k, s in original.scales.items()}
        assert [(o.id, o.type, o.scale.id) for o in back.outcomes] == \
               [(o.id, o.type, o.scale.id) for o in original.outcomes]
        assert back.aspirations() == original.aspirations()
        # the codebook names the respondent-type column the forms add (respondent_type by default)
        expected = dataclasses.replace(original.respondents,
                                       type_column=original.respondents.type_column or back.respondents.type_column)
        assert back.respondents == expected
        assert [j.priority for j in back.journeys] == [j.priority for j in original.journeys]


def test_codebook_workbook_one_row_per_variable_text_stays_text(tmp_path):
    from openpyxl import load_workbook

    doc = demo_doc()
    item = doc["journeys"][0]["touchpoints"][0]["constructs"][0]["items"][0]
    item["customer"]["es"] = "=HYPERLINK(\"http://x\",\"clic\") encontré el producto"
    r = run_cli("questionnaire", "build", write_spec(tmp_path, doc), "--out", tmp_path / "o", "-q")
    assert r.exit_code == 0, r
    ws = load_workbook(tmp_path / "o" / "codebook.xlsx")["Codebook"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "variable")
    header = rows[header_at]
    body = [dict(zip(header, row)) for row in rows[header_at + 1:] if row[0]]
    for col in ("touchpoint", "construct", "component", "customer_es", "staff_es", "scale",
                "codes_and_labels", "missing_codes", "reverse_keyed", "aspiration"):
        assert col in header
    web1 = next(b for b in body if b["variable"] == "web_1")
    assert web1["customer_es"].startswith("=HYPERLINK")
    cell = next(c for c in ws[header_at + 1 + 1 + body.index(web1)] if c.value == web1["customer_es"])
    assert cell.data_type == "s"
    web3 = next(b for b in body if b["variable"] == "web_3")
    assert web3["reverse_keyed"] == "yes" and web3["aspiration"] == 4.5
    assert web3["missing_codes"] == "99 = No sabe / No aplica"
    assert web3["codes_and_labels"].startswith("1 = Totalmente en desacuerdo; 2 = En desacuerdo")
    variables = [b["variable"] for b in body]
    assert len(variables) == len(set(variables)) == 2 + 30 + 4 + 3 + 1
    assert variables[-1] == "motivo"


# --- Qualtrics ----------------------------------------------------------------------

@pytest.mark.parametrize("language", ["es", "en"])
def test_qualtrics_txt_parses_back_to_the_spec(tmp_path, language):
    from cxstats.questionnaire.qualtrics import parse
    from cxstats.spec.load import load_spec

    spec = load_spec(BANK)
    r = run_cli("questionnaire", "build", BANK, "--out", tmp_path, "--language", language, "-q")
    assert r.exit_code == 0, r
    for form in ("customer", "staff"):
        text = (tmp_path / f"qualtrics_{form}.txt").read_text(encoding="utf-8")
        assert text.startswith("[[AdvancedFormat]]\n") and "[[PageBreak]]" in text
        qs = {q.id: q for q in parse(text)}
        for c in spec.constructs():
            tp = next(t for t in spec.touchpoints() if t.id == c.touchpoint)
            for item in c.items:
                q = qs[item.id]
                assert q.type == "MC:SingleAnswer:Horizontal"
                assert q.text == getattr(item, form)[language]
                assert q.block == tp.name[language]
                want = [c.scale.labels[k][language] for k in c.scale.codes] + \
                       [t[language] for t in c.scale.missing.values()]
                assert q.choices == want
        nps = qs["nps"]
        assert nps.choices[0] == spec.outcome("nps").scale.labels[0][language]
        assert nps.choices[1:10] == [str(k) for k in range(1, 10)] and len(nps.choices) == 11
        assert qs["canal_alta"].choices == [v[language] for v in spec.segments[0].values.values()]
        assert qs["motivo"].type == "TE:Essay"
        assert list(qs)[-1] == "motivo"


def test_qualtrics_parser_refuses_garbage():
    from cxstats.questionnaire.qualtrics import parse

    with pytest.raises(ValueError):
        parse("1. a simple-format question\n")
    with pytest.raises(ValueError):
        parse("[[AdvancedFormat]]\nstray text\n")


# --- round trip through the ingest ------------------------------------------------------

def _export(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_round_trip_forms_to_ingest(built, tmp_path):
    """Answers in the shape KoBo/ODK export them (columns = question names) go
    straight into load_survey through codebook.yaml: codes, labels, missing codes,
    reverse-keying and respondent types come back right."""
    survey_mod = pytest.importorskip("cxstats.io.survey")
    from cxstats.questionnaire.exports import export_renames
    from cxstats.spec.load import load_spec

    d = built["electrohogar_compra_online.yaml"]
    spec = load_spec(d / "codebook.yaml")
    form_rows = read_sheet(d / "xlsform_customer.xlsx", "survey")
    columns = [r["name"] for r in form_rows if r["type"] not in ("begin_group", "end_group", "note")]
    choices = read_sheet(d / "xlsform_customer.xlsx", "choices")
    list_of = {r["name"]: r["type"].split()[1] for r in form_rows if str(r["type"]).startswith("select_one")}
    label_of = {(c["list_name"], c["name"]): c["label::Español (es)"] for c in choices}

    def answers(k):  # deterministic answers: item j of respondent k
        out = {}
        for j, name in enumerate(columns):
            if name in list_of:
                codes = [c["name"] for c in choices if c["list_name"] == list_of[name]]
                out[name] = codes[(k + j) % len(codes)]
        return out

    # customers: KoBo export with values (codes), group names left out of the headers
    cust_rows = []
    for k in range(4):
        a = answers(k)
        cust_rows.append([f"c{k}" if n == "id_respuesta" else "cliente" if n == "tipo_encuestado"
                          else "porque sí" if n == "motivo" else a[n] for n in columns])
    cust = _export(tmp_path / "clientes.csv", columns, cust_rows)
    # staff: ODK Central style headers ('web-web_1') exported as labels; renamed with export_renames
    prefixed = []
    group = None
    for r in form_rows:
        if r["type"] == "begin_group":
            group = r["name"]
        elif r["type"] == "end_group":
            group = None
        elif r["type"] != "note":
            prefixed.append(f"{group}-{r['name']}" if group else r["name"])
    renames = export_renames(prefixed, spec)
    assert [renames.get(p, p) for p in prefixed] == columns
    staff_rows = []
    for k in range(3):
        a = answers(10 + k)
        staff_rows.append([f"s{k}" if n == "id_respuesta" else "empleado" if n == "tipo_encuestado"
                           else "" if n == "motivo" else label_of[(list_of[n], a[n])] for n in columns])
    staff_csv = tmp_path / "empleados.csv"
    _export(staff_csv, [renames.get(p, p) for p in prefixed], staff_rows)

    table = survey_mod.load_survey(spec, [(cust, None), (staff_csv, None)])
    data = table.data
    assert list(data["respondent_type"]) == ["customer"] * 4 + ["staff"] * 3
    assert list(data["respondent_id"]) == ["c0", "c1", "c2", "c3", "s0", "s1", "s2"]
    for row, k in enumerate([0, 1, 2, 3, 10, 11, 12]):
        a = answers(k)
        for item in spec.items():
            code = float(a[item.id])
            if code in item.scale.missing:
                expect = None
            else:
                expect = item.scale.reverse(code) if item.reverse else code
            got = data.loc[row, item.id]
            assert (got != got) if expect is None else got == expect, (row, item.id, a[item.id], got)
        nps = float(a["nps"])
        assert data.loc[row, "nps"] == nps
        assert data.loc[row, "region"] == a["region"]
    # a reverse-keyed item was really recoded: web_3 for respondent 0
    assert spec.items()[2].id == "web_3" and spec.items()[2].reverse


def test_export_renames_leaves_ambiguous_headers_alone():
    from cxstats.questionnaire.exports import export_renames
    from cxstats.spec.load import load_spec

    spec = load_spec(DEMO)
    m = export_renames(["web/web_1", "web_2", "web/web_2", "meta-instanceID", "a/nps", "b/nps"], spec)
    assert m == {"web/web_1": "web_1"}


# --- check ----------------------------------------------------------------------------------

def _codes(report, level=None):
    return {f["code"] for f in report["findings"] if level is None or f["level"] == level}


def test_check_warnings_on_a_weak_spec(tmp_path):
    doc = demo_doc()
    tps = doc["journeys"][0]["touchpoints"]
    con = tps[0]["constructs"][0]
    con["items"] = con["items"][:2]                    # 2 items
    del tps[0]["constructs"][1]["aspiration"]          # no aspiration
    for it in tps[1]["constructs"][1]["items"]:        # a construct all reversed
        it["reverse"] = True
    for c in tps[2]["constructs"]:                     # push the reverse share above 1/3
        for it in c["items"]:
            it["reverse"] = True
    tps[3]["constructs"][1]["scale"] = "facilidad7"    # mixed scales in a touchpoint
    tps[3]["constructs"][1]["aspiration"] = 5.5
    del tps[3]["constructs"][0]["items"][0]["customer"]["en"]  # missing translation
    r = run_cli("questionnaire", "check", write_spec(tmp_path, doc), "--json", "-")
    assert r.exit_code == 0, r
    report = r.json()
    assert report["n_errors"] == 0
    assert {"few_items", "no_aspiration", "all_reversed", "reverse_share", "mixed_scales",
            "missing_translation"} <= _codes(report, "warning")
    few = next(f for f in report["findings"] if f["code"] == "few_items")
    assert few["path"] == "journeys[0].touchpoints[0].constructs[0]"
    tr = next(f for f in report["findings"] if f["code"] == "missing_translation")
    assert tr["path"] == "journeys[0].touchpoints[3].constructs[0].items[0].customer"
    assert report["time_assumptions_seconds"]["likert"] == 7


def test_check_estimated_time_and_long_form_warning(tmp_path):
    doc = demo_doc()
    report = run_cli("questionnaire", "check", write_spec(tmp_path, doc), "--json", "-").json()
    # 30 items x 7 + 4 outcomes x 10 + 3 segments x 5 + open 30 + intro 10 = 305 s
    assert report["estimated_minutes"]["customer"] == round(305 / 60, 1)
    assert "long_form" not in _codes(report)
    con = doc["journeys"][0]["touchpoints"][0]["constructs"][0]
    base = con["items"][0]
    con["items"] = [dict(base, id=f"extra_{k}", customer={"es": f"Afirmación {k}.", "en": f"Statement {k}."},
                         staff={"es": f"Afirmación de empleado {k}.", "en": f"Staff statement {k}."})
                    for k in range(60)]
    report = run_cli("questionnaire", "check", write_spec(tmp_path, doc), "--json", "-").json()
    assert "long_form" in _codes(report, "warning")


def test_check_errors_exit_2_and_build_refuses(tmp_path):
    doc = demo_doc()
    items = doc["journeys"][0]["touchpoints"][0]["constructs"][0]["items"]
    items[1]["customer"] = copy.deepcopy(items[0]["customer"])
    items[1]["customer"]["es"] = "  encontré FÁCILMENTE el producto que buscaba. "
    doc["segments"][0]["values"]["norte oeste"] = {"es": "Noroeste", "en": "North-west"}
    spec = write_spec(tmp_path, doc)
    r = run_cli("questionnaire", "check", spec, "--json", str(tmp_path / "c.json"))
    assert_clean_error(r, str(spec), "2 error(s)", "journeys[0].touchpoints[0].constructs[0].items[1].customer",
                       "same customer wording", "contains spaces")
    report = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert report["n_errors"] == 2 and not report["ok"]
    assert _codes(report, "error") == {"duplicate_wording", "segment_code"}
    r = run_cli("questionnaire", "build", spec, "--out", tmp_path / "o")
    assert_clean_error(r, str(spec), "fix them before building")
    assert not (tmp_path / "o").exists()


def test_duplicate_wording_across_touchpoints_is_only_a_warning(tmp_path):
    doc = demo_doc()
    tps = doc["journeys"][0]["touchpoints"]
    tps[1]["constructs"][0]["items"][0]["customer"] = copy.deepcopy(tps[0]["constructs"][0]["items"][0]["customer"])
    report = run_cli("questionnaire", "check", write_spec(tmp_path, doc), "--json", "-").json()
    assert report["n_errors"] == 0 and "duplicate_wording" in _codes(report, "warning")


@pytest.mark.parametrize("command", ["check", "build"])
def test_broken_specs_exit_2_naming_the_yaml_path(tmp_path, command):
    extra = ["--out", str(tmp_path / "o")] if command == "build" else []
    doc = demo_doc()
    doc["journeys"][0]["touchpoints"][1]["constructs"][0]["items"][2]["id"] = "web_1"
    spec = write_spec(tmp_path, doc)
    assert_clean_error(run_cli("questionnaire", command, spec, *extra), str(spec),
                       "journeys[0].touchpoints[1].constructs[0].items[2]", "used twice")
    bad = tmp_path / "bad.yaml"
    bad.write_text("study: {id: x\nscales: [", encoding="utf-8")
    assert_clean_error(run_cli("questionnaire", command, bad, *extra), str(bad), "not valid YAML")
    assert_clean_error(run_cli("questionnaire", command, tmp_path / "nope.yaml", *extra), "no such spec file")
    doc = demo_doc()
    doc["journeys"][0]["touchpoints"][0]["constructs"][0]["aspiration"] = 6
    spec = write_spec(tmp_path, doc, "asp.yaml")
    assert_clean_error(run_cli("questionnaire", command, spec, *extra),
                       "journeys[0].touchpoints[0].constructs[0].aspiration")


def test_build_unknown_language_exits_2(tmp_path):
    r = run_cli("questionnaire", "build", DEMO, "--out", tmp_path, "--language", "fr")
    assert_clean_error(r, "--language", "'fr'", "es, en")


def test_build_json_lists_files(tmp_path):
    r = run_cli("questionnaire", "build", DEMO, "--out", tmp_path, "--json", "-")
    assert r.exit_code == 0, r
    out = r.json()
    assert set(out["files"]) == {"xlsform_customer", "xlsform_staff", "qualtrics_customer",
                                 "qualtrics_staff", "codebook_xlsx", "codebook_yaml"}
    assert all(Path(p).exists() for p in out["files"].values())
    assert out["variables"] == {"items": 30, "outcomes": 4, "segments": 3}
    assert out["generated_staff_wording"] == []
    assert not list(Path(tmp_path).glob(".*.part"))


def test_unusual_specs_still_convert_without_warnings(tmp_path):
    """A decimal (non-integer) scale, a third language with no translations, a
    free-text segment, no outcomes: forms still convert cleanly."""
    from cxstats.spec.load import load_spec

    doc = demo_doc()
    doc["study"]["languages"] = ["es", "en", "pt"]
    doc["scales"]["puntos"] = {"min": 0, "max": 10, "integer": False,
                               "labels": {0: {"es": "Nada"}, 10: {"es": "Todo"}}, "missing": {99: {"es": "NS"}}}
    con = doc["journeys"][0]["touchpoints"][0]["constructs"][0]
    con["scale"], con["aspiration"] = "puntos", 8
    doc["segments"].append({"id": "ciudad", "label": {"es": "Ciudad"}})
    del doc["outcomes"]
    del doc["followup"]  # its rules name the outcomes removed here
    spec = write_spec(tmp_path, doc)
    r = run_cli("questionnaire", "build", spec, "--out", tmp_path / "o", "--language", "pt", "-q")
    assert r.exit_code == 0, r
    for form in ("customer", "staff"):
        pyxform_convert(tmp_path / "o" / f"xlsform_{form}.xlsx")
    survey = {x["name"]: x for x in read_sheet(tmp_path / "o" / "xlsform_customer.xlsx", "survey")}
    assert survey["web_1"]["type"] == "decimal"
    assert survey["web_1"]["constraint"] == "(. >= 0 and . <= 10) or . = 99"
    assert survey["web_1"]["hint::Português (pt)"] == "0 = Nada; 10 = Todo; 99 = NS"
    assert survey["ciudad"]["type"] == "text"
    back = load_spec(tmp_path / "o" / "codebook.yaml")
    assert back.scales["puntos"].integer is False
    report = run_cli("questionnaire", "check", tmp_path / "o" / "codebook.yaml", "--json", "-").json()
    assert "missing_translation" in _codes(report, "warning")  # the codebook does not invent translations
