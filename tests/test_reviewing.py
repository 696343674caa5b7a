"""Grading the graders: accuracy against the median of the other raters."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from p2p.policies import median
from p2p.reviewing import accuracy

CRITERIA = ("opening", "proof")
SCORE = st.one_of(st.integers(1, 5), st.sampled_from([1.0, 1.5, 2.5, 3.0, 4.5, 5.0]))  # ints and floats, as YAML gives


@dataclass
class Rated:  # the parts of a Rating and a Board that accuracy reads
    scores: dict[str, float]


@dataclass
class Criterion:
    id: str


@dataclass
class Rubric:
    criteria: tuple[Criterion, ...] = tuple(Criterion(c) for c in CRITERIA)
    min: float = 1
    max: float = 5


@dataclass
class Challenge:
    rubric: Rubric


@dataclass
class Board:
    ratings: dict[str, dict[str, Rated]]


def by_definition(board: Board, challenge: Challenge) -> dict[str, list[float]]:
    """The README's words as code: each rating against the median of the others."""
    span = challenge.rubric.max - challenge.rubric.min
    found: dict[str, list[float]] = {}
    for ratings in board.ratings.values():
        for rater, rating in ratings.items():
            others = [r for other, r in ratings.items() if other != rater]
            if others:
                distance = sum(abs(rating.scores[c.id] - median([o.scores[c.id] for o in others]))
                               for c in challenge.rubric.criteria) / len(challenge.rubric.criteria)
                found.setdefault(rater, []).append(100 * (1 - distance / span))
    return found


RATINGS = st.dictionaries(st.sampled_from("abcdefg"), st.fixed_dictionaries({c: SCORE for c in CRITERIA}), max_size=7)


@given(st.dictionaries(st.sampled_from(["ava", "ben", "cy"]), RATINGS))
def test_accuracy_is_bit_for_bit_the_distance_from_the_other_raters_median(boards):
    """Accuracy feeds review points, and ranks follow points: not one bit may differ."""
    board = Board({person: {rater: Rated(scores) for rater, scores in ratings.items()}
                   for person, ratings in boards.items()})
    assert accuracy(board, Challenge(Rubric())) == by_definition(board, Challenge(Rubric()))  # type: ignore[arg-type]
