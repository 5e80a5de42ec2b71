"""Shared timing helpers for the benchmark scripts (not part of the cxstats package).

* :func:`timed` - median wall-clock time of repeated calls (time.perf_counter).
* :func:`interleaved` - ours and a peer timed in the same run, alternating
  (ours, peer), (peer, ours), ... so that a burst of load from other users of a
  shared machine hits both sides alike; the ratio is peer median / ours median.
  :func:`interleaved_many` does the same for several callables.
* :func:`pin_blas_threads` - limit OpenBLAS/MKL/OpenMP threads *before* numpy is
  imported (see README: on the shared 2-core VM, two BLAS threads competing with
  other users made small matrix products 10-30x slower and timings erratic).
* :class:`Row` - one line of the results table, with the agreement check.
* :func:`vm` - VmHWM / VmRSS of this process (Linux), for memory notes.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

WARMUP = True   # one untimed call of each side first; the smoke test turns it off

BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_blas_threads(n: int | None = 1) -> str:
    """Set the BLAS thread variables to ``n`` unless the user set them (call before numpy
    is imported; later it has no effect). ``n=None`` leaves the library defaults."""
    if n is None:
        return os.environ.get("OPENBLAS_NUM_THREADS", "default")
    for var in BLAS_VARS:
        os.environ.setdefault(var, str(n))
    return os.environ["OPENBLAS_NUM_THREADS"]


def timed(fn: Callable[[], Any], repeats: int):
    """(median seconds, all times, last output) of ``repeats`` calls of ``fn``."""
    times, out = [], None
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, out


def interleaved_many(fns: dict, repeats: dict | int, warmup: bool | None = None) -> dict:
    """Time several callables in one run, rotating the order every round
    (a b c, b c a, c a b, ...); ``repeats`` per name (an int for all). One untimed
    warm-up call of each unless ``warmup`` is False.
    Returns ``{name: {"median", "times", "out"}}``."""
    warmup = WARMUP if warmup is None else warmup
    names = list(fns)
    reps = repeats if isinstance(repeats, dict) else {k: repeats for k in names}
    if warmup:
        for k in names:
            if reps.get(k, 0):
                fns[k]()
    times = {k: [] for k in names}
    outs = {k: None for k in names}
    i = 0
    while any(len(times[k]) < reps.get(k, 0) for k in names):
        for k in names[i % len(names):] + names[:i % len(names)]:
            if len(times[k]) < reps.get(k, 0):
                t = time.perf_counter()
                outs[k] = fns[k]()
                times[k].append(time.perf_counter() - t)
        i += 1
    return {k: {"median": statistics.median(times[k]) if times[k] else math.nan, "times": times[k],
                "out": outs[k]} for k in names}


def interleaved(ours: Callable[[], Any], peer: Callable[[], Any] | None, repeats: int,
                peer_repeats: int | None = None, warmup: bool | None = None) -> dict:
    """Time ``ours`` and ``peer`` alternately in one run: (ours, peer), (peer, ours), ...

    ``peer_repeats`` (default ``repeats``) may be smaller for a slow peer: the two
    alternate while both have runs left, then the rest of ours run. One untimed
    warm-up call of each (imports, caches) unless ``warmup`` is False.
    Returns ``{ours_median, peer_median, ours_times, peer_times, ours_out, peer_out}``.
    """
    peer_repeats = repeats if peer_repeats is None else peer_repeats
    fns = {"ours": ours}
    if peer is not None:
        fns["peer"] = peer
    r = interleaved_many(fns, {"ours": repeats, "peer": peer_repeats if peer is not None else 0}, warmup)
    p = r.get("peer", {"median": math.nan, "times": [], "out": None})
    return {"ours_median": r["ours"]["median"], "ours_times": r["ours"]["times"], "ours_out": r["ours"]["out"],
            "peer_median": p["median"], "peer_times": p["times"], "peer_out": p["out"]}


def vm(key: str = "VmHWM") -> float:
    """VmHWM (peak) or VmRSS of this process in MiB (Linux /proc); NaN elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


@dataclass
class Row:
    """One benchmark result. ``ratio`` = peer median / ours median (> 1: we are faster)."""
    task: str
    ours_s: float
    peer: str = ""
    peer_s: float = math.nan
    check: str = ""
    max_abs_diff: float = math.nan
    tol: float = math.nan
    runs: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        if not (self.ours_s > 0) or not math.isfinite(self.peer_s):
            return math.nan
        return self.peer_s / self.ours_s

    @property
    def agrees(self) -> bool | None:
        if not math.isfinite(self.max_abs_diff) or not math.isfinite(self.tol):
            return None
        return bool(self.max_abs_diff <= self.tol)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ratio"] = self.ratio
        d["agrees"] = self.agrees
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def compare_row(task: str, res: dict, *, peer: str, check: str = "", diff: float = math.nan,
                tol: float = math.nan, note: str = "", peer_scale: float = 1.0, extra=None) -> Row:
    """A :class:`Row` from an :func:`interleaved` result; ``peer_scale`` multiplies the peer's
    median (e.g. 500 / 20 to extrapolate 20 semopy replicates to 500)."""
    return Row(task=task, ours_s=res["ours_median"], peer=peer, peer_s=res["peer_median"] * peer_scale,
               check=check, max_abs_diff=float(diff), tol=tol,
               runs=f"{len(res['ours_times'])}/{len(res['peer_times'])}", note=note, extra=extra or {})


def fmt_s(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 0.1:
        return f"{x:.2f} s"
    if x >= 0.001:
        return f"{x * 1000:.1f} ms"
    return f"{x * 1e6:.0f} µs"
