"""Plan step ``finance``: link customers' answers to the plan's finance table and relate loyalty,
NPS and satisfaction to churn, revenue and share of wallet.

Needs ``finance: {file: ...}`` in the plan and a ``finance:`` block in the spec (id column and
the churn / revenue / share_of_wallet columns). Options: ``predictors`` (outcome ids; default the
repurchase/retention, NPS and CSAT outcomes), ``min_match`` (default 0.8).
Sheets go to the ``roi`` workbook; the ``roi`` step reuses this result.
"""

NAME = "finance"
WORKBOOK = "roi"
OPTIONS = {"predictors", "min_match"}



def linked_frame(ctx):
    """Customers: respondent_id, outcomes and construct scores (mean of items)."""
    survey = ctx.survey
    frame = survey.data.copy()
    scores = survey.construct_scores()
    for c in scores.columns:
        frame[c] = scores[c]
    return frame[frame["respondent_type"] == "customer"].reset_index(drop=True)


def finance_table(ctx):
    from cxstats.stats.finance import read_finance

    if ctx.finance is None:
        ctx.fail(None, "this step needs the plan's 'finance: {file: ...}' (a customer-level finance table)")
    fin = ctx.spec.finance
    if fin is None or not fin.fields:
        ctx.fail(None, "the spec has no 'finance:' block naming the id, churn and revenue columns")
    return read_finance(ctx.finance, id_column=fin.id_column, columns=fin.fields)


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.cli.commands.finance import default_predictors
    from cxstats.stats.finance import finance_linkage

    spec = ctx.spec
    preds = options.get("predictors") or default_predictors(spec)
    if isinstance(preds, str):
        preds = [preds]
    frame = linked_frame(ctx)
    unknown = [p for p in preds if p not in frame.columns]
    if unknown:
        ctx.fail("predictors", f"unknown predictor {unknown[0]!r} (use outcome or construct ids of the spec)")
    try:
        min_match = float(options.get("min_match", 0.8))
    except (TypeError, ValueError):
        ctx.fail("min_match", "min_match must be a number between 0 and 1")
    survey_file = ", ".join(ctx.survey.sources) or "survey"
    return finance_linkage(frame, finance_table(ctx), list(preds), survey_file=survey_file, min_match=min_match,
                           currency=spec.finance.currency)


def sheets(builder, result):
    for name, df in result.tables().items():
        builder.add_table(name, df, title=name)
