"""The spec's ``crm:`` block: how the answers join the CRM extract (one row per customer).

::

    crm:
      id_column: id_cliente          # the customer id column of the CRM file
      customer_id: id_cliente        # the answers' column with the same id (default: followup.customer_id)
      segments:                      # spec segment -> CRM column: the customer's value comes from the CRM
        region: region
        antiguedad: etapa_ciclo      # e.g. the lifecycle stage (the segment declared lifecycle: true)
      measures: [valor_cliente]      # numeric CRM columns compared between profiles (customer value...)

The file itself is linked like the finance file: ``crm: {file: crm.csv}`` in a plan, ``--crm
FILE`` on ``cxstats followup`` and ``cxstats profiles``. When linked, a CRM segment's value
replaces the survey's for every answer whose customer is in the CRM (the CRM is the customer's
record); answers whose customer is not in it keep the survey's value and are counted. A segment
absent from the survey export is then read from the CRM alone. Every problem is a
:class:`SpecError` naming the YAML path (``crm.segments.etapa``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KEYS = {"id_column", "customer_id", "segments", "measures"}


@dataclass
class Crm:
    id_column: str
    customer_id: str                               # the answers' column holding the CRM id
    segments: dict = field(default_factory=dict)   # spec segment id -> CRM column
    measures: list = field(default_factory=list)   # numeric CRM columns (their names in results)


def parse_crm(r, node, spec) -> Crm | None:
    """Parse and check ``crm:`` against the spec's segments, ids and ``followup.customer_id``;
    ``r`` is the spec reader of :mod:`cxstats.spec.load`."""
    if node is None:
        return None
    p = "crm"
    node = r.mapping(node, p, KEYS)

    def column(key, value):
        if not isinstance(value, str) or not value.strip():
            r.fail(f"{p}.{key}", f"expected a column name, got {value!r}")
        return value

    id_column = column("id_column", r.req(node, "id_column", p))
    customer_id = node.get("customer_id")
    if customer_id is None:
        fu = getattr(spec, "followup", None)
        customer_id = getattr(fu, "customer_id", None)
        if customer_id is None:
            r.fail(f"{p}.customer_id", "name the answers' column holding the CRM's customer id "
                                       "(or declare followup.customer_id)")
    customer_id = column("customer_id", customer_id)
    segments = {}
    known = {g.id for g in spec.segments}
    for sid, col in r.mapping(node.get("segments") or {}, f"{p}.segments").items():
        sid = str(sid)
        if sid not in known:
            r.fail(f"{p}.segments.{sid}", f"{sid!r} is not a segment of the spec "
                                          f"({', '.join(sorted(known)) or 'none declared'}); declare it "
                                          "under segments: with its values, then name its CRM column here")
        segments[sid] = column(f"segments.{sid}", col)
    measures = []
    taken = set(spec.scored_columns()) | known | {c.id for c in spec.constructs()}
    taken |= {t.id for t in spec.touchpoints()}
    for i, col in enumerate(r.seq(node.get("measures"), f"{p}.measures", required=False)):
        col = column(f"measures[{i}]", col)
        if col in taken or col in measures:
            r.fail(f"{p}.measures[{i}]", f"{col!r} is already the name of a spec column or measure")
        measures.append(col)
    if not segments and not measures:
        r.fail(p, "name what the CRM brings: segments (spec segment: CRM column) and/or measures")
    return Crm(id_column=id_column, customer_id=customer_id, segments=segments, measures=measures)
