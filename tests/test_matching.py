"""p2p.matching.propose is pure: scores, people and settings in, a Proposal out.
Hand-computed cases first, then properties that hold for any roster."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from p2p.matching import Proposal, propose
from p2p.model import Person
from p2p.settings import LEVELS  # novice 0, practitioner 3.0, expert 3.8, coach 4.4

PRACTITIONER, EXPERT = dict(LEVELS)["practitioner"], dict(LEVELS)["expert"]


def person(pid: str, manager: str | None = None, active: bool = True) -> Person:
    return Person(id=pid, name=pid.title(), email=f"{pid}@example.com", role="ae", team="east",
                  manager=manager, active=active)


def roster(*ids: str, **managers: str | None) -> dict[str, Person]:
    return {pid: person(pid, managers.get(pid)) for pid in ids}


EVERYONE = roster("ava", "ben", "cal", "dia", "eli", "fay")


# -- hand-computed cases -------------------------------------------------------------
def test_weakest_mentee_gets_the_strongest_mentor_and_the_middle_is_neither() -> None:
    scores = {"ava": 2.0, "ben": 2.5, "cal": 4.0, "dia": 4.5, "eli": 3.4}
    assert propose(scores, EVERYONE, LEVELS, capacity=1, seed=0) == Proposal(
        pairs=(("dia", "ava"), ("cal", "ben")), unmatched=(), mentors=("dia", "cal"), mentees=("ava", "ben"))


def test_a_mentor_with_room_takes_several_mentees_up_to_capacity() -> None:
    scores = {"ava": 2.0, "ben": 2.5, "fay": 2.8, "cal": 4.0, "dia": 4.5}
    proposal = propose(scores, EVERYONE, LEVELS, capacity=2, seed=0)
    assert proposal.pairs == (("dia", "ava"), ("dia", "ben"), ("cal", "fay"))


def test_mentees_beyond_every_mentors_capacity_are_unmatched() -> None:
    scores = {"ava": 1.0, "ben": 2.0, "fay": 2.9, "dia": 4.5}
    proposal = propose(scores, EVERYONE, LEVELS, capacity=2, seed=0)
    assert proposal.pairs == (("dia", "ava"), ("dia", "ben")) and proposal.unmatched == ("fay",)


def test_without_any_mentor_every_mentee_is_unmatched() -> None:
    proposal = propose({"ava": 1.5, "ben": 2.0, "cal": 3.5}, EVERYONE, LEVELS, capacity=3, seed=0)
    assert proposal == Proposal(pairs=(), unmatched=("ava", "ben"), mentors=(), mentees=("ava", "ben"))


def test_level_boundaries_practitioner_is_not_a_mentee_and_expert_is_a_mentor() -> None:
    scores = {"ava": PRACTITIONER - 0.01, "ben": PRACTITIONER, "cal": EXPERT - 0.01, "dia": EXPERT}
    proposal = propose(scores, EVERYONE, LEVELS, capacity=1, seed=0)
    assert proposal.mentees == ("ava",) and proposal.mentors == ("dia",) and proposal.pairs == (("dia", "ava"),)


def test_inactive_people_and_people_not_in_the_roster_are_ignored() -> None:
    people = {**EVERYONE, "dia": person("dia", active=False), "ben": person("ben", active=False)}
    scores = {"ava": 2.0, "ben": 1.0, "cal": 4.0, "dia": 4.9, "zed": 5.0, "yan": 1.0}
    assert propose(scores, people, LEVELS, capacity=1, seed=0) == Proposal(
        pairs=(("cal", "ava"),), unmatched=(), mentors=("cal",), mentees=("ava",))


def test_a_previous_pair_is_not_repeated_and_the_mentee_gets_the_next_mentor() -> None:
    scores = {"ava": 2.0, "ben": 2.5, "cal": 4.0, "dia": 4.5}
    proposal = propose(scores, EVERYONE, LEVELS, capacity=1, seed=0, previous={("dia", "ava")})
    assert proposal.pairs == (("cal", "ava"), ("dia", "ben"))


def test_a_mentee_who_had_every_mentor_before_is_unmatched() -> None:
    scores = {"ava": 2.0, "cal": 4.0, "dia": 4.5}
    proposal = propose(scores, EVERYONE, LEVELS, capacity=5, seed=0, previous={("dia", "ava"), ("cal", "ava")})
    assert proposal.pairs == () and proposal.unmatched == ("ava",)


def test_avoid_same_manager_skips_a_mentor_with_the_mentees_manager() -> None:
    people = roster("ava", "ben", "cal", "dia", ava="mia", dia="mia", cal="max")
    scores = {"ava": 2.0, "ben": 2.5, "cal": 4.0, "dia": 4.5}
    assert propose(scores, people, LEVELS, 1, 0, avoid_same_manager=True).pairs == (("cal", "ava"), ("dia", "ben"))
    assert propose(scores, people, LEVELS, 1, 0, avoid_same_manager=False).pairs == (("dia", "ava"), ("cal", "ben"))


def test_avoid_same_manager_does_not_treat_two_people_without_a_manager_as_sharing_one() -> None:
    proposal = propose({"ava": 2.0, "dia": 4.5}, roster("ava", "dia"), LEVELS, 1, 0, avoid_same_manager=True)
    assert proposal.pairs == (("dia", "ava"),)


def test_avoid_same_manager_leaves_a_mentee_unmatched_when_only_a_teammate_could_mentor() -> None:
    people = roster("ava", "dia", ava="mia", dia="mia")
    proposal = propose({"ava": 2.0, "dia": 4.5}, people, LEVELS, 1, 0, avoid_same_manager=True)
    assert proposal.pairs == () and proposal.unmatched == ("ava",)


def test_ties_are_broken_by_the_seed() -> None:
    scores = {"ava": 2.0, "cal": 4.0, "dia": 4.0}
    chosen = {propose(scores, EVERYONE, LEVELS, 1, seed).pairs[0][0] for seed in range(32)}
    assert chosen == {"cal", "dia"}


# -- properties ----------------------------------------------------------------------
IDS = [f"p{i:02d}" for i in range(30)]
MANAGERS = st.one_of(st.none(), st.sampled_from(["boss1", "boss2", "boss3"]))


@st.composite
def worlds(draw: st.DrawFn) -> dict:
    n = draw(st.integers(0, len(IDS)))
    ids = IDS[:n]
    people = {pid: person(pid, draw(MANAGERS), draw(st.booleans() | st.just(True))) for pid in ids}
    scores = {pid: draw(st.floats(1, 5)) for pid in ids if draw(st.integers(0, 9))}  # some have no score
    strong = [p for p, s in scores.items() if s >= EXPERT] or ids  # earlier pairs that can matter, mostly
    weak = [p for p, s in scores.items() if s < PRACTITIONER] or ids
    previous = draw(st.sets(st.tuples(st.sampled_from(strong), st.sampled_from(weak)), max_size=20)) if ids else set()
    return dict(scores=scores, people=people, capacity=draw(st.integers(1, 4)), seed=draw(st.integers(0, 2**32)),
                previous=previous, avoid_same_manager=draw(st.booleans()))


def run(world: dict) -> Proposal:
    return propose(world["scores"], world["people"], LEVELS, world["capacity"], world["seed"],
                   world["previous"], world["avoid_same_manager"])


def eligible(world: dict, mentor: str, mentee: str) -> bool:
    manager = world["people"][mentee].manager
    return (mentor != mentee and (mentor, mentee) not in world["previous"]
            and not (world["avoid_same_manager"] and manager is not None
                     and world["people"][mentor].manager == manager))


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_every_pair_respects_levels_capacity_history_and_managers(world: dict) -> None:
    proposal = run(world)
    scores, people = world["scores"], world["people"]
    mentors = [m for m, _ in proposal.pairs]
    mentees = [p for _, p in proposal.pairs]
    assert all(mentors.count(m) <= world["capacity"] for m in mentors)
    assert len(mentees) == len(set(mentees))
    for mentor, mentee in proposal.pairs:
        assert mentor != mentee
        assert scores[mentor] >= EXPERT and scores[mentee] < PRACTITIONER
        assert people[mentor].active and people[mentee].active
        assert (mentor, mentee) not in world["previous"]
        if world["avoid_same_manager"] and people[mentee].manager is not None:
            assert people[mentor].manager != people[mentee].manager


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_mentors_and_mentees_are_exactly_the_active_experts_and_novices_in_rank_order(world: dict) -> None:
    proposal = run(world)
    scores, people = world["scores"], world["people"]
    active = {p: s for p, s in scores.items() if people[p].active}
    assert set(proposal.mentors) == {p for p, s in active.items() if s >= EXPERT}
    assert set(proposal.mentees) == {p for p, s in active.items() if s < PRACTITIONER}
    assert [scores[m] for m in proposal.mentors] == sorted((scores[m] for m in proposal.mentors), reverse=True)
    assert [scores[m] for m in proposal.mentees] == sorted(scores[m] for m in proposal.mentees)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_every_mentee_is_either_paired_or_unmatched_never_both(world: dict) -> None:
    proposal = run(world)
    paired = [p for _, p in proposal.pairs]
    assert sorted(paired + list(proposal.unmatched)) == sorted(proposal.mentees)
    assert not set(paired) & set(proposal.unmatched)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_an_unmatched_mentee_had_no_eligible_mentor_with_room(world: dict) -> None:
    proposal = run(world)
    load = {m: sum(1 for mentor, _ in proposal.pairs if mentor == m) for m in proposal.mentors}
    for mentee in proposal.unmatched:
        assert not [m for m in proposal.mentors if load[m] < world["capacity"] and eligible(world, m, mentee)]


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_same_inputs_and_seed_give_the_same_proposal_whatever_the_order_of_scores(world: dict) -> None:
    first = run(world)
    assert run(world) == first
    assert run({**world, "scores": dict(reversed(list(world["scores"].items())))}) == first
