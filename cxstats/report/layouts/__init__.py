"""The one workbook layout of each analysis: ``layouts/NAME.py`` defines ``sheets(builder, result)``.

``cxstats NAME --xlsx`` and the plan's workbook use the same function, so the sheets of an
analysis look the same wherever they are written. An analysis without a layout module gets
the default: one sheet per table of ``result.tables()``. Layouts import result types (for
annotations), never statistics functions.
"""

from __future__ import annotations

import importlib


def default_sheets(builder, result) -> None:
    """One sheet per table of the result."""
    for name, df in result.tables().items():
        builder.add_table(name, df, title=name)


def sheets_for(name: str):
    """The ``sheets(builder, result)`` function of analysis ``name``."""
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        return default_sheets
    return getattr(module, "sheets", default_sheets)


def files_for(name: str):
    """The ``files(result, options, out_dir, display=, study=) -> [paths]`` function of analysis
    ``name``: files a plan writes beside its workbooks (charts), or None."""
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        return None
    return getattr(module, "files", None)
