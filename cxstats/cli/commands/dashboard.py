"""``cxstats dashboard``: the journey dashboard, one self-contained HTML page."""

from __future__ import annotations

import click

from cxstats.cli.common import data_files_argument, quiet_option


@click.command("dashboard")
@data_files_argument
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), required=True,
              help="Study spec (YAML) with a fielding block (waves, times, channels).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), required=True,
              help="Write the dashboard to this .html file.")
@click.option("--by", "by", metavar="COL", help="A segment column: a selector on the trend charts.")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Cells with fewer answers are not shown.")
@click.option("--within-window", "within_window", is_flag=True, default=False,
              help="Only answers given within the fielding window of the contact.")
@click.option("--lang", "lang", type=click.Choice(["es", "en"]),
              help="Language of the page (default: the spec's first language).")
@quiet_option
def command(data, spec_path, html_path, by, min_n, within_window, lang, quiet):
    """The journey dashboard: a self-contained HTML page for the client team.

    Touchpoints left to right with their latest score, CI and significant
    change (track), outcomes, trend lines per touchpoint and component with
    significant changes starred, gap to aspiration, and immediacy per survey
    channel. The charts' script (plotly.js) is inside the page: it opens with
    no network. A plan writes it with output: {dashboard: NAME.html}.

    \b
    Example:
      cxstats dashboard waves.csv --spec questionnaire_tracking.yaml --html viaje.html
    """
    from cxstats.cli.common import run_analysis, step_context
    from cxstats.errors import InputError, NotApplicable
    from cxstats.report.dashboard import write_dashboard
    from cxstats.report.i18n import Display, resolve_lang
    from cxstats.spec.model import pick

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
