"""Load and validate a study spec (YAML). Every error names the file and the
path inside it, e.g. ``journeys[0].touchpoints[2].constructs[1].aspiration``."""

from __future__ import annotations

import re
from pathlib import Path

from cxstats.errors import SpecError
from cxstats.spec.model import (COMPONENTS, FIELDING_COLUMNS, OUTCOME_TYPES, SURVEY_MODES, Construct,
                                Fielding, Finance, Item, Journey, Outcome, Respondents, Scale, Segment,
                                StudySpec, Touchpoint)

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
TOP_KEYS = {"study", "respondents", "weight", "scales", "journeys", "outcomes", "segments", "finance", "analysis",
            "fielding", "followup", "crm", "themes", "maturity"}
# study-level analysis choices (a plan step or command option given explicitly wins)
ANALYSIS_KEYS = {"paired", "direct_paths", "estimator"}
ANALYSIS_ESTIMATORS = ("ML", "MLR", "MLM", "auto")   # analysis.estimator: cfa, sem and invariance


class _Reader:
    """Walks the YAML tree, remembering the path for error messages."""

    def __init__(self, file: Path, languages: list[str] | None = None):
        self.file = file
        self.languages = languages or []

    def fail(self, path: str, message: str):
        raise SpecError(message, file=self.file, path=path or None)

    def mapping(self, node, path: str, allowed: set[str] | None = None) -> dict:
        if not isinstance(node, dict):
            self.fail(path, f"expected a mapping (key: value), got {_kind(node)}")
        if allowed is not None:
            unknown = sorted(set(map(str, node)) - allowed)
            if unknown:
                self.fail(f"{path}.{unknown[0]}" if path else unknown[0],
                          f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
        return node

    def seq(self, node, path: str, required: bool = True) -> list:
        if node is None and not required:
            return []
        if not isinstance(node, list):
            self.fail(path, f"expected a list, got {_kind(node)}")
        if required and not node:
            self.fail(path, "the list is empty")
        return node

    def req(self, node: dict, key: str, path: str):
        if key not in node or node[key] is None:
            self.fail(_join(path, key), "is required")
        return node[key]

    def ident(self, node: dict, key: str, path: str) -> str:
        value = self.req(node, key, path)
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(_join(path, key), f"{value!r} is not a valid id (letters, digits, '_' or '.', "
                                        "starting with a letter; it becomes a column name)")
        return value

    def number(self, node: dict, key: str, path: str, required: bool = True):
        value = node.get(key)
        if value is None:
            if required:
                self.fail(_join(path, key), "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(_join(path, key), f"expected a number, got {value!r}")
        return value

    def text(self, node, path: str, required: bool = True):
        """A text: a plain string (first language) or {language: string}."""
        if node is None:
            if required:
                self.fail(path, "is required")
            return None
        if isinstance(node, str):
            if not node.strip():
                self.fail(path, "is empty")
            return {self.languages[0] if self.languages else "default": node}
        if isinstance(node, dict):
            out = {}
            for lang, t in node.items():
                if self.languages and lang not in self.languages:
                    self.fail(f"{path}.{lang}", f"language {lang!r} is not among study.languages "
                                                f"({', '.join(self.languages)})")
                if not isinstance(t, str) or not t.strip():
                    self.fail(f"{path}.{lang}", "expected a non-empty text")
                out[str(lang)] = t
            if not out:
                self.fail(path, "is empty")
            return out
        self.fail(path, f"expected a text or a mapping language: text, got {_kind(node)}")


def _kind(node) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, str):
        return f"the text {node!r}" if len(node) <= 60 else f"a text of {len(node)} characters"
    shown = repr(node)
    return {dict: "a mapping", list: "a list"}.get(type(node), shown if len(shown) <= 60 else shown[:60] + "...")


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def load_spec(path) -> StudySpec:
    """Read a spec file; raise :class:`SpecError` naming file and YAML path on any problem."""
    from cxstats.spec.yamlfile import read_yaml

    return parse_spec(read_yaml(path, "spec"), Path(path))


def parse_spec(doc, path: Path | str = "<spec>") -> StudySpec:
    path = Path(path)
    r = _Reader(path)
    doc = r.mapping(doc, "", TOP_KEYS)
    study = r.mapping(r.req(doc, "study", ""), "study", {"id", "title", "languages"})
    languages = study.get("languages") or ["es"]
    if not isinstance(languages, list) or not all(isinstance(x, str) and x for x in languages):
        r.fail("study.languages", "expected a list of language codes such as [es, en]")
    r.languages = languages
    sid = r.ident(study, "id", "study")
    title = r.text(study.get("title") or sid, "study.title")

    scales = {}
    for name, node in r.mapping(r.req(doc, "scales", ""), "scales").items():
        scales[str(name)] = _scale(r, str(name), node, f"scales.{name}")

    def scale_ref(node, p):
        name = r.req(node, "scale", p)
        if name not in scales:
            r.fail(_join(p, "scale"), f"unknown scale {name!r}; defined: {', '.join(scales)}")
        return scales[name]

    seen: dict[str, str] = {}

    def claim(ident: str, p: str):
        if ident in seen:
            r.fail(p, f"id {ident!r} is used twice (also at {seen[ident]}); ids become column names")
        seen[ident] = p

    journeys = []
    for j, jnode in enumerate(r.seq(doc.get("journeys"), "journeys")):
        jp = f"journeys[{j}]"
        jnode = r.mapping(jnode, jp, {"id", "name", "priority", "touchpoints"})
        jid = r.ident(jnode, "id", jp)
        priority = r.mapping(jnode.get("priority") or {}, _join(jp, "priority"))
        for k in priority:
            r.number(priority, k, _join(jp, "priority"))
        touchpoints = []
        for t, tnode in enumerate(r.seq(jnode.get("touchpoints"), _join(jp, "touchpoints"))):
            tp = f"{jp}.touchpoints[{t}]"
            tnode = r.mapping(tnode, tp, {"id", "name", "constructs"})
            tid = r.ident(tnode, "id", tp)
            constructs = []
            for c, cnode in enumerate(r.seq(tnode.get("constructs"), _join(tp, "constructs"))):
                cp = f"{tp}.constructs[{c}]"
                cnode = r.mapping(cnode, cp, {"id", "name", "component", "aspiration", "scale", "items"})
                cid = r.ident(cnode, "id", cp)
                claim(cid, cp)
                component = r.req(cnode, "component", cp)
                if component not in COMPONENTS:
                    r.fail(_join(cp, "component"), f"{component!r} is not one of {', '.join(COMPONENTS)}")
                scale = scale_ref(cnode, cp)
                aspiration = r.number(cnode, "aspiration", cp, required=False)
                if aspiration is not None and not scale.min <= aspiration <= scale.max:
                    r.fail(_join(cp, "aspiration"), f"{aspiration} is outside the scale "
                                                    f"{scale.id} ({scale.min:g}-{scale.max:g})")
                items = []
                for i, inode in enumerate(r.seq(cnode.get("items"), _join(cp, "items"))):
                    ip = f"{cp}.items[{i}]"
                    inode = r.mapping(inode, ip, {"id", "customer", "staff", "reverse", "required"})
                    iid = r.ident(inode, "id", ip)
                    claim(iid, ip)
                    reverse = inode.get("reverse", False)
                    if not isinstance(reverse, bool):
                        r.fail(_join(ip, "reverse"), f"expected true or false, got {reverse!r}")
                    items.append(Item(iid, r.text(inode.get("customer"), _join(ip, "customer")),
                                      r.text(inode.get("staff"), _join(ip, "staff"), required=False),
                                      reverse, cid, scale, bool(inode.get("required", True))))
                constructs.append(Construct(cid, r.text(cnode.get("name") or cid, _join(cp, "name")),
                                            component, scale, items, aspiration, tid, jid))
            claim(tid, tp)
            touchpoints.append(Touchpoint(tid, r.text(tnode.get("name") or tid, _join(tp, "name")),
                                          constructs, jid))
        claim(jid, jp)
        journeys.append(Journey(jid, r.text(jnode.get("name") or jid, _join(jp, "name")),
                                touchpoints, dict(priority)))

    outcomes = []
    for o, onode in enumerate(r.seq(doc.get("outcomes"), "outcomes", required=False)):
        op = f"outcomes[{o}]"
        onode = r.mapping(onode, op, {"id", "type", "scale", "customer", "staff", "required"})
        oid = r.ident(onode, "id", op)
        claim(oid, op)
        kind = r.req(onode, "type", op)
        if kind not in OUTCOME_TYPES:
            r.fail(_join(op, "type"), f"{kind!r} is not one of {', '.join(OUTCOME_TYPES)}")
        scale = scale_ref(onode, op)
        if kind == "nps" and (scale.min, scale.max) != (0, 10):
            r.fail(_join(op, "scale"), f"an NPS question is answered 0-10; scale {scale.id} is "
                                       f"{scale.min:g}-{scale.max:g}")
        outcomes.append(Outcome(oid, kind, scale, r.text(onode.get("customer"), _join(op, "customer")),
                                r.text(onode.get("staff"), _join(op, "staff"), required=False),
                                bool(onode.get("required", True))))

    segments = []
    for s, snode in enumerate(r.seq(doc.get("segments"), "segments", required=False)):
        sp = f"segments[{s}]"
        snode = r.mapping(snode, sp, {"id", "label", "values", "lifecycle"})
        gid = r.ident(snode, "id", sp)
        claim(gid, sp)
        values = {}
        for code, text in r.mapping(snode.get("values") or {}, _join(sp, "values")).items():
            values[str(code)] = r.text(text, f"{sp}.values.{code}")
        lifecycle = snode.get("lifecycle", False)
        if not isinstance(lifecycle, bool):
            r.fail(_join(sp, "lifecycle"), f"expected true or false, got {lifecycle!r}")
        if lifecycle and any(g.lifecycle for g in segments):
            r.fail(_join(sp, "lifecycle"), "only one segment can be the lifecycle stage")
        segments.append(Segment(gid, r.text(snode.get("label") or gid, _join(sp, "label")), values, lifecycle))

    rnode = r.mapping(doc.get("respondents") or {}, "respondents",
                      {"id_column", "type_column", "customer_values", "staff_values"})
    respondents = Respondents()
    if "id_column" in rnode:  # null: the export has no id; respondents are numbered by row
        respondents.id_column = (None if rnode["id_column"] is None
                                 else r.ident(rnode, "id_column", "respondents"))
    if rnode.get("type_column"):
        respondents.type_column = r.ident(rnode, "type_column", "respondents")
    for key in ("customer_values", "staff_values"):
        if key in rnode:
            vals = r.seq(rnode[key], f"respondents.{key}")
            setattr(respondents, key, [str(v) for v in vals])
    from cxstats.io.values import normalise_label

    both = ({normalise_label(v) for v in respondents.customer_values}
            & {normalise_label(v) for v in respondents.staff_values})
    if both:
        r.fail("respondents.staff_values", f"{sorted(both)[0]!r} is listed both as a customer and a staff "
                                           "value; a respondent's type must be unambiguous")
    for col in (respondents.id_column, respondents.type_column):
        if col and col in seen:
            r.fail("respondents", f"column {col!r} is also the id of {seen[col]}")

    finance = None
    if doc.get("finance"):
        fnode = r.mapping(doc["finance"], "finance",
                          {"id_column", "revenue", "churn", "share_of_wallet", "currency"})
        finance = Finance(id_column=str(fnode.get("id_column", "customer_id")),
                          revenue=fnode.get("revenue"), churn=fnode.get("churn"),
                          share_of_wallet=fnode.get("share_of_wallet"),
                          currency=str(fnode.get("currency", "EUR")))
        if not finance.fields:
            r.fail("finance", "name at least one of revenue, churn, share_of_wallet (columns of the finance file)")

    weight = doc.get("weight")
    if weight is not None and not isinstance(weight, str):
        r.fail("weight", "expected the name of the weight column")
    analysis = r.mapping(doc.get("analysis") or {}, "analysis", ANALYSIS_KEYS)
    for key, value in analysis.items():
        if key == "estimator":
            if value not in ANALYSIS_ESTIMATORS:
                r.fail("analysis.estimator", f"expected one of {', '.join(ANALYSIS_ESTIMATORS)}, got {value!r}")
            continue
        if not isinstance(value, bool):
            r.fail(f"analysis.{key}", f"expected true or false, got {value!r}")
    fielding = (_fielding(r, doc["fielding"], seen, [t for j in journeys for t in j.touchpoints])
                if doc.get("fielding") is not None else None)
    spec = StudySpec(sid, title, languages, scales, journeys, outcomes, segments, respondents,
                     finance, weight, path, analysis=dict(analysis), fielding=fielding)
    from cxstats.spec.followup import parse_followup

    spec.followup = parse_followup(r, doc.get("followup"), spec)  # close-the-loop block (spec/followup.py)
    from cxstats.spec.crm import parse_crm

    spec.crm = parse_crm(r, doc.get("crm"), spec)  # the CRM extract's columns (spec/crm.py)
    from cxstats.spec.themes import check_theme_rules, parse_themes

    spec.themes = parse_themes(r, doc.get("themes"), spec)  # open answers + codebook (spec/themes.py)
    check_theme_rules(r, spec)                               # followup rules 'theme is ID'
    from cxstats.spec.maturity import parse_maturity

    spec.maturity = parse_maturity(r, doc.get("maturity"), spec)  # maturity self-assessment (spec/maturity.py)
    return spec


FIELDING_KEYS = {"contact_time", "response_time", "channel", "channels", "wave", "wave_period", "waves",
                 "max_lag_hours", "date_order", "timezone", "touchpoint", "touchpoints"}


def _fielding(r: _Reader, node, seen: dict, touchpoints: list | None = None) -> Fielding:
    """``touchpoints``: the journeys' Touchpoint objects (the touchpoint column's values are
    their ids or names, or values mapped to ids by ``fielding.touchpoints``)."""
    """The ``fielding`` block: columns of times, channel and wave; the immediacy window."""
    from cxstats.io.timestamps import DATE_ORDERS
    from cxstats.io.values import normalise_label

    node = r.mapping(node, "fielding", FIELDING_KEYS)
    f = Fielding()
    for key in ("contact_time", "response_time", "channel", "wave", "touchpoint"):
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            r.fail(f"fielding.{key}", f"expected the name of a column of the export, got {_kind(value)}")
        setattr(f, key, value.strip())
    if not f.response_time:
        r.fail("fielding.response_time", "is required: the column holding when each answer was given "
                                         "(Qualtrics RecordedDate, KoBo end, ...)")
    if "wave_period" in node:
        if node["wave_period"] not in ("week", "month", "quarter"):
            r.fail("fielding.wave_period", f"expected week, month or quarter, got {_kind(node['wave_period'])}")
        if f.wave:
            r.fail("fielding.wave_period", "give either a wave column (wave) or a wave rule (wave_period), not both")
        f.wave_period = node["wave_period"]
    if "waves" in node:
        f.waves = [str(w) for w in r.seq(node["waves"], "fielding.waves")]
        if len(set(f.waves)) != len(f.waves):
            r.fail("fielding.waves", "a wave is listed twice")
        if not (f.wave or f.wave_period):
            r.fail("fielding.waves", "the waves' order needs a wave column (fielding.wave)")
    if "max_lag_hours" in node:
        f.max_lag_hours = float(r.number(node, "max_lag_hours", "fielding"))
        if not f.max_lag_hours > 0:
            r.fail("fielding.max_lag_hours", f"must be a positive number of hours, not {node['max_lag_hours']!r}")
    if "date_order" in node:
        if node["date_order"] not in DATE_ORDERS:
            r.fail("fielding.date_order", f"expected one of {', '.join(DATE_ORDERS)} (dmy: 05/03/2026 is "
                                          f"5 March), got {_kind(node['date_order'])}")
        f.date_order = node["date_order"]
    if "timezone" in node:
        from zoneinfo import ZoneInfo

        tz = node["timezone"]
        try:
            ZoneInfo(str(tz))
        except Exception:
            r.fail("fielding.timezone", f"{tz!r} is not a time-zone name (IANA, e.g. Europe/Madrid, "
                                        "America/Bogota, UTC)")
        f.timezone = str(tz)
    if "channels" in node:
        if not f.channel:
            r.fail("fielding.channels", "mapping channel values needs the channel column (fielding.channel)")
        for value, mode in r.mapping(node["channels"], "fielding.channels").items():
            if mode not in SURVEY_MODES:
                r.fail(f"fielding.channels.{value}", f"{mode!r} is not one of {', '.join(SURVEY_MODES)}")
            f.channels[normalise_label(value)] = mode
    if "touchpoints" in node:  # the touchpoint column's values -> the journeys' touchpoint ids
        if not f.touchpoint:
            r.fail("fielding.touchpoints", "mapping touchpoint values needs the touchpoint column "
                                           "(fielding.touchpoint)")
        known = [t.id for t in touchpoints or []]
        for value, tp in r.mapping(node["touchpoints"], "fielding.touchpoints").items():
            if tp not in known:
                r.fail(f"fielding.touchpoints.{value}", f"{tp!r} is not a touchpoint of the journeys "
                                                       f"({', '.join(known)})")
            f.touchpoints[normalise_label(value)] = tp
    elif f.touchpoint:  # no mapping: a cell names a touchpoint by its id or its name (any language)
        for t in touchpoints or []:
            for label in [t.id, *t.name.values()]:
                f.touchpoints.setdefault(normalise_label(label), t.id)
    for name in FIELDING_COLUMNS:
        if name in seen:
            r.fail(seen[name], f"id {name!r} is reserved: with a fielding block the survey table has a "
                               f"column {name!r}")
    return f


def _scale(r: _Reader, name: str, node, p: str) -> Scale:
    node = r.mapping(node, p, {"min", "max", "labels", "missing", "integer"})
    lo, hi = r.number(node, "min", p), r.number(node, "max", p)
    if lo >= hi:
        r.fail(p, f"min ({lo}) must be below max ({hi})")
    labels, missing = {}, {}
    for code, text in r.mapping(node.get("labels") or {}, _join(p, "labels")).items():
        cp = f"{p}.labels.{code}"
        if isinstance(code, bool) or not isinstance(code, (int, float)):
            r.fail(cp, f"label codes are numbers; got {code!r}")
        if not lo <= code <= hi:
            r.fail(cp, f"code {code} is outside {lo}-{hi}")
        labels[code] = r.text(text, cp)
    for code, text in r.mapping(node.get("missing") or {}, _join(p, "missing")).items():
        cp = f"{p}.missing.{code}"
        if isinstance(code, bool) or not isinstance(code, (int, float)):
            r.fail(cp, f"missing codes are numbers; got {code!r}")
        if lo <= code <= hi:
            r.fail(cp, f"missing code {code} lies inside the scale {lo}-{hi}; it would be read as an answer")
        missing[code] = r.text(text, cp)
    return Scale(name, lo, hi, labels, missing, bool(node.get("integer", True)))
