"""Analysis ``roadmap_check``: the roadmap's owners (co-leads, RACI roles by level, targeted
touchpoints and constructs) and its checks (:mod:`cxstats.stats.governance`).

The roadmap is the command's ROADMAP or the plan's ``roadmap: {file: ...}`` (the ROI's table with
the governance columns of :mod:`cxstats.io.governance`); the spec gives the known constructs and
touchpoints. Gaps and driver importance, for the "low-importance, small-gap" flag, come from the
``gaps`` / ``drivers`` JSON files given, else from the plan's latest gaps and drivers results. Its
sheets go to the ROI workbook (the roadmap with owners beside its returns).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxstats.errors import InputError
from cxstats.steps import StepContext, StepOptions

NAME = "roadmap_check"
WORKBOOK = "roi"
SHEET_PRIORITY = 120  # after the ROI's own sheets


@dataclass
class Options(StepOptions):
    max_accountable: int = 3          # a role accountable for more initiatives is an error
    small_gap: float = 0.2            # |customers' gap to aspiration| under this (scale points) is small
    low_importance: float = 0.05      # driver importance (share of R²) under this is low
    gaps: str | None = None           # JSON of 'cxstats gaps' (default in a plan: its latest gaps result)
    drivers: str | None = None        # JSON of 'cxstats drivers' (default in a plan: its latest drivers result)

    def validate(self):
        if self.max_accountable < 1:
            raise InputError(f"a role may be accountable for at least 1 initiative, not {self.max_accountable}",
                             option="max_accountable")
        if not self.small_gap >= 0:
            raise InputError(f"a gap threshold is 0 or more scale points, not {self.small_gap}", option="small_gap")
        if not 0 <= self.low_importance < 1:
            raise InputError(f"an importance threshold is a share of R² from 0 to 1, not {self.low_importance}",
                             option="low_importance")


def run(ctx: StepContext, options: Options):
    from cxstats.io.governance import read_governance
    from cxstats.stats.governance import check_roadmap, gaps_by_construct, importance_by_construct

    if not ctx.has_spec:
        raise InputError("the roadmap is checked against a study spec (its constructs and touchpoints); give --spec")
    if ctx.roadmap is None:
        raise InputError("the roadmap check needs a roadmap ('roadmap: {file: ...}' in the plan)")
    spec = ctx.spec
    initiatives, _columns, source = read_governance(ctx.roadmap)
    gaps = importance = None
    if options.gaps:
        gaps = gaps_by_construct(_json(options.gaps, "gaps", "constructs"))
    else:
        from cxstats.stats.gaps.result import GapsResult

        found = ctx.latest(GapsResult)
        gaps = gaps_by_construct(found.to_dict()) if found is not None else None
    if options.drivers:
        importance = importance_by_construct(_json(options.drivers, "drivers", "drivers"))
    else:
        from cxstats.stats.drivers.result import DriversResult

        found = ctx.latest(DriversResult)
        importance = importance_by_construct(found.to_dict()) if found is not None else None
    from pathlib import Path

    result = check_roadmap(initiatives, constructs=[c.id for c in spec.constructs()],
                           touchpoints=[t.id for t in spec.touchpoints()], gaps=gaps, importance=importance,
                           max_accountable=options.max_accountable, small_gap=options.small_gap,
                           low_importance=options.low_importance, source=Path(source).name,
                           names=spec.display_names(spec.language))
    if gaps is None and importance is None:
        result.warnings.append("no gaps or drivers result given: initiatives were not checked for low-importance, "
                               "small-gap targets (give the JSON of 'cxstats gaps' / 'cxstats drivers')")
    return result


def _json(path, option, key) -> dict:
    import json
    from pathlib import Path

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}", file=path, option=option) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"not a JSON file written by 'cxstats {option} --json'", file=path, option=option) from None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise InputError(f"has no '{key}' list: give the JSON written by 'cxstats {option} --json'", file=path,
                         option=option)
    return doc
