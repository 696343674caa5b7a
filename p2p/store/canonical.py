"""A fast reader and writer for the YAML p2p itself writes: over 10x PyYAML's C loader
on entries, and no PyYAML import (~25 ms) for a write.

Entries and people are flat mappings of simple scalars with at most one level of
nesting (`scores:`), which p2p writes in one canonical form. `read` accepts exactly
that subset and returns None for anything else, so the caller falls back to the safe
YAML loader: a hand-edited, unusual or tricky file is read by PyYAML, never guessed
at. Where YAML 1.1 would turn a plain word into something other than a string (yes,
on, True, 0123, 1:10, 2026-11-05, null, ~, 1_000, 0x1F, .5), this reader declines
rather than decide; the only such words it reads are the booleans p2p writes, `true`
and `false`. tests/test_canonical.py checks it against PyYAML.

A cold read parses 20,000 entries of a dozen lines, most of them repeated from file
to file (`kind: rating`, `  proof: 4`, `challenge: q4`), so each accepted line is
matched by one regex once and remembered.

`write` is the other direction: the same canonical subset, byte for byte what PyYAML
dumps (tests/test_canonical.py checks it), or None for anything it is not sure of
(lists, long or multi-line text, words YAML would read as something else), which
PyYAML then writes."""

from __future__ import annotations

import re
from typing import Any

# What YAML reads as a line break, or refuses ("control characters are not allowed"),
# anywhere in the file, comments included; tabs, CRs and a BOM are left to PyYAML too.
# Spelled as the characters outside YAML's printable set (the same set as "not \n,
# \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd or astral"):
# that negated class took every command ~4 ms to compile, this one 0.4.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# One line: an optional indent of two, a key (YAML takes at most 1,024 characters as
# a key), and either nothing (`key:` opens a nested mapping) or one of these values.
_LINE = re.compile(
    r"(  )?([a-z_][a-z0-9_-]{0,255}):(?: (?:"
    r"(-?(?:0|[1-9][0-9]{0,17}))"  # an int
    r"|(-?(?:0|[1-9][0-9]{0,17})\.[0-9]{1,17})"  # a float
    r"|'([^']*(?:''[^']*)*)'"  # a single-quoted string
    r"|([0-9A-HJKMNP-TV-Z]{26})"  # a ULID (all digits would be an int)
    # A plain string that no YAML 1.1 resolver claims: a letter first; no comment
    # marker, no flow brackets, no ": "; not ending in a space or a colon.
    r"|([A-Za-z][^#\[\]{}]*(?<![ :]))"
    r"))?"
)
_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}
_KEY_WORDS = _WORDS - {"y", "n"}  # keys YAML 1.1 reads as a boolean or null (PyYAML's `y:` is "y")
_BOOLEANS = {"true": True, "false": False}  # as p2p writes them; True, TRUE, yes, on… are PyYAML's
_OPEN = object()  # `key:` opening a nested mapping
_COMMENT = (False, None, None)
# Accepted lines -> (indented, key, value): the values are str, int, float or bool,
# immutable, so documents can share them. Lines with an id or a timestamp (a ULID or
# a quoted value) are unique to their file and not kept.
_seen: dict[str, tuple[bool, str | None, Any]] = {}
_SEEN_MAX = 1 << 16


def forget() -> None:
    """Drop the remembered lines."""
    _seen.clear()


def read(data: bytes) -> dict[str, Any] | None:
    """The document, or None when it is not in p2p's canonical form."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\n") or _UNUSUAL.search(text):
        return None
    doc: dict[str, Any] = {}
    nested: dict[str, Any] | None = None  # the mapping that indented lines fill
    seen = _seen
    for line in text[:-1].split("\n"):
        parsed = seen.get(line) or _line(line)
        if parsed is None:
            return None
        indented, key, value = parsed
        if indented:
            if nested is None or key in nested or value is _OPEN:
                return None
            nested[key] = value
            continue
        if nested is not None and not nested:
            return None  # `key:` with nothing under it is null in YAML: leave it to PyYAML
        nested = None
        if key is None:  # a comment, before the first key only
            if doc:
                return None
            continue
        if key in doc:
            return None
        if value is _OPEN:
            nested = doc[key] = {}
        else:
            doc[key] = value
    if (nested is not None and not nested) or not doc:
        return None
    return doc


def _line(line: str) -> tuple[bool, str | None, Any] | None:
    """(indented, key, value) of a line in canonical form, else None; remembered."""
    if line.startswith("#"):
        return _COMMENT
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    indent, key, integer, number, quoted, ulid, plain = match.groups()
    if key in _KEY_WORDS:  # YAML 1.1 reads `on:` as the key True
        return None
    if quoted is not None:
        return indent is not None, key, quoted.replace("''", "'")
    if ulid is not None:
        return None if ulid.isdigit() else (indent is not None, key, ulid)
    if integer is not None:
        value: Any = int(integer)
    elif number is not None:
        value = float(number)
    elif plain is not None:
        if ": " in plain:
            return None
        value = _BOOLEANS.get(plain, plain)
        if value is plain and plain.lower() in _WORDS:
            return None
    else:
        value = _OPEN
    if len(_seen) >= _SEEN_MAX:
        _seen.clear()
    parsed = _seen[line] = (indent is not None, key, value)
    return parsed


# What `write` leaves plain: what PyYAML leaves plain too (it starts with a letter, and
# no resolver claims it unless it is one of the _WORDS), on one line of what libyaml
# calls printable: no #, brackets or braces, and nothing outside the Basic Multilingual
# Plane (libyaml double-quotes an emoji).
# Patterns, not compiled ones: re compiles them on a write's first use, not on every
# read's import. The characters after the first are spelled as those *not* allowed:
# the same set as "\x20-\x22, \x24-\x5a, \x5c, \x5e-\x7a, \x7c, \x7e, \xa0-\u2027,
# \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd", which took every write 3 ms to compile.
_PLAIN = r"[A-Za-z][^\x00-\x1f#\[\]{}\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]*(?<![ :])"
# Dates and timestamps as p2p writes them: PyYAML's resolver would read them as dates,
# so it single-quotes them.
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?"
_ULID = "[0-9A-HJKMNP-TV-Z]{26}"
_KEY = "[a-z_][a-z0-9_-]{0,99}"  # as _LINE reads a key, at most 100 long (PyYAML's simple keys are < 128)
_WIDTH = 100  # PyYAML folds longer lines at a space


def write(document: dict[str, Any]) -> str | None:
    """The document as PyYAML dumps it (block style, keys in order), when every key and
    value is in the canonical subset; else None."""
    lines = []
    for key, value in document.items():
        if type(value) is dict:
            if not value or not _key(key):
                return None
            lines.append(f"{key}:")
            for inner, item in value.items():
                line = _pair(inner, item, "  ")
                if line is None:
                    return None
                lines.append(line)
            continue
        line = _pair(key, value, "")
        if line is None:
            return None
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else None


def _key(key: object) -> bool:
    """A key PyYAML writes plain, as it is (exactly a str: its safe dumper refuses
    subclasses), and that no YAML 1.1 resolver reads as a boolean or null."""
    return type(key) is str and re.fullmatch(_KEY, key) is not None and key.lower() not in _WORDS


def _pair(key: object, value: object, indent: str) -> str | None:
    """`key: value` in canonical form, or None."""
    if not _key(key):
        return None
    if value is True or value is False:
        text = "true" if value else "false"
    elif type(value) is int:  # exactly: PyYAML's safe dumper refuses subclasses
        if abs(value) >= 10**18:
            return None
        text = str(value)
    elif type(value) is float:
        text = repr(value)
        if "e" in text or "n" in text:  # 1e+16, inf, nan: PyYAML's own spellings
            return None
    elif type(value) is str:
        if re.fullmatch(_DATE, value):
            text = f"'{value}'"
        elif re.fullmatch(_ULID, value) and not value.isdigit():
            text = value
        elif re.fullmatch(_PLAIN, value) and ": " not in value and value.lower() not in _WORDS:
            text = value
        else:
            return None
    else:
        return None
    line = f"{indent}{key}: {text}"
    return line if len(line) <= _WIDTH else None
