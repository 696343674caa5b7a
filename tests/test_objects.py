"""p2p.store.objects: the blobs and trees p2p writes itself must be the objects git
would write, byte for byte where it counts (the id), readable by every git command,
and left to git wherever git would give the files other permissions or another place."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from p2p.errors import StoreError
from p2p.store.objects import Loose, edit_tree


def run(root: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, input=input).stdout


def repository(tmp_path: Path, object_format: str = "sha1") -> Path:
    root = tmp_path / "repo"
    run(tmp_path, "init", "-q", f"--object-format={object_format}", str(root))
    return root


def loose(root: Path) -> Loose:
    found = Loose.of(root / ".git")
    assert found is not None
    return found


CONTENTS = [b"", b"id: ava\nname: Ava\n", "ünïcode: ✓\n".encode(), bytes(range(256)) * 40]


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_blob_has_git_s_id_and_reads_back_in_git(tmp_path, object_format):
    root = repository(tmp_path, object_format)
    objects = loose(root)
    for content in CONTENTS:
        oid = objects.write("blob", content)
        assert oid == run(root, "hash-object", "--stdin", input=content).decode().strip()
        assert run(root, "cat-file", "blob", oid) == content
    run(root, "fsck", "--strict", "--no-progress")
    assert not list((root / ".git" / "objects").glob("*/tmp_obj_*"))


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_the_first_objects_and_a_bulk_write_s_hash_alike(tmp_path, monkeypatch, object_format):
    """A process's first half megabyte is hashed by Python's built-in sha1 or sha256,
    the rest (an import's) by hashlib's: both must give git's ids."""
    from p2p.store import digest

    monkeypatch.setattr(digest, "_hashed", 0)  # as in a fresh process
    root = repository(tmp_path, object_format)
    objects = loose(root)
    contents = [b"entry %d\n" % n + bytes(range(256)) * 400 for n in range(8)]  # ~100 KB each
    ids = [objects.write("blob", content) for content in contents]
    assert ids == run(root, "hash-object", "--stdin-paths", input=b"".join(
        _file(tmp_path, n, content) for n, content in enumerate(contents))).decode().split()
    # Both ways taken: this Python has the built-in ones, and the last objects went past them.
    assert digest._builtin(object_format).__module__ in ("_sha1", "_sha2", "_sha256")
    assert 0 < digest._hashed <= digest.BUILTIN_BYTES < sum(map(len, contents))


def _file(folder: Path, n: int, content: bytes) -> bytes:
    (folder / f"c{n}").write_bytes(content)
    return str(folder / f"c{n}").encode() + b"\n"


def mktree(root: Path, entries: dict[str, tuple[str, str, str]]) -> str:
    listing = "".join(f"{m} {k} {o}\t{n}\0" for n, (m, k, o) in entries.items()).encode()
    return run(root, "mktree", "-z", "--missing", input=listing).decode().strip()


def tree(objects: Loose, entries: dict[str, tuple[str, str, str]], base: bytes = b"") -> str:
    """The id of `base` (a tree's content) with `entries` set, written by p2p."""
    return objects.write("tree", edit_tree(base, {n: (m, o) for n, (m, _, o) in entries.items()}, objects.hash_len))


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_tree_is_the_one_mktree_makes_in_git_s_order(tmp_path, object_format):
    """git sorts a folder's name as if it ended in "/": "a.b" (".": 0x2e) before the
    folder "a", and "a0" after it; a file "a-b" sorts first."""
    root = repository(tmp_path, object_format)
    objects = loose(root)
    blob = objects.write("blob", b"x\n")
    link = objects.write("blob", b"target")
    folder = tree(objects, {"inner": ("100644", "blob", blob)})
    commit = "1" * len(blob)  # a submodule's commit is not in this repository
    entries = {"a0": ("100644", "blob", blob), "a": ("040000", "tree", folder), "a.b": ("100755", "blob", blob),
               "a-b": ("120000", "blob", link), "sub": ("160000", "commit", commit), "ü name": ("100644", "blob", blob),
               "Z": ("100644", "blob", blob)}
    oid = tree(objects, entries)
    assert oid == mktree(root, entries)
    assert [line.split("\t")[1] for line in run(root, "ls-tree", oid).decode().splitlines()] == [
        "Z", "a-b", "a.b", "a", "a0", "sub", '"\\303\\274 name"']
    run(root, "fsck", "--strict", "--no-progress")


NAMES = ["a", "a-b", "a.b", "a0", "ab", "b", "Z", "ü", "a b", "~"]


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
@pytest.mark.parametrize("seed", range(40))
def test_a_tree_edited_in_place_is_the_tree_mktree_makes_of_the_whole_listing(tmp_path, object_format, seed):
    """Entries added at either end and between, a file replaced by a folder of the same
    name and back, several at once: the copied bytes around them stay in git's order."""
    import random

    rng = random.Random(seed)
    root = repository(tmp_path, object_format)
    objects = loose(root)
    blobs = [objects.write("blob", b"%d\n" % n) for n in range(3)]
    folder = tree(objects, {"inner": ("100644", "blob", blobs[0])})
    def entry():
        return rng.choice([("100644", "blob", rng.choice(blobs)), ("100755", "blob", blobs[1]), ("040000", "tree", folder)])
    before = {name: entry() for name in rng.sample(NAMES, rng.randint(0, len(NAMES)))}
    base = run(root, "cat-file", "tree", mktree(root, before))
    changes = {name: entry() for name in rng.sample(NAMES, rng.randint(1, 4))}
    assert tree(objects, changes, base) == mktree(root, {**before, **changes})
    run(root, "fsck", "--strict", "--no-progress")


def test_a_folder_with_a_zero_padded_mode_sorts_and_is_replaced_as_a_folder(tmp_path):
    """Old tools wrote "040000" (git fsck only warns): the folder keeps its place among
    its neighbours, and setting it replaces it instead of adding a second "a"."""
    objects = loose(repository(tmp_path))
    blob = objects.write("blob", b"x\n")
    old, new = tree(objects, {"old": ("100644", "blob", blob)}), tree(objects, {"new": ("100644", "blob", blob)})
    padded = b"040000 a\0" + bytes.fromhex(old)
    assert edit_tree(padded, {"a0": ("100644", blob), "a.b": ("100644", blob)}, 20) == (
        b"100644 a.b\0" + bytes.fromhex(blob) + padded + b"100644 a0\0" + bytes.fromhex(blob))
    assert edit_tree(padded, {"a": ("040000", new)}, 20) == b"40000 a\0" + bytes.fromhex(new)


def test_a_tree_that_is_not_one_is_refused_not_edited(tmp_path):
    objects = loose(repository(tmp_path))
    blob = objects.write("blob", b"x\n")
    good = b"100644 a\0" + bytes.fromhex(blob)
    for bad in (good[:-1], good + b"x", b"100644 a" + bytes.fromhex(blob), b"x" + good):
        with pytest.raises(StoreError, match="cannot edit a tree: it is not a git tree of 20-byte ids"):
            edit_tree(bad, {"b": ("100644", blob)}, 20)
    for name in ("", "a/b", "a\0b"):
        with pytest.raises(StoreError, match="is not a file name"):
            edit_tree(good, {name: ("100644", blob)}, 20)


def test_an_object_already_there_is_freshened_not_written_again(tmp_path):
    root = repository(tmp_path)
    objects = loose(root)
    oid = objects.write("blob", b"again\n")
    path = root / ".git" / "objects" / oid[:2] / oid[2:]
    before = path.read_bytes()
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert objects.write("blob", b"again\n") == oid
    assert path.read_bytes() == before
    assert path.stat().st_mtime > 1_000_000_000  # a prune running now keeps it


def test_an_object_file_has_git_s_mode_less_the_umask(tmp_path):
    root = repository(tmp_path)
    old = os.umask(0o077)
    try:
        oid = loose(root).write("blob", b"private\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / ".git" / "objects" / oid[:2] / oid[2:]).stat().st_mode) == 0o400


def test_a_bad_id_in_a_tree_is_an_error_naming_it(tmp_path):
    objects = loose(repository(tmp_path))
    for bad in ("x" * 40, "ab" * 10, "ab " * 13 + "a", "ab" * 32):
        with pytest.raises(StoreError, match=rf"{bad!r} \(for name\) is not a git object id"):
            tree(objects, {"name": ("100644", "blob", bad)})


def test_git_writes_the_objects_of_a_shared_or_redirected_repository(tmp_path, monkeypatch):
    root = repository(tmp_path)
    assert Loose.of(root / ".git") is not None
    run(root, "config", "core.sharedRepository", "group")
    assert Loose.of(root / ".git") is None
    run(root, "config", "--unset", "core.sharedRepository")
    (root / ".git" / "objects").chmod(0o2775)  # what `git init --shared` leaves
    assert Loose.of(root / ".git") is None
    (root / ".git" / "objects").chmod(0o775)  # a umask of 002: not shared, git writes as usual
    assert Loose.of(root / ".git") is not None
    (root / ".git" / "objects").chmod(0o755)
    (root / ".git" / "config").write_text((root / ".git" / "config").read_text()
                                          + "[extensions]\n\tcompatObjectFormat = sha256\n")
    assert Loose.of(root / ".git") is None  # git maps each new object's id to the other hash
    run(root, "config", "--remove-section", "extensions")
    for name in ("GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_COMMON_DIR"):
        with monkeypatch.context() as env:
            env.setenv(name, str(tmp_path / "elsewhere"))
            assert Loose.of(root / ".git") is None
    (root / "f").write_text("f\n")
    run(root, "add", "f")
    run(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "f")
    run(root, "worktree", "add", "-q", str(tmp_path / "wt"))
    assert Loose.of(Path(run(tmp_path / "wt", "rev-parse", "--absolute-git-dir").decode().strip())) is None
    assert Loose.of(root / ".git").fsync is False  # type: ignore[union-attr]
    run(root, "config", "core.fsyncObjectFiles", "true")
    assert Loose.of(root / ".git").fsync is True  # type: ignore[union-attr]
