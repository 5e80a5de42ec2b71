"""Export headers back to spec ids.

KoBoToolbox and ODK name export columns by the question ``name``, which the
builder sets to the spec's id. Depending on export settings the name is
prefixed by its group path: KoBo with "Include groups in headers" gives
``web/web_1``, ODK Central gives ``web-web_1`` (and ``meta-instanceID``).
Spec ids never contain ``/`` or ``-``, so the last segment of such a header
is unambiguous; :func:`export_renames` maps those headers to the ids.
"""

from __future__ import annotations

import re

from cxstats.questionnaire.forms import type_column, why_name
from cxstats.spec.model import StudySpec

_SEP = re.compile(r"[/-]")


def known_columns(spec: StudySpec) -> set[str]:
    return ({spec.respondents.id_column or "respondent_id", type_column(spec), why_name(spec)} | set(spec.item_ids())
            | {o.id for o in spec.outcomes} | {s.id for s in spec.segments})


def export_renames(columns, spec: StudySpec) -> dict[str, str]:
    """``{header: spec id}`` for group-prefixed headers whose last segment is a spec id.

    A header is left alone when it already is an id, when its id is also present
    unprefixed, or when two headers would map to the same id.
    """
    columns = [str(c) for c in columns]
    known = known_columns(spec)
    present = set(columns)
    wanted: dict[str, list[str]] = {}
    for col in columns:
        if col in known or not _SEP.search(col):
            continue
        last = _SEP.split(col)[-1]
        if last in known and last not in present:
            wanted.setdefault(last, []).append(col)
    return {cols[0]: target for target, cols in wanted.items() if len(cols) == 1}
