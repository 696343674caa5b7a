"""The JSON Schema of every file kind, generated from the Shapes the parsers read
with (p2p.shapes), so an editor checks a hand edit by the rules `p2p check` applies.

They ship as p2p/schemas/KIND.json (`p2p schema --write p2p/schemas` regenerates
them; tests/test_schema.py fails when they are stale), and `p2p init` copies them
into the store's .p2p/schemas/, where the modeline of every file p2p writes points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from p2p import entries, model, records, settings
from p2p.shapes import DRAFT, Shape

SHIPPED = Path(__file__).resolve().parent / "schemas"
_FILES: dict[str, Shape] = {"settings": settings.SETTINGS, "person": model.PERSON, "challenge": model.CHALLENGE,
                            "challenge-type": model.CHALLENGE_TYPE}
_SPEC_FILE = ("A spec file for `p2p challenge apply`: one challenge spec, a list of them, or "
              "`challenges: [...]`. A built-in type's defaults fill what a spec leaves out.")
KINDS = (*_FILES, "challenge-spec", "entry", *entries.KINDS, "record", *records.KINDS)


def describe(kind: str) -> str:
    """One line on what files of `kind` hold."""
    if kind in ("entry", "record"):
        return f"Any {kind} file: the schema of its kind, chosen by its `kind` field"
    return str(schema(kind)["description"]).split(". ")[0].rstrip(".")


def schema(kind: str) -> dict[str, Any]:
    if kind in ("entry", "record"):
        return (entries.ENTRIES if kind == "entry" else records.RECORDS).json_schema()
    if kind == "challenge-spec":
        spec = {"$ref": "#/$defs/spec"}
        return {"$schema": DRAFT, "title": "challenge spec file", "description": _SPEC_FILE, "anyOf": [
            spec, {"type": "array", "items": spec},
            {"type": "object", "properties": {"challenges": {"type": "array", "items": spec}},
             "required": ["challenges"], "additionalProperties": False},
        ], "$defs": {"spec": model.CHALLENGE_SPEC.json_schema(top=False)}}
    shapes = {**_FILES, **entries.ENTRIES.shapes, **records.RECORDS.shapes}
    return shapes[kind].json_schema()


def text(kind: str) -> str:
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    """Every kind's schema as FOLDER/KIND.json."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{kind}.json" for kind in KINDS]
    for kind, path in zip(KINDS, paths):
        path.write_text(text(kind), encoding="utf-8")
    return paths


def shipped() -> dict[str, bytes]:
    """The schema files of this p2p, by file name."""
    return {path.name: path.read_bytes() for path in sorted(SHIPPED.glob("*.json"))}
