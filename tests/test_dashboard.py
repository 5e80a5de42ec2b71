"""The journey dashboard: a self-contained page (no external URL: it opens with no network),
in the study's language, rendered by a real headless Chromium (skipped when none is installed;
.ci/run installs Debian's chromium): every chart draws, no script error, the screenshot is not
blank."""

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from conftest import assert_clean_error, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("dash") / "study"
    assert run_cli("demo", d).exit_code == 0
    return d


@pytest.fixture(scope="module")
def page(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("dash-out") / "viaje.html"
    res = run_cli("dashboard", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--html", out,
                  "--by", "region", "-q")
    assert res.exit_code == 0, res
    return out


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.scripts_with_src, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "poster", "srcset") and value:
                self.refs.append((tag, name, value))
        if tag == "script" and any(n == "src" for n, _ in attrs):
            self.scripts_with_src.append(attrs)
        if tag == "link":
            self.links.append(attrs)


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    p = _Refs()
    p.feed(text)
    assert not p.scripts_with_src and not p.links, "scripts and styles are inline"
    external = [r for r in p.refs if re.match(r"^(https?:)?//", r[2])]
    assert not external, external
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), "no CSS url() to the network"
    assert "Plotly" in text and len(text) > 1_000_000   # plotly.js is inlined
    assert 'html lang="es"' in text
    # the study's language (the demo spec is Spanish first): Spanish headings and spec names
    assert "El viaje, punto de contacto a punto de contacto" in text and "Entrega e instalación" in text
    # wave and segment selectors over the cards: one view per (segment, wave), only the latest
    # wave for all customers shown
    views = re.findall(r'<div class="wave-view" data-wave="([^"]+)" data-segment="([^"]+)"( style="display:none")?>',
                       text)
    segments = ["all", "centro", "este", "norte", "sur"]
    assert [(w, s) for w, s, _ in views] == [(w, s) for s in segments for w in ("ola1", "ola2", "ola3")]
    assert [(w, s) for w, s, h in views if not h] == [("ola3", "all")]
    assert '<select id="wave-select">' in text and '<option value="ola3" selected>' in text
    assert '<select id="segment-select"><option value="all" selected>todos los clientes</option>' in text


class _Views(HTMLParser):
    """Each card view's cards: (wave, segment) -> {kpi: (value text, ci text, immediacy text)}."""

    def __init__(self):
        super().__init__()
        self.views, self.key, self.kpi, self.cls, self.cards = {}, None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("class") == "wave-view":
            self.key = (a["data-wave"], a["data-segment"])
            self.views[self.key] = {}
        elif tag == "div" and a.get("class") == "card" and "data-kpi" in a and self.key:
            self.kpi = a["data-kpi"]
            self.views[self.key][self.kpi] = {}
        elif tag == "div" and self.kpi and a.get("class") in ("val", "ci", "ci imm"):
            self.cls = a["class"]

    def handle_data(self, data):
        if self.kpi and self.cls:
            card = self.views[self.key][self.kpi]
            card[self.cls] = card.get(self.cls, "") + data

    def handle_endtag(self, tag):
        if tag == "div" and self.cls:
            self.cls = None


def test_cards_per_segment_and_wave_show_the_track_cells(demo, page):
    """The card of every touchpoint in every (wave, segment) view shows that cell of the track
    result (same data, same options), and each touchpoint's card the immediacy share within
    48 h of its answers with the Wilson CI (the immediacy result's touchpoint row)."""
    res = run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--by", "region",
                  "--json", "-", "-q")
    cells = {(c["kpi"], c["segment"], c["wave"]): c for c in res.json()["cells"]}
    imm = run_cli("immediacy", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--json", "-", "-q")
    within = {r["touchpoint"]: r for r in imm.json()["rows"] if r["level"] == "touchpoint"}
    p = _Views()
    p.feed(page.read_text(encoding="utf-8"))
    assert len(p.views) == 15
    checked = 0
    for (wave, seg), cards in p.views.items():
        for tp in ("web", "compra", "entrega", "posventa"):
            c = cells[(tp, seg, wave)]
            if c["value"] is None:
                assert "–" in cards.get(tp, {}).get("val", "–")
                continue
            assert cards[tp]["val"].startswith(f"{c['value']:.2f}"), (wave, seg, tp)
            assert f"n = {c['n']}" in cards[tp]["ci"]
            checked += 1
            if tp in within:
                r = within[tp]
                assert f"{100 * r['share_within']:.0f}% [{100 * r['share_within_ci_lower']:.0f}; " \
                       f"{100 * r['share_within_ci_upper']:.0f}]" in cards[tp]["ci imm"]
            else:
                assert "ci imm" not in cards[tp]   # web: no answer was invited after the website
    assert checked >= 50


def test_gap_table_shows_the_gap_kpis(demo, page):
    """The gap-to-aspiration table: the gap and its CI are the track result's gap KPI at the
    latest wave (construct score minus the spec's aspiration)."""
    res = run_cli("track", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--by", "region",
                  "--json", "-", "-q")
    cells = {(c["kpi"], c["segment"], c["wave"]): c for c in res.json()["cells"]}
    text = page.read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-gap="([^"]+)"><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td class="\w+">([^<]+)</td>'
                      r'<td>\[([^;]+); ([^\]]+)\]</td>', text)
    assert len(rows) == 10
    for cid, latest, asp, gap, lo, hi in rows:
        g = cells[(f"{cid}.vs_aspiration", "all", "ola3")]
        assert float(gap) == pytest.approx(g["value"], abs=0.006) and float(latest) - float(asp) == pytest.approx(
            float(gap), abs=0.011)
        assert (float(lo), float(hi)) == pytest.approx((g["ci_lower"], g["ci_upper"]), abs=0.006)


def test_english_and_plan_output(demo, tmp_path):
    out = tmp_path / "en.html"
    res = run_cli("dashboard", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml", "--html", out,
                  "--lang", "en", "-q")
    assert res.exit_code == 0, res
    text = out.read_text(encoding="utf-8")
    assert 'html lang="en"' in text and "The journey, touchpoint by touchpoint" in text
    res = run_cli("run", demo / "plan_tracking.yaml", "--out", tmp_path / "plan", "-q")
    assert res.exit_code == 0, res
    assert (tmp_path / "plan" / "demo_journey_dashboard.html").stat().st_size > 1_000_000
    assert_clean_error(run_cli("dashboard", demo / "waves.csv", "--spec", demo / "questionnaire_tracking.yaml",
                               "--html", tmp_path / "x.png"), ".html")


class _DriverRows(HTMLParser):
    """The drivers table: data-driver code -> its cells' text."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-driver" in a:
            self._row = a["data-driver"]
            self.rows[self._row] = []
        elif tag == "td" and self._row:
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self._row and self._cell is not None:
            self.rows[self._row].append(self._cell)
            self._cell = None
        elif tag == "tr":
            self._row = None


@pytest.fixture(scope="module")
def plan_page(demo, tmp_path_factory):
    """``cxstats dashboard PLAN --out DIR`` on the demo's tracking plan (immediacy, track, drivers)."""
    out = tmp_path_factory.mktemp("dash-plan")
    res = run_cli("dashboard", demo / "plan_tracking.yaml", "--out", out / "informes", "-q")
    assert res.exit_code == 0, res
    return out / "informes" / "demo_journey_dashboard.html"


def test_plan_form_shows_top_drivers_equal_to_the_drivers_json(demo, plan_page, tmp_path):
    text = plan_page.read_text(encoding="utf-8")
    assert "Principales impulsores" in text and 'data-charts="5"' in text
    # the same plan's drivers result, as the plan's JSON writes it
    res = run_cli("run", demo / "plan_tracking.yaml", "--out", tmp_path / "run", "-q")
    assert res.exit_code == 0, res
    import json

    doc = json.loads((tmp_path / "run" / "tracking_results.json").read_text(encoding="utf-8"))
    drivers = next(s["result"] for s in doc["steps"] if s["step"] == "drivers")
    boot = {b["driver"]: b for b in drivers["bootstrap"]["intervals"]["lmg"]}
    expected = sorted(drivers["drivers"], key=lambda r: -r["lmg"])[:8]
    rows = _DriverRows()
    rows.feed(text)
    assert list(rows.rows) == [r["driver"] for r in expected]   # ordered by contribution, top first
    names = {"puntualidad_entrega": "Puntualidad de la entrega", "facilidad_web": "Facilidad de uso de la web"}
    for r in expected:
        name, part, share, interval = rows.rows[r["driver"]]
        if r["driver"] in names:
            assert name == names[r["driver"]]                    # Spanish spec names
        assert float(part) == pytest.approx(r["lmg"], abs=5e-4)
        assert float(share.rstrip("%")) == pytest.approx(100 * r["lmg_share"], abs=0.05)
        lo, hi = (float(x) for x in interval.strip("[]").split(";"))
        assert lo == pytest.approx(boot[r["driver"]]["pct_lower"], abs=5e-4)
        assert hi == pytest.approx(boot[r["driver"]]["pct_upper"], abs=5e-4)
        assert lo <= r["lmg"] <= hi
    assert set(names) <= set(rows.rows)
    assert sum(r["lmg_share"] for r in drivers["drivers"]) == pytest.approx(1.0)  # shares of R² add up


def test_plan_form_errors(demo, tmp_path):
    assert_clean_error(run_cli("dashboard", demo / "plan_tracking.yaml"), "--out")
    assert_clean_error(run_cli("dashboard", demo / "plan_tracking.yaml", "--out", tmp_path, "--by", "region"),
                       "--by")
    assert_clean_error(run_cli("dashboard", demo / "waves.csv", "--html", tmp_path / "x.html"), "--spec")
    res = run_cli("dashboard", "--help")
    assert "PLAN" in res.stdout and "--out" in res.stdout and "--html" in res.stdout


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr",
           "--v=0", "--virtual-time-budget=15000"]


def test_page_renders_in_headless_chromium(page, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium; .ci/run installs it)")
    url = page.resolve().as_uri()
    dom = subprocess.run([browser, *OFFLINE, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = re.search(r'data-charts="(\d+)"', dom.stdout)
    drawn = re.search(r'data-charts-drawn="(\d+)"', dom.stdout)
    assert charts and drawn, "the page's check script did not run"
    assert int(charts.group(1)) == int(page.read_text(encoding="utf-8").count('class="chart"'))
    assert int(charts.group(1)) >= 4
    assert int(drawn.group(1)) >= int(charts.group(1)), "every chart draws (plotly main-svg per chart)"
    errors = [line for line in dom.stderr.splitlines()
              if "CONSOLE" in line and re.search(r"error|uncaught", line, re.I)]
    assert not errors, errors
    shot = tmp_path / "dashboard.png"
    run = subprocess.run([browser, *OFFLINE, "--window-size=1400,2600", f"--screenshot={shot}", url],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    assert img.size == (1400, 2600)
    assert not _blank(img), "the screenshot is blank"
    assert _blank(Image.new("RGB", (1400, 2600), (250, 251, 252)))  # the check can fail


def _blank(img) -> bool:
    """Fewer than 200 distinct colours, or almost no dark pixels (text, lines, filled bars)."""
    colours = img.resize((350, 650)).getcolors(maxcolors=1_000_000)
    dark = sum(img.convert("L").histogram()[:100])
    return len(colours) <= 200 or dark <= 0.005 * img.size[0] * img.size[1]
