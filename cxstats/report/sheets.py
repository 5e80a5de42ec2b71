"""Generic result -> workbook layout (one sheet per table, warnings, methods)."""

from __future__ import annotations


def write_result_workbook(result, path, write_sheets=None) -> None:
    from cxstats.report.workbook import WorkbookBuilder

    wb = WorkbookBuilder()
    if write_sheets is not None:
        write_sheets(wb, result)
    else:
        add_result_sheets(wb, result)
    add_warnings_and_methods(wb, [result])
    wb.save(path)


def add_result_sheets(wb, result, prefix: str = "") -> None:
    for name, df in result.tables().items():
        wb.add_table(f"{prefix}{name}", df, title=name)


def add_warnings_and_methods(wb, results) -> None:
    warnings, methods, seen = [], [], set()
    for r in results:
        warnings.extend(getattr(r, "warnings", []) or [])
        for topic, text in (r.methods() if hasattr(r, "methods") else []):
            if topic not in seen:
                seen.add(topic)
                methods.append((topic, text))
    if warnings:
        import pandas as pd

        wb.add_table("Warnings", pd.DataFrame({"warning": warnings}), title="Read these before the numbers")
    if methods:
        wb.add_methods(methods)
