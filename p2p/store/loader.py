"""The one read path: `load(store, rev)` folds the files of a store at a git revision
(or in the working tree, for `check`) into a Snapshot of plain records plus the
problems found on the way. Nothing else reads store files, so the parse cache keyed
by git blob id lives here: a blob never changes, so it is parsed at most once.

Problems are values, not exceptions: a broken file is reported with its path and
line and left out, and every other file still loads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from p2p import model
from p2p.entries import Entry, parse_entry
from p2p.records import Record, parse_record
from p2p.settings import Settings
from p2p.errors import SchemaError, StoreError
from p2p.snapshot import Problem, Snapshot
from p2p.store import layout, yamlio
from p2p.store.cache import TreeCache, Unit
from p2p.store.repo import Git


# Parsed documents by blob id (or an exception to re-raise). Blobs are immutable.
_parsed: dict[str, Any] = {}
# Valid entries by blob id: parse_entry depends on the document alone, so its
# result is cached with it (validating 20,000 entries costs more than reading them).
_entries: dict[str, Entry] = {}
# People and challenges by (blob id, roles): they depend on p2p.yaml's roles too.
_models: dict[tuple[str, tuple[str, ...]], Any] = {}
# Valid records by blob id, like _entries.
_records: dict[str, Record] = {}


@dataclass(frozen=True)
class _File:
    path: str
    oid: str


def load(git: Git, rev: str | None = "HEAD", challenges: Iterable[str] | None = None,
         worktree: Path | None = None, authors: Iterable[str] | None = None, records: bool = False) -> Snapshot:
    """Read the store at `rev` (a commit-ish), or the files under `worktree` when given.

    `challenges` limits which challenges' entries are read (all when None), and
    `authors` which people's entries in them: a write reads its own folder and
    its target's, not a challenge of 20,000 entries. `records` (action items,
    activity, outcomes, pairings) are read only when asked for; the working tree
    is always read whole."""
    scope = None if challenges is None else set(challenges)
    if worktree is not None:
        listing, reader, commit = _worktree_files(worktree, scope)
        contents: dict[str, bytes] = {}
    else:
        commit = git.resolve(rev or "HEAD")
        if commit is None and rev in (None, "HEAD"):
            raise StoreError(f"the store at {git.root} has no commits yet; run `p2p init` there")
        if commit is None:
            raise StoreError(f"revision {rev!r} does not exist in this store")
        listing, contents = _tree_files(git, commit, scope, None if authors is None else set(authors), records)
        reader = git.read_blobs
    missing = [f.oid for f in listing if f.oid not in _parsed]
    contents.update(reader(missing) if missing else {})
    for oid in missing:
        _parsed[oid] = _parse(contents[oid])

    def fetch(oid: str) -> bytes:  # only on the error path, to point at a line
        return contents[oid] if oid in contents else reader([oid])[oid]

    return _fold(commit, listing, fetch)


def _tree_files(git: Git, commit: str, scope: set[str] | None,
                authors: set[str] | None, records: bool = False) -> tuple[list[_File], dict[str, bytes]]:
    """Every file p2p reads at `commit`, filling `_parsed` from the tree cache: a
    folder whose tree is cached is not even listed. Returns the listing and the
    contents read on the way."""
    folders = [layout.CONFIG, layout.PEOPLE, layout.CHALLENGES, f"{layout.ENTRIES}/"] + ([f"{layout.RECORDS}/"] if records else [])
    top = [item for item in git.ls_tree(commit, folders, recursive=False)
           if not item.path.rsplit("/", 1)[-1].startswith(".")]
    # A folder is cached under its tree id, a top-level file (p2p.yaml) under its blob id.
    units = {item.path: item.oid for item in top if _in_scope(item.path, scope)}
    if authors is not None:  # one challenge's folder splits into its people's folders
        challenges = [name for name in units if name.startswith(f"{layout.ENTRIES}/")]
        for name in challenges:
            del units[name]
        if challenges:
            units.update({item.path: item.oid for item in git.ls_tree(commit, [f"{c}/" for c in challenges], recursive=False)
                          if item.path.split("/")[-1] in authors})
    listing: list[_File] = []
    cache = TreeCache(git.git_dir())
    cached = {name: cache.get(tree) for name, tree in units.items()}
    misses = [name for name, unit in cached.items() if unit is None]
    contents: dict[str, bytes] = {}
    if misses:
        items = [i for i in git.ls_tree(commit, misses) if i.kind == "blob"]  # a file lists as itself
        fresh: dict[str, Unit] = {name: {} for name in misses}
        reuse: dict[str, Any] = {}
        for name in misses:
            for oid, doc, entry in cache.latest(name).values():
                reuse[oid] = doc
                if entry is not None:
                    _entries.setdefault(oid, entry)
        unknown = sorted({i.oid for i in items if i.oid not in _parsed and i.oid not in reuse})
        contents = git.read_blobs(unknown) if unknown else {}
        for oid in unknown:
            _parsed[oid] = _parse(contents[oid])
        for item in items:
            name = _unit_of(item.path, units)
            doc = _parsed.get(item.oid, reuse.get(item.oid))
            entry = _entry_of(item.oid, doc) if layout.classify(item.path) == "entry" else None
            # A valid entry is kept as its Entry alone: the document would double the
            # pickle and is needed only to point at the line of a problem.
            fresh[name][item.path] = (item.oid, None if entry is not None else _to_cache(doc), entry)
        for name in misses:
            cached[name] = fresh[name]
            cache.put(name, units[name], fresh[name])
    for unit in cached.values():
        for path, (oid, doc, entry) in (unit or {}).items():
            if path.rsplit("/", 1)[-1].startswith("."):
                continue
            listing.append(_File(path, oid))
            if oid not in _parsed:
                _parsed[oid] = _from_cache(doc)
            if entry is not None:
                _entries.setdefault(oid, entry)
    return listing, contents


def _in_scope(path: str, scope: set[str] | None) -> bool:
    parts = path.split("/")
    return scope is None or parts[0] != layout.ENTRIES or parts[1] in scope


def _unit_of(path: str, units: dict[str, str]) -> str:
    parts = path.split("/")
    return next(name for name in ("/".join(parts[:n]) for n in (3, 2, 1)) if name in units)


def _entry_of(oid: str, doc: Any) -> Entry | None:
    if oid not in _entries and isinstance(doc, dict):
        try:
            _entries[oid] = parse_entry(doc)
        except SchemaError:
            return None  # reported by _fold, with its line
    return _entries.get(oid)


def _to_cache(doc: Any) -> Any:
    return ("!error", doc.message, doc.line) if isinstance(doc, yamlio.YamlError) else doc


def _from_cache(doc: Any) -> Any:
    return yamlio.YamlError(doc[1], doc[2]) if isinstance(doc, tuple) else doc


def _worktree_files(root: Path, scope: set[str] | None) -> tuple[list[_File], Callable[[list[str]], dict[str, bytes]], None]:
    data: dict[str, bytes] = {}
    listing = []
    candidates = [root / layout.CONFIG] if (root / layout.CONFIG).is_file() else []
    for folder in (layout.PEOPLE, layout.CHALLENGES, layout.ENTRIES, layout.RECORDS):
        base = root / folder
        if base.is_dir():
            candidates.extend(p for p in sorted(base.rglob("*")) if p.is_file() and not p.name.startswith("."))
    for path in candidates:
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        if scope is not None and parts[0] == layout.ENTRIES and len(parts) > 1 and parts[1] not in scope:
            continue
        blob = path.read_bytes()
        oid = hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest()  # git's blob id
        data[oid] = blob
        listing.append(_File(rel, oid))
    return listing, lambda oids: {o: data[o] for o in oids}, None


def _parse(data: bytes) -> Any:
    try:
        return yamlio.loads(data)
    except yamlio.YamlError as exc:
        return exc


def _fold(commit: str | None, listing: list[_File], fetch: Callable[[str], bytes]) -> Snapshot:
    problems: list[Problem] = []
    by_kind: dict[str, list[tuple[_File, Any]]] = {}
    for item in listing:
        kind = layout.classify(item.path)
        if kind is None:
            continue
        if kind == "stray":
            problems.append(Problem(item.path, None, "not where p2p expects a file (store files are "
                                    "people/ID.yaml, challenges/SLUG.yaml, entries/SLUG/PERSON/ID.yaml)"))
            continue
        by_kind.setdefault(kind, []).append((item, _parsed[item.oid]))

    def parse(item: _File, doc: Any, parser: Callable[[Any], Any]) -> Any:
        if isinstance(doc, yamlio.YamlError):
            problems.append(Problem(item.path, doc.line, doc.message))
            return None
        try:
            return parser(doc)
        except SchemaError as exc:
            line = yamlio.line_of(fetch(item.oid), exc.field) if exc.field else None
            problems.append(Problem(item.path, line, exc.message))
            return None

    settings = Settings()
    for item, doc in by_kind.get("config", []):
        settings = parse(item, doc, Settings.parse) or settings
        newer = [p for p in problems if p.path == item.path and "newer than this p2p understands" in p.message]
        if newer:  # defaults would silently misread everything: refuse every command
            raise StoreError(f"{item.path}: {newer[0].message}")
    roles = tuple(settings.roles)

    def record(item: _File, doc: Any, parser: Callable[[Any, Any], Any]) -> Any:
        key = (item.oid, roles)
        if key in _models:
            return _models[key]
        parsed = parse(item, doc, lambda d: parser(d, roles))
        if parsed is not None:  # a broken file is parsed again, so each load reports it
            _models[key] = parsed
        return parsed

    people: dict[str, model.Person] = {}
    for item, doc in by_kind.get("person", []):
        person = record(item, doc, model.Person.parse)
        if person is not None and _named_as(item, person.id, "id", fetch, problems):
            people[person.id] = person
    challenges: dict[str, model.Challenge] = {}
    for item, doc in by_kind.get("challenge", []):
        challenge = record(item, doc, model.Challenge.parse)
        if challenge is not None and _named_as(item, challenge.slug, "slug", fetch, problems):
            challenges[challenge.slug] = challenge
    entries: list[Entry] = []
    entry_paths: dict[str, list[str]] = {}
    for item, doc in by_kind.get("entry", []):
        entry = _entries.get(item.oid) or parse(item, doc, parse_entry)
        if entry is not None:
            _entries[item.oid] = entry
        if entry is None or not _entry_in_place(item, entry, problems):
            continue
        entry_paths.setdefault(entry.id, []).append(item.path)
        if len(entry_paths[entry.id]) == 1:
            entries.append(entry)
    entries.sort(key=lambda e: e.id)
    records: list[Record] = []
    for item, doc in by_kind.get("record", []):
        record = _records.get(item.oid) or parse(item, doc, parse_record)
        if record is not None:
            _records[item.oid] = record
            if _record_in_place(item, record, problems):
                records.append(record)
    records.sort(key=lambda r: r.id)
    return Snapshot(commit, settings, people, challenges, entries, problems, len(listing), entry_paths,
                    {item.path: item.oid for item in listing}, records)


def _named_as(item: _File, ident: str, key: str, fetch: Callable[[str], bytes], problems: list[Problem]) -> bool:
    stem = item.path.rsplit("/", 1)[-1][: -len(".yaml")]
    if stem != ident:
        line = yamlio.line_of(fetch(item.oid), key)
        problems.append(Problem(item.path, line, f"{key} {ident!r} does not match the file name {stem!r}"))
        return False
    return True


def _record_in_place(item: _File, record: Record, problems: list[Problem]) -> bool:
    expected = layout.record_path(record.kind, record.by, record.id)
    if item.path != expected:
        problems.append(Problem(item.path, 1, f"{record.kind} {record.id} by {record.by} belongs at {expected}"))
        return False
    return True


def _entry_in_place(item: _File, entry: Entry, problems: list[Problem]) -> bool:
    _, slug, person, name = item.path.split("/")
    expected = f"{layout.ENTRIES}/{entry.challenge}/{entry.by}/{entry.id}.yaml"
    if (slug, person, name) != (entry.challenge, entry.by, f"{entry.id}.yaml"):
        problems.append(Problem(item.path, 1, f"entry {entry.id} by {entry.by} in {entry.challenge} belongs at {expected}"))
        return False
    return True
