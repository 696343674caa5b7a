"""Guards of the write path that no other test exercised: each test here fails when
its guard is removed (found by a mutation pass over gitindex.py, objects.py, repo.py
and store.py). A commit that lands meanwhile is kept, GIT_INDEX_FILE and a user's
index settings are honoured, a busy store excludes a second writer, a failed write
restores what it replaced, and odd but valid indexes and objects are handled."""
from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from conftest import P2P, commit_by_hand, git
from test_gitindex import blob_of, repository, run, sparse_repository, split_repository


def _resum(body: bytes) -> bytes:
    return body + hashlib.sha1(body).digest()


# a commit made while p2p builds its own is kept (CAS + retry from the new head)
def test_cas_a_commit_landing_meanwhile_is_kept(p2p, monkeypatch):
    from p2p.store import repo
    real, raced = repo.Git.tree_with, []

    def racing(self, tree, blobs, moved=None):
        if not raced:
            raced.append(1)
            commit_by_hand(p2p, "notes.txt", "by hand\n")
        return real(self, tree, blobs, moved)

    monkeypatch.setattr(repo.Git, "tree_with", racing)
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    assert git(p2p.root, "log", "-2", "--format=%s").splitlines() == ["p2p: submission pitch by ava", "by hand"]
    assert git(p2p.root, "show", "HEAD:notes.txt") == "by hand"
    assert git(p2p.root, "status", "--porcelain") == ""


# the first commit on an unborn branch does not overwrite a branch created meanwhile
def test_cas_unborn_branch_created_meanwhile_is_kept(tmp_path, monkeypatch):
    from p2p.store import repo
    root = tmp_path / "r"
    git(tmp_path, "init", "-q", str(root))
    real = repo.Git.tree_with

    def racing(self, tree, blobs, moved=None):
        if tree is None and not (root / "hand").exists():
            (root / "hand").write_text("x\n")
            git(root, "add", "hand")
            git(root, "commit", "-qm", "by hand")
        return real(self, tree, blobs, moved)

    monkeypatch.setattr(repo.Git, "tree_with", racing)
    me = repo.Identity("A", "a@example.com")
    repo.Git(root).commit_files("refs/heads/main", {"f.yaml": b"f: 1\n"}, "p2p", me, me)
    assert git(root, "log", "--format=%s", "main").splitlines() == ["p2p", "by hand"]


# _under_lock keeps the index's mode (a group-shared clone)
def test_split_staging_keeps_the_index_mode(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    index.chmod(0o664)
    assert gitindex.stage_in_split(index, [(0o100644, blob_of(root, "m"), b"more")])
    assert index.stat().st_mode & 0o777 == 0o664


# the None path of _under_lock releases the lock
def test_split_part_grown_past_the_limit_after_the_header_read_releases_the_lock(tmp_path, monkeypatch):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    before = index.read_bytes()
    monkeypatch.setattr(gitindex, "SPLIT_ENTRIES", 2)
    monkeypatch.setattr(gitindex, "_header", lambda path: (4, 0))  # as if git grew it after p2p read the header
    assert gitindex.stage_in_split(index, [(0o100644, blob_of(root, "m"), b"more")]) is None
    assert index.read_bytes() == before and not index.with_name("index.lock").exists()


# another required (lower-case) extension beside `link` is left to git
def test_split_index_with_an_unknown_required_extension_is_left_to_git(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    index.write_bytes(_resum(index.read_bytes()[:-20] + b"zzzz" + (4).to_bytes(4, "big") + b"abcd"))
    before = index.read_bytes()
    assert gitindex.stage_in_split(index, [(0o100644, blob_of(root, "m"), b"more")]) is False
    assert index.read_bytes() == before


# a link extension naming no shared index (all zeros) is not a split index
def test_link_to_no_shared_index_is_left_to_git(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    data = index.read_bytes()[:-20]
    at = data.index(b"link") + 8
    index.write_bytes(_resum(data[:at] + bytes(20) + data[at + 20:]))
    before = index.read_bytes()
    assert gitindex.stage_in_split(index, [(0o100644, blob_of(root, "m"), b"more")]) is False
    assert index.read_bytes() == before


# a path of 4,095 bytes or more is staged as git stages it (length field capped at 0xFFF)
def test_a_long_path_is_staged_as_git_stages_it(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    blob = blob_of(root, "long")
    long = "/".join(["e" * 200] * 21) + "/y"
    by_git = tmp_path / "by-git"
    shutil.copy2(index, by_git)
    run(root, "update-index", "--add", "--index-info", input=f"100644 {blob}\t{long}\n", index=by_git)
    assert gitindex.stage_in_split(index, [(0o100644, blob, long.encode())])
    assert run(root, "ls-files", "--stage") == run(root, "ls-files", "--stage", index=by_git)


# an index whose checksum is all zeros (index.skipHash, feature.manyFiles) is staged in / rewritten
def test_skip_hash_split_index_is_staged_in(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index = split_repository(root)
    index.write_bytes(index.read_bytes()[:-20] + bytes(20))
    assert gitindex.stage_in_split(index, [(0o100644, blob_of(root, "m"), b"more")]) is True


def test_skip_hash_index_is_rewritten(tmp_path):
    from p2p.store import gitindex
    index = repository(tmp_path / "repo")
    index.write_bytes(index.read_bytes()[:-20] + bytes(20))
    assert gitindex.rewrite_v4(index) is True


# a sparse index rewritten in format 4 keeps its `sdir` extension
def test_a_sparse_index_rewritten_in_format_4_stays_sparse(tmp_path):
    from p2p.store import gitindex
    index, _ = sparse_repository(tmp_path / "repo")
    listing = run(tmp_path / "repo", "ls-files", "--sparse", "--stage")
    assert gitindex.rewrite_v4(index)
    assert gitindex.version(index) == 4 and b"sdir" in index.read_bytes()
    assert run(tmp_path / "repo", "ls-files", "--sparse", "--stage") == listing


# a folder that is not one entry is not moved, even given its right trees
def test_a_folder_of_file_entries_is_not_moved_even_with_its_right_trees(tmp_path):
    from p2p.store import gitindex
    root = tmp_path / "repo"
    index, trees = sparse_repository(root)
    before = index.read_bytes()
    a_old, some_tree = run(root, "rev-parse", "HEAD:a").strip(), run(root, "rev-parse", "main:b").strip()
    assert not gitindex.point_sparse_dirs(index, {b"a"}, {b"": trees[b""], b"a": (a_old, some_tree)})
    assert index.read_bytes() == before


# a sparse index with an unknown required extension is left to git
def test_a_sparse_index_with_an_unknown_required_extension_is_left_to_git(tmp_path):
    from p2p.store import gitindex
    index, trees = sparse_repository(tmp_path / "repo")
    index.write_bytes(_resum(index.read_bytes()[:-20] + b"zzzz" + (4).to_bytes(4, "big") + b"abcd"))
    before = index.read_bytes()
    assert not gitindex.point_sparse_dirs(index, {b"b"}, trees)
    assert index.read_bytes() == before


# a committed file where p2p needs a folder is refused, even an empty one
def test_an_empty_file_on_the_path_is_refused_not_replaced(tmp_path):
    from p2p.errors import StoreError
    from p2p.store.repo import Git
    root = tmp_path / "r"
    git(tmp_path, "init", "-q", str(root))
    (root / "a").write_text("")
    git(root, "add", "a")
    git(root, "commit", "-qm", "empty file a")
    blob = git(root, "hash-object", "-w", "a")
    with pytest.raises(StoreError, match="a is a blob in the repository"):
        Git(root).tree_with(git(root, "rev-parse", "HEAD^{tree}"), {"a/x.yaml": blob})


# with GIT_INDEX_FILE set, the split-index fast path must not edit .git/index
def test_split_clone_with_git_index_file_stages_in_that_index(p2p, monkeypatch, tmp_path):
    from p2p.store import repo
    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")  # splits the index
    alt = tmp_path / "alt-index"
    shutil.copy2(p2p.root / ".git" / "index", alt)
    before = (p2p.root / ".git" / "index").read_bytes()
    monkeypatch.setenv("GIT_INDEX_FILE", str(alt))
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    assert git(p2p.root, "status", "--porcelain") == ""  # through the env's index
    assert (p2p.root / ".git" / "index").read_bytes() == before


# the same in a sparse clone
def test_sparse_clone_with_git_index_file_moves_that_index(p2p, monkeypatch, tmp_path):
    import subprocess
    monkeypatch.setenv("P2P_SYNC", "0")
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    clone = tmp_path / "sparse"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(p2p.root), str(clone)], check=True)
    git(clone, "sparse-checkout", "set", "--cone", "--sparse-index", "people", "challenges")
    git(clone, "checkout", "-q")
    alt = tmp_path / "alt-index"
    shutil.copy2(clone / ".git" / "index", alt)
    before = (clone / ".git" / "index").read_bytes()
    monkeypatch.setenv("GIT_INDEX_FILE", str(alt))
    P2P(clone)("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    assert git(clone, "status", "--porcelain") == ""
    assert (clone / ".git" / "index").read_bytes() == before


# a user's own core.splitIndex=false stands
def test_a_user_s_split_index_choice_stands(p2p, monkeypatch):
    from p2p.store import repo
    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    git(p2p.root, "config", "core.splitIndex", "false")
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert git(p2p.root, "config", "core.splitIndex") == "false"
    assert not list((p2p.root / ".git").glob("sharedindex.*"))


# a user's own index.version stands
def test_a_user_s_index_version_stands(p2p, monkeypatch):
    from p2p.store import gitindex, repo
    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    git(p2p.root, "config", "index.version", "2")
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert git(p2p.root, "config", "index.version") == "2"
    assert gitindex.version(p2p.root / ".git" / "index") != 4
    assert git(p2p.root, "config", "core.splitIndex") == "true" and git(p2p.root, "status", "--porcelain") == ""


# when p2p's own rewrite gives up, git's rewrite is the way back
def test_git_rewrites_the_index_when_p2p_cannot(p2p, monkeypatch):
    from p2p.store import gitindex, repo
    monkeypatch.setattr(repo, "SPLIT_INDEX_BYTES", 0)
    monkeypatch.setattr(gitindex, "rewrite_v4", lambda *args: False)
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert gitindex.version(p2p.root / ".git" / "index") == 4
    assert git(p2p.root, "config", "core.splitIndex") == "true" and git(p2p.root, "status", "--porcelain") == ""


# a guessed identity (EMAIL, hostname) is not used
def test_no_configured_identity_is_refused_even_with_EMAIL_set(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from p2p.cli import cli
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("EMAIL", "guess@example.com")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "s")])
    assert result.exit_code == 1 and "git config user.name" in result.stderr


# a set-up file the user deleted and staged that deletion of is not overwritten
def test_a_staged_deletion_of_a_set_up_file_is_protected(p2p):
    git(p2p.root, "rm", "-q", "people/ava.yaml")
    p2p.refused("people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae",
                "--team", "east", "--update", match="people/ava.yaml has changes that are not committed")


# a second p2p on one clone waits for the first
def test_the_store_lock_excludes_a_second_writer(p2p):
    from p2p.errors import StoreError
    from p2p.store.store import Store
    with Store(p2p.root).lock():
        with pytest.raises(StoreError, match="this store is busy"):
            with Store(p2p.root).lock(timeout=0.2):
                pass


# a memo another commit moved on is not advanced (the CAS retry case)
def test_newest_id_after_a_retried_commit_sees_the_racing_entry(p2p, monkeypatch):
    from p2p.store import repo
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    real, raced = repo.Git.tree_with, []

    def racing(self, tree, blobs, moved=None):
        if not raced:
            raced.append(1)
            commit_by_hand(p2p, "entries/pitch/ben/01ZZZZZZZZZZZZZZZZZZZZZZZZ.yaml",
                           "v: 1\nid: 01ZZZZZZZZZZZZZZZZZZZZZZZZ\nkind: submission\nat: '2026-11-10T12:00:00Z'\n"
                           "by: ben\nchallenge: pitch\nlink: https://v.example/z\n")
        return real(self, tree, blobs, moved)

    with monkeypatch.context() as m:
        m.setattr(repo.Git, "tree_with", racing)
        p2p("submit", "pitch", "--link", "https://v.example/b", as_="cal")
    p2p("submit", "pitch", "--link", "https://v.example/c", as_="dia")
    newest = sorted(p.stem for p in (p2p.root / "entries" / "pitch" / "dia").glob("*.yaml"))[-1]
    assert newest > "01ZZZZZZZZZZZZZZZZZZZZZZZZ"


# a failed write puts back the file it overwrote
def test_a_failed_set_up_write_restores_the_file_it_replaced(p2p):
    (p2p.root / ".git" / "refs" / "heads" / "main.lock").write_text("")
    before = (p2p.root / "challenges" / "pitch.yaml").read_bytes()
    p2p.refused("challenge", "close", "pitch", match="git could not update")
    assert (p2p.root / "challenges" / "pitch.yaml").read_bytes() == before


# core.fsyncObjectFiles makes p2p sync each object it writes
def test_objects_are_synced_when_the_repository_asks(tmp_path, monkeypatch):
    from p2p.store.objects import Loose
    root = tmp_path / "r"
    git(tmp_path, "init", "-q", str(root))
    git(root, "config", "core.fsyncObjectFiles", "true")
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    Loose.of(root / ".git").write("blob", b"x\n")
    assert synced


# an object already there but not ours to freshen (another user's) is "already there"
def test_an_object_another_user_wrote_is_taken_as_written(tmp_path, monkeypatch):
    from p2p.store.objects import Loose
    root = tmp_path / "r"
    git(tmp_path, "init", "-q", str(root))
    objects = Loose.of(root / ".git")
    oid = objects.write("blob", b"theirs\n")

    def refused(*args, **kwargs):
        raise PermissionError("not yours")

    monkeypatch.setattr(os, "utime", refused)
    assert objects.write("blob", b"theirs\n") == oid
