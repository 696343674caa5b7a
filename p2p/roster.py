"""The roster: adding people by hand and importing them from a CRM export."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from p2p import crm, model
from p2p.changes import Changes, commit_setup
from p2p.errors import InvalidInput, NotFound, Refused, SchemaError
from p2p.progress import steps
from p2p.store import layout, yamlio
from p2p.snapshot import Snapshot
from p2p.store.store import Store

PERSON_HEADER = "A person in the roster: see `p2p people add --help`"


def add_person(store: Store, as_id: str | None, doc: dict[str, Any], update: bool = False) -> Changes:
    snapshot = store.load(challenges=[])
    person = _parse_person(doc, snapshot)
    changes = Changes()
    existing = snapshot.people.get(person.id)
    if existing == person:
        changes.unchanged.append(person.id)
        return changes
    if existing is not None and not update:
        raise Refused(f"person {person.id} already exists with other details; pass --update to change them")
    _check_unique_email(person, _email_owners(snapshot.people.values()))
    (changes.updated if existing else changes.created).append(person.id)
    files = {layout.person_path(person.id): _dump(person)}
    verb = "update" if existing else "add"
    return commit_setup(store, snapshot, as_id, files, f"p2p: {verb} person {person.id}", changes)


def _dump(person: model.Person) -> bytes:
    return yamlio.dumps(person.to_doc(), layout.header(layout.person_path(person.id), PERSON_HEADER))


def _parse_person(doc: dict[str, Any], snapshot: Snapshot, known: Iterable[str] = ()) -> model.Person:
    person = model.Person.parse({k: v for k, v in doc.items() if v is not None}, snapshot.settings.roles)
    if person.manager and person.manager not in snapshot.people and person.manager not in known:
        raise NotFound(f"manager {person.manager!r} of {person.id} is not in people/; add the manager first")
    return person


def _email_owners(*groups: Iterable[model.Person]) -> dict[str, list[str]]:
    """{lower-case e-mail: ids that use it, in order}: an import checks 3,000 people
    against each other through this, not pair by pair."""
    owners: dict[str, list[str]] = {}
    for group in groups:
        for person in group:
            owners.setdefault(person.email.lower(), []).append(person.id)
    return owners


def _check_unique_email(person: model.Person, owners: dict[str, list[str]]) -> None:
    other = next((pid for pid in owners.get(person.email.lower(), ()) if pid != person.id), None)
    if other is not None:
        raise Refused(f"e-mail {person.email} already belongs to {other}; each person needs their own")


def import_people(store: Store, as_id: str | None, path: Path, default_team: str | None = None,
                  default_role: str | None = None, dry_run: bool = False) -> Changes:
    snapshot = store.load(challenges=[])
    try:
        parsed = crm.parse_people(path.read_bytes(), snapshot.settings.roles, default_team, default_role)
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None
    changes = Changes(skipped=list(parsed.skipped))
    first_line: dict[str, int] = {}
    for line, doc in parsed.people:  # one address, two rows: say where, before anything else
        email = str(doc.get("email", "")).lower()
        if email in first_line:
            raise InvalidInput(f"{path}:{line}: e-mail {doc['email']} is also on line {first_line[email]}; "
                               "each person needs their own")
        first_line[email] = line
    by_key = _manager_keys(snapshot.people.values(), [doc for _, doc in parsed.people])
    known_ids = {doc["id"] for _, doc in parsed.people}
    roster = _Roster(snapshot.people)
    incoming: dict[str, model.Person] = {}
    for line, doc in steps(parsed.people, "checking people"):
        taken = _owner_of_id(snapshot, roster, doc)
        if taken:
            changes.skipped.append((line, taken))
            continue
        if doc.get("manager"):
            manager = doc["manager"]
            doc["manager"] = by_key.get(manager.lower())
            if doc["manager"] is None:
                changes.notes.append((line, f"manager {manager!r} is neither in the file nor in the roster; left empty"))
        try:
            person = _parse_person(doc, snapshot, known=known_ids)
        except SchemaError as exc:
            changes.skipped.append((line, exc.message))
            continue
        if person.id in incoming:
            raise InvalidInput(f"{path}:{line}: a second row with the id {person.id}; add a p2p_id column to tell them apart")
        if person.name[:1] in ("=", "+", "-", "@"):  # a spreadsheet would run it: say so; exports neutralise it
            changes.notes.append((line, f"name {person.name[:40]!r} starts like a spreadsheet formula; kept as text, "
                                        "and CSV exports prefix it with '"))
        incoming[person.id] = person
    for line, doc in parsed.inactive:  # an inactive row deactivates a known person, never adds one
        known = None if _owner_of_id(snapshot, roster, doc) else snapshot.people.get(doc["id"])
        if known is None:
            changes.skipped.append((line, f"{doc['id']} is inactive and not in the roster"))
        elif doc["id"] not in incoming:
            incoming[known.id] = replace(known, active=False)
    changes.skipped.sort()
    files = {}
    owners = _email_owners(snapshot.people.values(), incoming.values())
    for person in steps(incoming.values(), "preparing files"):
        _check_unique_email(person, owners)
        existing = snapshot.people.get(person.id)
        if existing is not None:
            person = replace(person, manager=person.manager or existing.manager, hired=person.hired or existing.hired,
                             region=person.region or existing.region)
        if existing == person:
            changes.unchanged.append(person.id)
            continue
        (changes.updated if existing else changes.created).append(person.id)
        files[layout.person_path(person.id)] = _dump(person)
    return commit_setup(store, snapshot, as_id, files, f"p2p: import people from {path.name} ({changes.summary()})",
                   changes, dry_run)


def _manager_keys(existing: Iterable[model.Person], docs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Manager cells may hold an id, an e-mail, a CRM id or a name: map each to an id."""
    keys: dict[str, str] = {}
    for item in [*(p.to_doc() for p in existing), *docs]:
        for key in ("id", "email", "crm_id", "name"):
            if item.get(key):
                keys[str(item[key]).lower()] = item["id"]
    return keys


def _owner_of_id(snapshot: Snapshot, roster: _Roster, doc: dict[str, Any]) -> str | None:
    """Match a CRM row to the roster by e-mail (or CRM id) first, so re-imports keep
    ids; say why when the id it would get belongs to someone else."""
    match = roster.match(doc)
    if match is not None:
        doc["id"] = match
        return None
    other = snapshot.people.get(doc["id"])
    if other is not None:
        return f"the id {other.id} belongs to {other.email}, not {doc['email']}; add a p2p_id column to choose another"
    return None


class _Roster:
    """People by lower-case e-mail and by CRM id (a Salesforce id is the same user in
    its 15- and 18-character forms): a 5,000-row import looked each row up by walking
    5,000 people (1.35 s)."""

    def __init__(self, people: Mapping[str, model.Person]) -> None:
        self._order = {pid: n for n, pid in enumerate(people)}
        self._by_email = {email: ids[0] for email, ids in _email_owners(people.values()).items()}
        self._by_crm: dict[str, str] = {}
        for person in people.values():
            if person.crm_id:
                self._by_crm.setdefault(person.crm_id[:15], person.id)

    def match(self, doc: dict[str, Any]) -> str | None:
        """The first person in roster order with the row's e-mail or CRM id."""
        found = [self._by_email.get(doc["email"].lower())]
        if doc.get("crm_id"):
            found.append(self._by_crm.get(doc["crm_id"][:15]))
        return min((pid for pid in found if pid is not None), key=self._order.__getitem__, default=None)
