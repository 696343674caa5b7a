"""Records: what happens around the challenges — action items and their completion,
weekly activity numbers, CRM outcomes, mentor pairs. Pure.

Like entries, a record is one immutable YAML document, written once by the person
who acted, under records/KIND/BY/ID.yaml; a later record supersedes an earlier one
where the kind says so (the latest activity for a person and week counts, a pairing
run adds pairs). Nothing is edited or deleted."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.settings import SCHEMA_VERSION
from p2p.shapes import Choice, Date, EntryId, Id, Integer, Kinds, ListOf, Nested, Number, Shape, Text

ACTIVITY_COUNTS = ("calls", "meetings", "demos")
WEEK = re.compile(r"(\d{4})-W(\d{2})")
PERIOD = re.compile(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))")


@dataclass(frozen=True)
class Action:
    """An action item for `person`: something they will do, from a challenge's
    feedback, a peer or their manager."""

    id: str
    at: dt.datetime
    by: str
    person: str
    text: str
    due: dt.date | None = None
    challenge: str | None = None
    clinic: str | None = None  # the deal clinic whose suggestion this is (p2p clinic pick)
    suggestion: str | None = None
    kind = "action"

    def to_doc(self) -> dict[str, Any]:
        doc = {**_head(self), "person": self.person, "text": self.text}
        if self.due is not None:
            doc["due"] = self.due.isoformat()
        for key in ("challenge", "clinic", "suggestion"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return doc


@dataclass(frozen=True)
class Done:
    """Action item `action` is done."""

    id: str
    at: dt.datetime
    by: str
    action: str
    kind = "done"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "action": self.action}


@dataclass(frozen=True)
class Activity:
    """A person's own numbers for one ISO week; the latest for a week counts."""

    id: str
    at: dt.datetime
    by: str
    week: str  # 2026-W47
    counts: Mapping[str, float]
    kind = "activity"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "week": self.week, "counts": {k: _num(v) for k, v in self.counts.items()}}


@dataclass(frozen=True)
class Outcome:
    """One person's CRM results for one period (a month or a quarter)."""

    person: str
    period: str  # 2026-10 or 2026-Q4
    win_rate: float | None  # 0-1
    deals_won: float | None
    deal_size: float | None

    @property
    def start(self) -> dt.date:
        return period_bounds(self.period)[0]

    @property
    def end(self) -> dt.date:
        return period_bounds(self.period)[1]

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"person": self.person, "period": self.period}
        for key in ("win_rate", "deals_won", "deal_size"):
            if getattr(self, key) is not None:
                doc[key] = _num(getattr(self, key))
        return doc


@dataclass(frozen=True)
class Outcomes:
    """One CRM import: per-person results per period. For a (person, period) the
    latest import counts."""

    id: str
    at: dt.datetime
    by: str
    source: str
    rows: tuple[Outcome, ...]
    kind = "outcomes"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "source": self.source, "rows": [r.to_doc() for r in self.rows]}


@dataclass(frozen=True)
class Pairing:
    """One run of `p2p match`: mentors paired with people to coach in a skill."""

    id: str
    at: dt.datetime
    by: str
    skill: str
    seed: int
    pairs: tuple[tuple[str, str], ...]  # (mentor, mentee)
    kind = "pairing"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "skill": self.skill, "seed": self.seed,
                "pairs": [{"mentor": m, "mentee": p} for m, p in self.pairs]}


OUTCOMES = ("won", "lost", "moved", "stalled")
GOOD_OUTCOMES = ("won", "moved")


@dataclass(frozen=True)
class Clinic:
    """A deal clinic: a rep posts a stuck deal for the peer group's suggestions."""

    id: str
    at: dt.datetime
    by: str
    title: str
    notes: str | None
    follow_up: dt.date  # when the group checks back
    kind = "clinic"

    def to_doc(self) -> dict[str, Any]:
        doc = {**_head(self), "title": self.title}
        if self.notes is not None:
            doc["notes"] = self.notes
        doc["follow_up"] = self.follow_up.isoformat()
        return doc


@dataclass(frozen=True)
class Suggestion:
    """A peer's suggestion for a clinic's deal."""

    id: str
    at: dt.datetime
    by: str
    clinic: str
    text: str
    kind = "suggestion"

    def to_doc(self) -> dict[str, Any]:
        return {**_head(self), "clinic": self.clinic, "text": self.text}


@dataclass(frozen=True)
class ClinicClose:
    """The deal's outcome, recorded by the rep who opened the clinic."""

    id: str
    at: dt.datetime
    by: str
    clinic: str
    outcome: str
    notes: str | None = None
    kind = "clinic-close"

    def to_doc(self) -> dict[str, Any]:
        doc = {**_head(self), "clinic": self.clinic, "outcome": self.outcome}
        if self.notes is not None:
            doc["notes"] = self.notes
        return doc


# -- values ----------------------------------------------------------------------------
def check_week(text: str, field: str) -> str:
    """An ISO week such as 2026-W47."""
    match = WEEK.fullmatch(text.strip())
    if match:
        try:
            dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return match[0]
        except ValueError:
            pass
    raise SchemaError(f"{field} {text!r} must be an ISO week such as 2026-W47", field)


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def check_period(text: str, field: str) -> str:
    """A month (2026-10) or a quarter (2026-Q4)."""
    match = PERIOD.fullmatch(text.strip())
    if not match:
        raise SchemaError(f"{field} {text!r} must be a month such as 2026-10 or a quarter such as 2026-Q4", field)
    return match[0]


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a month or quarter."""
    match = PERIOD.fullmatch(period)
    assert match, period
    year = int(match[1])
    first_month = int(match[2]) if match[2] else 3 * int(match[3]) - 2
    last_month = first_month if match[2] else first_month + 2
    start = dt.date(year, first_month, 1)
    end = (dt.date(year + (last_month == 12), last_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


Record = Action | Done | Activity | Outcomes | Pairing | Clinic | Suggestion | ClinicClose


def _counts(values: dict[str, Any], prefix: str) -> dict[str, float]:
    return {key: value for key, value in values.items() if value is not None}


def _number_of(name: str, **rule: Any) -> Number:
    return Number(required=False, minimum=0, description=name, **rule)


COUNT = _number_of("a count")  # also checks the counts given to `p2p activity log`
_NOTES = Text(required=False, multiline=True, max_len=5000)
RECORDS = Kinds("record", "One record (action items, activity, outcomes, pairings, deal clinics): "
                "records/KIND/PERSON/ID.yaml, never edited.", SCHEMA_VERSION, {}, [
    (Action, "an action", "An action item for a person: something they will do.", {
        "person": Id(description="who will do it"),
        "text": Text(max_len=2000),
        "due": Date(required=False),
        "challenge": Id(required=False, description="the challenge whose feedback it comes from"),
        "clinic": EntryId(required=False, description="the deal clinic whose suggestion it is"),
        "suggestion": EntryId(required=False),
    }),
    (Done, "a done record", "Action item `action` is done.", {"action": EntryId()}),
    (Activity, "an activity record", "A person's own numbers for one ISO week; the latest counts.", {
        "week": Text(max_len=20, check=check_week, pattern=f"^{WEEK.pattern}$",
                     description="an ISO week such as 2026-W47"),
        "counts": Nested(Shape("counts", {key: _number_of(key) for key in ACTIVITY_COUNTS}, "counts", make=_counts),
                         defaults=True),
    }),
    (Outcomes, "an outcomes record", "One CRM import: per-person results per period.", {
        "source": Text(max_len=500, description="the file imported"),
        "rows": ListOf(Shape("row", {
            "person": Id(),
            "period": Text(max_len=20, check=check_period,
                           pattern=f"^{PERIOD.pattern}$", description="a month (2026-10) or a quarter (2026-Q4)"),
            "win_rate": _number_of("share of deals won", maximum=1),
            "deals_won": _number_of("deals won"),
            "deal_size": _number_of("average deal size"),
        }, make=lambda values, prefix: Outcome(**values)), "a list of {person, period, win_rate, deals_won, deal_size}",
            required=True),
    }),
    (Pairing, "a pairing", "One run of p2p match: mentors paired with people to coach in a skill.", {
        "skill": Id(),
        "seed": Integer(default=0),
        "pairs": ListOf(Shape("pair", {"mentor": Id(), "mentee": Id()},
                              make=lambda values, prefix: (values["mentor"], values["mentee"])),
                        "a list of {mentor, mentee}", required=True),
    }),
    (Clinic, "a clinic", "A deal clinic: a rep posts a stuck deal for the group's suggestions.", {
        "title": Text(max_len=200), "notes": _NOTES, "follow_up": Date(description="when the group checks back"),
    }),
    (Suggestion, "a suggestion", "A peer's suggestion for a clinic's deal.", {
        "clinic": EntryId(), "text": Text(max_len=2000),
    }),
    (ClinicClose, "a clinic outcome", "The deal's outcome, recorded by the rep who opened the clinic.", {
        "clinic": EntryId(), "outcome": Choice(OUTCOMES), "notes": _NOTES,
    }),
])
KINDS = tuple(RECORDS.shapes)
parse_record = RECORDS.parse  # the record a document holds, or SchemaError naming the field


def _head(record: Any) -> dict[str, Any]:
    return {"v": SCHEMA_VERSION, "id": record.id, "kind": record.kind, "at": f.format_timestamp(record.at),
            "by": record.by}


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
