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
import tempfile
from pathlib import Path
from typing import Any

VERSION = 3  # units hold (blob id, document or None for a valid entry, parsed entry or None)
KEEP_PER_FOLDER = 4  # recent trees per folder: enough for --at a few commits back and concurrent readers

# path -> (blob id, document or a YamlError as ("!error", message, line), the valid entry or None)
Unit = dict[str, tuple[str, Any, Any]]
_memo: dict[str, Unit] = {}  # this process's units by tree id: a write reads people twice


class TreeCache:
    def __init__(self, git_dir: Path) -> None:
        from p2p import __version__  # parsed entries are p2p's own classes: a new p2p starts afresh

        py = f"{sys.version_info[0]}{sys.version_info[1]}"
        self.folder = git_dir / "p2p" / "cache" / f"v{VERSION}-p2p{__version__}-py{py}"

    def get(self, tree: str) -> Unit | None:
        if tree in _memo:
            return _memo[tree]
        try:
            with open(self.folder / f"{tree}.pickle", "rb") as handle:
                unit = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return None
        if not isinstance(unit, dict):
            return None
        _memo[tree] = unit
        return unit

    def latest(self, name: str) -> Unit:
        """The most recent cached version of a folder (`name` is its path), to reuse
        the documents of unchanged blobs; empty when there is none."""
        try:
            tree = (self.folder / "latest" / _safe(name)).read_text().strip()
        except OSError:
            return {}
        return self.get(tree) or {}

    def put(self, name: str, tree: str, unit: Unit) -> None:
        try:
            if not self.folder.exists():
                self._drop_other_versions()
            (self.folder / "latest").mkdir(parents=True, exist_ok=True)
            _memo[tree] = unit
            _write(self.folder / f"{tree}.pickle", pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL))
            pointer = self.folder / "latest" / _safe(name)
            history = pointer.with_suffix(".trees")
            trees = [t for t in (history.read_text().split() if history.exists() else []) if t != tree] + [tree]
            for old in trees[:-KEEP_PER_FOLDER]:
                (self.folder / f"{old}.pickle").unlink(missing_ok=True)
            _write(history, "\n".join(trees[-KEEP_PER_FOLDER:]).encode())
            _write(pointer, tree.encode())
        except OSError:
            pass  # a read-only or full disk: the cache is only an optimisation


    def _drop_other_versions(self) -> None:
        """A new p2p or Python cannot read an older layout: free its space (tens of
        MB on a big store). A reader still using it only loses its cache."""
        import shutil

        for other in self.folder.parent.glob("v*-p2p*"):
            if other != self.folder:
                shutil.rmtree(other, ignore_errors=True)


def _safe(name: str) -> str:
    return name.replace("/", "__")


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
