"""Data sets shared by the benchmarks: reference CSVs and the demo study (cached per process)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "tests" / "fixtures" / "reference" / "datasets"

HS_MODEL = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""
HS_ITEMS = [f"x{i}" for i in range(1, 10)]
BFI_ITEMS = [f"{t}{i}" for t in "ACENO" for i in range(1, 6)]

_TMP: list[str] = []


def _cleanup():
    for d in _TMP:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def tempdir(prefix: str = "cxbench-") -> Path:
    d = tempfile.mkdtemp(prefix=prefix)
    _TMP.append(d)
    return Path(d)


@functools.lru_cache(maxsize=None)
def hs():
    import pandas as pd

    return pd.read_csv(DATASETS / "HolzingerSwineford1939.csv")


@functools.lru_cache(maxsize=None)
def bfi(n: int | None = None):
    """The 25 bfi items, all 2,800 rows (missing answers as NaN), optionally the first ``n``."""
    import pandas as pd

    x = pd.read_csv(DATASETS / "bfi.csv")[BFI_ITEMS]
    return x if n is None else x.iloc[:n].reset_index(drop=True)


@functools.lru_cache(maxsize=None)
def demo_study(n_customers: int = 2000, n_staff: int = 200, seed: int = 20261123) -> dict:
    """Demo study written to a temporary folder: {name: path} plus 'spec' and 'folder'."""
    from cxstats.demo.simulate import load_demo_spec, write_demo

    folder = tempdir("cxbench-demo-")
    files = dict(write_demo(folder, seed=seed, n_customers=n_customers, n_staff=n_staff))
    files["spec"] = load_demo_spec()
    files["folder"] = folder
    return files


@functools.lru_cache(maxsize=None)
def demo_survey(n_customers: int = 2000, n_staff: int = 200):
    """SurveyTable of the demo study (customers + staff): items reverse-keyed, 99 -> NaN."""
    from cxstats.io.survey import load_survey

    f = demo_study(n_customers, n_staff)
    return load_survey(f["spec"], [(f["customers.csv"], "customer"), (f["staff.csv"], "staff")])


def demo_scales(spec=None) -> dict:
    """{construct id: [item ids]} of the demo spec (10 constructs x 3 items)."""
    if spec is None:
        from cxstats.demo.simulate import load_demo_spec

        spec = load_demo_spec()
    return {c.id: [i.id for i in c.items] for c in spec.constructs()}


def demo_cfa_model(scales: dict, k: int | None = None) -> str:
    """Lavaan syntax: one factor per construct (the first ``k``)."""
    names = list(scales)[:k] if k else list(scales)
    return "\n".join(f"{c} =~ {' + '.join(scales[c])}" for c in names)
