import click

from cxstats.cli.common import engine_options, output_options


@click.command("ingest")
@click.argument("data", nargs=-1, required=True, type=click.Path())   # a folder of Parquet parts on an engine
@click.option("--spec", "spec_path", required=True, type=click.Path(dir_okay=False),
              help="Study spec (YAML) describing items, scales, labels and missing codes.")
@click.option("--type", "respondent_type", type=click.Choice(["customer", "staff"]),
              help="Respondent type of every row (default: the spec's respondent-type column, else customer).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Write the validated survey table (codes; reverse-keyed items recoded): CSV, or "
                   "Parquet when the name ends in .parquet.")
@click.option("--sample", "sample", type=int, metavar="N",
              help="With --engine duckdb or spark: write a reproducible simple random sample of N respondents "
                   "to --out (.parquet or .csv) - their rows as in the input, every column, so the same spec "
                   "and plan read it - for the analyses that need rows (verbatims, bootstraps ...).")
@click.option("--seed", "seed", type=int, default=1, show_default=True,
              help="With --sample: the seed of the sample (the same seed and data give the same sample on "
                   "DuckDB and Spark).")
@engine_options
@output_options
def command(data, spec_path, respondent_type, out_path, engine, spark_master, json_path, xlsx_path, sample, seed):
    """Check survey exports against a study spec and build the validated survey table.

    Reads CSV (UTF-8, UTF-8 with BOM, Latin-1/Windows-1252; ',' or ';'; decimal
    comma), Excel .xlsx, SPSS .sav (value labels used) and Qualtrics CSV exports
    (their two extra header rows are dropped). Answer labels such as "Muy
    satisfecho" are mapped to codes (any language of the spec, any case, with or
    without accents); missing codes such as 99 "No sabe" become missing;
    reverse-keyed items are recoded (min + max - x). Out-of-range values, unknown
    labels, unknown respondent types and duplicated respondent ids are refused
    with the file, column, row and value (exit code 2). Inputs are never changed.

    \b
    Examples:
      cxstats ingest customers.csv staff.csv --spec questionnaire.yaml
      cxstats ingest export.sav --spec questionnaire.yaml --type staff --out clean.csv
      cxstats ingest 'lake/*.parquet' --spec questionnaire.yaml --engine duckdb --out clean.parquet

    A stated sample for the analyses that need rows, drawn where the data are:

    \b
      cxstats ingest 'lake/*.parquet' --spec questionnaire.yaml --engine duckdb \\
          --sample 50000 --seed 7 --out sample.csv --json sample.json

    The sample is the N respondents with the smallest md5 of 'SEED|type|id' (a simple random
    sample without replacement, the same on DuckDB and Spark, whatever the threads); every
    cell and id of the whole input is checked first. The terminal and --json state it (n,
    population, seed, method); say so wherever its results are reported.

    With --engine duckdb (or spark) the files are checked and recoded in SQL, out of core,
    and --out must be a .parquet file; duplicated and empty respondent ids are refused as above
    (one GROUP BY pass over the ids).
    """
    from cxstats.io.survey import load_survey
    from cxstats.report.atomic import protect_inputs, write_text
    from cxstats.report.jsonout import write_json
    from cxstats.spec.load import load_spec

    protect_inputs(*data, spec_path)
    spec = load_spec(spec_path)
    from cxstats.engine import choose_engine

    if sample is not None:
        from cxstats.errors import InputError

        if engine == "pandas":
            raise InputError("--sample is drawn by an engine: use --engine duckdb (or spark)", option="sample")
        if not out_path:
            raise InputError("--sample needs --out FILE (.parquet or .csv) for the sample", option="sample")
        if xlsx_path:
            raise InputError("--sample writes the sample to --out; --xlsx is not available with it", option="xlsx")
        return _sample_on_engine(spec, data, respondent_type, out_path, json_path,
                                 "duckdb" if engine == "auto" else engine, spark_master, sample, seed)
    chosen = choose_engine(engine, data, needs_rows=bool(xlsx_path))
    if chosen != "pandas":
        return _ingest_on_engine(spec, data, respondent_type, out_path, json_path, chosen, spark_master)
    survey = load_survey(spec, [(p, respondent_type) for p in data])
    d = survey.data
    answer_cols = list(spec.scored_columns())
    summary = {
        "files": survey.sources,
        "respondents": {t: int((d.respondent_type == t).sum()) for t in ("customer", "staff")},
        "columns": len(answer_cols),
        "missing_answers": {c: int(d[c].isna().sum()) for c in answer_cols if d[c].isna().any()},
        "reverse_keyed_recoded": [i.id for i in spec.items() if i.reverse],
        "notes": list(survey.notes),  # what ingest did beyond the obvious (answers recoded by label...)
    }
    clean = d.drop(columns=["_file", "_row"])
    for col in answer_cols:  # codes are whole numbers: write 7, not 7.0
        values = clean[col].dropna()
        if len(values) and (values == values.round()).all():
            clean[col] = clean[col].astype("Int64")
    if out_path and str(out_path).lower().endswith(".parquet"):
        from cxstats.engine.duck import write_frame_parquet
        from cxstats.report.atomic import atomic_path

        with atomic_path(out_path) as tmp:
            write_frame_parquet(clean, tmp)
    elif out_path:
        write_text(out_path, clean.to_csv(index=False))
    if json_path:
        write_json(summary, json_path)
    if xlsx_path:
        from cxstats.report.workbook import WorkbookBuilder

        from cxstats.report.i18n import Display

        wb = WorkbookBuilder(Display.verbatim())  # the survey table is data: its column names are codes
        wb.add_table("Survey", clean, title="Validated survey table")
        wb.save(xlsx_path)
    if json_path != "-":
        r = summary["respondents"]
        click.echo(f"ok: {r['customer']} customers, {r['staff']} staff, {len(answer_cols)} answer columns "
                   f"from {len(data)} file(s)")
        n_missing = sum(summary["missing_answers"].values())
        click.echo(f"missing answers (blank or missing codes): {n_missing}; "
                   f"reverse-keyed items recoded: {', '.join(summary['reverse_keyed_recoded']) or 'none'}")
    for note in summary["notes"]:
        click.echo(f"note: {note}", err=True)


def _ingest_on_engine(spec, data, respondent_type, out_path, json_path, engine, spark_master):
    """Check and recode the files in SQL (DuckDB or Spark); write Parquet; print the summary."""
    from cxstats.engine import open_survey
    from cxstats.errors import InputError
    from cxstats.report.atomic import atomic_path
    from cxstats.report.jsonout import write_json

    if out_path and not str(out_path).lower().endswith(".parquet"):
        raise InputError(f"--out: engine {engine} writes the survey table as Parquet: name it .parquet "
                         f"(e.g. clean.parquet)")
    es = open_survey(spec, [(p, respondent_type) for p in data], engine, spark_master=spark_master)
    summary = {"files": [str(p) for p in data], **es.summary(), "columns": len(spec.scored_columns()),
               "reverse_keyed_recoded": [i.id for i in spec.items() if i.reverse], "notes": []}
    summary = {k: summary[k] for k in ("files", "respondents", "columns", "missing_answers",
                                       "reverse_keyed_recoded", "notes")}
    if out_path:
        if engine == "spark":
            es.write_parquet(out_path)          # a Parquet folder on the cluster's file system
        else:
            with atomic_path(out_path) as tmp:
                es.write_parquet(tmp)
    if json_path:
        write_json(summary, json_path)
    if json_path != "-":
        r = summary["respondents"]
        click.echo(f"ok: {r['customer']} customers, {r['staff']} staff, {summary['columns']} answer columns "
                   f"from {len(data)} file(s) ({engine}, {es.passes} passes over the data)")
        n_missing = sum(summary["missing_answers"].values())
        click.echo(f"missing answers (blank or missing codes): {n_missing}; "
                   f"reverse-keyed items recoded: {', '.join(summary['reverse_keyed_recoded']) or 'none'}")


def _sample_on_engine(spec, data, respondent_type, out_path, json_path, engine, spark_master, n, seed):
    """Check the files on the engine and write a stated simple random sample of n respondents."""
    from cxstats.engine import open_survey
    from cxstats.errors import InputError
    from cxstats.report.atomic import atomic_path
    from cxstats.report.jsonout import write_json

    if not str(out_path).lower().endswith((".parquet", ".csv")):
        raise InputError(f"--out: name the sample .parquet or .csv, not {out_path!r}", option="out")
    es = open_survey(spec, [(p, respondent_type) for p in data], engine, spark_master=spark_master)
    with atomic_path(out_path) as tmp:
        statement = es.write_sample(n, seed, tmp, "parquet" if str(out_path).lower().endswith(".parquet") else "csv")
    summary = {"files": [str(p) for p in data], "sample": {**statement, "out": str(out_path)},
               "passes": es.passes}
    if json_path:
        write_json(summary, json_path)
    if json_path != "-":
        click.echo(f"sample: {statement['n']} of {statement['population']} respondents (seed {seed}), "
                   f"written to {out_path} ({engine}, {es.passes} passes over the data)")
        click.echo(f"method: {statement['method']}")
