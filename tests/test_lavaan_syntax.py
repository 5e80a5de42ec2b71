"""lavaan model syntax parser: operators, modifiers, multi-line formulas, errors naming the line."""

import math

import pytest

from cxstats.errors import ModelError
from cxstats.stats.sem.syntax import evaluate_expression, parse_model


def triples(m):
    return [(s.lhs, s.op, s.rhs) for s in m.statements]


def test_operators_comments_separators_and_continuation():
    m = parse_model("""
        # a three-factor model
        visual  =~ x1 + x2 +
                   x3            ! lavaan also accepts '!' comments
        textual =~ x4 + x5 + x6; speed =~ x7
                 + x8 + x9
        visual ~~ textual
        speed ~ visual
        x1 ~ 1
    """)
    assert triples(m) == [("visual", "=~", "x1"), ("visual", "=~", "x2"), ("visual", "=~", "x3"),
                          ("textual", "=~", "x4"), ("textual", "=~", "x5"), ("textual", "=~", "x6"),
                          ("speed", "=~", "x7"), ("speed", "=~", "x8"), ("speed", "=~", "x9"),
                          ("visual", "~~", "textual"), ("speed", "~", "visual"), ("x1", "~1", "")]
    assert m.latent_names == ["visual", "textual", "speed"]
    assert m.observed_names() == [f"x{i}" for i in range(1, 10)]
    # line numbers point at the first physical line of each statement
    assert m.statements[0].line == 3 and m.statements[3].line == 5 and m.statements[-1].line == 9


def test_modifiers_labels_fixed_na_start_and_per_group_vectors():
    m = parse_model("f =~ NA*x1 + a*x2 + 0.5*x3 + start(0.8)*x4 + c(b1, b2)*x5 + c(1, NA)*x6 + "
                    "label('q')*x7 + -1.5e-1*x8")
    mods = {s.rhs: s.modifier for s in m.statements}
    assert mods["x1"].fixed == [None]
    assert mods["x2"].label == ["a"]
    assert mods["x3"].fixed == [0.5]
    assert mods["x4"].start == [0.8] and mods["x4"].fixed is None
    assert mods["x5"].label == ["b1", "b2"]
    assert mods["x6"].fixed == [1.0, None]
    assert mods["x7"].label == ["q"]
    assert mods["x8"].fixed == [-0.15]
    assert m.labels == ["a", "b1", "b2", "q"]
    # per-group vector picked for each group; a single value applies to all
    assert mods["x5"].for_group("label", 1, 2) == "b2"
    assert mods["x2"].for_group("label", 1, 2) == "a"
    with pytest.raises(ModelError, match="2 values but the model has 3"):
        mods["x5"].for_group("label", 0, 3)


def test_intercept_with_modifier_and_regression_terms():
    m = parse_model("y ~ c(i1, i1)*1 + b*x")
    assert triples(m) == [("y", "~1", ""), ("y", "~", "x")]
    assert m.statements[0].modifier.label == ["i1", "i1"]


def test_defined_parameters_and_constraints():
    m = parse_model("m ~ a*x\ny ~ b*m + c*x\nab := a*b\ntotal := c + a*b\na == b")
    assert [(d.name, d.expr, d.names) for d in m.definitions] == [
        ("ab", "a*b", ["a", "b"]), ("total", "c + a*b", ["c", "a", "b"])]
    assert [(c.lhs, c.op, c.rhs) for c in m.constraints] == [("a", "==", "b")]
    assert evaluate_expression("c + a*b", {"a": 2, "b": 3, "c": 1}) == 7
    assert evaluate_expression("a^2 + sqrt(b)", {"a": 3, "b": 4}) == 11
    assert math.isclose(evaluate_expression("exp(log(a))", {"a": 2.5}), 2.5)


@pytest.mark.parametrize("text, fragment", [
    ("f =~ x1 + x2\nf x3", "line 2: no operator"),
    ("f =~ x1 +\n\n", "line 1: empty term"),
    ("f =~ x1 + + x2", "line 1: empty term"),
    ("f =~ 2x + x1", "line 1: '2x' is not a variable name"),
    ("\n\nf =~ foo(1)*x1", "line 3: cannot read modifier"),
    ("f =~ x1 + x2\nf =~ x1", "line 2: 'f =~ x1' is specified twice (first on line 1)"),
    ("x1 ~~ x2\nx2 ~~ x1", "specified twice"),
    ("f =~ 1", "'1' (intercept) only goes with '~'"),
    ("y ~ y", "cannot be on both sides"),
    ("u =~ x1 | t1", "thresholds"),
    ("ab := a*b + open(x)", "may be called"),
    ("", "the model is empty"),
    ("# only a comment", "no =~, ~ or ~~ statements"),
    ("=~ x1", "nothing on the left"),
])
def test_errors_name_the_line(text, fragment):
    with pytest.raises(ModelError) as exc:
        parse_model(text)
    assert fragment in str(exc.value)
