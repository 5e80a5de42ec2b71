"""``cxstats verbatims``: text analytics of open answers (detractors' verbatims, employees' voice)."""

from __future__ import annotations

import click

from cxstats.cli.common import (data_files_argument, list_option, output_options, quiet_option, seed_option,
                                spec_option)


@click.command("verbatims")
@data_files_argument
@spec_option
@click.option("--text", "text", metavar="COL", help="The open-answer column (default: the spec's themes.text).")
@click.option("--language", "language", type=click.Choice(["es", "en", "pt", "auto"]),
              help="Language of the answers (default: themes.language, else the study's first); auto = "
                   "per answer, the study language whose stop words are most frequent.")
@list_option("--by", "by", metavar="COL,...", help="Segment columns for prevalence by group (default: the "
             "spec's segments).")
@click.option("--no-staff", "staff", is_flag=True, flag_value=False, default=True,
              help="Leave out the staff answers and the blind-spots table.")
@click.option("--period", "period", type=click.Choice(["week", "wave", "none"]),
              help="Theme shares per ISO week of themes.period or per fielding wave (default: week when "
                   "the spec names themes.period, else wave when it has fielding.wave).")
@click.option("--n-topics", "n_topics", type=int, metavar="K", help="A fixed number of topics (default: the "
              "most stable number between --k-min and --k-max).")
@click.option("--k-min", "k_min", type=int, default=3, show_default=True, help="Fewest topics tried.")
@click.option("--k-max", "k_max", type=int, default=10, show_default=True, help="Most topics tried.")
@click.option("--stability-runs", "stability_runs", type=int, default=5, show_default=True,
              help="Subsamples (80% of the answers) per number of topics for the stability criterion.")
@click.option("--min-df", "min_df", type=int, default=3, show_default=True,
              help="A term is used when it appears in at least this many answers.")
@click.option("--keep-accents", "fold_accents", is_flag=True, flag_value=False, default=True,
              help="Keep accents (default: folded, so 'atención' and 'atencion' are one word).")
@click.option("--no-bigrams", "bigrams", is_flag=True, flag_value=False, default=True,
              help="Single words only (default: also pairs of neighbouring words).")
@click.option("--min-n", "min_n", type=int, default=30, show_default=True,
              help="Segment groups with fewer answers are suppressed.")
@click.option("--min-staff-n", "min_staff_n", type=int, default=5, show_default=True,
              help="Staff groups with fewer answers are suppressed (anonymity).")
@click.option("--quotes", "quotes", type=int, default=3, show_default=True, help="Quotes per theme and topic.")
@click.option("--no-impact", "impact", is_flag=True, flag_value=False, default=True,
              help="Skip the themes-as-drivers-of-NPS analysis.")
@click.option("--nps", "nps", metavar="COL", help="Without --spec: the 0-10 recommendation column.")
@click.option("--id-column", "id_column", metavar="COL", help="Without --spec: the respondent id column.")
@seed_option
@output_options
@quiet_option
def command(data, spec_path, text, language, by, staff, period, n_topics, k_min, k_max, stability_runs, min_df,
            fold_accents, bigrams, min_n, min_staff_n, quotes, impact, nps, id_column, seed, json_path,
            xlsx_path, quiet):
    """Verbatims: what customers (and frontline staff) say in their own words.

    Personal data (e-mails, phones, DNI/NIE/RUT/CPF with valid check
    characters, card numbers passing Luhn) is scrubbed first and counted;
    empty answers ("", "no", "nada", "-") are set aside. Then, side by side:
    the spec's codebook themes (themes.codebook: keywords matched at the start
    of a word, accents ignored, or 're:REGEX') and topics discovered by TF-IDF
    + NMF (scikit-learn; the number of topics by stability over subsamples,
    Greene et al. 2014); a topic that matches no codebook theme is a "new
    theme". Prevalence
    overall, by NPS group and segment with Wilson 95% CIs (= R prop.test(correct
    = FALSE)), chi-square tests with adjusted standardized residuals (= R
    chisq.test(correct = FALSE)), Holm/BH; the words that distinguish
    detractors from promoters (weighted log-odds, informative Dirichlet prior,
    Monroe et al. 2008); themes as drivers of NPS points (OLS, HC3); theme
    shares per week or wave. With the spec's themes.staff_text, the staff's answers get
    the same codebook and a blind-spots table (customers' detractor share
    against staff share, Newcombe CI, Spearman rank correlation).

    Stop words come from the 'stop-words' package and stems from
    'snowballstemmer' (Spanish, English, Portuguese); nothing is downloaded.

    \b
    Examples:
      cxstats verbatims customers.csv staff.csv --spec questionnaire.yaml --xlsx verbatims.xlsx
      cxstats verbatims export.csv --text comment --nps nps --language en --json -
    """
    from cxstats.cli.common import emit, run_analysis, step_context

    ctx = step_context(data, spec_path, seed=seed, quiet=quiet)
    result = run_analysis("verbatims", ctx, text=text, language=language, by=by, staff=staff, period=period,
                          n_topics=n_topics, k_min=k_min, k_max=k_max, stability_runs=stability_runs,
                          min_df=min_df, fold_accents=fold_accents, bigrams=bigrams, min_n=min_n,
                          min_staff_n=min_staff_n, quotes=quotes, impact=impact, nps=nps, id_column=id_column)
    emit(result, name="verbatims", json_path=json_path, xlsx_path=xlsx_path, quiet=quiet)
