"""The dashboard's panels for the organisation side: the maturity radar (each dimension's mean
against its target, the 95% CI in the hover and the table) and the roadmap with its owners.
Plain data in (results' ``to_dict()``), plotly figures and HTML out; words from ``i18n``."""

from __future__ import annotations

import html

from cxstats.report import i18n

i18n.register(texts={
    "dash_maturity": {"en": "CX maturity by dimension (stages 1-5)", "es": "Madurez CX por dimensión (etapas 1-5)"},
    "dash_maturity_mean": {"en": "Mean", "es": "Media"},
    "dash_maturity_target": {"en": "Target", "es": "Objetivo"},
    "dash_maturity_table": {"en": "Maturity: dimensions ranked by gap to target",
                            "es": "Madurez: dimensiones ordenadas por brecha con el objetivo"},
    "dash_dimension": {"en": "Dimension", "es": "Dimensión"},
    "dash_stage": {"en": "Stage (95% CI)", "es": "Etapa (IC 95 %)"},
    "dash_owners": {"en": "Roadmap: initiatives and owners", "es": "Hoja de ruta: iniciativas y responsables"},
    "dash_initiative": {"en": "Initiative", "es": "Iniciativa"},
    "dash_co_leads": {"en": "Co-leads", "es": "Co-líderes"},
    "dash_accountable": {"en": "Accountable", "es": "Rinde cuentas"},
    "dash_responsible": {"en": "Responsible", "es": "Responsables"},
    "dash_gap_target": {"en": "Gap to target", "es": "Brecha con el objetivo"},
    "dash_targets": {"en": "Constructs targeted", "es": "Constructos objetivo"},
    "dash_problems": {"en": "{n} governance problem(s): see the roadmap check",
                      "es": "{n} problema(s) de gobierno: ver la comprobación de la hoja de ruta"},
})


def maturity_panel(result, d):
    """(plotly radar figure, HTML table) of a maturity result."""
    import plotly.graph_objects as go

    doc = result.to_dict()
    dims = doc["dimensions"]
    names = [d.name(x["dimension"]) for x in dims]
    closed = names + names[:1]
    mean = [x["mean"] for x in dims]
    hover = [f"{n}: {m:.2f} [{x['ci_lower']:.2f}; {x['ci_upper']:.2f}]" for n, m, x in zip(names, mean, dims)]
    fig = go.Figure()
    fig.add_trace(go.Scatterpolar(r=mean + mean[:1], theta=closed, name=d.t("dash_maturity_mean"), fill="toself",
                                  text=hover + hover[:1], hoverinfo="text", line_color="#1565c0"))
    targets = [x["target"] for x in dims]
    if all(t is not None for t in targets):
        fig.add_trace(go.Scatterpolar(r=targets + targets[:1], theta=closed, name=d.t("dash_maturity_target"),
                                      line={"color": "#c62828", "dash": "dash"}))
    lo, hi = doc["scale"]
    fig.update_layout(title=d.t("dash_maturity"), template="plotly_white", height=520,
                      polar={"radialaxis": {"range": [lo, hi], "tickvals": list(range(int(lo), int(hi) + 1))}})
    rows = "".join(
        f'<tr data-dimension="{html.escape(x["dimension"])}"><td>{x["rank"] if x["rank"] is not None else ""}</td>'
        f"<td>{html.escape(d.name(x['dimension']))}</td><td>{x['mean']:.2f} [{x['ci_lower']:.2f}; {x['ci_upper']:.2f}]</td>"
        f"<td>{html.escape(str(x['stage_range'] or ''))}</td>"
        f"<td>{'' if x['target'] is None else format(x['target'], 'g')}</td>"
        f"<td class=\"{'neg' if (x['gap'] or 0) > 0 else 'pos'}\">{'' if x['gap'] is None else format(x['gap'], '+.2f')}</td></tr>"
        for x in sorted(dims, key=lambda x: x["rank"] if x["rank"] is not None else 10**9))
    head = (f"<tr><th>#</th><th>{html.escape(d.t('dash_dimension'))}</th><th>{html.escape(d.t('dash_maturity_mean'))} "
            f"[95%]</th><th>{html.escape(d.t('dash_stage'))}</th><th>{html.escape(d.t('dash_maturity_target'))}</th>"
            f"<th>{html.escape(d.t('dash_gap_target'))}</th></tr>")
    return fig, f'<h2>{html.escape(d.t("dash_maturity_table"))}</h2><table class="maturity">{head}{rows}</table>'


def owners_panel(result, d) -> str:
    """The roadmap with its owners (HTML table) from a roadmap check result."""
    def roles(rs):
        return "; ".join(r["role"] + (f" ({r['level']})" if r.get("level") else "") for r in rs)

    doc = result.to_dict()
    rows = "".join(
        f'<tr data-initiative="{html.escape(i["id"])}"><td>{html.escape(i["name"])}</td>'
        f"<td>{html.escape(roles(i['co_leads']))}</td><td>{html.escape(roles(i['accountable']))}</td>"
        f"<td>{html.escape(roles(i['responsible']))}</td><td>{html.escape('; '.join(d.name(c) for c in i['constructs']))}</td></tr>"
        for i in doc["initiatives"])
    head = (f"<tr><th>{html.escape(d.t('dash_initiative'))}</th><th>{html.escape(d.t('dash_co_leads'))}</th>"
            f"<th>{html.escape(d.t('dash_accountable'))}</th><th>{html.escape(d.t('dash_responsible'))}</th>"
            f"<th>{html.escape(d.t('dash_targets'))}</th></tr>")
    note = (f'<div class="sub">{html.escape(d.t("dash_problems", n=doc["n_errors"]))}</div>' if doc["n_errors"] else "")
    return f'<h2>{html.escape(d.t("dash_owners"))}</h2><table class="owners">{head}{rows}</table>{note}'


def render_maturity_dashboard(maturity, roadmap=None, *, display=None, title: str | None = None,
                              css: str = "") -> str:
    """A maturity study's dashboard page (no tracking waves): the radar, the ranked dimensions and,
    with a roadmap check, the roadmap with its owners; plotly.js inlined, styled with ``css`` (the
    journey dashboard's, passed by the caller)."""
    from plotly.offline import get_plotlyjs

    d = display or i18n.Display()
    fig, table = maturity_panel(maturity, d)
    config = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png"}}
    name = title or d.t("dash_maturity")
    parts = [f"<h1>{html.escape(name)}</h1>",
             f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=False, div_id="chart0", config=config)}</div>',
             table]
    if roadmap is not None:
        parts.append(owners_panel(roadmap, d))
    check = ("<script>window.addEventListener('load',function(){setTimeout(function(){"
             "var n=document.querySelectorAll('.js-plotly-plot .main-svg').length;"
             "document.body.setAttribute('data-charts-drawn',String(n));},0);});</script>")
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(d.lang)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(name)}</title><style>{css}</style>"
            f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
            f'<body data-charts="1">{"".join(parts)}{check}</body></html>\n')


def write_maturity_dashboard(path, maturity, roadmap=None, *, display=None, title: str | None = None,
                             css: str = "") -> None:
    from cxstats.report.atomic import write_text

    write_text(path, render_maturity_dashboard(maturity, roadmap, display=display, title=title, css=css))
