"""What a set-up command changed, and how it commits. Set-up writes (the roster,
challenge definitions) are configuration, not entries: they commit as the local git
identity (a sales-ops person or a CI bot) or as the --as person, and they are
idempotent — an unchanged definition makes no commit, so CI can run them on every
push."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from p2p.errors import NotFound
from p2p.ids import check_id
from p2p.snapshot import Snapshot
from p2p.store.repo import Identity
from p2p.store.store import Store
@dataclass
class Changes:
    """What a set-up command did, per id: created / updated / unchanged."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why) of rows left out
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what) of rows taken with a caveat
    commit: str | None = None

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def setup_identity(store: Store, snapshot: Snapshot, as_id: str | None) -> Identity:
    if as_id:
        check_id(as_id, "--as")
        if as_id not in snapshot.people:
            raise NotFound(f"--as {as_id!r} is not in people/; set-up commands may also run without --as")
        who = snapshot.people[as_id]
        return Identity(who.name, who.email)
    return store.committer()


def commit_setup(store: Store, snapshot: Snapshot, as_id: str | None, files: Mapping[str, bytes],
            message: str, changes: Changes, dry_run: bool = False) -> Changes:
    if files and not dry_run:
        identity = setup_identity(store, snapshot, as_id)
        changes.commit = store.write(files, message, identity, store.committer(fallback=identity))
    return changes
