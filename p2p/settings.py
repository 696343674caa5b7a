"""The store's settings (p2p.yaml): scoring, seasons, points, levels, fairness. Every
key has a default, so an empty p2p.yaml is a working store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from p2p import fields as f
from p2p.errors import SchemaError

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

    KEYS = ("submitted", "review", "review_cap", "helpful", "placement", "award", "clinic")

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> Points:
        f.known_keys(doc, set(cls.KEYS), "points")
        default = cls()
        placement = doc.get("placement", list(default.placement))
        if not isinstance(placement, list):
            raise SchemaError("points.placement must be a list such as [15, 10, 6]", "points.placement")
        number = lambda key: f.number(doc.get(key, getattr(default, key)), f"points.{key}")  # noqa: E731
        return cls(
            submitted=number("submitted"), review=number("review"),
            review_cap=f.integer(doc, "review_cap", "points.", default=default.review_cap, minimum=0, maximum=1000),
            helpful=number("helpful"),
            placement=tuple(f.number(v, f"points.placement.{i}") for i, v in enumerate(placement)),
            award=number("award"),
            clinic=number("clinic"),
        )


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

    KEYS = {"schema", "name", "timezone", "roles", "scoring", "seasons", "points", "levels", "fairness", "publish", "audit", "sync", "insight"}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def parse(cls, doc: object) -> Settings:
        doc = f.mapping(doc or {}, "p2p.yaml")
        f.known_keys(doc, cls.KEYS, "p2p.yaml")
        version = f.integer(doc, "schema", default=SCHEMA_VERSION, minimum=1)
        if version > SCHEMA_VERSION:
            raise SchemaError(f"schema {version} is newer than this p2p understands ({SCHEMA_VERSION}); upgrade p2p", "schema")
        timezone = f.text(doc, "timezone", required=False) or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SchemaError(f"timezone {timezone!r} is not an IANA time zone such as Europe/Berlin", "timezone") from None
        scoring = f.mapping(doc.get("scoring") or {}, "scoring")
        f.known_keys(scoring, {"aggregate", "min_ratings", "flexible_after_days"}, "scoring")
        fairness = f.mapping(doc.get("fairness") or {}, "fairness")
        f.known_keys(fairness, {"threshold"}, "fairness")
        sync = f.mapping(doc.get("sync") or {}, "sync")
        f.known_keys(sync, {"remote", "timeout", "inbox_after"}, "sync")
        audit = f.mapping(doc.get("audit") or {}, "audit")
        f.known_keys(audit, {"signed"}, "audit")
        insight = f.mapping(doc.get("insight") or {}, "insight")
        f.known_keys(insight, {"ramp_threshold", "new_hire_days", "at_risk_missed", "mentor_capacity",
                                   "avoid_same_manager"}, "insight")
        ramp = f.number(insight.get("ramp_threshold", 3.5), "insight.ramp_threshold")
        if not 1 <= ramp <= 5:
            raise SchemaError(f"insight.ramp_threshold {ramp:g} must be between 1 and 5 (the skill scale)",
                              "insight.ramp_threshold")
        publish = f.mapping(doc.get("publish") or {}, "publish")
        f.known_keys(publish, {"anonymous"}, "publish")
        return cls(
            name=f.text(doc, "name", required=False) or "p2p store",
            timezone=timezone,
            roles=f.id_list(doc, "roles") or DEFAULT_ROLES,
            aggregate=f.choice(scoring, "aggregate", AGGREGATES, "scoring.", default="median"),
            min_ratings=f.integer(scoring, "min_ratings", "scoring.", default=3, minimum=1, maximum=100),
            flexible_after_days=f.integer(scoring, "flexible_after_days", "scoring.", default=7, minimum=0, maximum=3650),
            seasons=_seasons(doc.get("seasons") or []),
            points=Points.parse(f.mapping(doc.get("points") or {}, "points")),
            levels=_levels(f.mapping(doc.get("levels") or {}, "levels")),
            fairness_threshold=f.number(fairness.get("threshold", 1.0), "fairness.threshold"),
            anonymous=f.boolean(publish, "anonymous", True, "publish."),
            signed_commits=f.boolean(audit, "signed", False, "audit."),
            sync_remote=f.text(sync, "remote", "sync.", required=False, max_len=100),
            sync_timeout=f.number(sync.get("timeout", 15.0), "sync.timeout"),
            sync_inbox_after=_inbox_after(sync.get("inbox_after", 3.0)),
            ramp_threshold=ramp,
            new_hire_days=f.integer(insight, "new_hire_days", "insight.", default=180, minimum=1, maximum=3650),
            at_risk_missed=f.integer(insight, "at_risk_missed", "insight.", default=3, minimum=1, maximum=100),
            mentor_capacity=f.integer(insight, "mentor_capacity", "insight.", default=2, minimum=1, maximum=100),
            avoid_same_manager=f.boolean(insight, "avoid_same_manager", False, "insight."),
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


def _inbox_after(value: object) -> float | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 3600:
        raise SchemaError(f"sync.inbox_after must be seconds from 0 to 3600, or false to never park, not {value!r}",
                          "sync.inbox_after")
    return float(value)


def _seasons(raw: object) -> tuple[Season, ...]:
    if not isinstance(raw, list):
        raise SchemaError("seasons must be a list of {name, starts, ends}", "seasons")
    seasons = []
    for i, item in enumerate(raw):
        item = f.mapping(item, f"seasons.{i}")
        f.known_keys(item, {"name", "starts", "ends"}, "a season")
        season = Season(f.ident(item, "name", f"seasons.{i}."), f.date(item, "starts", f"seasons.{i}."),  # type: ignore[arg-type]
                        f.date(item, "ends", f"seasons.{i}."))  # type: ignore[arg-type]
        if season.ends < season.starts:
            raise SchemaError(f"seasons.{i}: ends {season.ends} is before starts {season.starts}", f"seasons.{i}.ends")
        seasons.append(season)
    return tuple(seasons)


def _levels(raw: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    f.known_keys(raw, {name for name, _ in LEVELS[1:]}, "levels")
    levels = [LEVELS[0]] + [(name, f.number(raw.get(name, low), f"levels.{name}")) for name, low in LEVELS[1:]]
    if any(a[1] >= b[1] for a, b in zip(levels, levels[1:])):
        raise SchemaError("levels must rise: practitioner < expert < coach", "levels")
    return tuple(levels)
