"""Entry kinds: what people do, one immutable YAML document each. Pure.

A later entry by the same person about the same thing supersedes an earlier one
(see p2p.scoring); nothing is ever edited or deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.ids import check_entry_id
from p2p.settings import SCHEMA_VERSION

_BASE = {"v", "id", "kind", "at", "by", "challenge"}
DEFAULT_AWARD = "best"


@dataclass(frozen=True)
class Submission:
    id: str
    at: dt.datetime
    by: str
    challenge: str
    link: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    metric: float | None = None
    team: str | None = None
    partner: str | None = None
    kind = "submission"

    def to_doc(self) -> dict[str, Any]:
        doc = _head(self)
        for key in ("link", "notes", "team", "partner"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        if self.tags:
            doc["tags"] = list(self.tags)
        if self.metric is not None:
            doc["metric"] = _num(self.metric)
        return doc


@dataclass(frozen=True)
class Rating:
    id: str
    at: dt.datetime
    by: str
    challenge: str
    submission: str
    person: str
    scores: Mapping[str, float]
    comment: str | None = None
    kind = "rating"

    def to_doc(self) -> dict[str, Any]:
        doc = _head(self)
        doc.update(submission=self.submission, person=self.person, scores={k: _num(v) for k, v in self.scores.items()})
        if self.comment is not None:
            doc["comment"] = self.comment
        return doc


@dataclass(frozen=True)
class Vote:
    """A peer's vote for a person's submission for an award; the latest per
    (voter, award, challenge) counts."""

    id: str
    at: dt.datetime
    by: str
    challenge: str
    submission: str
    person: str
    award: str = DEFAULT_AWARD
    kind = "vote"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "submission": self.submission, "person": self.person, "award": self.award}


@dataclass(frozen=True)
class Feedback:
    """The rated person's answer to "was this rating useful?" (1-5)."""

    id: str
    at: dt.datetime
    by: str
    challenge: str
    rating: str
    helpful: int
    kind = "feedback"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "rating": self.rating, "helpful": self.helpful}


@dataclass(frozen=True)
class Assignment:
    """Who reviews whom in a challenge (`p2p assign`); the latest one counts."""

    id: str
    at: dt.datetime
    by: str
    challenge: str
    pairs: tuple[tuple[str, str], ...]  # (reviewer, author of the submission)
    reviewers: int  # reviewers per submission
    seed: int
    kind = "assignment"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "reviewers": self.reviewers, "seed": self.seed,
                "pairs": [{"reviewer": r, "person": p} for r, p in self.pairs]}


@dataclass(frozen=True)
class Feature:
    """A manager's pick: a submission featured as an example of what good looks like.
    The latest per (manager, submission) counts; `featured: false` takes it back."""

    id: str
    at: dt.datetime
    by: str
    challenge: str
    submission: str
    person: str
    note: str | None = None
    featured: bool = True
    kind = "feature"

    def to_doc(self) -> dict[str, Any]:
        doc = {**_head(self), "submission": self.submission, "person": self.person}
        if self.note is not None:
            doc["note"] = self.note
        doc["featured"] = self.featured
        return doc


@dataclass(frozen=True)
class Bracket:
    """A round of a single-elimination bracket drawn into this (pairs) challenge; the
    latest one counts. `previous` is the challenge of the round before, if any."""

    id: str
    at: dt.datetime
    by: str
    challenge: str
    seed: int
    slots: tuple[str | None, ...]  # bracket order; None is a bye
    seeds: Mapping[str, int]  # person -> seed number in the first round
    previous: str | None = None
    kind = "bracket"

    def to_doc(self) -> dict[str, Any]:
        doc = {**_head(self), "seed": self.seed, "slots": list(self.slots), "seeds": dict(self.seeds)}
        if self.previous is not None:
            doc["previous"] = self.previous
        return doc


Entry = Submission | Rating | Vote | Feedback | Assignment | Feature | Bracket
KINDS = ("submission", "rating", "vote", "feedback", "assignment", "feature", "bracket")


def parse_entry(doc: object) -> Entry:
    doc = f.mapping(doc, "entry")
    version = f.integer(doc, "v", minimum=1)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"entry version {version} is newer than this p2p understands ({SCHEMA_VERSION}); upgrade p2p", "v")
    kind = f.choice(doc, "kind", KINDS)
    head = {
        "id": check_entry_id(f.req(doc, "id")),
        "at": f.timestamp(doc, "at"),
        "by": f.ident(doc, "by"),
        "challenge": f.ident(doc, "challenge"),
    }
    return _PARSERS[kind](doc, head)


def _submission(doc: Mapping[str, Any], head: dict[str, Any]) -> Submission:
    f.known_keys(doc, _BASE | {"link", "notes", "tags", "metric", "team", "partner"}, "a submission")
    metric = doc.get("metric")
    return Submission(
        **head,
        link=f.text(doc, "link", required=False, max_len=2000),
        notes=f.text(doc, "notes", required=False, multiline=True),
        tags=f.text_list(doc, "tags", max_len=50),
        metric=None if metric is None else f.number(metric, "metric"),
        team=f.ident(doc, "team", required=False),
        partner=f.ident(doc, "partner", required=False),
    )


def _rating(doc: Mapping[str, Any], head: dict[str, Any]) -> Rating:
    f.known_keys(doc, _BASE | {"submission", "person", "scores", "comment"}, "a rating")
    scores = f.mapping(f.req(doc, "scores"), "scores")
    return Rating(
        **head,
        submission=check_entry_id(f.req(doc, "submission"), "submission"),
        person=f.ident(doc, "person"),  # type: ignore[arg-type]
        scores={str(k): f.number(v, f"scores.{k}") for k, v in scores.items()},
        comment=f.text(doc, "comment", required=False, multiline=True),
    )


def _vote(doc: Mapping[str, Any], head: dict[str, Any]) -> Vote:
    f.known_keys(doc, _BASE | {"submission", "person", "award"}, "a vote")
    return Vote(**head, submission=check_entry_id(f.req(doc, "submission"), "submission"),
                person=f.ident(doc, "person"), award=f.ident(doc, "award"))  # type: ignore[arg-type]


def _feedback(doc: Mapping[str, Any], head: dict[str, Any]) -> Feedback:
    f.known_keys(doc, _BASE | {"rating", "helpful"}, "feedback")
    return Feedback(**head, rating=check_entry_id(f.req(doc, "rating"), "rating"),
                    helpful=f.integer(doc, "helpful", minimum=1, maximum=5))


def _assignment(doc: Mapping[str, Any], head: dict[str, Any]) -> Assignment:
    f.known_keys(doc, _BASE | {"pairs", "reviewers", "seed"}, "an assignment")
    pairs = [(f.ident(item, "reviewer", at), f.ident(item, "person", at))
             for at, item in f.mappings(doc, "pairs", {"reviewer", "person"}, "{reviewer, person}", required=False)]
    return Assignment(**head, pairs=tuple(pairs), reviewers=f.integer(doc, "reviewers", minimum=1, maximum=50),
                      seed=f.integer(doc, "seed", minimum=0))  # type: ignore[arg-type]


def _feature(doc: Mapping[str, Any], head: dict[str, Any]) -> Feature:
    f.known_keys(doc, _BASE | {"submission", "person", "note", "featured"}, "a feature")
    return Feature(**head, submission=check_entry_id(f.req(doc, "submission"), "submission"),
                   person=f.ident(doc, "person"), note=f.text(doc, "note", required=False, max_len=2000),  # type: ignore[arg-type]
                   featured=f.boolean(doc, "featured", True))


def _bracket(doc: Mapping[str, Any], head: dict[str, Any]) -> Bracket:
    f.known_keys(doc, _BASE | {"seed", "slots", "seeds", "previous"}, "a bracket")
    raw = doc.get("slots")
    if not isinstance(raw, list) or len(raw) not in (2, 4, 8, 16, 32):
        raise SchemaError("slots must be a list of 2, 4, 8, 16 or 32 person ids (null for a bye)", "slots")
    slots = tuple(None if v is None else f.ident({"slot": v}, "slot", f"slots.{i}.") for i, v in enumerate(raw))
    seeds = f.mapping(doc.get("seeds") or {}, "seeds")
    return Bracket(**head, seed=f.integer(doc, "seed", minimum=0), slots=slots,  # type: ignore[arg-type]
                   seeds={str(k): f.integer(seeds, k, "seeds.", minimum=1) for k in seeds},
                   previous=f.ident(doc, "previous", required=False))


_PARSERS = {"submission": _submission, "rating": _rating, "vote": _vote, "feedback": _feedback,
            "assignment": _assignment, "feature": _feature, "bracket": _bracket}


def _head(entry: Entry) -> dict[str, Any]:
    return {"v": SCHEMA_VERSION, "id": entry.id, "kind": entry.kind, "at": f.format_timestamp(entry.at),
            "by": entry.by, "challenge": entry.challenge}


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
