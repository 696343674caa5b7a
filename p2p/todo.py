"""`p2p todo`: a person's assigned reviews, with due dates and what is done. Pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from p2p import scoring
from p2p.entries import Entry
from p2p.snapshot import Snapshot

# {reviewer: ((author, submission link, done), ...)} of one challenge's latest assignment
Reviews = dict[str, tuple[tuple[str, str, bool], ...]]


def todo(snapshot: Snapshot, person: str, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    tz = snapshot.settings.tz
    for challenge in sorted(snapshot.challenges.values(), key=lambda c: (c.review_closes, c.slug)):
        if challenge.state(now, tz) not in ("open", "review"):
            continue
        # Every reviewer's list, kept with the folder: a store of a million entries is
        # then read one challenge at a time once, and after that only where it changed.
        reviews = snapshot.with_entries(challenge.slug, lambda entries: assigned(challenge, entries), ("todo",))
        for author, link, done in reviews.get(person, ()):
            rows.append({"challenge": challenge.slug, "title": challenge.title, "person": author,
                         "name": snapshot.people[author].name if author in snapshot.people else author,
                         "link": link, "due": challenge.review_closes.isoformat(), "done": done})
    return rows


def assigned(challenge: Any, entries: list[Entry]) -> Reviews:
    """Each reviewer's assigned current submissions in the challenge, and whether
    they rated each."""
    by_author = {s.by: s for s in scoring.current_submissions(challenge, entries).values()}
    rated = {(e.by, e.submission) for e in entries if e.kind == "rating"}  # type: ignore[attr-defined]
    reviews: dict[str, list[tuple[str, str, bool]]] = {}
    for reviewer, author in scoring.current_assignment(entries):
        if author in by_author:
            submission = by_author[author]
            reviews.setdefault(reviewer, []).append((author, submission.link, (reviewer, submission.id) in rated))
    return {reviewer: tuple(rows) for reviewer, rows in reviews.items()}
