"""make test-browser: a store's published pages as a wiki shows them, in a real browser.

Publishes the store for MkDocs with Mermaid charts, builds the pages into a site as a
team wiki would (`mkdocs build --strict`; literate-nav reads p2p's nav.md; pymdownx
superfences hands ```mermaid blocks to Mermaid, which the site serves itself), loads
every page in headless Chromium with name resolution cut off, and checks that each
Markdown table became an HTML table with as many body rows and each Mermaid block a
chart (an <svg>, not Mermaid's error picture). Then it screenshots the home page and
a person page (into --shots; `--shots docs` refreshes the README's).

    make test-browser    # installs chromium, MkDocs and Mermaid, builds the demo store
    .venv/bin/python tools/browser_check.py STORE --mermaid PATH/mermaid.min.js [--person ava]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

# use_directory_urls: false gives page.html files that load from file:// URLs;
# highlightjs would come from a CDN, and the site must need no network.
MKDOCS_YML = """site_name: p2p demo wiki
docs_dir: docs
site_dir: site
use_directory_urls: false
theme: {name: readthedocs, highlightjs: false}
plugins: [search, {literate-nav: {nav_file: nav.md}}]
markdown_extensions:
  - tables
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_div_format
extra_javascript: [js/mermaid.min.js, js/mermaid-init.js]
"""
MERMAID_INIT = "mermaid.initialize({startOnLoad: true});\n"
# No host name resolves, so whatever a page would fetch from the network fails to load;
# virtual time lets Mermaid finish drawing before the DOM is dumped or the screenshot
# taken, without waiting in real time; --no-sandbox because Chromium's sandbox refuses root.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000"]
DELIMITER = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
REMOTE = re.compile(r'<script[^>]*\ssrc="https?:|<link(?=[^>]*rel="stylesheet")[^>]*\shref="https?:')


def expected(markdown: str) -> tuple[list[int], int]:
    """Body rows of each table and the number of Mermaid blocks, read from the source."""
    lines, rows, charts, fenced = markdown.splitlines(), [], 0, False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            charts += not fenced and line.strip() == "```mermaid"
            fenced = not fenced
        elif not fenced and line.startswith("|") and i + 1 < len(lines) and DELIMITER.match(lines[i + 1]):
            body = 0
            while i + 2 + body < len(lines) and lines[i + 2 + body].startswith("|"):
                body += 1
            rows.append(body)
    return rows, charts


class Rendered(HTMLParser):
    """Body rows of each <table>, and what each Mermaid container holds, in a DOM dump."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.tables: list[int] = []
        self.charts: list[str | None] = []  # the svg's aria-roledescription ("pie", "error"…), None: no svg
        self.syntax_error = False
        self._tbody = False
        self._chart_depth = 0  # open <div>s inside the current Mermaid container
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "table":
            self.tables.append(0)
        elif tag == "tbody":
            self._tbody = True
        elif tag == "tr" and self._tbody:
            self.tables[-1] += 1
        elif tag == "div" and self._chart_depth:
            self._chart_depth += 1
        elif tag == "div" and "mermaid" in (attr.get("class") or "").split():
            self.charts.append(None)
            self._chart_depth = 1
        elif tag == "svg" and self._chart_depth and self.charts[-1] is None:
            self.charts[-1] = attr.get("aria-roledescription") or "svg"

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._tbody = False
        elif tag == "div" and self._chart_depth:
            self._chart_depth -= 1

    def handle_data(self, data: str) -> None:
        self.syntax_error |= "Syntax error" in data


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:  # one profile per run: runs go in parallel
        run = subprocess.run(["chromium", *FLAGS, f"--user-data-dir={profile}", *args],
                             capture_output=True, text=True, timeout=180)
    if run.returncode:
        sys.exit(f"chromium {' '.join(args)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return run.stdout


def check(source: Path, page: Path) -> tuple[str, list[str]]:
    """One page: its summary line and its problems."""
    rows, charts = expected(source.read_text())
    html = page.read_text()
    dom = Rendered(chromium("--dump-dom", page.as_uri()))
    problems = []
    if dom.tables != rows:
        problems.append(f"tables rendered with body rows {dom.tables}, the Markdown has {rows}")
    drawn = [role for role in dom.charts if role not in (None, "error")]
    if len(dom.charts) != charts or len(drawn) != charts:
        problems.append(f"{charts} Mermaid blocks, {len(dom.charts)} containers, {len(drawn)} drawn as charts "
                        f"(svg roles: {dom.charts})")
    if dom.syntax_error:
        problems.append("Mermaid shows 'Syntax error'")
    if REMOTE.search(html):
        problems.append("loads a script or stylesheet from the network")
    summary = f"{page.name}: {len(rows)} tables {rows} rows, {len(drawn)}/{charts} charts {drawn}"
    return summary, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--mermaid", required=True, type=Path, help="Mermaid's browser bundle, dist/mermaid.min.js")
    parser.add_argument("--out", default="build/browser", type=Path)
    parser.add_argument("--shots", type=Path, help="where home-page.png and person-page.png go (default: OUT/shots; "
                        "docs to refresh the README's)")
    parser.add_argument("--person", default="ava")
    args = parser.parse_args()
    if not shutil.which("chromium"):
        sys.exit("chromium is not installed (make test-browser installs it with apt-get)")
    out = args.out.resolve()
    docs, site = out / "docs", out / "site"
    shutil.rmtree(out, ignore_errors=True)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "p2p", "--store", args.store, "publish", docs, "--target", "mkdocs",
                    "--charts", "mermaid"], check=True)
    (docs / "js").mkdir()
    shutil.copy(args.mermaid, docs / "js" / "mermaid.min.js")
    (docs / "js" / "mermaid-init.js").write_text(MERMAID_INIT)
    (out / "mkdocs.yml").write_text(MKDOCS_YML)
    # literate-nav prints an advert for a fork of MkDocs on every build; it says nothing
    # about this site, and --strict still fails the build on any warning.
    subprocess.run([bin_dir / "mkdocs", "build", "--strict", "--quiet", "-f", out / "mkdocs.yml"], check=True,
                   env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true"})

    sources = sorted(docs.glob("*.md"))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda md: check(md, site / f"{md.stem}.html"), sources))
    failures = 0
    for summary, problems in results:
        print(("FAIL " if problems else "ok   ") + summary)
        for problem in problems:
            print(f"     {summary.split(':')[0]}: {problem}")
        failures += bool(problems)

    # Under build/ unless asked: Chromium's PNGs differ by a few bytes between runs of
    # the same pages, and a test run must leave the checkout as it found it.
    args.shots = args.shots or out / "shots"
    args.shots.mkdir(parents=True, exist_ok=True)
    for name, page, height in (("home-page.png", "index.html", 1500), ("person-page.png", f"person-{args.person}.html", 2300)):
        shot = (args.shots / name).resolve()
        chromium(f"--screenshot={shot}", f"--window-size=1200,{height}", (site / page).as_uri())
        print(f"screenshot {shot}")
    print(f"{len(sources)} pages in headless Chromium: {failures or 'no'} page{'s' * (failures != 1)} with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
