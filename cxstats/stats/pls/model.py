"""A PLS path model from lavaan-like syntax.

* ``C =~ x1 + x2``: a reflective construct (common factor; estimated with mode A weights and,
  by default, corrected by consistent PLS as seminr's ``reflective()``; with
  ``consistent=False`` a mode A composite, as seminr's ``composite(..., weights = mode_A)``);
* ``C <~ x1 + x2``: a composite formed by its indicators (mode B, regression weights, as
  seminr's ``composite(..., weights = mode_B)``);
* ``Y ~ X1 + X2``: structural paths (``Y`` the outcome);
* a construct with one indicator (``C =~ x``) is a single-item construct (weight and loading 1).

The syntax is read by the project's lavaan parser (:func:`cxstats.stats.sem.syntax.parse_model`
with ``formative=True``); modifiers (labels, fixed values), ``~~``, ``~ 1``, ``:=`` and
constraints have no meaning in PLS and are refused naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxstats.errors import ModelError


@dataclass
class PlsModel:
    constructs: list[str]                    # in the order of the structural model (seminr's order)
    blocks: dict[str, list[str]]             # construct -> its indicators
    mode: dict[str, str]                     # construct -> "A" | "B"
    reflective: dict[str, bool]              # construct -> declared with =~ (common factor)
    paths: list[tuple[str, str]]             # (from, to)
    syntax: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def indicators(self) -> list[str]:
        return [x for c in self.constructs for x in self.blocks[c]]

    @property
    def endogenous(self) -> list[str]:
        out = []
        for _, to in self.paths:
            if to not in out:
                out.append(to)
        return out

    def antecedents(self, construct: str) -> list[str]:
        return [f for f, t in self.paths if t == construct]

    def to_dict(self) -> dict:
        return {"constructs": [{"construct": c, "indicators": self.blocks[c], "mode": self.mode[c],
                                "reflective": self.reflective[c]} for c in self.constructs],
                "paths": [{"lhs": t, "op": "~", "rhs": f} for f, t in self.paths]}


def parse_pls_model(text: str) -> PlsModel:
    """Read the syntax; raise :class:`ModelError` (naming the line) for what PLS cannot use."""
    from cxstats.stats.sem.syntax import parse_model

    parsed = parse_model(text, formative=True)
    if parsed.definitions:
        d = parsed.definitions[0]
        raise ModelError(f"line {d.line}: ':=' is not used in PLS-SEM: indirect and total effects are reported "
                         f"for every pair of constructs")
    if parsed.constraints:
        raise ModelError(f"line {parsed.constraints[0].line}: constraints are not used in PLS-SEM")
    blocks: dict[str, list[str]] = {}
    mode: dict[str, str] = {}
    reflective: dict[str, bool] = {}
    paths: list[tuple[str, str]] = []
    for s in parsed.statements:
        if not s.modifier.empty:
            raise ModelError(f"line {s.line}: modifiers (labels, fixed values) are not used in PLS-SEM: {s}")
        if s.op in ("=~", "<~"):
            m = "A" if s.op == "=~" else "B"
            if s.lhs in mode and mode[s.lhs] != m:
                raise ModelError(f"line {s.line}: {s.lhs!r} is declared both with =~ (reflective) and <~ "
                                 f"(composite)")
            mode[s.lhs] = m
            reflective[s.lhs] = s.op == "=~"
            blocks.setdefault(s.lhs, [])
            if s.rhs in blocks[s.lhs]:
                raise ModelError(f"line {s.line}: {s.rhs!r} is listed twice for {s.lhs!r}")
            blocks[s.lhs].append(s.rhs)
        elif s.op == "~":
            if (s.rhs, s.lhs) in paths:
                raise ModelError(f"line {s.line}: the path {s.lhs} ~ {s.rhs} is given twice")
            paths.append((s.rhs, s.lhs))
        else:
            what = "intercepts ('~ 1')" if s.op == "~1" else "covariances ('~~')"
            raise ModelError(f"line {s.line}: {what} are not part of a PLS path model: {s}")
    if not blocks:
        raise ModelError("the model has no constructs: give 'C =~ x1 + x2' (reflective) or 'C <~ x1 + x2' "
                         "(composite) lines")
    if not paths:
        raise ModelError("the model has no structural paths: give at least one 'Y ~ X' line")
    owner: dict[str, str] = {}
    for c, items in blocks.items():
        for x in items:
            if x in blocks:
                raise ModelError(f"{x!r} is a construct and cannot be an indicator of {c!r} (higher-order "
                                 f"constructs are not supported)")
            if x in owner:
                raise ModelError(f"indicator {x!r} belongs to both {owner[x]!r} and {c!r}")
            owner[x] = c
    in_paths = []
    for f, t in paths:
        for c in (f, t):
            if c not in blocks:
                raise ModelError(f"{c!r} is in a structural path but has no indicators (give '{c} =~ item', a "
                                 f"single item is allowed)")
            if c not in in_paths:
                in_paths.append(c)
    notes = []
    unused = [c for c in blocks if c not in in_paths]
    if unused:
        raise ModelError(f"construct(s) {', '.join(unused)} are in no structural path; PLS estimates constructs "
                         f"through their paths (add them to a path or leave them out)")
    _check_acyclic(in_paths, paths)
    # seminr's construct order: unique(c(sources, targets)) of its relationships matrix
    order = []
    for f, t in paths:
        if f not in order:
            order.append(f)
    for f, t in paths:
        if t not in order:
            order.append(t)
    return PlsModel(order, {c: blocks[c] for c in order}, {c: mode[c] for c in order},
                    {c: reflective[c] for c in order}, paths, text, notes)


def _check_acyclic(constructs, paths):
    succ = {c: [t for f, t in paths if f == c] for c in constructs}
    state: dict[str, int] = {}

    def visit(c, trail):
        if state.get(c) == 1:
            raise ModelError("the structural model has a loop (" + " -> ".join(trail + [c]) + "); PLS path "
                             "models must be recursive")
        if state.get(c) == 2:
            return
        state[c] = 1
        for t in succ[c]:
            visit(t, trail + [c])
        state[c] = 2

    for c in constructs:
        visit(c, [])
