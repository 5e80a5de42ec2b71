"""The ``weight`` option of reliability, drivers, nps and describe: a column of survey weights, checked
where it comes from (file, row and value named on a missing, non-numeric or negative weight)."""

from __future__ import annotations

from cxstats.errors import InputError

WEIGHT_HELP = ("A column of survey (sampling) weights: each respondent counts with its weight (rescaled to sum "
               "to the respondents used; equal weights give the unweighted result); intervals use Kish's "
               "effective n. A missing, non-numeric or negative weight, or weights summing to zero, is refused.")


def spec_column(ctx, frame, column: str) -> str:
    """The survey-table column holding ``column``'s weights (the spec's weight column is stored as
    ``weight``)."""
    if column in frame.columns:
        return column
    if ctx.spec is not None and getattr(ctx.spec, "weight", None) == column and "weight" in frame.columns:
        return "weight"
    raise InputError(f"{column!r} is not a column of the survey table (it has: "
                     f"{', '.join(c for c in frame.columns if not str(c).startswith('_'))})", option="weight")


def from_survey(ctx, frame, column: str, used=None):
    """Checked weights of the rows of the survey-table ``frame`` (errors name the data file and its row)."""
    from cxstats.stats.weights import check_weights

    col = spec_column(ctx, frame, column)
    try:
        return check_weights(frame[col].tolist(), column=column, used=used, row_of=lambda i: i)
    except InputError as exc:
        if exc.row is None:
            raise
        i = int(exc.row)
        file = frame["_file"].iloc[i] if "_file" in frame.columns else (ctx.source or None)
        row = int(frame["_row"].iloc[i]) if "_row" in frame.columns else i + 2
        raise InputError(exc.reason, file=file, column=column, row=row, value=exc.value, option="weight") from None


def from_table(table, column: str, used=None):
    """Checked weights of a plain file's rows (``table``: its RawTable)."""
    from cxstats.stats.weights import check_weights

    table.require_columns([column])
    return check_weights(table.frame[column].tolist(), column=column, used=used, row_of=table.file_row,
                         file=table.path)
