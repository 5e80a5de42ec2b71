"""Layout of ``finance``: the survey-finance link (match rate) and the models of each financial
outcome on each predictor, one sheet each."""

from __future__ import annotations


def sheets(builder, result) -> None:
    for name, df in result.tables().items():
        builder.add_table(name, df, title=name)
