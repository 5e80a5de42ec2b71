"""``cxstats dashboard``: the journey dashboard, one self-contained HTML page."""

from __future__ import annotations

import click

from cxstats.cli.common import quiet_option


@click.command("dashboard")
@click.argument("data", nargs=-1, required=True, metavar="PLAN | DATA...", type=click.Path(dir_okay=False))
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False),
              help="Study spec (YAML) with a fielding block (waves, times, channels); with DATA.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="With DATA --spec: write the dashboard to this .html file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="With a PLAN: write the dashboard into this folder (the plan's output.dashboard "
                   "name, else PLAN_dashboard.html).")
@click.option("--by", "by", metavar="COL", help="A segment column: a selector over the cards and the trend charts.")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Cells with fewer answers are not shown (DATA form; a plan's track step has min_n).")
@click.option("--within-window", "within_window", is_flag=True, default=False,
              help="Only answers given within the fielding window of the contact.")
@click.option("--lang", "lang", type=click.Choice(["es", "en"]),
              help="Language of the page (default: the spec's first language).")
@quiet_option
def command(data, spec_path, html_path, out_dir, by, min_n, within_window, lang, quiet):
    """The journey dashboard: a self-contained HTML page for the client team.

    Two ways to call it: with a PLAN (a plan .yaml with steps track, and
    optionally immediacy and drivers: only those steps run, with the plan's
    options) and --out DIR; or with the DATA file(s), --spec and --html FILE
    (track and immediacy run with the options below).

    Touchpoints left to right with their latest score, CI, significant
    change (track) and share answered within the window (immediacy, when the
    fielding block names each answer's touchpoint), outcomes, trend lines per
    touchpoint and component with significant changes starred, gaps to
    aspiration (and customers - staff) with their CI, and immediacy per survey
    channel; wave and segment selectors. The charts' script (plotly.js) is inside the page: it opens with
    no network. A plan writes it with output: {dashboard: NAME.html}.

    The page also shows the top drivers when the plan has a drivers step:
    each driver's contribution to R² with its bootstrap interval and its
    share of R².

    \b
    Examples:
      cxstats dashboard plan_tracking.yaml --out informes/
      cxstats dashboard waves.csv --spec questionnaire_tracking.yaml --html viaje.html
    """
    from cxstats.cli.common import run_analysis, step_context
    from cxstats.errors import InputError, NotApplicable
    from cxstats.report.dashboard import write_dashboard
    from cxstats.report.i18n import Display, resolve_lang
    from cxstats.spec.model import pick

    if len(data) == 1 and str(data[0]).lower().endswith((".yaml", ".yml")) and spec_path is None:
        return _from_plan(data[0], out_dir, html_path, by, lang, quiet)
    if spec_path is None or html_path is None:
        raise InputError("give a PLAN and --out DIR, or DATA with --spec SPEC and --html FILE", option="--spec")
    if out_dir is not None:
        raise InputError("--out goes with a PLAN; with DATA --spec give --html FILE", option="--out")
    if not str(html_path).lower().endswith((".html", ".htm")):
        raise InputError("the dashboard is an .html file", option="--html", value=html_path)
    ctx = step_context(data, spec_path, quiet=quiet)
    track = run_analysis("track", ctx, by=by, min_n=min_n, within_window=within_window)
    try:
        immediacy = run_analysis("immediacy", ctx)
    except NotApplicable:
        immediacy = None
    language = resolve_lang(lang, ctx.spec.languages)
    display = Display(language, ctx.spec.display_names(language))
    write_dashboard(html_path, track, immediacy, display=display, title=pick(ctx.spec.title, language) or None)
    for w in dict.fromkeys(track.warnings + (immediacy.warnings if immediacy else [])):
        click.echo(f"warning: {w}", err=True)
    if not quiet:
        click.echo(f"Dashboard written to {html_path}")


def _from_plan(plan_path, out_dir, html_path, by, lang, quiet):
    from pathlib import Path

    from cxstats.cli.commands.run import plan_dashboard
    from cxstats.errors import InputError

    if out_dir is None:
        raise InputError("with a PLAN, give the folder for the dashboard", option="--out")
    if html_path is not None or by is not None:
        raise InputError("with a PLAN the plan's steps carry the options: --html and --by go with DATA --spec",
                         option="--html" if html_path is not None else "--by")
    if not Path(plan_path).is_file():
        raise InputError("no such plan file", file=plan_path)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    target, results = plan_dashboard(plan_path, out_dir, quiet=quiet, lang=lang)
    for w in dict.fromkeys(w for r in results for w in r.warnings):
        click.echo(f"warning: {w}", err=True)
    if not quiet:
        click.echo(f"Dashboard written to {target}")
