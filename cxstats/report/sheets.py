"""A result -> workbook: the analysis' layout, then Warnings and Methods sheets."""

from __future__ import annotations


def write_result_workbook(result, path, name: str) -> None:
    """The workbook of one analysis (``cxstats NAME --xlsx``): the same sheets as a plan writes."""
    from cxstats.report.layouts import sheets_for
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder()
    sheets_for(name)(wb, result)
    add_warnings_and_methods(wb, [result])
    wb.save(path)


def add_warnings_and_methods(wb, results) -> None:
    warnings, methods, seen = [], [], set()
    for r in results:
        warnings.extend(getattr(r, "warnings", []) or [])
        for topic, text in r.methods():
            if topic not in seen:
                seen.add(topic)
                methods.append((topic, text))
    if warnings:
        import pandas as pd

        wb.add_table("Warnings", pd.DataFrame({"warning": warnings}), title="Read these before the numbers")
    if methods:
        wb.add_methods(methods)
