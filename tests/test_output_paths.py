"""Output paths a researcher can get wrong: exit 2 with a message naming the path, never a traceback."""

from conftest import FIXTURES, assert_clean_error, run_cli

MOBI = FIXTURES / "data" / "mobi.csv"
REL = ("reliability", MOBI, "--scale", "sat=CUSA1,CUSA2,CUSA3", "-q")


def test_json_path_in_a_folder_that_cannot_exist_exits_2(tmp_path):
    blocker = tmp_path / "afile.txt"
    blocker.write_text("x")
    target = blocker / "out.json"            # the 'folder' is a file: cannot be created
    res = run_cli(*REL, "--json", target)
    assert_clean_error(res, str(target), "cannot write an output file")


def test_xlsx_path_in_a_folder_that_cannot_exist_exits_2(tmp_path):
    blocker = tmp_path / "afile.txt"
    blocker.write_text("x")
    res = run_cli(*REL, "--xlsx", blocker / "sub" / "out.xlsx")
    assert_clean_error(res, "out.xlsx", "cannot write an output file")


def test_json_path_that_is_a_folder_exits_2(tmp_path):
    res = run_cli(*REL, "--json", tmp_path)
    assert_clean_error(res, str(tmp_path), "is a folder")


def test_xlsx_to_a_missing_folder_creates_it(tmp_path):
    target = tmp_path / "new" / "rel.xlsx"
    res = run_cli(*REL, "--xlsx", target)
    assert res.exit_code == 0, res
    assert target.stat().st_size > 0


def test_questionnaire_build_to_unwritable_folder_exits_2(tmp_path):
    blocker = tmp_path / "afile.txt"
    blocker.write_text("x")
    res = run_cli("questionnaire", "build", FIXTURES.parents[1] / "questionnaires" / "mobi_ecsi.yaml",
                  "--out", blocker / "forms")
    assert_clean_error(res, "forms", "cannot create the output folder")
