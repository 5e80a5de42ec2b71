"""The study's language in deliverables (issue 12, item 2): every sheet name, header and note of
the demo plan's workbooks in Spanish with ``lang: es`` / ``--lang es`` and in English with ``en``;
the spec's names shown with the code beside them; the default from the spec's first language;
JSON unchanged whatever the language; ``--lang fr`` refused cleanly."""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest

from conftest import assert_clean_error, run_cli
from cxstats.report import i18n
from cxstats.report.i18n import Display
from cxstats.report.workbook import HEADER_FILL, WorkbookBuilder


# ------------------------------------------------------------------ helpers

def _header_rows(ws):
    """Every table header row of a sheet (cells filled with the header colour), as lists of texts."""
    out = []
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if cells and all(str(c.fill.fgColor.rgb).endswith(HEADER_FILL) for c in cells):
            out.append([c.value for c in cells])
    return out


def _headers(path) -> dict:
    """{sheet name: [header row, ...]} of a workbook."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: _header_rows(ws) for ws in wb.worksheets}


def _all_headers(path) -> set:
    return {h for rows in _headers(path).values() for row in rows for h in row}


def _texts(path) -> list:
    """Every text cell of a workbook (titles, notes, headers, values)."""
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# every English header the layouts register: none may appear in a Spanish workbook's header rows
# (headers identical in both languages - n, NPS, AVE, p (Holm) ... - are left out)
ENGLISH_ONLY = {e["en"] for e in i18n.HEADERS.values() if e["en"] != e["es"] and "{g}" not in e["en"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    res = run_cli("demo", folder, "--force")
    assert res.exit_code == 0, res
    return folder


def _plan_with_lang(demo, lang, tmp):
    text = (demo / "plan.yaml").read_text(encoding="utf-8")
    if lang is not None:
        text = f"lang: {lang}\n" + text
    # only the steps the language checks need (the whole plan's numbers are tested elsewhere)
    text = re.sub(r"  - step: drivers\n    outcome: csat\n    bootstrap: 200\n",
                  "  - step: drivers\n    outcome: csat\n", text)
    text = text.replace("draws: 5000", "draws: 400")
    plan = demo / f"plan_{lang or 'default'}.yaml"
    plan.write_text(text, encoding="utf-8")
    out = tmp / (lang or "default")
    res = run_cli("run", plan, "--out", out, "-q")
    assert res.exit_code == 0, res
    return out


@pytest.fixture(scope="module")
def runs(demo, tmp_path_factory):
    """The demo plan run with ``lang: es``, ``lang: en`` and no lang (the spec's first language)."""
    tmp = tmp_path_factory.mktemp("lang")
    return {lang: _plan_with_lang(demo, lang, tmp) for lang in ("es", "en", None)}


# ------------------------------------------------------------------ the plan's workbooks

def test_spanish_plan_workbooks_have_spanish_sheet_names_headers_and_cover(runs):
    out = runs["es"]
    gap = _headers(out / "demo_gap_workbook.xlsx")
    assert list(gap)[:3] == ["Portada", "Resumen ejecutivo", "Resumen"]
    assert {"Ítems", "Constructos", "Puntos de contacto", "Impulsores", "Avisos", "Métodos"} <= set(gap)
    summary = gap["Resumen"][0]
    for h in ("Nombre", "código", "Media (cliente)", "Media (personal de contacto)", "Brecha (cliente - personal)",
              "Aspiración", "Brecha con la aspiración (cliente)", "g de Hedges", "Tamaño del efecto", "p (Holm)",
              "Significativa"):
        assert h in summary, (h, summary)
    assert gap["Portada"][0] == ["Dato", "Valor"]
    assert ["Grupo", "n", "Promotores", "Pasivos", "Detractores"] == gap["NPS"][0][:5]

    meas = _headers(out / "demo_measurement.xlsx")
    assert {"Descriptivos", "Fiabilidad", "AFC ajuste", "AFC validez", "Invarianza"} <= set(meas)
    rel = meas["Fiabilidad"][0]
    assert {"Escala", "código", "Alfa de Cronbach", "Omega total", "IC 95% inferior"} <= set(rel)
    assert meas["AFC ajuste"][0] == ["Medida", "Valor", "Veredicto"]
    assert {"Fiabilidad compuesta (FC)", "AVE", "raíz(AVE)"} <= set(meas["AFC validez"][0])

    roi = _headers(out / "demo_roi_workbook.xlsx")
    assert {"Supuestos", "Resultados", "Sensibilidad", "Coeficientes"} <= set(roi)
    assert roi["Resultados"][0] == ["Puesto", "Iniciativa", "Nombre", "Coste", "VAN P10", "VAN P50", "VAN P90",
                                    "ROI P50", "Recuperación P50 (meses)", "P(VAN > 0)"]


def test_english_plan_workbooks_have_english_sheet_names_and_plain_headers(runs):
    out = runs["en"]
    gap = _headers(out / "demo_gap_workbook.xlsx")
    assert list(gap)[:3] == ["Cover", "Executive summary", "Summary"]
    summary = gap["Summary"][0]
    for h in ("Name", "code", "Mean (customer)", "Gap (customer - staff)", "Aspiration", "Hedges' g",
              "Effect size", "Significant"):
        assert h in summary, (h, summary)
    meas = _headers(out / "demo_measurement.xlsx")
    assert {"Scale", "Cronbach's alpha", "Omega total"} <= set(meas["Reliability"][0])
    assert meas["CFA fit"][0] == ["Measure", "Value", "Verdict"]
    roi = _headers(out / "demo_roi_workbook.xlsx")
    assert roi["Results"][0] == ["Rank", "Initiative", "Name", "Cost", "NPV P10", "NPV P50", "NPV P90", "ROI P50",
                                 "Payback P50 (months)", "P(NPV > 0)"]
    assert _headers(out / "demo_gap_workbook.xlsx")["Cover"][0] == ["Item", "Value"]


def test_no_english_header_in_a_spanish_workbook(runs):
    for path in sorted(runs["es"].glob("*.xlsx")):
        headers = _all_headers(path)
        # "Gap (customer - staff)" is the gaps layout's header override, not a HEADERS entry
        leaked = sorted(h for h in headers if h in ENGLISH_ONLY or h == "Gap (customer - staff)")
        assert not leaked, (path.name, leaked)
        # and no result column code left as a header where a translation exists
        codes = sorted(h for h in headers if h in i18n.HEADERS and h != Display("es").header(h))
        assert not codes, (path.name, codes)


def test_notes_and_titles_follow_the_language(runs):
    es = _texts(runs["es"] / "demo_gap_workbook.xlsx")
    en = _texts(runs["en"] / "demo_gap_workbook.xlsx")
    assert "Análisis de brechas: cliente frente a personal de contacto" in es
    assert "Gap analysis: customer versus staff" in en
    assert "Gap analysis: customer versus staff" not in es
    assert any(t.startswith("significativa = p de Welch ajustada por Holm") and "Cohen" in t for t in es)
    assert any(".2 small, .5 medium, .8 large" in t for t in en)
    roi_es = _texts(runs["es"] / "demo_roi_workbook.xlsx")
    assert any(t.startswith("BASE DE VALOR") for t in roi_es)


def test_spec_names_shown_with_codes_beside_them(runs, demo):
    from cxstats.spec.load import load_spec

    spec = load_spec(demo / "questionnaire.yaml")
    names_es, names_en = spec.display_names("es"), spec.display_names("en")
    assert names_es["puntualidad_entrega"] != names_en["puntualidad_entrega"]
    for lang, names in (("es", names_es), ("en", names_en)):
        wb = openpyxl.load_workbook(runs[lang] / "demo_gap_workbook.xlsx")
        ws = wb["Constructos" if lang == "es" else "Constructs"]
        header_row = int(ws.freeze_panes[1:]) - 1
        header = [c.value for c in ws[header_row]]
        name_col = header.index("Nombre" if lang == "es" else "Name") + 1
        code_col = header.index("código" if lang == "es" else "code") + 1
        assert code_col == name_col + 1
        pairs = {ws.cell(row=r, column=code_col).value: ws.cell(row=r, column=name_col).value
                 for r in range(header_row + 1, ws.max_row + 1) if ws.cell(row=r, column=code_col).value}
        assert pairs["puntualidad_entrega"] == names["puntualidad_entrega"]
        assert len(pairs) == 10 and all(pairs[c] == names[c] for c in pairs)
        # the code column is the narrow, secondary one
        from openpyxl.utils import get_column_letter

        assert ws.column_dimensions[get_column_letter(code_col)].width <= 22
        # the name and code columns are frozen beside the numbers
        assert ws.freeze_panes == f"{get_column_letter(code_col + 1)}{header_row + 1}"
    # the Summary chart's categories are the names (the chart reads the name column)
    wb = openpyxl.load_workbook(runs["es"] / "demo_gap_workbook.xlsx")
    assert "Puntualidad de la entrega" in [c.value for c in wb["Resumen"]["A"]]


def test_default_language_is_the_specs_first(runs):
    # the demo spec lists [es, en]: a plan without lang writes Spanish
    assert _headers(runs[None] / "demo_gap_workbook.xlsx") == _headers(runs["es"] / "demo_gap_workbook.xlsx")


def test_json_is_the_same_in_every_language(runs):
    docs = [json.loads((runs[k] / "demo_results.json").read_text(encoding="utf-8")) for k in ("es", "en", None)]
    assert docs[0] == docs[1] == docs[2]


# ------------------------------------------------------------------ the command line

def test_cli_lang_sets_the_workbook_language_and_defaults_to_the_spec(demo, tmp_path):
    base = ["gaps", demo / "customers.csv", demo / "staff.csv", "--spec", demo / "questionnaire.yaml", "-q"]
    for lang in ("es", "en", None):
        out = tmp_path / f"g_{lang}.xlsx"
        res = run_cli(*base, "--xlsx", out, *(["--lang", lang] if lang else []), "--json", tmp_path / f"g_{lang}.json")
        assert res.exit_code == 0, res
    es, en, default = (_headers(tmp_path / f"g_{k}.xlsx") for k in ("es", "en", None))
    assert "Brecha (cliente - personal)" in es["Resumen"][0]
    assert "Gap (customer - staff)" in en["Summary"][0]
    assert default == es
    assert list(es)[0] == "Portada" and list(en)[0] == "Cover"
    jsons = {(tmp_path / f"g_{k}.json").read_text(encoding="utf-8") for k in ("es", "en", None)}
    assert len(jsons) == 1


def test_cli_lang_on_a_measurement_command(demo, tmp_path):
    out = tmp_path / "rel.xlsx"
    res = run_cli("reliability", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--lang", "en",
                  "--xlsx", out, "-q")
    assert res.exit_code == 0, res
    h = _headers(out)
    assert "Cronbach's alpha" in h["Reliability"][0]
    assert h["Cover"][0] == ["Item", "Value"]


def test_lang_fr_is_a_clean_error_naming_lang(demo, tmp_path):
    res = run_cli("gaps", demo / "customers.csv", "--spec", demo / "questionnaire.yaml", "--lang", "fr",
                  "--xlsx", tmp_path / "x.xlsx")
    assert_clean_error(res, "--lang", "fr")
    assert not (tmp_path / "x.xlsx").exists()
    res = run_cli("run", demo / "plan.yaml", "--lang", "fr", "--out", tmp_path / "o")
    assert_clean_error(res, "--lang")


def test_plan_lang_fr_is_refused_with_its_yaml_path(demo, tmp_path):
    plan = demo / "plan_fr.yaml"
    plan.write_text("lang: fr\n" + (demo / "plan.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    res = run_cli("run", plan, "--out", tmp_path / "o")
    assert_clean_error(res, "lang", "fr")


def test_help_mentions_lang():
    for cmd in (["gaps"], ["reliability"], ["roi"], ["drivers"], ["run"]):
        res = run_cli(*cmd, "--help")
        assert res.exit_code == 0 and "--lang" in res.stdout, cmd


# ------------------------------------------------------------------ the mechanism

def test_every_registered_text_has_both_languages_and_spanish_differs_where_it_should():
    for table in (i18n.TEXTS, i18n.HEADERS, i18n.SHEETS):
        for key, entry in table.items():
            assert entry.get("en") and entry.get("es"), key
    for name, entry in i18n.SHEETS.items():
        assert len(entry["es"]) <= 31 and len(entry["en"]) <= 31, name


def test_register_refuses_a_key_with_other_words_or_one_language():
    with pytest.raises(ValueError, match="twice"):
        i18n.register(headers={"diff": {"en": "Other", "es": "Otra"}})
    with pytest.raises(ValueError, match="both"):
        i18n.register(texts={"only_en_key_for_test": {"en": "x"}})


def test_effect_size_labels_follow_cohens_thresholds():
    d = Display("es")
    got = [d.effect_size(x) for x in (0.0, 0.19, -0.2, 0.49, 0.5, -0.79, 0.8, 2.5, float("nan"), None)]
    assert got == ["despreciable", "despreciable", "pequeño", "pequeño", "mediano", "mediano", "grande", "grande",
                   "", ""]
    assert Display("en").effect_size(-0.55) == "medium"


def test_headers_translate_at_write_time_while_table_refs_keep_codes(tmp_path):
    b = WorkbookBuilder(Display("es", {"web": "Facilidad web"}))
    df = pd.DataFrame({"name": ["web", "otro"], "mean_customer": [4.1, 3.2], "pvalue": [0.0001, 0.2]})
    ref = b.add_table("Summary", df, title="t")
    assert list(ref.columns) == ["name", "code", "mean_customer", "pvalue"]
    b.add_bar_chart(ref, "name", ["mean_customer"], title="x")
    b.save(tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Resumen"]
    assert [c.value for c in ws[ref.header_row]] == ["Nombre", "código", "Media (cliente)", "p"]
    assert [ws.cell(row=r, column=1).value for r in (ref.first_row, ref.last_row)] == ["Facilidad web", "otro"]
    assert ws.cell(row=ref.first_row, column=4).number_format == '[<0.001]"<0.001";0.000'


def test_resolve_lang():
    assert i18n.resolve_lang(None, ["es", "en"]) == "es"
    assert i18n.resolve_lang(None, ["fr", "en"]) == "en"
    assert i18n.resolve_lang(None, None) == "en"
    assert i18n.resolve_lang("en", ["es"]) == "en"
    with pytest.raises(ValueError):
        i18n.resolve_lang("fr")


def test_every_layout_registers_its_words_without_conflict():
    """Each layout registers its words at import; two layouts giving one key different words
    would fail only when both are imported in one run (a plan), so import them all here."""
    import importlib
    import pkgutil

    import cxstats.report.layouts as layouts
    from cxstats.report import i18n

    names = [m.name for m in pkgutil.iter_modules(layouts.__path__)]
    assert {"gaps", "track", "profiles", "followup", "immediacy"} <= set(names)
    for name in names:
        importlib.import_module(f"cxstats.report.layouts.{name}")
    for table in (i18n.TEXTS, i18n.HEADERS):
        for key, entry in table.items():
            assert entry.get("en") and entry.get("es"), key


# ------------------------------------------------------------------ row labels and value texts (issue 12)

def _column(ws, col=1):
    return [ws.cell(row=r, column=col).value for r in range(1, ws.max_row + 1)]


def _rows(ws):
    """{first cell: [the row's other cells]} of a sheet."""
    return {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows() if row[0].value is not None}


# English row labels and value texts the report layer translates: none may be a cell of a Spanish workbook
ENGLISH_LABELS = {
    "missing: method", "missing: n_rows", "missing: n_complete", "missing: patterns", "rmsea_ci_lower",
    "rmsea_ci_upper", "logl", "unrestricted_logl", "baseline_chisq", "baseline_df", "fmin", "bic2", "chisq", "npar",
    "ntotal", "fit verdict", "fit verdict rule", "fit cut-offs missed",
    "default 8% a year", "default 3 years", "value chain", "what the benefit counts", "customers' answers",
    "customer-level churn / revenue", "initiatives, constructs, uplifts, costs, timing, reach",
    "not given: 1, revenue counted as value (overstates the ROI by 1/margin)",
}


def test_spanish_fit_rows_and_verdict_values_are_spanish(runs):
    wb = openpyxl.load_workbook(runs["es"] / "demo_measurement.xlsx")
    for sheet in ("AFC ajuste", "SEM ajuste"):
        rows = _rows(wb[sheet])
        for label in ("datos perdidos: método", "datos perdidos: filas incompletas", "RMSEA: IC 90% inferior",
                      "RMSEA: IC 90% superior", "AIC", "BIC", "log-verosimilitud", "chi-cuadrado", "gl",
                      "chi-cuadrado (modelo de independencia)", "veredicto de ajuste"):
            assert label in rows, (sheet, label)
        assert rows["veredicto de ajuste"][0] in ("bueno", "aceptable", "deficiente"), rows["veredicto de ajuste"]
        assert rows["regla del veredicto"][0].startswith("Hu y Bentler (1999): bueno con CFI >= .95")
        assert rows["umbrales no alcanzados"][0] == "ninguno"
        # the numbers are the result's: n incomplete is the FIML warning's 217 whatever the language
        assert rows["datos perdidos: filas incompletas"][0] == 217
    en = _rows(openpyxl.load_workbook(runs["en"] / "demo_measurement.xlsx")["CFA fit"])
    assert en["missing: method"][0] == "ml" and en["fit verdict"][0] in ("good", "acceptable", "poor")
    assert en["rmsea_ci_lower"][0] == _rows(wb["AFC ajuste"])["RMSEA: IC 90% inferior"][0]


def test_spanish_roi_assumptions_are_spanish_with_codes_beside_and_formats_kept(runs):
    ws = openpyxl.load_workbook(runs["es"] / "demo_roi_workbook.xlsx")["Supuestos"]
    rows = _rows(ws)
    assert rows["tasa de descuento"][:4] == ["discount_rate", 0.08, "tasa", "por defecto, 8 % anual"]
    assert rows["horizonte (años)"][:4] == ["horizon_years", 3, "años", "por defecto, 3 años"]
    assert rows["margen"][0] == "margin" and rows["margen"][3].startswith("no indicado: 1")
    value = rows["valor anual de un cliente"]
    assert re.fullmatch(r"media de 'ingresos_12m' en \d+ clientes enlazados \(finance\.csv\)", value[3]), value
    assert rows["CFI del SEM"][0] == "sem_cfi" and rows["CFI del SEM"][3] == "cadena de valor"
    assert rows["abandono: pendiente"][0] == "churn:slope"
    assert any(str(k).startswith("impulsor: Puntualidad de la entrega") for k in rows)
    # number formats still follow each assumption's code (rates as %, money, counts)
    for r in range(1, ws.max_row + 1):
        code = ws.cell(row=r, column=2).value
        if code == "discount_rate":
            assert ws.cell(row=r, column=3).number_format == "0.0%"
        elif code == "linked_customers":
            assert ws.cell(row=r, column=3).number_format == "#,##0"
    en = _rows(openpyxl.load_workbook(runs["en"] / "demo_roi_workbook.xlsx")["Assumptions"])
    assert en["discount_rate"][:3] == [0.08, "rate", "default 8% a year"]


def test_no_translated_english_label_in_a_spanish_workbook(runs):
    for path in sorted(runs["es"].glob("*.xlsx")):
        texts = set(_texts(path))
        leaked = sorted(texts & ENGLISH_LABELS)
        assert not leaked, (path.name, leaked)
        # the fit table's rule cell (the Methods prose, in English by design, may quote it)
        from cxstats.stats.sem.diagnostics import FIT_RULE
        assert FIT_RULE not in texts, path.name
    # and they are there in English (the list is not a list of texts that never occur)
    english = set().union(*(set(_texts(p)) for p in runs["en"].glob("*.xlsx")))
    assert {"missing: method", "rmsea_ci_lower", "default 8% a year", "value chain", "fit verdict"} <= english
    assert FIT_RULE in english


def test_spanish_methods_sheet_says_the_notes_are_in_english(runs):
    for path in sorted(runs["es"].glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        if wb.sheetnames == ["cases", "summary"]:  # the follow-up list for the CRM: data, not a report
            continue
        ws = wb["Métodos"]
        said = any(isinstance(v, str) and v.startswith("Las notas de método están en inglés")
                   for v in _column(ws)[:4])
        # the follow-up workbook's notes are all written in Spanish (methods(lang)): nothing to say
        assert said == (path.name != "demo_followup_workbook.xlsx"), path.name
        if not said:
            assert "Lista de seguimiento" in _column(ws)
    for path in sorted(runs["en"].glob("*.xlsx")):
        assert not any("method notes are in English" in t for t in _texts(path)), path.name


def test_efa_adequacy_statistics_are_translated_by_localize():
    from cxstats.report.layouts import efa  # noqa: F401  (registers its words)

    df = pd.DataFrame({"statistic": ["KMO overall MSA", "Bartlett chi-square", "chi-square (likelihood)"],
                       "value": [0.9, 1234.5, 56.7]})
    es = Display("es").localize(df)
    assert list(es["statistic"]) == ["KMO global (MSA)", "chi-cuadrado de Bartlett", "chi-cuadrado (verosimilitud)"]
    assert list(es["value"]) == [0.9, 1234.5, 56.7]
    assert list(Display("en").localize(df)["statistic"]) == list(df["statistic"])


def test_fit_rule_text_is_the_stats_rule():
    """The Spanish fit rule replaces the result's rule cell only when it is that exact text."""
    from cxstats.report import verdicts  # noqa: F401  (registers its words)
    from cxstats.stats.sem.diagnostics import FIT_RULE

    assert i18n.TEXTS["fit_value:rule"]["en"] == FIT_RULE
