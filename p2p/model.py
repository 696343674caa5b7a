"""The store's records as frozen dataclasses, and the parsing of plain dicts (from
YAML) into them with field-precise errors. Pure: no git, no files, no Click.

Each kind validates itself next to its definition: `Person.parse`, `Challenge.parse`,
`Submission.parse`, … raise SchemaError naming the field; `to_doc` gives back the
canonical document that is written to the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.settings import AGGREGATES, DEFAULT_ROLES, Settings

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

    FIELDS = ("id", "name", "email", "role", "team", "region", "manager", "hired", "active", "crm_id")

    @classmethod
    def parse(cls, doc: object, roles: tuple[str, ...] = DEFAULT_ROLES) -> Person:
        doc = f.mapping(doc, "person")
        f.known_keys(doc, set(cls.FIELDS), "a person")
        name = f.text(doc, "name", max_len=200) or ""
        if "<" in name or ">" in name or not any(c.isalnum() for c in name):
            raise SchemaError(f"name {name!r} must contain letters and no < or > (git uses it as the author name)", "name")
        person = cls(
            id=f.ident(doc, "id"),  # type: ignore[arg-type]
            name=name.strip(),
            email=f.email(doc, "email"),
            role=f.choice(doc, "role", roles),
            team=f.ident(doc, "team"),  # type: ignore[arg-type]
            region=f.text(doc, "region", required=False, max_len=100),
            manager=f.ident(doc, "manager", required=False),
            hired=f.date(doc, "hired", required=False),
            active=f.boolean(doc, "active", True),
            crm_id=f.text(doc, "crm_id", required=False, max_len=64),
        )
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

    @classmethod
    def parse(cls, doc: object, prefix: str = "rubric.") -> Rubric:
        doc = f.mapping(doc, prefix.rstrip("."))
        f.known_keys(doc, {"scale", "criteria"}, "a rubric")
        scale = f.mapping(doc.get("scale") or {"min": 1, "max": 5}, prefix + "scale")
        low = f.integer(scale, "min", prefix + "scale.", default=1, minimum=0, maximum=100)
        high = f.integer(scale, "max", prefix + "scale.", default=5, minimum=low + 1, maximum=100)
        raw = f.req(doc, "criteria", prefix)
        if not isinstance(raw, list) or not raw:
            raise SchemaError(f"{prefix}criteria must be a non-empty list", prefix + "criteria")
        criteria = []
        for i, item in enumerate(raw):
            where = f"{prefix}criteria.{i}."
            item = f.mapping(item, where.rstrip("."))
            f.known_keys(item, {"id", "name", "weight", "levels"}, "a criterion")
            weight = f.number(item.get("weight", 1), where + "weight")
            if weight <= 0:
                raise SchemaError(f"{where}weight must be positive, not {weight:g}", where + "weight")
            levels = f.mapping(item.get("levels") or {}, where + "levels")
            for key, text in levels.items():
                if isinstance(key, bool) or not isinstance(key, int) or not low <= key <= high:
                    raise SchemaError(f"{where}levels: {key!r} is not a score from {low} to {high}", where + "levels")
                f.text(levels, key, where + "levels.", max_len=1000)
            criteria.append(Criterion(
                id=f.ident(item, "id", where),  # type: ignore[arg-type]
                name=f.text(item, "name", where, max_len=200),  # type: ignore[arg-type]
                weight=weight,
                levels=dict(levels),
            ))
        ids = [c.id for c in criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise SchemaError(f"{prefix}criteria: duplicate criterion id {dupes[0]!r}", prefix + "criteria")
        return cls(low, high, tuple(criteria))

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

    @classmethod
    def parse(cls, doc: object) -> Metric:
        doc = f.mapping(doc, "metric")
        f.known_keys(doc, {"name", "unit", "direction"}, "metric")
        return cls(
            name=f.text(doc, "name", "metric.", max_len=100),  # type: ignore[arg-type]
            unit=f.text(doc, "unit", "metric.", required=False, max_len=50) or "",
            direction=f.choice(doc, "direction", ("higher", "lower"), "metric.", default="higher"),
        )

    def to_doc(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "direction": self.direction}


# Fields shared by built-in types and store challenges (a challenge may override any).
_COMMON = {"title", "description", "skills", "mode", "format", "roles", "min_ratings", "rubric", "metric", "aggregate"}


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
        doc = f.mapping(doc, "challenge type")
        f.known_keys(doc, _COMMON | {"type", "duration_days", "review_days"} - {"aggregate"}, "a challenge type")
        mode = f.choice(doc, "mode", MODES)
        return cls(
            type=f.ident(doc, "type"),  # type: ignore[arg-type]
            title=f.text(doc, "title", max_len=200),  # type: ignore[arg-type]
            description=f.text(doc, "description", required=False, multiline=True) or "",
            skills=f.id_list(doc, "skills"),
            mode=mode,
            format=f.choice(doc, "format", FORMATS, default="individual"),
            duration_days=f.integer(doc, "duration_days", default=7, minimum=1, maximum=366),
            review_days=f.integer(doc, "review_days", default=3, minimum=0, maximum=366),
            roles=f.id_list(doc, "roles"),
            min_ratings=f.integer(doc, "min_ratings", minimum=1, maximum=100) if "min_ratings" in doc else None,
            rubric=Rubric.parse(f.req(doc, "rubric")),
            metric=_metric_for(doc, mode),
        )


def _metric_for(doc: Mapping[str, Any], mode: str) -> Metric | None:
    if mode == "metric":
        return Metric.parse(f.req(doc, "metric"))
    if doc.get("metric") is not None:
        raise SchemaError(f"metric is only allowed when mode is metric, not {mode}", "metric")
    return None


REPEATS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Race:
    """A metric challenge run as a race to a shared target: entries add up, the first
    to reach the target wins, and with `repeat` a new round starts each day, week
    (Monday) or month in the store's time zone."""

    target: float
    repeat: str | None = None

    @classmethod
    def parse(cls, raw: object) -> Race:
        doc = f.mapping(raw, "race")
        f.known_keys(doc, {"target", "repeat"}, "race")
        target = f.number(f.req(doc, "target", "race."), "race.target")
        if target <= 0:
            raise SchemaError(f"race.target {target:g} must be more than 0", "race.target")
        repeat = f.choice(doc, "repeat", REPEATS, "race.") if doc.get("repeat") is not None else None
        return cls(target, repeat)

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

    KEYS = _COMMON | {"slug", "type", "opens", "closes", "review_closes", "closed_at", "assigned_only",
                      "review_exclusions", "race"}

    @classmethod
    def parse(cls, doc: object, roles: tuple[str, ...] = DEFAULT_ROLES) -> Challenge:
        doc = f.mapping(doc, "challenge")
        f.known_keys(doc, cls.KEYS, "a challenge")
        mode = f.choice(doc, "mode", MODES)
        opens = f.date(doc, "opens")
        closes = f.date(doc, "closes")
        review_closes = f.date(doc, "review_closes", required=False) or closes
        assert opens and closes
        if closes < opens:
            raise SchemaError(f"closes {closes} is before opens {opens}", "closes")
        if review_closes < closes:
            raise SchemaError(f"review_closes {review_closes} is before closes {closes}", "review_closes")
        eligible = f.id_list(doc, "roles")
        for i, role in enumerate(eligible):
            if role not in roles:
                raise SchemaError(f"roles.{i} {role!r} is not one of {', '.join(roles)}", f"roles.{i}")
        return cls(
            slug=f.ident(doc, "slug"),  # type: ignore[arg-type]
            title=f.text(doc, "title", max_len=200),  # type: ignore[arg-type]
            type=f.ident(doc, "type"),  # type: ignore[arg-type]
            description=f.text(doc, "description", required=False, multiline=True) or "",
            skills=f.id_list(doc, "skills"),
            mode=mode,
            format=f.choice(doc, "format", FORMATS, default="individual"),
            roles=eligible,
            rubric=Rubric.parse(f.req(doc, "rubric")),
            opens=opens, closes=closes, review_closes=review_closes,
            metric=_metric_for(doc, mode),
            min_ratings=f.integer(doc, "min_ratings", minimum=1, maximum=100) if doc.get("min_ratings") is not None else None,
            aggregate=f.choice(doc, "aggregate", AGGREGATES) if doc.get("aggregate") is not None else None,
            closed_at=f.timestamp(doc, "closed_at", required=False),
            assigned_only=f.boolean(doc, "assigned_only", False),
            review_exclusions=_exclusions(doc),
            race=_race_for(doc, mode),
        )

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


def _race_for(doc: Mapping[str, Any], mode: str) -> Race | None:
    if doc.get("race") is None:
        return None
    if mode != "metric":
        raise SchemaError(f"race is for metric challenges (a number adds up to a target); this one is {mode}", "race")
    return Race.parse(doc["race"])


def _exclusions(doc: Mapping[str, Any]) -> tuple[str, ...]:
    values = f.id_list(doc, "review_exclusions")
    for i, value in enumerate(values):
        if value not in ("team", "manager"):
            raise SchemaError(f"review_exclusions.{i} {value!r} is not one of team, manager", f"review_exclusions.{i}")
    return values


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
