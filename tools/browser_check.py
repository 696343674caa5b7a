"""Documented check (not a unit test): the published pages in a real browser.

Publishes a store's pages, turns each into HTML with markdown-it-py (GFM tables, as
a wiki would), loads every page in headless Chromium from Debian's packages
(installed with apt-get when missing) and checks that it renders its tables and no
script; then takes a screenshot of one person page for the README.

    make browser-check        # after make demo: demo-store -> docs/person-page.png
    .venv/bin/python tools/browser_check.py STORE [--person ava] [--out build/browser]
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

CSS = """body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:980px;margin:24px auto;
color:#1f2328;line-height:1.5;padding:0 16px}table{border-collapse:collapse;margin:12px 0}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}th{background:#f6f8fa}
pre{background:#f6f8fa;padding:12px;overflow:auto}h1,h2{border-bottom:1px solid #d8dee4;padding-bottom:4px}"""
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    print("installing Debian's chromium (apt-get)…", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True)
    return shutil.which("chromium") or sys.exit("chromium did not install")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--person", default="ava")
    parser.add_argument("--out", default="build/browser")
    parser.add_argument("--screenshot", default="docs/person-page.png")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    md_dir, html_dir = out / "md", out / "html"
    shutil.rmtree(out, ignore_errors=True)
    p2p = Path(sys.executable).parent / "p2p"
    subprocess.run([str(p2p), "--store", args.store, "publish", str(md_dir), "--target", "mkdocs"], check=True)
    html_dir.mkdir(parents=True)
    renderer = MarkdownIt("commonmark").enable("table")
    for page in sorted(md_dir.glob("*.md")):
        body = renderer.render(page.read_text()).replace('.md"', '.html"')
        (html_dir / f"{page.stem}.html").write_text(
            f"<!doctype html><meta charset=utf-8><title>{html.escape(page.stem)}</title><style>{CSS}</style>{body}")
    browser = chromium()
    problems = []
    with tempfile.TemporaryDirectory() as profile:
        for page in sorted(html_dir.glob("*.html")):
            dom = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                                 capture_output=True, text=True, timeout=120).stdout
            tables_in_source = page.read_text().count("<table>")
            if ("<h1>" not in dom and "<li>" not in dom) or dom.count("<table>") != tables_in_source or "<script" in dom:
                problems.append(f"{page.name}: rendered {dom.count('<table>')}/{tables_in_source} tables")
        shot = Path(args.screenshot).resolve()
        shot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1100,1500",
                        (html_dir / f"person-{args.person}.html").as_uri()], check=True, capture_output=True, timeout=120)
    pages = len(list(html_dir.glob("*.html")))
    print(f"{pages} pages loaded in {Path(browser).name}: {len(problems) or 'no'} problems; screenshot {shot}")
    for problem in problems:
        print("problem:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    os.environ.pop("P2P_NOW", None)
    sys.exit(main())
