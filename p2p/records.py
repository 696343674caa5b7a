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
from p2p.ids import check_entry_id
from p2p.settings import SCHEMA_VERSION

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


Record = Action | Done | Activity | Outcomes | Pairing | Clinic | Suggestion | ClinicClose
KINDS = ("action", "done", "activity", "outcomes", "pairing", "clinic", "suggestion", "clinic-close")


def parse_record(doc: object) -> Record:
    doc = f.mapping(doc, "record")
    version = f.integer(doc, "v", minimum=1)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"record version {version} is newer than this p2p understands ({SCHEMA_VERSION}); upgrade p2p",
                          "v")
    kind = f.choice(doc, "kind", KINDS)
    head = {"id": check_entry_id(f.req(doc, "id")), "at": f.timestamp(doc, "at"), "by": f.ident(doc, "by")}
    return _PARSERS[kind](doc, head)


def _action(doc: Mapping[str, Any], head: dict[str, Any]) -> Action:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "person", "text", "due", "challenge", "clinic", "suggestion"},
                 "an action")
    return Action(**head, person=f.ident(doc, "person"), text=f.text(doc, "text", max_len=2000) or "",
                  due=f.date(doc, "due", required=False), challenge=f.ident(doc, "challenge", required=False),
                  clinic=_optional_id(doc, "clinic"), suggestion=_optional_id(doc, "suggestion"))


def _optional_id(doc: Mapping[str, Any], key: str) -> str | None:
    return None if doc.get(key) is None else check_entry_id(doc[key], key)


def _clinic(doc: Mapping[str, Any], head: dict[str, Any]) -> Clinic:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "title", "notes", "follow_up"}, "a clinic")
    return Clinic(**head, title=f.text(doc, "title", max_len=200) or "",
                  notes=f.text(doc, "notes", required=False, multiline=True, max_len=5000),
                  follow_up=f.date(doc, "follow_up"))  # type: ignore[arg-type]


def _suggestion(doc: Mapping[str, Any], head: dict[str, Any]) -> Suggestion:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "clinic", "text"}, "a suggestion")
    return Suggestion(**head, clinic=check_entry_id(f.req(doc, "clinic"), "clinic"),
                      text=f.text(doc, "text", max_len=2000) or "")


def _clinic_close(doc: Mapping[str, Any], head: dict[str, Any]) -> ClinicClose:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "clinic", "outcome", "notes"}, "a clinic outcome")
    return ClinicClose(**head, clinic=check_entry_id(f.req(doc, "clinic"), "clinic"),
                       outcome=f.choice(doc, "outcome", OUTCOMES),
                       notes=f.text(doc, "notes", required=False, multiline=True, max_len=5000))


def _done(doc: Mapping[str, Any], head: dict[str, Any]) -> Done:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "action"}, "a done record")
    return Done(**head, action=check_entry_id(f.req(doc, "action")))


def _activity(doc: Mapping[str, Any], head: dict[str, Any]) -> Activity:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "week", "counts"}, "an activity record")
    week = check_week(f.text(doc, "week") or "", "week")
    counts = f.mapping(doc.get("counts") or {}, "counts")
    f.known_keys(counts, set(ACTIVITY_COUNTS), "counts")
    return Activity(**head, week=week, counts={k: count(counts[k], f"counts.{k}") for k in ACTIVITY_COUNTS if k in counts})


def _outcomes(doc: Mapping[str, Any], head: dict[str, Any]) -> Outcomes:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "source", "rows"}, "an outcomes record")
    rows = []
    for at, row in f.mappings(doc, "rows", {"person", "period", "win_rate", "deals_won", "deal_size"},
                              "{person, period, win_rate, deals_won, deal_size}"):
        win = row.get("win_rate")
        if win is not None and not 0 <= f.number(win, f"{at}win_rate") <= 1:
            raise SchemaError(f"{at}win_rate {win} must be between 0 and 1", f"{at}win_rate")
        rows.append(Outcome(f.ident(row, "person", at), check_period(str(row.get("period", "")), f"{at}period"),  # type: ignore[arg-type]
                            None if win is None else float(win),
                            None if row.get("deals_won") is None else count(row["deals_won"], f"{at}deals_won"),
                            None if row.get("deal_size") is None else count(row["deal_size"], f"{at}deal_size")))
    return Outcomes(**head, source=f.text(doc, "source", max_len=500) or "", rows=tuple(rows))


def _pairing(doc: Mapping[str, Any], head: dict[str, Any]) -> Pairing:
    f.known_keys(doc, {"v", "id", "kind", "at", "by", "skill", "seed", "pairs"}, "a pairing")
    pairs = [(f.ident(pair, "mentor", at), f.ident(pair, "mentee", at))
             for at, pair in f.mappings(doc, "pairs", {"mentor", "mentee"}, "{mentor, mentee}")]
    return Pairing(**head, skill=f.ident(doc, "skill"), seed=f.integer(doc, "seed", default=0),  # type: ignore[arg-type]
                   pairs=tuple(pairs))  # type: ignore[arg-type]


_PARSERS: dict[str, Any] = {"action": _action, "done": _done, "activity": _activity, "outcomes": _outcomes,
                            "pairing": _pairing, "clinic": _clinic, "suggestion": _suggestion,
                            "clinic-close": _clinic_close}


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


def count(value: object, field: str) -> float:
    """A finite number of 0 or more."""
    number = f.number(value, field)
    if number < 0:
        raise SchemaError(f"{field} {value} must be 0 or more", field)
    return number


def _head(record: Any) -> dict[str, Any]:
    return {"v": SCHEMA_VERSION, "id": record.id, "kind": record.kind, "at": f.format_timestamp(record.at),
            "by": record.by}


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
