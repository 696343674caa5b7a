"""Peer-review assignment: balance, exclusions and determinism (property tests on the
pure algorithm), and `p2p assign` / `p2p todo` / `assigned_only` through the CLI."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import dedent, git, scores
from p2p.assign import allowed, assign
from p2p.errors import InvalidInput
from p2p.model import Person


def roster(teams: list[int], managers: list[int]) -> dict[str, Person]:
    ids = [f"p{i:02d}" for i in range(len(teams))]
    return {pid: Person(pid, pid, f"{pid}@x.example", "ae", f"t{team}",
                        manager=ids[m] if m < len(ids) and ids[m] != pid else None)
            for pid, team, m in zip(ids, teams, managers)}


people_st = st.integers(4, 14).flatmap(lambda k: st.tuples(st.lists(st.integers(0, 3), min_size=k, max_size=k),
                                                            st.lists(st.integers(0, 20), min_size=k, max_size=k)))


@settings(max_examples=80, deadline=None)
@given(people_st, st.integers(1, 3), st.integers(0, 2**32), st.sampled_from([(), ("team",), ("team", "manager")]))
def test_every_submission_gets_n_reviewers_never_excluded_ones_and_loads_stay_balanced(data, n, seed, exclusions):
    people = roster(*data)
    ids = sorted(people)
    try:
        plan = assign(ids, ids, people, n, seed, exclusions)
    except InvalidInput:
        assume(False)  # no feasible assignment for this roster: refused, not half-made
        return
    per_author = Counter(a for _, a in plan.pairs)
    assert set(per_author.values()) == {n} and set(per_author) == set(ids)
    assert all(allowed(people[r], people[a], exclusions) for r, a in plan.pairs)
    assert len(set(plan.pairs)) == len(plan.pairs)
    if not exclusions:  # with everyone reviewing everyone's, each reviews exactly n
        assert set(Counter(r for r, _ in plan.pairs).values()) == {n}


@settings(max_examples=80, deadline=None)
@given(people_st, st.sampled_from([(), ("team",), ("manager",), ("team", "manager")]), st.integers(0, 3))
def test_possible_reviewers_are_counted_as_allowed_says(data, exclusions, left_out):
    """The counts behind the refusal and the order are made by team, not by pairs."""
    from p2p.assign import _possible

    people = roster(*data)
    ids = sorted(people)
    reviewers = ids[left_out:]  # the pool may leave authors out
    assert _possible(ids, reviewers, people, exclusions) == {
        a: sum(allowed(people[r], people[a], exclusions) for r in reviewers) for a in ids}


@settings(max_examples=30, deadline=None)
@given(people_st, st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_assignment(data, seed):
    people = roster(*data)
    ids = sorted(people)
    assert assign(ids, ids, people, 2, seed) == assign(ids, ids, people, 2, seed)


def test_pairs_used_earlier_in_the_season_are_avoided_when_possible():
    people = roster([0, 1, 2, 3, 0, 1], [9] * 6)
    ids = sorted(people)
    first = assign(ids, ids, people, 2, seed=1)
    second = assign(ids, ids, people, 2, seed=2, earlier=first.pairs)
    assert second.repeats == 0 and not set(first.pairs) & set(second.pairs)


def test_an_impossible_request_is_refused_naming_the_submission():
    people = roster([0, 0, 1], [9, 9, 9])
    with pytest.raises(InvalidInput, match="possible reviewers"):
        assign(sorted(people), sorted(people), people, 2, 1, ("team",))


@pytest.fixture
def submitted(p2p):
    for rep in ("ava", "ben", "cal", "dia", "eli"):
        p2p("submit", "pitch", "--link", f"https://v.example/{rep}", as_=rep)
    return p2p


def test_assign_writes_one_entry_and_todo_shows_each_reviewer_their_reviews(submitted):
    out = json.loads(submitted("assign", "pitch", "--reviewers", "2", "--seed", "7", "--format", "json",
                               as_="mia").stdout)
    assert out["entry"]["kind"] == "assignment" and out["entry"]["seed"] == 7
    assert git(submitted.root, "log", "-1", "--format=%an|%s") == "Mia|p2p: assignment pitch by mia"
    pairs = [(p["reviewer"], p["person"]) for p in out["entry"]["pairs"]]
    assert len(pairs) == 10 and Counter(a for _, a in pairs) == dict.fromkeys(["ava", "ben", "cal", "dia", "eli"], 2)
    mine = [p for r, p in pairs if r == "ava"]
    todo = json.loads(submitted("todo", "--format", "json", as_="ava").stdout)["reviews"]
    assert [t["person"] for t in todo] == mine and not any(t["done"] for t in todo)
    submitted("rate", "pitch", mine[0], *scores(4), as_="ava")
    todo = json.loads(submitted("todo", "--format", "json", as_="ava").stdout)["reviews"]
    assert [t["done"] for t in todo] == [True] + [False] * (len(mine) - 1)
    again = json.loads(submitted("assign", "pitch", "--reviewers", "2", "--seed", "7", "--format", "json",
                                 as_="mia").stdout)
    assert again["entry"]["pairs"] == out["entry"]["pairs"]  # reproducible from the recorded seed


def test_with_assigned_only_ratings_by_others_do_not_count(submitted, tmp_path):
    spec = (submitted.root / "challenges" / "pitch.yaml").read_text() + "assigned_only: true\n"
    (tmp_path / "pitch.yaml").write_text(spec)
    submitted("challenge", "apply", str(tmp_path / "pitch.yaml"))
    out = json.loads(submitted("assign", "pitch", "--reviewers", "1", "--seed", "3", "--format", "json",
                               as_="mia").stdout)
    reviewer = next(p["reviewer"] for p in out["entry"]["pairs"] if p["person"] == "ava")
    outsider = next(p for p in ("ben", "cal", "dia", "eli", "mia") if p != reviewer)
    submitted("rate", "pitch", "ava", *scores(5), as_=reviewer)
    submitted("rate", "pitch", "ava", *scores(1), as_=outsider)
    row = next(r for r in json.loads(submitted("leaderboard", "pitch", "--format", "json").stdout)["rows"]
               if r["person"] == "ava")
    assert row["ratings"] == 1


def test_review_exclusions_are_validated(p2p, tmp_path):
    (tmp_path / "x.yaml").write_text(dedent("""
        slug: x
        type: pitch-battle
        opens: 2026-11-09
        review_exclusions: [team, region]
    """))
    p2p.refused("challenge", "apply", str(tmp_path / "x.yaml"), match="'region' is not one of team, manager")
