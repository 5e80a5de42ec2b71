"""Reading real survey exports: every mess of issue 11 read right or refused clearly.

The messy files are made by tests/fixtures/messy/make_messy.py (which says how each was made).
Each test failed before the fix it covers (checked against the code of commit e5b7bfc), except
``test_spec_refuses_answers_outside_the_scale``, which documents behaviour ingest already had.
"""

import time

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES, assert_clean_error, run_cli
from cxstats.errors import InputError, SpecError
from cxstats.io.readers import read_table, read_text_file
from cxstats.io.survey import load_survey
from cxstats.io.tables import declared_scale_range, load_numeric, suspected_codes
from cxstats.spec.load import load_spec
from cxstats.spec.yamlfile import read_yaml

MESSY = FIXTURES / "messy"
SPEC = MESSY / "messy_spec.yaml"


def _error(fn, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def _csv(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# 1. missing-value codes outside the 97-99 family -------------------------------------------

def test_minus99_on_a_1_to_7_scale_is_refused_naming_the_cell():
    msg = _error(load_numeric, MESSY / "likert7_minus99.csv", ["sat_1", "sat_2", "sat_3"])
    assert "likert7_minus99.csv" in msg and "column 'sat_1'" in msg and "row 4" in msg
    assert "value '-99'" in msg and "--missing-code -99" in msg


def test_minus99_on_the_command_line_refused_then_declared():
    path = MESSY / "likert7_minus99.csv"
    assert_clean_error(run_cli("describe", path, "--columns", "sat_1,sat_2,sat_3", "--scale-range", "1,7", "--json", "-"),
                       "column 'sat_1'", "row 4", "'-99'", "--missing-code -99")
    ok = run_cli("describe", path, "--columns", "sat_1,sat_2,sat_3", "--scale-range", "1,7",
                 "--missing-code", "-99", "--json", "-")
    assert ok.exit_code == 0, ok


def test_several_negative_declared_missing_codes():
    frame = load_numeric(MESSY / "likert7_minus99.csv", ["sat_1", "sat_3"], missing_codes=(-99, -9))
    assert frame.sat_1.isna().sum() == 1 and frame.sat_3.isna().sum() == 1
    assert frame.sat_1.max() == 7


@pytest.mark.parametrize("values, code", [
    ([1, 2, 3, 4, 5, 0, 3], "0"),          # 0 beside 1-5
    ([1, 2, 3, 4, 5, 9, 3], "9"),          # 9 beside 1-5
    ([1, 2, 3, 4, 5, -9, 3], "-9"),        # -9 beside 1-5
    ([1, 2, 3, 4, 5, -1, 3], "-1"),        # -1 beside 1-5 (no 0: not a bipolar scale)
    ([0, 1, 5, 9, 10, -1, 7], "-1"),       # -1 beside 0-10
    ([1, 2, 3, 4, 5, 98, 3], "98"),        # the old 97-99 rule still holds
])
def test_codes_beside_rating_answers_are_refused(tmp_path, values, code):
    p = _csv(tmp_path, "q\n" + "\n".join(map(str, values)) + "\n")
    msg = _error(load_numeric, p, ["q"])
    assert f"value '{code}'" in msg and f"--missing-code {code}" in msg
    assert f"row {values.index(int(code)) + 2}" in msg


@pytest.mark.parametrize("values", [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],    # NPS 0-10
    [0, 5, 6, 9, 10, 10, 8],               # NPS without the middle
    [-3, -2, -1, 0, 1, 2, 3],              # bipolar scale
    [-3, 0, 1, 2, 3],                      # bipolar scale, few negatives
    [0, 1, 1, 0, 1],                       # a dummy
    [1, 2, 5],                             # three answers only (tests/test_cfa.py)
    [1.5, 2.25, -7.5, 99.0],               # not whole numbers: not a rating column
    [23, 45, 67, 99, 18],                  # ages
    [0, 1, 2, 3, 0, 3],                    # 0-3 (PHQ-style)
    [10, -1],                              # too few answers to tell (nps refuses -1 itself)
    [5, 6, 7, 10, 6],                      # a 1-10 scale with gaps (12 rows of tests/test_sem_command.py)
])
def test_answers_that_are_not_codes_are_kept(values):
    assert suspected_codes(np.array(values, dtype=float))[0] == []


def test_scale_range_keyword_and_context_variable(tmp_path):
    p = _csv(tmp_path, "q\n1\n2\n0\n5\n")
    assert load_numeric(p, ["q"], scale_range=(0, 5)).q.tolist() == [1, 2, 0, 5]  # 0 is an answer here
    msg = _error(load_numeric, p, ["q"], scale_range=(1, 5))
    assert "column 'q'" in msg and "row 4" in msg and "value '0'" in msg and "outside the scale 1-5" in msg
    assert load_numeric(p, ["q"], scale_range=(1, 5), missing_codes=(0,)).q.isna().sum() == 1
    token = declared_scale_range.set((1, 4))
    try:
        msg = _error(load_numeric, p, ["q"])
        assert "row 4" in msg and "value '0'" in msg and "outside the scale 1-4 (2 cell(s) hold 0, 5)" in msg
    finally:
        declared_scale_range.reset(token)
    assert "MIN must be below" in _error(load_numeric, p, ["q"], scale_range=(5, 1))


def test_spec_refuses_answers_outside_the_scale(tmp_path):
    """With a spec the scale comes from the spec (already so before this work)."""
    p = _csv(tmp_path, "id,q1,q2,q3\n1,1,2,3\n2,-99,2,3\n3,0,1,1\n")
    msg = _error(load_survey, load_spec(SPEC), [p])
    assert "column 'q1', row 3, value '-99'" in msg and "outside scale 'lmh3' (1-3; missing codes: 99)" in msg
    assert "row 4, value '0'" in msg


# 2. SPSS/Stata codes vs the spec's labels ---------------------------------------------------

EXPECTED = {"q1": [3, 1, 2, np.nan], "q2": [1, 2, 3, 3], "q3": [2, 3, 1, 1]}  # by label


@pytest.mark.parametrize("name", ["reordered.sav", "reordered.dta"])
def test_labels_numbered_differently_are_recoded_by_label(name):
    survey = load_survey(load_spec(SPEC), [MESSY / name])
    for q, want in EXPECTED.items():
        np.testing.assert_array_equal(survey.data[q].to_numpy(), np.array(want, dtype=float))
    assert len(survey.notes) == 3
    note = survey.notes[0]
    assert name in note and "column 'q1'" in note and "recoded by label" in note
    assert "1 -> 3, 2 -> 1, 3 -> 2" in note and "'high'" in note and "'Low'" in note


def test_unmatched_label_is_refused_naming_both_label_sets():
    msg = _error(load_survey, load_spec(SPEC), [MESSY / "unmatched.sav"])
    assert "unmatched.sav" in msg and "column 'q1'" in msg and "'So-so'" in msg
    assert "file labels {1: 'High', 2: 'Low', 3: 'So-so'}" in msg
    assert "spec scale 'lmh3' labels {1: 'Low', 2: 'Medium', 3: 'High'" in msg


def test_labels_that_agree_up_to_case_and_language_are_read_by_number():
    survey = load_survey(load_spec(SPEC), [MESSY / "agree.dta"])
    assert survey.notes == []
    np.testing.assert_array_equal(survey.data.q2.to_numpy(), [2.0, 3.0, 1.0, 1.0])


def test_unlabelled_code_in_a_recoded_column_is_refused(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"id": [1.0, 2.0], "q1": [1.0, 3.0], "q2": [1.0, 1.0], "q3": [1.0, 1.0]})
    path = tmp_path / "partial.sav"
    pyreadstat.write_sav(df, path, variable_value_labels={"q1": {1: "High", 2: "Low"}})
    msg = _error(load_survey, load_spec(SPEC), [path])
    assert "partial.sav: column 'q1', row 2, value '3.0'" in msg and "code 3 has no value label" in msg


# 3. Stata .dta and SPSS portable .por -------------------------------------------------------

def test_dta_and_por_are_read_with_labels_and_missing_values():
    dta = read_table(MESSY / "reordered.dta")
    assert dta.kind == "dta" and dta.value_labels["q1"][1] == "high"
    assert np.isnan(float(dta.frame.q1.iloc[3]))  # Stata .a (user-missing) -> missing
    sav = read_table(MESSY / "reordered.sav")
    assert np.isnan(sav.frame.q1.iloc[3])  # SPSS user-missing 99 -> missing
    por = read_table(MESSY / "plain.por")
    assert por.kind == "por" and por.row_label == "case"
    survey = load_survey(load_spec(SPEC), [MESSY / "plain.por"])  # names stored in capitals
    np.testing.assert_array_equal(survey.data.q1.to_numpy(), [1.0, 2.0, np.nan])
    assert list(survey.data.respondent_id) == ["1", "2", "3"]


def test_unreadable_dta_is_refused(tmp_path):
    p = tmp_path / "broken.dta"
    p.write_bytes(b"not stata at all")
    assert "not a readable Stata file" in _error(read_table, p)


# 4. legacy Qualtrics exports ---------------------------------------------------------------

def test_legacy_qualtrics_export_is_recognised():
    table = read_table(MESSY / "qualtrics_legacy.csv")
    assert table.kind == "qualtrics-legacy-csv" and table.first_row == 3 and len(table.frame) == 3
    assert table.question_text["q1"] == "Quality of the product"
    survey = load_survey(load_spec(SPEC), [MESSY / "qualtrics_legacy.csv"])
    assert survey.data.q1.tolist() == [1, 3, 2]


def test_legacy_qualtrics_rows_are_numbered_as_in_the_file(tmp_path):
    text = (MESSY / "qualtrics_legacy.csv").read_text(encoding="utf-8").replace(",2,1,1\n", ",2,7,1\n")
    p = _csv(tmp_path, text)
    msg = _error(load_survey, load_spec(SPEC), [p])
    assert msg.count("problem") == 0 and "column 'q2', row 5, value '7'" in msg  # the text row is no answer


# 5. numbers that overflow to infinity ------------------------------------------------------

def test_overflowing_numbers_are_refused_naming_the_cell():
    msg = _error(load_numeric, MESSY / "overflow.csv", ["q1"])
    assert "column 'q1'" in msg and "row 3" in msg and "'1e309'" in msg and "infinity" in msg
    msg = _error(load_numeric, MESSY / "overflow.csv", ["q2"])
    assert "column 'q2'" in msg and "row 4" in msg and "(400 characters)" in msg


def test_overflowing_numbers_are_refused_with_a_spec():
    msg = _error(load_survey, load_spec(SPEC), [MESSY / "overflow.csv"])
    assert "column 'q1', row 3, value '1e309'" in msg and "infinity" in msg


# 6. formulas without a saved result ---------------------------------------------------------

def test_xlsx_formula_without_cached_value_is_refused():
    msg = _error(read_table, MESSY / "formula_no_cache.xlsx")
    assert "column 'q2'" in msg and "row 3" in msg and "'=B3+1'" in msg and "cell C3" in msg


def test_xlsx_formula_with_cached_value_is_read(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(MESSY / "formula_no_cache.xlsx")
    book.active["C3"] = 2  # pasted as a value
    book.save(tmp_path / "ok.xlsx")
    assert load_numeric(tmp_path / "ok.xlsx", ["q2"]).q2.tolist() == [2, 2, 2]


# 7. rows with too few or too many fields ----------------------------------------------------

@pytest.mark.parametrize("name, row, what", [("ragged_short.csv", 3, "fewer"), ("ragged_long.csv", 4, "more")])
def test_ragged_csv_rows_are_refused_naming_the_row(name, row, what):
    msg = _error(read_table, MESSY / name)
    assert name in msg and f"row {row}" in msg and f"{what} than the 4 columns" in msg


def test_quoted_delimiters_and_line_breaks_are_not_ragged(tmp_path):
    p = _csv(tmp_path, 'id,q1,comment\n1,2,"fine, really"\n2,3,"two\nlines"\n3,1,\n')
    assert read_table(p).frame.comment.tolist() == ["fine, really", "two\nlines", ""]


# 8. YAML: duplicated keys, aliases, nesting -------------------------------------------------

def test_duplicated_yaml_key_is_refused_naming_key_and_line():
    with pytest.raises(SpecError) as info:
        load_spec(MESSY / "dup_key_spec.yaml")
    assert "'id' appears twice" in str(info.value) and "line 3" in str(info.value)


@pytest.mark.parametrize("name", ["alias_bomb_plan.yaml", "self_alias_spec.yaml"])
def test_anchors_and_aliases_are_refused_quickly(name):
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        read_yaml(MESSY / name, "plan")
    assert "anchors and aliases" in str(info.value) and "line 1" in str(info.value)
    assert time.perf_counter() - start < 2


def test_deep_nesting_is_refused(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(MESSY / "deep_spec.yaml")
    msg = str(info.value)  # our limit, or libyaml's own (it reads ahead of the events)
    assert "deep_spec.yaml" in msg and ("nested more than" in msg or "maximum nesting depth" in msg)
    p = _csv(tmp_path, "study: " + "[" * 100 + "]" * 100 + "\n", "deep.yaml")
    with pytest.raises(SpecError, match="line 1: nested more than 50 levels"):
        load_spec(p)


def test_plan_with_duplicated_key_and_alias_is_refused_on_the_command_line(tmp_path):
    plan = _csv(tmp_path, "spec: a.yaml\nsteps: [describe]\nspec: b.yaml\n", "plan.yaml")
    assert_clean_error(run_cli("run", plan), "plan.yaml", "'spec' appears twice", "line 3")
    assert_clean_error(run_cli("run", MESSY / "alias_bomb_plan.yaml"), "anchors and aliases")


# 9. never echo a file's content or control characters ---------------------------------------

def test_spec_pointing_at_a_csv_does_not_echo_it(tmp_path):
    secret = "id,q1\n" + "\n".join(f"{i},secret-answer-{i}" for i in range(50)) + "\n"
    data = _csv(tmp_path, secret, "answers.csv")
    plan = _csv(tmp_path, f"spec: {data}\ndata: {data}\nsteps: [describe]\n", "plan.yaml")
    res = run_cli("run", plan)
    assert_clean_error(res, "answers.csv", "not a spec file")
    assert "secret-answer" not in res.stderr
    msg = str(pytest.raises(SpecError, load_spec, data).value)
    assert "secret-answer" not in msg


def test_control_characters_from_data_are_escaped(tmp_path):
    p = _csv(tmp_path, "id,\x1b[2Jq\u202e1\nx\x1b]0;pwned\x07,2\n")
    msg = _error(load_numeric, p, ["nope"])
    assert "\x1b" not in msg and "\u202e" not in msg and "\\x1b[2Jq\\u202e1" in msg
    msg = _error(load_numeric, p, ["id"])
    assert "\x1b" not in msg and "\x07" not in msg and "\\x1b]0;pwned\\x07" in msg
    err = InputError("bad\rthing", column="a\nb")
    assert "\r" not in str(err) and "column 'a\\nb'" in str(err)


# 10. model text that is not UTF-8 -----------------------------------------------------------

def test_read_text_file_refuses_non_utf8_and_binary(tmp_path):
    msg = _error(read_text_file, MESSY / "model_cp1252.lav", "model")
    assert "model_cp1252.lav" in msg and "not UTF-8" in msg and "line 2" in msg
    msg = _error(read_text_file, MESSY / "model_binary.lav", "model")
    assert "binary" in msg and "PK" not in msg
    good = tmp_path / "m.lav"
    good.write_bytes("\ufefff =~ a + b + c\n".encode("utf-8"))
    assert read_text_file(good, "model") == "f =~ a + b + c\n"
    assert "no such model file" in _error(read_text_file, tmp_path / "none.lav", "model")


def test_columns_merely_named_v1_v2_are_not_a_qualtrics_export(tmp_path):
    p = _csv(tmp_path, "V1,V2,V3\nParis,Lyon,Nice\n1,2,3\n")
    table = read_table(p)
    assert table.kind == "csv" and len(table.frame) == 2
