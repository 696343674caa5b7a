"""A fast reader for the YAML p2p itself writes: over 10x PyYAML's C loader on entries.

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
matched by one regex once and remembered."""

from __future__ import annotations

import re
from typing import Any

# What YAML reads as a line break, or refuses ("control characters are not allowed"),
# anywhere in the file, comments included; tabs, CRs and a BOM are left to PyYAML too.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
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
