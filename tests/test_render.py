"""Markdown safety of user text: one escaping filter, links only for http(s)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from p2p.render.markdown import escape, link, table_cell, truncate


def test_pipes_newlines_and_html_cannot_escape_a_cell():
    assert table_cell("a|b\nc<script>&") == "a\\|b c&lt;script&gt;&amp;"


def test_markdown_syntax_at_the_start_or_inside_is_literal():
    assert escape("# Title") == "\\# Title"
    assert escape("> quote") == "&gt; quote"
    assert escape("- item") == "\\- item"
    assert escape("1. first") == "1\\. first"
    assert escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert escape("`code` *b* {{ jinja }}") == "\\`code\\` \\*b\\* &#123;&#123; jinja &#125;&#125;"
    assert escape("<!channel> @here @team-west") == "&lt;\\!channel&gt; @\u200bhere @\u200bteam-west"


def test_links_only_for_http_and_https():
    assert link("deck", "https://example.com/a") == "[deck](https://example.com/a)"
    assert link("x", "javascript:alert(1)") == "x (javascript:alert(1))"
    assert link("x", "https://e.com/a) [y](javascript:1") == "x (https://e.com/a) \\[y\\](javascript:alert(1))".replace(
        "alert(1)", "1")


def test_truncation_keeps_output_under_the_limit_with_a_marker():
    text = "| a |\n" * 300_000
    out = truncate(text, 1000)
    assert len(out.encode()) <= 1000 and out.endswith("truncated: the full output is over 1 MiB; use "
                                                     "`--format json` or `p2p publish`._\n")


@given(st.text())
def test_no_text_yields_a_newline_a_tag_an_unescaped_pipe_or_a_link(text):
    cell = table_cell(text)
    assert "\n" not in cell and "\r" not in cell and "<" not in cell and ">" not in cell
    unescaped = cell.replace("\\\\", "").replace("\\|", "").replace("\\[", "").replace("\\]", "")
    assert "|" not in unescaped and "[" not in unescaped and "]" not in unescaped


def test_the_page_sandbox_looks_up_dict_keys_as_the_jinja_sandbox_does():
    """Its shortcut for `row.key` must not let a key shadow a dict method or reach a
    dunder the sandbox hides."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from p2p.render.env import _PageEnvironment

    source = ("{{ row.name }}|{{ row.items is callable }}|{{ row.missing is defined }}|{{ row.__class__ is defined }}"
              "|{{ row.__len__ is defined }}|{{ row.keys is callable }}")
    row = {"name": "Ava", "items": "shadow", "__class__": "dunder", "__len__": 3}
    want = SandboxedEnvironment(undefined=StrictUndefined).from_string(source).render(row=row)
    assert _PageEnvironment(undefined=StrictUndefined).from_string(source).render(row=row) == want
    assert want == "Ava|True|False|False|False|True"


def test_page_numbers_never_show_minus_zero():
    from p2p.render.env import num, pct

    assert [num(-0.001), num(-0.004, 2), num(-0.3, 0), num(-0.0), num(0.0)] == ["0"] * 5
    assert [num(-0.5), num(-0.006), num(2.50), num(3.0), num(None)] == ["-0.5", "-0.01", "2.5", "3", "–"]
    assert [pct(-0.001), pct(-0.01), pct(0.5), pct(None)] == ["0%", "-1%", "50%", "–"]


@given(st.lists(st.one_of(st.floats(allow_nan=False, width=32), st.integers(-10**6, 10**6), st.booleans()),
                max_size=30), st.integers(0, 3))
def test_a_memoised_number_is_the_text_a_fresh_call_gives(values, places):
    """num is memoised, and equal keys of other types or signs (1, 1.0, True; -0.0,
    0.0) share an entry: each must format as the value itself would."""
    from p2p.render.env import num

    for value in values:
        assert num(value, places) == num.__wrapped__(value, places)
        assert num(-value, places) == num.__wrapped__(-value, places)
