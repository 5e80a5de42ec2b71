"""Analysis ``immediacy``: how soon after the contact customers answered (the programme's
48-hour rule), per survey channel, touchpoint, wave and segment, with the late answers listed,
and whether the lag (in bands) or the channel (mode effects) moves the answers.

With a spec: its ``fielding`` block names the contact and response times, the channel and the
wave (without a fielding block the analysis does not apply: :class:`NotApplicable`);
``max_lag_hours`` defaults to ``fielding.max_lag_hours`` (48); ``outcomes`` to the spec's NPS and
CSAT outcomes and every construct score. Without a spec (one plain file): ``contact_time`` and
``response_time`` name the columns, with ``channel``, ``touchpoint``, ``wave``, ``date_order``
and ``timezone`` as in a spec's fielding block.

Options (plan keys = command-line options): ``max_lag_hours``, ``by`` (a segment column),
``outcomes`` (columns regressed on lag band and channel), and for plain files ``contact_time``,
``response_time``, ``channel``, ``touchpoint``, ``wave``, ``date_order``, ``timezone``, ``id_column``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxstats.errors import InputError, NotApplicable
from cxstats.steps import StepContext, StepOptions

NAME = "immediacy"
WORKBOOK = "tracking"


@dataclass
class Options(StepOptions):
    max_lag_hours: float | None = None    # the immediacy window (spec: fielding.max_lag_hours, 48)
    by: str | None = None                 # a segment column: immediacy per value
    outcomes: list[str] | None = None     # columns regressed on lag band and channel (spec: NPS, CSAT, constructs)
    contact_time: str | None = None       # plain file: the contact (touchpoint event) time column
    response_time: str | None = None      # plain file: the response time column
    channel: str | None = None            # plain file: the survey channel column
    touchpoint: str | None = None         # plain file: the column naming the touchpoint of each answer
    wave: str | None = None               # plain file: the wave column
    date_order: Literal["dmy", "mdy", "ymd"] | None = None  # plain file: order of 05/03/2026
    timezone: str = "UTC"                 # plain file: zone of times written without one
    id_column: str | None = None          # plain file: respondent id column (default: file row)

    def validate(self):
        if self.max_lag_hours is not None and not self.max_lag_hours > 0:
            raise InputError(f"must be a positive number of hours, not {self.max_lag_hours!r}",
                             option="max_lag_hours")


def fielding_frame(ctx: StepContext, options) -> tuple:
    """(frame with the fielding columns and the survey's other columns, Fielding, outcomes, notes)."""
    if ctx.has_spec:
        spec = ctx.spec
        if spec.fielding is None:
            raise NotApplicable("the spec has no fielding block (contact and response time columns): "
                                "add one to measure immediacy and track waves")
        for key in ("contact_time", "response_time", "channel", "touchpoint", "wave", "date_order", "id_column"):
            if getattr(options, key, None) is not None:
                raise InputError("with a spec, the fielding block names the columns and formats",
                                 option=key)
        frame = ctx.survey.data
        frame = frame[frame["respondent_type"] == "customer"].reset_index(drop=True)
        outcomes = [o.id for o in spec.outcomes if o.type in ("nps", "csat")]
        return frame, spec.fielding, outcomes, []
    from cxstats.io.fielding_file import read_fielding_file
    from cxstats.io.tables import load_numeric
    from cxstats.spec.model import Fielding

    if not options.response_time:
        raise InputError("name the response-time column (or give a study spec with a fielding block)",
                         option="response_time")
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(options.timezone)
    except Exception:
        raise InputError(f"{options.timezone!r} is not a time-zone name (e.g. Europe/Madrid, UTC)",
                         option="timezone") from None
    fielding = Fielding(response_time=options.response_time, contact_time=options.contact_time,
                        channel=options.channel, touchpoint=getattr(options, "touchpoint", None),
                        wave=options.wave, date_order=options.date_order,
                        timezone=options.timezone)
    path = ctx.one_file()
    if options.contact_time is None:
        raise InputError("name the contact-time column: immediacy is the time from contact to answer",
                         option="contact_time")
    frame, table, notes = read_fielding_file(path, fielding, options.id_column)
    table.require_columns([options.contact_time])
    extra = [c for c in (getattr(options, "outcomes", None) or []) if c]
    if extra:
        table.require_columns(extra)
        numeric = load_numeric(path, extra, table=table)
        for c in extra:
            frame[c] = numeric[c].to_numpy()
    by = getattr(options, "by", None)
    if by:
        from cxstats.io.tables import load_column_text

        table.require_columns([by])
        frame[by] = load_column_text(path, by, table=table)
    return frame, fielding, extra, notes


def run(ctx: StepContext, options: Options):
    from cxstats.stats.immediacy import analyze_immediacy

    frame, fielding, outcomes, notes = fielding_frame(ctx, options)
    if ctx.has_spec:  # construct scores are outcomes too: does the lag or the channel move them?
        import pandas as pd

        scores = ctx.survey.construct_scores()
        scores = scores.loc[ctx.survey.data["respondent_type"] == "customer"].reset_index(drop=True)
        ids = [c.id for c in ctx.spec.constructs() if c.id not in frame.columns]
        frame = pd.concat([frame, scores[ids]], axis=1)
        outcomes = outcomes + ids
    if options.outcomes is not None:
        outcomes = list(options.outcomes)
    for col in [options.by, *outcomes]:
        if col and col not in frame.columns:
            raise InputError(f"{col!r} is not a column of the survey table",
                             option="by" if col == options.by else "outcomes")
    if fielding.contact_time is None:
        raise NotApplicable("the fielding block names no contact-time column: immediacy (time from "
                            "contact to answer) cannot be computed", option="contact_time")
    window = options.max_lag_hours if options.max_lag_hours is not None else fielding.max_lag_hours
    result = analyze_immediacy(frame, max_lag_hours=window, segment=options.by, outcomes=outcomes)
    result.warnings[:0] = notes
    return result
