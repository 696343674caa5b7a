"""The store itself: init/adopt, the YAML reader's safety limits, and writes that
leave nothing behind when git refuses them."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from conftest import P2P, git, questions, scores, store_state
from p2p import schema
from p2p.cli import cli
from p2p.store import yamlio


def run(*args, expect=0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == expect, result.output
    assert "Traceback" not in result.output
    return result


def test_init_creates_the_layout_in_one_commit_and_a_second_run_changes_nothing(tmp_path):
    root = tmp_path / "s"
    assert "created" in run("init", str(root)).stdout
    assert sorted(git(root, "ls-files").splitlines()) == sorted([
        "challenges/.gitkeep", "entries/.gitkeep", "p2p.yaml", "people/.gitkeep",
        *(f".p2p/schemas/{name}" for name in schema.shipped())])  # for editors: see tests/test_schema.py
    assert git(root, "log", "--format=%an <%ae>|%s") == "Sales Ops <ops@example.com>|p2p: init store"
    before = store_state(root)
    assert "already a store" in run("init", str(root)).stdout
    assert store_state(root) == before


def test_init_adopts_an_existing_repository_keeping_its_history_and_staged_files(tmp_path):
    root = tmp_path / "existing"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("team wiki\n")
    git(root, "add", "README.md")
    git(root, "commit", "-qm", "first")
    (root / "staged.txt").write_text("x\n")
    git(root, "add", "staged.txt")
    run("--store", str(root), "init")
    assert git(root, "log", "--format=%s").splitlines() == ["p2p: init store", "first"]
    assert git(root, "status", "--porcelain") == "A  staged.txt"


def test_init_makes_a_new_folder_its_own_repository_but_refuses_a_used_folder_of_another(tmp_path):
    git(tmp_path, "init", "-q")
    run("init", str(tmp_path / "fresh"))
    assert git(tmp_path / "fresh", "rev-parse", "--show-toplevel") == str((tmp_path / "fresh").resolve())
    used = tmp_path / "docs"
    used.mkdir()
    (used / "notes.md").write_text("x\n")
    result = run("init", str(used), expect=1)
    assert "inside the git repository" in result.stderr
    assert not (used / "p2p.yaml").exists()


def test_without_any_git_identity_init_says_how_to_set_one(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no .gitconfig
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    result = run("init", str(tmp_path / "s"), expect=1)
    assert "git config user.name" in result.stderr


def test_commands_outside_a_store_say_how_to_create_one(tmp_path):
    result = run("--store", str(tmp_path), "people", "list", expect=1)
    assert "p2p init" in result.stderr


def test_a_write_git_refuses_leaves_no_file_and_no_commit(p2p):
    lock = p2p.root / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text("")  # a stale lock left by a killed git
    before = store_state(p2p.root)
    result = p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava", expect=1)
    assert "git could not update refs/heads/main" in result.stderr and "p2p doctor" in result.stderr
    assert store_state(p2p.root) == before


def test_writes_on_a_detached_head_are_refused(p2p):
    git(p2p.root, "checkout", "-q", "--detach")
    p2p.refused("submit", "pitch", "--link", "https://v.example/a", as_="ava", match="detached")


def test_entries_are_written_without_temp_files_left_behind(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    p2p("rate", "pitch", "ava", *scores(4), as_="ben")
    leftovers = [p for p in p2p.root.rglob("*.tmp")] + [p for p in p2p.root.rglob(".*.yaml.*")]
    assert leftovers == []


@pytest.mark.parametrize("data, match", [
    (b"a: 1\na: 2\n", "duplicate key 'a' (first on line 1)"),
    (b"!!python/object/apply:os.system ['echo hacked']\n", "invalid YAML"),
    (b"a: [1,\n", "invalid YAML"),
    (b"a: 1\n---\nb: 2\n", "invalid YAML"),
    (b"\xff\xfe", "not UTF-8"),
    (b"x: " + b"y" * (yamlio.MAX_FILE_BYTES + 1), "over the"),
])
def test_the_reader_refuses_unsafe_duplicate_oversized_and_broken_documents(data, match):
    with pytest.raises(yamlio.YamlError, match=match.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        yamlio.loads(data)


def test_the_reader_reports_the_line_of_a_problem():
    with pytest.raises(yamlio.YamlError) as err:
        yamlio.loads(b"a: 1\nb: 2\nb: 3\n")
    assert err.value.line == 3
    assert yamlio.line_of(b"a: 1\nscores:\n  x: 1\n  y: 9\n", "scores.y") == 4


def test_canonical_writing_quotes_strings_yaml_would_misread():
    doc = {"name": "no", "code": "0123", "time": "1:10", "day": "2026-11-22"}
    assert yamlio.loads(yamlio.dumps(doc)) == doc
    assert yamlio.loads(b"\xef\xbb\xbfa: 1\r\n") == {"a": 1}  # BOM and CRLF are fine


def test_init_keeps_a_p2p_yaml_the_user_wrote_first_and_refuses_an_invalid_one(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    git(root, "init", "-q")
    (root / "p2p.yaml").write_text("schema: 1\nname: West team\ntimezone: Europe/Berlin\n")
    run("init", str(root))
    assert git(root, "show", "HEAD:p2p.yaml") == "schema: 1\nname: West team\ntimezone: Europe/Berlin"
    other = tmp_path / "t"
    other.mkdir()
    git(other, "init", "-q")
    (other / "p2p.yaml").write_text("timezone: Mars/Olympus\n")
    assert "not an IANA time zone" in run("init", str(other), expect=1).stderr


def test_plumbing_commits_keep_every_sibling_and_the_repository_stays_valid(p2p):
    for rep in ("ava", "ben", "cal"):
        p2p("submit", "pitch", "--link", f"https://v.example/{rep}", as_=rep)
    p2p("rate", "pitch", "ava", *scores(4), as_="ben")
    p2p("people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae", "--team", "east",
        "--update")
    tracked = git(p2p.root, "ls-files").splitlines()
    assert len([t for t in tracked if t.startswith("entries/pitch/")]) == 4
    assert len([t for t in tracked if t.startswith("people/")]) == 7  # six people and .gitkeep
    assert git(p2p.root, "status", "--porcelain") == ""
    git(p2p.root, "fsck", "--strict", "--no-progress")
    assert git(p2p.root, "diff", "HEAD~1", "--name-only") == "people/ava.yaml"


def test_two_clones_writing_at_the_same_instant_draw_different_entry_ids(p2p, tmp_path):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    other = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(p2p.root), str(other))
    ids = []
    for root, rater in ((p2p.root, "ben"), (other, "cal")):
        out = CliRunner().invoke(cli, ["--store", str(root), "--as", rater, "--no-sync", "rate", "pitch", "ava",
                                       *scores(4), "--format", "json"])
        assert out.exit_code == 0, out.output
        ids.append(out.stdout.split('"id": "')[1][:26])
    assert ids[0] != ids[1]


def test_a_re_rating_from_a_machine_whose_clock_is_behind_still_replaces_the_old_one(p2p, monkeypatch):
    import json

    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    for rater, value in (("ben", 1), ("cal", 5), ("dia", 2)):
        p2p("rate", "pitch", "ava", *scores(value), as_=rater)
    monkeypatch.setenv("P2P_NOW", "2026-11-10T11:00:00Z")  # an hour behind the first rating
    p2p("rate", "pitch", "ava", *scores(4), as_="dia")
    row = json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"][0]
    assert row["score"] == 4.0  # median of 1, 5 and dia's latest 4 (her first 2 would give 2.0)


def test_a_stale_index_lock_is_reported_before_anything_is_written(p2p):
    (p2p.root / ".git" / "index.lock").write_text("")
    p2p.refused("submit", "pitch", "--link", "https://v.example/a", as_="ava", match="index.lock")


def test_a_p2p_yaml_below_the_top_of_another_repository_is_not_a_store(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p2p.yaml").write_text("schema: 1\n")
    result = run("--store", str(tmp_path / "sub"), "people", "list", expect=1)
    assert "not the top level of a git repository" in result.stderr


def test_set_up_commands_never_overwrite_uncommitted_edits_of_the_same_file(p2p):
    path = p2p.root / "challenges" / "pitch.yaml"
    path.write_text(path.read_text().replace("title: Pitch", "title: My draft"))
    p2p.refused("challenge", "close", "pitch", match="challenges/pitch.yaml has changes that are not committed")
    assert "My draft" in path.read_text()


def test_writes_refuse_to_follow_a_symbolic_link_out_of_the_store(p2p, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (p2p.root / "entries" / "pitch").symlink_to(outside)
    p2p.refused("submit", "pitch", "--link", "https://v.example/a", as_="ava", match="symbolic link")
    assert list(outside.iterdir()) == []


def test_files_with_non_utf8_names_elsewhere_in_the_repository_do_not_break_writes(p2p):
    import os

    name = os.fsencode(str(p2p.root)) + b"/caf\xe9.txt"
    with open(name, "wb") as handle:
        handle.write(b"x\n")
    subprocess.run([b"git", b"-C", os.fsencode(str(p2p.root)), b"add", b"caf\xe9.txt"], check=True)
    subprocess.run(["git", "-C", str(p2p.root), "commit", "-qm", "odd name"], check=True)
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    assert git(p2p.root, "status", "--porcelain") == ""


def test_store_files_get_ordinary_permissions(p2p):
    import os
    import stat

    mask = os.umask(0o022)
    os.umask(mask)
    mode = stat.S_IMODE((p2p.root / "people" / "ava.yaml").stat().st_mode)
    assert mode == 0o666 & ~mask


def traced_git(monkeypatch, tmp_path):
    """GIT_TRACE for the git processes p2p runs in this process: a function giving the
    commands traced so far (git traces to a file: p2p captures its stderr)."""
    trace = tmp_path / "git-trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    return lambda: [line.split("trace: built-in: git ", 1)[1] for line in trace.read_text().splitlines()
                    if "trace: built-in: git " in line]


@pytest.mark.parametrize("writer", ["p2p", "git"])
def test_one_commit_touching_folders_at_several_depths_builds_the_trees_git_would(p2p, monkeypatch, tmp_path, writer):
    from p2p.store.repo import Identity
    from p2p.store.store import Store

    if writer == "git":  # where p2p leaves writing objects to git (p2p.store.objects)
        git(p2p.root, "config", "core.sharedRepository", "group")

    files = {"p2p.yaml": (p2p.root / "p2p.yaml").read_bytes() + b"# edited\n", "people/zoe.yaml": b"id: zoe\n",
             "entries/pitch/ava/01ZZZZZZZZZZZZZZZZZZZZZZZA.yaml": b"a: 1\n",
             "entries/pitch/ben/01ZZZZZZZZZZZZZZZZZZZZZZZB.yaml": b"b: 1\n", "entries/new/x/y/deep.yaml": b"d: 1\n"}
    before = git(p2p.root, "ls-tree", "-r", "HEAD").splitlines()
    commands = traced_git(monkeypatch, tmp_path)
    Store(p2p.root).write(files, "several folders", Identity("A", "a@example.com"), Identity("A", "a@example.com"),
                          guard=False)
    # Nine trees: one git process, or none.
    assert len([c for c in commands() if c.startswith("mktree")]) == (writer == "git")
    assert sorted(git(p2p.root, "diff", "--name-only", "HEAD~1", "HEAD").splitlines()) == sorted(files)
    for path, data in files.items():
        assert git(p2p.root, "cat-file", "blob", f"HEAD:{path}") == data.decode().strip()
    after = git(p2p.root, "ls-tree", "-r", "HEAD").splitlines()
    assert [line for line in before if line.split("\t")[1] not in files] == [
        line for line in after if line.split("\t")[1] not in files]  # every sibling kept
    # The trees are the ones git builds itself from the index (the staged files).
    assert git(p2p.root, "write-tree") == git(p2p.root, "rev-parse", "HEAD^{tree}")
    assert git(p2p.root, "status", "--porcelain") == ""
    git(p2p.root, "fsck", "--strict", "--no-progress")


def test_git_writes_the_same_trees_where_p2p_leaves_writing_to_it(p2p):
    from p2p.errors import StoreError
    from p2p.store.repo import Git

    head = git(p2p.root, "rev-parse", "HEAD^{tree}")
    blob = git(p2p.root, "rev-parse", "HEAD:p2p.yaml")
    paths = {"entries/pitch/ava/x.yaml": blob, "entries/pitch/zed/y.yaml": blob, "people/new.yaml": blob}
    by_p2p = Git(p2p.root).tree_with(head, paths)
    git(p2p.root, "config", "core.sharedRepository", "group")  # git writes the trees (p2p.store.objects)
    repo = Git(p2p.root)
    assert repo._loose is None
    with pytest.raises(StoreError, match=r"'x{40}' \(for x.yaml\) is not a git object id"):
        repo.tree_with(head, {"entries/pitch/ava/x.yaml": "x" * 40})
    assert repo.tree_with(head, paths) == by_p2p
    assert git(p2p.root, "rev-parse", f"{by_p2p}:entries/pitch/zed/y.yaml") == blob
    git(p2p.root, "fsck", "--strict", "--no-progress")


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
@pytest.mark.parametrize("writer", ["p2p", "git"])
def test_a_tree_takes_the_repository_s_id_length_and_refuses_an_id_of_another(tmp_path, object_format, writer):
    from p2p.errors import StoreError
    from p2p.store.repo import Git

    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", f"--object-format={object_format}", str(root))
    if writer == "git":
        git(root, "config", "core.sharedRepository", "group")
    (root / "x.yaml").write_text("x: 1\n")
    blob = git(root, "hash-object", "-w", "x.yaml")
    repo = Git(root)
    first = repo.tree_with(None, {"a/x.yaml": blob})  # no tree yet to take the length from
    assert git(root, "rev-parse", f"{first}:a/x.yaml") == blob
    other = "ab" * (32 if object_format == "sha1" else 20)
    for tree in (None, first):
        with pytest.raises(StoreError, match=rf"a \(tree .*\): .*'{other}' \(for x.yaml\) is not a git object id"):
            repo.tree_with(tree, {"a/x.yaml": other})
    assert repo.tree_with(first, {}) == first  # nothing to change (an empty commit replayed)
    git(root, "fsck", "--strict", "--no-progress")


def test_a_submit_stages_its_entry_as_committed_and_keeps_what_the_user_staged(p2p):
    (p2p.root / "notes.txt").write_text("mine\n")
    git(p2p.root, "add", "notes.txt")
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    assert git(p2p.root, "status", "--porcelain") == "A  notes.txt"
    path = git(p2p.root, "diff", "--name-only", "HEAD~1", "HEAD")
    mode, _, oid = git(p2p.root, "ls-tree", "HEAD", "--", path).split("\t")[0].split(" ")
    assert git(p2p.root, "ls-files", "--stage", "--", path) == f"{mode} {oid} 0\t{path}"


def test_a_linked_worktree_writes_on_its_own_branch(p2p, tmp_path):
    tree = tmp_path / "review"
    git(p2p.root, "worktree", "add", "-q", "-b", "q4/pitch.review", str(tree))
    main = git(p2p.root, "rev-parse", "main")
    P2P(tree)("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    assert git(p2p.root, "rev-parse", "main") == main == git(tree, "rev-parse", "HEAD~1")
    assert git(tree, "log", "-1", "--format=%s") == "p2p: submission pitch by ava"
    assert git(tree, "status", "--porcelain") == "" and git(p2p.root, "status", "--porcelain") == ""


def test_a_linked_worktree_on_a_detached_head_is_refused(p2p, tmp_path):
    tree = tmp_path / "detached"
    git(p2p.root, "worktree", "add", "-q", "--detach", str(tree))
    P2P(tree).refused("submit", "pitch", "--link", "https://v.example/a", as_="ava", match="detached")


@pytest.mark.parametrize("setup", ["plain", "packed", "unborn", "alias", "worktree"])
def test_the_branch_written_to_is_the_one_git_names(p2p, tmp_path, setup):
    from p2p.store.repo import Git

    root = p2p.root
    if setup == "packed":
        git(root, "pack-refs", "--all")
    elif setup == "unborn":
        git(root, "symbolic-ref", "HEAD", "refs/heads/fresh")
    elif setup == "alias":  # master kept as another name of main: git names main
        git(root, "symbolic-ref", "refs/heads/master", "refs/heads/main")
        git(root, "symbolic-ref", "HEAD", "refs/heads/master")
    elif setup == "worktree":
        root = tmp_path / "linked"
        git(p2p.root, "worktree", "add", "-q", "-b", "linked", str(root))
    assert Git(root).head_ref() == git(root, "symbolic-ref", "HEAD")


def test_a_commit_resolved_once_is_not_asked_again_but_head_always_is(p2p, monkeypatch, tmp_path):
    from p2p.store.repo import Git

    repo = Git(p2p.root)
    first = repo.resolve("HEAD")
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")  # moves HEAD
    head = git(p2p.root, "rev-parse", "HEAD")
    asked = questions(monkeypatch)
    assert repo.resolve("HEAD") == head != first
    assert repo.resolve(first) == first and repo.resolve("main") == repo.resolve("HEAD") == head
    # HEAD twice and main, of the git already running: only a commit id is known without git
    assert asked == ["HEAD^{commit}", "main^{commit}", "HEAD^{commit}"]


def test_the_newest_entry_id_at_a_commit_just_read_needs_no_lookup(p2p, monkeypatch, tmp_path):
    from p2p.store.store import Store

    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    p2p("submit", "pitch", "--link", "https://v.example/b", as_="ben")
    newest = max(path.rsplit("/", 1)[1][:-5] for path in git(p2p.root, "ls-files", "entries/pitch").split())
    store = Store(p2p.root)
    commit = store.load(challenges=["pitch"]).commit  # lists every challenge's folder at that commit
    asked = questions(monkeypatch)
    assert store.newest_entry_id("pitch", commit) == newest == Store(p2p.root).newest_entry_id("pitch")
    assert asked == ["HEAD:entries/pitch"]  # by the second store only, at HEAD (which can move)
    assert store.newest_entry_id("nope", commit) is None  # not in that listing: git says there is none


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_diff_read_tree_by_tree_is_git_s_diff_tree(tmp_path, monkeypatch, object_format):
    """Git.diff_trees reads a small diff's trees itself: for every kind of change it
    must list what `git diff-tree -r` lists (the path and the new blob, None when gone
    or a submodule), whatever side of a file-to-folder swap a path is on."""
    from p2p.store import repo

    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", f"--object-format={object_format}", str(root)], check=True)
    files = {"same.yaml": "a", "edited.yaml": "old", "gone.yaml": "x", "old-folder/a.yaml": "1",
             "old-folder/deep/b.yaml": "2", "becomes-folder": "file", "becomes-file/c.yaml": "3",
             "mode.sh": "#!/bin/sh", "keep/inner/same.yaml": "s", "keep/inner/edited.yaml": "e"}
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "before")
    before = git(root, "rev-parse", "HEAD^{tree}")
    for path in ("gone.yaml", "old-folder/a.yaml", "old-folder/deep/b.yaml", "becomes-folder", "becomes-file/c.yaml"):
        git(root, "rm", "-q", path)
    news = {"edited.yaml": "new", "new-folder/x/y.yaml": "n", "becomes-folder/d.yaml": "4", "becomes-file": "file",
            "keep/inner/edited.yaml": "E", "keep/inner/added.yaml": "+"}
    for path, text in news.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "update-index", "--chmod=+x", "mode.sh")
    commit = git(root, "rev-parse", "HEAD")  # any commit id: a submodule's entry only names it
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{commit},sub")
    git(root, "commit", "-qm", "after")
    after = git(root, "rev-parse", "HEAD^{tree}")

    read = repo.Git(root).diff_trees(before, after)
    monkeypatch.setattr(repo, "_DIFF_READS", 0)  # every diff to git diff-tree
    assert read == repo.Git(root).diff_trees(before, after)
    assert {path for path, _ in read} == {"edited.yaml", "gone.yaml", "old-folder/a.yaml", "old-folder/deep/b.yaml",
                                          "becomes-folder", "becomes-folder/d.yaml", "becomes-file/c.yaml", "becomes-file",
                                          "mode.sh", "keep/inner/edited.yaml", "keep/inner/added.yaml",
                                          "new-folder/x/y.yaml", "sub"}
    assert dict(read)["sub"] is None and dict(read)["gone.yaml"] is None
    assert dict(read)["edited.yaml"] == git(root, "rev-parse", "HEAD:edited.yaml")
    assert repo.Git(root).diff_trees(after, after) == []


def test_history_is_read_right_across_bulk_commits_merges_and_every_kind_of_change(tmp_path):
    """Git.commits parses git's stream as it comes: a bulk commit's record spans many
    reads, a merge has no changes, and a commit's changes read the same both ways."""
    from p2p.store.repo import Git

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    names = [f"entries/c{n % 7}/r{n:05d}/{'x' * 60}.yaml" for n in range(3000)]  # ~400 KB of raw record
    for n, name in enumerate(names):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"n: {n}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bulk")
    git(root, "checkout", "-q", "-b", "side")
    (root / names[0]).write_text("changed\n")
    git(root, "commit", "-q", "-am", "modify")
    git(root, "checkout", "-q", "-")
    (root / names[1]).unlink()
    git(root, "commit", "-q", "-am", "delete")
    git(root, "merge", "-q", "--no-ff", "-m", "merge", "side")

    history = list(Git(root).commits(["HEAD"], []))

    assert [c.id for c in history] == git(root, "log", "--format=%H").split()
    merge, delete, modify, bulk = sorted(history, key=lambda c: ["merge", "delete", "modify", "bulk"].index(
        git(root, "log", "-1", "--format=%s", c.id)))
    assert list(merge.changes) == [] and list(reversed(merge.changes)) == []
    assert [(c.status, c.path) for c in delete.changes] == [("D", names[1])]
    assert [c.blob for c in delete.changes] == [git(root, "rev-parse", f"{bulk.id}:{names[1]}")]
    assert [(c.status, c.path) for c in modify.changes] == [("M", names[0])]
    assert [c.blob for c in modify.changes] == [git(root, "rev-parse", f"{modify.id}:{names[0]}")]
    listed = git(root, "diff-tree", "-r", "--root", "--no-commit-id", "--format=", bulk.id).splitlines()
    assert len(list(bulk.changes)) == 3000
    assert [(c.status, c.path, c.blob) for c in bulk.changes] == [
        (line.split()[4], line.split("\t")[1], line.split()[3]) for line in listed]
    assert list(reversed(bulk.changes)) == list(bulk.changes)[::-1]
    assert bulk.author.email == git(root, "log", "-1", "--format=%ae", bulk.id)
