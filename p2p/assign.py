"""Balanced peer-review assignment. Pure and reproducible from its seed.

Every submission gets `n` reviewers; reviewers' loads differ by at most one (with as
many reviewers as submissions, everyone reviews exactly `n`); nobody reviews their
own submission, nor — when the challenge says so — their own team's or their
manager's; and reviewer→author pairs already used this season are avoided when
another choice keeps the balance."""

from __future__ import annotations

import math
import random
from collections import Counter
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
    possible = _possible(authors, reviewers, people, exclusions)
    short = sorted(a for a, count in possible.items() if count < n)
    if short:
        raise InvalidInput(f"{short[0]} has only {possible[short[0]]} possible reviewers; "
                           f"lower --reviewers below {n} or relax review_exclusions")
    cap = math.ceil(n * len(authors) / len(reviewers))
    used = set(earlier)
    rng = random.Random(seed)
    best: Plan | None = None
    for _ in range(ATTEMPTS):
        plan = _attempt(sorted(authors), reviewers, people, exclusions, possible, n, cap, used, rng)
        if plan is not None and (best is None or plan.repeats < best.repeats):
            best = plan
            if plan.repeats == 0:
                break
    if best is None:
        raise InvalidInput(f"no balanced assignment of {n} reviewers per submission exists with these exclusions; "
                           "lower --reviewers or relax review_exclusions")
    return best


def _possible(authors: list[str], reviewers: list[str], people: Mapping[str, Person],
              exclusions: tuple[str, ...]) -> dict[str, int]:
    """{author: how many of `reviewers` may review them}, counted by team, not by
    asking `allowed` of every pair (20 million for 4,000 submissions and 5,000 reps)."""
    pool = set(reviewers)
    teams = Counter(people[r].team for r in reviewers)
    counts = {}
    for a in authors:
        author = people[a]
        count = len(reviewers) - (a in pool)
        if "team" in exclusions:
            count -= teams[author.team] - (a in pool)
        manager = author.manager
        if ("manager" in exclusions and manager in pool and manager != a
                and not ("team" in exclusions and people[manager].team == author.team)):
            count -= 1
        counts[a] = count
    return counts


def _attempt(authors: list[str], reviewers: list[str], people: Mapping[str, Person], exclusions: tuple[str, ...],
             possible: Mapping[str, int], n: int, cap: int, used: set[tuple[str, str]], rng: random.Random) -> Plan | None:
    """Give each author (the most constrained first) the `n` allowed reviewers with the
    lowest load, preferring pairs not used earlier, at random among equals.

    Reviewers sit in one bucket per load. An author draws from the lowest bucket in a
    random order, one reviewer at a time, until it has `n`: a draw costs what it takes,
    not a sort of every reviewer (4,000 submissions took 16 s an attempt that way)."""
    order = authors[:]
    rng.shuffle(order)
    order.sort(key=lambda a: possible[a])
    buckets: list[list[str]] = [list(reviewers)] + [[] for _ in range(cap - 1)]
    where = {r: i for i, r in enumerate(reviewers)}  # index of each reviewer in its bucket
    load: dict[str, int] = {}
    pairs = []
    for a in order:
        author = people[a]
        chosen: list[str] = []
        for level in range(cap):
            bucket, drawn, repeats = buckets[level], 0, []
            while len(chosen) < n and drawn < len(bucket):
                pick = rng.randrange(drawn, len(bucket))  # a partial Fisher-Yates shuffle of the bucket
                bucket[drawn], bucket[pick] = bucket[pick], bucket[drawn]
                where[bucket[drawn]], where[bucket[pick]] = drawn, pick
                reviewer = bucket[drawn]
                drawn += 1
                if not allowed(people[reviewer], author, exclusions):
                    continue
                (repeats if (reviewer, a) in used else chosen).append(reviewer)
            chosen.extend(repeats[:n - len(chosen)])
            if len(chosen) == n:
                break
        if len(chosen) < n:
            return None
        for reviewer in chosen:
            level = load.get(reviewer, 0)
            _move(buckets, where, reviewer, level, level + 1 if level + 1 < cap else None)
            load[reviewer] = level + 1
            pairs.append((reviewer, a))
    return Plan(tuple(sorted(pairs)), sum(1 for p in pairs if p in used))


def _move(buckets: list[list[str]], where: dict[str, int], reviewer: str, old: int, new: int | None) -> None:
    """Take `reviewer` out of bucket `old` (swapping the last one into its place) and
    into bucket `new`, or into none once at the cap."""
    bucket = buckets[old]
    index, last = where[reviewer], bucket[-1]
    bucket[index], where[last] = last, index
    bucket.pop()
    if new is not None:
        where[reviewer] = len(buckets[new])
        buckets[new].append(reviewer)
