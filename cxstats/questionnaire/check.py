"""The lint a methodologist applies to a version-0 questionnaire before fielding.

Errors make the questionnaire unusable or the data unanalysable (the same
question twice in a touchpoint, a respondent value that is both customer and
staff, a segment code a form cannot store). Warnings are design risks the
researcher should decide on (fewer than 3 items per construct, missing staff
wording, too many reverse-keyed items, pooled scales, long forms, missing
aspirations or translations). Info lines state facts (estimated duration).

Problems the loader already refuses (duplicated ids, unknown scales, an
aspiration off the scale, an NPS question not on 0-10) never reach here: the
spec does not load, and the command exits 2 naming the YAML path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.questionnaire import texts
from cxstats.spec.model import StudySpec

# Answering-time assumptions (seconds): a common planning rule for self-completion
# surveys; a fielded pilot's paradata (KoBo start/end) should replace them.
SECONDS = {"likert": 7, "outcome": 10, "segment": 5, "open": 30, "intro": 10}
MAX_MINUTES = 10.0
MIN_ITEMS = 3
MAX_REVERSE_SHARE = 1 / 3
MAX_WORDING = 180
RECOMMENDED_OUTCOMES = ("nps", "csat", "ces")


@dataclass
class Finding:
    level: str    # error | warning | info
    code: str
    path: str     # YAML path in the spec ('' = the whole spec)
    message: str

    def line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.level}: {where}{self.message} [{self.code}]"


@dataclass
class CheckResult:
    spec_file: str
    findings: list[Finding]
    minutes: dict[str, float]          # form -> estimated minutes
    counts: dict[str, int]             # what the estimate counts
    warnings: list[str] = field(default_factory=list)  # statistical caveats (none here)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "spec": self.spec_file,
            "ok": self.ok,
            "n_errors": len(self.errors),
            "n_warnings": sum(f.level == "warning" for f in self.findings),
            "estimated_minutes": self.minutes,
            "time_assumptions_seconds": dict(SECONDS),
            "counts": self.counts,
            "findings": [f.__dict__ for f in self.findings],
        }

    def tables(self) -> dict:
        import pandas as pd

        return {"findings": pd.DataFrame([f.__dict__ for f in self.findings],
                                         columns=["level", "code", "path", "message"])}

    def methods(self) -> list[tuple[str, str]]:
        return [
            ("estimated duration", "Seconds per question: " + ", ".join(f"{k} {v}" for k, v in SECONDS.items())
             + f". Warning above {MAX_MINUTES:g} minutes; replace with pilot timings when available."),
            ("items per construct", f"Fewer than {MIN_ITEMS} items: alpha is unstable and omega (one-factor) "
             "is not identified with 2 items; a single item has no reliability estimate at all."),
            ("reverse-keyed items", f"Warning when more than {MAX_REVERSE_SHARE:.0%} of items are reversed or "
             "a construct is reversed entirely: reversed items tend to form a method factor."),
        ]


def _paths(spec: StudySpec):
    """YAML paths of constructs and items, in the loader's order."""
    cpath, ipath, tpath = {}, {}, {}
    for j, jr in enumerate(spec.journeys):
        for t, tp in enumerate(jr.touchpoints):
            tpath[tp.id] = f"journeys[{j}].touchpoints[{t}]"
            for c, con in enumerate(tp.constructs):
                cp = f"{tpath[tp.id]}.constructs[{c}]"
                cpath[con.id] = cp
                for i, it in enumerate(con.items):
                    ipath[it.id] = f"{cp}.items[{i}]"
    return tpath, cpath, ipath


def estimate_minutes(spec: StudySpec) -> tuple[float, dict]:
    counts = {"likert": len(spec.items()), "outcome": len(spec.outcomes),
              "segment": len(spec.segments), "open": 1, "intro": 1}
    seconds = sum(SECONDS[k] * n for k, n in counts.items())
    return round(seconds / 60, 1), counts


def check_spec(spec: StudySpec) -> CheckResult:
    from cxstats.io.values import normalise_label

    out: list[Finding] = []
    add = lambda level, code, path, msg: out.append(Finding(level, code, path, msg))  # noqa: E731
    tpath, cpath, ipath = _paths(spec)
    langs = list(spec.languages)

    # --- constructs: items, aspiration, reverse-keying -------------------
    for c in spec.constructs():
        n = len(c.items)
        if n < MIN_ITEMS:
            why = ("a single item has no reliability estimate" if n == 1 else
                   "with 2 items alpha is unstable and omega cannot be estimated")
            add("warning", "few_items", cpath[c.id],
                f"construct {c.id!r} has {n} item(s); {why}: use at least {MIN_ITEMS}")
        if c.aspiration is None:
            add("warning", "no_aspiration", cpath[c.id],
                f"construct {c.id!r} has no aspiration: gaps against the client's standard cannot be computed")
        if c.items and all(i.reverse for i in c.items):
            add("warning", "all_reversed", cpath[c.id],
                f"every item of construct {c.id!r} is reverse-keyed; word at least one positively")
        no_staff = [i.id for i in c.items if not i.staff]
        if no_staff:
            add("warning", "no_staff_wording", cpath[c.id],
                f"no staff wording for {', '.join(no_staff)}: the staff form uses a generated "
                "'how do you think our customers rate ...' wording; write a natural one")
    items = spec.items()
    n_rev = sum(i.reverse for i in items)
    if items and n_rev / len(items) > MAX_REVERSE_SHARE:
        add("warning", "reverse_share", "journeys",
            f"{n_rev} of {len(items)} items ({n_rev / len(items):.0%}) are reverse-keyed; above "
            f"{MAX_REVERSE_SHARE:.0%} they tend to form a method factor and confuse respondents")
    for k, o in enumerate(spec.outcomes):
        if not o.staff:
            add("warning", "no_staff_wording", f"outcomes[{k}]",
                f"no staff wording for outcome {o.id!r}: the staff form uses a generated wording")

    # --- wordings: duplicates, length -------------------------------------
    reported: set = set()
    for who in ("customer", "staff"):
        seen: dict[str, tuple[str, str]] = {}
        for tp in spec.touchpoints():
            for c in tp.constructs:
                for i in c.items:
                    text = getattr(i, who)
                    if not text:
                        continue
                    for lang, t in text.items():
                        key = (lang, normalise_label(t))
                        if key in seen and (i.id, who) not in reported:
                            reported.add((i.id, who))
                            other_id, other_tp = seen[key]
                            same = other_tp == tp.id
                            add("error" if same else "warning", "duplicate_wording", f"{ipath[i.id]}.{who}",
                                f"item {i.id!r} has the same {who} wording ({lang}) as {other_id!r}"
                                + (" in the same touchpoint" if same else f" (touchpoint {other_tp!r}); "
                                   "make the context explicit in the wording"))
                        elif key not in seen:
                            seen[key] = (i.id, tp.id)
                        if len(t) > MAX_WORDING:
                            add("warning", "long_wording", f"{ipath[i.id]}.{who}.{lang}",
                                f"{len(t)} characters: long items are skimmed on phones; "
                                f"keep under {MAX_WORDING}")

    # --- scales pooled across constructs ------------------------------------
    for level in ("touchpoint", "component"):
        groups: dict[str, set] = {}
        for c in spec.constructs():
            key = c.touchpoint if level == "touchpoint" else c.component
            groups.setdefault(key, set()).add((c.scale.id, c.scale.min, c.scale.max))
        for key, scales in groups.items():
            ranges = {(lo, hi) for _, lo, hi in scales}
            if len(ranges) > 1:
                shown = ", ".join(sorted(f"{s} ({lo:g}-{hi:g})" for s, lo, hi in scales))
                path = tpath.get(key, "journeys") if level == "touchpoint" else "journeys"
                add("warning", "mixed_scales", path,
                    f"{level} {key!r} pools items on different ranges ({shown}): "
                    "means by touchpoint/component mix scales; rescale (POMP) or use one scale")
    kinds: dict[str, list[str]] = {}
    for o in spec.outcomes:
        kinds.setdefault(o.type, []).append(o.id)
    for kind, ids in kinds.items():
        if len(ids) > 1 and kind != "other":
            add("warning", "duplicate_outcome", "outcomes",
                f"{len(ids)} outcomes of type {kind!r} ({', '.join(ids)}); analyses pick the first")
    for kind in RECOMMENDED_OUTCOMES:
        if kind not in kinds:
            add("info", "no_outcome", "outcomes", f"no {kind.upper()} outcome")
    if not any(k in kinds for k in ("repurchase", "retention")):
        add("info", "no_outcome", "outcomes", "no repurchase/retention intention outcome")
    for name, s in spec.scales.items():
        if s.integer and not s.labels:
            add("warning", "unlabelled_scale", f"scales.{name}",
                "no label for any code; label at least both ends so respondents know the direction")

    # --- respondents and segments ---------------------------------------------
    # (a value listed both as customer and staff type is refused by the spec loader)
    for k, s in enumerate(spec.segments):
        for code in s.values:
            if not str(code).strip() or any(ch.isspace() for ch in str(code)):
                add("error", "segment_code", f"segments[{k}].values",
                    f"code {code!r} of segment {s.id!r} contains spaces; form choices store codes "
                    f"without spaces (use e.g. {code!r} -> {str(code).strip().replace(' ', '_')!r})")
        if not s.values:
            add("info", "free_text_segment", f"segments[{k}]",
                f"segment {s.id!r} has no values: it is asked as free text")

    # --- translations -----------------------------------------------------------
    missing: dict[str, list[str]] = {lang: [] for lang in langs}

    def need(text, path):
        for lang in texts.missing_languages(text, langs):
            missing[lang].append(path)

    need(spec.title, "study.title")
    for j, jr in enumerate(spec.journeys):
        need(jr.name, f"journeys[{j}].name")
        for tp in jr.touchpoints:
            need(tp.name, f"{tpath[tp.id]}.name")
            for c in tp.constructs:
                need(c.name, f"{cpath[c.id]}.name")
                for i in c.items:
                    need(i.customer, f"{ipath[i.id]}.customer")
                    if i.staff:
                        need(i.staff, f"{ipath[i.id]}.staff")
    for k, o in enumerate(spec.outcomes):
        need(o.customer, f"outcomes[{k}].customer")
        if o.staff:
            need(o.staff, f"outcomes[{k}].staff")
    for k, s in enumerate(spec.segments):
        need(s.label, f"segments[{k}].label")
        for code, t in s.values.items():
            need(t, f"segments[{k}].values.{code}")
    for name, s in spec.scales.items():
        for code, t in {**s.labels, **s.missing}.items():
            need(t, f"scales.{name}.{'missing' if code in s.missing else 'labels'}.{texts.code_str(code)}")
    for lang, paths in missing.items():
        if paths:
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            add("warning", "missing_translation", paths[0],
                f"{len(paths)} text(s) have no {lang!r} version (the form shows the first language "
                f"instead): {shown}")
    for lang in langs:
        if lang not in texts.FIXED["intro_customer"]:
            add("info", "builder_texts", "study.languages",
                f"the builder's own texts (introduction, closing question) have no {lang!r} "
                "version; English is used: edit the forms before fielding")

    # --- journeys: prioritisation criteria ----------------------------------------
    crits = [set(j.priority) for j in spec.journeys]
    union = set().union(*crits) if crits else set()
    for j, (jr, cs) in enumerate(zip(spec.journeys, crits)):
        lacking = sorted(union - cs)
        if lacking:
            add("warning", "priority_criteria", f"journeys[{j}].priority",
                f"journey {jr.id!r} has no score for {', '.join(lacking)}; "
                "'journeys prioritize' needs every criterion for every journey")

    # --- duration -------------------------------------------------------------------
    minutes, counts = estimate_minutes(spec)
    add("info", "duration", "", f"estimated {minutes:g} min per form ({counts['likert']} items x "
        f"{SECONDS['likert']} s, {counts['outcome']} outcomes x {SECONDS['outcome']} s, "
        f"{counts['segment']} segment questions x {SECONDS['segment']} s, one open question "
        f"{SECONDS['open']} s, introduction {SECONDS['intro']} s)")
    if minutes > MAX_MINUTES:
        add("warning", "long_form", "", f"estimated {minutes:g} min is above {MAX_MINUTES:g}: completion "
            "and answer quality drop; cut items or split the journey into waves")

    order = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda f: order[f.level])
    return CheckResult(str(spec.source) if spec.source else "", out,
                       {"customer": minutes, "staff": minutes}, counts)
