"""Markdown safety for user text. Names, comments and notes come from people and CRM
exports; in a table cell they must never end the cell, break the row, or become HTML."""

from __future__ import annotations

_TABLE_CELL = (("\\", "\\\\"), ("|", "\\|"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r\n", " "),
               ("\r", " "), ("\n", " "))


def table_cell(text: str) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    for raw, safe in _TABLE_CELL:
        text = text.replace(raw, safe)
    return text
