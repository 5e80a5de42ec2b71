"""JSON output: plain, deterministic, NaN as null.

The same input and seed give byte-identical JSON: keys keep the order the
result objects give them, floats are written with Python's shortest repr,
and NaN / infinity become ``null`` (as R's NA in the reference files).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

from cxstats.report.atomic import write_text


def to_jsonable(obj):
    """Turn results (dataclasses with ``to_dict``), numpy and pandas objects into plain JSON data."""
    if hasattr(obj, "to_dict") and not _is_pandas(obj):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    mod = type(obj).__module__
    if mod.startswith("numpy"):
        import numpy as np
        if isinstance(obj, np.ndarray):
            return to_jsonable(obj.tolist())
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return to_jsonable(float(obj))
    if _is_pandas(obj):
        import pandas as pd
        if isinstance(obj, pd.DataFrame):
            return to_jsonable(obj.to_dict(orient="records"))
        if isinstance(obj, pd.Series):
            return to_jsonable(obj.to_dict())
    if obj.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return str(obj)


def _is_pandas(obj) -> bool:
    return type(obj).__module__.startswith("pandas")


def dumps(obj) -> str:
    return json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(obj, path: str) -> None:
    """Write ``obj`` as JSON to ``path``; ``-`` means standard output."""
    text = dumps(obj)
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(path, text)
