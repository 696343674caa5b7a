"""Pure scoring: fold a challenge's entries into standings. No git, no files.

The rules (README "How scores are computed"):
1. Each rater's latest rating of a submission counts; self-ratings (and, in team
   challenges, ratings by the submitting team) and raters not in the roster do not.
2. A rater's score is the weighted mean of their criterion scores.
3. A submission's score aggregates its raters' scores under a policy
   (p2p.policies; median by default).
4. It is ranked only with at least `min_ratings` ratings; otherwise it is pending.
   `flexible_after_days` after the review closes, max(1, floor(0.3 × min_ratings))
   ratings are enough (Open edX ORA2's flexible grading).
5. Ranks are competition ranks (1, 2, 2, 4); rows sort by (-score, person id).
Metric challenges rank by the latest submitted value, in the metric's direction;
votes challenges by the number of peers' votes."""

from __future__ import annotations

import datetime as dt
import math
import operator
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from p2p import policies
from p2p.entries import Assignment, Entry, Feature, Feedback, Rating, Submission, Vote
from p2p.model import Challenge, Person, Rubric
from p2p.settings import Settings

_TIE_DIGITS = 9  # scores equal to 9 places are a tie (guards against float noise)
_by_id = operator.attrgetter("id")  # entries sort by id (time-sortable); faster than a lambda on 20,000


class Row(NamedTuple):
    """A board's row. A tuple, not a dataclass: a big season's kept results hold
    200,000 (each ~100 bytes less than with a dict of fields) and unpickle them
    ~2.5x faster."""

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
    votes: int = 0
    featured_by: tuple[str, ...] = ()  # managers who picked this submission as an example


@dataclass(frozen=True)
class Board:
    """A challenge's standings and how they were computed."""

    rows: list[Row]
    policy: str
    needed: int  # ratings a submission needs to be ranked
    aggregates: dict[str, policies.Aggregate]  # by person id (rubric mode)
    ratings: dict[str, dict[str, Rating]]  # by person id: rater -> counted rating

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its rows as columns, one tuple per field: the rows of a
        season's 50 kept results (p2p.game.Played) then unpickle without a call per row."""
        columns = tuple(zip(*self.rows)) or ((),) * len(Row._fields)
        return _board, (columns, self.policy, self.needed, self.aggregates, self.ratings)


def _board(columns: tuple[tuple[Any, ...], ...], policy: str, needed: int, aggregates: dict[str, policies.Aggregate],
           ratings: dict[str, dict[str, Rating]]) -> Board:
    """A Board from what its __reduce__ gave."""
    return Board(list(map(Row._make, zip(*columns))), policy, needed, aggregates, ratings)


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
    for entry in sorted((e for e in entries if isinstance(e, Submission)), key=_by_id):
        latest[unit_of(challenge, entry)] = entry
    return latest


def current_submission(challenge: Challenge, entries: Iterable[Entry], person: Person) -> Submission | None:
    current = current_submissions(challenge, entries)
    if challenge.format == "team":
        return current.get(f"team:{person.team}") or current.get(person.id)
    return current.get(person.id)


def rater_score(rubric: Rubric, scores: Mapping[str, float]) -> float | None:
    """Σ wᵢ·xᵢ / Σ wᵢ over the rubric's criteria; None if any is missing or out of range."""
    _, criteria, low, high = _criteria(rubric)
    total = weights = 0.0
    for cid, weight in criteria:
        value = scores.get(cid)
        if value is None or not low <= value <= high:
            return None
        total += weight * value
        weights += weight
    return total / weights


# (rubric, ((criterion id, weight), ...), scale min, scale max) by id(rubric): a board
# weighs 16,000 ratings against one rubric. The rubric is kept, so its id is not reused.
_CRITERIA: dict[int, tuple[Rubric, tuple[tuple[str, float], ...], float, float]] = {}


def _criteria(rubric: Rubric) -> tuple[Rubric, tuple[tuple[str, float], ...], float, float]:
    found = _CRITERIA.get(id(rubric))
    if found is None or found[0] is not rubric:
        found = _CRITERIA[id(rubric)] = (rubric, tuple((c.id, c.weight) for c in rubric.criteria), rubric.min, rubric.max)
    return found


def _eligible(challenge: Challenge, submission: Submission, voter: str, people: Mapping[str, Person]) -> bool:
    """Peers only: not the author, not a teammate in team challenges, in the roster."""
    if voter == submission.by or voter not in people:
        return False
    return not (challenge.format == "team" and submission.team and people[voter].team == submission.team)


def current_assignment(entries: Iterable[Entry]) -> tuple[tuple[str, str], ...]:
    """The (reviewer, author) pairs of the challenge's latest assignment."""
    latest = max((e for e in entries if isinstance(e, Assignment)), key=lambda e: e.id, default=None)
    return latest.pairs if latest else ()


def counted_votes(challenge: Challenge, submissions: Mapping[str, Submission], entries: Iterable[Entry],
                  people: Mapping[str, Person]) -> dict[str, dict[str, int]]:
    """{person: {award: votes}}: each voter's latest vote per award, for current
    submissions only, never for themselves."""
    by_id = {s.id: s for s in submissions.values()}
    latest: dict[tuple[str, str], Vote] = {}
    for entry in sorted((e for e in entries if isinstance(e, Vote)), key=_by_id):
        submission = by_id.get(entry.submission)
        if submission is not None and _eligible(challenge, submission, entry.by, people):
            latest[(entry.by, entry.award)] = entry
    tally: dict[str, dict[str, int]] = {}
    for vote in latest.values():
        person = by_id[vote.submission].by
        tally.setdefault(person, {}).setdefault(vote.award, 0)
        tally[person][vote.award] += 1
    return tally


def current_features(entries: Iterable[Entry]) -> dict[str, list[Feature]]:
    """{submission id: the managers' picks that stand} - the latest per (manager, submission)."""
    latest: dict[tuple[str, str], Feature] = {}
    for entry in sorted((e for e in entries if isinstance(e, Feature)), key=_by_id):
        latest[(entry.by, entry.submission)] = entry
    picks: dict[str, list[Feature]] = {}
    for feature in latest.values():
        if feature.featured:
            picks.setdefault(feature.submission, []).append(feature)
    return picks


def needed_ratings(challenge: Challenge, settings: Settings, now: dt.datetime | None) -> int:
    needed = challenge.needed_ratings(settings)
    if now is not None:
        review_ends = challenge.window(settings.tz)[2]
        if now >= review_ends + dt.timedelta(days=settings.flexible_after_days):
            return max(1, math.floor(0.3 * needed))
    return needed


def policy_of(challenge: Challenge, settings: Settings, override: str | None = None) -> str:
    return override or challenge.aggregate or settings.aggregate


class Tally(NamedTuple):
    """A challenge's entries folded as scoring reads them, in id order. Folding one
    more entry, newer than all before it, is what folding them all again would give:
    so a leaderboard keeps its tally between processes (p2p.store.tallies) and a read
    after one new entry scores without reading the 20,000 before it."""

    submissions: dict[str, Submission]  # unit (person, or team:ID) -> latest submission
    rated: dict[str, dict[str, Rated]]  # submission id -> rater -> their latest complete rating;
    # who may rate whom is decided when scoring
    others: dict[str, Entry]  # votes, features and assignments by id: few, folded when scoring
    newest: list[str]  # [the newest entry id folded], a list so the tuple stays the same object
    # (rating id, who answered) -> their latest "was it helpful?" (1-5); only the rated
    # person's answer counts, which is known when scoring
    answers: dict[tuple[str, str], int]


# A counted rating in a tally: (rating id, rater score, its criterion scores in the
# rubric's order, which reviewer accuracy compares, and its comment's length, which
# the knowledge-sharing figures count). Plain tuples: a tally of 16,000 ratings
# unpickles in half the time of named ones.
Rated = tuple[str, float, tuple[float, ...], int]


def criterion_values(rubric: Rubric, scores: Mapping[str, float]) -> tuple[float, ...]:
    """A complete rating's scores in the rubric's criterion order."""
    return tuple([scores[c.id] for c in rubric.criteria])


# One object for each rater score and set of criterion scores a tally holds: 16,000
# ratings on a 1-5 rubric of four criteria take ~500 values. pickle writes a value it
# has written once as a reference, so a tally then unpickles in half the time (11 ->
# 6 ms on the large store) and holds a tenth of the objects.
_SHARED: dict[object, object] = {}
_SHARED_MAX = 100_000  # a rubric of many fine-grained criteria repeats few: start again


def _shared(value: Any) -> Any:
    """An object equal to `value` and of its type (floats, and tuples of them), kept
    from an earlier call. Zero is left alone: 0.0 == -0.0, but they print apart."""
    if type(value) is tuple:
        if not all(type(v) is float and v for v in value):
            return value
    elif type(value) is not float or not value:
        return value
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)


def tally(challenge: Challenge, entries: Iterable[Entry]) -> Tally:
    folded = Tally({}, {}, {}, [""], {})
    for entry in sorted(entries, key=_by_id):
        fold(folded, challenge, entry)
    return folded


def fold(folded: Tally, challenge: Challenge, entry: Entry) -> None:
    """Add one entry. Only an entry newer than every one folded so far gives what a
    fold of them all in id order gives; the caller checks `newest`."""
    folded.newest[0] = max(folded.newest[0], entry.id)
    if isinstance(entry, Submission):
        folded.submissions[unit_of(challenge, entry)] = entry
    elif isinstance(entry, Rating):
        score = rater_score(challenge.rubric, entry.scores)
        if score is not None:  # an incomplete rating never counts, nor hides an earlier one
            values = _shared(tuple([_shared(v) for v in criterion_values(challenge.rubric, entry.scores)]))
            length = len(entry.comment or "")
            folded.rated.setdefault(entry.submission, {})[entry.by] = (entry.id, _shared(score), values, length)
    elif isinstance(entry, (Vote, Feature, Assignment)):
        folded.others[entry.id] = entry
    elif isinstance(entry, Feedback):
        folded.answers[entry.rating, entry.by] = entry.helpful


class Scored(NamedTuple):
    rows: list[Row]
    policy: str
    needed: int
    aggregates: dict[str, policies.Aggregate]  # by person id; empty unless asked to `explain`
    counted: dict[str, dict[str, str]]  # by person id: rater -> id of the counted rating


def board(challenge: Challenge, entries: Sequence[Entry], people: Mapping[str, Person], settings: Settings,
          now: dt.datetime | None = None, policy: str | None = None, folded: Tally | None = None) -> Board:
    """Standings of one challenge: ranked rows first in rank order, then pending by id.
    `folded`: the tally of `entries`, when in hand (a store read folded keeps one)."""
    folded = tally(challenge, entries) if folded is None else folded
    scored = score(folded, challenge, people, settings, now, policy, entries, explain=True)
    by_id = {e.id: e for e in entries if isinstance(e, Rating)}
    ratings = {pid: {rater: by_id[rid] for rater, rid in raters.items()} for pid, raters in scored.counted.items()}
    return Board(scored.rows, scored.policy, scored.needed, scored.aggregates, ratings)


def score(folded: Tally, challenge: Challenge, people: Mapping[str, Person], settings: Settings,
          now: dt.datetime | None = None, policy: str | None = None,
          entries: Sequence[Entry] | None = None, explain: bool = False) -> Scored:
    """Standings from a tally; with `explain`, how each score was aggregated too. A
    race also needs the challenge's `entries` (its rounds add up logged activity,
    which a tally does not keep)."""
    policy = policy_of(challenge, settings, policy)
    needed = needed_ratings(challenge, settings, now)
    submissions = folded.submissions
    others = list(folded.others.values())  # in id order: folded in id order
    assigned: dict[str, set[str]] | None = None
    if challenge.assigned_only:
        assigned = {}
        for reviewer, author in current_assignment(others):
            assigned.setdefault(author, set()).add(reviewer)
    counted: dict[str, dict[str, str]] = {}
    matrix: dict[str, dict[str, float]] = {}
    no_ratings: dict[str, Rated] = {}
    for submission in submissions.values():
        ids: dict[str, str] = {}
        scores: dict[str, float] = {}
        allowed = None if assigned is None else assigned.get(submission.by, ())
        for rater, (rid, value, _, _) in folded.rated.get(submission.id, no_ratings).items():
            if (allowed is None or rater in allowed) and _eligible(challenge, submission, rater, people):
                ids[rater] = rid
                scores[rater] = value
        counted[submission.by] = ids
        matrix[submission.by] = scores
    scale = (challenge.rubric.min, challenge.rubric.max)
    aggregates = policies.aggregate(policy, matrix, scale) if explain else {}
    values = ({pid: a.score for pid, a in aggregates.items()} if explain
              else policies.scores(policy, matrix, scale) if challenge.mode not in ("metric", "votes") else {})
    votes = counted_votes(challenge, submissions, others, people)
    picks = current_features(others)
    race_totals = None
    if challenge.race is not None:  # a race ranks by the total of the round in play
        from p2p import races

        if entries is None:
            raise ValueError("a race is scored from its entries, not a tally")
        when = now or dt.datetime.combine(challenge.closes, dt.time(12), settings.tz)
        race_totals = races.totals(challenge, entries, settings.tz, races.round_of(challenge, when, settings.tz))
    rows = []
    for submission in submissions.values():
        pid = submission.by
        count = sum(votes[pid].values()) if pid in votes else 0
        if race_totals is not None:
            total = race_totals.get(submission.team if challenge.format == "team" and submission.team else pid)
            value, ranked = (total[0], True) if total else (None, False)
        elif challenge.mode == "metric":
            value, ranked = submission.metric, submission.metric is not None
        elif challenge.mode == "votes":
            value, ranked = float(count), True
        else:
            ranked = len(counted[pid]) >= needed
            value = values[pid] if ranked else None
        who = people.get(pid)
        rows.append(Row(
            rank=None, person=pid, name=who.name if who else pid,
            team=submission.team or (who.team if who else None), role=who.role if who else None,
            score=value if ranked else None, ratings=len(counted[pid]), status="ranked" if ranked else "pending",
            submission=submission.id, link=submission.link, metric=submission.metric, votes=count,
            featured_by=tuple(sorted(f.by for f in picks[submission.id])) if submission.id in picks else (),
        ))
    lower = challenge.metric is not None and challenge.metric.direction == "lower" and challenge.mode == "metric"
    if race_totals is not None:
        return Scored(_race_order(rows, race_totals, challenge), policy, needed, aggregates, counted)
    return Scored(rank(rows, lower_is_better=lower), policy, needed, aggregates, counted)


def _race_order(rows: list[Row], totals: Mapping[str, tuple[float, Submission | None]],
                challenge: Challenge) -> list[Row]:
    """A race ranks whoever reached the target first (by the moment), then the rest by
    total: the same order as `p2p race`."""
    def key(row: Row) -> tuple[Any, ...]:
        unit = row.team if challenge.format == "team" and row.team else row.person
        total, reached = totals.get(unit, (0.0, None))
        return (0, reached.at, reached.id) if reached else (1, -total, unit)

    ranked = sorted((r for r in rows if r.score is not None), key=key)
    pending = sorted((r for r in rows if r.score is None), key=lambda r: r.submission)
    return [_ranked(r, i) for i, r in enumerate(ranked, 1)] + pending


def standings(challenge: Challenge, entries: Sequence[Entry], people: Mapping[str, Person], settings: Settings,
              now: dt.datetime | None = None, policy: str | None = None) -> list[Row]:
    return board(challenge, entries, people, settings, now, policy).rows


def rank(rows: Iterable[Row], lower_is_better: bool = False) -> list[Row]:
    """Competition ranking (1, 2, 2, 4) of ranked rows; pending rows after, by id."""
    rows = list(rows)
    sign = 1 if lower_is_better else -1
    rounded: dict[float, float] = {}  # round(x, 9) is slow, and 4,000 scores take few values

    def tie_key(score: float | None) -> float:
        key = rounded.get(score or 0.0)
        if key is None:
            key = rounded[score or 0.0] = round(score or 0.0, _TIE_DIGITS)
        return key

    ranked = sorted((r for r in rows if r.status == "ranked"), key=lambda r: (sign * tie_key(r.score), r.person))
    pending = sorted((r for r in rows if r.status != "ranked"), key=lambda r: r.person)
    out = []
    previous: float | None = None
    current_rank = 0
    for position, row in enumerate(ranked, start=1):
        key = tie_key(row.score)
        if key != previous:
            current_rank, previous = position, key
        out.append(_ranked(row, current_rank))
    return out + pending


def _ranked(row: Row, rank: int) -> Row:
    return Row._make((rank, *row[1:]))
