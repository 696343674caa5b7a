"""The store's settings (p2p.yaml): scoring, seasons, points, levels, fairness. Every
key has a default, so an empty p2p.yaml is a working store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.shapes import Boolean, Choice, Date, Id, IdList, Integer, ListOf, Nested, Number, Shape, Spec, Text, Version

SCHEMA_VERSION = 1
DEFAULT_ROLES = ("sdr", "ae", "se", "am", "csm", "manager")
AGGREGATES = ("median", "mean", "trimmed", "calibrated")  # = p2p.policies.POLICIES
LEVELS = (("novice", 0.0), ("practitioner", 3.0), ("expert", 3.8), ("coach", 4.4))


@dataclass(frozen=True)
class Season:
    name: str
    starts: dt.date
    ends: dt.date  # inclusive

    def holds(self, day: dt.date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Points:
    """Season points; reviews are capped per challenge to fight feedback fatigue."""

    submitted: float = 10
    review: float = 2  # per rating given, scaled by the rater's accuracy (0-100%)
    review_cap: int = 5  # ratings per challenge that earn review points
    helpful: float = 1  # per "was this useful?" answer of 4 or 5 on one's feedback
    placement: tuple[float, ...] = (15, 10, 6)  # 1st, 2nd, 3rd (ties share the better place)
    award: float = 5  # per award won (most votes in a challenge)
    clinic: float = 3  # per suggestion picked in a deal clinic that closed won or moved


@dataclass(frozen=True)
class Settings:
    name: str = "p2p store"
    timezone: str = "UTC"
    roles: tuple[str, ...] = DEFAULT_ROLES
    aggregate: str = "median"
    min_ratings: int = 3
    flexible_after_days: int = 7
    seasons: tuple[Season, ...] = ()
    points: Points = field(default_factory=Points)
    levels: tuple[tuple[str, float], ...] = LEVELS
    fairness_threshold: float = 1.0  # points on the rubric scale above/below consensus
    anonymous: bool = True  # published pages hide who wrote which comment
    signed_commits: bool = False  # audit: entry commits must be signed by a key in allowed_signers
    sync_remote: str | None = None  # None: `origin` when the clone has it
    sync_timeout: float = 15.0  # seconds a write may spend getting its commit onto the remote
    sync_inbox_after: float | None = 3.0  # seconds of a busy branch before a write parks in the inbox; None: never
    ramp_threshold: float = 3.5  # a new hire is ramped at a first result this good (1-5 scale)
    new_hire_days: int = 180  # hired this many days ago or less: a new hire (ramp time)
    at_risk_missed: int = 3  # sat out this many challenges in a row: at risk
    mentor_capacity: int = 2  # mentees per mentor in one `p2p match`
    avoid_same_manager: bool = False  # `p2p match` never pairs two people with one manager

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def parse(cls, doc: object) -> Settings:
        """Beyond the Shape, in code: the time zone must be one the system knows. A
        schema version newer than this p2p is refused before anything else."""
        doc = f.mapping(doc or {}, "p2p.yaml")
        SETTINGS.fields["schema"].read(doc, "schema")
        values = SETTINGS.read(doc)
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise SchemaError(f"timezone {values['timezone']!r} is not an IANA time zone such as Europe/Berlin",
                              "timezone") from None
        scoring, sync, insight = values["scoring"], values["sync"], values["insight"]
        return cls(
            name=values["name"], timezone=values["timezone"], roles=values["roles"],
            aggregate=scoring["aggregate"], min_ratings=scoring["min_ratings"],
            flexible_after_days=scoring["flexible_after_days"],
            seasons=values["seasons"], points=values["points"], levels=values["levels"],
            fairness_threshold=values["fairness"]["threshold"], anonymous=values["publish"]["anonymous"],
            signed_commits=values["audit"]["signed"],
            sync_remote=sync["remote"], sync_timeout=sync["timeout"], sync_inbox_after=sync["inbox_after"],
            ramp_threshold=insight["ramp_threshold"], new_hire_days=insight["new_hire_days"],
            at_risk_missed=insight["at_risk_missed"], mentor_capacity=insight["mentor_capacity"],
            avoid_same_manager=insight["avoid_same_manager"],
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION, "name": self.name, "timezone": self.timezone, "roles": list(self.roles),
            "scoring": {"aggregate": self.aggregate, "min_ratings": self.min_ratings,
                        "flexible_after_days": self.flexible_after_days},
        }

    def season(self, name: str | None, today: dt.date) -> Season | None:
        """The named season, else the one holding `today`, else None (all time)."""
        if name is not None:
            match = [s for s in self.seasons if s.name == name]
            if not match:
                known = ", ".join(s.name for s in self.seasons) or "none are defined in p2p.yaml"
                raise SchemaError(f"season {name!r} is not one of {known}", "seasons")
            return match[0]
        return next((s for s in self.seasons if s.holds(today)), None)


@dataclass(frozen=True)
class _Seconds(Spec):
    """sync.inbox_after: seconds a write waits on a busy branch, or false (None) to never park."""

    default: float = 3.0
    LIMIT = 3600

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> float | None:
        value = doc.get(key, self.default)
        if value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < self.LIMIT:
            raise SchemaError(f"{prefix}{key} must be seconds from 0 to {self.LIMIT}, or false to never park, "
                              f"not {value!r}", f"{prefix}{key}")
        return float(value)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": self.LIMIT}, {"const": False}]}


def _season(values: dict[str, Any], prefix: str) -> Season:
    """In code: a season ends on or after it starts."""
    season = Season(**values)
    if season.ends < season.starts:
        raise SchemaError(f"{prefix[:-1]}: ends {season.ends} is before starts {season.starts}", f"{prefix}ends")
    return season


def _levels(values: dict[str, Any], prefix: str) -> tuple[tuple[str, float], ...]:
    """In code: the levels rise."""
    levels = [LEVELS[0], *values.items()]
    if any(a[1] >= b[1] for a, b in zip(levels, levels[1:])):
        raise SchemaError("levels must rise: practitioner < expert < coach", "levels")
    return tuple(levels)


def _section(name: str, fields: dict[str, Spec], description: str = "",
             make: Callable[[dict[str, Any], str], Any] | None = None) -> Nested:
    return Nested(Shape(name, fields, name, description, make), defaults=True)


_POINTS = {key: Number(default=getattr(Points, key)) for key in ("submitted", "review", "helpful", "award", "clinic")}
SETTINGS = Shape("p2p.yaml", {
    "schema": Version(SCHEMA_VERSION, "schema", default=SCHEMA_VERSION,
                      description="the version of p2p's file formats"),
    "name": Text(required=False, default=Settings.name, description="the store's display name"),
    "timezone": Text(required=False, default=Settings.timezone, description="an IANA time zone such as Europe/Berlin"),
    "roles": IdList(default=DEFAULT_ROLES, description="the roles people may have"),
    "scoring": _section("scoring", {
        "aggregate": Choice(AGGREGATES, default=Settings.aggregate, description="how a submission's ratings combine"),
        "min_ratings": Integer(minimum=1, maximum=100, default=Settings.min_ratings),
        "flexible_after_days": Integer(minimum=0, maximum=3650, default=Settings.flexible_after_days),
    }),
    "seasons": ListOf(Shape("season", {"name": Id(), "starts": Date(), "ends": Date()}, "a season", make=_season),
                      "a list of {name, starts, ends}"),
    "points": _section("points", {
        "submitted": _POINTS["submitted"], "review": _POINTS["review"],
        "review_cap": Integer(minimum=0, maximum=1000, default=Points.review_cap),
        "helpful": _POINTS["helpful"],
        "placement": ListOf(Number(), "a list such as [15, 10, 6]", default=Points.placement,
                            description="points for 1st, 2nd, 3rd …"),
        "award": _POINTS["award"], "clinic": _POINTS["clinic"],
    }, "Season points.", lambda values, prefix: Points(**values)),
    "levels": _section("levels", {name: Number(default=low) for name, low in LEVELS[1:]},
                       "The skill score each level starts at.", _levels),
    "fairness": _section("fairness", {"threshold": Number(default=Settings.fairness_threshold)}),
    "publish": _section("publish", {"anonymous": Boolean(default=Settings.anonymous)}),
    "audit": _section("audit", {"signed": Boolean(default=Settings.signed_commits)}),
    "sync": _section("sync", {
        "remote": Text(required=False, max_len=100), "timeout": Number(default=Settings.sync_timeout),
        "inbox_after": _Seconds(),
    }),
    "insight": _section("insight", {
        "ramp_threshold": Number(minimum=1, maximum=5, default=Settings.ramp_threshold,
                                 message="{field} {value:g} must be between 1 and 5 (the skill scale)"),
        "new_hire_days": Integer(minimum=1, maximum=3650, default=Settings.new_hire_days),
        "at_risk_missed": Integer(minimum=1, maximum=100, default=Settings.at_risk_missed),
        "mentor_capacity": Integer(minimum=1, maximum=100, default=Settings.mentor_capacity),
        "avoid_same_manager": Boolean(default=Settings.avoid_same_manager),
    }),
}, "p2p.yaml", "The store's settings: p2p.yaml. Every key has a default.")
