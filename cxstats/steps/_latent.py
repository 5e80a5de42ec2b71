"""Inputs shared by the latent-variable analyses (``cfa``, ``invariance``, ``sem``): the
constructs of a spec as factors, a plain file's model columns, and data errors named after
the data file on the command line."""

from __future__ import annotations

from typing import Literal

from cxstats.errors import InputError

Missing = Literal["auto", "ml", "listwise"]
Estimator = Literal["ML", "MLR", "MLM"]

def wanted_constructs(spec, constructs) -> list:
    """The spec's constructs named in the ``constructs`` option (default: all of them)."""
    known = {c.id: c for c in spec.constructs()}
    if not constructs:
        return list(known.values())
    bad = [c for c in constructs if c not in known]
    if bad:
        raise InputError(f"unknown construct {bad[0]!r}; use {', '.join(known)}", option="constructs")
    return [known[c] for c in constructs]


def construct_items(spec, data, constructs=None, *, min_items: int = 2):
    """{construct id: [items]} for the wanted constructs, and the ids left out (too few items)."""
    out, skipped = {}, []
    for c in wanted_constructs(spec, constructs):
        items = [i for i in c.item_ids if i in data.columns]
        if len(items) >= min_items:
            out[c.id] = items
        else:
            skipped.append(c.id)
    return out, skipped


def factor_model(spec, data, constructs=None) -> tuple[str, list[str]]:
    """One factor per construct with two or more items: (lavaan syntax, notes)."""
    scales, skipped = construct_items(spec, data, constructs)
    if not scales:
        raise InputError("no construct has two or more items; a CFA needs them", option="constructs")
    notes = []
    if skipped:
        notes.append(f"constructs with fewer than two items left out of the CFA: {', '.join(skipped)}")
    return "\n".join(f"{c} =~ " + " + ".join(items) for c, items in scales.items()), notes


def check_model_columns(names, columns, file=None) -> None:
    """Refuse model variables that are not columns, suggesting near misses."""
    from cxstats.errors import ModelError
    from cxstats.stats.sem import unknown_variable_message

    missing = [n for n in names if n not in columns]
    if missing:
        raise ModelError(unknown_variable_message(missing, list(columns)), file=file)


def group_labels(frame, column: str, *, file=None) -> list:
    """One text label per row of the survey table's ``column`` (None where blank)."""
    if column not in frame.columns:
        raise InputError(f"{column!r} is not a column of the survey table", file=file, option="group")
    return [None if v is None or v != v else str(v) for v in frame[column].tolist()]


def plain_file(ctx, names, group=None, weight=None):
    """The model columns (and the group labels; the ``weight`` column too, when given) of the single
    data file of a command run without a spec; returns (frame, groups, path)."""
    from cxstats.io.readers import read_table
    from cxstats.io.tables import load_column_text, load_numeric

    path = ctx.one_file()
    table = read_table(path)
    check_model_columns(names, list(table.columns), table.path)
    if group:
        table.require_columns([group])
    if weight:
        table.require_columns([weight])
    frame = load_numeric(path, list(names) + ([weight] if weight and weight not in names else []), table=table)
    empty = [c for c in names if frame[c].notna().sum() == 0]
    if empty:
        raise InputError("the column has no numeric values", file=table.path, column=empty[0])
    groups = load_column_text(path, group, table=table) if group else None
    return frame, groups, table.path


def weight_values(frame, column, *, file=None):
    """The sampling weights of the rows (a numeric column of the table), for ``weight``."""
    import pandas as pd

    if column not in frame.columns:
        raise InputError(f"the weight column {column!r} is not a column of the data", file=file, option="weight")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame[column].notna() & values.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError("a sampling weight must be a number", file=file, column=column, row=i + 1,
                         value=frame[column].iloc[i])
    return values.to_numpy(dtype=float)
