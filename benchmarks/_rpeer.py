"""Optional R peers (lavaan) run through ``Rscript``; every R row is skipped with a note
when R or the package is missing.

Timing happens *inside* R with ``system.time`` around each repeat, so R start-up and
package loading are not counted. The R script prints one line ``RESULT <json>``.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

R_TIMER = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
bench <- function(expr_fn, repeats, warmup = expr_fn) {
  warmup()                                    # warm-up (byte-compilation, caches)
  t <- numeric(repeats); out <- NULL
  for (i in seq_len(repeats)) t[i] <- system.time(out <- expr_fn())[["elapsed"]]
  list(median = median(t), times = t, out = out)
}
emit <- function(x) cat("RESULT", toJSON(x, auto_unbox = TRUE, digits = NA, na = "null"), "\n")
"""


@functools.lru_cache(maxsize=None)
def available(package: str = "lavaan") -> str | None:
    """The package version if ``Rscript`` can load it, else None."""
    if shutil.which("Rscript") is None:
        return None
    try:
        out = subprocess.run(["Rscript", "-e", f'suppressPackageStartupMessages(library({package})); '
                              f'cat("VERSION", as.character(packageVersion("{package}")), "\\n")'],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.stdout.splitlines():
        if line.startswith("VERSION "):
            return line.split()[1]
    return None


def skip_reason(package: str = "lavaan") -> str:
    if shutil.which("Rscript") is None:
        return "Rscript not found: R rows skipped"
    return f"R package {package} not installed: R rows skipped"


def run(code: str, timeout: float = 600) -> dict:
    """Run ``R_TIMER + code`` with Rscript; returns the JSON of its RESULT line."""
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_TIMER + "\n" + code)
        path = fh.name
    try:
        out = subprocess.run(["Rscript", "--vanilla", path], capture_output=True, text=True, timeout=timeout)
    finally:
        Path(path).unlink(missing_ok=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"Rscript failed (exit {out.returncode}): {out.stderr.strip()[-800:]}")


def r_string(text: str) -> str:
    """A Python string as an R string literal."""
    return json.dumps(text)
