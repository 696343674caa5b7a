"""The folder `p2p publish` writes: pages are put one at a time as they render,
changed ones staged inside it and moved into place together at the end. p2p
remembers its pages in OUT_DIR/.p2p-pages, deletes those it no longer produces (a
removed person or challenge) and never touches other files."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from p2p.progress import steps

MANIFEST = ".p2p-pages"
STAGING = ".p2p-staging-"  # changed pages, until every page has rendered


@dataclass
class Published:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.deleted)} deleted")


class PageFolder:
    """The output folder, written as pages come. A changed page is staged in a hidden
    folder inside it and moved into place only when every page has rendered, so a
    template that fails half-way changes no page. Pages p2p wrote before and no
    longer produces are deleted then, and the manifest rewritten."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir, self.result, self.names = out_dir, Published(), []
        manifest = out_dir / MANIFEST
        self.before = set(manifest.read_text().split("\n")) - {""} if manifest.is_file() else set()
        self.staging: Path | None = None
        self.staged: list[str] = []
        for left in out_dir.glob(f"{STAGING}*"):  # by a publish that was killed
            shutil.rmtree(left, ignore_errors=True)

    def __enter__(self) -> PageFolder:
        return self

    def __exit__(self, *_: object) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def keep(self, name: str) -> None:
        """The page `name` is known to be in place already."""
        self.names.append(name)
        self.result.unchanged.append(name)

    def put(self, name: str, text: str) -> None:
        self.names.append(name)
        path = self.out_dir / name
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            self.result.unchanged.append(name)
            return
        (self.result.updated if path.exists() else self.result.created).append(name)
        if self.staging is None:
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.out_dir))
        (self.staging / name).write_bytes(data)
        self.staged.append(name)

    def finish(self) -> Published:
        from p2p.store.yamlio import write_atomic

        # Not synced to disk page by page (an fsync each was a tenth of a publish after
        # one new entry): a page lost in a crash differs from what the store renders,
        # so the next publish writes it again.
        for name in steps(self.staged, "writing pages"):
            os.replace(self.staging / name, self.out_dir / name)  # type: ignore[operator]
        names = set(self.names)
        for name in sorted(self.before - names):
            if "/" not in name and (self.out_dir / name).is_file():
                (self.out_dir / name).unlink()
                self.result.deleted.append(name)
        manifest = self.out_dir / MANIFEST
        listing = "".join(f"{name}\n" for name in sorted(names))
        if not manifest.is_file() or manifest.read_text() != listing:
            write_atomic(manifest, listing.encode())  # synced: it says which old pages to delete
        for found in (self.result.created, self.result.updated, self.result.unchanged):
            found.sort()
        return self.result
