"""Scoring tallies (p2p.scoring.Tally) kept under `.git/p2p/tallies/`, one file per
challenge folder tree, so a leaderboard after one new entry folds that entry into
the last tally instead of reading the challenge's 20,000 entries.

A state is (challenge, tally, problems): the challenge as it was folded under (a
changed rubric or format folds everything again) and the problems of the files of
that folder, which a read must still report. Like the parse cache, it is
disposable, versioned, and written whole then renamed, so concurrent processes see
an old state or a new one; a file that cannot be read is a miss."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import NamedTuple

from p2p.model import Challenge
from p2p.scoring import Tally
from p2p.snapshot import Problem
from p2p.store.cache import drop_other_versions, replace_file

VERSION = 1
KEEP_PER_CHALLENGE = 3  # the last trees of each challenge: HEAD and a --since or --at or two


class State(NamedTuple):
    challenge: Challenge
    tally: Tally
    problems: list[Problem]


class TallyCache:
    def __init__(self, git_dir: Path) -> None:
        from p2p import __version__  # tallies hold p2p's own classes: a new p2p starts afresh

        py = f"{sys.version_info[0]}{sys.version_info[1]}"
        self.folder = git_dir / "p2p" / "tallies" / f"v{VERSION}-p2p{__version__}-py{py}"

    def get(self, slug: str, tree: str) -> State | None:
        try:
            with open(self.folder / slug / f"{tree}.pickle", "rb") as handle:
                state = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return None
        return state if isinstance(state, State) else None

    def latest(self, slug: str) -> tuple[str | None, State | None]:
        """(tree, state) last written for a challenge, to advance from."""
        try:
            tree = (self.folder / slug / "latest").read_text().strip()
        except OSError:
            return None, None
        return tree, self.get(slug, tree)

    def put(self, slug: str, tree: str, state: State) -> None:
        folder = self.folder / slug
        try:
            if not self.folder.exists():
                drop_other_versions(self.folder)
            folder.mkdir(parents=True, exist_ok=True)
            replace_file(folder / f"{tree}.pickle", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
            history = folder / "trees"
            trees = [t for t in (history.read_text().split() if history.exists() else []) if t != tree] + [tree]
            for old in trees[:-KEEP_PER_CHALLENGE]:
                (folder / f"{old}.pickle").unlink(missing_ok=True)
            replace_file(history, "\n".join(trees[-KEEP_PER_CHALLENGE:]).encode())
            replace_file(folder / "latest", tree.encode())
        except OSError:
            pass  # a read-only or full disk: tallies are only an optimisation
