"""The governance columns of a roadmap table: who co-leads each initiative, its RACI roles by
level, and the touchpoints and constructs it targets. All optional, beside the ROI's columns
(:mod:`cxstats.io.roadmap`)::

    initiative, name, construct, ..., co_leads, accountable, responsible, consulted, informed,
    touchpoints, targets

* ``co_leads``, ``accountable``, ``responsible``, ``consulted``, ``informed``: roles separated by
  ``;``, each optionally with its level in parentheses: ``Directora de operaciones (executive);
  Jefe de reparto (manager)``; levels: executive, manager, frontline.
* ``touchpoints`` and ``targets``: spec ids separated by ``;`` (``targets``: constructs beyond
  ``construct``, the one whose uplift the ROI values).
"""

from __future__ import annotations

import re

from cxstats.errors import InputError
from cxstats.io.readers import RawTable, read_table
from cxstats.io.values import is_blank

ROLE_COLUMNS = ("co_leads", "accountable", "responsible", "consulted", "informed")
LIST_COLUMNS = ("touchpoints", "targets")
LEVELS = ("executive", "manager", "frontline")
_ROLE = re.compile(r"^(?P<role>[^()]+?)\s*(?:\((?P<level>[^()]*)\))?$")


def _split(value) -> list[str]:
    if is_blank(value):
        return []
    return [p.strip() for p in str(value).split(";") if p.strip()]


def read_governance(table) -> tuple[list[dict], list[str], str]:
    """A roadmap RawTable (or path) -> (initiatives, columns, file name). One dict per initiative:
    ``id``, ``name``, ``row``, ``constructs`` (``construct`` then ``targets``), ``touchpoints``,
    and for each role column a list of ``{"role", "level"}``; ``columns``: the governance
    columns the file has."""
    if not isinstance(table, RawTable):
        table = read_table(table)
    table.require_columns(["initiative"])
    if len(table.frame) == 0:
        raise InputError("the roadmap has a header but no initiatives", file=table.path)
    cols = [str(c) for c in table.frame.columns]
    out, seen = [], set()
    for i, rec in enumerate(table.frame.to_dict(orient="records")):
        row = table.file_row(i)
        ident = rec.get("initiative")
        if is_blank(ident):
            raise InputError("initiative id is empty", file=table.path, column="initiative", row=row, value="")
        ident = str(int(ident)) if isinstance(ident, float) and ident.is_integer() else str(ident).strip()
        if ident in seen:
            raise InputError("initiative id appears twice", file=table.path, column="initiative", row=row,
                             value=ident)
        seen.add(ident)
        item = {"id": ident, "name": ident if is_blank(rec.get("name")) else str(rec["name"]), "row": row,
                "constructs": ([] if is_blank(rec.get("construct")) else [str(rec["construct"]).strip()])
                + _split(rec.get("targets")),
                "touchpoints": _split(rec.get("touchpoints"))}
        for col in ROLE_COLUMNS:
            roles = []
            for part in _split(rec.get(col)):
                m = _ROLE.match(part)
                level = (m.group("level") or "").strip().lower() if m else ""
                if m is None or (level and level not in LEVELS):
                    raise InputError(f"write a role as 'Name' or 'Name (level)' with level one of {', '.join(LEVELS)}",
                                     file=table.path, column=col, row=row, value=part)
                roles.append({"role": m.group("role").strip(), "level": level or None})
            item[col] = roles
        out.append(item)
    return out, [c for c in (*ROLE_COLUMNS, *LIST_COLUMNS) if c in cols], str(table.path)
