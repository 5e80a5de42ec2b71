"""Modification indices (mi, epc, sepc.all) against lavaan 0.6-14's modindices(), and the --modindices option.

References: reference/results/robust_ordinal_hs.json (`ml_modindices`: the 15 largest of the HS CFA) and
reference_extra/robust_reference.json (all of them for a structural model, a std.lv CFA and a two-group CFA;
made by reference_extra/robust_reference.R)."""

import json

import pandas as pd
import pytest

from conftest import DATASETS, FIXTURES, reference, run_cli
from cxstats.stats.cfa import analyze_cfa
from cxstats.stats.sem import fit_sem
from cxstats.stats.sem.modindices import modification_indices
from cxstats.stats.sem_analysis import analyze_sem

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def extra(key):
    return json.loads((FIXTURES / "reference_extra" / "robust_reference.json").read_text())[key]["modindices"]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


def check(mi, ref_rows, *, complete=True):
    if complete:
        assert len(mi) == len(ref_rows)
    ours = {(r.lhs, r.op, r.rhs, getattr(r, "group", 1)): r for r in mi.itertuples(index=False)}
    for r in ref_rows:
        o = ours[(r["lhs"], r["op"], r["rhs"], r.get("group", 1))]
        sepc = r.get("sepc_all", r.get("sepc.all"))
        # tiny indices are optimiser noise (lavaan's own estimates move by ~1e-6): absolute tolerance there
        assert o.mi == pytest.approx(r["mi"], rel=1e-3, abs=1e-4), (r["lhs"], r["op"], r["rhs"])
        assert o.epc == pytest.approx(r["epc"], rel=1e-3, abs=1e-4), (r["lhs"], r["op"], r["rhs"])
        assert o.sepc_all == pytest.approx(sepc, rel=1e-3, abs=1e-4), (r["lhs"], r["op"], r["rhs"])
    # sorted like lavaan's sort. = TRUE
    assert list(mi["mi"]) == sorted(mi["mi"], reverse=True)


def test_cfa_top15_in_lavaan_order(hs):
    ref = reference("robust_ordinal_hs")["ml_modindices"]["modindices"]
    mi = modification_indices(fit_sem(HS_MODEL, hs))
    check(mi.head(15), ref)
    assert [(r.lhs, r.op, r.rhs) for r in mi.head(15).itertuples()] == [(r["lhs"], r["op"], r["rhs"]) for r in ref]
    # 18 cross-loadings and 36 residual covariances; marker loadings (unidentified when freed) left out
    assert len(mi) == 54 and not ((mi.op == "=~") & (mi.rhs == "x1") & (mi.lhs == "visual")).any()


@pytest.mark.parametrize("key,kwargs", [("ml_sem_modindices", {"model": HS_MODEL + "\nspeed ~ visual + textual"}),
                                        ("ml_std_lv_modindices", {"std_lv": True}),
                                        ("ml_two_groups_modindices", {"group": "school"})])
def test_all_indices_match_lavaan(hs, key, kwargs):
    model = kwargs.pop("model", HS_MODEL)
    mi = modification_indices(fit_sem(model, hs, **kwargs))
    ref = extra(key)
    assert len(ref) >= 20  # every index lavaan lists (check asserts the same count, row by row)
    check(mi, ref)
    assert mi["mi"].max() == pytest.approx(max(r["mi"] for r in ref), rel=1e-3)


def test_results_carry_them(hs):
    res = analyze_cfa(hs, HS_MODEL, modindices=5)
    d = res.to_dict()
    assert len(d["modindices"]) == 5 and set(d["modindices"][0]) == {"lhs", "op", "rhs", "mi", "epc", "sepc_all"}
    assert "exploratory" in d["modindices_note"]
    assert "Modification indices" in res.tables() and any(m[0] == "Modification indices" for m in res.methods())
    assert "modindices" not in analyze_cfa(hs, HS_MODEL).to_dict()
    sem = analyze_sem(hs, HS_MODEL + "\nspeed ~ visual + textual", modindices=0)
    assert len(sem.to_dict()["modindices"]) == 54 and "Modification indices" in sem.tables()


def test_fiml(hs):
    """With missing answers (FIML, lavaan missing = "ml"): the FIML gradient and expected information."""
    data = pd.read_csv(FIXTURES / "reference_extra" / "hs_missing.csv")
    fit = fit_sem(HS_MODEL, data, missing="ml")
    check(modification_indices(fit), extra("ml_fiml_modindices"))
    res = analyze_cfa(data, HS_MODEL, modindices=10)
    assert res.missing["method"] == "ml" and len(res.modindices) == 10


def test_cli(hs_path, tmp_path):
    out, xlsx = tmp_path / "cfa.json", tmp_path / "cfa.xlsx"
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--modindices", "--json", out, "--xlsx", xlsx, "--quiet")
    assert res.exit_code == 0, res
    d = json.loads(out.read_text())
    assert len(d["modindices"]) == 20
    assert d["modindices"][0]["mi"] == pytest.approx(36.4109907787165, rel=1e-3)
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    assert "CFA modindices" in wb.sheetnames
    sem_xlsx = tmp_path / "sem.xlsx"
    res = run_cli("sem", hs_path, "--model", HS_MODEL + "\nspeed ~ visual", "--modindices", "3", "--json", "-",
                  "--xlsx", sem_xlsx, "--quiet")
    assert res.exit_code == 0, res
    assert len(res.json()["modindices"]) == 3
    ws = openpyxl.load_workbook(sem_xlsx)["SEM Modification indices"]
    assert any("Exploratory" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    res = run_cli("cfa", hs_path, "--model", HS_MODEL, "--group", "school", "--invariance", "--modindices")
    assert res.exit_code == 2 and "--invariance" in res.stderr
