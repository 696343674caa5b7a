"""The audit trail: history says who did what, and p2p checks it can be trusted.
Pure: works on the commits the store reads from git.

- Every entry was committed by the person it says acted: its `by` person's e-mail
  is the commit's author e-mail.
- The log is append-only: no committed entry was ever modified or deleted.
- Where p2p.yaml asks for it (`audit: {signed: true}`), every commit that adds
  entries carries a good signature from the store's `allowed_signers`."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from p2p.entries import Entry
from p2p.model import Person
from p2p.store.repo import Change, Commit

T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    commit: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.commit[:12]} {self.path}: {self.message}"


def is_entry(path: str) -> bool:
    """An entry or a record (action items, activity, outcomes, pairings): both are
    append-only and committed by the person who acted."""
    parts = path.split("/")
    return len(parts) == 4 and parts[0] in ("entries", "records") and not parts[-1].startswith(".")


def audit(commits: Iterable[Commit], entries_of: Callable[[list[str]], Mapping[str, Entry | None]],
          people: Mapping[str, Person], signed: bool = False, batch: int = 5000) -> Iterator[Finding]:
    """Every violation in `commits` (oldest first), as found. Entries are read
    `batch` at a time through `entries_of` (blob ids -> entry, None when invalid): a
    history of a million one-entry commits reads in a few hundred git processes, and a
    bulk commit of a million entries never holds more than `batch` of them."""
    changes = ((commit, change) for commit in commits for change in commit.changes if is_entry(change.path))
    current = None  # the commit of the change before
    unsigned: Finding | None = None  # said after the commit's other findings
    for chunk in _chunks(changes, batch):
        read = entries_of([change.blob for _, change in chunk if change.status == "A"])
        for commit, change in chunk:
            if commit.id != current:
                if unsigned is not None:
                    yield unsigned
                current = commit.id
                unsigned = None if not signed or commit.signature == "G" else Finding(
                    commit.id, change.path, f"commit is not signed by a key in allowed_signers "
                    f"(git says {commit.signature or 'N'})")
            yield from _check(commit, change, read, people)
    if unsigned is not None:
        yield unsigned


def _check(commit: Commit, change: Change, read: Mapping[str, Entry | None],
           people: Mapping[str, Person]) -> Iterator[Finding]:
    if change.status != "A":
        verb = {"M": "modified", "D": "deleted", "T": "replaced"}.get(change.status, "changed")
        yield Finding(commit.id, change.path, f"a committed entry was {verb}; entries are append-only")
        return
    entry = read.get(change.blob)
    if entry is None:
        return  # not a valid entry: `p2p check` reports it
    person = people.get(entry.by)
    if person is None:
        yield Finding(commit.id, change.path, f"entry by {entry.by}, who is not in people/")
    elif person.email.lower() != commit.author.email.lower():
        yield Finding(commit.id, change.path, f"entry by {entry.by} <{person.email}> was committed "
                      f"as {commit.author.name} <{commit.author.email}>")


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter)."""
    while chunk := list(islice(items, size)):
        yield chunk


def added(commits: Iterable[Commit], challenge: str | None = None,
          person: str | None = None) -> Iterator[tuple[Commit, Change]]:
    """(commit, change) of each entry file a commit added, in the commits' order and a
    commit's own files last to first: read newest first, the newest entry comes first."""
    for commit in commits:
        for change in reversed(commit.changes):
            if change.status != "A" or not is_entry(change.path):
                continue
            _, slug, by, _ = change.path.split("/")
            if (challenge and slug != challenge) or (person and by != person):
                continue
            yield commit, change


def log_rows(added: Iterable[tuple[Commit, Change]], entries: Mapping[str, Entry | None]) -> list[dict[str, object]]:
    """One row per entry added (see `added`), with the commit that added it; `entries`
    by blob id."""
    rows: list[dict[str, object]] = []
    for commit, change in added:
        _, slug, by, name = change.path.split("/")
        entry = entries.get(change.blob)
        rows.append({"id": name[: -len(".yaml")], "kind": entry.kind if entry else "?", "challenge": slug,
                     "by": by, "at": entry.at.strftime("%Y-%m-%dT%H:%M:%SZ") if entry else None,
                     "commit": commit.id, "author": commit.author.email, "committer": commit.committer.email})
    return rows
