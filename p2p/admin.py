"""Set-up use cases: the roster and challenge definitions. These are configuration,
not entries: they commit as the local git identity (a sales-ops person or a CI bot)
or as the --as person, and they are idempotent — an unchanged definition makes no
commit, so CI can run them on every push."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from p2p import catalog, crm, model
from p2p.fields import parse_date
from p2p.errors import NotFound, Refused, SchemaError, InvalidInput
from p2p.ids import check_id
from p2p.store import layout, yamlio
from p2p.store.loader import Snapshot
from p2p.store.repo import Identity
from p2p.store.store import Store

PERSON_HEADER = "A person in the roster: see `p2p people add --help`"
CHALLENGE_HEADER = "A challenge definition: see `p2p challenge apply --help`"


@dataclass
class Changes:
    """What a set-up command did, per id: created / updated / unchanged."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why) of rows left out
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what) of rows taken with a caveat
    commit: str | None = None

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def _setup_identity(store: Store, snapshot: Snapshot, as_id: str | None) -> Identity:
    if as_id:
        check_id(as_id, "--as")
        if as_id not in snapshot.people:
            raise NotFound(f"--as {as_id!r} is not in people/; set-up commands may also run without --as")
        who = snapshot.people[as_id]
        return Identity(who.name, who.email)
    return store.committer()


def _commit(store: Store, snapshot: Snapshot, as_id: str | None, files: Mapping[str, bytes],
            message: str, changes: Changes, dry_run: bool = False) -> Changes:
    if files and not dry_run:
        identity = _setup_identity(store, snapshot, as_id)
        changes.commit = store.write(files, message, identity, store.committer(fallback=identity))
    return changes


# -- people --------------------------------------------------------------------------
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
    _check_unique_email(snapshot, person)
    (changes.updated if existing else changes.created).append(person.id)
    files = {layout.person_path(person.id): yamlio.dumps(person.to_doc(), PERSON_HEADER)}
    verb = "update" if existing else "add"
    return _commit(store, snapshot, as_id, files, f"p2p: {verb} person {person.id}", changes)


def _parse_person(doc: dict[str, Any], snapshot: Snapshot, known: Iterable[str] = ()) -> model.Person:
    person = model.Person.parse({k: v for k, v in doc.items() if v is not None}, snapshot.settings.roles)
    if person.manager and person.manager not in snapshot.people and person.manager not in known:
        raise NotFound(f"manager {person.manager!r} of {person.id} is not in people/; add the manager first")
    return person


def _check_unique_email(snapshot: Snapshot, person: model.Person, others: Iterable[model.Person] = ()) -> None:
    for other in (*snapshot.people.values(), *others):
        if other.id != person.id and other.email.lower() == person.email.lower():
            raise Refused(f"e-mail {person.email} already belongs to {other.id}; each person needs their own")


def import_people(store: Store, as_id: str | None, path: Path, default_team: str | None = None,
                  default_role: str | None = None, dry_run: bool = False) -> Changes:
    snapshot = store.load(challenges=[])
    try:
        parsed = crm.parse_people(path.read_bytes(), snapshot.settings.roles, default_team, default_role)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None
    changes = Changes(skipped=list(parsed.skipped))
    by_key = _manager_keys(snapshot.people.values(), [doc for _, doc in parsed.people])
    known_ids = [doc["id"] for _, doc in parsed.people]
    incoming: dict[str, model.Person] = {}
    for line, doc in parsed.people:
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
        incoming[person.id] = person
    for line, doc in parsed.inactive:  # an inactive row deactivates a known person, never adds one
        known = snapshot.people.get(doc["id"])
        if known is None:
            changes.skipped.append((line, f"{doc['id']} is inactive and not in the roster"))
        elif doc["id"] not in incoming:
            incoming[known.id] = replace(known, active=False)
    changes.skipped.sort()
    files = {}
    for person in incoming.values():
        _check_unique_email(snapshot, person, [p for p in incoming.values() if p.id != person.id])
        existing = snapshot.people.get(person.id)
        if existing is not None:
            person = replace(person, manager=person.manager or existing.manager, hired=person.hired or existing.hired,
                             region=person.region or existing.region)
        if existing == person:
            changes.unchanged.append(person.id)
            continue
        (changes.updated if existing else changes.created).append(person.id)
        files[layout.person_path(person.id)] = yamlio.dumps(person.to_doc(), PERSON_HEADER)
    return _commit(store, snapshot, as_id, files, f"p2p: import people from {path.name} ({changes.summary()})",
                   changes, dry_run)


def _manager_keys(existing: Iterable[model.Person], docs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Manager cells may hold an id, an e-mail, a CRM id or a name: map each to an id."""
    keys: dict[str, str] = {}
    for item in [*(p.to_doc() for p in existing), *docs]:
        for key in ("id", "email", "crm_id", "name"):
            if item.get(key):
                keys[str(item[key]).lower()] = item["id"]
    return keys


# -- challenges ----------------------------------------------------------------------
def resolve_spec(spec: Mapping[str, Any], roles: tuple[str, ...]) -> model.Challenge:
    """A full challenge definition from a spec: the type's defaults, then the spec's
    own fields on top. Dates may be left out: closes = opens + the type's duration."""
    spec = dict(spec)
    kind = catalog.get_type(str(spec.get("type")))
    unknown = set(spec) - model.Challenge.KEYS
    if unknown:
        raise SchemaError(f"unknown field {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(model.Challenge.KEYS))}",
                          sorted(unknown)[0])
    opens = _spec_date(spec, "opens")
    closes = _spec_date(spec, "closes") or (opens + dt.timedelta(days=kind.duration_days - 1) if opens else None)
    review = _spec_date(spec, "review_closes") or (closes + dt.timedelta(days=kind.review_days) if closes else None)
    doc: dict[str, Any] = {
        "title": kind.title, "description": kind.description, "skills": list(kind.skills), "mode": kind.mode,
        "format": kind.format, "roles": list(kind.roles), "min_ratings": kind.min_ratings,
        "rubric": kind.rubric.to_doc(), "metric": kind.metric.to_doc() if kind.metric else None,
    }
    doc.update({k: v for k, v in spec.items() if v is not None})
    doc.update(opens=opens, closes=closes, review_closes=review)
    return model.Challenge.parse(doc, roles)


def _spec_date(spec: Mapping[str, Any], key: str) -> dt.date | None:
    value = spec.get(key)
    return None if value is None else parse_date(value, key)


def new_challenge(store: Store, as_id: str | None, spec: dict[str, Any]) -> Changes:
    snapshot = store.load(challenges=[])
    challenge = resolve_spec(spec, snapshot.settings.roles)
    changes = Changes()
    existing = snapshot.challenges.get(challenge.slug)
    if existing is not None:
        if replace(existing, closed_at=None) == challenge:
            changes.unchanged.append(challenge.slug)
            return changes
        raise Refused(f"challenge {challenge.slug} already exists with other settings; change it with `p2p challenge apply`")
    changes.created.append(challenge.slug)
    files = {layout.challenge_path(challenge.slug): yamlio.dumps(challenge.to_doc(), CHALLENGE_HEADER)}
    return _commit(store, snapshot, as_id, files, f"p2p: new challenge {challenge.slug}", changes)


def read_specs(paths: Sequence[Path]) -> list[tuple[str, dict[str, Any]]]:
    """(where, spec) for every spec in the given files and folders (*.yaml, *.yml)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    specs = []
    for file in files:
        try:
            doc = yamlio.loads(file.read_bytes(), str(file))
        except yamlio.YamlError as exc:
            raise InvalidInput(f"{file}:{exc.line or 1}: {exc.message}") from None
        items = doc.get("challenges") if isinstance(doc, dict) and "challenges" in doc else doc
        items = items if isinstance(items, list) else [items]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InvalidInput(f"{file}: spec {i + 1} must be a mapping with slug, type and dates")
            specs.append((f"{file}" if len(items) == 1 else f"{file}[{i + 1}]", item))
    if not specs:
        raise InvalidInput(f"no challenge specs (*.yaml) in {', '.join(map(str, paths))}")
    return specs


def apply_specs(store: Store, as_id: str | None, paths: Sequence[Path], dry_run: bool = False) -> Changes:
    """Upsert challenge definitions; all specs are validated before anything is written."""
    snapshot = store.load(challenges=[])
    resolved: dict[str, model.Challenge] = {}
    for where, spec in read_specs(paths):
        try:
            challenge = resolve_spec(spec, snapshot.settings.roles)
        except (SchemaError, NotFound) as exc:
            raise InvalidInput(f"{where}: {exc.message}") from None
        if challenge.slug in resolved:
            raise InvalidInput(f"{where}: challenge {challenge.slug} is defined twice")
        resolved[challenge.slug] = challenge
    changes = Changes()
    files = {}
    for slug, challenge in resolved.items():
        existing = snapshot.challenges.get(slug)
        if existing is not None and challenge.closed_at is None:
            challenge = replace(challenge, closed_at=existing.closed_at)
        if existing == challenge:
            changes.unchanged.append(slug)
            continue
        (changes.updated if existing else changes.created).append(slug)
        files[layout.challenge_path(slug)] = yamlio.dumps(challenge.to_doc(), CHALLENGE_HEADER)
    return _commit(store, snapshot, as_id, files, f"p2p: apply challenges ({changes.summary()})", changes, dry_run)


def close_challenge(store: Store, as_id: str | None, slug: str, now: dt.datetime) -> Changes:
    snapshot = store.load(challenges=[])
    challenge = snapshot.challenge(slug)
    changes = Changes()
    if challenge.state(now, snapshot.settings.tz) == "closed":
        changes.unchanged.append(slug)
        return changes
    changes.updated.append(slug)
    files = {layout.challenge_path(slug): yamlio.dumps(challenge.close(now).to_doc(), CHALLENGE_HEADER)}
    return _commit(store, snapshot, as_id, files, f"p2p: close challenge {slug}", changes)
