"""``estimator: auto`` of the cfa, sem and invariance steps: the rule of :mod:`cxstats.stats.sem.auto`
applied to the model's observed items, and the choice written into the result (``estimator_choice`` in
the JSON, a note among the warnings)."""

from __future__ import annotations


def resolve(ctx, estimator: str | None, frame, model, rows=None, *, ordinal: bool = True):
    """(estimator to fit with, the choice or None). ``estimator`` None: the spec's ``analysis:
    estimator`` (with a spec), else ML. ``model``: lavaan syntax or a mapping construct -> items;
    ``rows``: a boolean mask of the rows the analysis uses (default all); ``ordinal``: whether the analysis
    can fit ordinal items (WLSMV), else the rule falls back to MLR and says so."""
    if estimator is None:
        spec = getattr(ctx, "spec", None)
        estimator = (spec.analysis.get("estimator") if spec is not None else None) or "ML"
    if estimator != "auto":
        return estimator, None
    from cxstats.stats.sem import auto
    from cxstats.stats.sem.dwls import ORDINAL_ESTIMATORS
    from cxstats.stats.sem.fit import ESTIMATORS

    if isinstance(model, dict):
        items = list(dict.fromkeys(i for its in model.values() for i in its))
    else:
        from cxstats.stats.sem.syntax import parse_model

        items = parse_model(model).observed_names()
    items = [i for i in items if i in frame.columns]
    data = frame if rows is None else frame[list(rows)]
    choice = auto.choose_estimator(data, items, available=ESTIMATORS + (ORDINAL_ESTIMATORS if ordinal else ()))
    return choice["estimator"], choice


def attach(result, choice):
    """The choice into the result: ``estimator_choice`` and a note first among its warnings."""
    if choice is None:
        return result
    from cxstats.stats.sem.auto import choice_note

    result.estimator_choice = choice
    result.warnings.insert(0, choice_note(choice))
    return result
