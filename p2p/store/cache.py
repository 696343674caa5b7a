"""Parsed store files, kept under `.git/p2p/cache/` and keyed by git object ids.

The unit is a folder's tree: `people`, `challenges`, or one challenge's
`entries/SLUG`. A tree id names its whole content, so a cached tree is neither
listed nor read nor parsed again; a tree that changed (one new entry) is listed,
and only blobs the previous version of that folder did not have are parsed.

The cache is disposable (deleting it changes no output, only speed), versioned
(a new format or Python gets a new folder), and safe under concurrent processes:
files are written whole to a temporary name and renamed, and a file that cannot
be read is a miss. Documents are plain data (dicts, lists, str, int, float, bool,
None, dates); a YAML error is kept as (message, line); a valid entry is kept
parsed too (p2p's own classes, hence p2p's version in the folder name)."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

# Units hold (blob id, document or None for a valid entry, parsed): parsed is the
# Entry of a valid entry, (roles, Person or Challenge) in people/ and challenges/
# (they are parsed under p2p.yaml's roles), or None.
VERSION = 4
KEEP_PER_FOLDER = 4  # recent trees per folder: enough for --at a few commits back and concurrent readers

# path -> (blob id, document or a YamlError as ("!error", message, line), parsed or None)
Unit = dict[str, tuple[str, Any, Any]]
_memo: dict[str, Unit] = {}  # this process's units by tree id: a write reads people twice
_bases: dict[str, str] = {}  # tree id of a delta -> the tree of the full unit it applies to
_memo_folded: dict[str, Any] = {}  # get_folded's answers in this process: a write reads twice
DELTA_MIN = 1_000  # a delta of up to this many files (or a tenth of its base) is written as a delta


class TreeCache:
    def __init__(self, git_dir: Path) -> None:
        self.folder = git_dir / "p2p" / "cache" / f"v{VERSION}-{code_stamp(git_dir)}"

    def get(self, tree: str) -> Unit | None:
        if tree in _memo:
            return _memo[tree]
        stored = self._read(tree)
        if isinstance(stored, tuple) and len(stored) == 3 and stored[0] == "delta":
            _, base_tree, changes = stored
            base = self._read(base_tree) if base_tree not in _memo else _memo[base_tree]
            if not isinstance(base, dict) or not isinstance(changes, dict):
                return None
            _memo[base_tree] = base
            _bases[tree] = base_tree
            unit = {**base, **changes}
            for path in [p for p, value in changes.items() if value is None]:
                del unit[path]
            stored = unit
        if not isinstance(stored, dict):
            return None
        _memo[tree] = stored
        return stored

    @staticmethod
    def remembered() -> set[str]:
        """The trees whose units this process holds in memory."""
        return set(_memo)

    @staticmethod
    def forget(trees: set[str]) -> None:
        """Drop units this process read or made from memory (the files stay)."""
        for tree in trees:
            _memo.pop(tree, None)
            _bases.pop(tree, None)

    def get_folded(self, key: str) -> Any:
        """What `put_folded` kept under `key`, or None."""
        if key not in _memo_folded:
            self._keep_folded(key, self._read(key))
        return _memo_folded[key]

    @staticmethod
    def _keep_folded(key: str, value: Any) -> None:
        if len(_memo_folded) >= 4:  # a process that edits people and reads in turn (p2p.api)
            del _memo_folded[next(iter(_memo_folded))]
        _memo_folded[key] = value

    def put_folded(self, key: str, value: Any) -> None:
        """Keep a fold of several units under `key` (their ids): the last few only."""
        try:
            replace_file(self.folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            self._keep_folded(key, value)
            pointer = self.folder / "latest" / "folded"
            remember(pointer, pointer.with_suffix(".trees"), self.folder, key, None, KEEP_PER_FOLDER)
        except OSError:
            pass  # a read-only or full disk: the cache is only an optimisation

    def _read(self, tree: str) -> Any:
        try:
            with open(self.folder / f"{tree}.pickle", "rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - any file that does not unpickle is a miss
            return None

    def latest(self, name: str) -> tuple[str | None, Unit]:
        """(tree, unit) of the most recent cached version of a folder (`name` is its
        path), to diff against; (None, {}) when there is none."""
        try:
            tree = (self.folder / "latest" / _safe(name)).read_text().strip()
        except OSError:
            return None, {}
        unit = self.get(tree)
        return (tree, unit) if unit is not None else (None, {})

    def put(self, name: str, tree: str, unit: Unit, before: str | None = None) -> None:
        """Keep `unit` as folder `name`'s content at `tree`. When it was made from the
        cached tree `before`, only what differs from that tree's full unit is written
        (one new entry in a folder of 20,000 writes a few hundred bytes, not 7 MB)."""
        try:
            if not self.folder.exists():
                drop_other_versions(self.folder)
            _memo[tree] = unit
            _bases.pop(tree, None)  # until it is written as a delta below
            stored: Any = unit
            base_tree = _bases.get(before, before) if before else None
            base = _memo.get(base_tree) if base_tree else None
            if base is not None:
                changes: dict[str, Any] = {path: value for path, value in unit.items() if base.get(path) is not value}
                changes.update((path, None) for path in base.keys() - unit.keys())
                if len(changes) <= max(DELTA_MIN, len(base) // 10):
                    stored, _bases[tree] = ("delta", base_tree, changes), base_tree  # type: ignore[index]
            replace_file(self.folder / f"{tree}.pickle", pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
            self._remember(name, tree, _bases.get(tree) if stored is not unit else None)
        except OSError:
            pass  # a read-only or full disk: the cache is only an optimisation

    def _remember(self, name: str, tree: str, base: str | None) -> None:
        pointer = self.folder / "latest" / _safe(name)
        remember(pointer, pointer.with_suffix(".trees"), self.folder, tree, base, KEEP_PER_FOLDER)


def remember(pointer: Path, history: Path, pickles: Path, tree: str, base: str | None, keep: int) -> None:
    """Point `pointer` at `tree` and keep a folder's last `keep` trees (and the full
    versions their deltas are based on) in `pickles`; older ones are deleted."""
    lines = [line.split() for line in (history.read_text().splitlines() if history.exists() else [])]
    kept = [line for line in lines if line and line[0] != tree] + [[tree] + ([base] if base else [])]
    needed = {t for line in kept[-keep:] for t in line}
    for old in {t for line in kept for t in line} - needed:
        (pickles / f"{old}.pickle").unlink(missing_ok=True)
    kept = [line for line in kept[:-keep] if line[0] in needed] + kept[-keep:]
    replace_file(history, "\n".join(" ".join(line) for line in kept).encode())
    replace_file(pointer, tree.encode())


_stamp: list[str] = []


def code_stamp(git_dir: Path | None = None) -> str:
    """Names this p2p and Python: p2p's version, a checksum of its modules' text, and
    the Python version. The caches hold p2p's own classes and the results of its
    rules, and CI may restore them for a newer checkout of p2p with the same version
    number: a changed module starts them afresh, and the same code in a fresh checkout
    (new file times) finds them. With `git_dir`, the checksum is kept in its
    `p2p/code-stamp` (see stamp_of)."""
    if not _stamp:
        from p2p import __version__

        checksum = stamp_of(Path(__file__).resolve().parent.parent, git_dir / "p2p" / "code-stamp" if git_dir else None)
        _stamp.append(f"p2p{__version__}-{checksum}-py{sys.version_info[0]}{sys.version_info[1]}")
    return _stamp[0]


def stamp_of(package: Path, memo: Path | None = None) -> str:
    """A checksum of a package's modules: their names and text (~500 KB; CRC-32, which
    reads it in about three milliseconds, where hashlib's import alone costs more;
    ten when the files are not in the OS's cache, as Python itself reads only their
    compiled form). With `memo` (a file in the store's cache folder), the checksum
    is kept beside the files' sizes and times, and read back while they are the same:
    a file written again changes its ctime, even when its size and mtime are kept."""
    import zlib

    files = [folder / name for folder in sorted((package, *(p for p in package.iterdir()
                                                            if p.is_dir() and not p.name.startswith("__"))))
             for name in sorted(e.name for e in os.scandir(folder) if e.name.endswith(".py"))]
    seen = 0
    for path in files:
        found = path.stat()
        seen = zlib.crc32(f"{path.parent.name}/{path.name} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns}\n"
                          .encode(), seen)
    try:
        kept_seen, kept = memo.read_text().split() if memo else ("", "")
    except (OSError, ValueError):
        kept_seen, kept = "", ""
    if kept_seen == f"{seen:08x}":
        return kept
    checksum = 0
    for path in files:
        checksum = zlib.crc32(f"{path.parent.name}/{path.name}\n".encode(), checksum)
        checksum = zlib.crc32(path.read_bytes(), checksum)
    if memo is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            replace_file(memo, f"{seen:08x} {checksum:08x}".encode())
        except OSError:
            pass  # read-only: the next command reads the text again
    return f"{checksum:08x}"


def drop_other_versions(folder: Path) -> None:
    """Another p2p or Python cannot read this layout: free the space of older ones (tens
    of MB on a big store), but keep the one written to last. Someone who runs two installs
    of p2p on one clone (a pinned one in a script, a newer one at the terminal) would
    otherwise rebuild the whole cache at every switch. A reader still using a dropped
    folder only loses its cache."""
    import shutil

    others = sorted((p for p in folder.parent.glob("v*-p2p*") if p != folder), key=_modified, reverse=True)
    for other in others[1:]:
        shutil.rmtree(other, ignore_errors=True)


def _modified(path: Path) -> float:
    """When a cache folder was last written: its own time or a subfolder's (tallies
    are written a level down, one folder per challenge)."""
    try:
        with os.scandir(path) as children:
            times = [c.stat().st_mtime for c in children if c.is_dir()]
        return max([path.stat().st_mtime, *times])
    except OSError:  # dropped meanwhile by another process
        return 0.0


def _safe(name: str) -> str:
    return name.replace("/", "__")


def replace_file(path: Path, data: bytes) -> None:
    """A cache file, written whole then renamed; not synced to disk: a file lost in a
    crash is only a miss."""
    from p2p.store.yamlio import write_atomic

    write_atomic(path, data, durable=False)
