"""Store validation as a list of small pure functions: each takes a loaded snapshot
and yields findings (path, field, message). A new rule is a new function in CHECKS.
The loader's own problems (YAML syntax, schemas, misplaced files) come first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Container, Iterator, NamedTuple

from p2p.entries import Feature, Rating, Submission
from p2p.model import Rubric
from p2p.store import layout
from p2p.snapshot import Problem, Snapshot


@dataclass(frozen=True)
class Finding:
    path: str
    field: str | None
    message: str


def check_managers(snap: Snapshot) -> Iterator[Finding]:
    for person in snap.people.values():
        if person.manager and person.manager not in snap.people:
            yield Finding(layout.person_path(person.id), "manager", f"manager {person.manager!r} is not in people/")


def check_emails(snap: Snapshot) -> Iterator[Finding]:
    counts = Counter(p.email.lower() for p in snap.people.values())
    for person in sorted(snap.people.values(), key=lambda p: p.id):
        if counts[person.email.lower()] > 1:
            yield Finding(layout.person_path(person.id), "email", f"e-mail {person.email} is used by more than one person")


def check_duplicate_ids(snap: Snapshot) -> Iterator[Finding]:
    for entry_id, paths in sorted(snap.entry_paths.items()):
        for path in paths[1:]:
            yield Finding(path, "id", f"duplicate entry id {entry_id}: also in {paths[0]}")


def check_entry_references(snap: Snapshot) -> Iterator[Finding]:
    submissions = {e.id: e for e in snap.entries if isinstance(e, Submission)}
    for entry in snap.entries:
        path = snap.entry_paths[entry.id][0]
        if entry.by not in snap.people:
            yield Finding(path, "by", f"{entry.by!r} is not in people/")
        challenge = snap.challenges.get(entry.challenge)
        if challenge is None:
            yield Finding(path, "challenge", f"challenge {entry.challenge!r} is not in challenges/")
            continue
        if isinstance(entry, Submission):
            yield from _submission(snap, path, entry, challenge.mode)
        elif isinstance(entry, Rating):
            yield from _rating(path, entry, submissions.get(entry.submission), challenge.rubric)
        elif isinstance(entry, Feature) and entry.submission not in submissions:
            yield Finding(path, "submission", f"submission {entry.submission} is not in challenge {entry.challenge}")


def _submission(snap: Snapshot, path: str, entry: Submission, mode: str) -> Iterator[Finding]:
    if mode == "metric" and entry.metric is None:
        yield Finding(path, None, f"metric challenge {entry.challenge}: the submission has no metric value")
    if entry.partner is not None and entry.partner not in snap.people:
        yield Finding(path, "partner", f"partner {entry.partner!r} is not in people/")


def _rating(path: str, entry: Rating, submission: Submission | None, rubric: Rubric) -> Iterator[Finding]:
    if submission is None or submission.challenge != entry.challenge:
        yield Finding(path, "submission", f"submission {entry.submission} is not in challenge {entry.challenge}")
    else:
        if submission.by != entry.person:
            yield Finding(path, "person", f"submission {entry.submission} is by {submission.by}, not {entry.person}")
        if entry.by == submission.by:
            yield Finding(path, "by", f"self-rating: {entry.by} rated their own submission")
    for key, value in entry.scores.items():
        if rubric.criterion(key) is None:
            allowed = ", ".join(c.id for c in rubric.criteria)
            yield Finding(path, f"scores.{key}", f"unknown criterion {key!r}; the rubric has {allowed}")
        elif not rubric.min <= value <= rubric.max:
            yield Finding(path, f"scores.{key}", f"score {key}={value:g} is outside the scale {rubric.min} to {rubric.max}")
    missing = [c.id for c in rubric.criteria if c.id not in entry.scores]
    if missing:
        yield Finding(path, "scores", f"no score for {', '.join(missing)}")


def check_entry_times(snap: Snapshot) -> Iterator[Finding]:
    """Submissions while the challenge was open, ratings until its review closed: the
    CLI enforces this, so an entry outside its window was made by hand or by a
    machine with a wrong clock."""
    tz = snap.settings.tz
    for entry in snap.entries:
        challenge = snap.challenges.get(entry.challenge)
        what = {"submission": "submitted", "rating": "rated", "vote": "voted"}.get(entry.kind)
        if challenge is None or what is None:  # feedback, features and assignments may come any time
            continue
        opens, closes, review_closes = challenge.window(tz)
        ends = closes if isinstance(entry, Submission) else review_closes
        if challenge.closed_at is not None:
            ends = min(ends, challenge.closed_at)
        if not opens <= entry.at < ends:
            when = lambda t: t.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")  # noqa: E731
            yield Finding(snap.entry_paths[entry.id][0], "at", f"{what} at {when(entry.at)}, outside "
                          f"{entry.challenge}'s window ({when(opens)} to {when(ends)})")


STORE_CHECKS: list[Callable[[Snapshot], Iterator[Finding]]] = [check_managers, check_emails]
ENTRY_CHECKS: list[Callable[[Snapshot], Iterator[Finding]]] = [check_duplicate_ids, check_entry_references,
                                                              check_entry_times]

Locate = Callable[[Snapshot, str, str], "int | None"]  # (snapshot, path, dotted field) -> its line


class Checked(NamedTuple):
    """One entries folder checked by itself: what `run` folds into the store's problems."""

    files: int
    ids: list[str]  # of its entries, as read
    problems: list[Problem]  # of its files, and its entries' findings, located
    submissions: list[str]  # the ids of its submissions
    picks: list[tuple[str, Problem]]  # (a submission not in the folder, the problem if no folder holds it)


def check_folder(base: Snapshot, folder: Snapshot, locate: Locate, earlier: Container[str] = ()
                 ) -> tuple[Checked, Snapshot]:
    """The findings of one folder's entries but those whose ids are `earlier` (met in
    an earlier folder: a full read keeps only the first), and the snapshot they were
    checked in."""
    kept = [e for e in folder.entries if e.id not in earlier]
    paths = folder.entry_paths if len(kept) == len(folder.entries) else {e.id: folder.entry_paths[e.id] for e in kept}
    part = replace(base, entries=kept, problems=[], files=folder.files, oids=folder.oids, entry_paths=paths)
    picked = {paths[e.id][0]: e.submission for e in kept if isinstance(e, Feature)}
    problems, picks = list(folder.problems), []
    for check in ENTRY_CHECKS:
        for f in check(part):
            problem = Problem(f.path, locate(part, f.path, f.field) if f.field else None, f.message)
            if f.field == "submission" and f.path in picked:  # it may be in a later folder
                picks.append((picked[f.path], problem))
            else:
                problems.append(problem)
    submissions = [e.id for e in kept if isinstance(e, Submission)]
    return Checked(folder.files, [e.id for e in folder.entries], problems, submissions, picks), part


Recall = Callable[[str, Callable[[], Checked]], Checked]  # (folder, check it) -> kept, or checked now


def run(base: Snapshot, folders: list[str], read: Callable[[str], Snapshot],
        locate: Locate = lambda snap, path, field: None,
        concerns: Callable[[Snapshot], list[Problem]] | None = None,
        recall: Recall = lambda name, check: check()) -> tuple[list[Problem], int, list[Problem]]:
    """(every problem in the store, sorted by path then line; how many files were
    checked; each folder's `concerns`). `base` is the store without its entries, and
    `read(name)` the files of one of the entries `folders` by themselves, read in
    store order: a big store's million entries are never in memory together. The
    problems are those of the whole store read at once: an entry id met in an earlier
    folder is a duplicate of the first (and checked no further: a full read keeps
    only the first), and a feature may pick a submission of another folder. `recall`
    may give a folder's check kept from an earlier run (not with `concerns`)."""
    found: set[Problem] = set(base.problems)
    for check in STORE_CHECKS:
        for f in check(base):
            found.add(Problem(f.path, locate(base, f.path, f.field) if f.field else None, f.message))
    seen: dict[str, str] = {}  # entry id -> the folder it was first met in
    submissions: set[str] = set()
    picks: list[tuple[str, Problem]] = []
    files = base.files
    raised: dict[str, list[Problem]] = {}
    again: dict[str, dict[str, list[str]]] = {}  # an earlier folder read again for its duplicates: its paths

    def first_path(entry_id: str) -> str:  # rare: a copied folder repeats one earlier folder thousands of times
        name = seen[entry_id]
        if name not in again:
            again.clear()
            again[name] = read(name).entry_paths
        return again[name][entry_id][0]

    for name in folders:
        read_now: list[Snapshot] = []  # the folder, when checked now rather than recalled

        def check_now() -> Checked:
            read_now.append(read(name))  # noqa: B023 - called before the loop moves on
            return check_folder(base, read_now[0], locate)[0]

        checked = None if concerns is not None else recall(name, check_now)
        if checked is None or any(i in seen for i in checked.ids):
            folder = read_now[0] if read_now else read(name)
            for entry in folder.entries:
                if entry.id in seen:
                    earlier = first_path(entry.id)
                    found.update(Problem(path, locate(folder, path, "id"), f"duplicate entry id {entry.id}: also in {earlier}")
                                 for path in folder.entry_paths[entry.id])
            checked, part = check_folder(base, folder, locate, seen)
            if concerns is not None:
                raised[name] = concerns(part)
        files += checked.files
        found.update(checked.problems)
        for entry_id in checked.ids:
            seen.setdefault(entry_id, name)
        submissions.update(checked.submissions)
        picks.extend(checked.picks)
    found.update(problem for submission, problem in picks if submission not in submissions)
    in_order = [concern for name in sorted(raised) for concern in raised[name]]  # by challenge, as a full read
    return sorted(found, key=lambda p: (p.path, p.line or 0, p.message)), files, in_order
