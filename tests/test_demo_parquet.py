"""``cxstats demo --format parquet``: the demo study in chunks (cxstats/demo/parquet.py).

References: the row counts and ids by DuckDB; the generator's memory by tracemalloc (numpy and
pandas report their buffers to it) and by a spy on the Parquet writer; the truth by closed forms
(NPS shares of a rounded N(7, 5); item means in truth.json from the rounded-normal formula) against
estimates computed here with numpy from the files; the engine's numbers against the pandas path on
CSV copies of the same rows (tests/test_engine_duckdb.py ``same_numbers``)."""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pytest

from tests.conftest import assert_clean_error, run_cli

duckdb = pytest.importorskip("duckdb")

from cxstats.demo import parquet as pq  # noqa: E402


def _sql(sql: str, frame: bool = False):
    """A query on its own DuckDB connection: all rows (or a pandas DataFrame)."""
    con = duckdb.connect()
    try:
        cur = con.execute(sql)
        return cur.df() if frame else cur.fetchall()
    finally:
        con.close()


def _rows(path, sql_tail="") -> list:
    return _sql(f"SELECT * FROM read_parquet('{path}') {sql_tail}")


def _frame(path):
    return _sql(f"SELECT * FROM read_parquet('{path}')", frame=True)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """40,000 customers in 4 parts of 10,000, 2,000 staff."""
    d = tmp_path_factory.mktemp("demo_parquet")
    pq.write_parquet_demo(d, seed=11, n_customers=40_000, n_staff=2_000, chunk_rows=10_000)
    return d


def test_small_chunks_give_several_parts_with_every_row_once(tmp_path):
    seen = []
    written = pq.write_parquet_demo(tmp_path, seed=3, n_customers=2_500, n_staff=60, chunk_rows=1_000,
                                    progress=lambda done, total: seen.append((done, total)))
    parts = sorted(p.name for p in (tmp_path / "customers").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert set(written) == {"customers", "staff.parquet", "questionnaire.yaml", "truth.json", "plan.yaml"}
    glob = tmp_path / "customers" / "*.parquet"
    [(n, ids, lo, hi)] = _sql(f"SELECT count(*), count(DISTINCT id_respuesta), min(id_respuesta), "
                              f"max(id_respuesta) FROM read_parquet('{glob}')")
    assert (n, ids, lo, hi) == (2_500, 2_500, "C000001", "C002500")
    per_part = [_sql(f"SELECT count(*) FROM read_parquet('{tmp_path / 'customers' / p}')")[0][0] for p in parts]
    assert per_part == [1_000, 1_000, 500]
    staff = _frame(tmp_path / "staff.parquet")
    assert len(staff) == 60 and staff["id_respuesta"].is_unique and set(staff["tipo_encuestado"]) == {"empleado"}
    assert set(staff["csat"]) <= {"Muy insatisfecho", "Insatisfecho", "Ni satisfecho ni insatisfecho",
                                  "Satisfecho", "Muy satisfecho"}   # exported with labels, as staff.csv
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["n_customers"] == 2_500 and truth["generator"]["parts"] == 3 and "finance" not in truth


def test_the_writer_gets_at_most_one_chunk_at_a_time(tmp_path, monkeypatch):
    from cxstats.engine import duck

    sizes, real = [], duck.write_frame_parquet
    monkeypatch.setattr(duck, "write_frame_parquet", lambda frame, path: (sizes.append(len(frame)), real(frame, path)))
    pq.write_parquet_demo(tmp_path, n_customers=3_500, n_staff=40, chunk_rows=1_000)
    assert sizes == [1_000, 1_000, 1_000, 500, 40]   # four customer parts, then the staff


def _peak(tmp_path, n, chunk) -> int:
    tracemalloc.start()
    try:
        pq.write_parquet_demo(tmp_path, n_customers=n, n_staff=20, chunk_rows=chunk, force=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_chunks(tmp_path):
    chunk = 20_000
    pq.write_parquet_demo(tmp_path / "warm", n_customers=100, n_staff=20, chunk_rows=chunk)  # imports, caches
    one = _peak(tmp_path / "one", chunk, chunk)
    four = _peak(tmp_path / "four", 4 * chunk, chunk)
    assert one > chunk * 30 * 8          # the chunk's 30 item columns (int64) are traced: the test can see rows
    assert four < 1.25 * one, (one, four)   # all rows at once would take about 4 x


def test_same_seed_same_files_other_seed_other_data(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        pq.write_parquet_demo(tmp_path / name, seed=seed, n_customers=1_500, n_staff=30, chunk_rows=600)
    for rel in ("customers/part-00000.parquet", "customers/part-00002.parquet", "staff.parquet",
                "truth.json", "plan.yaml"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    a = _rows(tmp_path / "a" / "customers" / "*.parquet", "ORDER BY id_respuesta")
    c = _rows(tmp_path / "c" / "customers" / "*.parquet", "ORDER BY id_respuesta")
    assert len(a) == len(c) == 1_500 and a != c


def _within(estimate, truth, se, what):
    assert abs(estimate - truth) <= 4 * se, (what, estimate, truth, se)


def test_the_truth_is_recovered_from_the_files(big):
    from scipy.stats import norm

    truth = json.loads((big / "truth.json").read_text(encoding="utf-8"))
    cust = _frame(big / "customers" / "*.parquet")
    staff = _frame(big / "staff.parquet")
    assert len(cust) == 40_000 and len(staff) == 2_000
    for item, t in truth["items"].items():
        for frame, key in ((cust, "customer_mean"), (staff, "staff_mean")):
            x = frame[item].to_numpy(dtype=float)
            x = x[x != 99]                        # "No sabe"
            if t["reverse"]:
                x = 6 - x                         # recorded reversed on the 1-5 scale
            _within(x.mean(), t[key], x.std(ddof=1) / math.sqrt(len(x)), (item, key))
    # NPS: clip(floor(7 + 2 L + e + 0.5), 0, 10), L and e independent N(0, 1): a rounded N(7, 5)
    nps = cust["nps"].to_numpy()
    sd = math.sqrt(5.0)
    for share, p in (((nps >= 9).mean(), norm.sf(1.5 / sd)), ((nps <= 6).mean(), norm.cdf(-0.5 / sd))):
        _within(share, p, math.sqrt(p * (1 - p) / len(nps)), "nps share")
        assert truth["nps"]["promoters"] == pytest.approx(norm.sf(1.5 / sd), rel=1e-12)
    for col, probs in (("region", pq.REGION_P), ("canal", pq.CHANNEL_P), ("antiguedad", pq.TENURE_P)):
        for level, p in probs.items():
            _within((cust[col] == level).mean(), p, math.sqrt(p * (1 - p) / len(cust)), (col, level))
    dk = (cust[list(truth["items"])] == 99).to_numpy().mean()
    _within(dk, 0.004, math.sqrt(0.004 * 0.996 / (40_000 * 30)), "don't know")


def test_csv_demo_above_200000_customers_is_refused_with_the_way_out(tmp_path):
    assert_clean_error(run_cli("demo", tmp_path / "d", "--customers", 200_001), "--format parquet")
    assert not (tmp_path / "d").exists()


def test_cli_writes_the_parquet_demo_and_refuses_to_overwrite_it(tmp_path):
    r = run_cli("demo", tmp_path, "--format", "parquet", "--customers", 500, "--staff", 40, "-q")
    assert r.exit_code == 0, r
    assert [p.name for p in (tmp_path / "customers").iterdir()] == ["part-00000.parquet"]
    assert not (tmp_path / "customers.csv").exists() and not (tmp_path / ".customers-writing").exists()
    assert_clean_error(run_cli("demo", tmp_path, "--format", "parquet", "--customers", 500), "--force")
    (tmp_path / "customers" / "part-00007.parquet").write_bytes(b"from a bigger run")  # a stale part
    assert run_cli("demo", tmp_path, "--format", "parquet", "--customers", 500, "--force", "-q").exit_code == 0
    assert [p.name for p in (tmp_path / "customers").iterdir()] == ["part-00000.parquet"]   # not read later


def test_the_generated_plan_runs_on_duckdb_and_equals_pandas(tmp_path):
    from tests.test_engine_duckdb import same_numbers

    d = tmp_path / "demo"
    pq.write_parquet_demo(d, seed=2, n_customers=3_000, n_staff=150, chunk_rows=1_000)
    r = run_cli("run", d / "plan.yaml", "--out", tmp_path / "out", "-q")
    assert r.exit_code == 0, r
    doc = json.loads((tmp_path / "out" / "demo_results.json").read_text(encoding="utf-8"))
    assert [s["step"] for s in doc["steps"]] == ["reliability", "gaps", "nps", "drivers", "cfa"]
    assert doc["engines"]["duckdb"]["passes"] > 0
    # pandas on CSV copies of the same rows
    for src, name in ((d / "customers" / "*.parquet", "customers.csv"), (d / "staff.parquet", "staff.csv")):
        _sql(f"COPY (SELECT * FROM read_parquet('{src}') ORDER BY id_respuesta) "
                       f"TO '{tmp_path / name}' (HEADER)")
    ref = run_cli("reliability", tmp_path / "customers.csv", tmp_path / "staff.csv", "--spec",
                  d / "questionnaire.yaml", "--engine", "pandas", "--json", "-", "-q")
    assert ref.exit_code == 0, ref
    same_numbers(ref.json(), doc["steps"][0]["result"])
    assert ref.json()["scales"][0]["items"][0]["n"] > 2_900
