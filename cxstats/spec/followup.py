"""The spec's ``followup:`` block: close-the-loop rules, owners, SLA and the CRM export.

::

    followup:
      customer_id: id_cliente        # data column with the CRM customer id (default: respondent id)
      response_time: fecha_respuesta # when the customer answered: due_by = this + the rule's SLA
      comment: comentario            # the open answer (quoted in reasons, searched by rules)
      channel: canal                 # column exported as ``channel``
      export: [antiguedad]           # extra columns exported (only declared columns leave)
      suppression_days: 30           # not listed again if in a previous list within N days
      notify_manager: [high]         # priorities whose cases name the owner's manager
      rules:
        - id: detractor
          when: "nps <= 6"           # COLUMN OP NUMBER (outcome/construct/item id, or csat/ces/nps)
          priority: high             # high | medium | low
          sla_hours: 24
        - id: entrega
          when: "any item of puntualidad_entrega <= 2"   # or: any item of construct X / of touchpoint Y
        - id: baja
          when: 'comment matches "cancel|baja|reclamo"'   # a regular expression, case-insensitive
      owners:
        by: region                   # a segment, or 'touchpoint' (the rule's touchpoint)
        map:
          norte: {owner: ana@x.es, manager: jefe.norte@x.es}
        default: {owner: cx@x.es, manager: direccion.cx@x.es}
      promoters:                     # --promoters: customers to thank
        when: "nps >= 9"
        sla_hours: 168

Every problem is a :class:`SpecError` naming the YAML path (``followup.rules[2].when``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PRIORITIES = ("high", "medium", "low")  # in order: high wins
OPS = ("<=", ">=", "==", "!=", "<", ">")
KEYS = {"customer_id", "response_time", "comment", "channel", "export", "suppression_days",
        "notify_manager", "rules", "owners", "promoters"}
_NUM = r"(-?\d+(?:\.\d+)?)"
_COMPARE = re.compile(rf"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*{_NUM}\s*$")
_ANY_ITEM = re.compile(rf"^\s*(any|all)\s+items?\s+of\s+(?:(construct|touchpoint)\s+)?([A-Za-z_][A-Za-z0-9_.]*)"
                       rf"\s*(<=|>=|==|!=|<|>)\s*{_NUM}\s*$", re.IGNORECASE)
_THEME = re.compile(r"^\s*theme\s+(?:is\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$", re.IGNORECASE)  # themes: codebook
_MATCHES = re.compile(r"""^\s*comment\s+(matches|contains)\s+(?:"(.*)"|'(.*)')\s*$""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Condition:
    """One parsed ``when``: kind 'value' (column op number), 'items' (any/all item of a construct
    op number) or 'text' (the comment matches a regular expression)."""

    kind: str
    columns: tuple = ()          # the scored columns looked at
    op: str = ""
    value: float = 0.0
    quantifier: str = "any"      # items: any | all
    pattern: str = ""            # text: the regular expression (case-insensitive)
    construct: str = ""          # items / construct value: the construct
    touchpoint: str = ""         # the touchpoint the condition is about ('' if none)
    scale_max: float | None = None
    source: str = ""             # the condition as written


@dataclass(frozen=True)
class Rule:
    id: str
    condition: Condition
    priority: str = "medium"
    sla_hours: float = 72.0

    @property
    def rank(self) -> int:
        return PRIORITIES.index(self.priority)


@dataclass(frozen=True)
class Owner:
    owner: str
    manager: str = ""


@dataclass
class Followup:
    rules: list
    customer_id: str | None = None
    response_time: str | None = None
    comment: str | None = None
    channel: str | None = None
    export: list = field(default_factory=list)
    suppression_days: float = 0.0
    notify_manager: tuple = ("high",)
    owners_by: str | None = None
    owners: dict = field(default_factory=dict)   # key -> Owner
    default_owner: Owner = Owner("unassigned")
    promoters: Rule | None = None


def parse_followup(r, node, spec) -> Followup | None:
    """Parse and check ``followup:`` against the rest of ``spec`` (its ids); ``r`` is the spec
    reader of :mod:`cxstats.spec.load` (file, YAML paths)."""
    if node is None:
        return None
    p = "followup"
    node = r.mapping(node, p, KEYS)
    out = Followup(rules=[])
    for key in ("customer_id", "response_time", "comment", "channel"):
        if node.get(key) is not None:
            value = node[key]
            if not isinstance(value, str) or not value.strip():
                r.fail(f"{p}.{key}", f"expected a column name, got {value!r}")
            setattr(out, key, value)
    export = r.seq(node.get("export"), f"{p}.export", required=False)
    for i, col in enumerate(export):
        if not isinstance(col, str) or not col.strip():
            r.fail(f"{p}.export[{i}]", f"expected a column name, got {col!r}")
    out.export = list(export)
    days = node.get("suppression_days", 0)
    if isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0:
        r.fail(f"{p}.suppression_days", f"expected a number of days (0 or more), got {days!r}")
    out.suppression_days = float(days)
    notify = node.get("notify_manager", ["high"])
    notify = [notify] if isinstance(notify, str) else r.seq(notify, f"{p}.notify_manager", required=False)
    for i, pr in enumerate(notify):
        if pr not in PRIORITIES:
            r.fail(f"{p}.notify_manager[{i}]", f"{pr!r} is not a priority ({', '.join(PRIORITIES)})")
    out.notify_manager = tuple(notify)

    seen = set()
    for i, rnode in enumerate(r.seq(node.get("rules"), f"{p}.rules")):
        rp = f"{p}.rules[{i}]"
        rnode = r.mapping(rnode, rp, {"id", "when", "priority", "sla_hours"})
        rid = r.ident(rnode, "id", rp)
        if rid in seen:
            r.fail(f"{rp}.id", f"rule id {rid!r} is used twice")
        seen.add(rid)
        out.rules.append(_rule(r, rnode, rp, rid, spec, default_priority="medium", default_sla=72.0))

    owners = node.get("owners")
    if owners is not None:
        op = f"{p}.owners"
        owners = r.mapping(owners, op, {"by", "map", "default"})
        by = owners.get("by")
        segments = {g.id: g for g in spec.segments}
        if by is not None and by != "touchpoint" and by not in segments:
            r.fail(f"{op}.by", f"{by!r} is neither a segment of the spec ({', '.join(segments) or 'none'}) "
                               "nor 'touchpoint'")
        out.owners_by = by
        allowed = ({t.id for t in spec.touchpoints()} if by == "touchpoint"
                   else set(segments[by].values) if by in segments else set())
        for key, onode in r.mapping(owners.get("map") or {}, f"{op}.map").items():
            kp = f"{op}.map.{key}"
            if by is None:
                r.fail(f"{op}.by", "name the column the owners map is keyed by (a segment or 'touchpoint')")
            if allowed and str(key) not in allowed:
                r.fail(kp, f"unknown owner key {key!r}: {by!r} takes {', '.join(sorted(allowed))}")
            out.owners[str(key)] = _owner(r, onode, kp)
        if owners.get("default") is not None:
            out.default_owner = _owner(r, owners["default"], f"{op}.default")

    prom = node.get("promoters")
    if prom is not None:
        pp = f"{p}.promoters"
        prom = r.mapping(prom or {}, pp, {"when", "sla_hours"})
        nps = spec.outcome_of_type("nps")
        if "when" not in prom:
            if nps is None:
                r.fail(f"{pp}.when", "is required (the spec has no NPS outcome to default to 'nps >= 9')")
            prom = {**prom, "when": f"{nps.id} >= 9"}
        out.promoters = _rule(r, {**prom, "priority": "low"}, pp, "promoter", spec,
                              default_priority="low", default_sla=168.0)
    return out


def _owner(r, node, path) -> Owner:
    if isinstance(node, str):
        return Owner(node)
    node = r.mapping(node, path, {"owner", "manager"})
    owner = node.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        r.fail(f"{path}.owner", "is required (who follows the case up)")
    manager = node.get("manager") or ""
    if not isinstance(manager, str):
        r.fail(f"{path}.manager", f"expected a name, got {manager!r}")
    return Owner(owner, manager)


def _rule(r, rnode, rp, rid, spec, *, default_priority, default_sla) -> Rule:
    priority = rnode.get("priority", default_priority)
    if priority not in PRIORITIES:
        r.fail(f"{rp}.priority", f"{priority!r} is not one of {', '.join(PRIORITIES)}")
    sla = rnode.get("sla_hours", default_sla)
    if isinstance(sla, bool) or not isinstance(sla, (int, float)) or sla <= 0:
        r.fail(f"{rp}.sla_hours", f"expected a positive number of hours, got {sla!r}")
    when = rnode.get("when")
    if not isinstance(when, str) or not when.strip():
        r.fail(f"{rp}.when", "is required: a condition such as 'nps <= 6', 'any item of CONSTRUCT <= 2' "
                             "or 'comment matches \"baja|cancel\"'")
    return Rule(rid, parse_condition(r, when, f"{rp}.when", spec), priority, float(sla))


def parse_condition(r, text: str, path: str, spec) -> Condition:
    m = _THEME.match(text)
    if m:  # checked against the themes: codebook by spec.themes.check_theme_rules
        return Condition("theme", pattern=m.group(1), source=text)
    m = _MATCHES.match(text)
    if m:
        pattern = m.group(2) if m.group(2) is not None else m.group(3)
        if m.group(1).lower() == "contains":
            pattern = re.escape(pattern)
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            r.fail(path, f"bad regular expression {pattern!r}: {exc}")
        if not pattern:
            r.fail(path, "the pattern is empty (it would match every comment)")
        return Condition("text", pattern=pattern, source=text)
    m = _ANY_ITEM.match(text)
    if m:
        quant, what, cid, op, num = (m.group(1).lower(), (m.group(2) or "").lower(), m.group(3), m.group(4),
                                     float(m.group(5)))
        touchpoints = {t.id: t for t in spec.touchpoints()}
        constructs = {c.id: c for c in spec.constructs()}
        if what != "construct" and cid in touchpoints and (what == "touchpoint" or cid not in constructs):
            t = touchpoints[cid]  # every item of every construct of the touchpoint
            tops = {c.scale.max for c in t.constructs}
            return Condition("items", tuple(i for c in t.constructs for i in c.item_ids), op, num, quant,
                             touchpoint=t.id, scale_max=tops.pop() if len(tops) == 1 else None, source=text)
        if cid not in constructs or what == "touchpoint":
            kind = "touchpoint" if what == "touchpoint" else "construct" if what == "construct" else \
                "construct or touchpoint"
            known = touchpoints if what == "touchpoint" else constructs if what == "construct" else \
                [*constructs, *touchpoints]
            r.fail(path, f"unknown {kind} {cid!r} in {text!r}; {kind}s: {', '.join(known)}")
        c = constructs[cid]
        return Condition("items", tuple(c.item_ids), op, num, quant, construct=c.id, touchpoint=c.touchpoint,
                         scale_max=c.scale.max, source=text)
    m = _COMPARE.match(text)
    if m:
        col, op, num = m.group(1), m.group(2), float(m.group(3))
        constructs = {c.id: c for c in spec.constructs()}
        items = {i.id: i for i in spec.items()}
        scored = spec.scored_columns()
        if col not in scored and col not in constructs:
            outcome = spec.outcome_of_type(col)  # 'csat', 'ces', 'nps' name the outcome of that type
            if outcome is None:
                r.fail(path, f"unknown column {col!r} in {text!r}: use an outcome, construct or item id of "
                             "the spec (or nps, csat, ces)")
            col = outcome.id
        if col in constructs:
            c = constructs[col]
            return Condition("value", (col,), op, num, construct=col, touchpoint=c.touchpoint,
                             scale_max=c.scale.max, source=text)
        touchpoint = constructs[items[col].construct].touchpoint if col in items else ""
        construct = items[col].construct if col in items else ""
        return Condition("value", (col,), op, num, construct=construct, touchpoint=touchpoint,
                         scale_max=scored[col].max, source=text)
    r.fail(path, f"cannot read the condition {text!r}; write 'COLUMN <= NUMBER' (operators "
                 f"{' '.join(OPS)}), 'any item of CONSTRUCT <= NUMBER', 'comment matches \"REGEX\"' or "
                 "'theme is THEME' (a theme of the themes: codebook)")
