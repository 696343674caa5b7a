"""Markdown safety of user text in tables."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from p2p.render.markdown import table_cell


def test_pipes_newlines_and_html_cannot_escape_a_cell():
    assert table_cell("a|b\nc<script>&") == "a\\|b c&lt;script&gt;&amp;"


@given(st.text())
def test_no_text_yields_an_unescaped_pipe_a_newline_or_a_tag(text):
    cell = table_cell(text)
    assert "\n" not in cell and "\r" not in cell and "<" not in cell and ">" not in cell
    unescaped = cell.replace("\\\\", "").replace("\\|", "")
    assert "|" not in unescaped
