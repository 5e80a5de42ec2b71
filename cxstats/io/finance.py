"""The customer-level finance table: read and checked, naming file, column, row and value.

:func:`read_finance` checks the table (ids present and unique, churn 0/1, revenue a number,
share of wallet a proportion) and returns a :class:`FinanceTable` (``respondent_id`` and one
float column per role), which the finance analysis (``analyze_finance``) links to the survey.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import NotANumber, is_blank, parse_number

ROLES = ("churn", "revenue", "share_of_wallet")


def id_text(v):
    """A customer id as comparable text (``12.0`` -> ``12``; blank -> None)."""
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


@dataclass
class FinanceTable:
    """Checked finance data: ``frame`` with ``respondent_id`` and one float column per role."""

    frame: object            # pandas.DataFrame: respondent_id, churn, revenue, share_of_wallet
    file: str
    columns: dict            # role -> column name in the file
    id_column: str
    notes: list = field(default_factory=list)


def read_finance(table, *, id_column: str, columns: dict) -> FinanceTable:
    """Check a finance :class:`~cxstats.io.readers.RawTable` (or path).

    ``columns`` maps roles (``churn``, ``revenue``, ``share_of_wallet``) to column names;
    at least one is needed. Problems raise :class:`InputError` with file, column, row, value.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(table, RawTable):
        table = read_table(table)
    columns = {r: c for r, c in (columns or {}).items() if c}
    bad_roles = [r for r in columns if r not in ROLES]
    if bad_roles:
        raise InputError(f"unknown financial outcome {bad_roles[0]!r}; use {', '.join(ROLES)}", file=table.path)
    if not columns:
        raise InputError("no financial outcome column given (churn, revenue or share_of_wallet)", file=table.path)
    table.require_columns([id_column, *columns.values()])
    frame = table.frame
    if len(frame) == 0:
        raise InputError("the finance file has a header but no rows", file=table.path)
    notes = []
    ids = []
    seen = {}
    for i, v in enumerate(frame[id_column].tolist()):
        t = id_text(v)
        if t is None:
            raise InputError("customer id is empty", file=table.path, column=id_column, row=table.file_row(i), value="")
        if t in seen:
            raise InputError(f"duplicated customer id (also at row {table.file_row(seen[t])}); the finance table "
                             "must have one row per customer", file=table.path, column=id_column,
                             row=table.file_row(i), value=t)
        seen[t] = i
        ids.append(t)
    out = {"respondent_id": ids}
    for role, col in columns.items():
        vals = np.full(len(frame), np.nan)
        for i, v in enumerate(frame[col].tolist()):
            if is_blank(v):
                continue
            if role == "churn" and isinstance(v, str) and v.strip().lower() in ("true", "false", "yes", "no", "si", "sí"):
                vals[i] = 1.0 if v.strip().lower() in ("true", "yes", "si", "sí") else 0.0
                continue
            try:
                x = parse_number(v)
            except NotANumber:
                raise InputError(f"not a number (the {role.replace('_', ' ')} column must be numeric)",
                                 file=table.path, column=col, row=table.file_row(i), value=str(v)) from None
            if role == "churn" and x not in (0.0, 1.0):
                raise InputError("churn must be 0 (stayed) or 1 (left)", file=table.path, column=col,
                                 row=table.file_row(i), value=str(v))
            if role == "share_of_wallet" and not 0.0 <= x <= 100.0:
                raise InputError("share of wallet must be a proportion between 0 and 1 (or a percentage 0-100)",
                                 file=table.path, column=col, row=table.file_row(i), value=str(v))
            vals[i] = x
        if role == "share_of_wallet" and np.isfinite(vals).any() and np.nanmax(vals) > 1.0:
            vals = vals / 100.0
            notes.append(f"share of wallet column '{col}' has values above 1: read as percentages (divided by 100)")
        if not np.isfinite(vals).any():
            raise InputError(f"the {role.replace('_', ' ')} column is empty", file=table.path, column=col)
        out[role] = vals
    return FinanceTable(pd.DataFrame(out), str(table.path), dict(columns), id_column, notes)
