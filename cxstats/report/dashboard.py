"""The journey dashboard: one self-contained HTML page from a ``track`` result (and an
``immediacy`` result when there is one), in the study's language.

What a client team sees, top to bottom:

* the journey's touchpoints left to right, each with its latest score, 95% CI and the change
  from the previous wave (an arrow when significant: Holm-adjusted p < alpha), and the share of
  its answers given within the immediacy window (when the fielding block names each answer's
  touchpoint); selectors for the wave and the segment switch the cards;
* the outcomes (NPS, CSAT top-2-box, CES) the same way;
* trend lines per touchpoint and per construct over the waves with their CIs, significant
  changes marked (a star on the wave where the change lands); a segment selector when the
  result has segments (plotly dropdown);
* the gap of each construct to the client's aspiration at the latest wave, with its CI and
  change, and the customer-staff gap when staff answered in the waves;
* immediacy: the share answered within the window per survey channel with its CI;
* the top drivers (when a ``drivers`` result is given): each driver's contribution to R² with
  its bootstrap interval and its share of R², as a bar chart and a table.

Charts are plotly figures; plotly.js is inlined once (``plotly.offline.get_plotlyjs``), so the
page opens with no network. No statistics here: every number comes from the results.
"""

from __future__ import annotations

import html

from cxstats.report import i18n

i18n.register(texts={
    "dash_title": {"en": "Journey dashboard", "es": "Cuadro de mando del viaje"},
    "dash_sub": {"en": "Latest wave: {wave} (compared with {prev}). ▲/▼ significant change (Holm-adjusted p < "
                       "{alpha:g}); = no significant change. 95% confidence intervals in brackets.",
                 "es": "Última ola: {wave} (comparada con {prev}). ▲/▼ cambio significativo (p ajustada por "
                       "Holm < {alpha:g}); = sin cambio significativo. Intervalos de confianza al 95 % entre "
                       "corchetes."},
    "dash_journey": {"en": "The journey, touchpoint by touchpoint", "es": "El viaje, punto de contacto a punto "
                     "de contacto"},
    "dash_outcomes": {"en": "Outcomes", "es": "Resultados"},
    "dash_tp_trend": {"en": "Touchpoint scores by wave", "es": "Puntuación de los puntos de contacto por ola"},
    "dash_c_trend": {"en": "Experience components by wave", "es": "Componentes de la experiencia por ola"},
    "dash_nps_trend": {"en": "NPS by wave", "es": "NPS por ola"},
    "dash_gap": {"en": "Gap to aspiration at the latest wave", "es": "Brecha con la aspiración en la última ola"},
    "dash_imm": {"en": "Answered within {hours:g} h of the contact, by channel",
                 "es": "Respondido en las {hours:g} h siguientes al contacto, por canal"},
    "dash_wave": {"en": "Wave", "es": "Ola"},
    "dash_score": {"en": "Score", "es": "Puntuación"},
    "dash_share": {"en": "Share", "es": "Proporción"},
    "dash_sig": {"en": "significant change", "es": "cambio significativo"},
    "dash_segment": {"en": "Segment", "es": "Segmento"},
    "dash_within": {"en": "answered within {hours:g} h: {share}", "es": "respondido en {hours:g} h: {share}"},
    "dash_staff_gap": {"en": "Customers - staff at the latest wave (perception gap)",
                       "es": "Clientes - empleados en la última ola (brecha de percepción)"},
    "dash_customers": {"en": "Customers", "es": "Clientes"},
    "dash_staff": {"en": "Staff", "es": "Empleados"},
    "dash_ci": {"en": "95% CI", "es": "IC 95 %"},
    "dash_change": {"en": "Change", "es": "Cambio"},
    "dash_all": {"en": "all customers", "es": "todos los clientes"},
    "dash_suppressed": {"en": "n < {min_n}", "es": "n < {min_n}"},
    "dash_construct": {"en": "Component", "es": "Componente"},
    "dash_aspiration": {"en": "Aspiration", "es": "Aspiración"},
    "dash_gap_col": {"en": "Gap", "es": "Brecha"},
    "dash_latest": {"en": "Latest", "es": "Última"},
    "dash_drivers": {"en": "Top drivers of {outcome} (R² = {r2:.2f}, n = {n})",
                     "es": "Principales impulsores de {outcome} (R² = {r2:.2f}, n = {n})"},
    "dash_drivers_note": {"en": "Each bar is the driver's contribution to R² ({measure}); the label is its share of "
                                "R². Whiskers: bootstrap {level:g}% percentile interval ({reps} replicates).",
                          "es": "Cada barra es la aportación del impulsor al R² ({measure}); la etiqueta, su "
                                "proporción del R². Bigotes: intervalo percentil bootstrap al {level:g} % ({reps} "
                                "réplicas)."},
    "dash_driver_table": {"en": "Top drivers", "es": "Principales impulsores"},
    "dash_driver": {"en": "Driver", "es": "Impulsor"},
    "dash_r2_part": {"en": "Contribution to R²", "es": "Aportación al R²"},
    "dash_r2_share": {"en": "Share of R²", "es": "Proporción del R²"},
    "dash_interval": {"en": "{level:g}% interval", "es": "Intervalo al {level:g} %"},
    "dash_footer": {"en": "Made by cxstats. Tests and methods: see the tracking workbook's Methods sheet.",
                    "es": "Elaborado con cxstats. Pruebas y métodos: hoja Métodos del libro de seguimiento."},
})

CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2d3d;background:#fafbfc}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.sub{color:#555;font-size:13px;margin-bottom:12px}
.strip{display:flex;gap:10px;align-items:stretch;flex-wrap:wrap}
.card{background:#fff;border:1px solid #d9dee4;border-radius:8px;padding:10px 14px;min-width:150px;flex:1}
.card .name{font-size:13px;color:#444;min-height:32px}.card .val{font-size:26px;font-weight:bold}
.card .ci{font-size:12px;color:#666}.arrow{font-size:20px;margin-left:6px}
.up{color:#1a7f37}.down{color:#c62828}.flat{color:#888}
.step{align-self:center;color:#9aa5b1;font-size:22px}
table{border-collapse:collapse;background:#fff;font-size:13px}
td,th{border:1px solid #d9dee4;padding:4px 10px;text-align:right}th{background:#1f4e79;color:#fff}
td:first-child,th:first-child{text-align:left}.neg{color:#c62828}.pos{color:#1a7f37}
.chart{background:#fff;border:1px solid #d9dee4;border-radius:8px;margin-top:8px}
footer{margin-top:30px;color:#888;font-size:12px}
"""


def _num(v, kind, digits=None):
    if v is None:
        return "–"
    if kind == "top2":
        return f"{100 * v:.0f}%"
    if kind == "nps":
        return f"{v:+.0f}" if digits is None else f"{v:.{digits}f}"
    return f"{v:.2f}"


class _Dash:
    def __init__(self, track, immediacy, display):
        self.track, self.imm, self.d = track, immediacy, display
        self.cells = {(c["kpi"], c["segment"], c["wave"]): c for c in track.cells}
        self.prev = {(c["kpi"], c["segment"], c["to_wave"]): c for c in track.changes if c["versus"] == "previous"}
        self.waves = [str(w) for w in track.waves]
        self.segments = list(dict.fromkeys(c["segment"] for c in track.cells))
        # immediacy per touchpoint (the fielding block's touchpoint column), shown on its card
        self.within = {r["touchpoint"]: r for r in (immediacy.rows if immediacy is not None else [])
                       if r.get("level") == "touchpoint"}

    def arrow(self, kpi, segment, wave):
        ch = self.prev.get((kpi, segment, wave))
        if ch is None or ch.get("diff") is None or not ch.get("significant"):
            return '<span class="arrow flat">=</span>'
        up = ch["diff"] > 0
        return f'<span class="arrow {"up" if up else "down"}">{"▲" if up else "▼"}</span>'

    def card(self, k, segment="all", wave=None):
        wave = wave or self.waves[-1]
        c = self.cells.get((k["kpi"], segment, wave))
        name = html.escape(self.d.name(k["kpi"]))
        if c is None or c["value"] is None:
            return (f'<div class="card"><div class="name">{name}</div><div class="val">–</div>'
                    f'<div class="ci">{html.escape(self.d.t("dash_suppressed", min_n=self.track.min_n))}</div></div>')
        kind = k["kind"]
        if k["group"] == "outcome":  # outcomes are named by their question: lead with the KPI's code
            name = (f'<b>{html.escape(k["kpi"].upper())}{" (top-2-box)" if kind == "top2" else ""}</b><br>'
                    f'<small>{name}</small>')
        imm = ""
        r = self.within.get(k["kpi"]) if k["group"] == "touchpoint" else None
        if r is not None and r["n"]:
            share = (f"{100 * r['share_within']:.0f}% [{100 * r['share_within_ci_lower']:.0f}; "
                     f"{100 * r['share_within_ci_upper']:.0f}]")
            imm = (f'<div class="ci imm">{html.escape(self.d.t("dash_within", hours=self.imm.max_lag_hours, share=share))}'
                   "</div>")
        return (f'<div class="card" data-kpi="{html.escape(k["kpi"])}"><div class="name">{name}</div>'
                f'<div class="val">{_num(c["value"], kind)}{self.arrow(k["kpi"], segment, wave)}</div>'
                f'<div class="ci">[{_num(c["ci_lower"], kind)}; {_num(c["ci_upper"], kind)}] · n = {c["n"]}</div>'
                f"{imm}</div>")

    def trend_figure(self, kpis, title, y_title):
        """Lines with CI error bars per KPI; one trace set per segment, a dropdown to switch."""
        import plotly.graph_objects as go

        fig = go.Figure()
        per_segment = []
        for seg in self.segments:
            idx = []
            for k in kpis:
                xs, ys, lo, hi, sig_x, sig_y = [], [], [], [], [], []
                for w in self.waves:
                    c = self.cells.get((k["kpi"], seg, w))
                    if c is None or c["value"] is None:
                        continue
                    scale = 100 if k["kind"] == "top2" else 1
                    xs.append(w)
                    ys.append(c["value"] * scale)
                    lo.append((c["value"] - c["ci_lower"]) * scale)
                    hi.append((c["ci_upper"] - c["value"]) * scale)
                    ch = self.prev.get((k["kpi"], seg, w))
                    if ch is not None and ch.get("significant"):
                        sig_x.append(w)
                        sig_y.append(c["value"] * scale)
                visible = seg == "all"
                idx.append(len(fig.data))
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=self.d.name(k["kpi"]),
                                         legendgroup=k["kpi"], visible=visible,
                                         error_y={"type": "data", "symmetric": False, "array": hi,
                                                  "arrayminus": lo, "thickness": 1}))
                idx.append(len(fig.data))
                fig.add_trace(go.Scatter(x=sig_x, y=sig_y, mode="markers", showlegend=False,
                                         legendgroup=k["kpi"], visible=visible,
                                         name=self.d.t("dash_sig"),
                                         marker={"symbol": "star", "size": 16, "color": "#d4a017",
                                                 "line": {"width": 1, "color": "#333"}},
                                         hovertemplate=f"{self.d.name(k['kpi'])}: {self.d.t('dash_sig')}"
                                                       "<extra></extra>"))
            per_segment.append(idx)
        fig.update_layout(title=title, xaxis_title=self.d.t("dash_wave"), yaxis_title=y_title, height=420,
                          margin={"l": 60, "r": 20, "t": 60, "b": 50}, template="plotly_white",
                          xaxis={"type": "category", "categoryorder": "array", "categoryarray": self.waves})
        if len(self.segments) > 1:
            buttons = []
            for seg, idx in zip(self.segments, per_segment):
                vis = [False] * len(fig.data)
                for i in idx:
                    vis[i] = True
                label = self.d.t("dash_all") if seg == "all" else self.d.name(seg)
                buttons.append({"label": label, "method": "update", "args": [{"visible": vis}]})
            fig.update_layout(updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.15,
                                            "yanchor": "top"}])
        return fig

    def immediacy_figure(self):
        import plotly.graph_objects as go

        rows = [r for r in self.imm.rows if r["level"] == "channel"]
        fig = go.Figure(go.Bar(
            x=[r["group"] for r in rows], y=[100 * r["share_within"] for r in rows],
            error_y={"type": "data", "symmetric": False,
                     "array": [100 * (r["share_within_ci_upper"] - r["share_within"]) for r in rows],
                     "arrayminus": [100 * (r["share_within"] - r["share_within_ci_lower"]) for r in rows]},
            text=[f"{100 * r['share_within']:.0f}%" for r in rows], textposition="outside",
            marker_color="#1f4e79"))
        fig.update_layout(title=self.d.t("dash_imm", hours=self.imm.max_lag_hours), yaxis_title="%",
                          yaxis_range=[0, 105], height=380, template="plotly_white",
                          margin={"l": 60, "r": 20, "t": 60, "b": 50})
        return fig


def driver_rows(drivers, top: int = 8) -> list[dict]:
    """The top drivers by their contribution to R² (lmg, else relative weight), with the
    bootstrap percentile interval of that contribution when the result has one."""
    doc = drivers.to_dict()
    measure = doc["importance"]
    boot = (doc.get("bootstrap") or {}).get("intervals", {}).get(measure) or []
    ci = {b["driver"]: b for b in boot}
    r2 = doc["r2"]
    rows = []
    for r in doc["drivers"]:
        part = r[measure]
        b = ci.get(r["driver"])
        rows.append({"driver": r["driver"], "part": part, "share": part / r2 if r2 else None,
                     "lower": b["pct_lower"] if b else None, "upper": b["pct_upper"] if b else None})
    rows.sort(key=lambda x: -x["part"])
    return rows[:top]


def _drivers_panel(drivers, d):
    """A horizontal bar chart of the top drivers and the same numbers as a table."""
    import plotly.graph_objects as go

    doc = drivers.to_dict()
    rows = driver_rows(drivers)
    boot = doc.get("bootstrap") or {}
    level = 100 * boot.get("ci_level", 0.95)
    has_ci = all(r["lower"] is not None for r in rows)
    shown = list(reversed(rows))  # plotly draws the first bar at the bottom
    bar = go.Bar(y=[d.name(r["driver"]) for r in shown], x=[r["part"] for r in shown], orientation="h",
                 text=[f"{100 * r['share']:.0f}%" for r in shown], textposition="inside",
                 insidetextanchor="start", textfont={"color": "#fff"}, marker_color="#2e7d32")
    if has_ci:
        bar.error_x = {"type": "data", "symmetric": False, "array": [r["upper"] - r["part"] for r in shown],
                       "arrayminus": [r["part"] - r["lower"] for r in shown]}
    fig = go.Figure(bar)
    outcome = d.name(doc["outcome"])
    if len(outcome) > 40:  # an outcome named by its whole question: its code reads better in a title
        outcome = doc["outcome"].upper()
    fig.update_layout(title=d.t("dash_drivers", outcome=outcome, r2=doc["r2"], n=doc["n"]),
                      xaxis_title=d.t("dash_r2_part"), height=120 + 40 * len(rows), template="plotly_white",
                      margin={"l": 220, "r": 60, "t": 60, "b": 50})
    measure = "LMG" if doc["importance"] == "lmg" else "relative weight"
    note = d.t("dash_drivers_note", measure=measure, level=level, reps=boot.get("replicates", 0)) if has_ci else ""
    cells = "".join(
        f'<tr data-driver="{html.escape(r["driver"])}"><td>{html.escape(d.name(r["driver"]))}</td>'
        f'<td>{r["part"]:.3f}</td><td>{100 * r["share"]:.1f}%</td>'
        + (f'<td>[{r["lower"]:.3f}; {r["upper"]:.3f}]</td>' if has_ci else "") + "</tr>" for r in rows)
    head = (f"<tr><th>{html.escape(d.t('dash_driver'))}</th><th>{html.escape(d.t('dash_r2_part'))}</th>"
            f"<th>{html.escape(d.t('dash_r2_share'))}</th>"
            + (f"<th>{html.escape(d.t('dash_interval', level=level))}</th>" if has_ci else "") + "</tr>")
    table = f'<h2>{html.escape(d.t("dash_driver_table"))}</h2><table class="drivers">{head}{cells}</table><div class="sub">{html.escape(note)}</div>'
    return fig, table


def _gap_tables(dash, kpis, constructs, d) -> list:
    """The gap to aspiration (and the customer-staff gap) of each construct at the latest wave,
    with the gap's 95% CI and its change from the previous wave (arrow when significant). The gap
    KPIs of the track result give the CI; a result without them shows score and aspiration."""
    wave, out = dash.waves[-1], []
    by_of = {(k.get("of"), k["kind"]): k for k in kpis if k.get("group") == "gap"}

    def ci(c):
        return f"[{c['ci_lower']:+.2f}; {c['ci_upper']:+.2f}]" if c.get("ci_lower") is not None else "–"

    rows = []
    for k in constructs:
        c = dash.cells.get((k["kpi"], "all", wave))
        if k.get("aspiration") is None or c is None or c["value"] is None:
            continue
        g = by_of.get((k["kpi"], "gap_aspiration"))
        gc = dash.cells.get((g["kpi"], "all", wave)) if g else None
        gap = c["value"] - k["aspiration"]
        rows.append((gap, f"<tr data-gap=\"{html.escape(k['kpi'])}\"><td>{html.escape(d.name(k['kpi']))}</td>"
                          f"<td>{c['value']:.2f}</td><td>{k['aspiration']:.2f}</td>"
                          f"<td class=\"{'neg' if gap < 0 else 'pos'}\">{gap:+.2f}</td>"
                          f"<td>{ci(gc) if gc else '–'}</td>"
                          f"<td>{dash.arrow(g['kpi'] if g else k['kpi'], 'all', wave)}</td></tr>"))
    if rows:
        head = "".join(f"<th>{html.escape(d.t(x))}</th>" for x in
                       ("dash_construct", "dash_latest", "dash_aspiration", "dash_gap_col", "dash_ci", "dash_change"))
        out += [f"<h2>{html.escape(d.t('dash_gap'))}</h2>",
                f"<table class=\"gaps\"><tr>{head}</tr>{''.join(r for _, r in sorted(rows, key=lambda x: x[0]))}</table>"]
    staff = [(k, dash.cells.get((k["kpi"], "all", wave))) for k in kpis if k["kind"] == "gap_staff"]
    staff = [(k, c) for k, c in staff if c is not None and c["value"] is not None]
    if staff:
        head = "".join(f"<th>{html.escape(d.t(x))}</th>" for x in
                       ("dash_construct", "dash_gap_col", "dash_ci", "dash_change"))
        body = "".join(
            f"<tr data-staff-gap=\"{html.escape(k['of'])}\"><td>{html.escape(d.name(k['of']))}</td>"
            f"<td class=\"{'neg' if c['value'] < 0 else 'pos'}\">{c['value']:+.2f}</td><td>{ci(c)}</td>"
            f"<td>{dash.arrow(k['kpi'], 'all', wave)}</td></tr>"
            for k, c in sorted(staff, key=lambda kc: kc[1]["value"]))
        out += [f"<h2>{html.escape(d.t('dash_staff_gap'))}</h2>", f'<table class="staff-gaps"><tr>{head}</tr>{body}</table>']
    return out


def render_dashboard(track, immediacy=None, *, drivers=None, display=None, title: str | None = None,
                     maturity=None, roadmap=None) -> str:
    """The dashboard as one HTML text (plotly.js inlined); ``maturity`` and ``roadmap`` (a
    roadmap check) add the organisation's panels (report/maturity_panel.py)."""
    from plotly.offline import get_plotlyjs

    d = display or i18n.Display()
    dash = _Dash(track, immediacy, d)
    kpis = track.kpis
    touchpoints = [k for k in kpis if k["group"] == "touchpoint"]
    outcomes = [k for k in kpis if k["group"] in ("outcome", "score")]
    constructs = [k for k in kpis if k["group"] == "construct"]
    waves = dash.waves
    parts = [f"<h1>{html.escape(title or d.t('dash_title'))}</h1>",
             f'<div class="sub">{html.escape(d.t("dash_sub", wave=waves[-1], prev=waves[-2], alpha=track.alpha))}</div>']
    # wave and segment selectors over the cards: every (wave, segment) view is in the page, the
    # latest wave for all customers shown; a few lines of inline script switch them (plotly's
    # dropdowns only drive charts)
    options = "".join(f'<option value="{html.escape(w)}"{" selected" if w == waves[-1] else ""}>'
                      f"{html.escape(w)}</option>" for w in waves)
    selectors = f'<label>{html.escape(d.t("dash_wave"))}: <select id="wave-select">{options}</select></label>'
    if len(dash.segments) > 1:
        seg_options = "".join(
            f'<option value="{html.escape(sg)}"{" selected" if sg == "all" else ""}>'
            f'{html.escape(d.t("dash_all") if sg == "all" else d.name(sg))}</option>' for sg in dash.segments)
        selectors += (f' &nbsp; <label>{html.escape(d.t("dash_segment"))}: '
                      f'<select id="segment-select">{seg_options}</select></label>')
    parts.append(f'<div class="sub">{selectors}</div>')
    for seg in dash.segments:
        for w in waves:
            view = []
            if touchpoints:
                cards = '<span class="step">→</span>'.join(dash.card(k, segment=seg, wave=w) for k in touchpoints)
                view += [f"<h2>{html.escape(d.t('dash_journey'))}</h2>", f'<div class="strip">{cards}</div>']
            if outcomes:
                view += [f"<h2>{html.escape(d.t('dash_outcomes'))}</h2>",
                         '<div class="strip">' + "".join(dash.card(k, segment=seg, wave=w) for k in outcomes)
                         + "</div>"]
            hidden = "" if (w == waves[-1] and seg == "all") else ' style="display:none"'
            parts.append(f'<div class="wave-view" data-wave="{html.escape(w)}" data-segment="{html.escape(seg)}"'
                         f'{hidden}>{"".join(view)}</div>')
    parts.append("<script>(function(){var w=document.getElementById('wave-select'),"
                 "s=document.getElementById('segment-select');function show(){"
                 "document.querySelectorAll('.wave-view').forEach(function(v){"
                 "var ok=v.getAttribute('data-wave')===w.value&&(!s||v.getAttribute('data-segment')===s.value);"
                 "v.style.display=ok?'':'none';});}w.addEventListener('change',show);"
                 "if(s){s.addEventListener('change',show);}})();</script>")
    figures = []
    if touchpoints:
        figures.append(dash.trend_figure(touchpoints, d.t("dash_tp_trend"), d.t("dash_score")))
    nps = [k for k in outcomes if k["kind"] == "nps"]
    if nps:
        figures.append(dash.trend_figure(nps, d.t("dash_nps_trend"), "NPS"))
    if constructs:
        figures.append(dash.trend_figure(constructs, d.t("dash_c_trend"), d.t("dash_score")))
    if not touchpoints and not constructs:
        means = [k for k in outcomes if k["kind"] != "nps"]
        if means:
            figures.append(dash.trend_figure(means, d.t("dash_c_trend"), d.t("dash_score")))
    if immediacy is not None and any(r["level"] == "channel" for r in immediacy.rows):
        figures.append(dash.immediacy_figure())
    drivers_table = None
    if drivers is not None:
        fig, drivers_table = _drivers_panel(drivers, d)
        figures.append(fig)
    org_tables = []
    if maturity is not None or roadmap is not None:
        from cxstats.report.maturity_panel import maturity_panel, owners_panel

        if maturity is not None:
            fig, table = maturity_panel(maturity, d)
            figures.append(fig)
            org_tables.append(table)
        if roadmap is not None:
            org_tables.append(owners_panel(roadmap, d))
    config = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png"}}
    for i, fig in enumerate(figures):
        parts.append(f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart{i}", config=config)}</div>')
    parts += _gap_tables(dash, kpis, constructs, d)
    if drivers_table:
        parts.append(drivers_table)
    parts += org_tables
    parts.append(f"<footer>{html.escape(d.t('dash_footer'))}</footer>")
    # a marker the browser test reads: how many charts plotly drew
    check = ("<script>window.addEventListener('load',function(){setTimeout(function(){"
             "var n=document.querySelectorAll('.js-plotly-plot .main-svg').length;"
             "document.body.setAttribute('data-charts-drawn',String(n));},0);});</script>")
    lang = html.escape(d.lang)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title or d.t('dash_title'))}</title><style>{CSS}</style>"
            f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
            f'<body data-charts="{len(figures)}">{"".join(parts)}{check}</body></html>\n')


def write_dashboard(path, track, immediacy=None, *, drivers=None, display=None, title: str | None = None,
                    maturity=None, roadmap=None) -> None:
    """Write the dashboard atomically (never over an input)."""
    from cxstats.report.atomic import write_text

    write_text(path, render_dashboard(track, immediacy, drivers=drivers, display=display, title=title,
                                      maturity=maturity, roadmap=roadmap))

