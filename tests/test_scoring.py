"""The scoring rules on hand-checked examples, without git."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from p2p import scoring
from p2p.ids import new_entry_id
from p2p.entries import Rating, Submission
from p2p.model import Challenge, Criterion, Metric, Person, Rubric
from p2p.settings import Settings

T0 = dt.datetime(2026, 11, 10, 12, tzinfo=dt.timezone.utc)
RUBRIC = Rubric(1, 5, (Criterion("a", "A", 3), Criterion("b", "B", 1)))
_clock = itertools.count()


def challenge(**kw):
    base = dict(slug="c", title="C", type="pitch-battle", description="", skills=(), mode="rubric",
                format="individual", roles=(), rubric=RUBRIC, opens=dt.date(2026, 11, 9),
                closes=dt.date(2026, 11, 15), review_closes=dt.date(2026, 11, 18))
    base.update(kw)
    return Challenge(**base)


PEOPLE = {p: Person(p, p.title(), f"{p}@x.example", "ae", "east" if p < "m" else "west")
          for p in ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "max", "ned", "ola")}


def at():
    return T0 + dt.timedelta(seconds=next(_clock))


def sub(by, **kw):
    return Submission(id=new_entry_id(at()), at=at(), by=by, challenge="c", **kw)


def rate(rater, submission, a, b):
    return Rating(id=new_entry_id(at()), at=at(), by=rater, challenge="c", submission=submission.id,
                  person=submission.by, scores={"a": a, "b": b})


def rows(entries, chal=None, settings=Settings()):
    return scoring.standings(chal or challenge(), entries, PEOPLE, settings)


def test_rater_score_is_the_weighted_mean_of_criteria():
    assert scoring.rater_score(RUBRIC, {"a": 4, "b": 2}) == (3 * 4 + 1 * 2) / 4  # 3.5
    assert scoring.rater_score(RUBRIC, {"a": 4}) is None
    assert scoring.rater_score(RUBRIC, {"a": 6, "b": 2}) is None


def test_hand_checked_median_with_even_raters_ties_and_pending_rows():
    ann, bob, cat, dan, eve = (sub(p) for p in ("ann", "bob", "cat", "dan", "eve"))
    entries = [ann, bob, cat, dan, eve,
               # ann: rater scores 5.0, 4.0, 4.5 -> median 4.5
               rate("fay", ann, 5, 5), rate("gus", ann, 4, 4), rate("hal", ann, 5, 3),
               # bob: 4 raters: 2.0, 3.0, 5.0, 4.0 -> sorted 2,3,4,5 -> (3+4)/2 = 3.5
               rate("fay", bob, 2, 2), rate("gus", bob, 3, 3), rate("hal", bob, 5, 5), rate("ivy", bob, 4, 4),
               # cat: 3.0, 4.0, 3.5 -> 3.5 (ties with bob)
               rate("fay", cat, 3, 3), rate("gus", cat, 4, 4), rate("hal", cat, 4, 2),
               # dan: 1.0, 2.0, 5.0 -> 2.0
               rate("fay", dan, 1, 1), rate("gus", dan, 2, 2), rate("hal", dan, 5, 5),
               # eve: two ratings only -> pending
               rate("fay", eve, 5, 5), rate("gus", eve, 5, 5)]
    got = [(r.rank, r.person, r.score, r.ratings, r.status) for r in rows(entries)]
    assert got == [
        (1, "ann", 4.5, 3, "ranked"),
        (2, "bob", 3.5, 4, "ranked"),
        (2, "cat", 3.5, 3, "ranked"),
        (4, "dan", 2.0, 3, "ranked"),
        (None, "eve", None, 2, "pending"),
    ]


def test_self_ratings_unknown_raters_and_superseded_ratings_do_not_count():
    ann = sub("ann")
    entries = [ann, rate("ann", ann, 5, 5), rate("stranger", ann, 5, 5),
               rate("bob", ann, 1, 1), rate("bob", ann, 3, 3), rate("cat", ann, 3, 3), rate("dan", ann, 4, 4)]
    [row] = rows(entries)
    assert (row.ratings, row.score) == (3, 3.0)  # bob's 3, cat's 3, dan's 4


def test_ratings_of_a_superseded_submission_do_not_carry_over():
    old = sub("ann")
    entries = [old, rate("bob", old, 5, 5), rate("cat", old, 5, 5), rate("dan", old, 5, 5), sub("ann")]
    [row] = rows(entries)
    assert row.status == "pending" and row.ratings == 0


def test_min_ratings_from_the_challenge_overrides_the_store_setting():
    ann = sub("ann")
    entries = [ann, rate("bob", ann, 4, 4)]
    assert rows(entries, settings=Settings(min_ratings=1))[0].status == "ranked"
    assert rows(entries, challenge(min_ratings=2), Settings(min_ratings=1))[0].status == "pending"


def test_metric_mode_ranks_by_the_latest_value_in_the_metric_direction():
    higher = challenge(mode="metric", metric=Metric("calls", "calls", "higher"))
    entries = [sub("ann", metric=10), sub("bob", metric=7), sub("ann", metric=5), sub("cat", metric=7)]
    assert [(r.rank, r.person, r.score) for r in rows(entries, higher)] == [
        (1, "bob", 7), (1, "cat", 7), (3, "ann", 5)]
    lower = challenge(mode="metric", metric=Metric("minutes", "min", "lower"))
    assert [r.person for r in rows(entries, lower)] == ["ann", "bob", "cat"]


def test_team_challenges_rank_one_row_per_team_and_teammates_cannot_rate_it():
    team = challenge(format="team")
    first = sub("bob", team="east")
    east = sub("ann", team="east")  # a teammate's later submission replaces the team's
    entries = [first, east, rate("cat", east, 5, 5), rate("max", east, 2, 2), rate("ned", first, 5, 5)]
    [row] = rows(entries, team, Settings(min_ratings=1))
    assert (row.person, row.team, row.ratings, row.score) == ("ann", "east", 1, 2.0)


def test_competition_ranking_skips_after_ties():
    made = [scoring.Row(None, p, p, None, None, s, 3, "ranked", p) for p, s in
            [("d", 1.0), ("a", 3.0), ("c", 2.0), ("b", 2.0)]]
    assert [(r.rank, r.person) for r in scoring.rank(made)] == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


@given(st.permutations(list(range(9))))
def test_the_order_of_entries_never_changes_the_standings(order):
    ann, bob = sub("ann"), sub("bob")
    base = [ann, bob, rate("cat", ann, 4, 2), rate("dan", ann, 5, 5), rate("eve", ann, 3, 3),
            rate("cat", bob, 4, 4), rate("dan", bob, 2, 3), rate("eve", bob, 4, 1), rate("cat", ann, 1, 1)]
    assert rows([base[i] for i in order]) == rows(base)


@given(st.lists(st.tuples(st.sampled_from(["bob", "cat", "dan", "eve", "fay"]), st.integers(1, 5),
                          st.integers(1, 5)), min_size=3, max_size=12),
       st.lists(st.tuples(st.sampled_from(["ann", "stranger", "ghost"]), st.integers(1, 5)), min_size=1, max_size=4),
       st.sampled_from(["median", "mean", "trimmed", "calibrated"]))
def test_self_ratings_and_unknown_raters_never_count_under_any_policy(peer, other, policy):
    ann = sub("ann")
    clean = [ann] + [rate(r, ann, a, b) for r, a, b in peer]
    noisy = clean + [rate(r, ann, v, v) for r, v in other]  # ann herself and people not in the roster
    assert rows(noisy, challenge(aggregate=policy)) == rows(clean, challenge(aggregate=policy))


def test_a_board_comes_back_from_pickle_as_it_was_with_frozen_rows():
    """Kept season results pickle each board's rows as columns (Board.__reduce__)."""
    ann, bob, cat = sub("ann", link="https://v.example/ann"), sub("bob"), sub("cat", metric=3.5)
    entries = [ann, bob, cat, *(rate(r, s, 4, 3) for s in (ann, bob) for r in ("dan", "eve", "fay") if r != s.by)]
    board = scoring.board(challenge(), entries, PEOPLE, Settings())
    assert {r.status for r in board.rows} == {"ranked", "pending"} and board.ratings
    for kept in (board, dataclasses.replace(board, rows=[])):
        back = pickle.loads(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == kept and back.ratings == kept.ratings and back.policy == kept.policy
        assert [(type(r), repr(r)) for r in back.rows] == [(type(r), repr(r)) for r in kept.rows]
    with pytest.raises(AttributeError):
        pickle.loads(pickle.dumps(board)).rows[0].rank = 9  # type: ignore[misc]
