"""Git objects written by p2p itself, as loose files. Every write adds one blob and
the trees on its path (four), and each `git hash-object` or `git mktree` is a
process: ~3 ms, and 6-30 ms for mktree to parse, sort and write a challenge folder
of 4,000 reps. A loose object is git's simplest file (gitformat-loose(5)): the
zlib-compressed `<type> <size>\\0<content>`, at `objects/<2 hex>/<the rest>` of the
hash of that text. A tree's content is its entries, `<mode> <name>\\0<binary id>`,
sorted by name, a folder's name as if it ended in "/" (as `git mktree` sorts them).

Left to git (`Loose.of` returns None): a repository whose objects are not in its
own `objects/` folder (GIT_OBJECT_DIRECTORY, GIT_DIR, a linked worktree's git
folder); one shared between users (core.sharedRepository, or object folders
that keep their group, as `git init --shared` makes them): git sets shared
permissions on each file and folder it makes; and
one that maps its ids to a second hash (extensions.compatObjectFormat): git records
each new object in that map too."""

from __future__ import annotations

import os
import re
import stat
import zlib
from bisect import bisect_left
from itertools import accumulate
from pathlib import Path
from typing import Mapping

from p2p.errors import StoreError
from p2p.store import digest

# A folder's mode as git writes it, and zero-padded as some old tools did (git fsck
# only warns about those): either sorts as a folder.
FOLDER_MODES = (b"40000", b"040000")
KINDS = {b"040000": b"tree", b"160000": b"commit"}  # by an entry's zero-padded mode; any other is a blob
# git writes loose objects at core.looseCompression, 1 (fastest) unless set; any
# level reads back the same, and the object id does not depend on it.
_LEVEL = 1
_ELSEWHERE = ("GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_COMMON_DIR")
_ID_BYTES = {"sha1": 20, "sha256": 32}


class Loose:
    def __init__(self, objects: Path, algorithm: str, fsync: bool) -> None:
        self.objects, self.algorithm, self.fsync = objects, algorithm, fsync
        self.hash_len = _ID_BYTES[algorithm]

    @classmethod
    def of(cls, git_dir: Path) -> Loose | None:
        """The object folder of the repository at `git_dir`, or None to leave writing to git."""
        if any(name in os.environ for name in _ELSEWHERE):
            return None
        objects = git_dir / "objects"
        try:
            config = (git_dir / "config").read_text(encoding="utf-8", errors="replace").lower()
            mode = objects.stat().st_mode
        except OSError:
            return None
        # Not group-writable alone: under a umask of 002 (many Linux accounts' default) a
        # repository's folders are, and git writes its objects as usual there.
        if (not stat.S_ISDIR(mode) or "sharedrepository" in config or "compatobjectformat" in config
                or mode & stat.S_ISGID):
            return None
        algorithm = "sha256" if re.search(r"objectformat\s*=\s*sha256", config) else "sha1"
        # core.fsync or core.fsyncObjectFiles in the repository's config: whoever set
        # either wants objects on disk before the commit naming them; git's default
        # does not sync loose objects. (Settings p2p reads here come from that file
        # alone: a user-wide sharedRepository or fsync is not seen.)
        return cls(objects, algorithm, "fsync" in config)

    def write(self, kind: str, content: bytes) -> str:
        """The id of the object; written unless it is there already as a loose file
        (then freshened, as git does, so a `git prune` running meanwhile keeps it). One
        only in a pack is written again, loose: git would look in the packs first, but
        a second copy is harmless, and `git gc` drops it."""
        data = b"%s %d\0" % (kind.encode(), len(content)) + content
        oid = digest.of(self.algorithm, data).hexdigest()
        folder = self.objects / oid[:2]
        path = folder / oid[2:]
        try:
            os.utime(path)
            return oid
        except FileNotFoundError:
            pass
        except OSError:  # there, but not ours to touch (another user's): linked below, "already there"
            pass
        folder.mkdir(exist_ok=True)
        temp = folder / f"tmp_obj_{os.getpid()}_{os.urandom(4).hex()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)  # git's mode, less the umask
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(zlib.compress(data, _LEVEL))
                if self.fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            try:
                os.link(temp, path)  # as git: never replaces an object another process wrote
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: as git, rename (the same bytes, if any)
                os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        return oid


def edit_tree(content: bytes, changes: Mapping[str, tuple[str, str]], hash_len: int) -> bytes:
    """A tree's content (`<mode> <name>\\0<binary id>` by name, a folder's name sorted
    as if it ended in "/") with each name set to (mode, id): added, or replacing the
    entry of that name. The entries in between are copied as bytes, not parsed and
    made again: a challenge folder lists 4,000 reps, and a write changes one (~6 ms
    a write, more in a fresh process, to parse and rebuild it)."""
    listed = tree_entries(content, hash_len, "edit")
    keys = [name + b"/" if mode in FOLDER_MODES else name for mode, name, _ in listed]
    starts = [0, *accumulate(len(mode) + len(name) + 2 + hash_len for mode, name, _ in listed)]
    cuts: list[tuple[int, bytes, bytes]] = []  # (before which entry, sort key, new entry; b"" drops that entry)
    for name, (mode, oid) in changes.items():
        raw = name.encode("utf-8", "surrogateescape")
        if not raw or b"/" in raw or b"\0" in raw:
            raise StoreError(f"cannot make a tree: {name!r} is not a file name")
        try:
            binary = bytes.fromhex(oid)
        except ValueError:
            binary = b""
        if len(binary) != hash_len or len(oid) != 2 * hash_len:
            raise StoreError(f"cannot make a tree: {oid!r} (for {name}) is not a git object id")
        written = mode.lstrip("0").encode()
        for old in (raw, raw + b"/"):  # the entry it replaces, a file or a folder
            at = bisect_left(keys, old)
            if at < len(keys) and keys[at] == old:
                cuts.append((at, old, b""))
        key = raw + b"/" if written == b"40000" else raw
        cuts.append((bisect_left(keys, key), key, b"%s %s\0%s" % (written, raw, binary)))
    cuts.sort()  # by place, then key; a drop and a new entry at one place, in either order
    parts, copied = [], 0
    for at, _, entry in cuts:
        parts.append(content[starts[copied]:starts[at]] if at > copied else b"")
        if entry:
            parts.append(entry)
            copied = max(copied, at)
        else:
            copied = at + 1
    parts.append(content[starts[copied]:])
    return b"".join(parts)


def mktree_input(content: bytes, hash_len: int) -> bytes:
    """A tree's content as `git mktree -z` reads it: `<mode> <type> <id>\\t<name>\\0`."""
    padded = [(mode.rjust(6, b"0"), name, oid) for mode, name, oid in tree_entries(content, hash_len, "edit")]
    return b"".join(b"%s %s %s\t%s\0" % (mode, KINDS.get(mode, b"blob"), oid.hex().encode(), name)
                    for mode, name, oid in padded)


def tree_entries(content: bytes, hash_len: int, doing: str = "read") -> list[tuple[bytes, bytes, bytes]]:
    """The (mode, name, binary id) of each of a tree's entries, found by one regex in C."""
    found = re.findall(rb"([0-7]+) ([^\0]+)\0" + b"(?s:(.{%d}))" % hash_len, content)
    _whole(sum(len(mode) + len(name) for mode, name, _ in found) + (2 + hash_len) * len(found), content, hash_len,
           doing)
    return found


def entry_set(content: bytes, hash_len: int) -> set[bytes]:
    """A tree's entries, each as its raw bytes: two versions of a folder of 4,000
    differ by a set difference (~1 ms for both), and only the entries that differ
    need parsing (tree_entries)."""
    found = re.findall(rb"[0-7]+ [^\0]+\0" + b"(?s:.{%d})" % hash_len, content)
    _whole(sum(map(len, found)), content, hash_len, "read")
    return set(found)


def _whole(matched: int, content: bytes, hash_len: int, doing: str) -> None:
    """Refuse a tree whose entries, as found, do not make up all of its content."""
    if matched != len(content):
        raise StoreError(f"cannot {doing} a tree: it is not a git tree of {hash_len}-byte ids (damaged, or another hash)")
