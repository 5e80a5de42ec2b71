"""What a plan step sees: the plan, the spec, the survey table, earlier results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path



@dataclass
class PlanContext:
    plan_path: Path
    plan: dict
    seed: int = 20261123
    quiet: bool = False
    results: dict = field(default_factory=dict)  # step id -> result of that step
    _spec: object = None
    _survey: object = None
    _finance: object = None
    engine_surveys: dict = field(default_factory=dict)  # the SQL engines' surveys, shared by the steps

    @property
    def base(self) -> Path:
        return self.plan_path.parent

    def resolve(self, path) -> Path:
        """Paths inside a plan are relative to the plan file."""
        p = Path(path)
        return p if p.is_absolute() else (self.base / p)

    @property
    def spec(self):
        """The study spec named by ``spec:`` (None when the plan has none)."""
        if self._spec is None and self.plan.get("spec"):
            from cxstats.spec.load import load_spec

            self._spec = load_spec(self.resolve(self.plan["spec"]))
        return self._spec

    @property
    def survey(self):
        """The validated survey table built from ``data:`` through the spec."""
        if self._survey is None:
            from cxstats.io.survey import load_plan_data

            self._survey = load_plan_data(self)
        return self._survey

    @property
    def finance(self):
        """The customer-level finance table named by ``finance:`` (None if absent)."""
        if self._finance is None and self.plan.get("finance"):
            from cxstats.io.readers import read_table

            entry = self.plan["finance"]
            path = entry["file"] if isinstance(entry, dict) else entry
            self._finance = read_table(self.resolve(path))
        return self._finance

    def progress(self, iterable=None, *, total=None, desc: str = ""):
        from cxstats.report.terminal import progress

        return progress(iterable, total=total, desc=desc, quiet=self.quiet)
