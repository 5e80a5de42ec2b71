"""Analysis ``verbatims``: text analytics of open answers - what detractors say, what frontline
staff hear.

With a spec: its ``themes:`` block names the customers' open-answer column (``text``), the staff
open questions (``staff_text``), the language (``es``/``en``/``pt`` or ``auto``), a date column
for weekly tracking (``period``), a touchpoint column and the codebook of themes; NPS groups
come from the spec's NPS outcome, segments from its segments. Without a spec (one plain file):
``text`` names the column, ``nps`` the 0-10 score column, ``by`` grouping columns and
``id_column`` the respondent id; topics only (no codebook).

Personal data is scrubbed before anything is shown; see :mod:`cxstats.stats.verbatims`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "verbatims"
WORKBOOK = "verbatims"


@dataclass
class Options(StepOptions):
    text: str | None = None                 # the open-answer column (spec: themes.text)
    language: Literal["es", "en", "pt", "auto"] | None = None  # spec: themes.language, else the study's
    by: list[str] | None = None             # segment columns (spec default: its segments)
    staff: bool = True                      # the staff answers and the blind-spots table (spec: staff_text)
    period: Literal["week", "wave", "none"] | None = None  # shares per ISO week of themes.period or per
    #   fielding wave (default: week with themes.period, else wave with a fielding wave column)
    n_topics: int | None = None             # fixed number of topics (default: chosen by stability)
    k_min: int = 3                          # smallest number of topics tried
    k_max: int = 10                         # largest number of topics tried
    stability_runs: int = 5                 # subsamples per number of topics (stability)
    min_df: int = 3                         # a term counts when it is in at least this many answers
    fold_accents: bool = True               # fold accents before stop words and stems
    bigrams: bool = True                    # pairs of neighbouring words as terms too
    min_n: int = 30                         # segment groups with fewer answers are suppressed
    min_staff_n: int = 5                    # staff groups with fewer answers are suppressed (anonymity)
    quotes: int = 3                         # quotes shown per theme and topic
    impact: bool = True                     # themes as drivers of NPS points
    nps: str | None = None                  # plain file: the 0-10 recommendation column
    id_column: str | None = None            # plain file: the respondent id column (default: file row)

    def validate(self):
        for key in ("k_min", "k_max", "stability_runs", "min_df", "min_n", "min_staff_n"):
            if getattr(self, key) < 1:
                raise InputError(f"must be 1 or more, not {getattr(self, key)}", option=key)
        if self.k_min < 2:
            raise InputError("topics start at 2", option="k_min")
        if self.k_max < self.k_min:
            raise InputError(f"k_max ({self.k_max}) is below k_min ({self.k_min})", option="k_max")
        if self.n_topics is not None and self.n_topics < 2:
            raise InputError("give 2 or more topics", option="n_topics")
        if self.quotes < 0:
            raise InputError("must be 0 or more", option="quotes")


def _weeks(values):
    import pandas as pd

    parsed = pd.to_datetime(pd.Series(values), errors="coerce", format="mixed")
    out = []
    for v in parsed:
        if pd.isna(v):
            out.append(None)
        else:
            iso = v.isocalendar()
            out.append(f"{iso[0]}-W{iso[1]:02d}")
    return out


def run(ctx: StepContext, options: Options):
    from cxstats.stats.verbatims import analyze_verbatims

    common = dict(n_topics=options.n_topics, k_min=options.k_min, k_max=options.k_max,
                  stability_runs=options.stability_runs, seed=ctx.seed if ctx.seed is not None else 20261123,
                  fold_accents=options.fold_accents, bigrams=options.bigrams, min_df=options.min_df,
                  quotes=options.quotes, min_n=options.min_n, min_staff_n=options.min_staff_n,
                  impact=options.impact, progress=ctx.progress("topics"))
    if not ctx.has_spec:
        return _plain(ctx, options, common)
    from cxstats.io.crm import raw_columns

    spec = ctx.spec
    th = spec.themes
    if options.nps or options.id_column:
        raise InputError("with a spec, the NPS outcome and ids come from the spec",
                         option="nps" if options.nps else "id_column")
    if th is None and not options.text:
        raise NotApplicable("the spec has no 'themes:' block (open-answer column and codebook); add one "
                            "or name the column with --text")
    text_col = options.text or th.text
    language = options.language or (th.language if th and th.language else spec.language)
    data = ctx.survey.data
    customers = data[data["respondent_type"] == "customer"].reset_index(drop=True)
    if not len(customers):
        raise NotApplicable("no customer answers")
    where = {text_col: "themes.text"}
    wanted = [text_col]
    if th and th.period:
        wanted.append(th.period)
        where[th.period] = "themes.period"
    wave_col = spec.fielding.wave if spec.fielding is not None else None
    if wave_col:
        wanted.append(wave_col)
        where[wave_col] = "fielding.wave"
    if th and th.touchpoint:
        wanted.append(th.touchpoint)
        where[th.touchpoint] = "themes.touchpoint"
    wanted = [c for c in dict.fromkeys(wanted) if c not in customers.columns]
    raw = raw_columns(customers, wanted, where)

    def column(name):
        return (customers[name] if name in customers.columns else raw[name]).tolist()

    texts = column(text_col)
    nps_out = spec.outcome_of_type("nps")
    nps = customers[nps_out.id].tolist() if nps_out is not None and nps_out.id in customers.columns else None
    seg_ids = [s.id for s in spec.segments]
    by = options.by if options.by is not None else [s for s in seg_ids if s in customers.columns]
    for b in by:
        if b not in customers.columns and b not in seg_ids:
            raise InputError(f"{b!r} is not a segment of the spec", option="by")
    breakdowns = {}
    if th and th.touchpoint:
        breakdowns[th.touchpoint] = column(th.touchpoint)
    for b in by:
        if b in customers.columns:
            breakdowns[b] = customers[b].tolist()
    periods = None
    period = options.period or ("week" if th and th.period else "wave" if wave_col else "none")
    if period == "week":
        if not (th and th.period):
            raise InputError("weekly tracking needs a date column: name it as themes.period in the spec",
                             option="period")
        periods = _weeks(column(th.period))
    elif period == "wave":
        if not wave_col:
            raise InputError("tracking by wave needs the spec's fielding.wave column", option="period")
        periods = column(wave_col)
    staff_texts = staff_ids = staff_groups = None
    if options.staff and th and th.staff_text:
        staff = data[data["respondent_type"] == "staff"].reset_index(drop=True)
        if len(staff):
            sraw = raw_columns(staff, [c for c in th.staff_text if c not in staff.columns],
                               {c: "themes.staff_text" for c in th.staff_text})
            cols = [(staff[c] if c in staff.columns else sraw[c]).tolist() for c in th.staff_text]
            staff_texts = [" ".join(str(v).strip() for v in vals if v is not None and str(v).strip()
                                    and str(v) != "nan") for vals in zip(*cols)]
            staff_ids = staff["respondent_id"].astype(str).tolist()
            staff_groups = {b: staff[b].tolist() for b in by if b in staff.columns and staff[b].notna().any()}
    names = {t: (th.names.get(t) or {}) for t in th.codebook} if th else {}
    result = analyze_verbatims(
        texts, customers["respondent_id"].astype(str).tolist(), codebook=dict(th.codebook) if th else {},
        language=language, languages=list(spec.languages), text_column=text_col, nps=nps,
        breakdowns=breakdowns, periods=periods, staff_texts=staff_texts, staff_ids=staff_ids,
        staff_groups=staff_groups, theme_names=names, **common)
    return result


def _plain(ctx: StepContext, options: Options, common: dict):
    from cxstats.io.readers import read_table
    from cxstats.stats.verbatims import analyze_verbatims

    if not options.text:
        raise InputError("name the open-answer column (or give a study spec with a themes block)", option="text")
    path = ctx.one_file()
    table = read_table(path)
    cols = [options.text, *([options.nps] if options.nps else []), *(options.by or []),
            *([options.id_column] if options.id_column else [])]
    table.require_columns(cols)
    frame = table.frame
    ids = (frame[options.id_column].astype(str).tolist() if options.id_column
           else [str(table.file_row(i)) for i in range(len(frame))])
    nps = None
    if options.nps:
        from cxstats.io.tables import load_numeric

        nps = load_numeric(path, [options.nps], table=table)[options.nps].tolist()
        bad = [v for v in nps if v == v and not 0 <= v <= 10]
        if bad:
            raise InputError(f"an NPS answer is a number from 0 to 10, not {bad[0]:g}", file=path,
                             column=options.nps)
    breakdowns = {b: frame[b].tolist() for b in options.by or []}
    if options.period in ("week", "wave"):
        raise InputError("tracking needs a spec (themes.period or fielding.wave)", option="period")
    return analyze_verbatims(frame[options.text].tolist(), ids, codebook={}, language=options.language or "es",
                             languages=["es", "en", "pt"] if options.language == "auto" else [options.language
                                                                                          or "es"],
                             text_column=options.text, nps=nps, breakdowns=breakdowns, **common)
