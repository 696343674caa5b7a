"""Pure scoring: fold a challenge's entries into standings. No git, no files.

The rules (README "How scores are computed"):
1. Each rater's latest rating of a submission counts; self-ratings (and, in team
   challenges, ratings by the submitting team) and raters not in the roster do not.
2. A rater's score is the weighted mean of their criterion scores.
3. A submission's score is the median of its raters' scores.
4. It is ranked only with at least `min_ratings` ratings; otherwise it is pending.
5. Ranks are competition ranks (1, 2, 2, 4); rows sort by (-score, person id).
Metric challenges rank by the latest submitted value, in the metric's direction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

from p2p.entries import Entry, Rating, Submission
from p2p.model import Challenge, Person, Rubric
from p2p.settings import Settings

_TIE_DIGITS = 9  # scores equal to 9 places are a tie (guards against float noise)


@dataclass(frozen=True)
class Row:
    rank: int | None
    person: str
    name: str
    team: str | None
    role: str | None
    score: float | None
    ratings: int
    status: str
    submission: str
    link: str | None = None
    metric: float | None = None


def unit_of(challenge: Challenge, submission: Submission) -> str:
    """Who a submission stands for: the team in team challenges, else its author."""
    if challenge.format == "team" and submission.team:
        return f"team:{submission.team}"
    return submission.by


def current_submissions(challenge: Challenge, entries: Iterable[Entry]) -> dict[str, Submission]:
    """The latest submission of each person (or team). Entries are ordered by id,
    which is time-sortable and, per writer, later than every entry it had seen, so a
    clock that runs behind cannot make a newer entry lose."""
    latest: dict[str, Submission] = {}
    for entry in sorted((e for e in entries if isinstance(e, Submission)), key=lambda e: e.id):
        latest[unit_of(challenge, entry)] = entry
    return latest


def current_submission(challenge: Challenge, entries: Iterable[Entry], person: Person) -> Submission | None:
    current = current_submissions(challenge, entries)
    if challenge.format == "team":
        return current.get(f"team:{person.team}") or current.get(person.id)
    return current.get(person.id)


def rater_score(rubric: Rubric, scores: Mapping[str, float]) -> float | None:
    """Σ wᵢ·xᵢ / Σ wᵢ over the rubric's criteria; None if any is missing or out of range."""
    total = weights = 0.0
    for criterion in rubric.criteria:
        value = scores.get(criterion.id)
        if value is None or not rubric.min <= value <= rubric.max:
            return None
        total += criterion.weight * value
        weights += criterion.weight
    return total / weights


def counted_ratings(challenge: Challenge, submission: Submission, entries: Iterable[Entry],
                    people: Mapping[str, Person]) -> dict[str, Rating]:
    """Each eligible rater's latest rating of `submission`."""
    latest: dict[str, Rating] = {}
    for entry in sorted((e for e in entries if isinstance(e, Rating)), key=lambda e: e.id):
        if entry.submission != submission.id or entry.by == submission.by or entry.by not in people:
            continue
        if challenge.format == "team" and submission.team and people[entry.by].team == submission.team:
            continue
        latest[entry.by] = entry
    return latest


def median(values: Sequence[float]) -> float:
    """The middle value; the mean of the middle two for an even count. (Not
    `statistics.median`: importing `statistics` costs every command ~10 ms.)"""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def standings(challenge: Challenge, entries: Sequence[Entry], people: Mapping[str, Person],
              settings: Settings) -> list[Row]:
    """Ranked rows first in rank order, then pending rows by person id."""
    rows = []
    for submission in current_submissions(challenge, entries).values():
        ratings = counted_ratings(challenge, submission, entries, people)
        if challenge.mode == "metric":
            score = submission.metric
            ranked = score is not None
        else:
            values = [s for s in (rater_score(challenge.rubric, r.scores) for r in ratings.values()) if s is not None]
            ranked = len(values) >= challenge.needed_ratings(settings)
            score = median(values) if ranked else None
        who = people.get(submission.by)
        rows.append(Row(
            rank=None, person=submission.by, name=who.name if who else submission.by,
            team=submission.team or (who.team if who else None), role=who.role if who else None,
            score=score if ranked else None, ratings=len(ratings), status="ranked" if ranked else "pending",
            submission=submission.id, link=submission.link, metric=submission.metric,
        ))
    return rank(rows, lower_is_better=challenge.metric is not None and challenge.metric.direction == "lower")


def rank(rows: Iterable[Row], lower_is_better: bool = False) -> list[Row]:
    """Competition ranking (1, 2, 2, 4) of ranked rows; pending rows after, by id."""
    rows = list(rows)
    sign = 1 if lower_is_better else -1
    ranked = sorted((r for r in rows if r.status == "ranked"),
                    key=lambda r: (sign * round(r.score or 0.0, _TIE_DIGITS), r.person))
    pending = sorted((r for r in rows if r.status != "ranked"), key=lambda r: r.person)
    out = []
    previous: float | None = None
    current_rank = 0
    for position, row in enumerate(ranked, start=1):
        key = round(row.score or 0.0, _TIE_DIGITS)
        if key != previous:
            current_rank, previous = position, key
        out.append(replace(row, rank=current_rank))
    return out + pending


