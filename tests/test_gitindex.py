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


def blob_of(root: Path, text: str) -> str:
    """The id of a blob of `text` and a newline, written to the repository at `root`."""
    return run(root, "hash-object", "-w", "--stdin", input=f"{text}\n").strip()


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
    blob = blob_of(root, "long")
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


# -- staging in a split index -----------------------------------------------------------
def split_repository(root: Path, object_format: str = "sha1") -> Path:
    """`repository`, in format 4 and split, whose split part then holds what one can:
    a shared entry replaced (a/b/one, edited and staged: the user's own change),
    entries added (a/added, a/b/zz) and a conflict's three stages (a/conflict)."""
    index = repository(root, object_format)
    run(root, "config", "splitIndex.maxPercentChange", "100")  # a small index's changes stay in the split part
    run(root, "update-index", "--index-version", "4")
    run(root, "update-index", "--split-index")
    (root / "a" / "b" / "one").write_text("edited, staged\n")
    (root / "a" / "added").write_text("added\n")
    (root / "a" / "b" / "zz").write_text("zz\n")
    run(root, "add", "a/b/one", "a/added", "a/b/zz")
    blob = blob_of(root, "theirs")
    stages = "".join(f"100644 {blob} {stage}\ta/conflict\n" for stage in (1, 2, 3))
    run(root, "update-index", "--index-info", input=stages)  # a conflict in the split part
    return index


def without(index_bytes: bytes, names: set[bytes], hash_len: int) -> bytes:
    """The index with the extensions named dropped, checksummed again."""
    import hashlib

    body = index_bytes[:-hash_len]
    ext = body.find(b"link")  # the first extension of a split index
    out, pos = bytearray(body[:ext]), ext
    while pos < len(body):
        length = int.from_bytes(body[pos + 4:pos + 8], "big")
        if body[pos:pos + 4] not in names:
            out += body[pos:pos + 8 + length]
        pos += 8 + length
    return bytes(out) + hashlib.new("sha1" if hash_len == 20 else "sha256", bytes(out)).digest()


def staged_by_git(root: Path, index: Path, copy: Path, files: list[tuple[str, str]]) -> None:
    shutil.copy2(index, copy)
    listing = "".join(f"100644 {oid}\t{path}\n" for path, oid in files)
    run(root, "update-index", "--add", "--index-info", input=listing, index=copy)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_staging_in_a_split_index_writes_what_git_writes_but_the_caches_it_drops(tmp_path, object_format):
    root = tmp_path / "repo"
    index = split_repository(root, object_format)
    shared = next(index.parent.glob("sharedindex.*"))
    for name in ("a/b/new", "a/new2", "zzz/ü new"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name}\n")
    files = [(name, run(root, "hash-object", "-w", name).strip()) for name in ("a/b/new", "a/new2", "zzz/ü new")]
    by_git = tmp_path / "by-git"
    staged_by_git(root, index, by_git, files)
    os.utime(shared, (PAST, PAST))
    before = index.stat()

    assert gitindex.stage_in_split(index, [(0o100644, oid, path.encode()) for path, oid in files])

    assert index.stat().st_mtime_ns == before.st_mtime_ns  # git judged the shared entries' stat by it
    assert shared.stat().st_mtime > PAST + 10  # in use, so not expired, as git keeps it
    hash_len = 20 if object_format == "sha1" else 32
    assert index.read_bytes() == without(by_git.read_bytes(), {b"TREE", b"UNTR"}, hash_len)
    assert run(root, "ls-files", "--stage", "--debug") == run(root, "ls-files", "--stage", "--debug", index=by_git)
    assert run(root, "status", "--porcelain") == run(root, "status", "--porcelain", index=by_git)
    assert run(root, "diff", "--cached", "--name-only", "--", "a/b/one") == "a/b/one\n"  # still staged
    assert not index.with_name("index.lock").exists()


def test_a_staged_path_replaces_what_the_index_held_at_that_path_at_any_stage(tmp_path):
    """An added entry replaces the shared entry of its path, and a merged one all the
    stages of a conflict, when git reads the index: as `update-index` replaces them."""
    root = tmp_path / "repo"
    index = split_repository(root)
    blob = blob_of(root, "again")
    # In the split part, in the shared part, a conflict in each
    files = [("a/added", blob), ("a/b/two", blob), ("x/y/conflict", blob), ("a/conflict", blob)]
    by_git = tmp_path / "by-git"
    staged_by_git(root, index, by_git, files)

    assert gitindex.stage_in_split(index, [(0o100644, oid, path.encode()) for path, oid in files])

    listing = run(root, "ls-files", "--stage")
    assert listing == run(root, "ls-files", "--stage", index=by_git)
    assert f"100644 {blob} 0\tx/y/conflict" in listing and " 1\tx/y/conflict" not in listing
    assert f"100644 {blob} 0\ta/conflict" in listing and " 1\ta/conflict" not in listing


def test_a_big_split_part_is_left_for_git_to_fold_into_a_new_shared_index(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    index = split_repository(root)
    original = index.read_bytes()
    blob = blob_of(root, "more")
    monkeypatch.setattr(gitindex, "SPLIT_ENTRIES", 2)  # it holds a replaced entry and six added ones

    assert gitindex.stage_in_split(index, [(0o100644, blob, b"more")]) is None

    assert index.read_bytes() == original and not index.with_name("index.lock").exists()


def test_an_index_it_cannot_stage_in_is_left_as_it_is(tmp_path):
    root = tmp_path / "repo"
    index = repository(root)
    blob = blob_of(root, "more")
    files = [(0o100644, blob, b"more")]
    lock = index.with_name("index.lock")

    assert not gitindex.stage_in_split(index, files)  # format 3
    run(root, "update-index", "--index-version", "4")
    original = index.read_bytes()
    assert not gitindex.stage_in_split(index, files)  # not split
    assert index.read_bytes() == original and not lock.exists()

    run(root, "update-index", "--split-index")
    split = index.read_bytes()
    lock.write_bytes(b"another process")
    assert not gitindex.stage_in_split(index, files)
    assert index.read_bytes() == split and lock.read_bytes() == b"another process"
    lock.unlink()

    open_files = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    damaged = bytearray(split)
    damaged[20] ^= 0xFF
    index.write_bytes(bytes(damaged))
    assert not gitindex.stage_in_split(index, files)
    assert index.read_bytes() == damaged and not lock.exists()
    assert open_files is None or len(os.listdir("/proc/self/fd")) == open_files

    index.write_bytes(split)
    required = without(split, set(), 20)[:-20].replace(b"link", b"lonk", 1)  # an extension git must understand
    import hashlib

    index.write_bytes(required + hashlib.sha1(required).digest())
    assert not gitindex.stage_in_split(index, files)
    assert not lock.exists()


@pytest.mark.parametrize("mode,path", [
    (0o100644, b"a/added/deeper"),  # below a file of the split part
    (0o100644, b"a/b"),  # a folder of the split part (a/b/zz)
    (0o100664, b"a/odd-mode"),  # git would write 100644
    (0o040000, b"a/folder"),
    (0o100644, b".git/config"),
    (0o100644, b"a/.GIT/x"),
    (0o100644, b"a/../b"),
    (0o100644, b"a//b"),
    (0o100644, b"/abs"),
    (0o100644, b"a/"),
    (0o100644, b"a/nul\0x"),
])
def test_a_file_git_would_take_otherwise_is_left_to_git(tmp_path, mode, path):
    """git rewrites some modes, ignores some paths and replaces a file with a folder
    (or back): those writes go through git."""
    root = tmp_path / "repo"
    index = split_repository(root)
    original = index.read_bytes()
    blob = blob_of(root, "more")

    assert gitindex.stage_in_split(index, [(mode, blob, path)]) is False

    assert index.read_bytes() == original and not index.with_name("index.lock").exists()


def test_an_index_with_fsmonitor_s_extension_is_left_to_git(tmp_path):
    """Without that extension git would write the whole index, unsplit, on its next look."""
    import hashlib

    root = tmp_path / "repo"
    index = split_repository(root)
    data = index.read_bytes()[:-20]
    data += b"FSMN" + (12).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes(8)
    index.write_bytes(data + hashlib.sha1(data).digest())
    blob = blob_of(root, "more")

    assert gitindex.stage_in_split(index, [(0o100644, blob, b"more")]) is False


# -- moving a sparse index's folder entries ---------------------------------------------
def sparse_repository(root: Path, object_format: str = "sha1") -> tuple[Path, dict[bytes, tuple[str, str]]]:
    """A cone-mode sparse index (`b/` one folder entry) at the first of two commits
    that differ only below b/, and the trees that move between them."""
    run(root.parent, "init", "-q", f"--object-format={object_format}", str(root))
    for name, text in (("a/one", "1\n"), ("b/c/two", "2\n"), ("top", "t\n")):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    run(root, "add", ".")
    run(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "one")
    (root / "b" / "c" / "two").write_text("changed\n")
    run(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qam", "two")
    run(root, "checkout", "-q", "HEAD^")
    run(root, "sparse-checkout", "set", "--cone", "--sparse-index", "a")
    assert "b/" in run(root, "ls-files", "--sparse").split()
    trees = {key: (run(root, "rev-parse", f"HEAD:{path}").strip(), run(root, "rev-parse", f"main:{path}").strip())
             for key, path in ((b"", ""), (b"b", "b"))}
    return root / ".git" / "index", trees


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_folder_entry_moves_as_read_tree_moves_it(tmp_path, object_format):
    index, trees = sparse_repository(tmp_path / "repo", object_format)
    by_git = tmp_path / "by-git"
    shutil.copy2(index, by_git)
    run(tmp_path / "repo", "read-tree", "-m", "HEAD", "main", index=by_git)
    mtime = index.stat().st_mtime_ns
    assert gitindex.point_sparse_dirs(index, {b"b"}, trees)
    assert index.read_bytes() == by_git.read_bytes()
    assert index.stat().st_mtime_ns == mtime


def test_a_sparse_index_this_cannot_move_is_left_to_git_untouched(tmp_path):
    index, trees = sparse_repository(tmp_path / "repo")
    before = index.read_bytes()
    old_b, new_b = trees[b"b"]
    cases = [
        ({b"b"}, {**trees, b"b": (new_b, old_b)}),  # not at the tree it moves from
        ({b"b"}, {**trees, b"": (trees[b""][1], trees[b""][0])}),  # a cache-tree that is not
        ({b"a"}, {**trees, b"a": trees[b"b"]}),  # a folder of files, not one entry
        ({b"b/c"}, {**trees, b"b/c": trees[b"b"]}),  # no such entry
    ]
    for folders, moves in cases:
        assert not gitindex.point_sparse_dirs(index, folders, moves)
        assert index.read_bytes() == before
    index.with_name("index.lock").write_bytes(b"")  # another process writes the index
    assert not gitindex.point_sparse_dirs(index, {b"b"}, trees)
    index.with_name("index.lock").unlink()
    assert index.read_bytes() == before
    run(tmp_path / "repo", "sparse-checkout", "disable")  # a full index: b/c/two is a file entry
    assert not gitindex.point_sparse_dirs(index, {b"b"}, trees)
    assert not index.with_name("index.lock").exists()
