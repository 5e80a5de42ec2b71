"""Spec -> a neutral form model: the customer form and its mirrored staff form.

Both forms carry the same variables under the same names (item ids, outcome
ids, segment ids), in the same order, on the same scales, so that customer
and staff answers line up for gap analysis. Only the wording differs: the
staff form uses the spec's ``staff`` texts, or a generated "how do you think
our customers rate ..." wording when the spec has none (``check`` flags it).

Layout of each form:

* hidden fields: the respondent id (``once(uuid())``, which keeps a value
  pre-filled from an invitation link) and the respondent type, a constant
  equal to ``respondents.customer_values[0]`` / ``staff_values[0]``;
* an introduction note;
* one group per touchpoint with its items (journey order, then construct order);
* a group with the outcomes (NPS, CSAT, CES, repurchase/retention ...);
* a group with the segment questions;
* a closing open "why" question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cxstats.questionnaire import texts
from cxstats.spec.model import Scale, StudySpec

AUDIENCES = ("customer", "staff")
DEFAULT_TYPE_COLUMN = "respondent_type"
WHY_NAME = "motivo"


@dataclass
class Question:
    name: str
    role: str            # item | outcome | segment | respondent_id | respondent_type | intro | open | fielding
    label: dict          # language -> text (complete for every form language)
    kind: str            # select_one | decimal | text | calculate | note | hidden | end
    list_name: str | None = None
    scale: Scale | None = None
    required: bool = False
    calculation: str | None = None
    hint: dict | None = None
    constraint: str | None = None
    constraint_message: dict | None = None
    appearance: str | None = None
    generated: bool = False   # staff wording generated, not from the spec
    touchpoint: str = ""
    construct: str = ""


@dataclass
class Section:
    name: str
    label: dict
    questions: list[Question]
    role: str = "touchpoint"   # touchpoint | outcomes | segments
    breaks: list[int] = field(default_factory=list)  # question indexes that start a new page


@dataclass
class Form:
    audience: str
    form_id: str
    title: dict
    languages: list[str]
    head: list[Question]        # hidden fields and the introduction, outside any group
    sections: list[Section]
    tail: list[Question]        # the closing open question
    choices: dict[str, list[tuple[str, dict]]]  # list name -> [(code, {language: label})]
    type_column: str
    type_value: str

    def questions(self) -> list[Question]:
        return self.head + [q for s in self.sections for q in s.questions] + self.tail

    def question(self, name: str) -> Question:
        for q in self.questions():
            if q.name == name:
                return q
        raise KeyError(name)

    def scored(self) -> list[Question]:
        return [q for q in self.questions() if q.role in ("item", "outcome")]


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", str(text))
    if not re.match(r"[A-Za-z_]", name):
        name = f"s_{name}"
    return name


def type_column(spec: StudySpec) -> str:
    """The respondent-type column: the spec's, else ``respondent_type`` (written into the codebook)."""
    return spec.respondents.type_column or DEFAULT_TYPE_COLUMN


def type_value(spec: StudySpec, audience: str) -> str:
    values = spec.respondents.customer_values if audience == "customer" else spec.respondents.staff_values
    return str(values[0]) if values else audience


def scale_choices(scale: Scale, languages: list[str]) -> list[tuple[str, dict]]:
    """Every code of an integer scale (its label, else the number), then its missing codes."""
    out = []
    for code in scale.codes:
        label = scale.labels.get(code)
        if label is None:
            label = scale.labels.get(float(code))
        out.append((texts.code_str(code), texts.complete(label, languages) if label
                    else {lang: texts.code_str(code) for lang in languages}))
    for code, label in scale.missing.items():
        out.append((texts.code_str(code), texts.complete(label, languages)))
    return out


def range_constraint(scale: Scale) -> str:
    """``(. >= 1 and . <= 5) or . = 99``: the scale's range plus its missing codes."""
    expr = f"(. >= {texts.code_str(scale.min)} and . <= {texts.code_str(scale.max)})"
    for code in scale.missing:
        expr += f" or . = {texts.code_str(code)}"
    return expr


def range_message(scale: Scale, languages: list[str]) -> dict:
    codes = ", ".join(texts.code_str(c) for c in scale.missing)
    out = {}
    for lang in languages:
        extra = texts.fixed("range_extra", [lang], codes=codes)[lang] if codes else ""
        out[lang] = texts.fixed("range_message", [lang], lo=texts.code_str(scale.min),
                                hi=texts.code_str(scale.max), extra=extra)[lang]
    return out


class _Names:
    """Question, group and list names must be unique in a form; spec ids already are."""

    def __init__(self, taken):
        self.taken = set(taken)

    def claim(self, wanted: str) -> str:
        name, k = wanted, 2
        while name in self.taken:
            name = f"{wanted}_{k}"
            k += 1
        self.taken.add(name)
        return name


def build_form(spec: StudySpec, audience: str) -> Form:
    """The customer or staff form of ``spec`` (all its languages)."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    langs = list(spec.languages)
    staff = audience == "staff"
    ids = set(spec.item_ids()) | {o.id for o in spec.outcomes} | {s.id for s in spec.segments}
    names = _Names(ids | {spec.respondents.id_column or "respondent_id", type_column(spec)})
    lists = _Names(set())

    choices: dict[str, list] = {}
    scale_list: dict[str, str] = {}

    def scale_question(name, role, wording, scale, required, generated=False, tp="", construct=""):
        if scale.integer:
            if scale.id not in scale_list:
                ln = lists.claim(safe_name(scale.id))
                scale_list[scale.id] = ln
                choices[ln] = scale_choices(scale, langs)
            return Question(name, role, wording, "select_one", list_name=scale_list[scale.id],
                            scale=scale, required=required, constraint=range_constraint(scale),
                            constraint_message=range_message(scale, langs), appearance="likert",
                            generated=generated, touchpoint=tp, construct=construct)
        anchors = [(c, t) for c, t in scale.labels.items()] + list(scale.missing.items())
        hint = {lang: "; ".join(f"{texts.code_str(c)} = {texts.complete(t, langs)[lang]}" for c, t in anchors)
                for lang in langs} if anchors else None
        return Question(name, role, wording, "decimal", scale=scale, required=required, hint=hint,
                        constraint=range_constraint(scale), constraint_message=range_message(scale, langs),
                        generated=generated, touchpoint=tp, construct=construct)

    def wording(customer, staff_text, kind):
        if not staff:
            return texts.complete(customer, langs), False
        if staff_text:
            return texts.complete(staff_text, langs), False
        return texts.staff_wording(customer, langs, kind), True

    head = [
        Question(spec.respondents.id_column or "respondent_id", "respondent_id", {lang: "" for lang in langs}, "calculate",
                 calculation="once(uuid())"),
        Question(type_column(spec), "respondent_type", {lang: "" for lang in langs}, "calculate",
                 calculation=_xpath_string(type_value(spec, audience))),
        Question(names.claim("intro"), "intro", texts.fixed(f"intro_{audience}", langs), "note"),
    ]
    head[2:2] = _fielding_fields(spec, langs) if not staff else []

    sections = []
    for tp in spec.touchpoints():
        questions, breaks = [], []
        for c in tp.constructs:
            breaks.append(len(questions))
            for item in c.items:
                label, generated = wording(item.customer, item.staff, "item")
                questions.append(scale_question(item.id, "item", label, c.scale, item.required,
                                                generated, tp.id, c.id))
        sections.append(Section(names.claim(tp.id), texts.complete(tp.name, langs), questions,
                                "touchpoint", breaks))

    if spec.outcomes:
        qs = []
        for o in spec.outcomes:
            label, generated = wording(o.customer, o.staff, "outcome")
            qs.append(scale_question(o.id, "outcome", label, o.scale, o.required, generated))
        sections.append(Section(names.claim("resultados"), texts.fixed("outcomes_group", langs), qs,
                                "outcomes", [0]))

    if spec.segments:
        qs = []
        for s in spec.segments:
            label = texts.complete(s.label, langs)
            hint = texts.fixed("segment_hint_staff", langs) if staff else None
            if s.values:
                ln = lists.claim(f"seg_{safe_name(s.id)}")
                choices[ln] = [(str(code), texts.complete(t, langs)) for code, t in s.values.items()]
                qs.append(Question(s.id, "segment", label, "select_one", list_name=ln,
                                   required=not staff, hint=hint))
            else:
                qs.append(Question(s.id, "segment", label, "text", required=False, hint=hint))
        sections.append(Section(names.claim("perfil"), texts.fixed("segments_group", langs), qs,
                                "segments", [0]))

    tail = [Question(names.claim(WHY_NAME), "open", texts.fixed(f"why_{audience}", langs), "text")]
    suffix = "cliente" if not staff else "empleado"
    if spec.language != "es":
        suffix = audience
    title = texts.complete(spec.title, langs)
    return Form(audience, f"{spec.id}_{suffix}", title, langs, head, sections, tail, choices,
                type_column(spec), type_value(spec, audience))


def _fielding_fields(spec: StudySpec, langs) -> list:
    """The fields continuous measurement needs (the spec's fielding block): the contact time,
    survey channel, touchpoint and wave as hidden fields, pre-filled from the CRM invitation (KoBo/Enketo:
    ``?d[/FORM/fecha_contacto]=...``), and the response time as the form's ``end`` timestamp."""
    f = spec.fielding
    if f is None:
        return []
    blank = {lang: "" for lang in langs}
    out = [Question(col, "fielding", dict(blank), "hidden") for col in (f.contact_time, f.channel, f.touchpoint, f.wave)
           if col]
    return out + [Question(f.response_time, "fielding", dict(blank), "end")]


def _xpath_string(value: str) -> str:
    """A constant as an XPath string literal."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = value.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


def why_name(spec: StudySpec) -> str:
    """The name the closing open question gets (``motivo`` unless a spec id took it)."""
    return build_form(spec, "customer").tail[0].name
