"""Survey ingest: every messy export named in the spine issue, handled or refused clearly."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.demo.simulate import load_demo_spec, write_demo
from cxstats.errors import InputError
from cxstats.io.readers import read_table
from cxstats.io.survey import load_survey

SPEC = load_demo_spec()
ITEMS = SPEC.item_ids()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, n_customers=120, n_staff=40)
    return folder


def _rows(demo, n=5):
    return pd.read_csv(demo / "customers.csv", dtype=str, nrows=n, keep_default_na=False)


def _write(df, path, **kw):
    text = df.to_csv(index=False, **kw)
    return text


def test_reverse_keying_missing_codes_and_labels(tmp_path, demo):
    df = _rows(demo, 4)
    df.loc[0, "web_3"] = "1"          # reverse-keyed: 1 -> 5
    df.loc[1, "web_1"] = "99"         # "No sabe" code -> missing
    df.loc[2, "web_2"] = "No sabe / No aplica"   # missing label -> missing
    df.loc[0, "csat"] = "Muy satisfecho"         # label -> 5
    df.loc[1, "csat"] = "muy  SATISFECHO "       # case and spaces
    df.loc[2, "ces"] = "Muy dificil"             # accent dropped -> 1
    df.loc[3, "csat"] = "Very dissatisfied"      # English label -> 1
    p = tmp_path / "c.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    d = load_survey(SPEC, [(p, None)]).data
    assert d.loc[0, "web_3"] == 5
    assert np.isnan(d.loc[1, "web_1"]) and np.isnan(d.loc[2, "web_2"])
    assert list(d.csat[:2]) == [5, 5] and d.loc[3, "csat"] == 1 and d.loc[2, "ces"] == 1
    assert list(d.respondent_type) == ["customer"] * 4


def test_latin1_semicolon_decimal_comma_and_bom(tmp_path, demo):
    df = _rows(demo, 3)
    df.loc[0, "ces"] = "Muy difícil"
    df.loc[1, "web_1"] = "4,0"   # decimal comma
    text = df.to_csv(index=False, sep=";")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(text.encode("cp1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + df.to_csv(index=False).encode("utf-8"))
    t = read_table(latin)
    assert t.encoding == "cp1252" and t.delimiter == ";"
    assert "Muy difícil" in t.frame["ces"].tolist()   # accents survive
    for path in (latin, bom):
        d = load_survey(SPEC, [(path, None)]).data
        assert d.loc[0, "ces"] == 1 and d.loc[1, "web_1"] == 4
        assert d.columns[0] == "respondent_id" and d.loc[0, "respondent_id"] == "C000001"


def test_excel_and_spss(tmp_path, demo):
    import pyreadstat

    df = _rows(demo, 5)
    num = df.copy()
    for c in ITEMS + ["nps", "csat", "ces", "recompra"]:
        num[c] = pd.to_numeric(num[c])
    xlsx = tmp_path / "c.xlsx"
    num.to_excel(xlsx, index=False)
    sav = tmp_path / "c.sav"
    pyreadstat.write_sav(num, str(sav), variable_value_labels={"csat": {1.0: "Muy insatisfecho", 5.0: "Muy satisfecho"}})
    t = read_table(sav)
    assert t.value_labels["csat"][5.0] == "Muy satisfecho"
    expect = load_survey(SPEC, [(demo / "customers.csv", None)]).data.head(5)
    for path in (xlsx, sav):
        d = load_survey(SPEC, [(path, None)]).data
        pd.testing.assert_frame_equal(d[ITEMS], expect[ITEMS])


def test_qualtrics_extra_header_rows(tmp_path, demo):
    df = _rows(demo, 3)
    question = {c: f"Pregunta {c}" for c in df.columns}
    import_ids = {c: json.dumps({"ImportId": f"QID{i}"}) for i, c in enumerate(df.columns)}
    q = pd.concat([pd.DataFrame([question, import_ids]), df], ignore_index=True)
    p = tmp_path / "qualtrics.csv"
    p.write_text(q.to_csv(index=False), encoding="utf-8")
    t = read_table(p)
    assert t.kind == "qualtrics-csv" and len(t.frame) == 3 and t.first_row == 4
    assert t.question_text["web_1"] == "Pregunta web_1"
    d = load_survey(SPEC, [(p, None)]).data
    assert list(d.respondent_id) == ["C000001", "C000002", "C000003"]
    # a bad value is reported at its true file row (header + 2 Qualtrics rows + 2)
    q.loc[3, "web_2"] = "8"
    q.to_csv(p, index=False)
    res = run_cli("ingest", p, "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, str(p), "column 'web_2'", "row 5", "'8'", "outside scale 'acuerdo5'")


@pytest.mark.parametrize("column,value,fragment", [
    ("info_2", "7", "outside scale 'acuerdo5' (1-5; missing codes: 99)"),
    ("csat", "Bastante satisfecho", "not a code or answer label of scale 'satisfaccion5'"),
    ("web_1", "3.5", "not a whole code"),
    ("region", "oeste", "unknown value of segment 'region'"),
    ("tipo_encuestado", "proveedor", "unknown respondent type"),
])
def test_bad_cells_name_file_column_row_value(tmp_path, demo, column, value, fragment):
    df = _rows(demo, 6)
    df.loc[3, column] = value
    p = tmp_path / "bad.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    res = run_cli("ingest", p, "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, "bad.csv", f"column '{column}'", "row 5", repr(value), fragment)


def test_many_problems_are_listed_together(tmp_path, demo):
    df = _rows(demo, 6)
    df.loc[1, "web_1"] = "6"
    df.loc[4, "web_2"] = "0"
    p = tmp_path / "bad.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    res = run_cli("ingest", p, "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, "2 problems", "column 'web_2', row 6, value '0'")


def test_duplicated_respondent_ids_refused(tmp_path, demo):
    df = _rows(demo, 5)
    df.loc[4, "id_respuesta"] = "C000002"
    p = tmp_path / "dup.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    res = run_cli("ingest", p, "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, "dup.csv", "column 'id_respuesta'", "row 6", "'C000002'",
                       "duplicated respondent id", "row 3")


def test_missing_column_suggests_near_miss(tmp_path, demo):
    df = _rows(demo, 3).rename(columns={"web_2": "web2"})
    p = tmp_path / "c.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    res = run_cli("ingest", p, "--spec", demo / "questionnaire.yaml")
    assert_clean_error(res, "c.csv", "column 'web_2'", "no such column", "did you mean web2")


def test_empty_and_missing_files(tmp_path, demo):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert_clean_error(run_cli("ingest", empty, "--spec", demo / "questionnaire.yaml"), "empty.csv", "empty")
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(_rows(demo, 1).columns) + "\n", encoding="utf-8")
    assert_clean_error(run_cli("ingest", header_only, "--spec", demo / "questionnaire.yaml"), "no answers")
    assert_clean_error(run_cli("ingest", tmp_path / "nope.csv", "--spec", demo / "questionnaire.yaml"),
                       "nope.csv", "no such file")
    odd = tmp_path / "data.json"
    odd.write_text("{}", encoding="utf-8")
    assert_clean_error(run_cli("ingest", odd, "--spec", demo / "questionnaire.yaml"), "unsupported file type")


def test_inputs_are_never_modified(tmp_path, demo):
    before = (demo / "customers.csv").read_bytes()
    out = tmp_path / "clean.csv"
    res = run_cli("ingest", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml",
                  "--out", out, "--json", tmp_path / "s.json")
    assert res.exit_code == 0, res
    assert (demo / "customers.csv").read_bytes() == before
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["respondents"] == {"customer": 120, "staff": 40}
    clean = pd.read_csv(out)
    raw = pd.read_csv(demo / "customers.csv")
    web3 = raw.web_3.where(raw.web_3 != 99)
    np.testing.assert_allclose(clean.web_3[:120], 6 - web3, equal_nan=True)


def test_staff_labels_and_types_from_the_type_column(demo):
    d = load_survey(SPEC, [demo / "customers.csv", demo / "staff.csv"]).data
    assert (d.respondent_type == "staff").sum() == 40
    assert set(d[d.respondent_type == "staff"].csat.dropna().unique()) <= {1, 2, 3, 4, 5}


def test_input_error_renders_all_fields():
    e = InputError("not a number", file="a.csv", column="q1", row=7, value="x")
    assert str(e) == "a.csv: column 'q1', row 7, value 'x': not a number"


def test_group_prefixed_export_headers_are_recognised(tmp_path, demo):
    df = _rows(demo, 3)
    kobo = df.rename(columns={"web_1": "web/web_1", "nps": "resultados/nps"})
    odk = df.rename(columns={"web_1": "web-web_1"})
    for name, frame in (("kobo.csv", kobo), ("odk.csv", odk)):
        p = tmp_path / name
        p.write_text(frame.to_csv(index=False), encoding="utf-8")
        d = load_survey(SPEC, [(p, None)]).data
        assert list(d.web_1) == [float(v) for v in df.web_1]
    assert list(load_survey(SPEC, [(tmp_path / "kobo.csv", None)]).data.nps) == [float(v) for v in df.nps]


def test_spec_without_id_column_numbers_respondents_by_row(tmp_path, demo):
    import yaml

    from cxstats.spec.load import load_spec

    doc = yaml.safe_load((demo / "questionnaire.yaml").read_text(encoding="utf-8"))
    doc["respondents"]["id_column"] = None
    spec_path = tmp_path / "noid.yaml"
    spec_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    df = _rows(demo, 3).drop(columns=["id_respuesta"])
    p = tmp_path / "wave.csv"
    p.write_text(df.to_csv(index=False), encoding="utf-8")
    d = load_survey(load_spec(spec_path), [(p, None)]).data
    assert list(d.respondent_id) == ["wave:2", "wave:3", "wave:4"]
    res = run_cli("questionnaire", "build", spec_path, "--out", tmp_path / "forms")
    assert res.exit_code == 0, res
