"""Pages a publish need not render again: after one new entry nearly every page
comes out as it did last time, and rendering them all costs most of a publish.

Each page has a render key: a digest of everything its text is made from, i.e.
its page context (pickled: exact values, types included) and a salt covering the
rest (templates, target, charts, Jinja's and Python's versions and p2p's own code).
The index in `.git/p2p/pages/` keeps, per key, the digest of the text rendered
last time and the stat of the file that holds it. A page whose output file still
has that text is read back from the file instead of rendered: the same text, as
rendering is deterministic. Like git's index, a file whose size, times and inode
are what the index recorded is taken as unchanged without reading it (a large
store's pages are 130 MB); any other file is read and its digest compared. A file
edited by hand no longer matches, so its page is rendered and rewritten as
before. The index is disposable: a missing or unreadable one is only slower."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Iterable

INDEX = "index-{target}-{charts}.pickle"  # one per variant: a wiki and an mkdocs site do not evict each other
# A file modified this recently may change again within its file system's timestamp
# granularity (a second on some) without its stat changing: its digest is kept, not
# its stat, as git does for "racily clean" index entries.
RACY_NS = 3_000_000_000

Stamp = tuple[int, int, int, int]  # (size, mtime_ns, ctime_ns, inode)


class Rendered:
    def __init__(self, folder: Path | None, salt: bytes, target: str, charts: str) -> None:
        self.path = folder / INDEX.format(target=target, charts=charts) if folder is not None else None
        self.salt = salt
        self.before = self._read()
        self.now: dict[bytes, tuple[bytes, Stamp | None]] = {}  # this publish's pages: the next index
        self.to_stamp: list[tuple[bytes, Path]] = []  # rendered, or read back by digest: stat taken at `save`

    def key(self, *parts: Any) -> bytes | None:
        """The render key of a page from its parts (name, template, context); None
        when they cannot be pickled (the page is then always rendered), or without an index."""
        return None if self.path is None else value_digest(parts, self.salt)

    def reuse(self, key: bytes | None, path: Path) -> bool:
        """Whether the page file at `path` holds what `key` rendered last time."""
        kept = self.before.get(key) if key is not None else None
        if not isinstance(kept, tuple) or len(kept) != 2:  # none, or from an older p2p
            return False
        digest, stamp = kept
        try:
            if stamp is not None and _stamp(os.stat(path)) == stamp:
                self.now[key] = kept  # type: ignore[index]
                return True
            data = path.read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).digest() != digest:
            return False
        self.now[key] = (digest, None)  # type: ignore[index]
        self.to_stamp.append((key, path))  # type: ignore[arg-type]
        return True

    def remember(self, key: bytes | None, text: str, path: Path) -> None:
        """`text` was rendered for `key`, and is what `path` will hold."""
        if key is not None:
            self.now[key] = (hashlib.sha256(text.encode("utf-8")).digest(), None)
            self.to_stamp.append((key, path))

    def save(self) -> None:
        """Write the index, once the pages are in place: the stat of each page file
        read or written is taken now."""
        if self.path is None:
            return
        recent = time.time_ns() - RACY_NS
        for key, path in self.to_stamp:
            try:
                found = os.stat(path)
            except OSError:
                continue
            if found.st_mtime_ns < recent:
                self.now[key] = (self.now[key][0], _stamp(found))
        if self.now == self.before:
            return
        from p2p.store.cache import replace_file

        try:
            replace_file(self.path, pickle.dumps(self.now, protocol=5))
        except OSError:
            pass  # a read-only .git only makes the next publish render every page

    def _read(self) -> dict[bytes, tuple[bytes, Stamp | None]]:
        if self.path is None:
            return {}
        try:
            found = pickle.loads(self.path.read_bytes())
        except Exception:  # noqa: BLE001 - any file that does not unpickle is a miss, as in the parse cache
            return {}
        return found if isinstance(found, dict) else {}


def value_digest(value: Any, salt: bytes = b"") -> bytes | None:
    """A sha256 of `salt` and `value`'s values, or None when it cannot be pickled.

    Pickled without pickle's memo, which writes a value shared by two places once and
    then a reference: equal data then gives equal bytes however its objects are
    shared. Data made afresh (a cold read) and the same data read back from the caches
    share theirs differently: with the memo, the publish after a cold one rendered
    every person's page again to the same text."""
    written = io.BytesIO()
    pickler = pickle.Pickler(written, protocol=5)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None
    digest = hashlib.sha256(salt)
    digest.update(written.getbuffer())
    return digest.digest()


def _stamp(found: os.stat_result) -> Stamp:
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def salt(*parts: Any, folders: Iterable[Path]) -> bytes:
    """A digest of `parts`, of Jinja's and Python's versions, of every file in
    `folders` (templates) and of p2p's code (the checksum the parse cache is named
    by), so that any change to them renders every page afresh. Jinja's version is
    read from its package's `__init__.py`, which sets `__version__`, not imported:
    a publish that renders no page then never imports Jinja (~50 ms)."""
    from importlib.util import find_spec

    from p2p.store.cache import code_stamp

    digest = hashlib.sha256(repr((sys.version, code_stamp(), parts)).encode())
    jinja = find_spec("jinja2")
    try:
        digest.update(Path(jinja.origin).read_bytes())  # type: ignore[union-attr, arg-type]
    except (AttributeError, TypeError, OSError):  # not a plain file (a zipped install): ask Jinja itself
        import jinja2

        digest.update(jinja2.__version__.encode())
    for folder in folders:
        files = sorted(folder.rglob("*")) if folder.is_dir() else []
        for file in files:
            if file.is_file():
                digest.update(f"\0{file.relative_to(folder)}\0".encode() + file.read_bytes())
    return digest.digest()
