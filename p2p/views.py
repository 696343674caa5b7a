"""Read use cases: turn a loaded snapshot into the plain documents that commands
print and that `--format json` promises (README, "JSON output"). No Click here."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from p2p import catalog, scoring
from p2p.entries import Entry
from p2p.fields import format_timestamp
from p2p.model import Challenge, ChallengeType, Person, Rubric
from p2p.snapshot import Snapshot


def person_doc(person: Person) -> dict[str, Any]:
    doc = person.to_doc()
    for key in ("region", "manager", "hired", "crm_id"):
        doc.setdefault(key, None)
    return doc


def people_doc(snapshot: Snapshot, team: str | None = None, role: str | None = None) -> dict[str, Any]:
    people = [p for p in sorted(snapshot.people.values(), key=lambda p: p.id)
              if (team is None or p.team == team) and (role is None or p.role == role)]
    return {"people": [person_doc(p) for p in people]}


def rubric_doc(rubric: Rubric) -> dict[str, Any]:
    doc = rubric.to_doc()
    for criterion in doc["criteria"]:
        criterion.setdefault("levels", {})
    return doc


def type_doc(kind: ChallengeType) -> dict[str, Any]:
    return {
        "type": kind.type, "title": kind.title, "description": kind.description, "skills": list(kind.skills),
        "mode": kind.mode, "format": kind.format, "duration_days": kind.duration_days,
        "review_days": kind.review_days, "roles": list(kind.roles), "min_ratings": kind.min_ratings,
        "metric": asdict(kind.metric) if kind.metric else None, "rubric": rubric_doc(kind.rubric),
    }


def types_doc() -> dict[str, Any]:
    return {"types": [type_doc(t) for t in catalog.builtin_types().values()]}


def challenge_doc(snapshot: Snapshot, challenge: Challenge, now: dt.datetime,
                  counts: tuple[int, int] | None = None) -> dict[str, Any]:
    """`counts`: its (current submissions, rating entries), when already counted."""
    tz = snapshot.settings.tz
    # Read folded, a store gives one challenge's entries at a time and keeps the counts.
    submitted, rated = counts or snapshot.with_entries(challenge.slug, lambda entries: entry_counts(challenge, entries),
                                                       ("counts",))
    return {
        "slug": challenge.slug, "title": challenge.title, "type": challenge.type,
        "description": challenge.description, "state": challenge.state(now, tz), "mode": challenge.mode,
        "format": challenge.format, "skills": list(challenge.skills), "roles": list(challenge.roles),
        "opens": challenge.opens.isoformat(), "closes": challenge.closes.isoformat(),
        "review_closes": challenge.review_closes.isoformat(),
        "closed_at": format_timestamp(challenge.closed_at) if challenge.closed_at else None,
        "min_ratings": challenge.needed_ratings(snapshot.settings),
        "metric": asdict(challenge.metric) if challenge.metric else None,
        "rubric": rubric_doc(challenge.rubric),
        "submissions": submitted,
        "ratings": rated,
    }


def entry_counts(challenge: Challenge, entries: list[Entry]) -> tuple[int, int]:
    """(current submissions, rating entries) of a challenge: what its doc counts."""
    return len(scoring.current_submissions(challenge, entries)), sum(1 for e in entries if e.kind == "rating")


def challenges_doc(snapshot: Snapshot, now: dt.datetime, state: str | None = None) -> dict[str, Any]:
    docs = [challenge_doc(snapshot, c, now) for c in sorted(snapshot.challenges.values(), key=lambda c: (c.opens, c.slug))]
    return {"challenges": [d for d in docs if state is None or d["state"] == state]}
