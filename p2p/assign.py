"""Balanced peer-review assignment. Pure and reproducible from its seed.

Every submission gets `n` reviewers; reviewers' loads differ by at most one (with as
many reviewers as submissions, everyone reviews exactly `n`); nobody reviews their
own submission, nor — when the challenge says so — their own team's or their
manager's; and reviewer→author pairs already used this season are avoided when
another choice keeps the balance."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Iterable, Mapping

from p2p.errors import InvalidInput
from p2p.model import Person

ATTEMPTS = 200


@dataclass(frozen=True)
class Plan:
    pairs: tuple[tuple[str, str], ...]  # (reviewer, author), sorted
    repeats: int  # pairs that repeat an earlier assignment this season


def allowed(reviewer: Person, author: Person, exclusions: Iterable[str]) -> bool:
    if reviewer.id == author.id:
        return False
    if "team" in exclusions and reviewer.team == author.team:
        return False
    return not ("manager" in exclusions and author.manager == reviewer.id)


def assign(authors: list[str], reviewers: list[str], people: Mapping[str, Person], n: int, seed: int,
           exclusions: Iterable[str] = (), earlier: Iterable[tuple[str, str]] = ()) -> Plan:
    """Pairs (reviewer, author) with every author reviewed `n` times, balanced loads."""
    exclusions = tuple(exclusions)
    if n < 1:
        raise InvalidInput("--reviewers must be at least 1")
    if not authors:
        raise InvalidInput("there are no submissions to review yet")
    options = {a: [r for r in reviewers if allowed(people[r], people[a], exclusions)] for a in authors}
    short = sorted(a for a, rs in options.items() if len(rs) < n)
    if short:
        raise InvalidInput(f"{short[0]} has only {len(options[short[0]])} possible reviewers; "
                           f"lower --reviewers below {n} or relax review_exclusions")
    cap = math.ceil(n * len(authors) / len(reviewers))
    used = set(earlier)
    rng = random.Random(seed)
    best: Plan | None = None
    for _ in range(ATTEMPTS):
        plan = _attempt(sorted(authors), options, n, cap, used, rng)
        if plan is not None and (best is None or plan.repeats < best.repeats):
            best = plan
            if plan.repeats == 0:
                break
    if best is None:
        raise InvalidInput(f"no balanced assignment of {n} reviewers per submission exists with these exclusions; "
                           "lower --reviewers or relax review_exclusions")
    return best


def _attempt(authors: list[str], options: Mapping[str, list[str]], n: int, cap: int, used: set[tuple[str, str]],
             rng: random.Random) -> Plan | None:
    order = authors[:]
    rng.shuffle(order)
    order.sort(key=lambda a: len(options[a]))  # the most constrained first
    load: dict[str, int] = {}
    pairs = []
    for author in order:
        ranked = sorted(options[author], key=lambda r: (load.get(r, 0), (r, author) in used, rng.random()))
        chosen = [r for r in ranked if load.get(r, 0) < cap][:n]
        if len(chosen) < n:
            return None
        for reviewer in chosen:
            load[reviewer] = load.get(reviewer, 0) + 1
            pairs.append((reviewer, author))
    return Plan(tuple(sorted(pairs)), sum(1 for p in pairs if p in used))
