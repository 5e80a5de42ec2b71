"""Run an analysis plan: load it, run its steps in order, write JSON and workbooks."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from cxstats.errors import InputError, SpecError

STEP_KEYS = {"step", "id", "workbook"}


def available_steps() -> dict:
    from cxstats.plan import steps

    found = {}
    for info in pkgutil.iter_modules(steps.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{steps.__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return found


def load_plan(path) -> dict:
    from cxstats.spec.yamlfile import read_yaml

    path = Path(path)
    plan = read_yaml(path, "plan")
    if not isinstance(plan, dict):
        raise SpecError("a plan is a YAML mapping with 'data', 'steps' and optionally 'spec', 'output'",
                        file=path)
    steps = plan.get("steps")
    if not isinstance(steps, list) or not steps:
        raise SpecError("the plan needs a non-empty list 'steps'", file=path, path="steps")
    known = available_steps()
    for i, s in enumerate(steps):
        if isinstance(s, str):
            steps[i] = s = {"step": s}
        if not isinstance(s, dict) or "step" not in s:
            raise SpecError("each step is a mapping with a 'step' key", file=path, path=f"steps[{i}]")
        if s["step"] not in known:
            raise SpecError(f"unknown step {s['step']!r}; available: {', '.join(sorted(known))}",
                            file=path, path=f"steps[{i}].step")
    return plan


def run_plan(path, *, out_dir=None, quiet: bool = False, seed: int | None = None, echo=None):
    """Run every step; return (json document, {workbook key: written path}, json path)."""
    from cxstats import __version__
    from cxstats.plan.context import PlanContext
    from cxstats.report.jsonout import write_json
    from cxstats.report.sheets import add_result_sheets, add_warnings_and_methods
    from cxstats.report.workbook import WorkbookBuilder

    path = Path(path)
    plan = load_plan(path)
    ctx = PlanContext(path, plan, seed=int(seed if seed is not None else plan.get("seed", 20261123)),
                      quiet=quiet)
    known = available_steps()
    output = plan.get("output") or {}
    # --out is relative to the current folder; the plan's output.dir, like every path in a
    # plan, to the plan file; without either, reports/ in the current folder
    out = Path(out_dir) if out_dir else (ctx.resolve(output["dir"]) if output.get("dir") else Path("reports"))
    stem = path.stem
    names = dict(output.get("workbooks") or {})

    done = []  # (step entry, module, result)
    steps = plan["steps"]
    bar = ctx.progress(total=len(steps), desc="plan")
    for i, entry in enumerate(steps):
        module = known[entry["step"]]
        step_id = entry.get("id") or entry["step"]
        if step_id in ctx.results:
            step_id = f"{step_id}_{i}"
        options = {k: v for k, v in entry.items() if k not in STEP_KEYS}
        if echo and not quiet:
            echo(f"[{i + 1}/{len(steps)}] {entry['step']}")
        ctx.current_index = i
        try:
            result = module.run(ctx, options)
        except InputError as exc:
            if exc.file is None:  # a problem of this step's data or options: locate it in the plan
                ctx.fail(None, exc.render())
            raise
        ctx.results[step_id] = result
        done.append((entry, module, step_id, result))
        bar.update(1)
    bar.close()

    document = {"plan": plan.get("title") or stem, "cxstats_version": __version__, "seed": ctx.seed,
                "steps": [{"step": e["step"], "id": sid, "result": r} for e, _, sid, r in done]}
    json_path = out / (output.get("json") or f"{stem}.json")
    write_json(document, json_path)

    by_book: dict[str, list] = {}
    for entry, module, sid, result in done:
        key = entry.get("workbook") or getattr(module, "WORKBOOK", "main")
        by_book.setdefault(key, []).append((module, result))
    written = {}
    for key, items in by_book.items():
        # a step may lead its workbook (ROI results before the finance link feeding them)
        items.sort(key=lambda item: getattr(item[0], "SHEET_PRIORITY", 100))
        wb = WorkbookBuilder()
        for module, result in items:
            if hasattr(module, "sheets"):
                module.sheets(wb, result)
            else:
                add_result_sheets(wb, result)
        add_warnings_and_methods(wb, [r for _, r in items])
        target = out / names.get(key, f"{stem}_{key}.xlsx")
        wb.save(target)
        written[key] = target
    return document, written, json_path
