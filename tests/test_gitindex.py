"""p2p.store.gitindex: git's index rewritten in format 4 a chunk at a time, held to
the bytes git's own `update-index --index-version 4` writes, on real repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from p2p.store import gitindex

PAST = 1_577_836_800  # 2020-01-01: older than any index these tests write


def run(root: Path, *args: str, input: str | None = None, index: Path | None = None) -> str:
    env = {**os.environ, **({"GIT_INDEX_FILE": str(index)} if index else {})}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, input=input,
                          env=env).stdout


def repository(root: Path, object_format: str = "sha1") -> Path:
    """A repository whose index has what an index can hold: nested, unicode and
    spaced paths, a path past the 4,095 bytes the entry's length field counts, the
    extended flags of intent-to-add and skip-worktree (so format 3), a conflict's
    three stages, a cache tree and an untracked cache. Files are older than the
    index, as in any clone but one written this second."""
    run(root.parent, "init", "-q", f"--object-format={object_format}", str(root))
    for name in ("a/b/one", "a/b/two", "a/three", "c/four", "five", "sp ace", "ünï", "x/y/conflict"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{name}\n")
        os.utime(path, (PAST, PAST))
    run(root, "add", ".")
    run(root, "commit", "-qm", "files")
    (root / "a" / "new").write_text("new\n")
    os.utime(root / "a" / "new", (PAST, PAST))
    run(root, "add", "-N", "a/new")
    run(root, "update-index", "--skip-worktree", "five")
    blob = run(root, "hash-object", "-w", "--stdin", input="long\n").strip()
    long = "/".join(["d" * 200] * 22) + "/x"  # index only: no file system holds a path this long
    run(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{long}")
    stages = "".join(f"100644 {blob} {stage}\tx/y/conflict\n" for stage in (1, 2, 3))
    run(root, "update-index", "--index-info", input=f"0 {'0' * len(blob)}\tx/y/conflict\n{stages}")
    run(root, "update-index", "--untracked-cache")
    run(root, "status", "--porcelain")  # fills the untracked cache
    return root / ".git" / "index"


def sizes(root: Path) -> dict[str, int]:
    """The size git's index records for each path (`ls-files --debug`)."""
    found, path = {}, ""
    for line in run(root, "ls-files", "--debug").splitlines():
        if not line.startswith(" "):
            path = line
        elif line.strip().startswith("size: "):
            found[path] = int(line.split("size: ")[1].split()[0])
    return found


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_the_rewrite_is_byte_for_byte_what_git_writes(tmp_path, object_format):
    root = tmp_path / "repo"
    index = repository(root, object_format)
    index.chmod(0o664)  # as in a repository shared with a group
    assert gitindex.version(index) == 3
    status, listing = run(root, "status", "--porcelain"), run(root, "ls-files", "--stage", "--debug")
    by_git = tmp_path / "by-git"
    shutil.copy2(index, by_git)  # with its time: git marks the same entries changed
    run(root, "update-index", "--index-version", "4", index=by_git)

    assert gitindex.rewrite_v4(index, object_format)

    assert index.read_bytes() == by_git.read_bytes()
    assert gitindex.version(index) == 4 and not index.with_name("index.lock").exists()
    assert index.stat().st_mode & 0o777 == 0o664
    assert run(root, "ls-files", "--stage", "--debug") == listing
    assert run(root, "status", "--porcelain") == status


def test_entries_changed_as_the_index_was_written_are_left_for_git_to_compare(tmp_path):
    """An entry no older than the index may hide a change made that same moment:
    git trusts its stat data only while the index is older. The rewrite makes the
    index newer, so such an entry is marked changed (size 0), as git marks it."""
    root = tmp_path / "repo"
    index = repository(root)
    racy = root / "a" / "three"
    os.utime(racy, (PAST + 200, PAST + 200))
    run(root, "update-index", "a/three")  # the index records that time
    os.utime(index, (PAST + 100, PAST + 100))  # as if the index was written before that change

    assert gitindex.rewrite_v4(index)

    assert sizes(root)["a/three"] == 0 and sizes(root)["a/b/one"] == len("a/b/one\n")
    racy.write_text("a/THREE\n")  # same size, same moment: only its content tells
    os.utime(racy, (PAST + 200, PAST + 200))
    assert run(root, "status", "--porcelain", "a/three").strip() == "M a/three"


def test_an_entry_from_the_index_s_last_second_is_marked_whatever_its_nanoseconds(tmp_path):
    root = tmp_path / "repo"
    index = repository(root)
    os.utime(root / "a" / "three", (PAST + 200, PAST + 200))
    run(root, "update-index", "a/three")
    late = (PAST + 200) * 10**9 + 999_999_950  # as a float of seconds, this rounds up to PAST + 201
    os.utime(index, ns=(late, late))

    assert gitindex.rewrite_v4(index)

    assert sizes(root)["a/three"] == 0


@pytest.mark.parametrize("chunk,room", [(1, 64), (5, 77), (4096, 100), (4 << 20, 8 << 10)])
def test_entries_across_reads_of_any_size_come_out_the_same(tmp_path, monkeypatch, chunk, room):
    """The index is read in chunks: every entry, padding and path (one past 4 KB)
    that straddles two reads comes out as git writes it."""
    root = tmp_path / "repo"
    index = repository(root)
    by_git = tmp_path / "by-git"
    shutil.copy2(index, by_git)
    run(root, "update-index", "--index-version", "4", index=by_git)
    monkeypatch.setattr(gitindex, "_CHUNK", chunk)
    monkeypatch.setattr(gitindex, "_ROOM", room)  # at least an entry's fixed part: 64 bytes with sha1

    assert gitindex.rewrite_v4(index)

    assert index.read_bytes() == by_git.read_bytes()


def test_an_index_it_cannot_rewrite_is_left_as_it_is(tmp_path):
    index = repository(tmp_path / "repo")
    lock = index.with_name("index.lock")
    original = index.read_bytes()

    open_files = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    assert not gitindex.rewrite_v4(index.with_name("missing"))
    assert not index.with_name("missing.lock").exists()  # its lock is gone, and closed
    assert open_files is None or len(os.listdir("/proc/self/fd")) == open_files

    lock.write_bytes(b"another process")
    assert not gitindex.rewrite_v4(index)
    assert index.read_bytes() == original and lock.read_bytes() == b"another process"  # not ours to remove
    lock.unlink()

    damaged = bytearray(original)
    damaged[100] ^= 0xFF
    index.write_bytes(bytes(damaged))
    assert not gitindex.rewrite_v4(index)
    assert index.read_bytes() == damaged and not lock.exists()

    index.write_bytes(original)
    run(index.parent.parent, "update-index", "--split-index")  # its `link` extension is one git requires
    split = index.read_bytes()
    assert not gitindex.rewrite_v4(index)
    assert index.read_bytes() == split and not lock.exists()
