"""`p2p todo`: a person's assigned reviews, with due dates and what is done. Pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from p2p import scoring
from p2p.snapshot import Snapshot


def todo(snapshot: Snapshot, person: str, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    tz = snapshot.settings.tz
    for challenge in sorted(snapshot.challenges.values(), key=lambda c: (c.review_closes, c.slug)):
        state = challenge.state(now, tz)
        if state not in ("open", "review"):
            continue
        entries = snapshot.entries_of(challenge.slug)
        submissions = scoring.current_submissions(challenge, entries)
        by_author = {s.by: s for s in submissions.values()}
        for reviewer, author in scoring.current_assignment(entries):
            if reviewer != person or author not in by_author:
                continue
            done = any(e.kind == "rating" and e.by == person and e.submission == by_author[author].id  # type: ignore[union-attr]
                       for e in entries)
            rows.append({"challenge": challenge.slug, "title": challenge.title, "person": author,
                         "name": snapshot.people[author].name if author in snapshot.people else author,
                         "link": by_author[author].link, "due": challenge.review_closes.isoformat(),
                         "done": done})
    return rows
