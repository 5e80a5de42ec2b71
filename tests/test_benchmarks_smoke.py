"""Smoke test of benchmarks/: every benchmark runs once on tiny sizes and our result agrees
with the peer's (the same checks ``make bench`` prints), so the scripts do not rot.
Timings are not asserted. R (lavaan) rows are skipped here; peers that are not installed
skip their module."""

import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PEERS = {  # module -> peer packages it needs
    "bench_measurement": ["pingouin", "factor_analyzer"],
    "bench_sem": ["semopy"],
    "bench_ingest": [],
    "bench_gaps": [],
    "bench_drivers": ["pingouin"],
    "bench_pls": ["seminr"],
}

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch):
    from benchmarks import _timing

    monkeypatch.setattr(_timing, "WARMUP", False)


@pytest.mark.parametrize("name", list(PEERS))
def test_benchmark_runs_and_agrees_with_peer(name):
    import importlib

    for pkg in PEERS[name]:
        pytest.importorskip(pkg)
    mod = importlib.import_module(f"benchmarks.{name}")
    rows = mod.rows("tiny", r_peers=False)
    assert rows
    for r in rows:
        assert math.isfinite(r.ours_s) and r.ours_s > 0, r
        if r.check:
            assert r.agrees, f"{r.task}: {r.check} = {r.max_abs_diff:.3g} > {r.tol:g} ({r.peer})"
        d = r.to_dict()
        json.dumps(d)                       # serialisable for --json
        assert d["task"] == r.task


def test_run_all_table_and_json(tmp_path):
    from benchmarks import run_all

    out = tmp_path / "bench.json"
    assert run_all.main(["--size", "tiny", "--only", "gaps", "--no-r", "--blas-threads", "default", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["size"] == "tiny" and data["rows"][0]["agrees"] is True
    assert data["machine"]["cpus"] >= 1


def test_unknown_benchmark_is_refused():
    from benchmarks import run_all

    with pytest.raises(SystemExit):
        run_all.main(["--only", "nope"])
