"""A store as of one revision: plain records, and the problems found loading it.
The loader (p2p.store.loader) builds it, everything else reads it. It is plain data
but for a store read `folded` whole: its tallies are then read from the store when
asked for, and `played` keeps challenges' results there (see p2p.game.play_one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from p2p import model
from p2p.entries import Entry
from p2p.settings import Settings
from p2p.errors import NotFound
from p2p.ids import check_id


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Snapshot:
    """The store as of one revision: configuration, people, challenges, and the
    entries of the challenges that were asked for, sorted by id (time order)."""

    commit: str | None
    settings: Settings
    people: dict[str, model.Person]
    challenges: dict[str, model.Challenge]
    entries: list[Entry]
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    entry_paths: dict[str, list[str]] = field(default_factory=dict)
    oids: dict[str, str] = field(default_factory=dict)  # path -> git blob id
    records: list[Any] = field(default_factory=list)  # p2p.records, sorted by id; loaded when asked for
    # p2p.scoring.Tally by challenge slug, in place of its entries, when read `folded`
    tallies: Mapping[str, Any] = field(default_factory=dict)
    # When read `folded` whole: (challenge, variant, play[, kind]) -> the challenge played
    # from its tally by `play`, kept across processes (as `kind`: "played" unless given)
    # under its tally, people, settings and `variant` (what else the result depends
    # on); see p2p.game.play_one and season_points.
    played: Callable[..., Any] | None = None
    # When read `folded` whole: (folder, variant, make, fits, held, grows) -> make(the entries
    # of one entries folder), read from the store unless held, and kept like `played`
    # when `variant` is given; `folders`: the name of every entries folder (see `with_entries`).
    read_folder: Callable[[str, tuple[Any, ...] | None, Callable[[list[Entry]], Any], Any, Any, Any], Any] | None = None
    folders: list[str] | None = None
    _by_challenge: dict[str, list[Entry]] | None = field(default=None, init=False, repr=False, compare=False)

    def entries_of(self, slug: str) -> list[Entry]:
        if self._by_challenge is None:  # grouped once: pages ask per challenge, many times
            self._by_challenge = {}
            for entry in self.entries:
                self._by_challenge.setdefault(entry.challenge, []).append(entry)
        return list(self._by_challenge.get(slug, ()))

    def with_entries(self, folder: str, make: Callable[[list[Entry]], Any], variant: tuple[Any, ...] | None = None,
                     fits: Callable[[Any], bool] | None = None, held: list[Entry] | None = None,
                     grows: Callable[[Any, list[Entry]], Any] | None = None) -> Any:
        """`make(the entries of one challenge folder)`. Read folded whole, the store is
        read one folder at a time and nothing of it stays in memory, and with `variant`
        (what else the result depends on besides the folder, people and settings) the
        result is kept across processes, to be used again when `fits(result)` (if
        given); otherwise from this snapshot's entries. `held`: the folder's entries,
        when the caller has them in hand: made from them, nothing is read again.
        `grows(result, added)`: a result kept before entries were `added` to the
        folder, as it stands with them; used if it still `fits` (the loader's
        from_entries)."""
        challenge = self.challenges.get(folder)
        if self.read_folder is None or (challenge is not None and challenge.race is not None):  # races: read already
            return make(self.entries_of(folder) if held is None else held)
        return self.read_folder(folder, variant, make, fits, held, grows)

    def entry_folders(self) -> list[str]:
        """The name of every entries folder: each challenge's with entries, and any of
        no challenge (which a full read also holds)."""
        if self.folders is not None:
            return list(self.folders)
        return sorted({entry.challenge for entry in self.entries})

    def person(self, pid: str) -> model.Person:
        """The person `pid`, or NotFound naming where people are listed."""
        check_id(pid, "person")
        if pid not in self.people:
            raise NotFound(f"person {pid!r} is not in people/; see `p2p people list`")
        return self.people[pid]

    def with_email(self, email: str) -> list[model.Person]:
        """The people whose e-mail is `email` (any case): from the e-mails' index
        when the people are a write's, read back one by one (p2p.store.kept_people)."""
        index = getattr(self.people, "with_email", None)
        if index is not None:
            return index(email)  # type: ignore[no-any-return]
        return [p for p in self.people.values() if p.email.lower() == email.lower()]

    def challenge(self, slug: str) -> model.Challenge:
        check_id(slug, "challenge")
        if slug not in self.challenges:
            raise NotFound(f"challenge {slug!r} does not exist; see `p2p challenge list`")
        return self.challenges[slug]
