"""Challenge definitions: created from a built-in type, upserted from spec files,
closed early. A challenge is a store file, edited only here or by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from p2p import catalog, model
from p2p.changes import Changes, commit_setup
from p2p.errors import InvalidInput, NotFound, Refused, SchemaError
from p2p.fields import parse_date
from p2p.store import layout, yamlio
from p2p.store.store import Store

CHALLENGE_HEADER = "A challenge definition: see `p2p challenge apply --help`"


def resolve_spec(spec: Mapping[str, Any], roles: tuple[str, ...]) -> model.Challenge:
    """A full challenge definition from a spec: the type's defaults, then the spec's
    own fields on top. Dates may be left out: closes = opens + the type's duration."""
    spec = dict(spec)
    model.CHALLENGE_SPEC.read(spec)  # each given field's own rule, naming it; the whole is checked below
    kind = catalog.get_type(str(spec.get("type")))
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
    files = _files(challenge)
    return commit_setup(store, snapshot, as_id, files, f"p2p: new challenge {challenge.slug}", changes)


def _files(challenge: model.Challenge) -> dict[str, bytes]:
    path = layout.challenge_path(challenge.slug)
    return {path: yamlio.dumps(challenge.to_doc(), layout.header(path, CHALLENGE_HEADER))}


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
            doc = yamlio.loads(file.read_bytes())
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
    started = {e.challenge for e in store.load(challenges=[s for s in resolved if s in snapshot.challenges]).entries}
    for slug, challenge in resolved.items():
        existing = snapshot.challenges.get(slug)
        if existing is not None and challenge.closed_at is None:
            challenge = replace(challenge, closed_at=existing.closed_at)
        if existing == challenge:
            changes.unchanged.append(slug)
            continue
        if existing is not None and slug in started:
            _check_compatible(existing, challenge)
        (changes.updated if existing else changes.created).append(slug)
        files.update(_files(challenge))
    return commit_setup(store, snapshot, as_id, files, f"p2p: apply challenges ({changes.summary()})", changes, dry_run)


def _check_compatible(old: model.Challenge, new: model.Challenge) -> None:
    """Once entries exist, what they were scored against must not change under them."""
    shape = lambda c: (c.mode, c.format, c.rubric.min, c.rubric.max, [k.id for k in c.rubric.criteria])  # noqa: E731
    if shape(old) != shape(new):
        raise InvalidInput(f"challenge {old.slug} already has entries: its mode, format, scale and criterion ids "
                           "cannot change (titles, weights, dates and descriptions can); create a new challenge")


def close_challenge(store: Store, as_id: str | None, slug: str, now: dt.datetime) -> Changes:
    snapshot = store.load(challenges=[])
    challenge = snapshot.challenge(slug)
    changes = Changes()
    if challenge.state(now, snapshot.settings.tz) == "closed":
        changes.unchanged.append(slug)
        return changes
    changes.updated.append(slug)
    files = _files(challenge.close(now))
    return commit_setup(store, snapshot, as_id, files, f"p2p: close challenge {slug}", changes)
