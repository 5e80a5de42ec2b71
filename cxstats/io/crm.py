"""The CRM extract joined to the answers by customer id (the spec's ``crm:`` block).

:func:`read_crm` reads the extract (one row per customer) and checks it: every declared column
is there, no customer id is empty or given twice, a segment's values are the spec's codes (or
their labels), a measure is a number. :func:`join_crm` brings each answer its customer's CRM
segments and measures, and counts what did not join. :func:`raw_columns` fetches columns of the
export files that the survey table does not keep (customer ids, timestamps, comments).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import InputError


@dataclass
class CrmLink:
    """How the answers joined the CRM extract (counts of answers, not customers)."""

    file: str
    n_crm_customers: int         # rows (customers) of the CRM extract
    n_answers: int
    n_matched: int               # answers whose customer is in the extract
    n_unmatched: int             # answers with a customer id the extract does not have
    n_no_id: int                 # answers without a customer id
    segments: dict = field(default_factory=dict)   # spec segment -> CRM column
    measures: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)    # segment -> answers whose survey value the CRM replaced

    def to_dict(self) -> dict:
        from pathlib import Path

        return {"file": Path(self.file).name, "n_crm_customers": self.n_crm_customers,
                "n_answers": self.n_answers, "n_matched": self.n_matched, "n_unmatched": self.n_unmatched,
                "n_no_id": self.n_no_id, "segments": dict(self.segments), "measures": list(self.measures),
                "changed": dict(self.changed)}

    def warnings(self) -> list[str]:
        out = []
        name = self.file
        if self.n_unmatched:
            out.append(f"{self.n_unmatched} of {self.n_answers} answer(s) have a customer id that is not in the "
                       f"CRM extract {name}: they keep the survey's segment values and have no CRM measures")
        if self.n_no_id:
            out.append(f"{self.n_no_id} answer(s) have no customer id: not joined to the CRM extract")
        for seg, n in self.changed.items():
            if n:
                out.append(f"segment {seg!r}: the CRM's value replaced a different survey value in {n} answer(s)")
        return out


def _ids(series):
    """Customer ids as text (12.0 -> '12', spaces trimmed); blanks -> None."""
    import numpy as np

    from cxstats.io.values import MISSING_TOKENS

    def text(v):
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()

    out = np.array([None if v is None or v != v else text(v) for v in series.tolist()], dtype=object)
    out[[t is None or not t or t.lower() in MISSING_TOKENS for t in out]] = None
    return out


def read_crm(path, spec):
    """The CRM extract as a DataFrame indexed by customer id (text), with one column per CRM
    segment (named by the spec segment, values as the spec's codes) and per measure (floats)."""
    import math

    import pandas as pd

    from cxstats.io.readers import read_table
    from cxstats.io.survey import _segment_value
    from cxstats.io.values import NotANumber, parse_number

    crm = spec.crm
    table = read_table(path)
    table.require_columns([crm.id_column, *crm.segments.values(), *crm.measures])
    ids = _ids(table.frame[crm.id_column])
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid is None:
            raise InputError("empty customer id: every row of the CRM extract is one customer (crm.id_column)",
                             file=path, column=crm.id_column, row=table.file_row(i))
        if cid in seen:
            raise InputError(f"customer id given twice (rows {table.file_row(seen[cid])} and {table.file_row(i)}): "
                             "the CRM extract has one row per customer", file=path, column=crm.id_column,
                             row=table.file_row(i), value=cid)
        seen[cid] = i
    out = pd.DataFrame(index=pd.Index(list(ids), name="customer_id"))
    segments = {g.id: g for g in spec.segments}
    for sid, col in crm.segments.items():
        seg, values = segments[sid], []
        for i, v in enumerate(table.frame[col].tolist()):
            code = _segment_value(v, seg)
            if code is None:
                raise InputError(f"unknown value of segment '{sid}' (crm.segments.{sid}; expected: "
                                 f"{', '.join(seg.values)})", file=path, column=col, row=table.file_row(i),
                                 value=str(v))
            values.append(code)
        out[sid] = values
    for col in crm.measures:
        values = []
        for i, v in enumerate(table.frame[col].tolist()):
            try:
                values.append(parse_number(v))
            except NotANumber:
                raise InputError("not a number (crm.measures)", file=path, column=col, row=table.file_row(i),
                                 value=str(v)) from None
        out[col] = [float(x) if not (isinstance(x, float) and math.isnan(x)) else math.nan for x in values]
    return out


def join_crm(frame, path, spec):
    """``frame`` (scored answers, ``_file``/``_row`` per row) with its customers' CRM segments and
    measures, and the :class:`CrmLink` counts. A CRM segment value replaces the survey's for
    every answer whose customer is in the extract (a blank CRM value keeps the survey's);
    measures are NaN for answers not joined. No answer joining is refused: the ids do not meet
    (check crm.id_column and crm.customer_id)."""
    import numpy as np
    import pandas as pd

    if spec is None or spec.crm is None:
        raise InputError("a CRM extract is joined through the spec's 'crm:' block (id_column, customer_id, "
                         "segments, measures): add it to the spec", file=path)
    crm = spec.crm
    table = read_crm(path, spec)
    col = crm.customer_id
    values = frame[col] if col in frame.columns else raw_columns(frame, [col], {col: "crm.customer_id"})[col]
    ids = _ids(values)
    no_id = np.array([c is None for c in ids])
    known = set(table.index)
    matched = np.array([c is not None and c in known for c in ids])
    if len(frame) and not matched.any():
        raise InputError(f"no answer's customer id (column {col!r}) is in the CRM extract's {crm.id_column!r}: "
                         "check crm.id_column and crm.customer_id", file=path, column=crm.id_column)
    out = frame.copy()
    changed = {}
    keys = pd.Series(ids, index=frame.index, dtype=object)
    for sid in crm.segments:
        crm_values = keys.map(table[sid]).astype(object)  # NaN where the customer is not in the CRM
        has = crm_values.notna().to_numpy()
        old = out[sid] if sid in out.columns else pd.Series(np.nan, index=frame.index, dtype=object)
        old_has = old.notna().to_numpy()
        changed[sid] = int((has & old_has & (old.astype(str).to_numpy() != crm_values.astype(str).to_numpy())).sum())
        new = old.astype(object).copy()
        new[has] = crm_values[has]
        out[sid] = new
    for m in crm.measures:
        out[m] = keys.map(table[m]).astype(float).to_numpy()
    link = CrmLink(file=str(path), n_crm_customers=len(table), n_answers=len(frame),
                   n_matched=int(matched.sum()), n_unmatched=int((~matched & ~no_id).sum()),
                   n_no_id=int(no_id.sum()), segments=dict(crm.segments), measures=list(crm.measures),
                   changed=changed)
    return out, link


def raw_columns(frame, columns, where: dict):
    """Columns of the export files that the survey table does not keep (ids, timestamps,
    comments), aligned with ``frame``'s rows through their file and row; ``where`` names the
    spec key of each column for the error when a file lacks it."""
    import pandas as pd

    from cxstats.io.readers import read_table

    out = pd.DataFrame(index=frame.index)
    if not columns:
        return out
    parts = []
    for path in pd.unique(frame["_file"]):
        table = read_table(path)
        missing = [c for c in columns if c not in table.frame.columns]
        if missing:
            raise InputError(f"column {missing[0]!r} (named at {where.get(missing[0], 'the spec')} of the spec) "
                             "is not in the data", file=path, column=missing[0])
        part = table.frame[columns].copy()
        part["_file"] = path
        part["_row"] = [table.file_row(i) for i in range(len(part))]
        parts.append(part)
    raw = pd.concat(parts, ignore_index=True)
    merged = frame[["_file", "_row"]].merge(raw, on=["_file", "_row"], how="left")
    merged.index = frame.index
    return merged[columns]
