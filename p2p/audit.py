"""The audit trail: history says who did what, and p2p checks it can be trusted.
Pure: works on the commits the store reads from git.

- Every entry was committed by the person it says acted: its `by` person's e-mail
  is the commit's author e-mail.
- The log is append-only: no committed entry was ever modified or deleted.
- Where p2p.yaml asks for it (`audit: {signed: true}`), every commit that adds
  entries carries a good signature from the store's `allowed_signers`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

from p2p.entries import Entry
from p2p.model import Person
from p2p.store.repo import Change, Commit


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


def audit(commits: list[Commit], entry_of: Callable[[str], Entry | None], people: Mapping[str, Person],
          signed: bool = False) -> list[Finding]:
    found = []
    for commit in commits:
        changes = [c for c in commit.changes if is_entry(c.path)]
        for change in changes:
            if change.status != "A":
                verb = {"M": "modified", "D": "deleted", "T": "replaced"}.get(change.status, "changed")
                found.append(Finding(commit.id, change.path, f"a committed entry was {verb}; entries are append-only"))
                continue
            entry = entry_of(change.blob)
            if entry is None:
                continue  # not a valid entry: `p2p check` reports it
            person = people.get(entry.by)
            if person is None:
                found.append(Finding(commit.id, change.path, f"entry by {entry.by}, who is not in people/"))
            elif person.email.lower() != commit.author.email.lower():
                found.append(Finding(commit.id, change.path, f"entry by {entry.by} <{person.email}> was committed "
                                     f"as {commit.author.name} <{commit.author.email}>"))
        if signed and changes and commit.signature not in ("G",):
            found.append(Finding(commit.id, changes[0].path, f"commit is not signed by a key in allowed_signers "
                                 f"(git says {commit.signature or 'N'})"))
    return found


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
