"""Identifiers. Person ids, team ids and challenge slugs become path components, so
they are checked here before anything touches the filesystem; entry ids are
ULID-style so file names sort by creation time and never collide between writers."""

from __future__ import annotations

import datetime as dt
import os
import re
import reprlib

from p2p.errors import SchemaError

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
ID_RULE = "lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters"

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ENTRY_ID_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


def check_id(value: object, field: str = "id") -> str:
    """Return `value` if it is a valid id, else raise naming `field` and the rule."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise SchemaError(f"{field} {_show(value)} is not a valid id: use {ID_RULE}", field)
    return value


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def new_entry_id(now: dt.datetime, after: str | None = None) -> str:
    """A 26-character ULID: 48 bits of milliseconds since the epoch, 80 random bits.

    With `after` (the newest id the writer can see) the result sorts after it even
    when this machine's clock is behind, so "latest wins" follows what the writer
    had seen, not whose clock was right; the 80 random bits stay random."""
    millis = int(now.timestamp() * 1000)
    if after is not None:
        # A later millisecond than the newest id, never `after + 1`: two clones that
        # saw the same newest entry must still draw different ids.
        millis = max(millis, (_decode(after) >> 80) + 1)
    number = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def _decode(entry_id: str) -> int:
    number = 0
    for char in entry_id:
        number = number * 32 + _CROCKFORD.index(char)
    return number


def check_entry_id(value: object, field: str = "id") -> str:
    if not isinstance(value, str) or not ENTRY_ID_PATTERN.fullmatch(value):
        raise SchemaError(f"{field} {_show(value)} is not an entry id (26 characters of Crockford base32)", field)
    return value


def slugify(text: str) -> str:
    """Best-effort id from free text (an e-mail local part, a name): 'Ava.Lee' -> 'ava-lee'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:63].rstrip("-")


def _show(value: object) -> str:
    """A short repr for an error message: bounded before it is built, so a hostile
    value (an alias bomb, deep nesting, a megabyte of text) cannot blow it up."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 60, 60
