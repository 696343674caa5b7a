"""Grading the graders, and the fairness report. Pure functions over a challenge's
boards and entries.

Accuracy (Moodle Workshop / CrowdGrader style): for each rating, the distance of the
rater's criterion scores from the consensus of the *other* raters (their median per
criterion), as a share of the scale; accuracy = 100 × (1 − mean distance).
Helpfulness (Peergrade style): the rated person answers "was this useful?" 1–5.

Fairness findings: pairs who rated each other above the consensus by more than a
threshold (collusion or reciprocity), raters whose scores never vary, and low
ratings given right after receiving a low rating from the same person (tit-for-tat)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from p2p.entries import Entry, Feedback, Rating
from p2p.model import Challenge
from p2p.policies import median
from p2p.scoring import Board, criterion_values, rater_score

TIT_FOR_TAT_WINDOW = dt.timedelta(days=2)


def accuracy(board: Board, challenge: Challenge) -> dict[str, list[float]]:
    """{rater: [accuracy 0-100 of each of their ratings that has a consensus]}."""
    values = {person: {rater: criterion_values(challenge.rubric, rating.scores) for rater, rating in ratings.items()}
              for person, ratings in board.ratings.items()}
    return accuracy_of(values, challenge)


def accuracy_of(values: Mapping[str, Mapping[str, Sequence[float]]], challenge: Challenge) -> dict[str, list[float]]:
    """accuracy, from the criterion scores (in the rubric's order) of the counted
    ratings by person and rater."""
    span = challenge.rubric.max - challenge.rubric.min
    count = len(challenge.rubric.criteria)
    found: dict[str, list[float]] = {}
    for by_rater in values.values():
        if len(by_rater) < 2:
            continue  # a lone rating has no other raters to agree with
        scores = list(by_rater.values())
        consensus = [_others_median(tuple(sorted([s[i] for s in scores]))) for i in range(count)]
        for rater, own in zip(by_rater, scores):
            distance = sum([abs(own[i] - others[own[i]]) for i, others in enumerate(consensus)]) / count
            found.setdefault(rater, []).append(100 * (1 - distance / span))
    return found


@lru_cache(maxsize=4096)
def _others_median(ordered: tuple[float, ...]) -> dict[float, float]:
    """{score: the median of `ordered` less one copy of that score}: the other raters'
    consensus for a rater who gave it. Memoised by the sorted scores of one
    criterion of one submission, which take few values (~60 in a season of 60,000)."""
    return {value: median(list(ordered[:i] + ordered[i + 1:])) for i, value in enumerate(ordered)}


def helpful_answers(board: Board, entries: Iterable[Entry]) -> dict[str, dict[str, int]]:
    """{rating id: {"helpful": n}} from the rated person's latest answer per rating."""
    answers = {}
    for entry in sorted((e for e in entries if isinstance(e, Feedback)), key=lambda e: e.id):
        answers[entry.rating, entry.by] = entry.helpful
    return answered({person: {rater: rating.id for rater, rating in ratings.items()}
                     for person, ratings in board.ratings.items()}, answers)


def answered(counted: Mapping[str, Mapping[str, str]],
             answers: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """helpful_answers, from the ids of the counted ratings by person and rater and the
    latest answer by (rating id, who answered): only the rated person's counts."""
    found = {}
    for person, by_rater in counted.items():
        for rid in by_rater.values():
            helpful = answers.get((rid, person))
            if helpful is not None:
                found[rid] = {"helpful": helpful}
    return found


@dataclass(frozen=True)
class Concern:
    kind: str  # reciprocity | flat | tit-for-tat
    entry: str  # the rating entry id the concern points at
    message: str


def _gaps(board: Board, challenge: Challenge) -> dict[tuple[str, str], tuple[float, Rating]]:
    """(rater, rated) -> (rater's score − median of the other raters' scores, rating)."""
    gaps = {}
    for person, ratings in board.ratings.items():
        scores = {r: rater_score(challenge.rubric, e.scores) or 0.0 for r, e in ratings.items()}
        for rater, value in scores.items():
            others = [v for r, v in scores.items() if r != rater]
            if others:
                gaps[(rater, person)] = (value - median(others), ratings[rater])
    return gaps


def concerns(board: Board, challenge: Challenge, threshold: float) -> list[Concern]:
    found = []
    gaps = _gaps(board, challenge)
    for (rater, rated), (gap, rating) in sorted(gaps.items()):
        back = gaps.get((rated, rater))
        if back and rater < rated and gap > threshold and back[0] > threshold:
            found.append(Concern("reciprocity", rating.id, f"{rater} and {rated} rated each other above the "
                                 f"other raters' median (by {gap:.2f} and {back[0]:.2f}) in {challenge.slug}"))
        if back and gap < -threshold and back[0] < -threshold and back[1].id < rating.id \
                and rating.at - back[1].at <= TIT_FOR_TAT_WINDOW:
            found.append(Concern("tit-for-tat", rating.id, f"{rater} rated {rated} {-gap:.2f} below the others "
                                 f"within two days of receiving a low rating from {rated} in {challenge.slug}"))
    given: dict[str, list[Rating]] = {}
    for ratings in board.ratings.values():
        for rater, rating in ratings.items():
            given.setdefault(rater, []).append(rating)
    for rater, ratings in sorted(given.items()):
        values = {v for r in ratings for v in r.scores.values()}
        if len(ratings) >= 3 and len(values) == 1:
            found.append(Concern("flat", max(r.id for r in ratings), f"{rater} gave every criterion of all "
                                 f"{len(ratings)} ratings in {challenge.slug} the same score ({values.pop():g})"))
    return found


def mean(values: Mapping[str, Sequence[float]]) -> dict[str, float]:
    return {k: sum(v) / len(v) for k, v in values.items() if v}
