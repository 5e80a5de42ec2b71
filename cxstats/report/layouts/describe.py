"""Layout of ``describe``: one sheet, customers and staff side by side."""

from __future__ import annotations


def sheets(builder, result) -> None:
    wide = result.wide()
    pct = {c: "0.0%" for c in wide.columns if c.endswith("_share")}
    builder.add_table("Describe", wide, title="Descriptives: customers and frontline staff side by side",
                      note="Reverse-keyed items are recoded so that higher is always better.",
                      formats=pct)
