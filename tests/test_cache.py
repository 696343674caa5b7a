"""The parse cache under .git/p2p/cache: keyed by git object ids, so an unchanged
challenge is neither listed nor read again; disposable; survives damage."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import git, is_object_id, scores
from conftest import traced_run as traced


def reads(commands):
    """The objects read by id: blobs streamed through a git of their own, and blobs
    or trees asked of the running one (a path or a revision is not a read by id)."""
    return [c for c in commands if c.startswith("cat-file --batch --buffer")
            or (c.startswith("ask ") and is_object_id(c[4:]))]


def seeded(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    for rater in ("cal", "dia", "eli"):
        p2p("rate", "pitch", "ava", *scores(4), as_=rater)
    return p2p


def test_a_warm_read_lists_and_reads_nothing_it_has_seen(p2p):
    seeded(p2p)
    shutil.rmtree(p2p.root / ".git" / "p2p" / "cache")  # the writes above read the store and filled it
    cold, cold_git = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    warm, warm_git = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    assert warm == cold
    assert reads(cold_git)
    assert not reads(warm_git) and not any(c.startswith("ls-tree -r") for c in warm_git), warm_git


def test_after_one_new_entry_only_that_challenge_is_listed_and_only_the_new_blob_parsed(p2p):
    seeded(p2p)
    traced(p2p.root, "leaderboard", "pitch", "--reviewers")
    add_by_hand(p2p)  # with git, so no p2p process has read the new tree yet
    out, commands = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    # The changed folder is diffed against its cached tree, not listed; people/ and
    # challenges/ are cached whole.
    assert not [c for c in commands if c.startswith("ls-tree -r")], commands
    # The root's listing and one diff's two trees, read through the running git: no diff-tree process.
    trees = [c for c in commands if c.startswith("ask ") and c.endswith("^{tree}")]
    assert len(trees) == 3 and not [c for c in commands if c.startswith("diff-tree")], commands
    shutil.rmtree(p2p.root / ".git" / "p2p" / "cache")
    assert traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")[0] == out


def test_a_changed_folder_is_cached_as_a_small_delta_that_reads_back_the_same(p2p):
    seeded(p2p)
    for n in range(30):  # a folder big enough that one more file is a small part of it
        p2p("submit", "pitch", "--link", f"https://v.example/{n}", as_=("ava", "ben")[n % 2])
    cache = p2p.root / ".git" / "p2p" / "cache"
    shutil.rmtree(cache)
    traced(p2p.root, "leaderboard", "pitch", "--reviewers")
    full = max(path.stat().st_size for path in cache.rglob("*.pickle"))
    add_by_hand(p2p)
    tree = git(p2p.root, "rev-parse", "HEAD:entries/pitch")
    warm, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    delta = next(cache.rglob(f"{tree}.pickle")).stat().st_size
    assert delta < full / 4, (delta, full)
    again, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")  # read through the delta
    shutil.rmtree(cache)
    cold, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    assert warm == again == cold


def add_by_hand(p2p):
    folder = p2p.root / "entries" / "pitch" / "cal"
    rating = next(folder.glob("*.yaml"))
    new = folder / "01ZZZZZZZZZZZZZZZZZZZZZZZZ.yaml"
    new.write_text(rating.read_text().replace(rating.stem, new.stem))
    git(p2p.root, "add", str(new))
    git(p2p.root, "commit", "-qm", "a rating committed with git")


def test_the_cache_is_disposable_and_a_damaged_file_is_a_miss(p2p):
    seeded(p2p)
    first, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    cache = p2p.root / ".git" / "p2p" / "cache"
    for path in cache.rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    damaged, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    shutil.rmtree(cache)
    rebuilt, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    assert first == damaged == rebuilt


def test_reads_at_an_older_revision_use_the_same_cache_and_match(p2p):
    seeded(p2p)
    old = git(p2p.root, "rev-parse", "HEAD~1")
    add_by_hand(p2p)
    before, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--at", old, "--format", "json")
    again, commands = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--at", old, "--format", "json")
    assert before == again and not reads(commands), commands


def test_a_broken_entry_stays_reported_from_the_cache(p2p):
    seeded(p2p)
    bad = p2p.root / "entries" / "pitch" / "ava" / "01ZZZZZZZZZZZZZZZZZZZZZZZY.yaml"
    bad.write_text("v: 1\nid: [unclosed\n")
    git(p2p.root, "add", str(bad))
    git(p2p.root, "commit", "-qm", "hand edit")
    for _ in range(2):  # cold, then from the cache
        proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "check", "--at", "HEAD"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and "01ZZZZZZZZZZZZZZZZZZZZZZZY.yaml" in proc.stdout, proc.stdout + proc.stderr


def test_a_write_parses_only_the_actor_s_and_target_s_folders(p2p):
    seeded(p2p)
    shutil.rmtree(p2p.root / ".git" / "p2p" / "cache")
    env = {**os.environ, "P2P_SYNC": "0"}
    trace = p2p.root.parent / "write-trace.log"
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "--as", "eli", "rate", "pitch", "ben",
                           *scores(3)], env={**env, "GIT_TRACE": str(trace)}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    listed = [line.split(" -- ", 1)[1] for line in trace.read_text().splitlines()
              if "built-in: git ls-tree -r -z" in line and "entries/" in line]
    assert listed[0] == "entries/pitch/ben entries/pitch/eli", listed  # read to parse: not ava's, cal's, dia's


def test_a_clone_with_a_big_index_switches_to_a_split_index_once(p2p, monkeypatch):
    from p2p.store import repo

    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    trace = p2p.root.parent / "trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert git(p2p.root, "config", "core.splitIndex") == "true"
    assert (p2p.root / ".git" / "index").read_bytes()[4:8] == (4).to_bytes(4, "big")  # index format 4
    assert list((p2p.root / ".git").glob("sharedindex.*")) and git(p2p.root, "status", "--porcelain") == ""
    # Rewritten by p2p.store.gitindex, a chunk at a time, not by git holding it whole.
    assert "--index-version" not in trace.read_text()


def test_a_write_in_a_split_index_stages_without_git_reading_the_shared_index(p2p, monkeypatch):
    """`git update-index` reads the whole shared index (91 MB at a million files); p2p
    stages in the small split part itself, and the user's staged work stays staged."""
    from p2p.store import repo

    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")  # splits the index
    shared = sorted((p2p.root / ".git").glob("sharedindex.*"))
    (p2p.root / "notes.txt").write_text("mine\n")
    git(p2p.root, "add", "notes.txt")
    trace = p2p.root.parent / "trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    p2p("rate", "pitch", "ava", *scores(4), as_="cal")

    assert "update-index" not in trace.read_text()
    assert sorted((p2p.root / ".git").glob("sharedindex.*")) == shared
    assert git(p2p.root, "status", "--porcelain") == "A  notes.txt"
    committed = git(p2p.root, "diff", "--name-only", "HEAD~2", "HEAD").splitlines()
    assert len(committed) == 2 and set(committed) <= set(git(p2p.root, "ls-files").splitlines())


def test_a_big_split_part_is_folded_into_a_new_shared_index_by_git(p2p, monkeypatch):
    from p2p.store import gitindex, repo

    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    git(p2p.root, "config", "splitIndex.maxPercentChange", "100")  # git alone would never fold it
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    shared = sorted((p2p.root / ".git").glob("sharedindex.*"))
    monkeypatch.setattr(gitindex, "SPLIT_ENTRIES", 0)
    p2p("rate", "pitch", "ava", *scores(4), as_="cal")

    assert len(set((p2p.root / ".git").glob("sharedindex.*")) - set(shared)) == 1
    assert git(p2p.root, "status", "--porcelain") == ""


def test_an_index_already_in_format_4_is_split_without_a_rewrite(p2p, monkeypatch):
    """A clone made with feature.manyFiles (or index.version=4 globally) starts in format 4."""
    from p2p.store import gitindex, repo

    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    git(p2p.root, "update-index", "--index-version", "4")
    monkeypatch.setattr(gitindex, "rewrite_v4", lambda *args: pytest.fail("an index in format 4 was rewritten"))
    trace = p2p.root.parent / "trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert git(p2p.root, "config", "core.splitIndex") == "true" and git(p2p.root, "config", "index.version") == "4"
    assert "--index-version" not in trace.read_text() and git(p2p.root, "status", "--porcelain") == ""


def sparse_clone(p2p, tmp_path, monkeypatch):
    monkeypatch.setenv("P2P_SYNC", "0")  # the origin is a working clone: nothing to push to here
    clone = tmp_path / "sparse"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(p2p.root), str(clone)], check=True)
    git(clone, "sparse-checkout", "set", "--cone", "--sparse-index", "people", "challenges")
    git(clone, "checkout", "-q")
    return clone


def test_a_sparse_clone_records_outside_its_cone_without_expanding_the_index(p2p, tmp_path, monkeypatch):
    """A rep on a big store clones sparsely (README): the entry is committed, no file
    appears outside the cone, `git status` stays clean, the index stays sparse and
    whatever the rep staged stays staged."""
    from conftest import P2P

    seeded(p2p)
    clone = sparse_clone(p2p, tmp_path, monkeypatch)
    (clone / "people" / "notes.txt").write_text("mine\n")
    git(clone, "add", "people/notes.txt")
    sparse = P2P(clone)
    sparse("submit", "pitch", "--link", "https://v.example/cal", as_="cal")
    sparse("rate", "pitch", "cal", *scores(4), as_="ava")

    assert not (clone / "entries" / "pitch").exists()
    assert git(clone, "status", "--porcelain") == "A  people/notes.txt"
    assert "entries/" in git(clone, "ls-files", "--sparse").splitlines()  # still one folder entry
    committed = git(clone, "diff", "--name-only", "HEAD~2", "HEAD").splitlines()
    assert [path.split("/")[2] for path in committed] == ["ava", "cal"]
    assert "cal" in sparse("leaderboard", "pitch", "--reviewers").stdout


@pytest.mark.parametrize("staged", [False, True])
def test_a_sparse_clone_s_index_after_a_write_is_what_read_tree_makes(p2p, tmp_path, monkeypatch, staged):
    """In a sparse index a write below `entries/` moves that folder entry and the
    cache-trees above it to the new commit's trees: p2p sets them in place
    (p2p.store.gitindex.point_sparse_dirs) instead of running `git read-tree -m` (20
    ms on the large store). A file the rep staged changes the cache-tree: git merges
    then. Either way the index is the one git's two-way merge makes, every stat and
    cache-tree included, and `git fsck` finds every tree it names."""
    seeded(p2p)
    clone = sparse_clone(p2p, tmp_path, monkeypatch)
    if staged:
        (clone / "people" / "notes.txt").write_text("mine\n")
        git(clone, "add", "people/notes.txt")
    by_git = tmp_path / "index-by-git"
    shutil.copy2(clone / ".git" / "index", by_git)
    _, commands = traced(clone, "--as", "cal", "submit", "pitch", "--link", "https://v.example/cal")
    assert bool([c for c in commands if c.startswith("read-tree")]) == staged, commands
    theirs = {**os.environ, "GIT_INDEX_FILE": str(by_git)}
    subprocess.run(["git", "-C", str(clone), "read-tree", "-m", "HEAD^", "HEAD"], env=theirs, check=True)

    def index(env=None, *args):
        return subprocess.run(["git", "-C", str(clone), *args], env=env, capture_output=True, text=True,
                              check=True).stdout

    for args in (["ls-files", "--sparse", "--stage", "--debug"], ["write-tree"]):
        assert index(None, *args) == index(theirs, *args)

    def cache_trees(path):  # the TREE extension: after its size, the root's empty name
        data = path.read_bytes()
        at = data.index(b"TREE")
        assert data[at + 8] == 0
        return data[at:at + 8 + int.from_bytes(data[at + 4:at + 8], "big")]

    assert cache_trees(clone / ".git" / "index") == cache_trees(by_git)
    assert f"040000 {git(clone, 'rev-parse', 'HEAD:entries')} 0\tentries/" in index(None, "ls-files", "--sparse", "-s")
    assert git(clone, "status", "--porcelain") == ("A  people/notes.txt" if staged else "")
    assert not (clone / "entries").exists()
    fsck = subprocess.run(["git", "-C", str(clone), "fsck", "--no-progress"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def test_a_new_cache_layout_frees_older_ones_but_the_one_written_to_last(p2p):
    """Two installs of p2p used in turn on one clone keep both their caches (each
    switch would otherwise read the store cold); older layouts are dropped."""
    seeded(p2p)
    caches = p2p.root / ".git" / "p2p" / "cache"
    (current,) = caches.iterdir()
    for age, name in enumerate(["v4-p2p0.0.2-bbbb-py311", "v1-p2p0.0.1-py39"]):
        (caches / name).mkdir()
        (caches / name / "x.pickle").write_bytes(b"old")
        os.utime(caches / name, (1000 - age, 1000 - age))
    # Written to last a level down, as tallies are (one folder per challenge):
    (caches / "v4-p2p0.0.3-cccc-py311" / "pitch").mkdir(parents=True)
    os.utime(caches / "v4-p2p0.0.3-cccc-py311", (900, 900))
    os.utime(caches / "v4-p2p0.0.3-cccc-py311" / "pitch", (2000, 2000))
    shutil.rmtree(current)
    traced(p2p.root, "leaderboard", "pitch", "--reviewers")
    assert sorted(c.name for c in caches.iterdir()) == sorted([current.name, "v4-p2p0.0.3-cccc-py311"])


def test_a_new_id_sorts_after_entries_committed_by_hand_since_the_last_write(p2p):
    """The newest id per challenge is kept between writes (.git/p2p/newest/) and
    brought up to date from git diff-tree: an entry another tool committed since,
    even one with a far later id, is still seen."""
    seeded(p2p)
    assert list((p2p.root / ".git" / "p2p" / "newest").iterdir())
    add_by_hand(p2p)  # 01ZZZZ…: later than any clock
    p2p("submit", "pitch", "--link", "https://v.example/ava-2", as_="ava")
    newest = sorted(path.stem for path in (p2p.root / "entries" / "pitch" / "ava").glob("*.yaml"))[-1]
    assert newest > "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    shutil.rmtree(p2p.root / ".git" / "p2p")  # lost: one full listing, same answer
    p2p("submit", "pitch", "--link", "https://v.example/ava-3", as_="ava")
    assert sorted(path.stem for path in (p2p.root / "entries" / "pitch" / "ava").glob("*.yaml"))[-1] > newest


def test_a_cached_tree_that_git_no_longer_has_is_a_miss_not_an_error(p2p):
    seeded(p2p)
    traced(p2p.root, "leaderboard", "pitch", "--reviewers")
    pointer = next((p2p.root / ".git" / "p2p" / "cache").rglob("latest/entries__pitch"))
    gone = "0123456789abcdef0123456789abcdef01234567"  # a tree git no longer has, e.g. after a rewrite and gc
    unit = pointer.parent.parent / f"{pointer.read_text().strip()}.pickle"
    shutil.copy(unit, unit.with_name(f"{gone}.pickle"))
    pointer.write_text(gone)
    newest = next((p2p.root / ".git" / "p2p" / "newest").iterdir())
    newest.write_text("0123456789abcdef0123456789abcdef01234567 01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    add_by_hand(p2p)
    out, _ = traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")
    shutil.rmtree(p2p.root / ".git" / "p2p")
    assert traced(p2p.root, "leaderboard", "pitch", "--reviewers", "--format", "json")[0] == out
    p2p("submit", "pitch", "--link", "https://v.example/ava-2", as_="ava")


def test_reads_and_the_newest_id_never_load_git_s_index(p2p):
    """git diff-tree reads the index unless told otherwise: 300 MB in a checkout of
    a million entries. A read after a write, and the write's newest-id lookup, must not."""
    seeded(p2p)
    traced(p2p.root, "leaderboard", "pitch", "--reviewers")
    add_by_hand(p2p)
    trace = p2p.root.parent / "perf-trace.log"
    env = {**os.environ, "GIT_TRACE_PERFORMANCE": str(trace), "P2P_SYNC": "0"}
    for args in (["leaderboard", "pitch", "--reviewers"], ["--as", "ben", "submit", "pitch", "--link", "https://v.example/ben-2"]):
        trace.unlink(missing_ok=True)
        proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        commands = [line for line in trace.read_text().splitlines() if "git command:" in line]
        assert any("cat-file --batch" in line for line in commands), commands  # the diff's reads
        reading = [line for line in trace.read_text().splitlines()
                   if "read cache" in line and not line.endswith("no-index/index")]
        if args[0] == "leaderboard":
            assert not reading, reading
        else:  # only staging the new file reads the index
            assert len(reading) <= 2, reading


def test_a_diff_too_big_to_read_tree_by_tree_is_git_s_and_loads_no_index(p2p, monkeypatch):
    """Past a few trees a diff is left to `git diff-tree`, which reads the index
    unless pointed at none; its changes are the ones read tree by tree."""
    from p2p.store import repo

    seeded(p2p)
    p2p("leaderboard", "pitch", "--reviewers")
    old = git(p2p.root, "rev-parse", "HEAD^{tree}")
    add_by_hand(p2p)
    (p2p.root / "entries" / "pitch" / "ben" / "notes.txt").write_text("by hand\n")  # a second folder changed
    git(p2p.root, "add", "entries")
    git(p2p.root, "commit", "-qm", "and a note")
    new = git(p2p.root, "rev-parse", "HEAD^{tree}")
    read_by_tree = repo.Git(p2p.root).diff_trees(old, new)
    assert sorted(path for path, _ in read_by_tree) == ["entries/pitch/ben/notes.txt",
                                                        "entries/pitch/cal/01ZZZZZZZZZZZZZZZZZZZZZZZZ.yaml"]
    trace = p2p.root.parent / "perf-trace.log"
    monkeypatch.setenv("GIT_TRACE_PERFORMANCE", str(trace))
    monkeypatch.setattr(repo, "_DIFF_READS", 3)  # the two roots, and one folder below
    assert repo.Git(p2p.root).diff_trees(old, new) == read_by_tree
    lines = trace.read_text().splitlines()
    assert any("diff-tree" in line for line in lines if "git command:" in line), lines
    assert not [line for line in lines if "read cache" in line and not line.endswith("no-index/index")], lines


def test_the_caches_are_named_for_this_copy_of_p2p_s_code(tmp_path):
    """CI may restore caches made by an older checkout of p2p with the same version: a
    changed module must start them afresh."""
    from p2p.store import cache

    package = tmp_path / "p2p"
    (package / "store").mkdir(parents=True)
    (package / "scoring.py").write_text("RULE = 1\n")
    (package / "store" / "loader.py").write_text("\n")
    first = cache.stamp_of(package)
    assert cache.stamp_of(package) == first
    os.utime(package / "scoring.py", (0, 0))  # a fresh checkout of the same code: caches restored in CI apply
    assert cache.stamp_of(package) == first
    (package / "store" / "loader.py").write_text("# changed\n")
    assert cache.stamp_of(package) != first


def test_the_code_checksum_is_kept_while_the_modules_sizes_and_times_stay(tmp_path):
    """Reading p2p's text costs every command 3-10 ms; its files' sizes and times, a
    fraction of that. A file rewritten to the same size and mtime still changes its ctime."""
    from p2p.store import cache

    package, memo = tmp_path / "p2p", tmp_path / "store-cache" / "code-stamp"
    (package / "store").mkdir(parents=True)
    (package / "scoring.py").write_text("RULE = 1\n")
    first = cache.stamp_of(package, memo)
    assert first == cache.stamp_of(package)
    seen = memo.read_text().split()[0]
    memo.write_text(f"{seen} 0000beef")
    assert cache.stamp_of(package, memo) == "0000beef"  # read back, not recomputed
    old = (package / "scoring.py").stat()
    time.sleep(0.01)
    (package / "scoring.py").write_text("RULE = 2\n")
    os.utime(package / "scoring.py", ns=(old.st_atime_ns, old.st_mtime_ns))
    assert cache.stamp_of(package, memo) == cache.stamp_of(package) != first
    assert memo.read_text().split()[1] == cache.stamp_of(package)


def test_no_fold_is_kept_while_p2p_yaml_has_a_problem(p2p):
    """Whether a time zone is known depends on the machine's zone data, not the file."""
    config = p2p.root / "p2p.yaml"
    config.write_text(config.read_text().replace("timezone: UTC", "timezone: Mars/Olympus_Mons"))
    git(p2p.root, "commit", "-qam", "a zone this machine does not know")
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "people", "list"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "1 store files have problems" in proc.stderr, proc.stderr
    blob = git(p2p.root, "rev-parse", "HEAD:p2p.yaml")
    assert not list((p2p.root / ".git" / "p2p" / "cache").rglob(f"folded-{blob}-*.pickle"))


def test_people_and_challenges_are_kept_folded_and_follow_every_change(p2p):
    seeded(p2p)

    def people() -> tuple[str, str]:
        proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(p2p.root), "people", "list", "--format",
                               "json"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout, proc.stderr

    first = people()
    assert list((p2p.root / ".git" / "p2p" / "cache").rglob("folded-*.pickle"))
    (p2p.root / "people" / "zed.yaml").write_text("id: [unclosed\n")  # a broken file, committed by hand
    (p2p.root / "people" / "yan.yaml").write_text((p2p.root / "people" / "ava.yaml").read_text()
                                                  .replace("ava", "yan").replace("Ava", "Yan"))
    git(p2p.root, "add", "people")
    git(p2p.root, "commit", "-qm", "people by hand")
    warm, again = people(), people()  # made, then read back from the kept fold
    assert warm == again != first
    assert '"yan"' in warm[0] and "1 store files have problems" in warm[1]
    shutil.rmtree(p2p.root / ".git" / "p2p")
    assert people() == warm


def test_a_submit_runs_the_git_processes_it_needs_and_no_more(p2p):
    """Each git process costs a write ~3 ms plus Python's fork: resolving HEAD twice,
    one mktree per folder, listing what was just committed and asking for the entries
    folder the read had listed were all cut (21 before, 12 in the release before);
    the blob and the trees are written by p2p (p2p.store.objects: no hash-object, no
    mktree), the challenge's newest id is carried from the write before, and every
    read (HEAD, the folders on the paths, a diff, a blob) is a question to one git
    kept running (p2p.store.catfile.Reader). A regression shows here first; the
    commands say which."""
    seeded(p2p)
    traced(p2p.root, "--as", "ava", "--no-sync", "submit", "pitch", "--link", "https://v.example/warm")
    _, commands = traced(p2p.root, "--as", "ava", "--no-sync", "submit", "pitch", "--link", "https://v.example/2")
    processes = [c.split()[0] for c in commands if not c.startswith("ask ")]
    assert processes == ["cat-file", "var", "symbolic-ref", "commit-tree", "update-ref", "update-index"], commands
    # The root's listing, and one diff's two trees: the rep's own folder against its
    # cached listing; not the challenge's for its newest id.
    assert len([c for c in commands if c.startswith("ask ") and c.endswith("^{tree}")]) == 3, commands
    newest = max(path.rsplit("/", 1)[1][:-5] for path in git(p2p.root, "ls-files", "entries/pitch").split())
    memo = (p2p.root / ".git" / "p2p" / "newest" / "entries__pitch").read_text().split()
    assert memo == [git(p2p.root, "rev-parse", "HEAD:entries/pitch"), newest]
    assert len([c for c in commands if "HEAD^{commit}" in c]) == 1  # both reads at one commit
    assert not [c for c in commands if c.startswith(("mktree", "hash-object"))], commands
    # The rep's own folder, named: not a listing of the whole challenge's (4,000 reps) to
    # pick it; the challenge's folder is read once, to be rebuilt with the new entry.
    assert [c.split(":", 1)[1] for c in commands if c.startswith("ask ") and ":entries/pitch" in c] == [
        "entries/pitch/ava", "entries/pitch"], commands
    git(p2p.root, "fsck", "--strict", "--no-progress")


def test_in_a_shared_repository_git_writes_the_objects(p2p):
    """core.sharedRepository: git gives each object file and folder the group's
    permissions, so p2p leaves the writing to it. Not looking up each entry of each
    tree (--missing): up to 140 ms for a 4,000-rep folder in a partial clone."""
    seeded(p2p)
    git(p2p.root, "config", "core.sharedRepository", "group")
    _, commands = traced(p2p.root, "--as", "ava", "--no-sync", "submit", "pitch", "--link", "https://v.example/2")
    assert [c for c in commands if c.startswith(("mktree", "hash-object"))] == [
        "hash-object -w --stdin", "mktree --missing --batch -z"]
    git(p2p.root, "fsck", "--strict", "--no-progress")
