"""Run an analysis plan: load it, run its steps in order, write JSON and workbooks."""

from __future__ import annotations

from pathlib import Path

from cxstats.errors import InputError, SpecError

STEP_KEYS = {"step", "id", "workbook"}  # plan keys of a step that are not analysis options


def available_steps() -> dict:
    """Every analysis of :mod:`cxstats.steps` by name (the plan knows no analysis by itself)."""
    from cxstats.steps import available

    return available()


PLAN_KEYS = ("title", "spec", "data", "finance", "roadmap", "crm", "seed", "output", "steps", "on_error", "lang",
             "wave", "engine", "spark_master")
ENGINE_KEYS = ("engine", "spark_master")  # plan-wide defaults for the steps that take them


def _file_entry(plan: dict, key: str, path: Path, *, extra=()) -> None:
    """``key: FILE`` or ``key: {file: FILE, ...}``."""
    entry = plan.get(key)
    if entry is None:
        return
    if isinstance(entry, dict):
        if not isinstance(entry.get("file"), str) or not entry["file"]:
            raise SpecError("give the file name as 'file: NAME'", file=path, path=f"{key}.file")
        unknown = sorted(set(entry) - {"file", *extra}, key=str)
        if unknown:
            raise SpecError(f"unknown key {unknown[0]!r}", file=path, path=f"{key}.{unknown[0]}")
    elif not isinstance(entry, str) or not entry:
        raise SpecError("give a file name, or {file: NAME}", file=path, path=key)


def _output_name(value, path: Path, where: str) -> str:
    """A file name inside the output folder: no folders, no '..', not absolute."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError("give a file name (text)", file=path, path=where)
    if value in (".", "..") or "/" in value or "\\" in value or value.startswith("~") or Path(value).is_absolute():
        raise SpecError(f"{value!r}: give a plain file name; a plan writes only inside its output "
                        "folder (set the folder with output.dir or --out)", file=path, path=where)
    return value


def _check_plan(plan: dict, path: Path) -> None:
    """Types of the plan's own keys, each refused with its YAML path."""
    unknown = sorted(set(plan) - set(PLAN_KEYS), key=str)
    if unknown:
        raise SpecError(f"unknown plan key {unknown[0]!r}; a plan has: {', '.join(PLAN_KEYS)}",
                        file=path, path=str(unknown[0]))
    for key in ("title", "spec", "lang"):
        if key in plan and not isinstance(plan[key], str):
            raise SpecError(f"{key} is a text", file=path, path=key)
    if isinstance(plan.get("lang"), str):
        from cxstats.report.i18n import LANGS

        if plan["lang"] not in LANGS:
            raise SpecError(f"lang is the language of the workbooks: {' or '.join(LANGS)}, not {plan['lang']!r}",
                            file=path, path="lang")
    if "wave" in plan and (isinstance(plan["wave"], bool) or not isinstance(plan["wave"], (str, int))):
        raise SpecError("wave is a text or a number (shown on the workbooks' cover)", file=path, path="wave")
    if "seed" in plan and (isinstance(plan["seed"], bool) or not isinstance(plan["seed"], int)):
        raise SpecError(f"seed is a whole number, not {plan['seed']!r}", file=path, path="seed")
    data = plan.get("data")
    if data is not None:
        entries = data if isinstance(data, list) else [data]
        for i, e in enumerate(entries):
            where = f"data[{i}]" if isinstance(data, list) else "data"
            if isinstance(e, dict):
                if not isinstance(e.get("file"), str) or not e["file"]:
                    raise SpecError("give the file name as 'file: NAME'", file=path, path=f"{where}.file")
            elif not isinstance(e, str) or not e:
                raise SpecError("each data entry is a file name or {file: NAME, respondent_type: "
                                "customer|staff}", file=path, path=where)
    _file_entry(plan, "finance", path)
    _file_entry(plan, "roadmap", path)
    _file_entry(plan, "crm", path)
    output = plan.get("output")
    if output is not None:
        if not isinstance(output, dict):
            raise SpecError("output is a mapping: {dir: FOLDER, json: NAME, workbooks: {KEY: NAME}}",
                            file=path, path="output")
        unknown = sorted(set(output) - {"dir", "json", "workbooks", "dashboard"}, key=str)
        if unknown:
            raise SpecError(f"unknown key {unknown[0]!r}", file=path, path=f"output.{unknown[0]}")
        if "dir" in output and not isinstance(output["dir"], str):
            raise SpecError("output.dir is a folder name", file=path, path="output.dir")
        if "json" in output:
            _output_name(output["json"], path, "output.json")
        if "dashboard" in output:
            _output_name(output["dashboard"], path, "output.dashboard")
        books = output.get("workbooks")
        if books is not None:
            if not isinstance(books, dict):
                raise SpecError("output.workbooks is a mapping {KEY: FILE.xlsx}", file=path,
                                path="output.workbooks")
            for k, v in books.items():
                _output_name(v, path, f"output.workbooks.{k}")
    if plan.get("on_error", "skip") not in ("skip", "stop"):
        raise SpecError(f"on_error is skip or stop, not {plan['on_error']!r}", file=path, path="on_error")


def load_plan(path) -> dict:
    from cxstats.spec.yamlfile import read_yaml

    path = Path(path)
    plan = read_yaml(path, "plan")
    if not isinstance(plan, dict):
        raise SpecError("a plan is a YAML mapping with 'data', 'steps' and optionally 'spec', 'output'",
                        file=path)
    _check_plan(plan, path)
    steps = plan.get("steps")
    if not isinstance(steps, list) or not steps:
        raise SpecError("the plan needs a non-empty list 'steps'", file=path, path="steps")
    known = available_steps()
    for i, s in enumerate(steps):
        if isinstance(s, str):
            steps[i] = s = {"step": s}
        if not isinstance(s, dict) or not isinstance(s.get("step"), str):
            raise SpecError("each step is a mapping with a 'step' key (a name)", file=path, path=f"steps[{i}]")
        if s["step"] not in known:
            raise SpecError(f"unknown step {s['step']!r}; available: {', '.join(sorted(known))}",
                            file=path, path=f"steps[{i}].step")
        if "id" in s and not isinstance(s["id"], str):
            raise SpecError("a step id is a text", file=path, path=f"steps[{i}].id")
        if "workbook" in s:
            _output_name(s["workbook"], path, f"steps[{i}].workbook")
    return plan


def _plan_inputs(ctx) -> list:
    """Every file the plan reads (never written over)."""
    return [p for _, p in _plan_input_roles(ctx)]


def _plan_input_roles(ctx) -> list:
    """(role, path) of every file the plan reads: plan, spec, data, finance, roadmap, crm."""
    plan = ctx.plan
    found = [("plan", ctx.plan_path)]
    if plan.get("spec"):
        found.append(("spec", ctx.resolve(plan["spec"])))
    data = plan.get("data")
    for e in (data if isinstance(data, list) else [data] if data else []):
        found.append(("data", ctx.resolve(e["file"] if isinstance(e, dict) else e)))
    for key in ("finance", "roadmap", "crm"):
        e = plan.get(key)
        if e:
            found.append((key, ctx.resolve(e["file"] if isinstance(e, dict) else e)))
    return found


def plan_display(ctx, lang: str | None = None):
    """The language of the plan's workbooks (``--lang``, else the plan's ``lang:``, else the spec's
    first language, else English) and the spec's names in it."""
    from cxstats.report.i18n import Display, resolve_lang

    spec = ctx.spec
    lang = resolve_lang(lang or ctx.plan.get("lang"), spec.languages if spec is not None else None)
    return Display(lang, spec.display_names(lang) if spec is not None else {})


def _cover(ctx, title: str, notes: list, lang: str | None = None):
    """What the cover sheet of each of the plan's workbooks says (report.sheets.CoverInfo)."""
    from cxstats.report.sheets import CoverInfo

    plan = ctx.plan
    study = None
    if ctx.spec is not None:
        from cxstats.spec.model import pick

        study = pick(ctx.spec.title, lang or plan.get("lang")) or None
    return CoverInfo(title=title, inputs=_plan_input_roles(ctx), seed=ctx.seed, wave=plan.get("wave"),
                     study=study, notes=[("plan", n) for n in notes], lang=lang or plan.get("lang") or "en")


def _step_context(ctx, bars, rows_guard=None):
    """What an analysis sees of the plan: spec, survey (loaded on first use), finance,
    roadmap, earlier results, seed, progress. ``rows_guard()`` runs before the survey rows are
    read (a step without an engine path in a plan on an engine: :mod:`cxstats.plan.row_steps`)."""
    from cxstats.steps import StepContext

    plan = ctx.plan
    roadmap = crm = None
    if plan.get("roadmap"):
        entry = plan["roadmap"]
        roadmap = ctx.resolve(entry["file"] if isinstance(entry, dict) else entry)
    if plan.get("crm"):
        entry = plan["crm"]
        crm = ctx.resolve(entry["file"] if isinstance(entry, dict) else entry)
    from cxstats.io.survey import plan_data_files

    return StepContext(spec=ctx.spec, files=[], source="", finance=ctx.finance, roadmap=roadmap, crm=crm,
                       base=ctx.base,
                       results=list(ctx.results.values()), seed=ctx.seed, progress_factory=bars,
                       survey_loader=(lambda: ctx.survey) if rows_guard is None else
                       (lambda: (rows_guard(), ctx.survey)[1]),
                       data_files=plan_data_files(ctx) if ctx.spec is not None and ctx.plan.get("data") else [],
                       _engine_surveys=ctx.engine_surveys)


def run_plan(path, *, out_dir=None, quiet: bool = False, seed: int | None = None, echo=None,
             lang: str | None = None):
    """Run every step; return (json document, {workbook key: written path}, json path).

    ``lang`` (en/es) overrides the plan's ``lang:`` for the workbooks; JSON is language-free."""
    from cxstats import __version__
    from cxstats.report.terminal import ProgressBars
    from cxstats.steps import run_step
    from cxstats.errors import NotApplicable
    from cxstats.plan.context import PlanContext
    from cxstats.plan.row_steps import check_rows, needs_guard
    from cxstats.report.jsonout import write_json
    from cxstats.report.layouts import sheets_for
    from cxstats.report.sheets import add_cover, add_warnings_and_methods
    from cxstats.report.summary import add_executive_summary, headline_workbook
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
    on_error = plan.get("on_error", "skip")
    from cxstats.report.atomic import protect_inputs

    protect_inputs(*_plan_inputs(ctx))
    notes = []  # plan-level warnings (deprecated keys, skipped steps)

    def say(message):
        notes.append(message)
        if echo and not quiet:
            echo(f"warning: {message}")

    done = []  # (step entry, module, step id, result)
    skipped = []
    steps = plan["steps"]
    bars = ProgressBars(quiet)
    bar = ctx.progress(total=len(steps), desc="plan")
    for i, entry in enumerate(steps):
        module = known[entry["step"]]
        step_id = entry.get("id") or entry["step"]
        if step_id in ctx.results:
            step_id = f"{step_id}_{i}"
        options = {k: v for k, v in entry.items() if k not in STEP_KEYS}
        for key in ENGINE_KEYS:  # the plan's engine: for every step that can run on one
            if plan.get(key) is not None and key not in options and key in module.Options.keys():
                options[key] = plan[key]
        if echo and not quiet:
            echo(f"[{i + 1}/{len(steps)}] {entry['step']}")
        try:
            opts = module.Options.from_mapping(options, step=entry["step"],
                                               warn=lambda m, i=i: say(f"{path.name}: steps[{i}]: {m}"))
            row_engine = needs_guard(plan, module)
            guard = None if row_engine is None else (
                lambda step=entry["step"], e=row_engine: check_rows(ctx, step, e, say))
            result = run_step(module, _step_context(ctx, bars, guard), opts)
        except NotApplicable as exc:
            if on_error == "stop":
                raise SpecError(exc.render(), file=path, path=f"steps[{i}]") from None
            say(f"step {i + 1} ({step_id}) skipped: {exc.render()}")
            skipped.append({"step": entry["step"], "id": step_id, "skipped": exc.render()})
            continue
        except InputError as exc:
            if exc.option:  # an option of this step: name it as the plan writes it
                raise SpecError(exc.reason, file=path, path=f"steps[{i}].{exc.option}",
                                details=exc.details) from None
            if exc.file is None:  # a problem of this step's data: locate it in the plan
                raise SpecError(exc.render(), file=path, path=f"steps[{i}]") from None
            raise
        finally:
            bars.close()
        ctx.results[step_id] = result
        done.append((entry, module, step_id, result))
        bar.update(1)
    bar.close()

    document = {"plan": plan.get("title") or stem, "cxstats_version": __version__, "seed": ctx.seed,
                "steps": [{"step": e["step"], "id": sid, "result": r} for e, _, sid, r in done]}
    if skipped:
        document["skipped"] = skipped
    if notes:
        document["warnings"] = notes
    if ctx.engine_surveys:  # steps run on DuckDB/Spark: how often each engine read the data
        document["engines"] = {engine: {"passes": s.passes, "sources": [str(x) for x in s.sources]}
                               for (engine, _), s in sorted(ctx.engine_surveys.items(), key=str)}
    json_path = out / (output.get("json") or f"{stem}.json")
    write_json(document, json_path)

    by_book: dict[str, list] = {}
    for entry, module, sid, result in done:
        key = entry.get("workbook") or getattr(module, "WORKBOOK", "main")
        by_book.setdefault(key, []).append((module, entry["step"], result, sid))
    written, books, locations = {}, {}, {}
    display = plan_display(ctx, lang) if by_book else None
    for key, items in by_book.items():
        # a step may lead its workbook (ROI results before the finance link feeding them)
        items.sort(key=lambda item: getattr(item[0], "SHEET_PRIORITY", 100))
        wb = WorkbookBuilder(display)
        add_cover(wb, _cover(ctx, plan.get("title") or stem, notes, display.lang),
                  [(sid, r) for _, _, r, sid in items])
        target = out / (names.get(key) or f"{stem}_{key}.xlsx")
        for module, name, result, _ in items:
            before = set(wb.wb.sheetnames)
            sheets_for(name)(wb, result)
            new = [s for s in wb.wb.sheetnames if s not in before]
            locations[id(result)] = (target.name, new)
        add_warnings_and_methods(wb, [r for _, _, r, _ in items], labels=[sid for _, _, _, sid in items])
        books[key] = (wb, target)
    # the workbook a client opens first leads with the executive summary of every result of the plan
    headline = headline_workbook(books)
    if headline is not None:
        wb, target = books[headline]
        add_executive_summary(wb, [r for _, _, _, r in done],
                              locations={k: (None if book == target.name else book, sheets)
                                         for k, (book, sheets) in locations.items()})
    for key, (wb, target) in books.items():
        wb.save(target)
        written[key] = target
    _write_step_files(ctx, done, out, echo if not quiet else None, lang)
    if output.get("dashboard"):  # the journey dashboard (HTML) from the plan's track result
        written["dashboard"] = _write_dashboard(ctx, plan, done, out / output["dashboard"], path)
    return document, written, json_path


def _write_step_files(ctx, done, out: Path, echo, lang: str | None = None) -> None:
    """Files an analysis writes beside the workbooks (e.g. the drivers step's ``ipa_png`` chart,
    the followup step's ``out`` list), in the workbooks' language (``--lang``, else the plan's)
    with the spec's names."""
    from cxstats.report.layouts import files_for

    writers = [(files_for(entry["step"]), entry, sid, result) for entry, _, sid, result in done]
    writers = [w for w in writers if w[0] is not None]
    if not writers:
        return
    spec = ctx.spec
    display = plan_display(ctx, lang)
    study = ctx.plan.get("title")
    if spec is not None:
        from cxstats.spec.model import pick

        study = pick(spec.title, display.lang) or study
    for write, entry, sid, result in writers:
        for path in write(result, entry, out, display=display, study=study):
            if echo:
                kind = "chart" if Path(path).suffix.lower() in (".png", ".svg") else "file"
                echo(f"{kind} ({sid}): {path}")


def _write_dashboard(ctx, plan, done, target, path, lang=None):
    from cxstats.report.dashboard import write_dashboard
    from cxstats.spec.model import pick

    track = next((r for e, _, _, r in reversed(done) if e["step"] == "track"), None)
    org = {k: next((r for e, _, _, r in reversed(done) if e["step"] == k), None) for k in ("maturity", "roadmap_check")}
    display = plan_display(ctx, lang)
    title = plan.get("title") or (pick(ctx.spec.title, display.lang) if ctx.spec else None)
    if track is None and org["maturity"] is not None:  # a maturity study: its own page (report/maturity_panel.py)
        from cxstats.report.dashboard import CSS
        from cxstats.report.maturity_panel import write_maturity_dashboard

        write_maturity_dashboard(target, org["maturity"], org["roadmap_check"], display=display, title=title, css=CSS)
        return target
    if track is None:
        raise SpecError("the dashboard shows a track result: add a step 'track' (and 'immediacy')",
                        file=path, path="output.dashboard")
    immediacy = next((r for e, _, _, r in reversed(done) if e["step"] == "immediacy"), None)
    drivers = next((r for e, _, _, r in reversed(done) if e["step"] == "drivers"), None)
    write_dashboard(target, track, immediacy, drivers=drivers, display=display, title=title,
                    maturity=org["maturity"], roadmap=org["roadmap_check"])
    return target


DASHBOARD_STEPS = ("immediacy", "track", "drivers", "maturity", "roadmap_check")


def dashboard_from_plan(path, out_dir, *, quiet: bool = False, seed: int | None = None, lang: str | None = None):
    """``cxstats dashboard PLAN --out DIR``: run only the plan's immediacy, track and drivers
    steps and write the dashboard (output.dashboard, else PLAN_dashboard.html) into DIR."""
    from cxstats.errors import NotApplicable
    from cxstats.plan.context import PlanContext
    from cxstats.report.atomic import protect_inputs
    from cxstats.report.terminal import ProgressBars
    from cxstats.steps import run_step

    path = Path(path)
    plan = load_plan(path)
    ctx = PlanContext(path, plan, seed=int(seed if seed is not None else plan.get("seed", 20261123)), quiet=quiet)
    protect_inputs(*_plan_inputs(ctx))
    known = available_steps()
    done = []
    bars = ProgressBars(quiet)
    for i, entry in enumerate(plan["steps"]):
        if entry["step"] not in DASHBOARD_STEPS:
            continue
        module = known[entry["step"]]
        options = {k: v for k, v in entry.items() if k not in STEP_KEYS}
        try:
            opts = module.Options.from_mapping(options, step=entry["step"])
            result = run_step(module, _step_context(ctx, bars), opts)
        except NotApplicable:
            if entry["step"] == "track":
                raise
            continue
        except InputError as exc:
            if exc.option:
                raise SpecError(exc.reason, file=path, path=f"steps[{i}].{exc.option}", details=exc.details) from None
            if exc.file is None:
                raise SpecError(exc.render(), file=path, path=f"steps[{i}]") from None
            raise
        finally:
            bars.close()
        done.append((entry, module, entry.get("id") or entry["step"], result))
    output = plan.get("output") or {}
    name = output.get("dashboard") or f"{path.stem}_dashboard.html"
    target = _write_dashboard(ctx, plan, done, Path(out_dir) / name, path, lang=lang)
    return target, [r for _, _, _, r in done]
