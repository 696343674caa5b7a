"""Use cases that write records: action items, activity numbers, CRM outcomes and
mentor pairings. Each checks every rule first, then writes one new file as one
commit authored by the acting person; repeating a write that would change nothing
writes nothing (scripts can re-run them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from p2p import records
from p2p.actions import acting_person
from p2p.errors import InvalidInput, NotFound, Refused, SchemaError
from p2p.ids import check_entry_id, check_id, new_entry_id
from p2p.model import Person
from p2p.snapshot import Snapshot
from p2p.store import layout
from p2p.store.store import Store


@dataclass(frozen=True)
class Logged:
    record: records.Record | None  # None: nothing new to record
    path: str | None
    commit: str | None
    note: str = ""


def add_action(store: Store, as_id: str | None, now: dt.datetime, person: str, text: str,
               due: dt.date | None = None, challenge: str | None = None) -> Logged:
    snapshot = store.load(challenges=[], records=False)
    actor = acting_person(store, snapshot, as_id)
    owner = snapshot.person(person)
    if challenge is not None:
        snapshot.challenge(challenge)
    if not text.strip():
        raise InvalidInput("TEXT is empty; say what will be done, e.g. \"ask two discovery questions before the demo\"")
    record = records.Action(id=_new_id(store, now, "action"), at=now, by=actor.id, person=owner.id, text=text.strip(),
                            due=due, challenge=challenge)
    return _write(store, record, actor, f"p2p: action for {owner.id} by {actor.id}")


def complete_action(store: Store, as_id: str | None, now: dt.datetime, action_id: str) -> Logged:
    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    check_entry_id(action_id)
    item = next((r for r in snapshot.records if isinstance(r, records.Action) and r.id == action_id), None)
    if item is None:
        raise NotFound(f"action {action_id} does not exist; see `p2p action list`")
    owner = snapshot.people.get(item.person)
    if actor.id not in (item.person, item.by) and not (owner and owner.manager == actor.id):
        author = f", who added it ({item.by})," if item.by != item.person else ""
        raise Refused(f"{actor.id} cannot close action {action_id}: only {item.person}{author} or "
                      f"{item.person}'s manager can")
    if any(isinstance(r, records.Done) and r.action == action_id for r in snapshot.records):
        return Logged(None, None, None, f"action {action_id} is already done")
    record = records.Done(id=_new_id(store, now, "done"), at=now, by=actor.id, action=action_id)
    return _write(store, record, actor, f"p2p: action {action_id} done by {actor.id}")


def log_activity(store: Store, as_id: str | None, now: dt.datetime, week: str | None,
                 counts: Mapping[str, float]) -> Logged:
    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    week = records.week_of(now.astimezone(snapshot.settings.tz).date()) if week is None else _field(
        lambda: records.check_week(week, "--week"))
    if not counts:
        raise InvalidInput(f"give at least one of {', '.join('--' + k for k in records.ACTIVITY_COUNTS)}")
    for key in counts:
        _field(lambda: records.COUNT.read(counts, key, "--"))
    current = _latest_activity(snapshot).get((actor.id, week))
    if current is not None and dict(current.counts) == {k: float(v) for k, v in counts.items()}:
        return Logged(None, None, None, f"{actor.id}'s activity for {week} is already recorded as given")
    record = records.Activity(id=_new_id(store, now, "activity"), at=now, by=actor.id, week=week,
                              counts={k: float(v) for k, v in counts.items()})
    return _write(store, record, actor, f"p2p: activity {week} by {actor.id}")


def import_outcomes(store: Store, as_id: str | None, now: dt.datetime, source: str,
                    data: bytes) -> tuple[Logged, list[tuple[int, str]], int]:
    """(what was written, skipped rows, rows unchanged) for a CRM results export."""
    import csv

    from p2p import crm

    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    try:
        found, skipped = crm.parse_outcomes(data, snapshot.people)
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    current = _latest_outcomes(snapshot)
    latest: dict[tuple[str, str], records.Outcome] = {}
    for _, doc in found:  # a later line for the same person and period wins, as a later import does
        row = records.Outcome(doc["person"], doc["period"], doc.get("win_rate"), doc.get("deals_won"), doc.get("deal_size"))
        latest[(row.person, row.period)] = row
    new = tuple(row for key, row in sorted(latest.items()) if current.get(key) != row)
    if not new:
        note = "every row is already recorded" if latest else "no row could be imported"
        return Logged(None, None, None, note), skipped, len(latest)
    record = records.Outcomes(id=_new_id(store, now, "outcomes"), at=now, by=actor.id, source=source[:500], rows=new)
    return (_write(store, record, actor, f"p2p: outcomes from {source[:80]} by {actor.id}"), skipped,
            len(latest) - len(new))


def match(store: Store, as_id: str | None, now: dt.datetime, skill: str, seed: int, capacity: int | None,
          skill_scores: Mapping[str, float]) -> tuple[Logged, Any]:
    """Pair mentors and mentees in `skill` (scores: each person's mean, 1-5) and record
    the pairs. Pairs made by earlier runs in the skill are not repeated."""
    from p2p import matching

    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    check_id(skill, "--skill")
    settings = snapshot.settings
    previous = {pair for r in snapshot.records if isinstance(r, records.Pairing) and r.skill == skill for pair in r.pairs}
    proposal = matching.propose(skill_scores, snapshot.people, settings.levels, capacity or settings.mentor_capacity,
                                seed, previous, settings.avoid_same_manager)
    if not proposal.pairs:
        return Logged(None, None, None, f"no new pairs in {skill}: {len(proposal.mentors)} possible mentors, "
                                        f"{len(proposal.mentees)} people to coach"), proposal
    record = records.Pairing(id=_new_id(store, now, "pairing"), at=now, by=actor.id, skill=skill, seed=seed,
                             pairs=proposal.pairs)
    return _write(store, record, actor, f"p2p: {len(proposal.pairs)} mentor pairs in {skill} by {actor.id}"), proposal


# -- helpers ---------------------------------------------------------------------------
def _latest_activity(snapshot: Snapshot) -> dict[tuple[str, str], records.Activity]:
    from p2p.insight import latest_activity

    return latest_activity(snapshot.records)


def _latest_outcomes(snapshot: Snapshot) -> dict[tuple[str, str], records.Outcome]:
    from p2p.insight import latest_outcomes

    return latest_outcomes(snapshot.records)


def _field(check: Any) -> Any:
    try:
        return check()
    except SchemaError as exc:
        raise InvalidInput(exc.message) from None


# Record fields -> the argument or option the user typed them with.
_OPTIONS = {"text": "TEXT", "title": "TITLE", "notes": "--notes", "source": "FILE", "due": "--due",
            "follow_up": "--follow-up", "week": "--week"}


def _new_id(store: Store, now: dt.datetime, kind: str) -> str:
    return new_entry_id(now, store.newest_id(f"{layout.RECORDS}/{kind}/"))


def _write(store: Store, record: records.Record, author: Person, message: str) -> Logged:
    from p2p.actions import commit_new_file

    path = layout.record_path(record.kind, record.by, record.id)
    commit = commit_new_file(store, path, record, records.parse_record, author, message, _OPTIONS)
    return Logged(record, path, commit)


# -- deal clinics ----------------------------------------------------------------------
FOLLOW_UP_DAYS = 14


def open_clinic(store: Store, as_id: str | None, now: dt.datetime, title: str, notes: str | None,
                follow_up: dt.date | None) -> Logged:
    snapshot = store.load(challenges=[])
    actor = acting_person(store, snapshot, as_id)
    if not title.strip():
        raise InvalidInput("TITLE is empty; name the deal, e.g. \"Acme renewal stuck in procurement\"")
    today = now.astimezone(snapshot.settings.tz).date()
    if follow_up is not None and follow_up < today:
        raise InvalidInput(f"--follow-up {follow_up} is in the past; give a date from {today} on")
    record = records.Clinic(id=_new_id(store, now, "clinic"), at=now, by=actor.id, title=title.strip(), notes=notes,
                            follow_up=follow_up or today + dt.timedelta(days=FOLLOW_UP_DAYS))
    return _write(store, record, actor, f"p2p: clinic opened by {actor.id}")


def suggest(store: Store, as_id: str | None, now: dt.datetime, clinic_id: str, text: str) -> Logged:
    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    clinic = _open_clinic(snapshot, clinic_id)
    if clinic.by == actor.id:
        raise Refused("suggestions come from peers; add your own plan with `p2p action add`")
    if not text.strip():
        raise InvalidInput("TEXT is empty; say what the rep could try")
    record = records.Suggestion(id=_new_id(store, now, "suggestion"), at=now, by=actor.id, clinic=clinic.id,
                                text=text.strip())
    return _write(store, record, actor, f"p2p: suggestion for clinic {clinic.id} by {actor.id}")


def pick(store: Store, as_id: str | None, now: dt.datetime, clinic_id: str, suggestion_id: str,
         due: dt.date | None) -> Logged:
    """The rep picks a suggestion to try: it becomes their action item."""
    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    clinic = _open_clinic(snapshot, clinic_id)
    if clinic.by != actor.id:
        raise Refused(f"only {clinic.by}, who opened clinic {clinic.id}, picks what to try")
    check_entry_id(suggestion_id, "SUGGESTION")
    chosen = next((r for r in snapshot.records if isinstance(r, records.Suggestion) and r.id == suggestion_id
                   and r.clinic == clinic.id), None)
    if chosen is None:
        raise NotFound(f"suggestion {suggestion_id} is not one of clinic {clinic.id}'s; see `p2p clinic list`")
    if any(isinstance(r, records.Action) and r.suggestion == suggestion_id for r in snapshot.records):
        return Logged(None, None, None, f"suggestion {suggestion_id} is already picked")
    record = records.Action(id=_new_id(store, now, "action"), at=now, by=actor.id, person=actor.id, text=chosen.text,
                            due=due or clinic.follow_up, clinic=clinic.id, suggestion=chosen.id)
    return _write(store, record, actor, f"p2p: {actor.id} picked a suggestion in clinic {clinic.id}")


def close_clinic(store: Store, as_id: str | None, now: dt.datetime, clinic_id: str, outcome: str,
                 notes: str | None) -> Logged:
    snapshot = store.load(challenges=[], records=True)
    actor = acting_person(store, snapshot, as_id)
    clinic = _clinic(snapshot, clinic_id)
    if clinic.by != actor.id:
        raise Refused(f"only {clinic.by}, who opened clinic {clinic.id}, records its outcome")
    closed = next((r for r in snapshot.records if isinstance(r, records.ClinicClose) and r.clinic == clinic.id), None)
    if closed is not None:
        if closed.outcome == outcome:
            return Logged(None, None, None, f"clinic {clinic.id} is already closed as {outcome}")
        raise Refused(f"clinic {clinic.id} was closed as {closed.outcome} on {closed.at.date()}; open a new one")
    record = records.ClinicClose(id=_new_id(store, now, "clinic-close"), at=now, by=actor.id, clinic=clinic.id,
                                 outcome=outcome, notes=notes)
    return _write(store, record, actor, f"p2p: clinic {clinic.id} closed as {outcome} by {actor.id}")


def _clinic(snapshot: Snapshot, clinic_id: str) -> records.Clinic:
    check_entry_id(clinic_id, "ID")
    clinic = next((r for r in snapshot.records if isinstance(r, records.Clinic) and r.id == clinic_id), None)
    if clinic is None:
        raise NotFound(f"clinic {clinic_id} does not exist; see `p2p clinic list`")
    return clinic


def _open_clinic(snapshot: Snapshot, clinic_id: str) -> records.Clinic:
    clinic = _clinic(snapshot, clinic_id)
    if any(isinstance(r, records.ClinicClose) and r.clinic == clinic.id for r in snapshot.records):
        raise Refused(f"clinic {clinic.id} is closed")
    return clinic
