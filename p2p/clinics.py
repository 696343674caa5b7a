"""Deal clinics: a rep posts a stuck deal, peers suggest, the rep picks what to try
(an action item with a due date) and later records the outcome. Pure.

A suggestion the rep picked, in a clinic closed as won or moved, "helped": its
author earns points (p2p.yaml `points.clinic`) and it counts as knowledge sharing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from p2p.records import GOOD_OUTCOMES, Action, Clinic, ClinicClose, Done, Suggestion
from p2p.snapshot import Snapshot


def board(snapshot: Snapshot, today: dt.date) -> list[dict[str, Any]]:
    """Every clinic with its suggestions, picks and state: open, due (open past its
    follow-up date) or closed."""
    records = snapshot.records
    closes = {r.clinic: r for r in records if isinstance(r, ClinicClose)}
    done = {r.action for r in records if isinstance(r, Done)}
    picks: dict[str, Action] = {r.suggestion: r for r in records if isinstance(r, Action) and r.suggestion}
    suggestions: dict[str, list[Suggestion]] = {}
    for r in records:
        if isinstance(r, Suggestion):
            suggestions.setdefault(r.clinic, []).append(r)
    name = lambda pid: snapshot.people[pid].name if pid in snapshot.people else pid  # noqa: E731
    rows = []
    for clinic in (r for r in records if isinstance(r, Clinic)):
        closed = closes.get(clinic.id)
        state = "closed" if closed else "due" if clinic.follow_up < today else "open"
        helped = closed is not None and closed.outcome in GOOD_OUTCOMES
        rows.append({
            "id": clinic.id, "by": clinic.by, "name": name(clinic.by), "title": clinic.title, "notes": clinic.notes,
            "opened": clinic.at.date().isoformat(), "follow_up": clinic.follow_up.isoformat(), "state": state,
            "outcome": closed.outcome if closed else None, "outcome_notes": closed.notes if closed else None,
            "suggestions": [{"id": s.id, "by": s.by, "name": name(s.by), "text": s.text,
                             "picked": s.id in picks, "action": picks[s.id].id if s.id in picks else None,
                             "due": picks[s.id].due.isoformat() if s.id in picks and picks[s.id].due else None,
                             "tried": s.id in picks and picks[s.id].id in done,
                             "helped": helped and s.id in picks}
                            for s in suggestions.get(clinic.id, [])],
        })
    return rows


def helped(snapshot: Snapshot, starts: dt.date | None = None, ends: dt.date | None = None) -> dict[str, int]:
    """{person: suggestions of theirs that were picked in clinics closed as won or
    moved}, for clinics closed between `starts` and `ends` (inclusive) when given."""
    closes = {r.clinic: r for r in snapshot.records if isinstance(r, ClinicClose)}
    picked = {r.suggestion for r in snapshot.records if isinstance(r, Action) and r.suggestion}
    counts: dict[str, int] = {}
    for suggestion in (r for r in snapshot.records if isinstance(r, Suggestion)):
        closed = closes.get(suggestion.clinic)
        if closed is None or closed.outcome not in GOOD_OUTCOMES or suggestion.id not in picked:
            continue
        day = closed.at.astimezone(snapshot.settings.tz).date()
        if (starts is None or day >= starts) and (ends is None or day <= ends):
            counts[suggestion.by] = counts.get(suggestion.by, 0) + 1
    return counts


def written(snapshot: Snapshot) -> dict[str, int]:
    """{person: suggestions written}."""
    counts: dict[str, int] = {}
    for suggestion in (r for r in snapshot.records if isinstance(r, Suggestion)):
        counts[suggestion.by] = counts.get(suggestion.by, 0) + 1
    return counts
