"""The store's records as frozen dataclasses, and the parsing of plain dicts (from
YAML) into them with field-precise errors. Pure: no git, no files, no Click.

Each kind validates itself next to its definition: its fields' rules are a Shape
(p2p.shapes: PERSON, CHALLENGE, RUBRIC, …, also published as JSON Schemas), and
`Person.parse`, `Challenge.parse`, … read through it and add the few rules between
fields, raising SchemaError naming the field; `to_doc` gives back the canonical
document that is written to the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from functools import lru_cache

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.settings import AGGREGATES, DEFAULT_ROLES, Settings
from p2p.shapes import (Boolean, Choice, Date, Email, Id, IdList, Integer, ListOf, MapOf, Nested, Number, Shape, Spec,
                        Text, Timestamp)

MODES = ("rubric", "metric", "votes")
FORMATS = ("individual", "team", "pairs")
STATES = ("upcoming", "open", "review", "closed")


# -- people --------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    role: str
    team: str
    region: str | None = None
    manager: str | None = None
    hired: dt.date | None = None
    active: bool = True
    crm_id: str | None = None

    @classmethod
    def parse(cls, doc: object, roles: tuple[str, ...] = DEFAULT_ROLES) -> Person:
        """Beyond the Shape, in code: the role is one of p2p.yaml's roles, the name
        is fit to be a git author, and nobody is their own manager."""
        values = _person_shape(roles).read(doc)
        name = values["name"]
        if "<" in name or ">" in name or not any(c.isalnum() for c in name):
            raise SchemaError(f"name {name!r} must contain letters and no < or > (git uses it as the author name)", "name")
        person = cls(**{**values, "name": name.strip()})
        if person.manager == person.id:
            raise SchemaError(f"manager of {person.id} cannot be {person.id} themself", "manager")
        return person

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.id, "name": self.name, "email": self.email, "role": self.role, "team": self.team}
        for key in ("region", "manager", "crm_id"):
            if getattr(self, key):
                doc[key] = getattr(self, key)
        if self.hired:
            doc["hired"] = self.hired.isoformat()
        doc["active"] = self.active
        return doc


PERSON = Shape("person", {
    "id": Id(description="the person's id; also the file name"),
    "name": Text(max_len=200, description="full name; the git author name of their entries"),
    "email": Email(description="their git user.email, so p2p knows who is acting"),
    "role": Choice(DEFAULT_ROLES, store_defined=True, description="one of the roles in p2p.yaml"),
    "team": Id(),
    "region": Text(required=False, max_len=100),
    "manager": Id(required=False, description="the manager's person id"),
    "hired": Date(required=False),
    "active": Boolean(default=True),
    "crm_id": Text(required=False, max_len=64, description="the person's user id in the CRM"),
}, "a person", "One person of the roster: people/ID.yaml.")


@lru_cache(maxsize=8)
def _person_shape(roles: tuple[str, ...]) -> Shape:
    """A store may define its own roles in p2p.yaml: the role must be one of those."""
    return PERSON.derive(role=replace(PERSON.fields["role"], values=roles))  # type: ignore[arg-type]


# -- challenges ----------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    weight: float
    levels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rubric:
    min: int
    max: int
    criteria: tuple[Criterion, ...]

    def to_doc(self) -> dict[str, Any]:
        return {
            "scale": {"min": self.min, "max": self.max},
            "criteria": [
                {"id": c.id, "name": c.name, "weight": _num(c.weight), **({"levels": dict(c.levels)} if c.levels else {})}
                for c in self.criteria
            ],
        }

    def criterion(self, cid: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == cid), None)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    direction: str = "higher"

    def to_doc(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "direction": self.direction}


def _rubric(values: dict[str, Any], prefix: str) -> Rubric:
    """In code: the scale's max above its min, level keys on the scale, unique criterion ids."""
    low, high = values["scale"]
    if high <= low:
        raise SchemaError(f"{prefix}scale.max {high} is out of range {low + 1}..{_SCALE['max'].maximum}",
                          f"{prefix}scale.max")
    for i, criterion in enumerate(values["criteria"]):
        where = f"{prefix}criteria.{i}."
        for key in criterion.levels:
            if isinstance(key, bool) or not isinstance(key, int) or not low <= key <= high:
                raise SchemaError(f"{where}levels: {key!r} is not a score from {low} to {high}", where + "levels")
    ids = [c.id for c in values["criteria"]]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SchemaError(f"{prefix}criteria: duplicate criterion id {dupes[0]!r}", prefix + "criteria")
    return Rubric(low, high, values["criteria"])


_SCALE = {"min": Integer(minimum=0, maximum=100, default=1), "max": Integer(minimum=1, maximum=100, default=5)}
RUBRIC = Shape("rubric", {
    "scale": Nested(Shape("scale", _SCALE, "scale", make=lambda values, prefix: (values["min"], values["max"])),
                    defaults=True, description="the scores raters give, from min to max"),
    "criteria": ListOf(Shape("criterion", {
        "id": Id(),
        "name": Text(max_len=200),
        "weight": Number(exclusive_minimum=0, default=1, message="{field} must be positive, not {value:g}"),
        "levels": MapOf(Text(max_len=1000), keys={"pattern": "^[0-9]+$"}, str_keys=False,
                        description="score: what that score looks like"),
    }, "a criterion", make=lambda values, prefix: Criterion(**values)), "a non-empty list", required=True),
}, "a rubric", "What raters score, criterion by criterion, each weighted.", _rubric)
METRIC = Shape("metric", {
    "name": Text(max_len=100, description="what is counted, e.g. meetings booked"),
    "unit": Text(required=False, max_len=50, default=""),
    "direction": Choice(("higher", "lower"), default="higher", description="which way is better"),
}, "metric", "The number each submission reports, in metric challenges.", lambda values, prefix: Metric(**values))
# Fields shared by built-in types and store challenges (a challenge may override any).
_COMMON: dict[str, Spec] = {
    "title": Text(max_len=200),
    "description": Text(required=False, multiline=True, default=""),
    "skills": IdList(description="the skills it trains"),
    "mode": Choice(MODES, description="rubric: peers rate; metric: a reported number; votes: peers vote"),
    "format": Choice(FORMATS, default="individual"),
    "roles": IdList(description="the roles that may take part (all when empty)"),
    "min_ratings": Integer(minimum=1, maximum=100, required=False,
                           description="ratings a submission needs to be ranked (p2p.yaml's when absent)"),
    "rubric": Nested(RUBRIC, required=True),
    "metric": Nested(METRIC, description="metric mode only"),
}


def _check_mode(values: dict[str, Any]) -> None:
    """In code: a metric exactly in metric mode (and a race only there)."""
    mode = values["mode"]
    if mode == "metric" and values["metric"] is None:
        raise SchemaError("metric is required", "metric")
    if mode != "metric" and values["metric"] is not None:
        raise SchemaError(f"metric is only allowed when mode is metric, not {mode}", "metric")
    if mode != "metric" and values.get("race") is not None:
        raise SchemaError(f"race is for metric challenges (a number adds up to a target); this one is {mode}", "race")


@dataclass(frozen=True)
class ChallengeType:
    type: str
    title: str
    description: str
    skills: tuple[str, ...]
    mode: str
    format: str
    duration_days: int
    review_days: int
    roles: tuple[str, ...]
    min_ratings: int | None
    rubric: Rubric
    metric: Metric | None

    @classmethod
    def parse(cls, doc: object) -> ChallengeType:
        values = CHALLENGE_TYPE.read(doc)
        _check_mode(values)
        return cls(**values)


CHALLENGE_TYPE = Shape("challenge type", {
    "type": Id(description="the type's name"), **_COMMON,
    "duration_days": Integer(minimum=1, maximum=366, default=7, description="days open for submissions"),
    "review_days": Integer(minimum=0, maximum=366, default=3, description="days for reviews after it closes"),
}, "a challenge type", "A built-in challenge type (challenges/TYPE.yaml in p2p): the defaults of its challenges.")


REPEATS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Race:
    """A metric challenge run as a race to a shared target: entries add up, the first
    to reach the target wins, and with `repeat` a new round starts each day, week
    (Monday) or month in the store's time zone."""

    target: float
    repeat: str | None = None

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"target": _num(self.target)}
        if self.repeat:
            doc["repeat"] = self.repeat
        return doc

    def round_of(self, day: dt.date, opens: dt.date, closes: dt.date) -> tuple[dt.date, dt.date]:
        """(first day, last day) of the round holding `day`, within the challenge."""
        if self.repeat == "daily":
            start, end = day, day
        elif self.repeat == "weekly":
            start = day - dt.timedelta(days=day.weekday())
            end = start + dt.timedelta(days=6)
        elif self.repeat == "monthly":
            start = day.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        else:
            start, end = opens, closes
        return max(start, opens), min(end, closes)


@dataclass(frozen=True)
class Challenge:
    slug: str
    title: str
    type: str
    description: str
    skills: tuple[str, ...]
    mode: str
    format: str
    roles: tuple[str, ...]
    rubric: Rubric
    opens: dt.date
    closes: dt.date
    review_closes: dt.date
    metric: Metric | None = None
    min_ratings: int | None = None
    aggregate: str | None = None
    closed_at: dt.datetime | None = None
    assigned_only: bool = False  # only assigned reviewers' ratings count (see `p2p assign`)
    review_exclusions: tuple[str, ...] = ()  # "team", "manager": never assign those as reviewers
    race: Race | None = None  # metric challenges only: entries add up to a target

    @classmethod
    def parse(cls, doc: object, roles: tuple[str, ...] = DEFAULT_ROLES) -> Challenge:
        """Beyond the Shape, in code: the dates in order, the roles among p2p.yaml's,
        and the metric and race fitting the mode."""
        values = CHALLENGE.read(doc)
        opens, closes = values["opens"], values["closes"]
        review_closes = values["review_closes"] = values["review_closes"] or closes
        if closes < opens:
            raise SchemaError(f"closes {closes} is before opens {opens}", "closes")
        if review_closes < closes:
            raise SchemaError(f"review_closes {review_closes} is before closes {closes}", "review_closes")
        for i, role in enumerate(values["roles"]):
            if role not in roles:
                raise SchemaError(f"roles.{i} {role!r} is not one of {', '.join(roles)}", f"roles.{i}")
        _check_mode(values)
        return cls(**values)

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "slug": self.slug, "title": self.title, "type": self.type, "description": self.description,
            "skills": list(self.skills), "mode": self.mode, "format": self.format, "roles": list(self.roles),
            "opens": self.opens.isoformat(), "closes": self.closes.isoformat(),
            "review_closes": self.review_closes.isoformat(),
        }
        if self.min_ratings is not None:
            doc["min_ratings"] = self.min_ratings
        if self.aggregate is not None:
            doc["aggregate"] = self.aggregate
        if self.metric is not None:
            doc["metric"] = self.metric.to_doc()
        doc["rubric"] = self.rubric.to_doc()
        if self.closed_at is not None:
            doc["closed_at"] = f.format_timestamp(self.closed_at)
        if self.assigned_only:
            doc["assigned_only"] = True
        if self.review_exclusions:
            doc["review_exclusions"] = list(self.review_exclusions)
        if self.race is not None:
            doc["race"] = self.race.to_doc()
        return doc

    def window(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """When submissions open, when they close and when reviews close: dates are
        whole days in the store's time zone, so `closes` includes that whole day."""
        def start(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), tz)
        return start(self.opens), start(self.closes + dt.timedelta(days=1)), start(self.review_closes + dt.timedelta(days=1))

    def state(self, now: dt.datetime, tz: dt.tzinfo) -> str:
        if self.closed_at is not None and now >= self.closed_at:
            return "closed"
        opens, closes, review_closes = self.window(tz)
        if now < opens:
            return "upcoming"
        if now < closes:
            return "open"
        return "review" if now < review_closes else "closed"

    def close(self, now: dt.datetime) -> Challenge:
        return replace(self, closed_at=now)

    def needed_ratings(self, settings: Settings) -> int:
        return self.min_ratings if self.min_ratings is not None else settings.min_ratings


RACE = Shape("race", {
    "target": Number(exclusive_minimum=0, description="the total that wins"),
    "repeat": Choice(REPEATS, required=False, description="a new round each day, week or month"),
}, "race", "Run a metric challenge as a race: entries add up, the first to reach the target wins.",
    lambda values, prefix: Race(**values))
CHALLENGE = Shape("challenge", {
    "slug": Id(description="the challenge's id; also the file name"),
    "title": _COMMON["title"],
    "type": Id(description="the built-in type it was made from"),
    **_COMMON,
    "opens": Date(description="first day for submissions"),
    "closes": Date(description="last day for submissions"),
    "review_closes": Date(required=False, description="last day for ratings (closes when absent)"),
    "aggregate": Choice(AGGREGATES, required=False, description="how ratings combine (p2p.yaml's when absent)"),
    "closed_at": Timestamp(required=False, description="closed early at this time"),
    "assigned_only": Boolean(default=False, description="only assigned reviewers' ratings count (p2p assign)"),
    "review_exclusions": ListOf(Choice(("team", "manager")), "a list of team and manager",
                                description="never assign reviewers of the same team, or the manager"),
    "race": Nested(RACE),
}, "a challenge", "One challenge definition of the store: challenges/SLUG.yaml.")
# A spec file for `p2p challenge apply`/`new`: the type's defaults fill what it leaves out.
CHALLENGE_SPEC = CHALLENGE.derive("challenge spec", "A challenge spec for `p2p challenge apply`: a built-in type's "
                                  "defaults fill what it leaves out.", only_required={"slug", "type", "opens"})


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
