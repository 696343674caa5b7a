"""Scoring tallies (p2p.scoring.Tally) kept under `.git/p2p/tallies/`, one file per
challenge folder tree, so a leaderboard after one new entry folds that entry into
the last tally instead of reading the challenge's 20,000 entries.

A state is (challenge, tally, problems): the challenge as it was folded under (a
changed rubric or format folds everything again) and the problems of the files of
that folder, which a read must still report. Beside them, whole-store reads keep
results per folder (`recall`: each challenge as played, what publish reads of its
entries, its check) and the problems of each folder tree (`problems-*`). Like the
parse cache, it is disposable, versioned, and written whole then renamed, so
concurrent processes see an old state or a new one; a file that cannot be read is
a miss."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from p2p.model import Challenge
from p2p.entries import Entry
from p2p.scoring import Tally, fold
from p2p.snapshot import Problem
from p2p.store.cache import code_stamp, drop_other_versions, remember, replace_file

VERSION = 2  # 2: ratings keep their criterion scores and comment length; feedback answers are folded
KEEP_PER_CHALLENGE = 3  # the last trees of each challenge: HEAD and a --since or --at or two
GROWN_MAX = 1_000  # a tally up to this many entries past a full one is written as those entries


class State(NamedTuple):
    challenge: Challenge
    tally: Tally
    problems: list[Problem]


class Grown(NamedTuple):
    """A tally written as the entries folded since a full one: one new entry writes a
    few hundred bytes instead of re-pickling 20,000 entries' worth (~20 ms)."""

    base: str  # the tree of the full state
    added: tuple[Entry, ...]  # in id order, every one newer than the base's newest


KEEP_RESULTS = 4  # results of each kind per folder: HEAD's, and a --since or another policy


class TallyCache:
    def __init__(self, git_dir: Path) -> None:
        self.folder = git_dir / "p2p" / "tallies" / f"v{VERSION}-{code_stamp(git_dir)}"
        self._grown: dict[str, Grown] = {}  # how each tree this process read was stored

    def get(self, slug: str, tree: str) -> State | None:
        stored = self._read(slug, tree)
        if isinstance(stored, Grown):
            state = self._read(slug, stored.base)
            if not isinstance(state, State):
                return None
            for entry in stored.added:
                fold(state.tally, state.challenge, entry)
            self._grown[tree] = stored
            return state
        if isinstance(stored, State):
            self._grown[tree] = Grown(tree, ())
            return stored
        return None

    def _read(self, slug: str, tree: str) -> object:
        try:
            with open(self.folder / slug / f"{tree}.pickle", "rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - any file that does not unpickle is a miss
            return None

    def latest(self, slug: str) -> tuple[str | None, State | None]:
        """(tree, state) last written for a challenge, to advance from."""
        try:
            tree = (self.folder / slug / "latest").read_text().strip()
        except OSError:
            return None, None
        return tree, self.get(slug, tree)

    def recall(self, folder: str, kind: str, key: str, compute: Callable[[], Any],
               fits: Callable[[Any], bool] | None = None, renew: Callable[[Any], Any] | None = None) -> Any:
        """`compute()` for an entries folder, kept as `kind-key` (the newest KEEP_RESULTS
        of each kind): a challenge as played from its tally (p2p.game.Played,
        `played`), what it adds to season points (p2p.game.contributions, `points`),
        what publish reads of its entries (`read`, `grown`), its check (`checked`).
        With `fits`, a kept result is used only when `fits(result)`; else it is
        computed and kept again under the same key. With `renew`, a kept result is
        first passed through it: it gives the result to use, kept again when it is
        another object, or None when it cannot be used."""
        kept = self._read(folder, f"{kind}-{key}")
        if kept is not None and renew is not None:
            renewed = renew(kept)
            if renewed is not None and renewed is not kept and (fits is None or fits(renewed)):
                self._keep(folder, kind, key, renewed, KEEP_RESULTS)
            kept = renewed
        if kept is None or (fits is not None and not fits(kept)):
            kept = compute()
            self._keep(folder, kind, key, kept, KEEP_RESULTS)
        return kept

    def holds(self, slug: str, tree: str) -> bool:
        """Whether a tally of the challenge is kept, at `tree` or one to advance from:
        without reading it."""
        return (self.folder / slug / f"{tree}.pickle").exists() or (self.folder / slug / "latest").exists()

    def get_problems(self, slug: str, tree: str) -> list[Problem] | None:
        """The problems of the files of an entries folder at `tree`, or None."""
        kept = self._read(slug, f"problems-{tree}")
        return kept if isinstance(kept, list) else None

    def put_problems(self, slug: str, tree: str, problems: list[Problem]) -> None:
        self._keep(slug, "problems", tree, problems, KEEP_PER_CHALLENGE)

    def _keep(self, slug: str, kind: str, key: str, value: Any, keep: int) -> None:
        """Write `value` as `kind-key` and delete all but the `keep` newest of its kind.
        By file times, not a list of names: processes writing at once would lose each
        other's names and leave files nobody deletes."""
        folder = self.folder / slug
        try:
            if not self.folder.exists():
                drop_other_versions(self.folder)
            replace_file(folder / f"{kind}-{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            kept = []
            for path in folder.glob(f"{kind}-*.pickle"):
                try:
                    kept.append((path.stat().st_mtime_ns, path.name, path))
                except OSError:
                    pass  # deleted meanwhile by another process
            for _, _, path in sorted(kept)[:-keep]:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only or full disk: tallies are only an optimisation

    def put(self, slug: str, tree: str, state: State, parent: str | None = None, added: Sequence[Entry] = ()) -> None:
        """Keep `state` as the challenge's tally at `tree`. When it is the tally at
        `parent` (read by this cache) plus `added`, it is written as grown from the
        full state that one came from."""
        folder = self.folder / slug
        prior = self._grown.get(parent) if parent else None
        stored: State | Grown = state
        if prior is not None and len(prior.added) + len(added) <= GROWN_MAX:
            stored = Grown(prior.base, (*prior.added, *added))
        try:
            if not self.folder.exists():
                drop_other_versions(self.folder)
            replace_file(folder / f"{tree}.pickle", pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
            base = stored.base if isinstance(stored, Grown) else None
            remember(folder / "latest", folder / "trees", folder, tree, base, KEEP_PER_CHALLENGE)
            self._grown[tree] = stored if isinstance(stored, Grown) else Grown(tree, ())
        except OSError:
            pass  # a read-only or full disk: tallies are only an optimisation
