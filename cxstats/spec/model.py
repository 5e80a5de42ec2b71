"""The study spec as typed objects: one source of truth for forms, ingest and analyses.

A spec describes scales (range, labels, missing codes), journeys ->
touchpoints -> constructs (component, aspiration) -> items (customer and
staff wording, reverse-keying), outcomes (NPS, CSAT, CES, loyalty), segment
variables, the respondent-id and respondent-type columns, and the financial
fields. Texts are ``{language: text}`` mappings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

COMPONENTS = ("brand", "product", "interaction", "organisation")  # organisation: maturity dimensions
OUTCOME_TYPES = ("nps", "csat", "ces", "repurchase", "retention", "overall_satisfaction",
                 "recommendation", "other")

Text = dict  # language code -> text


def pick(text: Text | None, language: str | None = None) -> str:
    """The text in ``language``, else the first one given, else ''."""
    if not text:
        return ""
    if language and language in text:
        return text[language]
    return next(iter(text.values()))


@dataclass(frozen=True)
class Scale:
    id: str
    min: float
    max: float
    labels: dict = field(default_factory=dict)   # code -> Text
    missing: dict = field(default_factory=dict)  # code -> Text ("No sabe" = 99)
    integer: bool = True

    @property
    def codes(self) -> list[int]:
        return list(range(int(self.min), int(self.max) + 1)) if self.integer else []

    def top_codes(self, k: int = 2) -> list[float]:
        """The k highest codes (top-2-box: 4 and 5 on 1-5; 9 and 10 on 0-10)."""
        return [self.max - i for i in range(k)]

    def reverse(self, value):
        return self.min + self.max - value

    def label_lookup(self) -> dict:
        """Normalised label (any language) -> code; missing-code labels -> None."""
        from cxstats.io.values import normalise_label

        out = {}
        for code, text in self.labels.items():
            for t in text.values():
                out[normalise_label(t)] = code
        for code, text in self.missing.items():
            for t in text.values():
                out[normalise_label(t)] = None
        return out


@dataclass
class Item:
    id: str
    customer: Text
    staff: Text | None = None
    reverse: bool = False
    construct: str = ""
    scale: Scale | None = None
    required: bool = True


@dataclass
class Construct:
    id: str
    name: Text
    component: str
    scale: Scale
    items: list[Item]
    aspiration: float | None = None
    touchpoint: str = ""
    journey: str = ""

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]


@dataclass
class Touchpoint:
    id: str
    name: Text
    constructs: list[Construct]
    journey: str = ""


@dataclass
class Journey:
    id: str
    name: Text
    touchpoints: list[Touchpoint]
    priority: dict = field(default_factory=dict)  # criterion -> score (journey prioritisation)


@dataclass
class Outcome:
    id: str
    type: str
    scale: Scale
    customer: Text
    staff: Text | None = None
    required: bool = True


@dataclass
class Segment:
    id: str
    label: Text
    values: dict = field(default_factory=dict)  # code -> Text (empty: free text)
    lifecycle: bool = False  # the customer's lifecycle stage (profiles are cross-tabulated by it)


@dataclass
class Respondents:
    id_column: str | None = "respondent_id"  # None: no id in the export, rows are numbered
    type_column: str | None = None
    customer_values: list = field(default_factory=lambda: ["customer", "cliente"])
    staff_values: list = field(default_factory=lambda: ["staff", "empleado", "frontline"])


@dataclass
class Finance:
    id_column: str = "customer_id"
    revenue: str | None = None
    churn: str | None = None
    share_of_wallet: str | None = None
    currency: str = "EUR"

    @property
    def fields(self) -> dict:
        return {k: v for k, v in (("revenue", self.revenue), ("churn", self.churn),
                                   ("share_of_wallet", self.share_of_wallet)) if v}


SURVEY_MODES = ("CAWI", "IVR", "CATI", "APP", "other")
FIELDING_COLUMNS = ("contact_time", "response_time", "lag_hours", "survey_mode", "wave", "time_flag",
                    "contact_touchpoint")


@dataclass
class Fielding:
    """When and how answers were collected (the ``fielding`` block): the export's columns
    holding the contact (touchpoint event) time, the response time, the survey channel and
    the wave, or a rule making waves from response times (``wave_period``)."""

    response_time: str | None = None
    contact_time: str | None = None       # absent: immediacy is not computable (said so)
    channel: str | None = None
    channels: dict = field(default_factory=dict)  # normalised cell value -> one of SURVEY_MODES
    touchpoint: str | None = None         # the column naming the touchpoint each answer refers to
    touchpoints: dict = field(default_factory=dict)  # normalised cell value -> a touchpoint id
    wave: str | None = None
    wave_period: str | None = None        # week | month | quarter (from response times)
    waves: list = field(default_factory=list)  # the waves' order (default: sorted labels)
    max_lag_hours: float = 48.0
    date_order: str | None = None         # dmy | mdy | ymd for numeric dates such as 05/03/2026
    timezone: str = "UTC"                 # the zone of times written without one


@dataclass
class StudySpec:
    id: str
    title: Text
    languages: list[str]
    scales: dict[str, Scale]
    journeys: list[Journey]
    outcomes: list[Outcome]
    segments: list[Segment]
    respondents: Respondents
    finance: Finance | None = None
    weight: str | None = None
    source: Path | None = None
    # study-level analysis choices: paired (gaps: the compared groups are the same respondents),
    # direct_paths (sem built from the spec: also construct -> loyalty paths)
    analysis: dict = field(default_factory=dict)
    fielding: Fielding | None = None
    followup: object = None  # the close-the-loop block (cxstats.spec.followup.Followup) or None
    crm: object = None  # how answers join the CRM extract (cxstats.spec.crm.Crm) or None
    themes: object = None    # open answers and codebook (cxstats.spec.themes.Themes) or None
    maturity: object = None  # the maturity self-assessment block (cxstats.spec.maturity.Maturity) or None

    @property
    def language(self) -> str:
        return self.languages[0]

    def touchpoints(self) -> list[Touchpoint]:
        return [t for j in self.journeys for t in j.touchpoints]

    def display_names(self, language: str | None = None) -> dict[str, str]:
        """Code -> the name a reader sees, in ``language``: journeys, touchpoints and
        constructs by their names, segments by their labels, items and outcomes by their
        customer wording (codes are unique across the spec, see load.py)."""
        out: dict[str, str] = {}
        for j in self.journeys:
            out[j.id] = pick(j.name, language) or j.id
            for t in j.touchpoints:
                out[t.id] = pick(t.name, language) or t.id
                for c in t.constructs:
                    out[c.id] = pick(c.name, language) or c.id
                    for i in c.items:
                        out[i.id] = pick(i.customer, language) or i.id
        for o in self.outcomes:
            out[o.id] = pick(o.customer, language) or o.id
        for g in self.segments:
            out[g.id] = pick(g.label, language) or g.id
        return out

    def constructs(self) -> list[Construct]:
        return [c for t in self.touchpoints() for c in t.constructs]

    def items(self) -> list[Item]:
        return [i for c in self.constructs() for i in c.items]

    def construct(self, cid: str) -> Construct:
        for c in self.constructs():
            if c.id == cid:
                return c
        raise KeyError(cid)

    def outcome(self, oid: str) -> Outcome:
        for o in self.outcomes:
            if o.id == oid:
                return o
        raise KeyError(oid)

    def outcome_of_type(self, kind: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.type == kind), None)

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items()]

    def scored_columns(self) -> dict[str, Scale]:
        """Every column answered on a scale (items, then outcomes) -> its scale."""
        cols = {i.id: i.scale for i in self.items()}
        cols.update({o.id: o.scale for o in self.outcomes})
        return cols

    def levels(self) -> dict[str, dict[str, list[str]]]:
        """Groupings of items for gap analysis: construct, touchpoint, component."""
        by_construct = {c.id: c.item_ids for c in self.constructs()}
        by_touchpoint = {t.id: [i for c in t.constructs for i in c.item_ids] for t in self.touchpoints()}
        by_component: dict[str, list[str]] = {}
        for c in self.constructs():
            by_component.setdefault(c.component, []).extend(c.item_ids)
        return {"construct": by_construct, "touchpoint": by_touchpoint, "component": by_component}

    def aspirations(self) -> dict[str, float]:
        return {c.id: c.aspiration for c in self.constructs() if c.aspiration is not None}
