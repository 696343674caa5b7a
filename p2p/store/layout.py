"""Where each thing lives in a store. The one place that turns ids into paths."""

from __future__ import annotations

from p2p.ids import check_entry_id, check_id

CONFIG = "p2p.yaml"
PEOPLE = "people"
CHALLENGES = "challenges"
ENTRIES = "entries"
RECORDS = "records"
KEEP = ".gitkeep"
# The JSON Schemas of the store's files, for editors (see p2p.schema). A dot folder
# outside the data folders: the loader never reads it, and `git sparse-checkout set
# .p2p …` keeps it in a sparse clone.
SCHEMAS = ".p2p/schemas"
_SCHEMA_OF = {"config": "settings", "person": "person", "challenge": "challenge", "entry": "entry", "record": "record"}


def person_path(person_id: str) -> str:
    return f"{PEOPLE}/{check_id(person_id)}.yaml"


def challenge_path(slug: str) -> str:
    return f"{CHALLENGES}/{check_id(slug)}.yaml"


def entry_path(slug: str, person_id: str, entry_id: str) -> str:
    return f"{ENTRIES}/{check_id(slug)}/{check_id(person_id)}/{check_entry_id(entry_id)}.yaml"


def record_path(kind: str, person_id: str, record_id: str) -> str:
    return f"{RECORDS}/{kind}/{check_id(person_id)}/{check_entry_id(record_id)}.yaml"


def header(path: str, note: str | None = None) -> str:
    """The comment a file p2p writes at `path` starts with: the modeline that points
    editors (VS Code's YAML extension, any yaml-language-server client) at the file's
    JSON Schema in the store, relative to the file, then `note` for people."""
    schema = f"{'../' * path.count('/')}{SCHEMAS}/{_SCHEMA_OF[classify(path) or '']}.json"
    return f"yaml-language-server: $schema={schema}" + (f"\n{note}" if note else "")


def classify(path: str) -> str | None:
    """'config', 'person', 'challenge', 'entry', 'record', or None for a file p2p ignores."""
    if path == CONFIG:
        return "config"
    top = path.partition("/")[0]
    name = path[path.rfind("/") + 1:]
    if top not in _FOLDERS or name.startswith("."):
        return None
    if not name.endswith(".yaml"):
        return "stray"
    # Counting slashes, not splitting: a warm read classifies 25,000 paths.
    return _KINDS.get((top, path.count("/")), "stray")


_FOLDERS = frozenset((PEOPLE, CHALLENGES, ENTRIES, RECORDS))
_KINDS = {(PEOPLE, 1): "person", (CHALLENGES, 1): "challenge", (ENTRIES, 3): "entry", (RECORDS, 3): "record"}
