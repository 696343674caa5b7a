"""Field rules as data: each file kind is a `Shape` of field specs. A spec reads its
field with the readers of p2p.fields and p2p.ids (so every message stays the one users
know) and describes the same rule as a JSON Schema fragment; a Shape reads a whole mapping and
describes the whole file. The parsers of every kind read through their Shape and
p2p.schema generates the shipped JSON Schemas from the same objects, so what editors
check and what `p2p check` checks cannot drift apart.

What JSON Schema cannot say (a rule between two fields, a choice that depends on
p2p.yaml, a version newer than this p2p) stays in code after the Shape is read: in
a Shape's `make` hook or in the kind's parse function, each saying so."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from p2p import fields as f
from p2p.errors import SchemaError
from p2p.ids import ENTRY_ID_PATTERN, ID_PATTERN, ID_RULE, check_entry_id, check_id
from p2p.ids import _show as show

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_SCHEMA = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$", "description": f"an id: {ID_RULE}"}


@dataclass(frozen=True, eq=False, repr=False)
class Spec:
    """One field's rule. `read(doc, key, prefix)` returns the typed value or raises
    SchemaError naming `prefix + key`; `schema()` is the JSON Schema of a present,
    non-null value. `required`: the key must be there; `nullable`: leaving it out and
    writing `key:` with no value mean the same.

    `read` runs for every field of every document loaded (a million entries): it hands
    its rule positionally to the reader, and lets a common valid value through inline.

    Specs are constants, compared by identity and never printed: the fourteen classes
    generate no __eq__, __hash__ or __repr__, which cost every command ~4 ms to make."""

    description: str = field(default="", kw_only=True)
    required = False

    @property
    def nullable(self) -> bool:
        return not self.required and getattr(self, "default", None) is None

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def described(self) -> dict[str, Any]:
        """The schema as a property: with its description, default and null when allowed."""
        schema = self.schema()
        if self.nullable:
            schema = _or_null(schema)
        default = getattr(self, "default", None)
        if default is not None and default != "":
            schema["default"] = list(default) if isinstance(default, tuple) else default
        return {**({"description": self.description} if self.description else {}), **schema}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" in schema:
        return {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


def _text_pattern(multiline: bool, required: bool) -> str:
    """fields' control-character rule (and not blank, when required) as a regex."""
    allowed = f"[^{(f.CONTROL_MULTILINE if multiline else f.CONTROL).pattern[1:-1]}]"
    if not required:
        return f"^{allowed}*$"
    return f"^{allowed}*{allowed[:-1]}\\s]{allowed}*$"


@dataclass(frozen=True, eq=False, repr=False)
class Text(Spec):
    max_len: int = 10_000
    multiline: bool = False  # tabs and line breaks allowed
    required: bool = True  # type: ignore[misc]
    default: str | None = None  # for a missing or empty value
    check: Callable[[str, str], str] | None = None  # a further rule on the text, e.g. an ISO week
    pattern: str | None = None  # that rule as a regex, for the schema

    @property
    def nullable(self) -> bool:
        return not self.required

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> str | None:
        value = f.text(doc, key, prefix, self.required, self.max_len, self.multiline)
        if self.check is None and self.default is None:
            return value
        if self.check is not None and value is not None:
            value = self.check(value, f"{prefix}{key}")
        return value or self.default

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_len,
                "pattern": self.pattern or _text_pattern(self.multiline, self.required)}


@dataclass(frozen=True, eq=False, repr=False)
class _Value(Spec):
    """One value that a parser of p2p.ids or p2p.fields checks and converts (`parse`);
    a value matching `fast` is taken as it is, without a call: ids are read by the million."""

    required: bool = True  # type: ignore[misc]
    parse = staticmethod(check_id)
    fast = None  # a compiled pattern (class attributes, not fields)

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> Any:
        value = doc.get(key)
        if value is None:
            return f.req(doc, key, prefix) if self.required else None
        if self.fast is not None and type(value) is str and self.fast.fullmatch(value):
            return value
        return self.parse(value, f"{prefix}{key}")


class Id(_Value):
    fast = ID_PATTERN

    def schema(self) -> dict[str, Any]:
        return dict(ID_SCHEMA) if not self.description else {k: v for k, v in ID_SCHEMA.items() if k != "description"}


class EntryId(_Value):
    """The id of an entry or record (26 characters of Crockford base32, time-sortable)."""

    parse = staticmethod(check_entry_id)
    fast = ENTRY_ID_PATTERN

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{ENTRY_ID_PATTERN.pattern}$"}


@dataclass(frozen=True, eq=False, repr=False)
class Email(Spec):
    required = True

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> str:
        return f.email(doc, key, prefix)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": 254, "pattern": rf"^\s*{f.EMAIL.pattern}\s*$"}


@dataclass(frozen=True, eq=False, repr=False)
class Choice(Spec):
    values: tuple[str, ...]
    default: str | None = None
    required: bool = True  # type: ignore[misc]
    store_defined: bool = False  # `values` are the defaults of a list in p2p.yaml (roles)

    def __post_init__(self) -> None:
        object.__setattr__(self, "required", self.required and self.default is None)
        object.__setattr__(self, "_strict", not self.nullable)  # `key:` with no value refused

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> str | None:
        value = doc.get(key, self.default)
        if value is None:
            if not self._strict:  # type: ignore[attr-defined]
                return None
            raise SchemaError(f"{prefix}{key} is required; one of {', '.join(self.values)}", f"{prefix}{key}")
        if value not in self.values:
            raise SchemaError(f"{prefix}{key} {show(value)} is not one of {', '.join(self.values)}", f"{prefix}{key}")
        return str(value)

    def schema(self) -> dict[str, Any]:
        if self.store_defined:  # any id the store lists; the defaults offered for completion
            return {"anyOf": [{"enum": list(self.values)}, ID_SCHEMA]}
        return {"const": self.values[0]} if len(self.values) == 1 else {"enum": list(self.values)}


@dataclass(frozen=True, eq=False, repr=False)
class Integer(Spec):
    minimum: int | None = None
    maximum: int | None = None
    default: int | None = None
    required: bool = True  # type: ignore[misc]

    def __post_init__(self) -> None:
        object.__setattr__(self, "required", self.required and self.default is None)
        object.__setattr__(self, "_strict", not self.nullable)  # `key:` with no value refused, even with a default

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> int | None:
        return f.integer(doc, key, prefix, self.default, self.minimum, self.maximum,
                         self._strict)  # type: ignore[attr-defined]

    def schema(self) -> dict[str, Any]:
        return _bounds({"type": "integer"}, minimum=self.minimum, maximum=self.maximum)


@dataclass(frozen=True, eq=False, repr=False)
class Version(Spec):
    """The version of p2p's file formats a document was written for: one newer than
    this p2p is refused, so nothing is silently misread."""

    supported: int
    what: str  # "entry version": what the message calls the value
    default: int | None = None

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> int:
        version = doc.get(key)
        if type(version) is int and 1 <= version <= self.supported:  # every entry has one: the test, inline
            return version
        version = f.integer(doc, key, prefix, self.default, 1)
        if version > self.supported:
            raise SchemaError(f"{self.what} {version} is newer than this p2p understands ({self.supported}); "
                              "upgrade p2p", f"{prefix}{key}")
        return version

    @property
    def required(self) -> bool:  # type: ignore[override]
        return self.default is None

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": self.supported}


@dataclass(frozen=True, eq=False, repr=False)
class Number(Spec):
    """A finite number, within bounds when given; `message` words an out-of-range
    value ({field}, {value}) where the generic words would not do."""

    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    default: float | None = None
    required: bool = True  # type: ignore[misc]
    message: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "required", self.required and self.default is None)
        object.__setattr__(self, "message", self.message or self._range())
        if not self.message:  # unbounded: checking a value is fields.number itself (every score of every rating)
            object.__setattr__(self, "check", f.number)

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> float | None:
        value = doc.get(key, self.default)
        if value is None and self.default is None:
            return f.req(doc, key, prefix) if self.required else None
        return self.check(value, f"{prefix}{key}")

    def check(self, value: object, field: str) -> float:
        """A value of this field (`field` its dotted path) as a float."""
        number = f.number(value, field)
        low, high, above = self.minimum, self.maximum, self.exclusive_minimum
        if (low is not None and number < low) or (high is not None and number > high) or (
                above is not None and number <= above):
            raise SchemaError(self.message.format(field=field, value=number), field)  # type: ignore[union-attr]
        return number

    def _range(self) -> str:
        low, high, above = self.minimum, self.maximum, self.exclusive_minimum
        if above is not None:
            return f"{{field}} {{value:g}} must be more than {above:g}"
        if low is not None and high is not None:
            return f"{{field}} {{value:g}} must be between {low:g} and {high:g}"
        return f"{{field}} {{value:g}} must be {low:g} or more" if low is not None else \
            f"{{field}} {{value:g}} must be {high:g} or less" if high is not None else ""

    def schema(self) -> dict[str, Any]:
        return _bounds({"type": "number"}, minimum=self.minimum, maximum=self.maximum,
                       exclusiveMinimum=self.exclusive_minimum)


def _bounds(schema: dict[str, Any], **bounds: float | None) -> dict[str, Any]:
    return {**schema, **{k: v for k, v in bounds.items() if v is not None}}


@dataclass(frozen=True, eq=False, repr=False)
class Boolean(Spec):
    default: bool = False

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> bool:
        return f.boolean(doc, key, prefix, self.default)

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Date(_Value):
    parse = staticmethod(f.parse_date)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class Timestamp(_Value):
    parse = staticmethod(f.parse_timestamp)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


@dataclass(frozen=True, eq=False, repr=False)
class IdList(Spec):
    default: tuple[str, ...] | None = None  # for a missing or empty list

    @property
    def nullable(self) -> bool:
        return True

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> tuple[str, ...]:
        return f.id_list(doc, key, prefix) or self.default or ()

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": ID_SCHEMA}


@dataclass(frozen=True, eq=False, repr=False)
class TextList(Spec):
    max_len: int = 200

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> tuple[str, ...]:
        return f.text_list(doc, key, prefix, self.max_len)

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": Text(max_len=self.max_len).schema()}


@dataclass(frozen=True, eq=False, repr=False)
class ListOf(Spec):
    """A list of `item` (a Shape or a Spec); `expected` completes "KEY must be …"."""

    item: Shape | Spec
    expected: str
    required: bool = False  # type: ignore[misc]
    default: tuple[Any, ...] | None = None
    sizes: tuple[int, ...] = ()  # allowed lengths, when only some are

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> tuple[Any, ...]:
        if self.default is not None and key not in doc:
            return self.default
        raw = doc.get(key)
        if raw is None and not self.default:
            return f.req(doc, key, prefix) if self.required else ()  # type: ignore[no-any-return]
        path = f"{prefix}{key}"
        if not isinstance(raw, list) or (self.sizes and len(raw) not in self.sizes):
            raise SchemaError(f"{path} must be {self.expected}", path)
        if isinstance(self.item, Shape):
            return tuple(self.item.read(value, f"{path}.{i}.") for i, value in enumerate(raw))
        items = dict(enumerate(raw))
        return tuple(self.item.read(items, i, f"{path}.") for i in items)

    def schema(self) -> dict[str, Any]:
        item = self.item.json_schema(top=False) if isinstance(self.item, Shape) else self.item.described()
        schema: dict[str, Any] = {"type": "array", "items": item}
        if self.sizes:
            schema["anyOf"] = [{"minItems": n, "maxItems": n} for n in self.sizes]
        return schema


@dataclass(frozen=True, eq=False, repr=False)
class MapOf(Spec):
    """A mapping of free keys (criterion ids, person ids, scores) to `value`."""

    value: Spec
    required: bool = False  # type: ignore[misc]
    keys: dict[str, Any] | None = None  # the schema of the keys
    str_keys: bool = True  # YAML may read a key as a number: use its text

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> dict[Any, Any]:
        raw = doc.get(key)
        if raw is None:
            return f.req(doc, key, prefix) if self.required else {}  # type: ignore[no-any-return]
        if not isinstance(raw, dict):
            f.mapping(raw, f"{prefix}{key}")  # raises
        inner = f"{prefix}{key}."
        check = getattr(self.value, "check", None)
        if check is f.number and self.str_keys:  # every rating's scores
            return f.numbers(raw, inner)
        if check is not None and self.str_keys:  # a value's check costs less than a read per value
            return {str(k): check(v, f"{inner}{k}") for k, v in raw.items()}
        read = self.value.read
        if self.str_keys:
            return {str(k): read(raw, k, inner) for k in raw}
        return {k: read(raw, k, inner) for k in raw}

    def schema(self) -> dict[str, Any]:
        schema = {"type": "object", "additionalProperties": self.value.described()}
        return {**schema, "propertyNames": self.keys} if self.keys else schema


@dataclass(frozen=True, eq=False, repr=False)
class Nested(Spec):
    """A mapping with its own Shape. `defaults`: a missing one reads as empty (every
    field at its default) rather than as None."""

    shape: Shape
    required: bool = False  # type: ignore[misc]
    defaults: bool = False

    @property
    def nullable(self) -> bool:
        return not self.required

    def read(self, doc: Mapping[Any, Any], key: Any, prefix: str = "") -> Any:
        raw = doc.get(key)
        if self.defaults:
            raw = raw or {}
        elif raw is None:
            return f.req(doc, key, prefix) if self.required else None
        return self.shape.read(raw, f"{prefix}{key}.")

    def schema(self) -> dict[str, Any]:
        return self.shape.json_schema(top=False)


class Shape:
    """A mapping's fields, in the order they are documented. `noun` names it in the
    unknown-field message ("in a person"; a list item's path when None); `make(values,
    prefix)` turns the typed values into the kind's object and holds its rules
    between fields."""

    def __init__(self, name: str, fields: dict[str, Spec], noun: str | None = None, description: str = "",
                 make: Callable[[dict[str, Any], str], Any] | None = None) -> None:
        self.name, self.fields, self.noun, self.description, self.make = name, fields, noun, description, make
        self.keys = frozenset(fields)
        self._readers = {key: spec.read for key, spec in fields.items()}
        # What an absent field reads as is the same every time: computed once (and
        # shared: the kinds built from it are frozen).
        self._absent = {key: spec.read({}, key, "") for key, spec in fields.items() if not spec.required}

    def read(self, doc: object, prefix: str = "") -> Any:
        """The typed values (or what `make` makes of them). Only the fields present
        are read, so a document costs what it holds, not what its kind could hold."""
        if not isinstance(doc, dict):
            f.mapping(doc, prefix[:-1] or self.name)  # raises
        values = dict(self._absent)
        readers = self._readers
        try:
            for key in doc:
                values[key] = readers[key](doc, key, prefix)
        except KeyError:  # an unknown field (checked here, not before: this loop runs per entry)
            if doc.keys() <= self.keys:
                raise
            f.known_keys(doc, set(self.keys), self.noun or prefix[:-1], prefix)
        if len(values) < len(readers):  # a required field is missing: say which, in documented order
            for key in self.fields:
                if key not in values:
                    readers[key](doc, key, prefix)
        return values if self.make is None else self.make(values, prefix)

    def derive(self, name: str | None = None, description: str | None = None, only_required: set[str] | None = None,
               **fields: Spec) -> Shape:
        """A variant: some fields replaced, with `only_required` just those keys required."""
        specs = {**self.fields, **fields}
        if only_required is not None:
            specs = {k: replace(s, required=k in only_required) if "required" in s.__dataclass_fields__ else s
                     for k, s in specs.items()}
        return Shape(name or self.name, specs, self.noun, self.description if description is None else description,
                     self.make)

    def json_schema(self, top: bool = True) -> dict[str, Any]:
        schema: dict[str, Any] = {"$schema": DRAFT, "title": self.name} if top else {}
        if self.description:
            schema["description"] = self.description
        schema.update(type="object", properties={k: s.described() for k, s in self.fields.items()})
        required = [k for k, s in self.fields.items() if s.required]
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        return schema


def _fields_read(cls: Any, shape: Shape) -> tuple[str, ...]:
    """The fields of `cls` in order. Kinds.parse makes its objects without __init__, so
    the class must be one the dataclass decorator made (not a subclass of one, which
    may have its own __init__), with no __post_init__, whose fields are exactly what
    its shape reads but `v` and `kind`."""
    from dataclasses import fields

    made = "__dataclass_fields__" in vars(cls) and cls.__dataclass_params__.init
    found = fields(cls) if made else ()
    names = tuple(f.name for f in found)
    if (not found or hasattr(cls, "__post_init__") or not all(f.init for f in found)
            or set(names) != shape.keys - {"v", "kind"}):
        raise TypeError(f"{getattr(cls, '__name__', cls)} is not a plain dataclass of exactly its shape's fields")
    return names


class Kinds:
    """The documents of an append-only folder (entries, records): each holds `v`, `id`,
    `kind`, `at` and `by`, then `head` (more fields every kind has), then its kind's
    own fields. A kind is (class, noun, description, fields); the class makes the
    document's object and names its kind in `cls.kind`."""

    def __init__(self, what: str, description: str, version: int, head: dict[str, Spec],
                 kinds: list[tuple[Any, str, str, dict[str, Spec]]]) -> None:
        self.what, self.description = what, description
        self.version = Version(version, f"{what} version",
                               description="the version of p2p's file formats it was written for")
        self.kind = Choice(tuple(cls.kind for cls, *_ in kinds), description=f"what the {what} records")
        self.shapes = {cls.kind: Shape(cls.kind, {**self._head(cls.kind), **head, **fields}, noun, description)
                       for cls, noun, description, fields in kinds}
        self._classes = {cls.kind: cls for cls, *_ in kinds}
        self._fields = {kind: _fields_read(cls, self.shapes[kind]) for kind, cls in self._classes.items()}

    def _head(self, kind: str) -> dict[str, Spec]:
        return {"v": self.version, "id": EntryId(description="time-sortable unique id; also the file name"),
                "kind": Choice((kind,)), "at": Timestamp(description="when, in UTC"),
                "by": Id(description="the person who acted; also the folder name")}

    def parse(self, doc: object) -> Any:
        """The object a document holds. A version newer than this p2p is refused
        before anything else the document holds (a newer p2p may add kinds and fields)."""
        if not isinstance(doc, dict):
            f.mapping(doc, self.what)  # raises
        self.version.read(doc, "v")
        kind = doc.get("kind")
        shape = self.shapes.get(kind) if isinstance(kind, str) else None
        if shape is None:
            self.kind.read(doc, "kind")  # raises: missing, or not one of the kinds
        values = shape.read(doc)  # type: ignore[union-attr]
        # Made as pickle and copy make one (`v` and `kind` checked and left out: the class
        # knows its kind): a frozen dataclass's __init__ sets each field through
        # object.__setattr__, a third of the time a cold read of 20,000 entries spends
        # reading them (~45 ms).
        names = self._fields[kind]
        made = object.__new__(self._classes[kind])
        made.__dict__.update(zip(names, map(values.__getitem__, names)))
        return made

    def json_schema(self) -> dict[str, Any]:
        """One schema for every kind, chosen by the `kind` field: one modeline serves any file."""
        return {"$schema": DRAFT, "title": self.what, "description": self.description, "type": "object",
                "required": ["kind"], "properties": {"kind": {"enum": list(self.shapes)}},
                "allOf": [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                           "then": {"$ref": f"#/$defs/{kind}"}} for kind in self.shapes],
                "$defs": {kind: {"title": kind, **shape.json_schema(top=False)} for kind, shape in self.shapes.items()}}

