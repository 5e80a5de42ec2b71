"""Layout of ``reliability``: a sheet with one row per scale (and group), and an item sheet."""

from __future__ import annotations


def sheets(builder, result) -> None:
    """Reliability sheet (one row per scale and group) and an item sheet."""
    tables = result.tables()
    summary = tables["reliability"]
    builder.add_table("Reliability", summary, title="Scale reliability",
                      note="alpha: Cronbach's alpha with Feldt 95% CI; omega_total: psych one-factor omega; "
                           "omega_cfa: semTools compRelSEM of a one-factor CFA. Aim for .70 or more.",
                      sequential=["alpha", "omega_total"])
    builder.add_table("Reliability items", tables["items"], title="Item statistics",
                      note="r_drop: correlation of the item with the sum of the other items; "
                           "alpha_if_dropped: alpha without the item (higher than the scale's alpha = "
                           "the item weakens the scale).",
                      sequential=["r_drop"])
