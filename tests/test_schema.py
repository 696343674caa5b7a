"""The JSON Schemas p2p ships (p2p/schemas, `p2p schema KIND`) are generated from the
same Shapes its parsers read with: every file of the demo store passes them, a broken
file fails them at the field `p2p check` names with the parser's own message, the
shipped files are exactly what the Shapes generate, and every file p2p writes points
an editor at its schema in the store with a yaml-language-server modeline."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conftest import P2P, ROOT, git, scores
from p2p import schema as schemas
from p2p.cli import cli
from p2p.entries import parse_entry
from p2p.errors import SchemaError
from p2p.model import Challenge, ChallengeType, Person
from p2p.records import parse_record
from p2p.settings import Settings
from p2p.store import canonical, layout, yamlio

MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def plain(value: Any) -> Any:
    """A YAML document as JSON sees it: keys as text, dates and times as the ISO text the file has."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((schemas.SHIPPED / f"{name}.json").read_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors_of(name: str, data: bytes) -> list[ValidationError]:
    return list(validator(name).iter_errors(plain(yaml.safe_load(data))))


def field_of(error: ValidationError) -> str:
    """The dotted field a JSON Schema error is about, the way p2p names fields."""
    path = [str(part) for part in error.absolute_path]
    if error.validator == "additionalProperties":
        path.append(next(str(k) for k in error.instance if k not in error.schema.get("properties", {})))
    elif error.validator == "required":
        path.append(next(k for k in error.validator_value if k not in error.instance))
    return ".".join(path)


def schema_of(path: Path) -> Path:
    """The schema file a store file's modeline points at."""
    match = MODELINE.match(path.read_text())
    assert match, f"{path} has no yaml-language-server modeline"
    return (path.parent / match[1]).resolve()


# -- the shipped files ---------------------------------------------------------------------
def test_the_shipped_schemas_are_exactly_what_the_shapes_generate():
    shipped = schemas.shipped()
    assert sorted(shipped) == sorted(f"{kind}.json" for kind in schemas.KINDS)
    for kind in schemas.KINDS:
        assert shipped[f"{kind}.json"].decode() == schemas.text(kind), \
            f"p2p/schemas/{kind}.json is stale: run `p2p schema --write p2p/schemas`"


def schema_command(*args: str, expect: int = 0) -> Result:
    """`p2p schema …`, which needs no store."""
    result = CliRunner().invoke(cli, ["schema", *args])
    assert result.exit_code == expect, result.output
    return result


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_p2p_schema_prints_a_valid_draft_2020_12_schema(kind: str):
    printed = schema_command(kind).stdout
    Draft202012Validator.check_schema(json.loads(printed))
    assert printed == schemas.text(kind)


def test_schema_lists_and_writes_every_kind_and_refuses_an_unknown_one(tmp_path: Path):
    listed = [line.split()[0] for line in schema_command("--list").stdout.splitlines()]
    assert listed == list(schemas.KINDS)
    assert schema_command("--write", str(tmp_path / "out")).stdout.startswith(f"wrote {len(schemas.KINDS)} ")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == schemas.shipped()
    result = schema_command("ratings", expect=2)
    [line] = result.stderr.splitlines()
    assert line.startswith("error: no schema kind 'ratings'; one of settings, person, challenge,") and "rating" in line


# -- (a) what p2p and its users write passes ---------------------------------------------
def test_every_file_of_the_demo_store_passes_the_schema_its_modeline_names(demo_store: Path):
    files = [p for p in sorted(demo_store.rglob("*.yaml")) if ".git" not in p.parts]
    kinds = {layout.classify(p.relative_to(demo_store).as_posix()) for p in files}
    assert kinds == {"config", "person", "challenge", "entry", "record"}
    for path in files:
        rel = path.relative_to(demo_store).as_posix()
        # The demo's p2p.yaml was written by hand before `p2p init`, which keeps it as it is.
        schema = validator("settings") if rel == layout.CONFIG else Draft202012Validator(
            json.loads(schema_of(path).read_text()), format_checker=Draft202012Validator.FORMAT_CHECKER)
        assert [e.message for e in schema.iter_errors(plain(yaml.safe_load(path.read_bytes())))] == [], rel


def test_the_demo_specs_settings_and_built_in_types_pass_their_schemas():
    for path in sorted((ROOT / "demo" / "specs").glob("*.yaml")):
        assert errors_of("challenge-spec", path.read_bytes()) == [], path
    assert errors_of("settings", (ROOT / "demo" / "p2p.yaml").read_bytes()) == []
    for path in sorted((ROOT / "challenges").glob("*.yaml")):
        assert errors_of("challenge-type", path.read_bytes()) == [], path
        ChallengeType.parse(yamlio.loads(path.read_bytes()))


# -- (b) a broken file: the schema and `p2p check` agree on the field and the message ----------
def edit(text: str, old: str, new: str) -> str:
    assert old in text, (old, text)
    return text.replace(old, new, 1)


# (name, file, schema, change to a valid file of that kind); the file's kind picks the parser.
BROKEN: list[tuple[str, str, str, Callable[[str], str]]] = [
    ("wrong type", "people/ava.yaml", "person", lambda t: edit(t, "active: true", "active: maybe")),
    ("unknown key", "people/ava.yaml", "person", lambda t: t + "shoe_size: 44\n"),
    ("missing required", "people/ava.yaml", "person", lambda t: edit(t, "team: east\n", "")),
    ("bad id", "people/ava.yaml", "person", lambda t: edit(t, "team: east", "team: East Coast")),
    ("out-of-range integer", "challenges/pitch.yaml", "challenge",
     lambda t: edit(t, "min_ratings: 3", "min_ratings: 0")),
    ("bad enum", "challenges/pitch.yaml", "challenge", lambda t: edit(t, "mode: rubric", "mode: karaoke")),
    ("nested number", "challenges/pitch.yaml", "challenge", lambda t: edit(t, "weight: 2", "weight: 0")),
    ("nested enum", "p2p.yaml", "settings", lambda t: edit(t, "aggregate: median", "aggregate: best")),
    ("nested unknown key", "p2p.yaml", "settings", lambda t: edit(t, "scoring:\n", "scoring:\n  colour: blue\n")),
    ("score not a number", "RATING", "entry", lambda t: edit(t, "opening: 4", "opening: x")),
    ("entry bad id", "RATING", "entry", lambda t: edit(t, "person: ava", "person: Ava!")),
    ("entry missing required", "RATING", "entry", lambda t: re.sub(r"submission: \w+\n", "", t)),
    ("entry bad enum", "RATING", "entry", lambda t: edit(t, "kind: rating", "kind: ratings")),
    ("entry unknown key", "SUBMISSION", "entry", lambda t: t + "colour: blue\n"),
    ("record below minimum", "ACTIVITY", "record", lambda t: edit(t, "calls: 5", "calls: -5")),
]
PARSERS: dict[str, Callable[[Any], Any]] = {"config": Settings.parse, "person": Person.parse,
                                            "challenge": Challenge.parse, "entry": parse_entry,
                                            "record": parse_record}


def test_a_broken_file_fails_its_schema_at_the_field_and_with_the_message_p2p_check_gives(p2p: P2P):
    files = {
        "SUBMISSION": json.loads(p2p("submit", "pitch", "--link", "https://v.example/ava", "--format", "json",
                                     as_="ava").stdout)["path"],
        "RATING": json.loads(p2p("rate", "pitch", "ava", *scores(4), "--format", "json", as_="ben").stdout)["path"],
        "ACTIVITY": json.loads(p2p("activity", "log", "--week", "2026-W46", "--calls", "5", "--format", "json",
                                   as_="ava").stdout)["path"],
    }
    assert p2p("check").exit_code == 0
    for name, rel, kind, change in BROKEN:
        rel = files.get(rel, rel)
        path = p2p.root / rel
        good = path.read_bytes()
        broken = change(good.decode()).encode()
        path.write_bytes(broken)
        try:
            errors = errors_of(kind, broken)
            assert errors, f"{name}: the {kind} schema accepts {broken.decode()}"
            with pytest.raises(SchemaError) as caught:
                PARSERS[layout.classify(rel)](yamlio.loads(broken))  # type: ignore[index]
            assert caught.value.field in [field_of(e) for e in errors], (name, caught.value.field, errors)
            result = p2p.runner.invoke(cli, ["--store", str(p2p.root), "check"])
            assert result.exit_code == 1, (name, result.output)
            reported = [line for line in result.stdout.splitlines() if line.startswith(f"{rel}:")]
            messages = [re.sub(rf"^{re.escape(rel)}:(\d+:)? ", "", line) for line in reported]
            assert messages == [caught.value.message], (name, reported)
        finally:
            path.write_bytes(good)
    assert p2p("check").exit_code == 0


# -- (d) the modeline --------------------------------------------------------------------
def test_every_file_p2p_writes_names_its_schema_in_the_store_and_entries_stay_on_the_fast_path(p2p: P2P):
    entry = json.loads(p2p("submit", "pitch", "--link", "https://v.example/ava", "--format", "json",
                           as_="ava").stdout)["path"]
    record = json.loads(p2p("action", "add", "ava", "Open with a number", "--format", "json", as_="ava").stdout)["path"]
    expected = {entry: "entry", record: "record", "people/ava.yaml": "person", "challenges/pitch.yaml": "challenge",
                layout.CONFIG: "settings"}
    for rel, kind in expected.items():
        path = p2p.root / rel
        assert schema_of(path) == (p2p.root / layout.SCHEMAS / f"{kind}.json").resolve(), rel
        assert schema_of(path).read_bytes() == schemas.shipped()[f"{kind}.json"]
    assert git(p2p.root, "ls-files", layout.SCHEMAS).split() == sorted(f"{layout.SCHEMAS}/{name}"
                                                                      for name in schemas.shipped())
    data = (p2p.root / entry).read_bytes()
    assert data.startswith(b"# yaml-language-server: $schema=../../../.p2p/schemas/entry.json\n")
    assert canonical.read(data) == yamlio.parse_with_pyyaml(data) is not None


def test_check_notes_missing_or_outdated_schema_files_and_schema_write_refreshes_them(p2p: P2P):
    (p2p.root / layout.SCHEMAS / "rating.json").unlink()
    (p2p.root / layout.SCHEMAS / "person.json").write_text("{}\n")
    result = p2p("check")
    assert "2 editor schema files in .p2p/schemas/ are missing or outdated" in result.stderr
    assert "p2p schema --write .p2p/schemas" in result.stderr
    p2p("schema", "--write", str(p2p.root / layout.SCHEMAS))
    assert "schema" not in p2p("check").stderr


class _Score(int):
    """An int subclass: not a plain int, so the rating's fast path leaves it to fields.number."""


@pytest.mark.parametrize("value", [3, 4.5, -0.0, 0, 10**17, 10**400, True, False, float("inf"), float("-inf"),
                                   float("nan"), "4", None, [1], {"a": 1}, _Score(3), dt.date(2026, 1, 1)])
def test_a_ratings_scores_are_read_as_fields_number_reads_each_one(value):
    """Scores take a fast path (no field name is made for a good score): the same
    floats, and the same error, naming the same field, for a bad one."""
    def outcome(read: Callable[[], Any]) -> Any:
        try:
            return read()
        except (SchemaError, OverflowError) as exc:
            return type(exc), str(exc), getattr(exc, "field", None)

    from p2p import fields

    doc = {"v": 1, "id": "01M6ZW068BWN2X19Y5XXFG3WQT", "kind": "rating", "at": "2026-11-09T10:00:00Z", "by": "ava",
           "challenge": "q4", "submission": "01M6P3JMC3QJ1N34QYP8SVMRHM", "person": "eli",
           "scores": {"opening": 5, 2: value}}
    expected = outcome(lambda: {"opening": 5.0, "2": fields.number(value, "scores.2")})
    got = outcome(lambda: dict(parse_entry(doc).scores))
    assert got == expected
    if isinstance(got, dict):
        assert all(type(v) is float for v in got.values())


def test_an_entry_or_record_read_is_the_object_its_class_makes_of_the_same_values(demo_store: Path):
    """Kinds.parse makes its objects without their __init__ (see p2p.shapes._fields_read):
    each equals, prints, hashes, pickles and refuses a change as the class's own."""
    import pickle

    from p2p.records import RECORDS
    from p2p.entries import ENTRIES

    seen = set()
    for folder, kinds in ((layout.ENTRIES, ENTRIES), (layout.RECORDS, RECORDS)):
        for path in sorted((demo_store / folder).rglob("*.yaml")):
            doc = yaml.safe_load(path.read_bytes())
            values = kinds.shapes[doc["kind"]].read(doc)
            del values["v"], values["kind"]
            made, expected = kinds.parse(doc), kinds._classes[doc["kind"]](**values)
            assert (type(made), made, repr(made), list(vars(made))) == (
                type(expected), expected, repr(expected), list(vars(expected))), path
            if expected.__hash__ is not None and all(v.__hash__ for v in values.values()):
                assert hash(made) == hash(expected)
            assert pickle.loads(pickle.dumps(made)) == expected
            with pytest.raises(AttributeError):
                made.id = "changed"
            seen.add((folder, doc["kind"]))
    assert {kind for folder, kind in seen if folder == layout.ENTRIES} >= {"submission", "rating", "vote", "feedback"}


def test_a_kind_whose_class_its_shape_does_not_read_exactly_is_refused_when_defined():
    """An object made without __init__ must lose nothing: a class with checks of its own,
    fields its shape does not read, or an __init__ of its own cannot be a kind."""
    from dataclasses import dataclass

    from p2p.shapes import EntryId, Kinds, Shape, _fields_read

    shape = Shape("thing", {"v": EntryId(), "kind": EntryId(), "id": EntryId()})

    @dataclass(frozen=True)
    class Exact:
        id: str

    @dataclass(frozen=True)
    class Checked:
        id: str

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class Wider:
        id: str
        more: str = ""

    class Subclass(Exact):
        def __init__(self, id: str) -> None:
            object.__setattr__(self, "id", id.upper())

    assert _fields_read(Exact, shape) == ("id",)
    for cls in (Checked, Wider, Subclass, dict):
        with pytest.raises(TypeError, match="not a plain dataclass of exactly its shape's fields"):
            _fields_read(cls, shape)
    Checked.kind = "checked"  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="Checked"):
        Kinds("thing", "", 1, {}, [(Checked, "a thing", "", {})])
