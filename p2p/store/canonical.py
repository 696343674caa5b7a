"""A fast reader for the YAML p2p itself writes: about 4x PyYAML's C loader on entries.

Entries and people are flat mappings of simple scalars with at most one level of nesting
(`scores:`), which p2p writes in one canonical form. `read` accepts exactly that
subset and returns None for anything else, so the caller falls back to the safe
YAML loader: a hand-edited, unusual or tricky file is read by PyYAML, never
guessed at. Where YAML 1.1 would turn a plain word into something other than a
string (yes, on, True, 0123, 1:10, 2026-11-05, null, ~, 1_000, 0x1F, .5), this reader
declines rather than decide; the only such words it reads are the booleans p2p
writes, `true` and `false`. tests/test_canonical.py checks it against PyYAML."""

from __future__ import annotations

import re
from typing import Any

# What YAML reads as a line break, or refuses ("control characters are not allowed"),
# anywhere in the file, comments included; tabs, CRs and a BOM are left to PyYAML too.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"[a-z_][a-z0-9_-]{0,255}")  # YAML takes at most 1,024 characters as a key
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\.[0-9]{1,17}")
_QUOTED = re.compile(r"'((?:[^'\x00-\x1f\x7f\x85\u2028\u2029\ufeff]|'')*)'")
# A plain string that no YAML 1.1 resolver claims: a letter first; printable; no
# comment marker, no flow brackets, no ": "; not ending in a space or a colon.
_PLAIN = re.compile(r"[A-Za-z][^\x00-\x1f\x7f\x85\u2028\u2029\ufeff#\[\]{}]*(?<![ :])")
_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}
_KEY_WORDS = _WORDS - {"y", "n"}  # keys YAML 1.1 reads as a boolean or null (PyYAML's `y:` is "y")
_BOOLEANS = {"true": True, "false": False}  # as p2p writes them; True, TRUE, yes, on… are PyYAML's


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
    for line in text[:-1].split("\n"):
        if line.startswith("  "):
            if nested is None:
                return None
            key, value = _pair(line[2:])
            if key is None or key in nested or value is _NONE or value is _OPEN:
                return None
            nested[key] = value
            continue
        if nested is not None and not nested:
            return None  # `key:` with nothing under it is null in YAML: leave it to PyYAML
        nested = None
        if line.startswith("#"):
            if doc:
                return None
            continue
        key, value = _pair(line)
        if key is None or key in doc or value is _NONE:
            return None
        if value is _OPEN:
            nested = doc[key] = {}
        else:
            doc[key] = value
    if (nested is not None and not nested) or not doc:
        return None
    return doc


_NONE = object()  # not a value this reader accepts
_OPEN = object()  # `key:` opening a nested mapping


def _pair(line: str) -> tuple[str | None, Any]:
    key, sep, rest = line.partition(":")
    if not sep or not _KEY.fullmatch(key) or key in _KEY_WORDS:  # YAML 1.1 reads `on:` as the key True
        return None, _NONE
    if rest == "":
        return key, _OPEN
    if not rest.startswith(" ") or rest.startswith("  "):
        return None, _NONE
    return key, _scalar(rest[1:])


def _scalar(raw: str) -> Any:
    if raw.startswith("'"):
        match = _QUOTED.fullmatch(raw)
        return match.group(1).replace("''", "'") if match else _NONE
    if _INT.fullmatch(raw):
        return int(raw)
    if _FLOAT.fullmatch(raw):
        return float(raw)
    if _ULID.fullmatch(raw) and not raw.isdigit():
        return raw
    if raw in _BOOLEANS:
        return _BOOLEANS[raw]
    if _PLAIN.fullmatch(raw) and ": " not in raw and raw.lower() not in _WORDS:
        return raw
    return _NONE
