"""Git's index rewritten in format 4 a chunk at a time, never held whole.

At a million files, `git clone` writes a 127 MB index in format 2, and git's own
`update-index --index-version 4` maps that file and builds every entry from it before
writing: 322 MB at its peak, once per clone, over p2p's 300 MB budget. Format 4
only writes each path as what it drops from, and adds to, the path before it
(gitformat-index(5)); the entries, their order, stat data, object ids and flags stay
as they are, so the rewrite needs nothing but the entry in hand and the path before
it. Git takes the rewritten index as its own: it parses every entry on its next
read, and `git fsck` checks the checksum.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

_CHUNK = 4 << 20
# Extensions that do not record where entries sit in the file, so they stay true when
# the paths are written shorter; the others (EOIE, IEOT: offsets; FSMN: optional,
# rebuilt by its hook) are dropped, which git allows for any extension whose name
# starts with a capital. `sdir` marks a sparse index and must stay.
_KEPT = {b"TREE", b"REUC", b"UNTR", b"sdir"}
_STAT = 40  # ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size: 10 x 32 bits
_ROOM = 8 << 10  # more than any entry whose path fits its 12-bit length field


class Unsupported(Exception):
    """An index this rewrite leaves to git: not format 2 or 3, split, damaged."""


def version(index: Path) -> int | None:
    """The index's format, from its header; None without a readable index."""
    try:
        with open(index, "rb") as handle:
            header = handle.read(8)
    except OSError:
        return None
    return int.from_bytes(header[4:8], "big") if header[:4] == b"DIRC" and len(header) == 8 else None


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
