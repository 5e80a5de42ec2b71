"""The fielding block: contact/response times in the formats researchers receive, read
without guessing; impossible times flagged per row; the spec block validated by YAML path."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import assert_clean_error, run_cli
from cxstats.errors import InputError, SpecError
from cxstats.io.survey import load_survey
from cxstats.io.timestamps import TimeProblem, lag_hours, parse_time_cell, parse_time_column
from cxstats.spec.load import parse_spec

BASE = {
    "study": {"id": "t", "languages": ["es", "en"]},
    "respondents": {"id_column": "id"},
    "scales": {"s5": {"min": 1, "max": 5}, "s10": {"min": 0, "max": 10}},
    "journeys": [{"id": "j", "touchpoints": [{"id": "tp", "constructs": [
        {"id": "c", "component": "interaction", "scale": "s5",
         "items": [{"id": "i1", "customer": "uno"}, {"id": "i2", "customer": "dos"}]}]}]}],
    "outcomes": [{"id": "nps", "type": "nps", "scale": "s10", "customer": "recomendar"}],
}


def spec_with(**fielding):
    doc = dict(BASE, fielding=fielding)
    return parse_spec(doc, "study.yaml"), doc


def frame(contact, response, **extra):
    n = len(response)
    d = {"id": [f"r{i}" for i in range(n)], "i1": [3] * n, "i2": [4] * n, "nps": [9] * n,
         "contacto": contact, "respuesta": response}
    d.update(extra)
    return pd.DataFrame(d)


def load(df, tmp_path, name="x.csv", **fielding):
    fielding.setdefault("contact_time", "contacto")
    fielding.setdefault("response_time", "respuesta")
    spec, _ = spec_with(**fielding)
    path = tmp_path / name
    if name.endswith(".xlsx"):
        df.to_excel(path, index=False)
    else:
        path.write_text(df.to_csv(index=False), encoding="utf-8")
    return load_survey(spec, [(path, None)])


# ------------------------------------------------------------------------------ spec block

def test_spec_fielding_defaults_and_values():
    spec, _ = spec_with(contact_time="contacto", response_time="respuesta", channel="modo",
                        channels={"Web": "CAWI", "Teléfono IVR": "IVR"}, wave="ola",
                        date_order="dmy", timezone="Europe/Madrid")
    f = spec.fielding
    assert f.max_lag_hours == 48.0 and f.date_order == "dmy" and f.timezone == "Europe/Madrid"
    assert f.channels == {"web": "CAWI", "telefono ivr": "IVR"}
    assert parse_spec(BASE, "s.yaml").fielding is None


@pytest.mark.parametrize("fielding, path, words", [
    ({"contact_time": "c"}, "fielding.response_time", "is required"),
    ({"response_time": "r", "max_lag_hours": -4}, "fielding.max_lag_hours", "positive"),
    ({"response_time": "r", "max_lag_hours": "48h"}, "fielding.max_lag_hours", "expected a number"),
    ({"response_time": "r", "date_order": "ddmm"}, "fielding.date_order", "dmy"),
    ({"response_time": "r", "timezone": "Madrid"}, "fielding.timezone", "Europe/Madrid"),
    ({"response_time": "r", "channel": "m", "channels": {"web": "EMAIL"}}, "fielding.channels.web", "CAWI"),
    ({"response_time": "r", "wave": "ola", "wave_period": "month"}, "fielding.wave_period", "not both"),
    ({"response_time": "r", "wave_period": "fortnight"}, "fielding.wave_period", "week, month or quarter"),
    ({"response_time": "r", "lag": 3}, "fielding.lag", "unknown key"),
    ({"response_time": "r", "touchpoints": {"x": "tp"}}, "fielding.touchpoints", "touchpoint column"),
    ({"response_time": "r", "touchpoint": "pc", "touchpoints": {"Entrega": "entrega"}},
     "fielding.touchpoints.Entrega", "not a touchpoint of the journeys (tp)"),
    ({"response_time": "r", "touchpoint": 3}, "fielding.touchpoint", "name of a column"),
])
def test_spec_fielding_errors_name_the_path(fielding, path, words):
    with pytest.raises(SpecError) as err:
        parse_spec(dict(BASE, fielding=fielding), "study.yaml")
    assert err.value.path == path and words in str(err.value), str(err.value)


def test_reserved_column_names_are_refused():
    doc = dict(BASE, fielding={"response_time": "r"},
               segments=[{"id": "wave", "values": {"1": "uno"}}])
    with pytest.raises(SpecError, match="reserved"):
        parse_spec(doc, "s.yaml")


# ------------------------------------------------------------------------------ cell formats

@pytest.mark.parametrize("cell, order, expected", [
    ("2026-03-05", None, "2026-03-05 00:00:00"),
    ("2026-03-05 14:22", None, "2026-03-05 14:22:00"),
    ("2026-03-05 14:22:10", None, "2026-03-05 14:22:10"),           # Qualtrics StartDate/RecordedDate
    ("2026-03-05T14:22:10.250+01:00", None, "2026-03-05 14:22:10.250000+01:00"),  # KoBo start/end
    ("2026-03-05T13:22:10Z", None, "2026-03-05 13:22:10+00:00"),
    ("2026/03/05 14:22", None, "2026-03-05 14:22:00"),
    ("05/03/2026 14:22", "dmy", "2026-03-05 14:22:00"),
    ("5.3.2026", "dmy", "2026-03-05 00:00:00"),
    ("03/05/2026 2:22", "mdy", "2026-03-05 02:22:00"),
])
def test_cell_formats(cell, order, expected):
    assert str(parse_time_cell(cell, date_order=order)) == expected


@pytest.mark.parametrize("cell, order, words", [
    ("05/03/2026 14:22", None, "ambiguous"),
    ("25/03/2026", None, "ambiguous"),                 # even when the day gives it away: no guessing
    ("31/02/2026", "dmy", "impossible date"),
    ("13/25/2026", "mdy", "impossible date"),
    ("05/03/26", "dmy", "two-digit year"),
    ("2026-02-30 10:00", None, "impossible"),
    ("ayer por la tarde", None, "not a date"),
    (45356.5, None, "bare number"),
])
def test_bad_cells_are_refused_with_a_reason(cell, order, words):
    with pytest.raises(TimeProblem, match=words):
        parse_time_cell(cell, date_order=order)


def test_excel_serials_and_date_cells():
    # 45356.5 = 2024-03-05 12:00 (Excel 1900 system; =DATE(2024,3,5)+0.5 in Excel)
    assert parse_time_cell(45356.5, excel=True) == pd.Timestamp("2024-03-05 12:00")
    assert parse_time_cell(1, excel=True) == pd.Timestamp("1899-12-31")
    assert parse_time_cell(dt.datetime(2024, 3, 5, 9, 30), excel=True) == pd.Timestamp("2024-03-05 09:30")
    with pytest.raises(TimeProblem, match="serial"):
        parse_time_cell(-3, excel=True)


def test_timezone_naive_times_are_local_and_returned_in_utc():
    values, problems = parse_time_column(["2026-01-15 10:00", "2026-07-15 10:00", "2026-07-15T10:00Z", None],
                                         timezone="Europe/Madrid")
    assert not problems
    assert list(pd.to_datetime(values[:3]).strftime("%H:%M")) == ["09:00", "08:00", "10:00"]  # CET, CEST
    assert np.isnat(values[3])
    # 02:30 on the spring-forward night does not exist in Madrid: refused, not shifted
    values, problems = parse_time_column(["2026-03-29 02:30"], timezone="Europe/Madrid")
    assert problems and problems[0][0] == 0 and "Europe/Madrid" in problems[0][2]


def test_lag_hours():
    c = np.array(["2026-03-05T10:00", "NaT"], dtype="datetime64[ns]")
    r = np.array(["2026-03-06T22:30", "2026-03-06T22:30"], dtype="datetime64[ns]")
    lag = lag_hours(c, r)
    assert lag[0] == pytest.approx(36.5) and np.isnan(lag[1])


# ------------------------------------------------------------------------------ files

def test_csv_iso_and_qualtrics_formats(tmp_path):
    df = frame(["2026-03-05 10:00", "2026-03-05T10:00:00+01:00", ""],
               ["2026-03-06 09:00:00", "2026-03-05T12:00:00Z", "2026-03-07 10:00"])
    d = load(df, tmp_path).data
    assert d.lag_hours[0] == pytest.approx(23.0)
    assert d.lag_hours[1] == pytest.approx(3.0)       # 09:00Z contact, 12:00Z answer
    assert np.isnan(d.lag_hours[2])                    # no contact time: no lag, not an error


def test_csv_spanish_day_first_declared(tmp_path):
    df = frame(["05/03/2026 10:00", "28/02/2026 23:00"], ["06/03/2026 09:30", "01/03/2026 01:00"])
    d = load(df, tmp_path, date_order="dmy", timezone="Europe/Madrid").data
    assert list(d.lag_hours) == pytest.approx([23.5, 2.0])
    assert str(d.response_time[0]) == "2026-03-06 08:30:00"  # Madrid (CET) -> UTC


@pytest.mark.parametrize("cell, order, words", [
    ("05/03/2026 10:00", None, "ambiguous"),
    ("31/02/2026 10:00", "dmy", "impossible"),
    ("2026-13-01 10:00", None, "impossible"),
    ("mañana", None, "not a date"),
])
def test_a_bad_row_names_file_column_row_and_value(tmp_path, cell, order, words):
    df = frame(["2026-03-05 10:00"] * 3, ["2026-03-06 09:00", cell, "2026-03-06 09:00"])
    with pytest.raises(InputError) as err:
        load(df, tmp_path, **({"date_order": order} if order else {}))
    e = err.value
    assert (e.column, e.row, e.value) == ("respuesta", 3, cell) and words in str(e), str(e)
    assert str(e.file).endswith("x.csv")


def test_xlsx_serials_and_date_cells(tmp_path):
    df = frame([45356.25, dt.datetime(2024, 3, 5, 6, 0)], [45356.5, dt.datetime(2024, 3, 5, 18, 0)])
    d = load(df, tmp_path, name="x.xlsx").data
    assert list(d.lag_hours) == pytest.approx([6.0, 12.0])


def test_xlsx_bad_row(tmp_path):
    df = frame([45356.25, 45356.25], [45356.5, "no consta"])
    with pytest.raises(InputError) as err:
        load(df, tmp_path, name="x.xlsx")
    assert (err.value.column, err.value.row, err.value.value) == ("respuesta", 3, "no consta")


def test_impossible_times_are_flagged_per_row_not_used(tmp_path):
    df = frame(["2026-03-05 10:00", "2026-03-05 10:00", "2026-03-05 10:00"],
               ["2026-03-05 09:00", "2099-01-01 00:00", "2026-03-05 11:00"])
    t = load(df, tmp_path)
    assert list(t.data.time_flag) == ["response_before_contact", "future", None]
    assert np.isnan(t.data.lag_hours[0]) and np.isnan(t.data.lag_hours[1]) and t.data.lag_hours[2] == 1.0
    text = " ".join(t.notes)
    assert "before the contact (row 2)" in text and "in the future (row 3)" in text


def test_missing_contact_column_still_loads_and_says_so(tmp_path):
    df = frame(["x"], ["2026-03-05 11:00"]).drop(columns="contacto")
    t = load(df, tmp_path)
    assert np.isnan(t.data.lag_hours[0]) and any("immediacy" in n for n in t.notes)


def test_channels_mapped_and_waves(tmp_path):
    df = frame(["2026-03-05 10:00"] * 3, ["2026-03-05 11:00", "2026-04-05 11:00", "2026-04-06 11:00"],
               modo=["web", "Teléfono", "APP"])
    t = load(df, tmp_path, channel="modo", channels={"Web": "CAWI", "telefono": "IVR", "app": "APP"},
             wave_period="month")
    assert list(t.data.survey_mode) == ["CAWI", "IVR", "APP"]
    assert list(t.data.wave) == ["2026-03", "2026-04", "2026-04"]
    df["modo"] = ["web", "carta", "app"]
    with pytest.raises(InputError) as err:
        load(df, tmp_path, channel="modo", channels={"Web": "CAWI", "app": "APP"})
    assert (err.value.column, err.value.row, err.value.value) == ("modo", 3, "carta")


def test_touchpoint_column_mapped_by_id_name_or_spec_mapping(tmp_path):
    """fielding.touchpoint: each answer's touchpoint, as the journey's id; without a mapping a
    cell may give the touchpoint's id or its name in any language (case/accents ignored);
    an unknown value is refused naming file, column, row and value."""
    base = dict(BASE, journeys=[{"id": "j", "touchpoints": [
        {**BASE["journeys"][0]["touchpoints"][0], "name": {"es": "Entrega a domicilio", "en": "Home delivery"}}]}])
    doc = dict(base, fielding={"contact_time": "contacto", "response_time": "respuesta", "touchpoint": "pc"})
    spec = parse_spec(doc, "s.yaml")
    df = frame(["2026-03-05 10:00"] * 4, ["2026-03-05 11:00"] * 4,
               pc=["tp", "ENTREGA A DOMICILIO", "Home delivery", None])
    path = tmp_path / "x.csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    t = load_survey(spec, [(path, None)])
    assert list(t.data.contact_touchpoint) == ["tp", "tp", "tp", None]
    df["pc"] = ["tp", "tp", "Pedido", "tp"]
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_survey(spec, [(path, None)])
    assert (err.value.column, err.value.row, err.value.value) == ("pc", 4, "Pedido")
    assert "x.csv" in str(err.value) and "not a touchpoint" in str(err.value)
    doc["fielding"]["touchpoints"] = {"Pedido": "tp", "Entrega": "tp"}
    df["pc"] = ["pedido", "Entrega", "ENTREGA", None]
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    t = load_survey(parse_spec(doc, "s.yaml"), [(path, None)])
    assert list(t.data.contact_touchpoint) == ["tp", "tp", "tp", None]
    df["pc"] = ["pedido", "Entrega", "ENTREGA", "tp"]
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    with pytest.raises(InputError) as err:  # with a mapping, only the mapped values are known
        load_survey(parse_spec(doc, "s.yaml"), [(path, None)])
    assert (err.value.column, err.value.row, err.value.value) == ("pc", 5, "tp")


def test_cli_refuses_ambiguous_dates_with_exit_2(tmp_path):
    _, doc = spec_with(contact_time="contacto", response_time="respuesta")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    df = frame(["2026-03-05 10:00"] * 2, ["2026-03-06 09:00", "06/03/2026 09:00"])
    (tmp_path / "d.csv").write_text(df.to_csv(index=False), encoding="utf-8")
    res = run_cli("describe", tmp_path / "d.csv", "--spec", tmp_path / "s.yaml")
    assert_clean_error(res, "d.csv", "respuesta", "row 3", "06/03/2026 09:00", "ambiguous", "date_order")


def test_questionnaire_adds_the_fielding_fields(tmp_path):
    """The customer XLSForm gets the contact time, channel and wave as hidden fields and the
    response time as the form's end timestamp (pyxform converts it without warnings); the
    staff form does not; the codebook says where each comes from."""
    from pyxform.xls2xform import convert

    from cxstats.demo.waves import tracking_spec_text

    (tmp_path / "s.yaml").write_text(tracking_spec_text(), encoding="utf-8")
    res = run_cli("questionnaire", "build", tmp_path / "s.yaml", "--out", tmp_path / "forms", "--quiet")
    assert res.exit_code == 0, res
    from openpyxl import load_workbook

    def survey(name):
        rows = list(load_workbook(tmp_path / "forms" / f"xlsform_{name}.xlsx")["survey"].iter_rows(values_only=True))
        return {r[1]: r[0] for r in rows[1:]}

    cust = survey("customer")
    assert {k: cust[k] for k in ("fecha_contacto", "modo_encuesta", "punto_contacto", "ola", "fecha_respuesta")} == {
        "fecha_contacto": "hidden", "modo_encuesta": "hidden", "punto_contacto": "hidden", "ola": "hidden",
        "fecha_respuesta": "end"}
    assert "fecha_contacto" not in survey("staff")
    warnings = []
    xform = convert(str(tmp_path / "forms" / "xlsform_customer.xlsx"), warnings=warnings).xform
    assert warnings == [] and "fecha_contacto" in xform and "jr:preloadParams=\"end\"" in xform
    rows = list(load_workbook(tmp_path / "forms" / "codebook.xlsx")["Codebook"].iter_rows(values_only=True))
    roles = {r[0]: r[1] for r in rows if r and r[1] and str(r[1]).startswith("fielding")}
    assert roles == {"fecha_contacto": "fielding (contact time)", "modo_encuesta": "fielding (survey channel)",
                     "punto_contacto": "fielding (touchpoint)", "ola": "fielding (wave)",
                     "fecha_respuesta": "fielding (response time)"}
