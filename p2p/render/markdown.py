"""Markdown safety for user text: the one escaping filter every user-provided string
goes through on its way to a page or a `--format markdown` table.

Names, comments, notes and titles come from people and CRM exports. On a wiki page
they must never end a table cell, start a heading or a quote, become HTML or a
script, turn into a link that is not http(s), or ping a channel or a team."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_MARKDOWN_BYTES = 1024 * 1024  # GitHub's job summary limit
TRUNCATED = "\n\n_… truncated: the full output is over 1 MiB; use `--format json` or `p2p publish`._\n"


class Safe(str):
    """Markdown that p2p built itself (links, bars, charts): not escaped again."""


_INLINE = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    "<": "&lt;", ">": "&gt;", "&": "&amp;", "{": "&#123;", "}": "&#125;", "#": "\\#", "!": "\\!", "$": "\\$",
}
_INLINE_RE = re.compile("|".join(re.escape(k) for k in _INLINE))
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MENTION = re.compile(r"@(?=[\w-])")
_LEADING = re.compile(r"^(\s*)([-+*=]|\d+[.)])(?=\s|$)")  # a list item, or a setext underline


def escape(value: object) -> Safe:
    """Text shown literally in Markdown, on one line (newlines become spaces)."""
    if isinstance(value, Safe):
        return value
    return _escape_text("" if value is None else str(value))


@lru_cache(maxsize=8192)
def _escape_text(text: str) -> Safe:
    # Memoised: a publish escapes the same names, titles and comments ~90,000 times.
    text = _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\n", " "))
    text = _INLINE_RE.sub(lambda m: _INLINE[m.group()], text)
    text = _MENTION.sub("@\u200b", text)  # a zero-width space: no @team or @channel ping
    return Safe(_LEADING.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text))


def table_cell(text: str) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    return str(escape(text))


def link(text: object, url: object) -> Safe:
    """A link only for http(s) URLs; anything else is shown as escaped text."""
    label = escape(text)
    target = str(url or "")
    if re.fullmatch(r"https?://[^\s<>()\[\]`\"']+", target):
        return Safe(f"[{label}]({target})")
    return label if not target else Safe(f"{label} ({escape(target)})")


def truncate(text: str, limit: int = MAX_MARKDOWN_BYTES) -> str:
    """Keep Markdown output under `limit` bytes, cutting at a line and saying so."""
    # surrogateescape: a path git gave in bytes that are not UTF-8 comes with lone surrogates.
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text
    cut = data[: limit - len(TRUNCATED.encode())].decode("utf-8", "surrogateescape")  # its last line is dropped
    return cut[: cut.rfind("\n") + 1] + TRUNCATED
