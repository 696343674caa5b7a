"""Git's index, written by p2p where git's own way costs a big store too much:
rewritten in format 4 a chunk at a time (rewrite_v4), and new files staged in a
split index without reading its shared part (stage_in_split).

Format 4 (rewrite_v4):

At a million files, `git clone` writes a 127 MB index in format 2, and git's own
`update-index --index-version 4` maps that file and builds every entry from it before
writing: 322 MB at its peak, once per clone, over p2p's 300 MB budget. Format 4
only writes each path as what it drops from, and adds to, the path before it
(gitformat-index(5)); the entries, their order, stat data, object ids and flags stay
as they are, so the rewrite needs nothing but the entry in hand and the path before
it. Git takes the rewritten index as its own: it parses every entry on its next
read, and `git fsck` checks the checksum.

A split index (stage_in_split): with `core.splitIndex`, `.git/index` holds only the
entries that changed since git last wrote the shared part (`sharedindex.<id>`, the
million other entries), and a `link` extension naming it. Every `git update-index`
still reads the shared part (91 MB at a million files: 0.25 s and 281 MB a write).
Staging a file git then merges into the shared entries when it reads the index (an
"added" entry, which replaces any entry of that path) needs only the small part:
its entries are read, the new ones sorted in, and it is written back, so a write
costs the same in a store of any size.

A sparse index (point_sparse_dirs): a cone-mode sparse checkout with `--sparse-index`
keeps each folder outside the cone as one entry, the folder's tree (`entries/`,
mode 040000, skip-worktree), and always a full cache-tree (TREE). A write below it
only moves that entry, and the cache-trees above it, to the new commit's trees:
`git read-tree -m` (20 ms on the large store) reads both commits' trees down to
the changed files to find that out; p2p sets the ids in place.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator

from p2p.store import digest

if TYPE_CHECKING:
    import hashlib

_CHUNK = 4 << 20
# Extensions that do not record where entries sit in the file, so they stay true when
# the paths are written shorter; the others (EOIE, IEOT: offsets; FSMN: optional,
# rebuilt by its hook) are dropped, which git allows for any extension whose name
# starts with a capital. `sdir` marks a sparse index and must stay.
_KEPT = {b"TREE", b"REUC", b"UNTR", b"sdir"}
_STAT = 40  # ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size: 10 x 32 bits
_ROOM = 8 << 10  # more than any entry whose path fits its 12-bit length field


class Unsupported(Exception):
    """An index (or a file to stage) this module leaves to git."""


def _header(index: Path) -> tuple[int, int] | None:
    """(format, entry count) from the index's header; None without a readable index."""
    try:
        with open(index, "rb") as handle:
            header = handle.read(12)
    except OSError:
        return None
    if header[:4] != b"DIRC" or len(header) != 12:
        return None
    return int.from_bytes(header[4:8], "big"), int.from_bytes(header[8:12], "big")


def version(index: Path) -> int | None:
    """The index's format, from its header; None without a readable index."""
    header = _header(index)
    return header[0] if header else None


def rewrite_v4(index: Path, algorithm: str = "sha1") -> bool:
    """Rewrite `index` in format 4 under git's lock (`index.lock`, then a rename, as
    git does). False, with the index untouched, when another process holds the lock
    or the index is one this leaves to git (Unsupported), whose own rewrite is then
    the way back: more memory, same bytes."""
    lock = index.with_name(index.name + ".lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:  # held by another process, or a read-only .git
        return False
    try:
        with os.fdopen(fd, "wb") as target, open(index, "rb") as source:
            stat = os.fstat(source.fileno())
            _rewrite(source, target, stat, algorithm)
        os.chmod(lock, stat.st_mode & 0o7777)  # a shared repository's group keeps writing it
        os.replace(lock, index)
        return True
    except Exception:  # Unsupported, or anything unforeseen: git's own rewrite is the way back
        lock.unlink(missing_ok=True)
        return False
    except BaseException:
        lock.unlink(missing_ok=True)
        raise


class _Reader:
    """Buffered reads of the source that also checksum every byte read."""

    def __init__(self, source: BinaryIO, hasher: hashlib._Hash, end: int) -> None:
        self.source, self.hasher, self.left = source, hasher, end  # bytes before the checksum
        self.buf, self.pos = b"", 0

    def fill(self, room: int) -> bytes:
        """The buffer, holding `room` bytes from `pos` on, or all the source has left;
        what comes before `pos` is dropped, so `pos` may move."""
        while len(self.buf) - self.pos < room and self.left:
            more = self.source.read(min(max(_CHUNK, room), self.left))
            if not more:
                raise Unsupported("the index is shorter than its size")
            self.left -= len(more)
            self.hasher.update(more)
            self.buf = self.buf[self.pos:] + more
            self.pos = 0
        return self.buf

    def take(self, count: int) -> bytes:
        buf = self.fill(count)
        if len(buf) - self.pos < count:
            raise Unsupported("the index ends early")
        self.pos += count
        return buf[self.pos - count:self.pos]

    def nul(self, start: int) -> int:
        """How far past `pos` + `start` the next NUL is, reading on until one comes."""
        seen = 0
        while (found := self.buf.find(b"\0", self.pos + start + seen)) < 0:
            seen = len(self.buf) - self.pos - start
            if not self.left:
                raise Unsupported("the index ends inside a path")
            self.fill(start + seen + 1)
        return found - self.pos - start


def _rewrite(source: BinaryIO, target: BinaryIO, stat: os.stat_result, algorithm: str) -> None:
    import hashlib  # a whole index, up to 100 MB: OpenSSL's speed (p2p.store.digest)

    checked = hashlib.new(algorithm)
    hash_len = checked.digest_size
    read = _Reader(source, checked, stat.st_size - hash_len)
    header = read.take(12)
    if header[:4] != b"DIRC" or int.from_bytes(header[4:8], "big") not in (2, 3):
        raise Unsupported("not an index in format 2 or 3")
    count = int.from_bytes(header[8:12], "big")
    written = hashlib.new(algorithm)
    out = [b"DIRC", (4).to_bytes(4, "big"), header[8:12]]

    def flush() -> None:
        data = b"".join(out)
        written.update(data)
        target.write(data)
        out.clear()

    # Git trusts an entry's stat data only if the file was last changed before the
    # index was written. A rewritten index is newer than the entries it trusted
    # that way, so those that were not are marked changed (size 0, as git marks
    # them): git compares their content on its next look.
    racy_from = stat.st_mtime_ns // 1_000_000_000  # not st_mtime: a float can round up to the next second
    fixed = _STAT + hash_len + 2  # then the extended flags of format 3, if flagged, and the path
    previous, previous_length = 0, 0  # the path before, as an integer (below), and its length
    buf, pos = read.buf, read.pos
    for done in range(1, count + 1):
        if len(buf) - pos < _ROOM:
            read.pos = pos
            buf, pos = read.fill(_ROOM), read.pos
        flags = int.from_bytes(buf[pos + fixed - 2:pos + fixed], "big")
        head = fixed + 2 if flags & 0x4000 else fixed
        length = flags & 0xFFF
        if length == 0xFFF:  # a path this long is only ended by its NUL
            read.pos = pos
            length = read.nul(head)
            buf, pos = read.buf, read.pos
        end = pos + ((head + length + 8) & ~7)  # format 2 pads each entry with NULs to 8 bytes
        if end > len(buf):  # only a path past _ROOM, or the index's last bytes
            read.pos = pos
            buf, pos = read.fill(end - pos), read.pos
            end = pos + ((head + length + 8) & ~7)
            if end > len(buf):
                raise Unsupported("the index ends inside an entry")
        if int.from_bytes(buf[pos + 8:pos + 12], "big") >= racy_from:  # its mtime
            out += (buf[pos:pos + _STAT - 4], bytes(4), buf[pos + _STAT:pos + head])
        else:
            out.append(buf[pos:pos + head])
        path = buf[pos + head:pos + head + length]
        # As little-endian integers, the shorter of two paths is zero-padded at its
        # end, and paths hold no NUL: the lowest bit that differs is in the first
        # byte that differs, found without a loop in Python.
        bits = int.from_bytes(path, "little")
        differ = bits ^ previous
        shared = ((differ & -differ).bit_length() - 1) >> 3 if differ else length
        strip = previous_length - shared
        out += (_SMALL[strip] if strip < 0x80 else _varint(strip), path[shared:], b"\0")
        previous, previous_length = bits, length
        pos = end
        if not done % 16384:
            flush()
    read.pos = pos
    while read.left or read.pos < len(read.buf):  # extensions: a 4-byte name, a 32-bit size, data
        name, length = read.take(4), int.from_bytes(read.take(4), "big")
        data = read.take(length)
        if name in _KEPT:
            out += (name, length.to_bytes(4, "big"), data)
        elif not b"A" <= name[:1] <= b"Z":  # one git requires to read the index (a split index's "link")
            raise Unsupported(f"the index has the {name.decode('ascii', 'replace')} extension")
    checksum = source.read(hash_len)
    if checksum != read.hasher.digest() and checksum != bytes(hash_len):  # all zeros: index.skipHash
        raise Unsupported("the index's checksum does not match")
    flush()
    target.write(written.digest())


_SMALL = [bytes((n,)) for n in range(0x80)]


def _varint(value: int) -> bytes:
    """Git's offset encoding (varint.c): 7 bits a byte, most significant first, each
    byte but the last adding one to what follows."""
    out = bytearray([value & 0x7F])
    value >>= 7
    while value:
        value -= 1
        out.insert(0, 0x80 | (value & 0x7F))
        value >>= 7
    return bytes(out)


# Past this many entries of its own, a split index is left to git, told to fold them
# into a new shared index (a second and the shared index's size, once per ~10,000
# writes): p2p reads and writes the whole split part on every write.
SPLIT_ENTRIES = 10_000


def stage_in_split(index: Path, files: list[tuple[int, str, bytes]]) -> bool | None:
    """Stage `files` (mode, hex object id, path) as `git update-index --add
    --index-info` would, in a split index in format 4, without reading its shared
    part. True when done; False, with the index untouched, when the index or the
    files are ones this leaves to git: not split, not format 4, locked, damaged,
    holding fsmonitor's extension or a required one other than `link`; a mode git
    would rewrite, a path it would refuse (verify_path), or a path that is a folder,
    or below a file, in the split part (git removes what it replaces). None when the
    header counts more than SPLIT_ENTRIES entries: a split part git should fold into
    a new shared index, or an index not split yet, which git splits on this write.

    Like `--index-info`, a new entry has no stat data: git compares the file's
    content on its next look, and records its stat then. The cache-tree extension
    (TREE) is dropped, not invalidated along the new paths: finding those in it means
    walking its 6 MB, and git rebuilds it on the next `git commit`. The untracked
    cache and offset extensions are dropped too, as git allows; REUC is kept, but a
    conflict a new entry replaces in the split part is not added to it (git would let
    `git checkout -m` bring that conflict back). A file-or-folder clash with the
    shared part is not seen: p2p's own paths never make one (a write's commit already
    holds them, folders as folders), only a hand-staged file could."""
    header = _header(index)
    if header is None or header[0] != 4:
        return False
    if header[1] > SPLIT_ENTRIES:  # or not split yet: not read whole either way
        return None
    shared: list[str] = []

    def staged(data: bytes) -> bytes | None:
        written, shared_id = _staged(data, files)
        shared.append(shared_id)
        return written

    done = _under_lock(index, staged)
    if done:
        try:  # as git does after writing a split index: a shared index in use does not expire
            os.utime(index.with_name(f"sharedindex.{shared[0]}"))
        except OSError:
            pass
    return done


def _under_lock(index: Path, change: Callable[[bytes], bytes | None]) -> bool | None:
    """Write `change(the index's bytes)` over the index as git does (`index.lock`,
    then a rename), with the index's mode and time: git trusts an entry's stat only
    if the file last changed before the index was written, and the entries `change`
    leaves alone were judged against that time. True when written; None when
    `change` returns None; False, with the index untouched, when another process
    holds the lock or `change` raises (Unsupported, or anything unforeseen: git's
    own command is the way back)."""
    lock = index.with_name(index.name + ".lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:
        return False
    try:
        with open(index, "rb") as source:
            stat = os.fstat(source.fileno())
            written = change(source.read())
        if written is None:
            _drop(fd, lock)
            return None
        with os.fdopen(fd, "wb") as target:
            fd = -1
            target.write(written)
        os.chmod(lock, stat.st_mode & 0o7777)
        os.utime(lock, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(lock, index)
        return True
    except Exception:
        _drop(fd, lock)
        return False
    except BaseException:
        _drop(fd, lock)
        raise


def _drop(fd: int, lock: Path) -> None:
    if fd >= 0:
        os.close(fd)
    lock.unlink(missing_ok=True)


def _staged(data: bytes, files: list[tuple[int, str, bytes]]) -> tuple[bytes | None, str]:
    """The split index `data` with `files` staged, and its shared index's id; None
    for the bytes when its own entries are past SPLIT_ENTRIES."""
    hash_len = len(files[0][1]) // 2
    body, _, count = _checked(data, hash_len, (4,))
    if count > SPLIT_ENTRIES:
        return None, ""
    stripped: list[bytes] = []  # entries replacing shared ones: no path of their own, and first
    added: dict[tuple[bytes, int], bytes] = {}  # (path, stage): the entry without its path
    pos = 12
    for at, head, flags, path, pos in _entries(body, 4, count, hash_len):
        entry = body[at:at + head]
        if path:
            added[path, (flags >> 12) & 3] = entry
        elif added:
            raise Unsupported("a replacing entry after an added one")
        else:
            stripped.append(entry)
    shared = None
    out_ext = []
    for name, at, end in _extensions(body, pos):
        if name == b"link":
            shared = body[at + 8:at + 8 + hash_len].hex()
            out_ext.append(body[at:end])
        elif name == b"REUC":
            out_ext.append(body[at:end])
        elif name == b"FSMN":
            # It marks entries by their place in the whole index, so it cannot be kept, and
            # without it git writes the whole index, unsplit, on its next look.
            raise Unsupported("the index has fsmonitor's extension")
        elif not b"A" <= name[:1] <= b"Z":
            raise Unsupported(f"the index has the {name.decode('ascii', 'replace')} extension")
    if not shared or shared == "0" * (2 * hash_len):
        raise Unsupported("not a split index")
    paths = {path for path, _ in added}
    folders = {path[:i] for path in paths for i in range(len(path)) if path[i] == 0x2F}  # 0x2F: "/"
    for mode, oid, path in files:
        if mode not in _MODES or len(oid) != 2 * hash_len or not _plain(path):
            raise Unsupported("a mode, object id or path git would not take as it is")
        parents = {path[:i] for i in range(len(path)) if path[i] == 0x2F}
        if path in folders or parents & paths:  # a file where a folder was, or the other way round
            raise Unsupported("a path that is a folder, or below a file, in the index")
        paths.add(path)
        folders |= parents
        for stage in (1, 2, 3):  # a merged entry replaces a conflict's stages, as in git
            added.pop((path, stage), None)
        flags = min(len(path), 0xFFF)
        added[path, 0] = (bytes(24) + mode.to_bytes(4, "big") + bytes(12) + bytes.fromhex(oid)
                          + flags.to_bytes(2, "big"))
    out = [b"DIRC", (4).to_bytes(4, "big"), (len(stripped) + len(added)).to_bytes(4, "big")]
    for entry in stripped:
        out += (entry, b"\0", b"\0")  # drops nothing from the path before, an empty one; adds nothing
    previous = b""
    for (path, _), entry in sorted(added.items()):
        shared_len = len(os.path.commonprefix([previous, path]))
        out += (entry, _varint(len(previous) - shared_len), path[shared_len:], b"\0")
        previous = path
    return _summed(b"".join(out + out_ext), hash_len), shared


def _checked(data: bytes, hash_len: int, versions: tuple[int, ...]) -> tuple[bytes, int, int]:
    """(everything before the checksum, format, entry count) of an index in one of
    `versions` whose checksum matches (or is all zeros: index.skipHash)."""
    body, checksum = data[:-hash_len], data[-hash_len:]
    version = int.from_bytes(data[4:8], "big") if len(data) >= 12 + hash_len and data[:4] == b"DIRC" else 0
    if version not in versions:
        raise Unsupported(f"not an index in format {' or '.join(map(str, versions))}")
    if checksum != bytes(hash_len) and checksum != digest.of(_ALGORITHMS[hash_len], body).digest():
        raise Unsupported("the index's checksum does not match")
    return body, version, int.from_bytes(data[8:12], "big")


_ALGORITHMS = {20: "sha1", 32: "sha256"}


def _summed(body: bytes, hash_len: int) -> bytes:
    """An index's bytes with their checksum after them."""
    return body + digest.of(_ALGORITHMS[hash_len], body).digest()


def _entries(body: bytes | bytearray, version: int, count: int,
             hash_len: int) -> Iterator[tuple[int, int, int, bytes, int]]:
    """(where, length of all but the path, flags, path, where the next starts) of
    each entry of an index in format 2, 3 or 4 (paths padded, or written as what they
    drop from and add to the one before)."""
    fixed = _STAT + hash_len + 2
    pos, previous = 12, b""
    for _ in range(count):
        flags = int.from_bytes(body[pos + fixed - 2:pos + fixed], "big")
        head = fixed + 2 if flags & 0x4000 else fixed
        if version == 4:
            strip, at = _read_varint(body, pos + head)
            if strip > len(previous):
                raise Unsupported("an entry drops more of the path before it than there is")
            end = body.index(b"\0", at)
            path, after = previous[:len(previous) - strip] + bytes(body[at:end]), end + 1
        else:
            end = body.index(b"\0", pos + head)
            path, after = bytes(body[pos + head:end]), pos + ((end - pos + 8) & ~7)
        yield pos, head, flags, path, after
        previous, pos = path, after


def _extensions(body: bytes | bytearray, pos: int) -> Iterator[tuple[bytes, int, int]]:
    """(name, where it starts, where it ends) of each extension from `pos` on: a
    4-byte name, a 32-bit size, its data."""
    while pos < len(body):
        name, length = bytes(body[pos:pos + 4]), int.from_bytes(body[pos + 4:pos + 8], "big")
        if pos + 8 + length > len(body):
            raise Unsupported("the index ends inside an extension")
        yield name, pos, pos + 8 + length
        pos += 8 + length


_MODES = {0o100644, 0o100755, 0o120000, 0o160000}  # what git writes: a file, an executable, a link, a submodule


def _plain(path: bytes) -> bool:
    """Whether git takes `path` as it is (verify_path): no NUL, no empty, `.`, `..`
    or `.git` part in any case."""
    return b"\0" not in path and all(part not in (b"", b".", b"..") and part.lower() != b".git"
                                     for part in path.split(b"/"))


def _read_varint(data: bytes | bytearray, pos: int) -> tuple[int, int]:
    """Git's offset encoding read at `pos` (see _varint): the value, and where it ends."""
    byte = data[pos]
    value = byte & 0x7F
    while byte & 0x80:
        pos += 1
        byte = data[pos]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos + 1


_SKIP_WORKTREE = 0x4000  # of format 3's extended flags
_DIR_MODE = 0o040000


def point_sparse_dirs(index: Path, folders: set[bytes], trees: dict[bytes, tuple[str, str]]) -> bool:
    """Move each folder entry of a sparse index (`folders`, as `b"entries"`) and the
    cache-tree of each folder in `trees` ({folder: (old tree id, new)}; `b""` the
    root), from its old tree to its new one, in place: what `git read-tree -m` makes
    of a commit that changed only what lies below `folders`, when the index held the
    parent commit's trees. False, with the index untouched, unless `index` is a
    sparse index git does not split, in format 3 or 4, unlocked, whose checksum
    matches, and whose every named entry and cache-tree holds its old id (a file the
    user staged changes the cache-tree's: git then merges). The index keeps its
    time, as in stage_in_split: no file entry changes. Every extension stays as it
    was; git's read-tree would drop the resolve-undo data of a conflict resolved
    earlier (REUC, which `git commit` keeps too) and invalidate the untracked
    cache along the changed paths, which lie outside the working tree."""
    return bool(_under_lock(index, lambda data: _pointed(data, folders, trees)))


def _pointed(data: bytes, folders: set[bytes], trees: dict[bytes, tuple[str, str]]) -> bytes:
    """The sparse index `data` with its folder entries and cache-trees moved."""
    hash_len = len(next(iter(trees.values()))[0]) // 2
    checked, version, count = _checked(data, hash_len, (3, 4))  # a folder entry is skip-worktree: format 3's flag
    body = bytearray(checked)

    def move(at: int, folder: bytes) -> None:
        old, new = (bytes.fromhex(oid) for oid in trees[folder])
        if body[at:at + hash_len] != old:
            raise Unsupported(f"{folder!r} is not at the tree it moves from")
        body[at:at + hash_len] = new

    wanted = {folder + b"/" for folder in folders}
    pos = 12
    for at, head, flags, path, pos in _entries(body, version, count, hash_len):
        if path in wanted:
            extended = int.from_bytes(body[at + head - 2:at + head], "big") if flags & 0x4000 else 0
            mode = int.from_bytes(body[at + 24:at + 28], "big")
            if mode != _DIR_MODE or flags & 0x3000 or not extended & _SKIP_WORKTREE:
                raise Unsupported(f"{path!r} is not a folder entry of a sparse index")
            move(at + _STAT, path[:-1])
            wanted.discard(path)
    if wanted:
        raise Unsupported("a folder is not one entry of the index")
    names = set()
    for name, at, end in _extensions(body, pos):
        names.add(name)
        if name == b"TREE":
            _move_cache_trees(body, at + 8, end, hash_len, trees, folders, move)
        elif name != b"sdir" and not b"A" <= name[:1] <= b"Z":  # required, as `link` of a split index
            raise Unsupported(f"the index has the {name.decode('ascii', 'replace')} extension")
    if not {b"sdir", b"TREE"} <= names:
        raise Unsupported("not a sparse index with a cache-tree")
    return _summed(bytes(body), hash_len)


def _move_cache_trees(body: bytearray, pos: int, end: int, hash_len: int, trees: dict[bytes, tuple[str, str]],
                      folders: set[bytes], move: Callable[[int, bytes], None]) -> None:
    """Move each cache-tree of `trees` in the TREE extension at body[pos:end]: nodes
    of `name NUL entry-count SP subtree-count LF [id]`, each followed by its
    subtrees; a count of -1 marks a node git must compute again (no id). A folder
    entry's node has no subtrees (its entries are not in the index): one that had
    would keep their old ids, so it is left to git."""
    left = set(trees)
    stack: list[list[Any]] = []  # [folder, subtrees still to come], from the root down
    while pos < end:
        nul = body.index(b"\0", pos)
        name = bytes(body[pos:nul])
        line = body.index(b"\n", nul)
        count, subtrees = (int(n) for n in body[nul + 1:line].split(b" "))
        while stack and not stack[-1][1]:
            stack.pop()
        if stack:
            stack[-1][1] -= 1
        folder = stack[-1][0] + b"/" + name if stack and stack[-1][0] else name
        pos = line + 1
        if folder in left:
            if count < 0 or (folder in folders and subtrees):
                raise Unsupported(f"the cache-tree of {folder!r} is not computed, or not a folder entry's")
            move(pos, folder)
            left.discard(folder)
        if count >= 0:
            pos += hash_len
        stack.append([folder, subtrees])
    if left:
        raise Unsupported("a folder has no cache-tree")
