"""Field readers for plain dicts parsed from YAML: each returns a typed value or
raises SchemaError naming the field and what is allowed. Strict on purpose: YAML 1.1
turns `no` into False and `0123` into 83, so a string field refuses anything that is
not already a string and says to quote it."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Mapping

from p2p.errors import SchemaError
from p2p.ids import _show as show
from p2p.ids import check_id


def mapping(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SchemaError(f"{field} must be a mapping of keys to values, not {type_name(value)}", field or None)
    return value


def known_keys(doc: Mapping[str, Any], allowed: set[str], where: str, prefix: str = "") -> None:
    for key in doc:
        if key not in allowed:
            raise SchemaError(f"unknown field {show(key)} in {where}; allowed: {', '.join(sorted(allowed))}",
                              f"{prefix}{key}")


def req(doc: Mapping[str, Any], key: str, prefix: str = "") -> Any:
    if doc.get(key) is None:
        raise SchemaError(f"{prefix}{key} is required", f"{prefix}{key}")
    return doc[key]


def text(doc: Mapping[str, Any], key: str, prefix: str = "", required: bool = True, max_len: int = 10_000,
         multiline: bool = False) -> str | None:
    value = doc.get(key)
    if value is None:
        return req(doc, key, prefix) if required else None  # req raises: it is called only on that path
    if not isinstance(value, str):
        raise SchemaError(f"{prefix}{key} must be text, not {type_name(value)} {show(value)}; quote it", f"{prefix}{key}")
    if len(value) > max_len:
        raise SchemaError(f"{prefix}{key} is {len(value)} characters; at most {max_len} allowed", f"{prefix}{key}")
    if required and not value.strip():
        raise SchemaError(f"{prefix}{key} must not be empty", f"{prefix}{key}")
    control = CONTROL_MULTILINE if multiline else CONTROL
    bad = control.search(value)
    if bad:
        allowed = " (line breaks and tabs are fine)" if multiline else ""
        raise SchemaError(f"{prefix}{key} contains the control character {bad.group()!r}{allowed}", f"{prefix}{key}")
    return value


# Control characters could rewrite a terminal (escape sequences) or a page; text
# fields refuse them. Multi-line fields (notes, comments, descriptions) keep \t \n \r.
# Written as regex escapes, not characters, so p2p.shapes can put them in a JSON Schema.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
EMAIL = re.compile(r'[^@\s<>,;"]+@[^@\s<>,;".]+(\.[^@\s<>,;".]+)+')  # no needless escapes: also an ECMA regex
MAX_YEAR = 9000  # dates beyond this are typos, and date arithmetic near 9999 overflows


def id_list(doc: Mapping[str, Any], key: str, prefix: str = "") -> tuple[str, ...]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise SchemaError(f"{prefix}{key} must be a list of ids", f"{prefix}{key}")
    return tuple(check_id(v, f"{prefix}{key}.{i}") for i, v in enumerate(value))


def text_list(doc: Mapping[str, Any], key: str, prefix: str = "", max_len: int = 200) -> tuple[str, ...]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise SchemaError(f"{prefix}{key} must be a list of texts", f"{prefix}{key}")
    return tuple(text({str(i): v for i, v in enumerate(value)}, str(i), f"{prefix}{key}.", max_len=max_len) or ""
                 for i in range(len(value)))


def email(doc: Mapping[str, Any], key: str, prefix: str = "") -> str:
    value = (text(doc, key, prefix, max_len=254) or "").strip()
    if not EMAIL.fullmatch(value):
        raise SchemaError(f"{prefix}{key} {show(value)} is not an e-mail address like ava@example.com", f"{prefix}{key}")
    return value


def integer(doc: Mapping[str, Any], key: str, prefix: str = "", default: int | None = None,
            minimum: int | None = None, maximum: int | None = None, required: bool = True) -> int | None:
    value = doc.get(key, default)
    if value is None and not required:
        return None
    if value is None:
        raise SchemaError(f"{prefix}{key} is required", f"{prefix}{key}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(f"{prefix}{key} must be a whole number, not {show(value)}", f"{prefix}{key}")
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise SchemaError(f"{prefix}{key} {value} is out of range {minimum}..{maximum}", f"{prefix}{key}")
    return value


def number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SchemaError(f"{field} must be a finite number, not {show(value)}", field)
    return float(value)


def numbers(values: Mapping[Any, Any], prefix: str) -> dict[str, float]:
    """{key as text: number(value, prefix + key)} of a mapping (a rating's scores): a
    finite int or float passes without a call, and only a bad value's field is named."""
    checked: dict[str, float] = {}
    for key, value in values.items():
        kind = type(value)
        if kind is int or kind is float and value - value == 0.0:  # not inf or nan
            checked[str(key)] = float(value)
        else:
            checked[str(key)] = number(value, f"{prefix}{key}")
    return checked


def boolean(doc: Mapping[str, Any], key: str, prefix: str = "", default: bool = False) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        raise SchemaError(f"{prefix}{key} must be true or false, not {show(value)}", f"{prefix}{key}")
    return value


def parse_date(value: object, field: str) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is None:
        raise SchemaError(f"{field} {show(value)} is not a date; use YYYY-MM-DD", field)
    if day.year > MAX_YEAR:
        raise SchemaError(f"{field} {day} is too far in the future", field)
    return day


def parse_timestamp(value: object, field: str) -> dt.datetime:
    """An aware UTC datetime from a YAML timestamp or an ISO 8601 string."""
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise SchemaError(f"{field} {show(value)} is not a timestamp; use e.g. 2026-11-22T10:15:00Z", field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )

