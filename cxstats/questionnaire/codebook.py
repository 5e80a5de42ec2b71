"""Codebooks: one for people (a workbook, one row per variable) and one for
machines (``codebook.yaml``: a normalised copy of the study spec).

The machine codebook is what was fielded, written so that
:func:`cxstats.spec.load.load_spec` reads it back unchanged in meaning:
every text is a ``{language: text}`` mapping (translations the spec lacks stay
missing, so ``check`` still reports them), every default is spelled out
(``reverse``, ``required``, the respondent columns), and the staff wording a
form used is written down even when the builder generated it. When the spec
has no ``respondents.type_column`` the forms carry one (``respondent_type``)
and the codebook names it, so exports ingest without further options.
"""

from __future__ import annotations

from cxstats.questionnaire import texts
from cxstats.questionnaire.forms import type_column, why_name
from cxstats.spec.model import Scale, StudySpec


def _num(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _scale_dict(scale: Scale) -> dict:
    d = {"min": _num(scale.min), "max": _num(scale.max)}
    if scale.labels:
        d["labels"] = {_num(k): dict(v) for k, v in scale.labels.items()}
    if scale.missing:
        d["missing"] = {_num(k): dict(v) for k, v in scale.missing.items()}
    if not scale.integer:
        d["integer"] = False
    return d


def spec_to_dict(spec: StudySpec, *, fill_staff: bool = True) -> dict:
    """The spec as plain data in the loader's format (see module docstring)."""
    langs = list(spec.languages)

    def text(t):  # as given: a missing translation stays missing (check reports it)
        return dict(t) if t else None

    def staff(customer, given, kind):
        if given:
            return text(given)
        return texts.staff_wording(customer, langs, kind) if fill_staff else None

    doc: dict = {"study": {"id": spec.id, "title": text(spec.title), "languages": langs}}
    r = spec.respondents
    doc["respondents"] = {"id_column": r.id_column, "type_column": type_column(spec),
                          "customer_values": list(r.customer_values), "staff_values": list(r.staff_values)}
    if spec.weight:
        doc["weight"] = spec.weight
    doc["scales"] = {name: _scale_dict(s) for name, s in spec.scales.items()}
    journeys = []
    for j in spec.journeys:
        jd = {"id": j.id, "name": text(j.name)}
        if j.priority:
            jd["priority"] = {k: _num(v) for k, v in j.priority.items()}
        jd["touchpoints"] = []
        for t in j.touchpoints:
            td = {"id": t.id, "name": text(t.name), "constructs": []}
            for c in t.constructs:
                cd = {"id": c.id, "name": text(c.name), "component": c.component, "scale": c.scale.id}
                if c.aspiration is not None:
                    cd["aspiration"] = _num(c.aspiration)
                cd["items"] = []
                for i in c.items:
                    idict = {"id": i.id, "customer": text(i.customer)}
                    s = staff(i.customer, i.staff, "item")
                    if s:
                        idict["staff"] = s
                    idict["reverse"] = bool(i.reverse)
                    idict["required"] = bool(i.required)
                    cd["items"].append(idict)
                td["constructs"].append(cd)
            jd["touchpoints"].append(td)
        journeys.append(jd)
    doc["journeys"] = journeys
    if spec.outcomes:
        outs = []
        for o in spec.outcomes:
            od = {"id": o.id, "type": o.type, "scale": o.scale.id, "customer": text(o.customer)}
            s = staff(o.customer, o.staff, "outcome")
            if s:
                od["staff"] = s
            od["required"] = bool(o.required)
            outs.append(od)
        doc["outcomes"] = outs
    if spec.segments:
        doc["segments"] = [{"id": s.id, "label": text(s.label),
                            **({"values": {str(k): text(v) for k, v in s.values.items()}} if s.values else {})}
                           for s in spec.segments]
    if spec.finance:
        f = spec.finance
        doc["finance"] = {"id_column": f.id_column, **f.fields, "currency": f.currency}
    return doc


def codebook_yaml(spec: StudySpec, *, header: list[str] | None = None) -> str:
    import yaml

    body = yaml.safe_dump(spec_to_dict(spec), sort_keys=False, allow_unicode=True, width=4096,
                          default_flow_style=False)
    lines = [f"# {h}" for h in (header or [])]
    return ("\n".join(lines) + "\n" if lines else "") + body


def _codes_text(scale: Scale, language: str) -> str:
    if not scale.integer:
        return f"{texts.code_str(scale.min)} - {texts.code_str(scale.max)} (decimal)"
    parts = []
    for code in scale.codes:
        label = scale.labels.get(code) or scale.labels.get(float(code))
        parts.append(f"{code} = {texts.complete(label, [language])[language]}" if label else str(code))
    return "; ".join(parts)


def _missing_text(scale: Scale, language: str) -> str:
    return "; ".join(f"{texts.code_str(c)} = {texts.complete(t, [language])[language]}"
                     for c, t in scale.missing.items())


def variable_rows(spec: StudySpec, language: str | None = None) -> list[dict]:
    """One row per variable of the forms, in form order (workbook sheet 'Codebook')."""
    lang = language or spec.language
    langs = list(spec.languages)
    rows = []

    def base(name, role, **kw):
        row = {"variable": name, "role": role, "journey": "", "touchpoint": "", "construct": "",
               "component": ""}
        for ln in langs:
            row[f"customer_{ln}"] = ""
        for ln in langs:
            row[f"staff_{ln}"] = ""
        row.update({"staff_generated": "", "scale": "", "codes_and_labels": "", "missing_codes": "",
                    "reverse_keyed": "", "aspiration": None, "required": ""})
        row.update(kw)
        return row

    rows.append(base(spec.respondents.id_column or "respondent_id", "respondent id",
                     codes_and_labels="text; filled by the form (once(uuid())) unless pre-filled"))
    r = spec.respondents
    rows.append(base(type_column(spec), "respondent type",
                     codes_and_labels=f"customer form: {r.customer_values[0] if r.customer_values else 'customer'}; "
                                      f"staff form: {r.staff_values[0] if r.staff_values else 'staff'}"))
    f = spec.fielding
    if f is not None:  # continuous measurement: where each field comes from (Qualtrics: embedded data)
        how = ("hidden in the customer XLSForm, pre-filled from the CRM invitation; Qualtrics: an embedded-"
               "data field of the survey flow set from the invitation link")
        for col, what in ((f.contact_time, "contact time"), (f.channel, "survey channel"),
                          (f.touchpoint, "touchpoint"), (f.wave, "wave")):
            if col:
                rows.append(base(col, f"fielding ({what})", codes_and_labels=how))
        rows.append(base(f.response_time, "fielding (response time)",
                         codes_and_labels="XLSForm 'end' timestamp (KoBo end); Qualtrics: RecordedDate or EndDate, "
                                          "renamed"))
    for c in spec.constructs():
        tp = next(t for t in spec.touchpoints() if t.id == c.touchpoint)
        j = next(j for j in spec.journeys if j.id == c.journey)
        for i in c.items:
            cust = texts.complete(i.customer, langs)
            staff = texts.complete(i.staff, langs) if i.staff else texts.staff_wording(i.customer, langs)
            row = base(i.id, "item", journey=texts.complete(j.name, [lang])[lang],
                       touchpoint=texts.complete(tp.name, [lang])[lang],
                       construct=texts.complete(c.name, [lang])[lang] + f" ({c.id})",
                       component=c.component, staff_generated="yes" if not i.staff else "no",
                       scale=c.scale.id, codes_and_labels=_codes_text(c.scale, lang),
                       missing_codes=_missing_text(c.scale, lang), reverse_keyed="yes" if i.reverse else "no",
                       aspiration=c.aspiration, required="yes" if i.required else "no")
            for ln in langs:
                row[f"customer_{ln}"] = cust[ln]
                row[f"staff_{ln}"] = staff[ln]
            rows.append(row)
    for o in spec.outcomes:
        cust = texts.complete(o.customer, langs)
        staff = texts.complete(o.staff, langs) if o.staff else texts.staff_wording(o.customer, langs, "outcome")
        row = base(o.id, f"outcome ({o.type})", staff_generated="yes" if not o.staff else "no",
                   scale=o.scale.id, codes_and_labels=_codes_text(o.scale, lang),
                   missing_codes=_missing_text(o.scale, lang), reverse_keyed="no",
                   required="yes" if o.required else "no")
        for ln in langs:
            row[f"customer_{ln}"] = cust[ln]
            row[f"staff_{ln}"] = staff[ln]
        rows.append(row)
    for s in spec.segments:
        label = texts.complete(s.label, langs)
        row = base(s.id, "segment", codes_and_labels="; ".join(
            f"{k} = {texts.complete(v, [lang])[lang]}" for k, v in s.values.items()) or "free text",
            required="customer form (optional for staff)" if s.values else "no")
        for ln in langs:
            row[f"customer_{ln}"] = label[ln]
            row[f"staff_{ln}"] = label[ln]
        rows.append(row)
    why = {aud: texts.fixed(f"why_{aud}", langs) for aud in ("customer", "staff")}
    row = base(why_name(spec), "open question", codes_and_labels="free text", required="no")
    for ln in langs:
        row[f"customer_{ln}"] = why["customer"][ln]
        row[f"staff_{ln}"] = why["staff"][ln]
    rows.append(row)
    return rows


def scale_rows(spec: StudySpec) -> list[dict]:
    """One row per code of every scale (workbook sheet 'Scales')."""
    langs = list(spec.languages)
    rows = []
    for s in spec.scales.values():
        codes = [(c, s.labels.get(c) or s.labels.get(float(c)), False) for c in s.codes] if s.integer \
            else [(c, t, False) for c, t in s.labels.items()]
        codes += [(c, t, True) for c, t in s.missing.items()]
        for code, label, missing in codes:
            row = {"scale": s.id, "code": _num(code), "missing_code": "yes" if missing else "no"}
            full = texts.complete(label, langs) if label else {ln: "" for ln in langs}
            for ln in langs:
                row[f"label_{ln}"] = full[ln]
            rows.append(row)
    return rows
