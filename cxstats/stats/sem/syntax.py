"""A parser for lavaan model syntax.

Supported (the subset researchers use for CFA, invariance and SEM):

* operators ``=~`` (loadings), ``~`` (regressions), ``~~`` (variances and
  covariances), ``~ 1`` (intercepts / means), ``:=`` (defined parameters),
  ``==`` (equality constraint between two labels, or a label and a number);
* comments from ``#`` or ``!`` to the end of the line; statements separated by
  new lines or ``;``; a formula may continue on the next line when a line ends
  with ``+``, ``*`` or an operator, or the next line starts with ``+``;
* modifiers in front of a variable, joined with ``*``: a label (``a*x2``), a
  fixed value (``1*x1``, ``0*x``), ``NA`` (free a parameter that would be fixed,
  e.g. the first loading), ``start(0.5)``, ``label("a")`` / ``equal("a")``,
  and per-group vectors ``c(a, b)*x2``, ``c(1, NA)*x1`` for multi-group models.

The result is a :class:`ParsedModel`: a list of :class:`Statement` (one per
``lhs op rhs`` term, modifiers attached), :class:`Definition` (``name := expr``)
and :class:`Constraint` (``lhs == rhs``). Errors raise
:class:`cxstats.errors.ModelError` naming the line.

Facts about the syntax follow lavaan's documentation (``?model.syntax``).
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from cxstats.errors import ModelError

NAME_RE = re.compile(r"^[A-Za-z.][A-Za-z0-9._]*$")
NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# longest operators first
OPERATORS = ("=~", "~~", ":=", "==", "<", ">", "~")
UNSUPPORTED = {"|": "thresholds ('|') are not supported (continuous indicators only)",
               "~*~": "scale factors ('~*~') are not supported",
               "<~": "formative indicators ('<~') are not supported"}


@dataclass
class Modifier:
    """Modifiers of one term. Each list has one entry per group (or one entry
    that applies to all groups). ``fixed`` entries: float = fixed value,
    None = free (``NA``) ; ``label`` entries: str or None; ``start``: float or None."""

    fixed: list | None = None
    label: list | None = None
    start: list | None = None

    def for_group(self, kind: str, g: int, ngroups: int):
        vals = getattr(self, kind)
        if vals is None:
            return _MISSING
        if len(vals) == 1:
            return vals[0]
        if len(vals) != ngroups:
            raise ModelError(f"a modifier c(...) has {len(vals)} values but the model has {ngroups} group(s)")
        return vals[g]

    @property
    def empty(self) -> bool:
        return self.fixed is None and self.label is None and self.start is None


_MISSING = object()


@dataclass
class Statement:
    lhs: str
    op: str          # '=~', '~', '~~', '~1'
    rhs: str         # '' for '~1'
    modifier: Modifier = field(default_factory=Modifier)
    line: int = 0

    def __str__(self):
        return f"{self.lhs} {self.op} {self.rhs}".strip()


@dataclass
class Definition:
    name: str
    expr: str
    line: int = 0
    names: list[str] = field(default_factory=list)   # labels used in the expression


@dataclass
class Constraint:
    lhs: str
    op: str          # '==', '<', '>'
    rhs: str
    line: int = 0


@dataclass
class ParsedModel:
    statements: list[Statement]
    definitions: list[Definition]
    constraints: list[Constraint]
    text: str = ""

    @property
    def latent_names(self) -> list[str]:
        out = []
        for s in self.statements:
            if s.op == "=~" and s.lhs not in out:
                out.append(s.lhs)
        return out

    @property
    def labels(self) -> list[str]:
        out = []
        for s in self.statements:
            for lab in s.modifier.label or []:
                if lab and lab not in out:
                    out.append(lab)
        return out

    def variable_names(self) -> list[str]:
        """Every variable named in the model (latent and observed), in order of appearance."""
        out = []
        for s in self.statements:
            for n in (s.lhs, s.rhs):
                if n and n not in out:
                    out.append(n)
        return out

    def observed_names(self) -> list[str]:
        lv = set(self.latent_names)
        return [n for n in self.variable_names() if n not in lv]


# --------------------------------------------------------------------------- lines

def _strip_comment(line: str) -> str:
    out, quote = [], None
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, statement text) after comments, ';' and continuation."""
    pieces: list[tuple[int, str]] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        for part in line.split(";"):
            part = part.strip()
            if part:
                pieces.append((i, part))
    merged: list[tuple[int, str]] = []
    for ln, part in pieces:
        if merged:
            prev_ln, prev = merged[-1]
            cont = (prev.endswith(("+", "*", "=~", "~", ",", "(", ":=", "=="))
                    or prev.count("(") > prev.count(")")
                    or part.startswith(("+", "*")))
            if cont:
                merged[-1] = (prev_ln, prev + " " + part)
                continue
        merged.append((ln, part))
    return merged


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses and quotes."""
    out, depth, cur, quote = [], 0, [], None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _find_operator(stmt: str, ln: int, formative: bool = False) -> tuple[str, int]:
    for bad, msg in UNSUPPORTED.items():
        if bad == "<~" and formative:
            continue
        if bad in stmt:
            raise ModelError(f"line {ln}: {msg}: {stmt!r}")
    if formative and "<~" in stmt:   # composite (formative, mode B) for PLS: 'C <~ x1 + x2'
        return "<~", stmt.index("<~")
    depth = 0
    i = 0
    while i < len(stmt):
        ch = stmt[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            for op in OPERATORS:
                if stmt.startswith(op, i):
                    return op, i
        i += 1
    raise ModelError(f"line {ln}: no operator (=~, ~, ~~, :=, ==) in {stmt!r}; "
                     "e.g. 'visual =~ x1 + x2 + x3'")


# --------------------------------------------------------------------------- modifiers

def _parse_value(tok: str, ln: int, stmt: str):
    """One modifier value: number -> ('fixed', float); NA -> ('fixed', None); name -> ('label', str)."""
    tok = tok.strip()
    if not tok:
        raise ModelError(f"line {ln}: empty modifier in {stmt!r}")
    if NUMBER_RE.match(tok):
        value = float(tok)
        if not math.isfinite(value):
            raise ModelError(f"line {ln}: the number {tok[:40]!r} is too large (it overflows to infinity) "
                             f"in {stmt[:80]!r}")
        return "fixed", value
    if tok == "NA":
        return "fixed", None
    if tok.startswith(("'", '"')) and tok.endswith(tok[0]) and len(tok) >= 2:
        return "label", tok[1:-1]
    if NAME_RE.match(tok):
        return "label", tok
    raise ModelError(f"line {ln}: cannot read modifier {tok!r} in {stmt!r} "
                     "(expected a number, NA, a label, or c(...))")


def _apply_modifier(mod: Modifier, text: str, ln: int, stmt: str) -> None:
    text = text.strip()
    m = re.match(r"^(c|start|label|equal)\s*\((.*)\)$", text, re.S)
    if m:
        fn, inner = m.group(1), m.group(2)
        vals = [_parse_value(t, ln, stmt) for t in _split_top(inner, ",")]
        if fn == "c":
            kinds = {k for k, v in vals if not (k == "fixed" and v is None)}
            if kinds == {"fixed"} or not kinds:
                mod.fixed = [v for _, v in vals]
            elif kinds == {"label"}:
                if any(k == "fixed" for k, _ in vals):
                    # c(a, NA): label a in group 1, free unlabeled in group 2
                    mod.label = [v if k == "label" else None for k, v in vals]
                else:
                    mod.label = [v for _, v in vals]
            else:
                raise ModelError(f"line {ln}: c(...) mixes labels and fixed values in {stmt!r}; "
                                 "write separate modifiers, e.g. c(a,b)*c(1,NA)*x1")
        elif fn == "start":
            if any(k != "fixed" for k, _ in vals):
                raise ModelError(f"line {ln}: start(...) needs numbers in {stmt!r}")
            mod.start = [v for _, v in vals]
        else:  # label / equal
            if any(k != "label" for k, _ in vals):
                raise ModelError(f"line {ln}: {fn}(...) needs a quoted label in {stmt!r}")
            mod.label = [v for _, v in vals]
        return
    kind, val = _parse_value(text, ln, stmt)
    setattr(mod, kind, [val])


def _parse_term(term: str, ln: int, stmt: str) -> tuple[str, Modifier]:
    parts = _split_top(term, "*")
    name = parts[-1].strip()
    mod = Modifier()
    for p in parts[:-1]:
        _apply_modifier(mod, p, ln, stmt)
    if name != "1" and not NAME_RE.match(name):
        raise ModelError(f"line {ln}: {name!r} is not a variable name in {stmt!r} "
                         "(names start with a letter; use letters, digits, '.', '_')")
    return name, mod


# --------------------------------------------------------------------------- main

def parse_model(text: str, *, formative: bool = False) -> ParsedModel:
    """Parse lavaan model syntax; raise :class:`ModelError` naming the line on errors.
    ``formative=True`` (PLS-SEM, :mod:`cxstats.stats.pls`) also reads ``<~`` (a composite formed
    by its indicators, mode B weights) as a statement ``lhs <~ rhs``."""
    if not isinstance(text, str) or not text.strip():
        raise ModelError("the model is empty; e.g. 'visual =~ x1 + x2 + x3'", option="model")
    statements: list[Statement] = []
    definitions: list[Definition] = []
    constraints: list[Constraint] = []
    for ln, stmt in _logical_lines(text):
        op, pos = _find_operator(stmt, ln, formative)
        lhs, rhs = stmt[:pos].strip(), stmt[pos + len(op):].strip()
        if not lhs:
            raise ModelError(f"line {ln}: nothing on the left of '{op}' in {stmt!r}")
        if not rhs:
            raise ModelError(f"line {ln}: nothing on the right of '{op}' in {stmt!r}")
        if op == ":=":
            if not NAME_RE.match(lhs):
                raise ModelError(f"line {ln}: {lhs!r} is not a valid name for a defined parameter")
            names = expression_names(rhs, ln)
            definitions.append(Definition(lhs, rhs, ln, names))
            continue
        if op in ("==", "<", ">"):
            for side in (lhs, rhs):
                expression_names(side, ln)
            constraints.append(Constraint(lhs, op, rhs, ln))
            continue
        if not NAME_RE.match(lhs):
            raise ModelError(f"line {ln}: {lhs!r} is not a variable name in {stmt!r}")
        terms = _split_top(rhs, "+")
        if any(not t.strip() for t in terms):
            raise ModelError(f"line {ln}: empty term (two '+' in a row or a trailing '+') in {stmt!r}")
        for term in terms:
            name, mod = _parse_term(term, ln, stmt)
            if name == "1":
                if op != "~":
                    raise ModelError(f"line {ln}: '1' (intercept) only goes with '~', as in 'x1 ~ 1'")
                statements.append(Statement(lhs, "~1", "", mod, ln))
            else:
                if op in ("=~", "~", "<~") and name == lhs:
                    raise ModelError(f"line {ln}: {lhs!r} cannot be on both sides of '{op}'")
                statements.append(Statement(lhs, op, name, mod, ln))
    if not statements:
        raise ModelError("the model has no =~, ~ or ~~ statements")
    _check_duplicates(statements)
    return ParsedModel(statements, definitions, constraints, text)


def _check_duplicates(statements: list[Statement]) -> None:
    seen = {}
    for s in statements:
        key = (s.lhs, s.op, s.rhs)
        if s.op == "~~":
            key = (min(s.lhs, s.rhs), s.op, max(s.lhs, s.rhs))
        if key in seen:
            raise ModelError(f"line {s.line}: '{s}' is specified twice (first on line {seen[key]})")
        seen[key] = s.line


# --------------------------------------------------------------------------- expressions

_ALLOWED_FUNCS = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs,
                  "sin": math.sin, "cos": math.cos, "tanh": math.tanh}


def _to_python(expr: str) -> str:
    return expr.replace("^", "**")


def expression_names(expr: str, ln: int = 0) -> list[str]:
    """Labels used in a ``:=`` / ``==`` expression; refuses anything but arithmetic."""
    try:
        tree = ast.parse(_to_python(expr), mode="eval")
    except SyntaxError:
        raise ModelError(f"line {ln}: cannot read the expression {expr!r}") from None
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _ALLOWED_FUNCS:
                raise ModelError(f"line {ln}: only {', '.join(sorted(_ALLOWED_FUNCS))} may be called in {expr!r}")
        elif isinstance(node, ast.Name):
            if node.id not in _ALLOWED_FUNCS and node.id not in names:
                names.append(node.id)
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Load,
                                   ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)):
            raise ModelError(f"line {ln}: unsupported element in the expression {expr!r}")
    return names


def evaluate_expression(expr: str, values: dict) -> float:
    """Evaluate a ``:=`` expression given label -> value (arithmetic and exp/log/sqrt/abs only)."""
    tree = ast.parse(_to_python(expr), mode="eval")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ModelError(f"the expression {expr!r} uses {node.id!r}, which is not a label or defined parameter")
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            op = node.op
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            if isinstance(op, ast.Div):
                return a / b if b != 0 else math.nan
            if isinstance(op, ast.Pow):
                return a ** b
        if isinstance(node, ast.Call):
            return _ALLOWED_FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ModelError(f"unsupported element in the expression {expr!r}")

    return ev(tree)
