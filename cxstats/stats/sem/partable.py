"""Model syntax -> parameter table, with lavaan's defaults for ``cfa()`` / ``sem()``.

One row per parameter per group (lavaan's "parameter table"): ``lhs op rhs``,
the group, a label, whether it is free (and which free parameter it maps to),
its fixed value or starting value.

Defaults (lavaan's ``cfa()``/``sem()`` auto-settings, from ``?lavOptions``):

* ``auto.fix.first``: the first loading of each factor is fixed to 1 (the
  marker) unless it carries a modifier (``NA*x1`` frees it) or ``std_lv`` is set;
* ``std.lv``: every latent (residual) variance fixed to 1, all loadings free;
* ``auto.var``: (residual) variances of every observed and latent variable free;
* ``auto.cov.lv.x``: covariances among exogenous latent variables free
  (``orthogonal=True`` fixes them to 0);
* ``auto.cov.y``: residual covariances among "pure" dependent variables (on the
  left of ``~`` only, not indicators) free;
* ``fixed.x``: exogenous observed covariates (right of ``~`` only) have their
  variances, covariances and means fixed to the sample values (not counted as
  parameters, and their sample moments not counted in the degrees of freedom);
* ``meanstructure``: on with several groups or when any ``~ 1`` is given:
  observed intercepts free, latent means fixed to 0; with
  ``group_equal`` containing ``intercepts`` (and not ``means``) the latent means
  are free in every group after the first.

Equality constraints are implemented by mapping several rows to the same free
parameter (a shared label, ``group_equal``, or ``a == b``): a reparametrisation,
which gives the same estimates, standard errors and df as lavaan's constrained
estimation.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from cxstats.errors import ModelError
from cxstats.stats.sem.syntax import _MISSING, ParsedModel, parse_model

GROUP_EQUAL_KINDS = ("loadings", "intercepts", "means", "residuals", "residual.covariances",
                     "lv.variances", "lv.covariances", "regressions")


@dataclass
class ModelOptions:
    std_lv: bool = False
    meanstructure: bool | None = None     # None: lavaan's "default"
    group_equal: tuple = ()
    group_partial: tuple = ()              # e.g. ("x3 ~ 1", "visual =~ x2")
    fixed_x: bool = True
    orthogonal: bool = False
    auto_fix_first: bool = True
    auto_cov_y: bool = True


@dataclass
class Row:
    lhs: str
    op: str
    rhs: str
    group: int                  # 0-based
    free: int = -1              # index into the free-parameter vector, -1 = fixed
    value: float = 0.0          # fixed value, or starting value for free rows
    label: str = ""             # user label (or lavaan-style .pN. for group.equal)
    user: bool = False          # given in the syntax
    exo: bool = False           # fixed.x row: value is taken from the sample
    start: float | None = None  # user start(...)
    key: tuple = ()             # equality key

    @property
    def name(self) -> str:
        return f"{self.lhs} {self.op} {self.rhs}".strip() if self.op != "~1" else f"{self.lhs} ~1"


@dataclass
class ParTable:
    rows: list[Row]
    ov: list[str]               # observed variables, model order
    lv: list[str]               # latent variables
    ngroups: int
    meanstructure: bool
    options: ModelOptions
    parsed: ParsedModel
    ov_x: list[str] = field(default_factory=list)    # fixed exogenous covariates
    nfree: int = 0
    free_names: list[str] = field(default_factory=list)

    @property
    def variables(self) -> list[str]:
        return self.ov + self.lv

    def group_rows(self, g: int) -> list[Row]:
        return [r for r in self.rows if r.group == g]

    def sample_moments_count(self) -> int:
        """Sample statistics counted for df (lavaan: x moments excluded under fixed.x)."""
        p, q = len(self.ov), len(self.ov_x)
        per = p * (p + 1) // 2 - q * (q + 1) // 2
        if self.meanstructure:
            per += p - q
        return per * self.ngroups

    @property
    def df(self) -> int:
        return self.sample_moments_count() - self.nfree


_PARAM_RE = re.compile(r"^\s*([A-Za-z.][A-Za-z0-9._]*)\s*(=~|~~|~)\s*([A-Za-z.][A-Za-z0-9._]*|1)\s*$")


def param_key(lhs: str, op: str, rhs: str = "") -> str:
    """Canonical name of a parameter: 'f =~ x', 'y ~ x', 'a ~~ b' (sorted), 'x ~1'."""
    if op == "~1" or (op == "~" and rhs == "1"):
        return f"{lhs} ~1"
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return f"{lhs} {op} {rhs}"


def parse_param(text: str) -> str:
    """'x3 ~ 1', 'x3~1', 'visual =~ x2', 'x2 ~~ x1' -> canonical key; ModelError if unreadable."""
    m = _PARAM_RE.match(str(text))
    if not m:
        raise ModelError(f"cannot read the parameter {text!r}; write e.g. 'x3 ~ 1' (intercept), "
                         "'visual =~ x2' (loading) or 'x3 ~~ x3' (residual variance)")
    return param_key(m.group(1), m.group(2), m.group(3))


def _norm(name: str) -> str:
    return parse_param(name)


def build_partable(model, ngroups: int = 1, options: ModelOptions | None = None) -> ParTable:
    """Parameter table for ``model`` (syntax text or a :class:`ParsedModel`)."""
    opts = options or ModelOptions()
    parsed = parse_model(model) if isinstance(model, str) else model
    for kind in opts.group_equal:
        if kind not in GROUP_EQUAL_KINDS:
            raise ModelError(f"group_equal: unknown kind {kind!r}; use {', '.join(GROUP_EQUAL_KINDS)}")
    sts = parsed.statements
    lv = parsed.latent_names
    lvset = set(lv)
    ov: list[str] = []
    # indicators first (lavaan order), then other observed variables
    for s in sts:
        if s.op == "=~" and s.rhs not in lvset and s.rhs not in ov:
            ov.append(s.rhs)
    for s in sts:
        for n in (s.lhs, s.rhs):
            if n and n not in lvset and n not in ov:
                ov.append(n)
    indicators = {s.rhs for s in sts if s.op == "=~"}
    reg_lhs = {s.lhs for s in sts if s.op == "~"}
    reg_rhs = {s.rhs for s in sts if s.op == "~"}
    for s in sts:
        if s.op == "~1" and s.lhs not in lvset and s.lhs not in ov:
            ov.append(s.lhs)
    ov_x = [v for v in ov if v in reg_rhs and v not in reg_lhs and v not in indicators] if opts.fixed_x else []
    # an exogenous x involved in a user ~~ with a non-x variable cannot be fixed.x
    xset = set(ov_x)
    for s in sts:
        if s.op == "~~" and s.lhs != s.rhs and ((s.lhs in xset) != (s.rhs in xset)):
            xset.discard(s.lhs)
            xset.discard(s.rhs)
    ov_x = [v for v in ov_x if v in xset]
    lv_x = [f for f in lv if f not in reg_lhs and f not in indicators]
    y_pure = [v for v in ov + lv if v in reg_lhs and v not in reg_rhs and v not in indicators]
    meanstructure = opts.meanstructure
    if meanstructure is None:
        meanstructure = ngroups > 1 or any(s.op == "~1" for s in sts)
    eq_means = "means" in opts.group_equal
    eq_int = "intercepts" in opts.group_equal
    partial = {_norm(p) for p in opts.group_partial}

    rows: list[Row] = []
    for g in range(ngroups):
        present = set()

        def add(lhs, op, rhs, *, free=True, value=0.0, label="", user=False, exo=False, start=None):
            rows.append(Row(lhs, op, rhs, g, 0 if free else -1, value, label, user, exo, start))
            key = (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))
            present.add(key)

        first_loading_done = set()
        for s in sts:
            fixed = s.modifier.for_group("fixed", g, ngroups)
            label = s.modifier.for_group("label", g, ngroups)
            start = s.modifier.for_group("start", g, ngroups)
            label = "" if label is _MISSING or label is None else label
            start = None if start is _MISSING else start
            if fixed is _MISSING:
                free, value = True, 0.0
                if s.op == "=~" and s.lhs not in first_loading_done and opts.auto_fix_first and not opts.std_lv:
                    free, value = False, 1.0
                if s.op == "~~" and s.lhs == s.rhs and s.lhs in lvset and opts.std_lv:
                    free, value = False, 1.0
            elif fixed is None:
                free, value = True, 0.0
            else:
                free, value = False, float(fixed)
            if s.op == "=~":
                first_loading_done.add(s.lhs)
            add(s.lhs, s.op, s.rhs, free=free, value=value, label=label, user=True, start=start)

        def has(lhs, op, rhs):
            key = (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))
            return key in present

        for v in ov:
            if not has(v, "~~", v):
                if v in ov_x:
                    add(v, "~~", v, free=False, exo=True)
                else:
                    add(v, "~~", v)
        for f in lv:
            if not has(f, "~~", f):
                add(f, "~~", f, free=not opts.std_lv, value=1.0 if opts.std_lv else 0.0)
        for a, b in itertools.combinations(lv_x, 2):
            if not has(a, "~~", b):
                add(a, "~~", b, free=not opts.orthogonal)
        if opts.auto_cov_y:
            for a, b in itertools.combinations(y_pure, 2):
                if not has(a, "~~", b):
                    add(a, "~~", b, free=not opts.orthogonal)
        for a, b in itertools.combinations(ov_x, 2):
            if not has(a, "~~", b):
                add(a, "~~", b, free=False, exo=True)
        if not opts.fixed_x:
            xs = [v for v in ov if v in reg_rhs and v not in reg_lhs and v not in indicators]
            for a, b in itertools.combinations(xs, 2):
                if not has(a, "~~", b):
                    add(a, "~~", b)
        if meanstructure:
            for v in ov:
                if not has(v, "~1", ""):
                    if v in ov_x:
                        add(v, "~1", "", free=False, exo=True)
                    else:
                        add(v, "~1", "")
            for f in lv:
                if not has(f, "~1", ""):
                    free = g > 0 and eq_int and not eq_means
                    add(f, "~1", "", free=free)

    # -------- equality keys -> free indices
    parent: dict = {}

    def find(k):
        while parent.get(k, k) != k:
            k = parent[k]
        return k

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    labels_fixed = {}
    for i, r in enumerate(rows):
        if r.free < 0:
            if r.label:
                labels_fixed[r.label] = r.value
            continue
        if r.label:
            r.key = ("label", r.label)
        elif (_equal_kind(r, ov, lv, set(ov_x)) in opts.group_equal
              and param_key(r.lhs, r.op, r.rhs) not in partial):
            r.key = ("eq", r.lhs, r.op, r.rhs)
        else:
            r.key = ("row", i)
    # a label on a fixed row in one group and free in another: free rows follow the fixed value
    for r in rows:
        if r.free >= 0 and r.label in labels_fixed:
            r.free, r.value = -1, labels_fixed[r.label]
    labelled = {r.label for r in rows if r.label}
    for c in parsed.constraints:
        if c.op != "==":
            raise ModelError(f"line {c.line}: inequality constraints ('{c.op}') are not supported")
        lhs, rhs = c.lhs.strip(), c.rhs.strip()
        if lhs in labelled and rhs in labelled:
            union(("label", lhs), ("label", rhs))
        else:
            try:
                val = float(rhs)
            except ValueError:
                raise ModelError(f"line {c.line}: only 'label == label' or 'label == number' "
                                 f"constraints are supported, not {c.lhs} == {c.rhs}") from None
            if lhs not in labelled:
                raise ModelError(f"line {c.line}: {lhs!r} is not a label in the model")
            for r in rows:
                if r.label == lhs:
                    r.free, r.value = -1, val
    index: dict = {}
    names: list[str] = []
    for r in rows:
        if r.free < 0:
            continue
        k = find(r.key)
        if k not in index:
            index[k] = len(index)
            names.append(r.name + (f" (group {r.group + 1})" if ngroups > 1 else ""))
        r.free = index[k]
    # lavaan-style plabels for group.equal rows without a user label
    for r in rows:
        if r.free >= 0 and not r.label and r.key and r.key[0] == "eq":
            r.label = f".p{r.free + 1}."
    pt = ParTable(rows, ov, lv, ngroups, bool(meanstructure), opts, parsed, ov_x, len(index), names)
    _check_variables_used(pt)
    return pt


def _equal_kind(r: Row, ov, lv, ov_x) -> str:
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "~1":
        return "means" if r.lhs in lv else ("intercepts" if r.lhs not in ov_x else "")
    if r.op == "~~":
        both_lv = r.lhs in lv and r.rhs in lv
        if r.lhs == r.rhs:
            return "lv.variances" if both_lv else "residuals"
        return "lv.covariances" if both_lv else "residual.covariances"
    return ""


def _check_variables_used(pt: ParTable) -> None:
    for f in pt.lv:
        n_ind = sum(1 for r in pt.rows if r.group == 0 and r.op == "=~" and r.lhs == f)
        if n_ind == 0:
            raise ModelError(f"latent variable {f!r} has no indicators")
