"""Close-the-loop case lists: which customers need a follow-up (or a thank-you), who owns each
case, by when, and why - in words an account manager can act on.

Pure: a frame of answers and plain rule objects in, a :class:`FollowupResult` out. Rules come
from the spec's ``followup:`` block (``cxstats.spec.followup``), read here by their attributes:
``rule.id``, ``rule.priority``, ``rule.rank`` (0 = highest), ``rule.sla_hours`` and
``rule.condition`` (``kind`` value | items | text, ``columns``, ``op``, ``value``, ``quantifier``,
``pattern``, ``construct``, ``touchpoint``, ``scale_max``).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

CASE_COLUMNS = ("respondent_id", "customer_id", "rule", "priority", "owner", "manager", "due_by", "reason",
                "touchpoint", "channel")
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq,
        "!=": operator.ne}
COMMENT_CHARS = 160  # a reason quotes at most this much of the comment


def rule_mask(frame, condition, comment=None):
    """Boolean array: rows meeting the condition (missing answers never meet one)."""
    import numpy as np

    if condition.kind == "theme":  # a verbatims codebook theme (the step puts each row's themes in _themes)
        themes = frame["_themes"] if "_themes" in frame.columns else [()] * len(frame)
        return np.array([condition.pattern in (t or ()) for t in themes], bool)
    if condition.kind == "text":
        if comment is None:
            return np.zeros(len(frame), bool)
        rx = re.compile(condition.pattern, re.IGNORECASE)
        return np.array([isinstance(t, str) and rx.search(t) is not None for t in comment], bool)
    op = _OPS[condition.op]
    block = frame[list(condition.columns)].to_numpy(float)
    with np.errstate(invalid="ignore"):
        hit = op(block, condition.value) & ~np.isnan(block)
    if condition.kind == "items" and condition.quantifier == "all":
        answered = ~np.isnan(block)
        return answered.any(axis=1) & (hit | ~answered).all(axis=1)
    return hit.any(axis=1)


def _num(v) -> str:
    return f"{v:.1f}" if abs(v - round(v)) > 1e-9 else f"{v:.0f}"


def _trigger(row, condition, labels) -> str:
    """The answer that met the condition, in words: 'NPS 3', 'Puntualidad de la entrega 1/5'."""
    import math

    if condition.kind == "theme":
        return labels.get(f"theme:{condition.pattern}", condition.pattern)
    label = labels.get(condition.construct or condition.columns[0], condition.columns[0])
    vals = [(row[c], c) for c in condition.columns if not math.isnan(row[c])]
    v, col = (min(vals) if condition.op in ("<=", "<") else max(vals)) if vals else (float("nan"), "")
    if condition.kind == "items" and not condition.construct and col:
        label = labels.get(col, col)  # a touchpoint's items: the item that met it, by name
    if condition.kind == "value" and condition.columns[0] in labels:
        label = labels[condition.columns[0]]
    top = condition.scale_max
    return f"{label} {_num(v)}" + (f"/{_num(top)}" if top is not None and top != 10 else "")


def _quote(text) -> str:
    t = " ".join(str(text).split())
    return "'" + (t if len(t) <= COMMENT_CHARS else t[:COMMENT_CHARS - 1] + "…") + "'"


@dataclass
class FollowupResult:
    kind: str                      # followup | promoters
    cases: list[dict]              # one per customer, CASE_COLUMNS + rules_hit + extra columns
    summary: list[dict]            # owner, manager, priority, n
    rule_counts: list[dict]        # rule, priority, sla_hours, n_flagged (customers), n_cases (won)
    n_responses: int
    n_flagged: int                 # customers with at least one rule hit (before suppression)
    n_suppressed: int
    n_default_owner: int
    as_of: str | None
    suppression_days: float
    owners_by: str | None
    hashed_ids: bool = False
    extra_columns: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    language: str | None = None    # the language of the cases' reason and touchpoint (the JSON's)
    # {other language: [{"reason", "touchpoint"} per case]}: the same display texts in the spec's
    # other languages, for the CRM file and workbook in a chosen language (not in the JSON)
    display_texts: dict = field(default_factory=dict)
    crm: dict | None = None        # how the answers joined the CRM extract (counts), when one is linked

    @property
    def columns(self) -> list[str]:
        return [*CASE_COLUMNS, "rules_hit", *self.extra_columns]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "as_of": self.as_of, "n_responses": self.n_responses,
                "n_flagged": self.n_flagged, "n_suppressed": self.n_suppressed, "n_cases": len(self.cases),
                "n_default_owner": self.n_default_owner, "suppression_days": self.suppression_days,
                "owners_by": self.owners_by, "hashed_ids": self.hashed_ids, "columns": self.columns,
                "rules": self.rule_counts, "cases": self.cases, "summary": self.summary,
                **({"crm": self.crm} if self.crm is not None else {}), "warnings": list(self.warnings)}

    def cases_in(self, lang: str | None = None) -> list[dict]:
        """The cases with their display texts (reason, touchpoint) in ``lang`` when the spec has
        it; the JSON's language otherwise."""
        texts = self.display_texts.get(lang) if lang and lang != self.language else None
        if not texts:
            return self.cases
        return [{**case, **shown} for case, shown in zip(self.cases, texts)]

    def case_frame(self, lang: str | None = None):
        import pandas as pd

        return pd.DataFrame(self.cases_in(lang), columns=self.columns)

    def tables(self) -> dict:
        import pandas as pd

        return {"Cases": self.case_frame(),
                "Summary": pd.DataFrame(self.summary, columns=["owner", "manager", "priority", "n"]),
                "Rules": pd.DataFrame(self.rule_counts)}

    def methods(self, lang: str = "en") -> list[tuple[str, str]]:
        """The method notes in ``lang`` (es or en; any other language: English)."""
        if lang == "es":
            what = ("clientes a los que agradecer (promotores), con lo que valoraron" if self.kind == "promoters"
                    else "clientes cuyas respuestas cumplen una regla de seguimiento")
            out = [("Lista de seguimiento", f"Una fila por cliente: {what}. Un cliente que cumple varias reglas "
                                            "(o con varias respuestas) aparece una vez, con la regla de mayor "
                                            "prioridad (empates: la regla declarada antes, luego el plazo más "
                                            "temprano); rules_hit lista todas las reglas cumplidas. due_by = hora "
                                            "de respuesta + las horas de SLA de la regla. La columna manager (el "
                                            "jefe del responsable) se rellena en las prioridades que le avisan."),
                   ("Responsables", f"Responsable y jefe según el mapa followup.owners de la especificación, por "
                                    f"{self.owners_by or 'nada'}; los casos cuya clave no está en el mapa van al "
                                    "responsable por defecto (contados en n_default_owner)."),
                   ("Exportación al CRM", "Solo salen las columnas declaradas: las columnas fijas, rules_hit y "
                                          "followup.export. En el CSV, un texto que empieza por =, +, -, @ (o un "
                                          "tabulador o retorno de carro) lleva delante ' para que ninguna hoja de "
                                          "cálculo lo ejecute como fórmula; en el XLSX todo texto se guarda como "
                                          "texto.")]
            if self.crm is not None:
                c = self.crm
                out.append(("CRM", f"Respuestas unidas al extracto del CRM {c['file']} por id de cliente: "
                                   f"{c['n_matched']} de {c['n_answers']} unidas; los segmentos del CRM "
                                   f"({', '.join(c['segments']) or 'ninguno'}) sustituyen a los de la encuesta, "
                                   "también la clave de los responsables."))
            if self.suppression_days:
                out.append(("Supresión", f"Un cliente de la lista anterior con fecha dentro de los "
                                         f"{self.suppression_days:g} días anteriores a {self.as_of} no se vuelve a "
                                         "listar."))
            if self.hashed_ids:
                out.append(("Ids cifrados", "customer_id y respondent_id son HMAC-SHA256 (hex) del id con una "
                                            "clave guardada fuera del fichero: el mismo cliente recibe el mismo "
                                            "hash, y nadie sin la clave puede recuperar ni comprobar un id."))
            return out
        what = ("customers to thank (promoters), with what they praised" if self.kind == "promoters" else
                "customers whose answers meet a follow-up rule")
        out = [("Follow-up list", f"One row per customer: {what}. A customer meeting several rules (or with "
                                  "several responses) is listed once under the highest-priority rule (ties: the "
                                  "rule declared first, then the earliest deadline); rules_hit lists every rule "
                                  "met. due_by = response time + the rule's SLA hours. The manager column is "
                                  "filled for priorities that notify the owner's manager."),
               ("Owners", f"Owner and manager from the spec's followup.owners map keyed by "
                          f"{self.owners_by or 'nothing'}; cases whose key is not in the map go to the default "
                          "owner (counted in n_default_owner)."),
               ("CRM export", "Only declared columns leave: the fixed columns, rules_hit and followup.export. In "
                              "CSV, text starting with =, +, -, @ (or a tab/carriage return) is prefixed with ' "
                              "so that a spreadsheet never runs it as a formula; in XLSX every text is stored as "
                              "text.")]
        if self.crm is not None:
            c = self.crm
            out.append(("CRM", f"Answers joined to the CRM extract {c['file']} by customer id: {c['n_matched']} "
                               f"of {c['n_answers']} joined; the CRM's segments "
                               f"({', '.join(c['segments']) or 'none'}) replace the survey's, the owners' key "
                               "included."))
        if self.suppression_days:
            out.append(("Suppression", f"A customer in the previous list with a date within "
                                       f"{self.suppression_days:g} days before {self.as_of} is not listed again."))
        if self.hashed_ids:
            out.append(("Hashed ids", "customer_id and respondent_id are HMAC-SHA256 (hex) of the id under a key "
                                      "kept outside the file: the same customer gets the same hash, and nobody "
                                      "without the key can recover or test an id."))
        return out


def build_cases(frame, rules, *, kind="followup", customer_ids, comment=None, response_time=None,
                channel=None, owner_keys=None, owners=None, default_owner=None, owners_by=None,
                notify=("high",), labels=None, praise=None, touchpoint_names=None, extra=None,
                previous=None, suppression_days=0.0, as_of=None, hasher=None, language=None,
                translations=None) -> FollowupResult:
    """The case list.

    ``frame``: scored answers (one row per response, columns named by the rules' conditions).
    ``customer_ids``, ``comment``, ``response_time`` (pandas Timestamps or NaT), ``channel``,
    ``owner_keys``: per-row sequences (``owner_keys`` ignored when ``owners_by == 'touchpoint'``:
    the key is then the winning rule's touchpoint). ``owners``: key -> object with ``owner`` and
    ``manager``; ``default_owner`` likewise. ``labels``: code -> short name for reasons;
    ``praise``: construct -> (name, scale max) for the promoters list. ``extra``: {column:
    sequence} exported as they are. ``previous``: {customer id: Timestamp} of an earlier list;
    with ``suppression_days`` > 0, a customer whose previous date lies within that many days
    before ``as_of`` (a Timestamp; default the latest response time) is left out. ``hasher``:
    id -> hashed id for the output (the suppression compares both raw and hashed ids).
    ``language``: the language of ``labels`` and ``touchpoint_names`` (the cases' ``reason`` and
    ``touchpoint``, as the JSON keeps them); ``translations``: {other language: {"labels": ...,
    "touchpoint_names": ...}} - the same two display texts in each, kept on the result for the
    CRM file and the workbook in a chosen language (:meth:`FollowupResult.case_frame`).
    """
    import math

    import numpy as np
    import pandas as pd

    n = len(frame)
    labels = dict(labels or {})
    owners = dict(owners or {})
    touchpoint_names = dict(touchpoint_names or {})
    extra = dict(extra or {})
    translations = {k: v for k, v in (translations or {}).items() if k != language}
    shown: dict[str, list] = {lang: [] for lang in translations}  # the display texts in other languages
    warnings: list[str] = []
    times = pd.Series(pd.to_datetime(pd.Series(response_time if response_time is not None else [pd.NaT] * n)))
    if response_time is None:
        warnings.append("no response time column (followup.response_time): due_by is empty")
    elif times.isna().any():
        warnings.append(f"{int(times.isna().sum())} response(s) without a response time: their due_by is empty")
    masks = [rule_mask(frame, r.condition, comment) for r in rules]
    cust = [None if (c is None or (isinstance(c, float) and math.isnan(c))) else str(c) for c in customer_ids]
    hits: dict[str, list] = {}  # customer -> [(rank, rule order, due, row, rule)]
    order: list[str] = []
    for k, (rule, mask) in enumerate(zip(rules, masks)):
        for i in np.flatnonzero(mask):
            c = cust[i]
            if c is None:
                continue
            if c not in hits:
                hits[c] = []
            due = times.iloc[i] + pd.Timedelta(hours=rule.sla_hours) if pd.notna(times.iloc[i]) else pd.NaT
            hits[c].append((rule.rank, k, due, int(i), rule))
    order = sorted(hits, key=lambda c: min((h[0], h[1], h[3]) for h in hits[c]))
    flagged = {r.id: len({cust[i] for i in np.flatnonzero(m) if cust[i] is not None}) for r, m in zip(rules, masks)}

    if as_of is None:
        as_of = times.max() if times.notna().any() else None
    suppressed = set()
    if previous and suppression_days:
        if as_of is None:
            warnings.append("no response times and no as-of date: the suppression window cannot be applied")
        else:
            window = pd.Timedelta(days=suppression_days)
            for c in order:
                for key in (c, hasher(c) if hasher else None):
                    when = previous.get(key) if key is not None else None
                    if when is not None and pd.notna(when) and as_of - window <= when <= as_of:
                        suppressed.add(c)

    cases, won = [], {r.id: 0 for r in rules}
    n_default = 0
    for c in order:
        if c in suppressed:
            continue
        lst = sorted(hits[c], key=lambda h: (h[0], h[1], h[2] if pd.notna(h[2]) else pd.Timestamp.max, h[3]))
        rank, _, due, i, rule = lst[0]
        won[rule.id] += 1
        row = frame.iloc[i]
        key = rule.condition.touchpoint if owners_by == "touchpoint" else (
            None if owner_keys is None else owner_keys[i])
        key = None if key is None or (isinstance(key, float) and math.isnan(key)) else str(key)
        who = owners.get(key) if key is not None else None
        if who is None:
            who = default_owner
            n_default += 1
        def reason(words):
            return _reason(frame, lst, row, words, praise if kind == "promoters" else None,
                           comment[i] if comment is not None else None)

        rid, cid_out = str(frame.index[i]) if "respondent_id" not in frame.columns else str(row["respondent_id"]), c
        if hasher is not None:
            rid, cid_out = hasher(rid), hasher(c)
        tp = rule.condition.touchpoint
        case = {"respondent_id": rid, "customer_id": cid_out, "rule": rule.id, "priority": rule.priority,
                "owner": getattr(who, "owner", "") if who is not None else "",
                "manager": (getattr(who, "manager", "") or "") if who is not None and rule.priority in notify else "",
                "due_by": due.strftime("%Y-%m-%d %H:%M") if pd.notna(due) else None,
                "reason": reason(labels), "touchpoint": touchpoint_names.get(tp, tp) if tp else "",
                "channel": "" if channel is None or _blank(channel[i]) else str(channel[i]),
                "rules_hit": ", ".join(dict.fromkeys(h[4].id for h in lst))}
        for col, values in extra.items():
            v = values[i]
            case[col] = None if _blank(v) else (v if isinstance(v, (int, str)) else
                                                 int(v) if float(v).is_integer() else float(v))
        cases.append(case)
        for lang, words in translations.items():
            names = words.get("touchpoint_names") or {}
            shown[lang].append({"reason": reason(words.get("labels") or {}),
                                "touchpoint": names.get(tp, tp) if tp else ""})
    if n_default:
        warnings.append(f"{n_default} case(s) had no owner for their {owners_by or 'key'} and went to the default "
                        f"owner {getattr(default_owner, 'owner', '')!r}")
    if suppressed:
        warnings.append(f"{len(suppressed)} customer(s) left out: already in the previous list within "
                        f"{suppression_days:g} days")
    summary = {}
    for case in cases:
        k = (case["owner"], case["manager"], case["priority"])
        summary[k] = summary.get(k, 0) + 1
    rank = {r.priority: r.rank for r in rules}
    summary_rows = [{"owner": o, "manager": m, "priority": p, "n": k}
                    for (o, m, p), k in sorted(summary.items(), key=lambda x: (x[0][0], rank.get(x[0][2], 9), x[0][1]))]
    rule_rows = [{"rule": r.id, "when": r.condition.source, "priority": r.priority, "sla_hours": r.sla_hours,
                  "n_flagged": flagged[r.id], "n_cases": won[r.id]} for r in rules]
    return FollowupResult(kind=kind, cases=cases, summary=summary_rows, rule_counts=rule_rows, n_responses=n,
                          n_flagged=len(hits), n_suppressed=len(suppressed), n_default_owner=n_default,
                          as_of=as_of.strftime("%Y-%m-%d %H:%M") if as_of is not None else None,
                          suppression_days=float(suppression_days), owners_by=owners_by,
                          hashed_ids=hasher is not None, extra_columns=list(extra), warnings=warnings,
                          language=language, display_texts=shown)


def _reason(frame, hits, row, labels, praise, comment) -> str:
    """A case's reason in words, with ``labels`` (code -> name in one language): the answers that
    met each rule ('NPS 3', 'Puntualidad de la entrega 1/5'), for a promoter what they praised
    most, then the comment quoted."""
    import math

    parts = []
    for h in hits:
        if h[4].condition.kind != "text":
            text = _trigger(frame.iloc[h[3]], h[4].condition, labels)
            if text not in parts:
                parts.append(text)
    if praise:
        scores = [(row[cid], -j, labels.get(cid, name), top) for j, (cid, (name, top)) in enumerate(praise.items())
                  if cid in row.index and not math.isnan(row[cid]) and row[cid] >= top - 1]
        best = sorted(scores, reverse=True)[:2]
        if best:
            parts.append(labels.get("_praised", "praised") + ": " +
                         ", ".join(f"{name} {s:.1f}/{_num(top)}" for s, _, name, top in best))
    if isinstance(comment, str) and comment.strip():
        parts.append(_quote(comment))
    return "; ".join(parts)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
