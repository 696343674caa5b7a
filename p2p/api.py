"""The Python API: what the CLI does, for scripts that go beyond it.

    import p2p

    store = p2p.open_store("team-store")
    for row in store.standings("q4-pitch"):
        print(row["rank"], row["name"], row["score"])
    store.submit("ava", "q4-pitch", link="https://example.com/ava.mp4")
    store.rate("ben", "q4-pitch", "ava", {"opening": 4, "value-proposition": 5, "proof": 4, "call-to-action": 3})

Results are the plain dicts `--format json` prints (documented in the README), so a
script and a CI job read the same shapes. Writes are one commit each, authored as the
acting person, exactly as on the command line (they do not push: call `sync()`).
Errors are `p2p.P2PError`, with the one-line message the CLI prints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping, Sequence

from p2p.errors import P2PError

__all__ = ["open_store", "Store", "P2PError"]


def open_store(path: str | Path | None = None) -> Store:
    """The store at `path`, or the nearest one above the current folder."""
    from p2p.store.store import Store as GitStore

    return Store(GitStore.open(Path(path) if path is not None else None))


class Store:
    """A p2p store: read standings and figures, record entries."""

    def __init__(self, store: Any) -> None:
        self._store = store

    @property
    def root(self) -> Path:
        return self._store.root  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------
    def people(self, team: str | None = None, role: str | None = None, at: str = "HEAD") -> list[dict[str, Any]]:
        from p2p import views

        return views.people_doc(self._store.load(at, []), team, role)["people"]  # type: ignore[no-any-return]

    def challenges(self, now: dt.datetime | None = None, at: str = "HEAD") -> list[dict[str, Any]]:
        from p2p import views

        return views.challenges_doc(self._store.load(at, folded=True), _now(now))["challenges"]  # type: ignore[no-any-return]

    def standings(self, challenge: str, now: dt.datetime | None = None, at: str = "HEAD",
                  aggregate: str | None = None) -> list[dict[str, Any]]:
        """The leaderboard rows of one challenge (`p2p leaderboard CHALLENGE`)."""
        from p2p import reports

        snapshot = self._store.load(at, [challenge], folded=True)
        return reports.leaderboard_doc(snapshot, snapshot.challenge(challenge), _now(now), aggregate)["rows"]  # type: ignore[no-any-return]

    def season(self, season: str | None = None, by: str = "person", now: dt.datetime | None = None,
               at: str = "HEAD") -> list[dict[str, Any]]:
        """Season standings by points, per person, team or role (`p2p leaderboard`)."""
        from p2p import reports

        return reports.season_doc(self._store.load(at, records=True, folded=True), season, _now(now), by)["rows"]  # type: ignore[no-any-return]

    def stats(self, season: str | None = None, team: str | None = None, role: str | None = None,
              outcomes: bool = False, now: dt.datetime | None = None, at: str = "HEAD") -> dict[str, Any]:
        """Every figure of `p2p stats --format json`."""
        from p2p import insight

        snapshot = self._store.load(at, records=True, folded=True)
        return insight.stats_doc(snapshot, season, _now(now), insight.Scope(team, role), outcomes)

    # -- writing ---------------------------------------------------------------------
    def submit(self, person: str, challenge: str, *, link: str | None = None, notes: str | None = None,
               tags: Sequence[str] = (), metric: float | None = None, team: str | None = None,
               partner: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
        """Record `person`'s submission; returns {entry, path, commit}."""
        from p2p import actions

        return _written(actions.submit(self._store, person, _now(now), challenge, link=link, notes=notes, tags=tags,
                                       metric=metric, team=team, partner=partner))

    def rate(self, rater: str, challenge: str, person: str, scores: Mapping[str, float], *,
             comment: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
        """Record `rater`'s rating of `person`'s current submission: a score per criterion."""
        from p2p import actions

        pairs = [f"{criterion}={value:g}" for criterion, value in scores.items()]
        return _written(actions.rate(self._store, rater, _now(now), challenge, person, pairs, comment))

    def sync(self, timeout: float | None = None) -> Any:
        """Push this clone's commits to the shared remote (`p2p sync`)."""
        return self._store.sync(self._store.load(challenges=[]).settings, timeout, fold=True)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.timezone.utc)


def _written(written: Any) -> dict[str, Any]:
    return {"entry": written.entry.to_doc(), "path": written.path, "commit": written.commit}
