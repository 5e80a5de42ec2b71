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
    assert int(charts.group(1)) == 4
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
