"""A plain export (no study spec) read for its fielding columns (cxstats immediacy/track
without --spec)."""

from __future__ import annotations


def read_fielding_file(path, fielding, id_column: str | None = None):
    """A plain export (no study spec) -> DataFrame of the fielding columns (plus
    ``respondent_id``: ``id_column`` or the file row). Unreadable cells are refused together,
    each named by file, column, row and value; impossible times are flagged (``time_flag``)."""
    import pandas as pd

    from cxstats.io.readers import read_table
    from cxstats.io.fielding import read_fielding_columns
    from cxstats.io.survey import _Problems

    table = read_table(path)
    if id_column:
        table.require_columns([id_column])
    problems, notes = _Problems(table.path), []
    cols = read_fielding_columns(fielding, table, problems, notes)
    problems.raise_if_any()
    frame = pd.DataFrame(cols)
    frame["respondent_id"] = ([str(v) for v in table.frame[id_column].tolist()] if id_column
                              else [f"row {table.file_row(i)}" for i in range(len(frame))])
    return frame, table, notes
