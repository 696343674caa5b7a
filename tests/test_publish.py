"""`p2p publish`: golden pages of the demo store, Markdown that hostile text cannot
break, template overrides, and output that does not change when the store does not."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from conftest import DEMO_NOW, ROOT, commit_by_hand, git, scores
from p2p.cli import cli

GOLDEN = ROOT / "tests" / "golden"
MD = MarkdownIt("commonmark").enable("table")


def publish(store: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--store", str(store), "publish", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def pages(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(out.iterdir()) if p.is_file() and p.name != ".p2p-pages"}


def fresh(store: Path, tmp_path: Path) -> dict[str, str]:
    """The pages of a copy of `store` with no caches."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    shutil.rmtree(copy / ".git" / "p2p")
    publish(copy, tmp_path / "fresh-wiki")
    return pages(tmp_path / "fresh-wiki")


def test_the_demo_store_renders_exactly_the_golden_pages(demo_store, tmp_path, monkeypatch):
    """Regenerate with `make golden` after an intended change, and review the diff."""
    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    publish(demo_store, tmp_path / "wiki")
    got = pages(tmp_path / "wiki")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.md"):
            old.unlink()
        for name, text in got.items():
            (GOLDEN / name).write_text(text)
    want = {p.name: p.read_text() for p in sorted(GOLDEN.glob("*.md"))}
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from tests/golden/{name}; run `make golden` if intended"


def tables(text: str) -> list[list[int]]:
    """Cell counts of every row of every GFM table in a page."""
    found, row, counts = [], 0, []
    for token in MD.parse(text):
        if token.type == "table_open":
            counts = []
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close":
            counts.append(row)
        elif token.type == "table_close":
            found.append(counts)
    return found


def test_every_demo_page_parses_and_every_table_row_has_the_header_cell_count(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    publish(demo_store, tmp_path / "wiki")
    for name, text in pages(tmp_path / "wiki").items():
        for counts in tables(text):
            assert len(set(counts)) == 1, (name, counts)
    assert tables(pages(tmp_path / "wiki")["challenge-q4-pitch.md"])  # it does have tables


HOSTILE = [
    "pipe | in the middle",
    "line one\nline two\n| fake | row |",
    "<script>alert('x')</script>",
    "[click me](javascript:alert(1))",
    "<!channel> @here @sales-team",
    "🚀 emoji and עברית RTL text",
    "# not a heading\n> not a quote\n- not a list",
    "`code` *bold* {{ jinja }} ![img](http://x.example/a.png)",
]


@pytest.fixture
def hostile(p2p, monkeypatch):
    p2p("people", "add", "zoe", "--name", "Zoë | 🚀 [x](javascript:alert(1)) @here", "--email", "zoe@example.com",
        "--role", "ae", "--team", "east")
    p2p("submit", "pitch", "--link", "https://v.example/zoe?a=1&b=2", "--tag", "fin|tech", as_="zoe")
    p2p("submit", "pitch", "--link", "javascript:alert(1)", as_="ava", expect=1)
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    for i, (rater, comment) in enumerate(zip(["ben", "cal", "dia", "eli"] * 2, HOSTILE)):
        target = "zoe" if i % 2 == 0 else "ava"
        p2p("rate", "pitch", target, *scores(3 + i % 3), "--comment", comment, as_=rater)
    return p2p


def test_hostile_names_and_comments_cannot_break_a_table_inject_html_or_ping(hostile, tmp_path):
    publish(hostile.root, tmp_path / "wiki")
    for name, text in pages(tmp_path / "wiki").items():
        for counts in tables(text):
            assert len(set(counts)) == 1, (name, counts)
        html = MD.render(text)
        assert "<script" not in html and "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__(), name
        assert not re.search(r"<img|<!channel>|(?<![\w\u200b])@here\b", html.replace("@\u200bhere", "")), name
        assert "\n# not a heading" not in text and "\n> not a quote" not in text, name


def test_publishing_twice_rewrites_nothing_and_stale_pages_are_deleted(p2p, tmp_path):
    out = tmp_path / "wiki"
    (tmp_path / "wiki").mkdir()
    (out / "notes-by-hand.md").write_text("mine\n")
    first = publish(p2p.root, out)
    assert re.search(r": \d+ created, 0 updated, 0 unchanged, 0 deleted", first)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    second = publish(p2p.root, out)
    assert re.search(r": 0 created, 0 updated, \d+ unchanged, 0 deleted", second)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    p2p("people", "add", "eli", "--name", "Eli", "--email", "eli@example.com", "--role", "ae", "--team", "west",
        "--inactive", "--update")
    third = publish(p2p.root, out)
    assert "1 deleted" in third and not (out / "person-eli.md").exists()
    assert (out / "notes-by-hand.md").read_text() == "mine\n"


def test_a_store_template_overrides_one_block_and_removing_it_restores_the_default(p2p, tmp_path):
    templates = p2p.root / "templates"
    templates.mkdir()
    (templates / "person.md.j2").write_text(
        '{% extends "default:person.md.j2" %}\n{% block reviews %}\nCoached by the west team.\n{% endblock %}\n')
    git(p2p.root, "add", "templates")
    git(p2p.root, "commit", "-qm", "override")
    publish(p2p.root, tmp_path / "a")
    page = (tmp_path / "a" / "person-ava.md").read_text()
    assert "Coached by the west team." in page and "## Reviews given" not in page and "## What peers said" in page
    git(p2p.root, "rm", "-rq", "templates")
    git(p2p.root, "commit", "-qm", "no override")
    publish(p2p.root, tmp_path / "b")
    assert "## Reviews given" in (tmp_path / "b" / "person-ava.md").read_text()


def test_targets_and_charts(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    publish(demo_store, tmp_path / "az", "--target", "azure")
    azure = pages(tmp_path / "az")
    assert "::: mermaid" in azure["challenge-q4-pitch.md"] and "](person-eli.md)" in azure["challenge-q4-pitch.md"]
    assert (tmp_path / "az" / ".order").read_text().startswith("Home\n")
    publish(demo_store, tmp_path / "mk", "--target", "mkdocs", "--charts", "none")
    mkdocs = pages(tmp_path / "mk")
    assert "index.md" in mkdocs and "nav.md" in mkdocs
    assert not any("mermaid" in text for text in mkdocs.values())
    assert "| Rank | Person |" in mkdocs["challenge-q4-pitch.md"]  # the table stays when charts go


def test_home_standings_keep_their_ranks_after_the_role_tables_are_built(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    publish(demo_store, tmp_path / "wiki")
    home = (tmp_path / "wiki" / "Home.md").read_text().split("## Open challenges")[0]  # the standings table
    ranks = [int(line.split("|")[1]) for line in home.splitlines() if re.match(r"\| \d+ \| \[", line)]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_each_template_uses_exactly_the_fields_of_its_page_context():
    from dataclasses import fields

    from jinja2 import meta

    from p2p.catalog import builtin_dir
    from p2p.render import pages
    from p2p.render.env import environment

    env = environment(None, builtin_dir("templates"), "github", "mermaid")
    contexts = {"home": pages.HomePage, "challenge": pages.ChallengePage, "person": pages.PersonPage,
                "team": pages.TeamPage, "roles": pages.RolesPage, "playbook": pages.PlaybookPage,
                "analytics": pages.AnalyticsPage, "clinics": pages.ClinicsPage}
    for name, context in contexts.items():
        source = (builtin_dir("templates") / f"{name}.md.j2").read_text()
        used = meta.find_undeclared_variables(env.parse(source)) - set(env.globals)
        names = {f.name for f in fields(context)}
        assert used <= names and names - {"site"} <= used, (name, used ^ names)  # `site` is offered to all


def test_comments_are_anonymous_unless_the_store_says_otherwise(p2p, tmp_path):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("rate", "pitch", "ava", *scores(4), "--comment", "Sharp opener.", as_="ben")
    publish(p2p.root, tmp_path / "a")
    assert "| a peer | Sharp opener. |" in (tmp_path / "a" / "person-ava.md").read_text()
    config = p2p.root / "p2p.yaml"
    config.write_text(config.read_text() + "publish: {anonymous: false}\n")
    git(p2p.root, "commit", "-qam", "name raters")
    publish(p2p.root, tmp_path / "b")
    assert "| Ben | Sharp opener. |" in (tmp_path / "b" / "person-ava.md").read_text()


REVIEWS_SAY = '{{% extends "default:person.md.j2" %}}\n{{% block reviews %}}\n{}\n{{% endblock %}}\n'


def test_a_store_template_edited_after_a_publish_changes_the_next_one(p2p, tmp_path):
    """Compiled templates and the render index are kept; neither may serve the old text."""
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    assert list((p2p.root / ".git" / "p2p" / "jinja").glob("*/*.cache"))
    templates = p2p.root / "templates"
    templates.mkdir()
    (templates / "person.md.j2").write_text(REVIEWS_SAY.format("One."))
    publish(p2p.root, wiki)
    assert "One." in (wiki / "person-ava.md").read_text()
    (templates / "person.md.j2").write_text(REVIEWS_SAY.format("Two."))
    publish(p2p.root, wiki)
    page = (wiki / "person-ava.md").read_text()
    assert "Two." in page and "One." not in page


def test_a_page_edited_by_hand_is_rendered_and_rewritten_though_nothing_else_changed(p2p, tmp_path):
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    want = (wiki / "person-ava.md").read_text()
    (wiki / "person-ava.md").write_text(want.replace("Ava", "Eve"))
    assert re.search(r": 0 created, 1 updated, \d+ unchanged", publish(p2p.root, wiki))
    assert (wiki / "person-ava.md").read_text() == want


def test_a_publish_that_changes_no_page_does_not_import_jinja(p2p, tmp_path):
    """Only a page that must be rendered needs Jinja (~50 ms to import), the sidebar
    too; a commit that changes nothing a page shows renders none (the analytics page
    once held the commit id, and was rendered again after every commit)."""
    import subprocess
    import sys

    probe = ("import sys\nfrom p2p.cli import cli\ntry:\n    cli(sys.argv[1:])\nexcept SystemExit as exc:\n"
             "    assert not exc.code, exc.code\nprint('JINJA=' + str('jinja2' in sys.modules))\n")

    def published() -> str:
        proc = subprocess.run([sys.executable, "-c", probe, "--store", str(p2p.root), "publish", str(wiki)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    want = pages(wiki)
    assert re.search(r": 0 created, 0 updated, \d+ unchanged, 0 deleted\nJINJA=False", published())
    commit_by_hand(p2p, "NOTES.md", "Not read by p2p.\n")
    assert re.search(r": 0 created, 0 updated, \d+ unchanged, 0 deleted\nJINJA=False", published())
    (wiki / "_Sidebar.md").write_text("edited by hand\n")
    assert re.search(r": 0 created, 1 updated, \d+ unchanged, 0 deleted\nJINJA=True", published())
    assert pages(wiki) == want


def test_jinja_s_version_names_the_render_index_even_when_its_source_cannot_be_read(monkeypatch, tmp_path):
    import importlib.util

    from p2p.render.rendered import salt

    read = salt("github", folders=[])
    assert read == salt("github", folders=[])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # as for a zipped install
    asked = salt("github", folders=[])
    assert len(asked) == 32 and asked != read and asked != salt("gitlab", folders=[])


def test_a_page_s_render_key_is_of_its_values_not_of_how_its_objects_are_shared(tmp_path):
    """A cold read makes a page's data afresh, the next read gets it back from the
    caches: equal values, shared between places differently. The publish after a cold
    one rendered every person's page of the bench's small store again, to the same text."""
    from p2p.render.rendered import Rendered

    known = Rendered(tmp_path, b"salt", "github", "mermaid")
    score = float("3.75")
    shared = {"scores": [score, score], "rows": [{"name": "Ava"}] * 2}
    apart = {"scores": [float("3.75"), float("3.75")], "rows": [{"name": "Ava"}, {"name": "Ava"}]}
    assert known.key("person-ava.md", "person.md.j2", shared) == known.key("person-ava.md", "person.md.j2", apart)
    assert known.key("person-ava.md", "person.md.j2", shared) != known.key(
        "person-ava.md", "person.md.j2", {**apart, "scores": [3.75, 3.5]})
    assert known.key("person-ava.md", "person.md.j2", {"n": 1}) != known.key("person-ava.md", "person.md.j2", {"n": 1.0})


def _index(store: Path) -> dict:
    import pickle

    (index,) = (store / ".git" / "p2p" / "pages").glob("index-*.pickle")
    return pickle.loads(index.read_bytes())


def _age(folder: Path) -> None:
    """Set every page's times an hour back: as if published an hour ago."""
    for page in folder.glob("*.md"):
        then = page.stat().st_mtime_ns - 3600 * 10**9
        os.utime(page, ns=(then, then))


def test_a_page_file_is_known_unchanged_by_its_stat_once_it_is_not_racy(p2p, tmp_path):
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    # Just written: a same-second edit could keep its stat, so only digests are kept.
    assert {stamp for _, stamp in _index(p2p.root).values()} == {None}
    _age(wiki)
    assert re.search(r": 0 created, 0 updated, \d+ unchanged", publish(p2p.root, wiki))
    stamps = {stamp for _, stamp in _index(p2p.root).values()}
    assert None not in stamps and len(stamps) == len(_index(p2p.root))
    page = wiki / "person-ava.md"
    size, mtime_ns, _, inode = next(s for s in stamps if s[3] == page.stat().st_ino)
    assert (size, mtime_ns) == (page.stat().st_size, page.stat().st_mtime_ns)
    assert re.search(r": 0 created, 0 updated, \d+ unchanged", publish(p2p.root, wiki))


def test_a_same_size_edit_that_restores_the_files_times_is_still_rewritten(p2p, tmp_path):
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    _age(wiki)
    publish(p2p.root, wiki)  # now the index holds each page's stat
    page = wiki / "person-ava.md"
    want, before = page.read_text(), page.stat()
    page.write_text(want.replace("Ava", "Eve"))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the change time still tells
    assert page.stat().st_size == before.st_size and page.stat().st_mtime_ns == before.st_mtime_ns
    assert re.search(r": 0 created, 1 updated, \d+ unchanged", publish(p2p.root, wiki))
    assert page.read_text() == want


def test_a_render_index_that_does_not_unpickle_is_only_a_miss(p2p, tmp_path):
    """Like the parse cache and the tallies: a file from another p2p naming a class it
    no longer has (an ImportError, not an UnpicklingError) renders every page."""
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    (index,) = (p2p.root / ".git" / "p2p" / "pages").glob("index-*.pickle")
    index.write_bytes(b"cno_such_module_p2p\nGone\n.")
    want = (wiki / "person-ava.md").read_text()
    assert re.search(r": 0 created, 0 updated, \d+ unchanged", publish(p2p.root, wiki))
    assert (wiki / "person-ava.md").read_text() == want


def test_deleting_the_caches_changes_no_page(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    cache = demo_store / ".git" / "p2p"
    publish(demo_store, tmp_path / "wiki")  # whatever earlier tests left: the caches are full after this
    publish(demo_store, tmp_path / "wiki")  # every page taken from its file
    shutil.rmtree(cache / "jinja")
    shutil.rmtree(cache / "pages")
    publish(demo_store, tmp_path / "cold")
    assert pages(tmp_path / "wiki") == pages(tmp_path / "cold")
    assert pages(tmp_path / "cold") == {p.name: p.read_text() for p in sorted(GOLDEN.glob("*.md"))}


def test_feedback_set_aside_in_several_files_reaches_each_person_and_is_kept_per_file_layout(
        demo_store, tmp_path, monkeypatch):
    """Each challenge's feedback is kept split by the files people's pages are read
    back from (publish._Spill.pack): kept for files of 3 people, it is not used for
    files of 2."""
    from p2p import publish as publishing

    monkeypatch.setenv("P2P_NOW", DEMO_NOW)
    golden = {p.name: p.read_text() for p in sorted(GOLDEN.glob("*.md"))}
    for bucket in (3, 3, 2):
        monkeypatch.setattr(publishing, "BUCKET", bucket)
        shutil.rmtree(tmp_path / "wiki", ignore_errors=True)
        publish(demo_store, tmp_path / "wiki")
        assert pages(tmp_path / "wiki") == golden, bucket


def test_compiled_templates_follow_the_filters_jinja_runs_on_constants(tmp_path, monkeypatch):
    """`{{ "a_b" }}` is escaped when the template is compiled: changing the escaping
    must not serve the page from the old compiled code."""
    from p2p.catalog import builtin_dir
    from p2p.render import env as page_env

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.md.j2").write_text('{{ "a_b" }} {{ "c*d" | md }}')

    def render() -> str:
        return page_env.environment(tmp_path / "t", builtin_dir("templates"), "github", "none",
                                    tmp_path / "cache").get_template("x.md.j2").render()

    assert render() == render() == "a\\_b c\\*d"
    monkeypatch.setattr(page_env, "_finalize", shout)
    monkeypatch.setitem(page_env.__dict__, "escape", shout)
    assert render() == "A_B C*D"


def shout(value: object) -> str:
    return str(value).upper()


def test_compiled_templates_follow_the_target_the_filters_close_over(tmp_path):
    """`page` on a constant is run at compile time, and its link depends on the target."""
    from p2p.catalog import builtin_dir
    from p2p.render import env as page_env

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.md.j2").write_text('{{ "team-red" | page("Red") }}')

    def render(target: str) -> str:
        return page_env.environment(tmp_path / "t", builtin_dir("templates"), target, "none",
                                    tmp_path / "cache").get_template("x.md.j2").render()

    assert render("github") == "[Red](team-red)"
    assert render("mkdocs") == "[Red](team-red.md)"
    assert render("github") == "[Red](team-red)"


def test_an_id_in_two_files_is_read_as_the_first_path_s_whatever_the_caches_listed_first(p2p, tmp_path):
    """Two entry files with one id (a copied file: `p2p check` reports it) are read as
    the first by path, as a read with no caches lists them. A read from the caches
    lists a changed folder's new files last, and took the other."""
    p2p("submit", "pitch", "--link", "https://v.example/eli", as_="eli")
    p2p("rate", "pitch", "eli", *scores(4), as_="ava")
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    (path,) = (p2p.root / "entries" / "pitch" / "eli").glob("*.yaml")
    copy = path.read_text().replace("by: eli", "by: dia").replace("v.example/eli", "v.example/dia")
    commit_by_hand(p2p, f"entries/pitch/dia/{path.name}", copy)  # dia/ comes before eli/
    publish(p2p.root, wiki)
    assert pages(wiki) == fresh(p2p.root, tmp_path)
    board = pages(wiki)["challenge-pitch.md"]
    assert "(person-dia" in board and "(person-eli" not in board


def test_kept_page_facts_are_used_only_while_nothing_they_depend_on_changed(p2p, tmp_path, monkeypatch):
    """What the pages show of each challenge's entries is kept beside its tally: after
    each change the pages equal those of a copy of the store with no caches."""
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    p2p("rate", "pitch", "ava", *scores(4), "--comment", "Sharp opener.", as_="ben")
    p2p("rate", "pitch", "ava", *scores(3), "--comment", "Ask sooner.", as_="mia")
    p2p("rate", "pitch", "ben", *scores(2), "--comment", "Slow start.", as_="ava")
    config = p2p.root / "p2p.yaml"
    wiki = tmp_path / "wiki"

    publish(p2p.root, wiki)
    before = pages(wiki)
    assert "Ask sooner." in before["person-ava.md"] and before == fresh(p2p.root, tmp_path)
    assert list((p2p.root / ".git" / "p2p" / "tallies").rglob("played-*.pickle"))
    steps = [
        ("a rater left the roster", lambda: commit_by_hand(p2p, "people/mia.yaml", None)),
        ("a rater renamed", lambda: commit_by_hand(p2p, "people/ben.yaml", (p2p.root / "people" / "ben.yaml")
                                                   .read_text().replace("name: Ben", "name: Benno"))),
        ("raters named", lambda: commit_by_hand(p2p, "p2p.yaml", config.read_text() + "publish: {anonymous: false}\n")),
        # A person's page is kept by what it is made from (publish._Deferred): who rated
        # them is one of those, by name, and so is each challenge's title.
        ("a named rater renamed", lambda: commit_by_hand(p2p, "people/ava.yaml", (p2p.root / "people" / "ava.yaml")
                                                         .read_text().replace("name: Ava", "name: Avery"))),
        ("a challenge retitled", lambda: commit_by_hand(p2p, "challenges/pitch.yaml", (
            p2p.root / "challenges" / "pitch.yaml").read_text().replace("title: ", "title: Retitled "))),
        # A challenge's page is kept by its board and what else it shows: here only
        # how many people may enter changes.
        ("someone joined", lambda: p2p("people", "add", "zoe", "--name", "Zoe", "--email", "zoe@example.com",
                                       "--role", "ae", "--team", "east")),
        ("a comment added", lambda: p2p("rate", "pitch", "ava", *scores(5), "--comment", "Best yet.", as_="cal")),
        ("past the review", lambda: monkeypatch.setenv("P2P_NOW", "2026-12-20T12:00:00Z")),
    ]
    for step, change in steps:
        change()
        publish(p2p.root, wiki)
        after = pages(wiki)
        assert after != before and after == fresh(p2p.root, tmp_path), step
        before = after
    assert "Best yet." in after["person-ava.md"] and "Ask sooner." not in after["person-ava.md"]
    assert "| Avery | Slow start. |" in after["person-ben.md"] and "Retitled " in after["person-ben.md"]


def test_a_template_that_fails_half_way_changes_no_page(p2p, tmp_path):
    wiki = tmp_path / "wiki"
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    publish(p2p.root, wiki)
    want = {p.name: p.read_bytes() for p in wiki.iterdir()}
    p2p("rate", "pitch", "ava", *scores(4), "--comment", "Sharp opener.", as_="ben")  # ava's page changes
    templates = p2p.root / "templates"
    templates.mkdir()
    (templates / "team.md.j2").write_text("{{ site.no_such_field.boom }}\n")  # team pages come after people's
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "publish", str(wiki)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in wiki.iterdir()} == want  # no staging folder left either
    (wiki / ".p2p-staging-killed").mkdir()  # as a publish killed half-way leaves it
    (wiki / ".p2p-staging-killed" / "person-ava.md").write_text("stale\n")
    (templates / "team.md.j2").unlink()
    publish(p2p.root, wiki)
    assert not list(wiki.glob(".p2p-staging-*")) and "Sharp opener." in (wiki / "person-ava.md").read_text()


def test_an_entry_in_a_folder_of_no_challenge_dates_the_pages_as_a_full_read_does(p2p, tmp_path):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    publish(p2p.root, tmp_path / "a")
    entry = next((p2p.root / "entries" / "pitch" / "ava").glob("*.yaml")).read_text()
    ghost = entry.replace("challenge: pitch", "challenge: ghost").replace("at: '2026-", "at: '2027-")
    name = next(line.split(": ")[1] for line in ghost.splitlines() if line.startswith("id: "))
    commit_by_hand(p2p, f"entries/ghost/ava/{name}.yaml", ghost)
    publish(p2p.root, tmp_path / "b")
    home = (tmp_path / "b" / "Home.md").read_text()
    assert "2027-" in home and "2027-" not in (tmp_path / "a" / "Home.md").read_text()



def month_long(p2p, *slugs: str) -> None:
    """Pitch battles open all November, for entries weeks apart."""
    for slug in slugs:
        p2p("challenge", "new", slug, "--type", "pitch-battle", "--title", slug.title(), "--opens", "2026-11-01",
            "--closes", "2026-11-30", "--review-closes", "2026-12-05")


def dated(p2p, monkeypatch):
    """on(day, *args, as_=person): the p2p command, run at noon on that day of November."""
    def on(day: str, *args: str, as_: str) -> None:
        monkeypatch.setenv("P2P_NOW", f"2026-11-{day}T12:00:00Z")
        p2p(*args, as_=as_)

    return on


def test_week_ago_standings_are_kept_until_the_cutoff_passes_one_of_the_challenges_entries(p2p, tmp_path, monkeypatch):
    """The movement on Home compares with the standings a week before the newest entry.
    A challenge's replay as of then is kept and used again while the cutoff moves
    past none of its entries; once it passes one, it is played again."""
    month_long(p2p, "long", "other")
    on = dated(p2p, monkeypatch)
    on("02", "submit", "long", "--link", "https://v.example/ava", as_="ava")
    for rater in ("cal", "dia"):
        on("05", "rate", "long", "ava", *scores(4), as_=rater)
    on("12", "submit", "long", "--link", "https://v.example/ben", as_="ben")  # points for ben
    on("16", "rate", "long", "ava", *scores(3), as_="mia")  # its last entry
    wiki = tmp_path / "wiki"

    def stamps() -> dict[str, int]:
        kept = (p2p.root / ".git" / "p2p" / "tallies").glob("*/long/grown-*.pickle")
        return {p.name: p.stat().st_mtime_ns for p in kept}

    on("17", "submit", "other", "--link", "https://v.example/cal", as_="cal")  # a week back from here: Nov 10
    publish(p2p.root, wiki)
    assert pages(wiki) == fresh(p2p.root, tmp_path)
    on("18", "submit", "other", "--link", "https://v.example/dia", as_="dia")  # Nov 11
    publish(p2p.root, wiki)
    assert pages(wiki) == fresh(p2p.root, tmp_path)
    before = stamps()
    on("19", "submit", "other", "--link", "https://v.example/eli", as_="eli")  # Nov 12 at noon: past no entry of long
    publish(p2p.root, wiki)
    assert pages(wiki) == fresh(p2p.root, tmp_path) and stamps() == before
    on("20", "submit", "other", "--link", "https://v.example/ava", as_="ava")  # Nov 13: past ben's Nov 12 entry
    publish(p2p.root, wiki)
    home = pages(wiki)["Home.md"]
    assert pages(wiki) == fresh(p2p.root, tmp_path) and stamps() != before
    assert "[Ben](person-ben) | ▼" in home  # he had his entry in long a week before, not "new"


def test_a_challenge_s_week_ago_replay_outlives_entries_after_the_cutoff_but_not_one_before_it_or_an_edit(
        p2p, tmp_path, monkeypatch):
    """A new entry comes after the cutoff a week before the newest one, so the replay
    of its challenge as it stood then is used again (a big challenge's takes ~0.4 s).
    An entry dated before the cutoff, or one edited by hand, makes it played again."""
    from p2p import publish as publishing

    month_long(p2p, "long")
    on = dated(p2p, monkeypatch)
    on("02", "submit", "long", "--link", "https://v.example/ava", as_="ava")
    on("03", "submit", "long", "--link", "https://v.example/ben", as_="ben")
    for rater in ("cal", "dia", "eli"):
        on("04", "rate", "long", "ava", *scores(4), as_=rater)
        on("04", "rate", "long", "ben", *scores(3), as_=rater)
    on("12", "rate", "long", "ben", *scores(5), as_="mia")  # the newest: the cutoff is Nov 5 at noon
    replays = []
    real = publishing._Before.of.__func__
    monkeypatch.setattr(publishing._Before, "of", classmethod(lambda cls, *args: replays.append(1) or real(cls, *args)))
    wiki = tmp_path / "wiki"

    def published() -> int:
        """How many replays a publish made; its pages must be those of a copy with no caches."""
        replays.clear()
        publish(p2p.root, wiki)
        made = len(replays)
        assert pages(wiki) == fresh(p2p.root, tmp_path)
        return made

    assert published() == 1
    on("12", "rate", "long", "ava", *scores(2), as_="mia")  # after the cutoff, which stays where it was
    assert published() == 0
    on("04", "rate", "long", "ava", *scores(1), as_="mia")  # again, dated Nov 4: before the cutoff
    assert published() == 1
    assert published() == 0  # nothing new
    (path,) = [f for f in (p2p.root / "entries" / "long" / "cal").glob("*.yaml") if "person: ava" in f.read_text()]
    # Edited by hand to come after the cutoff: the replay must leave it out, though the
    # file reads like a new entry after the cutoff (its id gives it away).
    commit_by_hand(p2p, str(path.relative_to(p2p.root)), path.read_text().replace("2026-11-04T", "2026-11-10T"))
    assert published() == 1


def test_a_publish_with_nothing_new_reads_no_entries_folder(p2p, tmp_path, monkeypatch):
    """After a new entry, publish replays the newest challenge as it stood a week
    before from the entries it has read anyway, and keeps that replay: the next
    publish, with nothing new, reads no challenge's entries again."""
    from p2p.store import loader

    month_long(p2p, "long")
    on = dated(p2p, monkeypatch)
    on("02", "submit", "long", "--link", "https://v.example/ava", as_="ava")
    on("12", "submit", "long", "--link", "https://v.example/ben", as_="ben")  # over a week after the first
    wiki = tmp_path / "wiki"
    publish(p2p.root, wiki)
    on("13", "rate", "long", "ava", *scores(4), as_="cal")  # the newest entry, in the same challenge
    publish(p2p.root, wiki)
    read = []
    real = loader._folder_entries
    monkeypatch.setattr(loader, "_folder_entries", lambda *args, **kw: read.append(args[2]) or real(*args, **kw))
    assert "0 created, 0 updated" in publish(p2p.root, wiki)
    assert read == [] and pages(wiki) == fresh(p2p.root, tmp_path)
