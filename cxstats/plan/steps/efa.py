"""Plan step ``efa``: exploratory factor analysis of the spec's items, per respondent type.

Options (all optional): ``items`` (list of item ids; default every item of the
spec's constructs), ``constructs`` (list of construct ids whose items to use),
``factors`` (default: parallel analysis; ``constructs`` = one per construct),
``method`` (minres | ml), ``rotation`` (oblimin | promax | varimax | none),
``respondent_type`` (customer | staff | both; default customer), ``missing``.
"""

NAME = "efa"
WORKBOOK = "measurement"
OPTIONS = {"items", "constructs", "factors", "method", "rotation", "respondent_type", "missing"}



class EFAStepResult:
    """One EFA per respondent type, with the interface every result has."""

    def __init__(self, parts):
        self.parts = parts  # [(respondent_type, EFAResult)]
        self.warnings = [f"{kind}: {w}" for kind, r in parts for w in r.warnings]

    def to_dict(self):
        return {"analyses": [{"respondent_type": k, **r.to_dict()} for k, r in self.parts],
                "warnings": list(self.warnings)}

    def tables(self):
        out = {}
        for kind, r in self.parts:
            for name, df in r.tables().items():
                out[f"{kind} {name}"] = df
        return out

    def methods(self):
        return self.parts[0][1].methods() if self.parts else []


def run(ctx, options):
    ctx.check_options(NAME, options, OPTIONS)
    from cxstats.errors import InputError
    from cxstats.stats.efa import METHODS, ROTATIONS, efa

    spec, data = ctx.spec, ctx.survey.data
    constructs = {c.id: c for c in spec.constructs()}
    chosen = options.get("constructs")
    if isinstance(chosen, str):
        chosen = [chosen]
    if chosen:
        bad = [c for c in chosen if c not in constructs]
        if bad:
            ctx.fail("constructs", f"unknown construct {bad[0]!r}; the spec has: {', '.join(constructs)}")
    items = options.get("items") or [i for c in (chosen or constructs) for i in constructs[c].item_ids]
    missing_items = [i for i in items if i not in data.columns]
    if missing_items:
        ctx.fail("items", f"{missing_items[0]!r} is not an item of the survey table")
    factors = options.get("factors")
    if factors == "constructs":
        factors = len(chosen or constructs)
    if factors is not None and not isinstance(factors, int):
        ctx.fail("factors", "factors is a whole number or 'constructs'")
    method = options.get("method", "minres")
    rotation = options.get("rotation", "oblimin")
    if method not in METHODS:
        ctx.fail("method", f"method must be one of {', '.join(METHODS)}")
    if rotation not in ROTATIONS:
        ctx.fail("rotation", f"rotation must be one of {', '.join(ROTATIONS)}")
    kind = options.get("respondent_type", "customer")
    kinds = ["customer", "staff"] if kind == "both" else [kind]
    parts = []
    for k in kinds:
        sub = data[data["respondent_type"] == k]
        if len(sub) == 0:
            ctx.fail("respondent_type", f"the data has no {k} respondents")
        try:
            parts.append((k, efa(sub, items, n_factors=factors, method=method, rotation=rotation,
                                 missing=options.get("missing", "pairwise"), seed=ctx.seed)))
        except InputError as exc:
            if exc.file is None:
                ctx.fail(None, f"{k}: {exc.render()}")
            raise
    return EFAStepResult(parts)


def _one(builder, kind, r):
    prefix = f"EFA {kind}".strip()
    builder.add_table(prefix, r.loadings_frame("loadings"),
                      title=f"Factor loadings ({r.method}, {r.rotation}, {len(r.factors)} factors, n = {r.n_obs})"
                            + (" - number of factors from parallel analysis"
                               if r.n_factors_source == "parallel analysis" else ""),
                      note="Pattern loadings; |loading| >= .40 is usually read as salient.",
                      diverging=list(r.factors))
    t = r.tables()
    if "factor_correlations" in t:
        builder.add_table(prefix, t["factor_correlations"], title="Factor correlations (Phi)")
    builder.add_table(prefix, t["variance"], title="Variance accounted for")
    builder.add_table(prefix, t["adequacy"], title="Sampling adequacy and fit")
    if "parallel_analysis" in t:
        builder.add_table(f"{prefix} parallel", t["parallel_analysis"],
                          title=f"Parallel analysis: {r.parallel.n_factors} factors, "
                                f"{r.parallel.n_components} components suggested")


def sheets(builder, result):
    """Loadings (with communality and KMO), Phi, variance, adequacy/fit and parallel analysis."""
    parts = result.parts if hasattr(result, "parts") else [("", result)]
    for kind, r in parts:
        _one(builder, kind, r)
