"""Analysis ``finance``: link survey customers to a customer-level finance table and relate
loyalty, NPS and satisfaction to churn, revenue and share of wallet.

The finance table is the command's ``--finance FILE`` or the plan's ``finance: {file: ...}``.
With a spec, the predictors are outcome, construct (mean of its items) or item ids (default:
the repurchase/retention, NPS and CSAT outcomes), the survey id is the spec's respondent id,
and the finance columns come from the spec's ``finance:`` block unless given (``finance_id``,
``churn``, ``revenue``, ``share_of_wallet``, ``currency``). Without a spec (one plain file):
``survey_id`` and ``predictors`` name its columns. Customers' answers only. Sheets go to the
``roi`` workbook; the ``roi`` step reuses this result.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "finance"
WORKBOOK = "roi"


@dataclass
class FinanceOptions(StepOptions):
    """The finance table's columns and the join (shared by ``finance`` and ``roi``)."""

    survey_id: str | None = None        # customer id column of the survey (default: the spec's)
    finance_id: str | None = None       # customer id column of the finance file
    churn: str | None = None            # 0/1 churn column of the finance file
    revenue: str | None = None          # annual revenue column
    share_of_wallet: str | None = None  # share-of-wallet column (0-1 or 0-100)
    min_match: float = 0.8              # refuse a join matching fewer survey customers
    currency: str | None = None         # default: the spec's, else EUR

    def validate(self):
        if not 0 <= self.min_match <= 1:
            raise InputError(f"give a share between 0 and 1, not {self.min_match:g}", option="min_match")


@dataclass
class Options(FinanceOptions):
    predictors: list[str] | None = None  # survey columns related to money


def run(ctx: StepContext, options: Options):
    from cxstats.stats.finance import analyze_finance

    predictors = list(options.predictors or [])
    if ctx.has_spec and not predictors:
        predictors = default_predictors(ctx.spec, "predictors")
    if not predictors:
        raise InputError("name the survey columns to relate to money (loyalty, NPS or satisfaction), or give "
                         "a study spec", option="predictors")
    frame, finance, currency, survey_file = linked_inputs(ctx, options, {"predictors": predictors})
    return analyze_finance(frame, finance, predictors, survey_file=survey_file, min_match=options.min_match,
                           currency=currency)


def default_predictors(spec, option: str) -> list[str]:
    """Loyalty first (repurchase/retention), then NPS, then overall satisfaction (CSAT)."""
    out = []
    for kind in ("repurchase", "retention", "nps", "recommendation", "csat", "overall_satisfaction"):
        o = spec.outcome_of_type(kind)
        if o is not None and o.id not in out:
            out.append(o.id)
    if not out:
        raise InputError("the spec has no loyalty, NPS or satisfaction outcome; name the survey columns",
                         option=option)
    return out


def linked_inputs(ctx: StepContext, options: FinanceOptions, wanted: dict[str, list[str]]):
    """Customers' answers and the checked finance table.

    ``wanted``: option name -> the survey columns it names (all are kept; with a spec an unknown
    one is refused naming that option). Returns (customers' DataFrame with ``respondent_id`` and
    the wanted columns, FinanceTable, currency, survey file label).
    """
    import pandas as pd

    from cxstats.io.finance import read_finance

    if ctx.finance is None:
        raise InputError("a customer-level finance table is needed (--finance FILE, or the plan's "
                         "'finance: {file: ...}')")
    columns = list(dict.fromkeys(c for cols in wanted.values() for c in cols))
    if ctx.has_spec:
        spec, survey = ctx.spec, ctx.survey
        frame = survey.customers_with_scores()
        for option, cols in wanted.items():
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise InputError(f"{missing[0]!r} is not an outcome, item or construct of the spec",
                                 column=missing[0], option=option)
        fin = spec.finance
        roles = {"churn": options.churn or (fin.churn if fin else None),
                 "revenue": options.revenue or (fin.revenue if fin else None),
                 "share_of_wallet": options.share_of_wallet or (fin.share_of_wallet if fin else None)}
        finance_id = options.finance_id or (fin.id_column if fin else spec.respondents.id_column)
        currency = options.currency or (fin.currency if fin else None) or "EUR"
        survey_file = ", ".join(survey.sources) or ctx.source or "survey"
        frame = frame[["respondent_id", *columns]]
    else:
        from cxstats.io.readers import read_table
        from cxstats.io.tables import load_column_text, load_numeric

        path = ctx.one_file()
        if not options.survey_id:
            raise InputError("give the survey's customer id column (or a study spec)", option="survey_id")
        table = read_table(path)
        frame = load_numeric(path, columns, table=table)
        frame.insert(0, "respondent_id", load_column_text(path, options.survey_id, table=table))
        roles = {"churn": options.churn, "revenue": options.revenue, "share_of_wallet": options.share_of_wallet}
        finance_id = options.finance_id or options.survey_id
        currency = options.currency or "EUR"
        survey_file = path
    if not any(roles.values()):
        raise InputError("name at least one financial outcome column: churn, revenue or share of wallet "
                         "(or a 'finance:' block in the spec)", file=ctx.finance.path, option="churn")
    finance = read_finance(ctx.finance, id_column=finance_id, columns=roles)
    return pd.DataFrame(frame), finance, currency, survey_file
