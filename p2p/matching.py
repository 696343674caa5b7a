"""Mentor matching: pair people weak at a skill with people strong at it. Pure.

Mentors are at the `expert` level or above in the skill (p2p.yaml `levels`); mentees
below `practitioner`. The weakest mentee chooses first; each takes the strongest
mentor who still has room (`capacity`), is not themself, has not coached them in
this skill before and — when configured — does not share their manager. Ties are
broken by a shuffle seeded with `seed`, so the same seed gives the same pairs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Mapping

from p2p.model import Person


@dataclass(frozen=True)
class Proposal:
    pairs: tuple[tuple[str, str], ...]  # (mentor, mentee)
    unmatched: tuple[str, ...]  # mentees nobody could take
    mentors: tuple[str, ...]
    mentees: tuple[str, ...]


def propose(scores: Mapping[str, float], people: Mapping[str, Person], levels: tuple[tuple[str, float], ...],
            capacity: int, seed: int, previous: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
            avoid_same_manager: bool = False) -> Proposal:
    """`scores`: each person's mean score in the skill (1-5); `levels`: p2p.yaml's
    (name, lowest score) in rising order; `previous`: (mentor, mentee) pairs already made."""
    threshold = dict(levels)
    strong, weak = threshold.get("expert", levels[-2][1]), threshold.get("practitioner", levels[1][1])
    active = {pid: s for pid, s in scores.items() if pid in people and people[pid].active}
    order = sorted(active)
    random.Random(seed).shuffle(order)
    tiebreak = {pid: i for i, pid in enumerate(order)}
    mentors = sorted((p for p, s in active.items() if s >= strong), key=lambda p: (-active[p], tiebreak[p]))
    mentees = sorted((p for p, s in active.items() if s < weak), key=lambda p: (active[p], tiebreak[p]))
    load = dict.fromkeys(mentors, 0)
    open_mentors = [m for m in mentors if capacity > 0]  # in order; a full one leaves, not skipped by each mentee
    pairs, unmatched = [], []
    for mentee in mentees:
        manager = people[mentee].manager
        choice = next((m for m in open_mentors
                       if m != mentee and (m, mentee) not in previous
                       and not (avoid_same_manager and manager is not None and people[m].manager == manager)), None)
        if choice is None:
            unmatched.append(mentee)
            continue
        load[choice] += 1
        if load[choice] >= capacity:
            open_mentors.remove(choice)
        pairs.append((choice, mentee))
    return Proposal(tuple(pairs), tuple(unmatched), tuple(mentors), tuple(mentees))
