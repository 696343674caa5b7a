"""Entry kinds: what people do, one immutable YAML document each. Pure.

A later entry by the same person about the same thing supersedes an earlier one
(see p2p.scoring); nothing is ever edited or deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from p2p import fields as f
from p2p.settings import SCHEMA_VERSION
from p2p.shapes import ID_SCHEMA, Boolean, EntryId, Id, Integer, Kinds, ListOf, MapOf, Number, Shape, Text, TextList

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
ENTRIES = Kinds("entry", "One entry of the log: entries/CHALLENGE/PERSON/ID.yaml, never edited.", SCHEMA_VERSION, {
    "challenge": Id(description="the challenge's slug; also the folder name"),
}, [
    (Submission, "a submission", "A person's (or team's) entry in a challenge; a later one replaces it.", {
        "link": Text(required=False, max_len=2000, description="where the work is: a recording, a document"),
        "notes": Text(required=False, multiline=True),
        "tags": TextList(max_len=50),
        "metric": Number(required=False, description="the reported number, in metric challenges"),
        "team": Id(required=False, description="the team submitting, in team challenges"),
        "partner": Id(required=False, description="the other person of the face-off, in pairs challenges"),
    }),
    (Rating, "a rating", "A peer's scores of a submission against the challenge's rubric.", {
        "submission": EntryId(description="the rated submission"),
        "person": Id(description="who made the rated submission"),
        "scores": MapOf(Number(), required=True, description="criterion id: score on the rubric's scale"),
        "comment": Text(required=False, multiline=True),
    }),
    (Vote, "a vote", "A peer's vote for a person's submission for an award.", {
        "submission": EntryId(), "person": Id(), "award": Id(description=f"the award, e.g. {DEFAULT_AWARD}"),
    }),
    (Feedback, "feedback", "The rated person's answer to: was this rating useful?", {
        "rating": EntryId(), "helpful": Integer(minimum=1, maximum=5),
    }),
    (Assignment, "an assignment", "Who reviews whom in a challenge (p2p assign).", {
        "pairs": ListOf(Shape("pair", {"reviewer": Id(), "person": Id()},
                              make=lambda values, prefix: (values["reviewer"], values["person"])),
                        "a list of {reviewer, person}"),
        "reviewers": Integer(minimum=1, maximum=50, description="reviewers per submission"),
        "seed": Integer(minimum=0),
    }),
    (Feature, "a feature", "A manager's pick of a submission as an example; featured: false takes it back.", {
        "submission": EntryId(), "person": Id(), "note": Text(required=False, max_len=2000),
        "featured": Boolean(default=True),
    }),
    (Bracket, "a bracket", "A round of a single-elimination bracket drawn into a pairs challenge.", {
        "seed": Integer(minimum=0),
        "slots": ListOf(Id(required=False), "a list of 2, 4, 8, 16 or 32 person ids (null for a bye)",
                        required=True, sizes=(2, 4, 8, 16, 32), description="bracket order; null is a bye"),
        "seeds": MapOf(Integer(minimum=1), keys=ID_SCHEMA, description="person id: seed in the first round"),
        "previous": Id(required=False, description="the challenge of the round before"),
    }),
])
KINDS = tuple(ENTRIES.shapes)
parse_entry = ENTRIES.parse  # the entry a document holds, or SchemaError naming the field


def _head(entry: Entry) -> dict[str, Any]:
    return {"v": SCHEMA_VERSION, "id": entry.id, "kind": entry.kind, "at": f.format_timestamp(entry.at),
            "by": entry.by, "challenge": entry.challenge}


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
