"""The roadmap table of the ROI: initiatives, the construct each improves, uplift, cost, timing
and reach, checked cell by cell.

Ranges. ``uplift``, ``cost`` and ``customers_reached`` may be given as a range: add the columns
``<field>_low`` and ``<field>_high`` beside ``<field>`` (the most likely value, the mode; a column
``<field>_mode`` may stand in for ``<field>``), e.g. ``uplift_low, uplift, uplift_high``. The ROI's
Monte Carlo then draws the field from a triangular distribution (low, mode, high), seeded, together
with the coefficients, so that the P10-P90 band covers it; the point estimate uses the mode. Both
ends must be given (or both left empty: no range for that row) and low <= mode <= high.
"""

from __future__ import annotations

import math

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import NotANumber, is_blank, parse_number

ROADMAP_COLUMNS = ("initiative", "name", "construct", "uplift", "cost", "months_to_effect", "customers_reached")
OPTIONAL_COLUMNS = ("name",)
RANGE_FIELDS = ("uplift", "cost", "customers_reached")


def read_roadmap(table, constructs=None) -> list[dict]:
    """A roadmap RawTable (or path) -> one dict per initiative (``id``, ``name``, ``construct``,
    ``uplift``, ``cost``, ``months_to_effect``, ``customers_reached``, ``ranges`` ({field: (low, high)}
    for the fields given as a range), ``row``: the fields of the ROI's ``Initiative``); every problem
    names file, column, row, value.
    ``constructs``: the known construct ids (an unknown one is refused, with a close match)."""
    if not isinstance(table, RawTable):
        table = read_table(table)
    frame = table.frame
    for f in RANGE_FIELDS:   # <field>_mode stands in for <field>
        if f not in frame.columns and f"{f}_mode" in frame.columns:
            frame = frame.rename(columns={f"{f}_mode": f})
    table.frame = frame
    table.require_columns([c for c in ROADMAP_COLUMNS if c not in OPTIONAL_COLUMNS])
    if len(table.frame) == 0:
        raise InputError("the roadmap has a header but no initiatives", file=table.path)
    out, seen = [], set()
    known = list(constructs) if constructs is not None else None
    for i, rec in enumerate(table.frame.to_dict(orient="records")):
        row = table.file_row(i)

        def num(col, *, minimum=0.0, strict=False, what="a number"):
            v = rec.get(col)
            if is_blank(v):
                raise InputError(f"{col} is empty", file=table.path, column=col, row=row, value="")
            try:
                x = parse_number(v)
            except NotANumber:
                raise InputError(f"not a number ({what})", file=table.path, column=col, row=row,
                                 value=str(v)) from None
            if not math.isfinite(x) or (x <= minimum if strict else x < minimum):
                raise InputError(f"{col} must be {'greater than' if strict else 'at least'} {minimum:g} ({what})",
                                 file=table.path, column=col, row=row, value=str(v))
            return x

        ident = rec.get("initiative")
        if is_blank(ident):
            raise InputError("initiative id is empty", file=table.path, column="initiative", row=row, value="")
        ident = str(int(ident)) if isinstance(ident, float) and ident.is_integer() else str(ident).strip()
        if ident in seen:
            raise InputError("initiative id appears twice", file=table.path, column="initiative", row=row, value=ident)
        seen.add(ident)
        construct = "" if is_blank(rec.get("construct")) else str(rec["construct"]).strip()
        if known is not None and construct not in known:
            import difflib

            close = difflib.get_close_matches(construct, known, n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputError(f"unknown construct{hint} (known: {', '.join(known)})", file=table.path,
                             column="construct", row=row, value=construct)
        name = rec.get("name")
        what = {"uplift": "scale points the construct score rises", "cost": "a cost cannot be negative",
                "customers_reached": "a count of customers cannot be negative"}
        minimum = {"uplift": -1e300, "cost": 0.0, "customers_reached": 0.0}
        ranges = {}
        for f in RANGE_FIELDS:
            lo_c, hi_c = f"{f}_low", f"{f}_high"
            has_lo = lo_c in rec and not is_blank(rec.get(lo_c))
            has_hi = hi_c in rec and not is_blank(rec.get(hi_c))
            if not has_lo and not has_hi:
                continue
            if has_lo != has_hi:
                gone = hi_c if has_lo else lo_c
                raise InputError(f"a range needs both {lo_c} and {hi_c}", file=table.path, column=gone, row=row,
                                 value="")
            lo = num(lo_c, minimum=minimum[f], what=what[f])
            hi = num(hi_c, minimum=minimum[f], what=what[f])
            mode = num(f, minimum=minimum[f], what=what[f])
            if not lo <= mode <= hi:
                raise InputError(f"the range must satisfy {lo_c} <= {f} <= {hi_c} ({lo:g} <= {mode:g} <= {hi:g})",
                                 file=table.path, column=lo_c if lo > mode else hi_c, row=row,
                                 value=str(rec.get(lo_c if lo > mode else hi_c)))
            ranges[f] = (lo, hi)
        out.append(dict(
            id=ident, name=ident if is_blank(name) else str(name), construct=construct,
            uplift=num("uplift", minimum=-1e300, what="scale points the construct score rises"),
            cost=num("cost", what="a cost cannot be negative"),
            months_to_effect=num("months_to_effect", what="months until the effect starts"),
            customers_reached=num("customers_reached", what="a count of customers cannot be negative"),
            ranges=ranges, row=row))
    return out
